// Package schema holds the SQL users apply to their Supabase project, in
// order. The tests apply the same files to a real PostgreSQL, so what users
// run is what the tests prove.
package schema

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed *.sql
var files embed.FS

// File is one migration.
type File struct {
	Name   string
	Number int // the NNNN of NNNN_name.sql
	SQL    string
}

// Files returns the migrations in the order to apply them.
func Files() ([]File, error) {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list schema files: %w", err)
	}
	sort.Strings(names)
	out := make([]File, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("read schema %s: %w", n, err)
		}
		num, _, _ := strings.Cut(n, "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("schema %s: name must be NNNN_name.sql", n)
		}
		out = append(out, File{Name: n, Number: v, SQL: string(b)})
	}
	return out, nil
}
