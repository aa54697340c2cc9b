#!/usr/bin/env node
// What the API server stand-in (tests/apiserver/serve.mjs --write) holds, against rendered files.
// Used by tests/manual.sh after each Day two block of README.md.
//
// usage: node tests/schema/standin.mjs URL has FILE
//          every object of FILE is held as FILE has it: the same fields but status and metadata,
//          the same labels and annotations (but kubectl's last-applied-configuration), the rest of
//          FILE's metadata (the stand-in adds uid, resourceVersion...)
//        node tests/schema/standin.mjs URL none FILE...
//          nothing of ours is held: no object of the FILEs, no object labelled
//          app.kubernetes.io/part-of=registry-addon, no Secret issued for a Certificate of the FILEs
//        node tests/schema/standin.mjs URL get KIND NAMESPACE NAME
//          the object, as JSON (exit 1 when it is not held)
// Output: one line per missing or different object, or per object left; exit 0 when none, 1 when
// some, 2 on a usage, read or connection error.
import { readFileSync } from "node:fs";
import { objectsOf, firstDifference } from "./sameobjects.mjs";

const [url, what, ...files] = process.argv.slice(2);
if (!url || !["has", "none", "get"].includes(what) || !files.length) {
  console.error("usage: standin.mjs URL has FILE | none FILE... | get KIND NAMESPACE NAME");
  process.exit(2);
}
let held;
try {
  const res = await fetch(`${url}/standin/objects`);
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  held = await res.json();
} catch (e) {
  console.error(`standin.mjs: ${url}/standin/objects: ${e.message}`);
  process.exit(2);
}
const read = (f) => {
  try {
    return objectsOf(readFileSync(f, "utf8"), f);
  } catch (e) {
    console.error(`standin.mjs: ${e.message}`);
    process.exit(2);
  }
};
const idOf = (o) => `${o.kind} ${o.metadata?.namespace ?? "-"}/${o.metadata?.name}`;
const same = (a, b) => idOf(a) === idOf(b) && (a.apiVersion || "v1") === (b.apiVersion || "v1");

// the first path at which WANT's fields are not in GOT with the same values
function notIn(want, got, path = "") {
  if (want && typeof want === "object" && !Array.isArray(want) && got && typeof got === "object" && !Array.isArray(got)) {
    for (const k of Object.keys(want).sort()) {
      if (!(k in got)) return `${path}.${k} (missing)`;
      const d = notIn(want[k], got[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return firstDifference(want, got, path);
}

const bad = [];
if (what === "get") {
  const [kind, ns, name] = files;
  const o = held.find((x) => x.kind === kind && (x.metadata.namespace ?? "-") === ns && x.metadata.name === name);
  if (!o) {
    console.log(`not held: ${kind} ${ns}/${name}`);
    process.exit(1);
  }
  console.log(JSON.stringify(o, null, 2));
  process.exit(0);
}
if (what === "has") {
  const want = read(files[0]);
  for (const o of want) {
    const h = held.find((x) => same(o, x));
    if (!h) { bad.push(`missing: ${idOf(o)}`); continue; }
    // what the file gives, exactly: every top-level field but metadata and status, the labels and
    // the annotations (but kubectl's last-applied-configuration); the rest of metadata as a subset
    const top = (x) => Object.fromEntries(Object.entries(x).filter(([k]) => !["metadata", "status"].includes(k)));
    const ann = (x) => {
      const a = { ...(x.metadata?.annotations || {}) };
      delete a["kubectl.kubernetes.io/last-applied-configuration"];
      return a;
    };
    // the default the stand-in fills in (serve.mjs), when the file has none
    if (o.kind === "StatefulSet" && o.spec && !o.spec.updateStrategy && h.spec) {
      h.spec = { ...h.spec };
      delete h.spec.updateStrategy;
    }
    const { labels, annotations, ...meta } = o.metadata;
    const d = firstDifference(top(o), top(h)) ?? notIn(meta, h.metadata, ".metadata") ??
      firstDifference(labels || {}, h.metadata.labels || {}, ".metadata.labels") ??
      firstDifference(ann(o), ann(h), ".metadata.annotations");
    if (d) bad.push(`differs: ${idOf(o)} at ${d}`);
  }
  bad.push(`${want.length} objects`);
  console.log(bad.join("\n"));
  process.exit(bad.length > 1 ? 1 : 0);
}
// none
const ours = files.flatMap(read);
const secrets = new Set(ours.filter((o) => o.kind === "Certificate" && o.spec?.secretName)
  .map((o) => `${o.metadata.namespace}/${o.spec.secretName}`));
for (const h of held) {
  if (ours.some((o) => same(o, h)) || h.metadata?.labels?.["app.kubernetes.io/part-of"] === "registry-addon" ||
    (h.kind === "Secret" && secrets.has(`${h.metadata.namespace}/${h.metadata.name}`))) {
    bad.push(`left: ${idOf(h)}`);
  }
}
console.log(bad.concat(`${held.length} objects held`).join("\n"));
process.exit(bad.length ? 1 : 0);
