// End to end: the README's `npm run vscode` (scripts/vscode/start.mjs) — it prints the address of a VS Code
// on 127.0.0.1 with no login, examples/ open and the extension installed, and Ctrl+C stops it and removes
// its temporary profile. Screenshot: test-output/e2e/quick-start.png.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { BrowserContext } from "playwright-core";
import { repoRoot } from "../../scripts/vscode/code-server.mjs";
import { e2eSkipReason, launchBrowser, openWorkbench, SCREENSHOT_DIR } from "./harness/session";
import { openFile, until } from "./harness/workbench";

const skip = e2eSkipReason();

/** The same extension the other e2e tests install (VMX_E2E_EXTENSION / VMX_E2E_VSIX), as start.mjs options. */
function extensionArgs(): string[] {
  if (process.env.VMX_E2E_VSIX) return ["--vsix", process.env.VMX_E2E_VSIX];
  if (process.env.VMX_E2E_EXTENSION) return ["--extension", process.env.VMX_E2E_EXTENSION];
  return [];
}

describe("npm run vscode", { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "vmx-quick-start-"));
  let child: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  after(async () => {
    await context?.close().catch(() => {});
    if (child && child.exitCode === null) {
      child.kill("SIGINT");
      await new Promise((r) => child?.once("exit", r));
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  test("prints the address of a VS Code with examples/ open; Ctrl+C stops it and cleans up", {
    timeout: 120_000,
  }, async () => {
    const proc = spawn(
      process.execPath,
      [join(repoRoot, "scripts/vscode/start.mjs"), "--no-build", ...extensionArgs()],
      {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child = proc;
    let out = "";
    proc.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
    });
    proc.stderr?.on("data", (b: Buffer) => {
      out += b.toString();
    });
    await until(
      async () => /Profile: /.test(out) || proc.exitCode !== null,
      60_000,
      () => `the address; start.mjs printed:\n${out}`,
    );
    const address = /VMX Workbench in VS Code \(code-server\): (\S+)/.exec(out)?.[1];
    const profile = /Profile: (\S+)/.exec(out)?.[1];
    assert.ok(address && profile, `start.mjs printed an address and its profile folder:\n${out}`);
    const url = new URL(address);
    assert.equal(url.hostname, "127.0.0.1", "bound to the loopback address only");
    assert.equal(url.searchParams.get("folder"), join(repoRoot, "examples"), "examples/ is the opened folder");
    assert.ok(existsSync(profile), "the profile folder exists while it runs");

    // No login page (--auth none): the workbench opens straight away with the examples and the extension.
    context = await launchBrowser(join(tmp, "chromium-profile"));
    const page = await openWorkbench(context, address);
    await openFile(page, "hypervisor.asm");
    await page
      .locator("#status\\.editor\\.mode", { hasText: "NASM (VMX)" })
      .waitFor({ state: "visible" })
      .finally(() => page.screenshot({ path: join(SCREENSHOT_DIR, "quick-start.png") }));
    await context.close();
    context = undefined;

    proc.kill("SIGINT");
    const code = await new Promise<number | null>((r) => proc.once("exit", r));
    assert.equal(code, 0, `Ctrl+C ends it cleanly:\n${out}`);
    assert.equal(existsSync(profile), false, "the temporary profile is removed");
    const stillServing = await fetch(address).then(
      () => true,
      () => false,
    );
    assert.equal(stillServing, false, "code-server is stopped");
  });
});
