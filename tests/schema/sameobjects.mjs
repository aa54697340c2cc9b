#!/usr/bin/env node
// Do two renders hold the same Kubernetes objects? Used to check that two
// pipelines agree (e.g. `helm template | registry-addon` and
// `helm template | kpt fn eval - --exec registry-addon -o unwrap`).
//
// Usage: node tests/schema/sameobjects.mjs A B   ('-' = stdin for one of them)
//
// Each file is a YAML stream; a List or ResourceList document stands for its
// items. Objects are matched by apiVersion, kind, namespace and name and
// compared as data read the way Kubernetes reads YAML (1.1: `yes` is a
// boolean, "5000" differs from 5000): mapping order does not matter, sequence
// order does. The pipeline tools' own bookkeeping annotations are left out
// (config.kubernetes.io/*, internal.config.kubernetes.io/*, config.k8s.io/*,
// kustomize.config.k8s.io/*, postrenderer.helm.sh/*), and an annotations map
// left empty by that counts as absent. Everything else must be equal.
//
// Output: one line per difference (`only in A: ...`, `differs: ID at PATH`),
// then `N objects, N differences`. Exit 0 when equal, 1 when not, 2 on a
// usage, read or parse error.

import { readFileSync } from "node:fs";
import { runIfMain } from "./regsync.mjs";

const { parseAllDocuments } = await import("yaml");

const BOOKKEEPING = [
  "config.kubernetes.io/", "internal.config.kubernetes.io/", "config.k8s.io/",
  "kustomize.config.k8s.io/", "postrenderer.helm.sh/",
];

export function objectsOf(text, name) {
  const out = [];
  for (const doc of parseAllDocuments(text, { version: "1.1" })) {
    if (doc.errors.length) throw new Error(`${name}: ${doc.errors[0].message}`);
    const v = doc.toJS({ maxAliasCount: -1 });
    if (v === null || v === undefined) continue;
    if (v && (v.kind === "List" || v.kind === "ResourceList") && Array.isArray(v.items)) out.push(...v.items);
    else out.push(v);
  }
  return out;
}

function strip(o) {
  const ann = o?.metadata?.annotations;
  if (ann && typeof ann === "object") {
    for (const k of Object.keys(ann)) if (BOOKKEEPING.some((p) => k.startsWith(p))) delete ann[k];
    if (Object.keys(ann).length === 0) delete o.metadata.annotations;
  }
  return o;
}

const idOf = (o) => [o?.apiVersion, o?.kind, o?.metadata?.namespace ?? "-", o?.metadata?.name].join(" ");

// the first path at which a and b differ, or null
export function firstDifference(a, b, path = "") {
  if (a === b) return null;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object" || Array.isArray(a) !== Array.isArray(b))
    return path || "/";
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${path} (length ${a.length} vs ${b.length})`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of [...keys].sort()) {
    if (!(k in a) || !(k in b)) return `${path}.${k} (only in ${k in a ? "A" : "B"})`;
    const d = firstDifference(a[k], b[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

export function compare(textA, textB) {
  const index = (list, side, lines) => {
    const m = new Map();
    for (const o of list) {
      const id = idOf(o);
      if (m.has(id)) lines.push(`duplicate in ${side}: ${id}`);
      m.set(id, strip(o));
    }
    return m;
  };
  const lines = [];
  const a = index(objectsOf(textA, "A"), "A", lines);
  const b = index(objectsOf(textB, "B"), "B", lines);
  for (const id of [...a.keys()].sort()) {
    if (!b.has(id)) { lines.push(`only in A: ${id}`); continue; }
    const d = firstDifference(a.get(id), b.get(id));
    if (d) lines.push(`differs: ${id} at ${d}`);
  }
  for (const id of [...b.keys()].sort()) if (!a.has(id)) lines.push(`only in B: ${id}`);
  return { lines, count: a.size };
}

function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write("usage: sameobjects.mjs A B\n");
    return 2;
  }
  let r;
  try {
    const read = (f) => readFileSync(f === "-" ? 0 : f, "utf8");
    r = compare(read(argv[0]), read(argv[1]));
  } catch (e) {
    process.stderr.write(`sameobjects.mjs: ${e.message}\n`);
    return 2;
  }
  for (const l of r.lines) console.log(l);
  console.log(`${r.count} objects, ${r.lines.length} differences`);
  return r.lines.length ? 1 : 0;
}

runIfMain(import.meta.url, "sameobjects.mjs", (argv) => process.exit(main(argv)));
