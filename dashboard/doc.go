// Package dashboard serves skillgate's web pages at /dashboard: a person
// signs in with an API key holding keys:read (or admin), and manages keys,
// OAuth clients and reads the audit log and each key's usage. The pages are
// server-rendered with html/template from embedded files, and work without
// JavaScript (a little script adds copy buttons). Every action goes
// through the same services as the REST API (the key manager, the OAuth
// server, the audit reader), so no rule of who may do what lives here: this
// package owns only the browser's side of it, meaning the session cookie,
// the anti-forgery tokens of its forms and the security headers of its
// pages.
package dashboard
