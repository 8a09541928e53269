//go:build !bindings

package main

// generatingBindings is true only in the binary `wails generate module`
// builds (see bindings.go).
const generatingBindings = false

func generateBindings() int { return 0 }
