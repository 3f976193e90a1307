package token

import (
	"testing"
	"time"
)

// TestHuman writes durations for people.
func TestHuman(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                             "0s",
		42 * time.Second:              "42s",
		4*time.Minute + 5*time.Second: "4m5s",
		time.Hour:                     "1h",
		3*time.Hour + 12*time.Minute:  "3h12m",
		3*time.Hour + 11*time.Minute + 59600*time.Millisecond: "3h12m",
		50 * time.Hour:    "2d2h",
		-90 * time.Second: "1m30s",
	} {
		if got := human(d); got != want {
			t.Errorf("human(%s) = %q, want %q", d, got, want)
		}
	}
	now := time.Unix(1000, 0)
	if got := relative(now.Add(-time.Hour), now); got != "1h ago" {
		t.Error(got)
	}
	if got := relative(now.Add(90*time.Second), now); got != "in 1m30s" {
		t.Error(got)
	}
}
