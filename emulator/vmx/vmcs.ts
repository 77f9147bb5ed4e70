// The VMCS store: field data kept inside the VMCS region in physical memory (layout in vmcs-layout.ts), and
// the semantics of VMREAD/VMWRITE on it (SDM 30.3 "VMREAD", "VMWRITE"; 24.11.2 field encodings).
import type { VmcsField } from "../../arch/index";
import { MSR } from "../../arch/index";
import type { CpuModel } from "../cpu-model";
import type { PhysMem } from "./memory";
import {
  ABORT_INDICATOR_OFFSET,
  FIELD_DATA_OFFSET,
  HIGH_SLOT_NUMBER,
  LAUNCH_STATE_CLEAR,
  LAUNCH_STATE_LAUNCHED,
  LAUNCH_STATE_OFFSET,
  layoutFields,
  REVISION_OFFSET,
  SLOT_BITS,
  SLOT_COUNT,
  SLOT_NUMBER,
  slotOf,
} from "./vmcs-layout";

const TWO32 = 4294967296;
/** Slot number → full field encoding. */
const SLOT_ENCODING = layoutFields().map((f) => f.encoding);

/** The slot number of a (full) field encoding of arch's table; throws for an unknown encoding (a bug). */
export function slotOfField(encoding: number): number {
  const i = encoding >= 0 && encoding < 0x8000 ? SLOT_NUMBER[encoding]! : -1;
  if (i < 0) throw new Error(`VMCS encoding 0x${encoding.toString(16)} is not in arch's table`);
  return i;
}
/** slotFor's flag for the HIGH encoding of a 64-bit field. */
const HIGH_ACCESS = 0x10000;

import { ChangedFields } from "./changed-fields";
import { fieldSupported } from "./vmcs-support";

const WIDTH_MASK: Record<VmcsField["width"], bigint> = {
  "16": 0xffffn,
  "32": 0xffffffffn,
  "64": 0xffffffffffffffffn,
  natural: 0xffffffffffffffffn,
};

/** VM-instruction error numbers used by VMREAD/VMWRITE (SDM 30.4). */
const ERR_UNSUPPORTED_COMPONENT = 12;
const ERR_WRITE_READ_ONLY = 13;

export type FieldAccess = { ok: true; value: bigint } | { ok: false; error: number };

/** Field access on VMCS regions in physical memory for one CPU model. */
export class VmcsStore {
  private readonly writeAnyField: boolean;
  constructor(
    readonly mem: PhysMem,
    readonly model: CpuModel,
  ) {
    // IA32_VMX_MISC[29]: software can use VMWRITE to write to any supported field, incl. VM-exit information.
    const misc = model.msr.get(MSR.IA32_VMX_MISC) ?? 0n;
    this.writeAnyField = ((misc >> 29n) & 1n) === 1n;
  }

  // ---- architected header -------------------------------------------------------------------------------
  revisionDword(pa: number): number {
    return this.mem.read32(pa + REVISION_OFFSET) >>> 0;
  }
  abortIndicator(pa: number): number {
    return this.mem.read32(pa + ABORT_INDICATOR_OFFSET) >>> 0;
  }
  setAbortIndicator(pa: number, value: number): void {
    this.mem.write32(pa + ABORT_INDICATOR_OFFSET, value);
  }
  /** "clear" only after VMCLEAR, "launched" after a successful VMLAUNCH, else "uninitialized". */
  launchState(pa: number): "clear" | "launched" | "uninitialized" {
    const v = this.mem.read32(pa + LAUNCH_STATE_OFFSET) >>> 0;
    return v === LAUNCH_STATE_CLEAR ? "clear" : v === LAUNCH_STATE_LAUNCHED ? "launched" : "uninitialized";
  }
  launched(pa: number): boolean {
    return this.launchState(pa) === "launched";
  }
  setLaunched(pa: number, launched: boolean): void {
    this.mem.write32(pa + LAUNCH_STATE_OFFSET, launched ? LAUNCH_STATE_LAUNCHED : LAUNCH_STATE_CLEAR);
  }

  // ---- the current-VMCS cache ------------------------------------------------------------------------------
  // Processors keep the current VMCS's data inside the processor (SDM 24.11.1); so does this one, in typed
  // arrays, writing every change through to the region so a memory view shows it. Only a changed dword is
  // written. `changed` lists the fields whose value changed since the VM-entry checks last passed, which
  // lets VM entry re-run only the checks that read them (checks/cache.ts).
  private boundPa = -1;
  private readonly lo = new Uint32Array(SLOT_COUNT);
  private readonly hi = new Uint32Array(SLOT_COUNT);
  readonly changed = new ChangedFields();
  /**
   * Groups of slots whose changes are counted (VM entry/exit keep the guest segment registers and the host state
   * in snapshots that are valid while no field of their group changed; bind()/unbind() count as a change of every
   * group). watched[slot] = group number (1-3), 0 for none; groupWrites[group] = changes so far.
   */
  readonly watched = new Uint8Array(SLOT_COUNT);
  readonly groupWrites = new Uint32Array(4);
  /** Changes of group 1 (kept for readability at the call sites). */
  get watchedWrites(): number {
    return this.groupWrites[1]!;
  }
  private bumpGroups(): void {
    for (let g = 1; g < 4; g++) this.groupWrites[g] = (this.groupWrites[g]! + 1) >>> 0;
  }
  /** Every field must be considered changed (a VMCS was just made current). */
  allChanged = true;

  /** VMPTRLD: load the region's data into the cache. */
  bind(pa: number): void {
    this.boundPa = pa;
    for (let i = 0; i < SLOT_COUNT; i++) {
      this.lo[i] = this.mem.read32(pa + FIELD_DATA_OFFSET + 8 * i) >>> 0;
      this.hi[i] = this.mem.read32(pa + FIELD_DATA_OFFSET + 8 * i + 4) >>> 0;
    }
    this.changed.clear();
    this.allChanged = true;
    this.bumpGroups();
  }
  /** VMCLEAR of the current VMCS, VMXON, VMXOFF: no VMCS in the cache. */
  unbind(): void {
    this.boundPa = -1;
    this.allChanged = true;
    this.bumpGroups();
  }
  get boundPointer(): number {
    return this.boundPa;
  }

  private lo32(pa: number, i: number): number {
    return pa === this.boundPa ? this.lo[i]! : this.mem.read32(pa + FIELD_DATA_OFFSET + 8 * i) >>> 0;
  }
  private hi32(pa: number, i: number): number {
    return pa === this.boundPa ? this.hi[i]! : this.mem.read32(pa + FIELD_DATA_OFFSET + 8 * i + 4) >>> 0;
  }
  private writeSlot(pa: number, i: number, lo: number, hi: number, encoding: number): void {
    const at = pa + FIELD_DATA_OFFSET + 8 * i;
    if (pa !== this.boundPa) {
      this.mem.write32(at, lo);
      this.mem.write32(at + 4, hi);
      return;
    }
    const oldLo = this.lo[i]!;
    const oldHi = this.hi[i]!;
    if (oldLo === lo && oldHi === hi) return;
    if (oldLo !== lo) this.mem.write32(at, lo);
    if (oldHi !== hi) this.mem.write32(at + 4, hi);
    this.lo[i] = lo;
    this.hi[i] = hi;
    this.changed.add(encoding);
    const g = this.watched[i]!;
    if (g !== 0) this.groupWrites[g] = (this.groupWrites[g]! + 1) >>> 0;
  }

  // ---- raw field data (the processor's own accesses: VM entry, VM exit) ---------------------------------
  /** The whole value of a field (full encoding). */
  get(pa: number, encoding: number): bigint {
    const i = encoding < 0x8000 ? SLOT_NUMBER[encoding]! : -1;
    if (i < 0) return 0n;
    const lo = this.lo32(pa, i);
    const hi = this.hi32(pa, i);
    return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }
  /** Bits 31:0 of a field as an unsigned number (fast path for 16/32-bit fields). */
  get32(pa: number, encoding: number): number {
    const i = encoding < 0x8000 ? SLOT_NUMBER[encoding]! : -1;
    return i < 0 ? 0 : this.lo32(pa, i);
  }
  /** Writes a field's value truncated to its width. */
  set(pa: number, encoding: number, value: bigint): void {
    const i = encoding < 0x8000 ? SLOT_NUMBER[encoding]! : -1;
    if (i < 0) return;
    const bits = SLOT_BITS[i]!;
    const v = BigInt.asUintN(64, value);
    const lo = Number(v & 0xffffffffn);
    this.writeSlot(pa, i, bits === 16 ? lo & 0xffff : lo, bits === 64 ? Number(v >> 32n) : 0, encoding);
  }
  /** Writes a 16/32-bit field (or bits 31:0 of a wider one, clearing 63:32) from a number. */
  set32(pa: number, encoding: number, value: number): void {
    const i = encoding < 0x8000 ? SLOT_NUMBER[encoding]! : -1;
    if (i < 0) return;
    this.writeSlot(pa, i, SLOT_BITS[i] === 16 ? value & 0xffff : value >>> 0, 0, encoding);
  }

  // ---- slot paths for the current VMCS (VM entry and exit: slot numbers precomputed, see slotOfField) -------
  /** Bits 31:0 of slot `i` of the VMCS at `pa`. */
  lo32At(pa: number, i: number): number {
    return this.lo32(pa, i);
  }
  /** Bits 63:32 of slot `i`. */
  hi32At(pa: number, i: number): number {
    return this.hi32(pa, i);
  }
  /** Slot `i` as a signed double (see getNumber). */
  numberAt(pa: number, i: number): number {
    return (this.hi32(pa, i) | 0) * TWO32 + this.lo32(pa, i);
  }
  /** Writes slot `i` from a 32-bit number (bits 63:32 cleared), truncated to its width. */
  put32(pa: number, i: number, value: number): void {
    this.writeSlot(pa, i, SLOT_BITS[i] === 16 ? value & 0xffff : value >>> 0, 0, SLOT_ENCODING[i]!);
  }
  /** Writes slot `i` from a signed double, truncated to its width. */
  putNumber(pa: number, i: number, value: number): void {
    const hi = Math.floor(value / TWO32);
    const lo = (value - hi * TWO32) >>> 0;
    const bits = SLOT_BITS[i]!;
    this.writeSlot(pa, i, bits === 16 ? lo & 0xffff : lo, bits === 64 ? hi >>> 0 : 0, SLOT_ENCODING[i]!);
  }

  // ---- number paths (VM entry and exit: no bigint) ----------------------------------------------------------
  /** Bits 63:32 of a field (full encoding) as an unsigned number. */
  getHi(pa: number, encoding: number): number {
    const i = encoding < 0x8000 ? SLOT_NUMBER[encoding]! : -1;
    return i < 0 ? 0 : this.hi32(pa, i);
  }
  /** A field as a signed double: exact when bits 63:53 are a sign extension (every canonical address). */
  getNumber(pa: number, encoding: number): number {
    const i = encoding < 0x8000 ? SLOT_NUMBER[encoding]! : -1;
    if (i < 0) return 0;
    return (this.hi32(pa, i) | 0) * TWO32 + this.lo32(pa, i);
  }
  /** Writes a field from its two halves (unsigned 32-bit numbers), truncated to its width. */
  setHalves(pa: number, encoding: number, lo: number, hi: number): void {
    const i = encoding < 0x8000 ? SLOT_NUMBER[encoding]! : -1;
    if (i < 0) return;
    const bits = SLOT_BITS[i]!;
    this.writeSlot(pa, i, bits === 16 ? lo & 0xffff : lo >>> 0, bits === 64 ? hi >>> 0 : 0, encoding);
  }
  /** Writes a field from a signed double (|value| < 2^53: two's complement over 64 bits), truncated to its width. */
  setNumber(pa: number, encoding: number, value: number): void {
    const hi = Math.floor(value / TWO32);
    this.setHalves(pa, encoding, (value - hi * TWO32) >>> 0, hi >>> 0);
  }

  /**
   * The slot of a VMREAD/VMWRITE encoding that names a field this CPU model supports: its number, plus
   * HIGH_ACCESS for the HIGH encoding of a 64-bit field; -1 otherwise (VMfailValid 12). Every field encoding is
   * below 8000H (bits 31:15 are reserved, SDM 24.11.2).
   */
  slotFor(encoding: bigint): number {
    if (encoding < 0n || encoding > 0x7fffn) return -1;
    const n = Number(encoding);
    let i = SLOT_NUMBER[n]!;
    let high = 0;
    if (i < 0) {
      i = HIGH_SLOT_NUMBER[n]!;
      if (i < 0) return -1;
      high = HIGH_ACCESS;
    }
    let s = this.supported[i]!;
    if (s === 0) {
      s = fieldSupported(layoutFields()[i]!, this.model) ? 1 : 2;
      this.supported[i] = s;
    }
    return s === 1 ? i | high : -1;
  }
  /** slotFor of a number encoding (0 … 2^32-1 from bits 31:0; the caller checks bits 63:32 are 0). */
  slotForNumber(encoding: number): number {
    if (encoding > 0x7fff || encoding < 0) return -1;
    let i = SLOT_NUMBER[encoding]!;
    let high = 0;
    if (i < 0) {
      i = HIGH_SLOT_NUMBER[encoding]!;
      if (i < 0) return -1;
      high = HIGH_ACCESS;
    }
    let s = this.supported[i]!;
    if (s === 0) {
      s = fieldSupported(layoutFields()[i]!, this.model) ? 1 : 2;
      this.supported[i] = s;
    }
    return s === 1 ? i | high : -1;
  }
  /** VMREAD on numbers: the value of slot `k` (from slotForNumber) in readLo/readHi. */
  readLo = 0;
  readHi = 0;
  vmreadSlot(pa: number, k: number, operandBits: 32 | 64): void {
    const i = k & 0xffff;
    const hi = this.hi32(pa, i);
    if (k & HIGH_ACCESS) {
      this.readLo = hi;
      this.readHi = 0;
    } else {
      this.readLo = this.lo32(pa, i);
      this.readHi = operandBits === 32 ? 0 : hi;
    }
  }
  /** VMWRITE on numbers (same rules as vmwrite): 0 on success, else the VM-instruction error. */
  vmwriteSlot(pa: number, k: number, lo: number, hi: number, operandBits: 32 | 64): number {
    const i = k & 0xffff;
    const field = layoutFields()[i]!;
    if (field.type === "read-only" && !this.writeAnyField) return ERR_WRITE_READ_ONLY;
    let vlo = lo >>> 0;
    let vhi = operandBits === 32 ? 0 : hi >>> 0;
    if (k & HIGH_ACCESS) {
      vhi = vlo;
      vlo = this.lo32(pa, i);
    }
    const bits = SLOT_BITS[i]!;
    this.writeSlot(pa, i, bits === 16 ? vlo & 0xffff : vlo, bits === 64 ? vhi : 0, field.encoding);
    return 0;
  }

  /** Is the encoding (full or HIGH) a field this CPU model supports? */
  supports(encoding: bigint): boolean {
    return this.slotFor(encoding) >= 0;
  }
  /** Per slot: 0 not yet known, 1 supported, 2 not supported by the model. */
  private readonly supported = new Uint8Array(SLOT_COUNT);

  // ---- VMREAD / VMWRITE semantics ------------------------------------------------------------------------
  /**
   * VMREAD of `encoding` (the register operand, all 64 bits in 64-bit mode) with operand size 32 or 64.
   * SDM 30.3: unsupported component → VMfailValid(12); a field narrower than the operand is zero-extended;
   * HIGH access returns bits 63:32; outside 64-bit mode only bits 31:0 are returned.
   */
  vmread(pa: number, encoding: bigint, operandBits: 32 | 64): FieldAccess {
    const k = this.slotFor(encoding);
    if (k < 0) return { ok: false, error: ERR_UNSUPPORTED_COMPONENT };
    const i = k & 0xffff;
    const hi = this.hi32(pa, i);
    let value: bigint;
    if (k & HIGH_ACCESS) value = BigInt(hi);
    else {
      const lo = this.lo32(pa, i);
      value = operandBits === 32 || hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
    }
    return { ok: true, value };
  }

  /**
   * VMWRITE: SDM 30.3. Error 12 for an unsupported component, 13 for a VM-exit information field unless
   * IA32_VMX_MISC[29]. Source bits beyond the field are ignored; a HIGH write sets bits 63:32 only; a
   * 32-bit operand writing a 64-bit or natural-width field clears its bits 63:32.
   */
  vmwrite(pa: number, encoding: bigint, value: bigint, operandBits: 32 | 64): FieldAccess {
    if (this.slotFor(encoding) < 0) return { ok: false, error: ERR_UNSUPPORTED_COMPONENT };
    const slot = slotOf(Number(encoding))!;
    if (slot.field.type === "read-only" && !this.writeAnyField) return { ok: false, error: ERR_WRITE_READ_ONLY };
    let v = operandBits === 32 ? value & 0xffffffffn : BigInt.asUintN(64, value);
    if (slot.high) {
      const old = this.get(pa, slot.field.encoding);
      v = (old & 0xffffffffn) | ((v & 0xffffffffn) << 32n);
    }
    v &= WIDTH_MASK[slot.field.width];
    this.set(pa, slot.field.encoding, v);
    return { ok: true, value: v };
  }
}
