#!/usr/bin/perl
#
# Cancellation of waiting requests (pg_cancel_backend, pg_terminate_backend)
# against test-server endpoints that stall, in a retry sleep and in a token
# request; and the backend's memory over 10,000 failing queries.
#
# Runs on a node of its own, like 001_token_store.pl.
# The elapsed times are printed; the assertions allow generous margins, as
# the goal (0.5 s) is a figure to report, not a timed assertion.
#
use strict;
use warnings;

use IPC::Run qw(run start finish);
use Test::More;
use Time::HiRes qw(time sleep);
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $port = $ENV{REST_TEST_PORT} or BAIL_OUT('REST_TEST_PORT is not set');
my $db = 'rest_fdw_tap2';
my $node = main_node('main');
$RestFdwTest::db = $db;

my ($rc, $out, $err) = psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);
($rc, $out, $err) = psql(<<'EOF');
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv refresh_token REST_TEST_REFRESH_TOKEN
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
\set ON_ERROR_STOP 1
CREATE EXTENSION rest_fdw;
CREATE SERVER api FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', max_retries '5', max_retry_wait '60');
CREATE FOREIGN TABLE stall_headers (id int) SERVER api
  OPTIONS (endpoint '/open/stall/headers?seconds=60');
CREATE FOREIGN TABLE stall_body (id int) SERVER api
  OPTIONS (endpoint '/open/stall/body?seconds=60');
CREATE FOREIGN TABLE retry_sleep (id int) SERVER api
  OPTIONS (endpoint '/open/fault/status?code=503&times=10&key=tap_sleep&retry_after=30');
CREATE FOREIGN TABLE notfound (id int) SERVER api OPTIONS (endpoint '/open/no_such_thing');
CREATE FOREIGN TABLE badjson (id int) SERVER api OPTIONS (endpoint '/open/badjson');
CREATE SERVER closed FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'http://127.0.0.1:9', max_retries '0');
CREATE FOREIGN TABLE refused (id int) SERVER closed;
CREATE SERVER slow_auth FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri',
           client_id 'regress_slow_token');
CREATE USER MAPPING FOR CURRENT_USER SERVER slow_auth
  OPTIONS (client_secret :'client_secret', refresh_token :'refresh_token');
CREATE FOREIGN TABLE slow_token (id int) SERVER slow_auth OPTIONS (endpoint '/api/customers');
EOF
is($rc, 0, 'set up') or diag($err);

# Run $table's scan in the background, interrupt it with $how once it waits,
# and return (seconds from the interrupt to the session's end, stderr).
sub interrupt_scan
{
	my ($table, $how) = @_;
	my ($o, $e) = ('', '');
	my $h = start(psql_cmd("SELECT 'rest_fdw_wait', * FROM $table;"), '<', \undef,
		'>', \$o, '2>', \$e);

	my $pid = backend_of('rest_fdw_wait');
	return (undef, 'the scan never started') unless $pid;
	sleep 0.5;    # well inside the wait
	my $t0 = time;
	psql("SELECT $how($pid)");
	finish($h);
	return (time - $t0, $e);
}

for my $case ([ 'stall_headers', 'a server that sends nothing' ],
	[ 'stall_body', 'a body that stalls' ],
	[ 'retry_sleep', 'a retry sleep' ],
	[ 'slow_token', 'a token request' ])
{
	my ($table, $what) = @$case;
	my ($elapsed, $stderr) = interrupt_scan($table, 'pg_cancel_backend');
	ok(defined $elapsed, "cancel during $what") or diag($stderr);
	next unless defined $elapsed;
	like($stderr, qr/canceling statement due to user request/, "$what: canceled");
	note(sprintf("pg_cancel_backend during %s: %.3f s", $what, $elapsed));
	cmp_ok($elapsed, '<', 2.0, sprintf("%s canceled promptly (%.3f s)", $what, $elapsed));
}

{
	my ($elapsed, $stderr) = interrupt_scan('stall_headers', 'pg_terminate_backend');
	ok(defined $elapsed, 'terminate during a stalled request') or diag($stderr);
	if (defined $elapsed)
	{
		like($stderr, qr/terminating connection due to administrator command/, 'terminated');
		note(sprintf("pg_terminate_backend during a stalled request: %.3f s", $elapsed));
		cmp_ok($elapsed, '<', 2.0, sprintf("terminated promptly (%.3f s)", $elapsed));
	}
}

# ------------------------------------------------------------------
# 10,000 failing queries in one session: memory stays flat
# ------------------------------------------------------------------
my $mem = "SELECT 'mem', sum(total_bytes) FROM pg_backend_memory_contexts;\n";
my @kinds = ('SELECT * FROM notfound;', 'SELECT * FROM refused;', 'SELECT * FROM badjson;');
my $script = '';
$script .= $kinds[ $_ % 3 ] . "\n" for 1 .. 300;    # warm up caches
$script .= $mem;
$script .= $kinds[ $_ % 3 ] . "\n" for 1 .. 10000;
$script .= $mem;
my $t0 = time;
($rc, $out, $err) = psql($script);
my $secs = time - $t0;
my @mem = map { (split /\|/)[1] } grep { /^mem\|/ } split /\n/, $out;
is(scalar(@mem), 2, 'memory measured before and after') or diag($out);
my $errors = () = $err =~ /ERROR:/g;
is($errors, 10300, 'every query failed with an ERROR');
if (@mem == 2)
{
	my $growth = $mem[1] - $mem[0];
	note(sprintf("backend memory: %d bytes after 300 failures, %d after 10,300 (%+d) in %.1f s",
			$mem[0], $mem[1], $growth, $secs));
	cmp_ok($growth, '<', 512 * 1024, "memory flat over 10,000 failing queries ($growth bytes)");
}

psql("DROP DATABASE $db;", 'postgres');
done_testing();
