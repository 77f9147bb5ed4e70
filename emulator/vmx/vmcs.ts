// The VMCS store: field data kept inside the VMCS region in physical memory (layout in vmcs-layout.ts), and
// the semantics of VMREAD/VMWRITE on it (SDM 30.3 "VMREAD", "VMWRITE"; 24.11.2 field encodings).
import type { VmcsField } from "../../arch/index";
import { MSR } from "../../arch/index";
import type { CpuModel } from "../cpu-model";
import { type PhysMem, read64, write64 } from "./memory";
import {
  ABORT_INDICATOR_OFFSET,
  LAUNCH_STATE_CLEAR,
  LAUNCH_STATE_LAUNCHED,
  LAUNCH_STATE_OFFSET,
  REVISION_OFFSET,
  slotOf,
} from "./vmcs-layout";
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

  // ---- raw field data (the processor's own accesses: VM entry, VM exit) ---------------------------------
  /** The whole value of a field (full encoding). */
  get(pa: number, encoding: number): bigint {
    const slot = slotOf(encoding);
    if (!slot) return 0n;
    return read64(this.mem, pa + slot.offset);
  }
  /** Bits 31:0 of a field as an unsigned number (fast path for 16/32-bit fields). */
  get32(pa: number, encoding: number): number {
    const slot = slotOf(encoding);
    if (!slot) return 0;
    return this.mem.read32(pa + slot.offset) >>> 0;
  }
  /** Writes a field's value truncated to its width. */
  set(pa: number, encoding: number, value: bigint): void {
    const slot = slotOf(encoding);
    if (!slot) return;
    write64(this.mem, pa + slot.offset, BigInt.asUintN(64, value) & WIDTH_MASK[slot.field.width]);
  }
  /** Writes a 16/32-bit field (or bits 31:0 of a wider one, clearing 63:32) from a number. */
  set32(pa: number, encoding: number, value: number): void {
    const slot = slotOf(encoding);
    if (!slot) return;
    const w = slot.field.width;
    this.mem.write32(pa + slot.offset, w === "16" ? value & 0xffff : value >>> 0);
    this.mem.write32(pa + slot.offset + 4, 0);
  }

  /** Is the encoding (full or HIGH) a field this CPU model supports? */
  supports(encoding: bigint): boolean {
    if (encoding < 0n || encoding > 0xffffffffn) return false;
    const slot = slotOf(Number(encoding));
    return slot !== undefined && fieldSupported(slot.field, this.model);
  }

  // ---- VMREAD / VMWRITE semantics ------------------------------------------------------------------------
  /**
   * VMREAD of `encoding` (the register operand, all 64 bits in 64-bit mode) with operand size 32 or 64.
   * SDM 30.3: unsupported component → VMfailValid(12); a field narrower than the operand is zero-extended;
   * HIGH access returns bits 63:32; outside 64-bit mode only bits 31:0 are returned.
   */
  vmread(pa: number, encoding: bigint, operandBits: 32 | 64): FieldAccess {
    if (!this.supports(encoding)) return { ok: false, error: ERR_UNSUPPORTED_COMPONENT };
    const slot = slotOf(Number(encoding))!;
    let value = read64(this.mem, pa + slot.offset);
    if (slot.high) value >>= 32n;
    if (operandBits === 32) value &= 0xffffffffn;
    return { ok: true, value };
  }

  /**
   * VMWRITE: SDM 30.3. Error 12 for an unsupported component, 13 for a VM-exit information field unless
   * IA32_VMX_MISC[29]. Source bits beyond the field are ignored; a HIGH write sets bits 63:32 only; a
   * 32-bit operand writing a 64-bit or natural-width field clears its bits 63:32.
   */
  vmwrite(pa: number, encoding: bigint, value: bigint, operandBits: 32 | 64): FieldAccess {
    if (!this.supports(encoding)) return { ok: false, error: ERR_UNSUPPORTED_COMPONENT };
    const slot = slotOf(Number(encoding))!;
    if (slot.field.type === "read-only" && !this.writeAnyField) return { ok: false, error: ERR_WRITE_READ_ONLY };
    let v = operandBits === 32 ? value & 0xffffffffn : BigInt.asUintN(64, value);
    if (slot.high) {
      const old = read64(this.mem, pa + slot.offset);
      v = (old & 0xffffffffn) | ((v & 0xffffffffn) << 32n);
    }
    write64(this.mem, pa + slot.offset, v & WIDTH_MASK[slot.field.width]);
    return { ok: true, value: v };
  }
}
