package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Owner names a process that holds something in the store: a digest it
// prepared or is sending, a lease. Recorded so that another process can
// tell "busy" from "abandoned", and name who is busy.
type Owner struct {
	PID  int
	Host string
}

// Self is the current process.
func Self() Owner {
	host, _ := os.Hostname()
	return Owner{PID: os.Getpid(), Host: host}
}

func (o Owner) String() string {
	if o.Host == "" {
		return fmt.Sprintf("pid %d", o.PID)
	}
	return fmt.Sprintf("pid %d on %s", o.PID, o.Host)
}

// holds reports whether o still holds a claim that runs until until: the
// claim has not expired and, when o is on this host, its process exists.
// On another host only the expiry can tell (a crashed owner's claim lapses).
func (o Owner) holds(until, now time.Time) bool {
	if until.IsZero() || !now.Before(until) {
		return false
	}
	if host, _ := os.Hostname(); o.Host != host {
		return true
	}
	return processExists(o.PID)
}

// processExists asks the kernel with signal 0, which checks without
// delivering anything; EPERM means it exists under another user.
func processExists(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
