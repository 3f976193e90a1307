# MCP Auth for Go: build and test entry points.
# `make test` is what CI runs (.ci/run); it needs only Go (and, for the
# interoperability suites, Node 20, which it installs packages for by itself;
# for the redisstore tests, Debian's redis-server, which `redis` installs).
# `make interop` adds the Ory Hydra suite, whose build from source takes
# minutes (see README, "Interoperability").

SHELL := /bin/bash
GO ?= go
# The state of the tree when make starts, before any go command runs: make
# test fails if it leaves the tree otherwise (a go.work.sum completed, a
# generated file left behind).
TREE_BEFORE := $(shell git status --porcelain 2>/dev/null | sha256sum)
# Every module of the workspace, in go.work order.
MODULES := $(shell $(GO) list -m -f '{{.Dir}}' 2>/dev/null)
TEST_TIMEOUT ?= 10m
INTEROP_TIMEOUT ?= 40m
INTEROP_PKG := github.com/mcp-auth/go/interop
FUZZTIME ?= 30s

.PHONY: test fmt-check vet tidy-check unit redis peers release-check tree-check soak bench-load interop

## test: formatting, vet, tidy check and the race-enabled tests of every
## module, the interoperability tests against real peers, and the release
## check; then the tree must be as it was.
test: fmt-check vet tidy-check unit peers release-check tree-check

fmt-check:
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go' 2>/dev/null || find . -name '*.go' -not -path '*/node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	@set -e; for m in $(MODULES); do echo "go vet $${m#$(CURDIR)/}"; (cd $$m && if [ -n "$$($(GO) list ./... 2>/dev/null)" ]; then $(GO) vet ./...; fi); done
	@echo "go vet -tags hydra interop"; $(GO) vet -tags hydra ./interop/

# Each module must build and tidy on its own, outside the workspace; and
# ordinary workspace commands must leave the tree as it is (go.work.sum
# complete).
tidy-check:
	@set -e; for m in $(MODULES); do echo "go mod tidy -diff $${m#$(CURDIR)/}"; (cd $$m && GOWORK=off $(GO) mod tidy -diff); done
	@echo "go list -m all"; $(GO) list -m all >/dev/null

## release-check: a user's view of the modules before they are tagged
## (RELEASING.md): each module zipped as the Go module proxy would into a
## local proxy, then, outside the repository with no replace and no
## go.work, go get of every adapter, gosdkauth, otelauth and redisstore and a
## program built with each (Gin's downloading no other framework,
## redisstore's none), every examples/<framework>/main.go copied alone into
## a new module and built, and the copied gin example run against its
## development server.
release-check:
	$(GO) run ./internal/releasecheck

# The tree must be as make found it.
tree-check:
	@if [ "$$(git status --porcelain 2>/dev/null | sha256sum)" != "$(TREE_BEFORE)" ]; then \
	  echo "make test changed the tree:"; git status --porcelain; exit 1; fi

# Every package but the interoperability tests, which `peers` runs.
unit: redis
	@set -e; for m in $(MODULES); do echo "go test -race $${m#$(CURDIR)/}"; (cd $$m && pkgs=$$($(GO) list ./... 2>/dev/null | grep -vx '$(INTEROP_PKG)' || true); if [ -n "$$pkgs" ]; then $(GO) test -race -timeout $(TEST_TIMEOUT) $$pkgs; fi); done

## redis: install Debian's redis-server package when redis-server is not on
## PATH (the redisstore tests start their own server on a free loopback
## port and stop it; nothing is started here).
redis:
	@if ! command -v redis-server >/dev/null 2>&1; then \
	  echo "redis-server not found: installing Debian's redis-server package"; \
	  sudo=; if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo=sudo; fi; \
	  $$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y redis-server; \
	fi

# The interoperability tests against oidc-provider, the TypeScript SDK client
# and the MCP Inspector CLI (npm ci on first use). They drive processes go
# test cannot see into (node scripts, examples built by go build), so their
# results are never taken from the test cache.
peers:
	@echo "go test -race interop (real peers)"; $(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./interop/

## interop: every interoperability test, with Ory Hydra v2.3.0 built from the
## Go module proxy in its own tools module (interop/hydra; minutes when its
## build cache is cold). The other peers already run in `make test`.
interop:
	@echo "go mod tidy -diff interop/hydra"; cd interop/hydra && GOWORK=off $(GO) mod tidy -diff
	$(GO) test -race -tags hydra -count=1 -timeout $(INTEROP_TIMEOUT) -v ./interop/

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

## bench: the Go benchmarks (core and every adapter) with -benchmem, each
## BENCHCOUNT times (default 6, enough for benchstat); BENCHMARKS.md says how to
## read them. make bench | tee new.txt; go run golang.org/x/perf/cmd/benchstat@latest -col /impl new.txt
BENCH_MODULES := core ginauth echoauth echov5auth chiauth
BENCHCOUNT ?= 6
BENCHTIME ?= 1s
.PHONY: bench
bench:
	@set -e; for m in $(BENCH_MODULES); do (cd $$m && \
	  $(GO) test -run='^$$' -bench=. -benchmem -count=$(BENCHCOUNT) -benchtime=$(BENCHTIME) ./...); done
