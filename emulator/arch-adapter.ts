// Adapter to arch/: the MSR indices and the default CPU model the interpreter needs. arch/ is the single
// source of truth; until its MSR table and CPU models land, this adapter names the few architectural MSRs the
// core itself implements (SDM Vol. 4 Table 2-2) so that the rest of emulator/ imports them from one place.
// TODO(arch): replace the bodies below with re-exports from "../arch/index" (MSR, cpuModel, DEFAULT_CPU_MODEL).

import type { CpuModel } from "./cpu-model";

export const CORE_MSR = {
  IA32_TIME_STAMP_COUNTER: 0x10,
  IA32_APIC_BASE: 0x1b,
  IA32_FEATURE_CONTROL: 0x3a,
  IA32_TSC_ADJUST: 0x3b,
  IA32_SYSENTER_CS: 0x174,
  IA32_SYSENTER_ESP: 0x175,
  IA32_SYSENTER_EIP: 0x176,
  IA32_PAT: 0x277,
  IA32_DEBUGCTL: 0x1d9,
  IA32_EFER: 0xc0000080,
  IA32_STAR: 0xc0000081,
  IA32_LSTAR: 0xc0000082,
  IA32_CSTAR: 0xc0000083,
  IA32_FMASK: 0xc0000084,
  IA32_FS_BASE: 0xc0000100,
  IA32_GS_BASE: 0xc0000101,
  IA32_KERNEL_GS_BASE: 0xc0000102,
  IA32_TSC_AUX: 0xc0000103,
} as const;

/**
 * A minimal stand-in model used only when no CPU model is supplied and arch/ has none: CPUID reports a
 * 64-bit processor with VMX, no VMX capability MSRs.
 */
export const FALLBACK_MODEL: CpuModel = {
  name: "fallback",
  description: "minimal x86-64 model (used when arch/ provides no CPU model)",
  physicalAddressWidth: 40,
  msr: new Map<number, bigint>(),
  cpuid(leaf: number): readonly [number, number, number, number] {
    switch (leaf) {
      case 0:
        return [0xd, 0x756e6547, 0x6c65746e, 0x49656e69]; // "GenuineIntel"
      case 1:
        // family 6; ECX: SSE3, VMX(5), SSE4.1/4.2, POPCNT, x2APIC off; EDX: FPU, TSC, MSR, PAE, CX8, APIC, SEP, PGE, CMOV, PAT, PSE36, FXSR, SSE, SSE2
        return [0x50654, 0x00010800, 0x00982221, 0x078bfbff];
      case 7:
        return [0, 0x00000001 | 0x80 /* SMEP */, 0, 0];
      case 0x80000000:
        return [0x80000008, 0, 0, 0];
      case 0x80000001:
        return [0, 0, 0x21, 0x2c100800]; // LAHF, LZCNT; SYSCALL, NX, 1G pages, RDTSCP, LM
      case 0x80000008:
        return [0x3028, 0, 0, 0];
      default:
        return [0, 0, 0, 0];
    }
  },
};
