// SDM 26.4 "Loading MSRs": the VM-entry MSR-load area, 16-byte entries (index in bits 31:0, reserved 63:32,
// value in 127:64), processed in order; the first bad entry stops the load and VM entry fails with exit
// reason 34 and the entry's 1-based number as the exit qualification (entries before it stay loaded).
import { ENTRY_CTLS, MSR, VMCS } from "../../../arch/index";
import type { CheckContext } from "./context";
import { type EntryCheck, hex, type Violation } from "./types";
import { named, on } from "./util";

export interface MsrEntry {
  index: number;
  reserved: number;
  value: bigint;
}

type EntryTest = (c: CheckContext, e: MsrEntry, address: number) => string | undefined;

/** x2APIC MSRs: 800H-8FFH (SDM 10.12.1.2). */
const isX2apic = (index: number) => index >>> 8 === 0x8;

const ENTRY_TESTS: readonly [id: string, summary: string, test: EntryTest][] = [
  [
    "MSR-07",
    "the entry can be read from memory",
    (c, _e, a) =>
      c.facts.isRam && !c.facts.isRam(a, 16) ? `the MSR-load entry at ${hex(a)} is not in memory` : undefined,
  ],
  [
    "MSR-01",
    "entry bits 63:32 are 0",
    (_c, e) =>
      e.reserved !== 0 ? `MSR-load entry for ${hex(e.index)} has reserved bits 63:32 = ${hex(e.reserved)}` : undefined,
  ],
  [
    "MSR-02",
    "the index is not IA32_FS_BASE or IA32_GS_BASE",
    (_c, e) =>
      e.index === MSR.IA32_FS_BASE || e.index === MSR.IA32_GS_BASE
        ? `MSR ${hex(e.index)} (FS/GS base) cannot be loaded from the MSR-load area`
        : undefined,
  ],
  [
    "MSR-03",
    "the index is not an x2APIC MSR while x2APIC mode is enabled",
    (c, e) =>
      c.facts.x2apicMode && isX2apic(e.index)
        ? `x2APIC MSR ${hex(e.index)} cannot be loaded in x2APIC mode`
        : undefined,
  ],
  [
    "MSR-04",
    "the index is not IA32_SMM_MONITOR_CTL (or a microcode-update MSR)",
    (c, e) => {
      if (e.index === MSR.IA32_SMM_MONITOR_CTL && !on(c.entry, ENTRY_CTLS.ENTRY_TO_SMM))
        return `IA32_SMM_MONITOR_CTL (${hex(e.index)}) can be loaded only on entry to SMM`;
      if (e.index === MSR.IA32_BIOS_UPDT_TRIG || e.index === MSR.IA32_BIOS_SIGN_ID)
        return `microcode-update MSR ${hex(e.index)} cannot be loaded from the MSR-load area`;
      return undefined;
    },
  ],
  [
    "MSR-05",
    "WRMSR of the value would not fault",
    (c, e) =>
      c.facts.wrmsrFaults(e.index, e.value) ? `WRMSR ${hex(e.index)} ← ${hex(e.value)} would raise #GP` : undefined,
  ],
];

/** IA32_VMX_MISC[27:25]: recommended maximum of 512 × (N + 1) entries per list (SDM A.6). */
export function msrListLimit(c: CheckContext): number {
  return 512 * (Number((c.misc >> 25n) & 7n) + 1);
}

export function readMsrEntry(c: CheckContext, address: number): MsrEntry {
  const mem = c.facts.mem;
  const lo = mem.read32(address + 8) >>> 0;
  const hi = mem.read32(address + 12) >>> 0;
  return {
    index: mem.read32(address) >>> 0,
    reserved: mem.read32(address + 4) >>> 0,
    value: (BigInt(hi) << 32n) | BigInt(lo),
  };
}

export interface MsrLoadFailure {
  /** 1-based number of the failing entry: the exit qualification. */
  entryNumber: number;
  checkId: string;
  violation: Violation;
}

/** The first failing entry of the VM-entry MSR-load area, or undefined if every entry can be loaded. */
export function firstMsrLoadFailure(c: CheckContext): MsrLoadFailure | undefined {
  const count = c.n(VMCS.VM_ENTRY_MSR_LOAD_COUNT);
  if (count === 0) return undefined;
  const limit = msrListLimit(c);
  if (count > limit)
    return {
      entryNumber: limit + 1,
      checkId: "MSR-06",
      violation: {
        message: `VM-entry MSR-load count ${count} exceeds the supported ${limit} (IA32_VMX_MISC[27:25])`,
        fields: [VMCS.VM_ENTRY_MSR_LOAD_COUNT],
        qualification: limit + 1,
      },
    };
  const base = Number(c.f(VMCS.VM_ENTRY_MSR_LOAD_ADDRESS));
  for (let i = 0; i < count; i++) {
    const address = base + 16 * i;
    const e = readMsrEntry(c, address);
    for (const [id, , test] of ENTRY_TESTS) {
      const m = test(c, e, address);
      if (m)
        return {
          entryNumber: i + 1,
          checkId: id,
          violation: {
            message: `entry ${i + 1}: ${m}`,
            fields: [
              VMCS.VM_ENTRY_MSR_LOAD_ADDRESS,
              VMCS.VM_ENTRY_MSR_LOAD_COUNT,
              named(`entry ${i + 1} MSR index`, e.index),
            ],
            qualification: i + 1,
          },
        };
    }
  }
  return undefined;
}

/** The MSR-load checks as catalog entries (each reports only failures that are its own). */
export const MSR_LOAD_CHECKS: EntryCheck<CheckContext>[] = [
  ...ENTRY_TESTS.map(([id, summary]) => ({ id, summary })),
  { id: "MSR-06", summary: "the entry count does not exceed 512 × (IA32_VMX_MISC[27:25] + 1)" },
].map(({ id, summary }) => ({
  id,
  sdm: "26.4",
  phase: "msr" as const,
  summary,
  run: (c: CheckContext) => {
    const f = firstMsrLoadFailure(c);
    return f && f.checkId === id ? f.violation : undefined;
  },
}));
