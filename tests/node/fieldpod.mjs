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
//   node fieldpod.mjs statefulset FILE NAMESPACE NAME POD DATA [DROP...]
//       (tests/registry-field.sh) Prints the ConfigMaps that StatefulSet NAMESPACE/NAME mounts and
//       its pod template as a `kind: Pod` named POD (the ordinal is POD's suffix, as on a cluster:
//       podman makes the pod name the hostname). Changes, each named on stderr: every
//       volumeClaimTemplate becomes a hostPath volume DATA/<claim name> (DirectoryOrCreate: the
//       test creates it owned by the pod's fsGroup, which podman 4.3.1 does not apply); the
//       containers named DROP are left out (and the volumes only they mount); a secret volume
//       without `optional` gets `optional: false` (Kubernetes' default; podman 4.3.1 dereferences
//       the missing field and panics); containers' `ports` are left out (podman 4.3.1 publishes
//       every containerPort on the host). The Secrets the pod mounts are not printed: podman 4.3.1
//       reads a secret volume from the podman secret of that name (see `secretobj`), writes every
//       key (`items` ignored) into a named volume of that name, shared by the pods.
//   node fieldpod.mjs secretobj FILE NAMESPACE NAME
//       Prints Secret NAMESPACE/NAME as JSON for `podman secret create NAME -`, its data values
//       decoded: podman 4.3.1 writes a secret volume's data values as they are, not base64-decoded.
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
} else if (cmd === 'statefulset' && rest.length >= 3) {
	const [name, pod, data, ...drop] = rest;
	const sts = find(objs, 'StatefulSet', ns, name) || die(`no StatefulSet ${ns}/${name}`);
	const tmpl = structuredClone(sts.spec.template), out = [], note = (m) => process.stderr.write(`${m}\n`);
	for (const c of drop) {
		if (!tmpl.spec.containers.some((x) => x.name === c)) die(`no container ${c}`);
		note(`left out container ${c}`);
	}
	tmpl.spec.containers = tmpl.spec.containers.filter((c) => !drop.includes(c.name));
	for (const c of tmpl.spec.containers) {
		if (!c.ports) continue;
		note(`left out the ports of container ${c.name} (${c.ports.map((p) => p.containerPort).join(', ')}): podman 4.3.1 publishes each containerPort on the host's 0.0.0.0 (hostPort = containerPort), Kubernetes none`);
		delete c.ports;
	}
	const used = new Set(tmpl.spec.containers.flatMap((c) => (c.volumeMounts || []).map((m) => m.name)));
	tmpl.spec.volumes = (tmpl.spec.volumes || []).filter((v) => used.has(v.name) || (note(`left out volume ${v.name} (only ${drop.join(', ')} mounted it)`), false));
	for (const c of sts.spec.volumeClaimTemplates || []) {
		tmpl.spec.volumes.push({ name: c.metadata.name, hostPath: { path: `${data}/${c.metadata.name}`, type: 'DirectoryOrCreate' } });
		note(`volumeClaimTemplate ${c.metadata.name} as hostPath ${data}/${c.metadata.name}`);
	}
	for (const v of tmpl.spec.volumes) {
		if (v.secret && v.secret.optional === undefined) v.secret.optional = false;
		if (v.configMap && !out.some((o) => o.metadata.name === v.configMap.name)) {
			out.push(find(objs, 'ConfigMap', ns, v.configMap.name) || die(`no ConfigMap ${ns}/${v.configMap.name}`));
		}
	}
	for (const [k, v] of Object.entries(tmpl.metadata?.annotations || {})) {
		if (String(v).length <= 63) continue;
		delete tmpl.metadata.annotations[k];
		note(`left out annotation ${k} (${String(v).length} characters): podman 4.3.1 refuses values over 63`);
	}
	out.push({ apiVersion: 'v1', kind: 'Pod', metadata: { ...tmpl.metadata, name: pod, namespace: ns }, spec: tmpl.spec });
	process.stdout.write(out.map((o) => YAML.stringify(o)).join('---\n'));
} else if (cmd === 'secretobj' && rest.length === 1) {
	const s = structuredClone(find(objs, 'Secret', ns, rest[0]) || die(`no Secret ${ns}/${rest[0]}`));
	for (const k of Object.keys(s.data || {})) s.data[k] = Buffer.from(s.data[k], 'base64').toString('utf8');
	process.stdout.write(JSON.stringify(s));
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
