package mcpauth

import (
	"context"
	"errors"
	"sync"
)

// errClosed is returned by work refused after Close.
var errClosed = errors.New("mcpauth: closed")

// background runs the library's goroutines so that Close can stop them all
// and wait for them.
type background struct {
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func newBackground() *background {
	ctx, cancel := context.WithCancel(context.Background())
	return &background{ctx: ctx, cancel: cancel}
}

// spawn runs fn in a goroutine with the background context; it reports
// false, without running fn, after close.
func (b *background) spawn(fn func(ctx context.Context)) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		fn(b.ctx)
	}()
	return true
}

// close cancels the background context and waits for every goroutine.
func (b *background) close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
}

// flight shares one run of a piece of work among all concurrent callers: the
// first caller starts it in the background, and everyone waits for the same
// result, each only as long as its own context allows.
type flight struct {
	mu   sync.Mutex
	call *flightCall
}

type flightCall struct {
	done chan struct{}
	err  error
}

// start returns the call in progress, or starts fn on bg and returns its call.
// The second result reports whether this caller started it.
func (f *flight) start(bg *background, fn func(ctx context.Context) error) (*flightCall, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.call != nil {
		return f.call, false
	}
	c := &flightCall{done: make(chan struct{})}
	ok := bg.spawn(func(ctx context.Context) {
		c.err = fn(ctx)
		f.mu.Lock()
		f.call = nil
		f.mu.Unlock()
		close(c.done)
	})
	if !ok {
		c.err = errClosed
		close(c.done)
		return c, true
	}
	f.call = c
	return c, true
}

// running reports whether a call is in progress.
func (f *flight) running() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.call != nil
}

// wait returns the call's result, or ctx's error if ctx ends first.
func (c *flightCall) wait(ctx context.Context) error {
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
