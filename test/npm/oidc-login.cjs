#!/usr/bin/env node
// A first refresh token from the test authorization server (test/npm/oidc.cjs)
// without a browser: the device flow (RFC 8628) for CLIENT, its user code
// approved with oidc-approve.cjs, the token endpoint polled.
//
//   node test/npm/oidc-login.cjs DIR CLIENT [SCOPE]
//
// CLIENT is rest_fdw_basic (client_secret_basic), rest_fdw_post
// (client_secret_post) or rest_fdw_secret_jwt (client_secret_jwt, HS256),
// whose secret is read from DIR/oidc_secrets.json, or rest_fdw_key_jwt
// (private_key_jwt with DIR/oidc_rsa_key.pem, RS256) or rest_fdw_key_jwt/ec
// (the same client with DIR/oidc_ec_key.pem, ES256).  Prints the refresh
// token, and nothing else, to standard output.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { approve } = require('./oidc-approve.cjs');

const b64url = (x) => Buffer.from(x).toString('base64url');

// a client assertion (RFC 7523) for the token endpoint URL
function assertion(client, aud, sign, alg) {
	const now = Math.floor(Date.now() / 1000);
	const head = b64url(JSON.stringify({ alg, typ: 'JWT' }));
	const claims = b64url(JSON.stringify({
		iss: client, sub: client, aud, jti: crypto.randomUUID(), iat: now, exp: now + 60,
	}));
	return `${head}.${claims}.${b64url(sign(`${head}.${claims}`))}`;
}

// the client's authentication, by its registered method
function authenticate(dir, client, secret, url, headers, params) {
	const [id, keyName] = client.split('/');
	if (id === 'rest_fdw_post') {
		params.set('client_id', id);
		params.set('client_secret', secret);
	} else if (id === 'rest_fdw_secret_jwt' || id === 'rest_fdw_key_jwt') {
		let sign;
		let alg;
		if (id === 'rest_fdw_secret_jwt') {
			alg = 'HS256';
			sign = (data) => crypto.createHmac('sha256', secret).update(data).digest();
		} else {
			const key = crypto.createPrivateKey(fs.readFileSync(
				path.join(dir, keyName === 'ec' ? 'oidc_ec_key.pem' : 'oidc_rsa_key.pem')));
			alg = keyName === 'ec' ? 'ES256' : 'RS256';
			sign = (data) => crypto.sign('sha256', Buffer.from(data),
				keyName === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key);
		}
		params.set('client_id', id);
		params.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
		params.set('client_assertion', assertion(id, url, sign, alg));
	} else {
		const enc = (x) => encodeURIComponent(x);
		headers.Authorization = 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
	}
}

async function post(dir, url, client, secret, form) {
	const headers = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
	const params = new URLSearchParams(form);
	authenticate(dir, client, secret, url, headers, params);
	const res = await fetch(url, { method: 'POST', headers, body: params.toString() });
	return { status: res.status, json: await res.json() };
}

async function login(dir, client, scope = 'openid offline_access items') {
	const conf = JSON.parse(fs.readFileSync(path.join(dir, 'oidc_secrets.json'), 'utf8'));
	const secret = conf.clients[client.split('/')[0]];
	if (!secret && !client.startsWith('rest_fdw_key_jwt')) throw new Error(`no secret for client ${client}`);
	const auth = await post(dir, `${conf.issuer}/device/auth`, client, secret, { scope });
	if (auth.status !== 200 || !auth.json.user_code) {
		throw new Error(`device authorization: HTTP ${auth.status} ${auth.json.error || ''}`);
	}
	await approve(conf.issuer, auth.json.user_code);
	for (let i = 0; i < 20; i++) {
		const tok = await post(dir, `${conf.issuer}/token`, client, secret, {
			grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
			device_code: auth.json.device_code,
		});
		if (tok.status === 200 && tok.json.refresh_token) return tok.json.refresh_token;
		if (tok.json.error !== 'authorization_pending' && tok.json.error !== 'slow_down') {
			throw new Error(`device code grant: HTTP ${tok.status} ${tok.json.error || ''}`
				+ (tok.status === 200 ? ' (no refresh token)' : ''));
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error('device code grant: still pending');
}

module.exports = { login };

if (require.main === module) {
	const [dir, client, scope] = process.argv.slice(2);
	if (!dir || !client) {
		console.error('usage: node oidc-login.cjs DIR CLIENT [SCOPE]');
		process.exit(2);
	}
	login(dir, client, scope).then((rt) => process.stdout.write(rt + '\n'), (err) => {
		console.error('oidc-login: ' + err.message);
		process.exit(1);
	});
}
