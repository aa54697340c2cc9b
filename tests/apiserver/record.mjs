// tests/apiserver/record.mjs - writes the scenarios that tests/status.sh serves with serve.mjs:
// the objects registry-addon really emits (run here on fixtures/example.yaml), plus what a
// cluster adds: the StatefulSet's pods and PVCs, the DaemonSet's pods on three nodes, status
// fields, cert-manager's Certificate status, and the containers' logs (in the words
// src/pod/sync.sh, regsync and src/node/node-trust.sh print). Times are "@NOW+Nd@" tokens
// (serve.mjs turns them into dates relative to today).
//
// usage: node tests/apiserver/record.mjs BIN OUTDIR   (the repository's root as the working dir)
// Regenerate the committed scenarios: node tests/apiserver/record.mjs build/registry-addon tests/apiserver
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from '../schema/node_modules/yaml/dist/index.js';

const [bin, out] = process.argv.slice(2);
if (!bin || !out) {
  console.error('usage: node tests/apiserver/record.mjs BIN OUTDIR');
  process.exit(2);
}
const input = fs.readFileSync('fixtures/example.yaml');
function render(...args) {
  const text = execFileSync(bin, args, { input, maxBuffer: 64 << 20 }).toString();
  return parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean)
    .filter((o) => o.metadata?.annotations?.['registry-addon.dev/generated'] === 'true');
}
const clone = (x) => JSON.parse(JSON.stringify(x));
const find = (objs, kind, name) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`the generator emitted no ${kind} ${name}`);
  return clone(o);
};

const certManagerOut = render();
const generateOut = render('--set', 'tls.mode=generate', '--set', 'tls.caCertFile=fixtures/config/ca/rsa.crt',
  '--set', 'tls.caKeyFile=fixtures/config/ca/rsa.key', '--set', 'tls.notBefore=2026-12-01T00:00:00Z');

const NODES = ['node-a', 'node-b', 'node-c'];
const POD_SUFFIX = ['7xk2p', 'b9q4d', 'm3w8z'];
const running = (name, ready, restarts = 0) => ({
  name, ready, restartCount: restarts, started: true,
  state: { running: { startedAt: '@NOW-3d@' } }, image: '', imageID: '', containerID: `containerd://${name}`,
});
const cond = (type, st, extra = {}) => ({ type, status: st, lastTransitionTime: '@NOW-3d@', ...extra });

// ---------------------------------------------------------------- the registry
function registry(objs, { pending = [] } = {}) {
  const sts = find(objs, 'StatefulSet', 'registry');
  const ns = sts.metadata.namespace;
  const n = sts.spec.replicas;
  const tmpl = sts.spec.template;
  const claims = sts.spec.volumeClaimTemplates || [];
  const pods = [], pvcs = [];
  for (let i = 0; i < n; i++) {
    const name = `${sts.metadata.name}-${i}`;
    const isPending = pending.includes(i);
    const spec = clone(tmpl.spec);
    spec.volumes = [...(spec.volumes || []),
      ...claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: `${c.metadata.name}-${name}` } }))];
    spec.hostname = name;
    spec.subdomain = sts.spec.serviceName;
    if (!isPending) spec.nodeName = NODES[i % NODES.length];
    pods.push({
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name, namespace: ns,
        labels: { ...tmpl.metadata.labels, 'apps.kubernetes.io/pod-index': String(i),
          'controller-revision-hash': `${sts.metadata.name}-5d8f7c9b6`, 'statefulset.kubernetes.io/pod-name': name },
        annotations: tmpl.metadata.annotations,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts.metadata.name, controller: true, uid: 'sts-uid' }],
      },
      spec,
      status: isPending ? {
        phase: 'Pending', qosClass: 'Burstable',
        conditions: [cond('PodScheduled', 'False', { reason: 'Unschedulable',
          message: '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.' })],
      } : {
        phase: 'Running', qosClass: 'Burstable', startTime: '@NOW-3d@', podIP: `10.244.${i}.12`,
        conditions: [cond('PodReadyToStartContainers', 'True'), cond('Initialized', 'True'), cond('Ready', 'True'),
          cond('ContainersReady', 'True'), cond('PodScheduled', 'True')],
        containerStatuses: spec.containers.map((c) => running(c.name, true, c.name === 'sync' ? 1 : 0)),
      },
    });
    for (const c of claims) {
      const pvc = {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim',
        metadata: { name: `${c.metadata.name}-${name}`, namespace: ns, labels: { ...sts.spec.selector.matchLabels } },
        spec: { ...clone(c.spec), storageClassName: 'standard', volumeMode: 'Filesystem' },
        status: { phase: 'Pending' },
      };
      if (!isPending) {
        pvc.spec.volumeName = `pvc-${i}0c1d2e3-registry`;
        pvc.status = { phase: 'Bound', accessModes: c.spec.accessModes, capacity: { storage: c.spec.resources.requests.storage } };
      }
      pvcs.push(pvc);
    }
  }
  const ready = n - pending.length;
  sts.status = { observedGeneration: 1, replicas: n, readyReplicas: ready, currentReplicas: n, updatedReplicas: n,
    availableReplicas: ready, currentRevision: `${sts.metadata.name}-5d8f7c9b6`, updateRevision: `${sts.metadata.name}-5d8f7c9b6` };
  const logs = {};
  const writer = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'registry-sync');
  const images = [...(writer?.data?.['writer.yml'] || '').matchAll(/source: (\S+)/g)].map((m) => m[1]);
  pods.forEach((p, i) => {
    if (pending.includes(i)) return;
    const conf = i === 0 ? 'writer.yml' : 'replica.yml';
    const lines = [`registry-addon: ordinal ${i}: regsync server -c /etc/regsync/${conf}`];
    if (i === 0) {
      for (const img of images) {
        lines.push(`time=2026-12-01T08:00:0${lines.length}.000Z level=INFO msg="Image sync needed" source=${img} target=127.0.0.1:5010/${img}`);
      }
    } else {
      lines.push('time=2026-12-01T08:00:05.000Z level=DEBUG msg="Image matches" source=registry-0.registry-headless:5000/docker.io/library/nginx:1.27');
    }
    logs[`${ns}/${p.metadata.name}/sync`] = lines.join('\n') + '\n';
  });
  return { objects: [sts, ...pods, ...pvcs], logs };
}

// ---------------------------------------------------------------- the node DaemonSet
function nodeTrust(objs, { notReady = {} } = {}) {
  const ds = find(objs, 'DaemonSet', 'registry-node-trust');
  const ns = ds.metadata.namespace;
  const tmpl = ds.spec.template;
  const pods = [], logs = {};
  NODES.forEach((node, i) => {
    const name = `${ds.metadata.name}-${POD_SUFFIX[i]}`;
    const why = notReady[node];
    const spec = { ...clone(tmpl.spec), nodeName: node };
    pods.push({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: ns, labels: { ...tmpl.metadata.labels, 'controller-revision-hash': '6c9d8b7f5', 'pod-template-generation': '1' },
        annotations: tmpl.metadata.annotations,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, controller: true, uid: 'ds-uid' }] },
      spec,
      status: {
        phase: 'Running', startTime: '@NOW-3d@', hostIP: `192.168.0.${11 + i}`,
        conditions: [cond('Initialized', 'True'), cond('Ready', why ? 'False' : 'True'),
          cond('ContainersReady', why ? 'False' : 'True'), cond('PodScheduled', 'True')],
        containerStatuses: spec.containers.map((c) => running(c.name, !why)),
      },
    });
    const lines = ['registry-addon: registry mirror at https://10.96.0.20 answers; mirrors on',
      'registry-addon: wrote /etc/containerd/certs.d/10.96.0.20/ca.crt',
      'registry-addon: wrote /etc/containerd/certs.d/10.96.0.20/hosts.toml',
      'registry-addon: wrote /etc/containerd/certs.d/docker.io/hosts.toml'];
    if (why) lines.push('registry-addon: state: ready (containerd: tables)', `registry-addon: state: not ready: ${why}`);
    else lines.push('registry-addon: state: ready (containerd: tables)');
    logs[`${ns}/${name}/${spec.containers[0].name}`] = lines.join('\n') + '\n';
  });
  const ready = NODES.length - Object.keys(notReady).length;
  ds.status = { currentNumberScheduled: 3, desiredNumberScheduled: 3, numberAvailable: ready, numberMisscheduled: 0,
    numberReady: ready, numberUnavailable: 3 - ready, observedGeneration: 1, updatedNumberScheduled: 3 };
  return { objects: [ds, ...pods], logs };
}

// ---------------------------------------------------------------- certificates
function certificates(objs, notAfter = {}) {
  return objs.filter((o) => o.kind === 'Certificate').map((c) => {
    const na = notAfter[c.metadata.name] || (c.spec.isCA ? '@NOW+3600d@' : '@NOW+700d@');
    const expired = na.includes('-');
    c = clone(c);
    c.status = {
      notBefore: '@NOW-30d@', notAfter: na, renewalTime: '@NOW-20d@', revision: 1,
      conditions: [cond('Ready', expired ? 'False' : 'True', expired
        ? { reason: 'Expired', message: `Certificate expired on ${na}` }
        : { reason: 'Ready', message: 'Certificate is up to date and has not expired' })],
    };
    return c;
  });
}

// the Secret of tls.mode generate, its notAfter annotations replaced by tokens
function tlsSecret(objs, ca, server) {
  const s = find(objs, 'Secret', 'registry-tls');
  const a = s.metadata.annotations;
  if (!('registry-addon.dev/not-after' in a) || !('registry-addon.dev/ca-not-after' in a)) {
    throw new Error('the generated Secret registry-tls has no notAfter annotations');
  }
  a['registry-addon.dev/ca-not-after'] = ca;
  a['registry-addon.dev/not-after'] = server;
  return s;
}

// ---------------------------------------------------------------- the scenarios
function scenario(name, parts, server = {}) {
  const d = path.join(out, name);
  fs.mkdirSync(d, { recursive: true });
  const objects = parts.flatMap((p) => p.objects || p);
  const logs = Object.assign({}, ...parts.map((p) => p.logs || {}));
  fs.writeFileSync(path.join(d, 'objects.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 1) + '\n');
  fs.writeFileSync(path.join(d, 'logs.json'), JSON.stringify(logs, null, 1) + '\n');
  fs.writeFileSync(path.join(d, 'server.json'), JSON.stringify(server) + '\n');
}

const cm = certManagerOut;
scenario('healthy', [registry(cm), nodeTrust(cm), certificates(cm)], { certManager: true });
scenario('node-not-ready', [registry(cm), nodeTrust(cm, { notReady: { 'node-c': 'containerd has no config_path in /etc/containerd/config.toml' } }),
  certificates(cm)], { certManager: true });
scenario('registry-pending', [registry(cm, { pending: [1] }), nodeTrust(cm), certificates(cm)], { certManager: true });
scenario('certs-expiring', [registry(cm), nodeTrust(cm),
  certificates(cm, { 'registry-tls': '@NOW+10d@', 'registry-addon-root-ca': '@NOW-2d@' })], { certManager: true });
scenario('tls-generate', [registry(generateOut), nodeTrust(generateOut),
  [tlsSecret(generateOut, '@NOW+3650d@', '@NOW+700d@')]], { certManager: false });
