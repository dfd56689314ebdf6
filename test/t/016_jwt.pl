#!/usr/bin/perl
#
# Signed JWTs at a real authorization server: oidc-provider
# (test/npm/oidc.cjs), which verifies them with jose.
#
# The JWT bearer grant (RFC 7523 section 2.1, grant_type 'jwt_bearer') with
# the trusted service accounts of oidc.cjs: an RSA key and an EC P-256 key
# as PEM text, and a Google-style service-account JSON key file, whose
# client_email, private_key_id and token_uri give iss, kid and aud.  The
# provider refuses an assertion whose jti it saw before, so every token
# request that succeeds proves a new jti.  Client authentication by
# private_key_jwt (rest_fdw_key_jwt, its RSA and EC keys) and
# client_secret_jwt (rest_fdw_secret_jwt), with the client_credentials and
# refresh_token grants (a first refresh token by the device flow:
# test/npm/oidc-login.cjs) and with jwt_bearer, and at the revocation
# endpoint.  Wrong keys give the
# provider's invalid_grant or invalid_client as errors that say what to
# check.  Neither the node's log (log_min_messages = debug5) nor anything
# psql printed holds a private key, a client secret, an assertion the
# provider was sent or a token it issued.
#
# Runs on a node of its own (PostgreSQL::Test::Cluster, make
# prove_installcheck) with the REST_TEST_OIDC_* variables of test/lib.sh.
# Keys and secrets reach psql through environment variables only.
#
use strict;
use warnings;

use HTTP::Tiny;
use IPC::Run qw(run);
use JSON::PP;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $issuer = $ENV{REST_TEST_OIDC_ISSUER} or BAIL_OUT('REST_TEST_OIDC_ISSUER is not set');
my $oidc_dir = $ENV{REST_TEST_OIDC_DIR} or BAIL_OUT('REST_TEST_OIDC_DIR is not set');
$ENV{REST_TEST_OIDC_SA_GOOGLE_KEY} or BAIL_OUT('REST_TEST_OIDC_SA_GOOGLE_KEY is not set');
my $npm_log = $ENV{REST_TEST_NPM_LOG};
my $db = 'rest_fdw_tap16';
my $node = main_node('main');
$RestFdwTest::db = $db;
my $http = HTTP::Tiny->new(timeout => 30);
my $npm = "$FindBin::Bin/../npm";
my @seeds;      # refresh tokens this test was given
my @printed;    # everything psql printed

sub slurp { return PostgreSQL::Test::Utils::slurp_file($_[0]); }

# the keys, as psql will read them (\getenv)
$ENV{REST_TAP16_SA_RSA} = slurp($ENV{REST_TEST_OIDC_SA_RSA_KEY});
$ENV{REST_TAP16_SA_EC} = slurp($ENV{REST_TEST_OIDC_SA_EC_KEY});
$ENV{REST_TAP16_SA_GOOGLE} = slurp($ENV{REST_TEST_OIDC_SA_GOOGLE_KEY});
$ENV{REST_TAP16_CLIENT_RSA} = slurp($ENV{REST_TEST_OIDC_RSA_KEY});
$ENV{REST_TAP16_CLIENT_EC} = slurp($ENV{REST_TEST_OIDC_EC_KEY});
my $google = decode_json($ENV{REST_TAP16_SA_GOOGLE});

sub run_psql
{
	my ($sql) = @_;
	my ($rc, $out, $err) = psql($sql);
	push @printed, $out, $err;
	return ($rc, $out, $err);
}

sub login
{
	my ($client) = @_;
	my ($out, $err) = ('', '');
	run([ 'node', "$npm/oidc-login.cjs", $oidc_dir, $client ], '<', \undef, '>', \$out, '2>', \$err)
	  or die "oidc-login.cjs $client failed: $err";
	chomp $out;
	die "oidc-login.cjs $client printed no refresh token" unless $out =~ /^[A-Za-z0-9_-]{20,}$/;
	push @seeds, $out;
	return $out;
}

sub stats
{
	my $res = $http->get("$issuer/_test/stats");
	die "GET /_test/stats: $res->{status}" unless $res->{success};
	return decode_json($res->{content});
}

sub counter
{
	my ($who, $what) = @_;
	return stats()->{clients}{$who}{$what} // 0;
}

sub expire_access_tokens
{
	my $res = $http->post("$issuer/_test/expire");
	die "POST /_test/expire: $res->{status}" unless $res->{success};
}

my $cols = '(id int, name text, amount int)';
my $table_options = "OPTIONS (endpoint '/resource/items', rows_path 'items', paging 'offset',\n"
  . "  page_size '100', total_count_path 'total')";
my $all = '250|62750';

# A server, a user mapping and a foreign table "NAME_items"; $server and
# $mapping are more options (", a 'b'"), psql variables allowed.
sub make_server
{
	my ($name, $server, $mapping) = @_;
	return run_psql(<<"EOF");
\\getenv issuer REST_TEST_OIDC_ISSUER
\\getenv sa_rsa REST_TAP16_SA_RSA
\\getenv sa_ec REST_TAP16_SA_EC
\\getenv sa_google REST_TAP16_SA_GOOGLE
\\getenv client_rsa REST_TAP16_CLIENT_RSA
\\getenv client_ec REST_TAP16_CLIENT_EC
\\getenv secret_jwt_secret REST_TEST_OIDC_SECRET_JWT_SECRET
\\getenv seed REST_TAP16_SEED
\\set token_uri :issuer '/token'
\\set ON_ERROR_STOP 1
CREATE SERVER $name FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'issuer', authentication_method 'oauth2',
           token_uri :'token_uri', max_retries '0'$server);
CREATE USER MAPPING FOR CURRENT_USER SERVER $name OPTIONS ($mapping);
CREATE FOREIGN TABLE ${name}_items $cols SERVER $name $table_options;
EOF
}

sub scan
{
	my ($name) = @_;
	return run_psql("\\set ON_ERROR_STOP 1\nSELECT count(*), sum(amount) FROM ${name}_items;\n");
}

my ($rc, $out, $err);

($rc, $out, $err) = psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);
($rc, $out, $err) = run_psql("CREATE EXTENSION rest_fdw;");
is($rc, 0, 'create extension') or diag($err);

# ------------------------------------------------------------------
# jwt_bearer with service-account keys as PEM text
# ------------------------------------------------------------------
($rc, $out, $err) = make_server('jb_rsa',
	", client_id 'rest_fdw_public', grant_type 'jwt_bearer', scope 'items'",
	"private_key :'sa_rsa', jwt_issuer 'sa-rsa\@rest-fdw.test'");
is($rc, 0, 'jwt_bearer RS256: set up') or diag($err);
my $accepted = counter('sa-rsa@rest-fdw.test', 'assertions_accepted');
($rc, $out, $err) = scan('jb_rsa');
is($out, $all, 'jwt_bearer RS256: all items') or diag($err);
is(counter('sa-rsa@rest-fdw.test', 'assertions_accepted') - $accepted, 1, 'jwt_bearer RS256: one assertion');
my $jwt = stats()->{jwt}{'sa-rsa@rest-fdw.test'};
is($jwt->{alg}, 'RS256', 'jwt_bearer RS256: the algorithm is the key\'s');
is($jwt->{sub}, 'sa-rsa@rest-fdw.test', 'jwt_bearer RS256: sub defaults to the issuer');
is($jwt->{scope_claim}, 'items', 'jwt_bearer: the scope is a claim');
is($jwt->{scope_param}, 'items', 'jwt_bearer: ... and a form field');
is($jwt->{lifetime}, 300, 'jwt_bearer: exp - iat is jwt_lifetime\'s default, 300 s');
is($jwt->{kid}, undef, 'jwt_bearer: no kid without jwt_key_id');

# a second token request: a new assertion, a new jti (the provider refuses
# one it saw), and nothing reused
expire_access_tokens();
($rc, $out, $err) = scan('jb_rsa');
is($out, $all, 'jwt_bearer RS256: all items after the token was destroyed') or diag($err);
is(counter('sa-rsa@rest-fdw.test', 'assertions_accepted') - $accepted, 2,
	'jwt_bearer RS256: ... with a second assertion, which the provider accepted');
is(counter('sa-rsa@rest-fdw.test', 'jti_reused'), 0, 'jwt_bearer: no jti was reused');
($rc, $out, $err) = scan('jb_rsa');
is(counter('sa-rsa@rest-fdw.test', 'assertions_accepted') - $accepted, 2,
	'jwt_bearer RS256: a new session uses the stored access token');

($rc, $out, $err) = make_server('jb_ec',
	", client_id 'rest_fdw_public', grant_type 'jwt_bearer', jwt_lifetime '120'",
	"private_key :'sa_ec', jwt_issuer 'sa-ec\@rest-fdw.test', jwt_subject 'regress_alice', "
	  . "jwt_algorithm 'ES256', jwt_key_id 'ec-1'");
is($rc, 0, 'jwt_bearer ES256: set up') or diag($err);
($rc, $out, $err) = scan('jb_ec');
is($out, $all, 'jwt_bearer ES256: all items') or diag($err);
$jwt = stats()->{jwt}{'sa-ec@rest-fdw.test'};
is($jwt->{alg}, 'ES256', 'jwt_bearer ES256: signed with ES256');
is($jwt->{sub}, 'regress_alice', 'jwt_bearer ES256: sub is jwt_subject');
is($jwt->{lifetime}, 120, 'jwt_bearer ES256: exp - iat is jwt_lifetime');
is($jwt->{kid}, 'ec-1', 'jwt_bearer ES256: kid is jwt_key_id');
is($jwt->{scope_claim}, undef, 'jwt_bearer ES256: no scope, no scope claim');

# a Google service-account JSON key file: iss, kid and aud from the file
($rc, $out, $err) = make_server('jb_google',
	", client_id 'rest_fdw_public', grant_type 'jwt_bearer', scope 'items'",
	"private_key :'sa_google'");
is($rc, 0, 'jwt_bearer with a JSON key file: set up') or diag($err);
($rc, $out, $err) = scan('jb_google');
is($out, $all, 'jwt_bearer with a JSON key file: all items') or diag($err);
$jwt = stats()->{jwt}{ $google->{client_email} };
ok($jwt, 'jwt_bearer with a JSON key file: iss is its client_email');
is($jwt->{kid}, $google->{private_key_id}, '... kid its private_key_id');
is($jwt->{sub}, undef, '... and no sub (Google reads it as a user to act for)');

# ------------------------------------------------------------------
# private_key_jwt and client_secret_jwt
# ------------------------------------------------------------------
for my $case ([ 'pkj_rsa', 'client_rsa', 'rest-fdw-rsa', 'RS256' ], [ 'pkj_ec', 'client_ec', 'rest-fdw-ec', 'ES256' ])
{
	my ($name, $key, $kid, $alg) = @$case;
	($rc, $out, $err) = make_server($name,
		", client_id 'rest_fdw_key_jwt', client_auth 'private_key_jwt', grant_type 'client_credentials'",
		"private_key :'$key', jwt_key_id '$kid'");
	is($rc, 0, "private_key_jwt $alg, client_credentials: set up") or diag($err);
	my $cc = counter('rest_fdw_key_jwt', 'client_credentials');
	($rc, $out, $err) = scan($name);
	is($out, $all, "private_key_jwt $alg, client_credentials: all items") or diag($err);
	expire_access_tokens();
	($rc, $out, $err) = scan($name);
	is($out, $all, "private_key_jwt $alg: all items after the token was destroyed") or diag($err);
	is(counter('rest_fdw_key_jwt', 'client_credentials') - $cc, 2,
		"private_key_jwt $alg: two grants, two client assertions");
}

$ENV{REST_TAP16_SEED} = login('rest_fdw_key_jwt');
($rc, $out, $err) = make_server('pkj_rt',
	", client_id 'rest_fdw_key_jwt', client_auth 'private_key_jwt'",
	"private_key :'client_ec', refresh_token :'seed'");
is($rc, 0, 'private_key_jwt, refresh_token grant: set up') or diag($err);
my $refreshes = counter('rest_fdw_key_jwt', 'refreshes');
($rc, $out, $err) = scan('pkj_rt');
is($out, $all, 'private_key_jwt, refresh_token grant: all items') or diag($err);
expire_access_tokens();
($rc, $out, $err) = scan('pkj_rt');
is($out, $all, 'private_key_jwt, refresh_token grant: after the token was destroyed') or diag($err);
is(counter('rest_fdw_key_jwt', 'refreshes') - $refreshes, 2, 'private_key_jwt: two refreshes');

# revocation (RFC 7009): the client authenticates there by its JWT too
my $revocations = counter('rest_fdw_key_jwt', 'grants_revoked');
($rc, $out, $err) = run_psql(<<"EOF");
\\getenv issuer REST_TEST_OIDC_ISSUER
\\set revocation_uri :issuer '/token/revocation'
\\set ON_ERROR_STOP 1
ALTER SERVER pkj_rt OPTIONS (ADD revocation_uri :'revocation_uri');
SELECT rest_fdw_forget_tokens('pkj_rt', current_user, revoke => true) > 0;
EOF
is($rc, 0, 'private_key_jwt: the refresh token is revoked') or diag($err);
is(counter('rest_fdw_key_jwt', 'grants_revoked') - $revocations, 1,
	'private_key_jwt: ... at the revocation endpoint, which authenticated the client and revoked the grant');

$ENV{REST_TAP16_SEED} = login('rest_fdw_secret_jwt');
($rc, $out, $err) = make_server('csj_rt',
	", client_id 'rest_fdw_secret_jwt', client_auth 'client_secret_jwt'",
	"client_secret :'secret_jwt_secret', refresh_token :'seed'");
is($rc, 0, 'client_secret_jwt, refresh_token grant: set up') or diag($err);
$refreshes = counter('rest_fdw_secret_jwt', 'refreshes');
($rc, $out, $err) = scan('csj_rt');
is($out, $all, 'client_secret_jwt, refresh_token grant: all items') or diag($err);
expire_access_tokens();
($rc, $out, $err) = scan('csj_rt');
is($out, $all, 'client_secret_jwt: after the token was destroyed') or diag($err);
is(counter('rest_fdw_secret_jwt', 'refreshes') - $refreshes, 2, 'client_secret_jwt: two refreshes');

# client_secret_jwt for the client, jwt_bearer for the grant
($rc, $out, $err) = make_server('csj_jb',
	", client_id 'rest_fdw_secret_jwt', client_auth 'client_secret_jwt', grant_type 'jwt_bearer'",
	"client_secret :'secret_jwt_secret', private_key :'sa_rsa', jwt_issuer 'sa-rsa\@rest-fdw.test'");
is($rc, 0, 'client_secret_jwt with jwt_bearer: set up') or diag($err);
($rc, $out, $err) = scan('csj_jb');
is($out, $all, 'client_secret_jwt with jwt_bearer: all items') or diag($err);
is(stats()->{jwt}{'sa-rsa@rest-fdw.test'}{client}, 'rest_fdw_secret_jwt',
	'client_secret_jwt with jwt_bearer: the provider authenticated the client');

# ------------------------------------------------------------------
# Wrong keys: the provider's error, and what to check
# ------------------------------------------------------------------
($rc, $out, $err) = make_server('jb_wrong',
	", client_id 'rest_fdw_public', grant_type 'jwt_bearer'",
	"private_key :'sa_ec', jwt_issuer 'sa-rsa\@rest-fdw.test'");
is($rc, 0, 'jwt_bearer with the wrong key: set up') or diag($err);
($rc, $out, $err) = scan('jb_wrong');
isnt($rc, 0, 'jwt_bearer with the wrong key: refused');
like($err, qr/could not obtain an OAuth 2.0 access token for server "jb_wrong"/, '... naming the server');
like($err, qr/invalid_grant/, '... with invalid_grant');
like($err, qr/HINT:.*trusts the key in private_key/, '... and a hint about the key');

($rc, $out, $err) = make_server('pkj_wrong',
	", client_id 'rest_fdw_key_jwt', client_auth 'private_key_jwt', grant_type 'client_credentials'",
	"private_key :'sa_rsa'");
is($rc, 0, 'private_key_jwt with the wrong key: set up') or diag($err);
($rc, $out, $err) = scan('pkj_wrong');
isnt($rc, 0, 'private_key_jwt with the wrong key: refused');
like($err, qr/invalid_client/, '... with invalid_client');
like($err, qr/HINT:.*private_key/, '... and a hint naming private_key');

($rc, $out, $err) = make_server('csj_wrong',
	", client_id 'rest_fdw_secret_jwt', client_auth 'client_secret_jwt', grant_type 'client_credentials'",
	"client_secret 'not-the-secret'");
($rc, $out, $err) = scan('csj_wrong');
like($err, qr/invalid_client/, 'client_secret_jwt with the wrong secret: invalid_client');

# ES256 asked of an RSA key: refused before anything is sent
($rc, $out, $err) = make_server('jb_mismatch',
	", client_id 'rest_fdw_public', grant_type 'jwt_bearer', jwt_algorithm 'ES256'",
	"private_key :'sa_rsa', jwt_issuer 'sa-rsa\@rest-fdw.test'");
($rc, $out, $err) = scan('jb_mismatch');
like($err, qr/option "jwt_algorithm" does not fit the private key of the user mapping for server "jb_mismatch"/,
	'jwt_algorithm ES256 with an RSA key: refused');

# ------------------------------------------------------------------
# No secret in the node's log, nor in anything psql printed
# ------------------------------------------------------------------
{
	my @secrets = (@seeds, grep { $_ } $ENV{REST_TEST_OIDC_SECRET_JWT_SECRET});
	for my $pem (@ENV{qw(REST_TAP16_SA_RSA REST_TAP16_SA_EC REST_TAP16_CLIENT_RSA REST_TAP16_CLIENT_EC)},
		$google->{private_key})
	{
		my @lines = split /\n/, $pem;
		push @secrets, grep { length($_) >= 16 } @lines[ 1 .. $#lines - 1 ];
	}
	open my $fh, '<', $ENV{REST_TEST_OIDC_ISSUED_TOKENS} or die "REST_TEST_OIDC_ISSUED_TOKENS: $!";
	chomp(my @issued = <$fh>);
	close $fh;
	my @assertions = grep { /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/ } @issued;
	ok(@assertions >= 10, 'the provider listed the assertions it was sent (' . scalar(@assertions) . ')');
	push @secrets, @issued;
	my $log = slurp($node->logfile);
	ok(length($log) > 0, 'the node\'s log is not empty');
	like($log, qr/DEBUG/, '... and holds debug messages');
	is(scalar(grep { index($log, $_) >= 0 } @secrets), 0, 'no key, secret, assertion or token in the node\'s log');
	my $printed = join("\n", @printed);
	is(scalar(grep { index($printed, $_) >= 0 } @secrets), 0, 'none in what psql printed');
	if ($npm_log)
	{
		my $text = slurp($npm_log);
		is(scalar(grep { index($text, $_) >= 0 } @secrets), 0, 'none in the npm servers\' log');
	}
}

psql("DROP DATABASE $db;", 'postgres');
done_testing();
