#!/usr/bin/perl
#
# Logging in from psql against a real authorization server, oidc-provider
# (test/npm/oidc.cjs): rest_fdw_login() with the device flow (RFC 8628),
# whose user code a "user" approves or denies over plain HTTP
# (test/npm/oidc-approve.cjs, run from psql with \!), and
# rest_fdw_authorize_url() / rest_fdw_authorize_finish() with the
# authorization code flow and PKCE, whose login and consent pages
# test/npm/oidc-authorize.cjs goes through.  The refresh token obtained
# must land in the caller's user mapping (altered, or created, with the
# privilege checks of ALTER and CREATE USER MAPPING) and serve the next
# scan; the waiting must be interruptible, the polling paced as the
# provider asks (interval, slow_down: POST /_test/device sets them and GET
# /_test/device shows when each poll came); and no secret (device code,
# authorization code, code verifier, tokens, client secret) may appear in
# psql's output or the server log.
#
# Runs on a node of its own (PostgreSQL::Test::Cluster, make
# prove_installcheck) with the REST_TEST_OIDC_* variables of test/lib.sh.
#
use strict;
use warnings;

use HTTP::Tiny;
use IPC::Run qw(start finish);
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $issuer = $ENV{REST_TEST_OIDC_ISSUER} or BAIL_OUT('REST_TEST_OIDC_ISSUER is not set');
my $oidc_dir = $ENV{REST_TEST_OIDC_DIR} or BAIL_OUT('REST_TEST_OIDC_DIR is not set');
my $issued_file = $ENV{REST_TEST_OIDC_ISSUED_TOKENS} or BAIL_OUT('REST_TEST_OIDC_ISSUED_TOKENS is not set');
my $db = 'rest_fdw_tap17';
my $node = main_node('main');
$RestFdwTest::db = $db;
my $http = HTTP::Tiny->new(timeout => 30);
$ENV{REST_TAP17_NPM} = "$FindBin::Bin/../npm";
my @outputs;    # everything psql printed, for the secret check

sub run_psql
{
	my ($sql, $dbname) = @_;
	my ($rc, $out, $err) = psql($sql, $dbname);
	push @outputs, $out, $err;
	return ($rc, $out, $err);
}

# the device flow's pacing at the provider; the polls since
sub device_pacing
{
	my ($query) = @_;
	my $res = $http->post("$issuer/_test/device?$query");
	die "POST /_test/device: $res->{status}" unless $res->{success};
}

sub device_polls
{
	my $res = $http->get("$issuer/_test/device");
	die "GET /_test/device: $res->{status}" unless $res->{success};
	return decode_json($res->{content})->{polls};
}

# how many refresh_token grants a client of the provider made
sub refreshes
{
	my $res = $http->get("$issuer/_test/stats");
	die "GET /_test/stats: $res->{status}" unless $res->{success};
	return decode_json($res->{content})->{clients}{ $_[0] }{refreshes} // 0;
}

# seconds between consecutive polls
sub poll_gaps
{
	my @polls = @{ $_[0] };
	return map { ($polls[$_]{at} - $polls[ $_ - 1 ]{at}) / 1000 } 1 .. $#polls;
}

# psql lines: the user code of a new pending login into :user_code, and
# the "user" approving it (or denying it, with --deny) after $delay seconds,
# in the background when $delay > 0
sub start_login
{
	my ($server, $approve, $delay) = @_;
	my $sql = "SELECT user_code FROM rest_fdw_login('$server', wait => false) \\gset\n"
	  . "\\setenv REST_TAP17_USER_CODE :user_code\n";
	my $cmd = qq{node "\$REST_TAP17_NPM/oidc-approve.cjs" $approve "\$REST_TEST_OIDC_DIR" "\$REST_TAP17_USER_CODE"};
	if ($delay)
	{
		$sql .= "\\! (sleep $delay; $cmd) >/dev/null 2>&1 &\n";
	}
	elsif ($approve ne 'none')
	{
		$sql .= "\\! $cmd\n";
	}
	return $sql;
}

my ($rc, $out, $err);

($rc, $out, $err) = run_psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);

my $cols = '(id int, name text, amount int)';
my $table_options = "OPTIONS (endpoint '/resource/items', rows_path 'items', paging 'offset',\n"
  . "  page_size '100', total_count_path 'total')";
my $server_options = <<'EOF';
base_url :'issuer', authentication_method 'oauth2', token_uri :'token_uri',
           device_authorization_uri :'device_uri', authorization_uri :'auth_uri',
           redirect_uri 'http://127.0.0.1/callback', scope 'openid offline_access items',
           max_retries '0'
EOF
my $vars = <<'EOF';
\getenv issuer REST_TEST_OIDC_ISSUER
\getenv client_secret REST_TEST_OIDC_BASIC_SECRET
\set token_uri :issuer '/token'
\set device_uri :issuer '/device/auth'
\set auth_uri :issuer '/auth'
EOF
($rc, $out, $err) = run_psql(<<"EOF");
\\set ON_ERROR_STOP 1
$vars
CREATE EXTENSION rest_fdw;
CREATE SERVER login FOREIGN DATA WRAPPER rest_fdw
  OPTIONS ($server_options, client_id 'rest_fdw_basic');
CREATE USER MAPPING FOR CURRENT_USER SERVER login OPTIONS (client_secret :'client_secret');
CREATE FOREIGN TABLE items $cols SERVER login $table_options;
CREATE SERVER login_public FOREIGN DATA WRAPPER rest_fdw
  OPTIONS ($server_options, client_id 'rest_fdw_public');
CREATE FOREIGN TABLE items_public $cols SERVER login_public $table_options;
GRANT SELECT ON items_public TO PUBLIC;
CREATE ROLE regress_login_nousage LOGIN;
CREATE ROLE regress_login_user LOGIN;
GRANT USAGE ON FOREIGN SERVER login_public TO regress_login_user;
EOF
is($rc, 0, 'set up servers, a user mapping with the client secret, roles') or diag($err);

my $query = "SELECT count(*), sum(amount) FROM items;\n";
my $rows = '250|62750';
my $mapping_options = "SELECT string_agg(split_part(o, '=', 1), ',' ORDER BY o) "
  . "FROM pg_user_mappings, unnest(umoptions) o WHERE srvname = 'login' AND usename = current_user;\n";

# ------------------------------------------------------------------
# The device flow: wait => false, the user approves, wait => true
# ------------------------------------------------------------------
device_pacing('interval=1');
($rc, $out, $err) = run_psql(start_login('login', '', 0) . <<'EOF');
SELECT :'user_code' ~ '^[A-Z]{4}-?[A-Z]{4}$' AS code_shown;
SELECT status, user_mapping FROM rest_fdw_login('login');
EOF
is($rc, 0, 'a login: wait => false, approval, wait => true') or diag($err);
is($out, "t\nauthorized|updated", 'the user code is returned, then the login is authorized and the user mapping updated');
like($err, qr/NOTICE:  to log in to server "login", visit \Q$issuer\E\/device and enter the code [A-Z-]+/,
	'a NOTICE says where to enter the code');
($rc, $out, $err) = run_psql($mapping_options);
is($out, 'client_secret,refresh_token', 'the user mapping now holds a refresh token (pg_user_mappings)');
($rc, $out, $err) = run_psql("SELECT md5(substring(o FROM position('=' IN o) + 1)) "
	  . "FROM pg_user_mappings, unnest(umoptions) o WHERE srvname = 'login' AND o LIKE 'refresh_token=%';\n");
my %issued_md5;
{
	open my $fh, '<', $issued_file or die "$issued_file: $!";
	chomp(my @lines = <$fh>);
	require Digest::MD5;
	$issued_md5{ Digest::MD5::md5_hex($_) } = 1 for grep { length } @lines;
}
ok($issued_md5{$out}, '... one the provider issued');
my $refreshes = refreshes('rest_fdw_basic');
($rc, $out, $err) = run_psql($query);
is($rc, 0, 'a scan with it') or diag($err);
is($out, $rows, '... reads all items');
is(refreshes('rest_fdw_basic'), $refreshes + 1, '... after exchanging the new seed (one refresh)');

# a login that replaces the refresh token: SET, not ADD
($rc, $out, $err) = run_psql(start_login('login', '', 0)
	  . "SELECT status, user_mapping FROM rest_fdw_login('login');\n$mapping_options$query");
is($out, "authorized|updated\nclient_secret,refresh_token\n$rows",
	'a second login replaces the refresh token, and the scan reads with the new one') or diag($err);

# a client that authenticates with a signed JWT (private_key_jwt) at the
# device authorization endpoint and the token endpoint alike
($rc, $out, $err) = run_psql(<<"EOF" . start_login('login_keyjwt', '', 0)
\\set ON_ERROR_STOP 1
$vars
\\getenv key_file REST_TEST_OIDC_RSA_KEY
\\set key `cat :'key_file'`
CREATE SERVER login_keyjwt FOREIGN DATA WRAPPER rest_fdw
  OPTIONS ($server_options, client_id 'rest_fdw_key_jwt', client_auth 'private_key_jwt');
CREATE USER MAPPING FOR CURRENT_USER SERVER login_keyjwt OPTIONS (private_key :'key');
CREATE FOREIGN TABLE items_keyjwt $cols SERVER login_keyjwt $table_options;
EOF
	  . "SELECT status, user_mapping FROM rest_fdw_login('login_keyjwt');\n"
	  . "SELECT count(*), sum(amount) FROM items_keyjwt;\n");
is($rc, 0, 'a login of a private_key_jwt client') or diag($err);
is($out, "authorized|updated\n$rows", '... is authorized, and the scan reads with its refresh token');

# ------------------------------------------------------------------
# Pacing: the interval the provider gives, and slow_down
# ------------------------------------------------------------------
device_pacing('interval=1');
($rc, $out, $err) = run_psql(start_login('login', '', 3.5)
	  . "SELECT status FROM rest_fdw_login('login');\n");
is($out, 'authorized', 'a login approved 3.5 s later') or diag($err);
my $polls = device_polls();
my @gaps = poll_gaps($polls);
my @pending = grep { $_->{result} eq 'authorization_pending' } @$polls;
note('polls: ' . join(', ', map { $_->{result} } @$polls) . '; gaps: ' . join(', ', map { sprintf('%.2f', $_) } @gaps));
ok(@pending >= 2 && @pending <= 4, 'polled every second while pending (interval 1)');
is($polls->[-1]{result}, 'token', '... until the token came');
ok(!grep({ $_ < 0.95 } @gaps), '... never sooner than the interval after the last poll');

device_pacing('interval=1&slow_down=1');
($rc, $out, $err) = run_psql(start_login('login', '', 2)
	  . "SELECT status FROM rest_fdw_login('login');\n");
is($out, 'authorized', 'a login with slow_down') or diag($err);
$polls = device_polls();
@gaps = poll_gaps($polls);
note('polls: ' . join(', ', map { $_->{result} } @$polls) . '; gaps: ' . join(', ', map { sprintf('%.2f', $_) } @gaps));
is($polls->[0]{result}, 'slow_down', 'the first poll was told to slow down');
ok(@gaps && $gaps[0] >= 5.95, 'the next poll came 5 s later than the interval (1 + 5 s)');

# ------------------------------------------------------------------
# Denied, interrupted
# ------------------------------------------------------------------
device_pacing('interval=1');
($rc, $out, $err) = run_psql(start_login('login', '--deny', 0)
	  . "SELECT status FROM rest_fdw_login('login');\n");
like($err, qr/ERROR:  the login to server "login" was denied/, 'a denied login is an ERROR');
like($err, qr/DETAIL:  The endpoint answered HTTP status 400 with error "access_denied"/, '... that says why');
($rc, $out, $err) = run_psql($mapping_options . $query);
is($out, "client_secret,refresh_token\n$rows", '... and leaves the user mapping as it was');

# statement_timeout, measured from the server's clock at the statement's
# start (no interval: 5 s between polls, nothing approves)
device_pacing('');
($rc, $out, $err) = run_psql(start_login('login', 'none', 0) . <<'EOF');
SELECT 'start', extract(epoch FROM clock_timestamp());
SET statement_timeout = '1s';
SELECT status FROM rest_fdw_login('login');
EOF
my $t1 = time;
my ($t0) = $out =~ /^start\|([0-9.]+)$/m;
$t0 //= 0;
my $late = $t1 - $t0 - 1.0;
like($err, qr/canceling statement due to statement timeout/, 'statement_timeout ends a waiting login');
note(sprintf('statement_timeout: error %.3f s after the timeout', $late));
cmp_ok($late, '<', 0.5, 'statement_timeout within 0.5 s');

# pg_cancel_backend, measured from the server's clock as it signals
device_pacing('');
{
	my ($o, $e) = ('', '');
	my $h = start(psql_cmd(start_login('login', 'none', 0)
		  . "SELECT 'login_wait', status FROM rest_fdw_login('login');\n"),
		'<', \undef, '>', \$o, '2>', \$e);
	my $pid = backend_of('login_wait');
	ok($pid, 'a login waiting for the user');
	my (undef, $t0) = run_psql("SELECT extract(epoch FROM clock_timestamp()), pg_cancel_backend($pid)");
	($t0) = split /\|/, $t0 // '';
	finish($h);
	push @outputs, $o, $e;
	my $elapsed = time - ($t0 || 0);
	like($e, qr/canceling statement due to user request/, 'pg_cancel_backend ends a waiting login');
	note(sprintf('pg_cancel_backend: %.3f s', $elapsed));
	cmp_ok($elapsed, '<', 0.5, 'canceled within 0.5 s');
}

# the pending login survives the timeout: approved, a later call continues it
device_pacing('');
($rc, $out, $err) = run_psql(start_login('login', 'none', 0) . <<'EOF');
SET statement_timeout = '1s';
SELECT status FROM rest_fdw_login('login');
RESET statement_timeout;
\! node "$REST_TAP17_NPM/oidc-approve.cjs" "$REST_TEST_OIDC_DIR" "$REST_TAP17_USER_CODE"
SELECT status, user_code = :'user_code' FROM rest_fdw_login('login');
EOF
like($err, qr/statement timeout/, 'a login interrupted by statement_timeout');
is($out, 'authorized|t', '... is continued by the next call, with the same user code');

# ------------------------------------------------------------------
# Privileges: USAGE on the server; a user mapping created as by CREATE
# USER MAPPING
# ------------------------------------------------------------------
($rc, $out, $err) = run_psql(<<'EOF');
SET ROLE regress_login_nousage;
SELECT status FROM rest_fdw_login('login_public', wait => false);
CREATE USER MAPPING FOR CURRENT_USER SERVER login_public;
EOF
my @denied = $err =~ /ERROR:  (.*)/g;
is($denied[0], 'permission denied for foreign server login_public', 'without USAGE: permission denied');
is($denied[1], $denied[0], '... as CREATE USER MAPPING says');

device_pacing('interval=1');
($rc, $out, $err) = run_psql("SET ROLE regress_login_user;\n" . start_login('login_public', '', 0) . <<'EOF');
SELECT status, user_mapping FROM rest_fdw_login('login_public');
SELECT count(*), sum(amount) FROM items_public;
EOF
is($out, "authorized|created\n$rows", 'a role with USAGE and no user mapping: created, and it reads') or diag($err);
($rc, $out, $err) = run_psql("SELECT usename, array_length(umoptions, 1) FROM pg_user_mappings WHERE srvname = 'login_public';\n");
is($out, 'regress_login_user|1', 'the created user mapping is the role\'s, with one option');
($rc, $out, $err) = run_psql("SET ROLE regress_login_user;\n"
	  . "SELECT umoptions IS NOT NULL FROM pg_user_mappings WHERE srvname = 'login_public';\n");
is($out, 't', '... which the role itself can see');

# ------------------------------------------------------------------
# The authorization code flow with PKCE
# ------------------------------------------------------------------
($rc, $out, $err) = run_psql(<<'EOF');
SELECT rest_fdw_authorize_url('login') AS url \gset
SELECT :'url' ~ 'code_challenge=[A-Za-z0-9_-]{43}&code_challenge_method=S256' AS pkce,
       :'url' ~ '[?&]state=[A-Za-z0-9_-]{32}' AS state;
\set redirect `node "$REST_TAP17_NPM/oidc-authorize.cjs" :'url'`
SELECT :'redirect' ~ '^http://127\.0\.0\.1/callback\?(.*&)?code=' AS redirected;
SET log_min_error_statement = panic;
SELECT * FROM rest_fdw_authorize_finish('login', regexp_replace(:'redirect', 'state=[^&]+', 'state=forged'));
RESET log_min_error_statement;
SELECT status, user_mapping FROM rest_fdw_authorize_finish('login', :'redirect');
EOF
is($out, "t|t\nt\nauthorized|updated", 'the authorization URL has PKCE and a state; login and consent; finished')
  or diag($err);
like($err, qr/ERROR:  the state of the redirect URL does not match the pending authorization of server "login"/,
	'a redirect URL with another state is refused');
($rc, $out, $err) = run_psql($mapping_options . $query);
is($out, "client_secret,refresh_token\n$rows", 'the scan reads with the refresh token of the code');

# the provider checks the verifier: a code obtained with the challenge of
# another authorization request is refused
($rc, $out, $err) = run_psql(<<'EOF');
SELECT rest_fdw_authorize_url('login') AS url \gset
\set redirect `node "$REST_TAP17_NPM/oidc-authorize.cjs" :'url'`
SELECT rest_fdw_authorize_url('login') AS url2 \gset
SET log_min_error_statement = panic;
SELECT * FROM rest_fdw_authorize_finish('login',
  regexp_replace(:'redirect', 'state=[^&]+', 'state=' || substring(:'url2' FROM 'state=([^&]+)')));
EOF
like($err, qr/ERROR:  the authorization code for server "login" was refused/,
	'a code of another authorization request (another code verifier) is refused by the provider');

# ------------------------------------------------------------------
# No secret in psql's output or the server log
# ------------------------------------------------------------------
my @secrets;
{
	open my $fh, '<', $issued_file or die "$issued_file: $!";
	chomp(@secrets = grep { length > 8 } <$fh>);
}
push @secrets, $ENV{REST_TEST_OIDC_BASIC_SECRET};
ok(@secrets > 10, 'the provider issued device codes, codes and tokens (' . scalar(@secrets) . ' secrets)');
my $log = slurp_file($node->logfile);
my $output = join("\n", @outputs);
my @in_output = grep { index($output, $_) >= 0 } @secrets;
my @in_log = grep { index($log, $_) >= 0 } @secrets;
is(scalar(@in_output), 0, 'no secret in psql\'s output');
is(scalar(@in_log), 0, 'no secret in the server log (log_min_messages = debug5)');
like($log, qr/DEBUG/, '... which holds DEBUG messages');

run_psql("DROP DATABASE $db;", 'postgres');
run_psql("DROP ROLE regress_login_nousage; DROP ROLE regress_login_user;", 'postgres');
done_testing();
