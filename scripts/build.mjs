// Bundles the four entry points into dist/ (CommonJS, Node 20). `vscode` stays external:
// only the extension host provides it.

import { existsSync } from "node:fs";
import { build } from "esbuild";

const entries = [
  { in: "extension/extension.ts", out: "extension" },
  // The language client library is large; the extension requires this bundle only when the first assembly
  // file opens, so activation stays cheap and extension.js small.
  { in: "extension/language-client.ts", out: "language-client" },
  { in: "language-server/server.ts", out: "server" },
  // The language server's assembler worker thread on its own (the server falls back to itself without it).
  { in: "language-server/assembler-worker-main.ts", out: "assembler-worker" },
  { in: "debug-adapter/main.ts", out: "debug-adapter" },
  { in: "cli/main.ts", out: "cli", banner: "#!/usr/bin/env node" },
];

const watch = process.argv.includes("--watch");
for (const e of entries) {
  if (!existsSync(e.in)) {
    console.warn(`build: ${e.in} does not exist yet, skipped`);
    continue;
  }
  await build({
    entryPoints: { [e.out]: e.in },
    outdir: "dist",
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: true,
    minify: !watch && (e.out === "extension" || e.out === "language-client"),
    external: ["vscode"],
    banner: e.banner ? { js: e.banner } : undefined,
    logLevel: "warning",
  });
}
