// One-line descriptions of VMX events for `vmx run`, the debugger's console and traces.
import { EXIT_REASONS, VM_INSTRUCTION_ERRORS } from "../../arch/index";
import type { VmxEvent } from "./events";

const hex = (v: number | bigint) => `0x${BigInt.asUintN(64, BigInt(v)).toString(16).toUpperCase()}`;

export function exitReasonName(reason: number): string {
  return EXIT_REASONS[reason & 0xffff]?.name ?? `exit reason ${reason & 0xffff}`;
}

/** e.g. "VM exit 10 (CPUID) at guest RIP 0x1008B6, qualification 0x0, length 2". */
export function describeVmxEvent(e: VmxEvent): string {
  switch (e.kind) {
    case "vmEntry":
      return `${e.launch ? "VMLAUNCH" : "VMRESUME"}: VM entry, guest RIP ${hex(e.guestRip)}`;
    case "vmExit":
      return `VM exit ${e.exitReason} (${exitReasonName(e.exitReason)}) at guest RIP ${hex(e.guestRip)}, qualification ${hex(e.qualification)}, instruction length ${e.instructionLength}`;
    case "vmEntryFailure": {
      const what = e.launch ? "VMLAUNCH" : "VMRESUME";
      const outcome =
        e.outcome === "vmfailInvalid"
          ? "VMfailInvalid"
          : e.outcome === "vmfailValid"
            ? `VMfailValid(${e.error}: ${VM_INSTRUCTION_ERRORS[e.error ?? 0] ?? "?"})`
            : `VM-entry failure, exit reason ${e.exitReason} (${exitReasonName(e.exitReason ?? 0)}), qualification ${e.qualification}`;
      const fields = e.failure.fields.map((f) => `${f.name}=${hex(f.value)}`).join(", ");
      return `${what} failed: ${outcome}\n  ${e.failure.checkId}: ${e.failure.message}${fields ? `\n  fields: ${fields}` : ""}`;
    }
    case "vmxAbort":
      return `VMX abort, indicator ${e.indicator}: ${e.message}`;
  }
}
