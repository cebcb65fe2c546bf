// sdk-oauth.mjs signs in to skillgate as an MCP client built on the official
// TypeScript SDK would: the SDK discovers the authorization server from the
// 401, registers dynamically, sends the person to /authorize (played here
// headlessly with fetch: sign-in form, consent form), redeems the code with
// PKCE, then uses and refreshes the tokens.
//
// Environment:
//   SKILLGATE_URL   base URL of skillgate, which is also its issuer
//   SKILLGATE_KEY   API key the person signs in with
//   CALLBACK_PORT   port of the client's redirect URI (nothing listens there)
//   TRANSPORT       "streamable" (default, POST /mcp) or "sse" (GET /sse)
//
// The last line of stdout is one JSON object with the results. Every HTTP
// exchange is traced to stderr, which the Go test shows when it fails.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { MemoryProvider, newTracedFetch } from './headless.mjs';

const base = requireEnv('SKILLGATE_URL').replace(/\/+$/, '');
const apiKey = requireEnv('SKILLGATE_KEY');
const callbackPort = requireEnv('CALLBACK_PORT');
const transportKind = process.env.TRANSPORT || 'streamable';
const redirectUri = `http://127.0.0.1:${callbackPort}/callback`;

function requireEnv(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`environment variable ${name} is required`);
  }
  return v;
}

function trace(...args) {
  process.stderr.write(args.join(' ') + '\n');
}

// Everything the SDK sends goes through tracedFetch, so a failure shows
// exactly what the SDK asked and what skillgate answered.
const tokenRequests = [];
const tracedFetch = newTracedFetch({ trace, tokenRequests });

const results = {
  transport: transportKind,
  authorizations: 0,
  issuer_checked: false,
  state_checked: false,
};

// SDKProvider is the in-memory OAuthClientProvider of headless.mjs; code is
// the authorization code of the callback, which v1's finishAuth takes.
class SDKProvider extends MemoryProvider {
  constructor() {
    super({ redirectUri, clientName: 'skillgate interop test (TypeScript SDK)', base, apiKey, trace, results });
  }

  get code() {
    return this.callback === undefined ? undefined : new URL(this.callback).searchParams.get('code');
  }
}

function newTransport(provider) {
  if (transportKind === 'sse') {
    return new SSEClientTransport(new URL(base + '/sse'), { authProvider: provider, fetch: tracedFetch });
  }
  if (transportKind !== 'streamable') {
    throw new Error(`TRANSPORT ${transportKind}: want streamable or sse`);
  }
  return new StreamableHTTPClientTransport(new URL(base + '/mcp'), { authProvider: provider, fetch: tracedFetch });
}

function newClient() {
  return new Client({ name: 'skillgate-interop-sdk-oauth', version: '1.0.0' });
}

async function main() {
  const provider = new SDKProvider();

  // 1. The first connection has no token: the SDK discovers, registers and
  //    sends the person to /authorize, then gives up with UnauthorizedError.
  trace('--- connect without a token');
  let client = newClient();
  let transport = newTransport(provider);
  try {
    await client.connect(transport);
    throw new Error('connect without a token succeeded, want UnauthorizedError');
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) {
      trace(`connect without a token: ${err?.stack || err}`);
      throw new Error(`connect without a token: ${err?.message || err}, want UnauthorizedError`);
    }
  }
  if (!provider.code) {
    throw new Error('the SDK did not send the person to the authorization endpoint');
  }
  results.registered = Boolean(provider.clientInformation()?.client_id);

  // 2. The redirect brought a code: the transport redeems it.
  trace('--- finishAuth');
  await transport.finishAuth(provider.code);
  await client.close().catch(() => {});
  const first = provider.tokens();
  if (!first?.access_token || !first?.refresh_token) {
    throw new Error(`tokens after the code exchange: ${JSON.stringify(Object.keys(first || {}))}, want access_token and refresh_token`);
  }
  results.token_type = first.token_type;
  results.scope = first.scope ?? null;

  // 3. A new transport with the same provider connects with the token.
  trace('--- reconnect with the token');
  client = newClient();
  transport = newTransport(provider);
  await client.connect(transport);
  results.server = client.getServerVersion()?.name ?? null;
  const listed = await client.listTools();
  results.tools = listed.tools.map((t) => t.name).sort();
  const skills = await client.callTool({ name: 'list_skills', arguments: {} });
  results.list_skills_is_error = Boolean(skills.isError);
  results.list_skills_text = (skills.content?.[0]?.text ?? '').slice(0, 200);

  // 4. The access token stops working (here: garbled; the refresh token is
  //    the real one). The next request is a 401, on which the SDK's
  //    transport calls auth(), which refreshes, and retries the request.
  trace('--- force a refresh');
  const savedBefore = provider.saved.length;
  const refreshesBefore = tokenRequests.filter((g) => g === 'refresh_token').length;
  provider.garbleAccessToken();
  const again = await client.listTools();
  results.tools_after_refresh = again.tools.map((t) => t.name).sort();
  const after = provider.tokens();
  results.refresh_requests = tokenRequests.filter((g) => g === 'refresh_token').length - refreshesBefore;
  results.refreshed = provider.saved.length > savedBefore && results.refresh_requests > 0 &&
    after.access_token !== first.access_token;
  results.refresh_token_rotated = after.refresh_token !== undefined && after.refresh_token !== first.refresh_token;
  const skillsAfter = await client.callTool({ name: 'list_skills', arguments: {} });
  results.list_skills_after_refresh_is_error = Boolean(skillsAfter.isError);
  results.token_requests = tokenRequests;
  await client.close();
}

try {
  await main();
  process.stdout.write(JSON.stringify(results) + '\n');
} catch (err) {
  trace(`FAILED: ${err?.stack || err}`);
  process.stdout.write(JSON.stringify({ ...results, error: String(err?.message || err) }) + '\n');
  process.exitCode = 1;
}
// An SSE stream or keep-alive socket left open must not keep node running.
process.exit();
