// Package cputime reads the CPU time this process has used. Benchmarks
// report it per op next to ns/op, and the load generator per measured
// window: on a shared, busy machine wall time mostly measures waiting for
// a core.
package cputime

import (
	"syscall"
	"time"
)

// Process returns the CPU time (user + system, all threads) this process
// has used so far, or 0 where the system cannot say.
func Process() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
