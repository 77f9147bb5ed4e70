// Test harness: bundles language-server/server.ts with esbuild into a temporary directory (never a stale
// dist/), starts it as a child process over stdio and talks to it with vscode-languageserver-protocol's client
// side.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import {
  createProtocolConnection,
  type Diagnostic,
  InitializeRequest,
  LogMessageNotification,
  type ProtocolConnection,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { SERVER_NODE_OPTIONS } from "../../protocol/server-launch";

let bundled: Promise<string> | undefined;

/** Bundles the server once per test process. */
export function bundleServer(): Promise<string> {
  bundled ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "vmx-ls-"));
    const outfile = join(dir, "server.js");
    // Both bundles the build makes for the server (scripts/build.mjs): the server finds its worker beside it.
    await build({
      entryPoints: [
        { in: join(__dirname, "..", "..", "language-server", "server.ts"), out: "server" },
        { in: join(__dirname, "..", "..", "language-server", "assembler-worker-main.ts"), out: "assembler-worker" },
      ],
      outdir: dir,
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      logLevel: "error",
    });
    return outfile;
  })();
  return bundled;
}

export interface ServerSession {
  connection: ProtocolConnection;
  process: ChildProcess;
  stderr: string[];
  /** Resolves with the next diagnostics for `uri` that satisfy `accept` (default: any). */
  diagnostics(
    uri: string,
    accept?: (p: PublishDiagnosticsParams) => boolean,
    timeoutMs?: number,
  ): Promise<Diagnostic[]>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Client capabilities sent in initialize (default: none). */
  capabilities?: Record<string, unknown>;
  /** Answers the server's client/registerCapability requests (default: the request fails as unknown). */
  onRegisterCapability?: (params: unknown) => void;
}

export async function startServer(
  initializationOptions: unknown = {},
  rootPath?: string,
  options: StartOptions = {},
): Promise<ServerSession> {
  const serverJs = await bundleServer();
  // VMX_LS_NODE_ARGS: extra node options for the server process (e.g. `--cpu-prof` when profiling the bench).
  const nodeArgs = process.env.VMX_LS_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  // As the extension starts it (protocol/server-launch.ts).
  const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, ...nodeArgs, serverJs, "--stdio"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  child.stderr!.on("data", (b: Buffer) => stderr.push(b.toString()));
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const latest = new Map<string, PublishDiagnosticsParams>();
  const waiters: {
    uri: string;
    accept: (p: PublishDiagnosticsParams) => boolean;
    resolve: (d: Diagnostic[]) => void;
  }[] = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    latest.set(p.uri, p);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.uri === p.uri && w.accept(p)) {
        waiters.splice(i, 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  connection.onNotification(LogMessageNotification.type, (p) => {
    stderr.push(p.message);
  });
  const onRegister = options.onRegisterCapability;
  if (onRegister) connection.onRequest("client/registerCapability", (params: unknown) => onRegister(params));
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: rootPath ? `file://${rootPath}` : null,
    capabilities: options.capabilities ?? {},
    initializationOptions,
    workspaceFolders: null,
  });
  await connection.sendNotification("initialized", {});
  return {
    connection,
    process: child,
    stderr,
    diagnostics(uri, accept = () => true, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${stderr.join("")}`)),
          timeoutMs,
        );
        waiters.push({
          uri,
          accept,
          resolve: (d) => {
            clearTimeout(timer);
            resolve(d);
          },
        });
      });
    },
    async close() {
      try {
        await connection.sendRequest("shutdown");
        await connection.sendNotification("exit");
      } catch {
        // the process may already be gone
      }
      connection.dispose();
      child.kill();
    },
  };
}
