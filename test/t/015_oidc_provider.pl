#!/usr/bin/perl
#
# rest_fdw against a real OAuth 2.0 authorization server: oidc-provider
# (test/npm/oidc.cjs, started by test/lib.sh next to the other npm servers),
# which rotates every refresh token and, when a rotated one is presented
# again, refuses it (invalid_grant) and revokes the whole grant.  A first
# refresh token comes from the device flow, approved over plain HTTP
# (test/npm/oidc-login.cjs); the foreign tables read its protected resource
# (/resource/items: 250 items, offset paging), whose test-only endpoints
# destroy the access tokens issued so far (POST /_test/expire: the next
# request is a 401, so rest_fdw refreshes) and count what the provider did
# (GET /_test/stats, from its events).  A second server whose user mapping
# holds the same, original seed reads with the grant the first one rotated
# (the grant's state is shared), and the two refresh in turn without ever
# presenting a rotated refresh token again.
#
# Runs on a node of its own (PostgreSQL::Test::Cluster, make
# prove_installcheck) with the REST_TEST_OIDC_* variables of test/lib.sh.
# Secrets reach psql through environment variables only.
#
use strict;
use warnings;

use HTTP::Tiny;
use IPC::Run qw(run);
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $issuer = $ENV{REST_TEST_OIDC_ISSUER} or BAIL_OUT('REST_TEST_OIDC_ISSUER is not set');
my $oidc_dir = $ENV{REST_TEST_OIDC_DIR} or BAIL_OUT('REST_TEST_OIDC_DIR is not set');
my $npm_log = $ENV{REST_TEST_NPM_LOG} or BAIL_OUT('REST_TEST_NPM_LOG is not set');
my $basic = $ENV{REST_TEST_OIDC_BASIC_CLIENT};
my $post = $ENV{REST_TEST_OIDC_POST_CLIENT};
my $db = 'rest_fdw_tap15';
my $node = main_node('main');
$RestFdwTest::db = $db;
$RestFdwTest::on_error_stop = 1;
my $http = HTTP::Tiny->new(timeout => 30);
my $npm = "$FindBin::Bin/../npm";
my @seeds;    # every refresh token this test was given, for the log check

# a new grant by the device flow: its refresh token (never printed)
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

# one counter of one client (0 when it never happened)
sub counter
{
	my ($client, $what) = @_;
	return stats()->{clients}{$client}{$what} // 0;
}

sub expire_access_tokens
{
	my $res = $http->post("$issuer/_test/expire");
	die "POST /_test/expire: $res->{status}" unless $res->{success};
	return decode_json($res->{content})->{expired};
}

# what the provider knows of a refresh token and its grant
sub grant_state
{
	my ($rt) = @_;
	my $res = $http->request('POST', "$issuer/_test/grant", { content => $rt });
	die "POST /_test/grant: $res->{status}" unless $res->{success};
	return decode_json($res->{content});
}

# a refresh_token grant at the token endpoint, client_secret_basic
sub refresh_by_hand
{
	my ($rt) = @_;
	my $auth = encode_base64("$basic:$ENV{REST_TEST_OIDC_BASIC_SECRET}", '');
	my $res = $http->post_form("$issuer/token", { grant_type => 'refresh_token', refresh_token => $rt },
		{ headers => { Authorization => "Basic $auth" } });
	return ($res->{status}, eval { decode_json($res->{content}) } // {});
}

my ($rc, $out, $err);

# ------------------------------------------------------------------
# The provider itself: rotation, and reuse detection that revokes the grant
# ------------------------------------------------------------------
{
	my $seed = login($basic);
	my $reuse = counter($basic, 'reuse_detected');
	my ($status, $tok) = refresh_by_hand($seed);
	is($status, 200, 'provider: a refresh token grant succeeds');
	ok($tok->{refresh_token} && $tok->{refresh_token} ne $seed, 'provider: ... and rotates the refresh token');
	push @seeds, $tok->{refresh_token} // ();
	is_deeply(grant_state($seed), { issued => JSON::PP::true, found => JSON::PP::true,
			consumed => JSON::PP::true, grant_active => JSON::PP::true },
		'provider: the old refresh token is consumed, the grant active');
	($status, my $again) = refresh_by_hand($seed);
	is($status, 400, 'provider: the rotated refresh token presented again is refused');
	is($again->{error}, 'invalid_grant', 'provider: ... with invalid_grant');
	is(counter($basic, 'reuse_detected'), $reuse + 1, 'provider: it counted a reuse');
	ok(!grant_state($seed)->{grant_active}, 'provider: ... and revoked the grant');
	($status, $again) = refresh_by_hand($tok->{refresh_token});
	is($again->{error}, 'invalid_grant', 'provider: the newest refresh token of that grant is refused too');
}

# ------------------------------------------------------------------
# The other clients authenticate to the provider as registered (by the
# driver here; rest_fdw's client_secret_jwt and private_key_jwt: 016_jwt.pl)
# ------------------------------------------------------------------
for my $client (qw(rest_fdw_post rest_fdw_secret_jwt rest_fdw_key_jwt rest_fdw_key_jwt/ec))
{
	(my $id = $client) =~ s{/.*}{};
	my $before = counter($id, 'device_codes');
	my $rt = eval { login($client) };
	ok($rt, "provider: $client gets a refresh token by the device flow") or diag($@);
	is(counter($id, 'device_codes') - $before, 1, "provider: ... in one device code grant");
}

# ------------------------------------------------------------------
# Set-up: a grant of rest_fdw_basic for the server "oidc"
# ------------------------------------------------------------------
($rc, $out, $err) = psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);

$ENV{REST_TAP15_SEED} = login($basic);
my $seed = $ENV{REST_TAP15_SEED};
# CREATE FOREIGN TABLE name (...) SERVER s $table_options
my $cols = '(id int, name text, amount int)';
my $table_options = "OPTIONS (endpoint '/resource/items', rows_path 'items', paging 'offset',\n"
  . "  page_size '100', total_count_path 'total')";
($rc, $out, $err) = psql(<<"EOF");
\\getenv issuer REST_TEST_OIDC_ISSUER
\\getenv client_id REST_TEST_OIDC_BASIC_CLIENT
\\getenv client_secret REST_TEST_OIDC_BASIC_SECRET
\\getenv seed REST_TAP15_SEED
\\set token_uri :issuer '/token'
CREATE EXTENSION rest_fdw;
CREATE SERVER oidc FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'issuer', authentication_method 'oauth2',
           token_uri :'token_uri', client_id :'client_id', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER oidc
  OPTIONS (client_secret :'client_secret', refresh_token :'seed');
CREATE FOREIGN TABLE items $cols SERVER oidc $table_options;
EOF
is($rc, 0, 'set up server, user mapping and foreign table') or diag($err);

my $query = "SELECT count(*), sum(amount), count(DISTINCT id) FROM items;\n";
my $rows = '250|62750|250';

# ------------------------------------------------------------------
# Reads, and refreshes with rotation across sessions
# ------------------------------------------------------------------
my $refreshes = counter($basic, 'refreshes');
my $revoked = counter($basic, 'grants_revoked');
my $reuse = counter($basic, 'reuse_detected');
my $unauthorized = stats()->{total}{resource_unauthorized} // 0;

($rc, $out, $err) = psql($query);
is($rc, 0, 'first scan') or diag($err);
is($out, $rows, 'all 250 items, each once, with their sum');
is(counter($basic, 'refreshes') - $refreshes, 1, 'one refresh for the first scan');
my $seed_state = grant_state($seed);
ok($seed_state->{consumed} && $seed_state->{grant_active}, 'the seed was rotated, the grant is active');

($rc, $out, $err) = psql($query);
is($out, $rows, 'a second session reads all items');
is(counter($basic, 'refreshes') - $refreshes, 1, 'with the stored access token: no refresh');

for my $round (1 .. 3)
{
	ok(expire_access_tokens() >= 1, "round $round: the provider destroyed its access tokens");
	($rc, $out, $err) = psql($query);
	is($rc, 0, "round $round: a new session after the access token was destroyed") or diag($err);
	is($out, $rows, "round $round: ... reads all items");
	is(counter($basic, 'refreshes') - $refreshes, 1 + $round,
		"round $round: ... after one refresh with the rotated refresh token");
}
ok((stats()->{total}{resource_unauthorized} // 0) - $unauthorized >= 3,
	'the resource refused the destroyed access tokens (401)');

# two statements of one session, the token destroyed between them
($rc, $out, $err) = psql(<<"EOF");
$query
SELECT (SELECT count(*) FROM items) = 250;
EOF
is($out, "$rows\nt", 'one session, two scans');
expire_access_tokens();
($rc, $out, $err) = psql("$query SELECT pg_sleep(0); $query");
is($out, "$rows\n\n$rows", 'one session, two scans after the token was destroyed');
is(counter($basic, 'refreshes') - $refreshes, 5, '... with one more refresh');
is(counter($basic, 'reuse_detected'), $reuse, 'no rotated refresh token was presented again');
is(counter($basic, 'grants_revoked'), $revoked, 'no grant was revoked');
ok(grant_state($seed)->{grant_active}, 'the grant is active');
($rc, $out, $err) = psql(
	"SELECT state || ' ' || refresh_count FROM rest_fdw_token_status() WHERE server_name = 'oidc';");
is($out, 'valid 5', 'the token status counts the 5 refreshes');

# ------------------------------------------------------------------
# A second server with a user mapping holding the same, original seed
# ------------------------------------------------------------------
($rc, $out, $err) = psql(<<"EOF");
\\getenv issuer REST_TEST_OIDC_ISSUER
\\getenv client_id REST_TEST_OIDC_BASIC_CLIENT
\\getenv client_secret REST_TEST_OIDC_BASIC_SECRET
\\getenv seed REST_TAP15_SEED
\\set token_uri :issuer '/token'
CREATE SERVER oidc2 FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'issuer', authentication_method 'oauth2',
           token_uri :'token_uri', client_id :'client_id', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER oidc2
  OPTIONS (client_secret :'client_secret', refresh_token :'seed');
CREATE FOREIGN TABLE items2 $cols SERVER oidc2 $table_options;
EOF
is($rc, 0, 'a second server and user mapping with the same seed') or diag($err);
($rc, $out, $err) = psql("SELECT count(*), sum(amount) FROM items2;\n");
my $second = { rc => $rc, out => $out, err => $err };
($rc, $out, $err) = psql($query);
my $first_again = { rc => $rc, out => $out, err => $err };
is($second->{rc}, 0, 'the second server reads with the grant the first one rotated')
  or diag($second->{err});
is($second->{out}, '250|62750', '... all items');
is(counter($basic, 'reuse_detected'), $reuse, 'the second server presented no rotated refresh token');
ok(grant_state($seed)->{grant_active}, 'the grant is still active');
is($first_again->{rc}, 0, 'the first server still reads') or diag($first_again->{err});
is($first_again->{out}, $rows, '... all items');
# the two refresh in turn, each in sessions of its own
my $before_rounds = counter($basic, 'refreshes');
for my $round (1 .. 3)
{
	expire_access_tokens();
	my ($r2, $o2, $e2) = psql("SELECT count(*), sum(amount) FROM items2;\n");
	my ($r1, $o1, $e1) = psql($query);
	ok($r1 == 0 && $r2 == 0 && $o2 eq '250|62750' && $o1 eq $rows,
		"round $round: both servers read all items") or diag("$e2\n$e1");
}
is(counter($basic, 'refreshes') - $before_rounds, 3, 'one refresh a round, for both servers');
is(counter($basic, 'reuse_detected'), $reuse, 'no rotated refresh token was presented again');
is(counter($basic, 'grants_revoked'), $revoked, 'no grant was revoked');
ok(grant_state($seed)->{grant_active}, 'the grant survived');
($rc, $out, $err) = psql("SELECT count(DISTINCT grant_id) FROM rest_fdw_token_status() "
	  . "WHERE server_name IN ('oidc', 'oidc2');");
is($out, '1', 'rest_fdw_token_status shows one grant for both servers');

# ------------------------------------------------------------------
# client_secret_post: rest_fdw_post, client_auth 'post'
# ------------------------------------------------------------------
$ENV{REST_TAP15_POST_SEED} = login($post);
($rc, $out, $err) = psql(<<"EOF");
\\getenv issuer REST_TEST_OIDC_ISSUER
\\getenv client_id REST_TEST_OIDC_POST_CLIENT
\\getenv client_secret REST_TEST_OIDC_POST_SECRET
\\getenv seed REST_TAP15_POST_SEED
\\set token_uri :issuer '/token'
CREATE SERVER oidc_post FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'issuer', authentication_method 'oauth2',
           token_uri :'token_uri', client_id :'client_id', client_auth 'post', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER oidc_post
  OPTIONS (client_secret :'client_secret', refresh_token :'seed');
CREATE FOREIGN TABLE items_post $cols SERVER oidc_post $table_options;
EOF
is($rc, 0, 'client_secret_post: set up') or diag($err);
my $post_refreshes = counter($post, 'refreshes');
($rc, $out, $err) = psql("SELECT count(*), sum(amount) FROM items_post;\n");
is($rc, 0, 'client_secret_post: scan') or diag($err);
is($out, '250|62750', 'client_secret_post: all items');
expire_access_tokens();
($rc, $out, $err) = psql("SELECT count(*), sum(amount) FROM items_post;\n");
is($out, '250|62750', 'client_secret_post: all items after the token was destroyed') or diag($err);
is(counter($post, 'refreshes') - $post_refreshes, 2, 'client_secret_post: two refreshes');
ok(grant_state($ENV{REST_TAP15_POST_SEED})->{grant_active}, 'client_secret_post: the grant is active');

# ------------------------------------------------------------------
# client_credentials, by Basic and by post
# ------------------------------------------------------------------
for my $case ([ 'cc_basic', 'BASIC', $basic, '' ], [ 'cc_post', 'POST', $post, ", client_auth 'post'" ])
{
	my ($srv, $var, $client, $opt) = @$case;
	($rc, $out, $err) = psql(<<"EOF");
\\getenv issuer REST_TEST_OIDC_ISSUER
\\getenv client_id REST_TEST_OIDC_${var}_CLIENT
\\getenv client_secret REST_TEST_OIDC_${var}_SECRET
\\set token_uri :issuer '/token'
CREATE SERVER $srv FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'issuer', authentication_method 'oauth2', grant_type 'client_credentials',
           token_uri :'token_uri', max_retries '0'$opt);
CREATE USER MAPPING FOR CURRENT_USER SERVER $srv
  OPTIONS (client_id :'client_id', client_secret :'client_secret');
CREATE FOREIGN TABLE ${srv}_items $cols SERVER $srv $table_options;
EOF
	is($rc, 0, "$srv: set up") or diag($err);
	my $cc = counter($client, 'client_credentials');
	($rc, $out, $err) = psql("SELECT count(*), sum(amount) FROM ${srv}_items;\n");
	is($out, '250|62750', "$srv: all items") or diag($err);
	($rc, $out, $err) = psql("SELECT count(*) FROM ${srv}_items;\n");
	is($out, '250', "$srv: a second session") or diag($err);
	is(counter($client, 'client_credentials') - $cc, 1, "$srv: one client credentials grant");
	expire_access_tokens();
	($rc, $out, $err) = psql("SELECT count(*) FROM ${srv}_items;\n");
	is($out, '250', "$srv: after the token was destroyed") or diag($err);
	is(counter($client, 'client_credentials') - $cc, 2, "$srv: ... with a new grant");
}

# a wrong client secret: the provider's invalid_client reaches the user
($rc, $out, $err) = psql(<<"EOF");
\\getenv issuer REST_TEST_OIDC_ISSUER
\\set token_uri :issuer '/token'
CREATE SERVER cc_wrong FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'issuer', authentication_method 'oauth2', grant_type 'client_credentials',
           token_uri :'token_uri', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER cc_wrong
  OPTIONS (client_id 'rest_fdw_basic', client_secret 'not-the-secret');
CREATE FOREIGN TABLE cc_wrong_items $cols SERVER cc_wrong $table_options;
SELECT count(*) FROM cc_wrong_items;
EOF
isnt($rc, 0, 'a wrong client secret is refused');
like($err, qr/could not obtain an OAuth 2.0 access token for server "cc_wrong"/,
	'... with an error naming the server');
like($err, qr/invalid_client/, '... and invalid_client');

# ------------------------------------------------------------------
# The resource without a token, and nothing on another loopback address
# ------------------------------------------------------------------
{
	my $res = $http->get("$issuer/resource/items?limit=1");
	is($res->{status}, 401, 'the resource without a token: 401');
	like($res->{headers}{'www-authenticate'} // '', qr/^Bearer /, '... with WWW-Authenticate: Bearer');
	$res = $http->get("$issuer/resource/items?limit=1", { headers => { Authorization => 'Bearer nope' } });
	like($res->{headers}{'www-authenticate'} // '', qr/error="invalid_token"/,
		'an unknown token: invalid_token');
	(my $other = $issuer) =~ s/127\.0\.0\.1/127.0.0.2/;
	run([ 'curl', '-s', '-S', '--max-time', '10', '-o', '/dev/null', "$other/jwks" ], '>', \$out, '2>', \$err);
	is($? >> 8, 7, 'oidc-provider: nothing listens on 127.0.0.2');
}

# ------------------------------------------------------------------
# No secret in the logs: PostgreSQL's, and the npm servers'
# ------------------------------------------------------------------
{
	my @secrets = (@seeds, grep { $_ } map { $ENV{"REST_TEST_OIDC_${_}_SECRET"} } qw(BASIC POST SECRET_JWT));
	open my $fh, '<', $ENV{REST_TEST_OIDC_ISSUED_TOKENS} or die "REST_TEST_OIDC_ISSUED_TOKENS: $!";
	chomp(my @issued = <$fh>);
	close $fh;
	push @secrets, @issued;
	ok(@issued >= 20, 'the provider listed the tokens it issued (' . scalar(@issued) . ')');
	open $fh, '<', "$oidc_dir/oidc_rsa_key.pem" or die "oidc_rsa_key.pem: $!";
	my $pem = join('', <$fh>);
	close $fh;
	push @secrets, (split /\n/, $pem)[1];
	for my $log ([ 'PostgreSQL', $node->logfile ], [ 'npm servers', $npm_log ])
	{
		my $text = PostgreSQL::Test::Utils::slurp_file($log->[1]);
		ok(length($text) > 0, "the $log->[0] log is not empty");
		is(scalar(grep { index($text, $_) >= 0 } @secrets), 0, "no secret in the $log->[0] log");
	}
	my $text = PostgreSQL::Test::Utils::slurp_file($npm_log);
	like($text, qr{^oidc POST /token 200$}m, 'the npm log has the token requests');
}

psql("DROP DATABASE $db;", 'postgres');
done_testing();
