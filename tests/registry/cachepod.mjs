// Helper of tests/cache-field.sh: the changes the suite makes to BIN's output before
// tests/node/fieldpod.mjs wraps the StatefulSet as Pods, and the upstream stand-in's Pod. Uses
// the `yaml` package installed by tests/schema/setup.sh.
//
//   node cachepod.mjs patch FILE NAMESPACE CAFILE IP HOSTNAME...
//       Prints FILE's stream with two changes to StatefulSet NAMESPACE/registry, each named on
//       stderr:
//       - the user's: ConfigMap registry-upstream-ca with the CA of the private upstream (CAFILE),
//         which BIN's output must already name as cache.caBundle (mounted in container `cache`,
//         SSL_CERT_DIR naming its directory): checked, so the pod is BIN's own;
//       - the test's: hostAliases IP -> HOSTNAME... in the pod template, standing in for the
//         cluster's DNS (the upstreams' names lead to the stand-in, nothing is looked up).
//       CAFILE `-`: the test's change only.
//   node cachepod.mjs upstream CERT KEY DATA
//       Prints the upstream stand-in: Pod `upstream` (container `registry`: the registry image,
//       Distribution serving DATA (a hostPath) on :443 with CERT/KEY, access log on; container
//       `keep` sleeps, so that the pod and its IP stay while `registry` is stopped: an upstream
//       host that is up, its registry down) and its ConfigMap upstream-config (config.yml,
//       tls.crt, tls.key).
//   node cachepod.mjs wiring FILE [MIRROR_HOST]
//       Prints the pull-through cache's wiring in FILE (BIN's output), one line each, with the
//       mirror Service's address in MIRRORS written as MIRROR_HOST when given (so that outputs with
//       other ClusterIPs compare):
//         mirror UPSTREAM ENDPOINT PATH CACHE        (MIRRORS of ConfigMap registry-node-trust)
//         cache-I ADDR remote=URL ttl=T root=DIR delete=B readonly=B tls=CERT,KEY
//                                                    (cache-I.yml of ConfigMap registry-config)
//         service PORT NAME -> TARGET                (the cache-* ports of Service registry-mirror)
//         container NAME PORT                        (the ports of container cache)
//       and fails, saying why, unless they agree: each mirrored upstream with a cache has a
//       cache-I.yml proxying its ENDPOINT from root /var/lib/registry/cache/PATH on :PORT (the
//       port of CACHE), with TLS, storage.delete on (the scheduler deletes expired content), the
//       Service's port PORT named cache-I to the container's port named cache-I = PORT, and no
//       cache-I.yml, Service or container port is left over.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const YAML = require('../schema/node_modules/yaml');

const die = (msg) => { process.stderr.write(`cachepod.mjs: ${msg}\n`); process.exit(1); };
const note = (m) => process.stderr.write(`${m}\n`);
const [cmd, ...args] = process.argv.slice(2);

if (cmd === 'patch' && args.length >= 5) {
	const [file, ns, cafile, ip, ...names] = args;
	const objs = YAML.parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
	const sts = objs.find((o) => o.kind === 'StatefulSet' && o.metadata?.namespace === ns && o.metadata?.name === 'registry') ||
		die(`no StatefulSet ${ns}/registry`);
	const pod = sts.spec.template.spec;
	const c = pod.containers.find((x) => x.name === 'cache') || die('no container cache');
	if (cafile !== '-') {
		const vol = pod.volumes.find((v) => v.configMap?.name === 'registry-upstream-ca');
		const mount = vol && (c.volumeMounts || []).find((m) => m.name === vol.name);
		const dirs = (c.env || []).find((e) => e.name === 'SSL_CERT_DIR')?.value?.split(':') || [];
		if (!mount || !dirs.includes(mount.mountPath) || !dirs.includes('/etc/ssl/certs'))
			die('container cache does not trust ConfigMap registry-upstream-ca (--set cache.caBundle=registry-upstream-ca) besides /etc/ssl/certs');
		objs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'registry-upstream-ca', namespace: ns }, data: { 'ca.crt': readFileSync(cafile, 'utf8') } });
		note(`the user's ConfigMap registry-upstream-ca (the upstream's CA), named by cache.caBundle: mounted in container cache at ${mount.mountPath}, SSL_CERT_DIR=${dirs.join(':')}`);
	}
	pod.hostAliases = [{ ip, hostnames: names }];
	note(`the test's DNS: hostAliases ${names.join(', ')} -> the upstream stand-in`);
	process.stdout.write(objs.map((o) => YAML.stringify(o)).join('---\n'));
} else if (cmd === 'upstream' && args.length === 3) {
	const [cert, key, data] = args;
	const config = [
		'version: 0.1',
		'log: {accesslog: {disabled: false}, level: info}',
		'storage: {filesystem: {rootdirectory: /var/lib/registry}, delete: {enabled: true}}',
		'http: {addr: ":443", tls: {certificate: /etc/upstream/tls.crt, key: /etc/upstream/tls.key}}',
		''].join('\n');
	const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'upstream-config' },
		data: { 'config.yml': config, 'tls.crt': readFileSync(cert, 'utf8'), 'tls.key': readFileSync(key, 'utf8') } };
	const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'upstream' }, spec: {
		containers: [{ name: 'registry', image: 'docker.io/library/registry:3.1.1', imagePullPolicy: 'Never',
			command: ['/bin/registry', 'serve', '/etc/upstream/config.yml'],
			volumeMounts: [{ name: 'config', mountPath: '/etc/upstream', readOnly: true }, { name: 'data', mountPath: '/var/lib/registry' }] },
		{ name: 'keep', image: 'docker.io/library/registry:3.1.1', imagePullPolicy: 'Never', command: ['/bin/sleep', '86400'] }],
		volumes: [{ name: 'config', configMap: { name: 'upstream-config' } }, { name: 'data', hostPath: { path: data, type: 'DirectoryOrCreate' } }] } };
	process.stdout.write([cm, pod].map((o) => YAML.stringify(o)).join('---\n'));
} else if (cmd === 'wiring' && args.length >= 1) {
	const [file, mhost] = args, ns = 'registry-system', bad = [], out = [];
	const objs = YAML.parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
	const find = (kind, n, name) => objs.find((o) => o.kind === kind && o.metadata?.namespace === n && o.metadata?.name === name);
	const nodecfg = find('ConfigMap', 'registry-node-trust', 'registry-node-trust')?.data?.config || die('no ConfigMap registry-node-trust/registry-node-trust with data.config');
	const mm = nodecfg.match(/^MIRRORS='([^']*)'$/m) || die('no MIRRORS line in the node config');
	const mirrors = mm[1].split(' ').filter(Boolean).map((e) => e.split(','));
	const cfg = find('ConfigMap', ns, 'registry-config')?.data || die(`no ConfigMap ${ns}/registry-config`);
	const caches = Object.keys(cfg).filter((k) => /^cache-\d+\.yml$/.test(k)).sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6)))
		.map((k) => [k.slice(0, -4), YAML.parse(cfg[k])]);
	const sts = find('StatefulSet', ns, 'registry');
	const cont = sts?.spec.template.spec.containers.find((c) => c.name === 'cache');
	const cports = (cont?.ports || []).map((p) => [p.name, p.containerPort]);
	const svc = find('Service', ns, 'registry-mirror');
	const sports = (svc?.spec.ports || []).filter((p) => String(p.name).startsWith('cache-'));
	for (const [u, e, p, c = ''] of mirrors) {
		const [h, port] = [c.slice(0, c.lastIndexOf(':')), c.slice(c.lastIndexOf(':') + 1)];
		out.push(`mirror ${u} ${e} ${p} ${c && mhost ? `${mhost}:${port}` : c}`);
		if (!c) continue;
		const hit = caches.find(([, y]) => String(y.http?.addr) === `:${port}`);
		if (!hit) { bad.push(`mirror ${u}: no cache-*.yml listens on :${port}`); continue; }
		const [name, y] = hit;
		if (y.proxy?.remoteurl !== e) bad.push(`${name}.yml proxies ${y.proxy?.remoteurl}, MIRRORS says ${u} is at ${e}`);
		if (y.storage?.filesystem?.rootdirectory !== `/var/lib/registry/cache/${p}`) bad.push(`${name}.yml rootdirectory ${y.storage?.filesystem?.rootdirectory}, want /var/lib/registry/cache/${p}`);
		if (y.storage?.delete?.enabled !== true) bad.push(`${name}.yml: storage.delete.enabled is not true (expired content would never be deleted)`);
		if (!y.http?.tls?.certificate) bad.push(`${name}.yml: no TLS`);
		const sp = sports.find((x) => x.port === Number(port));
		if (!sp || sp.name !== name || sp.targetPort !== name) bad.push(`Service registry-mirror: port ${port} is ${JSON.stringify(sp)}, want name ${name}, targetPort ${name}`);
		if (!cports.some(([n, cp]) => n === name && cp === Number(port))) bad.push(`container cache: no port ${name} = ${port}`);
	}
	for (const [name, y] of caches) {
		out.push(`${name} ${y.http?.addr} remote=${y.proxy?.remoteurl} ttl=${y.proxy?.ttl} root=${y.storage?.filesystem?.rootdirectory} delete=${y.storage?.delete?.enabled} readonly=${y.storage?.maintenance?.readonly?.enabled} tls=${y.http?.tls?.certificate},${y.http?.tls?.key}`);
		if (!mirrors.some(([, , , c = '']) => c.endsWith(String(y.http?.addr)))) bad.push(`${name}.yml (${y.http?.addr}) serves no mirrored upstream`);
	}
	for (const x of sports) out.push(`service ${x.port} ${x.name} -> ${x.targetPort}`);
	for (const [n, p] of cports) out.push(`container ${n} ${p}`);
	if (sports.length !== caches.length || cports.length !== caches.length) bad.push(`${caches.length} cache configs, ${sports.length} Service ports, ${cports.length} container ports`);
	process.stdout.write(out.map((l) => `${l}\n`).join(''));
	if (bad.length) die(bad.join('\n'));
} else {
	die('usage: patch FILE NAMESPACE CAFILE IP HOSTNAME... | upstream CERT KEY DATA | wiring FILE [MIRROR_HOST]');
}
