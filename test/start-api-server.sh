#!/bin/bash
# Start the test OAuth2/REST API server in the background on a free port of
# 127.0.0.1.  Writes DIR/port and DIR/api.pid; waits until it listens.
set -euo pipefail
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -f "$dir/port"
python3 "$here/api_server.py" --port-file "$dir/port" --log "$dir/api.log" &
echo $! > "$dir/api.pid"
for _ in $(seq 1 100); do
	[ -s "$dir/port" ] && exit 0
	sleep 0.1
done
echo "the test API server did not start; see $dir/api.log" >&2
exit 1
