#!/usr/bin/env node
// No ':' in a container mount path or a hostPath path, anywhere in the given
// outputs (DESIGN.md §8): cri-dockerd hands every mount to Docker as
// "src:dst[:ro]", so a colon in either path breaks the pod on Docker nodes.
//
// Usage: node tests/schema/mountpaths.mjs FILE...
//
// Every object of each FILE (a stream, or the items of one ResourceList/List)
// is walked whole: each `volumeMounts[].mountPath` (containers, init and
// ephemeral containers, pod templates of any kind) and each `hostPath.path`
// (pod volumes, PersistentVolumes) is checked, wherever it sits (strings,
// such as a ConfigMap's data, are not read).
//
// Output: `ok - mountpaths FILE (N paths)` or `not ok - mountpaths FILE:
// Kind ns/name path.to.field: "value"`, then `mountpaths: N passed, N failed`.
// Exit 0 / 1 (a colon found or a file unreadable) / 2 (usage).

import { runIfMain, isPlainObject, loadStream, objName, readText } from "./regsync.mjs";

// Every [field path, value] of a mount or hostPath path under v.
export function mountPaths(v, path = "", out = []) {
  if (Array.isArray(v)) {
    v.forEach((x, i) => mountPaths(x, `${path}[${i}]`, out));
  } else if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      if (k === "volumeMounts" && Array.isArray(x)) {
        x.forEach((m, i) => {
          if (isPlainObject(m) && "mountPath" in m) out.push([`${p}[${i}].mountPath`, m.mountPath]);
        });
      } else if (k === "hostPath" && isPlainObject(x) && "path" in x) {
        out.push([`${p}.path`, x.path]);
      }
      mountPaths(x, p, out);
    }
  }
  return out;
}

function main(argv) {
  if (argv.length === 0 || argv.some((a) => a.startsWith("-"))) {
    process.stderr.write("usage: node tests/schema/mountpaths.mjs FILE...\n");
    process.exit(2);
  }
  let pass = 0, fail = 0;
  for (const file of argv) {
    let text;
    try {
      text = readText(file);
    } catch (e) {
      fail++;
      console.log(`not ok - mountpaths ${file}: cannot read: ${e.message}`);
      continue;
    }
    const { objects, errors } = loadStream(text);
    if (errors.length) {
      fail++;
      console.log(`not ok - mountpaths ${file}: ${errors.join("; ")}`);
      continue;
    }
    const bad = [];
    let n = 0;
    for (const o of objects) {
      for (const [field, value] of mountPaths(o)) {
        n++;
        if (typeof value !== "string" || value.includes(":")) {
          bad.push(`${isPlainObject(o) ? o.kind : "?"} ${objName(o)} ${field}: ${JSON.stringify(value)}`);
        }
      }
    }
    if (bad.length) {
      fail++;
      console.log(`not ok - mountpaths ${file}: ${bad.join("; ")}`);
    } else {
      pass++;
      console.log(`ok - mountpaths ${file} (${n} paths)`);
    }
  }
  console.log(`mountpaths: ${pass} passed, ${fail} failed`);
  process.exit(fail ? 1 : 0);
}

runIfMain(import.meta.url, "mountpaths.mjs", main);
