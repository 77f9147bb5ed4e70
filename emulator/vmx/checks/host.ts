// SDM 26.2.2-26.2.4 "Checks on Host Control Registers and MSRs", "Checks on Host Segment and
// Descriptor-Table Registers", "Checks Related to Address-Space Size". Any failure → VMfailValid(8).
import { CR0, CR4, EFER, EXIT_CTLS, EXIT_CTLS2, MSR, VMCS } from "../../../arch/index";
import type { CheckContext } from "./context";
import { fredStateProblem } from "./fred";
import { type EntryCheck, hex, type Violation } from "./types";
import { bitList, named, on, v } from "./util";

type Check = EntryCheck<CheckContext>;

function host(id: string, sdm: string, summary: string, run: (c: CheckContext) => Violation | undefined): Check {
  return { id, sdm, phase: "host", summary, run };
}

/** Reserved bits of IA32_PERF_GLOBAL_CTRL for the model (CPUID.0AH: GP and fixed counter counts). */
export function perfGlobalCtrlReserved(c: CheckContext): bigint {
  const max = c.model.cpuid(0, 0)[0] >>> 0;
  if (max < 0xa) return ~0n;
  const [a, , , d] = c.model.cpuid(0xa, 0);
  const gp = (a >>> 8) & 0xff;
  const fixed = d & 0x1f;
  const valid = ((1n << BigInt(gp)) - 1n) | (((1n << BigInt(fixed)) - 1n) << 32n);
  return BigInt.asUintN(64, ~valid);
}

/** Each byte of a PAT value must be a valid memory type: 0, 1, 4, 5, 6 or 7 (SDM 11.12.2). */
export function patProblem(pat: bigint): string | undefined {
  for (let i = 0; i < 8; i++) {
    const t = Number((pat >> BigInt(8 * i)) & 0xffn);
    if (t === 2 || t === 3 || t > 7) return `PAT entry ${i} is ${hex(t)}, not a memory type (0, 1, 4, 5, 6, 7)`;
  }
  return undefined;
}

/** IA32_EFER bits a write may set on these processors: SCE, LME, LMA, NXE. */
export const EFER_VALID = BigInt(EFER.SCE) | BigInt(EFER.LME) | BigInt(EFER.LMA) | BigInt(EFER.NXE);

const HOST_SELECTORS: readonly [string, number][] = [
  ["ES", VMCS.HOST_ES_SELECTOR],
  ["CS", VMCS.HOST_CS_SELECTOR],
  ["SS", VMCS.HOST_SS_SELECTOR],
  ["DS", VMCS.HOST_DS_SELECTOR],
  ["FS", VMCS.HOST_FS_SELECTOR],
  ["GS", VMCS.HOST_GS_SELECTOR],
  ["TR", VMCS.HOST_TR_SELECTOR],
];

function canonicalField(c: CheckContext, enc: number, what: string): Violation | undefined {
  const x = c.f(enc);
  return c.canonical(x) ? undefined : v(`${what} ${hex(x)} is not canonical`, enc);
}

const S22 = "26.2.2";
const S23 = "26.2.3";
const S24 = "26.2.4";

export const HOST_STATE_CHECKS: Check[] = [
  host("HST-01", S22, "host CR0 has the bits IA32_VMX_CR0_FIXED0 requires", (c) => {
    const cr0 = c.f(VMCS.HOST_CR0);
    const fixed0 = c.msr(MSR.IA32_VMX_CR0_FIXED0);
    const missing = fixed0 & ~cr0 & 0xffffffffn;
    return missing
      ? v(`host CR0 ${hex(cr0)}: ${bitList(missing)} must be 1 (IA32_VMX_CR0_FIXED0 ${hex(fixed0)})`, VMCS.HOST_CR0)
      : undefined;
  }),
  host("HST-02", S22, "host CR0 sets no bit IA32_VMX_CR0_FIXED1 forbids", (c) => {
    const cr0 = c.f(VMCS.HOST_CR0);
    const fixed1 = c.msr(MSR.IA32_VMX_CR0_FIXED1);
    const extra = cr0 & ~fixed1;
    return extra
      ? v(`host CR0 ${hex(cr0)}: ${bitList(extra)} must be 0 (IA32_VMX_CR0_FIXED1 ${hex(fixed1)})`, VMCS.HOST_CR0)
      : undefined;
  }),
  host("HST-03", S22, "host CR4 has the bits IA32_VMX_CR4_FIXED0 requires (VMXE)", (c) => {
    const cr4 = c.f(VMCS.HOST_CR4);
    const fixed0 = c.msr(MSR.IA32_VMX_CR4_FIXED0);
    const missing = fixed0 & ~cr4;
    return missing
      ? v(`host CR4 ${hex(cr4)}: ${bitList(missing)} must be 1 (IA32_VMX_CR4_FIXED0 ${hex(fixed0)})`, VMCS.HOST_CR4)
      : undefined;
  }),
  host("HST-04", S22, "host CR4 sets no bit IA32_VMX_CR4_FIXED1 forbids", (c) => {
    const cr4 = c.f(VMCS.HOST_CR4);
    const fixed1 = c.msr(MSR.IA32_VMX_CR4_FIXED1);
    const extra = cr4 & ~fixed1;
    return extra
      ? v(`host CR4 ${hex(cr4)}: ${bitList(extra)} must be 0 (IA32_VMX_CR4_FIXED1 ${hex(fixed1)})`, VMCS.HOST_CR4)
      : undefined;
  }),
  host("HST-05", S22, "host CR3 sets no bits beyond the physical-address width", (c) =>
    c.beyondPhys(c.f(VMCS.HOST_CR3))
      ? v(
          `host CR3 ${hex(c.f(VMCS.HOST_CR3))} sets bits beyond the physical-address width (${c.physWidth})`,
          VMCS.HOST_CR3,
        )
      : undefined,
  ),
  host("HST-06", S22, "host CR4.CET=1 requires host CR0.WP=1", (c) =>
    on(c.f(VMCS.HOST_CR4), CR4.CET) && !on(c.f(VMCS.HOST_CR0), CR0.WP)
      ? v(`host CR4.CET=1 requires host CR0.WP=1`, VMCS.HOST_CR4, VMCS.HOST_CR0)
      : undefined,
  ),
  host("HST-07", S22, "host IA32_SYSENTER_ESP is canonical", (c) =>
    canonicalField(c, VMCS.HOST_IA32_SYSENTER_ESP, "host IA32_SYSENTER_ESP"),
  ),
  host("HST-08", S22, "host IA32_SYSENTER_EIP is canonical", (c) =>
    canonicalField(c, VMCS.HOST_IA32_SYSENTER_EIP, "host IA32_SYSENTER_EIP"),
  ),
  host("HST-09", S22, "host IA32_S_CET is valid when loading CET state", (c) => {
    if (!on(c.exit, EXIT_CTLS.LOAD_CET_STATE)) return undefined;
    const s = c.f(VMCS.HOST_IA32_S_CET);
    if (s & 0x3c0n) return v(`host IA32_S_CET ${hex(s)} has reserved bits 9:6 set`, VMCS.HOST_IA32_S_CET);
    if ((s & 0xc00n) === 0xc00n)
      return v(`host IA32_S_CET ${hex(s)} sets both SUPPRESS and TRACKER`, VMCS.HOST_IA32_S_CET);
    if (c.hostAddressSpaceSize ? !c.canonical(s) : s >> 32n)
      return v(`host IA32_S_CET ${hex(s)} is not canonical`, VMCS.HOST_IA32_S_CET);
    return undefined;
  }),
  host("HST-10", S22, "host SSP is canonical and 4-byte aligned when loading CET state", (c) => {
    if (!on(c.exit, EXIT_CTLS.LOAD_CET_STATE)) return undefined;
    const s = c.f(VMCS.HOST_SSP);
    if (s & 3n || (c.hostAddressSpaceSize ? !c.canonical(s) : s >> 32n))
      return v(`host SSP ${hex(s)} is not canonical or not 4-byte aligned`, VMCS.HOST_SSP);
    return undefined;
  }),
  host("HST-11", S22, "host IA32_INTERRUPT_SSP_TABLE_ADDR is canonical when loading CET state", (c) =>
    on(c.exit, EXIT_CTLS.LOAD_CET_STATE)
      ? canonicalField(c, VMCS.HOST_IA32_INTERRUPT_SSP_TABLE_ADDR, "host IA32_INTERRUPT_SSP_TABLE_ADDR")
      : undefined,
  ),
  host("HST-12", S22, "host IA32_PERF_GLOBAL_CTRL has no reserved bits set", (c) => {
    if (!on(c.exit, EXIT_CTLS.LOAD_IA32_PERF_GLOBAL_CTRL)) return undefined;
    const x = c.f(VMCS.HOST_IA32_PERF_GLOBAL_CTRL);
    const bad = x & perfGlobalCtrlReserved(c);
    return bad
      ? v(`host IA32_PERF_GLOBAL_CTRL ${hex(x)}: reserved ${bitList(bad)} set`, VMCS.HOST_IA32_PERF_GLOBAL_CTRL)
      : undefined;
  }),
  host("HST-13", S22, "host IA32_PAT holds valid memory types", (c) => {
    if (!on(c.exit, EXIT_CTLS.LOAD_IA32_PAT)) return undefined;
    const p = patProblem(c.f(VMCS.HOST_IA32_PAT));
    return p ? v(`host IA32_PAT: ${p}`, VMCS.HOST_IA32_PAT) : undefined;
  }),
  host("HST-14", S22, "host IA32_EFER reserved bits are 0", (c) => {
    if (!on(c.exit, EXIT_CTLS.LOAD_IA32_EFER)) return undefined;
    const e = c.f(VMCS.HOST_IA32_EFER);
    const bad = e & ~EFER_VALID;
    return bad ? v(`host IA32_EFER ${hex(e)}: reserved ${bitList(bad)} set`, VMCS.HOST_IA32_EFER) : undefined;
  }),
  host("HST-15", S22, 'host IA32_EFER.LMA equals "host address-space size"', (c) => {
    if (!on(c.exit, EXIT_CTLS.LOAD_IA32_EFER)) return undefined;
    const lma = on(c.f(VMCS.HOST_IA32_EFER), EFER.LMA);
    return lma !== c.hostAddressSpaceSize
      ? v(
          `host IA32_EFER.LMA=${lma ? 1 : 0} but "host address-space size"=${c.hostAddressSpaceSize ? 1 : 0}`,
          VMCS.HOST_IA32_EFER,
          VMCS.PRIMARY_VM_EXIT_CONTROLS,
        )
      : undefined;
  }),
  host("HST-16", S22, 'host IA32_EFER.LME equals "host address-space size"', (c) => {
    if (!on(c.exit, EXIT_CTLS.LOAD_IA32_EFER)) return undefined;
    const lme = on(c.f(VMCS.HOST_IA32_EFER), EFER.LME);
    return lme !== c.hostAddressSpaceSize
      ? v(
          `host IA32_EFER.LME=${lme ? 1 : 0} but "host address-space size"=${c.hostAddressSpaceSize ? 1 : 0}`,
          VMCS.HOST_IA32_EFER,
          VMCS.PRIMARY_VM_EXIT_CONTROLS,
        )
      : undefined;
  }),
  host("HST-17", S22, "host IA32_PKRS bits 63:32 are 0", (c) => {
    if (!on(c.exit, EXIT_CTLS.LOAD_PKRS)) return undefined;
    const p = c.f(VMCS.HOST_IA32_PKRS);
    return p >> 32n ? v(`host IA32_PKRS ${hex(p)} has bits 63:32 set`, VMCS.HOST_IA32_PKRS) : undefined;
  }),
  host("HST-18", S22, 'host FRED state is valid when "load FRED" (secondary VM-exit control) is 1', (c) =>
    c.exit2 & BigInt(EXIT_CTLS2.LOAD_FRED) ? fredStateProblem(c, "HOST") : undefined,
  ),
  // Bochs checks a host IA32_SPEC_CTRL under a "load IA32_SPEC_CTRL" secondary VM-exit control it once put at bit
  // 2; current Bochs and the SDM give bit 2 to "prematurely busy shadow stack" and define no host IA32_SPEC_CTRL
  // field, so this check stays inert.
  host(
    "HST-19",
    S22,
    "host IA32_SPEC_CTRL is a value WRMSR accepts (Bochs; no such control in the SDM)",
    () => undefined,
  ),
  ...HOST_SELECTORS.map(([seg, enc], i) =>
    host(`HSEG-0${i + 1}`, S23, `host ${seg} selector has RPL=0 and TI=0`, (c) => {
      const s = c.n(enc);
      return s & 7 ? v(`host ${seg} selector ${hex(s)} has RPL or TI set (bits 2:0 must be 0)`, enc) : undefined;
    }),
  ),
  host("HSEG-08", S23, "host CS selector is not 0", (c) =>
    c.n(VMCS.HOST_CS_SELECTOR) === 0 ? v(`host CS selector is 0000H`, VMCS.HOST_CS_SELECTOR) : undefined,
  ),
  host("HSEG-09", S23, "host TR selector is not 0", (c) =>
    c.n(VMCS.HOST_TR_SELECTOR) === 0 ? v(`host TR selector is 0000H`, VMCS.HOST_TR_SELECTOR) : undefined,
  ),
  host("HSEG-10", S23, 'host SS selector is not 0 when "host address-space size"=0', (c) =>
    !c.hostAddressSpaceSize && c.n(VMCS.HOST_SS_SELECTOR) === 0
      ? v(`host SS selector is 0000H with "host address-space size"=0`, VMCS.HOST_SS_SELECTOR)
      : undefined,
  ),
  host("HSEG-11", S23, "host FS base is canonical", (c) => canonicalField(c, VMCS.HOST_FS_BASE, "host FS base")),
  host("HSEG-12", S23, "host GS base is canonical", (c) => canonicalField(c, VMCS.HOST_GS_BASE, "host GS base")),
  host("HSEG-13", S23, "host TR base is canonical", (c) => canonicalField(c, VMCS.HOST_TR_BASE, "host TR base")),
  host("HSEG-14", S23, "host GDTR base is canonical", (c) => canonicalField(c, VMCS.HOST_GDTR_BASE, "host GDTR base")),
  host("HSEG-15", S23, "host IDTR base is canonical", (c) => canonicalField(c, VMCS.HOST_IDTR_BASE, "host IDTR base")),
  host("HASZ-01", S24, 'outside IA-32e mode, "IA-32e mode guest" is 0', (c) =>
    !c.facts.vmmLongMode && c.ia32eGuest
      ? v(
          `the VMM is not in IA-32e mode, so "IA-32e mode guest" must be 0`,
          VMCS.VM_ENTRY_CONTROLS,
          named("IA32_EFER.LMA", 0),
        )
      : undefined,
  ),
  host("HASZ-02", S24, 'outside IA-32e mode, "host address-space size" is 0', (c) =>
    !c.facts.vmmLongMode && c.hostAddressSpaceSize
      ? v(
          `the VMM is not in IA-32e mode, so "host address-space size" must be 0`,
          VMCS.PRIMARY_VM_EXIT_CONTROLS,
          named("IA32_EFER.LMA", 0),
        )
      : undefined,
  ),
  host("HASZ-03", S24, 'in IA-32e mode, "host address-space size" is 1', (c) =>
    c.facts.vmmLongMode && !c.hostAddressSpaceSize
      ? v(
          `the VMM is in IA-32e mode, so the VM-exit control "host address-space size" must be 1`,
          VMCS.PRIMARY_VM_EXIT_CONTROLS,
          named("IA32_EFER.LMA", 1),
        )
      : undefined,
  ),
  host("HASZ-04", S24, '"host address-space size"=0 requires "IA-32e mode guest"=0', (c) =>
    !c.hostAddressSpaceSize && c.ia32eGuest
      ? v(
          `"IA-32e mode guest"=1 requires "host address-space size"=1`,
          VMCS.VM_ENTRY_CONTROLS,
          VMCS.PRIMARY_VM_EXIT_CONTROLS,
        )
      : undefined,
  ),
  host("HASZ-05", S24, '"host address-space size"=0 requires host CR4.PCIDE=0', (c) =>
    !c.hostAddressSpaceSize && on(c.f(VMCS.HOST_CR4), CR4.PCIDE)
      ? v(`host CR4.PCIDE=1 requires "host address-space size"=1`, VMCS.HOST_CR4)
      : undefined,
  ),
  host("HASZ-06", S24, '"host address-space size"=0 requires host RIP[63:32]=0', (c) =>
    !c.hostAddressSpaceSize && c.f(VMCS.HOST_RIP) >> 32n
      ? v(`host RIP ${hex(c.f(VMCS.HOST_RIP))} has bits 63:32 set for a 32-bit host`, VMCS.HOST_RIP)
      : undefined,
  ),
  host("HASZ-07", S24, '"host address-space size"=1 requires host CR4.PAE=1', (c) =>
    c.hostAddressSpaceSize && !on(c.f(VMCS.HOST_CR4), CR4.PAE)
      ? v(`a 64-bit host requires host CR4.PAE=1`, VMCS.HOST_CR4)
      : undefined,
  ),
  host("HASZ-08", S24, '"host address-space size"=1 requires a canonical host RIP', (c) =>
    c.hostAddressSpaceSize ? canonicalField(c, VMCS.HOST_RIP, "host RIP") : undefined,
  ),
];
