//go:build !linux

package render_test

import "fmt"

// childDiskFull needs Linux mount namespaces.
func childDiskFull() int {
	fmt.Println("ERR the disk-full test needs Linux")
	return 1
}
