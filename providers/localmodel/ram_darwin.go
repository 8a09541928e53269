package localmodel

import "golang.org/x/sys/unix"

// TotalRAM is the machine's memory in bytes (sysctl hw.memsize), 0 when it
// cannot be read.
func TotalRAM() uint64 {
	n, err := unix.SysctlUint64("hw.memsize")
	if err != nil {
		return 0
	}
	return n
}
