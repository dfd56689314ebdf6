#!/usr/bin/perl
#
# rest_fdw.allowed_hosts cannot be loosened by a non-superuser, in any way
# a setting can be given: the connection's startup options (PGOPTIONS),
# SET, SET LOCAL or set_config before the library is loaded, and after.
# The superuser's value comes from ALTER DATABASE ... SET, then from
# ALTER SYSTEM (with the README's recipe).  The target is the test API on
# 127.0.0.1, which the superuser's list never names except in the control
# cases, where the same session setup succeeds.  Last, on a second node
# started with http_proxy/ALL_PROXY in its environment: credentials sent
# over http:// to localhost never go through that proxy.
#
# Runs on a node of its own (PostgreSQL::Test::Cluster, make
# prove_installcheck) with the test API server of REST_TEST_PORT.
#
use strict;
use warnings;

use IPC::Run qw(run);
use Test::More;
use Time::HiRes qw(sleep);
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $port = $ENV{REST_TEST_PORT} or BAIL_OUT('REST_TEST_PORT is not set');
my $db = 'rest_fdw_tap4';
my $user = 'regress_tap4_user';
my $password = 'tap4-not-a-secret';
my $node = main_node('main');
$RestFdwTest::db = $db;

my ($rc, $out, $err) = psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);
($rc, $out, $err) = psql(<<EOF);
\\set ON_ERROR_STOP 1
CREATE EXTENSION rest_fdw;
DROP ROLE IF EXISTS $user;
CREATE ROLE $user LOGIN PASSWORD '$password';
GRANT USAGE ON FOREIGN DATA WRAPPER rest_fdw TO $user;
CREATE SCHEMA u AUTHORIZATION $user;
SET ROLE $user;
CREATE SERVER user_api FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'http://127.0.0.1:$port', max_retries '0');
CREATE FOREIGN TABLE u.customers (id int) SERVER user_api
  OPTIONS (endpoint '/open/customers');
RESET ROLE;
ALTER DATABASE $db SET rest_fdw.allowed_hosts = 'api.example.com, *.example.org';
EOF
is($rc, 0, 'set up') or diag($err);

# Run SQL in a new session of the non-superuser (or of the superuser with
# $as_superuser), with PGOPTIONS set to $pgoptions (or unset).
sub session
{
	my ($sql, $pgoptions, $as_superuser) = @_;
	local $ENV{PGOPTIONS} = $pgoptions if defined $pgoptions;
	delete local $ENV{PGOPTIONS} unless defined $pgoptions;
	return psql($sql, $as_superuser ? $db : "dbname=$db user=$user password=$password");
}

my $scan = 'SELECT count(*) FROM u.customers;';

# a session that must be refused, and why
sub refused
{
	my ($name, $sql, $pgoptions, $why) = @_;
	my ($rc, $out, $err) = session($sql, $pgoptions);
	unlike($out, qr/^5$/m, "$name: no rows");
	like($err, qr/server "user_api" may not connect/, "$name: refused") or diag($err);
	like($err, $why, "$name: the reason") if $why;
	return $err;
}

sub allowed
{
	my ($name, $sql, $pgoptions, $as_superuser) = @_;
	my ($rc, $out, $err) = session($sql, $pgoptions, $as_superuser);
	like($out, qr/^5$/m, "$name: rows") or diag($err);
}

my $not_listed = qr/lists neither the host nor the address/;
my $unknown = qr/rest_fdw\.allowed_hosts is unknown in this session/;

# --- the superuser's value from ALTER DATABASE ... SET ---------------------

refused('plain session', $scan, undef, $not_listed);
my $e = refused('PGOPTIONS -c rest_fdw.allowed_hosts=*', $scan,
	'-c rest_fdw.allowed_hosts=*', $unknown);
like($e, qr/startup options \(PGOPTIONS\)/, 'the error names the connection options');
like($e, qr/HINT:.*shared_preload_libraries/, 'the hint says what to do');
refused('PGOPTIONS naming the host', $scan,
	'-c rest_fdw.allowed_hosts=127.0.0.1', $unknown);
refused('PGOPTIONS with an address block', $scan,
	'-c rest_fdw.allowed_hosts=*,127.0.0.0/8', $unknown);
refused('SET before the first use',
	"SET rest_fdw.allowed_hosts = '127.0.0.1'; $scan", undef, $not_listed);
refused('set_config before the first use',
	"SELECT set_config('rest_fdw.allowed_hosts', '127.0.0.1', false); $scan",
	undef, $not_listed);
refused('SET LOCAL before the first use',
	"BEGIN; SET LOCAL rest_fdw.allowed_hosts = '127.0.0.1'; $scan COMMIT;",
	undef, $not_listed);
($rc, $out, $err) = session("SET rest_fdw.allowed_hosts = '*'; $scan SHOW rest_fdw.allowed_hosts;");
like($out, qr/^api\.example\.com, \*\.example\.org$/m,
	'a SET before the first use gives way to the superuser\'s value');
refused('SET after the first use',
	"$scan SET rest_fdw.allowed_hosts = '127.0.0.1'; $scan", undef,
	qr/permission denied to set parameter/);
refused('a function SET clause',
	"CREATE FUNCTION u.f() RETURNS bigint LANGUAGE sql "
	  . "SET rest_fdw.allowed_hosts = '127.0.0.1' AS 'SELECT 1'; $scan",
	undef, qr/permission denied to set parameter/);
refused('ALTER ROLE ... SET by the user',
	"ALTER ROLE $user SET rest_fdw.allowed_hosts = '127.0.0.1'; $scan", undef,
	qr/permission denied to set parameter/);
# the superuser's own startup options are honoured
allowed('a superuser\'s PGOPTIONS', $scan, '-c rest_fdw.allowed_hosts=127.0.0.1', 1);

($rc, $out, $err) = psql("ALTER DATABASE $db SET rest_fdw.allowed_hosts = 'api.example.com, 127.0.0.1';");
is($rc, 0, 'ALTER DATABASE naming the host') or diag($err);
allowed('plain session, host listed', $scan);
refused('PGOPTIONS, host listed', $scan, '-c rest_fdw.allowed_hosts=127.0.0.1', $unknown);
refused('PGOPTIONS restricting further, host listed', $scan,
	'-c rest_fdw.allowed_hosts=api.example.com', $unknown);
allowed('SET before the first use, host listed',
	"SET rest_fdw.allowed_hosts = ''; $scan");

# --- the superuser's value from ALTER SYSTEM ------------------------------

# wait until new sessions see the configuration file's value
sub wait_for_setting
{
	my ($want) = @_;
	my $got = '';
	for (1 .. 100)
	{
		(undef, $got) = psql("SHOW rest_fdw.allowed_hosts;", 'postgres');
		return 1 if defined $got && $got eq $want;
		sleep 0.05;
	}
	diag("rest_fdw.allowed_hosts is \"$got\", not \"$want\"");
	return 0;
}

($rc, $out, $err) = psql(<<EOF, 'postgres');
\\set ON_ERROR_STOP 1
LOAD 'rest_fdw';
ALTER SYSTEM SET rest_fdw.allowed_hosts = 'api.example.com, *.salesforce.com';
SELECT pg_reload_conf();
EOF
is($rc, 0, 'the README recipe: LOAD, ALTER SYSTEM, pg_reload_conf') or diag($err);
ok(wait_for_setting('api.example.com, *.salesforce.com'), 'the configuration is reloaded');
($rc, $out, $err) = psql("ALTER DATABASE $db RESET rest_fdw.allowed_hosts;");
is($rc, 0, 'ALTER DATABASE RESET') or diag($err);

refused('plain session, ALTER SYSTEM', $scan, undef, $not_listed);
refused('PGOPTIONS, ALTER SYSTEM', $scan, '-c rest_fdw.allowed_hosts=*', $unknown);
refused('SET before the first use, ALTER SYSTEM',
	"SET rest_fdw.allowed_hosts = '127.0.0.1'; $scan", undef, $not_listed);

($rc, $out, $err) = psql(<<EOF, 'postgres');
LOAD 'rest_fdw';
ALTER SYSTEM SET rest_fdw.allowed_hosts = '127.0.0.1';
SELECT pg_reload_conf();
EOF
ok(wait_for_setting('127.0.0.1'), 'ALTER SYSTEM naming the host');
allowed('plain session, ALTER SYSTEM naming the host', $scan);
refused('PGOPTIONS, ALTER SYSTEM naming the host', $scan,
	'-c rest_fdw.allowed_hosts=127.0.0.1', $unknown);

($rc, $out, $err) = psql("ALTER SYSTEM RESET rest_fdw.allowed_hosts; SELECT pg_reload_conf();",
	'postgres');
is($rc, 0, 'ALTER SYSTEM RESET') or diag($err);
# --- credentials over http:// to localhost never go to a proxy -------------

# A server process whose environment names a proxy (http_proxy, ALL_PROXY):
# a second node started with them.  The "proxy" only listens; a
# connection to it waits on its socket until it is accepted and closed.
SKIP:
{
	require IO::Select;
	require IO::Socket::INET;
	my $proxy = IO::Socket::INET->new(Listen => 16, LocalAddr => '127.0.0.1', LocalPort => 0)
	  or skip('no proxy socket', 4);
	my $proxy_url = 'http://127.0.0.1:' . $proxy->sockport;
	# connections the proxy received since the last call
	my $proxied = sub {
		my $n = 0;
		while (IO::Select->new($proxy)->can_read(0.2))
		{
			my $c = $proxy->accept or last;
			close $c;
			$n++;
		}
		return $n;
	};

	my $second = rest_node('proxied');
	{
		local @ENV{qw(http_proxy ALL_PROXY NO_PROXY no_proxy)} = ($proxy_url, $proxy_url, '', '');
		$second->start(fail_ok => 1) or skip('the node with a proxy did not start', 4);
	}

	my $on_second = sub { return psql_on($second, $_[0], 'postgres'); };
	($rc, $out, $err) = $on_second->(<<'EOF');
\set ON_ERROR_STOP 1
\getenv port REST_TEST_PORT
\getenv api_key REST_TEST_API_KEY
\set url 'http://localhost:' :port
CREATE EXTENSION rest_fdw;
CREATE SERVER open_api FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'url', max_retries '0', timeout '2');
CREATE FOREIGN TABLE open_customers (id int) SERVER open_api
  OPTIONS (endpoint '/open/customers');
CREATE SERVER key_api FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'url', authentication_method 'http_header',
           auth_header 'X-API-Key', max_retries '0', timeout '2');
CREATE USER MAPPING FOR CURRENT_USER SERVER key_api OPTIONS (api_key :'api_key');
CREATE FOREIGN TABLE key_customers (id int) SERVER key_api
  OPTIONS (endpoint '/header/customers');
EOF
	is($rc, 0, 'set up the second node') or diag($err);

	# without credentials, the environment's proxy is used
	$on_second->('SELECT count(*) FROM open_customers;');
	ok($proxied->() > 0, 'a request without credentials goes through the proxy');
	# the API key travels in plain text only to the loopback host itself
	($rc, $out, $err) = $on_second->('SELECT count(*) FROM key_customers;');
	is($out, '5', 'credentials over http:// to localhost: rows') or diag($err);
	is($proxied->(), 0, 'credentials over http:// to localhost: not through the proxy');

	$second->stop('immediate');
}

($rc, $out, $err) = psql("DROP DATABASE $db; DROP ROLE $user;", 'postgres');
is($rc, 0, 'clean up') or diag($err);

done_testing();
