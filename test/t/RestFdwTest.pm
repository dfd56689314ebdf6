#
# Helpers shared by the TAP tests in test/t: nodes with the tests' settings
# (PostgreSQL::Test::Cluster), psql sessions whose SQL comes from a file, and
# the backend of a scan running in another session.
#
# Each test makes its node with main_node, sets $RestFdwTest::db to its
# database and, when its sessions must stop at the first error,
# $RestFdwTest::on_error_stop.
#
package RestFdwTest;

use strict;
use warnings;

use Exporter 'import';
use File::Temp qw(tempfile);
use HTTP::Tiny;
use IPC::Run qw(run);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use Time::HiRes qw(sleep);

our @EXPORT = qw(rest_node main_node psql_cmd psql psql_on backend_of
  store_admin store_grant store_new_grant);

our $db;
our $on_error_stop = 0;

# A new node (RestFdwTest::Node, below), not started, with the settings the tests run under: every
# message logged (test/run-tests.sh looks for secrets in the logs of
# tmp_check/log), but no statement, as the statements that create user
# mappings hold secrets (README "Security").  %params go to init
# (allows_streaming => 1 for a node to copy with backup).
sub rest_node
{
	my ($name, %params) = @_;
	my $node = RestFdwTest::Node->new($name);
	$node->init(%params);
	$node->append_conf('postgresql.conf', <<'EOF');
log_min_messages = debug5
log_statement = none
max_connections = 20
EOF
	return $node;
}

# rest_node, started: the node that psql() and psql_cmd() connect to
sub main_node
{
	my $node = rest_node(@_);
	$node->start;
	$ENV{PGHOST} = $node->host;
	$ENV{PGPORT} = $node->port;
	return $node;
}

# A psql command line that runs the SQL (which may use \getenv) from a
# file: sessions given their SQL on stdin through IPC::Run would only get it
# when their harness is pumped, one after the other.
sub psql_cmd
{
	my ($sql, $dbname) = @_;
	my ($fh, $file) = tempfile(UNLINK => 1, SUFFIX => '.sql');
	print $fh $sql;
	close $fh;
	return [ 'psql', '-X', '-At', '-q',
		($on_error_stop ? ('-v', 'ON_ERROR_STOP=1') : ()),
		'-d', $dbname // $db, '-f', $file ];
}

# Run SQL in a new session; returns (rc, stdout, stderr)
sub psql
{
	my ($sql, $dbname) = @_;
	my ($out, $err) = ('', '');
	run(psql_cmd($sql, $dbname), '<', \undef, '>', \$out, '2>', \$err);
	chomp $out;
	return ($? >> 8, $out, $err);
}

# psql() on another node
sub psql_on
{
	my ($node, $sql, $dbname) = @_;
	local $ENV{PGHOST} = $node->host;
	local $ENV{PGPORT} = $node->port;
	return psql($sql, $dbname);
}

# The pid of the active backend whose query starts with SELECT '$marker',
# waiting up to 5 s for it to appear; '' if it never does.
sub backend_of
{
	my ($marker) = @_;
	my $pid = '';
	for (1 .. 100)
	{
		(undef, $pid) = psql("SELECT pid FROM pg_stat_activity WHERE state = 'active' "
			  . "AND query LIKE 'SELECT ''$marker''%' AND pid <> pg_backend_pid()");
		last if $pid;
		sleep 0.05;
	}
	return $pid;
}

# The rotating, reuse-detecting token endpoint of test/api/store.py:
# store_admin('what?query') is the decoded answer of GET /store/_admin/what,
# store_grant($id) a grant's state (the refresh tokens presented, reuse,
# revocation), store_new_grant($var, $query) a new grant whose seed refresh
# token goes into $ENV{$var} (read by \getenv), returning its id.
my $store_http = HTTP::Tiny->new(timeout => 30);

sub store_admin
{
	my ($what) = @_;
	my $port = $ENV{REST_TEST_PORT} or die 'REST_TEST_PORT is not set';
	my $res = $store_http->get("http://127.0.0.1:$port/store/_admin/$what");
	die "GET /store/_admin/$what failed: $res->{status}" unless $res->{success};
	return decode_json($res->{content});
}

sub store_grant { return store_admin("grant?id=$_[0]"); }

sub store_new_grant
{
	my ($var, $query) = @_;
	my $g = store_admin('new_grant' . ($query ? "?$query" : ''));
	$ENV{$var} = $g->{refresh_token};
	return $g->{grant};
}

# PostgreSQL::Test::Cluster, whose servers start without the tests' REST_*
# variables in their environment: the postmaster writes its environment to
# the log at DEBUG3, and they hold the secrets that psql reads (\getenv).
package RestFdwTest::Node;

use parent -norequire, 'PostgreSQL::Test::Cluster';

sub server_env { return map { /^REST_/ ? () : ($_ => $ENV{$_}) } keys %ENV; }

sub start
{
	my $self = shift;
	local %ENV = server_env();
	return $self->SUPER::start(@_);
}

sub restart
{
	my $self = shift;
	local %ENV = server_env();
	return $self->SUPER::restart(@_);
}

1;
