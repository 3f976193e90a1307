// A real authorization server for MCP Auth for Go's interoperability tests:
// oidc-provider (OpenID Certified) with client_credentials, resource
// indicators (RFC 8707), introspection (RFC 7662) and revocation (RFC 7009).
//
// Access tokens for a resource are RFC 9068 JWTs whose aud is the resource,
// except for the resources listed in OPAQUE_RESOURCES, which get opaque
// tokens (their introspection answer carries aud = the resource). Every
// resource offers the examples' scopes; oidc-provider silently drops scopes
// a resource does not offer.
//
// DPoP (RFC 9449) is on, set explicitly rather than left to oidc-provider's
// defaults: a token request carrying a valid DPoP proof (ES256, Ed25519 or
// EdDSA) gets an access token bound to the proof's key (token_type "DPoP",
// cnf.jkt in the JWT and in the introspection answer); one without a proof
// gets a bearer token. There is no nonce secret, so the server never asks
// for a DPoP nonce (no use_dpop_nonce, no DPoP-Nonce header), and a proof's
// jti is refused the second time it is seen (no replay).
//
// Environment:
//   PORT              port on 127.0.0.1 (default 0: any free port)
//   KEYS_FILE         private JWK set kept across restarts (default: in memory only)
//   ROTATE=1          add a new signing key in front of the stored ones (key rotation)
//   ALG               access-token signing algorithm, RS256 (default) or ES256
//   SCOPES            the resources' scopes (default "create:todos read:todos delete:todos")
//   OPAQUE_RESOURCES  comma-separated resources that get opaque access tokens
//
// Clients (client_secret_basic):
//   interop-client / interop-secret                   client_credentials, any of SCOPES
//   interop-resource-server / interop-rs-secret       introspects tokens (a resource server)
//
// Once listening it prints one JSON line on stdout:
//   {"ready":true,"issuer":"http://127.0.0.1:PORT","signingKid":"…","kids":["…"]}
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.PORT || 0);
const alg = process.env.ALG || 'RS256';
const scopes = (process.env.SCOPES || 'create:todos read:todos delete:todos').split(' ').filter(Boolean);
const opaque = new Set((process.env.OPAQUE_RESOURCES || '').split(',').map((s) => s.trim()).filter(Boolean));
const rsClient = 'interop-resource-server';

function generateKey(keyAlg) {
  const pair = keyAlg.startsWith('ES')
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = pair.privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `${keyAlg.toLowerCase()}-${crypto.randomBytes(6).toString('hex')}`, alg: keyAlg, use: 'sig' };
}

// loadKeys returns the private keys, the signing key first.
function loadKeys() {
  const file = process.env.KEYS_FILE;
  let keys = file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).keys : [];
  if (keys.length === 0 || process.env.ROTATE === '1') keys = [generateKey(alg), ...keys];
  // oidc-provider signs ID tokens with RS256 by default, so it needs an RSA key.
  if (!keys.some((k) => k.kty === 'RSA')) keys.push(generateKey('RS256'));
  if (file) fs.writeFileSync(file, JSON.stringify({ keys }));
  return keys;
}

// A resource must be an http(s) URL without fragment (RFC 8707 §2).
function checkResource(resource) {
  let url;
  try {
    url = new URL(resource);
  } catch {
    throw new errors.InvalidTarget('resource is not a URL');
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.hash) {
    throw new errors.InvalidTarget('resource must be an http(s) URL without fragment');
  }
}

function configuration(keys) {
  const signing = keys[0];
  return {
    clients: [
      {
        client_id: 'interop-client', client_secret: 'interop-secret', grant_types: ['client_credentials'],
        response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', scope: scopes.join(' '),
      },
      {
        client_id: rsClient, client_secret: 'interop-rs-secret', grant_types: [],
        response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys },
    scopes: ['openid', ...scopes],
    dPoPSigningAlgValues: ['ES256', 'Ed25519', 'EdDSA'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Resource servers may introspect any token; clients their own.
        allowedPolicy: async (_ctx, client, token) => client.clientId === rsClient || client.clientId === token.clientId,
      },
      // RFC 9449: bound tokens for requests with a proof, no nonces, no replays.
      dPoP: { enabled: true, nonceSecret: undefined, requireNonce: () => false, allowReplay: false },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => client.clientId === token.clientId,
      },
      resourceIndicators: {
        enabled: true,
        // No resource, no audience: such a token is opaque and for no resource server.
        defaultResource: async () => undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => {
          checkResource(resource);
          const info = { scope: scopes.join(' '), audience: resource, accessTokenTTL: 600 };
          if (opaque.has(resource)) return { ...info, accessTokenFormat: 'opaque' };
          return { ...info, accessTokenFormat: 'jwt', jwt: { sign: { alg: signing.alg, kid: signing.kid } } };
        },
      },
    },
    ttl: { ClientCredentials: 600 },
    cookies: { keys: ['interop-test-cookie-key'] },
  };
}

const keys = loadKeys();
const server = http.createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration(keys));
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  server.on('request', provider.callback());
  console.log(JSON.stringify({ ready: true, issuer, signingKid: keys[0].kid, kids: keys.map((k) => k.kid) }));
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
