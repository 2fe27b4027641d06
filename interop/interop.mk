# interop-test runs the real-client MCP interop suites (Go SDK, mcp-go,
# TypeScript SDK, official conformance suite) against PQLOOP_MCP_URL, or
# against an in-process fixture server when it is unset.
# Include from the top-level Makefile: include interop/interop.mk
.PHONY: interop-test
interop-test:
	PQLOOP_MCP_URL="$(PQLOOP_MCP_URL)" PQLOOP_MCP_URL_H2C="$(PQLOOP_MCP_URL_H2C)" interop/run.sh
