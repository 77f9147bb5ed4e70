// Where a VMCS field was written, for people: the VMWRITE's own line, and — when the debug adapter proved that
// a one-VMWRITE helper (`call vmw`) did the write — the CALL that asked for it. Decorations and "go to" use
// the call site (that is where the value came from); the text names both. Pure, no vscode import.
import type { SourceLocation, VmwriteProvenance } from "../protocol/vmx-debug";
import { baseName } from "./base-name";

/** The line that chose the value: the helper's caller when known, else the VMWRITE itself. */
export function writeSite(p: VmwriteProvenance): SourceLocation {
  return p.calledFrom ?? p;
}

/** "hv.asm:271" or "hv.asm:447 (through the VMWRITE at hv.asm:271)" — 1-based lines. */
export function describeWrite(p: VmwriteProvenance): string {
  const at = `${baseName(p.file)}:${p.line + 1}`;
  return p.calledFrom ? `${baseName(p.calledFrom.file)}:${p.calledFrom.line + 1} (through the VMWRITE at ${at})` : at;
}
