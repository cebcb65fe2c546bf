// headless.mjs holds what sdk-oauth.mjs (TypeScript SDK v1) and
// sdk2-oauth.mjs (SDK v2) share: the fetch they give the SDK, which traces
// every exchange, the person's part of the authorization code flow played
// headlessly with fetch (sign-in form with the API key, then consent form),
// and the in-memory OAuthClientProvider both SDKs are given.
// Nothing here reads the environment or prints by itself: the base URL, the
// trace function and the rest come in as parameters.

import { randomBytes } from 'node:crypto';

// bodyText returns a request body as text when it is a string or form
// parameters (what the SDKs send), and '' otherwise.
function bodyText(body) {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return '';
}

// requestURL returns the URL a fetch(input, init) call asks for.
export function requestURL(input) {
  return new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
}

// isAuthorizationServerMetadata tells whether a path is one where
// authorization server metadata is discovered (RFC 8414, OpenID Connect).
export function isAuthorizationServerMetadata(pathname) {
  return pathname.startsWith('/.well-known/oauth-authorization-server') ||
    pathname.startsWith('/.well-known/openid-configuration');
}

// newTracedFetch returns the fetch the SDK is given: everything it sends is
// traced with trace, so a failure shows exactly what the SDK asked and what
// skillgate answered. Token and form bodies are summarised without their
// secrets. The grant_type of every token request is appended to
// tokenRequests and, if given, the path of every request to requests. With
// traceProtocolVersion, the MCP-Protocol-Version request header is traced
// too; with traceDiscovery, so are the bodies of successful metadata
// responses (protected resource and authorization server).
export function newTracedFetch({ trace, tokenRequests, requests, traceProtocolVersion = false, traceDiscovery = false }) {
  return async function tracedFetch(input, init = {}) {
    const url = requestURL(input);
    const method = init.method || (input instanceof Request ? input.method : 'GET');
    const body = bodyText(init.body);
    requests?.push(url.pathname);
    let note = '';
    if (url.pathname === '/token' && body) {
      const form = new URLSearchParams(body);
      tokenRequests.push(form.get('grant_type'));
      note = ' grant_type=' + form.get('grant_type') + ' params=[' + [...form.keys()].join(',') + ']' +
        (form.get('resource') ? ' resource=' + form.get('resource') : '');
    } else if (url.pathname === '/register' && body) {
      note = ' body=' + body;
    } else if (body.startsWith('{')) {
      note = ' body=' + body.slice(0, 300);
    }
    const headers = new Headers(init.headers || {});
    const authz = headers.get('authorization');
    if (authz) {
      note += ' authorization=' + authz.slice(0, 16) + '…';
    }
    const pv = traceProtocolVersion ? headers.get('mcp-protocol-version') : null;
    if (pv) {
      note += ' mcp-protocol-version=' + pv;
    }
    trace(`> ${method} ${url.pathname}${url.search ? '?…' : ''}${note}`);
    const resp = await fetch(input, init);
    const www = resp.headers.get('www-authenticate');
    let answer = '';
    if (!resp.ok && resp.status !== 202) {
      answer = ' ' + (await resp.clone().text().catch(() => '')).slice(0, 500);
    } else if (traceDiscovery && (isAuthorizationServerMetadata(url.pathname) ||
      url.pathname.startsWith('/.well-known/oauth-protected-resource'))) {
      answer = ' ' + (await resp.clone().text().catch(() => '')).slice(0, 1500);
    }
    trace(`< ${resp.status} ${resp.headers.get('content-type') || ''}${www ? ' www-authenticate=' + www : ''}${answer}`);
    return resp;
  };
}

// Browser plays the person's browser: manual redirects and a tiny cookie
// jar for skillgate's own pages. Relative URLs are resolved against base,
// and cookies are sent only to its origin; every request is traced.
export class Browser {
  constructor({ base, trace }) {
    this.base = base;
    this.trace = trace;
    this.cookies = new Map();
  }

  async request(url, { method = 'GET', form } = {}) {
    const target = new URL(url, this.base);
    const headers = {};
    if (this.cookies.size > 0 && target.origin === new URL(this.base).origin) {
      headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    let body;
    if (form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const resp = await fetch(target, { method, headers, body, redirect: 'manual' });
    for (const c of resp.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      if (i > 0) {
        this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
      }
    }
    const text = await resp.text();
    this.trace(`browser ${method} ${target.pathname} -> ${resp.status}${resp.headers.get('location') ? ' location=' + resp.headers.get('location').split('?')[0] : ''}`);
    return { status: resp.status, location: resp.headers.get('location'), text };
  }
}

const entities = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#34;': '"', '&#39;': "'", '&#x27;': "'" };

// unescapeHTML undoes the HTML escaping of text and attribute values in
// skillgate's pages.
export function unescapeHTML(s) {
  return s.replace(/&(?:amp|lt|gt|quot|#34|#39|#x27);/g, (m) => entities[m]);
}

// pageSummary names what a page says went wrong, or shows its beginning.
export function pageSummary(page) {
  const m = /<p class="error"[^>]*>([\s\S]*?)<\/p>/i.exec(page);
  return m ? 'the page says: ' + unescapeHTML(m[1]).trim() : page.slice(0, 1000);
}

// hiddenFields returns the hidden inputs of the page's form; what names the
// page in the error when the form lacks request or csrf_token.
export function hiddenFields(page, what) {
  const fields = {};
  for (const m of page.matchAll(/<input\b[^>]*>/gi)) {
    const tag = m[0];
    const type = /\btype\s*=\s*"([^"]*)"/i.exec(tag)?.[1];
    const name = /\bname\s*=\s*"([^"]*)"/i.exec(tag)?.[1];
    const value = /\bvalue\s*=\s*"([^"]*)"/i.exec(tag)?.[1] ?? '';
    if (type && type.toLowerCase() === 'hidden' && name) {
      fields[name] = unescapeHTML(value);
    }
  }
  if (!fields.request || !fields.csrf_token) {
    throw new Error(`the ${what} page has no form with request and csrf_token:\n${page.slice(0, 2000)}`);
  }
  return fields;
}

// signInAndConsent plays the person: it opens authorizationUrl, fills in the
// sign-in form with apiKey, then approves on the consent form (unless
// consent was given before), and returns the URL skillgate redirects to: the
// client's callback at redirectUri with the authorization response. It
// checks that response: no error, the client's state, iss equal to base
// (skillgate's issuer, RFC 9207) and a code; results.state_checked and
// results.issuer_checked are set as those checks pass.
export async function signInAndConsent({ authorizationUrl, state, base, apiKey, redirectUri, trace, results }) {
  const browser = new Browser({ base, trace });
  let page = await browser.request(authorizationUrl);
  if (page.status !== 200) {
    throw new Error(`GET /authorize: status ${page.status}: ${pageSummary(page.text)}`);
  }
  const signin = hiddenFields(page.text, 'sign-in');
  if (!/name="api_key"/.test(page.text)) {
    throw new Error(`the sign-in page has no api_key input:\n${page.text.slice(0, 2000)}`);
  }
  let resp = await browser.request('/authorize/signin', { method: 'POST', form: { ...signin, api_key: apiKey } });
  if (resp.status !== 303 || !resp.location) {
    throw new Error(`POST /authorize/signin: status ${resp.status}, want 303: ${pageSummary(resp.text)}`);
  }
  let callback;
  page = await browser.request(resp.location);
  if (page.status === 302 && page.location) {
    callback = page.location; // consented before
  } else if (page.status === 200) {
    const consent = hiddenFields(page.text, 'consent');
    resp = await browser.request('/authorize/consent', { method: 'POST', form: { ...consent, decision: 'approve' } });
    if (resp.status !== 303 || !resp.location) {
      throw new Error(`POST /authorize/consent: status ${resp.status}, want 303: ${pageSummary(resp.text)}`);
    }
    callback = resp.location;
  } else {
    throw new Error(`consent page: status ${page.status}: ${pageSummary(page.text)}`);
  }

  const cb = new URL(callback);
  if (cb.origin + cb.pathname !== redirectUri) {
    throw new Error(`redirected to ${cb.origin}${cb.pathname}, want the redirect URI ${redirectUri}`);
  }
  const error = cb.searchParams.get('error');
  if (error) {
    throw new Error(`authorization error ${error}: ${cb.searchParams.get('error_description')}`);
  }
  // The SDKs do not check state (v1's finishAuth gets only the code, v2's
  // says so): the client does.
  if (cb.searchParams.get('state') !== state) {
    throw new Error(`state ${cb.searchParams.get('state')} in the authorization response, want ${state}`);
  }
  results.state_checked = true;
  // RFC 9207: the authorization response names its issuer, which is
  // skillgate's base URL.
  if (cb.searchParams.get('iss') !== base) {
    throw new Error(`iss ${cb.searchParams.get('iss')} in the authorization response, want ${base}`);
  }
  results.issuer_checked = true;
  if (!cb.searchParams.get('code')) {
    throw new Error(`no code in the authorization response ${callback}`);
  }
  return callback;
}

// MemoryProvider is an OAuthClientProvider kept in memory, with what v1 and
// v2 of the SDK both ask of it: client information, tokens, the PKCE code
// verifier and the state. garbleAccessToken makes tokens() hand out an
// access token skillgate cannot accept, to force a refresh. Its
// redirectToAuthorization records the authorization request in
// results.authorizations and results.authorization_request, then plays the
// person with signInAndConsent (base, apiKey) and keeps the URL skillgate
// redirects to in callback. Its trace lines start with traceName. It
// defines none of the provider's optional discovery hooks: the SDKs look
// for them, so a subclass adds them only when it means to.
export class MemoryProvider {
  constructor({ redirectUri, clientName, base, apiKey, trace, results, traceName = 'provider' }) {
    this._redirectUri = redirectUri;
    this._clientName = clientName;
    this._base = base;
    this._apiKey = apiKey;
    this._trace = trace;
    this._results = results;
    this._traceName = traceName;
    this._clientInformation = undefined;
    this._tokens = undefined;
    this._codeVerifier = undefined;
    this._state = undefined;
    this._garbled = false;
    this.saved = [];
    this.callback = undefined;
  }

  get redirectUrl() {
    return this._redirectUri;
  }

  get clientMetadata() {
    return {
      client_name: this._clientName,
      redirect_uris: [this._redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state() {
    this._state = randomBytes(16).toString('hex');
    return this._state;
  }

  clientInformation() {
    return this._clientInformation;
  }

  saveClientInformation(info) {
    this._clientInformation = info;
  }

  tokens() {
    if (this._tokens && this._garbled) {
      // An access token skillgate cannot accept, with the real refresh
      // token: the next request is a 401 and the SDK must refresh.
      return { ...this._tokens, access_token: 'garbled-' + this._tokens.access_token.slice(8) };
    }
    return this._tokens;
  }

  saveTokens(tokens) {
    this._tokens = tokens;
    this._garbled = false;
    this.saved.push(tokens);
  }

  garbleAccessToken() {
    this._garbled = true;
  }

  saveCodeVerifier(v) {
    this._codeVerifier = v;
  }

  codeVerifier() {
    if (!this._codeVerifier) {
      throw new Error('no code verifier saved');
    }
    return this._codeVerifier;
  }

  invalidateCredentials(scope) {
    this._trace(`${this._traceName}: invalidateCredentials(${scope})`);
    if (scope === 'all' || scope === 'client') this._clientInformation = undefined;
    if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this._codeVerifier = undefined;
  }

  async redirectToAuthorization(authorizationUrl) {
    const results = this._results;
    results.authorizations++;
    const q = authorizationUrl.searchParams;
    results.authorization_request = {
      endpoint: authorizationUrl.origin + authorizationUrl.pathname,
      resource: q.get('resource'),
      scope: q.get('scope'),
      code_challenge_method: q.get('code_challenge_method'),
      has_state: q.has('state'),
    };
    this._trace(`${this._traceName}: redirectToAuthorization ${authorizationUrl.origin}${authorizationUrl.pathname} params=[${[...q.keys()].join(',')}] resource=${q.get('resource')} scope=${q.get('scope')}`);
    // signInAndConsent checks state and iss itself; v2 of the SDK checks iss
    // too, against the issuer of the metadata, when finishAuth gets the
    // callback's parameters.
    this.callback = await signInAndConsent({
      authorizationUrl,
      state: this._state,
      base: this._base,
      apiKey: this._apiKey,
      redirectUri: this._redirectUri,
      trace: this._trace,
      results,
    });
  }
}
