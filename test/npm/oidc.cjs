#!/usr/bin/env node
// A real OAuth 2.0 authorization server for the rest_fdw tests: oidc-provider
// (test/npm/package.json) on a free port of 127.0.0.1, with a protected
// resource that it guards.  test/npm/serve.cjs starts it in its own process
// (start(DIR)); alone, for trying it out:
//
//   node test/npm/oidc.cjs DIR
//
// Writes, in DIR (mode 0600):
//   oidc_port           its port, once it listens (atomically, last)
//   oidc_secrets.json   {"issuer", "clients": {id: secret}}, random per run
//   oidc_rsa_key.pem, oidc_ec_key.pem
//                       the private keys (PKCS#8) of rest_fdw_key_jwt's JWKS
//   oidc_sa_rsa_key.pem, oidc_sa_ec_key.pem
//                       the private keys (PKCS#8) of the service accounts
//                       sa-rsa@rest-fdw.test and sa-ec@rest-fdw.test, which
//                       the JWT bearer grant trusts
//   oidc_sa_google.json a Google-style service-account JSON key file
//                       (private_key, client_email, private_key_id,
//                       token_uri) of a third trusted account
//   oidc_issued_tokens  every access and refresh token, device code and
//                       authorization code it issued, and every JWT
//                       assertion, client assertion and PKCE code verifier it
//                       was sent, one a line (test/in-cluster.sh looks for
//                       them in the server logs)
//
// The issuer is http://127.0.0.1:PORT: /token, /device/auth, /device,
// /token/revocation, /token/introspection, /jwks, discovery.  Refresh tokens
// always rotate; presenting one that was rotated already (oidc-provider's
// reuse detection) is invalid_grant and revokes the whole grant.  Access
// tokens live OIDC_ACCESS_TOKEN_TTL seconds (default 60).
//
// Clients (all with authorization_code, refresh_token, device_code,
// client_credentials and jwt-bearer): rest_fdw_basic (client_secret_basic),
// rest_fdw_post (client_secret_post), rest_fdw_secret_jwt
// (client_secret_jwt), rest_fdw_key_jwt (private_key_jwt: an RSA and an EC
// P-256 key), rest_fdw_public (none: a public client).  Their redirect URI
// is http://127.0.0.1/callback (nothing listens there).
//
// The JWT bearer grant (RFC 7523 section 2.1,
// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer): the assertion
// must be signed (RS256 or ES256) by the key of a trusted service account,
// its iss; sub must be that account or one of JWT_SUBJECTS (absent only
// for the Google-style account), aud the issuer or its token endpoint, kid
// (when the account has one) the account's, exp - iat at most 3600 s and
// exp in the future, and its jti never seen before (a reused one is
// invalid_grant, counted as jti_reused).  The scope comes from the form
// or the assertion's "scope" claim.  It issues a client credentials token.
//
// Besides the provider:
//   GET /resource/items?limit=N&offset=M  the protected resource: 250 items
//       {"items": [{"id", "name", "amount"}...], "total": 250}, for a valid
//       Bearer access token (refresh or client credentials); else 401 with
//       WWW-Authenticate
//   GET /_test/stats        counters, in total and per client, and per
//       service account under "jwt" (the last assertion's alg, kid, sub,
//       scope and lifetime: no token, no jti)
//   POST /_test/expire      destroys every access token issued so far
//   POST /_test/device?interval=N&slow_down=M  the interval (seconds) that
//       device authorization responses give from then on (none: the
//       provider gives none, so clients take 5), and how many of the next
//       device code polls get slow_down instead of authorization_pending;
//       clears the record of polls
//   GET /_test/device       {"polls": [{"at": ms since the epoch, "result":
//       error code or "token"}...]}: the device code polls since then
//   POST /_test/grant       body: a refresh token; {"issued", "found",
//       "consumed", "grant_active"}: whether the provider issued it, still
//       has it, has rotated it, and whether its grant still exists
// Every request is logged to standard output as "oidc METHOD PATH STATUS"
// (the query string only for /resource); no body, header or token.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');

const HOST = '127.0.0.1';
const ITEMS = 250;

function writePrivate(dir, name, text) {
	const tmp = path.join(dir, name + '.tmp');
	fs.writeFileSync(tmp, text, { mode: 0o600 });
	fs.renameSync(tmp, path.join(dir, name));
}

function readBody(req, limit = 65536) {
	return new Promise((resolve, reject) => {
		let body = '';
		req.setEncoding('utf8');
		req.on('data', (c) => {
			body += c;
			if (body.length > limit) reject(new Error('body too large'));
		});
		req.on('end', () => resolve(body));
		req.on('error', reject);
	});
}

function sendJson(res, status, obj, headers = {}) {
	res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
	res.end(JSON.stringify(obj));
}

async function start(dir) {
	const { default: Provider } = await import('oidc-provider');
	const ttl = parseInt(process.env.OIDC_ACCESS_TOKEN_TTL || '60', 10);

	// the port first: the issuer names it
	const server = http.createServer();
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, HOST, resolve);
	});
	const port = server.address().port;
	const issuer = `http://${HOST}:${port}`;

	// rest_fdw_key_jwt's keys: the public halves in its JWKS
	const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
	const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const rsaJwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rest-fdw-rsa', use: 'sig', alg: 'RS256' };
	const ecJwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'rest-fdw-ec', use: 'sig', alg: 'ES256' };
	writePrivate(dir, 'oidc_rsa_key.pem', rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }));
	writePrivate(dir, 'oidc_ec_key.pem', ec.privateKey.export({ format: 'pem', type: 'pkcs8' }));
	// the provider's own signing key (ID tokens)
	const signing = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
	const signingJwk = { ...signing.privateKey.export({ format: 'jwk' }), kid: 'op-rsa', use: 'sig', alg: 'RS256' };
	// the service accounts that the JWT bearer grant trusts
	const saRsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
	const saEc = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const saGoogle = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
	const googleKid = crypto.randomBytes(20).toString('hex');
	const accounts = new Map([
		['sa-rsa@rest-fdw.test', { key: saRsa.publicKey, alg: 'RS256' }],
		['sa-ec@rest-fdw.test', { key: saEc.publicKey, alg: 'ES256' }],
		['sa-google@rest-fdw.iam.gserviceaccount.com', { key: saGoogle.publicKey, alg: 'RS256', kid: googleKid, noSub: true }],
	]);
	writePrivate(dir, 'oidc_sa_rsa_key.pem', saRsa.privateKey.export({ format: 'pem', type: 'pkcs8' }));
	writePrivate(dir, 'oidc_sa_ec_key.pem', saEc.privateKey.export({ format: 'pem', type: 'pkcs8' }));
	writePrivate(dir, 'oidc_sa_google.json', JSON.stringify({
		type: 'service_account',
		project_id: 'rest-fdw-test',
		private_key_id: googleKid,
		private_key: saGoogle.privateKey.export({ format: 'pem', type: 'pkcs8' }),
		client_email: 'sa-google@rest-fdw.iam.gserviceaccount.com',
		client_id: '100000000000000000001',
		auth_uri: `${issuer}/auth`,
		token_uri: `${issuer}/token`,
	}, null, 2) + '\n');

	const secret = () => 'oidc-' + crypto.randomBytes(32).toString('hex');
	const secrets = {
		rest_fdw_basic: secret(),
		rest_fdw_post: secret(),
		rest_fdw_secret_jwt: secret(),
	};
	const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
	const JWT_SUBJECTS = new Set(['regress_alice']);
	const grantTypes = ['authorization_code', 'refresh_token',
		'urn:ietf:params:oauth:grant-type:device_code', 'client_credentials', JWT_BEARER];
	const common = {
		grant_types: grantTypes,
		response_types: ['code'],
		redirect_uris: [`http://${HOST}/callback`],
		scope: 'openid offline_access items',
	};
	const clients = [
		{ ...common, client_id: 'rest_fdw_basic', client_secret: secrets.rest_fdw_basic,
			token_endpoint_auth_method: 'client_secret_basic' },
		{ ...common, client_id: 'rest_fdw_post', client_secret: secrets.rest_fdw_post,
			token_endpoint_auth_method: 'client_secret_post' },
		{ ...common, client_id: 'rest_fdw_secret_jwt', client_secret: secrets.rest_fdw_secret_jwt,
			token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'HS256' },
		{ ...common, client_id: 'rest_fdw_key_jwt', token_endpoint_auth_method: 'private_key_jwt',
			jwks: { keys: [rsaJwk, ecJwk] } },
		// a public client (no secret), for logins that create a user mapping
		{ ...common, client_id: 'rest_fdw_public', token_endpoint_auth_method: 'none' },
	];

	const provider = new Provider(issuer, {
		clients,
		jwks: { keys: [signingJwk] },
		cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
		scopes: ['openid', 'offline_access', 'items'],
		features: {
			devInteractions: { enabled: true },
			deviceFlow: { enabled: true },
			revocation: { enabled: true },
			introspection: { enabled: true },
			clientCredentials: { enabled: true },
		},
		// always rotate: the rotated one is consumed, and presenting it again
		// is invalid_grant and revokes the grant (grants/refresh_token.js)
		rotateRefreshToken: true,
		issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
		expiresWithSession: async () => false,
		pkce: { required: () => false },
		ttl: {
			AccessToken: ttl,
			ClientCredentials: ttl,
			RefreshToken: 24 * 60 * 60,
			DeviceCode: 600,
			Grant: 24 * 60 * 60,
			Interaction: 600,
			Session: 24 * 60 * 60,
			AuthorizationCode: 60,
			IdToken: 3600,
		},
		findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
		renderError: async (ctx, out) => {
			ctx.type = 'json';
			ctx.body = out;
		},
	});

	// the JWT bearer grant, verified with jose (a dependency of oidc-provider)
	const jose = require('jose');
	const { errors: { InvalidGrant } } = await import('oidc-provider');
	const seenJti = new Set();
	const tokenEndpoint = `${issuer}/token`;
	async function jwtBearer(ctx, next) {
		const { assertion } = ctx.oidc.params;
		issued(assertion);
		let header;
		let payload;
		try {
			header = jose.decodeProtectedHeader(assertion);
			payload = jose.decodeJwt(assertion);
		} catch (err) {
			throw new InvalidGrant('the assertion is not a JWT');
		}
		const account = accounts.get(payload.iss);
		if (!account) throw new InvalidGrant('the assertion\'s issuer is not a trusted service account');
		if (account.kid && header.kid !== account.kid) throw new InvalidGrant('the assertion\'s kid is not the account\'s key');
		try {
			({ payload } = await jose.jwtVerify(assertion, account.key, {
				algorithms: [account.alg], audience: [issuer, tokenEndpoint], issuer: payload.iss,
				requiredClaims: ['exp', 'iat', 'jti'],
			}));
		} catch (err) {
			count(payload.iss, 'jwt_rejected');
			throw new InvalidGrant('the assertion is invalid: ' + err.code);
		}
		if (payload.sub === undefined ? !account.noSub : payload.sub !== payload.iss && !JWT_SUBJECTS.has(payload.sub)) {
			throw new InvalidGrant('the assertion\'s subject is not allowed');
		}
		if (payload.exp - payload.iat > 3600) throw new InvalidGrant('the assertion lives longer than an hour');
		if (seenJti.has(payload.jti)) {
			count(payload.iss, 'jti_reused');
			throw new InvalidGrant('the assertion\'s jti was used before');
		}
		seenJti.add(payload.jti);
		const scope = ctx.oidc.params.scope || payload.scope;
		stats.jwt[payload.iss] = {
			alg: header.alg, kid: header.kid === undefined ? null : header.kid,
			sub: payload.sub === undefined ? null : payload.sub,
			scope_claim: payload.scope === undefined ? null : payload.scope,
			scope_param: ctx.oidc.params.scope || null,
			lifetime: payload.exp - payload.iat,
			client: clientOf(ctx) || null,
		};
		count(payload.iss, 'assertions_accepted');
		const token = new ctx.oidc.provider.ClientCredentials({ client: ctx.oidc.client, scope: scope || undefined });
		const value = await token.save();
		ctx.body = { access_token: value, expires_in: token.expiration, token_type: 'Bearer', scope: token.scope };
		await next();
	}
	provider.registerGrantType(JWT_BEARER, jwtBearer, ['assertion', 'scope']);

	// the device flow's pacing, as test/t/017_login.pl sets it (POST
	// /_test/device): an interval in the device authorization response, and
	// slow_down for the next polls that would be authorization_pending; each
	// device code poll is recorded with when it came and what it got
	const device = { interval: undefined, slowDown: 0, polls: [] };
	provider.use(async (ctx, next) => {
		await next();
		if (ctx.path === '/device/auth' && ctx.status === 200 && ctx.body && device.interval) {
			ctx.body = { ...ctx.body, interval: device.interval };
		}
		const params = ctx.oidc && ctx.oidc.params;
		if (ctx.path === '/token' && params && params.grant_type === 'urn:ietf:params:oauth:grant-type:device_code') {
			if (ctx.body && ctx.body.error === 'authorization_pending' && device.slowDown > 0) {
				device.slowDown--;
				ctx.status = 400;
				ctx.body = { error: 'slow_down', error_description: 'you are polling too quickly' };
			}
			device.polls.push({ at: Date.now(), result: (ctx.body && ctx.body.error) || 'token' });
		}
		// the PKCE code verifier a client sent: a secret of the client
		if (ctx.path === '/token' && params && params.grant_type === 'authorization_code' && params.code_verifier) {
			issued(params.code_verifier);
		}
	});

	// counters, from the provider's events
	const stats = { total: {}, clients: {}, jwt: {} };
	function count(client, what) {
		stats.total[what] = (stats.total[what] || 0) + 1;
		if (client) {
			const c = stats.clients[client] || (stats.clients[client] = {});
			c[what] = (c[what] || 0) + 1;
		}
	}
	const clientOf = (ctx) => ctx && ctx.oidc && ctx.oidc.client ? ctx.oidc.client.clientId : undefined;
	const issuedFile = path.join(dir, 'oidc_issued_tokens');
	const accessTokens = new Set();	// opaque: the value is the jti
	const ccTokens = new Set();
	function issued(value) {
		fs.appendFileSync(issuedFile, value + '\n', { mode: 0o600 });
	}
	// the client assertions too (private_key_jwt, client_secret_jwt)
	const clientAssertion = (ctx) => {
		const a = ctx && ctx.oidc && ctx.oidc.params && ctx.oidc.params.client_assertion;
		if (a) issued(a);
	};
	provider.on('grant.success', (ctx) => {
		clientAssertion(ctx);
		const gt = ctx.oidc.params.grant_type;
		count(clientOf(ctx), 'token_requests');
		count(clientOf(ctx), gt === 'refresh_token' ? 'refreshes'
			: gt === 'client_credentials' ? 'client_credentials'
				: gt === 'urn:ietf:params:oauth:grant-type:device_code' ? 'device_codes'
					: gt === JWT_BEARER ? 'jwt_bearer' : gt);
	});
	provider.on('grant.error', (ctx, err) => {
		clientAssertion(ctx);
		count(clientOf(ctx), 'token_errors');
		// the detail is not in the response: "grant request is invalid"
		if (err && (err.error_detail || err.message) === 'refresh token already used') {
			count(clientOf(ctx), 'reuse_detected');
		}
	});
	provider.on('grant.revoked', (ctx, grantId) => count(clientOf(ctx), 'grants_revoked'));
	provider.on('revocation.success', (ctx) => count(clientOf(ctx), 'revocations'));
	provider.on('refresh_token.consumed', (token) => count(token.clientId, 'rotations'));
	provider.on('access_token.saved', (token) => {
		accessTokens.add(token.jti);
		issued(token.jti);
	});
	provider.on('client_credentials.saved', (token) => {
		ccTokens.add(token.jti);
		issued(token.jti);
	});
	const grantOf = new Map();	// refresh token -> grant id, kept after destroy
	// the device codes and authorization codes: secrets of the login flows
	provider.on('device_code.saved', (token) => issued(token.jti));
	provider.on('authorization_code.saved', (token) => issued(token.jti));
	provider.on('refresh_token.saved', (token) => {
		grantOf.set(token.jti, token.grantId);
		issued(token.jti);
	});

	async function validToken(req) {
		const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(req.headers.authorization || '');
		if (!m) return null;
		const token = (await provider.AccessToken.find(m[1])) || (await provider.ClientCredentials.find(m[1]));
		if (!token || token.isExpired) return null;
		return token;
	}

	async function resource(req, res, url) {
		const token = await validToken(req);
		if (!token) {
			count(undefined, 'resource_unauthorized');
			const hint = req.headers.authorization ? ', error="invalid_token"' : '';
			return sendJson(res, 401, { error: 'invalid_token' },
				{ 'WWW-Authenticate': `Bearer realm="rest_fdw tests"${hint}` });
		}
		count(token.clientId, 'resource_requests');
		if (url.pathname !== '/resource/items') return sendJson(res, 404, { error: 'not found' });
		const limit = Math.min(Math.max(parseInt(url.searchParams.get('limit') || '100', 10) || 0, 0), 100);
		const offset = Math.max(parseInt(url.searchParams.get('offset') || '0', 10) || 0, 0);
		const items = [];
		for (let id = offset + 1; id <= Math.min(offset + limit, ITEMS); id++) {
			items.push({ id, name: `item ${String(id).padStart(3, '0')}`, amount: id * 2 });
		}
		return sendJson(res, 200, { items, total: ITEMS });
	}

	async function testEndpoint(req, res, url) {
		if (req.method === 'GET' && url.pathname === '/_test/stats') return sendJson(res, 200, stats);
		if (req.method === 'POST' && url.pathname === '/_test/expire') {
			let n = 0;
			for (const [model, set] of [[provider.AccessToken, accessTokens], [provider.ClientCredentials, ccTokens]]) {
				for (const jti of set) {
					await model.adapter.destroy(jti);
					n++;
				}
				set.clear();
			}
			return sendJson(res, 200, { expired: n });
		}
		if (req.method === 'POST' && url.pathname === '/_test/device') {
			const iv = url.searchParams.get('interval');
			device.interval = iv ? parseInt(iv, 10) : undefined;
			device.slowDown = parseInt(url.searchParams.get('slow_down') || '0', 10);
			device.polls = [];
			return sendJson(res, 200, { interval: device.interval || null, slow_down: device.slowDown });
		}
		if (req.method === 'GET' && url.pathname === '/_test/device') {
			return sendJson(res, 200, { polls: device.polls });
		}
		if (req.method === 'POST' && url.pathname === '/_test/grant') {
			const value = (await readBody(req)).trim();
			const grantId = grantOf.get(value);
			if (!grantId) return sendJson(res, 200, { issued: false });
			const rt = await provider.RefreshToken.find(value, { ignoreExpiration: true });
			const grant = await provider.Grant.find(grantId);
			return sendJson(res, 200, {
				issued: true, found: !!rt, consumed: !!(rt && rt.consumed), grant_active: !!grant,
			});
		}
		return sendJson(res, 404, { error: 'not found' });
	}

	const callback = provider.callback();
	server.on('request', (req, res) => {
		const url = new URL(req.url, issuer);
		const isResource = url.pathname.startsWith('/resource/');
		res.on('finish', () => console.log('oidc ' + req.method + ' '
			+ (isResource ? url.pathname + url.search : url.pathname) + ' ' + res.statusCode));
		let handler;
		if (isResource) handler = resource;
		else if (url.pathname.startsWith('/_test/')) handler = testEndpoint;
		if (!handler) return callback(req, res);
		handler(req, res, url).catch((err) => {
			console.error('oidc: ' + err.message);
			if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
		});
	});

	writePrivate(dir, 'oidc_secrets.json', JSON.stringify({ issuer, clients: secrets }) + '\n');
	writePrivate(dir, 'oidc_port', port + '\n');
	return { provider, server, issuer };
}

module.exports = { start };

if (require.main === module) {
	const dir = process.argv[2];
	if (!dir) {
		console.error('usage: node oidc.cjs DIR');
		process.exit(2);
	}
	start(dir).catch((err) => {
		console.error('oidc-provider: ' + err.message);
		process.exit(1);
	});
}
