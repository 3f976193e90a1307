package mcpauth

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadUpTo compares readUpTo with io.ReadAll over an io.LimitReader,
// for bodies shorter, equal and longer than the limit and Content-Length
// hints that are right, absent, understated or overstated.
func TestReadUpTo(t *testing.T) {
	for _, size := range []int{0, 1, 511, 512, 513, 4096, 70000} {
		body := strings.Repeat("x", size)
		for _, n := range []int64{1, 512, 4097, 100000} {
			for _, hint := range []int64{-1, 0, int64(size), int64(size) / 2, int64(size) * 3, 1 << 30} {
				for _, oneByte := range []bool{false, true} {
					var rd io.Reader = strings.NewReader(body)
					if oneByte {
						rd = iotest.OneByteReader(rd)
					}
					got, err := readUpTo(rd, n, hint)
					want, _ := io.ReadAll(io.LimitReader(strings.NewReader(body), n))
					if err != nil || !bytes.Equal(got, want) {
						t.Fatalf("size %d, n %d, hint %d: got %d bytes (%v), want %d", size, n, hint, len(got), err, len(want))
					}
					if int64(cap(got)) > max(n, 1<<17) {
						t.Fatalf("size %d, n %d, hint %d: buffer of %d bytes", size, n, hint, cap(got))
					}
				}
			}
		}
	}
	t.Run("read error keeps what was read", func(t *testing.T) {
		boom := errors.New("boom")
		got, err := readUpTo(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 100, 3)
		if !errors.Is(err, boom) || string(got) != "abc" {
			t.Fatalf("%q, %v", got, err)
		}
	})
}
