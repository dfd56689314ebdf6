#!/usr/bin/perl
#
# The rate_limit server option: the requests of several sessions together
# stay within the limit, as the test API sees them arrive; bursts and
# fractions of a request per second; a wait longer than max_retry_wait
# is an ERROR; statement_timeout ends a wait for a slot.  Before
# PostgreSQL 17 the shared state needs rest_fdw in shared_preload_libraries:
# the main node preloads it there, and a second node without it shows the
# ERROR (from 17 on, it works there too).
#
# The waits and the windows are printed; the bounds asserted allow 50 ms of
# scheduling noise.
#
use strict;
use warnings;

use HTTP::Tiny;
use IPC::Run qw(start finish);
use JSON::PP;
use List::Util qw(max);
use Test::More;
use Time::HiRes qw(time);
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $port = $ENV{REST_TEST_PORT} or BAIL_OUT('REST_TEST_PORT is not set');
my $db = 'rest_fdw_tap13';
my $node = RestFdwTest::rest_node('main');
my $preload = $node->pg_version < 17;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'rest_fdw'\n")
  if $preload;
$node->start;
$ENV{PGHOST} = $node->host;
$ENV{PGPORT} = $node->port;
$RestFdwTest::db = $db;

my $http = HTTP::Tiny->new(timeout => 30);

# when the test API saw the requests for key arrive (seconds)
sub arrivals
{
	my ($key) = @_;
	my $res = $http->get("http://127.0.0.1:$port/_admin/ratelimit?key=$key");
	die "GET /_admin/ratelimit failed: $res->{status}" unless $res->{success};
	return @{ decode_json($res->{content})->{times} };
}

# the most arrivals in any window of $len seconds
sub most_in_window
{
	my ($len, @t) = @_;
	my ($best, $j) = (0, 0);
	for my $i (0 .. $#t)
	{
		$j++ while $t[$i] - $t[$j] >= $len;
		$best = max($best, $i - $j + 1);
	}
	return $best;
}

my $setup = <<'EOF';
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set ON_ERROR_STOP 1
CREATE EXTENSION rest_fdw;
CREATE SERVER rl5 FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rate_limit '5/second', max_retry_wait '30',
           paging 'page', fetch_concurrency '1');
-- 9 pages and the empty page that ends them: 10 requests a scan
CREATE FOREIGN TABLE pages5 (id int) SERVER rl5
  OPTIONS (endpoint '/open/ratelimit/limited?pages=9&key=tap_rl5');
CREATE SERVER rl_burst FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rate_limit '120/minute burst 4', paging 'page',
           fetch_concurrency '4');
CREATE FOREIGN TABLE pages_burst (id int) SERVER rl_burst
  OPTIONS (endpoint '/open/ratelimit/limited?pages=9&key=tap_burst');
CREATE SERVER rl_half FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rate_limit '0.5/second', paging 'page',
           fetch_concurrency '1');
CREATE FOREIGN TABLE pages_half (id int) SERVER rl_half
  OPTIONS (endpoint '/open/ratelimit/limited?pages=2&key=tap_half');
CREATE SERVER rl_slow FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rate_limit '1/minute', max_retry_wait '5', paging 'page',
           fetch_concurrency '1');
CREATE FOREIGN TABLE pages_slow (id int) SERVER rl_slow
  OPTIONS (endpoint '/open/ratelimit/limited?pages=2&key=tap_slow');
CREATE SERVER rl_wait FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rate_limit '1/minute', max_retry_wait '120', paging 'page',
           fetch_concurrency '1');
CREATE FOREIGN TABLE pages_wait (id int) SERVER rl_wait
  OPTIONS (endpoint '/open/ratelimit/limited?pages=2&key=tap_wait');
EOF

my ($rc, $out, $err) = psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);
($rc, $out, $err) = psql($setup);
is($rc, 0, 'set up') or diag($err);

# ------------------------------------------------------------------
# 4 sessions x 10 requests at '5/second'
# ------------------------------------------------------------------
{
	my $t0 = time;
	my @runs;
	for my $i (1 .. 4)
	{
		my ($o, $e) = ('', '');
		my $h = start(psql_cmd("SELECT count(*) FROM pages5;"),
			'<', \undef, '>', \$o, '2>', \$e);
		push @runs, [ $h, \$o, \$e ];
	}
	for my $r (@runs)
	{
		finish($r->[0]);
		is(${ $r->[1] } =~ s/\s+\z//r, '9', 'each session read its 9 rows') or diag(${ $r->[2] });
	}
	my $elapsed = time - $t0;
	my @t = arrivals('tap_rl5');
	is(scalar(@t), 40, '40 requests reached the API');
	my $in1 = most_in_window(1.0, @t);
	my $in095 = most_in_window(0.95, @t);
	my $span = $t[-1] - $t[0];
	note(sprintf("4 x 10 requests at 5/second: %.2f s from first to last request "
			  . "(%.2f s in all), at most %d in any 1 s, %d in any 0.95 s",
			$span, $elapsed, $in1, $in095));
	cmp_ok($in095, '<=', 5, 'at most 5 requests in any second (0.95 s window)');
	cmp_ok($span, '>=', 39 / 5 - 0.05, 'the 40 requests took at least 7.8 s');
	cmp_ok($span, '<', 39 / 5 + 3, 'and not much longer');
}

# ------------------------------------------------------------------
# a burst of 4, then 2 a second; 0.5 a second
# ------------------------------------------------------------------
{
	($rc, $out, $err) = psql("SELECT count(*) FROM pages_burst;");
	is($out, '9', 'burst: the scan read its rows') or diag($err);
	my @t = arrivals('tap_burst');
	my $first4 = $t[3] - $t[0];
	my $span = $t[-1] - $t[0];
	note(sprintf("%d requests at 120/minute burst 4: the first 4 within %.3f s, all within %.2f s",
			scalar(@t), $first4, $span));
	cmp_ok($first4, '<', 0.4, 'the first 4 requests start at once');
	# the scan asks for pages ahead: each request after the burst waits 0.5 s
	cmp_ok($span, '>=', (scalar(@t) - 4) * 0.5 - 0.05, 'the others are 0.5 s apart');
	cmp_ok(most_in_window(0.95, @t), '<=', 4 + 1, 'at most 5 in any second');

	($rc, $out, $err) = psql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM pages_half;");
	like($out, qr/actual rows=2 /, '0.5/second: the scan read its rows') or diag($err);
	like($out, qr/Rate Limit: 30\/minute\n/, 'EXPLAIN shows the rate limit');
	my ($waited) = $out =~ /Rate Limit Wait: ([0-9.]+) s/;
	note("EXPLAIN ANALYZE: Rate Limit Wait: " . ($waited // 'none') . " s");
	ok(defined $waited && $waited >= 3.9 && $waited < 5, 'and the time the requests waited (2 + 2 s)');
	@t = arrivals('tap_half');
	is(scalar(@t), 3, '3 requests');
	my $gap = max($t[1] - $t[0], $t[2] - $t[1]);
	my $min_gap = $t[1] - $t[0] < $t[2] - $t[1] ? $t[1] - $t[0] : $t[2] - $t[1];
	note(sprintf("0.5/second: %.3f s and %.3f s between the requests",
			$t[1] - $t[0], $t[2] - $t[1]));
	cmp_ok($min_gap, '>=', 1.95, 'requests 2 s apart');
	cmp_ok($gap, '<', 3, 'and not much more');
}

# ------------------------------------------------------------------
# a server in each of two databases (each server its own limit)
# ------------------------------------------------------------------
{
	($rc, $out, $err) = psql("CREATE DATABASE ${db}_b;", 'postgres');
	is($rc, 0, 'create a second database') or diag($err);
	my $two = <<'EOF';
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set ON_ERROR_STOP 1
CREATE EXTENSION IF NOT EXISTS rest_fdw;
CREATE SERVER rl_db FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rate_limit '2/second', paging 'page', fetch_concurrency '1');
EOF
	for my $d ($db, "${db}_b")
	{
		($rc, $out, $err) = psql($two
			  . "CREATE FOREIGN TABLE pages_db (id int) SERVER rl_db "
			  . "OPTIONS (endpoint '/open/ratelimit/limited?pages=4&key=tap_$d');", $d);
		is($rc, 0, "set up in $d") or diag($err);
	}
	my @runs = map {
		my ($o, $e) = ('', '');
		[ start(psql_cmd("SELECT count(*) FROM pages_db;", $_), '<', \undef, '>', \$o, '2>', \$e), \$o, \$e ]
	} ($db, "${db}_b");
	for my $r (@runs)
	{
		finish($r->[0]);
		is(${ $r->[1] } =~ s/\s+\z//r, '4', 'each database read its rows') or diag(${ $r->[2] });
	}
	for my $d ($db, "${db}_b")
	{
		my @t = arrivals("tap_$d");
		note(sprintf("%s: 5 requests at 2/second in %.2f s", $d, $t[-1] - $t[0]));
		cmp_ok($t[-1] - $t[0], '>=', 1.95, "$d: 2 a second");
		cmp_ok($t[-1] - $t[0], '<', 3.5, "$d: not slowed down by the other database");
	}
	psql("DROP DATABASE ${db}_b;", 'postgres');
}

# ------------------------------------------------------------------
# a slot further away than max_retry_wait; statement_timeout in a wait
# ------------------------------------------------------------------
{
	($rc, $out, $err) = psql("SELECT count(*) FROM pages_slow;");
	like($err, qr/rate limit of server "rl_slow" would delay a request by 60 seconds/,
		'a slot 60 s away with max_retry_wait 5 is an ERROR');
	like($err, qr/HINT:  The longest wait allowed is the "max_retry_wait" option/,
		'with a hint naming max_retry_wait');
	is(scalar(arrivals('tap_slow')), 1, 'the second request was not sent');

	# measured from the server's clock at the statement's start, so that
	# psql's own start-up is not counted
	($rc, $out, $err) = psql("SELECT 'start', extract(epoch FROM clock_timestamp()); "
		  . "SET statement_timeout = '1s'; SELECT count(*) FROM pages_wait;");
	my $t1 = time;
	my ($t0) = $out =~ /^start\|([0-9.]+)$/m;
	my $late = $t1 - ($t0 // 0) - 1.0;
	like($err, qr/canceling statement due to statement timeout/,
		'statement_timeout ends a wait for a slot');
	note(sprintf("statement_timeout while waiting for a slot: error %.3f s after the timeout", $late));
	cmp_ok($late, '<', 0.5, 'within 0.5 s');
	is(scalar(arrivals('tap_wait')), 1, 'the waiting request was not sent');
}

# ------------------------------------------------------------------
# without shared_preload_libraries
# ------------------------------------------------------------------
{
	my $plain = RestFdwTest::rest_node('plain');
	$plain->start;
	($rc, $out, $err) = psql_on($plain, "CREATE DATABASE $db;", 'postgres');
	is($rc, 0, 'plain node: create database') or diag($err);
	my $sql = $setup =~ s/tap_half/tap_plain/r;
	($rc, $out, $err) = psql_on($plain, $sql);
	is($rc, 0, 'plain node: set up') or diag($err);
	($rc, $out, $err) = psql_on($plain, "SELECT count(*) FROM pages_half;");
	if ($plain->pg_version < 17)
	{
		like($err, qr/option "rate_limit" of server "rl_half" needs rest_fdw in shared_preload_libraries/,
			'before PostgreSQL 17, rate_limit needs shared_preload_libraries');
		like($err, qr/HINT:  Add rest_fdw to shared_preload_libraries/, 'with a hint');
		is(scalar(arrivals('tap_plain')), 0, 'nothing was sent');
	}
	else
	{
		is($out, '2', 'from PostgreSQL 17 on, rate_limit needs no preloading') or diag($err);
		my @t = arrivals('tap_plain');
		cmp_ok($t[2] - $t[0], '>=', 3.9, 'and limits the rate');
	}
	($rc, $out, $err) = psql_on($plain, "EXPLAIN SELECT * FROM pages_half;");
	is($rc, 0, 'EXPLAIN of a rate-limited table works anyway') or diag($err);
	$plain->stop;
}

psql("DROP DATABASE $db;", 'postgres');
done_testing();
