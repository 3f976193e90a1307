// The JavaScript member of the MCP Auth family, as a peer for `mcpauth
// probe`: an MCP server (the TypeScript SDK's McpServer over stateless
// streamable HTTP, on Express 5) protected by mcp-auth 0.2.0 in resource-
// server mode, verifying JWTs from the given authorization server. It has
// the examples' whoami and create-todo tools; mcp-auth has no per-tool
// policy, so create-todo is not refused at the HTTP layer.
//
// Environment:
//   PORT         port on 127.0.0.1 (default 0: any free port)
//   AS_ISSUER    the authorization server's issuer (required)
//   AS_TYPE      oidc (default) or oauth: which discovery document mcp-auth reads
//
// Once listening it prints one JSON line on stdout:
//   {"ready":true,"mcp":"http://127.0.0.1:PORT/mcp","resource":"…"}
import * as http from 'node:http';

import express from 'express';
import { MCPAuth } from 'mcp-auth';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

const issuer = process.env.AS_ISSUER;
if (!issuer) {
  console.error('AS_ISSUER is required');
  process.exit(2);
}
const app = express();
app.disable('x-powered-by');
const server = http.createServer(app);

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const mcp = `http://127.0.0.1:${server.address().port}/mcp`;
  const mcpAuth = new MCPAuth({
    protectedResources: [{
      metadata: {
        resource: mcp,
        authorizationServers: [{ issuer, type: process.env.AS_TYPE || 'oidc' }],
        scopesSupported: ['create:todos', 'read:todos', 'delete:todos'],
      },
    }],
  });

  // A new server and transport per request: the SDK's stateless pattern.
  const tools = () => {
    const s = new McpServer({ name: 'mcp-auth-js', version: '0.0.1' });
    s.registerTool('whoami', { description: 'Who the token says you are.', inputSchema: {} },
      async (_args, { authInfo }) => ({ content: [{ type: 'text', text: JSON.stringify({ subject: authInfo?.subject, scopes: authInfo?.scopes }) }] }));
    s.registerTool('create-todo', { description: 'Creates a todo.', inputSchema: { content: z.string().optional() } },
      async ({ content }) => ({ content: [{ type: 'text', text: `created ${content ?? ''}` }] }));
    return s;
  };
  app.use(mcpAuth.protectedResourceMetadataRouter());
  app.use(express.json());
  app.all('/mcp', mcpAuth.bearerAuth('jwt', { resource: mcp, audience: mcp, requiredScopes: ['read:todos'] }), async (req, res) => {
    const s = tools();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => { transport.close(); s.close(); });
    await s.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  console.log(JSON.stringify({ ready: true, mcp, resource: mcp }));
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
