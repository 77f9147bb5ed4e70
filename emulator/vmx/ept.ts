// EPT (SDM 28.2): 4-level translation of guest-physical addresses, accessed/dirty flags, EPT violations
// (exit reason 48, qualification per Table 27-7) and EPT misconfigurations (exit reason 49).
import { EXIT_REASON, MSR, VMCS } from "../../arch/index";
import type { GuestPhysicalAccess, VmxCpu } from "../vmx-hooks";
import { performVmExit } from "./exit";
import type { Vmx } from "./vmx";

const LEVEL_SHIFT = [39, 30, 21, 12];

/** Why a walk stopped, or the host-physical address and the accumulated permissions. */
export type EptResult =
  | { ok: true; hpa: number; r: boolean; w: boolean; x: boolean }
  | { ok: false; kind: "violation"; r: boolean; w: boolean; x: boolean }
  | { ok: false; kind: "misconfig" };

/** A paging-structure entry is misconfigured (SDM 28.2.3.1): W without R, unsupported X-only, reserved bits. */
function misconfigured(entry: bigint, level: number, leaf: boolean, cap: bigint, physWidth: number): boolean {
  const rwx = Number(entry & 7n);
  if ((rwx & 3) === 2) return true;
  if (rwx === 4 && !(cap & 1n)) return true;
  const top = (entry & 0x000f_ffff_ffff_f000n) >> BigInt(physWidth);
  if (top !== 0n) return true;
  if (!leaf) return (entry & 0xf8n) !== 0n;
  const memType = Number((entry >> 3n) & 7n);
  if (memType === 2 || memType === 3 || memType === 7) return true;
  // Large pages: bits 29:12 (1 GiB) or 20:12 (2 MiB) of the address are reserved.
  if (level === 1) return (entry & 0x3fffe000n) !== 0n;
  if (level === 2) return (entry & 0x1fe000n) !== 0n;
  return false;
}

/** Walks the EPT paging structures for `gpa`. `write` sets dirty flags (with EPTP[6]). */
export function walkEpt(
  cpu: VmxCpu,
  eptp: bigint,
  cap: bigint,
  gpa: number,
  access: GuestPhysicalAccess,
  adWrite: boolean,
): EptResult {
  const physWidth = cpu.physicalAddressWidth;
  const ad = (eptp & 0x40n) !== 0n;
  let table = Number(eptp & 0x000f_ffff_ffff_f000n);
  let r = true;
  let w = true;
  let x = true;
  const g = BigInt(gpa);
  for (let level = 0; level < 4; level++) {
    const addr = table + Number((g >> BigInt(LEVEL_SHIFT[level]!)) & 0x1ffn) * 8;
    let entry = cpu.readPhys(addr, 8);
    if ((entry & 7n) === 0n) return { ok: false, kind: "violation", r: false, w: false, x: false };
    const large = level > 0 && level < 3 && (entry & 0x80n) !== 0n;
    if (level === 0 && entry & 0x80n) return { ok: false, kind: "misconfig" };
    if (large && !((cap >> (level === 1 ? 17n : 16n)) & 1n)) return { ok: false, kind: "misconfig" };
    const leaf = level === 3 || large;
    if (misconfigured(entry, level, leaf, cap, physWidth)) return { ok: false, kind: "misconfig" };
    r &&= (entry & 1n) !== 0n;
    w &&= (entry & 2n) !== 0n;
    x &&= (entry & 4n) !== 0n;
    if (leaf) {
      const allowed = access === "read" ? r : access === "write" ? w : x;
      if (!allowed) return { ok: false, kind: "violation", r, w, x };
      if (ad) {
        let updated = entry | 0x100n;
        if (adWrite) updated |= 0x200n;
        if (updated !== entry) cpu.writePhys(addr, 8, updated);
      }
      const offsetBits = BigInt(LEVEL_SHIFT[level]!);
      const frame = entry & 0x000f_ffff_ffff_f000n & ~((1n << offsetBits) - 1n);
      return { ok: true, hpa: Number(frame | (g & ((1n << offsetBits) - 1n))), r, w, x };
    }
    if (ad && !(entry & 0x100n)) {
      entry |= 0x100n;
      cpu.writePhys(addr, 8, entry);
    }
    table = Number(entry & 0x000f_ffff_ffff_f000n);
  }
  return { ok: false, kind: "misconfig" };
}

export function translateEpt(
  vmx: Vmx,
  cpu: VmxCpu,
  gpa: number,
  access: GuestPhysicalAccess,
  linear: bigint | undefined,
): number {
  const eptp = vmx.field(VMCS.EPT_POINTER);
  const cap = vmx.model.msr.get(MSR.IA32_VMX_EPT_VPID_CAP) ?? 0n;
  // Accesses to guest paging structures count as writes for the EPT dirty flag (SDM 28.2.4).
  const r = walkEpt(cpu, eptp, cap, gpa, access, access === "write" || linear === undefined);
  if (r.ok) return r.hpa;
  // The guest-linear address is undefined for misconfigurations (SDM 27.2.1); like Bochs, record it anyway.
  if (r.kind === "misconfig")
    return performVmExit(vmx, cpu, {
      reason: EXIT_REASON.EPT_MISCONFIGURATION,
      guestPhysicalAddress: BigInt(gpa),
      ...(linear !== undefined ? { guestLinearAddress: linear } : {}),
    });
  const q =
    (access === "read" ? 1 : 0) |
    (access === "write" ? 2 : 0) |
    (access === "fetch" ? 4 : 0) |
    (r.r ? 8 : 0) |
    (r.w ? 16 : 0) |
    (r.x ? 32 : 0) |
    (linear !== undefined ? 0x180 : 0);
  return performVmExit(vmx, cpu, {
    reason: EXIT_REASON.EPT_VIOLATION,
    qualification: BigInt(q),
    guestPhysicalAddress: BigInt(gpa),
    ...(linear !== undefined ? { guestLinearAddress: linear } : {}),
  });
}
