// What VMX reports to whoever watches (the CLI's trace, the debugger): every VM entry, VM exit, failed VM
// entry with its explanation, and VMX abort. Plain data.
import type { CheckFailure } from "./checks/index";

export type VmxEvent =
  | { kind: "vmEntry"; launch: boolean; guestRip: bigint; vmcs: number }
  | {
      kind: "vmExit";
      exitReason: number;
      qualification: bigint;
      guestRip: bigint;
      instructionLength: number;
      vmcs: number;
    }
  /** VMLAUNCH/VMRESUME failed: VMfailInvalid, VMfailValid(n), or a VM-entry failure exit (33/34). */
  | {
      kind: "vmEntryFailure";
      launch: boolean;
      /** "vmfailInvalid" | "vmfailValid" | "exit" */
      outcome: "vmfailInvalid" | "vmfailValid" | "exit";
      error?: number;
      exitReason?: number;
      qualification?: number;
      failure: CheckFailure;
      rip: bigint;
    }
  | { kind: "vmxAbort"; indicator: number; message: string };

export type VmxEventListener = (e: VmxEvent) => void;
