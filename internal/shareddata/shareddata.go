// Package shareddata finds ../shared (test corpora, schema, snapshots), which
// sits beside the module root, for tests and benchmarks. Tests that need it
// skip cleanly when it is absent so the module builds and tests on its own.
package shareddata

import (
	"errors"
	"os"
	"os/exec"
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

// ValidateAtom checks doc against RFC 4287's RELAX NG schema in
// ../shared/schema with xmllint, returning xmllint's report and whether doc
// is valid. It skips without ../shared, and without xmllint unless the
// CI environment variable is set (CI installs libxml2-utils).
func ValidateAtom(tb testing.TB, doc []byte) (string, bool) {
	tb.Helper()
	schema := Path(tb, "schema", "atom.rng")
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("xmllint not found in CI (install libxml2-utils): %v", err)
		}
		tb.Skipf("xmllint not found (apt-get install libxml2-utils); skipping schema validation")
	}
	file := filepath.Join(tb.TempDir(), "feed.xml")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.CommandContext(tb.Context(), xmllint, "--nonet", "--noout", "--relaxng", schema, file).CombinedOutput()
	if err == nil {
		return string(out), true
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		tb.Fatalf("run xmllint: %v", err)
	}
	// Exit 3 and 4 are validation failures; anything else (a malformed
	// schema, a missing file) is a broken test, not invalid Atom.
	if c := exit.ExitCode(); c != 3 && c != 4 {
		tb.Fatalf("xmllint exit %d: %s", c, out)
	}
	return string(out), false
}
