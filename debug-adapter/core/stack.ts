// Call stack of the virtual CPU, from the machine's tracked frames (CALL/RET, interrupt and exception delivery,
// IRET): frame 0 is the current instruction, frame k+1 the CALL / INT / faulting instruction of tracked frame k.
// Each frame is marked host or guest by the VMX operation it was pushed in. While the guest runs, its frames come
// first, then the host's VMLAUNCH/VMRESUME site (the host is suspended there) and the host's own frames; in the
// host after a VM exit, the guest instruction that exited is shown below the host's frames, for orientation.
import { vectorName } from "./names";
import type { SourceLocation, SourceMap } from "./source-map";
import type { CallFrame, DebugTarget } from "./target";

export interface Frame {
  address: bigint;
  name: string;
  location?: SourceLocation;
  world: "host" | "guest" | "none";
  /** Where this frame's call returns to (absent for the innermost frame). */
  returnAddress?: bigint;
  /** Linear address of the stack slot holding the return address (absent for the innermost frame). */
  returnSlot?: bigint;
  /** How the frame below was entered: CALL, or delivery of an interrupt or exception (left by IRET). */
  kind?: CallFrame["kind"];
  /** A VM-entry site (host) or VM-exit site (guest) shown for orientation, not a real return address. */
  entrySite?: boolean;
}

/** Frames beyond this depth are not shown (the tracker keeps up to 8192). */
const MAX_FRAMES = 256;

export function frameName(sourceMap: SourceMap | undefined, address: bigint): string {
  const f = sourceMap?.functionFor(address);
  if (!f) return `0x${address.toString(16)}`;
  return f.offset === 0n ? f.name : `${f.name}+0x${f.offset.toString(16)}`;
}

function trackedFrame(sourceMap: SourceMap | undefined, f: CallFrame, world: Frame["world"]): Frame {
  const what =
    f.kind === "exception"
      ? ` [exception ${vectorName(f.vector ?? 0)}]`
      : f.kind === "interrupt"
        ? ` [interrupt 0x${(f.vector ?? 0).toString(16)}]`
        : "";
  return {
    address: f.callSite,
    name: `${frameName(sourceMap, f.callSite)}${what}`,
    location: sourceMap?.locationOf(f.callSite),
    world,
    returnAddress: f.returnAddress,
    returnSlot: f.stackPointer,
    kind: f.kind,
  };
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
  const push = (list: readonly CallFrame[], w: Frame["world"]) => {
    for (const f of list) if (frames.length < MAX_FRAMES) frames.push(trackedFrame(sourceMap, f, w));
  };
  if (world === "guest") {
    push(target.callFrames("guest"), "guest");
    if (entrySite) {
      frames.push({
        address: entrySite.address,
        name: `${frameName(sourceMap, entrySite.address)} (VM entry)`,
        location: sourceMap?.locationOf(entrySite.address),
        world: "host",
        entrySite: true,
      });
    }
    push(target.callFrames("host"), "host");
  } else push(target.callFrames("host"), world);
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
