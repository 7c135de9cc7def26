package reliability

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// fsizeEnv tells a re-executed test binary to lower RLIMIT_FSIZE and then
// become the program named by its arguments: how a child gets a "disk full"
// (EFBIG) for every write past the limit without root or a small filesystem.
const fsizeEnv = "NETDIGEST_RELIABILITY_FSIZE"

// execLimited returns at once unless fsizeEnv is set; otherwise it never
// returns.
func execLimited() {
	v := os.Getenv(fsizeEnv)
	if v == "" {
		return
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err == nil {
		err = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
	}
	if err == nil && len(os.Args) > 1 {
		env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, fsizeEnv+"=") })
		err = syscall.Exec(os.Args[1], os.Args[1:], env)
	}
	fmt.Fprintf(os.Stderr, "reliability: exec with RLIMIT_FSIZE %s: %v\n", v, err)
	os.Exit(127)
}

// limitedCommand runs bin args with every file write limited to fsize
// bytes. The Go runtime ignores SIGXFSZ, so writes fail with EFBIG.
func limitedCommand(ctx context.Context, fsize int64, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{bin}, args...)...)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", fsizeEnv, fsize))
	return cmd
}
