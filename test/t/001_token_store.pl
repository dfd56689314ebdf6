#!/usr/bin/perl
#
# The cross-backend token store, with several sessions at once, a restart
# and rollbacks, against the test server's "regress_strict" client: refresh
# token rotation with reuse detection (an old refresh token revokes the
# grant), a 4 s token lifetime and a token endpoint that takes 0.3 s.
#
# Runs on a node of its own (PostgreSQL::Test::Cluster, make
# prove_installcheck) with the test API server of REST_TEST_PORT.  Secrets
# reach psql through environment variables only.
#
use strict;
use warnings;

use HTTP::Tiny;
use IPC::Run qw(run start finish);
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $port = $ENV{REST_TEST_PORT} or BAIL_OUT('REST_TEST_PORT is not set');
my $api = "http://127.0.0.1:$port";
my $http = HTTP::Tiny->new(timeout => 30);
my $db = 'rest_fdw_tap';
my $node = main_node('main', allows_streaming => 1);
$RestFdwTest::db = $db;
$RestFdwTest::on_error_stop = 1;

# GET an admin endpoint of the test server; returns the decoded JSON text
sub admin
{
	my ($what) = @_;
	my $res = $http->get("$api/_admin/$what");
	die "GET /_admin/$what failed: $res->{status}" unless $res->{success};
	return $res->{content};
}

# refresh grants the server has made for regress_strict so far
sub strict_refreshes
{
	my $clients = admin('clients');
	$clients =~ /"client_id":\s*"regress_strict"[^}]*?"refresh_grants":\s*(\d+)/
	  or die "no regress_strict in /_admin/clients";
	return $1;
}

sub strict_revoked
{
	my $clients = admin('clients');
	$clients =~ /"client_id":\s*"regress_strict"[^}]*?"revoked":\s*(true|false)/
	  or die "no regress_strict in /_admin/clients";
	return $1 eq 'true';
}

sub cc_grants
{
	my $clients = admin('clients');
	$clients =~ /"client_id":\s*"regress_cc"[^}]*?"client_credentials_grants":\s*(\d+)/
	  or die "no regress_cc in /_admin/clients";
	return $1;
}

# a new grant of regress_strict (a user authorizing again): its refresh token
sub new_seed
{
	my $res = admin('new_grant?client=regress_strict');
	$res =~ /"refresh_token":\s*"([^"]+)"/ or die "no refresh token";
	return $1;
}

# Start n sessions at once, each running $sql; returns their outputs and errors
sub concurrently
{
	my ($n, $sql) = @_;
	my (@h, @out, @err);
	my $cmd = psql_cmd($sql);
	for my $i (0 .. $n - 1)
	{
		($out[$i], $err[$i]) = ('', '');
		push @h, start($cmd, '<', \undef, '>', \$out[$i], '2>', \$err[$i]);
	}
	my $failed = 0;
	for my $h (@h)
	{
		$failed++ unless finish($h);
	}
	chomp @out;
	return ($failed, \@out, \@err);
}

my ($rc, $out, $err);

# ------------------------------------------------------------------
# Set-up
# ------------------------------------------------------------------
($rc, $out, $err) = psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);

$ENV{REST_TAP_SEED} = new_seed();
($rc, $out, $err) = psql(<<'EOF');
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv seed REST_TAP_SEED
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
CREATE EXTENSION rest_fdw;
CREATE SERVER strict FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_strict');
CREATE USER MAPPING FOR CURRENT_USER SERVER strict
  OPTIONS (client_secret :'client_secret', refresh_token :'seed');
CREATE FOREIGN TABLE customers (id int, name text)
  SERVER strict OPTIONS (endpoint '/api/customers');
CREATE SERVER cc FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', grant_type 'client_credentials');
CREATE USER MAPPING FOR CURRENT_USER SERVER cc
  OPTIONS (client_id 'regress_cc', client_secret :'client_secret');
CREATE FOREIGN TABLE cc_customers (id int) SERVER cc
  OPTIONS (endpoint '/api/customers');
EOF
is($rc, 0, 'set up servers, user mappings and foreign tables') or diag($err);

my $query = "SELECT count(*) FROM customers;\n";

# ------------------------------------------------------------------
# 8 new sessions that all need a token at once: one refresh
# ------------------------------------------------------------------
my $before = strict_refreshes();
my ($failed, $outs, $errs) = concurrently(8, $query);
is($failed, 0, '8 concurrent sessions without a token succeed')
  or diag(join("\n", @$errs));
is_deeply($outs, [ ('5') x 8 ], 'each got all rows');
is(strict_refreshes() - $before, 1, 'exactly one token refresh for 8 sessions');

# ------------------------------------------------------------------
# 8 sessions whose token expired at the same time: one refresh
# ------------------------------------------------------------------
sleep 5;
$before = strict_refreshes();
($failed, $outs, $errs) = concurrently(8, $query);
is($failed, 0, '8 concurrent sessions after expiry succeed')
  or diag(join("\n", @$errs));
is(strict_refreshes() - $before, 1, 'exactly one refresh after expiry');

# ------------------------------------------------------------------
# 8 sessions whose cached token the API rejects (401): one refresh
# ------------------------------------------------------------------
$before = strict_refreshes();
{
	my (@h, @o, @e);
	my $cmd = psql_cmd("$query SELECT pg_sleep(1.5); $query");
	for my $i (0 .. 7)
	{
		($o[$i], $e[$i]) = ('', '');
		push @h, start($cmd, '<', \undef, '>', \$o[$i], '2>', \$e[$i]);
	}
	sleep 1;
	admin('expire_tokens');
	my $bad = 0;
	for my $h (@h) { $bad++ unless finish($h); }
	is($bad, 0, '8 sessions whose token was rejected succeed') or diag(join("\n", @e));
	is(scalar(grep { /^5\n\n5\n?$/ } @o), 8, 'each got all rows twice')
	  or diag(explain(\@o));
}
is(strict_refreshes() - $before, 1, 'exactly one refresh after 8 rejections');

# ------------------------------------------------------------------
# client_credentials: one token request for all sessions
# ------------------------------------------------------------------
$before = cc_grants();
($failed, $outs, $errs) = concurrently(8, "SELECT count(*) FROM cc_customers;\n");
is($failed, 0, '8 concurrent client_credentials sessions succeed')
  or diag(join("\n", @$errs));
is(cc_grants() - $before, 1, 'exactly one client_credentials grant for 8 sessions');

# ------------------------------------------------------------------
# The store file
# ------------------------------------------------------------------
($rc, my $datadir) = psql('SHOW data_directory');
my @files = glob("$datadir/rest_fdw/*.json");
ok(@files >= 2, 'token store files exist') or diag("in $datadir/rest_fdw");
for my $f (@files)
{
	my $mode = (stat $f)[2] & 07777;
	is(sprintf('%04o', $mode), '0600', "store file $f has mode 0600");
}
is(sprintf('%04o', (stat "$datadir/rest_fdw")[2] & 07777), '0700', 'store directory has mode 0700');

# ------------------------------------------------------------------
# A restart: the next refresh uses the rotated refresh token
# ------------------------------------------------------------------
sleep 5;    # let the access token expire
$node->restart;
$before = strict_refreshes();
($rc, $out, $err) = psql($query);
is($rc, 0, 'query after restart succeeds') or diag($err);
is(strict_refreshes() - $before, 1, 'it refreshed once, with the rotated token');
ok(!strict_revoked(), 'the grant was not revoked');

# ------------------------------------------------------------------
# A refresh inside a transaction that rolls back is kept
# ------------------------------------------------------------------
sleep 5;
$before = strict_refreshes();
($rc, $out, $err) = psql("BEGIN; $query ROLLBACK;");
is($rc, 0, 'refresh inside a rolled-back transaction') or diag($err);
is(strict_refreshes() - $before, 1, 'the rolled-back transaction refreshed');
($rc, $out, $err) = psql($query);
is($rc, 0, 'the next session succeeds') or diag($err);
is(strict_refreshes() - $before, 1, 'and reuses the token obtained in the rolled-back transaction');
sleep 5;
($rc, $out, $err) = psql("BEGIN READ ONLY; $query COMMIT;");
is($rc, 0, 'refresh in a read-only transaction') or diag($err);
is(strict_refreshes() - $before, 2, 'with the refresh token rotated by the rolled-back one');
ok(!strict_revoked(), 'the grant was not revoked');

# ------------------------------------------------------------------
# ALTER USER MAPPING with a new seed starts over from it
# ------------------------------------------------------------------
my $old_seed = $ENV{REST_TAP_SEED};
$ENV{REST_TAP_SEED} = new_seed();
$before = strict_refreshes();
($rc, $out, $err) = psql(<<"EOF");
\\getenv seed REST_TAP_SEED
ALTER USER MAPPING FOR CURRENT_USER SERVER strict OPTIONS (SET refresh_token :'seed');
$query
SELECT state || ' ' || refresh_count FROM rest_fdw_token_status() WHERE server_name = 'strict';
EOF
is($rc, 0, 'query with a new seed succeeds') or diag($err);
is($out, "5\nvalid 1", 'the new grant was used and the state started over');

# ------------------------------------------------------------------
# An old (rotated out, revoked) seed: invalid_grant with its hint
# ------------------------------------------------------------------
$ENV{REST_TAP_SEED} = $old_seed;
($rc, $out, $err) = psql(<<"EOF");
\\getenv seed REST_TAP_SEED
ALTER USER MAPPING FOR CURRENT_USER SERVER strict OPTIONS (SET refresh_token :'seed');
$query
EOF
isnt($rc, 0, 'an old seed fails');
like($err, qr/could not obtain an OAuth 2.0 access token for server "strict"/, 'error names the server');
like($err, qr/invalid_grant/, 'error shows invalid_grant');
like($err, qr/HINT:  Obtain a new refresh token and set it with ALTER USER MAPPING\./, 'error has the hint');
($rc, $out, $err) = psql("SELECT state FROM rest_fdw_token_status() WHERE server_name = 'strict';");
is($out, 'failed', 'the token status shows the failure');

# ------------------------------------------------------------------
# No token from the store reached the server log
# ------------------------------------------------------------------
my @secrets;
for my $f (glob("$datadir/rest_fdw/*.json"))
{
	open my $fh, '<', $f or die "$f: $!";
	local $/;
	my $json = <$fh>;
	push @secrets, $json =~ /"(?:access_token|refresh_token)":"([^"]+)"/g;
}
ok(@secrets > 0, 'found stored tokens to look for');
my $logtext = PostgreSQL::Test::Utils::slurp_file($node->logfile);
is(scalar(grep { index($logtext, $_) >= 0 } @secrets), 0, 'no stored token in the server log');

# ------------------------------------------------------------------
# A hot standby refreshes too: its store is its own data directory
# ------------------------------------------------------------------
{
	# a grant of its own for the standby
	$ENV{REST_TAP_SEED} = new_seed();
	($rc, $out, $err) = psql(<<'EOF');
\getenv seed REST_TAP_SEED
ALTER USER MAPPING FOR CURRENT_USER SERVER strict OPTIONS (SET refresh_token :'seed');
EOF
	is($rc, 0, 'new seed for the standby test') or diag($err);

	$node->backup('standby');
	my $standby = RestFdwTest::Node->new('standby');
	$standby->init_from_backup($node, 'standby', has_streaming => 1);
	$standby->start;
	$node->wait_for_catchup($standby);

	my ($src, $sout, $serr) = psql_on($standby, <<"EOF");
SELECT pg_is_in_recovery();
$query
SELECT state || ' ' || refresh_count FROM rest_fdw_token_status() WHERE server_name = 'strict';
EOF
	is($src, 0, 'query on the hot standby succeeds') or diag($serr);
	is($sout, "t\n5\nvalid 1", 'the standby refreshed and stored the token');
	# (the copies of the primary's files that the backup brought along have
	# the mode RecursiveCopy gave them: look at the one the standby wrote)
	my (undef, $sfile) = psql_on($standby, "SELECT (SELECT oid FROM pg_database "
		  . "WHERE datname = current_database()) || '_' || umid FROM pg_user_mappings "
		  . "WHERE srvname = 'strict'");
	$sfile = $standby->data_dir . "/rest_fdw/$sfile.json";
	ok(-f $sfile, 'the standby has its own store files');
	is(sprintf('%04o', (stat $sfile)[2] & 07777), '0600', 'with mode 0600');

	$standby->stop('immediate');
}

# ------------------------------------------------------------------
# Dropped user mappings lose their stored state
# ------------------------------------------------------------------
my $nfiles = () = glob("$datadir/rest_fdw/[0-9]*_*.json");
my $ngrants = () = glob("$datadir/rest_fdw/grant_*.json");
($rc, $out, $err) = psql("DROP SERVER cc CASCADE; SELECT count(*) FROM rest_fdw_token_status();");
is($rc, 0, 'drop a server') or diag($err);
is(scalar(() = glob("$datadir/rest_fdw/[0-9]*_*.json")), $nfiles - 1, 'its store file is gone');
is(scalar(() = glob("$datadir/rest_fdw/grant_*.json")), $ngrants - 1,
	'and the file of its grant, which no other user mapping holds');

psql("DROP DATABASE $db;", 'postgres');
done_testing();
