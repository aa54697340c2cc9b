// tests/apiserver/record.mjs - writes the scenarios that tests/status.sh serves with serve.mjs:
// the objects registry-addon really emits (run here on fixtures/example.yaml), plus what a
// cluster adds: the StatefulSet's pods and PVCs, the DaemonSet's pods on three nodes, status
// fields, cert-manager's Certificate status, and the containers' logs (in the words
// src/pod/sync.sh, regsync, src/pod/cache.sh, Distribution and src/node/node-trust.sh print). Times are "@NOW+Nd@" tokens
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
const cacheOffOut = render('--set', 'components=[registry,sync,certificates,nodeTrust,spread,localRegistryHosting]');
const generateOut = render('--set', 'tls.mode=generate', '--set', 'tls.caCertFile=fixtures/config/ca/rsa.crt',
  '--set', 'tls.caKeyFile=fixtures/config/ca/rsa.key', '--set', 'tls.notBefore=2026-12-01T00:00:00Z');

const NODES = ['node-a', 'node-b', 'node-c'];
const POD_SUFFIX = ['7xk2p', 'b9q4d', 'm3w8z'];
const running = (name, ready, restarts = 0) => ({
  name, ready, restartCount: restarts, started: true,
  state: { running: { startedAt: '@NOW-3d@' } }, image: '', imageID: '', containerID: `containerd://${name}`,
});
const crashLooping = (name, reason, exitCode, restarts) => ({
  name, ready: false, restartCount: restarts, started: false,
  state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 5m0s restarting failed container=${name}` } },
  lastState: { terminated: { reason, exitCode, startedAt: '@NOW-1d@', finishedAt: '@NOW-1d@', containerID: `containerd://${name}-${restarts}` } },
  image: '', imageID: '', containerID: `containerd://${name}-${restarts}`,
});
const cond = (type, st, extra = {}) => ({ type, status: st, lastTransitionTime: '@NOW-3d@', ...extra });

// ---------------------------------------------------------------- container cache
// Distribution's own lines (as 2.8.2 prints them in proxy mode: at start, per request, on SIGTERM,
// and the panic of an instance whose upstream cannot be reached), instance.id left out
const T = (s) => `time="2026-12-01T08:${s}Z"`;
const FIELDS = (cfg) => `go.version=go1.19.8 instance=${cfg} service=registry version=2.8.2+ds1`;
const dist = (s, cfg, level, msg) => `${T(s)} level=${level} msg="${msg}" ${FIELDS(cfg)}`;
function distStart(s, cfg, port, url) {
  return [dist(s, cfg, 'info', 'Starting upload purge in 15m0s'), dist(s, cfg, 'info', 'redis not configured'),
    dist(s, cfg, 'info', 'Starting cached object TTL expiration scheduler...'),
    dist(s, cfg, 'info', `Registry configured as a proxy cache to ${url}`),
    dist(s, cfg, 'warning', 'Registry does not implement RempositoryRemover. Will not be able to delete repos and tags'),
    dist(s, cfg, 'info', `listening on [::]:${port}, tls`)];
}
function distPull(s, cfg, node, uri) {
  return [`${T(s)} level=info msg="response completed" go.version=go1.19.8 http.request.host="10.96.0.21:5100" http.request.method=GET ` +
    `http.request.remoteaddr="${node}:41822" http.request.uri="${uri}" http.request.useragent="containerd/v1.7.24" ` +
    `http.response.contenttype="application/vnd.oci.image.index.v1+json" http.response.duration=412.5ms http.response.status=200 ` +
    `http.response.written=9218 ${FIELDS(cfg).replace(/^go.version=\S+ /, '')}`,
  `${node} - - [01/Dec/2026:08:${s.slice(0, 5)} +0000] "GET ${uri} HTTP/1.1" 200 9218 "" "containerd/v1.7.24"`];
}
function distPanic(s, cfg, url) {
  return [`panic: Get "${url}/v2/": dial tcp: lookup ${new URL(url).host}: i/o timeout`, '', 'goroutine 1 [running]:',
    'github.com/docker/distribution/registry/handlers.NewApp({0x11a4b98?, 0xc00050d4a0?}, 0xc000564380)',
    '\tgithub.com/docker/distribution/registry/handlers/app.go:324 +0x1c0d',
    'main.main()', '\tgithub.com/docker/distribution/cmd/registry/main.go:22 +0x25'];
}
// cacheLog(objs, events): the log of container cache: every instance of the registry-config
// ConfigMap's cache-<i>.yml started, a pull through the first, and events:
//   { ended: I }: instance I's upstream cannot be reached (Distribution panics at start; cache.sh
//   restarts it after a backoff), before the pull; { full: PERCENT }: the volume full, every
//   instance stopped (cache.sh's line, then Distribution's on SIGTERM)
const CACHE = 'registry-addon: cache: ';
function cacheLog(objs, { ended, full } = {}) {
  const cm = find(objs, 'ConfigMap', 'registry-config');
  const cfgs = Object.keys(cm.data).map((k) => k.match(/^cache-(\d+)\.yml$/)).filter(Boolean)
    .map((m) => ({ i: Number(m[1]), cfg: m[0], url: cm.data[m[0]].match(/remoteurl: (\S+)/)[1] }))
    .sort((a, b) => a.i - b.i);
  if (!cfgs.length) throw new Error('the generator emitted no cache-<i>.yml in ConfigMap registry-config');
  // an instance that cannot reach its upstream panics before it says it is a proxy
  const lines = cfgs.flatMap((c) => distStart(`00:01.${String(c.i).padStart(3, '0')}`, c.cfg, 5100 + c.i, c.url)
    .slice(0, c.i === ended ? 3 : undefined));
  if (ended !== undefined) {
    const c = cfgs.find((x) => x.i === ended);
    lines.push(...distPanic('00:01.900', c.cfg, c.url),
      `${CACHE}the cache of ${c.cfg} ended; nodes fall through to its upstream; starting it again in 30s`);
  }
  lines.push(...distPull('05:12.118', cfgs[0].cfg, '192.168.0.11', '/v2/library/busybox/manifests/1.37.0'));
  if (full !== undefined) {
    lines.push(`${CACHE}the volume is ${full}% full (at most 90%): every cache stopped; nodes pull from the upstreams, preloaded images still from the mirror`);
    lines.push(...cfgs.map((c) => dist('07:00.002', c.cfg, 'info', 'stopping server gracefully. Draining connections for 25s')));
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- the registry
// pending: ordinals Pending (their PVC unbound); cache: { ORDINAL: cacheLog()'s events };
// cacheOOM: ordinals whose container cache is in CrashLoopBackOff, last killed for memory
function registry(objs, { pending = [], cache = {}, cacheOOM = [] } = {}) {
  const sts = find(objs, 'StatefulSet', 'registry');
  const ns = sts.metadata.namespace;
  const n = sts.spec.replicas;
  const tmpl = sts.spec.template;
  const claims = sts.spec.volumeClaimTemplates || [];
  const pods = [], pvcs = [];
  for (let i = 0; i < n; i++) {
    const name = `${sts.metadata.name}-${i}`;
    const isPending = pending.includes(i);
    const oom = cacheOOM.includes(i);
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
        conditions: [cond('PodReadyToStartContainers', 'True'), cond('Initialized', 'True'),
          cond('Ready', oom ? 'False' : 'True', oom ? { reason: 'ContainersNotReady', message: 'containers with unready status: [cache]' } : {}),
          cond('ContainersReady', oom ? 'False' : 'True', oom ? { reason: 'ContainersNotReady', message: 'containers with unready status: [cache]' } : {}),
          cond('PodScheduled', 'True')],
        containerStatuses: spec.containers.map((c) => (c.name === 'cache' && oom ? crashLooping(c.name, 'OOMKilled', 137, 6)
          : running(c.name, true, c.name === 'sync' ? 1 : 0))),
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
  const ready = n - pending.length - cacheOOM.filter((i) => !pending.includes(i)).length;
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
    // kubelet serves the log of the last ended container of one in CrashLoopBackOff
    if (p.spec.containers.some((c) => c.name === 'cache')) logs[`${ns}/${p.metadata.name}/cache`] = cacheLog(objs, cache[i]);
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
// cache-full: registry-0's cache of quay.io ended (shown, not a problem), registry-1's volume full
scenario('cache-full', [registry(cm, { cache: { 0: { ended: 2 }, 1: { full: 93 } } }), nodeTrust(cm), certificates(cm)], { certManager: true });
scenario('cache-oom', [registry(cm, { cacheOOM: [1] }), nodeTrust(cm), certificates(cm)], { certManager: true });
scenario('cache-off', [registry(cacheOffOut), nodeTrust(cacheOffOut), certificates(cacheOffOut)], { certManager: true });
scenario('tls-generate', [registry(generateOut), nodeTrust(generateOut),
  [tlsSecret(generateOut, '@NOW+3650d@', '@NOW+700d@')]], { certManager: false });
