// SDM 26.3.1.5 "Checks on Guest Non-Register State" and 26.3.1.6 "Checks on Guest Page-Directory-Pointer-
// Table Entries". Failure → VM-entry failure, exit reason 33, with qualification 3 (NMI injection blocked by
// STI), 4 (VMCS link pointer) or 2 (PDPTE) where SDM 26.8 says so.
import { CR0, CR4, ENTRY_CTLS, PIN_BASED, PROC_BASED2, RFLAGS, VMCS } from "../../../arch/index";
import type { CheckContext } from "./context";
import { type EntryCheck, hex, type Violation } from "./types";
import { bitList, named, on, v } from "./util";

type Check = EntryCheck<CheckContext>;
const S5 = "26.3.1.5";
const S6 = "26.3.1.6";

/** Activity states (SDM 24.4.2). */
export const ACTIVITY = { ACTIVE: 0, HLT: 1, SHUTDOWN: 2, WAIT_FOR_SIPI: 3 } as const;
/** Interruptibility-state bits (SDM 24.4.2, Table 24-3). */
export const BLOCKING = { STI: 1, MOV_SS: 2, SMI: 4, NMI: 8, ENCLAVE: 16 } as const;

/** Qualifications of VM-entry failures (SDM 26.8). */
export const ENTRY_FAILURE_QUALIFICATION = { NONE: 0, PDPTE: 2, NMI_STI: 3, LINK_POINTER: 4 } as const;

function guest(id: string, sdm: string, summary: string, run: (c: CheckContext) => Violation | undefined): Check {
  return { id, sdm, phase: "guest", summary, run };
}

const ACT = VMCS.GUEST_ACTIVITY_STATE;
const INT = VMCS.GUEST_INTERRUPTIBILITY_STATE;
const INFO = VMCS.VM_ENTRY_INTERRUPTION_INFORMATION;
const PDE = VMCS.GUEST_PENDING_DEBUG_EXCEPTIONS;
const LINK = VMCS.VMCS_LINK_POINTER;

const ssDpl = (c: CheckContext) => (c.n(VMCS.GUEST_SS_ACCESS_RIGHTS) >>> 5) & 3;
const blocking = (c: CheckContext) => c.n(INT);
/** CPUID.(EAX=7,ECX=0):EBX[11] RTM; CPUID.(EAX=7,ECX=0):EBX[2] SGX. */
const cpuid7ebx = (c: CheckContext) => (c.model.cpuid(0, 0)[0] >>> 0 >= 7 ? c.model.cpuid(7, 0)[1] >>> 0 : 0);
const hasRtm = (c: CheckContext) => (cpuid7ebx(c) & (1 << 11)) !== 0;
const hasSgx = (c: CheckContext) => (cpuid7ebx(c) & (1 << 2)) !== 0;

function linkPointerActive(c: CheckContext): boolean {
  return c.f(LINK) !== 0xffffffffffffffffn;
}
/** GNR-24..27 look at the VMCS the link pointer references: only meaningful once GNR-22/23 hold. */
function link(
  id: string,
  summary: string,
  run: (c: CheckContext, p: bigint) => string | undefined,
  needsValidPointer = true,
): Check {
  return guest(id, S5, summary, (c) => {
    if (!linkPointerActive(c)) return undefined;
    const p = c.f(LINK);
    if (needsValidPointer && (p & 0xfffn || c.beyondPhys(p))) return undefined;
    const m = run(c, c.f(LINK));
    return m ? { message: m, fields: [LINK], qualification: ENTRY_FAILURE_QUALIFICATION.LINK_POINTER } : undefined;
  });
}

/** PAE paging for the guest: CR0.PG=1, CR4.PAE=1, not IA-32e (PDPTE-01). */
export function guestUsesPaePaging(c: CheckContext): boolean {
  return on(c.f(VMCS.GUEST_CR0), CR0.PG) && on(c.f(VMCS.GUEST_CR4), CR4.PAE) && !c.ia32eGuest;
}

/** A PDPTE's reserved bits (SDM 4.4.1): 2:1, 8:5 and MAXPHYADDR..63 of a present entry. */
export function pdpteProblem(pdpte: bigint, physWidth: number): string | undefined {
  if (!(pdpte & 1n)) return undefined;
  if (pdpte & 0x1e6n) return `PDPTE ${hex(pdpte)} sets reserved bits (2:1 or 8:5)`;
  if (BigInt.asUintN(64, pdpte) >> BigInt(physWidth))
    return `PDPTE ${hex(pdpte)} sets bits beyond the physical-address width`;
  return undefined;
}

const PDPTE_FIELDS = [VMCS.GUEST_PDPTE0, VMCS.GUEST_PDPTE1, VMCS.GUEST_PDPTE2, VMCS.GUEST_PDPTE3];

export const GUEST_STATE_CHECKS: Check[] = [
  guest("GNR-01", S5, "activity state is 0-3 and supported (IA32_VMX_MISC[8:6])", (c) => {
    const a = c.n(ACT);
    const supported = a === 0 || (a <= 3 && ((c.misc >> BigInt(5 + a)) & 1n) === 1n);
    return supported
      ? undefined
      : v(`guest activity state ${a} is not supported by this processor`, ACT, named("IA32_VMX_MISC", c.misc));
  }),
  guest("GNR-02", S5, "activity state HLT requires SS DPL 0", (c) =>
    c.n(ACT) === ACTIVITY.HLT && ssDpl(c) !== 0
      ? v(`guest activity state HLT requires SS DPL 0, not ${ssDpl(c)}`, ACT, VMCS.GUEST_SS_ACCESS_RIGHTS)
      : undefined,
  ),
  guest("GNR-03", S5, "activity state is active when blocking by STI or MOV SS", (c) =>
    c.n(ACT) !== ACTIVITY.ACTIVE && blocking(c) & (BLOCKING.STI | BLOCKING.MOV_SS)
      ? v(
          `guest activity state ${c.n(ACT)} with blocking by STI/MOV SS (interruptibility ${hex(blocking(c))})`,
          ACT,
          INT,
        )
      : undefined,
  ),
  guest("GNR-04", S5, "only NMI, external interrupt, #DB, #MC or MTF may be injected in HLT state", (c) => {
    if (!c.injecting || c.n(ACT) !== ACTIVITY.HLT) return undefined;
    const t = c.injectType;
    const vec = c.injectVector;
    const ok = t === 0 || t === 2 || (t === 3 && (vec === 1 || vec === 18)) || (t === 7 && vec === 0);
    return ok ? undefined : v(`event type ${t} vector ${vec} cannot be injected in the HLT state`, INFO, ACT);
  }),
  guest("GNR-05", S5, "only NMI or #MC may be injected in shutdown state", (c) => {
    if (!c.injecting || c.n(ACT) !== ACTIVITY.SHUTDOWN) return undefined;
    const ok = c.injectType === 2 || (c.injectType === 3 && c.injectVector === 18);
    return ok
      ? undefined
      : v(`event type ${c.injectType} vector ${c.injectVector} cannot be injected in the shutdown state`, INFO, ACT);
  }),
  guest("GNR-06", S5, "nothing is injected in wait-for-SIPI state", (c) =>
    c.injecting && c.n(ACT) === ACTIVITY.WAIT_FOR_SIPI
      ? v(`no event may be injected in the wait-for-SIPI state`, INFO, ACT)
      : undefined,
  ),
  guest("GNR-07", S5, 'wait-for-SIPI is not allowed with "entry to SMM"', (c) =>
    c.n(ACT) === ACTIVITY.WAIT_FOR_SIPI && on(c.entry, ENTRY_CTLS.ENTRY_TO_SMM)
      ? v(`activity state wait-for-SIPI with "entry to SMM"=1`, ACT, VMCS.VM_ENTRY_CONTROLS)
      : undefined,
  ),
  guest("GNR-08", S5, "interruptibility-state bits 31:5 are 0", (c) =>
    blocking(c) & ~0x1f
      ? v(`guest interruptibility state ${hex(blocking(c))} has reserved ${bitList(blocking(c) & ~0x1f)} set`, INT)
      : undefined,
  ),
  guest("GNR-09", S5, "blocking by STI and by MOV SS are not both set", (c) =>
    (blocking(c) & 3) === 3 ? v(`guest interruptibility sets both blocking by STI and by MOV SS`, INT) : undefined,
  ),
  guest("GNR-10", S5, "blocking by STI requires RFLAGS.IF=1", (c) =>
    blocking(c) & BLOCKING.STI && !on(c.f(VMCS.GUEST_RFLAGS), RFLAGS.IF)
      ? v(`blocking by STI with guest RFLAGS.IF=0`, INT, VMCS.GUEST_RFLAGS)
      : undefined,
  ),
  guest("GNR-11", S5, "no STI/MOV SS blocking when injecting an external interrupt", (c) =>
    c.injecting && c.injectType === 0 && blocking(c) & 3
      ? v(`injecting an external interrupt with blocking by STI or MOV SS`, INT, INFO)
      : undefined,
  ),
  guest("GNR-12", S5, "no MOV SS blocking when injecting an NMI", (c) =>
    c.injecting && c.injectType === 2 && blocking(c) & BLOCKING.MOV_SS
      ? v(`injecting an NMI with blocking by MOV SS`, INT, INFO)
      : undefined,
  ),
  guest("GNR-13", S5, "no SMI blocking outside SMM", (c) =>
    !c.facts.inSmm && blocking(c) & BLOCKING.SMI ? v(`blocking by SMI set outside SMM`, INT) : undefined,
  ),
  guest("GNR-14", S5, 'SMI blocking is set with "entry to SMM"', (c) =>
    on(c.entry, ENTRY_CTLS.ENTRY_TO_SMM) && !(blocking(c) & BLOCKING.SMI)
      ? v(`"entry to SMM"=1 requires blocking by SMI`, INT, VMCS.VM_ENTRY_CONTROLS)
      : undefined,
  ),
  guest("GNR-15", S5, "no STI blocking when injecting an NMI (this processor requires it)", (c) =>
    c.injecting && c.injectType === 2 && blocking(c) & BLOCKING.STI
      ? {
          message: `injecting an NMI with blocking by STI`,
          fields: [INT, INFO],
          qualification: ENTRY_FAILURE_QUALIFICATION.NMI_STI,
        }
      : undefined,
  ),
  guest("GNR-16", S5, "no NMI blocking when injecting an NMI with virtual NMIs", (c) =>
    c.injecting && c.injectType === 2 && on(c.pin, PIN_BASED.VIRTUAL_NMIS) && blocking(c) & BLOCKING.NMI
      ? v(`injecting an NMI with "virtual NMIs"=1 while blocking by NMI is set`, INT, INFO)
      : undefined,
  ),
  guest("GNR-17", S5, "enclave interruption requires SGX and no MOV SS blocking", (c) => {
    if (!(blocking(c) & BLOCKING.ENCLAVE)) return undefined;
    if (!hasSgx(c)) return v(`enclave interruption (bit 4) set on a processor without SGX`, INT);
    if (blocking(c) & BLOCKING.MOV_SS) return v(`enclave interruption with blocking by MOV SS`, INT);
    return undefined;
  }),
  guest("GNR-18", S5, "pending debug exceptions: bits 11:4, 13, 15, 63:17 are 0 (16 only with RTM)", (c) => {
    const p = c.f(PDE);
    let reserved = 0xff0n | 0x2000n | 0x8000n | ~0x1ffffn;
    if (!hasRtm(c)) reserved |= 0x10000n;
    const bad = BigInt.asUintN(64, p & reserved);
    return bad ? v(`guest pending debug exceptions ${hex(p)}: reserved ${bitList(bad)} set`, PDE) : undefined;
  }),
  ...(["GNR-19", "GNR-20"] as const).map((id) =>
    guest(
      id,
      S5,
      id === "GNR-19"
        ? "BS=1 when TF=1 and BTF=0 under blocking or HLT"
        : "BS=0 when TF=0 or BTF=1 under blocking or HLT",
      (c) => {
        if (!(blocking(c) & 3) && c.n(ACT) !== ACTIVITY.HLT) return undefined;
        const tf = on(c.f(VMCS.GUEST_RFLAGS), RFLAGS.TF);
        const btf = (c.f(VMCS.GUEST_IA32_DEBUGCTL) & 2n) !== 0n;
        const bs = (c.f(PDE) & 0x4000n) !== 0n;
        if (id === "GNR-19" && tf && !btf && !bs)
          return v(
            `pending debug exceptions BS must be 1: RFLAGS.TF=1 and IA32_DEBUGCTL.BTF=0 with blocking or HLT`,
            PDE,
            VMCS.GUEST_RFLAGS,
          );
        if (id === "GNR-20" && (!tf || btf) && bs)
          return v(
            `pending debug exceptions BS must be 0: RFLAGS.TF=0 or IA32_DEBUGCTL.BTF=1 with blocking or HLT`,
            PDE,
            VMCS.GUEST_RFLAGS,
          );
        return undefined;
      },
    ),
  ),
  guest(
    "GNR-21",
    S5,
    "pending RTM debug exception: bit 12 set, other bits clear, RTM supported, no MOV SS blocking",
    (c) => {
      const p = c.f(PDE);
      if (!(p & 0x10000n)) return undefined;
      if ((p & 0xfffffffffffeefffn) !== 0n || !(p & 0x1000n))
        return v(
          `pending debug exceptions ${hex(p)}: with RTM (bit 16) only bit 12 may also be set, and it must be`,
          PDE,
        );
      if (!hasRtm(c)) return v(`pending RTM debug exception on a processor without RTM`, PDE);
      if (blocking(c) & BLOCKING.MOV_SS) return v(`pending RTM debug exception with blocking by MOV SS`, PDE, INT);
      return undefined;
    },
  ),
  link(
    "GNR-22",
    "VMCS link pointer bits 11:0 are 0",
    (_c, p) => (p & 0xfffn ? `VMCS link pointer ${hex(p)} is not 4-KiB aligned` : undefined),
    false,
  ),
  link(
    "GNR-23",
    "VMCS link pointer is inside the physical-address width",
    (c, p) =>
      c.beyondPhys(p)
        ? `VMCS link pointer ${hex(p)} sets bits beyond the physical-address width (${c.physWidth})`
        : undefined,
    false,
  ),
  link("GNR-24", "the linked VMCS has the right revision identifier", (c, p) => {
    const rev = c.mem.read32(Number(p)) >>> 0;
    const want = Number(c.basic & 0x7fffffffn);
    return (rev & 0x7fffffff) !== want
      ? `the VMCS at link pointer ${hex(p)} has revision ${hex(rev & 0x7fffffff)}, not ${hex(want)}`
      : undefined;
  }),
  link("GNR-25", 'the linked VMCS shadow indicator equals "VMCS shadowing"', (c, p) => {
    const shadow = c.mem.read32(Number(p)) >>> 31 === 1;
    const want = on(c.proc2, PROC_BASED2.VMCS_SHADOWING);
    return shadow !== want
      ? `the VMCS at link pointer ${hex(p)} has shadow-VMCS indicator ${shadow ? 1 : 0} but "VMCS shadowing"=${want ? 1 : 0}`
      : undefined;
  }),
  link("GNR-26", "the link pointer is not the current-VMCS pointer", (c, p) =>
    !c.facts.inSmm && p === BigInt(c.facts.currentVmcsPointer)
      ? `VMCS link pointer ${hex(p)} is the current VMCS itself`
      : undefined,
  ),
  link("GNR-27", "in SMM the link pointer is not the VMXON pointer", (c, p) =>
    c.facts.inSmm && !on(c.entry, ENTRY_CTLS.ENTRY_TO_SMM) && p === BigInt(c.facts.vmxonPointer)
      ? `VMCS link pointer ${hex(p)} is the VMXON pointer`
      : undefined,
  ),
  // PDPTE-01 is the condition under which the PDPTE checks apply (guestUsesPaePaging).
  guest("PDPTE-01", S6, "PDPTE checks apply only to PAE paging (CR0.PG=1, CR4.PAE=1, not IA-32e)", () => undefined),
  guest("PDPTE-02", S6, "without EPT, the PDPTEs at guest CR3 have no reserved bits set", (c) => {
    if (!guestUsesPaePaging(c) || on(c.proc2, PROC_BASED2.ENABLE_EPT)) return undefined;
    const table = Number(c.f(VMCS.GUEST_CR3) & 0xffffffe0n);
    for (let i = 0; i < 4; i++) {
      const lo = c.mem.read32(table + 8 * i) >>> 0;
      const hi = c.mem.read32(table + 8 * i + 4) >>> 0;
      const e = (BigInt(hi) << 32n) | BigInt(lo);
      const p = pdpteProblem(e, c.physWidth);
      if (p)
        return {
          message: `guest PDPTE${i} at ${hex(table + 8 * i)}: ${p}`,
          fields: [VMCS.GUEST_CR3, named(`PDPTE${i}`, e)],
          qualification: ENTRY_FAILURE_QUALIFICATION.PDPTE,
        };
    }
    return undefined;
  }),
  guest("PDPTE-03", S6, "with EPT, the guest PDPTE fields have no reserved bits set", (c) => {
    if (!guestUsesPaePaging(c) || !on(c.proc2, PROC_BASED2.ENABLE_EPT)) return undefined;
    for (let i = 0; i < 4; i++) {
      const enc = PDPTE_FIELDS[i]!;
      const p = pdpteProblem(c.f(enc), c.physWidth);
      if (p)
        return {
          message: `guest PDPTE${i} field: ${p}`,
          fields: [enc],
          qualification: ENTRY_FAILURE_QUALIFICATION.PDPTE,
        };
    }
    return undefined;
  }),
];
