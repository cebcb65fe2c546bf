// Test OpenID provider for the Go package internal/testidp.
//
// It runs oidc-provider (https://github.com/panva/node-oidc-provider) with an
// in-memory store on 127.0.0.1 and a random port. The Go side reads exactly
// one line from stdout, "listening http://127.0.0.1:<port>", so everything
// else (including oidc-provider's own notices) must go to stderr.
//
// Configuration is a JSON document in TESTIDP_CONFIG, see node.go.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';

// oidc-provider prints its notices with console.info, i.e. to stdout. Point
// every console method at stderr before the library is loaded (hence the
// dynamic import below; static imports would run first).
for (const method of ['log', 'info', 'debug']) {
  console[method] = console.error;
}

const { default: Provider, errors } = await import('oidc-provider');

const config = JSON.parse(process.env.TESTIDP_CONFIG ?? '{}');
const resource = config.resource ?? 'https://skillgate.test';
const accessTokenTTL = config.accessTokenTTL ?? 300;
const resourceScope = 'openid skills:read skills:execute';
const clientClaims = new Map((config.clients ?? []).map((c) => [c.client_id, c.claims ?? {}]));
const accounts = config.accounts ?? {};

// Quit when the Go test goes away: it holds our stdin open for our lifetime.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function clientMetadata(c) {
  const grantTypes = c.grant_types ?? ['client_credentials'];
  const metadata = {
    client_id: c.client_id,
    grant_types: grantTypes,
    // Only the authorization code grant uses the authorization endpoint.
    response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
    redirect_uris: c.redirect_uris ?? [],
  };
  if (c.public) {
    metadata.token_endpoint_auth_method = 'none';
  } else {
    metadata.client_secret = c.client_secret;
    metadata.token_endpoint_auth_method = 'client_secret_basic';
  }
  return metadata;
}

// Claims of an account as released to both the ID token and access tokens.
function accountClaims(accountId) {
  const account = accounts[accountId];
  if (!account) return undefined;
  return { sub: accountId, ...account };
}

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

// Every claim that any account carries is released with the openid scope, so
// tests do not have to list custom claims in the claims configuration.
const customClaims = new Set(['email']);
for (const account of Object.values(accounts)) {
  for (const name of Object.keys(account)) customClaims.add(name);
}

const provider = new Provider(issuer, {
  clients: (config.clients ?? []).map(clientMetadata),
  jwks: { keys: [signingKey()] },
  // Fixed keys only silence the "development keys" notice; state is in memory.
  cookies: { keys: [randomUUID()] },
  claims: {
    openid: ['sub', ...customClaims],
    email: ['email', 'email_verified'],
  },
  // By default (true) ID tokens issued next to an access token carry only
  // sub & co. and the rest is left to userinfo; tests want them in the token.
  conformIdTokenClaims: false,
  scopes: ['openid', 'offline_access', 'email', 'skills:read', 'skills:execute'],
  // Explicit lifetimes; the defaults are functions that log a notice.
  ttl: {
    AccessToken: accessTokenTTL,
    ClientCredentials: accessTokenTTL,
    IdToken: 3600,
    RefreshToken: 86400,
    Interaction: 600,
    Session: 86400,
    Grant: 86400,
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return {
          scope: resourceScope,
          audience: resource,
          accessTokenTTL,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  async findAccount(_ctx, sub) {
    const claims = accountClaims(sub);
    if (!claims) return undefined;
    return { accountId: sub, claims: async () => claims };
  },
  async extraTokenClaims(_ctx, token) {
    if (token.kind === 'ClientCredentials') {
      return clientClaims.get(token.clientId);
    }
    if (token.kind === 'AccessToken') {
      const { sub, ...claims } = accountClaims(token.accountId) ?? {};
      return claims;
    }
    return undefined;
  },
  // The default also demands the offline_access scope; tests want a refresh
  // token whenever the client may use one.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
});

provider.on('server_error', (_ctx, err) => console.error('server_error', err));

server.on('request', provider.callback());
process.stdout.write(`listening ${issuer}\n`);
