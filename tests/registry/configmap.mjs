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
} else if (cmd === 'get') {
	const [file, path] = args;
	if (!path) die('usage: get FILE PATH');
	const v = get(parseFile(file), path);
	process.stdout.write((v === undefined ? 'undefined' : JSON.stringify(v)) + '\n');
} else {
	die('usage: extract | compare | get (see the header)');
}
