package proc

import "syscall"

// sysProcAttr puts a child in its own process group, so that it and its
// descendants are signalled at once, and has the kernel SIGKILL it should
// its parent die without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
