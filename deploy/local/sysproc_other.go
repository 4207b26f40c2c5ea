//go:build unix && !linux

package main

import "syscall"

// childSysProcAttr puts a child in its own process group, so the launcher can
// signal it and its descendants at once. (Only Linux has Pdeathsig.)
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
