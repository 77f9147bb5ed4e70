// The EPT-pointer checks (SDM 26.2.1.1, "enable EPT" bullet; 24.6.11 EPTP format), shared by VM entry
// (CTL-28..31), INVEPT single-context (SDM 30.3 "INVEPT") and VMFUNC EPTP switching.
import { hex } from "./types";

export interface EptpProblem {
  id: "CTL-28" | "CTL-29" | "CTL-30" | "CTL-31";
  message: string;
}

/** The first problem of an EPTP value under IA32_VMX_EPT_VPID_CAP, or undefined if it is valid. */
export function eptpProblem(eptp: bigint, cap: bigint, physWidth: number): EptpProblem | undefined {
  const type = Number(eptp & 7n);
  // Memory type: 0 (UC) needs CAP[8], 6 (WB) needs CAP[14]; nothing else is valid.
  const typeOk = (type === 0 && (cap >> 8n) & 1n) || (type === 6 && (cap >> 14n) & 1n);
  if (!typeOk) return { id: "CTL-28", message: `EPTP ${hex(eptp)}: memory type ${type} is not supported` };
  const walk = Number((eptp >> 3n) & 7n);
  const walkOk = (walk === 3 && (cap >> 6n) & 1n) || (walk === 4 && (cap >> 7n) & 1n);
  if (!walkOk) return { id: "CTL-29", message: `EPTP ${hex(eptp)}: page-walk length ${walk + 1} is not supported` };
  if ((eptp >> 6n) & 1n && !((cap >> 21n) & 1n))
    return { id: "CTL-30", message: `EPTP ${hex(eptp)}: bit 6 (accessed/dirty flags) set without support` };
  const reservedLow = (cap >> 23n) & 1n ? 0xf00n : 0xf80n;
  if (eptp & reservedLow || BigInt.asUintN(64, eptp) >> BigInt(physWidth))
    return {
      id: "CTL-31",
      message: `EPTP ${hex(eptp)}: reserved bits (11:${reservedLow === 0xf00n ? 8 : 7} or ≥ ${physWidth}) set`,
    };
  return undefined;
}
