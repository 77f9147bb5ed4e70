// The bodies of the VMX custom requests (protocol/vmx-debug.ts): the whole VMCS with metadata, values,
// decoded bits, changed flags and VMWRITE provenance; the VM-exit history.
import { decodeBits, EXIT_REASONS, fieldByName, VMCS_FIELDS, widthBits } from "../../arch/index";
import {
  toHexString,
  type VmcsBitState,
  type VmcsFieldState,
  type VmEntryFailureExplanation,
  type VmExitHistoryEntry,
  type VmwriteProvenance,
  type VmxExitHistoryResponseBody,
  type VmxStateResponseBody,
} from "../../protocol/vmx-debug";
import type { DebugEngine, EntryFailureExplanation, VmwriteRecord } from "./engine";
import { fieldBits } from "./variables";

/** Field values at the previous stop, for the `changed` flags (the VMCS view's own tracker, by field). */
export class VmcsHistory {
  private previous = new Map<number, bigint>();
  private current = new Map<number, bigint>();
  private stopId = -1;

  /** Called with the engine's stopId: a new stop moves current values to previous. */
  observe(stopId: number, encoding: number, value: bigint): boolean {
    if (stopId !== this.stopId) {
      this.stopId = stopId;
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(encoding, value);
    const p = this.previous.get(encoding);
    return p !== undefined && p !== value;
  }

  /** Snapshot all values at a stop (so the next stop's `changed` flags compare against it). */
  record(engine: DebugEngine): void {
    const t = engine.target;
    for (const f of VMCS_FIELDS) {
      const v = t.vmx.readField(f.encoding);
      if (v !== undefined) this.observe(engine.stopId, f.encoding, v);
    }
  }

  previousValue(encoding: number): bigint | undefined {
    return this.previous.get(encoding);
  }
}

/** How a canonical source path is shown to the client (SourcePaths.display in the session). */
export type DisplayPath = (file: string) => string;
const asIs: DisplayPath = (f) => f;

function shown<T extends { file: string }>(loc: T, display: DisplayPath): T {
  return { ...loc, file: display(loc.file) };
}

export function provenanceOf(w: VmwriteRecord | undefined, display: DisplayPath = asIs): VmwriteProvenance | undefined {
  if (!w?.location) return undefined;
  const p: VmwriteProvenance = shown(
    { ...w.location, address: toHexString(w.address), instructionCount: w.count },
    display,
  );
  if (w.calledFrom) p.calledFrom = shown(w.calledFrom, display);
  return p;
}

export function explanationOf(f: EntryFailureExplanation, display: DisplayPath = asIs): VmEntryFailureExplanation {
  const out: VmEntryFailureExplanation = {
    kind: f.kind,
    instruction: f.instruction,
    checkId: f.checkId,
    sdm: f.sdm,
    message: f.message,
    fields: f.fields.map((fd) => {
      const p = provenanceOf(fd.provenance, display);
      return p
        ? { name: fd.name, value: toHexString(fd.value), provenance: p }
        : { name: fd.name, value: toHexString(fd.value) };
    }),
  };
  if (f.location) out.location = shown(f.location, display);
  if (f.errorNumber !== undefined) out.errorNumber = f.errorNumber;
  if (f.exitReason !== undefined) out.exitReason = f.exitReason;
  return out;
}

export function vmxState(engine: DebugEngine, history: VmcsHistory, display: DisplayPath = asIs): VmxStateResponseBody {
  const t = engine.target;
  const body: VmxStateResponseBody = { stopId: engine.stopId, mode: t.vmx.operation(), fields: [] };
  const on = t.vmx.vmxonPointer();
  if (on !== undefined) body.vmxonPointer = toHexString(on);
  const cur = t.vmx.currentVmcs();
  if (cur !== undefined) {
    body.currentVmcs = toHexString(cur);
    const ls = t.vmx.launchState();
    if (ls) body.launchState = ls;
  }
  const last = engine.exits.entries[engine.exits.length - 1];
  if (last) {
    const r = EXIT_REASONS[last.reason];
    body.lastExit = {
      reason: last.reason,
      reasonName: r?.name ?? "UNKNOWN",
      entryFailure: last.entryFailure,
      qualification: toHexString(last.qualification),
    };
    if (r) body.lastExit.description = r.description;
  }
  const failure = engine.lastEntryFailure();
  if (failure) body.lastEntryFailure = explanationOf(failure, display);
  if (cur === undefined) return body;
  for (const f of VMCS_FIELDS) {
    if (!t.vmx.fieldSupported(f.encoding)) continue;
    const value = t.vmx.readField(f.encoding);
    if (value === undefined) continue;
    const changed = history.observe(engine.stopId, f.encoding, value);
    const prev = history.previousValue(f.encoding);
    const layout = fieldBits(t, f);
    const bits: VmcsBitState[] = layout
      ? decodeBits(layout, value).map((d) => {
          const b: VmcsBitState = {
            name: d.field.name,
            lsb: d.field.lsb,
            width: d.field.msb - d.field.lsb + 1,
            value: toHexString(d.value),
            description: d.field.description,
            changed: !!(
              prev !== undefined &&
              ((prev ^ value) >> BigInt(d.field.lsb)) & ((1n << BigInt(d.field.msb - d.field.lsb + 1)) - 1n)
            ),
          };
          const meaning = d.field.values?.[Number(d.value)];
          if (meaning) b.meaning = meaning;
          return b;
        })
      : [];
    const state: VmcsFieldState = {
      name: f.name,
      encoding: f.encoding,
      width: f.width,
      type: f.type,
      group: f.group,
      sdm: f.sdm,
      value: toHexString(BigInt.asUintN(widthBits(f.width), value)),
      bits,
      changed,
      description: f.description,
    };
    const p = provenanceOf(engine.provenance(f.encoding, cur), display);
    if (p) state.provenance = p;
    body.fields.push(state);
  }
  return body;
}

export function exitHistory(
  engine: DebugEngine,
  limit?: number,
  display: DisplayPath = asIs,
): VmxExitHistoryResponseBody {
  const all = engine.exits.entries;
  const cap = Math.max(0, Math.min(limit ?? 1000, 100_000));
  const exits = all.slice(Math.max(0, all.length - cap)).map((e): VmExitHistoryEntry => {
    const out: VmExitHistoryEntry = {
      index: e.index,
      reason: e.reason,
      reasonName: EXIT_REASONS[e.reason]?.name ?? "UNKNOWN",
      entryFailure: e.entryFailure,
      qualification: toHexString(e.qualification),
      guestRip: toHexString(e.guestRip),
      instructionCount: e.count,
    };
    if (e.guestLocation) out.guestLocation = shown(e.guestLocation, display);
    return out;
  });
  return { exits, total: all.length };
}

/** Resolves a field name for vmx/writeField and vmx/fieldBreakpoint. */
export function fieldForName(name: unknown): ReturnType<typeof fieldByName> {
  return typeof name === "string" ? fieldByName(name) : undefined;
}
