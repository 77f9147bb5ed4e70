// The CPU model the machine emulates (MSRs, CPUID, physical-address width) — defined by arch/.
export type { CpuModel } from "../arch/index";
