// Process entry of the debug adapter (bundled to dist/debug-adapter.js): DAP over stdin/stdout.
import { DebugSession } from "@vscode/debugadapter";
import { VmxDebugSession } from "./session";

// The adapter must never die under the editor: log what escaped every handler and keep serving.
process.on("uncaughtException", (e) => {
  process.stderr.write(`vmx debug adapter: uncaught ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
});
process.on("unhandledRejection", (e) => {
  process.stderr.write(
    `vmx debug adapter: unhandled rejection ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
});

DebugSession.run(VmxDebugSession);
