// tests/apiserver/serve.mjs - a Kubernetes API server stand-in for kubectl, enough for
// `kubectl registry-addon status` (tests/status.sh) and, with --write, for the Day two steps of
// README.md (tests/manual.sh: kubectl apply, delete, rollout status). Serves the objects recorded
// in DIR/*.json (a single object, a List, or an array of objects) and the pod logs of
// DIR/logs.json ({"NAMESPACE/POD/CONTAINER": "text"}). No npm dependencies.
//
// usage: node tests/apiserver/serve.mjs DIR [--log FILE] [--write]
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
//
// Read-only (the default), anything but GET is refused (405). With --write the objects live in
// memory and can be changed (what kubectl 1.32 sends, `kubectl -v=8`):
//   POST to a list (create; 409 when it exists, 404 when its namespace does not),
//   PATCH of an object: application/strategic-merge-patch+json (built-in kinds only, as a real
//     server: 415 for cert-manager's), application/merge-patch+json (RFC 7386), and
//     application/apply-patch+yaml only with dryRun=All (what `kubectl diff` sends; the applied
//     object merge-patched onto the live one, or created, and answered, never stored: unlike
//     server-side apply, fields the applied object drops stay, and lists are replaced whole),
//   DELETE of an object (a Namespace is Terminating for 1 s, then goes with all its objects; while
//     it terminates its objects can be deleted and none created, as in a cluster),
//   DELETE of a list (deletecollection, with labelSelector),
//   GET /standin/objects: every object held, one JSON array (for the tests' checks).
// Simplified: the strategic merge knows the list merge keys by field name (containers, env,
// volumes... by name, volumeMounts by mountPath, ports by containerPort or port, see MERGE_KEYS)
// and the directives $patch (replace, delete, merge), $setElementOrder/, $retainKeys and
// $deleteFromPrimitiveList/; every other list is replaced. No admission, defaulting, validation
// beyond kind and namespace, or garbage collection but a namespace's. Written objects get a uid,
// a resourceVersion, creationTimestamp and a generation that grows when anything but metadata and
// status changes; a DaemonSet's status says it is rolled out on one node (observedGeneration =
// generation, desired = updated = ready = available = 1), a StatefulSet's that its replicas are
// ready and updated. The one default filled in is a StatefulSet's spec.updateStrategy
// (RollingUpdate, partition 0), which `kubectl rollout status` needs. Certificates of cert-manager.io are issued at once: their spec.secretName Secret appears
// (type kubernetes.io/tls, no labels) and stays when the Certificate is deleted, as cert-manager's.
// A watch (watch=true, by name or label selector) gets the ADDED, MODIFIED and DELETED events after
// its resourceVersion until its timeoutSeconds (60 s at most); the events of the objects read
// from DIR are not there. PUT, a json-patch, a protobuf body or any other request it does not
// know gets a 4xx/5xx and a line "unsupported: ..." on stderr, so a test can fail on it.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const args = process.argv.slice(2);
const dir = args[0];
const logIdx = args.indexOf('--log');
const reqLog = logIdx > 0 ? args[logIdx + 1] : null;
const write = args.includes('--write');
const TERMINATE = 1000; // ms a deleted namespace stays Terminating
if (!dir || !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
  console.error('usage: node serve.mjs DIR [--log FILE] [--write]');
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
    serviceaccounts: ['ServiceAccount', true], events: ['Event', true], resourcequotas: ['ResourceQuota', true],
  },
  'apps/v1': {
    statefulsets: ['StatefulSet', true], daemonsets: ['DaemonSet', true], deployments: ['Deployment', true],
  },
  'networking.k8s.io/v1': { networkpolicies: ['NetworkPolicy', true] },
  'policy/v1': { poddisruptionbudgets: ['PodDisruptionBudget', true] },
  'cert-manager.io/v1': {
    certificates: ['Certificate', true], issuers: ['Issuer', true], clusterissuers: ['ClusterIssuer', false],
  },
};
const SHORT = { persistentvolumeclaims: ['pvc'], statefulsets: ['sts'], daemonsets: ['ds'], namespaces: ['ns'],
  certificates: ['cert', 'certs'], pods: ['po'], services: ['svc'], configmaps: ['cm'],
  resourcequotas: ['quota'], networkpolicies: ['netpol'], poddisruptionbudgets: ['pdb'] };
const CUSTOM = new Set(['cert-manager.io/v1']); // merge-patch only, as a CRD's resources
const certManager = server.certManager ?? objects.some((o) => (o.apiVersion || '').startsWith('cert-manager.io/'));
const groups = Object.keys(RESOURCES).filter((gv) => gv !== 'v1' && (gv !== 'cert-manager.io/v1' || certManager));

function resourceList(gv) {
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv,
    resources: Object.entries(RESOURCES[gv]).map(([name, [kind, namespaced]]) => ({
      name, singularName: name.includes('/') ? '' : kind.toLowerCase(), namespaced, kind,
      verbs: name.includes('/') ? ['get']
        : write ? ['create', 'delete', 'deletecollection', 'get', 'list', 'patch'] : ['get', 'list', 'watch'],
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

// OpenAPI v3, with --write only: per group-version, a PATCH operation for each kind that takes
// fieldValidation (kubectl 1.32 then leaves the validation to the server: this one does none) and
// states no request body types (kubectl then computes its patch from its own types: strategic
// merge for built-in kinds, merge-patch for cert-manager's)
function gvPath(gv) { return gv === 'v1' ? 'api/v1' : `apis/${gv}`; }
function openapiRoot() {
  return { paths: Object.fromEntries(['v1', ...groups].map((gv) =>
    [gvPath(gv), { serverRelativeURL: `/openapi/v3/${gvPath(gv)}?hash=standin` }])) };
}
function openapiDoc(gv) {
  const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
  const paths = {};
  for (const [name, [kind, namespaced]] of Object.entries(RESOURCES[gv])) {
    if (name.includes('/')) continue;
    const at = `/${gvPath(gv)}/${namespaced ? 'namespaces/{namespace}/' : ''}${name}/{name}`;
    paths[at] = { patch: {
      operationId: `patch${kind}`,
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group, version, kind },
      parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
      responses: { 200: { description: 'OK' } },
    } };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0-standin' }, paths, components: {} };
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

// ---------------------------------------------------------------- writing (--write)
function unsupported(res, code, reason, message) {
  console.error(`unsupported: ${message}`);
  return status(res, code, reason, message);
}
// every change, as the watch event it makes, in resourceVersion order (a watch from a
// resourceVersion gets the later ones first, as from a server's watch cache)
const watchers = new Set();
const history = [];
function notify(type, o) {
  const rv = Number(o.metadata.resourceVersion);
  history.push({ rv, type, o: structuredClone(o) });
  for (const w of watchers) w(type, o);
}
function remove(o) {
  const i = objects.indexOf(o);
  if (i < 0) return;
  objects.splice(i, 1);
  const gone = structuredClone(o);
  gone.metadata.resourceVersion = String(++version);
  notify('DELETED', gone);
}
function isNamespace(o) { return o.kind === 'Namespace' && (o.apiVersion || 'v1') === 'v1'; }
let version = 1;
function stamp(o, old) {
  const m = o.metadata;
  m.resourceVersion = String(++version);
  m.uid = old?.metadata?.uid || `00000000-0000-4000-8000-${String(version).padStart(12, '0')}`;
  m.creationTimestamp = old?.metadata?.creationTimestamp || rfc3339(Math.floor(Date.now() / 1000));
  const spec = (x) => JSON.stringify(Object.fromEntries(Object.entries(x || {})
    .filter(([k]) => !['metadata', 'status', 'apiVersion', 'kind'].includes(k))));
  m.generation = !old ? 1 : spec(old) === spec(o) ? old.metadata.generation || 1 : (old.metadata.generation || 1) + 1;
  if (isNamespace(o)) o.status = { phase: 'Active' };
  if (o.kind === 'DaemonSet') {
    o.status = { currentNumberScheduled: 1, desiredNumberScheduled: 1, numberAvailable: 1, numberMisscheduled: 0,
      numberReady: 1, updatedNumberScheduled: 1, observedGeneration: m.generation };
  }
  if (o.kind === 'StatefulSet') {
    // the one default applied (a server's: kubectl rollout status needs it)
    o.spec.updateStrategy ||= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    const n = o.spec?.replicas ?? 1;
    o.status = { replicas: n, readyReplicas: n, currentReplicas: n, updatedReplicas: n, availableReplicas: n,
      observedGeneration: m.generation, currentRevision: `${m.name}-${m.generation}`,
      updateRevision: `${m.name}-${m.generation}` };
  }
  return o;
}
// cert-manager's part: a Certificate's Secret appears when the Certificate does
function issue(o) {
  if (o.kind !== 'Certificate' || !o.spec?.secretName) return;
  const ns = o.metadata.namespace;
  if (objects.some((x) => x.kind === 'Secret' && x.metadata.namespace === ns && x.metadata.name === o.spec.secretName)) return;
  const secret = stamp({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls',
    metadata: { name: o.spec.secretName, namespace: ns, annotations: { 'cert-manager.io/certificate-name': o.metadata.name } },
    data: { 'tls.crt': '', 'tls.key': '', 'ca.crt': '' } });
  objects.push(secret);
  notify('ADDED', secret);
}

// as a server's dry run: what the object would be, its status and resourceVersion unchanged
function dryRun(next, live) {
  next.metadata.resourceVersion = live.metadata.resourceVersion;
  if (live.status) next.status = live.status; else delete next.status;
  return next;
}

// RFC 7386
function mergePatch(target, patch) {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// strategic merge: the list merge keys of the built-in kinds our output holds, by field name
const MERGE_KEYS = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', imagePullSecrets: 'name',
  env: 'name', volumes: 'name', volumeMounts: 'mountPath', volumeDevices: 'devicePath', hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey', ownerReferences: 'uid', conditions: 'type',
  ports: (items) => (items.some((i) => i && 'containerPort' in i) ? 'containerPort' : 'port'),
};
const PRIMITIVE_MERGE = new Set(['finalizers']);
function keyOf(field, items) {
  const k = MERGE_KEYS[field];
  return typeof k === 'function' ? k(items) : k;
}
function strategic(target, patch) {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  if (patch.$patch === 'replace') { const { $patch, ...rest } = patch; return rest; }
  if (patch.$patch === 'delete') return undefined;
  let out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  if (Array.isArray(patch.$retainKeys)) {
    out = Object.fromEntries(Object.entries(out).filter(([k]) => patch.$retainKeys.includes(k)));
  }
  const order = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) { order[k.slice(17)] = v; continue; }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice(25);
      if (Array.isArray(out[f])) out[f] = out[f].filter((x) => !v.includes(x));
      continue;
    }
    if (k.startsWith('$')) throw new Error(`strategic merge directive ${k} is not supported`);
    if (v === null) { delete out[k]; continue; }
    if (Array.isArray(v)) {
      const key = keyOf(k, v);
      if (key && Array.isArray(out[k])) out[k] = mergeList(out[k], v, key);
      else if (PRIMITIVE_MERGE.has(k) && Array.isArray(out[k])) out[k] = [...new Set([...out[k], ...v])];
      else out[k] = key ? mergeList([], v, key) : v;
      continue;
    }
    const r = strategic(out[k], v);
    if (r === undefined) delete out[k]; else out[k] = r;
  }
  for (const [f, want] of Object.entries(order)) {
    const key = keyOf(f, want);
    if (!Array.isArray(out[f])) continue;
    const rank = (x) => {
      const i = want.findIndex((w) => (key ? w[key] === x[key] : w === x));
      return i < 0 ? want.length : i;
    };
    out[f] = [...out[f]].sort((a, b) => rank(a) - rank(b));
  }
  return out;
}
function mergeList(live, patch, key) {
  let out = live.map((x) => x);
  if (patch.some((p) => p && p.$patch === 'replace')) return patch.filter((p) => p.$patch !== 'replace');
  for (const p of patch) {
    const i = out.findIndex((x) => x && x[key] === p[key]);
    if (p && p.$patch === 'delete') { if (i >= 0) out.splice(i, 1); continue; }
    if (i >= 0) out[i] = strategic(out[i], p);
    else out.push(strategic({}, p));
  }
  return out;
}

function body(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function objectsOf(gv, resource, ns, name, q, res, req, text) {
  const [kind, namespaced] = RESOURCES[gv]?.[resource] || [];
  const method = req?.method || 'GET';
  if (!kind || (gv === 'cert-manager.io/v1' && !certManager)) {
    if (write) console.error(`unsupported: ${method} of resource ${gv} ${resource}`);
    return send(res, 404, '404 page not found\n', 'text/plain');
  }
  if (ns && !namespaced) return send(res, 404, '404 page not found\n', 'text/plain');
  const all = objects.filter((o) => o.kind === kind && (o.apiVersion || 'v1') === gv &&
    (!ns || o.metadata.namespace === ns));
  const group = gv.includes('/') ? gv.split('/')[0] : '';
  const gr = `${resource}${group ? '.' + group : ''}`;
  const notFound = () => status(res, 404, 'NotFound', `${gr} "${name}" not found`);
  const dry = q.getAll('dryRun').includes('All');
  if (method !== 'GET' && !write) return status(res, 405, 'MethodNotAllowed', 'read-only stand-in');
  if (method === 'GET' && write && q.get('watch') && q.get('watch') !== 'false') {
    // the events after its resourceVersion, then the new ones
    const fieldSel = q.get('fieldSelector') || '';
    const byName = fieldSel.match(/^metadata\.name=([^,]+)$/);
    if (fieldSel && !byName) return unsupported(res, 400, 'BadRequest', `watch with fieldSelector ${fieldSel}`);
    const match = selector(q.get('labelSelector'));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const w = (type, o) => {
      if (o.kind !== kind || (o.apiVersion || 'v1') !== gv || (ns && o.metadata.namespace !== ns)) return;
      if ((byName && o.metadata.name !== byName[1]) || !match(o)) return;
      res.write(JSON.stringify({ type, object: o }) + '\n');
    };
    const from = Number(q.get('resourceVersion')) || 0;
    if (from > 0) for (const e of history) if (e.rv > from) w(e.type, e.o);
    watchers.add(w);
    const t = setTimeout(() => res.end(), Math.min(Number(q.get('timeoutSeconds')) || 60, 60) * 1000);
    res.on('close', () => { clearTimeout(t); watchers.delete(w); });
    return;
  }
  let obj;
  if (text !== undefined && text !== '') {
    try { obj = JSON.parse(text); } catch {
      return unsupported(res, 415, 'UnsupportedMediaType',
        `${method} ${req.url}: the body (${req.headers['content-type']}) is not JSON`);
    }
  }
  const ctype = (req?.headers['content-type'] || '').split(';')[0].trim();
  const nsMissing = (n) => namespaced && !objects.some((o) => isNamespace(o) && o.metadata.name === n);
  const create = (o, where) => {
    o.metadata ||= {};
    if (namespaced) o.metadata.namespace ||= where;
    else delete o.metadata.namespace;
    if ((o.apiVersion || 'v1') !== gv || o.kind !== kind) {
      return unsupported(res, 400, 'BadRequest', `${o.apiVersion} ${o.kind} sent to ${gv} ${resource}`);
    }
    if (namespaced && o.metadata.namespace !== where) {
      return status(res, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    if (nsMissing(where)) return status(res, 404, 'NotFound', `namespaces "${where}" not found`);
    if (namespaced && objects.some((x) => isNamespace(x) && x.metadata.name === where && x.metadata.deletionTimestamp)) {
      return status(res, 403, 'Forbidden',
        `${gr} "${o.metadata.name}" is forbidden: unable to create new content in namespace ${where} because it is being terminated`);
    }
    if (all.some((x) => x.metadata.name === o.metadata.name)) {
      return status(res, 409, 'AlreadyExists', `${gr} "${o.metadata.name}" already exists`);
    }
    stamp(o);
    if (!dry) { objects.push(o); notify('ADDED', o); issue(o); }
    return send(res, 201, o);
  };

  if (method === 'POST' && !name) {
    if (!obj) return unsupported(res, 400, 'BadRequest', `POST ${req.url} without a body`);
    return create(obj, ns);
  }
  if (method === 'GET' && name) {
    const o = all.find((x) => x.metadata.name === name);
    return o ? send(res, 200, o) : notFound();
  }
  if (method === 'PATCH' && name) {
    const o = all.find((x) => x.metadata.name === name);
    if (ctype === 'application/apply-patch+yaml') {
      if (!dry) return unsupported(res, 415, 'UnsupportedMediaType', `server-side apply is only served with dryRun=All: PATCH ${req.url}`);
      if (!obj) return unsupported(res, 400, 'BadRequest', `PATCH ${req.url} without a body`);
      if (!o) return create(obj, ns);
      return send(res, 200, dryRun(stamp(mergePatch(structuredClone(o), obj), o), o));
    }
    if (!o) return notFound();
    if (!obj) return unsupported(res, 400, 'BadRequest', `PATCH ${req.url} without a body`);
    let next;
    try {
      if (ctype === 'application/merge-patch+json') next = mergePatch(structuredClone(o), obj);
      else if (ctype === 'application/strategic-merge-patch+json') {
        if (CUSTOM.has(gv)) {
          return status(res, 415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
        }
        next = strategic(structuredClone(o), obj);
      } else {
        return unsupported(res, 415, 'UnsupportedMediaType', `PATCH of type ${ctype} is not supported: ${req.url}`);
      }
    } catch (e) {
      return unsupported(res, 422, 'Invalid', `PATCH ${req.url}: ${e.message}`);
    }
    if (next.metadata?.name !== name || next.kind !== kind) {
      return unsupported(res, 400, 'BadRequest', `PATCH ${req.url} changes the name or kind`);
    }
    stamp(next, o);
    if (dry) dryRun(next, o);
    if (!dry) { objects[objects.indexOf(o)] = next; notify('MODIFIED', next); issue(next); }
    return send(res, 200, next);
  }
  if (method === 'DELETE') {
    const match = selector(q.get('labelSelector'));
    const gone = name ? all.filter((x) => x.metadata.name === name) : all.filter(match);
    if (name && !gone.length) return notFound();
    if (!dry) {
      for (const o of gone) {
        if (!isNamespace(o)) { remove(o); continue; }
        if (o.metadata.deletionTimestamp) continue;
        // Terminating for TERMINATE ms: its objects can still be deleted, none created; then it
        // goes with all its objects
        o.metadata.deletionTimestamp = rfc3339(Math.floor(Date.now() / 1000));
        o.status = { phase: 'Terminating' };
        o.metadata.resourceVersion = String(++version);
        notify('MODIFIED', o);
        setTimeout(() => {
          for (const x of objects.filter((y) => y.metadata.namespace === o.metadata.name)) remove(x);
          remove(o);
        }, TERMINATE);
      }
    }
    if (name) return send(res, 200, gone[0]);
    return send(res, 200, { kind: `${kind}List`, apiVersion: gv, metadata: { resourceVersion: String(version) }, items: gone });
  }
  if (method !== 'GET' || name) {
    return unsupported(res, 405, 'MethodNotAllowed', `${method} ${req.url} is not supported`);
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
  send(res, 200, { kind: `${kind}List`, apiVersion: gv, metadata: { resourceVersion: String(version) }, items });
}

const srv = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (reqLog) fs.appendFileSync(reqLog, `${req.method} ${url.pathname}${url.search}\n`);
  if (req.method !== 'GET' && !write) return status(res, 405, 'MethodNotAllowed', 'read-only stand-in');
  const text = req.method === 'GET' ? undefined : await body(req);
  const p = url.pathname.replace(/\/+$/, '');
  const q = url.searchParams;
  let m;
  if (req.method === 'GET') {
    if (p === '/version') {
      return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0-standin', platform: 'linux/amd64' });
    }
    if (p === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (p === '/apis') return send(res, 200, groupList());
    if (p === '/api/v1') return send(res, 200, resourceList('v1'));
    if (p === '/standin/objects') return send(res, 200, objects);
    if (write && p === '/openapi/v3') return send(res, 200, openapiRoot());
    if (write && (m = p.match(/^\/openapi\/v3\/(api\/v1|apis\/[^/]+\/[^/]+)$/))) {
      const gv = m[1] === 'api/v1' ? 'v1' : m[1].slice(5);
      if (gv === 'v1' || groups.includes(gv)) return send(res, 200, openapiDoc(gv));
    }
    if ((m = p.match(/^\/apis\/([^/]+)\/([^/]+)$/))) {
      const gv = `${m[1]}/${m[2]}`;
      return groups.includes(gv) ? send(res, 200, resourceList(gv)) : send(res, 404, '404 page not found\n', 'text/plain');
    }
    if ((m = p.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/))) return podLog(res, m[1], m[2], q);
  }
  if ((m = p.match(/^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/))) return objectsOf('v1', m[2], m[1], m[3], q, res, req, text);
  if ((m = p.match(/^\/api\/v1\/([^/]+)(?:\/([^/]+))?$/))) return objectsOf('v1', m[1], null, m[2], q, res, req, text);
  if ((m = p.match(/^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/))) {
    return objectsOf(`${m[1]}/${m[2]}`, m[4], m[3], m[5], q, res, req, text);
  }
  if ((m = p.match(/^\/apis\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/))) {
    return objectsOf(`${m[1]}/${m[2]}`, m[3], null, m[4], q, res, req, text);
  }
  if (write && p !== '/openapi/v2') console.error(`unsupported: ${req.method} ${req.url}`);
  send(res, 404, '404 page not found\n', 'text/plain');
});
srv.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${srv.address().port}`));
process.on('SIGTERM', () => { srv.close(() => process.exit(0)); srv.closeAllConnections(); });
