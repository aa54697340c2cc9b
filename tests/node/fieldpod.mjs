// Helper of tests/node-field.sh: the node DaemonSet of our output as podman kube play runs it,
// read with an independent parser (npm `yaml`, installed by tests/schema/setup.sh).
//
//   node fieldpod.mjs pod FILE NAMESPACE ROOT
//       Prints the ConfigMaps that DaemonSet NAMESPACE/registry-node-trust mounts and its pod
//       template as a `kind: Pod` (name: the DaemonSet's), every hostPath.path P rewritten to
//       ROOT + P. The one other change: podman 4.3.1 (Debian 12) refuses an annotation value
//       longer than 63 characters ("value length exceeds Kubernetetes max 63"; Kubernetes allows
//       256 KiB; podman issue 21663, fixed in 5.0), so such annotations are left out, each named
//       on stderr.
//   node fieldpod.mjs probe FILE NAMESPACE
//       Prints the container's readinessProbe.exec.command, one argument a line (NUL-free).
//   node fieldpod.mjs hostpaths FILE NAMESPACE
//       Prints each hostPath.path of the pod template, one a line.
//   node fieldpod.mjs secret FILE NAMESPACE NAME KEY
//       Prints data[KEY] of Secret NAMESPACE/NAME, decoded.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const YAML = require('../schema/node_modules/yaml');

const die = (msg) => { process.stderr.write(`fieldpod.mjs: ${msg}\n`); process.exit(1); };
const objects = (file) => YAML.parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
const find = (objs, kind, ns, name) => objs.find((o) => o.kind === kind && o.metadata?.namespace === ns && o.metadata?.name === name);
const daemonset = (objs, ns) => find(objs, 'DaemonSet', ns, 'registry-node-trust') || die(`no DaemonSet ${ns}/registry-node-trust`);

const [cmd, file, ns, ...rest] = process.argv.slice(2);
const objs = file ? objects(file) : die('usage: fieldpod.mjs pod|probe|hostpaths|secret FILE NAMESPACE ...');
if (cmd === 'pod' && rest.length === 1) {
	const ds = daemonset(objs, ns), tmpl = structuredClone(ds.spec.template), out = [];
	for (const v of tmpl.spec.volumes || []) {
		if (v.configMap) out.push(find(objs, 'ConfigMap', ns, v.configMap.name) || die(`no ConfigMap ${ns}/${v.configMap.name}`));
		if (v.hostPath) v.hostPath.path = rest[0] + v.hostPath.path;
	}
	for (const [k, v] of Object.entries(tmpl.metadata?.annotations || {})) {
		if (String(v).length <= 63) continue;
		delete tmpl.metadata.annotations[k];
		process.stderr.write(`left out annotation ${k} (${String(v).length} characters): podman 4.3.1 refuses values over 63\n`);
	}
	out.push({ apiVersion: 'v1', kind: 'Pod', metadata: { ...tmpl.metadata, name: ds.metadata.name, namespace: ns }, spec: tmpl.spec });
	process.stdout.write(out.map((o) => YAML.stringify(o)).join('---\n'));
} else if (cmd === 'probe' && rest.length === 0) {
	const cmdv = daemonset(objs, ns).spec.template.spec.containers[0].readinessProbe?.exec?.command;
	if (!Array.isArray(cmdv) || cmdv.some((a) => typeof a !== 'string' || a.includes('\n'))) die('no one-line readinessProbe.exec.command');
	process.stdout.write(cmdv.map((a) => `${a}\n`).join(''));
} else if (cmd === 'hostpaths' && rest.length === 0) {
	for (const v of daemonset(objs, ns).spec.template.spec.volumes || []) if (v.hostPath) process.stdout.write(`${v.hostPath.path}\n`);
} else if (cmd === 'secret' && rest.length === 2) {
	const s = find(objs, 'Secret', ns, rest[0]);
	if (typeof s?.data?.[rest[1]] !== 'string') die(`no Secret ${ns}/${rest[0]} with data key ${rest[1]}`);
	process.stdout.write(Buffer.from(s.data[rest[1]], 'base64'));
} else {
	die(`bad arguments: ${process.argv.slice(2).join(' ')}`);
}
