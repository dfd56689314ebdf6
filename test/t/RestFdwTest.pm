#
# Helpers shared by the TAP tests in test/t: psql sessions whose SQL comes
# from a file, and the backend of a scan running in another session.
#
# Each test sets $RestFdwTest::db to its database and, when its sessions
# must stop at the first error, $RestFdwTest::on_error_stop.
#
package RestFdwTest;

use strict;
use warnings;

use Exporter 'import';
use File::Temp qw(tempfile);
use HTTP::Tiny;
use IPC::Run qw(run);
use JSON::PP;
use Time::HiRes qw(sleep);

our @EXPORT = qw(psql_cmd psql backend_of store_admin store_grant store_new_grant);

our $db;
our $on_error_stop = 0;

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

1;
