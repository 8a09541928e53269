package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"tubeagency/internal/atomicfile"
)

func TestWriteReplacesWholeFileUserOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "folder")
	path := filepath.Join(dir, "settings.json")
	for _, content := range []string{"first", "second, longer"} {
		if err := atomicfile.Write(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("read back %q, %v; want %q", got, err, content)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v, want 0700", di.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the file (no temporary files left)", len(entries))
	}
}

func TestWriteFailureLeavesOldContent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.md")
	if err := atomicfile.Write(path, []byte("kept")); err != nil {
		t.Fatal(err)
	}
	// Renaming a file over a folder fails: the folder and the old file stay.
	if err := atomicfile.Write(dir, []byte("x")); err == nil {
		t.Fatal("writing over a folder succeeded")
	}
	if got, _ := os.ReadFile(path); string(got) != "kept" {
		t.Fatalf("old file changed to %q", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".tmp" {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
