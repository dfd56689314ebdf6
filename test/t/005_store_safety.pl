#!/usr/bin/perl
#
# The token store against a token endpoint that rotates refresh tokens and
# revokes the grant when a retired one is presented (test/api/store.py):
#
# - large (60 kB) rotating refresh tokens are read back by other backends;
# - a state larger than the store keeps is refused, not written;
# - a store file that is too large or corrupt is an error, and the retired
#   seed is never presented instead;
# - the removal of dropped user mappings' files spares a user mapping
#   created by a transaction not yet committed.
#
# Runs on a node of its own, like 001_token_store.pl.
#
use strict;
use warnings;

use IPC::Run qw(start pump finish timer);
use JSON::PP;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use RestFdwTest;

my $port = $ENV{REST_TEST_PORT} or BAIL_OUT('REST_TEST_PORT is not set');
my $db = 'rest_fdw_tap_store';
my $node = main_node('main');
$RestFdwTest::db = $db;
$RestFdwTest::on_error_stop = 1;

# the store's bound on a file (token_store.c STORE_MAX_FILE_SIZE)
my $max_file = 2 * 2 * 65536 + 8192;
# a grant's file: a refresh token and up to 4 access tokens
my $max_grant_file = 5 * 2 * 65536 + 16384;

my ($rc, $out, $err);

($rc, $out, $err) = psql("DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;", 'postgres');
is($rc, 0, 'create database') or diag($err);

my $big = store_new_grant('REST_STORE_SEED_BIG', 'rt_size=60000');
my $huge = store_new_grant('REST_STORE_SEED_HUGE', 'rt_size=32');
my $bad = store_new_grant('REST_STORE_SEED_BAD');
($rc, $out, $err) = psql(<<'EOF');
\set ON_ERROR_STOP 1
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv big REST_STORE_SEED_BIG
\getenv huge REST_STORE_SEED_HUGE
\getenv bad REST_STORE_SEED_BAD
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/store/token'
CREATE EXTENSION rest_fdw;
CREATE SERVER big FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_store');
CREATE USER MAPPING FOR CURRENT_USER SERVER big
  OPTIONS (client_secret :'client_secret', refresh_token :'big');
CREATE FOREIGN TABLE big_t (id int) SERVER big OPTIONS (endpoint '/store/data');
CREATE SERVER huge FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_store');
CREATE USER MAPPING FOR CURRENT_USER SERVER huge
  OPTIONS (client_secret :'client_secret', refresh_token :'huge');
CREATE FOREIGN TABLE huge_t (id int) SERVER huge OPTIONS (endpoint '/store/data');
CREATE SERVER bad FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_store');
CREATE USER MAPPING FOR CURRENT_USER SERVER bad
  OPTIONS (client_secret :'client_secret', refresh_token :'bad');
CREATE FOREIGN TABLE bad_t (id int) SERVER bad OPTIONS (endpoint '/store/data');
CREATE SERVER gc FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_store');
CREATE FOREIGN TABLE gc_t (id int) SERVER gc OPTIONS (endpoint '/store/data');
EOF
is($rc, 0, 'set up servers, user mappings and foreign tables') or diag($err);

($rc, my $datadir) = psql('SHOW data_directory');

# the store file of a server's user mapping
sub store_file
{
	my ($server) = @_;
	my (undef, $ids) = psql("SELECT (SELECT oid FROM pg_database WHERE datname = current_database()) "
		  . "|| '_' || umid FROM pg_user_mappings WHERE srvname = '$server'");
	return "$datadir/rest_fdw/$ids.json";
}

# The file of the grant a server's user mapping holds (named in its file)
sub grant_file
{
	my ($server) = @_;
	my $own = do { local (@ARGV, $/) = store_file($server); <> };
	return "$datadir/rest_fdw/grant_" . decode_json($own)->{grant_digest} . ".json";
}

# ------------------------------------------------------------------
# 60 kB rotating refresh tokens: each backend reads back the newest
# ------------------------------------------------------------------
for my $i (1 .. 3)
{
	store_admin("expire?id=$big");
	($rc, $out, $err) = psql('SELECT count(*) FROM big_t;');
	is($rc, 0, "backend $i with a 60 kB refresh token succeeds") or diag($err);
	is($out, '2', "backend $i got the rows");
}
my $g = store_grant($big);
is_deeply($g->{presented}, [ 0, 1, 2 ],
	'each backend presented the refresh token the previous one stored');
is($g->{reuse}, 0, 'no refresh token was presented twice');
ok(!$g->{revoked}, 'the grant was not revoked');
my $size = -s grant_file('big');
ok($size > 60000 && $size <= $max_grant_file, "the grant's store file holds it ($size bytes)");

# ------------------------------------------------------------------
# A state larger than the store keeps is refused, not written
# ------------------------------------------------------------------
($rc, $out, $err) = psql('SELECT count(*) FROM huge_t;');
is($rc, 0, 'the first refresh of "huge" succeeds') or diag($err);
my $before = do { local (@ARGV, $/) = grant_file('huge'); <> };
ok(defined decode_json($before)->{refresh_token}, 'the grant holds a rotated refresh token');
store_admin("set?id=$huge&rt_size=300000");
store_admin("expire?id=$huge");
($rc, $out, $err) = psql('SELECT count(*) FROM huge_t;');
isnt($rc, 0, 'a 300 kB refresh token is refused');
# by the store, or before it by the token response's own limit
like($err, qr/too large for the token store|refresh token is longer than \d+ bytes/,
	'with an error saying it is too large') or diag($err);
unlike($err, qr/[A-Za-z0-9_-]{1000}/, 'the error shows no token');
ok(length(do { local (@ARGV, $/) = store_file('huge'); <> }) <= $max_file,
	'nothing larger than the store reads back was written');
my $after = do { local (@ARGV, $/) = grant_file('huge'); <> };
ok(length($after) <= $max_grant_file, 'nor for the grant');
# the failure may be recorded, but the stored grant is the one before
is(decode_json($after)->{refresh_token}, decode_json($before)->{refresh_token},
	'the stored refresh token was left as it was');

# ------------------------------------------------------------------
# A store file too large or corrupt is an error; the retired seed is
# never presented instead
# ------------------------------------------------------------------
($rc, $out, $err) = psql('SELECT count(*) FROM bad_t;');
is($rc, 0, 'the first refresh of "bad" succeeds') or diag($err);
my $bad_file = store_file('bad');
my $good = do { local (@ARGV, $/) = $bad_file; <> };
my $bad_grant_file = grant_file('bad');
my $good_grant = do { local (@ARGV, $/) = $bad_grant_file; <> };

sub plant
{
	my ($text) = @_;
	open my $fh, '>', $bad_file or die "$bad_file: $!";
	print $fh $text;
	close $fh;
}

plant($good . (' ' x (2 * 1024 * 1024)));
($rc, $out, $err) = psql('SELECT count(*) FROM bad_t;');
isnt($rc, 0, 'a store file of 2 MB is an error');
like($err, qr/could not use the stored OAuth 2.0 tokens of server "bad"/, 'naming the server');
like($err, qr/it has \d+ bytes, more than the \d+ bytes the token store writes/, 'saying why');
like($err, qr/HINT:.*rest_fdw_forget_tokens\('bad', /, 'with the way out in the hint');
($rc, $out, $err) = psql("SELECT state || ': ' || last_error FROM rest_fdw_token_status() WHERE server_name = 'bad'");
like($out, qr/^unreadable: the token store file cannot be used: it has \d+ bytes/,
	'rest_fdw_token_status shows it');

plant('{"format": 2, "grant_digest": "not hex"');
($rc, $out, $err) = psql('SELECT count(*) FROM bad_t;');
isnt($rc, 0, 'a corrupt store file is an error');
like($err, qr/cannot be used: it is not in the expected format/, 'saying why');

# the grant's file, which holds the newest refresh token, likewise
plant($good);
open my $gfh, '>', $bad_grant_file or die "$bad_grant_file: $!";
print $gfh '{"format": 2, "tokens": ';
close $gfh;
($rc, $out, $err) = psql('SELECT count(*) FROM bad_t;');
isnt($rc, 0, "a corrupt grant's store file is an error");
like($err, qr/Token store file "rest_fdw\/grant_[0-9a-f]{64}\.json" of the grant of the user mapping for .* cannot be used: it is not in the expected format/,
	'saying which and why') or diag($err);
($rc, $out, $err) = psql("SELECT state FROM rest_fdw_token_status() WHERE server_name = 'bad'");
is($out, 'unreadable', 'rest_fdw_token_status shows it');
open $gfh, '>', $bad_grant_file or die "$bad_grant_file: $!";
print $gfh $good_grant;
close $gfh;

store_admin("expire?id=$bad");
($rc, $out, $err) = psql('SELECT count(*) FROM bad_t;');
is($rc, 0, 'with the file restored, the query succeeds') or diag($err);
$g = store_grant($bad);
is_deeply($g->{presented}, [ 0, 1 ], 'the retired seed was never presented again');
is($g->{reuse}, 0, 'no reuse detected');

# ------------------------------------------------------------------
# The removal of dropped user mappings' files spares a user mapping
# created by a transaction not yet committed
# ------------------------------------------------------------------
my $gcg = store_new_grant('REST_STORE_SEED_GC');
my ($in, $s1out, $s1err) = ('', '', '');
my $t = timer(60);
my $s1 = start([ 'psql', '-X', '-At', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $db ],
	'<', \$in, '>', \$s1out, '2>', \$s1err, $t);

# run SQL in session 1 and wait for it to finish
sub in_session1
{
	my ($sql, $marker) = @_;
	$in .= "$sql\n\\echo $marker\n";
	pump $s1 until $s1out =~ /^$marker$/m || $t->is_expired;
	die "session 1 did not reach $marker: $s1err" unless $s1out =~ /^$marker$/m;
}

in_session1(<<'EOF', 'created');
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv seed REST_STORE_SEED_GC
BEGIN;
CREATE USER MAPPING FOR CURRENT_USER SERVER gc
  OPTIONS (client_secret :'client_secret', refresh_token :'seed');
SELECT 'rows ' || count(*) FROM gc_t;
SELECT 'file ' || (SELECT oid FROM pg_database WHERE datname = current_database()) || '_' || umid
  FROM pg_user_mappings WHERE srvname = 'gc';
EOF
like($s1out, qr/^rows 2$/m, 'session 1 queried through its uncommitted user mapping');
my ($gc_file) = $s1out =~ /^file (\d+_\d+)$/m;
$gc_file = "$datadir/rest_fdw/$gc_file.json";
ok(-f $gc_file, 'the rotated refresh token is stored');

# session 2 removes the files of user mappings it cannot see
($rc, $out, $err) = psql("SELECT count(*) FROM rest_fdw_token_status();");
is($rc, 0, 'session 2 runs rest_fdw_token_status()') or diag($err);
($rc, $out, $err) = psql("SELECT count(*) FROM big_t;");
is($rc, 0, 'session 3 starts using the store') or diag($err);
ok(-f $gc_file, 'the uncommitted user mapping\'s file is still there');

in_session1('COMMIT;', 'committed');
$in .= "\\q\n";
finish $s1;

store_admin("expire?id=$gcg");
($rc, $out, $err) = psql('SELECT count(*) FROM gc_t;');
is($rc, 0, 'after the commit, a new session succeeds') or diag($err);
$g = store_grant($gcg);
is_deeply($g->{presented}, [ 0, 1 ], 'it presented the rotated refresh token, not the seed');
is($g->{reuse}, 0, 'no reuse detected');

# a user mapping whose creation rolled back leaves a file that does go
store_new_grant('REST_STORE_SEED_RB');
($rc, $out, $err) = psql(<<'EOF');
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv seed REST_STORE_SEED_RB
DROP USER MAPPING FOR CURRENT_USER SERVER gc;
BEGIN;
CREATE USER MAPPING FOR CURRENT_USER SERVER gc
  OPTIONS (client_secret :'client_secret', refresh_token :'seed');
SELECT 'file ' || (SELECT oid FROM pg_database WHERE datname = current_database()) || '_' || umid
  FROM pg_user_mappings WHERE srvname = 'gc';
SELECT count(*) FROM gc_t;
ROLLBACK;
EOF
is($rc, 0, 'a user mapping created and used in a rolled-back transaction') or diag($err);
my ($rb_file) = $out =~ /^file (\d+_\d+)$/m;
$rb_file = "$datadir/rest_fdw/$rb_file.json";
ok(-f $rb_file, 'left a store file');
psql("SELECT count(*) FROM rest_fdw_token_status();");
ok(!-f $rb_file, 'which the next rest_fdw_token_status() removes');

psql("DROP DATABASE $db;", 'postgres');
done_testing();
