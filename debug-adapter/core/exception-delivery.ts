// Exceptions delivered through the program's own IDT/IVT (the emulator's exceptionDelivered stop): what the
// exception widget shows — vector, error code, CR2, the faulting instruction with its line, and the handler.
import { readValue } from "./eval-env";
import { vectorName } from "./names";
import type { SourceLocation, SourceMap } from "./source-map";
import type { DebugTarget, StopReason } from "./target";

/** An exception delivered through the program's own IDT/IVT (host or guest), as the exception widget shows it. */
export interface ExceptionDelivery {
  vector: number;
  errorCode?: number;
  /** CR2 of a #PF. */
  cr2?: bigint;
  /** Delivered in VMX non-root operation (through the guest's IDT). */
  guest: boolean;
  /** Linear address and source line of the instruction that raised the exception. */
  faultAddress: bigint;
  faultLocation?: SourceLocation;
  /** The faulting instruction's text. */
  faultInstruction?: string;
  /** Linear address of the handler's entry (where the CPU is now) and its label. */
  handlerAddress: bigint;
  handlerName?: string;
  handlerLocation?: SourceLocation;
}

/** The facts of a delivered exception: vector, error code, the faulting instruction and the handler. */
export function describeDelivery(
  t: DebugTarget,
  sourceMap: SourceMap | undefined,
  syntax: "gas" | "nasm",
  r: Extract<StopReason, { kind: "exceptionDelivered" }>,
): ExceptionDelivery {
  const handlerAddress = t.currentInstructionAddress();
  const faultAddress = faultLinear(t, r.faultRip, r.errorCode !== undefined);
  const d: ExceptionDelivery = { vector: r.vector, guest: r.guest, faultAddress, handlerAddress };
  if (r.errorCode !== undefined) d.errorCode = r.errorCode;
  if (r.cr2 !== undefined) d.cr2 = r.cr2;
  const fl = sourceMap?.locationOf(faultAddress);
  if (fl) d.faultLocation = fl;
  const insn = t.disassemble(faultAddress, syntax === "gas" ? "att" : "intel");
  if (insn) d.faultInstruction = insn.text;
  const hl = sourceMap?.locationOf(handlerAddress);
  if (hl) d.handlerLocation = hl;
  const fn = sourceMap?.labelFor(handlerAddress);
  if (fn) d.handlerName = fn.offset === 0n ? fn.name : `${fn.name}+0x${fn.offset.toString(16)}`;
  return d;
}

/**
 * The faulting instruction's linear address from its RIP. In real mode the CS it ran with is on the handler's
 * stack (IP, CS, FLAGS; SDM 20.1.4); a fault in virtual-8086 mode pushes EIP, CS, EFLAGS with EFLAGS.VM set
 * (SDM 20.3.1.1), so its CS is a paragraph too. Otherwise code segments are flat in practice and the handler's
 * CS base is used (64-bit mode ignores it).
 */
function faultLinear(t: DebugTarget, faultRip: bigint, hasErrorCode: boolean): bigint {
  const mode = t.cpuMode();
  if (mode === "long64") return faultRip;
  try {
    if (mode === "real") {
      const sp = t.getSegment(2).base + (t.readGpr(4) & 0xffffn);
      return (readValue(t, sp + 2n, 2) << 4n) + (faultRip & 0xffffn);
    }
    const sp = t.getSegment(2).base + (t.readGpr(4) & 0xffffffffn) + (hasErrorCode ? 4n : 0n);
    const eflags = readValue(t, sp + 8n, 4);
    if ((eflags >> 17n) & 1n) return (readValue(t, sp + 4n, 2) << 4n) + (faultRip & 0xffffn);
  } catch {
    // An unreadable stack: fall back to the handler's CS.
  }
  return BigInt.asUintN(32, t.getSegment(1).base + faultRip);
}

function at(loc: SourceLocation | undefined): string {
  return loc ? ` (${loc.file}:${loc.line + 1})` : "";
}

/** A delivered exception in plain lines (exceptionInfo details). */
export function deliveryText(d: ExceptionDelivery): string {
  const lines = [`${d.guest ? "guest " : ""}exception ${vectorName(d.vector)} delivered through the IDT`];
  if (d.errorCode !== undefined) lines.push(`error code: 0x${d.errorCode.toString(16)}`);
  if (d.cr2 !== undefined) lines.push(`CR2 (faulting linear address): 0x${d.cr2.toString(16)}`);
  lines.push(
    `raised by: 0x${d.faultAddress.toString(16)}${d.faultInstruction ? ` ${d.faultInstruction}` : ""}${at(d.faultLocation)}`,
  );
  lines.push(
    `handler: 0x${d.handlerAddress.toString(16)}${d.handlerName ? ` ${d.handlerName}` : ""}${at(d.handlerLocation)}`,
  );
  return lines.join("\n");
}
