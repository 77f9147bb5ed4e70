// The allowed-0/allowed-1 rule of the VMX capability MSRs (SDM Appendix A.3-A.5) and the CR0/CR4 fixed-bit rule
// (SDM A.7, A.8), as pure functions of a CPU model.
import { CONTROL_SETS, type ControlSet, type ControlSetName, controlByTitle } from "./controls";
import type { CpuModel } from "./cpu-model-types";
import type { VmcsField } from "./vmcs-fields";

export interface ControlCheck {
  ok: boolean;
  /** Bits that are 0 in the value but must be 1. */
  mustBeOne: bigint;
  /** Bits that are 1 in the value but are not allowed to be 1. */
  mustBeZero: bigint;
  /** The capability MSR the check used (the TRUE_ MSR when IA32_VMX_BASIC[55] = 1). */
  msr: number;
  /** Allowed 0-settings: bits that must be 1. */
  allowed0: bigint;
  /** Allowed 1-settings: bits that may be 1. */
  allowed1: bigint;
}

const MASK32 = 0xffff_ffffn;
const MASK64 = (1n << 64n) - 1n;

function resolveSet(which: number | ControlSetName | ControlSet): ControlSet | undefined {
  if (typeof which === "object") return which;
  if (typeof which === "string") return CONTROL_SETS.find((s) => s.name === which);
  return CONTROL_SETS.find((s) => s.msr === which || s.trueMsr === which || s.field === which);
}

/**
 * Which capability MSR governs a control set on this model: the TRUE_ MSR when IA32_VMX_BASIC[55] = 1 and the
 * set has one (SDM A.3.1: "If bit 55 … is read as 1, all information … is contained in the TRUE MSR").
 */
export function effectiveControlMsr(model: CpuModel, which: number | ControlSetName | ControlSet): number | undefined {
  const set = resolveSet(which);
  if (!set) return undefined;
  const basic = model.msr.get(0x480) ?? 0n;
  return set.trueMsr !== undefined && (basic >> 55n) & 1n ? set.trueMsr : set.msr;
}

/**
 * The allowed settings of a control set on a model. A set whose capability MSR the model does not implement
 * allows nothing to be 1 (no secondary/tertiary controls). The 64-bit tertiary MSR reports allowed 1-settings
 * only (SDM A.3.4); the others report allowed 0-settings in bits 31:0 and allowed 1-settings in bits 63:32.
 */
export function allowedSettings(
  model: CpuModel,
  which: number | ControlSetName | ControlSet,
): { msr: number; allowed0: bigint; allowed1: bigint } | undefined {
  const set = resolveSet(which);
  const msr = effectiveControlMsr(model, which);
  if (!set || msr === undefined) return undefined;
  const v = model.msr.get(msr);
  if (v === undefined) return { msr, allowed0: 0n, allowed1: 0n };
  if (set.width === 64) return { msr, allowed0: 0n, allowed1: v & MASK64 };
  return { msr, allowed0: v & MASK32, allowed1: (v >> 32n) & MASK32 };
}

/**
 * Checks a control value against the model: every bit that is 1 in allowed-0 must be 1, every bit that is 0 in
 * allowed-1 must be 0 (SDM 26.2.1.1). `which` is the capability MSR index (base or TRUE), the VMCS field
 * encoding, or the set name; the TRUE MSR is used whenever IA32_VMX_BASIC[55] = 1.
 */
export function allowedControl(
  model: CpuModel,
  which: number | ControlSetName | ControlSet,
  value: number | bigint,
): ControlCheck {
  const a = allowedSettings(model, which);
  if (!a) throw new RangeError(`not a VMX control capability MSR or field: ${String(which)}`);
  const v = BigInt.asUintN(64, BigInt(value));
  const mustBeOne = a.allowed0 & ~v;
  const mustBeZero = v & ~a.allowed1;
  return { ok: mustBeOne === 0n && mustBeZero === 0n, mustBeOne, mustBeZero, ...a };
}

/** The nearest allowed value: desired bits that may be 1 are kept, bits that must be 1 are set. */
export function adjustControl(
  model: CpuModel,
  which: number | ControlSetName | ControlSet,
  desired: number | bigint,
): bigint {
  const a = allowedSettings(model, which);
  if (!a) throw new RangeError(`not a VMX control capability MSR or field: ${String(which)}`);
  return (BigInt.asUintN(64, BigInt(desired)) & a.allowed1) | a.allowed0;
}

export interface FixedBitsCheck {
  ok: boolean;
  /** Bits fixed to 1 (FIXED0) that are 0. */
  mustBeOne: bigint;
  /** Bits fixed to 0 (0 in FIXED1) that are 1. */
  mustBeZero: bigint;
  fixed0: bigint;
  fixed1: bigint;
}

/**
 * CR0/CR4 in VMX operation (SDM A.7, A.8): bits set in FIXED0 must be 1, bits clear in FIXED1 must be 0.
 * Callers apply the exceptions themselves (e.g. PE and PG with unrestricted guest, SDM 26.3.1.1).
 */
export function checkFixedBits(model: CpuModel, register: "cr0" | "cr4", value: number | bigint): FixedBitsCheck {
  const fixed0 = model.msr.get(register === "cr0" ? 0x486 : 0x488) ?? 0n;
  const fixed1 = model.msr.get(register === "cr0" ? 0x487 : 0x489) ?? MASK64;
  const v = BigInt.asUintN(64, BigInt(value));
  const mustBeOne = fixed0 & ~v;
  const mustBeZero = v & ~fixed1;
  return { ok: mustBeOne === 0n && mustBeZero === 0n, mustBeOne, mustBeZero, fixed0, fixed1 };
}

/**
 * Whether the model implements a VMCS field: fields without a `feature` always exist; otherwise one of the
 * controls named in `feature` ("A or B") must be allowed to be 1 (with the primary control that activates its
 * set, for secondary/tertiary controls). VMREAD/VMWRITE of a field the processor does not support fail with
 * VM-instruction error 12 (SDM 25.11.2, 31.3 VMREAD).
 */
export function vmcsFieldSupported(model: CpuModel, field: VmcsField): boolean {
  if (!field.feature) return true;
  return field.feature.split(" or ").some((title) => featureSupported(model, title));
}

/** A control (by its SDM title), or one of the few non-control features VMCS fields depend on. */
export function featureSupported(model: CpuModel, title: string): boolean {
  if (title === "EPTP switching") return ((model.msr.get(0x491) ?? 0n) & 1n) === 1n;
  if (title === "Intel TDX") return false;
  const hit = controlByTitle(title);
  if (!hit) return false;
  const may1 = (set: ControlSet, b: number) => ((allowedSettings(model, set)?.allowed1 ?? 0n) >> BigInt(b)) & 1n;
  const primary = CONTROL_SETS.find((s) => s.name === "PROC_BASED")!;
  if (hit.set.name === "PROC_BASED2" && !may1(primary, 31)) return false;
  if (hit.set.name === "PROC_BASED3" && !may1(primary, 17)) return false;
  return may1(hit.set, hit.bit.bit) === 1n;
}
