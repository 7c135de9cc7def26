// Package tooltest finds the external programs some tests drive (xmllint,
// chromium, newsboat, python3 with icalendar, calcurse). Locally a missing
// program skips the test; under CI (the CI environment variable set, as
// .ci/run's clean machine has it) it fails it, since .ci/run installs them
// and a skip there would hide a gap.
package tooltest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Find returns the path of the first of names on PATH. pkg is the Debian
// package that provides it, named in the skip or failure message.
func Find(tb testing.TB, pkg string, names ...string) string {
	tb.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	Unavailable(tb, "%s not found (apt-get install %s)", strings.Join(names, " or "), pkg)
	return ""
}

// Unavailable skips, or under CI fails, a test whose program is missing or
// cannot run here.
func Unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("in CI: "+format, args...)
	}
	tb.Skipf(format, args...)
}

// ChromiumArgs are the flags headless Chromium needs on a closed, headless
// machine running as root: no sandbox, no GPU, no background connections
// (refused here, and slow to time out), a throwaway profile.
func ChromiumArgs(profileDir string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profileDir}
}
