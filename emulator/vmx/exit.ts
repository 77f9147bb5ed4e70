// VM exits (SDM 27): recording the exit information, saving guest state (27.3), the VM-exit MSR-store area
// (27.4), loading host state (27.5), the VM-exit MSR-load area (27.6), and VMX aborts (27.7). Also the host
// part of a VM-entry failure (26.8: exit reason 33/34 load host state but save nothing).
import { CR0, CR4, EFER, EXIT_CTLS, MSR, PIN_BASED, PROC_BASED, PROC_BASED2, VMCS } from "../../arch/index";
import type { DecodedInstructionView, SegmentCache, SegmentIndex, VmxCpu } from "../vmx-hooks";
import { setCr, setMsr } from "./cpu-state";
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

export function mergeCr0(current: bigint, loaded: bigint): bigint {
  return (loaded & ~CR0_KEEP & 0xffffffffn) | (current & CR0_KEEP);
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
  info |= asz << 7;
  const op = insn.operands[memIndex];
  if (op?.kind === "mem") {
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
  let info = 0;
  let qual = qualification ?? 0n;
  const m = insn.mnemonic;
  if (m === "vmread") info = instructionInformation(insn, 0, 1);
  else if (m === "vmwrite") info = instructionInformation(insn, 1, 0);
  else if (m === "invept" || m === "invvpid" || m === "invpcid") info = instructionInformation(insn, 1, 0);
  else if (m === "vmxon" || m === "vmclear" || m === "vmptrld" || m === "vmptrst")
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
  return performVmExit(vmx, cpu, {
    reason,
    qualification: qual,
    instructionLength: insn.length,
    instructionInfo: info,
  });
}

/** Performs a VM exit and ends the current instruction (cpu.vmExit throws). */
export function performVmExit(vmx: Vmx, cpu: VmxCpu, e: ExitInfo): never {
  const guestRip = vmx.hasListeners ? cpu.getRip() : 0n; // only the vmExit event reports it
  vmx.setField32(VMCS.EXIT_REASON, e.reason);
  vmx.setField(VMCS.EXIT_QUALIFICATION, e.qualification ?? 0n);
  vmx.setField32(VMCS.VM_EXIT_INSTRUCTION_LENGTH, e.instructionLength ?? 0);
  vmx.setField32(VMCS.VM_EXIT_INSTRUCTION_INFORMATION, e.instructionInfo ?? 0);
  vmx.setField32(VMCS.VM_EXIT_INTERRUPTION_INFORMATION, e.interruptionInfo ?? 0);
  vmx.setField32(VMCS.VM_EXIT_INTERRUPTION_ERROR_CODE, e.interruptionErrorCode ?? 0);
  // IDT-vectoring information (SDM 27.2.3): the event whose delivery this VM exit interrupted, if any.
  const v = vmx.vectoring;
  vmx.vectoring = undefined;
  const vError = v !== undefined && v.errorCode !== undefined && v.type === 3;
  vmx.setField32(
    VMCS.IDT_VECTORING_INFORMATION,
    v ? (0x80000000 | (vError ? 0x800 : 0) | (v.type << 8) | v.vector) >>> 0 : 0,
  );
  vmx.setField32(VMCS.IDT_VECTORING_ERROR_CODE, vError ? (v?.errorCode ?? 0) : 0);
  // During the delivery of a software interrupt or exception the instruction length is that of INT n/INT3/INTO.
  if (v && v.type >= 4 && v.type <= 6 && v.instructionLength !== undefined)
    vmx.setField32(VMCS.VM_EXIT_INSTRUCTION_LENGTH, v.instructionLength);
  if (e.guestLinearAddress !== undefined) vmx.setField(VMCS.GUEST_LINEAR_ADDRESS, e.guestLinearAddress);
  if (e.guestPhysicalAddress !== undefined) vmx.setField(VMCS.GUEST_PHYSICAL_ADDRESS, e.guestPhysicalAddress);
  // VM exits clear the valid bit of the VM-entry interruption-information field (SDM 27.2.x).
  vmx.setField32(
    VMCS.VM_ENTRY_INTERRUPTION_INFORMATION,
    vmx.field32(VMCS.VM_ENTRY_INTERRUPTION_INFORMATION) & 0x7fffffff,
  );
  const guestSegments = saveGuestState(vmx, cpu);
  storeMsrs(vmx, cpu);
  leaveNonRoot(vmx);
  loadHostState(vmx, cpu, guestSegments);
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
  return cpu.vmExit(
    vmx.stopOnVmExit
      ? { kind: "vmExit", rip: cpu.getRip(), exitReason: e.reason, qualification: e.qualification ?? 0n }
      : undefined,
  );
}

export function leaveNonRoot(vmx: Vmx): void {
  vmx.state.nonRoot = false;
  vmx.eptActive = false;
  vmx.wantsBoundary = false;
  vmx.state.pendingMtf = false;
}

/** SDM 27.3: the guest-state area. */
/** Saves the guest state; returns the segment registers as they were (loadHostState skips equal ones). */
function saveGuestState(vmx: Vmx, cpu: VmxCpu): SegmentCache[] {
  const segments: SegmentCache[] = [];
  const exit = vmx.field32(VMCS.PRIMARY_VM_EXIT_CONTROLS);
  vmx.setField(VMCS.GUEST_CR0, cpu.readCr(0));
  vmx.setField(VMCS.GUEST_CR3, cpu.readCr(3));
  vmx.setField(VMCS.GUEST_CR4, cpu.readCr(4));
  if (exit & EXIT_CTLS.SAVE_DEBUG_CONTROLS) {
    vmx.setField(VMCS.GUEST_DR7, cpu.readDr(7));
    vmx.setField(VMCS.GUEST_IA32_DEBUGCTL, cpu.readMsr(MSR.IA32_DEBUGCTL) ?? 0n);
  }
  vmx.setField(VMCS.GUEST_RSP, cpu.readGpr(4));
  vmx.setField(VMCS.GUEST_RIP, cpu.getRip());
  vmx.setField(VMCS.GUEST_RFLAGS, cpu.getRflags());
  for (let s = 0; s < 8; s++) {
    const [sel, base, limit, ar] = GUEST_SEGMENT_FIELDS[s]!;
    const c = cpu.getSegment(s as SegmentIndex);
    segments.push(c);
    vmx.setField32(sel, c.selector);
    vmx.setField(base, c.base);
    vmx.setField32(limit, c.limit);
    vmx.setField32(ar, c.accessRights & 0x1f0ff);
  }
  const gdtr = cpu.getGdtr();
  const idtr = cpu.getIdtr();
  vmx.setField(VMCS.GUEST_GDTR_BASE, gdtr.base);
  vmx.setField32(VMCS.GUEST_GDTR_LIMIT, gdtr.limit);
  vmx.setField(VMCS.GUEST_IDTR_BASE, idtr.base);
  vmx.setField32(VMCS.GUEST_IDTR_LIMIT, idtr.limit);
  vmx.setField32(VMCS.GUEST_IA32_SYSENTER_CS, Number(cpu.readMsr(MSR.IA32_SYSENTER_CS) ?? 0n));
  vmx.setField(VMCS.GUEST_IA32_SYSENTER_ESP, cpu.readMsr(MSR.IA32_SYSENTER_ESP) ?? 0n);
  vmx.setField(VMCS.GUEST_IA32_SYSENTER_EIP, cpu.readMsr(MSR.IA32_SYSENTER_EIP) ?? 0n);
  if (exit & EXIT_CTLS.SAVE_IA32_PAT) vmx.setField(VMCS.GUEST_IA32_PAT, cpu.readMsr(MSR.IA32_PAT) ?? 0n);
  if (exit & EXIT_CTLS.SAVE_IA32_EFER) vmx.setField(VMCS.GUEST_IA32_EFER, cpu.readMsr(MSR.IA32_EFER) ?? 0n);
  const blocking = cpu.getInterruptibility();
  const pin = vmx.field32(VMCS.PIN_BASED_VM_EXEC_CONTROLS);
  const nmi = pin & PIN_BASED.VIRTUAL_NMIS ? vmx.state.virtualNmiBlocked : blocking.nmi;
  vmx.setField32(VMCS.GUEST_INTERRUPTIBILITY_STATE, (blocking.sti ? 1 : 0) | (blocking.movSs ? 2 : 0) | (nmi ? 8 : 0));
  vmx.setField32(VMCS.GUEST_ACTIVITY_STATE, cpu.getActivityState());
  vmx.setField(VMCS.GUEST_PENDING_DEBUG_EXCEPTIONS, cpu.pendingDebugExceptions);
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
  return segments;
}

/** The preemption timer's current value (counts down once per 2^rate TSC ticks; rate = IA32_VMX_MISC[4:0]). */
export function preemptionTimerNow(vmx: Vmx, cpu: VmxCpu): number {
  const rate = Number((vmx.model.msr.get(MSR.IA32_VMX_MISC) ?? 0n) & 0x1fn);
  const elapsed = (cpu.readTsc() - vmx.state.preemptionTimerTsc) >> BigInt(rate);
  const left = BigInt(vmx.state.preemptionTimerStart) - elapsed;
  return left > 0n ? Number(left) : 0;
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

/** SDM 27.5: load the host-state area. */
export function loadHostState(vmx: Vmx, cpu: VmxCpu, current?: readonly SegmentCache[]): void {
  // A segment register that already holds the host's value is not loaded again (a load recomputes the mode).
  const setSegment = (seg: SegmentIndex, c: SegmentCache) => {
    const now = current?.[seg];
    if (
      now &&
      now.selector === c.selector &&
      now.base === c.base &&
      now.limit === c.limit &&
      now.accessRights === c.accessRights
    )
      return;
    cpu.setSegment(seg, c);
  };
  const exit = vmx.field32(VMCS.PRIMARY_VM_EXIT_CONTROLS);
  const has = (exit & EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE) !== 0;
  // EFER first: the mode follows it (SDM 27.5.1).
  let efer = cpu.readMsr(MSR.IA32_EFER) ?? 0n;
  if (exit & EXIT_CTLS.LOAD_IA32_EFER) efer = vmx.field(VMCS.HOST_IA32_EFER);
  else {
    const both = BigInt(EFER.LMA | EFER.LME);
    efer = has ? efer | both : efer & ~both;
  }
  setMsr(cpu, MSR.IA32_EFER, efer);
  setCr(cpu, 4, vmx.field(VMCS.HOST_CR4));
  setCr(cpu, 3, vmx.field(VMCS.HOST_CR3));
  setCr(cpu, 0, mergeCr0(cpu.readCr(0), vmx.field(VMCS.HOST_CR0)));
  if (cpu.readDr(7) !== 0x400n) cpu.writeDr(7, 0x400n);
  setMsr(cpu, MSR.IA32_DEBUGCTL, 0n);
  setMsr(cpu, MSR.IA32_SYSENTER_CS, BigInt(vmx.field32(VMCS.HOST_IA32_SYSENTER_CS)));
  setMsr(cpu, MSR.IA32_SYSENTER_ESP, vmx.field(VMCS.HOST_IA32_SYSENTER_ESP));
  setMsr(cpu, MSR.IA32_SYSENTER_EIP, vmx.field(VMCS.HOST_IA32_SYSENTER_EIP));
  if (exit & EXIT_CTLS.LOAD_IA32_PAT) setMsr(cpu, MSR.IA32_PAT, vmx.field(VMCS.HOST_IA32_PAT));
  if (exit & EXIT_CTLS.LOAD_IA32_PERF_GLOBAL_CTRL)
    setMsr(cpu, MSR.IA32_PERF_GLOBAL_CTRL, vmx.field(VMCS.HOST_IA32_PERF_GLOBAL_CTRL));
  // RFLAGS first: it decides the mode (RFLAGS.VM) in which the segment loads below are interpreted.
  cpu.setRflags(2n);
  // Segments (SDM 27.5.2): flat, present, DPL 0; null selectors make DS/ES/FS/GS/SS unusable.
  const flat = (sel: number, base: bigint): SegmentCache => ({
    selector: sel,
    base,
    limit: 0xffffffff,
    accessRights: sel === 0 ? 0x1c093 : 0xc093,
  });
  setSegment(1, {
    selector: vmx.field32(VMCS.HOST_CS_SELECTOR),
    base: 0n,
    limit: 0xffffffff,
    accessRights: has ? 0xa09b : 0xc09b,
  });
  setSegment(2, flat(vmx.field32(VMCS.HOST_SS_SELECTOR), 0n));
  setSegment(3, flat(vmx.field32(VMCS.HOST_DS_SELECTOR), 0n));
  setSegment(0, flat(vmx.field32(VMCS.HOST_ES_SELECTOR), 0n));
  setSegment(4, flat(vmx.field32(VMCS.HOST_FS_SELECTOR), vmx.field(VMCS.HOST_FS_BASE)));
  setSegment(5, flat(vmx.field32(VMCS.HOST_GS_SELECTOR), vmx.field(VMCS.HOST_GS_BASE)));
  setSegment(7, {
    selector: vmx.field32(VMCS.HOST_TR_SELECTOR),
    base: vmx.field(VMCS.HOST_TR_BASE),
    limit: 0x67,
    accessRights: 0x8b,
  });
  setSegment(6, { selector: 0, base: 0n, limit: 0, accessRights: 0x10000 });
  cpu.setGdtr({ base: vmx.field(VMCS.HOST_GDTR_BASE), limit: 0xffff });
  cpu.setIdtr({ base: vmx.field(VMCS.HOST_IDTR_BASE), limit: 0xffff });
  cpu.writeGpr(4, vmx.field(VMCS.HOST_RSP));
  cpu.setRip(vmx.field(VMCS.HOST_RIP));
  cpu.setInterruptibility({ sti: false, movSs: false, nmi: cpu.getInterruptibility().nmi });
  cpu.setActivityState(0);
  cpu.pendingDebugExceptions = 0n;
  // A PAE host without IA-32e mode reloads its PDPTEs from CR3 (SDM 27.5.4).
  if (!has && vmx.field(VMCS.HOST_CR4) & BigInt(CR4.PAE)) cpu.setPdptes(undefined);
  cpu.flushTlb();
}
