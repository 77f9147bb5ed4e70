// The CPU model the machine emulates (MSRs, CPUID, physical-address width). The definitive models live in
// arch/ (CONTRACTS.md "CPU models"); this is the shape the emulator relies on.

export interface CpuModel {
  name: string;
  description?: string;
  physicalAddressWidth: number;
  /** Initial/constant MSR values (VMX capability MSRs, CR fixed MSRs, IA32_FEATURE_CONTROL …). */
  msr: ReadonlyMap<number, bigint>;
  cpuid(leaf: number, subleaf: number): readonly [number, number, number, number];
}
