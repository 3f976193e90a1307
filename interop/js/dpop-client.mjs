// A real DPoP client (RFC 9449) for MCP Auth for Go's interoperability
// tests: panva's dpop package makes a key pair (ES256 unless told
// otherwise) and every proof; the
// TypeScript SDK's Client over StreamableHTTPClientTransport talks MCP with
// a fetch that sends "Authorization: DPoP <token>" and a fresh proof (htm,
// htu without query or fragment, ath) on each request.
//
// The flow: an unauthenticated initialize (401, whose challenge names the
// protected resource metadata), the metadata (RFC 9728), the authorization
// server's metadata (RFC 8414), a DPoP-bound client_credentials token for
// the resource (RFC 8707) with the scope asked for, then initialize,
// tools/list and tools/call whoami through the SDK. Then, with plain fetch
// and the SDK's session (if the server keeps one), what a resource must
// refuse or accept:
//   step-up          create-todo with the token lacking its scope (403)
//   replay-first     tools/call whoami with a fresh proof (200)
//   replay           the same request with the same proof again (401)
//   no-proof         the DPoP scheme without a DPoP header (401)
//   wrong-htu        a proof for another URL of the same server (401)
//   wrong-htm        a proof for GET on a POST (401)
//   other-key        a proof by a key the token is not bound to (401)
//   bound-as-bearer  the bound token with the Bearer scheme, no proof (401)
//   plain-bearer     an unbound token (asked for without a proof) as Bearer
//   create           create-todo with a new bound token for stepUpScope (200)
//
// usage: node dpop-client.mjs '<json>' where json is
//   {"url": "http://127.0.0.1:PORT/mcp", "issuer": "http://127.0.0.1:PORT",
//    "clientId": "…", "clientSecret": "…", "scope": "read:todos",
//    "stepUpScope": "create:todos", "content": "a todo's content",
//    "alg": "ES256"}   (alg: the proofs' JWS algorithm, as the dpop package
//                       names it: ES256, Ed25519, RS256 or PS256)
//
// It prints one JSON line on stdout: the metadata documents, each token
// response (never a token itself), every HTTP exchange with the step it
// belongs to, its status, WWW-Authenticate and DPoP-Nonce, and the claims
// of the proof it carried, and what whoami and create-todo answered. It
// exits 0 whenever it could report; the caller judges the outcome.
import * as DPoP from 'dpop';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const opts = JSON.parse(process.argv[2]);
const report = { http: [], tokens: {}, tools: null };

// htuOf is a request URL as a proof names it (RFC 9449 §4.2): no query, no fragment.
function htuOf(url) {
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  return u.href;
}

// proofClaims decodes the claims of a proof we made, for the report.
function proofClaims(proof) {
  const claims = JSON.parse(Buffer.from(proof.split('.')[1], 'base64url').toString());
  const header = JSON.parse(Buffer.from(proof.split('.')[0], 'base64url').toString());
  return { alg: header.alg, typ: header.typ, htm: claims.htm, htu: claims.htu, ath: claims.ath !== undefined, nonce: claims.nonce };
}

// record notes an exchange: what the request carried (no secrets), and the answer.
function record(step, url, init, res) {
  const headers = new Headers(init.headers);
  const entry = { step, method: init.method || 'GET', url: String(url), status: res.status };
  const authorization = headers.get('authorization');
  if (authorization) entry.authScheme = authorization.split(' ')[0];
  const proof = headers.get('dpop');
  if (proof) entry.proof = proofClaims(proof);
  const challenge = res.headers.get('www-authenticate');
  if (challenge) entry.wwwAuthenticate = challenge;
  const nonce = res.headers.get('dpop-nonce');
  if (nonce) entry.dpopNonce = nonce;
  if (init.body instanceof URLSearchParams) {
    entry.form = Object.fromEntries(init.body);
  } else if (typeof init.body === 'string') {
    try {
      const msg = JSON.parse(init.body);
      entry.rpc = msg.method;
      if (msg.params?.name) entry.tool = msg.params.name;
    } catch { /* not JSON-RPC */ }
  }
  report.http.push(entry);
  return entry;
}

// send makes one request and records it under step; a JSON error body's
// error_code is added to the record.
async function send(step, url, init) {
  const res = await fetch(url, init);
  const entry = record(step, url, init, res);
  if (!res.ok && (res.headers.get('content-type') || '').includes('application/json')) {
    const body = await res.clone().json().catch(() => null);
    if (body?.error_code) entry.errorCode = body.error_code;
  }
  return res;
}

function errorText(err) {
  return `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}${err?.code !== undefined ? ` (code ${err.code})` : ''}`;
}

async function getJSON(step, url) {
  const res = await send(step, url, { method: 'GET', headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`${step}: GET ${url} answered ${res.status}`);
  return res.json();
}

// token asks the token endpoint for a client_credentials token for the
// resource, with a proof of keypair (none when keypair is null).
async function token(step, endpoint, resource, scope, keypair) {
  const headers = {
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`).toString('base64')}`,
  };
  if (keypair) headers.dpop = await DPoP.generateProof(keypair, htuOf(endpoint), 'POST');
  const body = new URLSearchParams({ grant_type: 'client_credentials', resource, scope });
  const res = await send(step, endpoint, { method: 'POST', headers, body });
  const answer = await res.json().catch(() => ({}));
  const out = { status: res.status, tokenType: answer.token_type, scope: answer.scope, expiresIn: answer.expires_in, error: answer.error };
  out.jwt = typeof answer.access_token === 'string' && answer.access_token.split('.').length === 3;
  if (out.jwt) {
    const claims = JSON.parse(Buffer.from(answer.access_token.split('.')[1], 'base64url').toString());
    out.cnf = claims.cnf ?? null;
    out.aud = claims.aud;
  }
  report.tokens[step] = out;
  if (res.status !== 200 || !answer.access_token) throw new Error(`${step}: the token endpoint answered ${res.status} ${answer.error ?? ''}`);
  return answer.access_token;
}

// readRPC returns the JSON-RPC response in a body, JSON or server-sent events.
async function readRPC(res) {
  const text = await res.text();
  if (!(res.headers.get('content-type') || '').includes('text/event-stream')) return JSON.parse(text);
  let last;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('data:')) {
      const msg = JSON.parse(line.slice(5));
      if (msg.id !== undefined) last = msg;
    }
  }
  return last;
}

const url = new URL(opts.url);
const alg = opts.alg || 'ES256';
const keypair = await DPoP.generateKeyPair(alg);
const otherKey = await DPoP.generateKeyPair(alg);
report.jkt = await DPoP.calculateThumbprint(keypair.publicKey);
let client;
try {
  // Discovery, from the challenge to an unauthenticated initialize.
  const initialize = JSON.stringify({
    jsonrpc: '2.0', id: 0, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcp-auth-go-interop-dpop', version: '1.0.0' } },
  });
  const first = await send('unauthenticated', url, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: initialize,
  });
  const metadataURL = /resource_metadata="([^"]*)"/.exec(first.headers.get('www-authenticate') || '')?.[1];
  if (first.status !== 401 || !metadataURL) throw new Error(`unauthenticated initialize: ${first.status} without resource_metadata`);
  report.prm = await getJSON('prm', metadataURL);
  if (!report.prm.authorization_servers?.includes(opts.issuer)) throw new Error(`the resource does not trust ${opts.issuer}`);
  const as = await getJSON('as-metadata', `${opts.issuer}/.well-known/oauth-authorization-server`);
  report.asMetadata = { issuer: as.issuer, token_endpoint: as.token_endpoint, dpop_signing_alg_values_supported: as.dpop_signing_alg_values_supported };
  for (const [who, algs] of [['resource', report.prm.dpop_signing_alg_values_supported], ['authorization server', as.dpop_signing_alg_values_supported]]) {
    if (!algs?.includes(alg)) throw new Error(`the ${who} does not take ${alg} proofs: ${algs}`);
  }
  const resource = report.prm.resource;
  const accessToken = await token('token', as.token_endpoint, resource, opts.scope, keypair);

  // The SDK's own protocol flow, each request with the DPoP scheme and a fresh proof.
  const dpopFetch = async (input, init = {}) => {
    const target = input instanceof Request ? input.url : String(input);
    const headers = new Headers(init.headers);
    headers.set('authorization', `DPoP ${accessToken}`);
    headers.set('dpop', await DPoP.generateProof(keypair, htuOf(target), init.method || 'GET', undefined, accessToken));
    const sent = { ...init, headers };
    const res = await fetch(input, sent);
    record('sdk', target, sent, res);
    return res;
  };
  const transport = new StreamableHTTPClientTransport(url, { fetch: dpopFetch });
  client = new Client({ name: 'mcp-auth-go-interop-dpop', version: '1.0.0' });
  try {
    await client.connect(transport);
    report.server = client.getServerVersion();
    report.tools = (await client.listTools()).tools.map((t) => t.name);
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    report.whoami = { isError: !!who.isError, structured: who.structuredContent ?? null, text: who.content?.map((c) => c.text ?? '').join('') ?? '' };
  } catch (err) {
    report.connectError = errorText(err);
    throw err;
  }

  // Raw requests, in the SDK's session when the server keeps one.
  const mcpHeaders = () => {
    const h = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    if (transport.sessionId) h['mcp-session-id'] = transport.sessionId;
    if (transport.protocolVersion) h['mcp-protocol-version'] = transport.protocolVersion;
    return h;
  };
  let id = 100;
  const call = (name, args = {}) => JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name, arguments: args } });
  const proof = (tok, { key = keypair, htu = url.href, htm = 'POST' } = {}) => DPoP.generateProof(key, htuOf(htu), htm, undefined, tok);
  const post = (step, headers, body) => send(step, url, { method: 'POST', headers: { ...mcpHeaders(), ...headers }, body });
  const drain = async (res) => { await res.body?.cancel(); };

  await drain(await post('step-up', { authorization: `DPoP ${accessToken}`, dpop: await proof(accessToken) },
    call('create-todo', { content: opts.content })));

  const reused = await proof(accessToken);
  const whoBody = call('whoami');
  const once = await post('replay-first', { authorization: `DPoP ${accessToken}`, dpop: reused }, whoBody);
  if (once.ok) report.replayFirst = (await readRPC(once))?.result?.structuredContent ?? null;
  else await drain(once);
  await drain(await post('replay', { authorization: `DPoP ${accessToken}`, dpop: reused }, whoBody));

  await drain(await post('no-proof', { authorization: `DPoP ${accessToken}` }, call('whoami')));
  await drain(await post('wrong-htu', { authorization: `DPoP ${accessToken}`, dpop: await proof(accessToken, { htu: new URL('/other', url).href }) }, call('whoami')));
  await drain(await post('wrong-htm', { authorization: `DPoP ${accessToken}`, dpop: await proof(accessToken, { htm: 'GET' }) }, call('whoami')));
  await drain(await post('other-key', { authorization: `DPoP ${accessToken}`, dpop: await proof(accessToken, { key: otherKey }) }, call('whoami')));
  await drain(await post('bound-as-bearer', { authorization: `Bearer ${accessToken}` }, call('whoami')));

  const plain = await token('token-plain', as.token_endpoint, resource, opts.scope, null);
  const bearer = await post('plain-bearer', { authorization: `Bearer ${plain}` }, call('whoami'));
  if (bearer.ok) report.plainBearer = (await readRPC(bearer))?.result?.structuredContent ?? null;
  else await drain(bearer);

  const createToken = await token('token-step-up', as.token_endpoint, resource, opts.stepUpScope, keypair);
  const created = await post('create', { authorization: `DPoP ${createToken}`, dpop: await proof(createToken) },
    call('create-todo', { content: opts.content }));
  if (created.ok) {
    const msg = await readRPC(created);
    report.created = { isError: !!msg?.result?.isError, structured: msg?.result?.structuredContent ?? null, error: msg?.error ?? null };
  } else await drain(created);
} catch (err) {
  report.error = errorText(err);
} finally {
  await client?.close().catch(() => {});
}
console.log(JSON.stringify(report));
