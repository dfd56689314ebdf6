#!/usr/bin/perl
#
# GraphQL through a request body, against a real GraphQL server:
# json-graphql-server from npm, whose allUsers(page:, perPage:) query
# numbers pages from 0.  The body holds the query and its variables, and
# page paging fills {page} and {limit} in the variables; the rows are at
# data.allUsers.  What rest_fdw returns, page by page, is compared with
# what the server answers to one query for every user, and the number of
# users with its _allUsersMeta count.
#
# Needs REST_TEST_GRAPHQL_PORT (a json-graphql-server on 127.0.0.1 whose
# data has a "users" collection); skipped without it.  Runs on a node of
# its own (PostgreSQL::Test::Cluster, make prove_installcheck).
#
use strict;
use warnings;

use HTTP::Tiny;
use JSON::PP;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $gport = $ENV{REST_TEST_GRAPHQL_PORT};
plan skip_all => 'REST_TEST_GRAPHQL_PORT is not set (json-graphql-server from npm)'
  unless $gport;
my $url = "http://127.0.0.1:$gport/";
my $db = 'rest_fdw_tap10';

# the server's own answer to a query
sub graphql
{
	my ($query, $variables) = @_;
	my $resp = HTTP::Tiny->new(timeout => 30)->post(
		$url,
		{
			headers => { 'Content-Type' => 'application/json' },
			content => encode_json({ query => $query, variables => $variables // {} })
		});
	die "json-graphql-server: $resp->{status} $resp->{content}\n"
	  unless $resp->{success};
	return decode_json($resp->{content});
}

my $count = graphql('{ _allUsersMeta { count } }')->{data}{_allUsersMeta}{count};
my $all = graphql('query($n: Int) { allUsers(page: 0, perPage: $n, sortField: "id") { id } }',
	{ n => $count + 1 })->{data}{allUsers};
my $expected = join(',', sort { $a cmp $b } map { $_->{id} } @$all);
cmp_ok($count, '>', 3, "the server has more users ($count) than one page");

my $node = main_node('main');
$RestFdwTest::db = $db;
my ($rc, $out, $err) = psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);

# page paging, from page 0, three users a page; the GraphQL text sorts by
# id so that pages do not overlap
($rc, $out, $err) = psql(<<EOF);
\\set ON_ERROR_STOP 1
CREATE EXTENSION rest_fdw;
CREATE SERVER gql FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url '$url', method 'POST');
CREATE FOREIGN TABLE users (id text, name text) SERVER gql
  OPTIONS (rows_path 'data.allUsers', paging 'page', first_page '0', page_size '3',
           body '{"query": "query(\$page: Int, \$perPage: Int) { allUsers(page: \$page, perPage: \$perPage, sortField: \\"id\\") { id name } }",
                  "variables": {"page": {page}, "perPage": {limit}}}');
EOF
is($rc, 0, 'set up') or diag($err);

($rc, $out, $err) = psql(<<'EOF');
SELECT count(*), count(DISTINCT id), string_agg(id, ',' ORDER BY id) FROM users;
EOF
is($rc, 0, 'scan') or diag($err);
is($out, "$count|$count|$expected", 'every user once, as the server lists them');

# the requests: POST, one per page and the empty page that ends them
($rc, $out, $err) = psql(<<'EOF');
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM users;
EOF
is($rc, 0, 'explain analyze') or diag($err);
like($out, qr/Request: POST \Q$url\E/, 'EXPLAIN shows the method');
like($out, qr/Request Body: \{"query"/, 'EXPLAIN shows the body template');
my ($pages) = $out =~ /Pages: (\d+)/;
my $full = int(($count + 2) / 3) + 1;
is($pages, $full, "pages read: $full (with the empty page that ends them)");

# page_end 'short': no request for an empty page after a short one
($rc, $out, $err) = psql(<<'EOF');
ALTER FOREIGN TABLE users OPTIONS (ADD page_end 'short');
SELECT count(*) FROM users;
EOF
is($rc, 0, 'scan with page_end short') or diag($err);
is($out, $count, 'every user with page_end short');

# a LIMIT asks for fewer users in the variables
($rc, $out, $err) = psql(<<'EOF');
SELECT string_agg(id, ',') FROM (SELECT id FROM users LIMIT 2) s;
EOF
is($rc, 0, 'scan with LIMIT') or diag($err);
my @first = sort { $a <=> $b } map { $_->{id} } @$all;
is($out, "$first[0],$first[1]", 'LIMIT 2: the first two users');

done_testing();
