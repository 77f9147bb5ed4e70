// Every VM-entry check of SDM 26.2-26.4 (ids of ../shared/reference/vm-entry-checks.md): a valid baseline,
// and for each check a state that violates it (and, within its phase and the phases before, nothing else),
// asserting the exact outcome: VMfailValid(7) / VMfailValid(8) / VM-entry failure 33 or 34 with its
// qualification, and the check id.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EXIT_CTLS2 } from "../../arch/index";
import type { CpuModel } from "../../emulator/cpu-model";
import { CheckContext, ENTRY_CHECKS, runChecks, runEntryChecks } from "../../emulator/vmx/checks/index";
import {
  baseFacts,
  baseline32,
  baseline64,
  baselineRealMode,
  baselineV86,
  CR0,
  CR4,
  CURRENT_VMCS,
  ENTRY_CTLS,
  EXIT_CTLS,
  MSR,
  PERMISSIVE,
  PIN_BASED,
  PROC_BASED,
  PROC_BASED2,
  SKYLAKE,
  secondary,
  type TestFacts,
  VALID_EPTP,
  VMCS,
  VMXON_PTR,
  type VmcsState,
  variantModel,
  withEpt,
} from "./helpers/entry-state";

interface Case {
  /** Builds the violating state from a fresh baseline (64-bit unless `base` says otherwise). */
  mutate: (s: VmcsState, f: TestFacts) => void;
  base?: () => VmcsState;
  model?: CpuModel;
  /** Other checks that necessarily fail too (e.g. an address beyond the width also ends beyond it). */
  also?: string[];
  /** Expected exit qualification for guest/MSR checks (default 0). */
  qualification?: number;
  bochs?: boolean;
}

const PHYS = SKYLAKE.physicalAddressWidth;
const BEYOND = 1n << BigInt(PHYS);
const NONCANONICAL = 0x0000800000000000n;
const PROC = VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS;
const PIN = VMCS.PIN_BASED_VM_EXEC_CONTROLS;
const EXIT = VMCS.PRIMARY_VM_EXIT_CONTROLS;
const ENTRY = VMCS.VM_ENTRY_CONTROLS;
const INFO = VMCS.VM_ENTRY_INTERRUPTION_INFORMATION;
const INT = VMCS.GUEST_INTERRUPTIBILITY_STATE;
const ACT = VMCS.GUEST_ACTIVITY_STATE;

function tprShadow(s: VmcsState): VmcsState {
  return s.or(PROC, PROC_BASED.USE_TPR_SHADOW).set(VMCS.VIRTUAL_APIC_ADDRESS, 0x5000);
}
function posted(s: VmcsState): VmcsState {
  tprShadow(s);
  s.or(PIN, PIN_BASED.PROCESS_POSTED_INTERRUPTS | PIN_BASED.EXTERNAL_INTERRUPT_EXITING);
  secondary(s, PROC_BASED2.VIRTUAL_INTERRUPT_DELIVERY);
  s.or(EXIT, EXIT_CTLS.ACKNOWLEDGE_INTERRUPT_ON_EXIT);
  return s.set(VMCS.POSTED_INTERRUPT_NOTIFICATION_VECTOR, 0xf2).set(VMCS.POSTED_INTERRUPT_DESCRIPTOR_ADDRESS, 0x5040);
}
function cpl3(s: VmcsState): VmcsState {
  s.set(VMCS.GUEST_CS_SELECTOR, 0x0b).set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0xa0fb);
  return s.set(VMCS.GUEST_SS_SELECTOR, 0x13).set(VMCS.GUEST_SS_ACCESS_RIGHTS, 0xc0f3);
}
function msrList(f: TestFacts, s: VmcsState, index: number, value = 0n, reserved = 0) {
  s.set(VMCS.VM_ENTRY_MSR_LOAD_COUNT, 1).set(VMCS.VM_ENTRY_MSR_LOAD_ADDRESS, 0x5000);
  f.mem.write32(0x5000, index);
  f.mem.write32(0x5004, reserved);
  f.mem.write32(0x5008, Number(value & 0xffffffffn));
  f.mem.write32(0x500c, Number(value >> 32n));
}
const noAd = variantModel(SKYLAKE, {
  [MSR.IA32_VMX_EPT_VPID_CAP]: (SKYLAKE.msr.get(MSR.IA32_VMX_EPT_VPID_CAP) ?? 0n) & ~(1n << 21n),
});
const withRtm = variantModel(SKYLAKE, {}, (leaf, sub, o) =>
  leaf === 7 && sub === 0 ? [o[0], o[1] | (1 << 11), o[2], o[3]] : o,
);

/** A valid FRED state (entry point and stacks canonical and aligned) loaded by VM entry / VM exit. */
function fredState(s: VmcsState, prefix: "GUEST" | "HOST"): VmcsState {
  const f = (n: string) => VMCS[`${prefix}_IA32_FRED_${n}` as keyof typeof VMCS];
  s.set(f("CONFIG"), 0xffff_ffff_8000_1000n | (1n << 6n) | (3n << 9n));
  for (const [i, n] of ["RSP1", "RSP2", "RSP3"].entries()) s.set(f(n), 0x7000_0000n + BigInt(i) * 0x1000n);
  for (const [i, n] of ["SSP1", "SSP2", "SSP3"].entries()) s.set(f(n), 0x7100_0008n + BigInt(i) * 0x1000n);
  return s.set(f("STKLVLS"), 0xffff_ffffn);
}
function loadGuestFred(s: VmcsState): VmcsState {
  return fredState(s.or(ENTRY, ENTRY_CTLS.LOAD_FRED), "GUEST");
}
function loadHostFred(s: VmcsState): VmcsState {
  s.or(EXIT, EXIT_CTLS.ACTIVATE_SECONDARY_CONTROLS).set(VMCS.SECONDARY_VM_EXIT_CONTROLS, BigInt(EXIT_CTLS2.LOAD_FRED));
  return fredState(s, "HOST");
}

const CASES: Record<string, Case> = {
  // ---- 26.2.1.1 VM-execution controls → 7
  "CTL-01": { mutate: (s) => s.set(PIN, 0) },
  "CTL-02": { mutate: (s) => s.clear(PROC, 2) },
  "CTL-03": { mutate: (s) => secondary(s, PROC_BASED2.INSTRUCTION_TIMEOUT) },
  "CTL-05": {
    model: PERMISSIVE,
    mutate: (s) =>
      s.or(PROC, PROC_BASED.ACTIVATE_TERTIARY_CONTROLS).set(VMCS.TERTIARY_PROC_BASED_VM_EXEC_CONTROLS, 1n << 40n),
  },
  "CTL-06": { mutate: (s) => s.set(VMCS.CR3_TARGET_COUNT, 5) },
  "CTL-07": {
    mutate: (s) => s.or(PROC, PROC_BASED.USE_IO_BITMAPS).set(VMCS.IO_BITMAP_A, 0x1001).set(VMCS.IO_BITMAP_B, 0x2000),
  },
  "CTL-08": {
    mutate: (s) => s.or(PROC, PROC_BASED.USE_IO_BITMAPS).set(VMCS.IO_BITMAP_A, 0x1000).set(VMCS.IO_BITMAP_B, 0x2008),
  },
  "CTL-09": {
    mutate: (s) => s.or(PROC, PROC_BASED.USE_IO_BITMAPS).set(VMCS.IO_BITMAP_A, BEYOND).set(VMCS.IO_BITMAP_B, 0x2000),
  },
  "CTL-10": { mutate: (s) => s.or(PROC, PROC_BASED.USE_MSR_BITMAPS).set(VMCS.MSR_BITMAP, 0x1008) },
  "CTL-11": { mutate: (s) => s.or(PROC, PROC_BASED.USE_TPR_SHADOW).set(VMCS.VIRTUAL_APIC_ADDRESS, 0x1004) },
  "CTL-12": { mutate: (s) => tprShadow(s).set(VMCS.TPR_THRESHOLD, 0x10) },
  "CTL-13": {
    mutate: (s, f) => {
      tprShadow(s);
      s.set(VMCS.TPR_THRESHOLD, 5);
      f.mem.write32(0x5080, 0x40);
    },
  },
  "CTL-14": { mutate: (s) => s.or(PIN, PIN_BASED.VIRTUAL_NMIS) },
  "CTL-15": { mutate: (s) => s.or(PROC, PROC_BASED.NMI_WINDOW_EXITING) },
  "CTL-16": {
    mutate: (s) => secondary(s, PROC_BASED2.VIRTUALIZE_APIC_ACCESSES).set(VMCS.APIC_ACCESS_ADDRESS, 0x1001),
  },
  "CTL-17": { mutate: (s) => secondary(s, PROC_BASED2.VIRTUALIZE_X2APIC_MODE) },
  "CTL-18": { mutate: (s) => secondary(s, PROC_BASED2.APIC_REGISTER_VIRTUALIZATION) },
  "CTL-19": {
    mutate: (s) => secondary(s, PROC_BASED2.VIRTUAL_INTERRUPT_DELIVERY).or(PIN, PIN_BASED.EXTERNAL_INTERRUPT_EXITING),
  },
  "CTL-20": {
    mutate: (s) => {
      tprShadow(s);
      secondary(s, PROC_BASED2.VIRTUALIZE_X2APIC_MODE | PROC_BASED2.VIRTUALIZE_APIC_ACCESSES);
      s.set(VMCS.APIC_ACCESS_ADDRESS, 0x6000);
    },
  },
  "CTL-21": { mutate: (s) => secondary(tprShadow(s), PROC_BASED2.VIRTUAL_INTERRUPT_DELIVERY) },
  "CTL-22": {
    model: PERMISSIVE,
    mutate: (s) => posted(s).clear(VMCS.SECONDARY_PROC_BASED_VM_EXEC_CONTROLS, PROC_BASED2.VIRTUAL_INTERRUPT_DELIVERY),
  },
  "CTL-23": { model: PERMISSIVE, mutate: (s) => posted(s).clear(EXIT, EXIT_CTLS.ACKNOWLEDGE_INTERRUPT_ON_EXIT) },
  "CTL-24": { model: PERMISSIVE, mutate: (s) => posted(s).set(VMCS.POSTED_INTERRUPT_NOTIFICATION_VECTOR, 0x100) },
  "CTL-25": { model: PERMISSIVE, mutate: (s) => posted(s).set(VMCS.POSTED_INTERRUPT_DESCRIPTOR_ADDRESS, 0x5041) },
  "CTL-26": { model: PERMISSIVE, mutate: (s) => posted(s).set(VMCS.POSTED_INTERRUPT_DESCRIPTOR_ADDRESS, BEYOND) },
  "CTL-27": { mutate: (s) => secondary(s, PROC_BASED2.ENABLE_VPID) },
  "CTL-28": { mutate: (s) => withEpt(s).set(VMCS.EPT_POINTER, (VALID_EPTP & ~7n) | 1n) },
  "CTL-29": { mutate: (s) => withEpt(s).set(VMCS.EPT_POINTER, (VALID_EPTP & ~0x38n) | (4n << 3n)) },
  "CTL-30": { model: noAd, mutate: (s) => withEpt(s).set(VMCS.EPT_POINTER, VALID_EPTP | 0x40n) },
  "CTL-31": { mutate: (s) => withEpt(s).set(VMCS.EPT_POINTER, VALID_EPTP | 0x100n) },
  "CTL-32": { mutate: (s) => secondary(s, PROC_BASED2.ENABLE_PML).set(VMCS.PML_ADDRESS, 0x5000) },
  "CTL-33": { mutate: (s) => withEpt(s, PROC_BASED2.ENABLE_PML).set(VMCS.PML_ADDRESS, 0x5001) },
  "CTL-34": { mutate: (s) => secondary(s, PROC_BASED2.UNRESTRICTED_GUEST) },
  "CTL-35": { model: PERMISSIVE, mutate: (s) => secondary(s, PROC_BASED2.MODE_BASED_EXECUTE_CONTROL_FOR_EPT) },
  "CTL-36": {
    model: PERMISSIVE,
    mutate: (s) =>
      withEpt(s, PROC_BASED2.SUB_PAGE_WRITE_PERMISSIONS_FOR_EPT).set(VMCS.SUB_PAGE_PERMISSION_TABLE_POINTER, 0x5001),
  },
  "CTL-37": {
    model: PERMISSIVE,
    mutate: (s) => {
      withEpt(s);
      s.or(PROC, PROC_BASED.ACTIVATE_TERTIARY_CONTROLS).set(VMCS.TERTIARY_PROC_BASED_VM_EXEC_CONTROLS, 2);
      s.set(VMCS.HLAT_POINTER, 0x5001);
    },
  },
  "CTL-38": { mutate: (s) => secondary(s, PROC_BASED2.ENABLE_VM_FUNCTIONS).set(VMCS.VM_FUNCTION_CONTROLS, 2) },
  "CTL-39": {
    mutate: (s) => {
      secondary(s, PROC_BASED2.ENABLE_VM_FUNCTIONS);
      s.set(VMCS.VM_FUNCTION_CONTROLS, 1).set(VMCS.EPTP_LIST_ADDRESS, 0x5000);
    },
  },
  "CTL-40": {
    mutate: (s) =>
      withEpt(s, PROC_BASED2.ENABLE_VM_FUNCTIONS).set(VMCS.VM_FUNCTION_CONTROLS, 1).set(VMCS.EPTP_LIST_ADDRESS, 0x5001),
  },
  "CTL-41": {
    mutate: (s) => {
      secondary(s, PROC_BASED2.VMCS_SHADOWING);
      s.set(VMCS.VMREAD_BITMAP_ADDRESS, 0x5001).set(VMCS.VMWRITE_BITMAP_ADDRESS, 0x6000);
    },
  },
  "CTL-42": {
    mutate: (s) => {
      secondary(s, PROC_BASED2.VMCS_SHADOWING);
      s.set(VMCS.VMREAD_BITMAP_ADDRESS, 0x5000).set(VMCS.VMWRITE_BITMAP_ADDRESS, BEYOND);
    },
  },
  "CTL-43": {
    mutate: (s) =>
      secondary(s, PROC_BASED2.EPT_VIOLATION_VE).set(VMCS.VIRTUALIZATION_EXCEPTION_INFORMATION_ADDRESS, 0x5001),
  },
  "CTL-44": { model: PERMISSIVE, mutate: (s) => secondary(s, PROC_BASED2.PT_USES_GUEST_PHYSICAL_ADDRESSES) },
  "CTL-45": {
    model: PERMISSIVE,
    mutate: (s) => {
      s.or(PROC, PROC_BASED.ACTIVATE_TERTIARY_CONTROLS).set(VMCS.TERTIARY_PROC_BASED_VM_EXEC_CONTROLS, 0x10);
      s.set(VMCS.PID_POINTER_TABLE_ADDRESS, 0x5004);
    },
  },
  "CTL-46": { bochs: true, mutate: (s) => secondary(s, PROC_BASED2.USE_TSC_SCALING) },
  // ---- 26.2.1.2 VM-exit controls → 7
  "XCTL-01": { mutate: (s) => s.clear(EXIT, 1) },
  "XCTL-02": {
    model: PERMISSIVE,
    mutate: (s) => s.or(EXIT, EXIT_CTLS.ACTIVATE_SECONDARY_CONTROLS).set(VMCS.SECONDARY_VM_EXIT_CONTROLS, 1n << 40n),
  },
  "XCTL-03": { mutate: (s) => s.or(EXIT, EXIT_CTLS.SAVE_VMX_PREEMPTION_TIMER_VALUE) },
  "XCTL-04": { mutate: (s) => s.set(VMCS.VM_EXIT_MSR_STORE_COUNT, 1).set(VMCS.VM_EXIT_MSR_STORE_ADDRESS, 0x5008) },
  "XCTL-05": {
    also: ["XCTL-06"],
    mutate: (s) => s.set(VMCS.VM_EXIT_MSR_STORE_COUNT, 1).set(VMCS.VM_EXIT_MSR_STORE_ADDRESS, BEYOND),
  },
  "XCTL-06": {
    mutate: (s) => s.set(VMCS.VM_EXIT_MSR_STORE_COUNT, 2).set(VMCS.VM_EXIT_MSR_STORE_ADDRESS, BEYOND - 16n),
  },
  "XCTL-07": { mutate: (s) => s.set(VMCS.VM_EXIT_MSR_LOAD_COUNT, 1).set(VMCS.VM_EXIT_MSR_LOAD_ADDRESS, 0x5008) },
  "XCTL-08": {
    also: ["XCTL-09"],
    mutate: (s) => s.set(VMCS.VM_EXIT_MSR_LOAD_COUNT, 1).set(VMCS.VM_EXIT_MSR_LOAD_ADDRESS, BEYOND),
  },
  "XCTL-09": { mutate: (s) => s.set(VMCS.VM_EXIT_MSR_LOAD_COUNT, 2).set(VMCS.VM_EXIT_MSR_LOAD_ADDRESS, BEYOND - 16n) },
  // ---- 26.2.1.3 VM-entry controls → 7
  "ECTL-01": { mutate: (s) => s.clear(ENTRY, 1) },
  "ECTL-02": { mutate: (s) => s.set(INFO, 0x80000100) },
  "ECTL-03": { mutate: (s) => s.set(INFO, 0x80000700) },
  "ECTL-04": { mutate: (s) => s.set(INFO, 0x80000203) },
  "ECTL-05": { mutate: (s) => s.set(INFO, 0x80000320) },
  "ECTL-06": { model: PERMISSIVE, mutate: (s) => s.set(INFO, 0x80000701) },
  "ECTL-07": { mutate: (s) => s.set(INFO, 0x8000030d) },
  "ECTL-08": { mutate: (s) => s.set(INFO, 0x80000b03) },
  "ECTL-09": { mutate: (s) => s.set(INFO, 0x80001b0d) },
  "ECTL-10": { mutate: (s) => s.set(INFO, 0x80000b0d).set(VMCS.VM_ENTRY_EXCEPTION_ERROR_CODE, 0x10000) },
  "ECTL-11": { mutate: (s) => s.set(INFO, 0x80000480).set(VMCS.VM_ENTRY_INSTRUCTION_LENGTH, 16) },
  "ECTL-12": {
    model: PERMISSIVE,
    mutate: (s) => s.or(VMCS.GUEST_CR4, CR4.FRED).set(INFO, 0x80000701).set(VMCS.VM_ENTRY_INSTRUCTION_LENGTH, 16),
  },
  "ECTL-13": { mutate: (s) => s.set(VMCS.VM_ENTRY_MSR_LOAD_COUNT, 1).set(VMCS.VM_ENTRY_MSR_LOAD_ADDRESS, 0x5008) },
  "ECTL-14": {
    also: ["ECTL-15"],
    mutate: (s) => s.set(VMCS.VM_ENTRY_MSR_LOAD_COUNT, 1).set(VMCS.VM_ENTRY_MSR_LOAD_ADDRESS, BEYOND),
  },
  "ECTL-15": {
    mutate: (s) => s.set(VMCS.VM_ENTRY_MSR_LOAD_COUNT, 2).set(VMCS.VM_ENTRY_MSR_LOAD_ADDRESS, BEYOND - 16n),
  },
  "ECTL-16": { mutate: (s) => s.or(ENTRY, ENTRY_CTLS.ENTRY_TO_SMM) },
  "ECTL-17": { mutate: (s) => s.or(ENTRY, ENTRY_CTLS.DEACTIVATE_DUAL_MONITOR_TREATMENT) },
  "ECTL-18": {
    mutate: (s, f) => {
      f.inSmm = true;
      s.or(ENTRY, ENTRY_CTLS.ENTRY_TO_SMM | ENTRY_CTLS.DEACTIVATE_DUAL_MONITOR_TREATMENT);
    },
  },
  // ---- 26.2.2 host control registers and MSRs → 8
  "HST-01": { mutate: (s) => s.clear(VMCS.HOST_CR0, CR0.PG) },
  "HST-02": { mutate: (s) => s.or(VMCS.HOST_CR0, 1n << 32n) },
  "HST-03": { mutate: (s) => s.clear(VMCS.HOST_CR4, CR4.VMXE) },
  "HST-04": { mutate: (s) => s.or(VMCS.HOST_CR4, 1 << 15) },
  "HST-05": { mutate: (s) => s.set(VMCS.HOST_CR3, BEYOND) },
  "HST-06": { model: PERMISSIVE, mutate: (s) => s.or(VMCS.HOST_CR4, CR4.CET).clear(VMCS.HOST_CR0, CR0.WP) },
  "HST-07": { mutate: (s) => s.set(VMCS.HOST_IA32_SYSENTER_ESP, NONCANONICAL) },
  "HST-08": { mutate: (s) => s.set(VMCS.HOST_IA32_SYSENTER_EIP, NONCANONICAL) },
  "HST-09": { model: PERMISSIVE, mutate: (s) => s.or(EXIT, EXIT_CTLS.LOAD_CET_STATE).set(VMCS.HOST_IA32_S_CET, 0x40) },
  "HST-10": { model: PERMISSIVE, mutate: (s) => s.or(EXIT, EXIT_CTLS.LOAD_CET_STATE).set(VMCS.HOST_SSP, 1) },
  "HST-11": {
    model: PERMISSIVE,
    mutate: (s) => s.or(EXIT, EXIT_CTLS.LOAD_CET_STATE).set(VMCS.HOST_IA32_INTERRUPT_SSP_TABLE_ADDR, NONCANONICAL),
  },
  "HST-12": {
    mutate: (s) => s.or(EXIT, EXIT_CTLS.LOAD_IA32_PERF_GLOBAL_CTRL).set(VMCS.HOST_IA32_PERF_GLOBAL_CTRL, 1n << 63n),
  },
  "HST-13": { mutate: (s) => s.or(EXIT, EXIT_CTLS.LOAD_IA32_PAT).set(VMCS.HOST_IA32_PAT, 0x0007040600070402n) },
  "HST-14": { mutate: (s) => s.or(EXIT, EXIT_CTLS.LOAD_IA32_EFER).set(VMCS.HOST_IA32_EFER, 0x502) },
  "HST-15": { mutate: (s) => s.or(EXIT, EXIT_CTLS.LOAD_IA32_EFER).set(VMCS.HOST_IA32_EFER, 0x100) },
  "HST-16": { mutate: (s) => s.or(EXIT, EXIT_CTLS.LOAD_IA32_EFER).set(VMCS.HOST_IA32_EFER, 0x400) },
  "HST-17": { model: PERMISSIVE, mutate: (s) => s.or(EXIT, EXIT_CTLS.LOAD_PKRS).set(VMCS.HOST_IA32_PKRS, 1n << 32n) },
  "HST-18": { model: PERMISSIVE, mutate: (s) => loadHostFred(s).set(VMCS.HOST_IA32_FRED_CONFIG, 1n << 11n) },
  // ---- 26.2.3 host segment and descriptor-table registers → 8
  "HSEG-01": { mutate: (s) => s.set(VMCS.HOST_ES_SELECTOR, 0x11) },
  "HSEG-02": { mutate: (s) => s.set(VMCS.HOST_CS_SELECTOR, 0x0b) },
  "HSEG-03": { mutate: (s) => s.set(VMCS.HOST_SS_SELECTOR, 0x14) },
  "HSEG-04": { mutate: (s) => s.set(VMCS.HOST_DS_SELECTOR, 0x13) },
  "HSEG-05": { mutate: (s) => s.set(VMCS.HOST_FS_SELECTOR, 0x12) },
  "HSEG-06": { mutate: (s) => s.set(VMCS.HOST_GS_SELECTOR, 0x11) },
  "HSEG-07": { mutate: (s) => s.set(VMCS.HOST_TR_SELECTOR, 0x1c) },
  "HSEG-08": { mutate: (s) => s.set(VMCS.HOST_CS_SELECTOR, 0) },
  "HSEG-09": { mutate: (s) => s.set(VMCS.HOST_TR_SELECTOR, 0) },
  "HSEG-10": {
    mutate: (s, f) => {
      f.vmmLongMode = false;
      s.clear(EXIT, EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE)
        .clear(ENTRY, ENTRY_CTLS.IA32E_MODE_GUEST)
        .set(VMCS.HOST_SS_SELECTOR, 0);
    },
  },
  "HSEG-11": { mutate: (s) => s.set(VMCS.HOST_FS_BASE, NONCANONICAL) },
  "HSEG-12": { mutate: (s) => s.set(VMCS.HOST_GS_BASE, NONCANONICAL) },
  "HSEG-13": { mutate: (s) => s.set(VMCS.HOST_TR_BASE, NONCANONICAL) },
  "HSEG-14": { mutate: (s) => s.set(VMCS.HOST_GDTR_BASE, NONCANONICAL) },
  "HSEG-15": { mutate: (s) => s.set(VMCS.HOST_IDTR_BASE, NONCANONICAL) },
  // ---- 26.2.4 address-space size → 8
  "HASZ-01": {
    also: ["HASZ-04"],
    mutate: (s, f) => {
      f.vmmLongMode = false;
      s.clear(EXIT, EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE);
    },
  },
  "HASZ-02": {
    mutate: (s, f) => {
      f.vmmLongMode = false;
      s.clear(ENTRY, ENTRY_CTLS.IA32E_MODE_GUEST);
    },
  },
  "HASZ-03": {
    mutate: (s) => s.clear(EXIT, EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE).clear(ENTRY, ENTRY_CTLS.IA32E_MODE_GUEST),
  },
  "HASZ-04": { also: ["HASZ-03"], mutate: (s) => s.clear(EXIT, EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE) },
  "HASZ-05": {
    mutate: (s, f) => {
      f.vmmLongMode = false;
      s.clear(EXIT, EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE)
        .clear(ENTRY, ENTRY_CTLS.IA32E_MODE_GUEST)
        .or(VMCS.HOST_CR4, CR4.PCIDE);
    },
  },
  "HASZ-06": {
    mutate: (s, f) => {
      f.vmmLongMode = false;
      s.clear(EXIT, EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE)
        .clear(ENTRY, ENTRY_CTLS.IA32E_MODE_GUEST)
        .set(VMCS.HOST_RIP, 1n << 32n);
    },
  },
  "HASZ-07": { mutate: (s) => s.clear(VMCS.HOST_CR4, CR4.PAE) },
  "HASZ-08": { mutate: (s) => s.set(VMCS.HOST_RIP, NONCANONICAL) },
  // ---- 26.3.1.1 guest control registers, debug registers, MSRs → 33
  "GCR-01": { mutate: (s) => s.clear(VMCS.GUEST_CR0, CR0.NE) },
  "GCR-02": { mutate: (s) => s.or(VMCS.GUEST_CR0, 1n << 32n) },
  "GCR-03": { mutate: (s) => withEpt(s, PROC_BASED2.UNRESTRICTED_GUEST).clear(VMCS.GUEST_CR0, CR0.PE) },
  "GCR-04": { mutate: (s) => s.clear(VMCS.GUEST_CR4, CR4.VMXE) },
  "GCR-05": { mutate: (s) => s.or(VMCS.GUEST_CR4, 1 << 15) },
  "GCR-06": { model: PERMISSIVE, mutate: (s) => s.or(VMCS.GUEST_CR4, CR4.CET).clear(VMCS.GUEST_CR0, CR0.WP) },
  "GCR-07": { mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_DEBUG_CONTROLS).set(VMCS.GUEST_IA32_DEBUGCTL, 1 << 20) },
  "GCR-08": { mutate: (s) => withEpt(s, PROC_BASED2.UNRESTRICTED_GUEST).clear(VMCS.GUEST_CR0, CR0.PG) },
  "GCR-09": { mutate: (s) => s.clear(VMCS.GUEST_CR4, CR4.PAE) },
  "GCR-10": { base: () => baseline32(), mutate: (s) => s.or(VMCS.GUEST_CR4, CR4.PCIDE) },
  "GCR-11": { mutate: (s) => s.set(VMCS.GUEST_CR3, BEYOND) },
  "GCR-12": { mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_DEBUG_CONTROLS).set(VMCS.GUEST_DR7, (1n << 32n) | 0x400n) },
  "GCR-13": { mutate: (s) => s.set(VMCS.GUEST_IA32_SYSENTER_ESP, NONCANONICAL) },
  "GCR-14": { mutate: (s) => s.set(VMCS.GUEST_IA32_SYSENTER_EIP, NONCANONICAL) },
  "GCR-15": {
    model: PERMISSIVE,
    mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_CET_STATE).set(VMCS.GUEST_IA32_S_CET, 0xc00),
  },
  "GCR-16": { model: PERMISSIVE, mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_CET_STATE).set(VMCS.GUEST_SSP, 2) },
  "GCR-17": {
    model: PERMISSIVE,
    mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_CET_STATE).set(VMCS.GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR, NONCANONICAL),
  },
  "GCR-18": {
    mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_IA32_PERF_GLOBAL_CTRL).set(VMCS.GUEST_IA32_PERF_GLOBAL_CTRL, 1n << 63n),
  },
  "GCR-19": { mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_IA32_PAT).set(VMCS.GUEST_IA32_PAT, 0x0007040600070403n) },
  "GCR-20": { mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_IA32_EFER).set(VMCS.GUEST_IA32_EFER, 0x502) },
  "GCR-21": { mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_IA32_EFER).set(VMCS.GUEST_IA32_EFER, 0) },
  "GCR-22": { mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_IA32_EFER).set(VMCS.GUEST_IA32_EFER, 0x400) },
  "GCR-23": {
    model: PERMISSIVE,
    mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_IA32_BNDCFGS).set(VMCS.GUEST_IA32_BNDCFGS, 4),
  },
  "GCR-24": {
    model: PERMISSIVE,
    mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_IA32_BNDCFGS).set(VMCS.GUEST_IA32_BNDCFGS, NONCANONICAL),
  },
  "GCR-25": {
    model: PERMISSIVE,
    mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_IA32_RTIT_CTL).set(VMCS.GUEST_IA32_RTIT_CTL, 1 << 18),
  },
  "GCR-26": {
    model: PERMISSIVE,
    mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_GUEST_IA32_LBR_CTL).set(VMCS.GUEST_IA32_LBR_CTL, 1 << 4),
  },
  "GCR-27": {
    model: PERMISSIVE,
    mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_PKRS).set(VMCS.GUEST_IA32_PKRS, 1n << 32n),
  },
  "GCR-28": { model: PERMISSIVE, mutate: (s) => s.or(ENTRY, ENTRY_CTLS.LOAD_UINV).set(VMCS.GUEST_UINV, 0x100) },
  "GCR-29": { model: PERMISSIVE, mutate: (s) => loadGuestFred(s).set(VMCS.GUEST_IA32_FRED_RSP2, 0x7000_0020n) },
  "GCR-30": {
    also: ["GSEG-40"],
    model: PERMISSIVE,
    base: () => baseline32(true, PERMISSIVE),
    mutate: (s) => s.or(VMCS.GUEST_CR4, CR4.FRED),
  },
  // ---- 26.3.1.2 guest segment registers → 33
  "GSEG-01": { mutate: (s) => s.set(VMCS.GUEST_TR_SELECTOR, 0x1c) },
  "GSEG-02": {
    mutate: (s) =>
      s.set(VMCS.GUEST_LDTR_SELECTOR, 0x2c).set(VMCS.GUEST_LDTR_ACCESS_RIGHTS, 0x82).set(VMCS.GUEST_LDTR_LIMIT, 0xff),
  },
  "GSEG-03": {
    mutate: (s) =>
      s
        .set(VMCS.GUEST_SS_SELECTOR, 0x13)
        .set(VMCS.GUEST_SS_ACCESS_RIGHTS, 0xc0f3)
        .set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0xa09f),
  },
  "GSEG-04": { base: () => baselineV86(), mutate: (s) => s.set(VMCS.GUEST_DS_BASE, 0x10001) },
  "GSEG-05": { mutate: (s) => s.set(VMCS.GUEST_FS_BASE, NONCANONICAL) },
  "GSEG-06": {
    mutate: (s) =>
      s
        .set(VMCS.GUEST_LDTR_SELECTOR, 0x28)
        .set(VMCS.GUEST_LDTR_ACCESS_RIGHTS, 0x82)
        .set(VMCS.GUEST_LDTR_LIMIT, 0xfff)
        .set(VMCS.GUEST_LDTR_BASE, NONCANONICAL),
  },
  "GSEG-07": { mutate: (s) => s.set(VMCS.GUEST_CS_BASE, 1n << 32n) },
  "GSEG-08": { mutate: (s) => s.set(VMCS.GUEST_DS_BASE, 1n << 32n) },
  "GSEG-09": { base: () => baselineV86(), mutate: (s) => s.set(VMCS.GUEST_DS_LIMIT, 0xfffe) },
  "GSEG-10": { base: () => baselineV86(), mutate: (s) => s.set(VMCS.GUEST_DS_ACCESS_RIGHTS, 0xf2) },
  "GSEG-11": { mutate: (s) => s.set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0xa098) },
  "GSEG-12": { mutate: (s) => s.set(VMCS.GUEST_SS_ACCESS_RIGHTS, 0xc091) },
  "GSEG-13": { mutate: (s) => s.set(VMCS.GUEST_DS_ACCESS_RIGHTS, 0xc092) },
  "GSEG-14": { mutate: (s) => s.set(VMCS.GUEST_DS_ACCESS_RIGHTS, 0xc099) },
  "GSEG-15": { mutate: (s) => s.set(VMCS.GUEST_DS_ACCESS_RIGHTS, 0xc083) },
  "GSEG-16": {
    mutate: (s) => withEpt(s, PROC_BASED2.UNRESTRICTED_GUEST).set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0xa0f3),
  },
  "GSEG-17": { mutate: (s) => s.set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0xa0bb) },
  "GSEG-18": { mutate: (s) => s.set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0xa0ff) },
  "GSEG-19": { mutate: (s) => s.set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0xa09f).set(VMCS.GUEST_SS_ACCESS_RIGHTS, 0xc0b3) },
  "GSEG-20": {
    base: () => baselineRealMode(),
    mutate: (s) =>
      s.set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0x9f).set(VMCS.GUEST_SS_SELECTOR, 0x3).set(VMCS.GUEST_SS_ACCESS_RIGHTS, 0xf3),
  },
  "GSEG-21": { mutate: (s) => s.set(VMCS.GUEST_DS_SELECTOR, 0x13) },
  "GSEG-22": { mutate: (s) => s.set(VMCS.GUEST_DS_ACCESS_RIGHTS, 0xc013) },
  "GSEG-23": { mutate: (s) => s.set(VMCS.GUEST_DS_ACCESS_RIGHTS, 0xc193) },
  "GSEG-24": { mutate: (s) => s.set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0xe09b) },
  "GSEG-25": { mutate: (s) => s.set(VMCS.GUEST_DS_LIMIT, 0xfffff000) },
  "GSEG-26": { mutate: (s) => s.set(VMCS.GUEST_DS_ACCESS_RIGHTS, 0x2c093) },
  "GSEG-27": { mutate: (s) => s.set(VMCS.GUEST_TR_ACCESS_RIGHTS, 0x83) },
  "GSEG-28": { mutate: (s) => s.set(VMCS.GUEST_TR_ACCESS_RIGHTS, 0x9b) },
  "GSEG-29": { mutate: (s) => s.set(VMCS.GUEST_TR_ACCESS_RIGHTS, 0x0b) },
  "GSEG-30": { mutate: (s) => s.set(VMCS.GUEST_TR_ACCESS_RIGHTS, 0x18b) },
  "GSEG-31": { mutate: (s) => s.set(VMCS.GUEST_TR_ACCESS_RIGHTS, 0x808b) },
  "GSEG-32": { mutate: (s) => s.set(VMCS.GUEST_TR_ACCESS_RIGHTS, 0x1008b) },
  "GSEG-33": { mutate: (s) => s.set(VMCS.GUEST_TR_ACCESS_RIGHTS, 0x2008b) },
  "GSEG-34": {
    mutate: (s) =>
      s.set(VMCS.GUEST_LDTR_SELECTOR, 0x28).set(VMCS.GUEST_LDTR_LIMIT, 0xff).set(VMCS.GUEST_LDTR_ACCESS_RIGHTS, 0x83),
  },
  "GSEG-35": {
    mutate: (s) =>
      s.set(VMCS.GUEST_LDTR_SELECTOR, 0x28).set(VMCS.GUEST_LDTR_LIMIT, 0xff).set(VMCS.GUEST_LDTR_ACCESS_RIGHTS, 0x92),
  },
  "GSEG-36": {
    mutate: (s) =>
      s.set(VMCS.GUEST_LDTR_SELECTOR, 0x28).set(VMCS.GUEST_LDTR_LIMIT, 0xff).set(VMCS.GUEST_LDTR_ACCESS_RIGHTS, 0x02),
  },
  "GSEG-37": {
    mutate: (s) =>
      s.set(VMCS.GUEST_LDTR_SELECTOR, 0x28).set(VMCS.GUEST_LDTR_LIMIT, 0xff).set(VMCS.GUEST_LDTR_ACCESS_RIGHTS, 0x182),
  },
  "GSEG-38": {
    mutate: (s) =>
      s.set(VMCS.GUEST_LDTR_SELECTOR, 0x28).set(VMCS.GUEST_LDTR_LIMIT, 0xff).set(VMCS.GUEST_LDTR_ACCESS_RIGHTS, 0x8082),
  },
  "GSEG-39": {
    mutate: (s) =>
      s
        .set(VMCS.GUEST_LDTR_SELECTOR, 0x28)
        .set(VMCS.GUEST_LDTR_LIMIT, 0xff)
        .set(VMCS.GUEST_LDTR_ACCESS_RIGHTS, 0x20082),
  },
  "GSEG-40": {
    model: PERMISSIVE,
    mutate: (s) => s.or(VMCS.GUEST_CR4, CR4.FRED).set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0xc09b),
  },
  // ---- 26.3.1.3 descriptor-table registers → 33
  "GDT-01": { mutate: (s) => s.set(VMCS.GUEST_GDTR_BASE, NONCANONICAL) },
  "GDT-02": { mutate: (s) => s.set(VMCS.GUEST_IDTR_BASE, NONCANONICAL) },
  "GDT-03": { mutate: (s) => s.set(VMCS.GUEST_GDTR_LIMIT, 0x10000) },
  "GDT-04": { mutate: (s) => s.set(VMCS.GUEST_IDTR_LIMIT, 0x10000) },
  // ---- 26.3.1.4 RIP and RFLAGS → 33
  "GRF-01": { base: () => baseline32(), mutate: (s) => s.set(VMCS.GUEST_RIP, 1n << 32n) },
  "GRF-02": { mutate: (s) => s.set(VMCS.GUEST_RIP, NONCANONICAL) },
  "GRF-03": { mutate: (s) => s.or(VMCS.GUEST_RFLAGS, 1 << 15) },
  "GRF-04": { mutate: (s) => s.set(VMCS.GUEST_RFLAGS, 0) },
  "GRF-05": {
    base: () => baselineV86(),
    mutate: (s) => s.or(ENTRY, ENTRY_CTLS.IA32E_MODE_GUEST).or(VMCS.GUEST_CR4, CR4.PAE),
  },
  "GRF-06": { mutate: (s) => s.set(INFO, 0x80000020) },
  // ---- 26.3.1.5 non-register state → 33
  "GNR-01": { mutate: (s) => s.set(ACT, 4) },
  "GNR-02": { mutate: (s) => cpl3(s).set(ACT, 1) },
  "GNR-03": { mutate: (s) => s.set(ACT, 1).set(INT, 1).set(VMCS.GUEST_RFLAGS, 0x202) },
  "GNR-04": { mutate: (s) => s.set(ACT, 1).set(INFO, 0x80000b0d) },
  "GNR-05": { mutate: (s) => s.set(ACT, 2).set(INFO, 0x80000020).set(VMCS.GUEST_RFLAGS, 0x202) },
  "GNR-06": { mutate: (s) => s.set(ACT, 3).set(INFO, 0x80000202) },
  "GNR-07": {
    mutate: (s, f) => {
      f.inSmm = true;
      s.set(ACT, 3).or(ENTRY, ENTRY_CTLS.ENTRY_TO_SMM).set(INT, 4);
    },
  },
  "GNR-08": { mutate: (s) => s.set(INT, 0x20) },
  "GNR-09": { mutate: (s) => s.set(INT, 3).set(VMCS.GUEST_RFLAGS, 0x202) },
  "GNR-10": { mutate: (s) => s.set(INT, 1) },
  "GNR-11": { mutate: (s) => s.set(INT, 2).set(INFO, 0x80000020).set(VMCS.GUEST_RFLAGS, 0x202) },
  "GNR-12": { mutate: (s) => s.set(INT, 2).set(INFO, 0x80000202) },
  "GNR-13": { mutate: (s) => s.set(INT, 4) },
  "GNR-14": {
    mutate: (s, f) => {
      f.inSmm = true;
      s.or(ENTRY, ENTRY_CTLS.ENTRY_TO_SMM);
    },
  },
  "GNR-15": { qualification: 3, mutate: (s) => s.set(INT, 1).set(INFO, 0x80000202).set(VMCS.GUEST_RFLAGS, 0x202) },
  "GNR-16": {
    mutate: (s) =>
      s
        .or(PIN, PIN_BASED.NMI_EXITING | PIN_BASED.VIRTUAL_NMIS)
        .set(INT, 8)
        .set(INFO, 0x80000202),
  },
  "GNR-17": { mutate: (s) => s.set(INT, 0x10) },
  "GNR-18": { mutate: (s) => s.set(VMCS.GUEST_PENDING_DEBUG_EXCEPTIONS, 0x10) },
  "GNR-19": { mutate: (s) => s.set(INT, 1).set(VMCS.GUEST_RFLAGS, 0x302) },
  "GNR-20": {
    mutate: (s) => s.set(INT, 1).set(VMCS.GUEST_RFLAGS, 0x202).set(VMCS.GUEST_PENDING_DEBUG_EXCEPTIONS, 0x4000),
  },
  "GNR-21": { model: withRtm, mutate: (s) => s.set(VMCS.GUEST_PENDING_DEBUG_EXCEPTIONS, 0x10000) },
  "GNR-22": { qualification: 4, mutate: (s) => s.set(VMCS.VMCS_LINK_POINTER, 0x5001) },
  "GNR-23": { qualification: 4, mutate: (s) => s.set(VMCS.VMCS_LINK_POINTER, BEYOND) },
  "GNR-24": { qualification: 4, mutate: (s) => s.set(VMCS.VMCS_LINK_POINTER, 0) },
  "GNR-25": {
    qualification: 4,
    mutate: (s, f) => {
      f.mem.write32(0x5000, 0x8000002b);
      s.set(VMCS.VMCS_LINK_POINTER, 0x5000);
    },
  },
  "GNR-26": {
    qualification: 4,
    mutate: (s, f) => {
      f.mem.write32(CURRENT_VMCS, 0x2b);
      s.set(VMCS.VMCS_LINK_POINTER, CURRENT_VMCS);
    },
  },
  "GNR-27": {
    qualification: 4,
    mutate: (s, f) => {
      f.inSmm = true;
      f.mem.write32(VMXON_PTR, 0x2b);
      s.set(VMCS.VMCS_LINK_POINTER, VMXON_PTR);
    },
  },
  // ---- 26.3.1.6 PDPTEs → 33, qualification 2
  "PDPTE-02": {
    qualification: 2,
    base: () => baseline32(true),
    mutate: (_s, f) => {
      f.mem.write32(0x6000, 0x7003);
    },
  },
  "PDPTE-03": {
    qualification: 2,
    base: () => baseline32(true),
    mutate: (s) => withEpt(s).set(VMCS.GUEST_PDPTE2, 0x7021),
  },
  // ---- 26.4 MSR loading → 34, qualification = entry number
  "MSR-01": { qualification: 1, mutate: (s, f) => msrList(f, s, MSR.IA32_PAT, 0x0007040600070406n, 1) },
  "MSR-02": { qualification: 1, mutate: (s, f) => msrList(f, s, MSR.IA32_FS_BASE, 0n) },
  "MSR-03": {
    qualification: 1,
    mutate: (s, f) => {
      f.x2apicMode = true;
      msrList(f, s, 0x808, 0n);
    },
  },
  "MSR-04": { qualification: 1, mutate: (s, f) => msrList(f, s, MSR.IA32_SMM_MONITOR_CTL, 0n) },
  "MSR-05": { qualification: 1, mutate: (s, f) => msrList(f, s, 0x12345, 0n) },
  "MSR-06": {
    qualification: 513,
    mutate: (s) => s.set(VMCS.VM_ENTRY_MSR_LOAD_COUNT, 513).set(VMCS.VM_ENTRY_MSR_LOAD_ADDRESS, 0x5000),
  },
  "MSR-07": {
    qualification: 1,
    mutate: (s, f) => {
      msrList(f, s, MSR.IA32_PAT, 0x0007040600070406n);
      f.isRam = (pa) => pa < 0x5000;
    },
  },
};

/** Checks with no failing state of their own, and why. */
const NOT_A_FAILURE: Record<string, string> = {
  "CTL-04": "a rule (secondary controls treated as 0 when not activated), tested below",
  "PDPTE-01": "the condition under which the PDPTE checks apply, tested below",
  "GCR-31": "Bochs' load IA32_SPEC_CTRL entry control: not in the SDM nor in arch, so the check is inert",
  "HST-19": "Bochs' load IA32_SPEC_CTRL secondary exit control: bit 2 is 'prematurely busy shadow stack' in the SDM",
};

const PHASE_ORDER = { control: 0, host: 1, guest: 2, msr: 3 } as const;

function failingIds(state: VmcsState, facts: TestFacts, model: CpuModel, upToPhase: number, bochs: boolean): string[] {
  const c = new CheckContext(state, model, facts);
  const checks = ENTRY_CHECKS.filter((k) => PHASE_ORDER[k.phase] <= upToPhase);
  return runChecks(checks, c, { bochs }).map((r) => r.check.id);
}

describe("VM-entry checks: the valid baselines pass", () => {
  for (const [name, build] of [
    ["64-bit guest", () => baseline64()],
    ["32-bit guest with PAE paging", () => baseline32(true)],
    ["32-bit guest with 32-bit paging", () => baseline32(false)],
    ["virtual-8086 guest", () => baselineV86()],
    ["unrestricted real-mode guest", () => baselineRealMode()],
  ] as const) {
    test(name, () => {
      const facts = baseFacts();
      assert.deepEqual(failingIds(build(), facts, SKYLAKE, 3, true), []);
      assert.deepEqual(runEntryChecks(build(), SKYLAKE, facts), { kind: "ok" });
    });
  }
  test("the permissive test model accepts the baseline too", () => {
    assert.deepEqual(failingIds(baseline64(PERMISSIVE), baseFacts(), PERMISSIVE, 3, true), []);
  });
});

describe("VM-entry checks: each check alone", () => {
  for (const check of ENTRY_CHECKS) {
    const kase = CASES[check.id];
    if (!kase) continue;
    test(`${check.id} (SDM ${check.sdm}): ${check.summary}`, () => {
      const model = kase.model ?? SKYLAKE;
      const state = kase.base ? kase.base() : baseline64(model);
      const facts = baseFacts();
      kase.mutate(state, facts);
      const failing = failingIds(state, facts, model, PHASE_ORDER[check.phase], kase.bochs ?? false);
      assert.deepEqual(
        failing,
        [check.id, ...(kase.also ?? [])].sort(
          (a, b) => ENTRY_CHECKS.findIndex((k) => k.id === a) - ENTRY_CHECKS.findIndex((k) => k.id === b),
        ),
      );
      const outcome = runEntryChecks(state, model, facts, { bochs: kase.bochs ?? false });
      assert.notEqual(outcome.kind, "ok");
      if (outcome.kind === "ok") return;
      // With checks that necessarily fail together, VM entry reports the first of them in SDM order.
      assert.equal(outcome.failure.checkId, failing[0]);
      assert.equal(outcome.failure.sdmSection, check.sdm);
      assert.match(outcome.failure.message, /\(SDM 26\.\d/);
      assert.ok(outcome.failure.fields.length > 0, "the failure names the fields involved");
      if (check.phase === "control")
        assert.deepEqual([outcome.kind, outcome.kind === "vmfail" && outcome.error], ["vmfail", 7]);
      if (check.phase === "host")
        assert.deepEqual([outcome.kind, outcome.kind === "vmfail" && outcome.error], ["vmfail", 8]);
      if (check.phase === "guest" || check.phase === "msr") {
        assert.equal(outcome.kind, "entryFailure");
        if (outcome.kind !== "entryFailure") return;
        assert.equal(outcome.exitReason, check.phase === "guest" ? 33 : 34);
        assert.equal(outcome.qualification, kase.qualification ?? 0);
      }
    });
  }
});

describe("VM-entry checks: rules without a failing state", () => {
  test("CTL-04: secondary controls are ignored while 'activate secondary controls' is 0", () => {
    const s = baseline64().set(VMCS.SECONDARY_PROC_BASED_VM_EXEC_CONTROLS, 0xffffffff);
    assert.deepEqual(runEntryChecks(s, SKYLAKE, baseFacts()), { kind: "ok" });
  });
  test("PDPTE-01: PDPTEs are not checked for an IA-32e guest (only for PAE paging)", () => {
    const f = baseFacts();
    f.mem.write32(0x70000, 0x7003); // would violate PDPTE-02 if the guest used PAE paging
    assert.deepEqual(runEntryChecks(baseline64(), SKYLAKE, f), { kind: "ok" });
    const pae = baseline32(true).set(VMCS.GUEST_CR3, 0x70000);
    assert.equal(runEntryChecks(pae, SKYLAKE, f).kind, "entryFailure");
  });
  test("CTL-46 is Bochs behaviour: not applied unless asked for", () => {
    const s = secondary(baseline64(), PROC_BASED2.USE_TSC_SCALING);
    assert.deepEqual(runEntryChecks(s, SKYLAKE, baseFacts()), { kind: "ok" });
  });
  test("every check in the catalog either has a violating case or a stated reason", () => {
    const missing = ENTRY_CHECKS.map((c) => c.id).filter((id) => !CASES[id] && !NOT_A_FAILURE[id]);
    assert.deepEqual(missing, []);
  });
});

describe("VM-entry checks: FRED state (GCR-29, HST-18)", () => {
  const bad: [string, bigint][] = [
    ["CONFIG", 0xffff_ffff_8000_1000n | (1n << 4n)], // reserved bit 4
    ["CONFIG", 0x0000_8000_0000_1000n], // entry point not canonical
    ["RSP1", 0x7000_0008n], // not 64-byte aligned
    ["RSP3", 0x0000_8000_0000_0000n], // not canonical
    ["SSP1", 0x7100_0004n], // not 8-byte aligned
    ["SSP3", 0xffff_0000_0000_0000n], // not canonical
  ];
  test("a valid FRED state passes in both directions", () => {
    const s = loadHostFred(loadGuestFred(baseline64(PERMISSIVE)));
    assert.deepEqual(runEntryChecks(s, PERMISSIVE, baseFacts()), { kind: "ok" });
  });
  test("an invalid FRED state is ignored while the load controls are 0", () => {
    const s = baseline64(PERMISSIVE);
    fredState(s, "GUEST").set(VMCS.GUEST_IA32_FRED_RSP1, 1n);
    fredState(s, "HOST").set(VMCS.HOST_IA32_FRED_SSP2, 3n);
    assert.deepEqual(runEntryChecks(s, PERMISSIVE, baseFacts()), { kind: "ok" });
  });
  for (const [field, value] of bad) {
    test(`guest ${field} = ${value.toString(16)} fails GCR-29 naming GUEST_IA32_FRED_${field}`, () => {
      const s = loadGuestFred(baseline64(PERMISSIVE)).set(VMCS[`GUEST_IA32_FRED_${field}` as keyof typeof VMCS], value);
      const o = runEntryChecks(s, PERMISSIVE, baseFacts());
      assert.equal(o.kind, "entryFailure");
      if (o.kind !== "entryFailure") return;
      assert.equal(o.failure.checkId, "GCR-29");
      assert.deepEqual(
        o.failure.fields.map((f) => f.name),
        [`GUEST_IA32_FRED_${field}`],
      );
    });
    test(`host ${field} = ${value.toString(16)} fails HST-18 with VMfailValid(8)`, () => {
      const s = loadHostFred(baseline64(PERMISSIVE)).set(VMCS[`HOST_IA32_FRED_${field}` as keyof typeof VMCS], value);
      const o = runEntryChecks(s, PERMISSIVE, baseFacts());
      assert.deepEqual([o.kind, o.kind === "vmfail" && o.error], ["vmfail", 8]);
      if (o.kind !== "vmfail") return;
      assert.equal(o.failure.checkId, "HST-18");
      assert.match(o.failure.message, new RegExp(`host IA32_FRED_${field}`));
    });
  }
  test("skylake-x has no FRED: its VMCS has no FRED fields and the load controls are rejected (CTL checks)", () => {
    const s = loadGuestFred(baseline64());
    const o = runEntryChecks(s, SKYLAKE, baseFacts());
    assert.deepEqual([o.kind, o.kind === "vmfail" && o.error], ["vmfail", 7]);
  });
});

describe("VM-entry checks: messages", () => {
  test("guest CR0.PG without PE names the field and the SDM section", () => {
    const s = withEpt(baseline64(), PROC_BASED2.UNRESTRICTED_GUEST).clear(VMCS.GUEST_CR0, CR0.PE);
    const o = runEntryChecks(s, SKYLAKE, baseFacts());
    assert.equal(o.kind, "entryFailure");
    if (o.kind !== "entryFailure") return;
    assert.equal(o.failure.message, "guest CR0.PG=1 requires CR0.PE=1 (CR0 0x80000032) (SDM 26.3.1.1)");
    assert.deepEqual(o.failure.fields, [{ name: "GUEST_CR0", value: 0x80000032n }]);
  });
  test("a control failure names the capability MSR", () => {
    const o = runEntryChecks(baseline64().set(PIN, 0), SKYLAKE, baseFacts());
    assert.equal(o.kind, "vmfail");
    if (o.kind !== "vmfail") return;
    assert.match(o.failure.message, /pin-based controls 0x0: bits 1, 2, 4 must be 1/);
    assert.equal(o.failure.fields[0]?.name, "PIN_BASED_VM_EXEC_CONTROLS");
  });
  test("RFLAGS bit 1 clear is the failure kvm-unit-tests use to tell control/host success apart", () => {
    const o = runEntryChecks(baseline64().set(VMCS.GUEST_RFLAGS, 0), SKYLAKE, baseFacts());
    assert.equal(o.kind === "entryFailure" && o.failure.checkId, "GRF-04");
  });
});

describe("VM-entry checks: order follows the SDM", () => {
  test("a control failure wins over a host failure, a host failure over a guest failure", () => {
    const s = baseline64().set(PIN, 0).clear(VMCS.HOST_CR0, CR0.PG).set(VMCS.GUEST_RFLAGS, 0);
    assert.equal(runEntryChecks(s, SKYLAKE, baseFacts()).kind, "vmfail");
    s.set(PIN, 0x16);
    const o = runEntryChecks(s, SKYLAKE, baseFacts());
    assert.equal(o.kind === "vmfail" && o.error, 8);
  });
  test("a first-generation model without secondary controls rejects them with error 7", async () => {
    const { cpuModel } = await import("../../arch/index");
    const old = cpuModel("core2-first-gen")!;
    const s = baseline64(old);
    assert.deepEqual(runEntryChecks(s, old, baseFacts()), { kind: "ok" });
    const o = runEntryChecks(withEpt(s), old, baseFacts());
    assert.equal(o.kind === "vmfail" && o.failure.checkId, "CTL-02");
  });
});
