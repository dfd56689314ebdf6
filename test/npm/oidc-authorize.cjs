#!/usr/bin/env node
// The user's side of the authorization code flow at the test authorization
// server (test/npm/oidc.cjs), over plain HTTP: open the authorization URL
// (rest_fdw_authorize_url's), log in and consent on devInteractions' pages,
// and print the URL the provider redirects the browser to (redirect_uri
// with code and state), without following it.
//
//   node test/npm/oidc-authorize.cjs AUTHORIZATION_URL [ACCOUNT]
//
// Prints the redirect URL, and nothing else, to standard output; otherwise
// prints what went wrong (never a code) and exits 1.
'use strict';

const { field, formAction } = require('./oidc-approve.cjs');

const ACCOUNT = 'rest_fdw_test_user';

async function authorize(authUrl, account = ACCOUNT) {
	const origin = new URL(authUrl).origin;
	const redirectUri = new URL(authUrl).searchParams.get('redirect_uri');
	const jar = new Map();
	let url = authUrl;
	let method = 'GET';
	let form;
	for (let hops = 0; hops < 30; hops++) {
		const headers = { Accept: 'text/html' };
		if (jar.size) headers.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
		let body;
		if (form) {
			headers['Content-Type'] = 'application/x-www-form-urlencoded';
			body = new URLSearchParams(form).toString();
		}
		const res = await fetch(new URL(url, origin), { method, headers, body, redirect: 'manual' });
		for (const c of res.headers.getSetCookie()) {
			const [pair] = c.split(';');
			const i = pair.indexOf('=');
			const name = pair.slice(0, i).trim();
			const value = pair.slice(i + 1).trim();
			if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') jar.delete(name);
			else jar.set(name, value);
		}
		const location = res.headers.get('location');
		if (res.status >= 300 && res.status < 400 && location) {
			const next = new URL(location, new URL(url, origin)).toString();
			// the browser would go to the client now: that is the answer
			if (redirectUri && next.startsWith(redirectUri)) return next;
			url = next;
			method = 'GET';
			form = undefined;
			continue;
		}
		const text = await res.text();
		const prompt = field(text, 'prompt');
		const action = formAction(text);
		if (res.status !== 200 || !action || (prompt !== 'login' && prompt !== 'consent')) {
			throw new Error(`unexpected page: HTTP ${res.status}` + (prompt ? `, prompt ${prompt}` : ''));
		}
		url = action;
		method = 'POST';
		form = prompt === 'login' ? { prompt, login: account, password: 'any' } : { prompt };
	}
	throw new Error('too many steps');
}

module.exports = { authorize };

if (require.main === module) {
	const [authUrl, account] = process.argv.slice(2);
	if (!authUrl) {
		console.error('usage: node oidc-authorize.cjs AUTHORIZATION_URL [ACCOUNT]');
		process.exit(2);
	}
	authorize(authUrl, account).then((u) => process.stdout.write(u + '\n'), (err) => {
		console.error('oidc-authorize: ' + err.message);
		process.exit(1);
	});
}
