// Call stack of the virtual CPU. Frames come from return addresses: every stack slot (from RSP upwards) that
// holds the address right after a CALL instruction of the program is the return address of an active call.
// The frame is marked host or guest by the VMX operation it runs in; while the guest runs, the host's
// VMLAUNCH/VMRESUME site is shown below the guest frames (the host resumes at HOST_RIP on the next exit).
import { classifyInstruction } from "./insn-class";
import type { SourceLocation, SourceMap } from "./source-map";
import type { DebugTarget } from "./target";

export interface Frame {
  address: bigint;
  name: string;
  location?: SourceLocation;
  world: "host" | "guest" | "none";
  /** Where this frame's call returns to (absent for the innermost frame). */
  returnAddress?: bigint;
  /** A VM-entry site (host) or VM-exit site (guest) shown for orientation, not a real return address. */
  entrySite?: boolean;
}

/** How far up the stack return addresses are searched. */
const STACK_SCAN_BYTES = 4096;
const MAX_FRAMES = 64;

export function frameName(sourceMap: SourceMap | undefined, address: bigint): string {
  const f = sourceMap?.functionFor(address);
  if (!f) return `0x${address.toString(16)}`;
  return f.offset === 0n ? f.name : `${f.name}+0x${f.offset.toString(16)}`;
}

/** The target of a direct near CALL (E8 rel32/rel16), from its bytes and the return address. */
function directCallTarget(insn: Uint8Array, returnAddress: bigint): bigint | undefined {
  let i = 0;
  let opsize = false;
  while (i < insn.length && (insn[i] === 0x66 || insn[i] === 0x67 || ((insn[i] as number) & 0xf0) === 0x40)) {
    if (insn[i] === 0x66) opsize = true;
    i++;
  }
  if (insn[i] !== 0xe8) return undefined;
  const n = opsize ? 2 : 4;
  if (insn.length < i + 1 + n) return undefined;
  let rel = 0n;
  for (let k = n - 1; k >= 0; k--) rel = (rel << 8n) | BigInt(insn[i + 1 + k] as number);
  rel = BigInt.asIntN(n * 8, rel);
  return BigInt.asUintN(64, returnAddress + rel);
}

export function callFrames(
  target: DebugTarget,
  sourceMap: SourceMap | undefined,
  entrySite: { address: bigint } | undefined,
  exitSite?: { guestRip: bigint; reasonName: string },
): Frame[] {
  const operation = target.vmx.operation();
  const world: Frame["world"] = operation === "non-root" ? "guest" : operation === "root" ? "host" : "none";
  const pc = target.currentInstructionAddress();
  const frames: Frame[] = [{ address: pc, name: frameName(sourceMap, pc), location: sourceMap?.locationOf(pc), world }];
  if (sourceMap) {
    const mode = target.cpuMode();
    const slot = mode === "long64" ? 8 : mode === "protected32" || mode === "compat32" ? 4 : 2;
    const sp = target.readGpr(4) & (slot === 8 ? 0xffffffffffffffffn : slot === 4 ? 0xffffffffn : 0xffffn);
    const base = slot === 2 ? BigInt(target.getSegment(2).base) + sp : sp;
    const bytes = target.readLinear(base, STACK_SCAN_BYTES);
    for (let off = 0; off + slot <= bytes.length && frames.length < MAX_FRAMES; off += slot) {
      let v = 0n;
      for (let i = slot - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i] as number);
      const call = sourceMap.entryEndingAt(v);
      if (!call) continue;
      const insn = target.readLinear(call.address, Math.min(call.length, 15));
      if (classifyInstruction(insn, mode === "long64").kind !== "call") continue;
      // A direct CALL must lead into the function of the frame below; otherwise the slot is data that happens
      // to look like a return address (a saved register, a local).
      const callee = directCallTarget(insn, v);
      const below = (frames[frames.length - 1] as Frame).address;
      if (callee !== undefined && sourceMap.functionFor(callee)?.name !== sourceMap.functionFor(below)?.name) continue;
      frames.push({
        address: call.address,
        returnAddress: v,
        name: frameName(sourceMap, call.address),
        location: { file: call.file, line: call.line, column: call.column },
        world,
      });
    }
  }
  if (world === "guest" && entrySite) {
    frames.push({
      address: entrySite.address,
      name: `${frameName(sourceMap, entrySite.address)} (VM entry)`,
      location: sourceMap?.locationOf(entrySite.address),
      world: "host",
      entrySite: true,
    });
  }
  // In the host after a VM exit: where the guest stopped, for orientation.
  if (world === "host" && exitSite) {
    frames.push({
      address: exitSite.guestRip,
      name: `${frameName(sourceMap, exitSite.guestRip)} (VM exit: ${exitSite.reasonName})`,
      location: sourceMap?.locationOf(exitSite.guestRip),
      world: "guest",
      entrySite: true,
    });
  }
  return frames;
}
