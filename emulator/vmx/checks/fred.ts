// The FRED state VM entry loads (guest, "load FRED" VM-entry control) and VM exit loads (host, "load FRED"
// secondary VM-exit control): the checks GCR-29 and HST-18 share. They mirror what WRMSR accepts for these MSRs
// (FRED specification, "VMX interactions"; KVM nested_vmx_check_{guest,host}_state does the same):
// IA32_FRED_CONFIG has bits 2, 5:4 and 11 reserved and a canonical entry point (bits 63:12); RSP1-3 are
// canonical and 64-byte aligned; SSP1-3 are canonical and 8-byte aligned. STKLVLS is not checked.
import { VMCS } from "../../../arch/index";
import type { CheckContext } from "./context";
import { hex, type Violation } from "./types";
import { bitList, v } from "./util";

const CONFIG_RESERVED = (1n << 2n) | (3n << 4n) | (1n << 11n);

const FIELDS = {
  GUEST: {
    config: VMCS.GUEST_IA32_FRED_CONFIG,
    rsp: [VMCS.GUEST_IA32_FRED_RSP1, VMCS.GUEST_IA32_FRED_RSP2, VMCS.GUEST_IA32_FRED_RSP3],
    ssp: [VMCS.GUEST_IA32_FRED_SSP1, VMCS.GUEST_IA32_FRED_SSP2, VMCS.GUEST_IA32_FRED_SSP3],
  },
  HOST: {
    config: VMCS.HOST_IA32_FRED_CONFIG,
    rsp: [VMCS.HOST_IA32_FRED_RSP1, VMCS.HOST_IA32_FRED_RSP2, VMCS.HOST_IA32_FRED_RSP3],
    ssp: [VMCS.HOST_IA32_FRED_SSP1, VMCS.HOST_IA32_FRED_SSP2, VMCS.HOST_IA32_FRED_SSP3],
  },
} as const;

/** The first problem with the guest's or host's FRED state, or undefined. */
export function fredStateProblem(c: CheckContext, which: "GUEST" | "HOST"): Violation | undefined {
  const who = which.toLowerCase();
  const f = FIELDS[which];
  const config = c.f(f.config);
  if (config & CONFIG_RESERVED)
    return v(`${who} IA32_FRED_CONFIG ${hex(config)}: reserved ${bitList(config & CONFIG_RESERVED)} set`, f.config);
  const entry = config & ~0xfffn;
  if (!c.canonical(entry)) return v(`${who} IA32_FRED_CONFIG entry point ${hex(entry)} is not canonical`, f.config);
  for (const [i, enc] of f.rsp.entries()) {
    const rsp = c.f(enc);
    if (rsp & 0x3fn) return v(`${who} IA32_FRED_RSP${i + 1} ${hex(rsp)} is not 64-byte aligned`, enc);
    if (!c.canonical(rsp)) return v(`${who} IA32_FRED_RSP${i + 1} ${hex(rsp)} is not canonical`, enc);
  }
  for (const [i, enc] of f.ssp.entries()) {
    const ssp = c.f(enc);
    if (ssp & 0x7n) return v(`${who} IA32_FRED_SSP${i + 1} ${hex(ssp)} is not 8-byte aligned`, enc);
    if (!c.canonical(ssp)) return v(`${who} IA32_FRED_SSP${i + 1} ${hex(ssp)} is not canonical`, enc);
  }
  return undefined;
}
