// Helper of tests/registry.sh: reads the add-on's registry-config ConfigMap
// and compares Distribution configs. Uses the `yaml` package installed by
// tests/schema/setup.sh.
//
//   node configmap.mjs extract OUTDIR [NAMESPACE] < STREAM
//       Writes data["config.yml"] and data["run.sh"] of ConfigMap
//       NAMESPACE/registry-config (default registry-system), byte for byte,
//       to OUTDIR. Fails unless there is exactly one such ConfigMap and it has
//       the annotation registry-addon.dev/generated: "true".
//   node configmap.mjs compare ORIG NEW 'JSON'
//       JSON maps dotted paths to [value in ORIG, value in NEW]. Checks both
//       files hold exactly those values there, then that ORIG and NEW are
//       equal once those paths are removed.
//   node configmap.mjs wiring GENDIR [NAMESPACE] < STREAM
//       Checks that the workload running run.sh agrees with config.yml and
//       run.sh's defaults (GENDIR holds them, from extract): its command runs
//       run.sh from the mounted ConfigMap, the TLS Secret is mounted where
//       run.sh and config.yml read tls.crt/tls.key, the data volume at
//       rootdirectory, container ports = listen ports. Prints the container's
//       HTTP probes, one "PORTNUMBER SCHEME PATH" a line.
//   node configmap.mjs get FILE PATH
//       Prints the JSON value at dotted PATH (undefined when absent).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';

const require = createRequire(import.meta.url);
const YAML = require('../schema/node_modules/yaml');

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
	for (const key of ['config.yml', 'run.sh']) {
		const v = cm.data?.[key];
		if (typeof v !== 'string' || v === '') die(`registry-config has no data["${key}"]`);
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
	const cfg = parseFile(`${gendir}/config.yml`);
	const runsh = readFileSync(`${gendir}/run.sh`, 'utf8');
	const dflt = (v) => (runsh.match(new RegExp(`^[a-z]+=\\$\\{${v}:-([^}]*)\\}$`, 'm')) || [])[1];
	const runConfig = dflt('ADDON_REGISTRY_CONFIG'), runTls = dflt('ADDON_TLS_DIR');
	const bad = [];
	if (!runConfig || !runTls) die('run.sh: no ${ADDON_REGISTRY_CONFIG:-...} or ${ADDON_TLS_DIR:-...} default');
	const wl = [];
	for (const d of YAML.parseAllDocuments(readFileSync(0, 'utf8'))) {
		const o = d.toJS();
		const pod = o?.spec?.template?.spec;
		if (!pod || o.metadata?.namespace !== ns) continue;
		const vol = (pod.volumes || []).find((v) => v.configMap?.name === 'registry-config');
		if (!vol) continue;
		for (const c of pod.containers || [])
			if ((c.volumeMounts || []).some((m) => m.name === vol.name)) wl.push({ o, pod, c, vol });
	}
	if (wl.length !== 1) die(`${wl.length} containers mount ConfigMap ${ns}/registry-config, want 1`);
	const { o, pod, c, vol } = wl[0], where = `${o.kind} ${o.metadata.name}, container ${c.name}`;
	const mount = (name) => (c.volumeMounts || []).find((m) => m.name === name);
	const at = (path) => (c.volumeMounts || []).find((m) => m.mountPath === path);
	const cfgMount = mount(vol.name).mountPath;
	const cmdline = [...(c.command || []), ...(c.args || [])];
	if (!isDeepStrictEqual(cmdline, ['/bin/sh', `${cfgMount}/run.sh`]))
		bad.push(`${where}: command+args ${JSON.stringify(cmdline)}, want ["/bin/sh", "${cfgMount}/run.sh"]`);
	if (runConfig !== `${cfgMount}/config.yml`)
		bad.push(`run.sh reads ${runConfig}, the ConfigMap is mounted at ${cfgMount}`);
	if (vol.configMap.items && !['config.yml', 'run.sh'].every((k) => vol.configMap.items.some((i) => i.key === k && i.path === k)))
		bad.push(`${where}: ConfigMap volume items leave out config.yml or run.sh`);
	const tlsMount = at(runTls), tlsVol = tlsMount && (pod.volumes || []).find((v) => v.name === tlsMount.name);
	if (!tlsVol?.secret) bad.push(`${where}: no Secret volume mounted at run.sh's TLS directory ${runTls}`);
	else if (tlsVol.secret.items && !['tls.crt', 'tls.key'].every((k) => tlsVol.secret.items.some((i) => i.key === k && i.path === k)))
		bad.push(`${where}: Secret volume ${tlsVol.name} does not project tls.crt and tls.key`);
	for (const [k, f] of [['certificate', 'tls.crt'], ['key', 'tls.key']])
		if (cfg.http?.tls?.[k] !== `${runTls}/${f}`)
			bad.push(`config.yml http.tls.${k} is ${cfg.http?.tls?.[k]}, run.sh watches ${runTls}/${f}`);
	const root = cfg.storage?.filesystem?.rootdirectory;
	if (!at(root)) bad.push(`${where}: nothing mounted at rootdirectory ${root}`);
	const portOf = (addr) => Number(String(addr).split(':').pop());
	const ports = Object.fromEntries((c.ports || []).map((p) => [p.name, p.containerPort]));
	const portNum = (p) => (typeof p === 'number' ? p : ports[p]);
	if (!Object.values(ports).includes(portOf(cfg.http?.addr))) bad.push(`${where}: no containerPort ${portOf(cfg.http?.addr)} (http.addr)`);
	if (cfg.http?.debug?.addr && !Object.values(ports).includes(portOf(cfg.http.debug.addr)))
		bad.push(`${where}: no containerPort ${portOf(cfg.http.debug.addr)} (http.debug.addr)`);
	if (bad.length) die(bad.join('\n'));
	for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
		const g = c[kind]?.httpGet;
		if (g) process.stdout.write(`${kind} ${portNum(g.port)} ${g.scheme || 'HTTP'} ${g.path || '/'}\n`);
	}
} else if (cmd === 'get') {
	const [file, path] = args;
	if (!path) die('usage: get FILE PATH');
	const v = get(parseFile(file), path);
	process.stdout.write((v === undefined ? 'undefined' : JSON.stringify(v)) + '\n');
} else {
	die('usage: extract | compare | get (see the header)');
}
