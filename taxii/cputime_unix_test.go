//go:build unix

package taxii_test

import (
	"syscall"
	"testing"
	"time"
)

// processCPU is the CPU time the process has used, in user and system
// mode, all threads: on a shared machine it moves far less than the time
// a benchmark takes.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process's CPU time per operation since start (a
// processCPU reading), garbage collection included.
func reportCPU(b *testing.B, start time.Duration) {
	if start > 0 && b.N > 0 {
		b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
	}
}
