// formatValue: decode a VMCS field's, register's or MSR's value into named bits, one line each.
import { type BitField, formatBits } from "./bits";
import { CONTROL_SETS, controlBitFields } from "./controls";
import { EXIT_REASONS, VM_INSTRUCTION_ERRORS } from "./exit-reasons";
import { type MsrInfo, msrByIndex, msrByName } from "./msrs";
import {
  ACCESS_RIGHTS_BITS,
  CR0_BITS,
  CR4_BITS,
  DR7_BITS,
  describeAccessRights,
  EFER_BITS,
  RFLAGS_BITS,
} from "./registers";
import { fieldByNameOrHigh } from "./vmcs-encoding";
import { VMCS, type VmcsField } from "./vmcs-fields";
import {
  ACTIVITY_STATE_BITS,
  ENTRY_INTERRUPTION_INFO_BITS,
  EPTP_BITS,
  EXCEPTION_NAMES,
  EXIT_INTERRUPTION_INFO_BITS,
  EXIT_REASON_BITS,
  exitQualificationBits,
  IDT_VECTORING_INFO_BITS,
  INTERRUPTIBILITY_BITS,
  instructionInformationBits,
  PENDING_DEBUG_EXCEPTIONS_BITS,
} from "./vmx-formats";

export interface FormatContext {
  /** Basic exit reason, needed to decode EXIT_QUALIFICATION. */
  exitReason?: number;
}

const REGISTERS: Record<string, readonly BitField[]> = {
  CR0: CR0_BITS,
  CR4: CR4_BITS,
  EFER: EFER_BITS,
  RFLAGS: RFLAGS_BITS,
  EFLAGS: RFLAGS_BITS,
  DR7: DR7_BITS,
};

/** The bit layout of a VMCS field, when it has one. */
export function vmcsFieldBits(f: VmcsField, context: FormatContext = {}): readonly BitField[] | undefined {
  const set = CONTROL_SETS.find((s) => s.field === f.encoding);
  if (set) return controlBitFields(set);
  switch (f.encoding) {
    case VMCS.GUEST_CR0:
    case VMCS.HOST_CR0:
    case VMCS.CR0_GUEST_HOST_MASK:
    case VMCS.CR0_READ_SHADOW:
      return CR0_BITS;
    case VMCS.GUEST_CR4:
    case VMCS.HOST_CR4:
    case VMCS.CR4_GUEST_HOST_MASK:
    case VMCS.CR4_READ_SHADOW:
      return CR4_BITS;
    case VMCS.GUEST_RFLAGS:
      return RFLAGS_BITS;
    case VMCS.GUEST_DR7:
      return DR7_BITS;
    case VMCS.GUEST_IA32_EFER:
    case VMCS.HOST_IA32_EFER:
      return EFER_BITS;
    case VMCS.GUEST_IA32_PAT:
    case VMCS.HOST_IA32_PAT:
      return msrByName("IA32_PAT")?.bits;
    case VMCS.GUEST_IA32_DEBUGCTL:
      return msrByName("IA32_DEBUGCTL")?.bits;
    case VMCS.GUEST_IA32_BNDCFGS:
      return msrByName("IA32_BNDCFGS")?.bits;
    case VMCS.GUEST_INTERRUPTIBILITY_STATE:
      return INTERRUPTIBILITY_BITS;
    case VMCS.GUEST_ACTIVITY_STATE:
      return ACTIVITY_STATE_BITS;
    case VMCS.GUEST_PENDING_DEBUG_EXCEPTIONS:
      return PENDING_DEBUG_EXCEPTIONS_BITS;
    case VMCS.EXIT_REASON:
      return EXIT_REASON_BITS;
    case VMCS.VM_EXIT_INTERRUPTION_INFORMATION:
      return EXIT_INTERRUPTION_INFO_BITS;
    case VMCS.IDT_VECTORING_INFORMATION:
      return IDT_VECTORING_INFO_BITS;
    case VMCS.VM_ENTRY_INTERRUPTION_INFORMATION:
      return ENTRY_INTERRUPTION_INFO_BITS;
    case VMCS.EPT_POINTER:
      return EPTP_BITS;
    case VMCS.EXIT_QUALIFICATION:
      return context.exitReason === undefined ? undefined : exitQualificationBits(context.exitReason);
    case VMCS.VM_EXIT_INSTRUCTION_INFORMATION:
      return context.exitReason === undefined ? undefined : instructionInformationBits(context.exitReason);
  }
  if (f.name.endsWith("_ACCESS_RIGHTS")) return ACCESS_RIGHTS_BITS;
  return undefined;
}

function formatVmcsField(f: VmcsField, value: bigint, context: FormatContext): string[] {
  const lines: string[] = [];
  if (f.encoding === VMCS.VM_INSTRUCTION_ERROR) {
    const msg = VM_INSTRUCTION_ERRORS[Number(value)];
    return [msg ? `error ${value}: ${msg}` : `error ${value}: not a VM-instruction error number (1-28)`];
  }
  if (f.encoding === VMCS.EXCEPTION_BITMAP) {
    const vectors: string[] = [];
    for (let v = 0; v < 32; v++) if ((value >> BigInt(v)) & 1n) vectors.push(EXCEPTION_NAMES[v] ?? `vector ${v}`);
    return [vectors.length ? `exit on: ${vectors.join(" ")}` : "no exception causes a VM exit"];
  }
  if (f.encoding === VMCS.EXIT_REASON) {
    const basic = Number(value & 0xffffn);
    const r = EXIT_REASONS[basic];
    lines.push(r ? `basic exit reason ${basic}: ${r.name} — ${r.description}` : `basic exit reason ${basic}: unknown`);
  }
  if (f.name.endsWith("_ACCESS_RIGHTS")) lines.push(describeAccessRights(Number(value & 0xffffffffn)));
  if (
    (f.encoding === VMCS.EXIT_QUALIFICATION || f.encoding === VMCS.VM_EXIT_INSTRUCTION_INFORMATION) &&
    context.exitReason === undefined
  )
    lines.push("(the layout depends on the exit reason; pass it to decode the bits)");
  const bits = vmcsFieldBits(f, context);
  if (bits) lines.push(...formatBits(bits, value));
  return lines;
}

/**
 * Decodes `value` into named bits, one line per set bit or multi-bit field. `target` is a VMCS field (object,
 * name or `NAME_HIGH`), a register name (CR0, CR4, EFER, RFLAGS, DR7) or an MSR (object or name). Returns an
 * empty list when the target has no bit layout.
 */
export function formatValue(
  target: VmcsField | MsrInfo | string,
  value: bigint,
  context: FormatContext = {},
): string[] {
  if (typeof target === "string") {
    const reg = REGISTERS[target.trim().toUpperCase()];
    if (reg) return formatBits(reg, value);
    const vf = fieldByNameOrHigh(target);
    if (vf)
      return vf.high ? formatVmcsField(vf.field, value << 32n, context) : formatVmcsField(vf.field, value, context);
    const msr = msrByName(target);
    return msr ? formatMsr(msr, value) : [];
  }
  if ("encoding" in target) return formatVmcsField(target, value, context);
  return formatMsr(target, value);
}

function formatMsr(msr: MsrInfo, value: bigint): string[] {
  return msr.bits ? formatBits(msr.bits, value) : [];
}

/** formatValue for an MSR given by index. */
export function formatMsrValue(index: number, value: bigint): string[] {
  const msr = msrByIndex(index);
  return msr ? formatMsr(msr, value) : [];
}
