// Why a run (or a single step) stopped. Plain data: the debugger and `vmx run` print it.

export type StopReason =
  /**
   * HLT with nothing that can wake the processor — RFLAGS.IF = 0 (`interruptsEnabled` false), or no interrupt
   * requested and no timer armed on an unmasked line: the normal end of a program.
   */
  | { kind: "halted"; rip: bigint; interruptsEnabled?: boolean }
  /** A breakpoint address (linear or physical) was reached, before the instruction there executed. */
  | { kind: "breakpoint"; rip: bigint; address: bigint; physical: boolean }
  /** The instruction budget of run() is used up. */
  | { kind: "budget"; rip: bigint; executed: number }
  /** A triple fault: the processor entered the shutdown state (SDM 6.15, interrupt 8 "Double Fault"). */
  | { kind: "tripleFault"; rip: bigint; vector: number; message: string }
  /** The start state's IDT handler for `vector` ran: an exception nobody handled (long64/protected32 starts). */
  | { kind: "exception"; vector: number; errorCode?: number; rip: bigint; cr2?: bigint }
  /**
   * Only with `stopOnExceptionDelivery`: an exception (vector 0–31 raised by an instruction or by event
   * delivery, including #BP from INT3, #OF from INTO and #DB from INT1; not INT n, not external interrupts, not
   * events injected by VM entry) was delivered through the program's own IDT/IVT. Reported after delivery
   * completed: `rip` is the handler's entry (the RIP offset in the new CS), `faultRip` the RIP of the instruction
   * that raised it. `guest`: delivered in VMX non-root operation (exceptions that cause VM exits are not
   * deliveries). A #DF is reported as vector 8 once delivered; a triple fault stays `tripleFault`.
   */
  | {
      kind: "exceptionDelivered";
      vector: number;
      errorCode?: number;
      faultRip: bigint;
      rip: bigint;
      cr2?: bigint;
      guest: boolean;
    }
  /**
   * An INIT signal outside VMX operation: the processor went to its INIT state (real mode at the reset vector,
   * SDM 9.1.1), where firmware would run; this machine has none, so the run ends here. `rip`: the instruction
   * that raised it (the OUT to port 92h).
   */
  | { kind: "init"; rip: bigint; message: string }
  /** Shutdown for another reason (VMX abort, shutdown port), with an explanation. */
  | { kind: "shutdown"; rip: bigint; message: string }
  /** VMX: a VM entry failed (check id, SDM section, message, fields). Filled by emulator/vmx. */
  | {
      kind: "vmEntryFailure";
      rip: bigint;
      checkId: string;
      sdmSection: string;
      message: string;
      fields: { name: string; value: bigint }[];
    }
  /** VMX: a VM exit happened and the caller asked to stop on exits. */
  | { kind: "vmExit"; rip: bigint; exitReason: number; qualification: bigint }
  /** step() only: a single instruction completed and nothing else happened. */
  | { kind: "step"; rip: bigint };

export type StopKind = StopReason["kind"];
