// The VMX custom requests and event between the extension's VMCS / VM-exit views and the debug adapter.
// Declared once here and imported by both sides (the vscode-eslint pattern): the adapter implements the
// requests in its `customRequest` handler, the extension calls them with `DebugSession.customRequest`.
//
// Conventions
// - Every register / field value travels as a lower-case hex string ("0x1f"): JSON has no 64-bit integers.
// - Source locations are 0-based (line and column), paths are absolute file-system paths, as in the
//   assembler's lineMap.
// - Field metadata (name, encoding, width, type, group, SDM section) is the arch/ table's own data, so the
//   extension never writes a VMCS encoding or field name itself.
import type { VmcsField, VmcsGroup } from "../arch/index";

/** A value as lower-case hex with a `0x` prefix, e.g. "0x80000021". */
export type HexString = `0x${string}`;

/** VMX operation of the logical processor (SDM 24.1): outside VMX, root operation, non-root operation. */
export type VmxMode = "off" | "root" | "non-root";

/** Launch state of the current VMCS (SDM 25.1: "clear" after VMCLEAR, "launched" after a VMLAUNCH). */
export type VmcsLaunchState = "clear" | "launched";

export interface SourceLocation {
  /** Absolute path of the source file. */
  file: string;
  /** 0-based line. */
  line: number;
  /** 0-based column. */
  column: number;
}

/** Where a VMCS field got its current value: the VMWRITE instruction that last wrote it (its own line). */
export interface VmwriteProvenance extends SourceLocation {
  /** Linear address of the VMWRITE instruction. */
  address: HexString;
  /** Retired-instruction count when the VMWRITE executed (the emulator's deterministic clock). */
  instructionCount: number;
  /**
   * When the VMWRITE is the only one of a helper function entered by CALL (`call vmw`): the line of that CALL,
   * from the emulator's tracked call stack (absent when the helper was reached by JMP or the caller is unknown).
   */
  calledFrom?: SourceLocation;
}

/** One named bit field of a field's value (a control bit, CR0.PG, an access-rights sub-field ...). */
export interface VmcsBitState {
  name: string;
  /** Lowest bit position. */
  lsb: number;
  /** Number of bits (1 for a flag). */
  width: number;
  value: HexString;
  /** Name of an enumerated value, e.g. "64-bit code segment" or "external interrupt". */
  meaning?: string;
  description?: string;
  /** The bit field's value differs from the value at the previous stop. */
  changed: boolean;
}

/** A VMCS field of the current VMCS with its metadata (from arch/), value and history. */
export interface VmcsFieldState extends Pick<VmcsField, "name" | "encoding" | "width" | "type" | "group" | "sdm"> {
  value: HexString;
  /** The decoded bit fields; empty for fields without bit structure (addresses, limits, ...). */
  bits: VmcsBitState[];
  /** The value differs from the value at the previous stop. */
  changed: boolean;
  /** The last VMWRITE that set the field, when the program wrote it (absent for values set by the CPU). */
  provenance?: VmwriteProvenance;
  description?: string;
}

/** The last VM exit (SDM 28.2.1 basic exit reason; bit 31 = VM-entry failure). */
export interface VmExitSummary {
  /** Basic exit reason, bits 15:0 of the exit-reason field. */
  reason: number;
  /** The SDM name from arch/ EXIT_REASONS, e.g. "CPUID". */
  reasonName: string;
  /** Bit 31 of the exit-reason field: the exit reports a VM-entry failure (SDM 27.8). */
  entryFailure: boolean;
  qualification: HexString;
  description?: string;
}

/** One field and value involved in a failed VM-entry check. */
export interface VmEntryFailureField {
  /** Field name from arch/ (e.g. "GUEST_CR0"), or a register / MSR name for checks on other state. */
  name: string;
  value: HexString;
  provenance?: VmwriteProvenance;
}

/**
 * Why the last VMLAUNCH / VMRESUME failed: VMfailInvalid / VMfailValid (SDM 26.1, 26.2: controls and host
 * state, with a VM-instruction error number) or a VM exit for a failed guest-state check (SDM 26.3, 26.4).
 */
export interface VmEntryFailureExplanation {
  kind: "vmfailInvalid" | "vmfailValid" | "entryFailureExit";
  instruction: "vmlaunch" | "vmresume";
  /** Source location of the VMLAUNCH / VMRESUME. */
  location?: SourceLocation;
  /** Id of the failed check (e.g. "GCR-03", see shared/reference/vm-entry-checks.md). */
  checkId: string;
  /** SDM section of the check, e.g. "26.3.1.1". */
  sdm: string;
  /** Explanation in plain words naming the fields and values. */
  message: string;
  /** VM-instruction error number (SDM 31.4) for VMfailValid. */
  errorNumber?: number;
  /** Basic exit reason (33, 34, 41) for a VM-entry failure exit. */
  exitReason?: number;
  fields: VmEntryFailureField[];
}

// ---- vmx/state ----------------------------------------------------------------------------------------------

export const VMX_STATE_REQUEST = "vmx/state";

export interface VmxStateArguments {
  /** The thread (virtual CPU) to report; the adapter's first thread when absent. */
  threadId?: number;
}

export interface VmxStateResponseBody {
  /** Increments at every stop; lets the extension drop stale answers. */
  stopId: number;
  mode: VmxMode;
  /** Physical address given to VMXON (present in VMX operation). */
  vmxonPointer?: HexString;
  /** Current-VMCS pointer; absent when there is no current VMCS (pointer FFFFFFFF_FFFFFFFFH, SDM 24.1). */
  currentVmcs?: HexString;
  launchState?: VmcsLaunchState;
  lastExit?: VmExitSummary;
  lastEntryFailure?: VmEntryFailureExplanation;
  /** Every field of the current VMCS the CPU model supports, in arch/ table order; empty without a VMCS. */
  fields: VmcsFieldState[];
}

// ---- vmx/exitHistory ----------------------------------------------------------------------------------------

export const VMX_EXIT_HISTORY_REQUEST = "vmx/exitHistory";

export interface VmxExitHistoryArguments {
  threadId?: number;
  /** Most recent N exits (the adapter's own cap applies when absent). */
  limit?: number;
}

export interface VmExitHistoryEntry {
  /** 0-based ordinal of the exit since launch. */
  index: number;
  reason: number;
  reasonName: string;
  entryFailure: boolean;
  qualification: HexString;
  guestRip: HexString;
  /** Retired-instruction count at the exit: the point `vmx/goToExit` travels to. */
  instructionCount: number;
  /** Source location of the guest instruction that caused the exit, when it maps to a source line. */
  guestLocation?: SourceLocation;
}

export interface VmxExitHistoryResponseBody {
  /** Oldest first. */
  exits: VmExitHistoryEntry[];
  /** Number of exits since launch (greater than exits.length when the list was capped). */
  total: number;
}

// ---- vmx/writeField: the VMCS view's "Edit Value" -----------------------------------------------------------

export const VMX_WRITE_FIELD_REQUEST = "vmx/writeField";

export interface VmxWriteFieldArguments {
  threadId?: number;
  /** Field name from arch/ (e.g. "GUEST_RIP"). */
  field: string;
  /** New value: hex ("0x..."), decimal, or binary ("0b..."). */
  value: string;
}

export interface VmxWriteFieldResponseBody {
  /** The value now in the field (after truncation to the field width). */
  value: HexString;
}

// ---- vmx/goToExit: the VM-exit history view's "step back to this exit" --------------------------------------

export const VMX_GO_TO_EXIT_REQUEST = "vmx/goToExit";

export interface VmxGoToExitArguments {
  threadId?: number;
  /** `instructionCount` of a VmExitHistoryEntry. The adapter travels there (backwards or forwards) and
   * sends a `stopped` event (reason "goto") followed by `vmx/stateChanged`. */
  instructionCount: number;
}

export type VmxGoToExitResponseBody = Record<string, never>;

// ---- vmx/fieldBreakpoint: the VMCS view's "Break When Value Changes" ----------------------------------------

export const VMX_FIELD_BREAKPOINT_REQUEST = "vmx/fieldBreakpoint";

/** Adds or removes a data breakpoint on a VMCS field, kept apart from DAP setDataBreakpoints' list. */
export interface VmxFieldBreakpointArguments {
  field: string;
  enabled: boolean;
}

export interface VmxFieldBreakpointResponseBody {
  verified: boolean;
  message?: string;
  /** Every field that has a breakpoint after this request. */
  fields: string[];
}

// ---- vmx/stateChanged event ---------------------------------------------------------------------------------

/** Sent after every stop (and after a VMCS write through the adapter) so the views refresh. */
export const VMX_STATE_CHANGED_EVENT = "vmx/stateChanged";

export interface VmxStateChangedEventBody {
  stopId: number;
  mode: VmxMode;
  /** "stop": the program stopped; "write": a value changed through the adapter; "exited": the program ended. */
  cause: "stop" | "write" | "exited";
  /** A VM entry failed at this stop (the extension then decorates the source). */
  entryFailure: boolean;
}

// ---- the method table, for typed calls on both sides ---------------------------------------------------------

export interface VmxCustomRequests {
  [VMX_STATE_REQUEST]: { arguments: VmxStateArguments; body: VmxStateResponseBody };
  [VMX_EXIT_HISTORY_REQUEST]: { arguments: VmxExitHistoryArguments; body: VmxExitHistoryResponseBody };
  [VMX_WRITE_FIELD_REQUEST]: { arguments: VmxWriteFieldArguments; body: VmxWriteFieldResponseBody };
  [VMX_GO_TO_EXIT_REQUEST]: { arguments: VmxGoToExitArguments; body: VmxGoToExitResponseBody };
  [VMX_FIELD_BREAKPOINT_REQUEST]: { arguments: VmxFieldBreakpointArguments; body: VmxFieldBreakpointResponseBody };
}

export type VmxCustomRequestName = keyof VmxCustomRequests;

export function isVmxCustomRequest(command: string): command is VmxCustomRequestName {
  return (
    command === VMX_STATE_REQUEST ||
    command === VMX_EXIT_HISTORY_REQUEST ||
    command === VMX_WRITE_FIELD_REQUEST ||
    command === VMX_GO_TO_EXIT_REQUEST ||
    command === VMX_FIELD_BREAKPOINT_REQUEST
  );
}

/** Formats a value for the wire: lower-case hex with a 0x prefix. */
export function toHexString(value: bigint | number): HexString {
  const v = typeof value === "number" ? BigInt(value) : value;
  return v < 0n ? `0x${BigInt.asUintN(64, v).toString(16)}` : `0x${v.toString(16)}`;
}

/** Parses a wire value; undefined when the string is not a valid `0x` hex number. */
export function fromHexString(value: string): bigint | undefined {
  return /^0x[0-9a-f]+$/i.test(value) ? BigInt(value) : undefined;
}

export type { VmcsGroup };

// ---- launch configuration ------------------------------------------------------------------------------------

/** Start modes, as `vmx run --start` (emulator setupStart). */
export const VMX_START_MODES = ["long64", "protected32", "real16"] as const;
export type VmxStartMode = (typeof VMX_START_MODES)[number];

/** Stop conditions the launch configuration can enable (also the adapter's exception breakpoint filters). */
export const VMX_BREAK_ON = ["vmExit", "vmEntryFailure", "vmFail", "exception", "tripleFault"] as const;
export type VmxBreakOn = (typeof VMX_BREAK_ON)[number];

/** The `launch` request arguments of the `vmx` debugger (package.json contributes.debuggers). */
export interface VmxLaunchArguments {
  /** Source file(s) to assemble and link: absolute paths (the extension resolves ${file} etc.). */
  program: string | string[];
  syntax?: "auto" | "gas" | "nasm";
  start?: VmxStartMode;
  /** Entry label or address; default as in `vmx run`. */
  entry?: string;
  cpuModel?: string;
  /** Guest physical memory: bytes, or a string with a K/M/G suffix ("64M"). */
  memory?: number | string;
  stopOnEntry?: boolean;
  breakOn?: VmxBreakOn[];
  maxInstructions?: number;
  /** Log every VM exit to the Debug Console. */
  trace?: boolean;
  /** Directories for `.include` / `%include`. */
  includePaths?: string[];
  /** DAP: run without debugging (Ctrl+F5). */
  noDebug?: boolean;
}
