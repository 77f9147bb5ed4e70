// The implementation-specific layout of a VMCS region (SDM 24.2: only the revision identifier at offset 0
// and the VMX-abort indicator at offset 4 are architected; "the rest of the region is implementation-
// specific"). This emulator keeps the field data in the region itself, so a memory view of the region shows
// every VMWRITE and every VM exit as it happens:
//
//   0x000  dword  bits 30:0 VMCS revision identifier, bit 31 shadow-VMCS indicator   (architected)
//   0x004  dword  VMX-abort indicator                                                 (architected)
//   0x008  dword  launch state: LAUNCH_STATE_CLEAR / _LAUNCHED; any other value (e.g. a zeroed page that
//                 was never VMCLEARed) is neither, so VMLAUNCH fails with error 4 (SDM 24.11.3: only VMCLEAR
//                 makes the launch state "clear")                                 (this emulator)
//   0x00C  dword  reserved (0)
//   0x010  ...    one 8-byte little-endian slot per field of arch's VMCS_FIELDS, in table order
//
// A 4 KiB region holds 510 slots; the table has far fewer fields.
import { VMCS_FIELDS, type VmcsField } from "../../arch/index";

export const REVISION_OFFSET = 0;
export const ABORT_INDICATOR_OFFSET = 4;
export const LAUNCH_STATE_OFFSET = 8;
export const FIELD_DATA_OFFSET = 0x10;
/** Launch-state values ("VMCS" + 'C' / 'L' as little-endian dwords, so a hex dump shows them). */
export const LAUNCH_STATE_CLEAR = 0x43534d56;
export const LAUNCH_STATE_LAUNCHED = 0x4c534d56;

/** Where a field encoding's data lives and how it is accessed. */
export interface FieldSlot {
  field: VmcsField;
  /** Byte offset of the field's 8-byte slot inside the region. */
  offset: number;
  /** True for the HIGH encoding (encoding + 1) of a 64-bit field: bits 63:32. */
  high: boolean;
  /** The slot's number (position in arch's table). */
  index: number;
}

const slotByEncoding = new Map<number, FieldSlot>();
const fieldsInOrder: VmcsField[] = [];
/** Full encoding (< 0x8000) → slot number, or -1 (the fast path of the VMCS cache). */
export const SLOT_NUMBER = new Int16Array(0x8000).fill(-1);
/** HIGH encoding (full + 1, 64-bit fields only) → slot number, or -1. */
export const HIGH_SLOT_NUMBER = new Int16Array(0x8000).fill(-1);
/** Slot number → width mask class: 16, 32 or 64 bits. */
export const SLOT_BITS: number[] = [];
{
  let i = 0;
  for (const field of VMCS_FIELDS) {
    const offset = FIELD_DATA_OFFSET + 8 * i;
    fieldsInOrder.push(field);
    slotByEncoding.set(field.encoding, { field, offset, high: false, index: i });
    if (field.width === "64") slotByEncoding.set(field.encoding + 1, { field, offset, high: true, index: i });
    if (field.encoding < 0x8000) SLOT_NUMBER[field.encoding] = i;
    if (field.width === "64" && field.encoding + 1 < 0x8000) HIGH_SLOT_NUMBER[field.encoding + 1] = i;
    SLOT_BITS.push(field.width === "16" ? 16 : field.width === "32" ? 32 : 64);
    i++;
  }
}
export const SLOT_COUNT = fieldsInOrder.length;

/** The slot of an encoding (full or HIGH), or undefined if the table has no such encoding. */
export function slotOf(encoding: number): FieldSlot | undefined {
  return slotByEncoding.get(encoding);
}

/** Byte offset of a (full) field encoding's slot; throws for an encoding not in arch's table (a bug). */
export function offsetOf(encoding: number): number {
  const s = slotByEncoding.get(encoding);
  if (!s) throw new Error(`VMCS encoding 0x${encoding.toString(16)} is not in arch's table`);
  return s.offset;
}

export function layoutFields(): readonly VmcsField[] {
  return fieldsInOrder;
}
