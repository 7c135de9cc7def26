// Command bench measures netdigest against the floor (a bare gofeed loop)
// and the tools its users would pick instead (sfeed, newsboat, rss2email,
// feed2exec, when installed), on the same generated corpus served from a
// local HTTP server, in the same run. See bench/README.md.
//
//	go run ./bench [flags]           the whole harness (run -h for flags)
//	go run ./bench gen  [flags]      write a corpus directory
//	go run ./bench serve [flags]     serve a corpus (127.0.0.1 only)
//	go run ./bench bare [flags]      one cycle of the bare gofeed loop
//	go run ./bench profile [flags]   CPU and alloc profiles of a cold cycle, in process
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	cmd := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "run":
		err = cmdRun(ctx, args)
	case "gen":
		err = cmdGen(args)
	case "serve":
		err = cmdServe(ctx, args)
	case "bare":
		err = cmdBare(ctx, args)
	case "profile":
		err = cmdProfile(ctx, args)
	default:
		err = fmt.Errorf("unknown command %q (run, gen, serve, bare, profile)", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
