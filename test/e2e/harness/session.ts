// One end-to-end session per test file: a workspace (a copy of examples/ plus test/e2e/fixtures/), one
// code-server with the built extension installed, one headless Debian chromium driven by playwright-core.
// Nothing is downloaded: code-server comes from scripts/vscode/install.sh, chromium from Debian.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import {
  chromiumPath,
  codeServerPath,
  type RunningCodeServer,
  repoRoot,
  startCodeServer,
} from "../../../scripts/vscode/code-server.mjs";

export const SCREENSHOT_DIR = join(repoRoot, "test-output", "e2e");
export const FIXTURES = join(repoRoot, "test", "e2e", "fixtures");

/**
 * Why the end-to-end tests cannot run here (code-server, chromium or playwright-core missing), or undefined.
 * Only a missing tool is a reason to skip: a missing build or a broken extension fails the tests.
 */
export function e2eSkipReason(): string | undefined {
  const missing: string[] = [];
  if (!codeServerPath()) missing.push("code-server (bash scripts/vscode/install.sh)");
  if (!chromiumPath()) missing.push("chromium (apt-get install chromium)");
  try {
    require.resolve("playwright-core");
  } catch {
    missing.push("playwright-core (npm ci)");
  }
  return missing.length ? `end-to-end tests need ${missing.join(", ")}` : undefined;
}

export interface E2eSession {
  page: Page;
  /** The opened folder: a copy of examples/ with the fixtures in fixtures/. */
  workspace: string;
  server: RunningCodeServer;
  /** Saves test-output/e2e/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Saves test-output/e2e/<session>-end-<test name>.png: the window as a test left it (pass or fail). */
  screenshotAfter(testName: string): Promise<void>;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Names the folder test-output/e2e/logs/<name>/ that keeps the VS Code logs of the session. */
  name: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
}

/** Debian's chromium, headless, quiet, with a fresh profile in `profileDir`. */
export async function launchBrowser(profileDir: string): Promise<BrowserContext> {
  const { chromium } = await import("playwright-core");
  return chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-extensions",
      "--no-default-browser-check",
      // Only code-server on the loopback address is reachable: the tests never depend on the network.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
}

/** Opens the workbench at `url` and waits until the explorer lists the folder. */
export async function openWorkbench(context: BrowserContext, url: string): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  await page.goto(url);
  await page.locator(".monaco-workbench .part.statusbar").waitFor({ state: "visible", timeout: 60_000 });
  await page.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ state: "visible", timeout: 60_000 });
  return page;
}

/**
 * Starts code-server and chromium and opens the workspace. The extension comes from the repository (its
 * package.json and dist/) or, when VMX_E2E_EXTENSION names a folder, from there (e.g. an unpacked .vsix).
 */
export async function openSession(options: SessionOptions): Promise<E2eSession> {
  const root = mkdtempSync(join(tmpdir(), "vmx-e2e-"));
  const workspace = join(root, "workspace");
  cpSync(join(repoRoot, "examples"), workspace, { recursive: true });
  if (existsSync(FIXTURES)) cpSync(FIXTURES, join(workspace, "fixtures"), { recursive: true });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });

  let server: RunningCodeServer | undefined;
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close().catch(() => {});
    await server?.stop();
    // The extension host's and the language server's logs, for a failure in CI.
    const logs = join(root, "code-server", "user-data", "logs");
    const kept = join(SCREENSHOT_DIR, "logs", options.name);
    rmSync(kept, { recursive: true, force: true });
    if (existsSync(logs)) cpSync(logs, kept, { recursive: true });
    // VMX_E2E_KEEP=1 keeps the folder (profile, logs under code-server/user-data/logs, workspace) to debug a run.
    if (process.env.VMX_E2E_KEEP) console.log(`e2e: kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
  try {
    server = await startCodeServer({
      folder: workspace,
      root: join(root, "code-server"),
      settings: options.settings ?? {},
      extensionSource: process.env.VMX_E2E_EXTENSION || repoRoot,
      ...(process.env.VMX_E2E_VSIX ? { vsix: process.env.VMX_E2E_VSIX } : {}),
    });
    context = await launchBrowser(join(root, "chromium-profile"));
    const page = await openWorkbench(context, server.url);
    const screenshot = async (name: string) => {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path });
      return path;
    };
    const screenshotAfter = async (testName: string) => {
      const slug = testName
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .slice(0, 60);
      await screenshot(`${options.name}-end-${slug}`).catch(() => {});
    };
    return { page, workspace, server, screenshot, screenshotAfter, close };
  } catch (e) {
    const log = server?.output().slice(-3000) ?? "";
    await close();
    throw log ? new Error(`${e instanceof Error ? e.message : String(e)}\n--- code-server log ---\n${log}`) : e;
  }
}
