// A real MCP client for MCP Auth for Go's interoperability tests: the
// TypeScript SDK's Client over StreamableHTTPClientTransport, authorized by
// its ClientCredentialsProvider, which on a 401 walks the whole flow itself:
// protected resource metadata (RFC 9728), authorization-server discovery
// (RFC 8414 / OpenID Connect), a client_credentials token with the resource
// (RFC 8707), then the MCP requests with the bearer token.
//
// usage: node mcp-client.mjs '<json>' where json is
//   {"url": "http://127.0.0.1:PORT/mcp", "issuer": "http://127.0.0.1:PORT",
//    "clientId": "…", "clientSecret": "…", "scope": "…",
//    "calls": [{"name": "whoami", "arguments": {}}, …]}
//
// It prints one JSON line on stdout: every HTTP exchange the SDK made, what
// initialize and tools/list answered, and each call's result or error. It
// exits 0 whenever it could report; the caller judges the outcome.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const opts = JSON.parse(process.argv[2]);
const report = { http: [], tools: null, calls: [] };

// describe records what an HTTP exchange carried, without secrets.
function describe(input, init, res) {
  const url = typeof input === 'string' ? input : input.url ?? String(input);
  const headers = new Headers(init.headers);
  const entry = { method: init.method || 'GET', url, status: res.status };
  const authorization = headers.get('authorization');
  if (authorization) entry.authScheme = authorization.split(' ')[0];
  const challenge = res.headers.get('www-authenticate');
  if (challenge) entry.wwwAuthenticate = challenge;
  if (init.body instanceof URLSearchParams) {
    entry.form = Object.fromEntries([...init.body].filter(([k]) => k !== 'client_secret'));
  } else if (typeof init.body === 'string') {
    try {
      const msg = JSON.parse(init.body);
      entry.rpc = msg.method;
      if (msg.params?.name) entry.tool = msg.params.name;
    } catch { /* not JSON-RPC */ }
  }
  return entry;
}

async function tracingFetch(input, init = {}) {
  const res = await fetch(input, init);
  report.http.push(describe(input, init, res));
  return res;
}

function errorText(err) {
  return `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}${err?.code !== undefined ? ` (code ${err.code})` : ''}`;
}

const authProvider = new ClientCredentialsProvider({
  clientId: opts.clientId,
  clientSecret: opts.clientSecret,
  expectedIssuer: opts.issuer,
  // SDK 1.32.2 asks the token endpoint for this scope only (never the
  // challenge's), so a step-up means a new provider with the new scope.
  scope: opts.scope || undefined,
});
const transport = new StreamableHTTPClientTransport(new URL(opts.url), { authProvider, fetch: tracingFetch });
const client = new Client({ name: 'mcp-auth-go-interop', version: '1.0.0' });
try {
  await client.connect(transport);
  report.server = client.getServerVersion();
  report.tools = (await client.listTools()).tools.map((t) => t.name);
  for (const call of opts.calls ?? []) {
    try {
      const result = await client.callTool({ name: call.name, arguments: call.arguments ?? {} });
      report.calls.push({
        name: call.name, isError: !!result.isError, structured: result.structuredContent ?? null,
        text: result.content?.map((c) => c.text ?? '').join('') ?? '',
      });
    } catch (err) {
      report.calls.push({ name: call.name, error: errorText(err) });
    }
  }
  report.tokenScope = authProvider.tokens()?.scope ?? null;
} catch (err) {
  report.connectError = errorText(err);
} finally {
  await client.close().catch(() => {});
}
console.log(JSON.stringify(report));
