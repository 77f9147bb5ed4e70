// Small helpers shared by the check tables.
import { type ControlSetName, controlSet } from "../../../arch/index";
import type { CheckContext } from "./context";
import { hex, type Violation } from "./types";

/** Tests a control bit given as number or bigint mask. */
export function on(value: number | bigint, mask: number | bigint): boolean {
  return (BigInt(value) & BigInt(mask)) !== 0n;
}

export function v(message: string, ...fields: Violation["fields"]): Violation {
  return { message, fields };
}

/** A named value that is not a VMCS field (an MSR, a memory word, a derived value). */
export function named(name: string, value: number | bigint): { name: string; value: bigint } {
  return { name, value: BigInt.asUintN(64, BigInt(value)) };
}

/** The allowed-0/allowed-1 rule of a capability MSR (SDM A.3): bits 31:0 must be 1, bits 63:32 may be 1. */
export function allowedSettings(value: number, capability: bigint): { mustBeOne: number; mustBeZero: number } {
  const allowed0 = Number(capability & 0xffffffffn);
  const allowed1 = Number((capability >> 32n) & 0xffffffffn);
  return { mustBeOne: (allowed0 & ~value) >>> 0, mustBeZero: (value & ~allowed1) >>> 0 };
}

export function bitList(mask: number | bigint): string {
  const bits: number[] = [];
  let m = BigInt.asUintN(64, BigInt(mask));
  for (let b = 0; m; b++, m >>= 1n) if (m & 1n) bits.push(b);
  return bits.length === 1 ? `bit ${bits[0]}` : `bits ${bits.join(", ")}`;
}

/** An address that must be 4-KiB aligned and inside the physical-address width (SDM 26.2.1.1). */
export function pageAddress(c: CheckContext, encoding: number, what: string): Violation | undefined {
  const a = c.f(encoding);
  if (a & 0xfffn) return v(`${what} ${hex(a)} is not 4-KiB aligned (bits 11:0 must be 0)`, encoding);
  if (c.beyondPhys(a))
    return v(`${what} ${hex(a)} sets bits beyond the physical-address width (${c.physWidth})`, encoding);
  return undefined;
}

export function yesNo(b: boolean): string {
  return b ? "1" : "0";
}

/**
 * The mask of a control bit that arch may not name yet (recent SDM additions such as "load FRED"): 0 when the
 * table has no such bit, which makes the checks that depend on it inert.
 */
export function optionalControl(set: ControlSetName, name: string): number {
  const b = controlSet(set).bits.find((x) => x.name === name);
  return b ? 2 ** b.bit : 0;
}
