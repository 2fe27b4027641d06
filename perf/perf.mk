# perf/perf.mk — benchmarks and profiling, included by the top Makefile.
#
#   make bench        full run of perf/bench.sh, rewrites BENCHMARKS.md (several minutes)
#   make bench-quick  a few seconds a cell, same tables
#   make profile      CPU profile of pqloop under load from the admin port, pprof -top
#   make perf-tools   installs the load tools and h2o from Debian when missing
#   perf/bench.sh --openloop / --pq  one repeated section only (docs/PERFORMANCE.md)
#
# See docs/PERFORMANCE.md.

.PHONY: bench bench-quick profile perf-tools

# command:Debian package pairs the scripts need.
PERF_APT := wrk:wrk h2load:nghttp2-client h2o:h2o curl:curl taskset:util-linux

perf-tools:
	@need=""; for p in $(PERF_APT); do \
		command -v $${p%%:*} >/dev/null || need="$$need $${p#*:}"; done; \
	if [ -n "$$need" ]; then \
		echo "installing:$$need"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need; \
	fi

bench: perf-tools
	perf/bench.sh

bench-quick: perf-tools
	perf/bench.sh --quick

profile: perf-tools
	perf/profile.sh
