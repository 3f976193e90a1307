package mcpauth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// TestFlightSharesOneRun: callers arriving while a run is in progress join
// it and get its result; a caller whose context ends stops waiting while the
// run goes on; the next caller after it starts a new run.
func TestFlightSharesOneRun(t *testing.T) {
	bg := newBackground()
	defer bg.close()
	var f flight
	var runs atomic.Int32
	release := make(chan struct{})
	failure := errors.New("failed")
	fn := func(ctx context.Context) error {
		runs.Add(1)
		<-release
		return failure
	}
	first, started := f.start(bg, fn)
	if !started || !f.running() {
		t.Fatal("the first caller did not start a run")
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			c, started := f.start(bg, fn)
			if started || c != first {
				t.Error("a caller started a second run")
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := first.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled waiter got %v", err)
	}
	close(release)
	if err := first.wait(context.Background()); err != failure {
		t.Fatalf("result %v", err)
	}
	if f.running() || runs.Load() != 1 {
		t.Fatalf("running %v after %d runs", f.running(), runs.Load())
	}
	second, started := f.start(bg, func(context.Context) error { return nil })
	if !started || second == first || second.wait(context.Background()) != nil {
		t.Fatal("no new run after the first ended")
	}
}

// TestFlightAfterClose: once the background is closed, no run starts and
// callers get errClosed; a run in progress sees its context cancelled.
func TestFlightAfterClose(t *testing.T) {
	bg := newBackground()
	var f flight
	started := make(chan struct{})
	running, _ := f.start(bg, func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	<-started
	bg.close()
	if err := running.wait(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("the run in progress ended with %v", err)
	}
	c, _ := f.start(bg, func(context.Context) error { t.Error("ran after close"); return nil })
	if err := c.wait(context.Background()); !errors.Is(err, errClosed) {
		t.Fatalf("after close: %v", err)
	}
}
