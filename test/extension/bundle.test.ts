// dist/extension.js must stay under 200 KB (issue 8) and must not inline vscode-languageclient, which lives
// in its own bundle (dist/language-client.js) loaded at run time. Bundled here with the options of
// scripts/build.mjs, in memory.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { build } from "esbuild";

const root = join(__dirname, "..", "..");

async function bundle(entry: string) {
  const r = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    external: ["vscode"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const out = r.outputFiles[0]!;
  return { bytes: out.contents.length, text: out.text, inputs: Object.keys(r.metafile.inputs) };
}

test("extension.js is under 200 KB and does not contain the language client library", async () => {
  const { bytes, inputs } = await bundle("extension/extension.ts");
  assert.ok(bytes < 200 * 1024, `extension.js is ${bytes} bytes`);
  assert.ok(!inputs.some((i) => i.includes("vscode-languageclient")), "vscode-languageclient was inlined");
});

test("the language client bundle has the library and exports startLanguageClient", async () => {
  const { inputs, text } = await bundle("extension/language-client.ts");
  assert.ok(inputs.some((i) => i.includes("vscode-languageclient")));
  assert.match(text, /startLanguageClient:/);
});
