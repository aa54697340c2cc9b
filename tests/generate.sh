#!/usr/bin/env bash
# tls.mode generate through the program itself: the Secret it emits holds a
# chain that openssl verifies, with the SANs and validity the configuration
# asks for and an ECDSA P-256 key, byte-identical across runs, and a changed
# SAN changes it; busybox 1.37's wget (the node probe) completes a TLS GET
# against openssl s_server serving it.
# usage: tests/generate.sh BIN
#   busybox 1.37: tests/fieldlab.sh's (`bash tests/fieldlab.sh` fetches it;
#   $FIELDLAB_ROOT); without it that check says "# not run" and counts nothing
set -u
export LC_ALL=C
bin=$1
cd "$(dirname "$0")/.." || exit 2
SUITE=generate
. tests/lib.sh
. tests/fieldlab.sh
ca=fixtures/config/ca
# (ending 2046-10-07, before the test CAs do: an ended window is refused, and the
# run is warned about within tls.renewBefore of its end)
gen=(--set tls.mode=generate --set tls.notBefore=2026-12-01T00:00:00Z --set tls.duration=174000h)
# secret OUT DIR: the generated Secret's three files
secret() {
	mkdir -p "$2"
	node -e '
const { parseAllDocuments } = require(process.argv[1]);
const fs = require("fs");
for (const d of parseAllDocuments(fs.readFileSync(process.argv[2], "utf8"))) {
	const o = d.toJS();
	if (o && o.kind === "Secret" && o.type === "kubernetes.io/tls")
		for (const k of ["tls.crt", "tls.key", "ca.crt"])
			fs.writeFileSync(`${process.argv[3]}/${k}`, Buffer.from(o.data[k], "base64"));
}' "$PWD/tests/schema/node_modules/yaml" "$1" "$2"
}

for kind in ed25519 rsa; do
	args=("${gen[@]}" --set tls.caCertFile=$ca/$kind.crt --set tls.caKeyFile=$ca/$kind.key)
	"$bin" "${args[@]}" < /dev/null > "$tmp/$kind.1" 2> "$tmp/err"
	rc=$?
	"$bin" "${args[@]}" < /dev/null > "$tmp/$kind.2" 2>> "$tmp/err"
	t "$kind CA: exit 0, two runs byte-identical" '[ $rc = 0 ] && cmp -s "$tmp/$kind.1" "$tmp/$kind.2"'
	secret "$tmp/$kind.1" "$tmp/$kind"
	t "$kind CA: openssl verifies the chain (at 2027-01-01)" \
		'openssl verify -attime 1798761600 -x509_strict -purpose sslserver -CAfile "$tmp/$kind/ca.crt" "$tmp/$kind/tls.crt" >/dev/null 2>&1'
	t "$kind CA: ca.crt is the CA" 'cmp -s <(openssl x509 -in $ca/$kind.crt -outform DER) <(openssl x509 -in "$tmp/$kind/ca.crt" -outform DER)'
	t "$kind CA: tls.key belongs to tls.crt" \
		'[ "$(openssl pkey -in "$tmp/$kind/tls.key" -pubout)" = "$(openssl x509 -in "$tmp/$kind/tls.crt" -noout -pubkey)" ]'
	openssl pkey -in "$tmp/$kind/tls.key" -check -noout -text > "$tmp/key.txt" 2>&1
	t "$kind CA: tls.key is an ECDSA P-256 key (openssl pkey -check), as PKCS#8 (BEGIN PRIVATE KEY)" \
		'grep -qx "Key is valid" "$tmp/key.txt" && grep -qx "ASN1 OID: prime256v1" "$tmp/key.txt" &&
		head -n 1 "$tmp/$kind/tls.key" | grep -qx -- "-----BEGIN PRIVATE KEY-----"' "$tmp/key.txt"
	t "$kind CA: keyUsage digitalSignature alone (critical), extendedKeyUsage serverAuth" \
		'[ "$(openssl x509 -in "$tmp/$kind/tls.crt" -noout -ext keyUsage,extendedKeyUsage | tr -d " \n")" = \
		"X509v3KeyUsage:criticalDigitalSignatureX509v3ExtendedKeyUsage:TLSWebServerAuthentication" ]'
	t "$kind CA: validity is tls.notBefore + tls.duration" \
		'[ "$(openssl x509 -in "$tmp/$kind/tls.crt" -noout -dates | tr "\n" " ")" = "notBefore=Dec  1 00:00:00 2026 GMT notAfter=Oct  7 00:00:00 2046 GMT " ]'
done
want="DNS:registry, DNS:registry.registry-system, DNS:registry.registry-system.svc, DNS:registry.registry-system.svc.cluster.local"
for i in 0 1; do
	want="$want, DNS:registry-$i, DNS:registry-$i.registry-headless.registry-system, DNS:registry-$i.registry-headless.registry-system.svc, DNS:registry-$i.registry-headless.registry-system.svc.cluster.local"
done
want="$want, IP Address:10.96.0.20, IP Address:10.96.0.21, IP Address:127.0.0.1"
got=$(openssl x509 -in "$tmp/rsa/tls.crt" -noout -ext subjectAltName | tail -n 1 | sed 's/^ *//')
t "SANs: the Service's 4 names, each replica's 4, both ClusterIPs and 127.0.0.1" '[ "$got" = "$want" ]'
"$bin" "${gen[@]}" --set tls.caCertFile=$ca/rsa.crt --set tls.caKeyFile=$ca/rsa.key \
	--set 'registry.hostnames=[builds.registry.svc.cluster.local]' < /dev/null > "$tmp/host.yaml" 2> "$tmp/err"
secret "$tmp/host.yaml" "$tmp/host"
t "a changed SAN changes the certificate and its key" \
	'! cmp -s "$tmp/host/tls.crt" "$tmp/rsa/tls.crt" && ! cmp -s "$tmp/host/tls.key" "$tmp/rsa/tls.key"'
t "the extra hostname is a SAN" 'openssl x509 -in "$tmp/host/tls.crt" -noout -ext subjectAltName | grep -q "DNS:builds.registry.svc.cluster.local"'
"$bin" "${gen[@]}" --set tls.caCertFile=$ca/rsa.crt --set tls.caKeyFile=$ca/rsa.key < fixtures/helm3-postrender.yaml > "$tmp/chart.yaml" 2> "$tmp/err"
t "the StatefulSet mounts the generated Secret" \
	'[ "$(build/yamlcheck docs "$tmp/chart.yaml" | awk -F "\t" "\$3 == \"Secret\" && \$6 == 1 { print \$5 }")" = registry-tls ] && grep -q "secretName: registry-tls" "$tmp/chart.yaml"'

# the node probe: busybox 1.37's wget, with only busybox applets on PATH (its own TLS, no
# openssl s_client), against openssl s_server -www serving the rendered Secret
bb37= bbdir=$(fieldlab_dir busybox-1.37)
for f in "$bbdir/bin/busybox" "$bbdir/usr/bin/busybox"; do
	[ -n "$bbdir" ] && [ -x "$f" ] && "$f" 2>&1 | head -n 1 | grep -q '^BusyBox v1\.37\.' && bb37=$f && break
done
if [ -z "$bb37" ]; then
	note "not run: busybox 1.37's wget against the generated certificate (none in ${FIELDLAB_ROOT}/busybox-1.37: \`bash tests/fieldlab.sh\` fetches it)"
else
	busybox_path "$bb37" "$tmp/bb37"
	for kind in ed25519 rsa; do
		port=$(free_port)
		setsid openssl s_server -accept "127.0.0.1:$port" -cert "$tmp/$kind/tls.crt" -key "$tmp/$kind/tls.key" -www -quiet \
			> "$tmp/s_server.log" 2>&1 < /dev/null &
		srv=$!; groups+=("$srv")
		for _ in $(seq 50); do (echo > "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break; sleep 0.1; done
		env -i PATH="$tmp/bb37" sh -c "timeout 5 wget -q --no-check-certificate -O - https://127.0.0.1:$port/" > "$tmp/probe.out" 2>&1
		st=$?
		t "$kind CA: busybox 1.37 wget completes an ECDHE-ECDSA TLS GET of https://127.0.0.1:$port/ from openssl s_server serving the Secret (exit $st)" \
			'[ $st = 0 ] && grep -q "^New, TLSv1.2, Cipher is ECDHE-ECDSA-" "$tmp/probe.out"' "$tmp/probe.out" "$tmp/s_server.log"
		kill -KILL -- "-$srv" 2> /dev/null; wait "$srv" 2> /dev/null
	done
fi
finish
