// What the debug core needs from the machine it debugs. The emulator is reached only through this interface
// (implemented in machine-adapter.ts), so the core's unit tests can run on a small fake and a change in the
// emulator's API is a change in one file.
//
// Conventions as in emulator/vmx-hooks.ts: 64-bit values are unsigned bigints; GPR numbers 0-15 are
// RAX RCX RDX RBX RSP RBP RSI RDI R8-R15; segment numbers 0-7 are ES CS SS DS FS GS LDTR TR.
import type { CallFrame, DevicesView } from "../../emulator/index";
import type { StopReason } from "../../emulator/stop-reason";
import type { CpuMode, SegmentCache, TableRegister } from "../../emulator/vmx-hooks";

export type { CallFrame, CpuMode, SegmentCache, StopReason, TableRegister };

export type StartMode = "long64" | "protected32" | "real16";

/** VMX operation of the processor (SDM 24.1). */
export type VmxOperation = "off" | "root" | "non-root";

/** What the machine reports about a failed VM entry (emulator/vmx: a named check with its SDM section). */
export interface EntryFailureInfo {
  checkId: string;
  sdmSection: string;
  message: string;
  fields: { name: string; value: bigint }[];
}

/** The VMX side of the machine, as far as a debugger can see it. */
export interface VmxView {
  operation(): VmxOperation;
  /** Physical address given to VMXON, in VMX operation. */
  vmxonPointer(): bigint | undefined;
  /** Current-VMCS pointer; undefined when there is none. */
  currentVmcs(): bigint | undefined;
  launchState(): "clear" | "launched" | undefined;
  /** A field of the current VMCS by (full) encoding; undefined without a current VMCS or for unsupported fields. */
  readField(encoding: number): bigint | undefined;
  /** Writes a field of the current VMCS (truncated to its width); false when that is impossible. */
  writeField(encoding: number, value: bigint): boolean;
  /** Whether the CPU model supports the field. */
  fieldSupported(encoding: number): boolean;
}

export interface RunOptions {
  /** Stop after this many retired instructions at most. */
  maxInstructions: number;
  /** Linear addresses: stop before the instruction there executes. */
  breakpoints: ReadonlySet<bigint>;
  /** Stop right after every VM exit (with a `vmExit` stop reason). */
  stopOnVmExit: boolean;
  /** Stop right after an exception is delivered through an IDT/IVT (an `exceptionDelivered` stop reason). */
  stopOnExceptionDelivery?: boolean;
}

export interface StepOptions {
  /** As RunOptions.stopOnExceptionDelivery. */
  stopOnExceptionDelivery?: boolean;
}

/** One disassembled instruction. */
export interface DisassembledInstruction {
  length: number;
  /** Lower-case mnemonic. */
  mnemonic: string;
  /** The whole instruction in the requested syntax. */
  text: string;
}

export interface DebugTarget {
  /** Retired-instruction count: the machine's deterministic clock. */
  readonly instructionCount: number;

  step(options?: StepOptions): StopReason | undefined;
  run(options: RunOptions): StopReason;
  snapshot(): unknown;
  restore(snapshot: unknown): void;

  readGpr(reg: number): bigint;
  writeGpr(reg: number, value: bigint): void;
  getRip(): bigint;
  setRip(value: bigint): void;
  getRflags(): bigint;
  setRflags(value: bigint): void;
  getSegment(seg: number): SegmentCache;
  setSegment(seg: number, cache: SegmentCache): void;
  getGdtr(): TableRegister;
  getIdtr(): TableRegister;
  readCr(cr: 0 | 2 | 3 | 4 | 8): bigint;
  writeCr(cr: 0 | 2 | 3 | 4 | 8, value: bigint): void;
  readDr(dr: number): bigint;
  writeDr(dr: number, value: bigint): void;
  readMsr(index: number): bigint | undefined;
  writeMsr(index: number, value: bigint): boolean;
  cpuMode(): CpuMode;
  readonly cpl: number;

  /** Linear address of CS:RIP (the instruction about to execute). */
  currentInstructionAddress(): bigint;
  /** Reads linear memory (through paging, as a supervisor data access, no segmentation); stops at the first
   * unmapped byte, so the result may be shorter than asked. */
  readLinear(address: bigint, length: number): Uint8Array;
  /**
   * Whether any byte of a linear range may have been written since `snapshot` was taken (by this machine): true
   * when a page of it was written, or when the range cannot be translated now. Exact per 4-KiB page.
   */
  writtenSince(snapshot: unknown, address: bigint, length: number): boolean;
  /** Writes linear memory; returns the number of bytes written before the first unmapped byte. */
  writeLinear(address: bigint, bytes: Uint8Array): number;

  /**
   * The call stack tracked by the machine (CALL/RET, interrupt/exception delivery/IRET), innermost first, linear
   * addresses; in VMX non-root operation the guest's frames, then the host's (suspended at the VM entry).
   */
  callFrames(which?: "current" | "host" | "guest"): readonly CallFrame[];

  /** Whether a linear address is in the start state's own exception handlers (not the program's). */
  isFirmwareHandler(address: bigint): boolean;

  /** Disassembles the instruction at a linear address in the current code size. */
  disassemble(address: bigint, syntax: "intel" | "att"): DisassembledInstruction | undefined;

  readonly vmx: VmxView;

  /** The 8259A pair and the 8254 timer now, and whether an INIT signal waits (blocked in VMX root operation). */
  devices(): DevicesView & { initPending: boolean; deviceTime: number };
}
