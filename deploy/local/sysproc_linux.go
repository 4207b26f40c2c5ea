package main

import "syscall"

// childSysProcAttr puts a child in its own process group, so the launcher can
// signal it and its descendants at once, and has the kernel SIGKILL it should
// the launcher die without cleaning up.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
