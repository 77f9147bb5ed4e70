// VM exits (SDM 27): recording the exit information, saving guest state (27.3), the VM-exit MSR-store area
// (27.4), loading host state (27.5), the VM-exit MSR-load area (27.6), and VMX aborts (27.7). Also the host
// part of a VM-entry failure (26.8: exit reason 33/34 load host state but save nothing).
import { CR0, CR4, EFER, EXIT_CTLS, MSR, PIN_BASED, PROC_BASED, PROC_BASED2, VMCS } from "../../arch/index";
import type { DecodedInstructionView, SegmentIndex, VmxCpu } from "../vmx-hooks";
import { H } from "./host-snapshot";
import { slotOfField } from "./vmcs";
import type { Vmx } from "./vmx";

/** CR0 bits that VM entry and VM exit leave unchanged (SDM 26.3.2.1, 27.5.1): ET, NW, CD and reserved bits. */
/** 63:32, 28:19, 17 and 15:6 are reserved. */
const CR0_KEEP = BigInt(CR0.ET | CR0.NW | CR0.CD) | 0xffffffff_0000_0000n | 0x1ff8_0000n | 0x2_0000n | 0xffc0n;

/** Guest segment fields in SegmentIndex order (ES, CS, SS, DS, FS, GS, LDTR, TR). */
export const GUEST_SEGMENT_FIELDS: readonly (readonly [number, number, number, number])[] = [
  [VMCS.GUEST_ES_SELECTOR, VMCS.GUEST_ES_BASE, VMCS.GUEST_ES_LIMIT, VMCS.GUEST_ES_ACCESS_RIGHTS],
  [VMCS.GUEST_CS_SELECTOR, VMCS.GUEST_CS_BASE, VMCS.GUEST_CS_LIMIT, VMCS.GUEST_CS_ACCESS_RIGHTS],
  [VMCS.GUEST_SS_SELECTOR, VMCS.GUEST_SS_BASE, VMCS.GUEST_SS_LIMIT, VMCS.GUEST_SS_ACCESS_RIGHTS],
  [VMCS.GUEST_DS_SELECTOR, VMCS.GUEST_DS_BASE, VMCS.GUEST_DS_LIMIT, VMCS.GUEST_DS_ACCESS_RIGHTS],
  [VMCS.GUEST_FS_SELECTOR, VMCS.GUEST_FS_BASE, VMCS.GUEST_FS_LIMIT, VMCS.GUEST_FS_ACCESS_RIGHTS],
  [VMCS.GUEST_GS_SELECTOR, VMCS.GUEST_GS_BASE, VMCS.GUEST_GS_LIMIT, VMCS.GUEST_GS_ACCESS_RIGHTS],
  [VMCS.GUEST_LDTR_SELECTOR, VMCS.GUEST_LDTR_BASE, VMCS.GUEST_LDTR_LIMIT, VMCS.GUEST_LDTR_ACCESS_RIGHTS],
  [VMCS.GUEST_TR_SELECTOR, VMCS.GUEST_TR_BASE, VMCS.GUEST_TR_LIMIT, VMCS.GUEST_TR_ACCESS_RIGHTS],
];

/** The slots of GUEST_SEGMENT_FIELDS: 4 per segment register (selector, base, limit, access rights). */
export const GUEST_SEGMENT_SLOTS: Int16Array = Int16Array.from(GUEST_SEGMENT_FIELDS.flat().map(slotOfField));

/** Slots of the fields every VM exit writes (VmcsStore.put32/putNumber: no encoding lookup). */
const SLOT = {
  EXIT_REASON: slotOfField(VMCS.EXIT_REASON),
  INSTRUCTION_LENGTH: slotOfField(VMCS.VM_EXIT_INSTRUCTION_LENGTH),
  INSTRUCTION_INFORMATION: slotOfField(VMCS.VM_EXIT_INSTRUCTION_INFORMATION),
  INTERRUPTION_INFORMATION: slotOfField(VMCS.VM_EXIT_INTERRUPTION_INFORMATION),
  INTERRUPTION_ERROR_CODE: slotOfField(VMCS.VM_EXIT_INTERRUPTION_ERROR_CODE),
  IDT_VECTORING_INFORMATION: slotOfField(VMCS.IDT_VECTORING_INFORMATION),
  IDT_VECTORING_ERROR_CODE: slotOfField(VMCS.IDT_VECTORING_ERROR_CODE),
  GUEST_CR0: slotOfField(VMCS.GUEST_CR0),
  GUEST_CR3: slotOfField(VMCS.GUEST_CR3),
  GUEST_CR4: slotOfField(VMCS.GUEST_CR4),
  GUEST_RIP: slotOfField(VMCS.GUEST_RIP),
  GUEST_RFLAGS: slotOfField(VMCS.GUEST_RFLAGS),
  GUEST_GDTR_BASE: slotOfField(VMCS.GUEST_GDTR_BASE),
  GUEST_GDTR_LIMIT: slotOfField(VMCS.GUEST_GDTR_LIMIT),
  GUEST_IDTR_BASE: slotOfField(VMCS.GUEST_IDTR_BASE),
  GUEST_IDTR_LIMIT: slotOfField(VMCS.GUEST_IDTR_LIMIT),
  GUEST_INTERRUPTIBILITY_STATE: slotOfField(VMCS.GUEST_INTERRUPTIBILITY_STATE),
  GUEST_ACTIVITY_STATE: slotOfField(VMCS.GUEST_ACTIVITY_STATE),
} as const;

/**
 * CR0 as VM entry/exit load it: the loaded value except the bits they leave unchanged (CR0_KEEP), bits 31:0 only
 * (CR0[63:32] is reserved 0 in this machine).
 */
const CR0_KEEP_LOW = Number(CR0_KEEP & 0xffffffffn);
export function mergeCr0Number(current: number, loaded: number): number {
  return ((loaded & ~CR0_KEEP_LOW) | (current & CR0_KEEP_LOW)) >>> 0;
}

export interface ExitInfo {
  reason: number;
  qualification?: bigint;
  instructionLength?: number;
  instructionInfo?: number;
  interruptionInfo?: number;
  interruptionErrorCode?: number;
  guestLinearAddress?: bigint;
  guestPhysicalAddress?: bigint;
}

/**
 * VM-exit instruction information (SDM 27.2.5, Tables 27-9..27-14): the memory operand's scaling, address
 * size, segment, index and base, or the register operand; reg2 is the other register operand.
 */
export function instructionInformation(insn: DecodedInstructionView, memIndex: number, reg2Index: number): number {
  let info = 0;
  const asz = insn.addressSize === 2 ? 0 : insn.addressSize === 4 ? 1 : 2;
  const op = insn.operands[memIndex];
  if (op?.kind === "mem") {
    // The address size is undefined for register operands (bit 10 set): left 0 then, as Bochs does.
    info |= asz << 7;
    info |= [1, 2, 4, 8].indexOf(op.scale) & 3;
    info |= (op.segment & 7) << 15;
    info |= op.index < 0 ? 1 << 22 : (op.index & 15) << 18;
    info |= op.base < 0 || op.base > 15 ? 1 << 27 : (op.base & 15) << 23;
  } else if (op?.kind === "reg") {
    info |= 1 << 10;
    info |= (op.reg & 15) << 3;
  }
  const r2 = insn.operands[reg2Index];
  if (r2?.kind === "reg") info |= (r2.reg & 15) << 28;
  return info >>> 0;
}

/**
 * The exit qualification of an instruction with a memory operand (SDM 27.2.1): its displacement, sign-extended;
 * with RIP-relative addressing, the displacement plus the RIP of the next instruction.
 */
export function displacementQualification(insn: DecodedInstructionView): bigint {
  const op = insn.operands.find((o) => o.kind === "mem");
  if (op?.kind !== "mem") return 0n;
  return BigInt.asUintN(64, op.base === 16 ? insn.nextRip + op.displacement : op.displacement);
}

/** A VM exit caused by executing `insn` (the guest's RIP stays on it). Never returns. */
export function exitForInstruction(
  vmx: Vmx,
  cpu: VmxCpu,
  insn: DecodedInstructionView,
  reason: number,
  qualification?: bigint,
): never {
  instructionExit(vmx, cpu, insn, reason, qualification);
  return endExit(vmx, cpu, reason);
}

/**
 * The same VM exit without ending the instruction: for VmxHooks.instruction, whose `true` return tells the
 * interpreter not to execute it (no throw: a thrown VmExitSignal costs microseconds in V8). Returns true.
 */
export function instructionExit(
  vmx: Vmx,
  cpu: VmxCpu,
  insn: DecodedInstructionView,
  reason: number,
  qualification?: bigint,
): true {
  let info = 0;
  let qual = qualification ?? 0n;
  const m = insn.mnemonic;
  if (m === "vmread") info = instructionInformation(insn, 0, 1);
  else if (m === "vmwrite") info = instructionInformation(insn, 1, 0);
  else if (m === "invept" || m === "invvpid" || m === "invpcid") info = instructionInformation(insn, 1, 0);
  else if (m === "vmxon" || m === "vmclear" || m === "vmptrld" || m === "vmptrst" || m === "xsaves" || m === "xrstors")
    info = instructionInformation(insn, 0, -1);
  else if (m === "rdrand" || m === "rdseed")
    info = instructionInformation(insn, 0, -1) | ((insn.operandSize === 2 ? 0 : insn.operandSize === 4 ? 1 : 2) << 11);
  // The operand list is built lazily (vmx-bridge.ts): look at it only for the instructions that need it.
  if (
    qualification === undefined &&
    (m.startsWith("vm") || m.startsWith("inv")) &&
    insn.operands.some((o) => o.kind === "mem")
  )
    qual = displacementQualification(insn);
  // One reused record (performVmExit reads it synchronously and keeps nothing).
  const e = INSTRUCTION_EXIT;
  e.reason = reason;
  e.qualification = qual;
  e.instructionLength = insn.length;
  e.instructionInfo = info;
  return instructionExitWith(vmx, cpu, e);
}
const INSTRUCTION_EXIT: ExitInfo & { qualification: bigint; instructionLength: number; instructionInfo: number } = {
  reason: 0,
  qualification: 0n,
  instructionLength: 0,
  instructionInfo: 0,
};

/** Performs a VM exit and ends the current instruction (cpu.vmExit throws). */
export function performVmExit(vmx: Vmx, cpu: VmxCpu, e: ExitInfo): never {
  vmExitInPlace(vmx, cpu, e);
  return endExit(vmx, cpu, e.reason, e.qualification);
}

/** vmExitInPlace for VmxHooks.instruction (returns true; the debugger's stop is requested, not thrown). */
export function instructionExitWith(vmx: Vmx, cpu: VmxCpu, e: ExitInfo): true {
  vmExitInPlace(vmx, cpu, e);
  if (vmx.stopOnVmExit)
    cpu.requestStop({ kind: "vmExit", rip: cpu.getRip(), exitReason: e.reason, qualification: e.qualification ?? 0n });
  return true;
}

/** Ends the current instruction after a VM exit (with a stop when the debugger breaks on VM exits). */
function endExit(vmx: Vmx, cpu: VmxCpu, reason: number, qualification?: bigint): never {
  return cpu.vmExit(
    vmx.stopOnVmExit
      ? { kind: "vmExit", rip: cpu.getRip(), exitReason: reason, qualification: qualification ?? 0n }
      : undefined,
  );
}

/**
 * Performs a VM exit (SDM 27) and returns true; the caller ends the current instruction (VmxHooks.instruction
 * by returning true after requesting the debugger's stop, everything else through endExit).
 */
export function vmExitInPlace(vmx: Vmx, cpu: VmxCpu, e: ExitInfo): true {
  const guestRip = vmx.hasListeners ? cpu.getRip() : 0n; // only the vmExit event reports it
  const store = vmx.store;
  const pa = vmx.state.currentVmcs;
  store.put32(pa, SLOT.EXIT_REASON, e.reason);
  const q = e.qualification;
  if (q === undefined || q === 0n) vmx.setFieldHalves(VMCS.EXIT_QUALIFICATION, 0, 0);
  else vmx.setField(VMCS.EXIT_QUALIFICATION, q);
  store.put32(pa, SLOT.INSTRUCTION_LENGTH, e.instructionLength ?? 0);
  store.put32(pa, SLOT.INSTRUCTION_INFORMATION, e.instructionInfo ?? 0);
  store.put32(pa, SLOT.INTERRUPTION_INFORMATION, e.interruptionInfo ?? 0);
  store.put32(pa, SLOT.INTERRUPTION_ERROR_CODE, e.interruptionErrorCode ?? 0);
  // IDT-vectoring information (SDM 27.2.3): the event whose delivery this VM exit interrupted, if any.
  const v = vmx.vectoring;
  vmx.vectoring = undefined;
  const vError = v !== undefined && v.errorCode !== undefined && v.type === 3;
  store.put32(
    pa,
    SLOT.IDT_VECTORING_INFORMATION,
    v ? (0x80000000 | (vError ? 0x800 : 0) | (v.type << 8) | v.vector) >>> 0 : 0,
  );
  store.put32(pa, SLOT.IDT_VECTORING_ERROR_CODE, vError ? (v?.errorCode ?? 0) : 0);
  // During the delivery of a software interrupt or exception the instruction length is that of INT n/INT3/INTO.
  if (v && v.type >= 4 && v.type <= 6 && v.instructionLength !== undefined)
    store.put32(pa, SLOT.INSTRUCTION_LENGTH, v.instructionLength);
  if (e.guestLinearAddress !== undefined) vmx.setField(VMCS.GUEST_LINEAR_ADDRESS, e.guestLinearAddress);
  if (e.guestPhysicalAddress !== undefined) vmx.setField(VMCS.GUEST_PHYSICAL_ADDRESS, e.guestPhysicalAddress);
  // VM exits clear the valid bit of the VM-entry interruption-information field (SDM 27.2.x).
  vmx.setField32(
    VMCS.VM_ENTRY_INTERRUPTION_INFORMATION,
    vmx.field32(VMCS.VM_ENTRY_INTERRUPTION_INFORMATION) & 0x7fffffff,
  );
  const clean = sysenterClean(vmx, cpu);
  const ept = vmx.eptActive;
  saveGuestState(vmx, cpu);
  storeMsrs(vmx, cpu);
  leaveNonRoot(vmx);
  loadHostState(vmx, cpu, clean, ept);
  if (!loadExitMsrs(vmx, cpu)) return cpu.vmExit();
  if (vmx.hasListeners)
    vmx.emit({
      kind: "vmExit",
      exitReason: e.reason,
      qualification: e.qualification ?? 0n,
      guestRip,
      instructionLength: e.instructionLength ?? 0,
      vmcs: vmx.state.currentVmcs,
    });
  return true;
}

export function leaveNonRoot(vmx: Vmx): void {
  vmx.state.nonRoot = false;
  vmx.guestSysenterClean = false;
  vmx.eptActive = false;
  vmx.wantsBoundary = false;
  vmx.boundaryControls = false;
  vmx.state.pendingMtf = false;
}

/** SDM 27.3: the guest-state area (number paths: this runs on every VM exit). */
function saveGuestState(vmx: Vmx, cpu: VmxCpu): void {
  const exit = vmx.field32(VMCS.PRIMARY_VM_EXIT_CONTROLS);
  const store = vmx.store;
  const pa = vmx.state.currentVmcs;
  store.put32(pa, SLOT.GUEST_CR0, cpu.crNumber(0));
  store.putNumber(pa, SLOT.GUEST_CR3, cpu.crNumber(3));
  store.put32(pa, SLOT.GUEST_CR4, cpu.crNumber(4));
  if (exit & EXIT_CTLS.SAVE_DEBUG_CONTROLS) {
    vmx.setField(VMCS.GUEST_DR7, cpu.readDr(7));
    saveMsr(vmx, cpu, MSR.IA32_DEBUGCTL, VMCS.GUEST_IA32_DEBUGCTL);
  }
  vmx.setFieldHalves(VMCS.GUEST_RSP, cpu.gprLo(4), cpu.gprHi(4));
  store.putNumber(pa, SLOT.GUEST_RIP, cpu.ripNumber());
  store.put32(pa, SLOT.GUEST_RFLAGS, cpu.rflagsNumber());
  saveGuestSegments(vmx, cpu);
  store.putNumber(pa, SLOT.GUEST_GDTR_BASE, cpu.tableBaseNumber(false));
  store.put32(pa, SLOT.GUEST_GDTR_LIMIT, cpu.tableLimit(false));
  store.putNumber(pa, SLOT.GUEST_IDTR_BASE, cpu.tableBaseNumber(true));
  store.put32(pa, SLOT.GUEST_IDTR_LIMIT, cpu.tableLimit(true));
  if (!sysenterClean(vmx, cpu)) {
    saveMsr(vmx, cpu, MSR.IA32_SYSENTER_CS, VMCS.GUEST_IA32_SYSENTER_CS);
    saveMsr(vmx, cpu, MSR.IA32_SYSENTER_ESP, VMCS.GUEST_IA32_SYSENTER_ESP);
    saveMsr(vmx, cpu, MSR.IA32_SYSENTER_EIP, VMCS.GUEST_IA32_SYSENTER_EIP);
  }
  if (exit & EXIT_CTLS.SAVE_IA32_PAT) saveMsr(vmx, cpu, MSR.IA32_PAT, VMCS.GUEST_IA32_PAT);
  if (exit & EXIT_CTLS.SAVE_IA32_EFER) saveMsr(vmx, cpu, MSR.IA32_EFER, VMCS.GUEST_IA32_EFER);
  const blocking = cpu.interruptibilityBits();
  const pin = vmx.field32(VMCS.PIN_BASED_VM_EXEC_CONTROLS);
  const nmi = pin & PIN_BASED.VIRTUAL_NMIS ? (vmx.state.virtualNmiBlocked ? 8 : 0) : blocking & 8;
  store.put32(pa, SLOT.GUEST_INTERRUPTIBILITY_STATE, (blocking & 3) | nmi);
  store.put32(pa, SLOT.GUEST_ACTIVITY_STATE, cpu.getActivityState());
  const pending = cpu.pendingDebugExceptions;
  if (pending === 0n) vmx.setFieldHalves(VMCS.GUEST_PENDING_DEBUG_EXCEPTIONS, 0, 0);
  else vmx.setField(VMCS.GUEST_PENDING_DEBUG_EXCEPTIONS, pending);
  if (exit & EXIT_CTLS.SAVE_VMX_PREEMPTION_TIMER_VALUE)
    vmx.setField32(VMCS.VMX_PREEMPTION_TIMER_VALUE, preemptionTimerNow(vmx, cpu));
  // With EPT and PAE paging the PDPTEs are saved (SDM 27.3.4).
  const proc2 = secondaryControls(vmx);
  if (proc2 & PROC_BASED2.ENABLE_EPT) {
    const cr0 = cpu.readCr(0);
    const cr4 = cpu.readCr(4);
    const lma = ((cpu.readMsr(MSR.IA32_EFER) ?? 0n) & BigInt(EFER.LMA)) !== 0n;
    if (cr0 & BigInt(CR0.PG >>> 0) && cr4 & BigInt(CR4.PAE) && !lma) {
      const table = Number(cpu.readCr(3) & 0xffffffe0n);
      const pdpteFields = [VMCS.GUEST_PDPTE0, VMCS.GUEST_PDPTE1, VMCS.GUEST_PDPTE2, VMCS.GUEST_PDPTE3];
      for (let i = 0; i < 4; i++)
        vmx.setField(
          pdpteFields[i]!,
          cpu.readPhys(vmx.translateGuestPhysical(cpu, table + 8 * i, "read", undefined), 8),
        );
    }
  }
}

/**
 * The guest segment registers into their 32 fields (SDM 27.3.2). When the fields still hold what VM entry loaded
 * (vmx.segments valid) and the registers did not change, nothing needs writing: one bulk read and compare.
 */
function saveGuestSegments(vmx: Vmx, cpu: VmxCpu): void {
  const now = vmx.segmentsNow;
  cpu.readSegments(now);
  for (let s = 0; s < 8; s++) now[4 * s + 3] = now[4 * s + 3]! & 0x1f0ff;
  const store = vmx.store;
  const snap = vmx.segments;
  if (store.watchedWrites === vmx.segmentsWrites) {
    let same = true;
    for (let k = 0; k < 32; k++)
      if (now[k] !== snap[k]) {
        same = false;
        break;
      }
    if (same) return;
  }
  const pa = vmx.state.currentVmcs;
  for (let k = 0; k < 32; k++) {
    const i = GUEST_SEGMENT_SLOTS[k]!;
    if ((k & 3) === 1) store.putNumber(pa, i, now[k]!);
    else store.put32(pa, i, now[k]!);
    snap[k] = (k & 3) === 1 ? store.numberAt(pa, i) : store.lo32At(pa, i);
  }
  vmx.segmentsWrites = store.watchedWrites;
}

/** The SYSENTER MSRs still equal their guest-state fields (vmx.guestSysenterClean; no writeMsr since entry). */
function sysenterClean(vmx: Vmx, cpu: VmxCpu): boolean {
  if (!vmx.guestSysenterClean || cpu.msrWrites !== vmx.msrWritesAtEntry || !vmx.state.nonRoot) return false;
  // Nor were the fields written since the entry (a debugger editing the VMCS of a paused guest).
  const changed = vmx.store.changed;
  return (
    !changed.has(VMCS.GUEST_IA32_SYSENTER_CS) &&
    !changed.has(VMCS.GUEST_IA32_SYSENTER_ESP) &&
    !changed.has(VMCS.GUEST_IA32_SYSENTER_EIP)
  );
}

/**
 * Loads a SYSENTER MSR from its host field (27.5.1). When the MSR still holds its guest field's value, the
 * two fields are compared instead of reading the MSR.
 */
function loadSysenter(
  vmx: Vmx,
  cpu: VmxCpu,
  clean: boolean,
  index: number,
  host: number,
  hostValue: number,
  guestSlot: number,
): void {
  if (clean && hostValue === vmx.store.numberAt(vmx.state.currentVmcs, guestSlot)) return;
  loadMsrFromField(vmx, cpu, index, host);
}
const GUEST_SYSENTER_SLOTS = [
  slotOfField(VMCS.GUEST_IA32_SYSENTER_CS),
  slotOfField(VMCS.GUEST_IA32_SYSENTER_ESP),
  slotOfField(VMCS.GUEST_IA32_SYSENTER_EIP),
] as const;

/** Saves an MSR into a guest-state field (the common value 0 without bigint arithmetic). */
function saveMsr(vmx: Vmx, cpu: VmxCpu, index: number, encoding: number): void {
  const v = cpu.readMsr(index) ?? 0n;
  if (v === 0n) vmx.setFieldHalves(encoding, 0, 0);
  else vmx.setField(encoding, v);
}

/** Loads an MSR from a VMCS field unless it already holds the value (VM entry and VM exit). */
export function loadMsrFromField(vmx: Vmx, cpu: VmxCpu, index: number, encoding: number): void {
  const now = cpu.readMsr(index);
  if (now === 0n && vmx.field32(encoding) === 0 && vmx.fieldHi(encoding) === 0) return;
  const v = vmx.field(encoding);
  if (now !== v) cpu.writeMsr(index, v);
}

/** Loads CR0/CR3/CR4 unless it already holds the value (a CR write flushes the machine's TLB). */
export function loadCr(cpu: VmxCpu, cr: 0 | 3 | 4, value: number): void {
  if (cpu.crNumber(cr) !== value) cpu.writeCr(cr, BigInt(value));
}

/** X of SDM 25.5.1: the timer counts down by 1 every time bit X of the TSC changes (X = IA32_VMX_MISC[4:0]). */
export function preemptionTimerRate(vmx: Vmx): bigint {
  return (vmx.model.msr.get(MSR.IA32_VMX_MISC) ?? 0n) & 0x1fn;
}

/** The preemption timer's current value: the value at VM entry minus the changes of TSC bit X since then. */
export function preemptionTimerNow(vmx: Vmx, cpu: VmxCpu): number {
  const x = preemptionTimerRate(vmx);
  const elapsed = (cpu.readTsc() >> x) - (vmx.state.preemptionTimerTsc >> x);
  const left = BigInt(vmx.state.preemptionTimerStart) - elapsed;
  return left > 0n ? Number(left) : 0;
}

/** TSC ticks until the preemption timer reaches 0 (0 if it has). */
export function preemptionTimerTicksLeft(vmx: Vmx, cpu: VmxCpu): bigint {
  const x = preemptionTimerRate(vmx);
  const expiry = ((vmx.state.preemptionTimerTsc >> x) + BigInt(vmx.state.preemptionTimerStart)) << x;
  const left = expiry - cpu.readTsc();
  return left > 0n ? left : 0n;
}

export function secondaryControls(vmx: Vmx): number {
  const proc = vmx.field32(VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS);
  return proc & PROC_BASED.ACTIVATE_SECONDARY_CONTROLS ? vmx.field32(VMCS.SECONDARY_PROC_BASED_VM_EXEC_CONTROLS) : 0;
}

/** SDM 27.4: store MSRs into the VM-exit MSR-store area. */
function storeMsrs(vmx: Vmx, cpu: VmxCpu): void {
  const count = vmx.field32(VMCS.VM_EXIT_MSR_STORE_COUNT);
  const base = Number(vmx.field(VMCS.VM_EXIT_MSR_STORE_ADDRESS));
  for (let i = 0; i < count; i++) {
    const index = Number(cpu.readPhys(base + 16 * i, 4));
    const value = cpu.readMsr(index);
    if (value === undefined)
      vmxAbort(vmx, cpu, 2, `VM-exit MSR-store entry ${i + 1}: MSR 0x${index.toString(16)} cannot be read`);
    cpu.writePhys(base + 16 * i + 8, 8, value);
  }
}

/** SDM 27.6: load MSRs from the VM-exit MSR-load area. Returns false after a VMX abort. */
function loadExitMsrs(vmx: Vmx, cpu: VmxCpu): boolean {
  const count = vmx.field32(VMCS.VM_EXIT_MSR_LOAD_COUNT);
  const base = Number(vmx.field(VMCS.VM_EXIT_MSR_LOAD_ADDRESS));
  for (let i = 0; i < count; i++) {
    const index = Number(cpu.readPhys(base + 16 * i, 4));
    const reserved = Number(cpu.readPhys(base + 16 * i + 4, 4));
    const value = cpu.readPhys(base + 16 * i + 8, 8);
    const bad = reserved !== 0 || index === MSR.IA32_FS_BASE || index === MSR.IA32_GS_BASE || index >>> 8 === 8;
    if (bad || !cpu.writeMsr(index, value)) {
      vmxAbort(vmx, cpu, 4, `VM-exit MSR-load entry ${i + 1} (MSR 0x${index.toString(16)}) failed`);
      return false;
    }
  }
  return true;
}

/** SDM 27.7: VMX abort: write the indicator to the current VMCS and shut down. */
export function vmxAbort(vmx: Vmx, cpu: VmxCpu, indicator: number, message: string): never {
  vmx.store.setAbortIndicator(vmx.state.currentVmcs, indicator);
  vmx.emit({ kind: "vmxAbort", indicator, message });
  leaveNonRoot(vmx);
  cpu.shutdown(`VMX abort (indicator ${indicator}): ${message} (SDM 27.7)`);
  return cpu.vmExit({ kind: "shutdown", rip: cpu.getRip(), message: `VMX abort (indicator ${indicator}): ${message}` });
}

/** SDM 27.5: load the host-state area (number paths: this runs on every VM exit). */
export function loadHostState(vmx: Vmx, cpu: VmxCpu, sysenterClean = false, fromEpt = true): void {
  const h = vmx.host.refresh(vmx.state.currentVmcs);
  const exit = h[H.EXIT_CONTROLS]!;
  const has = (exit & EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE) !== 0;
  // EFER first: the mode follows it (SDM 27.5.1).
  if (exit & EXIT_CTLS.LOAD_IA32_EFER) loadMsrFromField(vmx, cpu, MSR.IA32_EFER, VMCS.HOST_IA32_EFER);
  else {
    const efer = cpu.eferNumber();
    const both = EFER.LMA | EFER.LME;
    const want = has ? efer | both : efer & ~both;
    if (want !== efer) cpu.writeMsr(MSR.IA32_EFER, BigInt(want >>> 0));
  }
  const cr4 = h[H.CR4]! >>> 0;
  loadCr(cpu, 4, cr4);
  loadCr(cpu, 3, h[H.CR3]!);
  loadCr(cpu, 0, mergeCr0Number(cpu.crNumber(0), h[H.CR0]! >>> 0));
  if (cpu.dr7Number() !== 0x400) cpu.writeDr(7, 0x400n);
  if (cpu.readMsr(MSR.IA32_DEBUGCTL) !== 0n) cpu.writeMsr(MSR.IA32_DEBUGCTL, 0n);
  // (Host SYSENTER_ESP/EIP are canonical, HST checks: exact as numbers.)
  const c = sysenterClean;
  const g = GUEST_SYSENTER_SLOTS;
  loadSysenter(vmx, cpu, c, MSR.IA32_SYSENTER_CS, VMCS.HOST_IA32_SYSENTER_CS, h[H.SYSENTER_CS]!, g[0]);
  loadSysenter(vmx, cpu, c, MSR.IA32_SYSENTER_ESP, VMCS.HOST_IA32_SYSENTER_ESP, h[H.SYSENTER_ESP]!, g[1]);
  loadSysenter(vmx, cpu, c, MSR.IA32_SYSENTER_EIP, VMCS.HOST_IA32_SYSENTER_EIP, h[H.SYSENTER_EIP]!, g[2]);
  if (exit & EXIT_CTLS.LOAD_IA32_PAT) loadMsrFromField(vmx, cpu, MSR.IA32_PAT, VMCS.HOST_IA32_PAT);
  if (exit & EXIT_CTLS.LOAD_IA32_PERF_GLOBAL_CTRL)
    loadMsrFromField(vmx, cpu, MSR.IA32_PERF_GLOBAL_CTRL, VMCS.HOST_IA32_PERF_GLOBAL_CTRL);
  // RFLAGS first: it decides the mode (RFLAGS.VM) in which the segment loads below are interpreted.
  cpu.setRflagsNumber(2);
  // Segments (SDM 27.5.2): flat, present, DPL 0; null selectors make DS/ES/FS/GS/SS unusable; LDTR unusable.
  // A register that already holds its value is not loaded again (a load recomputes the processor mode).
  const want = vmx.host.segments;
  const now = vmx.segmentsNow;
  cpu.readSegments(now);
  for (let k = 0; k < 8; k++) {
    const s = HOST_SEGMENT_ORDER[k]!;
    const j = 4 * s;
    if (now[j] !== want[j] || now[j + 1] !== want[j + 1] || now[j + 2] !== want[j + 2] || now[j + 3] !== want[j + 3])
      cpu.setSegmentNumber(s, want[j]!, want[j + 1]!, want[j + 2]!, want[j + 3]!);
  }
  cpu.setTableNumber(false, h[H.GDTR_BASE]!, 0xffff);
  cpu.setTableNumber(true, h[H.IDTR_BASE]!, 0xffff);
  cpu.setGprHalves(4, vmx.field32(VMCS.HOST_RSP), vmx.fieldHi(VMCS.HOST_RSP));
  cpu.setRipNumber(h[H.RIP]!);
  const blocking = cpu.interruptibilityBits();
  if (blocking & 3) cpu.setInterruptibilityBits(blocking & 8);
  cpu.setActivityState(0);
  cpu.pendingDebugExceptions = 0n;
  // A PAE host without IA-32e mode reloads its PDPTEs from CR3 (SDM 27.5.4).
  if (!has && cr4 & CR4.PAE) cpu.setPdptes(undefined);
  // VM exits invalidate cached translations (SDM 28.3.3.1): only a stale TLB needs flushing (see VM entry);
  // after a guest with EPT, its combined mappings must go.
  if (fromEpt) cpu.flushTlb();
  else cpu.flushTlbIfStale();
}

/** The order VM exit loads the segment registers in: CS, SS, DS, ES, FS, GS, TR, LDTR (SDM 27.5.2). */
const HOST_SEGMENT_ORDER: readonly SegmentIndex[] = [1, 2, 3, 0, 4, 5, 7, 6];
