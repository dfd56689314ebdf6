#!/usr/bin/perl
#
# The npm test servers that test/lib.sh starts (test/npm/serve.cjs) answer
# as the tests expect: json-server's 1,003 items read through rest_fdw with
# offset paging (_start/_limit) and page paging (_page/_limit) give every
# row once, with the sums of test/npm/db.json, in requests that json-server
# logged; json-graphql-server answers GraphQL POSTs (through curl: rest_fdw
# sends no request body yet) with every post once over its pages, GraphQL
# errors in a 200 and 400 for a body that is not JSON.  Both listen on
# 127.0.0.1 only.
#
# Runs on a node of its own (PostgreSQL::Test::Cluster, make
# prove_installcheck) with the servers of REST_TEST_JSON_SERVER_PORT and
# REST_TEST_GRAPHQL_PORT, whose requests are logged in REST_TEST_NPM_LOG.
#
use strict;
use warnings;

use IPC::Run qw(run);
use JSON::PP;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $jport = $ENV{REST_TEST_JSON_SERVER_PORT}
  or BAIL_OUT('REST_TEST_JSON_SERVER_PORT is not set');
my $gport = $ENV{REST_TEST_GRAPHQL_PORT}
  or BAIL_OUT('REST_TEST_GRAPHQL_PORT is not set');
my $npm_log = $ENV{REST_TEST_NPM_LOG} or BAIL_OUT('REST_TEST_NPM_LOG is not set');
my $db = 'rest_fdw_tap14';
my $node = main_node('main');
$RestFdwTest::db = $db;
$RestFdwTest::on_error_stop = 1;

my ($rc, $out, $err) = psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);
($rc, $out, $err) = psql(<<'EOF');
\getenv jport REST_TEST_JSON_SERVER_PORT
\set base_url 'http://127.0.0.1:' :jport
CREATE EXTENSION rest_fdw;
CREATE SERVER json_server FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', max_retries '0');
CREATE FOREIGN TABLE items_offset (id int, name text, price numeric, created timestamptz)
  SERVER json_server
  OPTIONS (endpoint '/items', paging 'offset', offset_param '_start',
           page_size_param '_limit', page_size '100');
CREATE FOREIGN TABLE items_page (id int, name text, price numeric, created timestamptz)
  SERVER json_server
  OPTIONS (endpoint '/items', paging 'page', page_param '_page',
           page_size_param '_limit', page_size '100');
EOF
is($rc, 0, 'set up') or diag($err);

# json-server's log lines for GET /items since line $from (0-based)
sub item_requests
{
	my ($from) = @_;
	open(my $fh, '<', $npm_log) or die "$npm_log: $!";
	my @lines = <$fh>;
	close $fh;
	return (scalar(@lines), grep { m{^json-server GET /items\?} } @lines[ $from .. $#lines ]);
}

my $summary = <<'EOF';
SET TimeZone = 'UTC';
SELECT count(*), count(DISTINCT id), sum(id), sum(price), min(created), max(created),
       min(name), max(name)
  FROM %s;
EOF
my $expected = '1003|1003|503506|5007.25|2024-01-01 01:00:00+00|2024-02-11 19:00:00+00|'
  . 'item 0001|item 1003';
for my $case ([ 'items_offset', qr/_start=([0-9]+)/, 0 ], [ 'items_page', qr/_page=([0-9]+)/, 1 ])
{
	my ($table, $where, $first) = @$case;
	my ($mark) = item_requests(0);
	($rc, $out, $err) = psql(sprintf($summary, $table));
	is($rc, 0, "$table: scan") or diag($err);
	is($out, $expected, "$table: 1,003 rows, each once, with the sums of db.json");
	my (undef, @requests) = item_requests($mark);
	my %seen = map { m/$where/ ? ($1 => 1) : () } @requests;
	my @with_rows = grep {
		$table eq 'items_offset' ? $_ <= 1000 && $_ % 100 == 0 : $_ >= 1 && $_ <= 11
	} keys %seen;
	is(scalar(@with_rows), 11, "$table: json-server logged the 11 pages with rows");
	ok(!grep({ !/_limit=100(&|$| )/ } @requests), "$table: every request asked for 100 rows");
	note(sprintf('%s: %d requests to json-server for 11 pages', $table, scalar(@requests)));
}

# json-server gives the total in X-Total-Count, as the paging tests expect
my @curl = ('curl', '-s', '-S', '--max-time', '10');
run([ @curl, '-D', '-', '-o', '/dev/null', "http://127.0.0.1:$jport/items?_start=1000&_limit=100" ],
	'>', \$out, '2>', \$err);
like($out, qr/^X-Total-Count: 1003\r?$/mi, 'json-server: X-Total-Count');

# json-graphql-server: POST / {"query": ..., "variables": ...}
sub graphql
{
	my ($body) = @_;
	my ($o, $e) = ('', '');
	run([ @curl, '-w', '\n%{http_code}', '-X', 'POST', '-H', 'Content-Type: application/json',
			'--data-binary', '@-', "http://127.0.0.1:$gport/" ],
		'<', \$body, '>', \$o, '2>', \$e);
	my ($json, $status) = $o =~ /\A(.*)\n([0-9]{3})\z/s or return (0, undef, $e);
	return ($status, eval { decode_json($json) }, $e);
}

my $posts_query = encode_json({
		query => 'query ($page: Int, $perPage: Int) { '
		  . 'allPosts(page: $page, perPage: $perPage, sortField: "id") { id title views User { name } } '
		  . '_allPostsMeta { count } }',
		variables => { page => 0, perPage => 25 } });
my (%ids, $views, $pages_with_rows, $meta);
for my $page (0 .. 9)
{
	my $req = decode_json($posts_query);
	$req->{variables}{page} = $page;
	my ($status, $res, $e) = graphql(encode_json($req));
	is($status, 200, "graphql: page $page answered") or diag($e);
	my $posts = $res->{data}{allPosts} // [];
	$meta = $res->{data}{_allPostsMeta}{count};
	last unless @$posts;
	$pages_with_rows++;
	for my $post (@$posts)
	{
		$ids{ $post->{id} }++;
		$views += $post->{views};
	}
}
is($pages_with_rows, 3, 'graphql: 60 posts in pages of 25 are 3 pages');
is(scalar(keys %ids), 60, 'graphql: 60 distinct posts');
ok(!grep({ $_ != 1 } values %ids), 'graphql: each post once');
is($views, 14490, 'graphql: the sum of the views of graphql.json');
is($meta, 60, 'graphql: _allPostsMeta.count');

my ($status, $res) = graphql('{"query": "{ User(id: 7) { name email Posts { id } } }"}');
is_deeply($res, { data => { User => { name => 'Margaret Lovelace', email => 'user07@example.com',
				Posts => [ { id => '7' }, { id => '37' } ] } } },
	'graphql: a user with its posts');
($status, $res) = graphql('{"query": "{ allPosts { nope } }"}');
is($status, 200, 'graphql: an unknown field is answered 200');
like($res->{errors}[0]{message}, qr/Cannot query field "nope"/, 'graphql: ... with an error');
ok(!exists $res->{data}{allPosts}, 'graphql: ... and no rows');
($status, $res) = graphql('not json');
is($status, 400, 'graphql: a body that is not JSON is answered 400');

# both listen on 127.0.0.1 only: another loopback address is refused
for my $server ([ "json-server", $jport ], [ "json-graphql-server", $gport ])
{
	run([ @curl, "-o", "/dev/null", "http://127.0.0.2:$server->[1]/" ], '>', \$out, '2>', \$err);
	is($? >> 8, 7, "$server->[0]: nothing listens on 127.0.0.2");
}

done_testing();
