# pqloop — make run builds and serves; make test checks everything CI checks.
GO      ?= go
TOOLS   := $(CURDIR)/.tools
export PATH := $(TOOLS)/bin:$(PATH)
export GOBIN := $(TOOLS)/bin
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/pqloop/pqloop/server.Version=$(VERSION)
FUZZTIME ?= 4s

.PHONY: all build run test vet unit fuzz fuzz-smoke integration h2spec interop tools tools-apt clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/pqloop ./cmd/pqloop
	@if [ -d perf/cmd/loadgen ]; then $(GO) build -o bin/loadgen ./perf/cmd/loadgen; fi

run: build
	./bin/pqloop serve --config config/pqloop.yaml --pq-listen 127.0.0.1:8443

# test: formatting and vet, every unit and integration test under the race
# detector, a short run of every fuzz target, h2spec and the real-client
# interop suites against the real server.
test: tools vet unit fuzz-smoke integration

vet:
	@bad=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$bad" ]; then echo "gofmt needed: $$bad"; exit 1; fi
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 -timeout 10m ./...

# fuzz-smoke runs each fuzz target for FUZZTIME; make fuzz runs them longer.
fuzz-smoke:
	GO=$(GO) scripts/fuzz.sh $(FUZZTIME)

fuzz:
	$(MAKE) fuzz-smoke FUZZTIME=$${FUZZTIME:-60s}

integration: build h2spec interop

# interop: the official MCP SDK clients and conformance suite against the real server.
interop: build
	scripts/interop.sh

# h2spec against the real server: every generic and strict case must pass.
h2spec: build
	scripts/h2spec.sh

tools: tools-apt $(TOOLS)/bin/h2spec

# The command-line peers the tests drive: wrk, curl, h2load and nghttp.
tools-apt:
	@need=""; for p in wrk:wrk h2load:nghttp2-client nghttp:nghttp2-client curl:curl; do \
		command -v $${p%%:*} >/dev/null || need="$$need $${p#*:}"; done; \
	if [ -n "$$need" ]; then \
		echo "installing:$$need"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need; \
	fi

$(TOOLS)/bin/h2spec:
	$(GO) install github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible

clean:
	rm -rf bin results

# Benchmarks and profiling: make bench, bench-quick, profile (perf/perf.mk).
include perf/perf.mk
