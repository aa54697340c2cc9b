#!/usr/bin/env bash
# tls.mode generate against real tools: CAs made with the openssl command (RSA,
# Ed25519, and ECDSA, a non-CA, an expired CA, a mismatched key, garbage,
# which must be refused), certificates issued by `x509 issue` (tests/x509.c's
# CLI over src/x509.c) and read back with openssl (chain, SANs, validity,
# extensions, the P-256 key derivation redone by hand, two runs byte-identical),
# then Debian's Distribution serving each one on 127.0.0.1 while curl (OpenSSL)
# and skopeo (Go) connect by IP and by every DNS name with the CA, and fail with
# a wrong CA of the same name, and busybox 1.37's wget (the node DaemonSet's
# probe, busybox's own TLS) gets /v2/; with an Ed25519 server key instead, which
# curl still takes, that wget must fail. Loopback only; no network, no container
# engine.
#
# usage: tests/tls.sh [X509_BIN]    (default build/x509)
#   $REGISTRY: the Distribution binary (default /usr/bin/docker-registry)
#   busybox 1.37: tests/fieldlab.sh's (`bash tests/fieldlab.sh` fetches it;
#   $FIELDLAB_ROOT); without it those checks say "# not run" and count nothing
# Needs (Debian): openssl curl skopeo docker-registry, node (the key by hand),
# and python3 or node for a free port.
# shellcheck disable=SC2034  # variables read only by the conditions t evals
set -u
export LC_ALL=C
x509=${1:-build/x509}
case $x509 in /*) ;; *) x509=$PWD/$x509 ;; esac
cd "$(dirname "$0")/.." || exit 2
REGISTRY=${REGISTRY:-/usr/bin/docker-registry}
SUITE=tls
. tests/lib.sh
. tests/fieldlab.sh

missing=()
for c in "$x509" openssl curl skopeo "$REGISTRY" node; do
	command -v "$c" > /dev/null 2>&1 || missing+=("$c")
done
command -v python3 > /dev/null || command -v node > /dev/null || missing+=("python3 or node")
if [ ${#missing[@]} -gt 0 ]; then
	bad "prerequisites (missing: ${missing[*]}; \`make build/x509\`, apt-get install openssl curl skopeo docker-registry nodejs)"
	finish
fi
note "$(openssl version); $(curl --version | head -n 1 | cut -d' ' -f1-2,5); $(skopeo --version); $("$REGISTRY" --version 2>&1 | head -n 1)"
# busybox 1.37 (busybox-static from Debian trixie), unpacked by tests/fieldlab.sh
bb37= bbdir=$(fieldlab_dir busybox-1.37)
for f in "$bbdir/bin/busybox" "$bbdir/usr/bin/busybox"; do
	[ -n "$bbdir" ] && [ -x "$f" ] && "$f" 2>&1 | head -n 1 | grep -q '^BusyBox v1\.37\.' && bb37=$f && break
done
if [ -n "$bb37" ]; then
	busybox_path "$bb37" "$tmp/bb37"
	note "$("$bb37" | head -n 1)"
else
	note "not run: busybox 1.37's wget against the served certificates (none in ${FIELDLAB_ROOT}/busybox-1.37: \`bash tests/fieldlab.sh\` fetches it)"
fi


# === 1. CAs with the openssl command: self-signed by `openssl ca` for fixed dates
cd "$tmp" || exit 2
cat > ca.cnf << 'EOF'
[ca]
default_ca = dflt
[dflt]
database = ./index.txt
serial = ./serial
new_certs_dir = ./newcerts
default_md = sha256
policy = pol
unique_subject = no
email_in_dn = no
[pol]
commonName = supplied
[v3ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
EOF
mkdir newcerts && : > index.txt && echo 01 > serial
# mkca NAME ALG CN START END [EXTENSIONS]: NAME.crt and NAME.key
mkca() {
	local name=$1 alg=$2 cn=$3 start=$4 end=$5 ext=${6:-v3ca}
	case $alg in
	RSA) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key" ;;
	EC) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key" ;;
	*) openssl genpkey -algorithm "$alg" -out "$name.key" ;;
	esac &&
	openssl req -new -config ca.cnf -key "$name.key" -subj "/CN=$cn" -out "$name.csr" &&
	openssl ca -batch -config ca.cnf -selfsign -keyfile "$name.key" -in "$name.csr" -extensions "$ext" \
		-startdate "$start" -enddate "$end" -notext -out "$name.crt"
} >> openssl.log 2>&1
st=0
mkca rsa RSA "tls.sh RSA CA" 20000101000000Z 20991231235959Z || st=1
mkca ed ED25519 "tls.sh Ed25519 CA" 20000101000000Z 20991231235959Z || st=1
mkca ec EC "tls.sh ECDSA CA" 20000101000000Z 20991231235959Z || st=1
mkca leaf ED25519 "tls.sh not a CA" 20000101000000Z 20991231235959Z leaf || st=1
mkca expired ED25519 "tls.sh expired CA" 20000101000000Z 20201231235959Z || st=1
mkca wrong-rsa RSA "tls.sh RSA CA" 20000101000000Z 20991231235959Z || st=1
mkca wrong-ed ED25519 "tls.sh Ed25519 CA" 20000101000000Z 20991231235959Z || st=1
openssl genpkey -algorithm ED25519 -out other.key 2>> openssl.log || st=1
printf -- '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n' > garbage.pem
t "openssl: CAs (RSA, Ed25519, ECDSA, a non-CA, an expired CA, same-name wrong CAs)" '[ $st = 0 ]' openssl.log
[ $st = 0 ] || finish

# the request: valid since yesterday 00:00Z for two years; DNS names and IPs
NB=$(date -u -d yesterday +%Y-%m-%dT00:00:00Z)
DUR=17520h
CN=registry.registry-system.svc.cluster.local
DNS=(registry registry.registry-system registry.registry-system.svc registry.registry-system.svc.cluster.local localhost)
IPS=(127.0.0.1 10.96.0.20 fd00:10:96::20)
dns_list=$(IFS=,; echo "${DNS[*]}") ip_list=$(IFS=,; echo "${IPS[*]}")
issue() { "$x509" issue "$1.crt" "$2.key" "$NB" "$DUR" "$CN" "$dns_list" "$ip_list" "$3"; }

# === 2. refusals: exit 1, a message naming the file, nothing written
# refused NAME CRT KEY NEEDLE [NOTBEFORE DURATION]
refused() {
	local name=$1 crt=$2 key=$3 needle=$4 nb=${5:-$NB} dur=${6:-$DUR}
	"$x509" issue "$crt" "$key" "$nb" "$dur" "$CN" "$dns_list" "$ip_list" out-refused > err 2>&1; st=$?
	t "refused: $name (exit $st)" '[ $st = 1 ] && grep -qF -- "$needle" err && [ ! -e out-refused ]' err
}
refused "ECDSA CA" ec.crt ec.key \
	"spec.tls.caKeyFile: ec.key: an ECDSA key, which OpenSSL 3.0 signs with random nonces, so the certificate would change on every render: use an RSA or Ed25519 CA"
refused "a certificate that is not a CA" leaf.crt leaf.key \
	"spec.tls.caCertFile: leaf.crt: not a CA certificate (basicConstraints CA:TRUE is missing)"
refused "an expired CA (both windows named)" expired.crt expired.key \
	"spec.tls.caCertFile: expired.crt is valid from 2000-01-01T00:00:00Z to 2020-12-31T23:59:59Z, which does not cover the server certificate's $NB to"
refused "a mismatched key" ed.crt other.key \
	"spec.tls.caKeyFile: other.key does not match the CA certificate ed.crt"
refused "an RSA key for an Ed25519 CA" ed.crt rsa.key "does not match the CA certificate"
refused "garbage certificate" garbage.pem ed.key "spec.tls.caCertFile: garbage.pem: not a PEM certificate"
refused "garbage key" ed.crt garbage.pem "spec.tls.caKeyFile: garbage.pem: not a PEM private key"
refused "a missing certificate file" nope.crt ed.key "spec.tls.caCertFile: cannot read nope.crt: No such file or directory"
refused "a missing key file" ed.crt nope.key "spec.tls.caKeyFile: cannot read nope.key: No such file or directory"
refused "a bad notBefore" ed.crt ed.key "spec.tls.notBefore: \"2026-02-30T00:00:00Z\" is not an RFC 3339 time" 2026-02-30T00:00:00Z
refused "a bad duration" ed.crt ed.key "spec.tls.duration: \"2y\" is not a positive duration" "$NB" 2y
refused "a window past the CA's end" ed.crt ed.key "to 2099-12-31T23:59:59Z, which does not cover" "$NB" 900000h

# === 3. issue and read back with openssl
mkdir gen
"$x509" generate-ca gen "tls.sh generated CA" 87600h > gen.log 2>&1; st=$?
t "generate-ca: ca.crt and ca.key (0600), nothing printed (exit $st)" \
	'[ $st = 0 ] && [ ! -s gen.log ] && [ "$(stat -c %a gen/ca.key)" = 600 ] && [ -s gen/ca.crt ]' gen.log
"$x509" generate-ca gen "again" 87600h > gen.log 2>&1; st=$?
t "generate-ca: refuses to overwrite (exit $st)" '[ $st != 0 ] && grep -q "already exists" gen.log' gen.log
openssl x509 -in gen/ca.crt -noout -text > gen.txt 2>&1
t "generate-ca: Ed25519, CA:TRUE critical, keyCertSign+cRLSign critical, SKI, valid 87600h" \
	'grep -q "Public Key Algorithm: ED25519" gen.txt && grep -A1 "Basic Constraints: critical" gen.txt | grep -q "CA:TRUE" &&
	grep -A1 "Key Usage: critical" gen.txt | grep -q "Certificate Sign, CRL Sign" && grep -q "Subject Key Identifier" gen.txt &&
	[ $(($(date -u -d "$(openssl x509 -in gen/ca.crt -noout -enddate | cut -d= -f2)" +%s) - $(date -u -d "$(openssl x509 -in gen/ca.crt -noout -startdate | cut -d= -f2)" +%s))) = 315360000 ]' gen.txt
mv gen/ca.crt gen.crt && mv gen/ca.key gen.key
mkdir wrong-gen && "$x509" generate-ca wrong-gen "tls.sh generated CA" 87600h && mv wrong-gen/ca.crt wrong-gen.crt
# a generated CA starts now: the server certificate starts with it
GEN_NB=$(date -u -d "$(openssl x509 -in gen.crt -noout -startdate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)

# der_hex FILE.pem: the PKCS#8 DER of a private key, in hex
der_hex() { openssl pkey -in "$1" | openssl base64 -d | od -An -v -tx1 | tr -d ' \n'; }
# the server key by hand: m = HMAC-SHA512(CA key PKCS#8 DER, label NUL dns... NUL ip...),
# d = 1 + (m mod (n - 1)) in node's BigInt, n the order of P-256; the DER ECPrivateKey
# { 1, d, [0] prime256v1 } without its public key, which openssl ec computes, then PKCS#8
expected_key() {
	local d m
	{ printf 'registry-addon server key v2\0'; for d in "${DNS[@]}"; do printf '%s\0' "$d"; done; printf '\0'
	  for d in "${IPS[@]}"; do printf '%s\0' "$d"; done; } > seed.in
	m=$(openssl mac -digest SHA512 -macopt "hexkey:$(der_hex "$1")" -in seed.in HMAC) &&
	d=$(node -e 'const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
		console.log((BigInt("0x" + process.argv[1]) % (n - 1n) + 1n).toString(16).padStart(64, "0"))' "$m") &&
	printf '%b' "$(printf '30310201010420%sa00a06082a8648ce3d030107' "$d" | sed 's/../\\x&/g')" |
		openssl ec -inform DER 2> /dev/null | openssl pkey
}
want_sans="DNS:$(IFS=,; echo "${DNS[*]}" | sed 's/,/, DNS:/g'), IP Address:127.0.0.1, IP Address:10.96.0.20, IP Address:FD00:10:96:0:0:0:0:20"

for ca in rsa ed gen; do
	nb=$NB; [ $ca = gen ] && nb=$GEN_NB
	"$x509" issue "$ca.crt" "$ca.key" "$nb" "$DUR" "$CN" "$dns_list" "$ip_list" "out-$ca" > err 2>&1; st=$?
	t "$ca CA: x509 issue (exit $st)" '[ $st = 0 ] && [ -s out-$ca/tls.crt ] && [ -s out-$ca/tls.key ] && [ -s out-$ca/ca.crt ]' err
	[ $st = 0 ] || continue
	"$x509" issue "$ca.crt" "$ca.key" "$nb" "$DUR" "$CN" "$dns_list" "$ip_list" "again-$ca" > err 2>&1
	t "$ca CA: a second run, byte-identical tls.crt, tls.key, ca.crt" \
		'cmp -s out-$ca/tls.crt again-$ca/tls.crt && cmp -s out-$ca/tls.key again-$ca/tls.key && cmp -s out-$ca/ca.crt again-$ca/ca.crt' err
	openssl verify -x509_strict -purpose sslserver -CAfile "out-$ca/ca.crt" "out-$ca/tls.crt" > verify.log 2>&1; st=$?
	t "$ca CA: openssl verify -x509_strict -purpose sslserver -CAfile ca.crt tls.crt" '[ $st = 0 ]' verify.log
	openssl verify -CAfile "wrong-$ca.crt" "out-$ca/tls.crt" > verify.log 2>&1; st=$?
	t "$ca CA: openssl verify with a wrong CA of the same name fails" '[ $st != 0 ]'
	t "$ca CA: ca.crt is the CA certificate" 'cmp -s out-$ca/ca.crt $ca.crt'
	got=$(openssl x509 -in "out-$ca/tls.crt" -noout -ext subjectAltName | tail -n 1 | sed 's/^ *//')
	t "$ca CA: SANs read back in request order" '[ "$got" = "$want_sans" ]'
	dates=$(openssl x509 -in "out-$ca/tls.crt" -noout -dates | tr '\n' ' ')
	want="notBefore=$(date -u -d "$nb" '+%b %e %H:%M:%S %Y GMT') notAfter=$(date -u -d "$nb + 17520 hours" '+%b %e %H:%M:%S %Y GMT') "
	t "$ca CA: validity $dates" '[ "$dates" = "$want" ]'
	t "$ca CA: subject CN=$CN, issuer = the CA's subject" \
		'[ "$(openssl x509 -in out-$ca/tls.crt -noout -subject -nameopt RFC2253)" = "subject=CN=$CN" ] &&
		[ "$(openssl x509 -in out-$ca/tls.crt -noout -issuer)" = "$(openssl x509 -in $ca.crt -noout -subject | sed s/^subject/issuer/)" ]'
	openssl x509 -in "out-$ca/tls.crt" -noout -text > text 2>&1
	sig=ED25519; [ $ca = rsa ] && sig=sha256WithRSAEncryption
	t "$ca CA: v3, signature $sig, basicConstraints CA:FALSE and keyUsage digitalSignature critical, serverAuth, SKI, AKI = the CA's SKI" \
		'grep -q "Version: 3 (0x2)" text && [ "$(grep -c "Signature Algorithm: $sig" text)" = 2 ] &&
		grep -A1 "Basic Constraints: critical" text | grep -q "CA:FALSE" &&
		grep -A1 "Key Usage: critical" text | grep -qx " *Digital Signature" &&
		grep -A1 "Extended Key Usage:" text | grep -qx " *TLS Web Server Authentication" &&
		grep -q "Subject Key Identifier" text &&
		[ "$(grep -A1 "Authority Key Identifier" text | tail -n 1 | tr -d " ")" = "$(openssl x509 -in $ca.crt -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d " ")" ]' text
	serial=$(openssl x509 -in "out-$ca/tls.crt" -noout -serial | cut -d= -f2)
	t "$ca CA: serial $serial: 127 bits, positive" '[[ $serial =~ ^[4-7][0-9A-F]{31}$ ]]'
	t "$ca CA: tls.key is the public key's pair" \
		'[ "$(openssl pkey -in out-$ca/tls.key -pubout)" = "$(openssl x509 -in out-$ca/tls.crt -noout -pubkey)" ]'
	openssl pkey -in "out-$ca/tls.key" -check -noout -text > key.txt 2>&1
	t "$ca CA: tls.key is an ECDSA P-256 key (openssl pkey -check), PKCS#8, and so is the certificate's" \
		'grep -qx "Key is valid" key.txt && grep -qx "ASN1 OID: prime256v1" key.txt && grep -qx "NIST CURVE: P-256" key.txt &&
		head -n 1 out-$ca/tls.key | grep -qx -- "-----BEGIN PRIVATE KEY-----" &&
		grep -q "Public Key Algorithm: id-ecPublicKey" text && grep -q "NIST CURVE: P-256" text' key.txt
	expected_key "$ca.key" > want.key 2> err
	t "$ca CA: tls.key = P-256 d = 1 + (HMAC-SHA512(CA PKCS#8, SANs) mod (n - 1)), redone with openssl mac and node" \
		'[ -s want.key ] && cmp -s want.key out-$ca/tls.key' err
done

# === 4. Distribution serves each; curl and skopeo by IP and by every name
P=$(free_port)
mkdir -p data home skopeo-tmp registries.d
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > policy.json
: > registries.conf; echo '{}' > auth.json
sko() {
	timeout 30 env HOME="$tmp/home" REGISTRY_AUTH_FILE="$tmp/auth.json" CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" \
		skopeo --policy "$tmp/policy.json" --registries.d "$tmp/registries.d" --tmpdir "$tmp/skopeo-tmp" "$@"
}
# a one-file OCI image to push
mkdir -p layout/blobs/sha256 rootfs && echo "hello from tls.sh" > rootfs/hello.txt
tar -C rootfs --owner=0 --group=0 --numeric-owner --mtime=@0 -cf layer.tar hello.txt && gzip -n -c layer.tar > layer.tar.gz
sha() { sha256sum "$1" | cut -d' ' -f1; }
blob() { local d; d=$(sha "$1"); cp "$1" "layout/blobs/sha256/$d"; echo "$d"; }
diffid=$(sha layer.tar) layer=$(blob layer.tar.gz)
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$diffid" > config.json
cfg=$(blob config.json)
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
	"$cfg" "$(wc -c < config.json)" "$layer" "$(wc -c < layer.tar.gz)" > manifest.json
man=$(blob manifest.json)
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' \
	"$man" "$(wc -c < manifest.json)" > layout/index.json
echo '{"imageLayoutVersion":"1.0.0"}' > layout/oci-layout

# code NAME CA [CURL-ARGS...]: the HTTP status of https://NAME:P/v2/ (000: failed)
code() {
	local name=$1 ca=$2; shift 2
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$ca" --resolve "$name:$P:127.0.0.1" "$@" "https://$name:$P/v2/"
}
# serve NAME DIR: Distribution on 127.0.0.1:P with DIR/tls.crt and DIR/tls.key, until curl
# with DIR/ca.crt gets 200 from /v2/ (c, i: the last status, the tenths of a second waited)
serve() {
	cat > "reg-$1.yml" << EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $tmp/data
http:
  addr: 127.0.0.1:$P
  tls:
    certificate: $tmp/$2/tls.crt
    key: $tmp/$2/tls.key
EOF
	setsid "$REGISTRY" serve "reg-$1.yml" > "reg-$1.log" 2>&1 < /dev/null &
	pid=$!; groups+=("$pid")
	i=0; c=000
	while [ $i -lt 100 ] && kill -0 "$pid" 2> /dev/null; do
		c=$(code 127.0.0.1 "$2/ca.crt"); [ "$c" = 200 ] && break
		sleep 0.1; i=$((i + 1))
	done
}
unserve() {
	kill -TERM -- "-$pid" 2> /dev/null
	for i in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
	kill -KILL -- "-$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
}
# probe: the node DaemonSet's probe (src/node/node-trust.sh) with busybox 1.37 alone on PATH, so
# that its wget speaks busybox's own TLS (with an openssl on PATH it would run openssl s_client);
# its output in probe.out, status in st
probe() {
	env -i PATH="$tmp/bb37" sh -c "timeout 5 wget -q --no-check-certificate -O - https://127.0.0.1:$P/v2/" > probe.out 2>&1
	st=$?
}
pushed=
for ca in gen ed rsa; do
	[ -s "out-$ca/tls.crt" ] || continue
	serve "$ca" "out-$ca"
	t "$ca CA: docker-registry serves the P-256 certificate; curl https://127.0.0.1:$P/v2/ 200 ($((i * 100)) ms)" '[ "$c" = 200 ]' "reg-$ca.log"
	[ "$c" = 200 ] || { kill -KILL -- "-$pid" 2> /dev/null; continue; }
	if [ -n "$bb37" ]; then
		probe
		t "$ca CA: busybox 1.37 wget (its own TLS, as the node probe runs it) gets https://127.0.0.1:$P/v2/ (exit $st)" \
			'[ $st = 0 ] && [ "$(cat probe.out)" = "{}" ]' probe.out
	fi
	for n in "${DNS[@]}"; do
		c=$(code "$n" "out-$ca/ca.crt")
		t "$ca CA: curl by name $n: $c" '[ "$c" = 200 ]'
	done
	c=$(code 127.0.0.1 "out-$ca/ca.crt" --tlsv1.2 --tls-max 1.2)
	t "$ca CA: curl over TLS 1.2 (ECDHE-ECDSA): $c" '[ "$c" = 200 ]'
	c=$(code 127.0.0.1 "wrong-$ca.crt")
	t "$ca CA: curl with a wrong CA of the same name fails: $c" '[ "$c" = 000 ]'
	c=$(code localhost "wrong-$ca.crt")
	t "$ca CA: curl by name with a wrong CA fails: $c" '[ "$c" = 000 ]'
	proto=$(timeout 5 openssl s_client -connect "127.0.0.1:$P" -CAfile "out-$ca/ca.crt" -verify_return_error < /dev/null 2> /dev/null |
		sed -n 's/^ *Protocol *: *//p; s/^Peer signature type: //p' | tr '\n' ' ')
	t "$ca CA: openssl s_client verifies (${proto% })" '[ -n "$proto" ]'

	mkdir -p "certs-$ca" "wrongcerts-$ca" && cp "out-$ca/ca.crt" "certs-$ca/ca.crt" && cp "wrong-$ca.crt" "wrongcerts-$ca/ca.crt"
	if [ -z "$pushed" ]; then
		sko copy --dest-cert-dir "certs-$ca" "oci:$tmp/layout:v1" "docker://127.0.0.1:$P/tls/hello:v1" > sko.log 2>&1; st=$?
		t "$ca CA: skopeo copy oci:LAYOUT:v1 -> docker://127.0.0.1:$P/tls/hello:v1" '[ $st = 0 ]' sko.log
		pushed=1
	fi
	for host in 127.0.0.1 localhost; do
		tags=$(sko list-tags --cert-dir "certs-$ca" "docker://$host:$P/tls/hello" 2> sko.log | tr -d ' \n')
		t "$ca CA: skopeo list-tags docker://$host:$P/tls/hello with the CA: $tags" '[[ $tags == *'\''"Tags":["v1"]'\''* ]]' sko.log
		sko list-tags --cert-dir "wrongcerts-$ca" "docker://$host:$P/tls/hello" > sko.log 2>&1; st=$?
		t "$ca CA: skopeo with a wrong CA fails (x509: certificate signed by unknown authority)" \
			'[ $st != 0 ] && grep -q "x509: certificate signed by unknown authority" sko.log' sko.log
	done
	digest=$(sko inspect --cert-dir "certs-$ca" --format '{{.Digest}}' "docker://localhost:$P/tls/hello:v1" 2> sko.log)
	t "$ca CA: skopeo inspect docker://localhost:$P/tls/hello:v1: the pushed digest" '[ "$digest" = "sha256:$man" ]' sko.log
	unserve
done

# === 5. what the P-256 key is for: an Ed25519 server key (what generate mode made before),
# signed by the same CA with the same extensions, serves curl but fails busybox's TLS
if [ -n "$bb37" ]; then
	mkdir -p ed-server && cp ed.crt ed-server/ca.crt
	printf 'basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1\n' > ed-server.ext
	{ openssl genpkey -algorithm ED25519 -out ed-server/tls.key &&
	  openssl req -new -key ed-server/tls.key -subj /CN=127.0.0.1 -out ed-server.csr &&
	  openssl x509 -req -in ed-server.csr -CA ed.crt -CAkey ed.key -set_serial 9 -days 2 -extfile ed-server.ext \
		-out ed-server/tls.crt; } >> openssl.log 2>&1
	serve ed-server ed-server
	t "Ed25519 server key: docker-registry serves it; curl with the CA gets 200 ($((i * 100)) ms)" '[ "$c" = 200 ]' reg-ed-server.log openssl.log
	if [ "$c" = 200 ]; then
		probe
		t "Ed25519 server key: busybox 1.37 wget fails (exit $st: $(grep -v 'not implemented' probe.out | head -n 1))" \
			'[ $st != 0 ] && grep -q "not RSA or ECDSA cert" probe.out' probe.out
	fi
	unserve
fi
finish
