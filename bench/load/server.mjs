// The JavaScript reference library under the same load as the Go examples:
// mcp-auth 0.2.0 (resource-server mode, JWT verification) on Express 5, with
// a trivial JSON endpoint behind its bearer middleware and the same endpoint
// without it.
//
// Env: PORT (listen on 127.0.0.1), RESOURCE (the resource identifier, which
// is also the audience checked), AS_ISSUER (the authorization server).
import express from 'express';
import { MCPAuth } from 'mcp-auth';

const port = Number(process.env.PORT);
const resource = process.env.RESOURCE;
const issuer = process.env.AS_ISSUER;
if (!port || !resource || !issuer) {
  console.error('PORT, RESOURCE and AS_ISSUER are required');
  process.exit(2);
}

const mcpAuth = new MCPAuth({
  protectedResources: [{
    metadata: {
      resource,
      authorizationServers: [{ issuer, type: 'oauth' }],
      scopesSupported: ['create:todos', 'read:todos', 'delete:todos'],
    },
  }],
});

const app = express();
app.disable('x-powered-by');
app.use(mcpAuth.protectedResourceMetadataRouter());
const bearer = mcpAuth.bearerAuth('jwt', { resource, audience: resource });
const payload = { status: 'ok' };
app.get('/unprotected', (req, res) => res.json(payload));
app.get('/protected', bearer, (req, res) => res.json({ subject: req.auth.subject, scopes: req.auth.scopes }));

app.listen(port, '127.0.0.1', () => console.log(`ready http://127.0.0.1:${port}`));
