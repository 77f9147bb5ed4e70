// Starts a real VS Code (code-server) with the built extension installed: shared by `npm run vscode`
// (scripts/vscode/start.mjs) and the end-to-end tests (test/e2e/). Plain JavaScript so `node` runs it without
// a TypeScript loader; its types are in code-server.d.mts.
//
// Everything lives under one folder (`root`): the code-server config, a user-data folder whose profile
// settings give a clean window (no Welcome page, no chat, no telemetry, no update checks, no workspace
// trust prompt) and an extensions folder holding a copy of the extension. Nothing is downloaded.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");

/** Where scripts/vscode/install.sh puts its launcher (overridable with VMX_CODE_SERVER). */
export function codeServerPath() {
  const p =
    process.env.VMX_CODE_SERVER || join(process.env.VMX_TOOLS_DIR || join(repoRoot, ".tools"), "bin/code-server");
  return existsSync(p) ? p : undefined;
}

/** Debian's chromium (overridable with VMX_CHROMIUM). */
export function chromiumPath() {
  const p = process.env.VMX_CHROMIUM || "/usr/bin/chromium";
  return existsSync(p) ? p : undefined;
}

/** User settings of the profile: a quiet, deterministic window. */
export const PROFILE_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.layoutControl.enabled": false,
  "window.commandCenter": false,
  "chat.disableAIFeatures": true,
  "chat.commandCenter.enabled": false,
  "chat.agent.enabled": false,
  "chat.setupFromDialog": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "update.showReleaseNotes": false,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "security.workspace.trust.enabled": false,
  "git.enabled": false,
  "git.openRepositoryInParentFolders": "never",
  "npm.autoDetect": "off",
  "task.autoDetect": "off",
  "editor.accessibilitySupport": "off",
  "files.hotExit": "off",
  "window.restoreWindows": "none",
};

/** What the extension needs at run time, as `vsce package` would ship it (paths relative to the repo). */
const EXTENSION_PARTS = [
  "package.json",
  "dist",
  "syntaxes",
  "language",
  "snippets",
  "walkthrough",
  "examples",
  "images",
  "media",
  "README.md",
  "LICENSE",
  "LICENSE.md",
  "CHANGELOG.md",
];

/**
 * Copies the built extension from `source` (the repository, or an unpacked .vsix's `extension/` folder) into
 * `extensionsDir` and registers it in the folder's extensions.json, as `code-server --install-extension`
 * would. Returns the extension id (publisher.name).
 */
export function installExtensionCopy(extensionsDir, source = repoRoot) {
  const manifest = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
  const id = `${manifest.publisher}.${manifest.name}`;
  const main = manifest.main ? join(source, manifest.main) : undefined;
  if (main && !existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const folder = `${id}-${manifest.version}`;
  const target = join(extensionsDir, folder);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const part of EXTENSION_PARTS) {
    const from = join(source, part);
    if (!existsSync(from)) continue;
    cpSync(from, join(target, part), {
      recursive: true,
      filter: (p) => !p.endsWith(".map") && !p.endsWith(".ts"),
    });
  }
  const entry = {
    identifier: { id },
    version: manifest.version,
    location: { $mid: 1, path: target, scheme: "file" },
    relativeLocation: folder,
    metadata: { installedTimestamp: Date.now(), source: "vsix" },
  };
  writeFileSync(join(extensionsDir, "extensions.json"), JSON.stringify([entry]));
  return id;
}

/**
 * Starts code-server on 127.0.0.1 (a free port unless `port` is given) with `folder` open.
 * Resolves once it listens: { url (with ?folder=), port, root, process, stop() }.
 */
export async function startCodeServer(options) {
  const { folder, root, port = 0, settings = {}, extensionSource = repoRoot, vsix, log } = options;
  const bin = codeServerPath();
  if (!bin) throw new Error("code-server is not installed: run `bash scripts/vscode/install.sh`");
  const userData = join(root, "user-data");
  const extensions = join(root, "extensions");
  mkdirSync(join(userData, "User"), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(join(userData, "User", "settings.json"), JSON.stringify({ ...PROFILE_SETTINGS, ...settings }, null, 2));
  const config = join(root, "config.yaml");
  writeFileSync(config, "auth: none\ncert: false\n");
  // code-server keeps its own state under XDG folders: keep them inside `root` too.
  const env = { ...process.env, XDG_DATA_HOME: join(root, "xdg-data"), XDG_CONFIG_HOME: join(root, "xdg-config") };
  if (vsix) {
    // The packaged extension, installed the way a user installs a .vsix.
    const r = spawnSync(
      bin,
      [
        "--config",
        config,
        "--user-data-dir",
        userData,
        "--extensions-dir",
        extensions,
        "--install-extension",
        resolve(vsix),
      ],
      { env, encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed:\n${r.stdout}${r.stderr}`);
  } else {
    installExtensionCopy(extensions, extensionSource);
  }

  const args = [
    "--config",
    config,
    "--bind-addr",
    `127.0.0.1:${port}`,
    "--auth",
    "none",
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    "--disable-proxy",
    "--user-data-dir",
    userData,
    "--extensions-dir",
    extensions,
    folder,
  ];
  const child = spawn(bin, args, {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const listening = new Promise((resolveListening, reject) => {
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      log?.(text);
      const m = /HTTP server listening on https?:\/\/[^:\s]+:(\d+)/.exec(output);
      if (m) resolveListening(Number(m[1]));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code, signal) =>
      reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${output.slice(-4000)}`)),
    );
    setTimeout(
      () => reject(new Error(`code-server did not listen within 60 s:\n${output.slice(-4000)}`)),
      60_000,
    ).unref();
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      // The whole process group: code-server forks its server and the extension hosts.
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  let actualPort;
  try {
    actualPort = await listening;
  } catch (e) {
    await stop();
    throw e;
  }
  const base = `http://127.0.0.1:${actualPort}/`;
  return {
    url: `${base}?folder=${encodeURIComponent(folder)}`,
    base,
    port: actualPort,
    root,
    process: child,
    output: () => output,
    stop,
  };
}
