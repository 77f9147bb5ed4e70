// VMX control fields: the named bits of the pin-based, primary/secondary/tertiary processor-based VM-execution
// controls and the VM-exit / VM-entry controls (SDM 25.6.1, 25.6.2, 25.7.1, 25.8.1), with their default1 classes
// (SDM A.2) and the capability MSRs that report their allowed settings (SDM A.3-A.5).
import type { BitField } from "./bits";
import { VMCS } from "./vmcs-fields";

export interface ControlBit {
  bit: number;
  /** Upper-case constant name, e.g. "HLT_EXITING". */
  name: string;
  /** The control's name in the SDM's words, e.g. "HLT exiting"; VMCS fields' `feature` uses these. */
  title: string;
  /** One line: what the 1-setting does. */
  description: string;
  /** In the default1 class: reserved-to-1 on processors without TRUE capability MSRs (SDM A.2). */
  default1?: boolean;
}

export type ControlSetName =
  | "PIN_BASED"
  | "PROC_BASED"
  | "PROC_BASED2"
  | "PROC_BASED3"
  | "EXIT_CTLS"
  | "EXIT_CTLS2"
  | "ENTRY_CTLS";

export interface ControlSet {
  name: ControlSetName;
  /** "pin-based VM-execution controls" … */
  title: string;
  /** VMCS encoding of the control field. */
  field: number;
  /** 32 or 64 (tertiary controls). */
  width: 32 | 64;
  /** Capability MSR (allowed-0 in bits 31:0 and allowed-1 in 63:32, except 64-bit sets which only have allowed-1). */
  msr: number;
  /** TRUE_ capability MSR consulted instead when IA32_VMX_BASIC[55] = 1. */
  trueMsr?: number;
  /** The default1 class (SDM A.2): bits that read 1 in the non-TRUE MSR's allowed-0 half. */
  default1: number;
  bits: readonly ControlBit[];
  sdm: string;
}

type Row = readonly [bit: number, name: string, title: string, description: string];

function controlTable<const R extends readonly Row[]>(rows: R, default1: number) {
  const bits: ControlBit[] = rows.map(([b, name, title, description]) => {
    const c: ControlBit = { bit: b, name, title, description };
    if (default1 & (2 ** b)) c.default1 = true;
    return Object.freeze(c);
  });
  const masks: Record<string, number> = {};
  for (const b of bits) masks[b.name] = 2 ** b.bit;
  return {
    bits: Object.freeze(bits) as readonly ControlBit[],
    masks: Object.freeze(masks) as { readonly [K in R[number][1]]: number },
  };
}

/** Bits set in a 32-bit mask, as a list. */
function bitsOf(mask: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < 32; b++) if (mask & (1 << b)) out.push(b);
  return out;
}
const maskOf = (bits: number[]): number => bits.reduce((m, b) => m + 2 ** b, 0);

/** SDM A.3.1: pin-based default1 class = bits 1, 2, 4. */
export const PIN_BASED_DEFAULT1 = maskOf([1, 2, 4]);
/** SDM A.3.2: primary processor-based default1 class = bits 1, 4-6, 8, 13-16, 26. */
export const PROC_BASED_DEFAULT1 = maskOf([1, 4, 5, 6, 8, 13, 14, 15, 16, 26]);
/** SDM A.4.1: VM-exit default1 class = bits 0-8, 10, 11, 13, 14, 16, 17. */
export const EXIT_CTLS_DEFAULT1 = maskOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13, 14, 16, 17]);
/** SDM A.5: VM-entry default1 class = bits 0-8, 12. */
export const ENTRY_CTLS_DEFAULT1 = maskOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 12]);

// SDM 25.6.1
const pin = controlTable(
  [
    [0, "EXTERNAL_INTERRUPT_EXITING", "external-interrupt exiting", "External interrupts cause VM exits"],
    [3, "NMI_EXITING", "NMI exiting", "Non-maskable interrupts (NMIs) cause VM exits"],
    [5, "VIRTUAL_NMIS", "virtual NMIs", "NMIs are never blocked; virtual-NMI blocking is tracked instead"],
    [
      6,
      "ACTIVATE_VMX_PREEMPTION_TIMER",
      "activate VMX-preemption timer",
      "The VMX-preemption timer counts down in VMX non-root operation; a VM exit occurs at 0",
    ],
    [
      7,
      "PROCESS_POSTED_INTERRUPTS",
      "process posted interrupts",
      "Interrupts with the posted-interrupt notification vector are processed via the posted-interrupt descriptor",
    ],
  ],
  PIN_BASED_DEFAULT1,
);
export const PIN_BASED_BITS = pin.bits;
export const PIN_BASED = pin.masks;

// SDM 25.6.2
const proc = controlTable(
  [
    [
      2,
      "INTERRUPT_WINDOW_EXITING",
      "interrupt-window exiting",
      "VM exit at the start of any instruction when RFLAGS.IF = 1 and nothing blocks interrupts",
    ],
    [
      3,
      "USE_TSC_OFFSETTING",
      "use TSC offsetting",
      "RDTSC/RDTSCP/RDMSR of IA32_TSC return the TSC plus the TSC offset",
    ],
    [7, "HLT_EXITING", "HLT exiting", "HLT causes a VM exit"],
    [9, "INVLPG_EXITING", "INVLPG exiting", "INVLPG causes a VM exit"],
    [10, "MWAIT_EXITING", "MWAIT exiting", "MWAIT causes a VM exit"],
    [11, "RDPMC_EXITING", "RDPMC exiting", "RDPMC causes a VM exit"],
    [12, "RDTSC_EXITING", "RDTSC exiting", "RDTSC and RDTSCP cause VM exits"],
    [
      15,
      "CR3_LOAD_EXITING",
      "CR3-load exiting",
      "MOV to CR3 causes a VM exit unless the value is one of the CR3-target values",
    ],
    [16, "CR3_STORE_EXITING", "CR3-store exiting", "MOV from CR3 causes a VM exit"],
    [
      17,
      "ACTIVATE_TERTIARY_CONTROLS",
      "activate tertiary controls",
      "The tertiary processor-based VM-execution controls are used",
    ],
    [19, "CR8_LOAD_EXITING", "CR8-load exiting", "MOV to CR8 causes a VM exit"],
    [20, "CR8_STORE_EXITING", "CR8-store exiting", "MOV from CR8 causes a VM exit"],
    [21, "USE_TPR_SHADOW", "use TPR shadow", "TPR virtualization through the virtual-APIC page"],
    [
      22,
      "NMI_WINDOW_EXITING",
      "NMI-window exiting",
      "VM exit at the start of any instruction when there is no virtual-NMI blocking",
    ],
    [23, "MOV_DR_EXITING", "MOV-DR exiting", "MOV to/from debug registers causes a VM exit"],
    [
      24,
      "UNCONDITIONAL_IO_EXITING",
      "unconditional I/O exiting",
      "Every I/O instruction causes a VM exit (ignored when I/O bitmaps are used)",
    ],
    [25, "USE_IO_BITMAPS", "use I/O bitmaps", "I/O bitmaps A and B select which I/O ports cause VM exits"],
    [27, "MONITOR_TRAP_FLAG", "monitor trap flag", "A VM exit occurs after each guest instruction (MTF)"],
    [28, "USE_MSR_BITMAPS", "use MSR bitmaps", "MSR bitmaps select which RDMSR/WRMSR cause VM exits"],
    [29, "MONITOR_EXITING", "MONITOR exiting", "MONITOR causes a VM exit"],
    [30, "PAUSE_EXITING", "PAUSE exiting", "PAUSE causes a VM exit"],
    [
      31,
      "ACTIVATE_SECONDARY_CONTROLS",
      "activate secondary controls",
      "The secondary processor-based VM-execution controls are used",
    ],
  ],
  PROC_BASED_DEFAULT1,
);
export const PROC_BASED_BITS = proc.bits;
export const PROC_BASED = proc.masks;

// SDM 25.6.2
const proc2 = controlTable(
  [
    [
      0,
      "VIRTUALIZE_APIC_ACCESSES",
      "virtualize APIC accesses",
      "Accesses to the APIC-access page are virtualized or cause VM exits",
    ],
    [1, "ENABLE_EPT", "enable EPT", "Extended page tables translate guest-physical addresses"],
    [
      2,
      "DESCRIPTOR_TABLE_EXITING",
      "descriptor-table exiting",
      "LGDT, LIDT, LLDT, LTR, SGDT, SIDT, SLDT and STR cause VM exits",
    ],
    [3, "ENABLE_RDTSCP", "enable RDTSCP", "RDTSCP is allowed (otherwise it raises #UD)"],
    [4, "VIRTUALIZE_X2APIC_MODE", "virtualize x2APIC mode", "RDMSR/WRMSR of x2APIC MSRs 800H-8FFH are virtualized"],
    [5, "ENABLE_VPID", "enable VPID", "Cached linear translations are tagged with the VPID"],
    [6, "WBINVD_EXITING", "WBINVD exiting", "WBINVD and WBNOINVD cause VM exits"],
    [
      7,
      "UNRESTRICTED_GUEST",
      "unrestricted guest",
      "The guest may run in unpaged protected mode or real-address mode (requires EPT)",
    ],
    [8, "APIC_REGISTER_VIRTUALIZATION", "APIC-register virtualization", "APIC register reads are virtualized"],
    [
      9,
      "VIRTUAL_INTERRUPT_DELIVERY",
      "virtual-interrupt delivery",
      "Pending virtual interrupts are evaluated and delivered",
    ],
    [10, "PAUSE_LOOP_EXITING", "PAUSE-loop exiting", "A PAUSE loop longer than PLE_Window causes a VM exit"],
    [11, "RDRAND_EXITING", "RDRAND exiting", "RDRAND causes a VM exit"],
    [12, "ENABLE_INVPCID", "enable INVPCID", "INVPCID is allowed (otherwise it raises #UD)"],
    [13, "ENABLE_VM_FUNCTIONS", "enable VM functions", "VMFUNC is allowed in VMX non-root operation"],
    [14, "VMCS_SHADOWING", "VMCS shadowing", "VMREAD/VMWRITE in VMX non-root operation may access a shadow VMCS"],
    [15, "ENABLE_ENCLS_EXITING", "enable ENCLS exiting", "ENCLS leaves selected by the ENCLS-exiting bitmap exit"],
    [16, "RDSEED_EXITING", "RDSEED exiting", "RDSEED causes a VM exit"],
    [17, "ENABLE_PML", "enable PML", "Guest-physical pages written are logged in the page-modification log"],
    [
      18,
      "EPT_VIOLATION_VE",
      "EPT-violation #VE",
      "EPT violations may raise virtualization exceptions (#VE) instead of VM exits",
    ],
    [19, "CONCEAL_VMX_FROM_PT", "conceal VMX from PT", "Intel PT suppresses VMX-related information"],
    [20, "ENABLE_XSAVES_XRSTORS", "enable XSAVES/XRSTORS", "XSAVES and XRSTORS are allowed (otherwise #UD)"],
    [21, "PASID_TRANSLATION", "PASID translation", "ENQCMD/ENQCMDS PASIDs are translated through PASID directories"],
    [
      22,
      "MODE_BASED_EXECUTE_CONTROL_FOR_EPT",
      "mode-based execute control for EPT",
      "EPT execute permissions differ for supervisor-mode and user-mode linear addresses",
    ],
    [
      23,
      "SUB_PAGE_WRITE_PERMISSIONS_FOR_EPT",
      "sub-page write permissions for EPT",
      "EPT write permissions may be specified at 128-byte granularity",
    ],
    [
      24,
      "PT_USES_GUEST_PHYSICAL_ADDRESSES",
      "Intel PT uses guest physical addresses",
      "Intel PT output addresses are guest-physical and translated by EPT",
    ],
    [25, "USE_TSC_SCALING", "use TSC scaling", "Guest TSC reads are multiplied by the TSC multiplier"],
    [
      26,
      "ENABLE_USER_WAIT_AND_PAUSE",
      "enable user wait and pause",
      "UMWAIT, UMONITOR and TPAUSE are allowed (otherwise #UD)",
    ],
    [27, "ENABLE_PCONFIG", "enable PCONFIG", "PCONFIG is allowed (otherwise #UD)"],
    [28, "ENABLE_ENCLV_EXITING", "enable ENCLV exiting", "ENCLV leaves selected by the ENCLV-exiting bitmap exit"],
    [30, "VMM_BUS_LOCK_DETECTION", "VMM bus-lock detection", "A bus lock acquired by the guest causes a VM exit"],
    [
      31,
      "INSTRUCTION_TIMEOUT",
      "instruction timeout",
      "A VM exit (NOTIFY) occurs when the processor stays in a non-interruptible window too long",
    ],
  ],
  0,
);
export const PROC_BASED2_BITS = proc2.bits;
export const PROC_BASED2 = proc2.masks;

// SDM 25.6.2 (64-bit field)
const proc3 = controlTable(
  [
    [0, "LOADIWKEY_EXITING", "LOADIWKEY exiting", "LOADIWKEY causes a VM exit"],
    [1, "ENABLE_HLAT", "enable HLAT", "Hypervisor-managed linear-address translation is used"],
    [
      2,
      "EPT_PAGING_WRITE_CONTROL",
      "EPT paging-write control",
      "EPT paging-write permission governs guest paging-structure updates",
    ],
    [
      3,
      "GUEST_PAGING_VERIFICATION",
      "guest-paging verification",
      "EPT verifies that guest translations use permitted paging structures",
    ],
    [4, "IPI_VIRTUALIZATION", "IPI virtualization", "Guest IPIs are virtualized through the PID-pointer table"],
    // Bit 5 is not named here: no source available to us (SDM excerpts, Linux, Xen, Bochs) defines it.
    [
      6,
      "ENABLE_MSR_LIST_INSTRUCTIONS",
      "enable MSR-list instructions",
      "RDMSRLIST and WRMSRLIST are allowed (otherwise #UD); the MSR bitmaps govern their exits",
    ],
    [
      7,
      "VIRTUALIZE_IA32_SPEC_CTRL",
      "virtualize IA32_SPEC_CTRL",
      "Guest accesses to IA32_SPEC_CTRL use the mask and shadow fields",
    ],
  ],
  0,
);
export const PROC_BASED3_BITS = proc3.bits;
export const PROC_BASED3 = proc3.masks;

// SDM 25.7.1
const exit = controlTable(
  [
    [2, "SAVE_DEBUG_CONTROLS", "save debug controls", "DR7 and IA32_DEBUGCTL are saved on VM exit"],
    [
      9,
      "HOST_ADDRESS_SPACE_SIZE",
      "host address-space size",
      "The host runs in 64-bit mode after VM exit (sets IA32_EFER.LME/LMA)",
    ],
    [
      12,
      "LOAD_IA32_PERF_GLOBAL_CTRL",
      "load IA32_PERF_GLOBAL_CTRL",
      "IA32_PERF_GLOBAL_CTRL is loaded from the host-state area on VM exit",
    ],
    [
      15,
      "ACKNOWLEDGE_INTERRUPT_ON_EXIT",
      "acknowledge interrupt on exit",
      "An external-interrupt VM exit acknowledges the interrupt and stores its vector",
    ],
    [18, "SAVE_IA32_PAT", "save IA32_PAT", "IA32_PAT is saved into the guest-state area on VM exit"],
    [19, "LOAD_IA32_PAT", "load IA32_PAT", "IA32_PAT is loaded from the host-state area on VM exit"],
    [20, "SAVE_IA32_EFER", "save IA32_EFER", "IA32_EFER is saved into the guest-state area on VM exit"],
    [21, "LOAD_IA32_EFER", "load IA32_EFER", "IA32_EFER is loaded from the host-state area on VM exit"],
    [
      22,
      "SAVE_VMX_PREEMPTION_TIMER_VALUE",
      "save VMX-preemption timer value",
      "The VMX-preemption timer value is saved on VM exit",
    ],
    [23, "CLEAR_IA32_BNDCFGS", "clear IA32_BNDCFGS", "IA32_BNDCFGS is cleared on VM exit"],
    [24, "CONCEAL_VMX_FROM_PT", "conceal VMX from PT", "Intel PT does not produce a paging packet on VM exit"],
    [25, "CLEAR_IA32_RTIT_CTL", "clear IA32_RTIT_CTL", "IA32_RTIT_CTL is cleared on VM exit"],
    [26, "CLEAR_IA32_LBR_CTL", "clear IA32_LBR_CTL", "IA32_LBR_CTL is cleared on VM exit"],
    [27, "CLEAR_UINV", "clear UINV", "UINV is cleared on VM exit"],
    [
      28,
      "LOAD_CET_STATE",
      "load CET state",
      "IA32_S_CET, SSP and IA32_INTERRUPT_SSP_TABLE_ADDR are loaded from the host-state area",
    ],
    [29, "LOAD_PKRS", "load PKRS", "IA32_PKRS is loaded from the host-state area on VM exit"],
    [
      30,
      "SAVE_IA32_PERF_GLOBAL_CTRL",
      "save IA32_PERF_GLOBAL_CTL",
      "IA32_PERF_GLOBAL_CTRL is saved into the guest-state area on VM exit",
    ],
    [
      31,
      "ACTIVATE_SECONDARY_CONTROLS",
      "activate secondary VM-exit controls",
      "The secondary VM-exit controls are used",
    ],
  ],
  EXIT_CTLS_DEFAULT1,
);
export const EXIT_CTLS_BITS = exit.bits;
export const EXIT_CTLS = exit.masks;

// SDM 25.7.1, "Secondary VM-Exit Controls" (64-bit field, used when "activate secondary controls" = 1; allowed
// 1-settings in IA32_VMX_EXIT_CTLS2). Bits 0 and 1 come with FRED (Linux SECONDARY_VM_EXIT_{SAVE,LOAD}_IA32_FRED),
// bit 2 with CET (Bochs VMX_VMEXIT_CTRL2_SHADOW_STACK_BUSY_CTRL).
const exit2 = controlTable(
  [
    [0, "SAVE_FRED", "save FRED", "The FRED MSRs are saved into the guest-state area on VM exit"],
    [1, "LOAD_FRED", "load FRED", "The FRED MSRs are loaded from the host-state area on VM exit"],
    [
      2,
      "PREMATURELY_BUSY_SHADOW_STACK",
      "prematurely busy shadow stack",
      "A shadow-stack token found busy during event delivery is reported in the exit qualification",
    ],
  ],
  0,
);
export const EXIT_CTLS2_BITS = exit2.bits;
export const EXIT_CTLS2 = exit2.masks;

// SDM 25.8.1
const entry = controlTable(
  [
    [2, "LOAD_DEBUG_CONTROLS", "load debug controls", "DR7 and IA32_DEBUGCTL are loaded on VM entry"],
    [9, "IA32E_MODE_GUEST", "IA-32e mode guest", "The guest is in IA-32e mode after VM entry (IA32_EFER.LMA = 1)"],
    [10, "ENTRY_TO_SMM", "entry to SMM", "The logical processor is in SMM after VM entry"],
    [
      11,
      "DEACTIVATE_DUAL_MONITOR_TREATMENT",
      "deactivate dual-monitor treatment",
      "The default treatment of SMIs and SMM is in effect after VM entry",
    ],
    [
      13,
      "LOAD_IA32_PERF_GLOBAL_CTRL",
      "load IA32_PERF_GLOBAL_CTRL",
      "IA32_PERF_GLOBAL_CTRL is loaded from the guest-state area on VM entry",
    ],
    [14, "LOAD_IA32_PAT", "load IA32_PAT", "IA32_PAT is loaded from the guest-state area on VM entry"],
    [15, "LOAD_IA32_EFER", "load IA32_EFER", "IA32_EFER is loaded from the guest-state area on VM entry"],
    [16, "LOAD_IA32_BNDCFGS", "load IA32_BNDCFGS", "IA32_BNDCFGS is loaded from the guest-state area on VM entry"],
    [17, "CONCEAL_VMX_FROM_PT", "conceal VMX from PT", "Intel PT does not produce a paging packet on VM entry"],
    [18, "LOAD_IA32_RTIT_CTL", "load IA32_RTIT_CTL", "IA32_RTIT_CTL is loaded from the guest-state area on VM entry"],
    [19, "LOAD_UINV", "load UINV", "UINV is loaded from the guest-state area on VM entry"],
    [
      20,
      "LOAD_CET_STATE",
      "load CET state",
      "IA32_S_CET, SSP and IA32_INTERRUPT_SSP_TABLE_ADDR are loaded from the guest-state area",
    ],
    [
      21,
      "LOAD_GUEST_IA32_LBR_CTL",
      "load guest IA32_LBR_CTL",
      "IA32_LBR_CTL is loaded from the guest-state area on VM entry",
    ],
    [22, "LOAD_PKRS", "load PKRS", "IA32_PKRS is loaded from the guest-state area on VM entry"],
    [
      23,
      "LOAD_FRED",
      "load FRED",
      "The FRED MSRs (IA32_FRED_CONFIG, RSP1-3, STKLVLS, SSP1-3) are loaded from the guest-state area",
    ],
  ],
  ENTRY_CTLS_DEFAULT1,
);
export const ENTRY_CTLS_BITS = entry.bits;
export const ENTRY_CTLS = entry.masks;

export const CONTROL_SETS: readonly ControlSet[] = Object.freeze([
  {
    name: "PIN_BASED",
    title: "pin-based VM-execution controls",
    field: VMCS.PIN_BASED_VM_EXEC_CONTROLS,
    width: 32,
    msr: 0x481,
    trueMsr: 0x48d,
    default1: PIN_BASED_DEFAULT1,
    bits: PIN_BASED_BITS,
    sdm: "25.6.1",
  },
  {
    name: "PROC_BASED",
    title: "primary processor-based VM-execution controls",
    field: VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS,
    width: 32,
    msr: 0x482,
    trueMsr: 0x48e,
    default1: PROC_BASED_DEFAULT1,
    bits: PROC_BASED_BITS,
    sdm: "25.6.2",
  },
  {
    name: "PROC_BASED2",
    title: "secondary processor-based VM-execution controls",
    field: VMCS.SECONDARY_PROC_BASED_VM_EXEC_CONTROLS,
    width: 32,
    msr: 0x48b,
    default1: 0,
    bits: PROC_BASED2_BITS,
    sdm: "25.6.2",
  },
  {
    name: "PROC_BASED3",
    title: "tertiary processor-based VM-execution controls",
    field: VMCS.TERTIARY_PROC_BASED_VM_EXEC_CONTROLS,
    width: 64,
    msr: 0x492,
    default1: 0,
    bits: PROC_BASED3_BITS,
    sdm: "25.6.2",
  },
  {
    name: "EXIT_CTLS",
    title: "primary VM-exit controls",
    field: VMCS.PRIMARY_VM_EXIT_CONTROLS,
    width: 32,
    msr: 0x483,
    trueMsr: 0x48f,
    default1: EXIT_CTLS_DEFAULT1,
    bits: EXIT_CTLS_BITS,
    sdm: "25.7.1",
  },
  {
    name: "EXIT_CTLS2",
    title: "secondary VM-exit controls",
    field: VMCS.SECONDARY_VM_EXIT_CONTROLS,
    width: 64,
    msr: 0x493,
    default1: 0,
    bits: EXIT_CTLS2_BITS,
    sdm: "25.7.1",
  },
  {
    name: "ENTRY_CTLS",
    title: "VM-entry controls",
    field: VMCS.VM_ENTRY_CONTROLS,
    width: 32,
    msr: 0x484,
    trueMsr: 0x490,
    default1: ENTRY_CTLS_DEFAULT1,
    bits: ENTRY_CTLS_BITS,
    sdm: "25.8.1",
  },
] satisfies ControlSet[]);

export function controlSet(name: ControlSetName): ControlSet {
  return CONTROL_SETS.find((s) => s.name === name)!;
}

/** The control set whose VMCS field, capability MSR or TRUE MSR this is. */
export function controlSetFor(fieldOrMsr: number): ControlSet | undefined {
  return CONTROL_SETS.find((s) => s.field === fieldOrMsr || s.msr === fieldOrMsr || s.trueMsr === fieldOrMsr);
}

/** The control bit whose SDM title is `title` (case-insensitive), with its set. */
export function controlByTitle(title: string): { set: ControlSet; bit: ControlBit } | undefined {
  const t = title.toLowerCase();
  for (const set of CONTROL_SETS) {
    const b = set.bits.find((x) => x.title.toLowerCase() === t);
    if (b) return { set, bit: b };
  }
  return undefined;
}

/** The table as BitFields (for formatValue), including the unnamed default1 bits. */
export function controlBitFields(set: ControlSet): BitField[] {
  const fields: BitField[] = set.bits.map((b) => ({
    name: b.name,
    msb: b.bit,
    lsb: b.bit,
    description: b.default1 ? `${b.description} (default1 class)` : b.description,
  }));
  for (const b of bitsOf(set.default1))
    if (!set.bits.some((x) => x.bit === b))
      fields.push({ name: `DEFAULT1_${b}`, msb: b, lsb: b, description: "Reserved, default1 class (SDM A.2)" });
  return fields.sort((a, b) => a.lsb - b.lsb);
}
