#!/bin/bash
# Start the test OAuth2/REST API server (the package test/api/) in the
# background on a free port of 127.0.0.1.  Writes DIR/port and DIR/api.pid;
# waits until it listens.
set -euo pipefail
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -f "$dir/port" "$dir/tls_port" "$dir/blackhole_port" "$dir/mtls_port" \
	"$dir/tls12_port" "$dir/proxy_port"
# a throwaway CA and a certificate for 127.0.0.1, for the HTTPS tests
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rest_fdw test CA" \
	-keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	-keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$dir/san.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
	-CAcreateserial -days 2 -extfile "$dir/san.ext" -out "$dir/server.pem" 2>/dev/null
# a client certificate of the same CA, for the mTLS port; and its key
# encrypted with the passphrase REST_TEST_CLIENT_KEY_PASSWORD, if set
openssl req -newkey rsa:2048 -nodes -subj "/CN=rest_fdw test client" \
	-keyout "$dir/client.key" -out "$dir/client.csr" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > "$dir/client.ext"
openssl x509 -req -in "$dir/client.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
	-CAcreateserial -days 2 -extfile "$dir/client.ext" -out "$dir/client.pem" 2>/dev/null
if [ -n "${REST_TEST_CLIENT_KEY_PASSWORD:-}" ]; then
	openssl pkey -in "$dir/client.key" -aes256 -passout env:REST_TEST_CLIENT_KEY_PASSWORD \
		-out "$dir/client-encrypted.key" 2>/dev/null
fi
chmod 644 "$dir/ca.pem"
chmod 755 "$dir"
python3 -B "$here/api" --port-file "$dir/port" --log "$dir/api.log" \
	--tls-cert "$dir/server.pem" --tls-key "$dir/server.key" --tls-port-file "$dir/tls_port" \
	--mtls-port-file "$dir/mtls_port" --client-ca "$dir/ca.pem" \
	--tls12-port-file "$dir/tls12_port" --proxy-port-file "$dir/proxy_port" \
	--blackhole-port-file "$dir/blackhole_port" &
echo $! > "$dir/api.pid"
for _ in $(seq 1 100); do
	[ -s "$dir/port" ] && [ -s "$dir/tls_port" ] && [ -s "$dir/blackhole_port" ] &&
		[ -s "$dir/mtls_port" ] && [ -s "$dir/tls12_port" ] && [ -s "$dir/proxy_port" ] && exit 0
	sleep 0.1
done
echo "the test API server did not start; see $dir/api.log" >&2
exit 1
