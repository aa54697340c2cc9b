// tests/apiserver/serve.mjs - a Kubernetes API server stand-in for kubectl, enough for
// `kubectl registry-addon status` (tests/status.sh). Serves, read-only, the objects recorded in
// DIR/*.json (a single object, a List, or an array of objects) and the pod logs of DIR/logs.json
// ({"NAMESPACE/POD/CONTAINER": "text"}). No npm dependencies.
//
// usage: node tests/apiserver/serve.mjs DIR [--log FILE]
// Listens on 127.0.0.1, a free port, and prints "http://127.0.0.1:PORT" once it listens.
//
// What it answers (what kubectl 1.32 asks, `kubectl -v=8`):
//   /version, /api, /apis (legacy discovery: kubectl falls back to it from the aggregated one),
//   /api/v1, /apis/apps/v1, /apis/cert-manager.io/v1 (the group only when DIR holds a
//   cert-manager object or DIR/server.json says {"certManager": true}),
//   GET of lists (namespaced, and across namespaces for -A) and of single objects, with
//   labelSelector (k=v, k==v, k!=v, k, !k, comma-separated), and
//   /api/v1/namespaces/NS/pods/NAME/log?container=C&tailLines=N.
// Strings "@NOW@", "@NOW+10d@", "@NOW-2h@" (units d, h, m, s) in the recorded objects become that
// time in RFC 3339 (UTC, whole seconds), so recorded expiry dates stay relative to today.
// Every request is appended to --log FILE as "METHOD PATH?QUERY".
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const args = process.argv.slice(2);
const dir = args[0];
const logIdx = args.indexOf('--log');
const reqLog = logIdx > 0 ? args[logIdx + 1] : null;
if (!dir || !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
  console.error('usage: node serve.mjs DIR [--log FILE]');
  process.exit(2);
}

// ---------------------------------------------------------------- the recorded objects
const NOW = Math.floor(Date.now() / 1000);
const UNIT = { d: 86400, h: 3600, m: 60, s: 1 };
function rfc3339(t) { return new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'); }
function times(v) {
  if (typeof v === 'string') {
    return v.replace(/@NOW(?:([+-])(\d+)([dhms]))?@/g, (_, sign, n, u) =>
      rfc3339(NOW + (sign ? (sign === '-' ? -1 : 1) * Number(n) * UNIT[u] : 0)));
  }
  if (Array.isArray(v)) return v.map(times);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, times(x)]));
  return v;
}

const objects = [];
let logs = {};
let server = {};
for (const f of fs.readdirSync(dir).sort()) {
  if (!f.endsWith('.json')) continue;
  const data = times(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  if (f === 'logs.json') { logs = data; continue; }
  if (f === 'server.json') { server = data; continue; }
  const list = Array.isArray(data) ? data : data.kind && data.kind.endsWith('List') && data.items ? data.items : [data];
  for (const o of list) objects.push(o);
}

// ---------------------------------------------------------------- the API's shape
// resource name -> [kind, namespaced, apiVersion]
const RESOURCES = {
  v1: {
    namespaces: ['Namespace', false], nodes: ['Node', false], pods: ['Pod', true],
    'pods/log': ['Pod', true], persistentvolumeclaims: ['PersistentVolumeClaim', true],
    secrets: ['Secret', true], configmaps: ['ConfigMap', true], services: ['Service', true],
    serviceaccounts: ['ServiceAccount', true], events: ['Event', true],
  },
  'apps/v1': {
    statefulsets: ['StatefulSet', true], daemonsets: ['DaemonSet', true], deployments: ['Deployment', true],
  },
  'cert-manager.io/v1': {
    certificates: ['Certificate', true], issuers: ['Issuer', true], clusterissuers: ['ClusterIssuer', false],
  },
};
const SHORT = { persistentvolumeclaims: ['pvc'], statefulsets: ['sts'], daemonsets: ['ds'], namespaces: ['ns'],
  certificates: ['cert', 'certs'], pods: ['po'], services: ['svc'], configmaps: ['cm'] };
const certManager = server.certManager ?? objects.some((o) => (o.apiVersion || '').startsWith('cert-manager.io/'));
const groups = Object.keys(RESOURCES).filter((gv) => gv !== 'v1' && (gv !== 'cert-manager.io/v1' || certManager));

function resourceList(gv) {
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv,
    resources: Object.entries(RESOURCES[gv]).map(([name, [kind, namespaced]]) => ({
      name, singularName: name.includes('/') ? '' : kind.toLowerCase(), namespaced, kind,
      verbs: name.includes('/') ? ['get'] : ['get', 'list', 'watch'],
      ...(SHORT[name] ? { shortNames: SHORT[name] } : {}),
    })),
  };
}

function groupList() {
  return {
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: groups.map((gv) => {
      const [name, version] = gv.split('/');
      const v = { groupVersion: gv, version };
      return { name, versions: [v], preferredVersion: v };
    }),
  };
}

// ---------------------------------------------------------------- selectors
function selector(text) {
  const tests = [];
  for (const part of (text || '').split(',').map((s) => s.trim()).filter(Boolean)) {
    let m;
    if ((m = part.match(/^([^!=]+)!=(.*)$/))) tests.push((l) => l[m[1].trim()] !== m[2].trim());
    else if ((m = part.match(/^([^!=]+)==?(.*)$/))) tests.push((l) => l[m[1].trim()] === m[2].trim());
    else if ((m = part.match(/^!(.+)$/))) tests.push((l) => !(m[1].trim() in l));
    else tests.push((l) => part in l);
  }
  return (o) => tests.every((t) => t(o.metadata?.labels || {}));
}

// ---------------------------------------------------------------- answers
function send(res, code, body, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
function status(res, code, reason, message) {
  send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

function podLog(res, ns, name, q) {
  const pod = objects.find((o) => o.kind === 'Pod' && o.metadata.namespace === ns && o.metadata.name === name);
  if (!pod) return status(res, 404, 'NotFound', `pods "${name}" not found`);
  const containers = (pod.spec?.containers || []).map((c) => c.name);
  const c = q.get('container') || (containers.length === 1 ? containers[0] : '');
  if (!c) {
    return status(res, 400, 'BadRequest',
      `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  }
  if (!containers.includes(c)) return status(res, 400, 'BadRequest', `container ${c} is not valid for pod ${name}`);
  const text = logs[`${ns}/${name}/${c}`];
  if (text === undefined) {
    const st = (pod.status?.containerStatuses || []).find((s) => s.name === c);
    const why = st?.state?.waiting?.reason || 'ContainerCreating';
    return status(res, 400, 'BadRequest', `container "${c}" in pod "${name}" is waiting to start: ${why}`);
  }
  let lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const tail = q.get('tailLines');
  if (tail !== null && Number(tail) >= 0) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
  send(res, 200, lines.map((l) => l + '\n').join(''), 'text/plain');
}

function objectsOf(gv, resource, ns, name, q, res) {
  const [kind, namespaced] = RESOURCES[gv]?.[resource] || [];
  if (!kind || (gv === 'cert-manager.io/v1' && !certManager)) {
    return send(res, 404, '404 page not found\n', 'text/plain');
  }
  if (ns && !namespaced) return send(res, 404, '404 page not found\n', 'text/plain');
  const all = objects.filter((o) => o.kind === kind && (o.apiVersion || 'v1') === gv &&
    (!ns || o.metadata.namespace === ns));
  const group = gv.includes('/') ? gv.split('/')[0] : '';
  if (name) {
    const o = all.find((x) => x.metadata.name === name);
    if (!o) {
      return status(res, 404, 'NotFound', `${resource}${group ? '.' + group : ''} "${name}" not found`);
    }
    return send(res, 200, o);
  }
  const match = selector(q.get('labelSelector'));
  const fieldSel = q.get('fieldSelector');
  let items = all.filter(match);
  if (fieldSel) {
    for (const part of fieldSel.split(',')) {
      const [f, v] = part.split('=');
      if (f === 'metadata.name') items = items.filter((o) => o.metadata.name === v);
      else if (f === 'metadata.namespace') items = items.filter((o) => o.metadata.namespace === v);
      else return status(res, 400, 'BadRequest', `field label not supported: ${f}`);
    }
  }
  send(res, 200, { kind: `${kind}List`, apiVersion: gv, metadata: { resourceVersion: '1' }, items });
}

const srv = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (reqLog) fs.appendFileSync(reqLog, `${req.method} ${url.pathname}${url.search}\n`);
  if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', 'read-only stand-in');
  const p = url.pathname.replace(/\/+$/, '');
  const q = url.searchParams;
  let m;
  if (p === '/version') {
    return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0-standin', platform: 'linux/amd64' });
  }
  if (p === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
  if (p === '/apis') return send(res, 200, groupList());
  if (p === '/api/v1') return send(res, 200, resourceList('v1'));
  if ((m = p.match(/^\/apis\/([^/]+)\/([^/]+)$/))) {
    const gv = `${m[1]}/${m[2]}`;
    return groups.includes(gv) ? send(res, 200, resourceList(gv)) : send(res, 404, '404 page not found\n', 'text/plain');
  }
  if ((m = p.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/))) return podLog(res, m[1], m[2], q);
  if ((m = p.match(/^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/))) return objectsOf('v1', m[2], m[1], m[3], q, res);
  if ((m = p.match(/^\/api\/v1\/([^/]+)(?:\/([^/]+))?$/))) return objectsOf('v1', m[1], null, m[2], q, res);
  if ((m = p.match(/^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/))) {
    return objectsOf(`${m[1]}/${m[2]}`, m[4], m[3], m[5], q, res);
  }
  if ((m = p.match(/^\/apis\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/))) {
    return objectsOf(`${m[1]}/${m[2]}`, m[3], null, m[4], q, res);
  }
  send(res, 404, '404 page not found\n', 'text/plain');
});
srv.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${srv.address().port}`));
process.on('SIGTERM', () => srv.close(() => process.exit(0)));
