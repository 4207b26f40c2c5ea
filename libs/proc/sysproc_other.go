//go:build unix && !linux

package proc

import "syscall"

// sysProcAttr puts a child in its own process group, so that it and its
// descendants are signalled at once. (Only Linux has Pdeathsig.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
