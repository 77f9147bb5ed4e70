// Tracked call stack for the debugger's stack frames: frames are pushed by near/far CALL and by event delivery
// through the IDT/IVT, and popped by RET/RETF/IRET. Separate stacks for VMX root (host) and non-root (guest)
// operation. Heuristic by nature (code may return without calling, switch stacks, longjmp): the rules below
// keep the frames plausible and never fail.
//
// Every frame remembers the linear address of the slot holding its return address (`slot`). Rules:
// - a return reading its return address at linear S pops the frames whose slot is below S (abandoned: the code
//   unwound past them) and the frame whose slot equals S (the matching one); it stops at a frame above S and
//   after popping an interrupt/exception frame (which may mark a stack switch: the frames under it can live on
//   another stack, their slots are not comparable with S);
// - a near CALL whose slot is at or above the top frames' slots first drops them (the stack was unwound without
//   returns, e.g. longjmp), stopping after an interrupt/exception frame likewise;
// - interrupts and far calls (which may switch stacks) only push.

import type { Cpu } from "./cpu";

export type CallFrameKind = "call" | "interrupt" | "exception";

/** One tracked frame, as the debugger sees it. Addresses are linear (CS base + RIP; equal to RIP in 64-bit mode). */
export interface CallFrame {
  readonly kind: CallFrameKind;
  /** The CALL / INT n / INT3 instruction, the instruction that raised the exception, or (for external and
   * injected events) the instruction about to execute when the event was delivered. */
  readonly callSite: bigint;
  /** The first instruction of the called procedure or handler. */
  readonly target: bigint;
  /** Where the matching return goes back to (the caller's CS base + the pushed RIP). */
  readonly returnAddress: bigint;
  /** Linear address of the stack slot holding the return RIP (the stack pointer right after a CALL). */
  readonly stackPointer: bigint;
  /** Pushed in VMX non-root operation (a guest frame) rather than root operation (host). */
  readonly guest: boolean;
  /** Interrupt/exception frames: the vector. */
  readonly vector?: number;
}

interface RawFrame {
  readonly kind: CallFrameKind;
  readonly callSite: number;
  readonly target: number;
  readonly returnAddress: number;
  readonly slot: number;
  readonly vector: number;
}

/** Frames beyond this depth (runaway recursion, push/jmp tricks) drop the oldest ones. */
const MAX_DEPTH = 8192;

export interface CallStacksState {
  readonly host: readonly RawFrame[];
  readonly guest: readonly RawFrame[];
}

export class CallTracker {
  host: RawFrame[] = [];
  guest: RawFrame[] = [];

  constructor(private readonly cpu: Cpu) {}

  private frames(): RawFrame[] {
    return this.cpu.hooks.nonRoot ? this.guest : this.host;
  }

  /** Linear address of the stack top (SS base + stack pointer; no base in 64-bit mode). */
  stackLinear(): number {
    const cpu = this.cpu;
    if (cpu.codeMode === 64) return cpu.reg64(4);
    return (cpu.segBase[2]! + cpu.sp()) >>> 0;
  }

  /** Linear address of a RIP in the current CS. */
  codeLinear(rip: number): number {
    const cpu = this.cpu;
    return cpu.codeMode === 64 ? rip : (cpu.segBase[1]! + rip) >>> 0;
  }

  /** After a near CALL: the return address was pushed at the current stack top, RIP is the target. */
  nearCall(callSiteRip: number, returnRip: number): void {
    const slot = this.stackLinear();
    const frames = this.frames();
    while (frames.length > 0) {
      const top = frames[frames.length - 1]!;
      if (top.slot > slot) break;
      frames.pop();
      if (top.kind !== "call") break;
    }
    this.push(frames, {
      kind: "call",
      callSite: this.codeLinear(callSiteRip),
      target: this.codeLinear(this.cpu.rip),
      returnAddress: this.codeLinear(returnRip),
      slot,
      vector: -1,
    });
  }

  /** After a far CALL or an event delivery: `slot` is where the return RIP is; CS:RIP is the target now. */
  pushFrame(kind: CallFrameKind, callSite: number, returnAddress: number, slot: number, vector: number): void {
    this.push(this.frames(), {
      kind,
      callSite,
      target: this.codeLinear(this.cpu.rip),
      returnAddress,
      slot,
      vector,
    });
  }

  /** After RET/RETF/IRET that read its return RIP at linear address `slot`. */
  returned(slot: number): void {
    const frames = this.frames();
    while (frames.length > 0) {
      const top = frames[frames.length - 1]!;
      if (top.slot > slot) break;
      frames.pop();
      if (top.slot === slot || top.kind !== "call") break;
    }
  }

  private push(frames: RawFrame[], f: RawFrame): void {
    if (frames.length >= MAX_DEPTH) frames.splice(0, MAX_DEPTH / 8);
    frames.push(f);
  }

  /** The frames innermost first: in non-root operation the guest's, then the host's (suspended at VM entry). */
  view(which: "current" | "host" | "guest"): CallFrame[] {
    const out: CallFrame[] = [];
    const add = (frames: readonly RawFrame[], guest: boolean) => {
      for (let k = frames.length - 1; k >= 0; k--) {
        const f = frames[k]!;
        const frame: {
          kind: CallFrameKind;
          callSite: bigint;
          target: bigint;
          returnAddress: bigint;
          stackPointer: bigint;
          guest: boolean;
          vector?: number;
        } = {
          kind: f.kind,
          callSite: big(f.callSite),
          target: big(f.target),
          returnAddress: big(f.returnAddress),
          stackPointer: big(f.slot),
          guest,
        };
        if (f.vector >= 0) frame.vector = f.vector;
        out.push(frame);
      }
    };
    if (which === "guest" || (which === "current" && this.cpu.hooks.nonRoot)) add(this.guest, true);
    if (which !== "guest") add(this.host, false);
    return out;
  }

  save(): CallStacksState {
    return { host: this.host.slice(), guest: this.guest.slice() };
  }

  load(s: CallStacksState | undefined): void {
    this.host = s ? s.host.slice() : [];
    this.guest = s ? s.guest.slice() : [];
  }
}

function big(la: number): bigint {
  return BigInt.asUintN(64, BigInt(Math.trunc(la)));
}
