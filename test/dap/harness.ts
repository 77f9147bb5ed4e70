// Test harness for the protocol tests: bundles debug-adapter/main.ts with esbuild (as the product build does)
// into a temporary directory once per process, and starts it over stdio under @vscode/debugadapter-testsupport's
// DebugClient.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { buildSync } from "esbuild";

export const ROOT = resolve(__dirname, "../..");
export const FIXTURES = join(__dirname, "fixtures");
export const fixture = (name: string) => join(FIXTURES, name);

let bundled: string | undefined;

/** The adapter bundled from the current sources (never a stale dist/). */
export function adapterPath(): string {
  if (bundled) return bundled;
  const dir = mkdtempSync(join(tmpdir(), "vmx-dap-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, "debug-adapter.js");
  buildSync({
    entryPoints: [join(ROOT, "debug-adapter/main.ts")],
    outfile: out,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: true,
    logLevel: "error",
  });
  bundled = out;
  return out;
}

export async function startClient(): Promise<DebugClient> {
  const dc = new DebugClient(process.execPath, adapterPath(), "vmx", undefined, true);
  dc.defaultTimeout = 10_000;
  await dc.start();
  return dc;
}

/** initialize → launch; breakpoints are set in `configure` between `initialized` and configurationDone. */
export async function launch(
  dc: DebugClient,
  args: Record<string, unknown>,
  configure?: () => Promise<unknown>,
): Promise<DebugProtocol.LaunchResponse> {
  await dc.initializeRequest({ adapterID: "vmx", linesStartAt1: true, columnsStartAt1: true, pathFormat: "path" });
  const initialized = dc.waitForEvent("initialized");
  const launched = dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  // A launch that fails (e.g. assembly errors) never sends `initialized`: its error response ends the wait.
  await Promise.race([initialized, launched]);
  if (configure) await configure();
  await dc.configurationDoneRequest();
  return launched;
}

export async function waitStopped(dc: DebugClient, timeout = 10_000): Promise<DebugProtocol.StoppedEvent> {
  return (await dc.waitForEvent("stopped", timeout)) as DebugProtocol.StoppedEvent;
}

export async function topFrame(dc: DebugClient): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  const f = st.body.stackFrames[0];
  if (!f) throw new Error("no stack frame");
  return f;
}

export async function evaluate(dc: DebugClient, expression: string, context = "watch"): Promise<string> {
  const r = await dc.evaluateRequest({ expression, context, frameId: 1 });
  return r.body.result;
}

/** Sends a request and returns the error message of its (expected) failure response. */
export async function expectError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected an error response");
}

/** Sends a request and returns the raw response, failed or not (to inspect an error's `body.error`). */
export function rawRequest(dc: DebugClient, command: string, args?: unknown): Promise<DebugProtocol.Response> {
  // The test client's send() turns a failure into an Error with the message only; doSend gives the response.
  const client = dc as unknown as {
    doSend(command: string, args: unknown, callback: (r: DebugProtocol.Response) => void): void;
  };
  return new Promise((resolve) => client.doSend(command, args, resolve));
}
