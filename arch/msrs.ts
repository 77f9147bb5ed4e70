// Model-specific registers a hypervisor touches (SDM Vol. 4 Table 2-2 "IA-32 Architectural MSRs"; VMX capability
// MSRs in SDM Vol. 3D Appendix A), with their bit layouts.
import { type BitField, bit, field } from "./bits";
import { CR0_BITS, CR4_BITS, EFER_BITS } from "./registers";

export interface MsrInfo {
  index: number;
  name: string;
  /** "ro": WRMSR raises #GP; "rw": writable (subject to reserved-bit checks). */
  access: "ro" | "rw";
  bits?: readonly BitField[];
  /** One line, in the SDM's words. */
  description: string;
  /** SDM section that defines it. */
  sdm: string;
}

const MEMORY_TYPES: Readonly<Record<number, string>> = {
  0: "UC",
  1: "WC",
  4: "WT",
  5: "WP",
  6: "WB",
  7: "UC-",
};

const allowed = (what: string): BitField[] => [
  field(31, 0, "ALLOWED_0", `Allowed 0-settings of the ${what}: a 1 here means the control must be 1`),
  field(63, 32, "ALLOWED_1", `Allowed 1-settings of the ${what}: a 0 here means the control must be 0`),
];

const VMX_BASIC_BITS = [
  field(30, 0, "VMCS_REVISION_ID", "VMCS revision identifier"),
  field(44, 32, "VMCS_REGION_SIZE", "Bytes to allocate for the VMXON region and VMCS (at most 4096)"),
  bit(48, "PHYSICAL_ADDRESS_WIDTH_32", "VMXON/VMCS/MSR-area addresses limited to 32 bits"),
  bit(49, "DUAL_MONITOR_TREATMENT", "Dual-monitor treatment of SMIs and SMM supported"),
  field(53, 50, "MEMORY_TYPE", "Memory type for accessing the VMCS and related structures", MEMORY_TYPES),
  bit(54, "INS_OUTS_INFO", "VM exits for INS/OUTS report VM-exit instruction information"),
  bit(55, "TRUE_CONTROLS", "Default1 controls may be 0: the IA32_VMX_TRUE_*_CTLS MSRs are supported"),
  bit(56, "NO_ERROR_CODE_REQUIRED", "VM entry may deliver hardware exceptions with or without an error code"),
] as const satisfies readonly BitField[];

const VMX_MISC_BITS = [
  field(4, 0, "PREEMPTION_TIMER_RATE", "The VMX-preemption timer counts down when TSC bit X changes"),
  bit(5, "STORE_EFER_LMA", "VM exits store IA32_EFER.LMA into the IA-32e mode guest entry control"),
  bit(6, "ACTIVITY_HLT", "Activity state 1 (HLT) supported"),
  bit(7, "ACTIVITY_SHUTDOWN", "Activity state 2 (shutdown) supported"),
  bit(8, "ACTIVITY_WAIT_FOR_SIPI", "Activity state 3 (wait-for-SIPI) supported"),
  bit(14, "PT_IN_VMX", "Intel PT can be used in VMX operation"),
  bit(15, "RDMSR_SMBASE_IN_SMM", "RDMSR can read IA32_SMBASE in SMM"),
  field(24, 16, "CR3_TARGET_COUNT", "Number of CR3-target values supported"),
  field(27, 25, "MAX_MSR_LIST", "Recommended maximum MSR-list entries: 512 * (N + 1)"),
  bit(28, "SMM_MONITOR_CTL_BIT2", "IA32_SMM_MONITOR_CTL[2] can be set (VMXOFF unblocks SMIs)"),
  bit(29, "VMWRITE_ANY_FIELD", "VMWRITE may write any supported field, including VM-exit information fields"),
  bit(30, "ZERO_LENGTH_INJECTION", "VM entry may inject software interrupts/exceptions with instruction length 0"),
  field(63, 32, "MSEG_REVISION_ID", "MSEG revision identifier"),
] as const satisfies readonly BitField[];

const EPT_VPID_CAP_BITS = [
  bit(0, "EXECUTE_ONLY", "EPT execute-only translations supported"),
  bit(6, "PAGE_WALK_4", "4-level EPT page walks supported"),
  bit(7, "PAGE_WALK_5", "5-level EPT page walks supported"),
  bit(8, "MEMORY_TYPE_UC", "EPT paging-structure memory type UC supported"),
  bit(14, "MEMORY_TYPE_WB", "EPT paging-structure memory type WB supported"),
  bit(16, "PDE_2MB", "2-MByte EPT pages supported"),
  bit(17, "PDPTE_1GB", "1-GByte EPT pages supported"),
  bit(20, "INVEPT", "INVEPT supported"),
  bit(21, "ACCESSED_DIRTY", "EPT accessed and dirty flags supported"),
  bit(22, "ADVANCED_EXIT_INFO", "Advanced VM-exit information for EPT violations"),
  bit(23, "SUPERVISOR_SHADOW_STACK", "Supervisor shadow-stack control supported"),
  bit(25, "INVEPT_SINGLE_CONTEXT", "Single-context INVEPT supported"),
  bit(26, "INVEPT_ALL_CONTEXT", "All-context INVEPT supported"),
  bit(32, "INVVPID", "INVVPID supported"),
  bit(40, "INVVPID_INDIVIDUAL_ADDRESS", "Individual-address INVVPID supported"),
  bit(41, "INVVPID_SINGLE_CONTEXT", "Single-context INVVPID supported"),
  bit(42, "INVVPID_ALL_CONTEXT", "All-context INVVPID supported"),
  bit(43, "INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS", "Single-context-retaining-globals INVVPID supported"),
  field(53, 48, "MAX_HLAT_PREFIX_SIZE", "Maximum HLAT prefix size"),
] as const satisfies readonly BitField[];

const FEATURE_CONTROL_BITS = [
  bit(0, "LOCK", "Lock: the MSR cannot be written until reset"),
  bit(1, "VMX_INSIDE_SMX", "Enable VMXON inside SMX operation"),
  bit(2, "VMX_OUTSIDE_SMX", "Enable VMXON outside SMX operation"),
  field(14, 8, "SENTER_LOCAL_FUNCTIONS", "SENTER local function enables"),
  bit(15, "SENTER_GLOBAL", "SENTER global enable"),
  bit(17, "SGX_LAUNCH_CONTROL", "SGX launch control enable"),
  bit(18, "SGX_GLOBAL", "SGX global enable"),
  bit(20, "LMCE_ON", "Local machine-check exception enable"),
] as const satisfies readonly BitField[];

function mtrrPairs(): MsrInfo[] {
  const out: MsrInfo[] = [];
  for (let n = 0; n < 10; n++) {
    out.push({
      index: 0x200 + 2 * n,
      name: `IA32_MTRR_PHYSBASE${n}`,
      access: "rw",
      bits: [field(7, 0, "TYPE", "Memory type of the range", MEMORY_TYPES), field(51, 12, "PHYSBASE", "Range base")],
      description: `Variable-range MTRR ${n}: base and memory type`,
      sdm: "Vol. 3A 13.11.2.3",
    });
    out.push({
      index: 0x201 + 2 * n,
      name: `IA32_MTRR_PHYSMASK${n}`,
      access: "rw",
      bits: [bit(11, "VALID", "Range enabled"), field(51, 12, "PHYSMASK", "Range mask")],
      description: `Variable-range MTRR ${n}: mask and valid bit`,
      sdm: "Vol. 3A 13.11.2.3",
    });
  }
  return out;
}

const FIXED_MTRRS: readonly [number, string][] = [
  [0x250, "IA32_MTRR_FIX64K_00000"],
  [0x258, "IA32_MTRR_FIX16K_80000"],
  [0x259, "IA32_MTRR_FIX16K_A0000"],
  [0x268, "IA32_MTRR_FIX4K_C0000"],
  [0x269, "IA32_MTRR_FIX4K_C8000"],
  [0x26a, "IA32_MTRR_FIX4K_D0000"],
  [0x26b, "IA32_MTRR_FIX4K_D8000"],
  [0x26c, "IA32_MTRR_FIX4K_E0000"],
  [0x26d, "IA32_MTRR_FIX4K_E8000"],
  [0x26e, "IA32_MTRR_FIX4K_F0000"],
  [0x26f, "IA32_MTRR_FIX4K_F8000"],
];

const ctl = (index: number, name: string, what: string, description: string, sdm: string): MsrInfo => ({
  index,
  name,
  access: "ro",
  bits: allowed(what),
  description,
  sdm,
});

const TABLE: MsrInfo[] = [
  {
    index: 0x10,
    name: "IA32_TIME_STAMP_COUNTER",
    access: "rw",
    description: "Time-stamp counter (TSC), read by RDTSC",
    sdm: "Vol. 3B 18.17",
  },
  {
    index: 0x1b,
    name: "IA32_APIC_BASE",
    access: "rw",
    bits: [
      bit(8, "BSP", "Processor is the bootstrap processor"),
      bit(10, "EXTD", "x2APIC mode enable"),
      bit(11, "EN", "APIC global enable"),
      field(51, 12, "APIC_BASE", "APIC base physical address (bits 51:12)"),
    ],
    description: "Local APIC base address and mode",
    sdm: "Vol. 3A 11.4.4",
  },
  {
    index: 0x3a,
    name: "IA32_FEATURE_CONTROL",
    access: "rw",
    bits: FEATURE_CONTROL_BITS,
    description:
      "Feature control: VMXON enables and lock, set by firmware (VMXON raises #GP unless enabled and locked)",
    sdm: "Vol. 3C 24.7",
  },
  {
    index: 0x3b,
    name: "IA32_TSC_ADJUST",
    access: "rw",
    description: "TSC adjust: added to the TSC; writes to IA32_TIME_STAMP_COUNTER also adjust it",
    sdm: "Vol. 3B 18.17.3",
  },
  {
    index: 0x48,
    name: "IA32_SPEC_CTRL",
    access: "rw",
    bits: [
      bit(0, "IBRS", "Indirect branch restricted speculation"),
      bit(1, "STIBP", "Single thread indirect branch predictors"),
      bit(2, "SSBD", "Speculative store bypass disable"),
    ],
    description: "Speculation control",
    sdm: "Vol. 4 Table 2-2",
  },
  {
    index: 0x79,
    name: "IA32_BIOS_UPDT_TRIG",
    access: "rw",
    description: "BIOS update trigger: WRMSR with the linear address of a microcode update loads it",
    sdm: "Vol. 3A 10.11.6",
  },
  {
    index: 0x8b,
    name: "IA32_BIOS_SIGN_ID",
    access: "rw",
    bits: [field(63, 32, "MICROCODE_REVISION", "Revision of the loaded microcode update (after CPUID leaf 1)")],
    description: "BIOS update signature: the loaded microcode revision",
    sdm: "Vol. 3A 10.11.7",
  },
  {
    index: 0x9b,
    name: "IA32_SMM_MONITOR_CTL",
    access: "rw",
    bits: [
      bit(0, "VALID", "The STM may be activated by VMCALL"),
      bit(2, "VMXOFF_UNBLOCKS_SMI", "VMXOFF unblocks SMIs (if IA32_VMX_MISC[28])"),
      field(31, 12, "MSEG_BASE", "MSEG base physical address (bits 31:12)"),
    ],
    description: "SMM monitor configuration for the dual-monitor treatment of SMIs",
    sdm: "Vol. 3C 33.15.5",
  },
  {
    index: 0x9e,
    name: "IA32_SMBASE",
    access: "ro",
    description: "SMRAM base address, readable in SMM if IA32_VMX_MISC[15] (VM-entry MSR loading of it fails)",
    sdm: "Vol. 3C 33.15.6.4",
  },
  {
    index: 0xfe,
    name: "IA32_MTRRCAP",
    access: "ro",
    bits: [
      field(7, 0, "VCNT", "Number of variable-range MTRRs"),
      bit(8, "FIX", "Fixed-range MTRRs supported"),
      bit(10, "WC", "Write-combining memory type supported"),
      bit(11, "SMRR", "SMRR interface supported"),
    ],
    description: "MTRR capabilities",
    sdm: "Vol. 3A 13.11.2.1",
  },
  { index: 0x174, name: "IA32_SYSENTER_CS", access: "rw", description: "SYSENTER target CS", sdm: "Vol. 3A 5.8.7" },
  { index: 0x175, name: "IA32_SYSENTER_ESP", access: "rw", description: "SYSENTER target ESP", sdm: "Vol. 3A 5.8.7" },
  { index: 0x176, name: "IA32_SYSENTER_EIP", access: "rw", description: "SYSENTER target EIP", sdm: "Vol. 3A 5.8.7" },
  // FRED (flexible return and event delivery): the MSRs the FRED VMCS fields load and save (Linux msr-index.h).
  ...(["RSP0", "RSP1", "RSP2", "RSP3"] as const).map(
    (r, i): MsrInfo => ({
      index: 0x1cc + i,
      name: `IA32_FRED_${r}`,
      access: "rw",
      description: `FRED stack pointer for stack level ${i} (64-byte aligned)`,
      sdm: "Vol. 3A 7.4 (FRED)",
    }),
  ),
  {
    index: 0x1d0,
    name: "IA32_FRED_STKLVLS",
    access: "rw",
    description: "FRED stack level of each exception vector (2 bits per vector 0-31)",
    sdm: "Vol. 3A 7.4 (FRED)",
  },
  ...(["SSP1", "SSP2", "SSP3"] as const).map(
    (r, i): MsrInfo => ({
      index: 0x1d1 + i,
      name: `IA32_FRED_${r}`,
      access: "rw",
      description: `FRED shadow-stack pointer for stack level ${i + 1} (8-byte aligned)`,
      sdm: "Vol. 3A 7.4 (FRED)",
    }),
  ),
  {
    index: 0x1d4,
    name: "IA32_FRED_CONFIG",
    access: "rw",
    bits: [
      field(8, 6, "REDZONE", "Bytes skipped below RSP on ring-0 events, in 64-byte units"),
      field(10, 9, "INT_STKLVL", "Stack level used for maskable external interrupts"),
      field(63, 12, "ENTRYPOINT", "Linear address (page-aligned) of the FRED event-delivery entry point"),
    ],
    // Bits 2, 5:4 and 11 are reserved (the VM-entry check on the guest value tests exactly these, as KVM does).
    description: "FRED configuration: event-delivery entry point, red zone, interrupt stack level",
    sdm: "Vol. 3A 7.4 (FRED)",
  },
  {
    index: 0x1d9,
    name: "IA32_DEBUGCTL",
    access: "rw",
    bits: [
      bit(0, "LBR", "Record last branches"),
      bit(1, "BTF", "Single-step on branches"),
      bit(2, "BLD", "Bus-lock detection (#DB on bus lock)"),
      bit(6, "TR", "Trace messages enable"),
      bit(7, "BTS", "Branch trace store"),
      bit(8, "BTINT", "Branch trace interrupt"),
      bit(9, "BTS_OFF_OS", "BTS off in ring 0"),
      bit(10, "BTS_OFF_USR", "BTS off in rings > 0"),
      bit(11, "FREEZE_LBRS_ON_PMI", "Freeze LBRs on PMI"),
      bit(12, "FREEZE_PERFMON_ON_PMI", "Freeze performance counters on PMI"),
      bit(13, "ENABLE_UNCORE_PMI", "Enable uncore PMI"),
      bit(14, "FREEZE_WHILE_SMM", "Freeze perfmon and trace while in SMM"),
      bit(15, "RTM_DEBUG", "Advanced debugging of RTM regions"),
    ],
    description: "Debug control: LBR, BTF, BTS",
    sdm: "Vol. 3B 18.4.1",
  },
  {
    index: 0x1a0,
    name: "IA32_MISC_ENABLE",
    access: "rw",
    bits: [
      bit(0, "FAST_STRINGS", "Fast-strings enable"),
      bit(7, "PERFMON_AVAILABLE", "Performance monitoring available (read-only)"),
      bit(11, "BTS_UNAVAILABLE", "Branch trace storage unavailable (read-only)"),
      bit(12, "PEBS_UNAVAILABLE", "Processor event-based sampling unavailable (read-only)"),
      bit(16, "ENHANCED_SPEEDSTEP", "Enhanced Intel SpeedStep technology enable"),
      bit(18, "MONITOR_FSM", "MONITOR/MWAIT enable"),
      bit(22, "LIMIT_CPUID_MAXVAL", "Limit CPUID maximum basic leaf to 2"),
      bit(23, "XTPR_DISABLE", "xTPR message disable"),
      bit(34, "XD_DISABLE", "Execute-disable bit disable"),
    ],
    description: "Miscellaneous feature enables",
    sdm: "Vol. 4 Table 2-2",
  },
  ...mtrrPairs(),
  ...FIXED_MTRRS.map(
    ([index, name]): MsrInfo => ({
      index,
      name,
      access: "rw",
      description: "Fixed-range MTRR: eight memory-type bytes",
      sdm: "Vol. 3A 13.11.2.2",
    }),
  ),
  {
    index: 0x277,
    name: "IA32_PAT",
    access: "rw",
    bits: [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
      field(8 * i + 2, 8 * i, `PA${i}`, `Page attribute ${i} memory type`, MEMORY_TYPES),
    ),
    description: "Page attribute table",
    sdm: "Vol. 3A 13.12.2",
  },
  {
    index: 0x2ff,
    name: "IA32_MTRR_DEF_TYPE",
    access: "rw",
    bits: [
      field(7, 0, "TYPE", "Default memory type", MEMORY_TYPES),
      bit(10, "FE", "Fixed-range MTRRs enabled"),
      bit(11, "E", "MTRRs enabled"),
    ],
    description: "Default memory type and MTRR enables",
    sdm: "Vol. 3A 13.11.2.1",
  },
  {
    index: 0x38f,
    name: "IA32_PERF_GLOBAL_CTRL",
    access: "rw",
    bits: [
      field(31, 0, "PMC_EN", "General-purpose counter enables"),
      field(34, 32, "FIXED_CTR_EN", "Fixed-function counter enables"),
    ],
    description: "Global performance-counter enables",
    sdm: "Vol. 3B 20.2.2",
  },
  ctl(0x480, "IA32_VMX_BASIC", "", "Basic VMX information: VMCS revision, region size, memory type", "A.1"),
  ctl(0x481, "IA32_VMX_PINBASED_CTLS", "pin-based VM-execution controls", "Allowed pin-based controls", "A.3.1"),
  ctl(
    0x482,
    "IA32_VMX_PROCBASED_CTLS",
    "primary processor-based VM-execution controls",
    "Allowed primary processor-based controls",
    "A.3.2",
  ),
  ctl(0x483, "IA32_VMX_EXIT_CTLS", "primary VM-exit controls", "Allowed primary VM-exit controls", "A.4.1"),
  ctl(0x484, "IA32_VMX_ENTRY_CTLS", "VM-entry controls", "Allowed VM-entry controls", "A.5"),
  ctl(0x485, "IA32_VMX_MISC", "", "Miscellaneous VMX data: preemption-timer rate, activity states, limits", "A.6"),
  ctl(0x486, "IA32_VMX_CR0_FIXED0", "", "CR0 bits fixed to 1 in VMX operation", "A.7"),
  ctl(0x487, "IA32_VMX_CR0_FIXED1", "", "CR0 bits allowed to be 1 in VMX operation (0 = fixed to 0)", "A.7"),
  ctl(0x488, "IA32_VMX_CR4_FIXED0", "", "CR4 bits fixed to 1 in VMX operation", "A.8"),
  ctl(0x489, "IA32_VMX_CR4_FIXED1", "", "CR4 bits allowed to be 1 in VMX operation (0 = fixed to 0)", "A.8"),
  ctl(0x48a, "IA32_VMX_VMCS_ENUM", "", "Highest index value used in any VMCS encoding", "A.9"),
  ctl(
    0x48b,
    "IA32_VMX_PROCBASED_CTLS2",
    "secondary processor-based VM-execution controls",
    "Allowed secondary processor-based controls",
    "A.3.3",
  ),
  ctl(0x48c, "IA32_VMX_EPT_VPID_CAP", "", "EPT and VPID capabilities", "A.10"),
  ctl(
    0x48d,
    "IA32_VMX_TRUE_PINBASED_CTLS",
    "pin-based VM-execution controls",
    "Allowed pin-based controls, default1 bits included",
    "A.3.1",
  ),
  ctl(
    0x48e,
    "IA32_VMX_TRUE_PROCBASED_CTLS",
    "primary processor-based VM-execution controls",
    "Allowed primary processor-based controls, default1 bits included",
    "A.3.2",
  ),
  ctl(
    0x48f,
    "IA32_VMX_TRUE_EXIT_CTLS",
    "primary VM-exit controls",
    "Allowed primary VM-exit controls, default1 bits included",
    "A.4.1",
  ),
  ctl(
    0x490,
    "IA32_VMX_TRUE_ENTRY_CTLS",
    "VM-entry controls",
    "Allowed VM-entry controls, default1 bits included",
    "A.5",
  ),
  ctl(0x491, "IA32_VMX_VMFUNC", "", "Allowed VM functions (bit 0 = EPTP switching)", "A.11"),
  ctl(0x492, "IA32_VMX_PROCBASED_CTLS3", "", "Allowed 1-settings of the tertiary processor-based controls", "A.3.4"),
  ctl(0x493, "IA32_VMX_EXIT_CTLS2", "", "Allowed 1-settings of the secondary VM-exit controls", "A.4.2"),
  {
    index: 0x570,
    name: "IA32_RTIT_CTL",
    access: "rw",
    bits: [bit(0, "TRACE_EN", "Intel PT tracing enabled")],
    description: "Intel Processor Trace control",
    sdm: "Vol. 3C 33.2.8.2",
  },
  {
    index: 0x6a2,
    name: "IA32_S_CET",
    access: "rw",
    bits: [bit(0, "SH_STK_EN", "Supervisor shadow stacks enabled"), bit(2, "ENDBR_EN", "Supervisor IBT enabled")],
    description: "Supervisor-mode CET configuration",
    sdm: "Vol. 1 17.3",
  },
  { index: 0x6a4, name: "IA32_PL0_SSP", access: "rw", description: "Ring-0 shadow-stack pointer", sdm: "Vol. 1 17.3" },
  {
    index: 0x6a8,
    name: "IA32_INTERRUPT_SSP_TABLE_ADDR",
    access: "rw",
    description: "Linear address of the interrupt shadow-stack table",
    sdm: "Vol. 1 17.3",
  },
  {
    index: 0x6e0,
    name: "IA32_TSC_DEADLINE",
    access: "rw",
    description: "TSC-deadline mode target of the local APIC timer",
    sdm: "Vol. 3A 11.5.4.1",
  },
  {
    index: 0x6e1,
    name: "IA32_PKRS",
    access: "rw",
    description: "Protection keys for supervisor pages (2 bits per key)",
    sdm: "Vol. 3A 4.6.2",
  },
  {
    index: 0x808,
    name: "IA32_X2APIC_TPR",
    access: "rw",
    description: "x2APIC task-priority register (virtualized with virtualize x2APIC mode)",
    sdm: "Vol. 3A 11.12.1.2",
  },
  {
    index: 0x80b,
    name: "IA32_X2APIC_EOI",
    access: "rw",
    description: "x2APIC end-of-interrupt register (write-only)",
    sdm: "Vol. 3A 11.12.1.2",
  },
  {
    index: 0x830,
    name: "IA32_X2APIC_ICR",
    access: "rw",
    description: "x2APIC interrupt-command register (64 bits)",
    sdm: "Vol. 3A 11.12.9",
  },
  {
    index: 0x83f,
    name: "IA32_X2APIC_SELF_IPI",
    access: "rw",
    description: "x2APIC self-IPI register (write-only)",
    sdm: "Vol. 3A 11.12.11",
  },
  {
    index: 0xd90,
    name: "IA32_BNDCFGS",
    access: "rw",
    bits: [
      bit(0, "EN", "Enable MPX in supervisor mode"),
      bit(1, "BNDPRESERVE", "Preserve bounds across branches"),
      field(63, 12, "BASE", "Base of the bound directory"),
    ],
    description: "Supervisor-mode MPX configuration",
    sdm: "Vol. 1 17.3.3",
  },
  {
    index: 0xda0,
    name: "IA32_XSS",
    access: "rw",
    description: "Supervisor state components enabled for XSAVES/XRSTORS",
    sdm: "Vol. 1 13.3",
  },
  {
    index: 0x14ce,
    name: "IA32_LBR_CTL",
    access: "rw",
    bits: [bit(0, "LBREN", "Architectural LBRs enabled")],
    description: "Architectural LBR control",
    sdm: "Vol. 3B 19.1.2",
  },
  {
    index: 0xc0000080,
    name: "IA32_EFER",
    access: "rw",
    bits: EFER_BITS,
    description: "Extended feature enables: SYSCALL, IA-32e mode, execute-disable",
    sdm: "Vol. 3A 2.2.1",
  },
  {
    index: 0xc0000081,
    name: "IA32_STAR",
    access: "rw",
    bits: [
      field(47, 32, "SYSCALL_CS_SS", "SYSCALL CS and SS selector base"),
      field(63, 48, "SYSRET_CS_SS", "SYSRET CS and SS selector base"),
    ],
    description: "SYSCALL/SYSRET target segments (and legacy-mode EIP)",
    sdm: "Vol. 3A 5.8.8",
  },
  {
    index: 0xc0000082,
    name: "IA32_LSTAR",
    access: "rw",
    description: "SYSCALL target RIP in 64-bit mode",
    sdm: "Vol. 3A 5.8.8",
  },
  {
    index: 0xc0000083,
    name: "IA32_CSTAR",
    access: "rw",
    description: "SYSCALL target RIP in compatibility mode (not used by Intel processors)",
    sdm: "Vol. 3A 5.8.8",
  },
  {
    index: 0xc0000084,
    name: "IA32_FMASK",
    access: "rw",
    description: "RFLAGS bits cleared by SYSCALL",
    sdm: "Vol. 3A 5.8.8",
  },
  { index: 0xc0000100, name: "IA32_FS_BASE", access: "rw", description: "FS segment base", sdm: "Vol. 3A 3.4.4" },
  { index: 0xc0000101, name: "IA32_GS_BASE", access: "rw", description: "GS segment base", sdm: "Vol. 3A 3.4.4" },
  {
    index: 0xc0000102,
    name: "IA32_KERNEL_GS_BASE",
    access: "rw",
    description: "GS base swapped in by SWAPGS",
    sdm: "Vol. 3A 5.8.8",
  },
  {
    index: 0xc0000103,
    name: "IA32_TSC_AUX",
    access: "rw",
    description: "Auxiliary TSC value returned in ECX by RDTSCP",
    sdm: "Vol. 3B 18.17.2",
  },
];

// Bit layouts of the VMX capability MSRs that are not allowed-0/allowed-1 pairs.
const SPECIAL_BITS: Record<number, readonly BitField[]> = {
  1152: VMX_BASIC_BITS,
  1157: VMX_MISC_BITS,
  1158: CR0_BITS,
  1159: CR0_BITS,
  1160: CR4_BITS,
  1161: CR4_BITS,
  1162: [field(9, 1, "HIGHEST_INDEX", "Highest index value used in any VMCS encoding")],
  1164: EPT_VPID_CAP_BITS,
  1169: [bit(0, "EPTP_SWITCHING", "VM function 0 (EPTP switching) supported")],
  1170: [field(63, 0, "ALLOWED_1", "Allowed 1-settings of the tertiary processor-based controls")],
  1171: [field(63, 0, "ALLOWED_1", "Allowed 1-settings of the secondary VM-exit controls")],
};

export const MSRS: readonly MsrInfo[] = Object.freeze(
  TABLE.map((m) => {
    const bits = SPECIAL_BITS[m.index];
    return Object.freeze(bits ? { ...m, bits, sdm: m.sdm } : m);
  }),
);

type MsrName =
  | "IA32_TIME_STAMP_COUNTER"
  | "IA32_APIC_BASE"
  | "IA32_FEATURE_CONTROL"
  | "IA32_TSC_ADJUST"
  | "IA32_MISC_ENABLE"
  | "IA32_SPEC_CTRL"
  | "IA32_BIOS_UPDT_TRIG"
  | "IA32_BIOS_SIGN_ID"
  | "IA32_SMBASE"
  | "IA32_X2APIC_TPR"
  | "IA32_X2APIC_EOI"
  | "IA32_X2APIC_ICR"
  | "IA32_X2APIC_SELF_IPI"
  | "IA32_SMM_MONITOR_CTL"
  | "IA32_MTRRCAP"
  | "IA32_SYSENTER_CS"
  | "IA32_SYSENTER_ESP"
  | "IA32_SYSENTER_EIP"
  | "IA32_DEBUGCTL"
  | "IA32_MTRR_PHYSBASE0"
  | "IA32_MTRR_PHYSMASK0"
  | "IA32_MTRR_FIX64K_00000"
  | "IA32_PAT"
  | "IA32_MTRR_DEF_TYPE"
  | "IA32_PERF_GLOBAL_CTRL"
  | "IA32_VMX_BASIC"
  | "IA32_VMX_PINBASED_CTLS"
  | "IA32_VMX_PROCBASED_CTLS"
  | "IA32_VMX_EXIT_CTLS"
  | "IA32_VMX_ENTRY_CTLS"
  | "IA32_VMX_MISC"
  | "IA32_VMX_CR0_FIXED0"
  | "IA32_VMX_CR0_FIXED1"
  | "IA32_VMX_CR4_FIXED0"
  | "IA32_VMX_CR4_FIXED1"
  | "IA32_VMX_VMCS_ENUM"
  | "IA32_VMX_PROCBASED_CTLS2"
  | "IA32_VMX_EPT_VPID_CAP"
  | "IA32_VMX_TRUE_PINBASED_CTLS"
  | "IA32_VMX_TRUE_PROCBASED_CTLS"
  | "IA32_VMX_TRUE_EXIT_CTLS"
  | "IA32_VMX_TRUE_ENTRY_CTLS"
  | "IA32_VMX_VMFUNC"
  | "IA32_VMX_PROCBASED_CTLS3"
  | "IA32_VMX_EXIT_CTLS2"
  | "IA32_RTIT_CTL"
  | "IA32_S_CET"
  | "IA32_PL0_SSP"
  | "IA32_INTERRUPT_SSP_TABLE_ADDR"
  | "IA32_TSC_DEADLINE"
  | "IA32_PKRS"
  | "IA32_BNDCFGS"
  | "IA32_XSS"
  | "IA32_LBR_CTL"
  | "IA32_EFER"
  | "IA32_STAR"
  | "IA32_LSTAR"
  | "IA32_CSTAR"
  | "IA32_FMASK"
  | "IA32_FS_BASE"
  | "IA32_GS_BASE"
  | "IA32_KERNEL_GS_BASE"
  | "IA32_TSC_AUX";

/** Name → MSR index, e.g. `MSR.IA32_VMX_BASIC === 0x480` (every MSR in MSRS; the typed keys are the common ones). */
export const MSR: { readonly [K in MsrName]: number } & { readonly [name: string]: number | undefined } = Object.freeze(
  Object.fromEntries(MSRS.map((m) => [m.name, m.index])),
) as { readonly [K in MsrName]: number };

const byIndex = new Map(MSRS.map((m) => [m.index, m]));
const byName = new Map(MSRS.map((m) => [m.name, m]));

export function msrByIndex(index: number): MsrInfo | undefined {
  return byIndex.get(index >>> 0);
}

/** Case-insensitive; "EFER" finds IA32_EFER. */
export function msrByName(name: string): MsrInfo | undefined {
  const n = name.trim().toUpperCase();
  return (
    byName.get(n) ?? byName.get(`IA32_${n}`) ?? (n.startsWith("MSR_") ? byName.get(`IA32_${n.slice(4)}`) : undefined)
  );
}

/** SDM A.1: the VMX capability MSRs 480H-493H. */
export function isVmxCapabilityMsr(index: number): boolean {
  return index >= 0x480 && index <= 0x493;
}
