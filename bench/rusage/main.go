// Command rusage runs a command and writes its wall time and resource usage
// as JSON to the file given by -o. The harness measures every tool through
// it because Linux charges a child with its parent's peak RSS at exec time
// when the parent vforks (as Go does): run from a large harness, every tool
// would show the harness's own RSS as a floor. This launcher stays small
// (stdlib only), so that floor is a couple of MB.
//
//	rusage -o FILE -- command [args…]
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Usage is what -o receives.
type Usage struct {
	WallNS   int64 `json:"wall_ns"`
	UserNS   int64 `json:"user_ns"` // the command and the descendants it waited for
	SysNS    int64 `json:"sys_ns"`
	MaxRSSKB int64 `json:"max_rss_kb"` // the largest process of the tree
	Exit     int   `json:"exit"`
}

func main() {
	out := flag.String("o", "", "write the usage JSON to `FILE`")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: rusage -o FILE -- command [args…]")
		os.Exit(2)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "rusage:", err)
		os.Exit(127)
	}
	u := Usage{WallNS: wall.Nanoseconds(), Exit: cmd.ProcessState.ExitCode()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		u.UserNS, u.SysNS, u.MaxRSSKB = ru.Utime.Nano(), ru.Stime.Nano(), ru.Maxrss
	}
	data, _ := json.Marshal(u)
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "rusage:", err)
		os.Exit(127)
	}
	os.Exit(u.Exit)
}
