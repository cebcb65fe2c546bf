// sdk2-oauth.mjs signs in to skillgate as an MCP client built on v2 of the
// official TypeScript SDK (@modelcontextprotocol/client) would: the SDK
// discovers the authorization server from the 401, checks that its metadata
// echoes the issuer (RFC 8414 §3.3), registers dynamically, sends the person
// to /authorize (played here headlessly with fetch: sign-in form, consent
// form), checks the iss of the authorization response (RFC 9207 §2.4) when
// finishAuth gets the callback's parameters, redeems the code with PKCE, then
// uses and refreshes the tokens over streamable HTTP.
//
// The SDK's own issuer checks are proved live, not assumed: before the real
// flow, a connection whose fetch rewrites the issuer of the authorization
// server metadata must fail with the SDK's IssuerMismatchError (kind
// "metadata"); before the code is redeemed, finishAuth with a forged iss, and
// with the iss removed, must fail with IssuerMismatchError (kind
// "authorization_response") without any token request.
//
// Environment:
//   SKILLGATE_URL   base URL of skillgate, which is also its issuer
//   SKILLGATE_KEY   API key the person signs in with
//   CALLBACK_PORT   port of the client's redirect URI (nothing listens there)
//
// The last line of stdout is one JSON object with the results. Every HTTP
// exchange is traced to stderr, which the Go test shows when it fails.

import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  IssuerMismatchError,
} from '@modelcontextprotocol/client';
import {
  isAuthorizationServerMetadata,
  MemoryProvider,
  newTracedFetch,
  requestURL,
} from './headless.mjs';

const base = requireEnv('SKILLGATE_URL').replace(/\/+$/, '');
const apiKey = requireEnv('SKILLGATE_KEY');
const callbackPort = requireEnv('CALLBACK_PORT');
const redirectUri = `http://127.0.0.1:${callbackPort}/callback`;
const forgedIssuer = 'https://attacker.example/as';

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

// requests lists the path of every request the SDK sent, and tokenRequests
// the grant_type of every token request, in order.
const requests = [];
const tokenRequests = [];

// newFetch returns the fetch the SDK is given, which traces everything it
// sends (see newTracedFetch). With tamperIssuer, the issuer of the
// authorization server metadata is replaced on its way to the SDK, to show
// that the SDK checks it.
function newFetch({ tamperIssuer } = {}) {
  const tracedFetch = newTracedFetch({
    trace, tokenRequests, requests, traceProtocolVersion: true, traceDiscovery: true,
  });
  if (!tamperIssuer) {
    return tracedFetch;
  }
  return async function tamperingFetch(input, init = {}) {
    let resp = await tracedFetch(input, init);
    if (isAuthorizationServerMetadata(requestURL(input).pathname) && resp.ok) {
      const doc = await resp.json();
      trace(`  (test: issuer ${JSON.stringify(doc.issuer)} rewritten to ${JSON.stringify(tamperIssuer)} on its way to the SDK)`);
      doc.issuer = tamperIssuer;
      resp = new Response(JSON.stringify(doc), {
        status: resp.status,
        headers: { 'content-type': 'application/json' },
      });
    }
    return resp;
  };
}

const results = {
  transport: 'streamable',
  sdk: '@modelcontextprotocol/client',
  authorizations: 0,
  issuer_checked: false,
  state_checked: false,
  sdk_issuer_checks: {},
};

// SDK2Provider is the in-memory OAuthClientProvider of headless.mjs, for
// SDK v2. Besides what v1 needed it keeps the discovery state across the
// redirect, as v2 asks (SEP-2352: the code is redeemed only at the
// authorization server it was requested from), and traces the issuer the SDK
// stamps on credentials. Its trace lines start with provider(label).
class SDK2Provider extends MemoryProvider {
  constructor(label) {
    super({
      redirectUri, clientName: 'skillgate interop test (TypeScript SDK v2)', base, apiKey, trace, results,
      traceName: `provider(${label})`,
    });
    this._discoveryState = undefined;
  }

  saveClientInformation(info, ctx) {
    trace(`${this._traceName}: saveClientInformation client_id=${info?.client_id} issuer=${info?.issuer} ctx.issuer=${ctx?.issuer}`);
    super.saveClientInformation(info);
  }

  saveTokens(tokens, ctx) {
    trace(`${this._traceName}: saveTokens issuer=${tokens?.issuer} ctx.issuer=${ctx?.issuer} refresh_token=${tokens?.refresh_token ? 'yes' : 'no'}`);
    super.saveTokens(tokens);
  }

  saveDiscoveryState(state) {
    trace(`${this._traceName}: saveDiscoveryState authorizationServerUrl=${state?.authorizationServerUrl} issuer=${state?.authorizationServerMetadata?.issuer} resource=${state?.resourceMetadata?.resource}`);
    this._discoveryState = state;
  }

  discoveryState() {
    return this._discoveryState;
  }

  invalidateCredentials(scope) {
    super.invalidateCredentials(scope);
    if (scope === 'all' || scope === 'discovery') this._discoveryState = undefined;
  }
}

function newTransport(provider, fetchFn) {
  return new StreamableHTTPClientTransport(new URL(base + '/mcp'), { authProvider: provider, fetch: fetchFn });
}

function newClient() {
  return new Client({ name: 'skillgate-interop-sdk2-oauth', version: '1.0.0' });
}

// findError returns err, or the first error in its chain of causes, that is
// an instance of cls.
function findError(err, cls) {
  for (let e = err, i = 0; e && i < 10; e = e.cause, i++) {
    if (e instanceof cls) return e;
  }
  return undefined;
}

function describe(err) {
  const parts = [];
  for (let e = err, i = 0; e && i < 10; e = e.cause, i++) {
    parts.push(`${e?.name || typeof e}: ${e?.message || e}`);
  }
  return parts.join(' <- ');
}

function mismatch(e) {
  return { kind: e.kind, expected: e.expected ?? null, received: e.received ?? null };
}

// probeMetadataEcho connects with a fresh provider through a fetch that
// rewrites the issuer of the authorization server metadata: the SDK must
// refuse the metadata (RFC 8414 §3.3) before it registers or redirects.
async function probeMetadataEcho() {
  trace('--- probe: the SDK must refuse authorization server metadata whose issuer is not the one it asked');
  const provider = new SDK2Provider('probe');
  const client = newClient();
  const transport = newTransport(provider, newFetch({ tamperIssuer: forgedIssuer }));
  const first = requests.length;
  const tokensBefore = tokenRequests.length;
  const check = { rejected: false };
  try {
    await client.connect(transport);
    check.error = 'connect succeeded with forged issuer in the metadata';
  } catch (err) {
    const e = findError(err, IssuerMismatchError);
    trace(`probe: connect failed: ${describe(err)}`);
    if (e) {
      Object.assign(check, mismatch(e), { rejected: true });
    } else {
      check.error = describe(err);
    }
  }
  await client.close().catch(() => {});
  const sent = requests.slice(first);
  check.registered = sent.includes('/register');
  check.token_requests = tokenRequests.length - tokensBefore;
  check.redirected = provider.callback !== undefined;
  results.sdk_issuer_checks.metadata = check;
}

// probeAuthorizationResponse calls finishAuth with the callback's parameters
// altered: the SDK must refuse them (RFC 9207 §2.4) before it redeems the
// code, so the code stays good for the real finishAuth.
async function probeAuthorizationResponse(provider, transport, name, alter) {
  trace(`--- probe: finishAuth with ${name} iss must fail`);
  const params = new URL(provider.callback).searchParams;
  alter(params);
  const tokensBefore = tokenRequests.length;
  const check = { rejected: false };
  try {
    await transport.finishAuth(params);
    check.error = `finishAuth with ${name} iss succeeded`;
  } catch (err) {
    const e = findError(err, IssuerMismatchError);
    trace(`probe: finishAuth with ${name} iss failed: ${describe(err)}`);
    if (e) {
      Object.assign(check, mismatch(e), { rejected: true });
    } else {
      check.error = describe(err);
    }
  }
  check.token_requests = tokenRequests.length - tokensBefore;
  results.sdk_issuer_checks[name] = check;
}

async function main() {
  await probeMetadataEcho();

  const provider = new SDK2Provider('main');
  const fetchFn = newFetch();
  const tokensAtStart = tokenRequests.length;

  // 1. The first connection has no token: the SDK discovers, checks the
  //    metadata's issuer, registers and sends the person to /authorize,
  //    then gives up with UnauthorizedError.
  trace('--- connect without a token');
  let client = newClient();
  let transport = newTransport(provider, fetchFn);
  try {
    await client.connect(transport);
    throw new Error('connect without a token succeeded, want UnauthorizedError');
  } catch (err) {
    if (!findError(err, UnauthorizedError)) {
      trace(`connect without a token: ${err?.stack || err}`);
      throw new Error(`connect without a token: ${describe(err)}, want UnauthorizedError`);
    }
  }
  if (!provider.callback) {
    throw new Error('the SDK did not send the person to the authorization endpoint');
  }
  results.registered = Boolean(provider.clientInformation()?.client_id);
  const ds = provider.discoveryState();
  results.sdk_issuer_checks.discovery = {
    authorization_server: ds?.authorizationServerUrl ?? null,
    metadata_issuer: ds?.authorizationServerMetadata?.issuer ?? null,
    iss_parameter_supported: ds?.authorizationServerMetadata?.authorization_response_iss_parameter_supported ?? null,
    client_issuer_stamp: provider.clientInformation()?.issuer ?? null,
  };

  // 2. The SDK's RFC 9207 check: a forged iss, and no iss at all (skillgate
  //    advertises authorization_response_iss_parameter_supported), must
  //    both be refused before the code is redeemed.
  await probeAuthorizationResponse(provider, transport, 'forged_iss', (p) => p.set('iss', forgedIssuer));
  await probeAuthorizationResponse(provider, transport, 'missing_iss', (p) => p.delete('iss'));

  // 3. The real callback: finishAuth gets its parameters, so the SDK reads
  //    code and iss itself, checks iss and redeems the code.
  trace('--- finishAuth with the callback parameters');
  await transport.finishAuth(new URL(provider.callback).searchParams);
  await client.close().catch(() => {});
  const first = provider.tokens();
  if (!first?.access_token || !first?.refresh_token) {
    throw new Error(`tokens after the code exchange: ${JSON.stringify(Object.keys(first || {}))}, want access_token and refresh_token`);
  }
  results.token_type = first.token_type;
  results.scope = first.scope ?? null;
  results.sdk_issuer_checks.token_issuer_stamp = first.issuer ?? null;

  // 4. A new transport with the same provider connects with the token.
  trace('--- reconnect with the token');
  client = newClient();
  transport = newTransport(provider, fetchFn);
  await client.connect(transport);
  results.server = client.getServerVersion()?.name ?? null;
  const listed = await client.listTools();
  results.tools = listed.tools.map((t) => t.name).sort();
  const skills = await client.callTool({ name: 'list_skills', arguments: {} });
  results.list_skills_is_error = Boolean(skills.isError);
  results.list_skills_text = (skills.content?.[0]?.text ?? '').slice(0, 200);

  // 5. The access token stops working (here: garbled; the refresh token is
  //    the real one). The next request is a 401, on which the transport
  //    calls the provider's onUnauthorized (auth()), which refreshes, and
  //    retries the request once.
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
  results.token_requests = tokenRequests.slice(tokensAtStart);
  await client.close();
}

try {
  await main();
  process.stdout.write(JSON.stringify(results) + '\n');
} catch (err) {
  trace(`FAILED: ${err?.stack || err}`);
  process.stdout.write(JSON.stringify({ ...results, error: describe(err) }) + '\n');
  process.exitCode = 1;
}
// A stream or keep-alive socket left open must not keep node running.
process.exit();
