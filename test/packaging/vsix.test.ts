// The .vsix holds only what the extension runs (see .vscodeignore): `vsce ls` lists what `npm run package`
// would put in it, without zipping.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = join(__dirname, "..", "..");
const vsce = join(root, "node_modules", ".bin", "vsce");

test("the packaged extension contains the bundles, grammars and examples and no sources", { timeout: 120_000 }, () => {
  assert.ok(existsSync(join(root, "dist", "extension.js")), "dist/ is built by npm ci (prepare) or npm run build");
  const out = execFileSync(vsce, ["ls", "--no-dependencies"], { cwd: root, encoding: "utf8" });
  const files = out.split("\n").filter((l) => l.trim() !== "");
  for (const f of [
    "package.json",
    "README.md",
    "LICENSE",
    "media/icon.png",
    "dist/extension.js",
    "dist/language-client.js",
    "dist/server.js",
    "dist/assembler-worker.js",
    "dist/debug-adapter.js",
    "dist/cli.js",
    "syntaxes/vmx-gas.tmLanguage.json",
    "syntaxes/vmx-nasm.tmLanguage.json",
    "examples/hypervisor.asm",
  ]) {
    assert.ok(files.includes(f), `${f} is packaged`);
  }
  const stray = files.filter((f) => /\.(ts|map)$/.test(f) || f.startsWith("node_modules/") || f.startsWith("test/"));
  assert.deepEqual(stray, [], "no TypeScript sources, source maps, tests or node_modules in the .vsix");
});

test("every file the manifest points at is packaged", { timeout: 120_000 }, () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    main: string;
    icon: string;
    contributes: Record<string, Array<Record<string, unknown>>>;
  };
  const out = execFileSync(vsce, ["ls", "--no-dependencies"], { cwd: root, encoding: "utf8" });
  const files = new Set(out.split("\n").filter((l) => l.trim() !== ""));
  const norm = (p: string) => p.replace(/^\.\//, "");
  const referenced = [pkg.main, pkg.icon];
  for (const key of ["languages", "grammars", "snippets"]) {
    for (const entry of pkg.contributes[key] ?? []) {
      const p = entry.path ?? entry.configuration;
      if (typeof p === "string") referenced.push(p);
    }
  }
  for (const p of referenced) assert.ok(files.has(norm(p)), `${p} (referenced by package.json) is packaged`);
});

test("package.json carries exactly the contributions extension/contributes.json generates", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown>;
  const fragment = JSON.parse(readFileSync(join(root, "extension", "contributes.json"), "utf8")) as Record<
    string,
    unknown
  >;
  for (const key of Object.keys(fragment)) {
    assert.deepEqual(
      pkg[key],
      fragment[key],
      `package.json "${key}" differs from extension/contributes.json: run npx tsx extension/manifest/merge-into-package-json.ts`,
    );
  }
});
