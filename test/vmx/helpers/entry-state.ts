// A complete, valid VMCS state for VM-entry check tests (the same state the oracle's vmcs_setup builds: a
// 64-bit ring-0 guest sharing the host's environment), variants for each guest mode, and CPU-model variants.
import {
  CR0,
  CR4,
  cpuModel,
  ENTRY_CTLS,
  EXIT_CTLS,
  MSR,
  PIN_BASED,
  PROC_BASED,
  PROC_BASED2,
  RFLAGS,
  VMCS,
} from "../../../arch/index";
import type { CpuModel } from "../../../emulator/cpu-model";
import type { MachineFacts, VmcsReader } from "../../../emulator/vmx/checks/index";
import { FlatPhysMem } from "../../../emulator/vmx/memory";

export const SKYLAKE = cpuModel("skylake-x")!;

export const CURRENT_VMCS = 0x101000;
export const VMXON_PTR = 0x100000;

/** A VMCS as a plain map (encoding → value); unset fields read 0. */
export class VmcsState implements VmcsReader {
  readonly values = new Map<number, bigint>();
  get(encoding: number): bigint {
    return this.values.get(encoding) ?? 0n;
  }
  set(encoding: number, value: bigint | number): this {
    this.values.set(encoding, BigInt.asUintN(64, BigInt(value)));
    return this;
  }
  or(encoding: number, mask: bigint | number): this {
    return this.set(encoding, this.get(encoding) | BigInt(mask));
  }
  clear(encoding: number, mask: bigint | number): this {
    return this.set(encoding, this.get(encoding) & ~BigInt(mask));
  }
  clone(): VmcsState {
    const s = new VmcsState();
    for (const [k, v] of this.values) s.values.set(k, v);
    return s;
  }
}

/** MSRs WRMSR accepts in these tests (for the MSR-load checks). */
const WRITABLE_MSRS = new Set([
  MSR.IA32_EFER,
  MSR.IA32_PAT,
  MSR.IA32_SYSENTER_CS,
  MSR.IA32_SYSENTER_ESP,
  MSR.IA32_STAR,
  MSR.IA32_LSTAR,
  MSR.IA32_KERNEL_GS_BASE,
  MSR.IA32_TSC_AUX,
  MSR.IA32_FS_BASE,
  MSR.IA32_GS_BASE,
]);

export interface TestFacts extends MachineFacts {
  mem: FlatPhysMem;
}

export function baseFacts(): TestFacts {
  return {
    vmmLongMode: true,
    inSmm: false,
    x2apicMode: false,
    currentVmcsPointer: CURRENT_VMCS,
    vmxonPointer: VMXON_PTR,
    mem: new FlatPhysMem(0x200000),
    wrmsrFaults: (index) => !WRITABLE_MSRS.has(index),
  };
}

const HOST_CR0 = (CR0.PG | CR0.NE | CR0.ET | CR0.MP | CR0.PE) >>> 0;
const HOST_CR4 = CR4.PAE | CR4.OSFXSR | CR4.OSXMMEXCPT | CR4.VMXE;

/** Controls after the allowed-0/allowed-1 adjustment on skylake-x (as basic_launch prints them). */
function adjusted(model: CpuModel, trueMsr: number, want: number): number {
  const useTrue = (((model.msr.get(MSR.IA32_VMX_BASIC) ?? 0n) >> 55n) & 1n) === 1n;
  const cap =
    model.msr.get(useTrue ? trueMsr : trueMsr - (MSR.IA32_VMX_TRUE_PINBASED_CTLS - MSR.IA32_VMX_PINBASED_CTLS)) ?? 0n;
  return Number((BigInt(want) | (cap & 0xffffffffn)) & (cap >> 32n));
}

/** The valid 64-bit baseline (IA-32e guest, 64-bit host). */
export function baseline64(model: CpuModel = SKYLAKE): VmcsState {
  const s = new VmcsState();
  s.set(VMCS.PIN_BASED_VM_EXEC_CONTROLS, adjusted(model, MSR.IA32_VMX_TRUE_PINBASED_CTLS, 0));
  s.set(
    VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS,
    adjusted(model, MSR.IA32_VMX_TRUE_PROCBASED_CTLS, PROC_BASED.HLT_EXITING),
  );
  s.set(VMCS.PRIMARY_VM_EXIT_CONTROLS, adjusted(model, MSR.IA32_VMX_TRUE_EXIT_CTLS, EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE));
  s.set(VMCS.VM_ENTRY_CONTROLS, adjusted(model, MSR.IA32_VMX_TRUE_ENTRY_CTLS, ENTRY_CTLS.IA32E_MODE_GUEST));
  s.set(VMCS.VMCS_LINK_POINTER, 0xffffffffffffffffn);
  // host
  s.set(VMCS.HOST_CR0, HOST_CR0).set(VMCS.HOST_CR3, 0x70000).set(VMCS.HOST_CR4, HOST_CR4);
  s.set(VMCS.HOST_CS_SELECTOR, 0x08).set(VMCS.HOST_TR_SELECTOR, 0x18);
  for (const f of [
    VMCS.HOST_SS_SELECTOR,
    VMCS.HOST_DS_SELECTOR,
    VMCS.HOST_ES_SELECTOR,
    VMCS.HOST_FS_SELECTOR,
    VMCS.HOST_GS_SELECTOR,
  ])
    s.set(f, 0x10);
  s.set(VMCS.HOST_TR_BASE, 0x7f00).set(VMCS.HOST_GDTR_BASE, 0x7e80).set(VMCS.HOST_IDTR_BASE, 0x1000);
  s.set(VMCS.HOST_RSP, 0x6fff0).set(VMCS.HOST_RIP, 0x20100);
  s.set(VMCS.HOST_IA32_PAT, 0x0007040600070406n).set(VMCS.HOST_IA32_EFER, 0x500);
  // guest
  s.set(VMCS.GUEST_CR0, HOST_CR0).set(VMCS.GUEST_CR3, 0x70000).set(VMCS.GUEST_CR4, HOST_CR4);
  s.set(VMCS.GUEST_DR7, 0x400).set(VMCS.GUEST_RSP, 0x110000).set(VMCS.GUEST_RIP, 0x20400).set(VMCS.GUEST_RFLAGS, 2);
  s.set(VMCS.GUEST_CS_SELECTOR, 0x08).set(VMCS.GUEST_CS_LIMIT, 0xffffffff).set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0xa09b);
  for (const [sel, lim, ar] of [
    [VMCS.GUEST_SS_SELECTOR, VMCS.GUEST_SS_LIMIT, VMCS.GUEST_SS_ACCESS_RIGHTS],
    [VMCS.GUEST_DS_SELECTOR, VMCS.GUEST_DS_LIMIT, VMCS.GUEST_DS_ACCESS_RIGHTS],
    [VMCS.GUEST_ES_SELECTOR, VMCS.GUEST_ES_LIMIT, VMCS.GUEST_ES_ACCESS_RIGHTS],
    [VMCS.GUEST_FS_SELECTOR, VMCS.GUEST_FS_LIMIT, VMCS.GUEST_FS_ACCESS_RIGHTS],
    [VMCS.GUEST_GS_SELECTOR, VMCS.GUEST_GS_LIMIT, VMCS.GUEST_GS_ACCESS_RIGHTS],
  ] as const)
    s.set(sel, 0x10).set(lim, 0xffffffff).set(ar, 0xc093);
  s.set(VMCS.GUEST_LDTR_ACCESS_RIGHTS, 0x10000);
  s.set(VMCS.GUEST_TR_SELECTOR, 0x18)
    .set(VMCS.GUEST_TR_BASE, 0x7f00)
    .set(VMCS.GUEST_TR_LIMIT, 0x67)
    .set(VMCS.GUEST_TR_ACCESS_RIGHTS, 0x8b);
  s.set(VMCS.GUEST_GDTR_BASE, 0x7e80)
    .set(VMCS.GUEST_GDTR_LIMIT, 0x57)
    .set(VMCS.GUEST_IDTR_BASE, 0x1000)
    .set(VMCS.GUEST_IDTR_LIMIT, 0xfff);
  s.set(VMCS.GUEST_IA32_PAT, 0x0007040600070406n).set(VMCS.GUEST_IA32_EFER, 0x500);
  return s;
}

/** Turns on secondary controls with the given bits. */
export function secondary(s: VmcsState, bits: number): VmcsState {
  s.or(VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS, PROC_BASED.ACTIVATE_SECONDARY_CONTROLS);
  return s.or(VMCS.SECONDARY_PROC_BASED_VM_EXEC_CONTROLS, bits);
}

/** A valid EPTP: WB, 4-level, table at 0x5000. */
export const VALID_EPTP = 0x5000n | 6n | (3n << 3n);

/** Enables EPT with a valid EPTP (needed by unrestricted guest, PML, …). */
export function withEpt(s: VmcsState, more = 0): VmcsState {
  secondary(s, PROC_BASED2.ENABLE_EPT | more);
  return s.set(VMCS.EPT_POINTER, VALID_EPTP);
}

/** A 32-bit protected-mode guest with paging (PAE when `pae`), IA-32e mode guest = 0. */
export function baseline32(pae = true, model: CpuModel = SKYLAKE): VmcsState {
  const s = baseline64(model);
  s.clear(VMCS.VM_ENTRY_CONTROLS, ENTRY_CTLS.IA32E_MODE_GUEST);
  s.set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0xc09b);
  if (!pae) s.clear(VMCS.GUEST_CR4, CR4.PAE);
  s.set(VMCS.GUEST_CR3, 0x6000);
  return s;
}

/** A virtual-8086 guest (32-bit paging, RFLAGS.VM = 1, segments selector × 16 with limit FFFFH and AR F3H). */
export function baselineV86(model: CpuModel = SKYLAKE): VmcsState {
  const s = baseline32(false, model);
  s.set(VMCS.GUEST_RFLAGS, RFLAGS.VM | RFLAGS.FIXED1);
  const segs = [
    [VMCS.GUEST_CS_SELECTOR, VMCS.GUEST_CS_BASE, VMCS.GUEST_CS_LIMIT, VMCS.GUEST_CS_ACCESS_RIGHTS, 0x1000],
    [VMCS.GUEST_SS_SELECTOR, VMCS.GUEST_SS_BASE, VMCS.GUEST_SS_LIMIT, VMCS.GUEST_SS_ACCESS_RIGHTS, 0x2000],
    [VMCS.GUEST_DS_SELECTOR, VMCS.GUEST_DS_BASE, VMCS.GUEST_DS_LIMIT, VMCS.GUEST_DS_ACCESS_RIGHTS, 0x1000],
    [VMCS.GUEST_ES_SELECTOR, VMCS.GUEST_ES_BASE, VMCS.GUEST_ES_LIMIT, VMCS.GUEST_ES_ACCESS_RIGHTS, 0x1000],
    [VMCS.GUEST_FS_SELECTOR, VMCS.GUEST_FS_BASE, VMCS.GUEST_FS_LIMIT, VMCS.GUEST_FS_ACCESS_RIGHTS, 0],
    [VMCS.GUEST_GS_SELECTOR, VMCS.GUEST_GS_BASE, VMCS.GUEST_GS_LIMIT, VMCS.GUEST_GS_ACCESS_RIGHTS, 0],
  ] as const;
  for (const [sel, base, lim, ar, value] of segs)
    s.set(sel, value)
      .set(base, value * 16)
      .set(lim, 0xffff)
      .set(ar, 0xf3);
  s.set(VMCS.GUEST_RIP, 0x100);
  return s;
}

/** An unrestricted guest in real mode (CR0.PE = PG = 0), with EPT. */
export function baselineRealMode(model: CpuModel = SKYLAKE): VmcsState {
  const s = baseline32(false, model);
  withEpt(s, PROC_BASED2.UNRESTRICTED_GUEST);
  s.set(VMCS.GUEST_CR0, CR0.NE | CR0.ET);
  s.set(VMCS.GUEST_CR4, CR4.VMXE);
  s.set(VMCS.GUEST_CS_SELECTOR, 0x1000)
    .set(VMCS.GUEST_CS_BASE, 0x10000)
    .set(VMCS.GUEST_CS_LIMIT, 0xffff)
    .set(VMCS.GUEST_CS_ACCESS_RIGHTS, 0x9b);
  for (const [sel, base, lim, ar] of [
    [VMCS.GUEST_SS_SELECTOR, VMCS.GUEST_SS_BASE, VMCS.GUEST_SS_LIMIT, VMCS.GUEST_SS_ACCESS_RIGHTS],
    [VMCS.GUEST_DS_SELECTOR, VMCS.GUEST_DS_BASE, VMCS.GUEST_DS_LIMIT, VMCS.GUEST_DS_ACCESS_RIGHTS],
    [VMCS.GUEST_ES_SELECTOR, VMCS.GUEST_ES_BASE, VMCS.GUEST_ES_LIMIT, VMCS.GUEST_ES_ACCESS_RIGHTS],
    [VMCS.GUEST_FS_SELECTOR, VMCS.GUEST_FS_BASE, VMCS.GUEST_FS_LIMIT, VMCS.GUEST_FS_ACCESS_RIGHTS],
    [VMCS.GUEST_GS_SELECTOR, VMCS.GUEST_GS_BASE, VMCS.GUEST_GS_LIMIT, VMCS.GUEST_GS_ACCESS_RIGHTS],
  ] as const)
    s.set(sel, 0).set(base, 0).set(lim, 0xffff).set(ar, 0x93);
  s.set(VMCS.GUEST_RIP, 0x0).set(VMCS.GUEST_RSP, 0x7000);
  return s;
}

/** A CPU model that differs from `base` in some MSRs and optionally CPUID. */
export function variantModel(
  base: CpuModel,
  msrs: Record<number, bigint>,
  cpuid?: (
    leaf: number,
    sub: number,
    orig: readonly [number, number, number, number],
  ) => readonly [number, number, number, number],
): CpuModel {
  const msr = new Map(base.msr);
  for (const [k, v] of Object.entries(msrs)) msr.set(Number(k), v);
  return {
    ...base,
    msr,
    cpuid: cpuid ? (l, s) => cpuid(l, s, base.cpuid(l, s)) : base.cpuid,
  };
}

/**
 * skylake-x with every control's 1-setting allowed (same allowed-0 bits), CR4_FIXED1 all ones, and tertiary /
 * secondary-exit capability MSRs allowing bits 7:0: lets a test reach checks of features this model lacks
 * without tripping the capability checks first.
 */
export const PERMISSIVE = variantModel(SKYLAKE, {
  [MSR.IA32_VMX_PINBASED_CTLS]: 0xffffffff00000016n,
  [MSR.IA32_VMX_TRUE_PINBASED_CTLS]: 0xffffffff00000016n,
  [MSR.IA32_VMX_PROCBASED_CTLS]: 0xffffffff0401e172n,
  [MSR.IA32_VMX_TRUE_PROCBASED_CTLS]: 0xffffffff04006172n,
  [MSR.IA32_VMX_PROCBASED_CTLS2]: 0xffffffff00000000n,
  [MSR.IA32_VMX_EXIT_CTLS]: 0xffffffff00036dffn,
  [MSR.IA32_VMX_TRUE_EXIT_CTLS]: 0xffffffff00036dfbn,
  [MSR.IA32_VMX_ENTRY_CTLS]: 0xffffffff000011ffn,
  [MSR.IA32_VMX_TRUE_ENTRY_CTLS]: 0xffffffff000011fbn,
  [MSR.IA32_VMX_PROCBASED_CTLS3]: 0xffn,
  [MSR.IA32_VMX_EXIT_CTLS2]: 0xffn,
  [MSR.IA32_VMX_CR4_FIXED1]: 0x1ffffffffn,
  [MSR.IA32_VMX_EPT_VPID_CAP]: (SKYLAKE.msr.get(MSR.IA32_VMX_EPT_VPID_CAP) ?? 0n) | (0x3fn << 48n),
});

export { CR0, CR4, ENTRY_CTLS, EXIT_CTLS, MSR, PIN_BASED, PROC_BASED, PROC_BASED2, RFLAGS, VMCS };
