// VM-entry checks as data: each check is a small named function with the id of
// ../shared/reference/vm-entry-checks.md, its SDM section (2016-era numbering: ch. 26 "VM Entries"), the phase
// that decides its failure mode, and a message that names the fields and their values.

/** Where a check sits in VM entry, which decides the outcome of a failure (SDM 26.1-26.4). */
export type CheckPhase =
  /** 26.2.1 VM-execution, VM-exit and VM-entry control fields → VMfailValid(7). */
  | "control"
  /** 26.2.2-26.2.4 host-state area → VMfailValid(8). */
  | "host"
  /** 26.3 guest-state area → VM-entry failure, exit reason 33 (with a qualification). */
  | "guest"
  /** 26.4 VM-entry MSR-load area → VM-entry failure, exit reason 34 (qualification = entry number). */
  | "msr";

export interface FieldValue {
  name: string;
  value: bigint;
}

/** What a failed check reports (the debugger and `vmx run` show it). */
export interface CheckFailure {
  checkId: string;
  sdmSection: string;
  message: string;
  fields: FieldValue[];
}

/** What a check function returns when its condition is violated. */
export interface Violation {
  message: string;
  /** Fields involved: VMCS encodings (name and current value filled in) or explicit name/value pairs. */
  fields: (number | FieldValue)[];
  /** Exit qualification for phase "guest"/"msr" (SDM 26.8: 2 PDPTE, 3 NMI vs STI, 4 link pointer). */
  qualification?: number;
}

export interface EntryCheck<C> {
  id: string;
  sdm: string;
  phase: CheckPhase;
  /** One line: what is required. */
  summary: string;
  /** Returns undefined when satisfied. */
  run(c: C): Violation | undefined;
  /** Behaviour of Bochs that the SDM does not have; not run unless asked for (kept for comparison). */
  bochsOnly?: boolean;
}

/** The outcome of VM entry's checks, as the instruction reports it. */
export type EntryCheckOutcome =
  | { kind: "ok" }
  | { kind: "vmfail"; error: 7 | 8; failure: CheckFailure }
  | { kind: "entryFailure"; exitReason: 33 | 34; qualification: number; failure: CheckFailure };

export function hex(v: number | bigint): string {
  const n = typeof v === "bigint" ? BigInt.asUintN(64, v) : BigInt(v >>> 0 === v ? v : Math.trunc(v));
  return `0x${n.toString(16).toUpperCase()}`;
}
