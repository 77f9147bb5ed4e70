// Bit layouts of VMX information fields: exit reason, interruption information, interruptibility state,
// pending debug exceptions, activity state, EPTP, and the exit qualifications (SDM 25.4.2, 25.8.3, 25.9, 27.2.1).
import { type BitField, bit, field } from "./bits";

export const INTERRUPTION_TYPES: Readonly<Record<number, string>> = {
  0: "external interrupt",
  1: "reserved",
  2: "NMI",
  3: "hardware exception",
  4: "software interrupt",
  5: "privileged software exception",
  6: "software exception",
  7: "other event",
};

export const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  0: "#DE",
  1: "#DB",
  2: "NMI",
  3: "#BP",
  4: "#OF",
  5: "#BR",
  6: "#UD",
  7: "#NM",
  8: "#DF",
  10: "#TS",
  11: "#NP",
  12: "#SS",
  13: "#GP",
  14: "#PF",
  16: "#MF",
  17: "#AC",
  18: "#MC",
  19: "#XM",
  20: "#VE",
  21: "#CP",
};

/** Exit-reason field (SDM 25.9.1). */
export const EXIT_REASON_BITS = [
  field(15, 0, "BASIC_EXIT_REASON", "Basic exit reason (Appendix C)"),
  bit(26, "BUS_LOCK_PREEMPTED", "A bus lock was asserted by the guest before this VM exit"),
  bit(27, "ENCLAVE_MODE", "VM exit from enclave mode"),
  bit(28, "PENDING_MTF", "Pending MTF VM exit"),
  bit(29, "FROM_VMX_ROOT", "VM exit from VMX root operation (SMM VM exit)"),
  bit(31, "VM_ENTRY_FAILURE", "VM-entry failure"),
] as const satisfies readonly BitField[];

/** VM-entry interruption-information field (SDM 25.8.3). */
export const ENTRY_INTERRUPTION_INFO_BITS = [
  field(7, 0, "VECTOR", "Vector of the interrupt or exception", EXCEPTION_NAMES),
  field(10, 8, "TYPE", "Interruption type", INTERRUPTION_TYPES),
  bit(11, "DELIVER_ERROR_CODE", "Deliver an error code (from VM_ENTRY_EXCEPTION_ERROR_CODE)"),
  bit(31, "VALID", "Valid: inject this event on VM entry"),
] as const satisfies readonly BitField[];

/** VM-exit interruption-information field (SDM 25.9.2). */
export const EXIT_INTERRUPTION_INFO_BITS = [
  field(7, 0, "VECTOR", "Vector of the interrupt or exception", EXCEPTION_NAMES),
  field(10, 8, "TYPE", "Interruption type", INTERRUPTION_TYPES),
  bit(11, "ERROR_CODE_VALID", "Error code valid (in VM_EXIT_INTERRUPTION_ERROR_CODE)"),
  bit(12, "NMI_UNBLOCKING_DUE_TO_IRET", "NMI unblocking due to IRET"),
  bit(31, "VALID", "Valid"),
] as const satisfies readonly BitField[];

/** IDT-vectoring information field (SDM 25.9.3). */
export const IDT_VECTORING_INFO_BITS = [
  field(7, 0, "VECTOR", "Vector of the interrupt or exception being delivered", EXCEPTION_NAMES),
  field(10, 8, "TYPE", "Interruption type", INTERRUPTION_TYPES),
  bit(11, "ERROR_CODE_VALID", "Error code valid (in IDT_VECTORING_ERROR_CODE)"),
  bit(31, "VALID", "Valid: the VM exit occurred during event delivery"),
] as const satisfies readonly BitField[];

/** Guest interruptibility state (SDM 25.4.2). */
export const INTERRUPTIBILITY_BITS = [
  bit(0, "BLOCKING_BY_STI", "Blocking by STI"),
  bit(1, "BLOCKING_BY_MOV_SS", "Blocking by MOV SS or POP SS"),
  bit(2, "BLOCKING_BY_SMI", "Blocking by SMI"),
  bit(3, "BLOCKING_BY_NMI", "Blocking by NMI (or virtual-NMI blocking)"),
  bit(4, "ENCLAVE_INTERRUPTION", "A VM exit saved enclave state"),
] as const satisfies readonly BitField[];

/** Guest activity state values (SDM 25.4.2). */
export const ACTIVITY_STATES: Readonly<Record<number, string>> = {
  0: "active",
  1: "HLT",
  2: "shutdown",
  3: "wait-for-SIPI",
};
export const ACTIVITY_STATE_BITS = [
  field(31, 0, "ACTIVITY_STATE", "Guest activity state", ACTIVITY_STATES),
] as const satisfies readonly BitField[];

/** Guest pending debug exceptions (SDM 25.4.2). */
export const PENDING_DEBUG_EXCEPTIONS_BITS = [
  bit(0, "B0", "Breakpoint condition 0 met"),
  bit(1, "B1", "Breakpoint condition 1 met"),
  bit(2, "B2", "Breakpoint condition 2 met"),
  bit(3, "B3", "Breakpoint condition 3 met"),
  bit(12, "ENABLED_BREAKPOINT", "At least one enabled breakpoint condition met"),
  bit(14, "BS", "Single-step (a debug exception would be triggered by RFLAGS.TF)"),
  bit(16, "RTM", "Debug exception or breakpoint inside an RTM region"),
] as const satisfies readonly BitField[];

/** EPT pointer (SDM 25.6.11). */
export const EPTP_BITS = [
  field(2, 0, "MEMORY_TYPE", "EPT paging-structure memory type", { 0: "UC", 6: "WB" }),
  field(5, 3, "PAGE_WALK_LENGTH_MINUS_1", "EPT page-walk length minus 1 (3 = 4 levels, 4 = 5 levels)"),
  bit(6, "ACCESSED_DIRTY", "Accessed and dirty flags for EPT enabled"),
  bit(7, "SUPERVISOR_SHADOW_STACK", "Access rights for supervisor shadow-stack pages enforced"),
  field(51, 12, "PML4_ADDRESS", "Physical address of the EPT PML4 (or PML5) table, 4-KByte aligned (bits 51:12)"),
] as const satisfies readonly BitField[];

const GPRS: Readonly<Record<number, string>> = {
  0: "RAX",
  1: "RCX",
  2: "RDX",
  3: "RBX",
  4: "RSP",
  5: "RBP",
  6: "RSI",
  7: "RDI",
  8: "R8",
  9: "R9",
  10: "R10",
  11: "R11",
  12: "R12",
  13: "R13",
  14: "R14",
  15: "R15",
};

/** Exit qualification for control-register accesses (SDM 27.2.1). */
export const CR_ACCESS_QUALIFICATION_BITS = [
  field(3, 0, "CR", "Number of the control register (0 for CLTS and LMSW)"),
  field(5, 4, "ACCESS_TYPE", "Access type", { 0: "MOV to CR", 1: "MOV from CR", 2: "CLTS", 3: "LMSW" }),
  field(6, 6, "LMSW_OPERAND", "LMSW operand type", { 0: "register", 1: "memory" }),
  field(11, 8, "GPR", "General-purpose register of MOV CR", GPRS),
  field(31, 16, "LMSW_SOURCE", "Source data of LMSW"),
] as const satisfies readonly BitField[];

/** Exit qualification for MOV DR (SDM 27.2.1). */
export const MOV_DR_QUALIFICATION_BITS = [
  field(2, 0, "DR", "Number of the debug register"),
  field(4, 4, "DIRECTION", "Direction of access", { 0: "MOV to DR", 1: "MOV from DR" }),
  field(11, 8, "GPR", "General-purpose register", GPRS),
] as const satisfies readonly BitField[];

/** Exit qualification for I/O instructions (SDM 27.2.1). */
export const IO_QUALIFICATION_BITS = [
  field(2, 0, "SIZE", "Size of access", { 0: "1 byte", 1: "2 bytes", 3: "4 bytes" }),
  field(3, 3, "DIRECTION", "Direction of the attempted access", { 0: "OUT", 1: "IN" }),
  bit(4, "STRING", "String instruction (INS/OUTS)"),
  bit(5, "REP", "REP prefixed"),
  field(6, 6, "OPERAND_ENCODING", "Port operand", { 0: "DX", 1: "immediate" }),
  field(31, 16, "PORT", "Port number"),
] as const satisfies readonly BitField[];

/** Exit qualification for EPT violations (SDM 27.2.1). */
export const EPT_VIOLATION_QUALIFICATION_BITS = [
  bit(0, "READ", "The access was a data read"),
  bit(1, "WRITE", "The access was a data write"),
  bit(2, "FETCH", "The access was an instruction fetch"),
  bit(3, "READABLE", "The guest-physical address was readable"),
  bit(4, "WRITABLE", "The guest-physical address was writable"),
  bit(5, "EXECUTABLE", "The guest-physical address was executable (supervisor-executable with mode-based control)"),
  bit(6, "USER_EXECUTABLE", "The guest-physical address was user-mode executable (mode-based control)"),
  bit(7, "GUEST_LINEAR_ADDRESS_VALID", "The guest linear-address field is valid"),
  bit(8, "TRANSLATED_ACCESS", "The access was to the translated linear address (not a paging-structure entry)"),
  bit(9, "USER_MODE_LINEAR_ADDRESS", "The linear address was user-mode (advanced VM-exit information)"),
  bit(10, "READ_WRITE_PAGE", "The linear address was read/write (advanced VM-exit information)"),
  bit(11, "EXECUTE_DISABLE_PAGE", "The linear address was execute-disable (advanced VM-exit information)"),
  bit(12, "NMI_UNBLOCKING_DUE_TO_IRET", "NMI unblocking due to IRET"),
  bit(13, "SHADOW_STACK_ACCESS", "The access was a shadow-stack access"),
  bit(14, "SUPERVISOR_SHADOW_STACK", "The page was a supervisor shadow-stack page"),
  bit(15, "GUEST_PAGING_VERIFICATION", "Caused by guest-paging verification"),
  bit(16, "ASYNCHRONOUS", "The access was asynchronous to instruction execution"),
] as const satisfies readonly BitField[];

/** Exit qualification for task switches (SDM 27.2.1). */
export const TASK_SWITCH_QUALIFICATION_BITS = [
  field(15, 0, "SELECTOR", "Selector of the task-state segment"),
  field(31, 30, "SOURCE", "Source of the task switch", { 0: "CALL", 1: "IRET", 2: "JMP", 3: "task gate in IDT" }),
] as const satisfies readonly BitField[];

/** Exit qualification for debug exceptions (SDM 27.2.1). */
export const DEBUG_EXCEPTION_QUALIFICATION_BITS = [
  bit(0, "B0", "Breakpoint condition 0 met"),
  bit(1, "B1", "Breakpoint condition 1 met"),
  bit(2, "B2", "Breakpoint condition 2 met"),
  bit(3, "B3", "Breakpoint condition 3 met"),
  bit(13, "BD", "Debug-register access detected"),
  bit(14, "BS", "Single step"),
  bit(16, "RTM", "Inside an RTM region"),
] as const satisfies readonly BitField[];

/** Exit qualification of VM-entry failures due to invalid guest state (exit reason 33, SDM 26.8). */
export const ENTRY_FAILURE_QUALIFICATIONS: Readonly<Record<number, string>> = {
  0: "default (no additional information)",
  2: "failure to load a PDPTE",
  3: "attempt to inject an NMI while blocked by STI or MOV SS (with virtual NMIs)",
  4: "invalid VMCS link pointer",
};
export const ENTRY_FAILURE_QUALIFICATION_BITS = [
  field(63, 0, "REASON", "Reason for the VM-entry failure", ENTRY_FAILURE_QUALIFICATIONS),
] as const satisfies readonly BitField[];

const SEGMENTS: Readonly<Record<number, string>> = { 0: "ES", 1: "CS", 2: "SS", 3: "DS", 4: "FS", 5: "GS" };
const ADDRESS_SIZES: Readonly<Record<number, string>> = { 0: "16-bit", 1: "32-bit", 2: "64-bit" };
const SCALING: Readonly<Record<number, string>> = {
  0: "no scaling",
  1: "scale by 2",
  2: "scale by 4",
  3: "scale by 8",
};

/** The memory-operand part shared by the VMX-instruction layouts of VM-exit instruction information (SDM 27.2.5). */
const MEMORY_OPERAND_BITS = [
  field(1, 0, "SCALING", "Scaling of the index register (memory operands)", SCALING),
  field(9, 7, "ADDRESS_SIZE", "Address size", ADDRESS_SIZES),
  field(17, 15, "SEGMENT", "Segment register (memory operands)", SEGMENTS),
  field(21, 18, "INDEX_REG", "Index register (memory operands)", GPRS),
  bit(22, "INDEX_INVALID", "No index register"),
  field(26, 23, "BASE_REG", "Base register (memory operands)", GPRS),
  bit(27, "BASE_INVALID", "No base register"),
] as const satisfies readonly BitField[];

/** VM-exit instruction information for VMREAD and VMWRITE (SDM 27.2.5). */
export const VMREAD_VMWRITE_INFO_BITS = [
  ...MEMORY_OPERAND_BITS.slice(0, 1),
  field(6, 3, "REG1", "Register operand (VMREAD destination / VMWRITE source) when bit 10 = 1", GPRS),
  ...MEMORY_OPERAND_BITS.slice(1, 2),
  field(10, 10, "MEM_REG", "Operand kind", { 0: "memory", 1: "register" }),
  ...MEMORY_OPERAND_BITS.slice(2),
  field(31, 28, "REG2", "Register holding the field encoding", GPRS),
] as const satisfies readonly BitField[];

/** VM-exit instruction information for VMCLEAR, VMPTRLD, VMPTRST, VMXON, XRSTORS and XSAVES (SDM 27.2.5). */
export const VMX_POINTER_INFO_BITS = MEMORY_OPERAND_BITS;

/** VM-exit instruction information for INVEPT, INVPCID and INVVPID (SDM 27.2.5). */
export const INV_INSTRUCTION_INFO_BITS = [
  ...MEMORY_OPERAND_BITS,
  field(31, 28, "REG2", "Register holding the INVEPT/INVPCID/INVVPID type", GPRS),
] as const satisfies readonly BitField[];

/** VM-exit instruction information for RDRAND and RDSEED (SDM 27.2.5). */
export const RDRAND_RDSEED_INFO_BITS = [
  field(6, 3, "DEST_REG", "Destination register", GPRS),
  field(12, 11, "OPERAND_SIZE", "Operand size", { 0: "16-bit", 1: "32-bit", 2: "64-bit" }),
] as const satisfies readonly BitField[];

/** VM-exit instruction-information layout for a basic exit reason, if the SDM defines one we model. */
export function instructionInformationBits(basicExitReason: number): readonly BitField[] | undefined {
  switch (basicExitReason) {
    case 23: // VMREAD
    case 25: // VMWRITE
      return VMREAD_VMWRITE_INFO_BITS;
    case 19: // VMCLEAR
    case 21: // VMPTRLD
    case 22: // VMPTRST
    case 27: // VMXON
    case 63: // XSAVES
    case 64: // XRSTORS
      return VMX_POINTER_INFO_BITS;
    case 50: // INVEPT
    case 53: // INVVPID
    case 58: // INVPCID
      return INV_INSTRUCTION_INFO_BITS;
    case 57: // RDRAND
    case 61: // RDSEED
      return RDRAND_RDSEED_INFO_BITS;
    default:
      return undefined;
  }
}

/** Exit-qualification layout for a basic exit reason, if it has one (SDM 27.2.1). */
export function exitQualificationBits(basicExitReason: number): readonly BitField[] | undefined {
  switch (basicExitReason) {
    case 28:
      return CR_ACCESS_QUALIFICATION_BITS;
    case 29:
      return MOV_DR_QUALIFICATION_BITS;
    case 30:
      return IO_QUALIFICATION_BITS;
    case 48:
      return EPT_VIOLATION_QUALIFICATION_BITS;
    case 9:
      return TASK_SWITCH_QUALIFICATION_BITS;
    case 33:
      return ENTRY_FAILURE_QUALIFICATION_BITS;
    case 34:
      return [field(63, 0, "MSR_INDEX", "1-based index of the MSR-load entry that failed")];
    case 14:
      return [field(63, 0, "LINEAR_ADDRESS", "Linear-address operand of INVLPG")];
    default:
      return undefined;
  }
}
