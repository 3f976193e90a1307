package apptest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// Logs is a slog.Handler keeping an example's log records, which tests read
// (the ready line, the development server's issuer); it signals the ready
// line.
type Logs struct {
	mu      sync.Mutex
	records []string
	attrs   []map[string]string
	ready   chan struct{}
	once    sync.Once
}

func newLogs() *Logs { return &Logs{ready: make(chan struct{})} }

// Enabled keeps every level.
func (l *Logs) Enabled(context.Context, slog.Level) bool { return true }

// Handle keeps r.
func (l *Logs) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]string{"msg": r.Message, "level": r.Level.String()}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.String()
		fmt.Fprintf(&b, " %s=%s", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	l.records = append(l.records, b.String())
	l.attrs = append(l.attrs, attrs)
	l.mu.Unlock()
	if r.Message == "ready" {
		l.once.Do(func() { close(l.ready) })
	}
	return nil
}

// WithAttrs is not used by the examples.
func (l *Logs) WithAttrs([]slog.Attr) slog.Handler { return l }

// WithGroup is not used by the examples.
func (l *Logs) WithGroup(string) slog.Handler { return l }

// Attr returns the attribute key of the first record whose message contains msg.
func (l *Logs) Attr(msg, key string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range l.attrs {
		if strings.Contains(a["msg"], msg) {
			return a[key]
		}
	}
	return ""
}

// String returns every record, a line each.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.records, "\n")
}
