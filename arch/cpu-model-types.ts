// The shape of a CPU model: what a processor reports through RDMSR (VMX capability MSRs, CR0/CR4 fixed bits,
// IA32_FEATURE_CONTROL …) and CPUID, and the physical-address width.

/** [leaf, subleaf, eax, ebx, ecx, edx], unsigned 32-bit values. */
export type CpuidRow = readonly [leaf: number, subleaf: number, eax: number, ebx: number, ecx: number, edx: number];

export type CpuidResult = readonly [eax: number, ebx: number, ecx: number, edx: number];

export interface CpuFeatures {
  /** CPUID.1:ECX.VMX[5]. */
  vmx: boolean;
  /** IA32_VMX_BASIC[55]: the TRUE_ capability MSRs exist and default1 controls may be 0. */
  trueControls: boolean;
  /** Primary processor-based control 31 may be 1. */
  secondaryControls: boolean;
  /** Primary processor-based control 17 may be 1. */
  tertiaryControls: boolean;
  ept: boolean;
  vpid: boolean;
  unrestrictedGuest: boolean;
  vmcsShadowing: boolean;
  /** Pin-based control 6 (activate VMX-preemption timer) may be 1. */
  preemptionTimer: boolean;
  virtualNmis: boolean;
  postedInterrupts: boolean;
  pml: boolean;
  vmFunctions: boolean;
  /** IA32_VMX_MISC[29]: VMWRITE may write VM-exit information fields. */
  vmwriteAnyField: boolean;
  /** Primary processor-based control 27 (monitor trap flag) may be 1. */
  monitorTrapFlag: boolean;
  /** IA32_FEATURE_CONTROL has lock = 1 and VMX-outside-SMX = 1 (VMXON can succeed). */
  vmxEnabledByFirmware: boolean;
}

export interface CpuModel {
  /** Short id used by settings and the CLI, e.g. "skylake-x". */
  name: string;
  /** One line: what the model is and where its values come from. */
  description: string;
  /** MAXPHYADDR (CPUID.80000008H:EAX[7:0]). */
  physicalAddressWidth: number;
  /** Initial/constant MSR values: VMX capability MSRs, CR0/CR4 fixed, IA32_FEATURE_CONTROL, …; an index that is
   * absent is not implemented by the model (RDMSR raises #GP). */
  msr: ReadonlyMap<number, bigint>;
  /** CPUID as at start-up (CR4.OSXSAVE = 0, XCR0 = 1, APIC ID 0). The emulator adds the state-dependent bits
   * (CPUID.1:ECX.OSXSAVE[27] from CR4, CPUID.1:EBX[31:24] APIC ID, CPUID.0DH:EBX size for the enabled XCR0). */
  cpuid(leaf: number, subleaf: number): CpuidResult;
  /** Derived from the MSR and CPUID values (never set independently). */
  features: CpuFeatures;
  /** Where the values come from. */
  source: string;
}
