// SDM 26.3.1.2 "Checks on Guest Segment Registers". Failure → VM-entry failure, exit reason 33.
// "V86" is guest RFLAGS.VM=1; a segment is usable when access-rights bit 16 is 0.
import { ACCESS_RIGHTS, CR0, CR4, RFLAGS, VMCS } from "../../../arch/index";
import type { CheckContext } from "./context";
import { type EntryCheck, hex, type Violation } from "./types";
import { on, v } from "./util";

type Check = EntryCheck<CheckContext>;
const S = "26.3.1.2";

interface Seg {
  name: string;
  sel: number;
  base: number;
  limit: number;
  ar: number;
}
const seg = (name: string, sel: number, base: number, limit: number, ar: number): Seg => ({
  name,
  sel,
  base,
  limit,
  ar,
});

const ES = seg("ES", VMCS.GUEST_ES_SELECTOR, VMCS.GUEST_ES_BASE, VMCS.GUEST_ES_LIMIT, VMCS.GUEST_ES_ACCESS_RIGHTS);
const CS = seg("CS", VMCS.GUEST_CS_SELECTOR, VMCS.GUEST_CS_BASE, VMCS.GUEST_CS_LIMIT, VMCS.GUEST_CS_ACCESS_RIGHTS);
const SS = seg("SS", VMCS.GUEST_SS_SELECTOR, VMCS.GUEST_SS_BASE, VMCS.GUEST_SS_LIMIT, VMCS.GUEST_SS_ACCESS_RIGHTS);
const DS = seg("DS", VMCS.GUEST_DS_SELECTOR, VMCS.GUEST_DS_BASE, VMCS.GUEST_DS_LIMIT, VMCS.GUEST_DS_ACCESS_RIGHTS);
const FS = seg("FS", VMCS.GUEST_FS_SELECTOR, VMCS.GUEST_FS_BASE, VMCS.GUEST_FS_LIMIT, VMCS.GUEST_FS_ACCESS_RIGHTS);
const GS = seg("GS", VMCS.GUEST_GS_SELECTOR, VMCS.GUEST_GS_BASE, VMCS.GUEST_GS_LIMIT, VMCS.GUEST_GS_ACCESS_RIGHTS);
const LDTR = seg(
  "LDTR",
  VMCS.GUEST_LDTR_SELECTOR,
  VMCS.GUEST_LDTR_BASE,
  VMCS.GUEST_LDTR_LIMIT,
  VMCS.GUEST_LDTR_ACCESS_RIGHTS,
);
const TR = seg("TR", VMCS.GUEST_TR_SELECTOR, VMCS.GUEST_TR_BASE, VMCS.GUEST_TR_LIMIT, VMCS.GUEST_TR_ACCESS_RIGHTS);

export const GUEST_SEGMENTS = { ES, CS, SS, DS, FS, GS, LDTR, TR } as const;

const DATA_SEGS = [DS, ES, FS, GS];
const V86_SEGS = [CS, SS, DS, ES, FS, GS];

function guest(id: string, summary: string, run: (c: CheckContext) => Violation | undefined): Check {
  return { id, sdm: S, phase: "guest", summary, run };
}

const ar = (c: CheckContext, s: Seg) => c.n(s.ar);
const usable = (c: CheckContext, s: Seg) => !on(ar(c, s), ACCESS_RIGHTS.UNUSABLE);
const type = (c: CheckContext, s: Seg) => ar(c, s) & ACCESS_RIGHTS.TYPE;
const dpl = (c: CheckContext, s: Seg) => (ar(c, s) & ACCESS_RIGHTS.DPL) >>> 5;
const rpl = (c: CheckContext, s: Seg) => c.n(s.sel) & 3;
const v86 = (c: CheckContext) => on(c.f(VMCS.GUEST_RFLAGS), RFLAGS.VM);

/** Checks 8c apply when not in virtual-8086 mode. */
function notV86(id: string, summary: string, run: (c: CheckContext) => Violation | undefined): Check {
  return guest(id, summary, (c) => (v86(c) ? undefined : run(c)));
}

/** The first segment of `segs` (CS always, the others if usable when `onlyUsable`) for which `bad` holds. */
function firstBad(
  c: CheckContext,
  segs: readonly Seg[],
  bad: (s: Seg) => boolean,
  message: (s: Seg) => string,
  includeCs = true,
): Violation | undefined {
  for (const s of segs) {
    if (s === CS ? !includeCs : !usable(c, s)) continue;
    if (bad(s)) return v(message(s), s.ar, s.sel);
  }
  return undefined;
}

/** G/limit consistency (SDM 26.3.1.2): limit[11:0] not all 1s → G=0; limit[31:20] not all 0s → G=1. */
function limitProblem(c: CheckContext, s: Seg): string | undefined {
  const limit = c.n(s.limit);
  const g = on(ar(c, s), ACCESS_RIGHTS.G);
  if ((limit & 0xfff) !== 0xfff && g) return `${s.name} limit ${hex(limit)} has bits 11:0 not all 1 but G=1`;
  if ((limit & 0xfff00000) !== 0 && !g) return `${s.name} limit ${hex(limit)} exceeds FFFFFH but G=0`;
  return undefined;
}

const ALL_CODE_DATA = [CS, SS, DS, ES, FS, GS];

export const GUEST_SEGMENT_CHECKS: Check[] = [
  // 8a. selectors and bases
  guest("GSEG-01", "TR selector TI is 0", (c) =>
    c.n(TR.sel) & 4 ? v(`guest TR selector ${hex(c.n(TR.sel))} has TI=1`, TR.sel) : undefined,
  ),
  guest("GSEG-02", "LDTR selector TI is 0 when usable", (c) =>
    usable(c, LDTR) && c.n(LDTR.sel) & 4
      ? v(`guest LDTR selector ${hex(c.n(LDTR.sel))} has TI=1`, LDTR.sel, LDTR.ar)
      : undefined,
  ),
  guest("GSEG-03", "SS.RPL equals CS.RPL (not V86, not unrestricted)", (c) =>
    !v86(c) && !c.unrestricted && rpl(c, SS) !== rpl(c, CS)
      ? v(`guest SS selector RPL ${rpl(c, SS)} differs from CS selector RPL ${rpl(c, CS)}`, SS.sel, CS.sel)
      : undefined,
  ),
  guest("GSEG-04", "in V86 mode each base is selector × 16", (c) => {
    if (!v86(c)) return undefined;
    for (const s of V86_SEGS) {
      const want = BigInt(c.n(s.sel)) << 4n;
      if (c.f(s.base) !== want)
        return v(
          `virtual-8086 guest: ${s.name} base ${hex(c.f(s.base))} must be selector × 16 = ${hex(want)}`,
          s.base,
          s.sel,
        );
    }
    return undefined;
  }),
  guest("GSEG-05", "TR, FS and GS bases are canonical", (c) => {
    for (const s of [TR, FS, GS])
      if (!c.canonical(c.f(s.base))) return v(`guest ${s.name} base ${hex(c.f(s.base))} is not canonical`, s.base);
    return undefined;
  }),
  guest("GSEG-06", "LDTR base is canonical when usable", (c) =>
    usable(c, LDTR) && !c.canonical(c.f(LDTR.base))
      ? v(`guest LDTR base ${hex(c.f(LDTR.base))} is not canonical`, LDTR.base, LDTR.ar)
      : undefined,
  ),
  guest("GSEG-07", "CS base bits 63:32 are 0", (c) =>
    c.f(CS.base) >> 32n ? v(`guest CS base ${hex(c.f(CS.base))} has bits 63:32 set`, CS.base) : undefined,
  ),
  guest("GSEG-08", "SS, DS and ES base bits 63:32 are 0 when usable", (c) => {
    for (const s of [SS, DS, ES])
      if (usable(c, s) && c.f(s.base) >> 32n)
        return v(`guest ${s.name} base ${hex(c.f(s.base))} has bits 63:32 set`, s.base, s.ar);
    return undefined;
  }),
  // 8b. V86
  guest("GSEG-09", "in V86 mode each limit is FFFFH", (c) => {
    if (!v86(c)) return undefined;
    for (const s of V86_SEGS)
      if (c.n(s.limit) !== 0xffff)
        return v(`virtual-8086 guest: ${s.name} limit ${hex(c.n(s.limit))} must be FFFFH`, s.limit);
    return undefined;
  }),
  guest("GSEG-10", "in V86 mode each access-rights field is F3H", (c) => {
    if (!v86(c)) return undefined;
    for (const s of V86_SEGS)
      if (ar(c, s) !== 0xf3) return v(`virtual-8086 guest: ${s.name} access rights ${hex(ar(c, s))} must be F3H`, s.ar);
    return undefined;
  }),
  // 8c. access rights outside V86
  notV86("GSEG-11", "CS type is 9, 11, 13 or 15 (3 with unrestricted guest)", (c) => {
    const t = type(c, CS);
    const ok = t === 9 || t === 11 || t === 13 || t === 15 || (c.unrestricted && t === 3);
    return ok ? undefined : v(`guest CS type ${t} is not an accessed code segment (9, 11, 13, 15)`, CS.ar);
  }),
  notV86("GSEG-12", "SS type is 3 or 7 when usable", (c) => {
    if (!usable(c, SS)) return undefined;
    const t = type(c, SS);
    return t === 3 || t === 7 ? undefined : v(`guest SS type ${t} is not read/write accessed data (3 or 7)`, SS.ar);
  }),
  notV86("GSEG-13", "usable DS, ES, FS, GS are accessed", (c) =>
    firstBad(
      c,
      DATA_SEGS,
      (s) => (type(c, s) & 1) === 0,
      (s) => `guest ${s.name} type ${type(c, s)} is not accessed (bit 0 = 0)`,
    ),
  ),
  notV86("GSEG-14", "usable DS, ES, FS, GS code segments are readable", (c) =>
    firstBad(
      c,
      DATA_SEGS,
      (s) => (type(c, s) & 8) !== 0 && (type(c, s) & 2) === 0,
      (s) => `guest ${s.name} is an execute-only code segment (type ${type(c, s)})`,
    ),
  ),
  notV86("GSEG-15", "S=1 for CS and usable SS, DS, ES, FS, GS", (c) =>
    firstBad(
      c,
      ALL_CODE_DATA,
      (s) => !on(ar(c, s), ACCESS_RIGHTS.S),
      (s) => `guest ${s.name} access rights ${hex(ar(c, s))}: S must be 1`,
    ),
  ),
  notV86("GSEG-16", "CS DPL is 0 when CS type is 3", (c) =>
    type(c, CS) === 3 && dpl(c, CS) !== 0
      ? v(`guest CS type 3 (unrestricted guest) requires DPL 0, not ${dpl(c, CS)}`, CS.ar)
      : undefined,
  ),
  notV86("GSEG-17", "CS DPL equals SS DPL for non-conforming code", (c) => {
    const t = type(c, CS);
    return (t === 9 || t === 11) && dpl(c, CS) !== dpl(c, SS)
      ? v(`guest CS DPL ${dpl(c, CS)} differs from SS DPL ${dpl(c, SS)} (non-conforming CS)`, CS.ar, SS.ar)
      : undefined;
  }),
  notV86("GSEG-18", "CS DPL ≤ SS DPL for conforming code", (c) => {
    const t = type(c, CS);
    return (t === 13 || t === 15) && dpl(c, CS) > dpl(c, SS)
      ? v(`guest CS DPL ${dpl(c, CS)} exceeds SS DPL ${dpl(c, SS)} (conforming CS)`, CS.ar, SS.ar)
      : undefined;
  }),
  notV86("GSEG-19", "SS DPL equals SS RPL (not unrestricted)", (c) =>
    !c.unrestricted && dpl(c, SS) !== rpl(c, SS)
      ? v(`guest SS DPL ${dpl(c, SS)} differs from the SS selector's RPL ${rpl(c, SS)}`, SS.ar, SS.sel)
      : undefined,
  ),
  notV86("GSEG-20", "SS DPL is 0 when CS type is 3 or CR0.PE=0", (c) =>
    (type(c, CS) === 3 || !on(c.f(VMCS.GUEST_CR0), CR0.PE)) && dpl(c, SS) !== 0
      ? v(`guest SS DPL must be 0 when CS type is 3 or CR0.PE=0, not ${dpl(c, SS)}`, SS.ar, CS.ar, VMCS.GUEST_CR0)
      : undefined,
  ),
  notV86("GSEG-21", "usable DS, ES, FS, GS of type 0-11 have DPL ≥ RPL (not unrestricted)", (c) =>
    c.unrestricted
      ? undefined
      : firstBad(
          c,
          DATA_SEGS,
          (s) => type(c, s) <= 11 && dpl(c, s) < rpl(c, s),
          (s) => `guest ${s.name} DPL ${dpl(c, s)} is below its selector's RPL ${rpl(c, s)}`,
        ),
  ),
  notV86("GSEG-22", "P=1 for CS and usable segments", (c) =>
    firstBad(
      c,
      ALL_CODE_DATA,
      (s) => !on(ar(c, s), ACCESS_RIGHTS.P),
      (s) => `guest ${s.name} is not present (P=0)`,
    ),
  ),
  notV86("GSEG-23", "access-rights bits 11:8 are 0", (c) =>
    firstBad(
      c,
      ALL_CODE_DATA,
      (s) => (ar(c, s) & 0xf00) !== 0,
      (s) => `guest ${s.name} access rights ${hex(ar(c, s))} have reserved bits 11:8 set`,
    ),
  ),
  notV86("GSEG-24", "CS.L=1 requires CS.D/B=0 for an IA-32e guest", (c) =>
    c.ia32eGuest && on(ar(c, CS), ACCESS_RIGHTS.L) && on(ar(c, CS), ACCESS_RIGHTS.DB)
      ? v(`guest CS has both L=1 and D/B=1`, CS.ar)
      : undefined,
  ),
  notV86("GSEG-25", "G is consistent with the limit", (c) => {
    for (const s of ALL_CODE_DATA) {
      if (s !== CS && !usable(c, s)) continue;
      const p = limitProblem(c, s);
      if (p) return v(`guest ${p}`, s.limit, s.ar);
    }
    return undefined;
  }),
  notV86("GSEG-26", "access-rights bits 31:17 are 0", (c) =>
    firstBad(
      c,
      ALL_CODE_DATA,
      (s) => (ar(c, s) & 0xfffe0000) !== 0,
      (s) => `guest ${s.name} access rights ${hex(ar(c, s))} have reserved bits 31:17 set`,
    ),
  ),
  // TR (checked in every mode)
  guest("GSEG-27", "TR type is a busy TSS (11, or 3 outside IA-32e mode)", (c) => {
    const t = type(c, TR);
    const ok = t === 11 || (!c.ia32eGuest && t === 3);
    return ok ? undefined : v(`guest TR type ${t} is not a busy ${c.ia32eGuest ? "64-bit " : ""}TSS`, TR.ar);
  }),
  guest("GSEG-28", "TR S=0", (c) =>
    on(ar(c, TR), ACCESS_RIGHTS.S) ? v(`guest TR access rights: S must be 0`, TR.ar) : undefined,
  ),
  guest("GSEG-29", "TR P=1", (c) =>
    on(ar(c, TR), ACCESS_RIGHTS.P) ? undefined : v(`guest TR is not present (P=0)`, TR.ar),
  ),
  guest("GSEG-30", "TR access-rights bits 11:8 are 0", (c) =>
    ar(c, TR) & 0xf00 ? v(`guest TR access rights ${hex(ar(c, TR))} have reserved bits 11:8 set`, TR.ar) : undefined,
  ),
  guest("GSEG-31", "TR G is consistent with the limit", (c) => {
    const p = limitProblem(c, TR);
    return p ? v(`guest ${p}`, TR.limit, TR.ar) : undefined;
  }),
  guest("GSEG-32", "TR is usable", (c) => (usable(c, TR) ? undefined : v(`guest TR is marked unusable`, TR.ar))),
  guest("GSEG-33", "TR access-rights bits 31:17 are 0", (c) =>
    ar(c, TR) & 0xfffe0000
      ? v(`guest TR access rights ${hex(ar(c, TR))} have reserved bits 31:17 set`, TR.ar)
      : undefined,
  ),
  // LDTR (if usable)
  ...(
    [
      ["GSEG-34", "LDTR type is 2", (a: number) => (a & ACCESS_RIGHTS.TYPE) !== 2, "type must be 2 (LDT)"],
      ["GSEG-35", "LDTR S=0", (a: number) => on(a, ACCESS_RIGHTS.S), "S must be 0"],
      ["GSEG-36", "LDTR P=1", (a: number) => !on(a, ACCESS_RIGHTS.P), "P must be 1"],
      ["GSEG-37", "LDTR access-rights bits 11:8 are 0", (a: number) => (a & 0xf00) !== 0, "reserved bits 11:8 set"],
    ] as const
  ).map(([id, summary, bad, why]) =>
    guest(id, `${summary} when usable`, (c) =>
      usable(c, LDTR) && bad(ar(c, LDTR))
        ? v(`guest LDTR access rights ${hex(ar(c, LDTR))}: ${why}`, LDTR.ar)
        : undefined,
    ),
  ),
  guest("GSEG-38", "LDTR G is consistent with the limit when usable", (c) => {
    if (!usable(c, LDTR)) return undefined;
    const p = limitProblem(c, LDTR);
    return p ? v(`guest ${p}`, LDTR.limit, LDTR.ar) : undefined;
  }),
  guest("GSEG-39", "LDTR access-rights bits 31:17 are 0 when usable", (c) =>
    usable(c, LDTR) && ar(c, LDTR) & 0xfffe0000
      ? v(`guest LDTR access rights ${hex(ar(c, LDTR))} have reserved bits 31:17 set`, LDTR.ar)
      : undefined,
  ),
  guest("GSEG-40", "with CR4.FRED=1: SS DPL is 0 or 3, CPL 0 is 64-bit, CPL 3 has IOPL 0", (c) => {
    if (!on(c.f(VMCS.GUEST_CR4), CR4.FRED)) return undefined;
    const d = dpl(c, SS);
    if (d !== 0 && d !== 3) return v(`guest CR4.FRED=1 requires SS DPL 0 or 3, not ${d}`, SS.ar, VMCS.GUEST_CR4);
    if (d === 0 && !on(ar(c, CS), ACCESS_RIGHTS.L))
      return v(`guest CR4.FRED=1 with CPL 0 requires CS.L=1`, CS.ar, VMCS.GUEST_CR4);
    if (d === 3 && on(c.f(VMCS.GUEST_RFLAGS), RFLAGS.IOPL))
      return v(`guest CR4.FRED=1 with CPL 3 requires IOPL 0`, VMCS.GUEST_RFLAGS);
    return undefined;
  }),
];
