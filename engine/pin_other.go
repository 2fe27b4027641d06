//go:build !linux

package engine

import "errors"

func pinThread(int) error { return errors.New("CPU pinning is supported on Linux only") }

func allowedCPUs() []int { return nil }
