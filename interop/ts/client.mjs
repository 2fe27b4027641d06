// Drives pqloop's MCP endpoint with the official TypeScript SDK client:
// connect, list, call, progress, cancellation, resources, prompts,
// completion. Usage: node ts/client.mjs http://127.0.0.1:PORT/mcp
// Prints one line per check and "N passed, M failed"; exits 1 on failure.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const url = process.argv[2] ?? process.env.PQLOOP_MCP_URL;
if (!url) {
  console.error("usage: node ts/client.mjs <mcp url>");
  process.exit(2);
}

let passed = 0, failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }

const client = new Client({ name: "pqloop-interop-ts", version: "1.0.0" }, { capabilities: { sampling: {} } });
client.setRequestHandler(CreateMessageRequestSchema, async () => ({
  role: "assistant", model: "test", content: { type: "text", text: "sampled by ts" },
}));
const transport = new StreamableHTTPClientTransport(new URL(url));

await check("connect", async () => {
  await client.connect(transport);
  assert(transport.sessionId, "no session id");
  assert(client.getServerVersion()?.name, "no server info");
});
await check("tools/list", async () => {
  const { tools } = await client.listTools();
  for (const n of ["echo", "hash", "uuid", "time"]) assert(tools.some(t => t.name === n), `missing ${n}`);
});
await check("tools/call echo", async () => {
  const r = await client.callTool({ name: "echo", arguments: { text: "from ts ✓" } });
  assert(r.content[0].text === "from ts ✓", JSON.stringify(r));
});
await check("tools/call structured", async () => {
  const r = await client.callTool({ name: "hash", arguments: { text: "abc" } });
  assert(r.structuredContent?.digest === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", JSON.stringify(r));
});
await check("tools/call invalid input is isError", async () => {
  const r = await client.callTool({ name: "echo", arguments: { text: 1 } });
  assert(r.isError === true, JSON.stringify(r));
});
await check("progress", async () => {
  const seen = [];
  await client.request({ method: "tools/call", params: { name: "test_tool_with_progress", arguments: {}, _meta: { progressToken: "ts-1" } } },
    CallToolResultSchema, { onprogress: p => seen.push(p.progress) });
  assert(seen.length >= 3 && seen[0] <= seen[1] && seen[1] <= seen[2], `progress ${seen}`);
});
await check("cancellation", async () => {
  const read = async () => (await client.readResource({ uri: "pqloop://fixtures/cancelled" })).contents[0].text;
  const before = await read();
  const ac = new AbortController();
  setTimeout(() => ac.abort("test"), 200);
  let threw = false;
  try { await client.callTool({ name: "pqloop_sleep", arguments: { ms: 20000 } }, undefined, { signal: ac.signal }); }
  catch { threw = true; }
  assert(threw, "the aborted call did not reject");
  for (let i = 0; i < 100 && (await read()) === before; i++) await new Promise(r => setTimeout(r, 50));
  assert((await read()) !== before, "the server never saw the cancellation");
});
await check("sampling round trip", async () => {
  const r = await client.callTool({ name: "test_sampling", arguments: { prompt: "p" } });
  assert(r.content[0].text === "LLM response: sampled by ts", JSON.stringify(r));
});
await check("resources", async () => {
  const { resources } = await client.listResources();
  assert(resources.some(r => r.uri === "pqloop://server/info"), "no server info resource");
  const r = await client.readResource({ uri: "test://template/7/data" });
  assert(JSON.parse(r.contents[0].text).id === "7", JSON.stringify(r));
  const { resourceTemplates } = await client.listResourceTemplates();
  assert(resourceTemplates.length > 0, "no templates");
  await client.subscribeResource({ uri: "test://watched-resource" });
  await client.unsubscribeResource({ uri: "test://watched-resource" });
});
await check("prompts", async () => {
  const { prompts } = await client.listPrompts();
  assert(prompts.some(p => p.name === "summarize"), "no summarize prompt");
  const p = await client.getPrompt({ name: "test_prompt_with_arguments", arguments: { arg1: "x", arg2: "y" } });
  assert(p.messages[0].content.text === "Prompt with arguments: arg1='x', arg2='y'", JSON.stringify(p));
});
await check("completion", async () => {
  const c = await client.complete({ ref: { type: "ref/prompt", name: "summarize" }, argument: { name: "style", value: "d" } });
  assert(c.completion.values.length === 1 && c.completion.values[0] === "detailed", JSON.stringify(c));
});
await check("logging/setLevel and ping", async () => {
  await client.setLoggingLevel("debug");
  await client.ping();
});
await check("terminate session", async () => {
  await transport.terminateSession();
  assert(!transport.sessionId, "session id kept");
});
await client.close();
console.log(`ts-sdk: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
