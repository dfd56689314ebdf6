#!/usr/bin/perl
#
# One grant, many user mappings: every user mapping holding the same grant
# (token endpoint, client_id, seed refresh token) shares one refresh chain
# and one access token per scope, in whatever database and on whatever
# server it is: a second server for the same API, and the copies of a user
# mapping that CREATE DATABASE ... TEMPLATE and pg_dump/restore make.
# Against a token endpoint that rotates refresh tokens and revokes the
# grant when a retired one is presented (test/api/store.py):
#
# - a copy uses the original's access token, and after it expired, the
#   newest refresh token of the chain, whichever user mapping refreshes;
# - rest_fdw_token_status shows the same grant_id for all of them;
# - a second server in the same database shares the grant, across sessions
#   and refreshes, and the grant survives;
# - with a new refresh token (ALTER USER MAPPING) a copy has a grant of its
#   own;
# - a copy whose first use is concurrent with the original's waits for it
#   (the grant lock) and uses its token;
# - copies of a grant whose refresh token is not rotated keep working;
# - rest_fdw_forget_tokens forgets the grant's state for every user mapping
#   holding it: the next query presents the seed.
#
# Runs on a node of its own, like 001_token_store.pl.
#
use strict;
use warnings;

use IPC::Run qw(start finish);
use Time::HiRes qw(sleep);
use JSON::PP;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $port = $ENV{REST_TEST_PORT} or BAIL_OUT('REST_TEST_PORT is not set');
my $dba = 'rest_fdw_tap_tmpl_a';
my $dbb = 'rest_fdw_tap_tmpl_b';
my $dbc = 'rest_fdw_tap_tmpl_c';
my $dbd = 'rest_fdw_tap_tmpl_d';
my $dbe = 'rest_fdw_tap_tmpl_e';
my $node = main_node('main');
$RestFdwTest::db = $dba;
$RestFdwTest::on_error_stop = 1;

my ($rc, $out, $err);

sub drop_all
{
	return psql(join('', map { "DROP DATABASE IF EXISTS $_;\n" } ($dbe, $dbd, $dbc, $dbb, $dba)),
		'postgres');
}

($rc, $out, $err) = drop_all();
is($rc, 0, 'drop leftovers') or diag($err);
($rc, $out, $err) = psql("CREATE DATABASE $dba;", 'postgres');
is($rc, 0, 'create database A') or diag($err);

my $gid = store_new_grant('REST_TMPL_SEED');
($rc, $out, $err) = psql(<<'EOF');
\set ON_ERROR_STOP 1
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv seed REST_TMPL_SEED
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/store/token'
CREATE EXTENSION rest_fdw;
CREATE SERVER tmpl FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_store');
CREATE USER MAPPING FOR CURRENT_USER SERVER tmpl
  OPTIONS (client_secret :'client_secret', refresh_token :'seed');
CREATE FOREIGN TABLE tmpl_t (id int) SERVER tmpl OPTIONS (endpoint '/store/data');
EOF
is($rc, 0, 'set up server, user mapping and foreign table in A') or diag($err);

# ------------------------------------------------------------------
# A rotates the seed; B, made from A as a template, shares the grant
# ------------------------------------------------------------------
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;');
is($rc, 0, 'the first query in A succeeds') or diag($err);
is_deeply(store_grant($gid)->{presented}, [0], 'A presented the seed once');

($rc, $out, $err) = psql("CREATE DATABASE $dbb TEMPLATE $dba;", 'postgres');
is($rc, 0, 'create database B from template A') or diag($err);

($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;', $dbb);
is($rc, 0, 'the query in B succeeds') or diag($err);
is($out, '2', 'B got the rows');
my $g = store_grant($gid);
is_deeply($g->{presented}, [0], "B used A's access token, with no token request");

sub grant_ids
{
	my ($db) = @_;
	my (undef, $o) = psql("SELECT state || ' ' || grant_id FROM rest_fdw_token_status() "
		  . "WHERE server_name = 'tmpl'", $db);
	return $o;
}
like(grant_ids($dbb), qr/^valid [0-9a-f]{12}$/, 'rest_fdw_token_status shows it valid in B');
is(grant_ids($dbb), grant_ids($dba), 'with the grant_id of A');

# the provider expires the access token: B refreshes with the newest
# refresh token of the chain, then A uses B's access token
store_admin("expire?id=$gid");
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;', $dbb);
is($rc, 0, 'B works after the token expired') or diag($err);
$g = store_grant($gid);
is_deeply($g->{presented}, [ 0, 1 ], "B presented A's rotated refresh token");
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;');
is($rc, 0, 'A works after it') or diag($err);
is_deeply(store_grant($gid)->{presented}, [ 0, 1 ], "A used B's access token");
store_admin("expire?id=$gid");
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;');
is($rc, 0, 'A refreshes in turn') or diag($err);
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;', $dbb);
is($rc, 0, 'and B follows') or diag($err);
$g = store_grant($gid);
is_deeply($g->{presented}, [ 0, 1, 2 ], 'each refresh token was presented once');
is($g->{reuse}, 0, 'no reuse was detected');
ok(!$g->{revoked}, 'the grant was not revoked');

# ------------------------------------------------------------------
# A second server of the same API in A (another base URL), with the same
# refresh token, each query in a session of its own
# ------------------------------------------------------------------
($rc, $out, $err) = psql(<<'EOF');
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv seed REST_TMPL_SEED
\set base_url 'http://localhost:' :port
\set token_uri 'http://127.0.0.1:' :port '/store/token'
CREATE SERVER tmpl2 FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_store');
CREATE USER MAPPING FOR CURRENT_USER SERVER tmpl2
  OPTIONS (client_secret :'client_secret', refresh_token :'seed');
CREATE FOREIGN TABLE tmpl2_t (id int) SERVER tmpl2 OPTIONS (endpoint '/store/data');
EOF
is($rc, 0, 'a second server with the same grant') or diag($err);
for my $round (1 .. 3)
{
	store_admin("expire?id=$gid");
	my ($r1, $o1, $e1) = psql('SELECT count(*) FROM tmpl2_t;');
	my ($r2, $o2, $e2) = psql('SELECT count(*) FROM tmpl_t;');
	ok($r1 == 0 && $r2 == 0 && $o1 eq '2' && $o2 eq '2',
		"round $round: both servers read the rows") or diag("$e1\n$e2");
}
$g = store_grant($gid);
is_deeply($g->{presented}, [ 0, 1, 2, 3, 4, 5 ], 'one refresh a round, each refresh token once');
is($g->{reuse}, 0, 'no reuse was detected');
ok(!$g->{revoked}, 'the grant survived');
(undef, $out) = psql("SELECT count(DISTINCT grant_id) FROM rest_fdw_token_status() "
	  . "WHERE server_name IN ('tmpl', 'tmpl2')");
is($out, '1', 'rest_fdw_token_status shows one grant for both');

# ------------------------------------------------------------------
# A dump restored into another database of the cluster (a new user
# mapping OID, the same seed) shares the grant as well
# ------------------------------------------------------------------
($rc, $out, $err) = psql("CREATE DATABASE $dbd;", 'postgres');
is($rc, 0, 'create database D') or diag($err);
system("pg_dump -d $dba | psql -X -q -o /dev/null -d $dbd 2>/dev/null");
is($?, 0, 'restore a dump of A into D');
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;', $dbd);
is($rc, 0, 'the query in D succeeds') or diag($err);
is_deeply(store_grant($gid)->{presented}, [ 0, 1, 2, 3, 4, 5 ], 'with the shared access token');

# ------------------------------------------------------------------
# A provider that does not rotate refresh tokens: copies keep working
# ------------------------------------------------------------------
my $gid3 = store_new_grant('REST_TMPL_SEED3', 'rotate=0');
($rc, $out, $err) = psql(<<'EOF');
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv seed REST_TMPL_SEED3
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/store/token'
CREATE SERVER norot FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_store');
CREATE USER MAPPING FOR CURRENT_USER SERVER norot
  OPTIONS (client_secret :'client_secret', refresh_token :'seed');
CREATE FOREIGN TABLE norot_t (id int) SERVER norot OPTIONS (endpoint '/store/data');
SELECT count(*) FROM norot_t;
EOF
is($rc, 0, 'a grant that does not rotate works in A') or diag($err);
($rc, $out, $err) = psql("CREATE DATABASE $dbc TEMPLATE $dba;", 'postgres');
is($rc, 0, 'create database C from template A') or diag($err);
store_admin("expire?id=$gid3");
($rc, $out, $err) = psql('SELECT count(*) FROM norot_t;', $dbc);
is($rc, 0, 'its copy in C works too') or diag($err);
is_deeply(store_grant($gid3)->{presented}, [ 0, 0 ], 'both presented the seed, as it is');
is(store_grant($gid3)->{reuse}, 0, 'which the provider accepts');

# ------------------------------------------------------------------
# B with a new refresh token has a grant of its own
# ------------------------------------------------------------------
my $gid2 = store_new_grant('REST_TMPL_SEED2');
($rc, $out, $err) = psql(<<'EOF', $dbb);
\getenv seed REST_TMPL_SEED2
ALTER USER MAPPING FOR CURRENT_USER SERVER tmpl
  OPTIONS (SET refresh_token :'seed');
SELECT count(*) FROM tmpl_t;
EOF
is($rc, 0, 'B works with a new refresh token') or diag($err);
is($out, '2', 'B got the rows');
is_deeply(store_grant($gid2)->{presented}, [0], 'B presented its new seed');
$g = store_grant($gid);
is_deeply($g->{presented}, [ 0, 1, 2, 3, 4, 5 ], 'and nothing of the first grant');
ok(!$g->{revoked}, 'whose grant was not revoked');
isnt(grant_ids($dbb), grant_ids($dba), 'rest_fdw_token_status shows two grants now');

# ------------------------------------------------------------------
# First uses at the same time: the copy waits for the original's refresh
# (the grant lock, a cluster-wide advisory lock of database 0) and then
# uses its access token
# ------------------------------------------------------------------
my $gid4 = store_new_grant('REST_TMPL_SEED4', 'delay=3');
($rc, $out, $err) = psql(<<'EOF');
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv seed REST_TMPL_SEED4
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/store/token'
CREATE SERVER slow FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_store');
CREATE USER MAPPING FOR CURRENT_USER SERVER slow
  OPTIONS (client_secret :'client_secret', refresh_token :'seed');
CREATE FOREIGN TABLE slow_t (id int) SERVER slow OPTIONS (endpoint '/store/data');
EOF
is($rc, 0, 'set up a server whose token endpoint is slow in A') or diag($err);
($rc, $out, $err) = psql("CREATE DATABASE $dbe TEMPLATE $dba;", 'postgres');
is($rc, 0, 'create database E from template A, before either used the seed') or diag($err);

my ($ao, $ae) = ('', '');
my $ha = start(psql_cmd("SELECT 'rest_fdw_tmpl_slow', count(*) FROM slow_t;"),
	'<', \undef, '>', \$ao, '2>', \$ae);
# A is in its token request (which takes 3 s) a second after it started
ok(backend_of('rest_fdw_tmpl_slow'), 'A started');
sleep 1;
(undef, my $held) = psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
	  . "AND database = 0 AND objsubid = 21063 AND granted", 'postgres');
is($held, '1', 'A holds the grant lock while it asks the token endpoint');
($rc, $out, $err) = psql('SELECT count(*) FROM slow_t;', $dbe);
finish($ha);
like($ao, qr/rest_fdw_tmpl_slow\|2/, 'A got the rows') or diag($ae);
is($rc, 0, 'E, starting while A refreshed, succeeds') or diag($err);
$g = store_grant($gid4);
is_deeply($g->{presented}, [0], 'only A presented the seed: E used its access token');
is($g->{reuse}, 0, 'no reuse was detected');

# ------------------------------------------------------------------
# rest_fdw_forget_tokens forgets the grant for every user mapping holding
# it: the user's word that the seed is still valid (here it is not, and
# the provider says so)
# ------------------------------------------------------------------
($rc, $out, $err) = psql("SELECT rest_fdw_forget_tokens('tmpl', current_user);", $dbc);
is($rc, 0, 'forget the tokens of "tmpl" in C') or diag($err);
is($out, '1', "which removed the grant's state");
($rc, $out, $err) = psql("SELECT state FROM rest_fdw_token_status() WHERE server_name = 'tmpl'",
	$dbc);
is($out, 'none', 'rest_fdw_token_status shows no tokens then') or diag($err);
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;', $dbc);
like($err, qr/reuse detected/, 'the next query presents the seed');
is_deeply(store_grant($gid)->{presented}, [ 0, 1, 2, 3, 4, 5, 0 ], 'once');

($rc, $out, $err) = drop_all();
is($rc, 0, 'drop the databases') or diag($err);

done_testing();
