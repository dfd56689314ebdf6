#!/usr/bin/env node
// The npm test servers of rest_fdw, in one process, each on a free port of
// 127.0.0.1 (test/lib.sh starts this, and stops it with the test API):
//
//   node test/npm/serve.cjs DIR
//
//   json-server (REST, reads and writes): DIR/json-server.json, a copy of
//     test/npm/db.json (json-server writes to it), port in DIR/json_server_port
//   json-graphql-server (GraphQL at /): test/npm/graphql.json, read only,
//     port in DIR/graphql_port
//   oidc-provider (an OAuth 2.0 authorization server with a protected
//     resource, test/npm/oidc.cjs): port in DIR/oidc_port, its client
//     secrets and keys in DIR/oidc_*
//
// Each port file is written (atomically) once that server listens; a server
// that cannot start ends the process with status 1.  Every request is
// logged to standard output: server, method, URL, status.
'use strict';

const fs = require('fs');
const path = require('path');
const express = require('express');
const jsonServer = require('json-server');
const { jsonGraphqlExpress } = require('json-graphql-server/node');

const HOST = '127.0.0.1';
const dir = process.argv[2];
if (!dir) {
	console.error('usage: node serve.cjs DIR');
	process.exit(2);
}

function logRequests(app, name) {
	app.use((req, res, next) => {
		res.on('finish', () => console.log(name + ' ' + req.method + ' ' + req.originalUrl + ' ' + res.statusCode));
		next();
	});
}

function listen(app, name, portFile) {
	const server = app.listen(0, HOST, () => {
		const tmp = path.join(dir, portFile + '.tmp');
		fs.writeFileSync(tmp, server.address().port + '\n');
		fs.renameSync(tmp, path.join(dir, portFile));
	});
	server.on('error', (err) => {
		console.error(name + ': ' + err.message);
		process.exit(1);
	});
}

// json-server 0.17: GET /items?_start=&_limit= (or _end=), ?_page=&_limit=
// (with a Link header), both with X-Total-Count; POST, PUT, PATCH, DELETE
const db = path.join(dir, 'json-server.json');
fs.copyFileSync(path.join(__dirname, 'db.json'), db);
const rest = jsonServer.create();
logRequests(rest, 'json-server');
rest.use(jsonServer.defaults({ logger: false, static: path.join(dir, 'no-static-files') }));
rest.use(jsonServer.router(db));
listen(rest, 'json-server', 'json_server_port');

// json-graphql-server: POST / {"query": ..., "variables": ...}
const data = JSON.parse(fs.readFileSync(path.join(__dirname, 'graphql.json'), 'utf8'));
const graphql = express();
logRequests(graphql, 'json-graphql-server');
graphql.use('/', jsonGraphqlExpress(data));
listen(graphql, 'json-graphql-server', 'graphql_port');

// oidc-provider: test/npm/oidc.cjs
require('./oidc.cjs').start(dir).catch((err) => {
	console.error('oidc-provider: ' + err.message);
	process.exit(1);
});
