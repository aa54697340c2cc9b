#!/usr/bin/env node
// Check registry-addon's image preload list against an independent reading of
// its input.
//
// Usage: node tests/schema/preload.mjs INPUT OUTPUT [options] [registry-addon args]
//
//   INPUT   what registry-addon read (stream or one ResourceList/List)
//   OUTPUT  what it wrote
//
// The expected list is computed here from INPUT with the `yaml` package
// (YAML 1.1 like Kubernetes, every document, aliases and merge keys
// resolved), never from registry-addon's code:
//   - objects: every document of a stream; in KRM mode (the input is one
//     ResourceList/List document with items or functionConfig) its items;
//     objects annotated registry-addon.dev/generated: "true" (ours) or
//     config.kubernetes.io/local-config: "true" are not looked at;
//   - images: containers[].image and initContainers[].image of the pod spec
//     of Pod (spec), Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
//     ReplicationController (spec.template.spec) and CronJob
//     (spec.jobTemplate.spec.template.spec); non-string or empty images are
//     ignored (reported as `# note`);
//   - normalised: no registry host (the first path component is one when it
//     contains `.` or `:` or is `localhost`) -> docker.io; index.docker.io ->
//     docker.io; a one-component docker.io repository gets `library/`; no tag
//     and no digest -> `:latest`; a digest is kept, with the tag if both;
//   - plus explicit sync.preload references (normalised the same way);
//     sync.preload none (or a list without auto) drops the input's images;
//   - without references that are not valid once normalised (distribution's
//     reference grammar: lowercase repository, tag <= 128 chars, ...), e.g.
//     an unrendered "{{ .Values.image }}" (reported as `# note`);
//   - without loopback hosts (localhost, 127.0.0.0/8, [::1]: not reachable
//     from the registry pod) and without images of the add-on's own registry:
//     host (port ignored) registry, registry-headless or registry-<i> (any
//     ordinal, also as registry-<i>.registry-headless...) as name, name.<ns>,
//     name.<ns>.svc or name.<ns>.svc.*, the Service ClusterIP, or one of
//     registry.hostnames;
//   - deduplicated, sorted bytewise.
// Actual: the sync entries of writer.yml (ordinal 0's regsync: the only one
// that fetches from upstreams) in OUTPUT's registry-sync ConfigMap. Each must
// be `type: image` with target = "127.0.0.1:5010/" (ordinal 0's mirror
// writer) + the source with its host made a path component (brackets
// dropped, ':' -> '-'); sources must be the expected set, in bytewise order,
// each once. replica.yml must have no `type: image` entry (the other
// replicas copy ordinal 0's mirror whole, never from an upstream).
//
// Options (they win over registry-addon args):
//   --namespace NS       add-on namespace (default registry-system)
//   --hostname H         a registry.hostnames entry (repeatable, adds)
//   --cluster-ip IP      the registry Service ClusterIP (default: the 20th
//                        address of the service CIDR, 10.96.0.20)
//   --service-cidr CIDR  service CIDR for that default (10.96.0.0/12)
//   --cluster-domain D   cluster domain (cluster.local; informational)
//   --preload REF        sync.preload entry: auto, none or an image
//                        (repeatable; replaces the default [auto])
//   --list               print the expected list (and notes) and exit; OUTPUT
//                        is not read (pass - or /dev/null)
//   --expect-none        OUTPUT without a registry-sync ConfigMap passes as an
//                        empty list (otherwise it is skipped); with one, the
//                        expected list is empty
// registry-addon args understood (so a fixture's NAME.args can be passed
// as is): --set PATH=VALUE, --config FILE, a bare FILE (the legacy kustomize
// config). INPUT's KRM functionConfig (RegistryAddon or ConfigMap of --set
// paths) is read too. Precedence: defaults < --config/FILE < functionConfig
// < --set < the options above. Fields used: namespace, clusterDomain,
// registry.hostnames, registry.service.clusterIP, registry.service.serviceCIDR,
// sync.preload; any other --set path is accepted and ignored.
//
// Output: `ok - preload INPUT (N images)`, `not ok - preload INPUT: missing
// [...] extra [...] ...`, or `# skip - preload INPUT: ...`, then
// `preload: N passed, N failed`. Exit 0 / 1 (failed) / 2 (usage).

import { runIfMain, isPlainObject, isOurs, isLocalConfig, loadStream, findSyncConfigMaps, objName, parseRegsync, readText, WRITER_KEY,
  REPLICA_KEY, MIRROR_WRITER, validReference } from "./regsync.mjs";
import * as YAML from "yaml";

const REGISTRY_SERVICE = "registry";
const HEADLESS_SERVICE = "registry-headless";
const MIRROR = MIRROR_WRITER;

// ------------------------------------------------------------ configuration

function defaults() {
  return {
    namespace: "registry-system",
    clusterDomain: "cluster.local",
    hostnames: [],
    clusterIP: "",
    serviceCIDR: "10.96.0.0/12",
    preload: ["auto"],
  };
}

function asList(v) {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map(String);
  const s = String(v).trim();
  if (s.startsWith("[")) {
    const parsed = YAML.parse(s);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  }
  return s === "" ? [] : s.split(",").map((x) => x.trim()).filter((x) => x !== "");
}

function setPath(cfg, path, value) {
  switch (path) {
    case "namespace": cfg.namespace = String(value); break;
    case "clusterDomain": cfg.clusterDomain = String(value); break;
    case "registry.hostnames": cfg.hostnames = asList(value); break;
    case "registry.service.clusterIP": cfg.clusterIP = String(value ?? ""); break;
    case "registry.service.serviceCIDR": cfg.serviceCIDR = String(value); break;
    case "sync.preload": cfg.preload = asList(value); break;
    default: break; // not relevant to the preload list
  }
}

function applySpec(cfg, spec) {
  if (!isPlainObject(spec)) return;
  const walk = (o, prefix) => {
    for (const [k, v] of Object.entries(o)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (isPlainObject(v) && !["registry.resources", "sync.resources", "registry.nodeSelector"].includes(p)) walk(v, p);
      else setPath(cfg, p, v);
    }
  };
  walk(spec, "");
}

function applyConfigDoc(cfg, doc) {
  if (!isPlainObject(doc)) return;
  if (doc.kind === "ConfigMap" && isPlainObject(doc.data)) {
    for (const [k, v] of Object.entries(doc.data)) setPath(cfg, k, v);
  } else if (isPlainObject(doc.spec)) {
    applySpec(cfg, doc.spec);
  }
}

function loadConfigFile(cfg, file) {
  const docs = YAML.parseAllDocuments(readText(file), { version: "1.1" });
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors && d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
    applyConfigDoc(cfg, d.toJS());
  }
}

// ------------------------------------------------------------- IP addresses

function parseIP(s) {
  if (typeof s !== "string") return null;
  s = s.trim();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const p = s.split(".").map(Number);
    if (p.some((x) => x > 255)) return null;
    return { v6: false, n: p.reduce((a, x) => (a << 8n) | BigInt(x), 0n) };
  }
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return null;
  let tail = [];
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const ip4 = parseIP(v4[1]);
    if (!ip4) return null;
    tail = [Number(ip4.n >> 16n), Number(ip4.n & 0xffffn)].map((x) => x.toString(16));
    s = s.slice(0, -v4[1].length) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const part = (h) => (h === "" ? [] : h.split(":"));
  let groups;
  if (halves.length === 2) {
    const a = part(halves[0]), b = part(halves[1]);
    const fill = 8 - a.length - b.length;
    if (fill < 1) return null;
    groups = [...a, ...Array(fill).fill("0"), ...b];
  } else groups = part(s);
  if (tail.length) groups.splice(groups.length - 2, 2, ...tail);
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  return { v6: true, n: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

function formatIP(ip) {
  if (!ip.v6) return [24n, 16n, 8n, 0n].map((s) => String((ip.n >> s) & 255n)).join(".");
  const g = [];
  for (let i = 7n; i >= 0n; i--) g.push(((ip.n >> (i * 16n)) & 0xffffn).toString(16));
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== "0") { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === "0") j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return g.join(":");
  return `${g.slice(0, best).join(":")}::${g.slice(best + bestLen).join(":")}`;
}

function twentiethAddress(cidr) {
  const [addr, bits] = String(cidr).split("/");
  const ip = parseIP(addr);
  if (!ip || bits === undefined) throw new Error(`bad service CIDR ${cidr}`);
  const width = ip.v6 ? 128n : 32n;
  const mask = ((1n << width) - 1n) ^ ((1n << (width - BigInt(bits))) - 1n);
  return formatIP({ v6: ip.v6, n: (ip.n & mask) + 20n });
}

// ------------------------------------------------------------------ images

const WORKLOADS = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

export function normalizeImage(ref) {
  let s = ref, digest = null, tag = null, host = "docker.io";
  const at = s.indexOf("@");
  if (at >= 0) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
  }
  const slash = s.indexOf("/");
  if (slash >= 0) {
    const first = s.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      host = first;
      s = s.slice(slash + 1);
    }
  }
  host = host.toLowerCase(); // host names are case-insensitive
  if (host === "index.docker.io") host = "docker.io";
  const colon = s.lastIndexOf(":");
  if (colon > s.lastIndexOf("/")) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
  }
  if (host === "docker.io" && !s.includes("/")) s = `library/${s}`;
  if (tag === null && digest === null) tag = "latest";
  return `${host}/${s}${tag !== null ? `:${tag}` : ""}${digest !== null ? `@${digest}` : ""}`;
}

function get(obj, path) {
  let v = obj;
  for (const k of path) {
    if (!isPlainObject(v)) return undefined;
    v = v[k];
  }
  return v;
}

function describe(o) {
  return `${typeof o.kind === "string" ? o.kind : "?"} ${objName(o)}`;
}

// Images referenced by the input's workloads. Returns { images, notes }.
export function inputImages(objects) {
  const images = [], notes = [];
  for (const o of objects) {
    if (!isPlainObject(o) || typeof o.kind !== "string" || !(o.kind in WORKLOADS)) continue;
    if (isOurs(o) || isLocalConfig(o)) continue;
    const spec = get(o, WORKLOADS[o.kind]);
    if (!isPlainObject(spec)) continue;
    for (const field of ["initContainers", "containers"]) {
      const list = spec[field];
      if (!Array.isArray(list)) continue;
      list.forEach((c, i) => {
        if (!isPlainObject(c) || !("image" in c)) return;
        const img = c.image;
        if (typeof img !== "string" || img.trim() === "") {
          notes.push(`${describe(o)} ${field}[${i}].image is ${JSON.stringify(img)} (ignored)`);
          return;
        }
        if (img !== img.trim()) notes.push(`${describe(o)} ${field}[${i}].image ${JSON.stringify(img)} has surrounding space`);
        images.push(img);
      });
    }
  }
  return { images, notes };
}

function hostOnly(normalised) {
  let h = normalised.slice(0, normalised.indexOf("/"));
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  const c = h.lastIndexOf(":");
  if (c >= 0) h = h.slice(0, c);
  return h.toLowerCase();
}

// localhost, 127.0.0.0/8, [::1]: not reachable from the registry pod
function isLoopback(normalised) {
  const full = normalised.slice(0, normalised.indexOf("/"));
  const h = hostOnly(normalised);
  return h === "localhost" || h.startsWith("127.") || full.startsWith("[::1]");
}

// The mirror's repository path: the host made a valid path component
// (brackets dropped, ':' -> '-'), the rest unchanged.
export function mirrorPath(normalised) {
  const slash = normalised.indexOf("/");
  return normalised.slice(0, slash).replace(/[[\]]/g, "").replace(/:/g, "-") + normalised.slice(slash);
}

// name, name.<ns>, name.<ns>.svc, name.<ns>.svc.<any domain>
function dnsForms(h, name, ns) {
  const svc = `${name}.${ns}.svc`;
  return h === name || h === `${name}.${ns}` || h === svc || h.startsWith(`${svc}.`);
}

function isOwn(normalised, cfg) {
  if (isLoopback(normalised)) return true;
  const h = hostOnly(normalised);
  const ip = parseIP(h), own = parseIP(cfg.clusterIP);
  if (ip && own && ip.v6 === own.v6 && ip.n === own.n) return true;
  const ns = cfg.namespace.toLowerCase();
  if (dnsForms(h, REGISTRY_SERVICE, ns) || dnsForms(h, HEADLESS_SERVICE, ns)) return true;
  const replica = /^registry-[0-9]+(\.(.*))?$/.exec(h);
  if (replica && (replica[2] === undefined || dnsForms(replica[2], HEADLESS_SERVICE, ns))) return true;
  return cfg.hostnames.some((x) => x.toLowerCase() === h);
}

const bytewise = (a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

export function expectedPreload(objects, cfg) {
  const all = [];
  const notes = [];
  for (const p of cfg.preload) {
    if (p === "auto") {
      const r = inputImages(objects);
      all.push(...r.images);
      notes.push(...r.notes);
    } else if (p !== "none") {
      all.push(p);
    }
  }
  const set = new Set();
  const own = new Set();
  const invalid = new Set();
  for (const img of all) {
    const n = normalizeImage(img);
    if (!validReference(n)) invalid.add(img);
    else if (isOwn(n, cfg)) own.add(n);
    else set.add(n);
  }
  for (const x of invalid) notes.push(`not a valid image reference, left out: ${JSON.stringify(x)}`);
  return { list: [...set].sort(bytewise), own: [...own].sort(bytewise), notes };
}

// ------------------------------------------------------------------- main

function usage(msg) {
  if (msg) process.stderr.write(`preload.mjs: ${msg}\n`);
  process.stderr.write("usage: node tests/schema/preload.mjs INPUT OUTPUT [--namespace NS] [--hostname H]... [--cluster-ip IP]\n" +
    "         [--service-cidr CIDR] [--cluster-domain D] [--preload REF]... [--expect-none] [--list]\n" +
    "         [--set PATH=VALUE]... [--config FILE] [LEGACY-CONFIG-FILE]\n");
  process.exit(2);
}

function list(a) {
  return `[${a.join(", ")}]`;
}

function main(argv) {
  const pos = [], sets = [], configFiles = [], own = { hostnames: [] };
  let expectNone = false, listOnly = false;
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i], val;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    if (eq > 0 && a !== "--set") { val = a.slice(eq + 1); a = a.slice(0, eq); }
    const need = () => {
      if (val !== undefined) return val;
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case "--namespace": own.namespace = need(); break;
      case "--hostname": own.hostnames.push(need()); break;
      case "--cluster-ip": own.clusterIP = need(); break;
      case "--service-cidr": own.serviceCIDR = need(); break;
      case "--cluster-domain": own.clusterDomain = need(); break;
      case "--preload": (own.preload ??= []).push(need()); break;
      case "--expect-none": expectNone = true; break;
      case "--list": listOnly = true; break;
      case "--set": {
        const v = need();
        const k = v.indexOf("=");
        if (k <= 0) usage(`--set ${v}: expected PATH=VALUE`);
        sets.push([v.slice(0, k), v.slice(k + 1)]);
        break;
      }
      case "--config": configFiles.push(need()); break;
      case "-h": case "--help": usage(); break;
      default:
        if (a.startsWith("-") && a !== "-") usage(`unknown option ${a}`);
        pos.push(a);
    }
  }
  if (pos.length < 2) usage("need INPUT and OUTPUT");
  if (pos.length > 3) usage(`unexpected argument ${pos[3]}`);
  const [input, output, legacy] = pos;
  if (legacy !== undefined) configFiles.push(legacy);

  const say = (s) => process.stdout.write(`${s}\n`);
  const finish = (ok, line) => {
    say(line);
    say(`preload: ${ok === true ? 1 : 0} passed, ${ok === false ? 1 : 0} failed`);
    process.exit(ok === false ? 1 : 0);
  };

  let inText, outText;
  try {
    inText = readText(input);
    outText = listOnly ? "" : readText(output);
  } catch (e) {
    return finish(false, `not ok - preload ${input}: cannot read: ${e.message}`);
  }

  const inp = loadStream(inText);
  const out = loadStream(outText);
  if (out.errors.length) return finish(false, `not ok - preload ${input}: OUTPUT YAML: ${out.errors.join("; ")}`);

  const cfg = defaults();
  try {
    for (const f of configFiles) loadConfigFile(cfg, f);
  } catch (e) {
    usage(`config: ${e.message}`);
  }
  if (inp.krm && inp.krm.kind === "ResourceList") applyConfigDoc(cfg, inp.krm.functionConfig);
  for (const [k, v] of sets) setPath(cfg, k, v);
  for (const k of ["namespace", "clusterIP", "serviceCIDR", "clusterDomain", "preload"]) {
    if (own[k] !== undefined) cfg[k] = own[k];
  }
  cfg.hostnames.push(...own.hostnames);
  if (cfg.clusterIP === "") {
    try {
      cfg.clusterIP = twentiethAddress(cfg.serviceCIDR);
    } catch (e) {
      usage(e.message);
    }
  }

  if (listOnly) {
    if (inp.errors.length) usage(`INPUT YAML: ${inp.errors.join("; ")}`);
    const e = expectedPreload(inp.objects, cfg);
    for (const n of e.notes) say(`# note - ${n}`);
    for (const x of e.own) say(`# own - ${x}`);
    for (const x of e.list) say(x);
    process.exit(0);
  }

  const cms = findSyncConfigMaps(out.objects, cfg.namespace);
  const elsewhere = findSyncConfigMaps(out.objects).filter((c) => !cms.includes(c));
  if (elsewhere.length) say(`# note - preload ${input}: registry-sync ConfigMap outside namespace ${cfg.namespace}: ${elsewhere.map(objName).join(", ")}`);
  if (cms.length === 0 && !expectNone) {
    return finish(null, `# skip - preload ${input}: no registry-sync ConfigMap in namespace ${cfg.namespace} of ${output}`);
  }
  if (cms.length > 1) return finish(false, `not ok - preload ${input}: ${cms.length} registry-sync ConfigMaps in ${cfg.namespace}`);

  if (inp.errors.length) return finish(false, `not ok - preload ${input}: INPUT YAML: ${inp.errors.join("; ")} (yet OUTPUT has a registry-sync ConfigMap)`);
  const exp = expectNone ? { list: [], own: [], notes: [] } : expectedPreload(inp.objects, cfg);
  for (const n of exp.notes) say(`# note - preload ${input}: ${n}`);
  if (exp.own.length) say(`# note - preload ${input}: left out as the add-on's own registry: ${list(exp.own)}`);

  let actual = [];
  const reasons = [];
  if (cms.length === 1) {
    const cm = cms[0];
    const text = isPlainObject(cm.data) ? cm.data[WRITER_KEY] : undefined;
    if (typeof text !== "string") return finish(false, `not ok - preload ${input}: ConfigMap has no string data.${WRITER_KEY}`);
    const { value, errors } = parseRegsync(text, WRITER_KEY);
    if (value === undefined) return finish(false, `not ok - preload ${input}: ${errors.join("; ")}`);
    const sync = isPlainObject(value) && Array.isArray(value.sync) ? value.sync : [];
    actual = sync.filter((e) => isPlainObject(e));
    const other = actual.filter((e) => e.type !== "image");
    if (other.length) reasons.push(`${WRITER_KEY} has entries of type ${list(other.map((e) => JSON.stringify(e.type)))} (only image)`);
    const rtext = isPlainObject(cm.data) ? cm.data[REPLICA_KEY] : undefined;
    if (typeof rtext !== "string") return finish(false, `not ok - preload ${input}: ConfigMap has no string data.${REPLICA_KEY}`);
    const r = parseRegsync(rtext, REPLICA_KEY);
    if (r.value === undefined) return finish(false, `not ok - preload ${input}: ${r.errors.join("; ")}`);
    const rimages = (isPlainObject(r.value) && Array.isArray(r.value.sync) ? r.value.sync : []).filter((e) => isPlainObject(e) && e.type === "image");
    if (rimages.length) reasons.push(`${REPLICA_KEY} copies images from upstreams: ${list(rimages.map((e) => e.source))}`);
  }

  const sources = actual.map((e) => e.source);
  const nonString = actual.filter((e) => typeof e.source !== "string");
  if (nonString.length) reasons.push(`non-string source ${list(nonString.map((e) => JSON.stringify(e.source)))}`);
  const want = new Set(exp.list), have = new Set(sources.filter((s) => typeof s === "string"));
  const missing = exp.list.filter((x) => !have.has(x));
  const extra = [...have].filter((x) => !want.has(x)).sort(bytewise);
  if (missing.length || extra.length) reasons.push(`missing ${list(missing)} extra ${list(extra)}`);
  const dups = [...new Set(sources.filter((s, i) => sources.indexOf(s) !== i))];
  if (dups.length) reasons.push(`duplicate ${list(dups)}`);
  const badTarget = actual.filter((e) => typeof e.source === "string" && e.target !== `${MIRROR}/${mirrorPath(e.source)}`);
  if (badTarget.length) reasons.push(`wrong target ${list(badTarget.map((e) => `${e.source} -> ${e.target}`))}`);
  const strs = sources.filter((s) => typeof s === "string");
  const sorted = [...strs].sort(bytewise);
  const firstOff = strs.findIndex((s, i) => s !== sorted[i]);
  if (firstOff >= 0) reasons.push(`not in bytewise order at image entry ${firstOff}: ${strs[firstOff]} (expected ${sorted[firstOff]} there)`);

  if (reasons.length) return finish(false, `not ok - preload ${input}: ${reasons.join("; ")}`);
  return finish(true, `ok - preload ${input} (${exp.list.length} images)`);
}

runIfMain(import.meta.url, "preload.mjs", main);
