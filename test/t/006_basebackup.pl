#!/usr/bin/perl
#
# A copy of the cluster made by pg_basebackup carries the token store along.
# It must not present a refresh token that the original may have rotated
# since: a copied state with a rotated refresh token is an error, a copied
# state whose refresh token is the user mapping's own (or that has none) is
# dropped with a NOTICE, and a new refresh token set on the copy works.
# Against the rotating, reuse-detecting token endpoint of
# test/api/store.py.
#
# Runs on a node of its own, like 001_token_store.pl.
#
use strict;
use warnings;

use IPC::Run qw(run);
use JSON::PP;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $port = $ENV{REST_TEST_PORT} or BAIL_OUT('REST_TEST_PORT is not set');
my $db = 'rest_fdw_tap_bb';
my $node = main_node('main', allows_streaming => 1);
$RestFdwTest::db = $db;
$RestFdwTest::on_error_stop = 1;

my ($rc, $out, $err);

($rc, $out, $err) = psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);

my $rot = store_new_grant('REST_BB_SEED_ROT');
my $keep = store_new_grant('REST_BB_SEED_KEEP', 'rotate=0');
($rc, $out, $err) = psql(<<'EOF');
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv rot REST_BB_SEED_ROT
\getenv keep REST_BB_SEED_KEEP
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/store/token'
CREATE EXTENSION rest_fdw;
CREATE SERVER rot FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_store');
CREATE USER MAPPING FOR CURRENT_USER SERVER rot
  OPTIONS (client_secret :'client_secret', refresh_token :'rot');
CREATE FOREIGN TABLE rot_t (id int) SERVER rot OPTIONS (endpoint '/store/data');
CREATE SERVER keep FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_store');
CREATE USER MAPPING FOR CURRENT_USER SERVER keep
  OPTIONS (client_secret :'client_secret', refresh_token :'keep');
CREATE FOREIGN TABLE keep_t (id int) SERVER keep OPTIONS (endpoint '/store/data');
CREATE SERVER cc FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', grant_type 'client_credentials');
CREATE USER MAPPING FOR CURRENT_USER SERVER cc
  OPTIONS (client_id 'regress_store_cc', client_secret :'client_secret');
CREATE FOREIGN TABLE cc_t (id int) SERVER cc OPTIONS (endpoint '/store/data');
SELECT count(*) FROM rot_t;
SELECT count(*) FROM keep_t;
SELECT count(*) FROM cc_t;
EOF
is($rc, 0, 'set up and use three grants on the primary') or diag($err);
is($out, "2\n2\n2", 'they return rows');
is_deeply(store_grant($rot)->{presented}, [0], 'the rotating grant was refreshed once');
($rc, my $datadir) = psql('SHOW data_directory');
ok(-f "$datadir/rest_fdw/pgsql_tmp_rest_fdw_instance", 'the primary has its instance id');

{
	# a clone: not a standby, so it starts as a primary of its own
	$node->backup('clone');
	my $clone = RestFdwTest::Node->new('clone');
	$clone->init_from_backup($node, 'clone');
	my $cdir = $clone->data_dir;
	my (undef, $dbid) = psql('SELECT oid FROM pg_database WHERE datname = current_database()');
	my @copied = glob("$cdir/rest_fdw/${dbid}_*.json");
	is(scalar(@copied), 3, 'the clone has the store files of the three grants');
	ok(!-e "$cdir/rest_fdw/pgsql_tmp_rest_fdw_instance", 'but not the instance id');

	$clone->start;
	my $on_clone = sub { return psql_on($clone, @_); };

	# the original rotates again after the copy was made
	store_admin("expire?id=$rot");
	($rc, $out, $err) = psql('SELECT count(*) FROM rot_t;');
	is($rc, 0, 'the primary refreshes after the copy') or diag($err);
	is_deeply(store_grant($rot)->{presented}, [ 0, 1 ], 'with its rotated refresh token');

	# the clone must present neither the copied refresh token nor the seed
	($rc, $out, $err) = $on_clone->('SELECT count(*) FROM rot_t;');
	isnt($rc, 0, 'the clone refuses the copied rotated refresh token');
	like($err, qr/the stored OAuth 2.0 tokens of server "rot" were copied from another cluster/,
		'saying it was copied') or diag($err);
	like($err, qr/HINT:  Set a new refresh token with ALTER USER MAPPING/, 'with the way out');
	my $g = store_grant($rot);
	is_deeply($g->{presented}, [ 0, 1 ], 'the clone presented no refresh token');
	is($g->{reuse}, 0, 'no reuse detected');
	ok(!$g->{revoked}, 'the grant was not revoked');
	($rc, $out, $err) = $on_clone->(
		"SELECT server_name || ' ' || state FROM rest_fdw_token_status() ORDER BY 1");
	is($out, "cc none\nkeep none\nrot copied", 'rest_fdw_token_status on the clone shows it')
	  or diag($err);

	# harmless copies: the same refresh token as the user mapping's, or none
	my $cc_before = store_admin('cc')->{grants};
	($rc, $out, $err) = $on_clone->("SELECT count(*) FROM keep_t;\nSELECT count(*) FROM cc_t;");
	is($rc, 0, 'the clone queries the grants whose copies are harmless') or diag($err);
	is($out, "2\n2", 'and gets rows');
	like($err, qr/NOTICE:  ignoring the OAuth 2.0 tokens of server "keep" copied from another cluster/,
		'with a NOTICE for the non-rotating grant');
	like($err, qr/NOTICE:  ignoring the OAuth 2.0 tokens of server "cc" copied from another cluster/,
		'and for the client_credentials grant');
	is(store_admin('cc')->{grants} - $cc_before, 1, 'the clone got a client_credentials token of its own');
	($rc, $out, $err) = $on_clone->("SELECT count(*) FROM keep_t;");
	unlike($err, qr/NOTICE/, 'once: the clone now has its own state');

	# a new grant on the clone works
	my $crot = store_new_grant('REST_BB_SEED_CLONE');
	($rc, $out, $err) = $on_clone->(<<'EOF');
\getenv seed REST_BB_SEED_CLONE
ALTER USER MAPPING FOR CURRENT_USER SERVER rot OPTIONS (SET refresh_token :'seed');
SELECT count(*) FROM rot_t;
EOF
	is($rc, 0, 'the clone uses a new refresh token set by ALTER USER MAPPING') or diag($err);
	is_deeply(store_grant($crot)->{presented}, [0], 'with the new grant');

	$clone->stop('immediate');
}

# the original keeps rotating its grant undisturbed
store_admin("expire?id=$rot");
($rc, $out, $err) = psql('SELECT count(*) FROM rot_t;');
is($rc, 0, 'the primary refreshes again') or diag($err);
my $g = store_grant($rot);
is_deeply($g->{presented}, [ 0, 1, 2 ], 'with its newest refresh token');
is($g->{reuse}, 0, 'the grant never saw a reuse');

psql("DROP DATABASE $db;", 'postgres');
done_testing();
