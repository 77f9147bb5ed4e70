// The processor's VMX state (SDM 24.1, 24.11): VMX operation, the VMXON pointer, the current-VMCS pointer,
// and what the non-root machinery caches between VM entry and VM exit. Plain data so snapshots copy it.

export const INVALID_POINTER = -1;

export interface VmxState {
  /** In VMX operation (after VMXON, before VMXOFF). */
  inVmx: boolean;
  /** In VMX non-root operation (between a VM entry and the next VM exit). */
  nonRoot: boolean;
  vmxonPointer: number;
  /** Physical address of the current VMCS, or INVALID_POINTER (FFFFFFFF_FFFFFFFFH architecturally). */
  currentVmcs: number;
  /** Instruction count at the last VM entry (MTF fires after the first guest instruction). */
  entryInstructionCount: number;
  /** VMX-preemption timer: value at entry and the TSC then (deterministic, counts retired instructions). */
  preemptionTimerStart: number;
  preemptionTimerTsc: bigint;
  /** An MTF VM exit is pending from an injected "other event" (type 7 vector 0). */
  pendingMtf: boolean;
  /** Virtual-NMI blocking (pin "virtual NMIs" = 1). */
  virtualNmiBlocked: boolean;
}

export function initialVmxState(): VmxState {
  return {
    inVmx: false,
    nonRoot: false,
    vmxonPointer: INVALID_POINTER,
    currentVmcs: INVALID_POINTER,
    entryInstructionCount: 0,
    preemptionTimerStart: 0,
    preemptionTimerTsc: 0n,
    pendingMtf: false,
    virtualNmiBlocked: false,
  };
}
