//go:build unix && !linux

package pgtest

import "syscall"

// setParentDeathSignal reports that this system has no parent-death signal;
// a crashed test binary's server is stopped by the next run's stale cleanup.
func setParentDeathSignal(*syscall.SysProcAttr) bool { return false }
