//go:build !linux

package reliability

import (
	"context"
	"os/exec"
)

func execLimited() {}

// limitedCommand is Linux-only (RLIMIT_FSIZE); nil makes the caller skip.
func limitedCommand(ctx context.Context, fsize int64, bin string, args ...string) *exec.Cmd {
	return nil
}
