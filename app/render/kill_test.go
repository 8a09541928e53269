package render_test

func childRender() int   { return 0 }
func childDiskFull() int { return 0 }
