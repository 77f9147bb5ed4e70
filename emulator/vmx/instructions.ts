// The VMX instructions per their pseudo-code in SDM 30.3 ("VMX Instruction Reference"): the common prelude
// (#UD, VM exit in non-root operation, #GP for CPL > 0), then each instruction's VMfail checks in order.
// Check order and error numbers: ../shared/reference/vmx-instructions.md.
import { CR4, VM_INSTRUCTION_ERROR as ERR, EXIT_REASON, MSR, PROC_BASED2, VMCS } from "../../arch/index";
import type { DecodedInstructionView, DecodedOperand, VmxCpu, VmxOutcome } from "../vmx-hooks";
import { eptpProblem } from "./checks/eptp";
import { vmEntry } from "./entry";
import { exitForInstruction, secondaryControls } from "./exit";
import { INVALID_POINTER } from "./state";
import { controlAllowed } from "./vmcs-support";
import type { Vmx } from "./vmx";

const UD = 6;
const GP = 13;

type Mem = Extract<DecodedOperand, { kind: "mem" }>;

/** #UD in real mode, virtual-8086 mode and compatibility mode (SDM 30.3 "standard VMX checks"). */
function badMode(cpu: VmxCpu): boolean {
  const m = cpu.mode();
  return m === "real" || m === "v8086" || m === "compat16" || m === "compat32";
}

function memOperand(cpu: VmxCpu, insn: DecodedInstructionView, index: number): Mem {
  const op = insn.operands[index];
  if (op?.kind !== "mem") return cpu.raiseException(UD);
  return op;
}

/** VMX instructions use 64-bit operands in 64-bit mode and 32-bit operands otherwise (SDM 30.3). */
function operandBits(cpu: VmxCpu): 32 | 64 {
  return cpu.mode() === "long64" ? 64 : 32;
}

function readOperand(cpu: VmxCpu, op: DecodedOperand | undefined, bits: 32 | 64): bigint {
  if (!op) return 0n;
  if (op.kind === "reg") {
    const v = cpu.readGpr(op.reg);
    return bits === 64 ? v : v & 0xffffffffn;
  }
  if (op.kind === "mem") return cpu.readVirtual(op.segment, op.offset, bits === 64 ? 8 : 4);
  return op.value;
}

function writeOperand(cpu: VmxCpu, op: DecodedOperand | undefined, bits: 32 | 64, value: bigint): void {
  if (!op) return;
  if (op.kind === "reg") cpu.writeGpr(op.reg, bits === 64 ? value : value & 0xffffffffn);
  else if (op.kind === "mem") cpu.writeVirtual(op.segment, op.offset, bits === 64 ? 8 : 4, value);
}

/** A VMCS/VMXON pointer is valid when 4-KiB aligned and inside the physical-address width (SDM 30.3). */
function badPointer(vmx: Vmx, p: bigint): boolean {
  const basic = vmx.model.msr.get(MSR.IA32_VMX_BASIC) ?? 0n;
  const width = (basic >> 48n) & 1n ? 32 : vmx.model.physicalAddressWidth;
  return (p & 0xfffn) !== 0n || p >> BigInt(width) !== 0n;
}

function revisionId(vmx: Vmx): number {
  return Number((vmx.model.msr.get(MSR.IA32_VMX_BASIC) ?? 0n) & 0x7fffffffn);
}

/** The prelude shared by most VMX instructions: #UD, VM exit in non-root operation, #GP(0) for CPL > 0. */
function standardChecks(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView, exitReason: number, needsMem: boolean) {
  if (!vmx.state.inVmx || badMode(cpu)) cpu.raiseException(UD);
  if (needsMem) memOperand(cpu, insn, 0);
  if (vmx.state.nonRoot) exitForInstruction(vmx, cpu, insn, exitReason);
  if (cpu.cpl > 0) cpu.raiseException(GP, 0);
}

export function executeVmxInstruction(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome {
  switch (insn.mnemonic) {
    case "vmxon":
      return vmxon(vmx, cpu, insn);
    case "vmxoff":
      standardChecks(vmx, cpu, insn, EXIT_REASON.VMXOFF, false);
      // No dual-monitor treatment of SMIs here, so VMfail(23) cannot happen.
      vmx.state.inVmx = false;
      vmx.state.currentVmcs = INVALID_POINTER;
      vmx.state.vmxonPointer = INVALID_POINTER;
      vmx.store.unbind();
      cpu.interruptStateChanged(); // an INIT blocked in VMX root operation is recognized now (SDM 23.8)
      return vmx.succeed();
    case "vmclear":
      return vmclear(vmx, cpu, insn);
    case "vmptrld":
      return vmptrld(vmx, cpu, insn);
    case "vmptrst": {
      standardChecks(vmx, cpu, insn, EXIT_REASON.VMPTRST, true);
      const op = memOperand(cpu, insn, 0);
      const p = vmx.state.currentVmcs === INVALID_POINTER ? 0xffffffffffffffffn : BigInt(vmx.state.currentVmcs);
      cpu.writeVirtual(op.segment, op.offset, 8, p);
      return vmx.succeed();
    }
    case "vmread":
      return vmread(vmx, cpu, insn);
    case "vmwrite":
      return vmwrite(vmx, cpu, insn);
    case "vmlaunch":
    case "vmresume":
      return vmlaunch(vmx, cpu, insn, insn.mnemonic === "vmlaunch");
    case "vmcall":
      return vmcall(vmx, cpu, insn);
    case "vmfunc":
      return vmfunc(vmx, cpu, insn);
    case "invept":
      return invept(vmx, cpu, insn);
    case "invvpid":
      return invvpid(vmx, cpu, insn);
    default:
      return cpu.raiseException(UD);
  }
}

// ---- VMXON (SDM 30.3 "VMXON") ---------------------------------------------------------------------------
function vmxon(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome {
  const op = insn.operands[0];
  if (op?.kind !== "mem" || badMode(cpu) || !(cpu.readCr(4) & BigInt(CR4.VMXE))) cpu.raiseException(UD);
  const mem = op as Mem;
  if (vmx.state.nonRoot) return exitForInstruction(vmx, cpu, insn, EXIT_REASON.VMXON);
  if (vmx.state.inVmx) {
    if (cpu.cpl > 0) cpu.raiseException(GP, 0);
    return vmx.fail(ERR.VMXON_IN_VMX_ROOT);
  }
  if (cpu.cpl > 0) cpu.raiseException(GP, 0);
  // CR0/CR4 against the FIXED MSRs (SDM 23.8), IA32_FEATURE_CONTROL lock and "VMXON outside SMX" (SDM 23.7).
  const m = vmx.model.msr;
  const cr0 = cpu.readCr(0);
  const cr4 = cpu.readCr(4);
  const f0 = m.get(MSR.IA32_VMX_CR0_FIXED0) ?? 0n;
  const f1 = m.get(MSR.IA32_VMX_CR0_FIXED1) ?? 0xffffffffn;
  const g0 = m.get(MSR.IA32_VMX_CR4_FIXED0) ?? 0n;
  const g1 = m.get(MSR.IA32_VMX_CR4_FIXED1) ?? 0xffffffffn;
  if ((cr0 & f0) !== f0 || cr0 & ~f1 || (cr4 & g0) !== g0 || cr4 & ~g1) cpu.raiseException(GP, 0);
  const fc = cpu.readMsr(MSR.IA32_FEATURE_CONTROL) ?? 0n;
  if ((fc & 1n) === 0n || (fc & 4n) === 0n) cpu.raiseException(GP, 0);
  const p = cpu.readVirtual(mem.segment, mem.offset, 8);
  if (badPointer(vmx, p)) return vmx.failInvalid();
  const rev = Number(cpu.readPhys(Number(p), 4));
  if (rev >>> 0 !== revisionId(vmx)) return vmx.failInvalid();
  vmx.state.inVmx = true;
  vmx.state.vmxonPointer = Number(p);
  vmx.state.currentVmcs = INVALID_POINTER;
  vmx.store.unbind();
  return vmx.succeed();
}

// ---- VMCLEAR ----------------------------------------------------------------------------------------------
function vmclear(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome {
  standardChecks(vmx, cpu, insn, EXIT_REASON.VMCLEAR, true);
  const op = memOperand(cpu, insn, 0);
  const p = cpu.readVirtual(op.segment, op.offset, 8);
  if (badPointer(vmx, p)) return vmx.fail(ERR.VMCLEAR_INVALID_ADDRESS);
  if (Number(p) === vmx.state.vmxonPointer) return vmx.fail(ERR.VMCLEAR_VMXON_POINTER);
  // The data is already in the region (write-through); VMCLEAR makes the launch state "clear".
  vmx.store.setLaunched(Number(p), false);
  if (Number(p) === vmx.state.currentVmcs) {
    vmx.state.currentVmcs = INVALID_POINTER;
    vmx.store.unbind();
  }
  return vmx.succeed();
}

// ---- VMPTRLD ----------------------------------------------------------------------------------------------
function vmptrld(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome {
  standardChecks(vmx, cpu, insn, EXIT_REASON.VMPTRLD, true);
  const op = memOperand(cpu, insn, 0);
  const p = cpu.readVirtual(op.segment, op.offset, 8);
  if (badPointer(vmx, p)) return vmx.fail(ERR.VMPTRLD_INVALID_ADDRESS);
  if (Number(p) === vmx.state.vmxonPointer) return vmx.fail(ERR.VMPTRLD_VMXON_POINTER);
  const rev = vmx.store.revisionDword(Number(p));
  const shadowOk = controlAllowed(vmx.model, "VMCS shadowing");
  if ((rev & 0x7fffffff) !== revisionId(vmx) || (rev >>> 31 === 1 && !shadowOk))
    return vmx.fail(ERR.VMPTRLD_INCORRECT_REVISION);
  vmx.state.currentVmcs = Number(p);
  vmx.store.bind(Number(p));
  return vmx.succeed();
}

// ---- VMREAD / VMWRITE (with VMCS shadowing in non-root operation, SDM 24.10) ----------------------------
/** In non-root operation: the shadow VMCS to use, or undefined when the instruction must exit. */
function shadowTarget(vmx: Vmx, cpu: VmxCpu, encoding: bigint, bitmapField: number): number | "exit" | "invalid" {
  const proc2 = secondaryControls(vmx);
  if (!(proc2 & PROC_BASED2.VMCS_SHADOWING) || encoding >> 15n !== 0n) return "exit";
  const bitmap = Number(vmx.field(bitmapField));
  const n = Number(encoding);
  const byte = Number(cpu.readPhys(bitmap + (n >> 3), 1));
  if ((byte >> (n & 7)) & 1) return "exit";
  const link = vmx.field(VMCS.VMCS_LINK_POINTER);
  return link === 0xffffffffffffffffn ? "invalid" : Number(link);
}

/** VMREAD reg, reg in VMX root operation on numbers (the host side of every VM exit reads fields this way). */
function vmreadRegisters(vmx: Vmx, cpu: VmxCpu, dst: number, src: number, bits: 32 | 64): VmxOutcome {
  if (cpu.cpl > 0) cpu.raiseException(GP, 0);
  if (!vmx.hasCurrentVmcs) return vmx.failInvalid();
  const k = bits === 64 && cpu.gprHi(src) !== 0 ? -1 : vmx.store.slotForNumber(cpu.gprLo(src));
  if (k < 0) return vmx.failValid(ERR.UNSUPPORTED_VMCS_COMPONENT);
  const store = vmx.store;
  store.vmreadSlot(vmx.state.currentVmcs, k, bits);
  cpu.setGprHalves(dst, store.readLo, store.readHi);
  return vmx.succeed();
}

/** VMWRITE reg, reg in VMX root operation on numbers. */
function vmwriteRegisters(vmx: Vmx, cpu: VmxCpu, encReg: number, src: number, bits: 32 | 64): VmxOutcome {
  if (cpu.cpl > 0) cpu.raiseException(GP, 0);
  if (!vmx.hasCurrentVmcs) return vmx.failInvalid();
  const k = bits === 64 && cpu.gprHi(encReg) !== 0 ? -1 : vmx.store.slotForNumber(cpu.gprLo(encReg));
  if (k < 0) return vmx.failValid(ERR.UNSUPPORTED_VMCS_COMPONENT);
  const error = vmx.store.vmwriteSlot(vmx.state.currentVmcs, k, cpu.gprLo(src), cpu.gprHi(src), bits);
  return error === 0 ? vmx.succeed() : vmx.failValid(error);
}

/** #UD outside VMX operation and in real, virtual-8086 and compatibility mode; else the operand size. */
function vmxOperandBits(vmx: Vmx, cpu: VmxCpu): 32 | 64 {
  const m = cpu.mode();
  if (!vmx.state.inVmx || m === "real" || m === "v8086" || m === "compat16" || m === "compat32") cpu.raiseException(UD);
  return m === "long64" ? 64 : 32;
}

function vmread(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome {
  const bits = vmxOperandBits(vmx, cpu);
  if (!vmx.state.nonRoot) {
    const dst = insn.regOperand(0);
    const src = insn.regOperand(1);
    if (dst >= 0 && src >= 0) return vmreadRegisters(vmx, cpu, dst, src, bits);
  }
  const encoding = readOperand(cpu, insn.operands[1], bits);
  let target = vmx.state.currentVmcs;
  if (vmx.state.nonRoot) {
    const t = shadowTarget(vmx, cpu, encoding, VMCS.VMREAD_BITMAP_ADDRESS);
    if (t === "exit") return exitForInstruction(vmx, cpu, insn, EXIT_REASON.VMREAD);
    if (cpu.cpl > 0) cpu.raiseException(GP, 0);
    if (t === "invalid") return vmx.failInvalid();
    target = t;
  } else {
    if (cpu.cpl > 0) cpu.raiseException(GP, 0);
    if (!vmx.hasCurrentVmcs) return vmx.failInvalid();
  }
  const r = vmx.store.vmread(target, encoding, bits);
  if (!r.ok) return vmx.failValid(r.error, target);
  writeOperand(cpu, insn.operands[0], bits, r.value);
  return vmx.succeed();
}

function vmwrite(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome {
  const bits = vmxOperandBits(vmx, cpu);
  if (!vmx.state.nonRoot) {
    const encReg = insn.regOperand(0);
    const src = insn.regOperand(1);
    if (encReg >= 0 && src >= 0) return vmwriteRegisters(vmx, cpu, encReg, src, bits);
  }
  const encoding = readOperand(cpu, insn.operands[0], bits);
  let target = vmx.state.currentVmcs;
  if (vmx.state.nonRoot) {
    const t = shadowTarget(vmx, cpu, encoding, VMCS.VMWRITE_BITMAP_ADDRESS);
    if (t === "exit") return exitForInstruction(vmx, cpu, insn, EXIT_REASON.VMWRITE);
    if (cpu.cpl > 0) cpu.raiseException(GP, 0);
    // The source is read before the VMfail checks (a faulting memory source faults first).
    const value = readOperand(cpu, insn.operands[1], bits);
    if (t === "invalid") return vmx.failInvalid();
    target = t;
    const r = vmx.store.vmwrite(target, encoding, value, bits);
    return r.ok ? vmx.succeed() : vmx.failValid(r.error, target);
  }
  if (cpu.cpl > 0) cpu.raiseException(GP, 0);
  const value = readOperand(cpu, insn.operands[1], bits);
  if (!vmx.hasCurrentVmcs) return vmx.failInvalid();
  const r = vmx.store.vmwrite(target, encoding, value, bits);
  return r.ok ? vmx.succeed() : vmx.failValid(r.error);
}

// ---- VMLAUNCH / VMRESUME ----------------------------------------------------------------------------------
function vmlaunch(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView, launch: boolean): VmxOutcome {
  standardChecks(vmx, cpu, insn, launch ? EXIT_REASON.VMLAUNCH : EXIT_REASON.VMRESUME, false);
  return vmEntry(vmx, cpu, insn, launch);
}

// ---- VMCALL -----------------------------------------------------------------------------------------------
function vmcall(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome {
  if (!vmx.state.inVmx) cpu.raiseException(UD);
  if (vmx.state.nonRoot) return exitForInstruction(vmx, cpu, insn, EXIT_REASON.VMCALL);
  const m = cpu.mode();
  if (m === "v8086" || m === "compat16" || m === "compat32") cpu.raiseException(UD);
  if (cpu.cpl > 0) cpu.raiseException(GP, 0);
  // IA32_SMM_MONITOR_CTL.VALID is 0 (no dual-monitor treatment here): VMfail(1) (SDM 30.3 "VMCALL").
  return vmx.fail(ERR.VMCALL_IN_VMX_ROOT);
}

// ---- VMFUNC (SDM 30.3, 25.5.6) ----------------------------------------------------------------------------
function vmfunc(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome {
  const eax = Number(cpu.readGpr(0) & 0xffffffffn);
  if (!vmx.state.nonRoot) return cpu.raiseException(UD);
  const proc2 = secondaryControls(vmx);
  if (!(proc2 & PROC_BASED2.ENABLE_VM_FUNCTIONS) || eax >= 64) return cpu.raiseException(UD);
  const controls = vmx.field(VMCS.VM_FUNCTION_CONTROLS);
  if (((controls >> BigInt(eax)) & 1n) === 0n || eax !== 0)
    return exitForInstruction(vmx, cpu, insn, EXIT_REASON.VMFUNC);
  // Function 0: EPTP switching.
  const index = Number(cpu.readGpr(1) & 0xffffffffn);
  if (index >= 512) return exitForInstruction(vmx, cpu, insn, EXIT_REASON.VMFUNC);
  const list = Number(vmx.field(VMCS.EPTP_LIST_ADDRESS));
  const eptp = cpu.readPhys(list + 8 * index, 8);
  const cap = vmx.model.msr.get(MSR.IA32_VMX_EPT_VPID_CAP) ?? 0n;
  if (eptpProblem(eptp, cap, vmx.model.physicalAddressWidth))
    return exitForInstruction(vmx, cpu, insn, EXIT_REASON.VMFUNC);
  vmx.setField(VMCS.EPT_POINTER, eptp);
  if (proc2 & PROC_BASED2.EPT_VIOLATION_VE) vmx.setField32(VMCS.EPTP_INDEX, index);
  cpu.flushTlb();
  return "retire";
}

// ---- INVEPT / INVVPID (SDM 30.3) --------------------------------------------------------------------------
function invept(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome {
  const cap = vmx.model.msr.get(MSR.IA32_VMX_EPT_VPID_CAP) ?? 0n;
  if (!controlAllowed(vmx.model, "enable EPT") || !((cap >> 20n) & 1n)) cpu.raiseException(UD);
  if (!vmx.state.inVmx || badMode(cpu) || insn.operands[1]?.kind !== "mem") cpu.raiseException(UD);
  if (vmx.state.nonRoot) return exitForInstruction(vmx, cpu, insn, EXIT_REASON.INVEPT);
  if (cpu.cpl > 0) cpu.raiseException(GP, 0);
  const type = readOperand(cpu, insn.operands[0], operandBits(cpu));
  const supported = (type === 1n && (cap >> 25n) & 1n) || (type === 2n && (cap >> 26n) & 1n);
  if (!supported) return vmx.fail(ERR.INVALID_INVEPT_INVVPID_OPERAND);
  const mem = insn.operands[1] as Mem;
  const eptp = cpu.readVirtual(mem.segment, mem.offset, 8);
  cpu.readVirtual(mem.segment, mem.offset + 8n, 8);
  if (type === 1n && eptpProblem(eptp, cap, vmx.model.physicalAddressWidth))
    return vmx.fail(ERR.INVALID_INVEPT_INVVPID_OPERAND);
  cpu.flushTlb();
  return vmx.succeed();
}

function invvpid(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome {
  const cap = vmx.model.msr.get(MSR.IA32_VMX_EPT_VPID_CAP) ?? 0n;
  if (!controlAllowed(vmx.model, "enable VPID") || !((cap >> 32n) & 1n)) cpu.raiseException(UD);
  if (!vmx.state.inVmx || badMode(cpu) || insn.operands[1]?.kind !== "mem") cpu.raiseException(UD);
  if (vmx.state.nonRoot) return exitForInstruction(vmx, cpu, insn, EXIT_REASON.INVVPID);
  if (cpu.cpl > 0) cpu.raiseException(GP, 0);
  const type = readOperand(cpu, insn.operands[0], operandBits(cpu));
  if (type > 3n || !((cap >> (40n + type)) & 1n)) return vmx.fail(ERR.INVALID_INVEPT_INVVPID_OPERAND);
  const mem = insn.operands[1] as Mem;
  const lo = cpu.readVirtual(mem.segment, mem.offset, 8);
  const linear = cpu.readVirtual(mem.segment, mem.offset + 8n, 8);
  if (lo >> 16n !== 0n) return vmx.fail(ERR.INVALID_INVEPT_INVVPID_OPERAND);
  const vpid = lo & 0xffffn;
  if (type !== 2n && vpid === 0n) return vmx.fail(ERR.INVALID_INVEPT_INVVPID_OPERAND);
  if (type === 0n) {
    const top = linear >> 47n;
    if (top !== 0n && top !== 0x1ffffn) return vmx.fail(ERR.INVALID_INVEPT_INVVPID_OPERAND);
    cpu.flushTlbPage(linear);
  } else cpu.flushTlb();
  return vmx.succeed();
}
