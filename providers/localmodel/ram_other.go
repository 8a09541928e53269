//go:build !linux && !darwin && !windows

package localmodel

// TotalRAM is 0 (unknown) where the app has no way to read it.
func TotalRAM() uint64 { return 0 }
