#!/usr/bin/env node
// Approve a device flow's user code at the test authorization server
// (test/npm/oidc.cjs), as the user would in a browser, over plain HTTP:
// the verification page, the user code form (with its xsrf field), the
// confirmation, then devInteractions' login (a fixed test account) and
// consent pages.
//
//   node test/npm/oidc-approve.cjs DIR USER_CODE [ACCOUNT]
//   node test/npm/oidc-approve.cjs --deny DIR USER_CODE
//
// DIR holds oidc_secrets.json (the issuer).  Exits 0 once the provider shows
// its success page; otherwise prints what went wrong (never a token) and
// exits 1.  With --deny, the user refuses at the confirmation page (the
// provider's "abort"): the device code's polls then get access_denied.
'use strict';

const fs = require('fs');
const path = require('path');

const ACCOUNT = 'rest_fdw_test_user';

function field(html, name) {
	const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
	return m ? m[1] : undefined;
}

function formAction(html) {
	const m = /<form[^>]* action="([^"]+)"/.exec(html);
	return m ? m[1].replace(/&amp;/g, '&') : undefined;
}

// a browser of one origin: cookies kept, redirects followed by hand
function browser(issuer) {
	const jar = new Map();
	async function request(method, url, form) {
		for (let hops = 0; hops < 20; hops++) {
			const headers = { Accept: 'text/html' };
			if (jar.size) headers.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
			let body;
			if (form) {
				headers['Content-Type'] = 'application/x-www-form-urlencoded';
				body = new URLSearchParams(form).toString();
			}
			const res = await fetch(new URL(url, issuer), { method, headers, body, redirect: 'manual' });
			for (const c of res.headers.getSetCookie()) {
				const [pair] = c.split(';');
				const i = pair.indexOf('=');
				const name = pair.slice(0, i).trim();
				const value = pair.slice(i + 1).trim();
				if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') jar.delete(name);
				else jar.set(name, value);
			}
			if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
				url = new URL(res.headers.get('location'), new URL(url, issuer)).toString();
				method = 'GET';
				form = undefined;
				continue;
			}
			return { status: res.status, text: await res.text() };
		}
		throw new Error('too many redirects');
	}
	return request;
}

async function approve(issuer, userCode, account = ACCOUNT, deny = false) {
	const request = browser(issuer);
	let page = await request('GET', '/device');
	const xsrf = field(page.text, 'xsrf');
	if (page.status !== 200 || !xsrf) throw new Error(`the verification page: HTTP ${page.status}, no xsrf field`);
	page = await request('POST', '/device', { xsrf, user_code: userCode });
	if (page.status !== 200 || field(page.text, 'confirm') !== 'yes') {
		throw new Error(`the user code was not accepted: HTTP ${page.status}`);
	}
	if (deny) {
		page = await request('POST', '/device', { xsrf: field(page.text, 'xsrf'), user_code: field(page.text, 'user_code'), abort: 'yes' });
		if (page.status >= 500) throw new Error(`the denial was not taken: HTTP ${page.status}`);
		return;
	}
	page = await request('POST', '/device', { xsrf: field(page.text, 'xsrf'), user_code: field(page.text, 'user_code'), confirm: 'yes' });
	for (let step = 0; step < 5; step++) {
		if (page.status === 200 && /<title>Sign-in Success<\/title>/.test(page.text)) return;
		const prompt = field(page.text, 'prompt');
		const action = formAction(page.text);
		if (page.status !== 200 || !action || (prompt !== 'login' && prompt !== 'consent')) {
			throw new Error(`unexpected page: HTTP ${page.status}` + (prompt ? `, prompt ${prompt}` : ''));
		}
		page = await request('POST', action, prompt === 'login'
			? { prompt, login: account, password: 'any' } : { prompt });
	}
	throw new Error('no success page after login and consent');
}

function issuerOf(dir) {
	return JSON.parse(fs.readFileSync(path.join(dir, 'oidc_secrets.json'), 'utf8')).issuer;
}

module.exports = { approve, issuerOf, browser, field, formAction };

if (require.main === module) {
	const args = process.argv.slice(2);
	const deny = args[0] === '--deny';
	if (deny) args.shift();
	const [dir, userCode, account] = args;
	if (!dir || !userCode) {
		console.error('usage: node oidc-approve.cjs [--deny] DIR USER_CODE [ACCOUNT]');
		process.exit(2);
	}
	approve(issuerOf(dir), userCode, account, deny).catch((err) => {
		console.error('oidc-approve: ' + err.message);
		process.exit(1);
	});
}
