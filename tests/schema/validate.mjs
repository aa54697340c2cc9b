#!/usr/bin/env node
// Validate Kubernetes objects against the OpenAPI schema shipped by the npm
// packages `kubernetes-models` (all built-in API groups) and
// `@kubernetes-models/cert-manager` (cert-manager CRDs).
//
// Usage: node tests/schema/validate.mjs [--all] [--expect-some] FILE... ('-' = stdin)
//        node tests/schema/validate.mjs --list-kinds
//
// Input: a YAML stream (one or more documents), where a document of kind
// `List` or `ResourceList` stands for the objects in its `items`.
// By default only objects annotated `registry-addon.dev/generated` are
// checked; --all checks every object. A selected object whose annotation
// value is not the string "true" fails. YAML is read as YAML 1.1, like
// kubectl/sigs.k8s.io/yaml: unquoted yes/no/on/off/y/n are booleans, so
// `labels: {enabled: yes}` fails (label values must be strings).
//
// Per object it prints `ok - <apiVersion>/<kind> <ns>/<name>` (just `<name>`
// when the object has no namespace) or `not ok - ... : <error>`, then a
// summary line `schema: N passed, N failed`.
// Exit: 0 all passed; 1 some failed (or --expect-some and none checked);
//       2 usage, read or YAML parse error.
//
// Two checks run per object:
//  1. the package's own validator (`new Model(obj).validate()`): types,
//     required fields, enums, formats (int32, quantity, byte, ...).
//  2. a strict unknown-field check. The packages' schemas never set
//     `additionalProperties: false`, so (1) accepts any extra field. The
//     validators are ajv standalone code that reads `data.<prop>` for every
//     property the schema declares, and enumerates keys (`for..in`) only for
//     map-typed objects (additionalProperties: <schema>). We run the same
//     validator on a Proxy of the object that records those reads: a key
//     present in the object that the validator never looked at, in an object
//     whose schema declares properties, is an unknown field. Objects whose
//     schema declares no properties and is not a map (free-form JSON such as
//     RawExtension or cert-manager webhook `config`) are not read at all and
//     are skipped, as Kubernetes itself would accept anything there.
//     Known gap in the shipped validators: the code generator drops the
//     properties `description` and `x-kubernetes-*` from the schemas of
//     apiextensions.k8s.io (JSONSchemaProps, ExternalDocumentation,
//     CustomResourceColumnDefinition). For objects of that group those keys
//     are therefore not reported as unknown (nor type-checked). No other type
//     in the packages declares such a property.

import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let parseAllDocuments;
try {
  ({ parseAllDocuments } = await import("yaml"));
  await import("kubernetes-models/v1/Namespace");
  await import("@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer");
} catch (e) {
  process.stderr.write(`validate.mjs: dependencies not installed (${e.code || e.message}); run tests/schema/setup.sh\n`);
  process.exit(2);
}

const ANNOTATION = "registry-addon.dev/generated";
const PROVIDERS = ["kubernetes-models", "@kubernetes-models/cert-manager"];

// ---------------------------------------------------------------- kind lookup

// apiVersion -> { pkg, dir } built from each package's `exports` map: every
// export `./<version>` or `./<group>/<version>` that also has a `/*` entry is
// an API group version whose kinds live in `<dir>/<apiVersion>/<Kind>.js`.
const VERSION_RE = /^v\d+(?:(?:alpha|beta)\d+)?$/;
const GROUP_RE = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const KIND_RE = /^[A-Za-z][A-Za-z0-9]*$/;

function buildApiVersionIndex() {
  const index = new Map();
  for (const pkg of PROVIDERS) {
    const pj = fileURLToPath(import.meta.resolve(`${pkg}/package.json`));
    const dir = dirname(pj);
    const exportsMap = JSON.parse(readFileSync(pj, "utf8")).exports || {};
    for (const key of Object.keys(exportsMap)) {
      if (!key.startsWith("./") || key.includes("*")) continue;
      const apiVersion = key.slice(2);
      const parts = apiVersion.split("/");
      if (parts.length > 2 || !VERSION_RE.test(parts[parts.length - 1])) continue;
      if (parts.length === 2 && !GROUP_RE.test(parts[0])) continue;
      if (!(`${key}/*` in exportsMap)) continue;
      if (!index.has(apiVersion)) index.set(apiVersion, { pkg, dir });
    }
  }
  return index;
}

let apiIndex;
const classCache = new Map();

async function findModel(apiVersion, kind) {
  const cacheKey = `${apiVersion}\0${kind}`;
  if (classCache.has(cacheKey)) return classCache.get(cacheKey);
  let cls = null;
  const entry = apiIndex.get(apiVersion);
  if (entry && KIND_RE.test(kind) && existsSync(join(entry.dir, apiVersion, `${kind}.js`))) {
    const mod = await import(`${entry.pkg}/${apiVersion}/${kind}`);
    const c = mod[kind];
    // Only top-level resources carry static apiVersion/kind (not e.g. *Spec).
    if (typeof c === "function" && c.apiVersion === apiVersion && c.kind === kind &&
        typeof c.prototype.validate === "function") {
      cls = c;
    }
  }
  classCache.set(cacheKey, cls);
  return cls;
}

async function listKinds() {
  const out = [];
  for (const [apiVersion, { pkg }] of apiIndex) {
    const mod = await import(`${pkg}/${apiVersion}`);
    for (const c of Object.values(mod)) {
      if (typeof c === "function" && c.apiVersion === apiVersion && typeof c.kind === "string") {
        out.push(`${apiVersion}/${c.kind}\t${pkg}`);
      }
    }
  }
  out.sort();
  process.stdout.write(out.join("\n") + "\n");
}

// ------------------------------------------------------ unknown-field tracing

function isPlainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

// Wrap `value` so that reads by the validator are recorded in a tree of
// records { read: Set<string>, enumerated: bool, children: Map }.
function traced(value) {
  const rec = { read: new Set(), enumerated: false, children: new Map() };
  if (value === null || typeof value !== "object") return { proxy: value, rec };
  const proxies = new Map();
  const proxy = new Proxy(value, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return v;
      rec.read.add(key);
      if (v === null || typeof v !== "object" || !Object.prototype.hasOwnProperty.call(target, key)) return v;
      if (!proxies.has(key)) {
        const child = traced(v);
        proxies.set(key, child.proxy);
        rec.children.set(key, child.rec);
      }
      return proxies.get(key);
    },
    has(target, key) {
      if (typeof key === "string") rec.read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      rec.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
  return { proxy, rec };
}

function ptr(path, key) {
  return `${path}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

function unknownFields(value, rec, path, out, stripped) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      const r = rec.children.get(String(i));
      if (r) unknownFields(v, r, ptr(path, i), out, stripped);
    });
    return out;
  }
  if (!isPlainObject(value)) return out;
  // Free-form object: the schema declares no properties, the validator read nothing.
  if (!rec.enumerated && rec.read.size === 0) return out;
  for (const key of Object.keys(value)) {
    if (!rec.enumerated && !rec.read.has(key)) {
      if (!(stripped && stripped(key))) out.push(ptr(path, key));
      continue;
    }
    const r = rec.children.get(key);
    if (r) unknownFields(value[key], r, ptr(path, key), out, stripped);
  }
  return out;
}

// Properties missing from the shipped validators (see header), per API group.
function strippedProps(apiVersion) {
  if (apiVersion.startsWith("apiextensions.k8s.io/")) {
    return (key) => key === "description" || key.startsWith("x-kubernetes-");
  }
  return null;
}

// ------------------------------------------------------------------ checking

function describe(obj) {
  const av = typeof obj.apiVersion === "string" ? obj.apiVersion : "?";
  const kind = typeof obj.kind === "string" ? obj.kind : "?";
  const md = isPlainObject(obj.metadata) ? obj.metadata : {};
  const name = typeof md.name === "string" ? md.name : (typeof md.generateName === "string" ? `${md.generateName}*` : "?");
  const ns = typeof md.namespace === "string" && md.namespace !== "" ? `${md.namespace}/` : "";
  return `${av}/${kind} ${ns}${name}`;
}

function isGenerated(obj) {
  const md = obj.metadata;
  return isPlainObject(md) && isPlainObject(md.annotations) &&
    Object.prototype.hasOwnProperty.call(md.annotations, ANNOTATION);
}

async function checkObject(obj) {
  const errors = [];
  if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
    return ["unknown kind (missing apiVersion or kind)"];
  }
  if (isGenerated(obj) && obj.metadata.annotations[ANNOTATION] !== "true") {
    errors.push(`annotation ${ANNOTATION} must be the string "true", got ${JSON.stringify(obj.metadata.annotations[ANNOTATION])}`);
  }
  const Model = await findModel(obj.apiVersion, obj.kind);
  if (!Model) return [...errors, "unknown kind"];

  const model = new Model(obj);
  try {
    model.validate();
  } catch (e) {
    errors.push(e && e.message ? e.message : String(e));
  }
  // Strict pass: same validate function, run on a recording proxy.
  const data = model.toJSON();
  const { proxy, rec } = traced(data);
  try {
    model.validate.call(proxy);
  } catch {
    // errors already reported by the first pass
  }
  const extra = unknownFields(data, rec, "", [], strippedProps(obj.apiVersion));
  if (extra.length) errors.push(`unknown field${extra.length > 1 ? "s" : ""} ${extra.map((p) => `data${p}`).join(", ")}`);
  return errors;
}

function usage(msg) {
  if (msg) process.stderr.write(`validate.mjs: ${msg}\n`);
  process.stderr.write("usage: node tests/schema/validate.mjs [--all] [--expect-some] FILE... ('-' for stdin)\n" +
    "       node tests/schema/validate.mjs --list-kinds\n");
  process.exit(2);
}

const YAML_OPTS = {
  // Kubernetes (sigs.k8s.io/yaml, go-yaml v2) reads YAML 1.1: on/yes/off are
  // booleans, 0755 is octal; timestamps stay strings.
  version: "1.1",
  customTags: (tags) => tags.filter((t) => !/timestamp|binary/.test(t.tag || "")),
  prettyErrors: true,
};

function loadObjects(file) {
  let text;
  try {
    text = file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: ${e.message}`);
  }
  const label = file === "-" ? "<stdin>" : file;
  const objects = [];
  parseAllDocuments(text, YAML_OPTS).forEach((doc, i) => {
    if (doc.errors && doc.errors.length) {
      throw new Error(`${label}: document ${i + 1}: ${doc.errors[0].message}`);
    }
    const v = doc.toJS({ maxAliasCount: -1 });
    if (v === null || v === undefined) return; // empty document
    if (!isPlainObject(v)) throw new Error(`${label}: document ${i + 1}: not a mapping`);
    if ((v.kind === "List" || v.kind === "ResourceList") && "items" in v) {
      if (v.items === null) return;
      if (!Array.isArray(v.items)) throw new Error(`${label}: document ${i + 1}: ${v.kind}.items is not a list`);
      // a failed run gives the input's items back as they were: one that is not an object is what
      // its error result names, not something we generated
      const failed = Array.isArray(v.results) && v.results.some((r) => r && r.severity === "error");
      v.items.forEach((it, j) => {
        if (!isPlainObject(it) && failed) {
          console.log(`# skip - ${label}: document ${i + 1}: items[${j}] is not an object (the error result names it)`);
          return;
        }
        if (!isPlainObject(it)) throw new Error(`${label}: document ${i + 1}: items[${j}] is not a mapping`);
        objects.push(it);
      });
      return;
    }
    objects.push(v);
  });
  return objects;
}

async function main(argv) {
  let all = false, expectSome = false, list = false;
  const files = [];
  for (const a of argv) {
    if (a === "--all") all = true;
    else if (a === "--expect-some") expectSome = true;
    else if (a === "--list-kinds") list = true;
    else if (a === "-h" || a === "--help") usage();
    else if (a.startsWith("-") && a !== "-") usage(`unknown option ${a}`);
    else files.push(a);
  }
  apiIndex = buildApiVersionIndex();
  if (list) return listKinds();
  if (files.length === 0) usage("no input files");

  let objects = [];
  try {
    for (const f of files) objects = objects.concat(loadObjects(f));
  } catch (e) {
    process.stderr.write(`validate.mjs: ${e.message}\n`);
    process.exit(2);
  }

  let passed = 0, failed = 0;
  for (const obj of objects) {
    if (!all && !isGenerated(obj)) continue;
    const errors = await checkObject(obj);
    if (errors.length === 0) {
      passed++;
      process.stdout.write(`ok - ${describe(obj)}\n`);
    } else {
      failed++;
      process.stdout.write(`not ok - ${describe(obj)} : ${errors.join("; ")}\n`);
    }
  }
  process.stdout.write(`schema: ${passed} passed, ${failed} failed\n`);
  if (expectSome && passed + failed === 0) {
    process.stderr.write(`validate.mjs: --expect-some: no ${all ? "" : "generated "}object was validated\n`);
    process.exit(1);
  }
  process.exit(failed ? 1 : 0);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`validate.mjs: internal error: ${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});
