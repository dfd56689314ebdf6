#!/usr/bin/perl
#
# The token store and copies of a user mapping within one cluster: CREATE
# DATABASE ... TEMPLATE copies the user mapping (same OID, same seed) but
# not its store file, which is named after the database.  Against a token
# endpoint that rotates refresh tokens and revokes the grant when a retired
# one is presented (test/api/store.py):
#
# - the copy refuses to present the seed that the original has rotated,
#   without asking the token endpoint, and says why;
# - rest_fdw_token_status shows the copy as 'shared';
# - the original keeps working (the grant is not revoked);
# - with a new refresh token (ALTER USER MAPPING) the copy works;
# - a copy whose first use is concurrent with the original's waits for it
#   (the seed lock) and is refused, instead of presenting the seed too;
# - a dump restored into another database is refused like a copy;
# - copies of a grant whose refresh token is not rotated keep working;
# - rest_fdw_forget_tokens in a copy makes it start from the seed anyway.
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
# A rotates the seed; B, made from A as a template, must not present it
# ------------------------------------------------------------------
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;');
is($rc, 0, 'the first query in A succeeds') or diag($err);
is_deeply(store_grant($gid)->{presented}, [0], 'A presented the seed once');

($rc, $out, $err) = psql("CREATE DATABASE $dbb TEMPLATE $dba;", 'postgres');
is($rc, 0, 'create database B from template A') or diag($err);

($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;', $dbb);
isnt($rc, 0, 'the query in B fails');
like($err, qr/the OAuth 2\.0 refresh token of server "tmpl" was rotated by another user mapping/,
	'saying the refresh token was rotated elsewhere') or diag($err);
like($err, qr/DETAIL:.*database "$dba"/, 'naming the other database');
like($err, qr/HINT:.*ALTER USER MAPPING.*rest_fdw_forget_tokens\('tmpl', /,
	'with the ways out in the hint');
unlike($err, qr/invalid_grant|revoked/, 'not an error of the token endpoint');
my $g = store_grant($gid);
is_deeply($g->{presented}, [0], 'B made no token request');
is($g->{reuse}, 0, 'no reuse was detected');
ok(!$g->{revoked}, 'the grant was not revoked');

($rc, $out, $err) = psql("SELECT state || ': ' || last_error FROM rest_fdw_token_status() "
	  . "WHERE server_name = 'tmpl'", $dbb);
like($out, qr/^shared: the refresh token was rotated by another user mapping/,
	'rest_fdw_token_status shows it in B') or diag($err);

# ------------------------------------------------------------------
# A keeps working
# ------------------------------------------------------------------
store_admin("expire?id=$gid");
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;');
is($rc, 0, 'A still works after a refresh') or diag($err);
is($out, '2', 'A got the rows');
$g = store_grant($gid);
is_deeply($g->{presented}, [ 0, 1 ], 'A presented its rotated refresh token');
ok(!$g->{revoked}, 'the grant was not revoked');

# ------------------------------------------------------------------
# A dump restored into another database of the cluster (a new user
# mapping OID, the same seed) is refused as well
# ------------------------------------------------------------------
($rc, $out, $err) = psql("CREATE DATABASE $dbd;", 'postgres');
is($rc, 0, 'create database D') or diag($err);
system("pg_dump -d $dba | psql -X -q -o /dev/null -d $dbd 2>/dev/null");
is($?, 0, 'restore a dump of A into D');
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;', $dbd);
isnt($rc, 0, 'the query in D fails');
like($err, qr/was rotated by another user mapping.*\n.*DETAIL:.*database "$dba"/,
	'as in B') or diag($err);
is_deeply(store_grant($gid)->{presented}, [ 0, 1 ], 'D made no token request');

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
($rc, $out, $err) = psql('SELECT count(*) FROM norot_t;', $dbc);
is($rc, 0, 'its copy in C works too') or diag($err);
is_deeply(store_grant($gid3)->{presented}, [ 0, 0 ], 'both presented the seed');
is(store_grant($gid3)->{reuse}, 0, 'which the provider still accepts');

# ------------------------------------------------------------------
# B with a new refresh token works
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
is_deeply($g->{presented}, [ 0, 1 ], 'and nothing of A\'s grant');
ok(!$g->{revoked}, 'whose grant was not revoked');

# ------------------------------------------------------------------
# First uses at the same time: the copy waits for the original's refresh
# (the seed lock, a cluster-wide advisory lock of database 0) and then
# finds its rotated refresh token
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
is($held, '1', 'A holds the seed lock while it asks the token endpoint');
($rc, $out, $err) = psql('SELECT count(*) FROM slow_t;', $dbe);
finish($ha);
like($ao, qr/rest_fdw_tmpl_slow\|2/, 'A got the rows') or diag($ae);
isnt($rc, 0, 'E, starting while A refreshed, fails');
like($err, qr/was rotated by another user mapping/, 'as a copy whose seed was rotated')
  or diag($err);
$g = store_grant($gid4);
is_deeply($g->{presented}, [0], 'only A presented the seed');
is($g->{reuse}, 0, 'no reuse was detected');

# ------------------------------------------------------------------
# rest_fdw_forget_tokens in a copy: the user's word that the seed is
# still valid (here it is not, and the provider says so)
# ------------------------------------------------------------------
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;', $dbc);
like($err, qr/was rotated by another user mapping/, 'the copy of "tmpl" in C is refused')
  or diag($err);
($rc, $out, $err) = psql("SELECT rest_fdw_forget_tokens('tmpl', current_user);", $dbc);
is($rc, 0, 'forget its tokens') or diag($err);
($rc, $out, $err) = psql("SELECT state FROM rest_fdw_token_status() WHERE server_name = 'tmpl'",
	$dbc);
is($out, 'none', 'rest_fdw_token_status shows no tokens then') or diag($err);
($rc, $out, $err) = psql('SELECT count(*) FROM tmpl_t;', $dbc);
like($err, qr/reuse detected/, 'the next query presents the seed');
is_deeply(store_grant($gid)->{presented}, [ 0, 1, 0 ], 'once');

($rc, $out, $err) = drop_all();
is($rc, 0, 'drop the databases') or diag($err);

done_testing();
