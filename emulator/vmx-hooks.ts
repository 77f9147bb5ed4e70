// The interface between the x86-64 interpreter (emulator/) and VMX (emulator/vmx/).
//
// Direction 1 — VmxCpu: what the machine offers VMX: every piece of architectural state (GPRs, RIP, RFLAGS,
// segment registers with their hidden caches, GDTR/IDTR/LDTR/TR, CRs, DRs, MSRs), memory by physical address
// and by segment:offset (with the normal segmentation/paging checks), exceptions, event delivery through the
// IDT, TLB control, and requests to stop the run.
//
// Direction 2 — VmxHooks: what VMX implements: executing the 13 VMX instructions, and, while `nonRoot` is
// true, deciding for every intercept point whether a VM exit happens (SDM Vol. 3C ch. 25 "VMX non-root
// operation"). A VM exit aborts the current instruction: the hook performs the exit (saves guest state,
// loads host state) and then calls `cpu.vmExit()`, which throws VmExitSignal. The step loop catches it;
// no host exception ever escapes to the machine's callers.
//
// Values: 64-bit register/MSR/field values are bigint (unsigned, 0 … 2^64-1). Physical addresses are
// numbers (< 2^52, exact). Linear addresses given to VMX are bigint (full 64-bit, unsigned).
//
// Without VMX (`NO_VMX`), the VMX instructions raise #UD and nothing is intercepted, so the machine runs alone.

import type { CpuModel } from "./cpu-model";
import type { StopReason } from "./stop-reason";

/** Segment register numbers, in the order of the ModRM sreg field and of the VM-exit instruction information. */
export const SEG = { ES: 0, CS: 1, SS: 2, DS: 3, FS: 4, GS: 5, LDTR: 6, TR: 7 } as const;
export type SegmentIndex = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/**
 * A segment register with its hidden part. `accessRights` is in the VMCS guest access-rights format
 * (SDM 24.4.1, Table 24-2): bits 3:0 type, 4 S, 6:5 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G, 16 unusable.
 * `limit` is the expanded byte limit (granularity already applied).
 */
export interface SegmentCache {
  selector: number;
  base: bigint;
  limit: number;
  accessRights: number;
}

/** GDTR / IDTR. */
export interface TableRegister {
  base: bigint;
  limit: number;
}

export type CpuMode = "real" | "v8086" | "protected16" | "protected32" | "compat16" | "compat32" | "long64";

/** One operand of a decoded instruction, resolved the way VMX needs it (SDM 27.2.4 instruction information). */
export type DecodedOperand =
  | { kind: "reg"; reg: number /* 0-15 GPR number */; size: 1 | 2 | 4 | 8 }
  | {
      kind: "mem";
      /** Segment register used (after overrides). */
      segment: SegmentIndex;
      /** Effective address (offset within the segment), already computed and truncated to the address size. */
      offset: bigint;
      /** Base register number or -1; index register number or -1; scale 1/2/4/8; sign-extended displacement. */
      base: number;
      index: number;
      scale: 1 | 2 | 4 | 8;
      displacement: bigint;
      size: number;
    }
  | { kind: "imm"; value: bigint; size: number };

/** A decoded instruction as VMX sees it (for VMX instructions and for intercepted instructions). */
export interface DecodedInstructionView {
  /** Lower-case Intel mnemonic, e.g. "vmread", "cpuid", "invlpg", "rdtsc", "hlt", "lgdt". */
  mnemonic: string;
  /** Operands in Intel order (destination first). */
  operands: DecodedOperand[];
  /** Operand size in bytes (2, 4 or 8) and address size in bytes (2, 4 or 8). */
  operandSize: 2 | 4 | 8;
  addressSize: 2 | 4 | 8;
  /** Instruction length in bytes (for the VM-exit instruction-length field). */
  length: number;
  /** Linear address of the first byte, and RIP of the instruction and of the next one. */
  rip: bigint;
  nextRip: bigint;
  /** Prefixes: 0xF2 / 0xF3 / 0 and whether REX.W was set. */
  repPrefix: 0 | 0xf2 | 0xf3;
  rexW: boolean;
  /** The segment of DS-relative operands: DS, or the segment-override prefix (OUTS/INS string I/O, SDM 27.2.5). */
  readonly dataSegment: SegmentIndex;
  /** The GPR number (0-15) of operand `n` when it is a register, else -1 (no operand list is built). */
  regOperand(n: number): number;
}

/** What executeVmxInstruction tells the interpreter. */
export type VmxOutcome =
  /** The instruction completed in place (VMsucceed/VMfail…): the interpreter advances RIP to the next instruction. */
  | "retire"
  /** VM entry (or anything else) already set RIP and the whole state: the interpreter must not touch RIP. */
  | "entered";

export type CrAccessKind = "mov" | "clts" | "lmsw" | "smsw";

export interface IoAccess {
  port: number;
  size: 1 | 2 | 4;
  direction: "in" | "out";
  string: boolean;
  rep: boolean;
  /** true when the port came from DX, false for an immediate. */
  dxPort: boolean;
}

/** Event types as in the VM-entry/exit interruption-information field (SDM 24.8.3). */
export const EVENT_TYPE = {
  EXTERNAL_INTERRUPT: 0,
  NMI: 2,
  HARDWARE_EXCEPTION: 3,
  SOFTWARE_INTERRUPT: 4,
  PRIVILEGED_SOFTWARE_EXCEPTION: 5,
  SOFTWARE_EXCEPTION: 6,
  OTHER: 7,
} as const;

export interface EventInfo {
  vector: number;
  type: number; // EVENT_TYPE
  errorCode?: number;
  /** For software interrupts/exceptions: the instruction length (RIP pushed = RIP + length). */
  instructionLength?: number;
}

/** Blocking state (SDM 24.4.2 guest interruptibility state). */
export interface Interruptibility {
  sti: boolean;
  movSs: boolean;
  nmi: boolean;
}

export type GuestPhysicalAccess = "read" | "write" | "fetch";

/** The machine, as VMX sees it. Implemented by the interpreter's Cpu. */
export interface VmxCpu {
  // --- general state ------------------------------------------------------------------------------------
  readGpr(reg: number): bigint;
  writeGpr(reg: number, value: bigint): void;
  getRip(): bigint;
  setRip(value: bigint): void;
  /** Full RFLAGS (lazily computed flags materialized). */
  getRflags(): bigint;
  /** Sets RFLAGS verbatim (bit 1 forced to 1); changing VM/IF takes effect immediately. */
  setRflags(value: bigint): void;
  getSegment(seg: SegmentIndex): SegmentCache;
  /** Loads selector and hidden part verbatim, without descriptor-table access or checks (VM entry/exit). */
  setSegment(seg: SegmentIndex, cache: SegmentCache): void;
  getGdtr(): TableRegister;
  setGdtr(t: TableRegister): void;
  getIdtr(): TableRegister;
  setIdtr(t: TableRegister): void;
  /** CR0, CR2, CR3, CR4, CR8. Writes are raw (no checks) but keep paging caches consistent (TLB flush when needed). */
  readCr(cr: 0 | 2 | 3 | 4 | 8): bigint;
  writeCr(cr: 0 | 2 | 3 | 4 | 8, value: bigint): void;
  readDr(dr: number): bigint;
  writeDr(dr: number, value: bigint): void;
  /** Raw MSR access without #GP: undefined if the machine has no such MSR. EFER writes update LMA/mode. */
  readMsr(index: number): bigint | undefined;
  writeMsr(index: number, value: bigint): boolean;
  /** How many writeMsr calls this interface has seen (VMX's own loads, a debugger's writes): a change detector. */
  readonly msrWrites: number;
  /** Current privilege level and mode. */
  readonly cpl: number;
  mode(): CpuMode;
  getInterruptibility(): Interruptibility;
  setInterruptibility(s: Interruptibility): void;
  /** "active" | "hlt" | "shutdown" | "wait-for-sipi" (SDM 24.4.2 activity state). */
  getActivityState(): number;
  setActivityState(state: number): void;
  /** Pending debug exceptions (DR6-like bits) — kept for VMX; the interpreter does not deliver them yet. */
  pendingDebugExceptions: bigint;
  /** Retired-instruction count and time-stamp counter (deterministic: advances with retired instructions). */
  readonly instructionCount: number;
  readTsc(): bigint;
  /**
   * Time passes without instructions retiring: the TSC (and with it the VMX-preemption timer) advances by
   * `ticks`. Used while the guest waits in the HLT state for a timer that is the only event that can wake it.
   */
  advanceTsc(ticks: bigint): void;
  /**
   * VM entry changed how external interrupts are taken (guest RFLAGS.IF, external-interrupt exiting): the machine
   * looks at its interrupt controller's INTR line again at the next instruction boundary.
   */
  interruptStateChanged(): void;

  // --- memory ------------------------------------------------------------------------------------------
  /** Physical memory (host-physical: no EPT). Beyond RAM: reads all-ones, writes dropped. */
  readPhys(addr: number, size: 1 | 2 | 4 | 8): bigint;
  writePhys(addr: number, size: 1 | 2 | 4 | 8, value: bigint): void;
  readPhysBytes(addr: number, length: number): Uint8Array;
  /** readPhys/writePhys of a dword as an unsigned number (the VMCS region's write-through: no bigint). */
  readPhys32(addr: number): number;
  writePhys32(addr: number, value: number): void;
  writePhysBytes(addr: number, bytes: Uint8Array): void;
  /**
   * Memory at segment:offset with all architectural checks of the current mode (segment limits/rights,
   * canonical form, paging with the current CPL as a data access). Faults raise #GP/#SS/#PF (throw).
   */
  readVirtual(seg: SegmentIndex, offset: bigint, size: 1 | 2 | 4 | 8): bigint;
  writeVirtual(seg: SegmentIndex, offset: bigint, size: 1 | 2 | 4 | 8, value: bigint): void;
  /** Linear address of segment:offset (no checks). */
  linearAddress(seg: SegmentIndex, offset: bigint): bigint;
  /** Flushes every cached translation (TLB, paging-structure caches) and the decoded-instruction caches' TLB. */
  flushTlb(): void;
  /**
   * The invalidation of VM entry and VM exit (SDM 28.3.3.1) when nothing else changed: flushes only if a
   * paging-structure page was written since the last flush (the TLB is otherwise coherent with memory, so an
   * invalidation would change nothing). Not for EPT (its tables are not tracked): use flushTlb then.
   */
  flushTlbIfStale(): void;
  /** Flushes one linear address (INVLPG-like). */
  flushTlbPage(linear: bigint): void;
  /** Reloads the PAE PDPTEs from CR3 (MOV CR3 in PAE mode does this); VM entry may set them instead. */
  setPdptes(pdptes: readonly bigint[] | undefined): void;

  // --- events ------------------------------------------------------------------------------------------
  /** Raises an exception in the current context (#UD = 6, #GP = 13 …). Never returns: throws internally. */
  raiseException(vector: number, errorCode?: number): never;
  /** Delivers an event through the IDT now (VM-entry event injection, SDM 26.6). May fault (→ #DF …). */
  deliverEvent(event: EventInfo): void;
  /** Ends the current instruction after a VM exit has been performed. Never returns: throws VmExitSignal. */
  vmExit(stop?: StopReason): never;
  /** Asks the run loop to stop after the current instruction (e.g. VM-entry failure, VMX abort). */
  requestStop(reason: StopReason): void;
  /** Enters the shutdown state (triple fault outside non-root, VMX abort). Ends the run. */
  shutdown(why: string): void;
  /** The physical-address width of the CPU model (MAXPHYADDR). */
  readonly physicalAddressWidth: number;
  /** The CPU model (capability MSRs, CPUID). */
  readonly model: CpuModel;

  // --- number fast paths (VM entry and VM exit run on every round trip: no bigint, no allocation) -----------
  // 64-bit values that are addresses travel as signed doubles (exact below 2^53 in magnitude: every canonical
  // address); 16/32-bit values as unsigned numbers; full 64-bit GPRs as two unsigned 32-bit halves.
  /** Bits 31:0 / 63:32 of a GPR as unsigned numbers; setGprHalves writes both. */
  gprLo(reg: number): number;
  gprHi(reg: number): number;
  setGprHalves(reg: number, lo: number, hi: number): void;
  /** RIP (of the executing instruction while one executes, like getRip) as a signed double; setRipNumber like setRip. */
  ripNumber(): number;
  setRipNumber(value: number): void;
  /**
   * Sets CF, PF, AF, ZF, SF and OF to `bits` (the RFLAGS layout) and leaves every other flag alone: the
   * VMsucceed/VMfail conventions (SDM 30.2) without reading the other flags.
   */
  setStatusFlags(bits: number): void;
  /** RFLAGS as an unsigned 32-bit number (bits 63:22 are reserved 0); setRflagsNumber like setRflags. */
  rflagsNumber(): number;
  setRflagsNumber(value: number): void;
  /** CR0/CR3/CR4 as unsigned numbers (CR3 < 2^52). */
  crNumber(cr: 0 | 3 | 4): number;
  /** A segment register's parts (base as a signed double; limit and access rights unsigned). */
  segSelector(seg: SegmentIndex): number;
  segBaseNumber(seg: SegmentIndex): number;
  segLimit(seg: SegmentIndex): number;
  segAccessRights(seg: SegmentIndex): number;
  /** All eight segment registers at once: out[4s .. 4s+3] = selector, base, limit, access rights of register s. */
  readSegments(out: Float64Array): void;
  /** Like setSegment, from numbers (base a signed double). */
  setSegmentNumber(seg: SegmentIndex, selector: number, base: number, limit: number, accessRights: number): void;
  /** getInterruptibility as bits (1 STI, 2 MOV SS, 8 NMI blocking: the guest interruptibility-state layout). */
  interruptibilityBits(): number;
  setInterruptibilityBits(bits: number): void;
  /** DR7 as a number (bits 31:0; 63:32 are reserved 0). */
  dr7Number(): number;
  /** IA32_EFER as a number (bits 11:0; the rest are reserved 0). */
  eferNumber(): number;
  /** GDTR/IDTR (base a signed double). */
  tableBaseNumber(idt: boolean): number;
  tableLimit(idt: boolean): number;
  setTableNumber(idt: boolean, base: number, limit: number): void;
}

/** Internal control flow: thrown by VmxCpu.vmExit(), caught by the step loop. Not an Error (no stack capture). */
export class VmExitSignal {
  constructor(readonly stop?: StopReason) {}
}

/** What VMX implements. Every method except executeVmxInstruction is consulted only while `nonRoot` is true. */
export interface VmxHooks {
  /** True in VMX non-root operation. Read on every instruction: keep it a plain field. */
  readonly nonRoot: boolean;
  /** True in VMX operation (root or non-root): CR0/CR4 writes must respect the FIXED MSRs, CR4.VMXE stays 1. */
  readonly inVmxOperation: boolean;
  /** True when VMX wants `boundary` called before each instruction (pending MTF, windows, preemption timer…). */
  readonly wantsBoundary: boolean;
  /** True when guest-physical addresses must go through translateGuestPhysical (EPT enabled in non-root). */
  readonly eptActive: boolean;
  /** Non-root with "external-interrupt exiting" = 1: external interrupts cause VM exits whatever RFLAGS.IF is. */
  readonly externalInterruptExiting: boolean;

  /**
   * Executes VMXON, VMXOFF, VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE, VMLAUNCH, VMRESUME, VMCALL, VMFUNC,
   * INVEPT, INVVPID (the mnemonic says which). The interpreter has checked nothing: #UD/#GP/VM exit/VMfail
   * are VMX's job (SDM 30). Raise exceptions through cpu.raiseException.
   */
  executeVmxInstruction(cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome;

  /**
   * Non-root: called before EVERY instruction executes (after decode and its #UD checks, before operands are
   * touched). Decide unconditional/conditional exits that depend only on the instruction (CPUID, HLT, INVLPG,
   * RDTSC, RDPMC, PAUSE, MWAIT, MONITOR, WBINVD, INVD, GETSEC, XSETBV, RDRAND, RDSEED, LGDT/SGDT/…, RDTSCP,
   * INVPCID, XSAVES…). Return normally to let the instruction run. The more specific hooks below are called
   * later, at the point of the access, for the instructions that need operand values.
   * Only instructions whose mnemonic is in VMX_INSTRUCTION_HOOK_MNEMONICS need the call (the others never
   * exit here). Returns true when it performed a VM exit: the instruction must then not execute (it ends as if
   * cpu.vmExit() had been thrown; the hook may have called cpu.requestStop). It may also still throw
   * VmExitSignal for the same outcome.
   */
  instruction(cpu: VmxCpu, insn: DecodedInstructionView): boolean;
  /** MOV from CR3/CR8 (may exit), MOV from CR0/CR4 and SMSW (return the read-shadowed value). */
  crRead(cpu: VmxCpu, cr: number, value: bigint, kind: CrAccessKind, insn: DecodedInstructionView): bigint;
  /**
   * MOV to CR0/CR3/CR4/CR8, CLTS, LMSW. `value` is the value the guest wants to write. May exit; otherwise
   * returns the value that is actually written (host-owned bits kept, SDM 25.3).
   */
  crWrite(cpu: VmxCpu, cr: number, value: bigint, kind: CrAccessKind, insn: DecodedInstructionView): bigint;
  /** MOV to/from DRn. */
  drAccess(cpu: VmxCpu, write: boolean, dr: number, gpr: number, insn: DecodedInstructionView): void;
  /** RDMSR/WRMSR with ECX = index (before the #GP checks of the MSR itself). */
  msrAccess(cpu: VmxCpu, write: boolean, index: number, insn: DecodedInstructionView): void;
  /** IN/OUT/INS/OUTS (after the I/O permission checks of the guest, SDM 25.1.1 priority). */
  io(cpu: VmxCpu, access: IoAccess, insn: DecodedInstructionView): void;
  /**
   * An exception or interrupt (software INT n, INT3, INTO included) is about to be delivered through the
   * guest IDT. May exit (exception bitmap, SDM 25.2). `insn` is the faulting/trapping instruction if any.
   */
  event(cpu: VmxCpu, event: EventInfo, insn: DecodedInstructionView | undefined): void;
  /**
   * A task switch is about to happen in non-root operation (SDM 25.4.2: task switches cause VM exits
   * unconditionally): CALL/JMP to a TSS or task gate, IRET with NT = 1, or an event through a task gate in the IDT
   * ("gate"). Called before any task-switch check or state change; it performs VM exit 9 and ends the instruction
   * (throws VmExitSignal). `tssSelector` is the selector of the new TSS (for IRET: the previous-task link).
   */
  taskSwitch(
    cpu: VmxCpu,
    tssSelector: number,
    source: "call" | "iret" | "jmp" | "gate",
    insn: DecodedInstructionView | undefined,
  ): void;
  /**
   * Non-root: an external interrupt (the PIC's INTR) is not blocked at this instruction boundary. With
   * external-interrupt exiting VMX performs VM exit 1 and returns true, calling `acknowledge` (the interrupt-
   * acknowledge cycle, which returns the vector) only with "acknowledge interrupt on exit" (SDM 25.2, 27.2.2).
   * Returns false when the interrupt goes to the guest through its IDT (if RFLAGS.IF allows).
   */
  externalInterrupt(cpu: VmxCpu, acknowledge: () => number): boolean;
  /**
   * An INIT signal at an instruction boundary (SDM 23.8, 25.2): "exit" when VMX performed VM exit 3 (non-root
   * operation, not in wait-for-SIPI), "blocked" when VMX holds it pending (root operation; a guest in
   * wait-for-SIPI), "none" outside VMX operation: the processor takes it (INIT reset, SDM 9.1).
   */
  initSignal(cpu: VmxCpu): "exit" | "blocked" | "none";
  /** A triple fault in non-root operation: VMX performs the exit (reason 2) and calls vmExit. */
  tripleFault(cpu: VmxCpu): void;
  /** Before each instruction when wantsBoundary: interrupt/NMI windows, MTF, preemption timer, pending events. */
  boundary(cpu: VmxCpu): void;
  /** RDTSC/RDTSCP/IA32_TSC reads in non-root: apply TSC offsetting/scaling. */
  tsc(cpu: VmxCpu, value: bigint): bigint;
  /**
   * EPT: translate a guest-physical address for a page-walk access (`linear` undefined) or a final access.
   * May cause an EPT violation/misconfiguration exit (throws via vmExit). Returns the host-physical address.
   */
  translateGuestPhysical(cpu: VmxCpu, gpa: number, access: GuestPhysicalAccess, linear: bigint | undefined): number;

  /** Machine snapshot support: VMX state is opaque to the machine but must be saved and restored with it. */
  saveState(): unknown;
  restoreState(state: unknown): void;
  /** Machine reset (setupStart): leave VMX operation, forget everything. */
  reset(): void;
}

/**
 * The mnemonics (DecodedInstructionView.mnemonic) for which VmxHooks.instruction can cause a VM exit (SDM
 * 25.1.2/25.1.3: the instruction-only intercepts). The interpreter may skip the hook for every other
 * instruction; a decoder can cache membership per decoded instruction.
 */
export const VMX_INSTRUCTION_HOOK_MNEMONICS: ReadonlySet<string> = new Set([
  "cpuid",
  "getsec",
  "invd",
  "xsetbv",
  "hlt",
  "invlpg",
  "invpcid",
  "rdpmc",
  "rdtsc",
  "rdtscp",
  "mwait",
  "monitor",
  "pause",
  "wbinvd",
  "wbnoinvd",
  "rdrand",
  "rdseed",
  "sgdt",
  "sidt",
  "lgdt",
  "lidt",
  "sldt",
  "str",
  "lldt",
  "ltr",
  "xsaves",
  "xrstors",
]);

/** The machine without VMX: VMX instructions #UD, nothing is intercepted. */
export const NO_VMX: VmxHooks = {
  nonRoot: false,
  inVmxOperation: false,
  wantsBoundary: false,
  eptActive: false,
  externalInterruptExiting: false,
  executeVmxInstruction(cpu) {
    return cpu.raiseException(6);
  },
  instruction() {
    return false;
  },
  crRead(_c, _cr, value) {
    return value;
  },
  crWrite(_c, _cr, value) {
    return value;
  },
  drAccess() {},
  msrAccess() {},
  io() {},
  event() {},
  externalInterrupt() {
    return false;
  },
  initSignal() {
    return "none";
  },
  tripleFault() {},
  taskSwitch() {},
  boundary() {},
  tsc(_c, value) {
    return value;
  },
  translateGuestPhysical(_c, gpa) {
    return gpa;
  },
  saveState() {
    return undefined;
  },
  restoreState() {},
  reset() {},
};

/**
 * A factory so the Machine can create VMX for itself: `new Machine({ vmx: (cpu) => createVmx(cpu) })`.
 * The machine calls it once in its constructor; `cpu.model` is the chosen CPU model.
 */
export type VmxFactory = (cpu: VmxCpu) => VmxHooks;
