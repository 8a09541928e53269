package render

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tempPrefix starts the name of every file being written; a file with this
// prefix is never a finished output, and the sweep removes it.
const tempPrefix = ".tmp-"

// tempPath returns a fresh temporary name in dir for a file that will be
// renamed to final. The extension is kept so tools that guess formats
// from names still work.
func tempPath(final string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return filepath.Join(filepath.Dir(final), tempPrefix+hex.EncodeToString(b[:])+"-"+filepath.Base(final))
}

// writeFileAtomic writes data to path through a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	tmp := tempPath(path)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return diskErr(fmt.Errorf("write %s: %w", filepath.Base(path), err))
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return diskErr(fmt.Errorf("write %s: %w", filepath.Base(path), err))
	}
	return nil
}

// commitTemp renames a finished temporary file into place, or removes it
// when err is set. It returns err, or the rename's error.
func commitTemp(tmp, final string, err error) error {
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return diskErr(fmt.Errorf("move %s into place: %w", filepath.Base(final), err))
	}
	return nil
}

// isTemp reports names that only a write in progress uses: ours, and the
// voice chain's.
func isTemp(name string) bool {
	return strings.HasPrefix(name, tempPrefix) || strings.HasPrefix(name, ".voice-")
}

// sweepTemp removes temporary files left in the render folders by a run
// that was killed. Callers hold the folder's lock, so none is in use.
func sweepTemp(outDir string) {
	for _, dir := range []string{outDir, filepath.Join(outDir, workDir), filepath.Join(outDir, workDir, "voice"), filepath.Join(outDir, workDir, "fonts")} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if isTemp(e.Name()) {
				os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
	}
}

func exists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Size() > 0
}

func fileInfo(dir, name string) (*FileInfo, error) {
	st, err := os.Stat(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	return &FileInfo{Name: name, Bytes: st.Size()}, nil
}
