// VMX non-root operation (SDM 25): which guest actions cause VM exits, with their exit qualifications
// (SDM 27.2.1), and how reads of CR0/CR4 see the read shadows (25.3). Every function here runs only while
// the processor is in non-root operation.
import {
  CR4,
  EXIT_CTLS,
  MSR,
  PIN_BASED,
  PROC_BASED,
  PROC_BASED2,
  EXIT_REASON as R,
  RFLAGS,
  VMCS,
} from "../../arch/index";
import type { CrAccessKind, DecodedInstructionView, EventInfo, IoAccess, VmxCpu } from "../vmx-hooks";
import {
  displacementQualification,
  exitForInstruction,
  instructionExit,
  instructionExitWith,
  instructionInformation,
  performVmExit,
  preemptionTimerNow,
  preemptionTimerTicksLeft,
  secondaryControls,
} from "./exit";
import type { Vmx } from "./vmx";

const UD = 6;

function proc(vmx: Vmx): number {
  return vmx.field32(VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS);
}

/** GETSEC, descriptor tables, CPUID … : exits decided by the instruction alone (SDM 25.1.2, 25.1.3). */
/**
 * Instructions whose privilege check (#GP/#UD at CPL > 0) has priority over their VM exit (SDM 25.1.1):
 * with CPL > 0 they fault in the guest instead of exiting.
 */
function privilegeFaultFirst(cpu: VmxCpu, m: string): boolean {
  if (cpu.cpl === 0) return false;
  switch (m) {
    case "hlt":
    case "invlpg":
    case "invpcid":
    case "invd":
    case "wbinvd":
    case "wbnoinvd":
    case "lgdt":
    case "lidt":
    case "lldt":
    case "ltr":
    case "mwait":
    case "monitor":
    case "xsetbv":
    case "xsaves":
    case "xrstors":
      return true;
    case "rdpmc":
      return !(cpu.readCr(4) & BigInt(CR4.PCE));
    case "rdtsc":
    case "rdtscp":
      return (cpu.readCr(4) & BigInt(CR4.TSD)) !== 0n;
    default:
      return false;
  }
}

/**
 * The instruction-only intercepts (VMX_INSTRUCTION_HOOK_MNEMONICS). Returns false when the instruction executes,
 * true after a VM exit: the interpreter then ends the instruction without executing it (no throw).
 */
export function onInstruction(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): boolean {
  const m = insn.mnemonic;
  if (privilegeFaultFirst(cpu, m)) return false;
  switch (m) {
    case "cpuid":
      return instructionExit(vmx, cpu, insn, R.CPUID);
    case "invd":
      return instructionExit(vmx, cpu, insn, R.INVD);
    case "xsetbv":
      // #UD with CR4.OSXSAVE = 0 has priority over the unconditional VM exit (SDM 25.1.1).
      if (!(cpu.crNumber(4) & CR4.OSXSAVE)) return cpu.raiseException(UD);
      return instructionExit(vmx, cpu, insn, R.XSETBV);
    case "getsec":
      if (!(cpu.readCr(4) & BigInt(CR4.SMXE))) return cpu.raiseException(UD);
      return instructionExit(vmx, cpu, insn, R.GETSEC);
    case "hlt":
      if (proc(vmx) & PROC_BASED.HLT_EXITING) return instructionExit(vmx, cpu, insn, R.HLT);
      return false;
    case "invlpg":
      if (proc(vmx) & PROC_BASED.INVLPG_EXITING) {
        const op = insn.operands[0];
        const linear = op?.kind === "mem" ? cpu.linearAddress(op.segment, op.offset) : 0n;
        return instructionExit(vmx, cpu, insn, R.INVLPG, linear);
      }
      return false;
    case "invpcid":
      // With "enable INVPCID" = 0 INVPCID is #UD in the guest (SDM 25.3); else INVLPG exiting decides.
      if (!(secondaryControls(vmx) & PROC_BASED2.ENABLE_INVPCID)) return cpu.raiseException(UD);
      if (proc(vmx) & PROC_BASED.INVLPG_EXITING)
        return instructionExit(vmx, cpu, insn, R.INVPCID, memDisplacement(insn));
      return false;
    case "rdpmc":
      if (proc(vmx) & PROC_BASED.RDPMC_EXITING) return instructionExit(vmx, cpu, insn, R.RDPMC);
      return false;
    case "rdtsc":
      if (proc(vmx) & PROC_BASED.RDTSC_EXITING) return instructionExit(vmx, cpu, insn, R.RDTSC);
      return false;
    case "rdtscp":
      if (!(secondaryControls(vmx) & PROC_BASED2.ENABLE_RDTSCP)) return cpu.raiseException(UD);
      if (proc(vmx) & PROC_BASED.RDTSC_EXITING) return instructionExit(vmx, cpu, insn, R.RDTSCP);
      return false;
    case "mwait":
      // Qualification bit 0: the address-range monitoring hardware is armed (SDM 27.2.1, Table 27-1).
      if (proc(vmx) & PROC_BASED.MWAIT_EXITING)
        return instructionExit(vmx, cpu, insn, R.MWAIT, vmx.monitorArmed ? 1n : 0n);
      vmx.monitorArmed = false;
      return false;
    case "monitor":
      if (proc(vmx) & PROC_BASED.MONITOR_EXITING) return instructionExit(vmx, cpu, insn, R.MONITOR);
      vmx.monitorArmed = true;
      return false;
    case "pause":
      if (proc(vmx) & PROC_BASED.PAUSE_EXITING) return instructionExit(vmx, cpu, insn, R.PAUSE);
      return false;
    case "wbnoinvd":
      // #UD without WBNOINVD support (CPUID.80000008H:EBX[9]) before any VM exit (SDM 25.1.1).
      if (!((cpu.model.cpuid(0x80000008, 0)[1] >>> 9) & 1)) return cpu.raiseException(UD);
      if (secondaryControls(vmx) & PROC_BASED2.WBINVD_EXITING)
        return instructionExit(vmx, cpu, insn, R.WBINVD_OR_WBNOINVD);
      return false;
    case "wbinvd":
      if (secondaryControls(vmx) & PROC_BASED2.WBINVD_EXITING)
        return instructionExit(vmx, cpu, insn, R.WBINVD_OR_WBNOINVD);
      return false;
    case "rdrand":
      if (secondaryControls(vmx) & PROC_BASED2.RDRAND_EXITING) return instructionExit(vmx, cpu, insn, R.RDRAND);
      return false;
    case "rdseed":
      if (secondaryControls(vmx) & PROC_BASED2.RDSEED_EXITING) return instructionExit(vmx, cpu, insn, R.RDSEED);
      return false;
    case "sgdt":
    case "sidt":
    case "lgdt":
    case "lidt":
    case "sldt":
    case "str":
    case "lldt":
    case "ltr":
      if (secondaryControls(vmx) & PROC_BASED2.DESCRIPTOR_TABLE_EXITING) return descriptorTableExit(vmx, cpu, insn);
      return false;
    case "xsaves":
    case "xrstors":
      // #UD with CR4.OSXSAVE = 0 comes first (SDM 25.1.1); with "enable XSAVES/XRSTORS" = 0 they are #UD in
      // the guest (SDM 25.3); else they exit when EDX:EAX AND IA32_XSS AND the XSS-exiting bitmap is not 0
      // (25.1.3). (#GP at CPL > 0 comes first too: privilegeFaultFirst.)
      if (!(cpu.crNumber(4) & CR4.OSXSAVE)) return cpu.raiseException(UD);
      if (!(secondaryControls(vmx) & PROC_BASED2.ENABLE_XSAVES_XRSTORS)) return cpu.raiseException(UD);
      {
        const mask = (cpu.readGpr(2) << 32n) | (cpu.readGpr(0) & 0xffffffffn);
        const xss = cpu.readMsr(MSR.IA32_XSS) ?? 0n;
        if (vmx.field(VMCS.XSS_EXITING_BITMAP) & mask & xss)
          return instructionExit(vmx, cpu, insn, m === "xsaves" ? R.XSAVES : R.XRSTORS, memDisplacement(insn));
      }
      return false;
    default:
      return false;
  }
}

function memDisplacement(insn: DecodedInstructionView): bigint {
  return displacementQualification(insn);
}

/** Exit reasons 46/47 with the instruction identity in bits 29:28 of the instruction information (27.2.5). */
function descriptorTableExit(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): true {
  const m = insn.mnemonic;
  const gdt = ["sgdt", "sidt", "lgdt", "lidt"].indexOf(m);
  const identity = gdt >= 0 ? gdt : ["sldt", "str", "lldt", "ltr"].indexOf(m);
  // Bit 11 (operand size 16/32) is defined for SGDT/SIDT/LGDT/LIDT outside 64-bit mode only; LDTR/TR exits
  // leave it undefined (SDM 27.2.5, Tables 27-10 and 27-11): 0 then, as Bochs.
  const size = gdt >= 0 && cpu.mode() !== "long64" && insn.operandSize === 4 ? 1 << 11 : 0;
  const info = instructionInformation(insn, 0, -1) | (identity << 28) | size;
  return instructionExitWith(vmx, cpu, {
    reason: gdt >= 0 ? R.GDTR_IDTR_ACCESS : R.LDTR_TR_ACCESS,
    qualification: memDisplacement(insn),
    instructionLength: insn.length,
    instructionInfo: info >>> 0,
  });
}

// ---- control registers (SDM 25.1.3, 25.3, 27.2.1 Table 27-3) ---------------------------------------------
function crQualification(cr: number, accessType: number, insn: DecodedInstructionView, lmswSource = 0): bigint {
  const gpr = insn.operands.find((o) => o.kind === "reg");
  const mem = insn.operands.some((o) => o.kind === "mem");
  let q = (cr & 15) | (accessType << 4);
  if (accessType === 3) q |= (mem ? 1 << 6 : 0) | ((lmswSource & 0xffff) << 16);
  else if (gpr?.kind === "reg") q |= (gpr.reg & 15) << 8;
  return BigInt(q >>> 0);
}

function crExit(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView, qualification: bigint): never {
  return performVmExit(vmx, cpu, { reason: R.CONTROL_REGISTER_ACCESS, qualification, instructionLength: insn.length });
}

function shadowed(actual: bigint, mask: bigint, shadow: bigint): bigint {
  return (actual & ~mask) | (shadow & mask);
}

export function onCrRead(
  vmx: Vmx,
  cpu: VmxCpu,
  cr: number,
  value: bigint,
  kind: CrAccessKind,
  insn: DecodedInstructionView,
): bigint {
  if (cr === 0) return shadowed(value, vmx.field(VMCS.CR0_GUEST_HOST_MASK), vmx.field(VMCS.CR0_READ_SHADOW));
  if (cr === 4) return shadowed(value, vmx.field(VMCS.CR4_GUEST_HOST_MASK), vmx.field(VMCS.CR4_READ_SHADOW));
  if (cr === 3 && proc(vmx) & PROC_BASED.CR3_STORE_EXITING) crExit(vmx, cpu, insn, crQualification(3, 1, insn));
  if (cr === 8) {
    if (proc(vmx) & PROC_BASED.CR8_STORE_EXITING) crExit(vmx, cpu, insn, crQualification(8, 1, insn));
    if (proc(vmx) & PROC_BASED.USE_TPR_SHADOW) return BigInt((vtpr(vmx, cpu) >> 4) & 15);
  }
  void kind;
  return value;
}

export function onCrWrite(
  vmx: Vmx,
  cpu: VmxCpu,
  cr: number,
  value: bigint,
  kind: CrAccessKind,
  insn: DecodedInstructionView,
): bigint {
  if (cr === 0) {
    const mask = vmx.field(VMCS.CR0_GUEST_HOST_MASK);
    const shadow = vmx.field(VMCS.CR0_READ_SHADOW);
    const current = cpu.readCr(0);
    if (kind === "clts") {
      if (mask & 8n && shadow & 8n) crExit(vmx, cpu, insn, crQualification(0, 2, insn));
    } else if (kind === "lmsw") {
      // LMSW exits when it would set a host-owned PE the shadow has clear, or change a host-owned MP/EM/TS.
      const src = lmswSource(cpu, insn, value);
      const pe = mask & 1n && !(shadow & 1n) && src & 1n;
      const others = ((src ^ shadow) & mask & 0xen) !== 0n;
      if (pe || others) crExit(vmx, cpu, insn, crQualification(0, 3, insn, Number(src & 0xffffn)));
    } else if ((value ^ shadow) & mask) crExit(vmx, cpu, insn, crQualification(0, 0, insn));
    return (value & ~mask) | (current & mask);
  }
  if (cr === 4) {
    const mask = vmx.field(VMCS.CR4_GUEST_HOST_MASK);
    const shadow = vmx.field(VMCS.CR4_READ_SHADOW);
    if ((value ^ shadow) & mask) crExit(vmx, cpu, insn, crQualification(4, 0, insn));
    return (value & ~mask) | (cpu.readCr(4) & mask);
  }
  if (cr === 3 && proc(vmx) & PROC_BASED.CR3_LOAD_EXITING) {
    const count = Math.min(vmx.field32(VMCS.CR3_TARGET_COUNT), 4);
    const targets = [VMCS.CR3_TARGET_VALUE0, VMCS.CR3_TARGET_VALUE1, VMCS.CR3_TARGET_VALUE2, VMCS.CR3_TARGET_VALUE3];
    let hit = false;
    for (let i = 0; i < count; i++) if (vmx.field(targets[i]!) === value) hit = true;
    if (!hit) crExit(vmx, cpu, insn, crQualification(3, 0, insn));
  }
  if (cr === 8) {
    if (proc(vmx) & PROC_BASED.CR8_LOAD_EXITING) crExit(vmx, cpu, insn, crQualification(8, 0, insn));
    if (proc(vmx) & PROC_BASED.USE_TPR_SHADOW) {
      // MOV to CR8 writes VTPR[7:4] (SDM 29.3); TPR below the threshold is a trap-like exit (29.1.2).
      const page = Number(vmx.field(VMCS.VIRTUAL_APIC_ADDRESS));
      cpu.writePhys(page + 0x80, 4, (value & 15n) << 4n);
      const threshold = vmx.field32(VMCS.TPR_THRESHOLD) & 15;
      if (!(secondaryControls(vmx) & PROC_BASED2.VIRTUAL_INTERRUPT_DELIVERY) && Number(value & 15n) < threshold) {
        // Trap-like (SDM 29.1.2): the guest RIP is that of the next instruction. The instruction length is
        // undefined for this exit (27.2.5); like Bochs, the MOV to CR8's length is recorded.
        cpu.setRip(insn.nextRip);
        performVmExit(vmx, cpu, { reason: R.TPR_BELOW_THRESHOLD, instructionLength: insn.length });
      }
      return cpu.readCr(8);
    }
  }
  return value;
}

/** LMSW's 16-bit source operand (the exit qualification records it, SDM 27.2.1 Table 27-3). */
function lmswSource(cpu: VmxCpu, insn: DecodedInstructionView, merged: bigint): bigint {
  const op = insn.operands[0];
  if (op?.kind === "reg") return cpu.readGpr(op.reg) & 0xffffn;
  if (op?.kind === "mem") return cpu.readVirtual(op.segment, op.offset, 2);
  return merged & 0xffffn;
}

function vtpr(vmx: Vmx, cpu: VmxCpu): number {
  return Number(cpu.readPhys(Number(vmx.field(VMCS.VIRTUAL_APIC_ADDRESS)) + 0x80, 4) & 0xffn);
}

export function onDrAccess(
  vmx: Vmx,
  cpu: VmxCpu,
  write: boolean,
  dr: number,
  gpr: number,
  insn: DecodedInstructionView,
): void {
  if (!(proc(vmx) & PROC_BASED.MOV_DR_EXITING)) return;
  const q = (dr & 7) | (write ? 0 : 1 << 4) | ((gpr & 15) << 8);
  performVmExit(vmx, cpu, { reason: R.MOV_DR, qualification: BigInt(q), instructionLength: insn.length });
}

// ---- MSRs (SDM 25.1.3, 24.6.9 MSR bitmaps) ----------------------------------------------------------------
export function msrExits(vmx: Vmx, cpu: VmxCpu, write: boolean, index: number): boolean {
  if (!(proc(vmx) & PROC_BASED.USE_MSR_BITMAPS)) return true;
  let offset: number;
  if (index >= 0 && index <= 0x1fff) offset = 0;
  else if (index >= 0xc0000000 && index <= 0xc0001fff) offset = 0x400;
  else return true;
  if (write) offset += 0x800;
  const bit = index & 0x1fff;
  const bitmap = Number(vmx.field(VMCS.MSR_BITMAP));
  return ((Number(cpu.readPhys(bitmap + offset + (bit >> 3), 1)) >> (bit & 7)) & 1) === 1;
}

export function onMsrAccess(vmx: Vmx, cpu: VmxCpu, write: boolean, index: number, insn: DecodedInstructionView): void {
  if (msrExits(vmx, cpu, write, index >>> 0)) exitForInstruction(vmx, cpu, insn, write ? R.WRMSR : R.RDMSR);
  // The guest's WRMSR goes ahead: the MSRs may no longer equal the guest-state fields (exit.ts saveGuestState).
  if (write) vmx.guestSysenterClean = false;
}

// ---- I/O (SDM 25.1.3, 24.6.4 I/O bitmaps) -----------------------------------------------------------------
export function ioExits(vmx: Vmx, cpu: VmxCpu, port: number, size: number): boolean {
  const p = proc(vmx);
  if (!(p & PROC_BASED.USE_IO_BITMAPS)) return (p & PROC_BASED.UNCONDITIONAL_IO_EXITING) !== 0;
  for (let k = port; k < port + size; k++) {
    if (k > 0xffff) return true;
    const bitmap = Number(vmx.field(k < 0x8000 ? VMCS.IO_BITMAP_A : VMCS.IO_BITMAP_B));
    const bit = k & 0x7fff;
    if ((Number(cpu.readPhys(bitmap + (bit >> 3), 1)) >> (bit & 7)) & 1) return true;
  }
  return false;
}

export function onIo(vmx: Vmx, cpu: VmxCpu, a: IoAccess, insn: DecodedInstructionView): void {
  if (!ioExits(vmx, cpu, a.port, a.size)) return;
  const q =
    (a.size - 1) |
    (a.direction === "in" ? 1 << 3 : 0) |
    (a.string ? 1 << 4 : 0) |
    (a.rep ? 1 << 5 : 0) |
    (a.dxPort ? 0 : 1 << 6) |
    (a.port << 16);
  let linear: bigint | undefined;
  let info = 0;
  if (a.string) {
    // INS uses ES:(E)DI, OUTS uses DS:(E)SI (or the override): the guest-linear address is recorded (27.2.1).
    const mask = insn.addressSize === 8 ? 0xffffffffffffffffn : insn.addressSize === 4 ? 0xffffffffn : 0xffffn;
    const data = insn.dataSegment;
    const off = cpu.readGpr(a.direction === "in" ? 7 : 6) & mask;
    linear = cpu.linearAddress(a.direction === "in" ? 0 : data, off);
    // Instruction information (Table 27-8): address size and, for OUTS, the source segment. For INS the
    // segment field is undefined; like Bochs, the instruction's DS-relative segment is recorded there too.
    info = ((insn.addressSize === 2 ? 0 : insn.addressSize === 4 ? 1 : 2) << 7) | ((data & 7) << 15);
  }
  performVmExit(vmx, cpu, {
    reason: R.IO_INSTRUCTION,
    qualification: BigInt(q >>> 0),
    instructionLength: insn.length,
    instructionInfo: info,
    ...(linear === undefined ? {} : { guestLinearAddress: linear }),
  });
}

// ---- exceptions, NMIs, external interrupts (SDM 25.2) -----------------------------------------------------
export function onEvent(vmx: Vmx, cpu: VmxCpu, ev: EventInfo, insn: DecodedInstructionView | undefined): void {
  if (vmx.injectingEvent) {
    // The event injected by VM entry is not subject to the exception bitmap (SDM 26.6.1); a VM exit during its
    // delivery reports it as IDT-vectoring information (SDM 27.2.3).
    vmx.injectingEvent = false;
    vmx.vectoring = ev;
    vmx.wantsBoundary = true;
    return;
  }
  exitForEvent(vmx, cpu, ev, insn);
  // Delivery goes ahead: a VM exit before it completes (a nested fault, an EPT violation on the IDT or the stack)
  // records this event as IDT-vectoring information. The next instruction boundary forgets it (the boundary
  // hook is wanted until then).
  vmx.vectoring = ev;
  vmx.wantsBoundary = true;
}

function exitForEvent(vmx: Vmx, cpu: VmxCpu, ev: EventInfo, insn: DecodedInstructionView | undefined): void {
  const pin = vmx.field32(VMCS.PIN_BASED_VM_EXEC_CONTROLS);
  if (ev.type === 0) {
    // With "acknowledge interrupt on exit" the interrupt is acknowledged and its vector recorded; without it
    // the interrupt stays pending and the interruption-information field is invalid (SDM 27.2.2).
    if (pin & PIN_BASED.EXTERNAL_INTERRUPT_EXITING) {
      const ack = (vmx.field32(VMCS.PRIMARY_VM_EXIT_CONTROLS) & EXIT_CTLS.ACKNOWLEDGE_INTERRUPT_ON_EXIT) !== 0;
      performVmExit(vmx, cpu, {
        reason: R.EXTERNAL_INTERRUPT,
        interruptionInfo: ack ? (0x80000000 | ev.vector) >>> 0 : 0,
      });
    }
    return;
  }
  if (ev.type === 2) {
    if (pin & PIN_BASED.NMI_EXITING)
      performVmExit(vmx, cpu, { reason: R.EXCEPTION_OR_NMI, interruptionInfo: (0x80000000 | (2 << 8) | 2) >>> 0 });
    return;
  }
  if (ev.type === 4) return; // INT n is never intercepted by the exception bitmap
  const bitmap = vmx.field32(VMCS.EXCEPTION_BITMAP);
  let exits = ((bitmap >>> ev.vector) & 1) === 1;
  if (ev.vector === 14) {
    // #PF: exits when (error code & mask) == match equals the bitmap bit (SDM 25.2).
    const mask = vmx.field32(VMCS.PAGE_FAULT_ERROR_CODE_MASK);
    const match = vmx.field32(VMCS.PAGE_FAULT_ERROR_CODE_MATCH);
    const matches = ((ev.errorCode ?? 0) & mask) === match;
    exits = exits === matches;
  }
  if (!exits) return;
  const hasError = ev.errorCode !== undefined && ev.type === 3;
  const info = (0x80000000 | (hasError ? 0x800 : 0) | (ev.type << 8) | ev.vector) >>> 0;
  const qualification = ev.vector === 14 ? cpu.readCr(2) : ev.vector === 1 ? cpu.pendingDebugExceptions : 0n;
  performVmExit(vmx, cpu, {
    reason: R.EXCEPTION_OR_NMI,
    qualification,
    interruptionInfo: info,
    ...(hasError ? { interruptionErrorCode: ev.errorCode ?? 0 } : {}),
    instructionLength: ev.type === 5 || ev.type === 6 ? (ev.instructionLength ?? insn?.length ?? 0) : 0,
  });
}

/**
 * Task switches exit unconditionally (SDM 25.4.2), exit reason 9. Qualification (27.2.1, Table 27-2): bits 15:0
 * the new TSS's selector, bits 31:30 the source (0 CALL, 1 IRET, 2 JMP, 3 task gate in the IDT). The instruction
 * length is recorded for CALL, IRET and JMP (27.2.5); an event through a task gate leaves IDT-vectoring
 * information (27.2.3) from the event hook.
 */
export function onTaskSwitch(
  vmx: Vmx,
  cpu: VmxCpu,
  tssSelector: number,
  source: "call" | "iret" | "jmp" | "gate",
  insn: DecodedInstructionView | undefined,
): void {
  const src = source === "call" ? 0 : source === "iret" ? 1 : source === "jmp" ? 2 : 3;
  performVmExit(vmx, cpu, {
    reason: R.TASK_SWITCH,
    qualification: BigInt(((tssSelector & 0xffff) | (src << 30)) >>> 0),
    instructionLength: source === "gate" ? 0 : (insn?.length ?? 0),
  });
}

export function externalInterruptExiting(vmx: Vmx): boolean {
  return (vmx.field32(VMCS.PIN_BASED_VM_EXEC_CONTROLS) & PIN_BASED.EXTERNAL_INTERRUPT_EXITING) !== 0;
}

/**
 * An unblocked external interrupt in VMX non-root operation (SDM 25.2): with "external-interrupt exiting" it causes
 * VM exit 1 whatever RFLAGS.IF is (SDM 24.6.1, Table 24-5). With "acknowledge interrupt on exit" the processor acknowledges the
 * interrupt controller and the VM-exit interruption information holds the vector (valid, type 0); without it the
 * interrupt stays pending and the field is invalid (SDM 27.2.2). A guest in the HLT state leaves it only after the
 * VM exit: the activity state saved is HLT (SDM 27.1).
 */
export function onExternalInterrupt(vmx: Vmx, cpu: VmxCpu, acknowledge: () => number): boolean {
  if (!externalInterruptExiting(vmx)) return false;
  const ack = (vmx.field32(VMCS.PRIMARY_VM_EXIT_CONTROLS) & EXIT_CTLS.ACKNOWLEDGE_INTERRUPT_ON_EXIT) !== 0;
  const info = ack ? (0x80000000 | (acknowledge() & 0xff)) >>> 0 : 0;
  return instructionExitWith(vmx, cpu, { reason: R.EXTERNAL_INTERRUPT, interruptionInfo: info });
}

/**
 * An INIT signal (SDM 23.8, 25.2): blocked in VMX root operation; in non-root operation it causes VM exit 3 and
 * does none of what INIT does outside VMX operation (no register changes), unless the guest is in the
 * wait-for-SIPI state, where INIT is blocked.
 */
export function onInitSignal(vmx: Vmx, cpu: VmxCpu): "exit" | "blocked" | "none" {
  if (!vmx.state.inVmx) return "none";
  if (!vmx.state.nonRoot || cpu.getActivityState() === 3) return "blocked";
  instructionExitWith(vmx, cpu, { reason: R.INIT_SIGNAL });
  return "exit";
}

export function onTripleFault(vmx: Vmx, cpu: VmxCpu): void {
  performVmExit(vmx, cpu, { reason: R.TRIPLE_FAULT });
}

// ---- instruction boundaries: MTF, preemption timer, NMI/interrupt windows (SDM 25.2, 25.5) -------------------
export function onBoundary(vmx: Vmx, cpu: VmxCpu): void {
  vmx.vectoring = undefined;
  vmx.wantsBoundary = vmx.boundaryControls;
  if (!vmx.boundaryControls) return;
  const s = vmx.state;
  const p = proc(vmx);
  if (s.pendingMtf || (p & PROC_BASED.MONITOR_TRAP_FLAG && cpu.instructionCount > s.entryInstructionCount)) {
    s.pendingMtf = false;
    performVmExit(vmx, cpu, { reason: R.MONITOR_TRAP_FLAG });
  }
  const pin = vmx.field32(VMCS.PIN_BASED_VM_EXEC_CONTROLS);
  const blocking = cpu.getInterruptibility();
  const nmiWindow = (p & PROC_BASED.NMI_WINDOW_EXITING) !== 0 && !s.virtualNmiBlocked && !blocking.movSs;
  const interruptWindow =
    (p & PROC_BASED.INTERRUPT_WINDOW_EXITING) !== 0 &&
    (cpu.rflagsNumber() & RFLAGS.IF) !== 0 &&
    !blocking.sti &&
    !blocking.movSs;
  if (pin & PIN_BASED.ACTIVATE_VMX_PREEMPTION_TIMER) {
    // The timer counts down in the HLT activity state as well, and its VM exit wakes the processor (SDM
    // 25.5.1). Unless a window exit ends the HLT state now, time advances to the timer's expiry, or to the
    // 8254's next edge if that comes first (advanceTsc stops there, and the interrupt is looked at before the
    // next boundary). (Shutdown and wait-for-SIPI block the timer.)
    if (cpu.getActivityState() === 1 && !nmiWindow && !interruptWindow) {
      const left = preemptionTimerTicksLeft(vmx, cpu);
      if (left > 0n) cpu.advanceTsc(left);
    }
    if (preemptionTimerNow(vmx, cpu) === 0 && cpu.getActivityState() <= 1)
      performVmExit(vmx, cpu, { reason: R.VMX_PREEMPTION_TIMER_EXPIRED });
  }
  if (nmiWindow) performVmExit(vmx, cpu, { reason: R.NMI_WINDOW });
  if (interruptWindow) performVmExit(vmx, cpu, { reason: R.INTERRUPT_WINDOW });
}

/** RDTSC/RDTSCP/IA32_TSC in the guest: TSC offsetting and scaling (SDM 25.3). */
export function guestTsc(vmx: Vmx, _cpu: VmxCpu, value: bigint): bigint {
  const p = proc(vmx);
  if (!(p & PROC_BASED.USE_TSC_OFFSETTING)) return value;
  let v = value;
  if (secondaryControls(vmx) & PROC_BASED2.USE_TSC_SCALING) v = (v * vmx.field(VMCS.TSC_MULTIPLIER)) >> 48n;
  return BigInt.asUintN(64, v + vmx.field(VMCS.TSC_OFFSET));
}
