// V8's full garbage collection for the server and its assembler worker, without a command-line flag.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** V8's full collection, made reachable without a command-line flag (a context created after --expose-gc has it). */
export function exposeFullGc(): (() => void) | undefined {
  if (process.env.VMX_LS_IDLE_GC === "off") return undefined;
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    return typeof gc === "function" ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
