package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// wellKnownPRM is the well-known path of protected resource metadata
// (RFC 9728 §3).
const wellKnownPRM = "/.well-known/oauth-protected-resource"

// location is one URL where protected resource metadata is looked for.
type location struct {
	// check names the finding: metadata-challenge, metadata-path,
	// metadata-root, or metadata-well-known when the last two are one URL.
	check string
	// what says which location it is, for people.
	what string
	url  string
}

// served is what one location answered.
type served struct {
	// doc is the document, when usable; canon is its JSON, members sorted,
	// to compare locations.
	doc   *mcpauth.ProtectedResourceMetadata
	canon string
	// problem says why there is no usable document; note remarks on a
	// usable one.
	problem string
	note    string
}

// locations returns where clients look for the metadata, in their order:
// the challenge's resource_metadata, then the path-inserted well-known URL,
// then the root one (MCP 2025-11-25 Authorization §4.2).
func (p *prober) locations() []location {
	var locs []location
	if p.metadataURL != "" {
		locs = append(locs, location{"metadata-challenge", "the challenge's resource_metadata", p.metadataURL})
	}
	u := p.opts.targetURL
	root := u.Scheme + "://" + u.Host + wellKnownPRM
	pathURL, err := mcpauth.ResourceMetadataURL(p.opts.target)
	if err != nil || pathURL == root {
		return append(locs, location{"metadata-well-known", "the well-known URL", root})
	}
	return append(locs,
		location{"metadata-path", "the path-inserted well-known URL", pathURL},
		location{"metadata-root", "the root well-known URL", root})
}

// discoverMetadata fetches the metadata from every location, reports each,
// whether they agree, and keeps the document clients would use.
func (p *prober) discoverMetadata(ctx context.Context) {
	locs := p.locations()
	results := map[string]*served{}
	for _, l := range locs {
		if results[l.url] == nil {
			results[l.url] = p.fetchMetadata(ctx, l.url)
		}
	}
	wellKnownOK, pathOK := false, false
	for _, l := range locs {
		ok := results[l.url].doc != nil
		wellKnownOK = wellKnownOK || (ok && l.check != "metadata-challenge")
		pathOK = pathOK || (ok && l.check == "metadata-path")
	}
	// Clients use the challenge's URL when there is one, and only
	// otherwise the well-known ones.
	discoverable := p.metadataURL != "" && results[p.metadataURL].doc != nil || p.metadataURL == "" && wellKnownOK
	p.judgeMissingResourceMetadata(wellKnownOK)
	for _, l := range locs {
		p.reportLocation(l, results[l.url], discoverable, pathOK)
	}
	p.compareLocations(locs, results)
	for _, l := range locs {
		if r := results[l.url]; r.doc != nil {
			p.metadata, p.metadataFrom = r.doc, l.url
			return
		}
	}
}

// fetchMetadata fetches and decodes the document at rawURL.
func (p *prober) fetchMetadata(ctx context.Context, rawURL string) *served {
	f, err := p.get(ctx, rawURL, map[string]string{"Accept": "application/json", "MCP-Protocol-Version": p.protocolVersion})
	if err != nil {
		return &served{problem: fmt.Sprintf("could not be fetched: %v", err)}
	}
	if f.status != http.StatusOK {
		return &served{problem: "answered " + describeStatus(f.status, f.header, f.body)}
	}
	var raw map[string]any
	if err := json.Unmarshal(f.body, &raw); err != nil || raw == nil {
		return &served{problem: fmt.Sprintf("answered 200 with something that is not a JSON object: %s", snippet(f.body))}
	}
	var doc mcpauth.ProtectedResourceMetadata
	if err := json.Unmarshal(f.body, &doc); err != nil {
		return &served{problem: fmt.Sprintf("answered a JSON object that is not protected resource metadata: %v", err)}
	}
	if doc.Resource == "" {
		return &served{problem: "answered metadata without resource (RFC 9728 §2: required)"}
	}
	canon, _ := json.Marshal(raw)
	s := &served{doc: &doc, canon: string(canon)}
	if mt, _, _ := mime.ParseMediaType(f.header.Get("Content-Type")); mt != "application/json" {
		s.note = fmt.Sprintf("served as %q, not application/json (RFC 9728 §3.2)", clean(f.header.Get("Content-Type"), 60))
	}
	return s
}

// reportLocation reports one location. A failing one is a FAIL when it is
// the challenge's (clients use it and nothing else) or when clients have no
// way to the metadata; else a WARN for a well-known URL clients may try,
// and INFO for the root one when the path-inserted one works (clients only
// fall back to the root).
func (p *prober) reportLocation(l location, s *served, discoverable, pathOK bool) {
	spec := map[string]string{
		"metadata-challenge": specPRMResponse, "metadata-path": specPRMLocation,
		"metadata-root": specPRMDiscovery, "metadata-well-known": specPRMLocation,
	}[l.check]
	if s.doc != nil {
		f := p.add(report.Pass, l.check, spec, "%s %s serves metadata for %s", l.what, l.url, clean(s.doc.Resource, 200))
		if s.note != "" {
			f.Details = []string{s.note}
		}
		return
	}
	status, why := report.Fail, ""
	switch {
	case l.check == "metadata-challenge":
	case l.check == "metadata-root" && pathOK:
		status, why = report.Info, " (clients fall back to it only when the path-inserted URL fails)"
	case discoverable:
		status, why = report.Warn, " (clients that do not take the challenge's URL will not find the metadata here)"
	}
	p.add(status, l.check, spec, "%s %s %s%s", l.what, l.url, s.problem, why)
}

// judgeMissingResourceMetadata reports a Bearer challenge without
// resource_metadata: a WARN when a well-known URL serves the metadata
// (clients fall back to it), else a FAIL.
func (p *prober) judgeMissingResourceMetadata(wellKnownOK bool) {
	if p.challenge == nil || p.metadataParam {
		return
	}
	if wellKnownOK {
		p.add(report.Warn, "resource_metadata", specPRMDiscovery,
			"the challenge has no resource_metadata; clients fall back to the well-known URLs, which serve the metadata")
		return
	}
	p.add(report.Fail, "resource_metadata", specPRMDiscovery,
		"the challenge has no resource_metadata and no well-known URL serves metadata: clients cannot find the authorization server")
}

// compareLocations reports whether the locations that serve a document
// serve the same one.
func (p *prober) compareLocations(locs []location, results map[string]*served) {
	var urls []string
	seen := map[string]bool{}
	for _, l := range locs {
		if results[l.url].doc != nil && !seen[l.url] {
			seen[l.url] = true
			urls = append(urls, l.url)
		}
	}
	if len(urls) < 2 {
		return
	}
	same := true
	var details []string
	for _, u := range urls {
		same = same && results[u].canon == results[urls[0]].canon
		d := results[u].doc
		details = append(details, fmt.Sprintf("%s: resource %s, authorization_servers %s",
			u, clean(d.Resource, 200), clean(strings.Join(d.AuthorizationServers, " "), 300)))
	}
	if same {
		p.add(report.Pass, "metadata-agree", specPRMDiscovery, "the %d distinct URLs serve the same document", len(urls))
		return
	}
	f := p.add(report.Warn, "metadata-agree", specPRMDiscovery,
		"the locations serve different documents: clients see different metadata depending on how they found it")
	f.Details = details
}
