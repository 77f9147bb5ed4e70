// All VM-entry checks in the SDM's order (26.2.1.1 → 26.2.1.2 → 26.2.1.3 → 26.2.2 → 26.2.3 → 26.2.4 →
// 26.3.1.1 → 26.3.1.2 → 26.3.1.3 → 26.3.1.4 → 26.3.1.5 → 26.3.1.6 → 26.4), and the runner that turns the
// first failure into the architectural outcome: VMfailValid(7), VMfailValid(8), or a VM-entry failure with
// exit reason 33 or 34. (The instruction-level checks INS-01..09 live with VMLAUNCH/VMRESUME.)

import { VMCS } from "../../../arch/index";
import type { CpuModel } from "../../cpu-model";
import { ChangedFields } from "../changed-fields";
import { slotOf } from "../vmcs-layout";
import { CheckContext, type MachineFacts, type VmcsReader } from "./context";
import { ENTRY_CONTROL_CHECKS, EXECUTION_CONTROL_CHECKS, EXIT_CONTROL_CHECKS } from "./controls";
import { GUEST_REGISTER_CHECKS, GUEST_RIP_RFLAGS_CHECKS, GUEST_TABLE_CHECKS } from "./guest-registers";
import { GUEST_SEGMENT_CHECKS } from "./guest-segments";
import { GUEST_STATE_CHECKS } from "./guest-state";
import { HOST_STATE_CHECKS } from "./host";
import { firstMsrLoadFailure, MSR_LOAD_CHECKS } from "./msr-load";
import type { CheckFailure, EntryCheck, EntryCheckOutcome, FieldValue, Violation } from "./types";

export { CheckContext, type MachineFacts, type VmcsReader } from "./context";
export type { CheckFailure, CheckPhase, EntryCheck, EntryCheckOutcome, FieldValue } from "./types";

export const CONTROL_CHECKS: readonly EntryCheck<CheckContext>[] = [
  ...EXECUTION_CONTROL_CHECKS,
  ...EXIT_CONTROL_CHECKS,
  ...ENTRY_CONTROL_CHECKS,
];
export const HOST_CHECKS: readonly EntryCheck<CheckContext>[] = HOST_STATE_CHECKS;
export const GUEST_CHECKS: readonly EntryCheck<CheckContext>[] = [
  ...GUEST_REGISTER_CHECKS,
  ...GUEST_SEGMENT_CHECKS,
  ...GUEST_TABLE_CHECKS,
  ...GUEST_RIP_RFLAGS_CHECKS,
  ...GUEST_STATE_CHECKS,
];

/** Every check of VM entry after the instruction-level ones, in order. */
export const ENTRY_CHECKS: readonly EntryCheck<CheckContext>[] = [
  ...CONTROL_CHECKS,
  ...HOST_CHECKS,
  ...GUEST_CHECKS,
  ...MSR_LOAD_CHECKS,
];

export function checkById(id: string): EntryCheck<CheckContext> | undefined {
  return ENTRY_CHECKS.find((c) => c.id === id);
}

/** Turns a violation into the report: field names from arch, current values, and the SDM section. */
export function describeFailure(
  check: { id: string; sdm: string },
  violation: Violation,
  vmcs: VmcsReader,
): CheckFailure {
  const fields: FieldValue[] = [];
  for (const f of violation.fields) {
    if (typeof f === "number") {
      const slot = slotOf(f);
      fields.push({ name: slot ? slot.field.name : `0x${f.toString(16)}`, value: vmcs.get(f) });
    } else fields.push(f);
  }
  return { checkId: check.id, sdmSection: check.sdm, message: `${violation.message} (SDM ${check.sdm})`, fields };
}

export interface RunOptions {
  /** Also run the checks marked bochsOnly (Bochs behaviour that the SDM does not have). */
  bochs?: boolean;
  /** Stop after the guest-state checks (VM entry loads guest state before it processes the MSR-load area). */
  skipMsrLoad?: boolean;
  /**
   * For runEntryChecksCached: whether a GLOBAL_DEPENDENCIES field changed, when the caller knows it more cheaply
   * than by looking each one up in `changed` (the VMCS store counts their writes).
   */
  controlsChanged?: boolean;
}

/** Runs a list of checks and returns the first violation (or every violation with `all`). */
export function runChecks(
  checks: readonly EntryCheck<CheckContext>[],
  c: CheckContext,
  opts: RunOptions = {},
): { check: EntryCheck<CheckContext>; violation: Violation }[] {
  const out: { check: EntryCheck<CheckContext>; violation: Violation }[] = [];
  for (const check of checks) {
    if (check.bochsOnly && !opts.bochs) continue;
    const violation = check.run(c);
    if (violation) out.push({ check, violation });
  }
  return out;
}

function first(checks: readonly EntryCheck<CheckContext>[], c: CheckContext, opts: RunOptions) {
  for (const check of checks) {
    if (check.bochsOnly && !opts.bochs) continue;
    const violation = check.run(c);
    if (violation) return { check, violation };
  }
  return undefined;
}

/**
 * VM entry's checks after the instruction-level ones (SDM 26.2-26.4), stopping at the first failure.
 * MSR loading itself (writing the entries before a failing one) is the caller's job: see firstMsrLoadFailure.
 */
export function runEntryChecks(
  vmcs: VmcsReader,
  model: CpuModel,
  facts: MachineFacts,
  opts: RunOptions = {},
): EntryCheckOutcome {
  const c = new CheckContext(vmcs, model, facts);
  const ctl = first(CONTROL_CHECKS, c, opts);
  if (ctl) return { kind: "vmfail", error: 7, failure: describeFailure(ctl.check, ctl.violation, vmcs) };
  const host = first(HOST_CHECKS, c, opts);
  if (host) return { kind: "vmfail", error: 8, failure: describeFailure(host.check, host.violation, vmcs) };
  const guest = first(GUEST_CHECKS, c, opts);
  if (guest)
    return {
      kind: "entryFailure",
      exitReason: 33,
      qualification: guest.violation.qualification ?? 0,
      failure: describeFailure(guest.check, guest.violation, vmcs),
    };
  const msr = opts.skipMsrLoad ? undefined : firstMsrLoadFailure(c);
  if (msr)
    return {
      kind: "entryFailure",
      exitReason: 34,
      qualification: msr.entryNumber,
      failure: describeFailure({ id: msr.checkId, sdm: "26.4" }, msr.violation, vmcs),
    };
  return { kind: "ok" };
}

/**
 * The VM-entry checks as a cache of themselves. A check is a pure function of the fields it reads, the CPU
 * model and (when it looks at them) the machine facts; so if none of the fields a passing check read last
 * time has changed, and it did not look at machine facts, it passes again. The fields the context reads when
 * it is built (the controls and the event-injection field) invalidate everything. The first failing check is
 * still the first in SDM order: checks known to pass are skipped, all others run in order.
 */
export class CheckCache {
  /** Checks that passed, indexed by the fields they read (small arrays, in no particular order). */
  private readonly readers = new Map<number, number[]>();
  /** Checks that looked at machine facts (memory, VMM mode): they run at every VM entry. */
  private readonly volatile: number[] = [];
  /** False until every check has passed once (or after a control field changed). */
  private primed = false;
  /** The machine facts the cached results were computed with. */
  private factsLongMode = false;
  private factsSmm = false;
  private factsX2apic = false;
  private factsVmcs = Number.NaN;
  private factsVmxon = Number.NaN;
  runs = 0;

  /** Resets the cache when the machine facts changed (VMM mode, SMM, x2APIC mode, the two pointers). */
  checkFacts(f: MachineFacts): void {
    if (
      f.vmmLongMode !== this.factsLongMode ||
      f.inSmm !== this.factsSmm ||
      f.x2apicMode !== this.factsX2apic ||
      f.currentVmcsPointer !== this.factsVmcs ||
      f.vmxonPointer !== this.factsVmxon
    ) {
      this.factsLongMode = f.vmmLongMode;
      this.factsSmm = f.inSmm;
      this.factsX2apic = f.x2apicMode;
      this.factsVmcs = f.currentVmcsPointer;
      this.factsVmxon = f.vmxonPointer;
      this.reset();
    }
  }

  /** Forget everything (another VMCS became current, or a control field changed). */
  reset(): void {
    this.readers.clear();
    this.volatile.length = 0;
    this.primed = false;
    this.context = undefined;
  }
  /**
   * The check context of the last run: what it derives (effective controls, event injection) depends only on
   * the fields and facts whose change resets the cache, so it can be used again until then.
   */
  context: CheckContext | undefined;
  /**
   * Checks (by position in ENTRY_SEQUENCE, ascending: SDM order) that must run again after `changed`;
   * undefined = all of them.
   */
  toRun(changed: FieldSet): readonly number[] | undefined {
    if (!this.primed) return undefined;
    let out: number[] | undefined;
    let sources = 0;
    if (this.volatile.length > 0) {
      out = this.volatile;
      sources = 1;
    }
    const fast = changed instanceof ChangedFields ? changed : undefined;
    const members = fast ? undefined : [...changed];
    const n = fast ? fast.size : (members as number[]).length;
    for (let m = 0; m < n; m++) {
      const f = fast ? fast.at(m) : (members as number[])[m]!;
      const r = this.readers.get(f);
      if (r === undefined || r.length === 0) continue;
      if (sources === 0) out = r;
      else {
        if (sources === 1) out = [...(out as number[])];
        for (const k of r) if (!(out as number[]).includes(k)) (out as number[]).push(k);
      }
      sources++;
    }
    if (out === undefined) return NOTHING;
    // One source is returned as is (the caller only reads it); several were merged into a new array.
    if (sources === 1) return isAscending(out) ? out : [...out].sort((a, b) => a - b);
    return out.sort((a, b) => a - b);
  }
  /** Check k passed having read the first `count` fields of `deps` (count -1: it looked at machine facts). */
  passed(k: number, deps: readonly number[], count: number): void {
    if (count < 0) {
      if (!this.volatile.includes(k)) this.volatile.push(k);
      return;
    }
    for (let i = 0; i < count; i++) {
      const f = deps[i]!;
      const r = this.readers.get(f);
      if (r === undefined) this.readers.set(f, [k]);
      else if (!r.includes(k)) r.push(k);
    }
  }
  primeDone(): void {
    this.primed = true;
  }
}

function isAscending(a: readonly number[]): boolean {
  for (let i = 1; i < a.length; i++) if (a[i - 1]! > a[i]!) return false;
  return true;
}

const NOTHING: readonly number[] = [];
/** The outcome of a VM entry whose checks all pass (shared: callers only read it). */
const OK: EntryCheckOutcome = Object.freeze({ kind: "ok" });

/** The fields changed since the checks last passed: a Set, or the VMCS store's ChangedFields. */
export type FieldSet = { has(encoding: number): boolean } & Iterable<number>;

/** Control, host and guest checks in SDM order, with their phase's outcome. */
const ENTRY_SEQUENCE: readonly EntryCheck<CheckContext>[] = [...CONTROL_CHECKS, ...HOST_CHECKS, ...GUEST_CHECKS];

/** The fields whose change invalidates every cached check (the context derives from them). */
export const GLOBAL_DEPENDENCIES: readonly number[] = [
  VMCS.PIN_BASED_VM_EXEC_CONTROLS,
  VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS,
  VMCS.SECONDARY_PROC_BASED_VM_EXEC_CONTROLS,
  VMCS.TERTIARY_PROC_BASED_VM_EXEC_CONTROLS,
  VMCS.PRIMARY_VM_EXIT_CONTROLS,
  VMCS.SECONDARY_VM_EXIT_CONTROLS,
  VMCS.VM_ENTRY_CONTROLS,
  VMCS.VM_ENTRY_INTERRUPTION_INFORMATION,
];

/**
 * runEntryChecks as a cache of itself. A check is a pure function of the fields it reads, the CPU model and
 * (when it looks at them) the machine facts: a check that passed stays passed until a field it read
 * changes, unless it looked at machine facts (memory, VMM mode), in which case it runs every time. The fields
 * the context reads when it is built (controls, event injection) invalidate everything. Checks that must run
 * do so in SDM order, so the first failure reported is the first in SDM order.
 */
export function runEntryChecksCached(
  vmcs: VmcsReader,
  model: CpuModel,
  facts: MachineFacts,
  cache: CheckCache,
  changed: FieldSet,
  allChanged: boolean,
  opts: RunOptions = {},
): EntryCheckOutcome {
  cache.checkFacts(facts);
  if (allChanged || opts.controlsChanged === true) cache.reset();
  else if (opts.controlsChanged === undefined)
    for (let g = 0; g < GLOBAL_DEPENDENCIES.length; g++)
      if (changed.has(GLOBAL_DEPENDENCIES[g]!)) {
        cache.reset();
        break;
      }
  const list = cache.toRun(changed);
  if (list && list.length === 0) return OK;
  let c = cache.context;
  if (!c || c.vmcs !== vmcs) {
    c = new CheckContext(vmcs, model, facts);
    cache.context = c;
  }
  const n = list ? list.length : ENTRY_SEQUENCE.length;
  for (let j = 0; j < n; j++) {
    const k = list ? list[j]! : j;
    const check = ENTRY_SEQUENCE[k]!;
    if (check.bochsOnly && !opts.bochs) continue;
    cache.runs++;
    c.startRecording();
    const violation = check.run(c);
    const count = c.stopRecording();
    if (!violation) {
      cache.passed(k, c.recordBuffer, count);
      continue;
    }
    const failure = describeFailure(check, violation, vmcs);
    if (check.phase === "control") return { kind: "vmfail", error: 7, failure };
    if (check.phase === "host") return { kind: "vmfail", error: 8, failure };
    return { kind: "entryFailure", exitReason: 33, qualification: violation.qualification ?? 0, failure };
  }
  cache.primeDone();
  return OK;
}
