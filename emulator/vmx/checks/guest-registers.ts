// SDM 26.3.1.1 "Checks on Guest Control Registers, Debug Registers, and MSRs", 26.3.1.3 "Checks on Guest
// Descriptor-Table Registers", 26.3.1.4 "Checks on Guest RIP and RFLAGS". Failure → VM-entry failure, 33.
import { ACCESS_RIGHTS, CR0, CR4, EFER, ENTRY_CTLS, MSR, RFLAGS, VMCS } from "../../../arch/index";
import type { CheckContext } from "./context";
import { fredStateProblem } from "./fred";
import { EFER_VALID, patProblem, perfGlobalCtrlReserved } from "./host";
import { type EntryCheck, hex, type Violation } from "./types";
import { bitList, on, optionalControl, v } from "./util";

type Check = EntryCheck<CheckContext>;

function guest(id: string, sdm: string, summary: string, run: (c: CheckContext) => Violation | undefined): Check {
  return { id, sdm, phase: "guest", summary, run };
}

const S1 = "26.3.1.1";
const S3 = "26.3.1.3";
const S4 = "26.3.1.4";

/** IA32_DEBUGCTL bits these processors define: LBR, BTF, TR, BTS, BTINT, BTS_OFF_OS/USR, FREEZE_*, RTM_DEBUG. */
const DEBUGCTL_VALID = 0x3n | 0xffc0n;
/** IA32_RTIT_CTL bits defined by Intel PT (SDM Vol. 3C 33.2.8.2): 17:0, 22:19, 27:24, 47:32; the rest are reserved. */
const RTIT_CTL_VALID = 0x3ffffn | 0x78_0000n | 0xf00_0000n | 0xffff_0000_0000n;
/** IA32_LBR_CTL: LBREn, OS, USR, CALL_STACK and branch-type filters (bits 16-22). */
const LBR_CTL_VALID = 0x007f_000fn;

function canon(c: CheckContext, enc: number, what: string): Violation | undefined {
  return c.canonicalField(enc) ? undefined : v(`${what} ${hex(c.vmcs.get(enc))} is not canonical`, enc);
}

export const GUEST_REGISTER_CHECKS: Check[] = [
  guest(
    "GCR-01",
    S1,
    "guest CR0 has the bits IA32_VMX_CR0_FIXED0 requires (PE/PG exempt with unrestricted guest)",
    (c) => {
      const cr0 = c.f(VMCS.GUEST_CR0);
      let fixed0 = c.msr(MSR.IA32_VMX_CR0_FIXED0);
      if (c.unrestricted) fixed0 &= ~BigInt((CR0.PE | CR0.PG) >>> 0);
      const missing = fixed0 & ~cr0 & 0xffffffffn;
      return missing
        ? v(`guest CR0 ${hex(cr0)}: ${bitList(missing)} must be 1 (IA32_VMX_CR0_FIXED0 ${hex(fixed0)})`, VMCS.GUEST_CR0)
        : undefined;
    },
  ),
  guest("GCR-02", S1, "guest CR0 sets no bit IA32_VMX_CR0_FIXED1 forbids (NW and CD not checked)", (c) => {
    const cr0 = c.f(VMCS.GUEST_CR0) & ~BigInt(CR0.NW | CR0.CD);
    const fixed1 = c.msr(MSR.IA32_VMX_CR0_FIXED1);
    const extra = cr0 & ~fixed1;
    return extra
      ? v(
          `guest CR0 ${hex(c.f(VMCS.GUEST_CR0))}: ${bitList(extra)} must be 0 (IA32_VMX_CR0_FIXED1 ${hex(fixed1)})`,
          VMCS.GUEST_CR0,
        )
      : undefined;
  }),
  guest("GCR-03", S1, "guest CR0.PG=1 requires CR0.PE=1", (c) => {
    const cr0 = c.f(VMCS.GUEST_CR0);
    return on(cr0, CR0.PG) && !on(cr0, CR0.PE)
      ? v(`guest CR0.PG=1 requires CR0.PE=1 (CR0 ${hex(cr0)})`, VMCS.GUEST_CR0)
      : undefined;
  }),
  guest("GCR-04", S1, "guest CR4 has the bits IA32_VMX_CR4_FIXED0 requires", (c) => {
    const cr4 = c.f(VMCS.GUEST_CR4);
    const fixed0 = c.msr(MSR.IA32_VMX_CR4_FIXED0);
    const missing = fixed0 & ~cr4;
    return missing
      ? v(`guest CR4 ${hex(cr4)}: ${bitList(missing)} must be 1 (IA32_VMX_CR4_FIXED0 ${hex(fixed0)})`, VMCS.GUEST_CR4)
      : undefined;
  }),
  guest("GCR-05", S1, "guest CR4 sets no bit IA32_VMX_CR4_FIXED1 forbids", (c) => {
    const cr4 = c.f(VMCS.GUEST_CR4);
    const fixed1 = c.msr(MSR.IA32_VMX_CR4_FIXED1);
    const extra = cr4 & ~fixed1;
    return extra
      ? v(`guest CR4 ${hex(cr4)}: ${bitList(extra)} must be 0 (IA32_VMX_CR4_FIXED1 ${hex(fixed1)})`, VMCS.GUEST_CR4)
      : undefined;
  }),
  guest("GCR-06", S1, "guest CR4.CET=1 requires CR0.WP=1", (c) =>
    on(c.f(VMCS.GUEST_CR4), CR4.CET) && !on(c.f(VMCS.GUEST_CR0), CR0.WP)
      ? v(`guest CR4.CET=1 requires guest CR0.WP=1`, VMCS.GUEST_CR4, VMCS.GUEST_CR0)
      : undefined,
  ),
  guest("GCR-07", S1, "guest IA32_DEBUGCTL reserved bits are 0 when loading debug controls", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_DEBUG_CONTROLS)) return undefined;
    const d = c.f(VMCS.GUEST_IA32_DEBUGCTL);
    const bad = d & ~DEBUGCTL_VALID;
    return bad ? v(`guest IA32_DEBUGCTL ${hex(d)}: reserved ${bitList(bad)} set`, VMCS.GUEST_IA32_DEBUGCTL) : undefined;
  }),
  guest("GCR-08", S1, '"IA-32e mode guest" requires guest CR0.PG=1', (c) =>
    c.ia32eGuest && !on(c.f(VMCS.GUEST_CR0), CR0.PG)
      ? v(`"IA-32e mode guest"=1 requires guest CR0.PG=1`, VMCS.GUEST_CR0, VMCS.VM_ENTRY_CONTROLS)
      : undefined,
  ),
  guest("GCR-09", S1, '"IA-32e mode guest" requires guest CR4.PAE=1', (c) =>
    c.ia32eGuest && !on(c.f(VMCS.GUEST_CR4), CR4.PAE)
      ? v(`"IA-32e mode guest"=1 requires guest CR4.PAE=1`, VMCS.GUEST_CR4, VMCS.VM_ENTRY_CONTROLS)
      : undefined,
  ),
  guest("GCR-10", S1, 'guest CR4.PCIDE=1 requires "IA-32e mode guest"', (c) =>
    !c.ia32eGuest && on(c.f(VMCS.GUEST_CR4), CR4.PCIDE)
      ? v(`guest CR4.PCIDE=1 requires "IA-32e mode guest"=1`, VMCS.GUEST_CR4, VMCS.VM_ENTRY_CONTROLS)
      : undefined,
  ),
  guest("GCR-11", S1, "guest CR3 sets no bits beyond the physical-address width", (c) =>
    c.beyondPhys(c.f(VMCS.GUEST_CR3))
      ? v(
          `guest CR3 ${hex(c.f(VMCS.GUEST_CR3))} sets bits beyond the physical-address width (${c.physWidth})`,
          VMCS.GUEST_CR3,
        )
      : undefined,
  ),
  guest("GCR-12", S1, "guest DR7 bits 63:32 are 0 when loading debug controls", (c) =>
    on(c.entry, ENTRY_CTLS.LOAD_DEBUG_CONTROLS) && c.f(VMCS.GUEST_DR7) >> 32n
      ? v(`guest DR7 ${hex(c.f(VMCS.GUEST_DR7))} has bits 63:32 set`, VMCS.GUEST_DR7)
      : undefined,
  ),
  guest("GCR-13", S1, "guest IA32_SYSENTER_ESP is canonical", (c) =>
    canon(c, VMCS.GUEST_IA32_SYSENTER_ESP, "guest IA32_SYSENTER_ESP"),
  ),
  guest("GCR-14", S1, "guest IA32_SYSENTER_EIP is canonical", (c) =>
    canon(c, VMCS.GUEST_IA32_SYSENTER_EIP, "guest IA32_SYSENTER_EIP"),
  ),
  guest("GCR-15", S1, "guest IA32_S_CET is valid when loading CET state", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_CET_STATE)) return undefined;
    const s = c.f(VMCS.GUEST_IA32_S_CET);
    if (s & 0x3c0n) return v(`guest IA32_S_CET ${hex(s)} has reserved bits 9:6 set`, VMCS.GUEST_IA32_S_CET);
    if ((s & 0xc00n) === 0xc00n)
      return v(`guest IA32_S_CET ${hex(s)} sets both SUPPRESS and TRACKER`, VMCS.GUEST_IA32_S_CET);
    if (c.ia32eGuest ? !c.canonical(s) : s >> 32n)
      return v(`guest IA32_S_CET ${hex(s)} is not canonical`, VMCS.GUEST_IA32_S_CET);
    return undefined;
  }),
  guest("GCR-16", S1, "guest SSP is canonical and 4-byte aligned when loading CET state", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_CET_STATE)) return undefined;
    const s = c.f(VMCS.GUEST_SSP);
    return s & 3n || (c.ia32eGuest ? !c.canonical(s) : s >> 32n)
      ? v(`guest SSP ${hex(s)} is not canonical or not 4-byte aligned`, VMCS.GUEST_SSP)
      : undefined;
  }),
  guest("GCR-17", S1, "guest IA32_INTERRUPT_SSP_TABLE_ADDR is canonical when loading CET state", (c) =>
    on(c.entry, ENTRY_CTLS.LOAD_CET_STATE)
      ? canon(c, VMCS.GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR, "guest IA32_INTERRUPT_SSP_TABLE_ADDR")
      : undefined,
  ),
  guest("GCR-18", S1, "guest IA32_PERF_GLOBAL_CTRL has no reserved bits set", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_IA32_PERF_GLOBAL_CTRL)) return undefined;
    const x = c.f(VMCS.GUEST_IA32_PERF_GLOBAL_CTRL);
    const bad = x & perfGlobalCtrlReserved(c);
    return bad
      ? v(`guest IA32_PERF_GLOBAL_CTRL ${hex(x)}: reserved ${bitList(bad)} set`, VMCS.GUEST_IA32_PERF_GLOBAL_CTRL)
      : undefined;
  }),
  guest("GCR-19", S1, "guest IA32_PAT holds valid memory types", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_IA32_PAT)) return undefined;
    const p = patProblem(c.f(VMCS.GUEST_IA32_PAT));
    return p ? v(`guest IA32_PAT: ${p}`, VMCS.GUEST_IA32_PAT) : undefined;
  }),
  guest("GCR-20", S1, "guest IA32_EFER reserved bits are 0", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_IA32_EFER)) return undefined;
    const e = c.f(VMCS.GUEST_IA32_EFER);
    const bad = e & ~EFER_VALID;
    return bad ? v(`guest IA32_EFER ${hex(e)}: reserved ${bitList(bad)} set`, VMCS.GUEST_IA32_EFER) : undefined;
  }),
  guest("GCR-21", S1, 'guest IA32_EFER.LMA equals "IA-32e mode guest"', (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_IA32_EFER)) return undefined;
    const lma = on(c.f(VMCS.GUEST_IA32_EFER), EFER.LMA);
    return lma !== c.ia32eGuest
      ? v(
          `guest IA32_EFER.LMA=${lma ? 1 : 0} but "IA-32e mode guest"=${c.ia32eGuest ? 1 : 0}`,
          VMCS.GUEST_IA32_EFER,
          VMCS.VM_ENTRY_CONTROLS,
        )
      : undefined;
  }),
  guest("GCR-22", S1, "guest IA32_EFER.LME equals LMA when guest CR0.PG=1", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_IA32_EFER) || !on(c.f(VMCS.GUEST_CR0), CR0.PG)) return undefined;
    const e = c.f(VMCS.GUEST_IA32_EFER);
    return on(e, EFER.LMA) !== on(e, EFER.LME)
      ? v(`guest IA32_EFER ${hex(e)}: LME must equal LMA when CR0.PG=1`, VMCS.GUEST_IA32_EFER, VMCS.GUEST_CR0)
      : undefined;
  }),
  guest("GCR-23", S1, "guest IA32_BNDCFGS bits 11:2 are 0", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_IA32_BNDCFGS)) return undefined;
    const b = c.f(VMCS.GUEST_IA32_BNDCFGS);
    return b & 0xffcn
      ? v(`guest IA32_BNDCFGS ${hex(b)} has reserved bits 11:2 set`, VMCS.GUEST_IA32_BNDCFGS)
      : undefined;
  }),
  guest("GCR-24", S1, "guest IA32_BNDCFGS base is canonical", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_IA32_BNDCFGS)) return undefined;
    const b = c.f(VMCS.GUEST_IA32_BNDCFGS);
    return c.canonical(b & ~0xfffn)
      ? undefined
      : v(`guest IA32_BNDCFGS base ${hex(b & ~0xfffn)} is not canonical`, VMCS.GUEST_IA32_BNDCFGS);
  }),
  guest("GCR-25", S1, "guest IA32_RTIT_CTL is a value WRMSR accepts", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_IA32_RTIT_CTL)) return undefined;
    const r = c.f(VMCS.GUEST_IA32_RTIT_CTL);
    const bad = r & ~RTIT_CTL_VALID;
    return bad ? v(`guest IA32_RTIT_CTL ${hex(r)}: reserved ${bitList(bad)} set`, VMCS.GUEST_IA32_RTIT_CTL) : undefined;
  }),
  guest("GCR-26", S1, "guest IA32_LBR_CTL reserved bits are 0", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_GUEST_IA32_LBR_CTL)) return undefined;
    const r = c.f(VMCS.GUEST_IA32_LBR_CTL);
    const bad = r & ~LBR_CTL_VALID;
    return bad ? v(`guest IA32_LBR_CTL ${hex(r)}: reserved ${bitList(bad)} set`, VMCS.GUEST_IA32_LBR_CTL) : undefined;
  }),
  guest("GCR-27", S1, "guest IA32_PKRS bits 63:32 are 0", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_PKRS)) return undefined;
    const p = c.f(VMCS.GUEST_IA32_PKRS);
    return p >> 32n ? v(`guest IA32_PKRS ${hex(p)} has bits 63:32 set`, VMCS.GUEST_IA32_PKRS) : undefined;
  }),
  guest("GCR-28", S1, "guest UINV bits 15:8 are 0", (c) => {
    if (!on(c.entry, ENTRY_CTLS.LOAD_UINV)) return undefined;
    const u = c.n(VMCS.GUEST_UINV);
    return u & 0xff00 ? v(`guest UINV ${hex(u)} has bits 15:8 set`, VMCS.GUEST_UINV) : undefined;
  }),
  guest("GCR-29", S1, 'guest FRED state is valid when "load FRED" is 1', (c) =>
    on(c.entry, ENTRY_CTLS.LOAD_FRED) ? fredStateProblem(c, "GUEST") : undefined,
  ),
  guest("GCR-30", S1, 'guest CR4.FRED=1 requires "IA-32e mode guest"', (c) =>
    !c.ia32eGuest && on(c.f(VMCS.GUEST_CR4), CR4.FRED)
      ? v(`guest CR4.FRED=1 requires "IA-32e mode guest"=1`, VMCS.GUEST_CR4, VMCS.VM_ENTRY_CONTROLS)
      : undefined,
  ),
  // Bochs checks a guest IA32_SPEC_CTRL under a "load IA32_SPEC_CTRL" VM-entry control; neither that control nor
  // a guest IA32_SPEC_CTRL field is in the SDM or in arch/, so this check stays inert until they are.
  guest("GCR-31", S1, "guest IA32_SPEC_CTRL is a value WRMSR accepts (Bochs; no such control in the SDM)", (c) =>
    on(c.entry, optionalControl("ENTRY_CTLS", "LOAD_IA32_SPEC_CTRL"))
      ? v(
          `"load IA32_SPEC_CTRL" is set, but this VMCS layout has no guest IA32_SPEC_CTRL field`,
          VMCS.VM_ENTRY_CONTROLS,
        )
      : undefined,
  ),
];

export const GUEST_TABLE_CHECKS: Check[] = [
  guest("GDT-01", S3, "guest GDTR base is canonical", (c) => canon(c, VMCS.GUEST_GDTR_BASE, "guest GDTR base")),
  guest("GDT-02", S3, "guest IDTR base is canonical", (c) => canon(c, VMCS.GUEST_IDTR_BASE, "guest IDTR base")),
  guest("GDT-03", S3, "guest GDTR limit bits 31:16 are 0", (c) =>
    c.n(VMCS.GUEST_GDTR_LIMIT) & 0xffff0000
      ? v(`guest GDTR limit ${hex(c.n(VMCS.GUEST_GDTR_LIMIT))} exceeds FFFFH`, VMCS.GUEST_GDTR_LIMIT)
      : undefined,
  ),
  guest("GDT-04", S3, "guest IDTR limit bits 31:16 are 0", (c) =>
    c.n(VMCS.GUEST_IDTR_LIMIT) & 0xffff0000
      ? v(`guest IDTR limit ${hex(c.n(VMCS.GUEST_IDTR_LIMIT))} exceeds FFFFH`, VMCS.GUEST_IDTR_LIMIT)
      : undefined,
  ),
];

/** RFLAGS reserved bits: 63:22, 15, 5, 3 (SDM 26.3.1.4). */
const RFLAGS_RESERVED = ~0x3fffffn | 0x8000n | 0x20n | 0x8n;

export const GUEST_RIP_RFLAGS_CHECKS: Check[] = [
  guest("GRF-01", S4, "guest RIP bits 63:32 are 0 outside 64-bit mode", (c) => {
    const csL = (c.n(VMCS.GUEST_CS_ACCESS_RIGHTS) & ACCESS_RIGHTS.L) !== 0;
    return (!c.ia32eGuest || !csL) && c.hi(VMCS.GUEST_RIP) !== 0
      ? v(
          `guest RIP ${hex(c.vmcs.get(VMCS.GUEST_RIP))} has bits 63:32 set for a guest not in 64-bit mode`,
          VMCS.GUEST_RIP,
          VMCS.GUEST_CS_ACCESS_RIGHTS,
        )
      : undefined;
  }),
  guest("GRF-02", S4, "guest RIP is canonical in 64-bit mode", (c) => {
    const csL = (c.n(VMCS.GUEST_CS_ACCESS_RIGHTS) & ACCESS_RIGHTS.L) !== 0;
    return c.ia32eGuest && csL ? canon(c, VMCS.GUEST_RIP, "guest RIP of a 64-bit guest") : undefined;
  }),
  guest("GRF-03", S4, "guest RFLAGS reserved bits (63:22, 15, 5, 3) are 0", (c) => {
    const f = c.f(VMCS.GUEST_RFLAGS);
    const bad = f & RFLAGS_RESERVED;
    return bad ? v(`guest RFLAGS ${hex(f)}: reserved ${bitList(bad)} set`, VMCS.GUEST_RFLAGS) : undefined;
  }),
  guest("GRF-04", S4, "guest RFLAGS bit 1 is 1", (c) => {
    const f = c.f(VMCS.GUEST_RFLAGS);
    return on(f, RFLAGS.FIXED1) ? undefined : v(`guest RFLAGS ${hex(f)}: bit 1 must be 1`, VMCS.GUEST_RFLAGS);
  }),
  guest("GRF-05", S4, "guest RFLAGS.VM=0 for an IA-32e guest or when CR0.PE=0", (c) => {
    const f = c.f(VMCS.GUEST_RFLAGS);
    if (!on(f, RFLAGS.VM)) return undefined;
    if (c.ia32eGuest)
      return v(`guest RFLAGS.VM=1 with "IA-32e mode guest"=1`, VMCS.GUEST_RFLAGS, VMCS.VM_ENTRY_CONTROLS);
    if (!on(c.f(VMCS.GUEST_CR0), CR0.PE))
      return v(`guest RFLAGS.VM=1 with guest CR0.PE=0`, VMCS.GUEST_RFLAGS, VMCS.GUEST_CR0);
    return undefined;
  }),
  guest("GRF-06", S4, "guest RFLAGS.IF=1 when injecting an external interrupt", (c) =>
    c.injecting && c.injectType === 0 && !on(c.f(VMCS.GUEST_RFLAGS), RFLAGS.IF)
      ? v(
          `injecting external interrupt ${c.injectVector} requires guest RFLAGS.IF=1`,
          VMCS.GUEST_RFLAGS,
          VMCS.VM_ENTRY_INTERRUPTION_INFORMATION,
        )
      : undefined,
  ),
];
