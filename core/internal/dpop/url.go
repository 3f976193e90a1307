package dpop

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
)

var errNotHTTPURL = errors.New("not an absolute http(s) URL without user information")

// NormalizeURL returns the form of an http(s) URL that htu comparisons use
// (RFC 9449 §4.3 check 9): query and fragment dropped, then the
// normalisations of RFC 3986 §6.2.2 and §6.2.3: scheme and host in lower
// case, the scheme's default port removed, percent-encodings in upper case
// and decoded where they encode an unreserved character, dot segments
// removed, and an empty path made "/". A URL with user information is
// refused, since a request's URL never carries any.
func NormalizeURL(raw string) (string, error) {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Opaque != "" || !validHost(u.Host) {
		return "", errNotHTTPURL
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", errNotHTTPURL
	}
	return Origin(scheme, u.Host) + NormalizePath(u.EscapedPath()), nil
}

// validHost reports whether host is a host name or an IPv4 address, or a
// bracketed IPv6 address, with an optional port of digits.
func validHost(host string) bool {
	name, port := host, ""
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return false
		}
		if _, err := netip.ParseAddr(host[1:end]); err != nil {
			return false
		}
		name, port = "ip", strings.TrimPrefix(host[end+1:], ":")
		if len(host) > end+1 && host[end+1] != ':' {
			return false
		}
	} else if i := strings.IndexByte(host, ':'); i >= 0 {
		name, port = host[:i], host[i+1:]
	}
	if name == "" || strings.ContainsAny(name, ":[]") {
		return false
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Origin returns scheme://host with host in lower case and the scheme's
// default port removed; scheme must be in lower case.
func Origin(scheme, host string) string {
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		port := host[i+1:]
		if port == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
			host = host[:i]
		}
	}
	return scheme + "://" + host
}

// NormalizePath normalises an escaped path: percent-encodings in upper
// case, decoded where they encode an unreserved character, then dot
// segments removed (RFC 3986 §5.2.4); "" becomes "/".
func NormalizePath(p string) string {
	var b strings.Builder
	b.Grow(len(p) + 1)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			d := unhex(p[i+1])<<4 | unhex(p[i+2])
			if isUnreserved(d) {
				b.WriteByte(d)
			} else {
				b.WriteByte('%')
				b.WriteString(strings.ToUpper(p[i+1 : i+3]))
			}
			i += 2
			continue
		}
		b.WriteByte(c)
	}
	out := removeDotSegments(b.String())
	if out == "" {
		return "/"
	}
	return out
}

// removeDotSegments is RFC 3986 §5.2.4 on a path.
func removeDotSegments(in string) string {
	if !strings.Contains(in, ".") {
		return in
	}
	var out []string
	segs := strings.Split(in, "/")
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	res := strings.Join(out, "/")
	if strings.HasPrefix(in, "/") && !strings.HasPrefix(res, "/") {
		res = "/" + res
	}
	return res
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
