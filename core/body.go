package mcpauth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// identityEncoded reports whether h declares no content coding other than
// identity (RFC 9110 §8.4), in every Content-Encoding field line.
func identityEncoded(h http.Header) bool {
	for _, v := range h.Values("Content-Encoding") {
		for coding := range strings.SplitSeq(v, ",") {
			if c := strings.Trim(coding, " \t"); c != "" && !strings.EqualFold(c, "identity") {
				return false
			}
		}
	}
	return true
}

// readBody reads r's body up to limit bytes and restores it for the next
// handler. A larger body is restored too, and refused with 413. A body whose
// read fails is refused (413 for an [*http.MaxBytesError], else 400) and
// replaced by one that fails the same way, so that no handler can be given
// the bytes read before the failure.
func readBody(r *http.Request, limit int64) ([]byte, *Error) {
	orig := r.Body
	buf, err := readUpTo(orig, limit+1, r.ContentLength)
	if err != nil {
		r.Body = failedBody{err: err, orig: orig}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, newError(CodeRequestTooLarge, "The request body is over the server's size limit.", err)
		}
		return nil, newError(CodeInvalidRequest, "The request body could not be read.", err)
	}
	if int64(len(buf)) > limit {
		r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), orig), orig}
		return nil, newError(CodeRequestTooLarge, fmt.Sprintf("The request body is over the %d bytes the scope policy reads.", limit), nil)
	}
	restored := &restoredBody{orig: orig}
	restored.Reset(buf)
	r.Body = restored
	return buf, nil
}

// maxBodyHint bounds the buffer allocated ahead from a Content-Length,
// which a client may overstate; a longer body grows the buffer as it comes.
const maxBodyHint = 64 << 10

// readUpTo reads rd to its end, or to n bytes. Its buffer is sized from
// hint, the request's Content-Length, when known: a body of the announced
// length is then read without growing it.
func readUpTo(rd io.Reader, n, hint int64) ([]byte, error) {
	size := int64(512)
	if hint > 0 {
		size = min(hint+1, maxBodyHint) // +1: room to see the end
	}
	buf := make([]byte, 0, min(size, n))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		end := cap(buf)
		if int64(end) > n {
			end = int(n)
		}
		m, err := rd.Read(buf[len(buf):end])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// restoredBody replays a body read by the policy and closes the original.
type restoredBody struct {
	bytes.Reader
	orig io.Closer
}

// Close closes the original body.
func (b *restoredBody) Close() error { return b.orig.Close() }

// failedBody stands for a body whose read failed: it answers that failure.
type failedBody struct {
	err  error
	orig io.Closer
}

// Read returns the read error.
func (b failedBody) Read([]byte) (int, error) { return 0, b.err }

// Close closes the original body.
func (b failedBody) Close() error { return b.orig.Close() }

type readCloser struct {
	io.Reader
	io.Closer
}
