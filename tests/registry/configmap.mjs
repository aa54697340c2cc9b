// Helper of tests/registry.sh: reads the add-on's registry-config ConfigMap
// and compares Distribution configs. Uses the `yaml` package installed by
// tests/schema/setup.sh.
//
//   node configmap.mjs extract OUTDIR [NAMESPACE] < STREAM
//       Writes every data key of ConfigMap NAMESPACE/registry-config (default
//       registry-system), byte for byte, to OUTDIR/KEY. Fails unless there is
//       exactly one such ConfigMap, it has the annotation
//       registry-addon.dev/generated: "true", and its keys are mirror.yml,
//       mirror-writer.yml, own.yml, own-writer.yml, own-copy.yml, run.sh
//       (and metrics.cgi; with the cache component cache.sh and cache-<i>.yml
//       for i = 0, 1, ... without gaps).
//   node configmap.mjs compare ORIG NEW 'JSON'
//       JSON maps dotted paths to [value in ORIG, value in NEW]. Checks both
//       files hold exactly those values there, then that ORIG and NEW are
//       equal once those paths are removed.
//   node configmap.mjs wiring GENDIR [NAMESPACE] < STREAM
//       Checks that the StatefulSet agrees with the configs and run.sh's
//       defaults (GENDIR holds them, from extract): containers `registry`
//       and `own` run ["/bin/sh", DIR/run.sh, mirror|own] with registry-config
//       mounted at DIR = run.sh's ADDON_CONFIG_DIR default; the TLS Secret
//       (tls.crt, tls.key) at its ADDON_TLS_DIR default, where every TLS
//       config reads them; the data volume at the parent of every
//       rootdirectory; containerPorts = exactly the ports the role's configs
//       listen on for the cluster (not loopback; own: own.yml and
//       own-writer.yml); container `metrics`, if any, serves metrics.cgi as
//       cgi-bin/metrics (mode 0555) and the CGI reads mirror.yml's debug
//       address; container `cache`, if any, runs ["/bin/sh", DIR/cache.sh] with
//       registry-config at cache.sh's ADDON_CONFIG_DIR default, the TLS
//       Secret at its ADDON_TLS_DIR (where every cache-<i>.yml reads it), the
//       data volume at its ADDON_DATA_DIR (under which every rootdirectory
//       lies, one per upstream), containerPorts exactly the cache-<i>.yml
//       ports, and no probes. Prints each probe: "CONTAINER KIND PORT SCHEME PATH".
//   node configmap.mjs get FILE PATH
//       Prints the JSON value at dotted PATH (undefined when absent).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';

const require = createRequire(import.meta.url);
const YAML = require('../schema/node_modules/yaml');

const CONFIGS = ['mirror.yml', 'mirror-writer.yml', 'own.yml', 'own-writer.yml', 'own-copy.yml'];
const KEYS = [...CONFIGS, 'run.sh'];
const OPTIONAL = ['metrics.cgi', 'cache.sh'];
const isCache = (k) => /^cache-(0|[1-9][0-9]*)\.yml$/.test(k);

function die(msg) {
	process.stderr.write(`configmap.mjs: ${msg}\n`);
	process.exit(1);
}

function parseFile(file) {
	const docs = YAML.parseAllDocuments(readFileSync(file, 'utf8'));
	if (docs.length !== 1) die(`${file}: ${docs.length} YAML documents, want 1`);
	if (docs[0].errors.length) die(`${file}: ${docs[0].errors[0].message}`);
	return docs[0].toJS();
}

// container cache against cache.sh's defaults and the cache-<i>.yml configs
function checkCache(c, gendir, pod, vol, bad) {
	let sh = '';
	try { sh = readFileSync(`${gendir}/cache.sh`, 'utf8'); } catch { bad.push('container cache, but no cache.sh'); return; }
	const dflt = (v) => (sh.match(new RegExp(`^[a-z]+=\\$\\{${v}:-([^}]*)\\}$`, 'm')) || [])[1];
	const dir = dflt('ADDON_CONFIG_DIR'), tls = dflt('ADDON_TLS_DIR'), data = dflt('ADDON_DATA_DIR');
	if (!dir || !tls || !data) { bad.push('cache.sh: no ADDON_CONFIG_DIR, ADDON_TLS_DIR or ADDON_DATA_DIR default'); return; }
	const at = (path) => (c.volumeMounts || []).find((m) => m.mountPath === path);
	const cmdline = [...(c.command || []), ...(c.args || [])];
	if (!isDeepStrictEqual(cmdline, ['/bin/sh', `${dir}/cache.sh`]))
		bad.push(`container cache: command+args ${JSON.stringify(cmdline)}, want ["/bin/sh", "${dir}/cache.sh"]`);
	if (vol(at(dir)?.name)?.configMap?.name !== 'registry-config') bad.push(`container cache: registry-config not mounted at ${dir}`);
	if (!vol(at(tls)?.name)?.secret) bad.push(`container cache: no Secret volume at cache.sh's TLS directory ${tls}`);
	if (!at(data)) bad.push(`container cache: no data volume at cache.sh's ${data}`);
	const files = readdirSync(gendir).filter(isCache), want = [], roots = new Set();
	for (const f of files) {
		const cfg = parseFile(`${gendir}/${f}`), h = cfg.http ?? {};
		for (const [k, file] of [['certificate', 'tls.crt'], ['key', 'tls.key']])
			if (h.tls?.[k] !== `${tls}/${file}`) bad.push(`${f} http.tls.${k} is ${h.tls?.[k]}, cache.sh watches ${tls}/${file}`);
		const root = cfg.storage?.filesystem?.rootdirectory ?? '';
		if (!root.startsWith(`${data}/`)) bad.push(`${f}: rootdirectory ${root} is not under ${data}`);
		if (roots.has(root)) bad.push(`${f}: rootdirectory ${root} shared with another cache`);
		roots.add(root);
		if (!cfg.proxy?.remoteurl) bad.push(`${f}: no proxy.remoteurl`);
		if (cfg.storage?.delete?.enabled !== true) bad.push(`${f}: storage.delete off: the scheduler could not delete what expires`);
		want.push(portOf(h.addr));
	}
	const have = (c.ports || []).map((p) => p.containerPort);
	if (!isDeepStrictEqual(have.sort(), want.sort())) bad.push(`container cache: containerPorts [${have}], the configs listen on [${want}]`);
	for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'])
		if (c[kind]) bad.push(`container cache: has a ${kind} (a cache that cannot reach its upstream must not restart the others)`);
}
const portOf = (addr) => Number(String(addr).split(':').pop());

const split = (path) => path.split('.');
function get(obj, path) {
	for (const k of split(path)) {
		if (obj === null || typeof obj !== 'object' || !Object.hasOwn(obj, k)) return undefined;
		obj = obj[k];
	}
	return obj;
}
function del(obj, path) {
	const keys = split(path), last = keys.pop();
	for (const k of keys) obj = obj?.[k];
	if (obj && typeof obj === 'object') delete obj[last];
}

function diffs(a, b, at = '', out = []) {
	if (isDeepStrictEqual(a, b)) return out;
	if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
		for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
			diffs(a[k], b[k], at ? `${at}.${k}` : k, out);
	} else {
		out.push(`${at || '(root)'}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
	}
	return out;
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'extract') {
	const [outdir, ns = 'registry-system'] = args;
	if (!outdir) die('usage: extract OUTDIR [NAMESPACE] < STREAM');
	const docs = YAML.parseAllDocuments(readFileSync(0, 'utf8'));
	const found = [];
	for (const d of docs) {
		if (d.errors.length) die(`input: ${d.errors[0].message}`);
		const o = d.toJS();
		if (o && o.kind === 'ConfigMap' && o.apiVersion === 'v1' &&
		    o.metadata?.name === 'registry-config' && (o.metadata?.namespace ?? 'default') === ns)
			found.push(o);
	}
	if (found.length !== 1) die(`${found.length} ConfigMaps ${ns}/registry-config in the output, want 1`);
	const cm = found[0];
	if (cm.metadata.annotations?.['registry-addon.dev/generated'] !== 'true')
		die('registry-config lacks annotation registry-addon.dev/generated: "true"');
	const keys = Object.keys(cm.data ?? {});
	const missing = KEYS.filter((k) => !keys.includes(k)), extra = keys.filter((k) => !KEYS.includes(k) && !OPTIONAL.includes(k) && !isCache(k));
	if (missing.length || extra.length) die(`registry-config keys: missing [${missing}] unexpected [${extra}]`);
	const caches = keys.filter(isCache);
	if (caches.some((k, i) => !keys.includes(`cache-${i}.yml`)) || (caches.length > 0) !== keys.includes('cache.sh'))
		die(`registry-config: cache-<i>.yml not numbered 0..n-1, or without cache.sh: [${caches}]`);
	for (const key of keys) {
		const v = cm.data[key];
		if (typeof v !== 'string' || v === '') die(`registry-config data["${key}"] is empty or not a string`);
		writeFileSync(`${outdir}/${key}`, v);
	}
} else if (cmd === 'compare') {
	const [origFile, newFile, json] = args;
	if (!json) die("usage: compare ORIG NEW '{\"path\": [orig, new]}'");
	const orig = parseFile(origFile), neu = parseFile(newFile), bad = [];
	for (const [path, [want0, want1]] of Object.entries(JSON.parse(json))) {
		const got0 = get(orig, path), got1 = get(neu, path);
		if (!isDeepStrictEqual(got0, want0)) bad.push(`${origFile}: ${path} is ${JSON.stringify(got0)}, want ${JSON.stringify(want0)}`);
		if (!isDeepStrictEqual(got1, want1)) bad.push(`${newFile}: ${path} is ${JSON.stringify(got1)}, want ${JSON.stringify(want1)}`);
		del(orig, path);
		del(neu, path);
	}
	for (const d of diffs(orig, neu)) bad.push(`changed beyond the rewrite: ${d}`);
	if (bad.length) die(bad.join('\n'));
} else if (cmd === 'wiring') {
	const [gendir, ns = 'registry-system'] = args;
	if (!gendir) die('usage: wiring GENDIR [NAMESPACE] < STREAM');
	const cfg = Object.fromEntries(CONFIGS.map((k) => [k, parseFile(`${gendir}/${k}`)]));
	const runsh = readFileSync(`${gendir}/run.sh`, 'utf8');
	const dflt = (v) => (runsh.match(new RegExp(`^[a-z]+=\\$\\{${v}:-([^}]*)\\}$`, 'm')) || [])[1];
	const runDir = dflt('ADDON_CONFIG_DIR'), runTls = dflt('ADDON_TLS_DIR');
	if (!runDir || !runTls) die('run.sh: no ${ADDON_CONFIG_DIR:-...} or ${ADDON_TLS_DIR:-...} default');
	const bad = [];
	const sts = [];
	for (const d of YAML.parseAllDocuments(readFileSync(0, 'utf8'))) {
		const o = d.toJS();
		if (o?.kind === 'StatefulSet' && o.metadata?.namespace === ns && o.metadata?.name === 'registry') sts.push(o);
	}
	if (sts.length !== 1) die(`${sts.length} StatefulSets ${ns}/registry, want 1`);
	const pod = sts[0].spec.template.spec;
	const vol = (name) => (pod.volumes || []).find((v) => v.name === name);
	const loopback = (addr) => /^(127\.|localhost:|\[::1\])/.test(String(addr));
	const roles = { registry: ['mirror', ['mirror.yml', 'mirror-writer.yml']], own: ['own', ['own.yml', 'own-writer.yml', 'own-copy.yml']] };
	for (const [name, [role, files]] of Object.entries(roles)) {
		const c = (pod.containers || []).find((x) => x.name === name);
		if (!c) { bad.push(`no container ${name}`); continue; }
		const where = `container ${name}`;
		const at = (path) => (c.volumeMounts || []).find((m) => m.mountPath === path);
		const cfgMount = at(runDir), cfgVol = cfgMount && vol(cfgMount.name);
		if (cfgVol?.configMap?.name !== 'registry-config') bad.push(`${where}: ConfigMap registry-config not mounted at run.sh's ${runDir}`);
		else if (cfgVol.configMap.items && ![...files, 'run.sh'].every((k) => cfgVol.configMap.items.some((i) => i.key === k && i.path === k)))
			bad.push(`${where}: ConfigMap volume items leave out one of ${files}, run.sh`);
		const cmdline = [...(c.command || []), ...(c.args || [])];
		if (!isDeepStrictEqual(cmdline, ['/bin/sh', `${runDir}/run.sh`, role]))
			bad.push(`${where}: command+args ${JSON.stringify(cmdline)}, want ["/bin/sh", "${runDir}/run.sh", "${role}"]`);
		const tlsMount = at(runTls), tlsVol = tlsMount && vol(tlsMount.name);
		if (!tlsVol?.secret) bad.push(`${where}: no Secret volume mounted at run.sh's TLS directory ${runTls}`);
		else if (tlsVol.secret.items && !['tls.crt', 'tls.key'].every((k) => tlsVol.secret.items.some((i) => i.key === k && i.path === k)))
			bad.push(`${where}: Secret volume ${tlsVol.name} does not project tls.crt and tls.key`);
		const want = new Set();
		for (const f of files) {
			const h = cfg[f].http ?? {};
			if (h.tls) for (const [k, file] of [['certificate', 'tls.crt'], ['key', 'tls.key']])
				if (h.tls[k] !== `${runTls}/${file}`) bad.push(`${f} http.tls.${k} is ${h.tls[k]}, run.sh watches ${runTls}/${file}`);
			const root = cfg[f].storage?.filesystem?.rootdirectory ?? '';
			const parent = root.replace(/\/[^/]+$/, '');
			const dm = at(parent);
			if (!dm || !(vol(dm.name)?.persistentVolumeClaim || vol(dm.name)?.emptyDir || (sts[0].spec.volumeClaimTemplates || []).some((t) => t.metadata?.name === dm.name)))
				bad.push(`${where}: no data volume at ${parent} (${f} rootdirectory ${root})`);
			if (!loopback(h.addr)) want.add(portOf(h.addr));
			if (h.debug?.addr && !loopback(h.debug.addr)) bad.push(`${f}: http.debug.addr ${h.debug.addr} is not loopback (pprof, expvar)`);
		}
		const have = new Set((c.ports || []).map((p) => p.containerPort));
		if (!isDeepStrictEqual([...have].sort(), [...want].sort()))
			bad.push(`${where}: containerPorts [${[...have]}], the configs listen for the cluster on [${[...want]}]`);
		const ports = Object.fromEntries((c.ports || []).map((p) => [p.name, p.containerPort]));
		for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
			const g = c[kind]?.httpGet;
			if (g) process.stdout.write(`${name} ${kind} ${typeof g.port === 'number' ? g.port : ports[g.port]} ${g.scheme || 'HTTP'} ${g.path || '/'}\n`);
		}
	}
	const m = (pod.containers || []).find((x) => x.name === 'metrics');
	if (m) {
		const www = (m.volumeMounts || []).map((vm) => [vm, vol(vm.name)]).find(([, v]) => v?.configMap?.name === 'registry-config');
		const item = www?.[1].configMap.items?.find((i) => i.key === 'metrics.cgi');
		if (!item || item.path !== 'cgi-bin/metrics' || item.mode !== 0o555) bad.push(`container metrics: metrics.cgi not projected as cgi-bin/metrics mode 0555`);
		const h = (m.command || []).indexOf('-h');
		if (h < 0 || m.command[h + 1] !== www?.[0].mountPath) bad.push(`container metrics: httpd -h is not the metrics.cgi volume's ${www?.[0].mountPath}`);
		let cgi = '';
		try { cgi = readFileSync(`${gendir}/metrics.cgi`, 'utf8'); } catch { bad.push('container metrics, but no metrics.cgi'); }
		const dbg = cfg['mirror.yml'].http?.debug?.addr;
		if (cgi && !cgi.includes(`http://${dbg}/metrics`)) bad.push(`metrics.cgi does not read mirror.yml's debug server http://${dbg}/metrics`);
	}
	const cc = (pod.containers || []).find((x) => x.name === 'cache');
	if (cc) checkCache(cc, gendir, pod, vol, bad);
	if (bad.length) die(bad.join('\n'));
} else if (cmd === 'get') {
	const [file, path] = args;
	if (!path) die('usage: get FILE PATH');
	const v = get(parseFile(file), path);
	process.stdout.write((v === undefined ? 'undefined' : JSON.stringify(v)) + '\n');
} else {
	die('usage: extract | compare | wiring | get (see the header)');
}
