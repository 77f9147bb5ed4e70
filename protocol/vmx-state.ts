// Builders for the vmx/state and vmx/exitHistory payloads from raw values and arch/ tables, so the debug
// adapter produces exactly the shapes protocol/vmx-debug.ts declares (bit decoding, change flags, exit-reason
// names) without re-deriving them. Pure; used by the adapter, tested under test/extension/.
import { EXIT_REASONS, type VmcsField, vmcsFieldBits } from "../arch/index";
import {
  toHexString,
  type VmcsBitState,
  type VmcsFieldState,
  type VmExitHistoryEntry,
  type VmExitSummary,
  type VmwriteProvenance,
} from "./vmx-debug";

const WIDTH_BITS = { "16": 16, "32": 32, "64": 64, natural: 64 } as const;

export interface FieldStateOptions {
  /** The value at the previous stop; undefined at the first stop (nothing is "changed" then). */
  previous?: bigint;
  provenance?: VmwriteProvenance;
  /** Basic exit reason, for fields whose layout depends on it (EXIT_QUALIFICATION). */
  exitReason?: number;
}

/** Masks a value to the field's width (a VMWRITE of a wider value drops the excess, SDM 31.3 VMWRITE). */
export function truncateToField(field: Pick<VmcsField, "width">, value: bigint): bigint {
  return BigInt.asUintN(WIDTH_BITS[field.width], value);
}

/** One field of the VMCS view: metadata from arch/, value, every bit field of its layout, change flags. */
export function vmcsFieldState(field: VmcsField, value: bigint, options: FieldStateOptions = {}): VmcsFieldState {
  const v = truncateToField(field, value);
  const prev = options.previous === undefined ? undefined : truncateToField(field, options.previous);
  const layout = vmcsFieldBits(field, options.exitReason === undefined ? {} : { exitReason: options.exitReason }) ?? [];
  const bits: VmcsBitState[] = layout.map((b) => {
    const width = b.msb - b.lsb + 1;
    const mask = (1n << BigInt(width)) - 1n;
    const bv = (v >> BigInt(b.lsb)) & mask;
    const state: VmcsBitState = {
      name: b.name,
      lsb: b.lsb,
      width,
      value: toHexString(bv),
      description: b.description,
      changed: prev !== undefined && ((prev >> BigInt(b.lsb)) & mask) !== bv,
    };
    const meaning = b.values?.[Number(bv)];
    if (meaning !== undefined) state.meaning = meaning;
    return state;
  });
  const out: VmcsFieldState = {
    name: field.name,
    encoding: field.encoding,
    width: field.width,
    type: field.type,
    group: field.group,
    sdm: field.sdm,
    value: toHexString(v),
    bits,
    changed: prev !== undefined && prev !== v,
    description: field.description,
  };
  if (options.provenance) out.provenance = options.provenance;
  return out;
}

/** Splits the exit-reason field (SDM 28.2.1: bits 15:0 basic reason, bit 31 VM-entry failure). */
export function vmExitSummary(exitReasonField: bigint, qualification: bigint): VmExitSummary {
  const reason = Number(exitReasonField & 0xffffn);
  const known = EXIT_REASONS[reason];
  const out: VmExitSummary = {
    reason,
    reasonName: known?.name ?? `reason ${reason}`,
    entryFailure: ((exitReasonField >> 31n) & 1n) === 1n,
    qualification: toHexString(qualification),
  };
  if (known) out.description = known.description;
  return out;
}

/** One row of the VM-exit history. */
export function vmExitHistoryEntry(
  index: number,
  exitReasonField: bigint,
  qualification: bigint,
  guestRip: bigint,
  instructionCount: number,
  guestLocation?: VmExitHistoryEntry["guestLocation"],
): VmExitHistoryEntry {
  const s = vmExitSummary(exitReasonField, qualification);
  const out: VmExitHistoryEntry = {
    index,
    reason: s.reason,
    reasonName: s.reasonName,
    entryFailure: s.entryFailure,
    qualification: s.qualification,
    guestRip: toHexString(guestRip),
    instructionCount,
  };
  if (guestLocation) out.guestLocation = guestLocation;
  return out;
}
