#!/usr/bin/env node
// The JSON Schema of `registry-addon --schema` against the program itself, with
// ajv (draft 2020-12): the schema compiles; --print-defaults, --print-config and
// every config fixture (fixtures/config/*.yaml) the program accepts validate;
// documents the program refuses (wrong types, values outside an enum or range,
// unknown keys, duplicate list entries, an empty access-mode list) are refused by
// the schema too. The schema may refuse more (a YAML number where a string goes).
//
// Usage: node tests/schema/configschema.mjs BIN
// Output: `ok - configschema ...` / `not ok - ...`, then `configschema: N passed, N failed`.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import Ajv2020 from "ajv/dist/2020.js";

const bin = process.argv[2];
if (!bin) {
  console.error("usage: node tests/schema/configschema.mjs BIN");
  process.exit(2);
}
let pass = 0, fail = 0;
const ok = (name) => { pass++; console.log(`ok - configschema ${name}`); };
const bad = (name, why) => {
  fail++;
  console.log(`not ok - configschema ${name}`);
  if (why) console.log(String(why).split("\n").slice(0, 12).map((l) => `    ${l}`).join("\n"));
};

// BIN args... < input: { status, stdout, stderr }
const run = (args, input = "") => spawnSync(bin, args, { input, encoding: "utf8" });
const yamlDocs = (text) => parseAllDocuments(text).map((d) => d.toJS());

const schemaRun = run(["--schema"]);
let validate;
try {
  const schema = JSON.parse(schemaRun.stdout);
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
  validate = ajv.compile(schema);
  ok("--schema compiles (draft 2020-12, strict)");
} catch (e) {
  bad("--schema compiles (draft 2020-12, strict)", `${e}\n${schemaRun.stderr}`);
  console.log(`configschema: ${pass} passed, ${fail} failed`);
  process.exit(1);
}
const errs = () => JSON.stringify(validate.errors, null, 1);

// accepted: a document the program takes must validate
const accepted = (name, text) => {
  const docs = yamlDocs(text);
  if (docs.length !== 1) return bad(`${name}: one document`, `${docs.length} documents`);
  if (validate(docs[0])) ok(`${name} validates`);
  else bad(`${name} validates`, errs());
};

const defaults = run(["--print-defaults"]);
accepted("--print-defaults", defaults.stdout);
const printed = run(["--config", "fixtures/config/full.yaml", "--set", "registry.replicas=7", "--print-config"]);
if (printed.status !== 0) bad("--print-config runs", printed.stderr);
else accepted("--print-config of fixtures/config/full.yaml", printed.stdout);

// every config fixture: the ones the program accepts validate; the refused ones are listed
for (const f of readdirSync("fixtures/config").filter((n) => n.endsWith(".yaml")).sort()) {
  const path = `fixtures/config/${f}`;
  const r = run(["--config", path]);
  if (r.status === 0) accepted(path, readFileSync(path, "utf8"));
  else console.log(`# ${path}: refused by the program (exit ${r.status}), not a schema case`);
}

// refused by both: each a spec (YAML) of a document the program refuses
const head = "apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\n";
const invalid = {
  "unknown field": "spec:\n  registry:\n    replica: 3\n",
  "unknown top-level key": "spec: {}\nstatus: {}\n",
  "enum value outside the list": "spec:\n  tls:\n    mode: vault\n",
  "integer above its maximum": "spec:\n  registry:\n    replicas: 101\n",
  "integer below its minimum": "spec:\n  registry:\n    replicas: 0\n",
  "a string where an integer goes": "spec:\n  registry:\n    replicas: \"3\"\n",
  "a string where a boolean goes": "spec:\n  registry:\n    storage:\n      emptyDir: \"yes\"\n",
  "a set entry outside the list": "spec:\n  components: [registry, dns]\n",
  "a duplicate set entry": "spec:\n  components: [registry, registry]\n",
  "an empty access-mode list": "spec:\n  registry:\n    storage:\n      accessModes: []\n",
  "a group that is not a mapping": "spec:\n  registry: 3\n",
  "a mapping where a list goes": "spec:\n  registry:\n    tolerations: {a: b}\n",
  "an empty namespace": "spec:\n  namespace: \"\"\n",
};
// whole documents
const invalidDocs = {
  "a wrong kind": "apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAdd\nspec: {}\n",
  "a wrong apiVersion": "apiVersion: registry-addon.dev/v1\nkind: RegistryAddon\nspec: {}\n",
};
const cases = [
  ...Object.entries(invalid).map(([name, spec]) => [name, head + spec]),
  ...Object.entries(invalidDocs),
];
for (const [name, text] of cases) {
  const p = run(["--config", "/dev/stdin"], text);
  const byProgram = p.status !== 0;
  const bySchema = !validate(yamlDocs(text)[0]);
  if (byProgram && bySchema) ok(`refused by both: ${name}`);
  else bad(`refused by both: ${name}`, `program exit ${p.status}, schema ${bySchema ? "refuses" : "accepts"}\n${p.stderr}`);
}

console.log(`configschema: ${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
