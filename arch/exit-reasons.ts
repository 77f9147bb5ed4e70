// Basic exit reasons (SDM Vol. 3D Appendix C) and VM-instruction error numbers (SDM 30.4).

export interface ExitReason {
  /** Upper-case constant name, e.g. "CPUID". */
  name: string;
  /** One line, in the SDM's words. */
  description: string;
}

type Row = readonly [number, string, string];

function table<const R extends readonly Row[]>(rows: R) {
  const byNumber: Record<number, ExitReason> = {};
  const names: Record<string, number> = {};
  for (const [n, name, description] of rows) {
    byNumber[n] = Object.freeze({ name, description });
    names[name] = n;
  }
  return {
    byNumber: Object.freeze(byNumber) as Readonly<Record<number, ExitReason>>,
    names: Object.freeze(names) as { readonly [K in R[number][1]]: number },
  };
}

const reasons = table([
  [0, "EXCEPTION_OR_NMI", "Exception or non-maskable interrupt (NMI), per the exception bitmap"],
  [1, "EXTERNAL_INTERRUPT", "External interrupt with external-interrupt exiting = 1"],
  [2, "TRIPLE_FAULT", "Triple fault in the guest"],
  [3, "INIT_SIGNAL", "INIT signal arrived"],
  [4, "SIPI", "Start-up IPI (SIPI) arrived while in wait-for-SIPI state"],
  [5, "IO_SMI", "I/O system-management interrupt (SMI) immediately after an I/O instruction"],
  [6, "OTHER_SMI", "SMI that does not follow an I/O instruction"],
  [7, "INTERRUPT_WINDOW", "Interrupt window open with interrupt-window exiting = 1"],
  [8, "NMI_WINDOW", "NMI window open with NMI-window exiting = 1"],
  [9, "TASK_SWITCH", "Guest attempted a task switch"],
  [10, "CPUID", "Guest executed CPUID"],
  [11, "GETSEC", "Guest executed GETSEC"],
  [12, "HLT", "Guest executed HLT with HLT exiting = 1"],
  [13, "INVD", "Guest executed INVD"],
  [14, "INVLPG", "Guest executed INVLPG with INVLPG exiting = 1"],
  [15, "RDPMC", "Guest executed RDPMC with RDPMC exiting = 1"],
  [16, "RDTSC", "Guest executed RDTSC with RDTSC exiting = 1"],
  [17, "RSM", "Guest executed RSM in SMM"],
  [18, "VMCALL", "Guest executed VMCALL"],
  [19, "VMCLEAR", "Guest executed VMCLEAR"],
  [20, "VMLAUNCH", "Guest executed VMLAUNCH"],
  [21, "VMPTRLD", "Guest executed VMPTRLD"],
  [22, "VMPTRST", "Guest executed VMPTRST"],
  [23, "VMREAD", "Guest executed VMREAD"],
  [24, "VMRESUME", "Guest executed VMRESUME"],
  [25, "VMWRITE", "Guest executed VMWRITE"],
  [26, "VMXOFF", "Guest executed VMXOFF"],
  [27, "VMXON", "Guest executed VMXON"],
  [28, "CONTROL_REGISTER_ACCESS", "Control-register access (MOV CR, CLTS, LMSW) that the controls intercept"],
  [29, "MOV_DR", "MOV to/from a debug register with MOV-DR exiting = 1"],
  [30, "IO_INSTRUCTION", "I/O instruction intercepted by unconditional I/O exiting or the I/O bitmaps"],
  [31, "RDMSR", "RDMSR intercepted (no MSR bitmaps, or the bitmap bit is set)"],
  [32, "WRMSR", "WRMSR intercepted (no MSR bitmaps, or the bitmap bit is set)"],
  [33, "VM_ENTRY_FAILURE_INVALID_GUEST_STATE", "VM-entry failure due to invalid guest state"],
  [34, "VM_ENTRY_FAILURE_MSR_LOADING", "VM-entry failure due to MSR loading"],
  [36, "MWAIT", "Guest executed MWAIT with MWAIT exiting = 1"],
  [37, "MONITOR_TRAP_FLAG", "Monitor trap flag: an instruction completed with MTF = 1"],
  [39, "MONITOR", "Guest executed MONITOR with MONITOR exiting = 1"],
  [40, "PAUSE", "PAUSE with PAUSE exiting = 1, or a PAUSE loop with PAUSE-loop exiting = 1"],
  [41, "VM_ENTRY_FAILURE_MACHINE_CHECK", "VM-entry failure due to a machine-check event"],
  [43, "TPR_BELOW_THRESHOLD", "TPR below threshold after MOV to CR8 or a virtual-APIC write"],
  [44, "APIC_ACCESS", "Access to the APIC-access page with virtualize APIC accesses = 1"],
  [45, "VIRTUALIZED_EOI", "EOI virtualization performed for a vector set in the EOI-exit bitmap"],
  [46, "GDTR_IDTR_ACCESS", "LGDT, LIDT, SGDT or SIDT with descriptor-table exiting = 1"],
  [47, "LDTR_TR_ACCESS", "LLDT, LTR, SLDT or STR with descriptor-table exiting = 1"],
  [48, "EPT_VIOLATION", "EPT violation: a guest-physical access not allowed by the EPT entries"],
  [49, "EPT_MISCONFIGURATION", "EPT misconfiguration: an EPT paging-structure entry is invalid"],
  [50, "INVEPT", "Guest executed INVEPT"],
  [51, "RDTSCP", "Guest executed RDTSCP with RDTSC exiting = 1"],
  [52, "VMX_PREEMPTION_TIMER_EXPIRED", "The VMX-preemption timer counted down to zero"],
  [53, "INVVPID", "Guest executed INVVPID"],
  [54, "WBINVD_OR_WBNOINVD", "Guest executed WBINVD or WBNOINVD with WBINVD exiting = 1"],
  [55, "XSETBV", "Guest executed XSETBV"],
  [56, "APIC_WRITE", "Guest wrote the APIC-access page and the write needs VMM emulation"],
  [57, "RDRAND", "Guest executed RDRAND with RDRAND exiting = 1"],
  [58, "INVPCID", "Guest executed INVPCID with INVLPG exiting = 1"],
  [59, "VMFUNC", "VMFUNC of a disabled or failing VM function"],
  [60, "ENCLS", "ENCLS leaf selected by the ENCLS-exiting bitmap"],
  [61, "RDSEED", "Guest executed RDSEED with RDSEED exiting = 1"],
  [62, "PAGE_MODIFICATION_LOG_FULL", "The page-modification log is full"],
  [63, "XSAVES", "XSAVES with a bit set in both XSS-exiting bitmap and the requested features"],
  [64, "XRSTORS", "XRSTORS with a bit set in both XSS-exiting bitmap and the requested features"],
  [65, "PCONFIG", "PCONFIG leaf selected by the PCONFIG-exiting bitmap"],
  [66, "SPP_RELATED_EVENT", "Sub-page-permission related event (SPP miss or misconfiguration)"],
  [67, "UMWAIT", "Guest executed UMWAIT with enable user wait and pause and RDTSC exiting = 1"],
  [68, "TPAUSE", "Guest executed TPAUSE with enable user wait and pause and RDTSC exiting = 1"],
  [69, "LOADIWKEY", "Guest executed LOADIWKEY with LOADIWKEY exiting = 1"],
  [70, "ENCLV", "ENCLV leaf selected by the ENCLV-exiting bitmap"],
  [72, "ENQCMD_PASID_TRANSLATION_FAILURE", "ENQCMD PASID translation failed"],
  [73, "ENQCMDS_PASID_TRANSLATION_FAILURE", "ENQCMDS PASID translation failed"],
  [74, "BUS_LOCK", "The guest acquired a bus lock with VMM bus-lock detection = 1"],
  [75, "INSTRUCTION_TIMEOUT", "No event window opened within the instruction-timeout control period (NOTIFY)"],
  [76, "SEAMCALL", "Guest executed SEAMCALL"],
  [77, "TDCALL", "Guest executed TDCALL"],
  [78, "RDMSRLIST", "Guest executed RDMSRLIST intercepted by the MSR bitmaps"],
  [79, "WRMSRLIST", "Guest executed WRMSRLIST intercepted by the MSR bitmaps"],
] as const);

/** Basic exit reason number → name and description. */
export const EXIT_REASONS = reasons.byNumber;
/** Name → basic exit reason number, e.g. `EXIT_REASON.CPUID === 10`. */
export const EXIT_REASON = reasons.names;

/** VM-instruction error numbers 1..28 → message (SDM 30.4). 14, 21 and 27 are unused. */
export const VM_INSTRUCTION_ERRORS: Readonly<Record<number, string>> = Object.freeze({
  1: "VMCALL executed in VMX root operation",
  2: "VMCLEAR with invalid physical address",
  3: "VMCLEAR with VMXON pointer",
  4: "VMLAUNCH with non-clear VMCS",
  5: "VMRESUME with non-launched VMCS",
  6: "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)",
  7: "VM entry with invalid control field(s)",
  8: "VM entry with invalid host-state field(s)",
  9: "VMPTRLD with invalid physical address",
  10: "VMPTRLD with VMXON pointer",
  11: "VMPTRLD with incorrect VMCS revision identifier",
  12: "VMREAD/VMWRITE from/to unsupported VMCS component",
  13: "VMWRITE to read-only VMCS component",
  14: "(reserved; not used by any instruction)",
  15: "VMXON executed in VMX root operation",
  16: "VM entry with invalid executive-VMCS pointer",
  17: "VM entry with non-launched executive VMCS",
  18: "VM entry with executive-VMCS pointer not VMXON pointer (when attempting to deactivate the dual-monitor treatment of SMIs and SMM)",
  19: "VMCALL with non-clear VMCS (when attempting to activate the dual-monitor treatment of SMIs and SMM)",
  20: "VMCALL with invalid VM-exit control fields",
  21: "(reserved; not used by any instruction)",
  22: "VMCALL with incorrect MSEG revision identifier (when attempting to activate the dual-monitor treatment of SMIs and SMM)",
  23: "VMXOFF under dual-monitor treatment of SMIs and SMM",
  24: "VMCALL with invalid SMM-monitor features (when attempting to activate the dual-monitor treatment of SMIs and SMM)",
  25: "VM entry with invalid VM-execution control fields in executive VMCS (when attempting to return from SMM)",
  26: "VM entry with events blocked by MOV SS",
  27: "(reserved; not used by any instruction)",
  28: "Invalid operand to INVEPT/INVVPID",
});

/** Name → VM-instruction error number, for code that raises them. */
export const VM_INSTRUCTION_ERROR = Object.freeze({
  VMCALL_IN_VMX_ROOT: 1,
  VMCLEAR_INVALID_ADDRESS: 2,
  VMCLEAR_VMXON_POINTER: 3,
  VMLAUNCH_NON_CLEAR_VMCS: 4,
  VMRESUME_NON_LAUNCHED_VMCS: 5,
  VMRESUME_AFTER_VMXOFF: 6,
  ENTRY_INVALID_CONTROL_FIELDS: 7,
  ENTRY_INVALID_HOST_STATE: 8,
  VMPTRLD_INVALID_ADDRESS: 9,
  VMPTRLD_VMXON_POINTER: 10,
  VMPTRLD_INCORRECT_REVISION: 11,
  UNSUPPORTED_VMCS_COMPONENT: 12,
  VMWRITE_READ_ONLY_COMPONENT: 13,
  VMXON_IN_VMX_ROOT: 15,
  ENTRY_INVALID_EXECUTIVE_VMCS_POINTER: 16,
  ENTRY_NON_LAUNCHED_EXECUTIVE_VMCS: 17,
  ENTRY_EXECUTIVE_VMCS_NOT_VMXON_POINTER: 18,
  VMCALL_NON_CLEAR_VMCS: 19,
  VMCALL_INVALID_EXIT_CONTROLS: 20,
  VMCALL_INCORRECT_MSEG_REVISION: 22,
  VMXOFF_UNDER_DUAL_MONITOR: 23,
  VMCALL_INVALID_SMM_MONITOR_FEATURES: 24,
  ENTRY_INVALID_EXECUTIVE_CONTROLS: 25,
  ENTRY_EVENTS_BLOCKED_BY_MOV_SS: 26,
  INVALID_INVEPT_INVVPID_OPERAND: 28,
} as const);
