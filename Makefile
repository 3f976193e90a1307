# MCP Auth for Go: build and test entry points.
# `make test` is what CI runs (.ci/run); it needs only Go (and, for the
# interoperability suites, Node 20, which it installs packages for by itself).

SHELL := /bin/bash
GO ?= go
# Every module of the workspace, in go.work order.
MODULES := $(shell $(GO) list -m -f '{{.Dir}}' 2>/dev/null)
TEST_TIMEOUT ?= 10m
FUZZTIME ?= 30s

.PHONY: test fmt-check vet tidy-check unit soak bench-load

## test: formatting, vet, tidy check and the race-enabled tests of every module.
test: fmt-check vet tidy-check unit

fmt-check:
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go' 2>/dev/null || find . -name '*.go' -not -path '*/node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	@set -e; for m in $(MODULES); do echo "go vet $${m#$(CURDIR)/}"; (cd $$m && if [ -n "$$($(GO) list ./... 2>/dev/null)" ]; then $(GO) vet ./...; fi); done

# Each module must build and tidy on its own, outside the workspace.
tidy-check:
	@set -e; for m in $(MODULES); do echo "go mod tidy -diff $${m#$(CURDIR)/}"; (cd $$m && GOWORK=off $(GO) mod tidy -diff); done

unit:
	@set -e; for m in $(MODULES); do echo "go test -race $${m#$(CURDIR)/}"; (cd $$m && if [ -n "$$($(GO) list ./... 2>/dev/null)" ]; then $(GO) test -race -timeout $(TEST_TIMEOUT) ./...; fi); done

## soak: concurrent valid, expired, forged, unsigned and scope-lacking requests to an
## example for SOAK_DURATION (default 60s) under -race, while the development
## authorization server rotates keys and goes down and up. make test runs 3s of it.
SOAK_DURATION ?= 60s
soak:
	SOAK_DURATION=$(SOAK_DURATION) $(GO) test -race -count=1 -run '^TestSoak$$' -v -timeout $(TEST_TIMEOUT) ./examples/gin/

## bench-load: wrk against an example's protected and unprotected endpoints and the
## JavaScript reference library's, same authorization server and token (installs
## wrk from Debian's packages and the npm packages if missing). EXAMPLE=gin ROUNDS=3 DURATION=10s
bench-load:
	bash bench/load/run.sh

.PHONY: fuzz

## fuzz: every fuzz target of every package, one after another, each for
## FUZZTIME (make fuzz FUZZTIME=2m). The seed corpora (testdata/fuzz/) also
## run in `make test`; inputs the fuzzer finds interesting stay in Go's cache.
fuzz:
	@set -e; for m in $(MODULES); do (cd $$m && \
	  for p in $$($(GO) list ./... 2>/dev/null); do \
	    for f in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz' || true); do \
	      echo "go test -fuzz=^$$f\$$ -fuzztime=$(FUZZTIME) $$p"; \
	      $(GO) test -run='^$$' -fuzz="^$$f\$$" -fuzztime=$(FUZZTIME) $$p; \
	    done; \
	  done); done
