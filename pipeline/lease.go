package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/netdigest/netdigest/store"
)

// FetchLeaseTTL is how long a fetch cycle's lease lasts unless renewed; it
// is renewed every quarter of it while the cycle runs, so only a process
// that stopped (crashed, or frozen on another host) lets it lapse.
const FetchLeaseTTL = time.Minute

// HoldFetch takes the store's fetch lease for this process and keeps it
// renewed until release is called: overlapping fetch cycles of one store
// (a run from cron while the previous one or serve runs) are serialized.
// A *store.LeaseHeldError says who holds it.
func HoldFetch(ctx context.Context, st *store.Store, log *slog.Logger) (release func(), err error) {
	if err := st.AcquireLease(ctx, store.FetchLease, FetchLeaseTTL); err != nil {
		return nil, err
	}
	stop := keepRenewed(ctx, FetchLeaseTTL/4, func(ctx context.Context) error {
		return st.AcquireLease(ctx, store.FetchLease, FetchLeaseTTL)
	}, func(err error) {
		if log != nil {
			log.Warn("fetch lease not renewed", "error", err)
		}
	})
	return func() {
		stop()
		// Best effort: an unreleased lease lapses, or is taken over once
		// this process is gone.
		_ = st.ReleaseLease(context.WithoutCancel(ctx), store.FetchLease)
	}, nil
}

// keepRenewed calls renew every interval until stop is called (stop waits
// for a renewal in flight); failures go to failed.
func keepRenewed(ctx context.Context, interval time.Duration, renew func(context.Context) error, failed func(error)) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := renew(ctx); err != nil && !errors.Is(err, context.Canceled) {
					failed(err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}
