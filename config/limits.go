package config

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// MaxFileBytes bounds what Load reads: a feeds.yaml is a few KiB, and
// `-config /dev/zero` (or a log file given by mistake) must fail at once
// instead of being read until the kernel kills the process.
const MaxFileBytes = 1 << 20

// readFile reads at most MaxFileBytes of path. O_NONBLOCK makes opening a
// FIFO nobody writes to return at once (it then reads as empty) instead of
// blocking; a FIFO with a writer, such as `-config <(…)`, is still read to
// its end. Errors name the file.
func readFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err // an *os.PathError: it names the file
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("read %s: larger than %d bytes (1 MiB), too large for a feeds.yaml; is it the right file?",
			path, MaxFileBytes)
	}
	return data, nil
}

// inheritLimits gives each source the fetch block's max_items and
// max_content_bytes unless it sets its own. Zero stays zero: normalize owns
// the defaults (1,000 items, 256 KiB), which apply to every caller.
func inheritLimits(cfg *Config) {
	for i := range cfg.Sources {
		s := &cfg.Sources[i]
		if s.MaxItems == 0 {
			s.MaxItems = cfg.Fetch.MaxItems
		}
		if s.MaxContentBytes == 0 {
			s.MaxContentBytes = cfg.Fetch.MaxContentBytes
		}
	}
}
