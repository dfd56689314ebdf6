#!/usr/bin/perl
#
# Concurrent paging: pg_cancel_backend, pg_terminate_backend and
# statement_timeout while several slow page requests are in flight, and
# the backend's memory over many scans that fail on one page while others
# are in flight.
#
# Runs on a node of its own, like 001_token_store.pl.
# The latencies are printed; the bound asserted is the goal, 0.5 s.
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
my $db = 'rest_fdw_tap3';
my $node = main_node('main');
$RestFdwTest::db = $db;

my ($rc, $out, $err) = psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);
($rc, $out, $err) = psql(<<'EOF');
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set ON_ERROR_STOP 1
CREATE EXTENSION rest_fdw;
CREATE SERVER api FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', paging 'page', page_size '10', page_size_param 'per_page',
           fetch_concurrency '4');
-- page 1 at once, every later page after 60 s
CREATE FOREIGN TABLE slow_pages (id int) SERVER api
  OPTIONS (endpoint '/open/conc/pages?total=1000&delays=0,60000&series=tap_slow', rows_path 'data',
           total_pages_path 'meta.total_pages');
CREATE FOREIGN TABLE failing_pages (id int) SERVER api
  OPTIONS (endpoint '/open/conc/pages?total=100&fail_page=3&delays=0,0,5,20', rows_path 'data');
CREATE FOREIGN TABLE stats (series text OPTIONS (param 'series'), requests int, max_in_flight int,
                            in_flight int)
  SERVER api OPTIONS (endpoint '/_admin/concurrency', paging 'none');
EOF
is($rc, 0, 'set up') or diag($err);

# Start a scan of slow_pages in the background, wait until four page
# requests are in progress at the server, interrupt it with $how, and
# return (seconds from the interrupt to the session's end, stderr).
sub interrupt_scan
{
	my ($how) = @_;
	my ($o, $e) = ('', '');
	my $h = start(psql_cmd("SELECT 'rest_fdw_wait', count(*) FROM slow_pages;"),
		'<', \undef, '>', \$o, '2>', \$e);

	my $pid = backend_of('rest_fdw_wait');
	return (undef, 'the scan never started') unless $pid;
	my $in_flight = 0;
	for (1 .. 100)
	{
		(undef, $in_flight) = psql("SELECT in_flight FROM stats WHERE series = 'tap_slow'");
		last if $in_flight && $in_flight >= 4;
		sleep 0.05;
	}
	return (undef, "only $in_flight requests in flight") unless $in_flight && $in_flight >= 4;
	# the interrupt's time is the server's clock as it sends the signal,
	# so that this psql's own start-up is not counted
	my (undef, $t0) = psql("SELECT extract(epoch FROM clock_timestamp()), $how($pid)");
	($t0) = split /\|/, $t0 // '';
	finish($h);
	return (time - ($t0 || 0), $e);
}

# wait until the server has seen the aborted requests go away
sub in_flight_drops_to_zero
{
	my $left = -1;
	for (1 .. 60)
	{
		(undef, $left) = psql("SELECT in_flight FROM stats WHERE series = 'tap_slow'");
		return 1 if defined $left && $left eq '0';
		sleep 0.05;
	}
	diag("requests still in progress at the server: $left");
	return 0;
}

{
	my ($elapsed, $stderr) = interrupt_scan('pg_cancel_backend');
	ok(defined $elapsed, 'cancel with four page requests in flight') or diag($stderr);
	if (defined $elapsed)
	{
		like($stderr, qr/canceling statement due to user request/, 'canceled');
		note(sprintf("pg_cancel_backend with 4 requests in flight: %.3f s", $elapsed));
		cmp_ok($elapsed, '<', 0.5, "canceled within 0.5 s");
	}
	ok(in_flight_drops_to_zero(), 'the canceled requests were closed');
}

{
	my ($elapsed, $stderr) = interrupt_scan('pg_terminate_backend');
	ok(defined $elapsed, 'terminate with four page requests in flight') or diag($stderr);
	if (defined $elapsed)
	{
		like($stderr, qr/terminating connection due to administrator command/, 'terminated');
		note(sprintf("pg_terminate_backend with 4 requests in flight: %.3f s", $elapsed));
		cmp_ok($elapsed, '<', 0.5, "terminated within 0.5 s");
	}
	ok(in_flight_drops_to_zero(), 'the requests of the terminated backend were closed');
}

{
	# statement_timeout fires by itself: measure from the start of the
	# statement, minus the timeout.  The start is the server's clock just
	# before the statement (the same machine's clock as time()), so that
	# psql's own start-up and connection are not counted.
	($rc, $out, $err) = psql("SELECT 'start', extract(epoch FROM clock_timestamp()); "
		  . "SET statement_timeout = '2s'; SELECT count(*) FROM slow_pages;");
	my $t1 = time;
	my ($t0) = $out =~ /^start\|([0-9.]+)$/m;
	$t0 //= 0;
	my $late = $t1 - $t0 - 2.0;
	like($err, qr/canceling statement due to statement timeout/, 'statement_timeout');
	note(sprintf("statement_timeout with 4 requests in flight: error %.3f s after the timeout", $late));
	cmp_ok($late, '<', 0.5, "statement_timeout within 0.5 s");
	ok(in_flight_drops_to_zero(), 'the timed-out requests were closed');
}

# ------------------------------------------------------------------
# 1,000 scans that fail on page 3 with pages 2-5 in flight: memory stays flat
# ------------------------------------------------------------------
my $mem = "SELECT 'mem', sum(total_bytes) FROM pg_backend_memory_contexts;\n";
my $script = '';
$script .= "SELECT count(*) FROM failing_pages;\n" for 1 .. 100;
$script .= $mem;
$script .= "SELECT count(*) FROM failing_pages;\n" for 1 .. 1000;
$script .= $mem;
($rc, $out, $err) = psql($script);
my @mem = map { (split /\|/)[1] } grep { /^mem\|/ } split /\n/, $out;
is(scalar(@mem), 2, 'memory measured before and after') or diag($out);
my $errors = () = $err =~ /failed with status 500/g;
is($errors, 1100, 'every scan failed on the page that fails');
if (@mem == 2)
{
	my $growth = $mem[1] - $mem[0];
	note(sprintf("backend memory: %d bytes after 100 failed scans, %d after 1,100 (%+d)",
			$mem[0], $mem[1], $growth));
	cmp_ok($growth, '<', 256 * 1024, "memory flat over 1,000 failed concurrent scans ($growth bytes)");
}

psql("DROP DATABASE $db;", 'postgres');
done_testing();
