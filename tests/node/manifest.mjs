// Helper of tests/node.sh: reads the node-trust objects of our output with an
// independent parser (npm `yaml`, installed by tests/schema/setup.sh).
//
//   node manifest.mjs data FILE NAMESPACE NAME KEY
//       Prints data[KEY] of ConfigMap NAMESPACE/NAME, byte for byte (what the
//       kubelet writes into the volume).
//   node manifest.mjs wiring FILE NAMESPACE
//       Checks that DaemonSet NAMESPACE/registry-node-trust runs the script
//       with its config from the mounted ConfigMap, and that every path the
//       config names is mounted where the script looks: the CA volume at
//       CA_FILE's directory, an emptyDir at STATE_DIR, a hostPath at the same
//       path on the node for each runtime directory it writes (containerd's
//       config directory read-only unless CONFIGURE_CONTAINERD=ifMissing),
//       and nothing else from the host (CRI-O's configuration read-only);
//       SELinux type spc_t; no ':' in a mount path; the readiness probe
//       tests STATE_DIR/ready and prints STATE_DIR/reason.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const YAML = require('../schema/node_modules/yaml');

const die = (msg) => { process.stderr.write(`manifest.mjs: ${msg}\n`); process.exit(1); };
const objects = (file) => YAML.parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
const find = (objs, kind, ns, name) => objs.find((o) => o.kind === kind && o.metadata?.namespace === ns && o.metadata?.name === name);
const dirname = (p) => p.replace(/\/[^/]*$/, '') || '/';

// the sh assignments KEY='value' of the config (our writer's quoting only)
function parseConfig(text) {
	const cfg = {};
	for (const line of text.split('\n')) {
		const m = line.match(/^([A-Z_]+)='((?:[^']|'\\'')*)'$/);
		if (m) cfg[m[1]] = m[2].replaceAll("'\\''", "'");
	}
	return cfg;
}

const [cmd, file, ns, ...rest] = process.argv.slice(2);
if (cmd === 'data' && rest.length === 2) {
	const cm = find(objects(file), 'ConfigMap', ns, rest[0]);
	if (typeof cm?.data?.[rest[1]] !== 'string') die(`${file}: no ConfigMap ${ns}/${rest[0]} with data key ${rest[1]}`);
	process.stdout.write(cm.data[rest[1]]);
} else if (cmd === 'wiring' && ns) {
	const objs = objects(file), bad = [];
	const ds = find(objs, 'DaemonSet', ns, 'registry-node-trust') || die(`${file}: no DaemonSet ${ns}/registry-node-trust`);
	const pod = ds.spec.template.spec, c = pod.containers[0];
	const vol = (name) => pod.volumes.find((v) => v.name === name);
	const mountAt = (path) => c.volumeMounts.find((m) => m.mountPath === path);
	const scriptMount = c.volumeMounts.find((m) => vol(m.name)?.configMap?.name === 'registry-node-trust');
	if (!scriptMount) die('the script ConfigMap is not mounted');
	const want = ['/bin/sh', `${scriptMount.mountPath}/node-trust.sh`, `${scriptMount.mountPath}/config`];
	if (JSON.stringify(c.command) !== JSON.stringify(want)) bad.push(`command ${JSON.stringify(c.command)}, want ${JSON.stringify(want)}`);
	const cm = find(objs, 'ConfigMap', ns, 'registry-node-trust');
	const cfg = parseConfig(cm.data.config);
	const hostMounts = new Set(c.volumeMounts.filter((m) => vol(m.name)?.hostPath).map((m) => m.mountPath));
	const needHost = (path, rw) => {
		const m = mountAt(path), v = m && vol(m.name);
		if (!v?.hostPath) return bad.push(`${path}: no hostPath mounted there`);
		if (v.hostPath.path !== path) bad.push(`${path}: mounts host ${v.hostPath.path}, not the same path`);
		if (rw === !!m.readOnly) bad.push(`${path}: readOnly ${!!m.readOnly}, want ${!rw}`);
		hostMounts.delete(path);
	};
	if (cfg.MODE === 'install') {
		const caMount = mountAt(dirname(cfg.CA_FILE)), caVol = caMount && vol(caMount.name);
		if (!(caVol?.secret || caVol?.configMap)) bad.push(`CA_FILE ${cfg.CA_FILE}: no Secret or ConfigMap mounted at its directory`);
		const items = (caVol?.secret || caVol?.configMap)?.items || [];
		if (!items.some((i) => i.key === 'ca.crt' && i.path === cfg.CA_FILE.split('/').pop())) bad.push('the CA volume does not project ca.crt');
	}
	const st = mountAt(cfg.STATE_DIR);
	if (!st || !vol(st.name)?.emptyDir || st.readOnly) bad.push(`STATE_DIR ${cfg.STATE_DIR}: no writable emptyDir there`);
	const rt = cfg.RUNTIMES.split(' ');
	if (rt.includes('containerd')) {
		needHost(cfg.CONTAINERD_CERTS_D, true);
		if (cfg.MODE === 'install') needHost(dirname(cfg.CONTAINERD_CONFIG), cfg.CONFIGURE_CONTAINERD === 'ifMissing');
	}
	if (rt.includes('cri-o')) {
		needHost('/etc/containers/registries.conf.d', true); needHost('/etc/containers/certs.d', true);
		// read only: registries.conf (prefixes of others) and CRI-O's config (auto_reload_registries)
		if (cfg.MODE === 'install') { needHost('/etc/containers', false); needHost('/etc/crio', false); }
	}
	if (rt.includes('docker')) needHost('/etc/docker/certs.d', true);
	for (const p of hostMounts) bad.push(`${p}: a host directory the configured runtimes do not need`);
	const priv = !!c.securityContext?.privileged, hostPID = !!pod.hostPID;
	const ifMissing = cfg.MODE === 'install' && cfg.CONFIGURE_CONTAINERD === 'ifMissing';
	if (priv !== ifMissing || hostPID !== ifMissing) bad.push(`privileged ${priv}, hostPID ${hostPID}: want both ${ifMissing}`);
	if (!ifMissing && JSON.stringify(c.securityContext?.capabilities?.drop) !== '["ALL"]') bad.push('capabilities are not all dropped');
	if (!c.securityContext?.readOnlyRootFilesystem) bad.push('the root filesystem is writable');
	if (c.securityContext?.seLinuxOptions?.type !== 'spc_t') bad.push('SELinux type is not spc_t (host paths unwritable on enforcing nodes)');
	for (const m of c.volumeMounts) if (m.mountPath.includes(':')) bad.push(`${m.mountPath}: a mount path with ':' (cri-dockerd cannot start it)`);
	const rp = c.readinessProbe?.exec?.command?.join(' ') || '';
	if (!rp.includes(`${cfg.STATE_DIR}/ready`) || !rp.includes(`${cfg.STATE_DIR}/reason`)) bad.push(`readiness probe ${rp}: does not test ready and print reason`);
	if (pod.automountServiceAccountToken !== false) bad.push('an API token is mounted');
	if (!pod.tolerations?.some((t) => t.operator === 'Exists' && !t.key)) bad.push('not every taint is tolerated');
	if (bad.length) die(bad.join('\n'));
} else {
	die('usage: data FILE NAMESPACE NAME KEY | wiring FILE NAMESPACE');
}
