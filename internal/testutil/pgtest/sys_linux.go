//go:build linux

package pgtest

import "syscall"

// setParentDeathSignal asks the kernel to send the server SIGQUIT (immediate
// shutdown) when the thread that started it dies, and reports that it did.
func setParentDeathSignal(attr *syscall.SysProcAttr) bool {
	attr.Pdeathsig = syscall.SIGQUIT
	return true
}
