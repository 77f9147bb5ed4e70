// The VMX instructions (SDM Vol. 3C chapter 30 "VMX Instruction Reference", section numbers of the edition the
// rest of arch/ cites): the one list the assembler's instruction classes, the grammars, the language server and
// the debugger read.
import { EXIT_REASON } from "./exit-reasons";

export interface VmxInstruction {
  /** Lower-case Intel mnemonic, e.g. "vmlaunch". */
  mnemonic: string;
  /** What it does, in a few words. */
  summary: string;
  /** Basic exit reason when executed in VMX non-root operation (SDM 25.1.2: all of them exit unconditionally,
   * VMFUNC only when the function is not enabled or fails, SDM 25.5.6). */
  exitReason: number;
  /** Reports its outcome as VMsucceed / VMfailInvalid / VMfailValid in RFLAGS (SDM 30.2). VMPTRST and VMFUNC
   * never VMfail (they succeed, fault or exit). */
  vmFail: boolean;
}

const ROWS: readonly VmxInstruction[] = [
  { mnemonic: "vmxon", summary: "enter VMX operation", exitReason: EXIT_REASON.VMXON, vmFail: true },
  { mnemonic: "vmxoff", summary: "leave VMX operation", exitReason: EXIT_REASON.VMXOFF, vmFail: true },
  { mnemonic: "vmclear", summary: "clear a VMCS", exitReason: EXIT_REASON.VMCLEAR, vmFail: true },
  { mnemonic: "vmptrld", summary: "load the current-VMCS pointer", exitReason: EXIT_REASON.VMPTRLD, vmFail: true },
  {
    mnemonic: "vmptrst",
    summary: "store the current-VMCS pointer",
    exitReason: EXIT_REASON.VMPTRST,
    vmFail: false,
  },
  { mnemonic: "vmread", summary: "read a field of the current VMCS", exitReason: EXIT_REASON.VMREAD, vmFail: true },
  {
    mnemonic: "vmwrite",
    summary: "write a field of the current VMCS",
    exitReason: EXIT_REASON.VMWRITE,
    vmFail: true,
  },
  { mnemonic: "vmlaunch", summary: "launch a virtual machine", exitReason: EXIT_REASON.VMLAUNCH, vmFail: true },
  { mnemonic: "vmresume", summary: "resume a virtual machine", exitReason: EXIT_REASON.VMRESUME, vmFail: true },
  { mnemonic: "vmcall", summary: "call to the VM monitor", exitReason: EXIT_REASON.VMCALL, vmFail: true },
  { mnemonic: "vmfunc", summary: "invoke a VM function", exitReason: EXIT_REASON.VMFUNC, vmFail: false },
  {
    mnemonic: "invept",
    summary: "invalidate EPT-derived translations",
    exitReason: EXIT_REASON.INVEPT,
    vmFail: true,
  },
  {
    mnemonic: "invvpid",
    summary: "invalidate translations by VPID",
    exitReason: EXIT_REASON.INVVPID,
    vmFail: true,
  },
];

/** The thirteen VMX instructions, in the SDM's order of introduction above. */
export const VMX_INSTRUCTIONS: readonly VmxInstruction[] = Object.freeze(ROWS.map((r) => Object.freeze(r)));

const BY_MNEMONIC = new Map(VMX_INSTRUCTIONS.map((i) => [i.mnemonic, i]));

/** The VMX instruction named `mnemonic` (any case), or undefined. */
export function vmxInstruction(mnemonic: string): VmxInstruction | undefined {
  return BY_MNEMONIC.get(mnemonic.toLowerCase());
}
