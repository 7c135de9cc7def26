// Package shareddata finds ../shared (test corpora, schema, snapshots), which
// sits beside the module root, for tests and benchmarks. Tests that need it
// skip cleanly when it is absent so the module builds and tests on its own.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// ModuleRoot walks up from the working directory to the directory holding go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// Path returns the path of elem under ../shared, or skips the test when
// ../shared (or elem within it) is absent.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	root, err := ModuleRoot()
	if err != nil {
		tb.Skipf("module root not found: %v", err)
	}
	p := filepath.Join(append([]string{root, "..", "shared"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared data not available: %s", p)
	}
	return p
}
