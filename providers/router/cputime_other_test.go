//go:build !unix

package router

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
