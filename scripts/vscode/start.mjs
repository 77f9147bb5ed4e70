// `npm run vscode`: a real VS Code in the browser (code-server) with the built extension installed and
// examples/ open, bound to 127.0.0.1 with no authentication, its own profile and extensions folders.
// Prints the address and runs until Ctrl+C.
//
//   node scripts/vscode/start.mjs [--port N] [--folder DIR] [--profile DIR] [--extension DIR | --vsix FILE] [--no-build]
//
// --port     port on 127.0.0.1 (default: a free one)
// --folder   folder to open (default: examples/)
// --profile  keep the profile (settings, extensions, state) in DIR across runs (default: a temporary
//            folder removed on exit)
// --extension take the extension (package.json + dist/ …) from DIR, e.g. an unpacked .vsix's extension/
//            folder (default: this repository)
// --vsix     install FILE (from `npm run package`) with `code-server --install-extension` instead
// --no-build use dist/ as it is (default: run `npm run build` first when dist/extension.js is missing)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { codeServerPath, repoRoot, startCodeServer } from "./code-server.mjs";

function usage(message) {
  console.error(
    `vscode: ${message}\nusage: npm run vscode -- [--port N] [--folder DIR] [--profile DIR] [--extension DIR | --vsix FILE] [--no-build]`,
  );
  process.exit(2);
}

const opts = {
  port: 0,
  folder: join(repoRoot, "examples"),
  profile: undefined,
  extension: repoRoot,
  vsix: undefined,
  build: true,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const value = () => argv[++i] ?? usage(`${a} needs a value`);
  if (a === "--port") {
    opts.port = Number(value());
    if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) usage("--port must be 0..65535");
  } else if (a === "--folder") opts.folder = resolve(value());
  else if (a === "--profile") opts.profile = resolve(value());
  else if (a === "--extension") opts.extension = resolve(value());
  else if (a === "--vsix") opts.vsix = resolve(value());
  else if (a === "--no-build") opts.build = false;
  else if (a === "-h" || a === "--help") usage("help");
  else usage(`unknown option ${a}`);
}

if (!codeServerPath()) {
  console.error(
    "vscode: code-server is not installed. Install it (Node 24, code-server, chromium) with:\n  bash scripts/vscode/install.sh",
  );
  process.exit(1);
}
if (!existsSync(opts.folder)) usage(`${opts.folder} does not exist`);
if (opts.build && !opts.vsix && opts.extension === repoRoot && !existsSync(join(repoRoot, "dist", "extension.js"))) {
  console.log("vscode: dist/extension.js is missing, running npm run build");
  const r = spawnSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const root = opts.profile ?? mkdtempSync(join(tmpdir(), "vmx-vscode-"));
mkdirSync(root, { recursive: true });
const cleanup = () => {
  if (!opts.profile) rmSync(root, { recursive: true, force: true });
};

let server;
try {
  server = await startCodeServer({
    folder: opts.folder,
    root,
    port: opts.port,
    extensionSource: opts.extension,
    vsix: opts.vsix,
  });
} catch (e) {
  console.error(`vscode: ${e instanceof Error ? e.message : e}`);
  cleanup();
  process.exit(1);
}
console.log(`\nVMX Workbench in VS Code (code-server): ${server.url}\n`);
console.log(`Folder: ${opts.folder}\nProfile: ${root}${opts.profile ? "" : " (removed on exit)"}\nCtrl+C stops it.`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  cleanup();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
server.process.on("exit", (code) => {
  if (stopping) return;
  console.error(`vscode: code-server exited (${code})`);
  cleanup();
  process.exit(1);
});
