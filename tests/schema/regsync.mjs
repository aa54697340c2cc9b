#!/usr/bin/env node
// Validate the regsync configurations registry-addon generates.
//
// Usage: node tests/schema/regsync.mjs [--namespace NS] [--cluster-domain D]
//                                      [--platforms LIST] FILE... ('-' = stdin)
//
// Each FILE is registry-addon output: a YAML stream, or one ResourceList/List
// whose `items` are the objects. In it we look for *our* ConfigMap: kind
// ConfigMap, name `registry-sync`, annotation `registry-addon.dev/generated:
// "true"` (in any namespace, or only NS with --namespace). Its data keys must
// be exactly `writer.yml` (ordinal 0's regsync: the preload), `replica.yml`
// (every other ordinal's regsync), `tls-hosts` and `sync.sh` (the sync
// container's entrypoint). Both regsync configs are checked against regsync's
// configuration schema, as defined by regclient v0.11.5's code
// (cmd/regsync/config.go `Config`, `ConfigDefaults`, `ConfigSync`;
// config/host.go `Host`, `TLSConf.UnmarshalText`):
//
//   top level     version (the integer 1), creds, defaults, sync, and `x-*`
//                 keys (user extensions regsync ignores; only at top level)
//   defaults      backup, interval, schedule, ratelimit{min,retry}, parallel,
//                 digestTags, referrers, referrerFilters, referrerSource,
//                 referrerTarget, referrerSlow, fastCheck, forceRecursive,
//                 includeExternal, mediaTypes, hooks{pre,post,unchanged},
//                 blobLimit, cacheCount, cacheTime, skipDockerConfig, userAgent
//                 (no platform/platforms: those exist only per sync entry)
//   sync[]        source, target, type (registry|repository|image), tags,
//                 tagSets[], repos, platform, platforms[], ... (as defaults,
//                 minus the general options)
//   creds[]       regclient Host: registry, tls (enabled|insecure|disabled,
//                 any case), regcert, clientCert, clientKey, hostname, user,
//                 pass, token, credHelper, credExpire, credHost, pathPrefix,
//                 mirrors, priority, repoAuth, api, apiOpts, blobChunk,
//                 blobMax, reqPerSec, reqConcurrent, scheme
//
// regsync itself decodes leniently (unknown keys are silently dropped). Here
// every unknown key fails, because a dropped key is a setting that silently
// does nothing -- e.g. `fastCopy`, the key regclient's docs show, whereas the
// code reads `fastCheck`. Also failing:
//   - wrong scalar types: ints must be YAML ints (not floats or strings),
//     durations Go duration strings ("2m", "1h30m"), bools true/false;
//     nulls (a key with no value, which regsync reads as the zero value);
//   - a scalar read differently under YAML 1.1 and 1.2 (regsync's decoder
//     and Kubernetes' differ; e.g. `yes`, `0755`, `1:30`);
//   - duplicate keys (regsync allows them; generated config never should);
//   - more than one YAML document in a file (regsync reads the first);
//   - a sync list that is missing; an empty one in replica.yml (writer.yml's
//     is empty when nothing is preloaded: `regsync server` then idles);
//   - an entry with neither schedule nor interval, own or from defaults
//     (`regsync server` logs "No schedule or interval found, ignoring");
//   - source/target that are not references regclient can parse: `registry`
//     entries must be host[:port]; `repository` entries a repository without
//     tag or digest; `image` entries a reference (distribution's grammar);
//   - two image/repository entries writing the same target;
//   - allow/deny regexes that do not compile; a cron schedule that is not 5
//     fields or an @descriptor.
// And the write model (issue 12: only ordinal 0 fetches from upstreams, the
// other replicas copy one way from ordinal 0, nothing writes to a peer):
//   - writer.yml has only `type: image` entries, from upstreams (not
//     loopback, not the add-on's own Services or pods) into ordinal 0's
//     mirror writer: target = 127.0.0.1:5010/<source with its host made a
//     path component ([] dropped, ':' -> '-')>;
//   - replica.yml has exactly two entries, both `type: registry`:
//     registry-0.registry-headless.<ns>.svc.<domain>:5000 -> 127.0.0.1:5010
//     (the read-only mirror -> the local mirror writer) and ...:5443 ->
//     127.0.0.1:5002 (the read-only own images -> the local own copy); <ns>
//     is the ConfigMap's namespace, <domain> --cluster-domain or, without
//     it, the same valid DNS domain in both;
//   - no entry of either file targets anything but 127.0.0.1:5010 or
//     127.0.0.1:5002 (no peer, no Service, no upstream);
//   - creds: the loopback targets used have `tls: disabled` (the writers are
//     plain HTTP on loopback) and nothing else has `disabled` or `insecure`
//     (every other host is verified TLS);
//   - ratelimit.min (an entry's, else defaults') is at most 9 for every
//     docker.io image of writer.yml: Docker Hub gives anonymous clients 10
//     pulls an hour per address, and regsync waits while the source's
//     RateLimit-Remaining is below min (cmd/regsync/root.go processRef:
//     `for rlSrc.Remain < s.RateLimit.Min`), so a min above 10 never copies
//     and 10 copies only in an hour nobody else on the node's address has
//     pulled in (a multi-platform copy needs several). Only a warning when
//     the StatefulSet's `sync` container has upstream credentials
//     (DOCKER_CONFIG/DOCKER_AUTH_CONFIG: a larger allowance) or no source is
//     docker.io (regsync applies min only to a source that reports a rate
//     limit);
//   - platforms: every writer.yml image entry and replica.yml's mirror entry
//     carry the same `platforms` list (sync.platforms), or none does
//     (sync.platforms all); the list has no duplicates and is os/arch[/var];
//     with --platforms LIST (comma-separated, or `all`) it is exactly that;
//     replica.yml's own-images entry has no platform filter (own images are
//     copied whole); no entry uses `platform` (one platform, index dropped);
//   - the mirror writer (mirror-writer.yml of ConfigMap registry-config in
//     the same output, when there is one) accepts what that copy leaves:
//     with a platforms list, validation.manifests.indexes is `platforms:
//     list` with the same os/architecture pairs; without one, index
//     validation is absent or `all` (Distribution 3.x registry/handlers/
//     app.go);
//   - tls-hosts: one host:port a line, exactly the sources of replica.yml
//     whose creds are TLS (sync.sh writes the CA bundle for each).
// Warnings (`# warn` lines, no failure): ratelimit.retry below 5m (regsync
// raises it), both schedule and interval (schedule wins), deprecated creds
// fields, filters that the entry's type ignores.
//
// Output: `ok - regsync FILE (...)` or `not ok - regsync FILE: reason;
// reason`, a `# skip - regsync FILE: ...` line for a file without our
// ConfigMap, then `regsync: N passed, N failed` (skips are not counted).
// Exit: 0 nothing failed (skips included); 1 a file failed; 2 usage error.
//
// The module also exports the stream reader, ConfigMap finder and parser
// used by preload.mjs and the other schema scripts.

import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

let YAML;
try {
  YAML = await import("yaml");
} catch (e) {
  process.stderr.write(`regsync.mjs: dependency \`yaml\` not installed (${e.code || e.message}); run tests/schema/setup.sh\n`);
  process.exit(2);
}

export const ANNOTATION = "registry-addon.dev/generated";
export const LOCAL_CONFIG = "config.kubernetes.io/local-config";
export const SYNC_CONFIGMAP = "registry-sync";
export const WRITER_KEY = "writer.yml";
export const REPLICA_KEY = "replica.yml";
export const TLS_HOSTS_KEY = "tls-hosts";
export const SYNC_SCRIPT_KEY = "sync.sh";
export const SYNC_KEYS = [WRITER_KEY, REPLICA_KEY, TLS_HOSTS_KEY, SYNC_SCRIPT_KEY];
// ordinal 0's writers, on loopback in every replica (plain HTTP)
export const MIRROR_WRITER = "127.0.0.1:5010";
export const OWN_WRITER = "127.0.0.1:5002";

// Kubernetes manifests are YAML 1.1 (sigs.k8s.io/yaml = go-yaml v2): yes/no/
// on/off/y/n are booleans, 0755 octal; timestamps stay strings.
export const K8S_YAML_OPTS = {
  version: "1.1",
  customTags: (tags) => tags.filter((t) => !/timestamp|binary/.test(t.tag || "")),
  uniqueKeys: false, // go-yaml v2 keeps the last value
  prettyErrors: true,
};

export function isPlainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function readText(file) {
  return file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
}

// Parse a YAML stream into its objects. Returns { objects, krm, errors }.
// `krm` is the wrapper (ResourceList or List) when the stream is exactly one
// non-empty document of that kind with `items` or `functionConfig` (kyaml's
// rule); its items are then the objects. Aliases are resolved.
export function loadStream(text) {
  const errors = [];
  const values = [];
  let docs;
  try {
    docs = YAML.parseAllDocuments(text, K8S_YAML_OPTS);
  } catch (e) {
    return { objects: [], krm: null, errors: [e.message] };
  }
  if (!Array.isArray(docs)) docs = [docs]; // EmptyStream
  docs.forEach((doc, i) => {
    if (doc.errors && doc.errors.length) {
      errors.push(`document ${i + 1}: ${doc.errors[0].message.split("\n")[0].replace(/:$/, "")}`);
      return;
    }
    let v;
    try {
      v = doc.toJS({ maxAliasCount: 100000 });
    } catch (e) {
      errors.push(`document ${i + 1}: ${e.message.split("\n")[0].replace(/:$/, "")}`);
      return;
    }
    if (v === null || v === undefined) return;
    values.push({ v, index: i + 1 });
  });
  let krm = null;
  let objects = [];
  if (values.length === 1 && isPlainObject(values[0].v) &&
      (values[0].v.kind === "ResourceList" || values[0].v.kind === "List") &&
      ("items" in values[0].v || "functionConfig" in values[0].v)) {
    krm = values[0].v;
    const items = krm.items;
    if (items !== null && items !== undefined) {
      if (!Array.isArray(items)) errors.push(`${krm.kind}.items is not a list`);
      else objects = items;
    }
  } else {
    objects = values.map((x) => x.v);
  }
  return { objects, krm, errors };
}

export function annotations(obj) {
  const md = isPlainObject(obj) ? obj.metadata : null;
  return isPlainObject(md) && isPlainObject(md.annotations) ? md.annotations : {};
}

// go-yaml/kyaml read annotation values as text; an unquoted `true` is a bool
// in YAML 1.1 mode, so accept both.
export function annotationTrue(obj, key) {
  const v = annotations(obj)[key];
  return v === "true" || v === true;
}

export function isOurs(obj) {
  return annotationTrue(obj, ANNOTATION);
}

export function isLocalConfig(obj) {
  return annotationTrue(obj, LOCAL_CONFIG);
}

export function objName(obj) {
  const md = isPlainObject(obj.metadata) ? obj.metadata : {};
  const ns = typeof md.namespace === "string" && md.namespace !== "" ? md.namespace : "(none)";
  return `${ns}/${typeof md.name === "string" ? md.name : "?"}`;
}

// Our registry-sync ConfigMaps in a list of objects.
export function findSyncConfigMaps(objects, namespace) {
  return objects.filter((o) => isPlainObject(o) && o.kind === "ConfigMap" && isOurs(o) &&
    isPlainObject(o.metadata) && o.metadata.name === SYNC_CONFIGMAP &&
    (namespace === undefined || o.metadata.namespace === namespace));
}

// Parse a regsync config's text strictly (NAME labels the messages).
// Returns { value, errors }.
export function parseRegsync(text, name = "regsync.yml") {
  const errors = [];
  const opts12 = { version: "1.2", intAsBigInt: true, uniqueKeys: true, prettyErrors: true };
  const opts11 = { ...opts12, version: "1.1",
    customTags: (tags) => tags.filter((t) => !/timestamp|binary/.test(t.tag || "")) };
  let docs;
  try {
    docs = YAML.parseAllDocuments(text, opts12);
  } catch (e) {
    return { value: undefined, errors: [`${name}: ${e.message}`] };
  }
  if (!Array.isArray(docs)) docs = [docs];
  const nonEmpty = docs.filter((d) => d.contents !== null || (d.errors && d.errors.length));
  if (nonEmpty.length === 0) return { value: undefined, errors: [`${name}: empty`] };
  if (nonEmpty.length > 1) errors.push(`${name}: ${nonEmpty.length} YAML documents (regsync reads only the first)`);
  const doc = nonEmpty[0];
  if (doc.errors && doc.errors.length) {
    return { value: undefined, errors: [`${name}: ${doc.errors[0].message.split("\n")[0].replace(/:$/, "")}`] };
  }
  let value;
  try {
    value = doc.toJS({ maxAliasCount: 10000 });
  } catch (e) {
    return { value: undefined, errors: [`${name}: ${e.message.split("\n")[0].replace(/:$/, "")}`] };
  }
  // Same text read as YAML 1.1 must give the same data.
  try {
    const d11 = YAML.parseAllDocuments(text, opts11);
    const first = (Array.isArray(d11) ? d11 : [d11]).filter((d) => d.contents !== null)[0];
    if (first && !(first.errors && first.errors.length)) {
      const diff = firstDifference(value, first.toJS({ maxAliasCount: 10000 }), "");
      if (diff) errors.push(`${name}: ${diff.path || "(root)"} reads as ${fmt(diff.a)} in YAML 1.2 but ${fmt(diff.b)} in YAML 1.1; quote it`);
    }
  } catch {
    // 1.2 parse succeeded; a 1.1-only failure is not regsync's concern
  }
  return { value, errors };
}

function fmt(v) {
  if (typeof v === "bigint") return `${v}`;
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object") return Array.isArray(v) ? "a list" : "a map";
  return `${typeof v} ${v}`;
}

function firstDifference(a, b, path) {
  if (typeof a !== typeof b) return { path, a, b };
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return { path, a, b };
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length || ka.some((k) => !Object.prototype.hasOwnProperty.call(b, k))) {
      const k = ka.find((x) => !Object.prototype.hasOwnProperty.call(b, x)) ??
        kb.find((x) => !Object.prototype.hasOwnProperty.call(a, x));
      return { path: join(path, k), a: a[k], b: b[k] };
    }
    for (const k of ka) {
      const d = firstDifference(a[k], b[k], join(path, k));
      if (d) return d;
    }
    return null;
  }
  return a === b || (a === null && b === null) ? null : { path, a, b };
}

function join(path, key) {
  return path ? `${path}.${key}` : String(key);
}

// ------------------------------------------------------------------ schema

// Go's time.ParseDuration grammar.
const DURATION_RE = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/;
const UNIT_NS = { ns: 1, us: 1e3, "\u00b5s": 1e3, "\u03bcs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export function durationNs(s) {
  if (s === "0" || s === "+0" || s === "-0") return 0;
  if (!DURATION_RE.test(s)) return null;
  let total = 0;
  const sign = s.startsWith("-") ? -1 : 1;
  for (const m of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g)) total += parseFloat(m[1]) * UNIT_NS[m[2]];
  return sign * total;
}

// robfig/cron v3 standard parser: 5 fields or a descriptor, optional TZ=.
function cronOk(s) {
  let t = s.trim().replace(/^(?:CRON_)?TZ=\S+\s+/, "");
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(t)) return true;
  const every = /^@every\s+(\S+)$/.exec(t);
  if (every) return (durationNs(every[1]) ?? 0) > 0;
  const f = t.split(/\s+/);
  return f.length === 5 && f.every((x) => /^[0-9A-Za-z*?,/-]+$/.test(x));
}

const S = {
  str: { t: "string" },
  nestr: { t: "string", nonEmpty: true },
  int: { t: "int" },
  uint: { t: "int", min: 0n },
  int64: { t: "int" },
  num: { t: "number" },
  bool: { t: "bool" },
  dur: { t: "duration" },
  cron: { t: "cron" },
  regex: { t: "regex" },
  list: (item) => ({ t: "list", item }),
  map: (val) => ({ t: "map", val }),
  obj: (fields, extra = {}) => ({ t: "object", fields, ...extra }),
  oneOf: (vals, ci = false) => ({ t: "enum", vals, ci }),
};

const HOOK = S.obj({ type: S.nestr, params: S.list(S.str) }, { required: ["type"] });
const HOOKS = S.obj({ pre: HOOK, post: HOOK, unchanged: HOOK });
const RATELIMIT = S.obj({ min: S.uint, retry: S.dur });
const REFERRER_FILTER = S.obj({ artifactType: S.str, annotations: S.map(S.str) });
const TAG_FILTER = S.obj({ allow: S.list(S.regex), deny: S.list(S.regex), semverRange: S.list(S.nestr) });
const REPO_FILTER = S.obj({ allow: S.list(S.regex), deny: S.list(S.regex) });

// Shared by defaults and sync entries (ConfigDefaults / ConfigSync).
const COMMON = {
  backup: S.str,
  interval: S.dur,
  schedule: S.cron,
  ratelimit: RATELIMIT,
  digestTags: S.bool,
  referrers: S.bool,
  referrerFilters: S.list(REFERRER_FILTER),
  referrerSource: S.str,
  referrerTarget: S.str,
  referrerSlow: S.bool,
  fastCheck: S.bool,
  forceRecursive: S.bool,
  includeExternal: S.bool,
  mediaTypes: S.list(S.nestr),
  hooks: HOOKS,
};

const DEFAULTS = S.obj({
  ...COMMON,
  parallel: { t: "int", min: 0n },
  blobLimit: S.int64,
  cacheCount: S.int,
  cacheTime: S.dur,
  skipDockerConfig: S.bool,
  userAgent: S.str,
});

const SYNC_ENTRY = S.obj({
  ...COMMON,
  source: S.nestr,
  target: S.nestr,
  type: S.oneOf(["registry", "repository", "image"]),
  tags: TAG_FILTER,
  tagSets: S.list(TAG_FILTER),
  repos: REPO_FILTER,
  platform: S.nestr,
  platforms: S.list(S.nestr),
}, { required: ["source", "target", "type"] });

const HOST = S.obj({
  registry: S.nestr,
  tls: S.oneOf(["enabled", "insecure", "disabled"], true),
  regcert: S.str,
  clientCert: S.str,
  clientKey: S.str,
  hostname: S.str,
  user: S.str,
  pass: S.str,
  token: S.str,
  credHelper: S.str,
  credExpire: S.dur,
  credHost: S.str,
  pathPrefix: S.str,
  mirrors: S.list(S.nestr),
  priority: S.uint,
  repoAuth: S.bool,
  api: { t: "string", deprecated: "deprecated (ignored)" },
  apiOpts: S.map(S.str),
  blobChunk: S.int64,
  blobMax: S.int64,
  reqPerSec: S.num,
  reqConcurrent: S.int64,
  scheme: { t: "string", deprecated: "deprecated, use tls" },
}, { required: ["registry"] });

const TOP = S.obj({
  version: { t: "int", min: 1n, max: 1n },
  creds: S.list(HOST),
  defaults: DEFAULTS,
  sync: S.list(SYNC_ENTRY),
}, { required: ["version", "sync"], extensions: true });

const HINTS = {
  fastCopy: "regsync's key is fastCheck; the documented fastCopy is ignored",
  rateLimit: "regsync's key is ratelimit",
  clientcert: "the key is clientCert", clientkey: "the key is clientKey",
  skipDockerConf: "the key is skipDockerConfig",
};

function typeName(v) {
  if (v === null || v === undefined) return "null";
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return "float";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "string";
  return Array.isArray(v) ? "list" : "map";
}

function check(v, s, path, out) {
  const fail = (msg) => out.errors.push(`${path || "(root)"}: ${msg}`);
  if (v === null || v === undefined) return fail(`null (no value); expected ${s.t}`);
  switch (s.t) {
    case "string":
    case "regex":
    case "duration":
    case "cron":
    case "enum":
      if (typeof v !== "string") return fail(`expected a string${s.t === "string" ? "" : ` (${s.t})`}, got ${typeName(v)} ${fmt(v)}`);
      if (s.nonEmpty && v.trim() === "") return fail("empty string");
      if (s.deprecated) out.warnings.push(`${path}: ${s.deprecated}`);
      if (s.t === "regex") {
        try { new RegExp(`^${v}$`); } catch (e) { fail(`regex does not compile: ${e.message}`); }
      } else if (s.t === "duration") {
        const ns = durationNs(v);
        if (ns === null) fail(`not a Go duration: ${JSON.stringify(v)}`);
        else if (ns <= 0) fail(`duration must be positive: ${JSON.stringify(v)}`);
      } else if (s.t === "cron") {
        if (!cronOk(v)) fail(`not a cron schedule: ${JSON.stringify(v)}`);
      } else if (s.t === "enum") {
        const x = s.ci ? v.toLowerCase() : v;
        if (!s.vals.includes(x)) fail(`${JSON.stringify(v)} is not one of ${s.vals.join("|")}`);
      }
      return;
    case "int":
      if (typeof v !== "bigint") return fail(`expected an int, got ${typeName(v)} ${fmt(v)}`);
      if (s.min !== undefined && v < s.min) fail(`${v} < ${s.min}`);
      if (s.max !== undefined && v > s.max) fail(`${v} > ${s.max}`);
      return;
    case "number":
      if (typeof v !== "bigint" && typeof v !== "number") fail(`expected a number, got ${typeName(v)} ${fmt(v)}`);
      return;
    case "bool":
      if (typeof v !== "boolean") fail(`expected a bool, got ${typeName(v)} ${fmt(v)}`);
      return;
    case "list":
      if (!Array.isArray(v)) return fail(`expected a list, got ${typeName(v)}`);
      v.forEach((x, i) => check(x, s.item, `${path}[${i}]`, out));
      return;
    case "map":
      if (!isPlainObject(v)) return fail(`expected a map, got ${typeName(v)}`);
      for (const [k, x] of Object.entries(v)) check(x, s.val, join(path, k), out);
      return;
    case "object":
      if (!isPlainObject(v)) return fail(`expected a map, got ${typeName(v)}`);
      for (const [k, x] of Object.entries(v)) {
        if (Object.prototype.hasOwnProperty.call(s.fields, k)) check(x, s.fields[k], join(path, k), out);
        else if (s.extensions && k.startsWith("x-")) continue;
        else out.errors.push(`${join(path, k)}: unknown key${HINTS[k] ? ` (${HINTS[k]})` : ""}`);
      }
      for (const k of s.required || []) {
        if (!Object.prototype.hasOwnProperty.call(v, k)) fail(`missing required key ${k}`);
      }
      return;
    default:
      throw new Error(`bad schema type ${s.t}`);
  }
}

// distribution/reference grammar (reference/regexp.go).
const ALNUM = "[a-z0-9]+";
const SEP = "(?:[._]|__|[-]+)";
const PATH_COMPONENT = `${ALNUM}(?:${SEP}${ALNUM})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
export const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
export const REFERENCE_RE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

// A reference regclient (distribution's ParseNormalizedNamed) accepts: the
// grammar above and a name (domain/path) of at most 255 characters.
export function validReference(ref) {
  const m = REFERENCE_RE.exec(ref);
  if (!m) return null;
  const name = m[1] ? `${m[1]}/${m[2]}` : m[2];
  return name.length <= 255 ? m : null;
}

function refCheck(type, ref) {
  if (/^oci(dir|file):\/\//.test(ref)) return null; // regclient's local OCI layouts
  if (type === "registry") return DOMAIN_RE.test(ref) ? null : "a registry entry must be host[:port]";
  const m = validReference(ref);
  if (!m) return "not a valid image reference";
  if (type === "repository" && (m[3] || m[4])) return "a repository entry must not have a tag or digest";
  return null;
}

function semantic(cfg, out, allowEmpty) {
  if (!isPlainObject(cfg)) return;
  const d = isPlainObject(cfg.defaults) ? cfg.defaults : {};
  const retryMin = 5 * 60e9;
  const checkRetry = (rl, path) => {
    if (isPlainObject(rl) && typeof rl.retry === "string") {
      const ns = durationNs(rl.retry);
      if (ns !== null && ns > 0 && ns < retryMin) out.warnings.push(`${path}.ratelimit.retry ${rl.retry} < 5m: regsync raises it to 5m`);
    }
  };
  checkRetry(d.ratelimit, "defaults");
  if (d.parallel === 0n) out.warnings.push("defaults.parallel 0: regsync uses 1");
  if (!Array.isArray(cfg.sync)) return;
  if (cfg.sync.length === 0 && !allowEmpty) out.errors.push("sync: empty (nothing to sync)");
  const targets = new Map();
  cfg.sync.forEach((e, i) => {
    const p = `sync[${i}]`;
    if (!isPlainObject(e)) return;
    const sched = e.schedule ?? d.schedule, intv = e.interval ?? d.interval;
    if (sched === undefined && intv === undefined) {
      out.errors.push(`${p}: no schedule or interval (own or in defaults): regsync server ignores the entry`);
    }
    if (e.schedule !== undefined && e.interval !== undefined) out.warnings.push(`${p}: both schedule and interval; schedule wins`);
    checkRetry(e.ratelimit, p);
    const type = e.type;
    if (!["registry", "repository", "image"].includes(type)) return;
    for (const k of ["source", "target"]) {
      if (typeof e[k] !== "string" || e[k] === "") continue;
      const why = refCheck(type, e[k]);
      if (why) out.errors.push(`${p}.${k}: ${JSON.stringify(e[k])}: ${why}`);
    }
    if (type !== "registry" && e.repos !== undefined) out.warnings.push(`${p}.repos: only used by type registry`);
    if (type === "image" && (e.tags !== undefined || e.tagSets !== undefined)) out.warnings.push(`${p}: tags/tagSets are not used by type image`);
    if (type !== "registry" && typeof e.target === "string") {
      if (targets.has(e.target)) out.errors.push(`${p}.target: ${JSON.stringify(e.target)} also written by ${targets.get(e.target)}`);
      else targets.set(e.target, p);
    }
  });
  const seen = new Map();
  cfg.sync.forEach((e, i) => {
    if (!isPlainObject(e)) return;
    const key = JSON.stringify([e.type, e.source, e.target]);
    if (seen.has(key)) out.errors.push(`sync[${i}]: duplicate of ${seen.get(key)} (${e.type} ${e.source} -> ${e.target})`);
    else seen.set(key, `sync[${i}]`);
  });
  if (Array.isArray(cfg.creds)) {
    const names = new Map();
    cfg.creds.forEach((h, i) => {
      if (!isPlainObject(h) || typeof h.registry !== "string") return;
      if (names.has(h.registry)) out.warnings.push(`creds[${i}]: registry ${h.registry} also in ${names.get(h.registry)} (merged, later wins)`);
      else names.set(h.registry, `creds[${i}]`);
    });
  }
}

// Validate one regsync config's text. Options: name (labels the messages),
// allowEmpty (an empty sync list passes). Returns { errors, warnings, config }.
export function validateRegsync(text, { name = "regsync.yml", allowEmpty = false } = {}) {
  const out = { errors: [], warnings: [] };
  const { value, errors } = parseRegsync(text, name);
  out.errors.push(...errors);
  if (value === undefined) return { ...out, config: undefined };
  const inner = { errors: [], warnings: [] };
  check(value, TOP, "", inner);
  semantic(value, inner, allowEmpty);
  out.errors.push(...inner.errors.map((e) => `${name}: ${e}`));
  out.warnings.push(...inner.warnings.map((w) => `${name}: ${w}`));
  return { ...out, config: value };
}

// ---------------------------------------------------------- write model

// The mirror's repository path: the host made a valid path component
// (brackets dropped, ':' -> '-'), the rest unchanged.
export function mirrorPath(ref) {
  const slash = ref.indexOf("/");
  return ref.slice(0, slash).replace(/[[\]]/g, "").replace(/:/g, "-") + ref.slice(slash);
}

const PLATFORM_RE = /^[a-z0-9]+\/[a-z0-9]+(?:\/[a-z0-9]+)?$/;
const DNS_DOMAIN_RE = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const syncList = (cfg) => (isPlainObject(cfg) && Array.isArray(cfg.sync) ? cfg.sync.filter(isPlainObject) : []);
const hostOf = (ref) => (typeof ref === "string" ? ref.split("/")[0].toLowerCase() : "");
const isLoopbackHost = (h) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(h);
const sameList = (a, b) => Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
const show = (v) => (v === undefined ? "none" : JSON.stringify(v));

// The issue-12 topology of one registry-sync ConfigMap (writer, replica: the
// parsed configs; tlsHosts: the text). opts: namespace, clusterDomain,
// platforms (array, or "all"). Returns { errors, summary }.
export function checkTopology(writer, replica, tlsHosts, opts) {
  const errors = [], warnings = [];
  const ns = opts.namespace;
  const own = (h) => {
    const name = h.replace(/:\d+$/, "");
    return isLoopbackHost(h) || new RegExp(`^registry(-headless|-mirror|-\\d+(\\.registry-headless)?)?(\\.${ns.replace(/[.]/g, "\\.")}(\\.svc(\\..*)?)?)?$`).test(name);
  };
  const writerEntries = syncList(writer), replicaEntries = syncList(replica);

  // writer.yml: upstream images into the mirror writer
  writerEntries.forEach((e, i) => {
    const p = `writer.yml: sync[${i}]`;
    if (e.type !== "image") errors.push(`${p}: type ${show(e.type)}, want image (the preload copies images from upstreams)`);
    if (typeof e.source !== "string") return;
    if (own(hostOf(e.source))) errors.push(`${p}.source ${e.source}: not an upstream (loopback or the add-on's own registry)`);
    const want = `${MIRROR_WRITER}/${mirrorPath(e.source)}`;
    if (e.target !== want) errors.push(`${p}.target ${show(e.target)}, want ${want}`);
  });

  // replica.yml: exactly the two one-way copies from ordinal 0
  const sources = [];
  const expect = [[5000, MIRROR_WRITER, "mirror"], [5443, OWN_WRITER, "own images"]];
  if (replicaEntries.length !== 2) errors.push(`replica.yml: ${replicaEntries.length} sync entries, want 2 (ordinal 0's mirror and own images)`);
  let domain = opts.clusterDomain;
  const nsRe = ns.replace(/[.]/g, "\\.");
  for (const [port, target, what] of expect) {
    const re = new RegExp(`^registry-0\\.registry-headless\\.${nsRe}\\.svc\\.(.+):${port}$`);
    const hits = replicaEntries.filter((e) => typeof e.source === "string" && re.test(e.source));
    if (hits.length !== 1) {
      errors.push(`replica.yml: ${hits.length} entries from registry-0.registry-headless.${ns}.svc.<domain>:${port} (${what}), want 1`);
      continue;
    }
    const e = hits[0], d = re.exec(e.source)[1];
    if (!DNS_DOMAIN_RE.test(d)) errors.push(`replica.yml: ${e.source}: ${d} is not a DNS domain`);
    if (domain === undefined) domain = d;
    else if (d !== domain) errors.push(`replica.yml: ${e.source}: domain ${d}, want ${domain}`);
    if (e.type !== "registry") errors.push(`replica.yml: ${e.source}: type ${show(e.type)}, want registry`);
    if (e.target !== target) errors.push(`replica.yml: ${e.source} -> ${show(e.target)}, want -> ${target} (${what})`);
    sources.push(e.source);
  }
  const strays = replicaEntries.filter((e) => !sources.includes(e.source));
  for (const e of strays) errors.push(`replica.yml: unexpected entry ${show(e.type)} ${show(e.source)} -> ${show(e.target)}`);

  // nothing targets a peer or any non-loopback host
  for (const [file, entries] of [["writer.yml", writerEntries], ["replica.yml", replicaEntries]]) {
    entries.forEach((e, i) => {
      const h = hostOf(e.target);
      const allowed = file === "writer.yml" ? [MIRROR_WRITER] : [MIRROR_WRITER, OWN_WRITER];
      if (!allowed.includes(h)) errors.push(`${file}: sync[${i}] targets ${show(e.target)}: only ${allowed.join(", ")} may be written`);
    });
  }

  // creds: loopback targets plain HTTP, everything else verified TLS
  for (const [file, cfg, entries] of [["writer.yml", writer, writerEntries], ["replica.yml", replica, replicaEntries]]) {
    const creds = isPlainObject(cfg) && Array.isArray(cfg.creds) ? cfg.creds.filter(isPlainObject) : [];
    const tlsOf = (h) => {
      const c = creds.filter((x) => typeof x.registry === "string" && x.registry.toLowerCase() === h);
      const v = c.length ? c[c.length - 1].tls : undefined;
      return typeof v === "string" ? v.toLowerCase() : "enabled";
    };
    for (const h of new Set(entries.map((e) => hostOf(e.target)))) {
      if (isLoopbackHost(h) && tlsOf(h) !== "disabled") errors.push(`${file}: target ${h} needs creds tls: disabled (the writer is plain HTTP), has ${tlsOf(h)}`);
    }
    creds.forEach((c, i) => {
      const t = typeof c.tls === "string" ? c.tls.toLowerCase() : "enabled";
      const h = typeof c.registry === "string" ? c.registry.toLowerCase() : "";
      if (t === "insecure") errors.push(`${file}: creds[${i}] ${h}: tls insecure (skips verification)`);
      if (t === "disabled" && ![MIRROR_WRITER, OWN_WRITER].includes(h)) errors.push(`${file}: creds[${i}] ${h}: tls disabled, but only the loopback writers are plain HTTP`);
    });
  }

  // ratelimit.min: regsync applies it to a source that sends RateLimit-Remaining
  // (Docker Hub); anonymously that is 10 pulls an hour per address
  const minOf = (e) => {
    const d = isPlainObject(writer) && isPlainObject(writer.defaults) && isPlainObject(writer.defaults.ratelimit) ? writer.defaults.ratelimit.min : undefined;
    const m = isPlainObject(e.ratelimit) && e.ratelimit.min !== undefined ? e.ratelimit.min : d;
    return typeof m === "bigint" ? m : 0n;
  };
  const hub = (ref) => ["docker.io", "index.docker.io", "registry-1.docker.io"].includes(hostOf(ref));
  const why = "Docker Hub allows anonymous clients 10 pulls an hour and regsync waits while fewer than min remain";
  const blocked = writerEntries.filter((e) => hub(e.source) && minOf(e) > 9n);
  if (blocked.length && !opts.upstreamCredentials) {
    errors.push(`writer.yml: ratelimit.min ${minOf(blocked[0])} > 9 for ${blocked.length} docker.io image(s) without upstream credentials (${blocked[0].source}...): ${why}`);
  } else if (blocked.length) {
    warnings.push(`writer.yml: ratelimit.min ${minOf(blocked[0])} > 9 for docker.io images: copies only if the upstream credentials' allowance is larger`);
  } else {
    const m = writerEntries.length ? writerEntries.map(minOf).reduce((a, b) => (a > b ? a : b)) : 0n;
    if (m > 9n) warnings.push(`writer.yml: ratelimit.min ${m} > 9 (harmless here: no docker.io image; ${why})`);
  }

  // platforms: one list for every preload entry and the mirror copy
  const mirrorEntry = replicaEntries.find((e) => typeof e.source === "string" && e.source.endsWith(":5000"));
  const ownEntry = replicaEntries.find((e) => typeof e.source === "string" && e.source.endsWith(":5443"));
  const carriers = [...writerEntries.map((e, i) => [`writer.yml: sync[${i}]`, e]), ...(mirrorEntry ? [["replica.yml: mirror entry", mirrorEntry]] : [])];
  for (const [file, entries] of [["writer.yml", writerEntries], ["replica.yml", replicaEntries]]) {
    entries.forEach((e, i) => { if (e.platform !== undefined) errors.push(`${file}: sync[${i}] has platform ${show(e.platform)} (one platform; regsync drops the index)`); });
  }
  if (ownEntry && ownEntry.platforms !== undefined) errors.push(`replica.yml: the own-images entry has platforms ${show(ownEntry.platforms)}: own images are copied whole`);
  let list = carriers.length ? carriers[0][1].platforms : undefined;
  for (const [where, e] of carriers) {
    if (!(e.platforms === undefined && list === undefined) && !sameList(e.platforms, list)) {
      errors.push(`${where}: platforms ${show(e.platforms)}, but ${carriers[0][0]} has ${show(list)}`);
    }
  }
  if (Array.isArray(list)) {
    if (list.length === 0) errors.push(`${carriers[0][0]}: platforms is empty`);
    const bad = list.filter((x) => typeof x !== "string" || !PLATFORM_RE.test(x));
    if (bad.length) errors.push(`${carriers[0][0]}: platforms ${show(bad)} are not os/arch[/variant]`);
    if (new Set(list).size !== list.length) errors.push(`${carriers[0][0]}: platforms has duplicates`);
  }
  if (opts.platforms !== undefined && carriers.length) {
    const want = opts.platforms === "all" ? undefined : opts.platforms;
    if (!(want === undefined && list === undefined) && !sameList(list, want)) errors.push(`platforms ${show(list)}, want ${show(want)} (--platforms)`);
  }

  // the mirror writer accepts the sparse indexes that copy leaves: Distribution
  // 3.x validation.manifests.indexes (registry/handlers/app.go: absent or
  // `all` requires every child; `list` only the platformlist's os+arch)
  if (opts.mirrorWriter !== undefined) {
    const idx = opts.mirrorWriter?.validation?.manifests?.indexes;
    const mode = isPlainObject(idx) && typeof idx.platforms === "string" ? idx.platforms.toLowerCase() : "all";
    if (list === undefined) {
      if (mode !== "all") errors.push(`registry-config mirror-writer.yml: validation.manifests.indexes.platforms ${mode}, but regsync copies every platform`);
    } else if (Array.isArray(list)) {
      const have = mode === "list" && Array.isArray(idx.platformlist)
        ? idx.platformlist.filter(isPlainObject).map((p) => `${p.os}/${p.architecture}`).sort() : null;
      const want = [...new Set(list.map((x) => String(x).split("/").slice(0, 2).join("/")))].sort();
      if (have === null) errors.push(`registry-config mirror-writer.yml: validation.manifests.indexes.platforms ${mode}, not list: it refuses the sparse indexes regsync's platforms ${show(list)} copy`);
      else if (!sameList(have, want)) errors.push(`registry-config mirror-writer.yml: platformlist ${show(have)}, regsync copies ${show(want)}`);
      if (list.some((x) => String(x).split("/").length > 2)) warnings.push(`platforms ${show(list)} has a variant: Distribution's platformlist has only os and architecture`);
    }
  }

  // tls-hosts: exactly replica.yml's TLS sources
  if (typeof tlsHosts === "string") {
    const lines = tlsHosts.split("\n").filter((l) => l !== "");
    const creds = isPlainObject(replica) && Array.isArray(replica.creds) ? replica.creds.filter(isPlainObject) : [];
    const plain = new Set(creds.filter((c) => typeof c.tls === "string" && c.tls.toLowerCase() === "disabled" && typeof c.registry === "string").map((c) => c.registry.toLowerCase()));
    const want = [...new Set(replicaEntries.map((e) => hostOf(e.source)).filter((h) => h && !plain.has(h)))].sort();
    const have = [...lines].sort();
    if (!sameList(have, want)) errors.push(`tls-hosts ${show(lines)}, want the TLS sources of replica.yml ${show(want)}`);
    if (new Set(lines).size !== lines.length) errors.push("tls-hosts has duplicate lines");
    if (lines.some((l) => /\s/.test(l))) errors.push("tls-hosts: a line with blanks");
  }
  const plat = list === undefined ? "all" : list.join(",");
  return { errors, warnings, summary: `writer: ${writerEntries.length} images; replica: ${domain ?? "?"}; platforms ${plat}` };
}

// Validate one of our ConfigMaps (opts as checkTopology's, namespace
// defaulting to the ConfigMap's). Returns { errors, warnings, summary }.
export function validateConfigMap(cm, opts = {}) {
  const errors = [];
  if (cm.apiVersion !== "v1") errors.push(`apiVersion ${JSON.stringify(cm.apiVersion)}, expected v1`);
  if (!isPlainObject(cm.data)) return { errors: [...errors, "no data map"], warnings: [] };
  const keys = Object.keys(cm.data);
  const missing = SYNC_KEYS.filter((k) => !keys.includes(k)), extra = keys.filter((k) => !SYNC_KEYS.includes(k));
  if (missing.length) errors.push(`data has no key ${missing.join(", ")}`);
  if (extra.length) errors.push(`data has unexpected key ${extra.join(", ")}${extra.includes("regsync.yml") ? " (the old single config)" : ""}`);
  for (const k of SYNC_KEYS) {
    if (k in cm.data && typeof cm.data[k] !== "string") errors.push(`data.${k} is a ${typeName(cm.data[k])}, not a string`);
  }
  const warnings = [], configs = {};
  for (const k of [WRITER_KEY, REPLICA_KEY]) {
    if (typeof cm.data[k] !== "string") continue;
    const r = validateRegsync(cm.data[k], { name: k, allowEmpty: k === WRITER_KEY });
    errors.push(...r.errors);
    warnings.push(...r.warnings);
    configs[k] = r.config;
  }
  let summary;
  if (configs[WRITER_KEY] !== undefined && configs[REPLICA_KEY] !== undefined) {
    const ns = opts.namespace ?? (isPlainObject(cm.metadata) ? cm.metadata.namespace : undefined);
    if (typeof ns !== "string" || ns === "") errors.push("the ConfigMap has no namespace (replica.yml's sources name it)");
    else {
      const t = checkTopology(configs[WRITER_KEY], configs[REPLICA_KEY], cm.data[TLS_HOSTS_KEY], { ...opts, namespace: ns });
      errors.push(...t.errors);
      warnings.push(...t.warnings);
      summary = t.summary;
    }
  }
  return { errors, warnings, summary };
}

// ------------------------------------------------------------------- main

// mirror-writer.yml of the registry-config ConfigMap beside CM (parsed), or
// undefined when the output has none; a parse failure is added to REASONS.
export function mirrorWriterConfig(objects, cm, reasons) {
  const ns = isPlainObject(cm.metadata) ? cm.metadata.namespace : undefined;
  const rc = objects.find((o) => isPlainObject(o) && o.kind === "ConfigMap" && isOurs(o) && o.metadata?.name === "registry-config" &&
    o.metadata?.namespace === ns);
  const text = rc?.data?.["mirror-writer.yml"];
  if (typeof text !== "string") return undefined;
  try {
    return YAML.parse(text) ?? {};
  } catch (e) {
    reasons.push(`registry-config mirror-writer.yml: ${e.message.split("\n")[0]}`);
    return undefined;
  }
}

// Does regsync in CM's namespace get upstream credentials (a container `sync`
// with DOCKER_CONFIG or DOCKER_AUTH_CONFIG in a workload's pod template)?
export function upstreamCredentials(objects, cm) {
  const ns = isPlainObject(cm.metadata) ? cm.metadata.namespace : undefined;
  return objects.some((o) => isPlainObject(o) && o.kind === "StatefulSet" && isPlainObject(o.metadata) && o.metadata.namespace === ns &&
    (o.spec?.template?.spec?.containers ?? []).some((c) => isPlainObject(c) && c.name === "sync" &&
      (Array.isArray(c.env) ? c.env : []).some((e) => isPlainObject(e) && ["DOCKER_CONFIG", "DOCKER_AUTH_CONFIG"].includes(e.name))));
}

function usage(msg) {
  if (msg) process.stderr.write(`regsync.mjs: ${msg}\n`);
  process.stderr.write("usage: node tests/schema/regsync.mjs [--namespace NS] [--cluster-domain D] [--platforms LIST|all] FILE... ('-' for stdin)\n");
  process.exit(2);
}

function main(argv) {
  let namespace, clusterDomain, platforms;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i], val;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    if (eq > 0) { val = a.slice(eq + 1); a = a.slice(0, eq); }
    const need = () => {
      if (val !== undefined) return val;
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--namespace") namespace = need();
    else if (a === "--cluster-domain") clusterDomain = need();
    else if (a === "--platforms") {
      const v = need().trim();
      platforms = v === "all" ? "all" : v.split(",").map((x) => x.trim()).filter((x) => x !== "");
    } else if (a === "-h" || a === "--help") usage();
    else if (a.startsWith("-") && a !== "-") usage(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length === 0) usage("no input files");

  let passed = 0, failed = 0;
  const say = (s) => process.stdout.write(`${s}\n`);
  for (const f of files) {
    const label = f === "-" ? "<stdin>" : f;
    let text;
    try {
      text = readText(f);
    } catch (e) {
      failed++;
      say(`not ok - regsync ${label}: cannot read: ${e.message}`);
      continue;
    }
    const { objects, errors: streamErrors } = loadStream(text);
    if (streamErrors.length) {
      failed++;
      say(`not ok - regsync ${label}: YAML: ${streamErrors.join("; ")}`);
      continue;
    }
    const cms = findSyncConfigMaps(objects, namespace);
    if (cms.length === 0) {
      say(`# skip - regsync ${label}: no ${SYNC_CONFIGMAP} ConfigMap${namespace !== undefined ? ` in namespace ${namespace}` : ""}`);
      continue;
    }
    const reasons = [], summaries = [];
    const ids = cms.map(objName);
    const dupIds = ids.filter((x, i) => ids.indexOf(x) !== i);
    if (dupIds.length) reasons.push(`ConfigMap ${dupIds[0]} appears ${ids.filter((x) => x === dupIds[0]).length} times`);
    for (const cm of cms) {
      const r = validateConfigMap(cm, { namespace, clusterDomain, platforms, upstreamCredentials: upstreamCredentials(objects, cm),
        mirrorWriter: mirrorWriterConfig(objects, cm, reasons) });
      if (r.summary) summaries.push(r.summary);
      const pre = cms.length > 1 ? `${objName(cm)}: ` : "";
      for (const w of r.warnings) say(`# warn - regsync ${label}: ${pre}${w}`);
      reasons.push(...r.errors.map((e) => pre + e));
    }
    if (reasons.length) {
      failed++;
      say(`not ok - regsync ${label}: ${reasons.join("; ")}`);
    } else {
      passed++;
      say(`ok - regsync ${label}${summaries.length ? ` (${summaries.join("; ")})` : ""}`);
    }
  }
  say(`regsync: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// Run main(argv) when this module is the program (not when imported).
export function runIfMain(url, name, main) {
  let me = false;
  try {
    me = Boolean(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(url));
  } catch {
    me = false;
  }
  if (!me) return;
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${name}: internal error: ${e && e.stack ? e.stack : e}\n`);
    process.exit(2);
  }
}

runIfMain(import.meta.url, "regsync.mjs", main);
