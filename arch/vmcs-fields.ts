// Every VMCS field of Intel SDM Vol. 3D Appendix B ("Field Encoding in VMCS"), as data.
//
// A field encoding is a 32-bit value (SDM 25.11.2 "Structure of VMCS Component Encoding"):
//   bit 0      access type (0 = full, 1 = high: the upper 32 bits of a 64-bit field)
//   bits 9:1   index
//   bits 11:10 type (0 control, 1 VM-exit information / read-only data, 2 guest state, 3 host state)
//   bit 12     reserved (must be 0)
//   bits 14:13 width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural width)
//   bits 31:15 reserved (must be 0)
// The tables below are written per Appendix B subsection (one block per width × type, as in the SDM); the
// block states the width and type, and the tests check that each encoding's bits agree with its block.
// Section numbers follow the SDM of 2023 and later (Vol. 3C chapter 25 is "Virtual Machine Control Structures").

export type VmcsWidth = "16" | "32" | "64" | "natural";
export type VmcsType = "control" | "read-only" | "guest" | "host";
export type VmcsGroup =
  | "guest-state"
  | "host-state"
  | "vm-execution-control"
  | "vm-exit-control"
  | "vm-entry-control"
  | "vm-exit-information";

export interface VmcsField {
  /** SDM-style upper-case name, e.g. "GUEST_CR0". The HIGH half of a 64-bit field is `${name}_HIGH`. */
  name: string;
  /** Full encoding (access type 0). */
  encoding: number;
  width: VmcsWidth;
  type: VmcsType;
  group: VmcsGroup;
  /** The processor feature (usually a VM-execution / VM-exit / VM-entry control) without which the field does
   * not exist; absent for fields every VMX processor has. */
  feature?: string;
  /** One line, in the SDM's words. */
  description: string;
  /** Appendix B subsection that lists the encoding, e.g. "B.4.3". */
  sdm: string;
  /** SDM section that defines what the field means, e.g. "25.4.1". */
  see: string;
  /** Other names in common use (Linux/KVM, Bochs, ia32-doc), accepted by `fieldByName`. */
  aliases?: readonly string[];
}

type Row = readonly [name: string, encoding: number, description: string, extra?: RowExtra];
interface RowExtra {
  feature?: string;
  group?: VmcsGroup;
  see?: string;
  aliases?: readonly string[];
}
interface Block {
  width: VmcsWidth;
  type: VmcsType;
  sdm: string;
  rows: readonly Row[];
}

const EXEC: RowExtra = { group: "vm-execution-control" };
const EXIT: RowExtra = { group: "vm-exit-control", see: "25.7" };
const ENTRY: RowExtra = { group: "vm-entry-control", see: "25.8" };
const x = (base: RowExtra, more: RowExtra): RowExtra => ({ ...base, ...more });

// B.1.1 16-Bit Control Fields
const B_1_1 = [
  [
    "VIRTUAL_PROCESSOR_ID",
    0x0000,
    "Virtual-processor identifier (VPID) tagging the guest's TLB entries",
    x(EXEC, { feature: "enable VPID", see: "25.6.12", aliases: ["VPID"] }),
  ],
  [
    "POSTED_INTERRUPT_NOTIFICATION_VECTOR",
    0x0002,
    "Vector that signals a posted interrupt to the logical processor",
    x(EXEC, { feature: "process posted interrupts", see: "25.6.8", aliases: ["POSTED_INTR_NV"] }),
  ],
  [
    "EPTP_INDEX",
    0x0004,
    "Index of the current EPTP in the EPTP list (reported in #VE information)",
    x(EXEC, { feature: "EPT-violation #VE", see: "25.6" }),
  ],
  [
    "HLAT_PREFIX_SIZE",
    0x0006,
    "Number of upper linear-address bits that select HLAT paging",
    x(EXEC, { feature: "enable HLAT", see: "25.6" }),
  ],
  [
    "LAST_PID_POINTER_INDEX",
    0x0008,
    "Index of the last valid entry in the PID-pointer table (IPI virtualization)",
    x(EXEC, { feature: "IPI virtualization", see: "25.6.8" }),
  ],
] as const satisfies readonly Row[];

// B.1.2 16-Bit Guest-State Fields
const B_1_2 = [
  ["GUEST_ES_SELECTOR", 0x0800, "Guest ES selector", { see: "25.4.1" }],
  ["GUEST_CS_SELECTOR", 0x0802, "Guest CS selector", { see: "25.4.1" }],
  ["GUEST_SS_SELECTOR", 0x0804, "Guest SS selector", { see: "25.4.1" }],
  ["GUEST_DS_SELECTOR", 0x0806, "Guest DS selector", { see: "25.4.1" }],
  ["GUEST_FS_SELECTOR", 0x0808, "Guest FS selector", { see: "25.4.1" }],
  ["GUEST_GS_SELECTOR", 0x080a, "Guest GS selector", { see: "25.4.1" }],
  ["GUEST_LDTR_SELECTOR", 0x080c, "Guest LDTR selector", { see: "25.4.1" }],
  ["GUEST_TR_SELECTOR", 0x080e, "Guest TR selector", { see: "25.4.1" }],
  [
    "GUEST_INTERRUPT_STATUS",
    0x0810,
    "Guest interrupt status: RVI (bits 7:0) and SVI (bits 15:8) for virtual-interrupt delivery",
    { feature: "virtual-interrupt delivery", see: "25.4.2", aliases: ["GUEST_INTR_STATUS"] },
  ],
  [
    "PML_INDEX",
    0x0812,
    "Index of the next entry to write in the page-modification log",
    { feature: "enable PML", see: "25.4.2" },
  ],
  ["GUEST_UINV", 0x0814, "Guest user-interrupt notification vector (UINV)", { feature: "load UINV", see: "25.4.2" }],
] as const satisfies readonly Row[];

// B.1.3 16-Bit Host-State Fields
const B_1_3 = [
  ["HOST_ES_SELECTOR", 0x0c00, "Host ES selector loaded on VM exit"],
  ["HOST_CS_SELECTOR", 0x0c02, "Host CS selector loaded on VM exit"],
  ["HOST_SS_SELECTOR", 0x0c04, "Host SS selector loaded on VM exit"],
  ["HOST_DS_SELECTOR", 0x0c06, "Host DS selector loaded on VM exit"],
  ["HOST_FS_SELECTOR", 0x0c08, "Host FS selector loaded on VM exit"],
  ["HOST_GS_SELECTOR", 0x0c0a, "Host GS selector loaded on VM exit"],
  ["HOST_TR_SELECTOR", 0x0c0c, "Host TR selector loaded on VM exit"],
] as const satisfies readonly Row[];

// B.2.1 64-Bit Control Fields
const B_2_1 = [
  [
    "IO_BITMAP_A",
    0x2000,
    "Physical address of I/O bitmap A (ports 0000H-7FFFH)",
    x(EXEC, { see: "25.6.4", aliases: ["IO_BITMAP_A_ADDRESS"] }),
  ],
  [
    "IO_BITMAP_B",
    0x2002,
    "Physical address of I/O bitmap B (ports 8000H-FFFFH)",
    x(EXEC, { see: "25.6.4", aliases: ["IO_BITMAP_B_ADDRESS"] }),
  ],
  [
    "MSR_BITMAP",
    0x2004,
    "Physical address of the 4-KByte MSR bitmaps",
    x(EXEC, { feature: "use MSR bitmaps", see: "25.6.9", aliases: ["MSR_BITMAP_ADDRESS"] }),
  ],
  [
    "VM_EXIT_MSR_STORE_ADDRESS",
    0x2006,
    "Physical address of the VM-exit MSR-store area",
    x(EXIT, { see: "25.7.2", aliases: ["VM_EXIT_MSR_STORE_ADDR"] }),
  ],
  [
    "VM_EXIT_MSR_LOAD_ADDRESS",
    0x2008,
    "Physical address of the VM-exit MSR-load area",
    x(EXIT, { see: "25.7.2", aliases: ["VM_EXIT_MSR_LOAD_ADDR"] }),
  ],
  [
    "VM_ENTRY_MSR_LOAD_ADDRESS",
    0x200a,
    "Physical address of the VM-entry MSR-load area",
    x(ENTRY, { see: "25.8.2", aliases: ["VM_ENTRY_MSR_LOAD_ADDR"] }),
  ],
  [
    "EXECUTIVE_VMCS_POINTER",
    0x200c,
    "Executive-VMCS pointer, used by the dual-monitor treatment of SMIs and SMM",
    x(EXEC, { see: "25.6.10" }),
  ],
  [
    "PML_ADDRESS",
    0x200e,
    "Physical address of the 4-KByte page-modification log",
    x(EXEC, { feature: "enable PML", see: "25.6" }),
  ],
  ["TSC_OFFSET", 0x2010, "TSC offset added to the guest's reads of the time-stamp counter", x(EXEC, { see: "25.6.5" })],
  [
    "VIRTUAL_APIC_ADDRESS",
    0x2012,
    "Physical address of the 4-KByte virtual-APIC page",
    x(EXEC, { feature: "use TPR shadow", see: "25.6.8", aliases: ["VIRTUAL_APIC_PAGE_ADDR"] }),
  ],
  [
    "APIC_ACCESS_ADDRESS",
    0x2014,
    "Physical address of the 4-KByte APIC-access page",
    x(EXEC, { feature: "virtualize APIC accesses", see: "25.6.8", aliases: ["APIC_ACCESS_ADDR"] }),
  ],
  [
    "POSTED_INTERRUPT_DESCRIPTOR_ADDRESS",
    0x2016,
    "Physical address of the 64-byte posted-interrupt descriptor",
    x(EXEC, { feature: "process posted interrupts", see: "25.6.8", aliases: ["POSTED_INTR_DESC_ADDR"] }),
  ],
  [
    "VM_FUNCTION_CONTROLS",
    0x2018,
    "VM-function controls: which VMFUNC leaves are enabled",
    x(EXEC, { feature: "enable VM functions", see: "25.6.14", aliases: ["VM_FUNCTION_CONTROL"] }),
  ],
  [
    "EPT_POINTER",
    0x201a,
    "EPT pointer (EPTP): EPT paging-structure memory type, walk length, A/D enable and PML4 address",
    x(EXEC, { feature: "enable EPT", see: "25.6.11", aliases: ["EPTP"] }),
  ],
  [
    "EOI_EXIT_BITMAP_0",
    0x201c,
    "EOI-exit bitmap for vectors 0-63",
    x(EXEC, { feature: "virtual-interrupt delivery", see: "25.6.8", aliases: ["EOI_EXIT_BITMAP0"] }),
  ],
  [
    "EOI_EXIT_BITMAP_1",
    0x201e,
    "EOI-exit bitmap for vectors 64-127",
    x(EXEC, { feature: "virtual-interrupt delivery", see: "25.6.8", aliases: ["EOI_EXIT_BITMAP1"] }),
  ],
  [
    "EOI_EXIT_BITMAP_2",
    0x2020,
    "EOI-exit bitmap for vectors 128-191",
    x(EXEC, { feature: "virtual-interrupt delivery", see: "25.6.8", aliases: ["EOI_EXIT_BITMAP2"] }),
  ],
  [
    "EOI_EXIT_BITMAP_3",
    0x2022,
    "EOI-exit bitmap for vectors 192-255",
    x(EXEC, { feature: "virtual-interrupt delivery", see: "25.6.8", aliases: ["EOI_EXIT_BITMAP3"] }),
  ],
  [
    "EPTP_LIST_ADDRESS",
    0x2024,
    "Physical address of the EPTP list used by EPTP switching (VMFUNC leaf 0)",
    x(EXEC, { feature: "EPTP switching", see: "25.6.14" }),
  ],
  [
    "VMREAD_BITMAP_ADDRESS",
    0x2026,
    "Physical address of the VMREAD bitmap (VMCS shadowing)",
    x(EXEC, { feature: "VMCS shadowing", see: "25.6.15", aliases: ["VMREAD_BITMAP"] }),
  ],
  [
    "VMWRITE_BITMAP_ADDRESS",
    0x2028,
    "Physical address of the VMWRITE bitmap (VMCS shadowing)",
    x(EXEC, { feature: "VMCS shadowing", see: "25.6.15", aliases: ["VMWRITE_BITMAP"] }),
  ],
  [
    "VIRTUALIZATION_EXCEPTION_INFORMATION_ADDRESS",
    0x202a,
    "Physical address of the virtualization-exception (#VE) information area",
    x(EXEC, { feature: "EPT-violation #VE", see: "25.6", aliases: ["VE_INFORMATION_ADDRESS"] }),
  ],
  [
    "XSS_EXITING_BITMAP",
    0x202c,
    "XSS-exiting bitmap: IA32_XSS bits whose setting by XSAVES/XRSTORS causes a VM exit",
    x(EXEC, { feature: "enable XSAVES/XRSTORS", see: "25.6", aliases: ["XSS_EXIT_BITMAP"] }),
  ],
  [
    "ENCLS_EXITING_BITMAP",
    0x202e,
    "ENCLS-exiting bitmap: ENCLS leaf functions that cause VM exits",
    x(EXEC, { feature: "enable ENCLS exiting", see: "25.6" }),
  ],
  [
    "SUB_PAGE_PERMISSION_TABLE_POINTER",
    0x2030,
    "Sub-page-permission-table pointer (SPPTP) for EPT sub-page write permissions",
    x(EXEC, { feature: "sub-page write permissions for EPT", see: "25.6", aliases: ["SPPTP"] }),
  ],
  [
    "TSC_MULTIPLIER",
    0x2032,
    "TSC multiplier (fixed point, 48 fraction bits) applied to guest TSC reads",
    x(EXEC, { feature: "use TSC scaling", see: "25.6.5" }),
  ],
  [
    "TERTIARY_PROC_BASED_VM_EXEC_CONTROLS",
    0x2034,
    "Tertiary processor-based VM-execution controls (64 bits)",
    x(EXEC, { feature: "activate tertiary controls", see: "25.6.2", aliases: ["TERTIARY_VM_EXEC_CONTROL"] }),
  ],
  [
    "ENCLV_EXITING_BITMAP",
    0x2036,
    "ENCLV-exiting bitmap: ENCLV leaf functions that cause VM exits",
    x(EXEC, { feature: "enable ENCLV exiting", see: "25.6" }),
  ],
  [
    "LOW_PASID_DIRECTORY_ADDRESS",
    0x2038,
    "Physical address of the low PASID directory (PASID translation for ENQCMD/ENQCMDS)",
    x(EXEC, { feature: "PASID translation", see: "25.6" }),
  ],
  [
    "HIGH_PASID_DIRECTORY_ADDRESS",
    0x203a,
    "Physical address of the high PASID directory (PASID translation for ENQCMD/ENQCMDS)",
    x(EXEC, { feature: "PASID translation", see: "25.6" }),
  ],
  [
    "SHARED_EPT_POINTER",
    0x203c,
    "Shared-EPT pointer used for shared guest-physical addresses of a TDX trust domain",
    x(EXEC, { feature: "Intel TDX", see: "25.6.11" }),
  ],
  [
    "PCONFIG_EXITING_BITMAP",
    0x203e,
    "PCONFIG-exiting bitmap: PCONFIG leaf functions that cause VM exits",
    x(EXEC, { feature: "enable PCONFIG", see: "25.6" }),
  ],
  [
    "HLAT_POINTER",
    0x2040,
    "Hypervisor-managed linear-address translation pointer (HLATP)",
    x(EXEC, { feature: "enable HLAT", see: "25.6", aliases: ["HLATP"] }),
  ],
  [
    "PID_POINTER_TABLE_ADDRESS",
    0x2042,
    "Physical address of the PID-pointer table (IPI virtualization)",
    x(EXEC, { feature: "IPI virtualization", see: "25.6.8", aliases: ["PID_POINTER_TABLE"] }),
  ],
  [
    "SECONDARY_VM_EXIT_CONTROLS",
    0x2044,
    "Secondary VM-exit controls (64 bits)",
    x(EXIT, { feature: "activate secondary VM-exit controls", see: "25.7.1" }),
  ],
  [
    "IA32_SPEC_CTRL_MASK",
    0x204a,
    "IA32_SPEC_CTRL mask: bits of IA32_SPEC_CTRL the guest may not change (virtualize IA32_SPEC_CTRL)",
    x(EXEC, { feature: "virtualize IA32_SPEC_CTRL", see: "25.6" }),
  ],
  [
    "IA32_SPEC_CTRL_SHADOW",
    0x204c,
    "IA32_SPEC_CTRL shadow: value the guest reads from IA32_SPEC_CTRL",
    x(EXEC, { feature: "virtualize IA32_SPEC_CTRL", see: "25.6" }),
  ],
  [
    "INJECTED_EVENT_DATA",
    0x2052,
    "Event data delivered with an event injected by VM entry (FRED: e.g. CR2 for #PF, DR6 bits for #DB)",
    x(ENTRY, { feature: "load FRED", see: "25.8.3" }),
  ],
] as const satisfies readonly Row[];

// B.2.2 64-Bit Read-Only Data Field
const B_2_2 = [
  [
    "GUEST_PHYSICAL_ADDRESS",
    0x2400,
    "Guest-physical address that caused an EPT violation or EPT misconfiguration",
    { feature: "enable EPT", see: "25.9.1" },
  ],
  [
    "ORIGINAL_EVENT_DATA",
    0x2404,
    "Event data of the event that was being delivered when the VM exit occurred (FRED; IDT-vectoring)",
    { feature: "load FRED", see: "25.9.3" },
  ],
] as const satisfies readonly Row[];

// B.2.3 64-Bit Guest-State Fields
const B_2_3 = [
  [
    "VMCS_LINK_POINTER",
    0x2800,
    "VMCS link pointer: all ones unless a shadow VMCS is linked",
    { see: "25.4.2", aliases: ["GUEST_VMCS_LINK_POINTER"] },
  ],
  ["GUEST_IA32_DEBUGCTL", 0x2802, "Guest IA32_DEBUGCTL", { see: "25.4.1" }],
  [
    "GUEST_IA32_PAT",
    0x2804,
    "Guest IA32_PAT",
    { feature: "load IA32_PAT or save IA32_PAT", see: "25.4.1", aliases: ["GUEST_PAT"] },
  ],
  [
    "GUEST_IA32_EFER",
    0x2806,
    "Guest IA32_EFER",
    { feature: "load IA32_EFER or save IA32_EFER", see: "25.4.1", aliases: ["GUEST_EFER"] },
  ],
  [
    "GUEST_IA32_PERF_GLOBAL_CTRL",
    0x2808,
    "Guest IA32_PERF_GLOBAL_CTRL",
    { feature: "load IA32_PERF_GLOBAL_CTRL", see: "25.4.1" },
  ],
  [
    "GUEST_PDPTE0",
    0x280a,
    "Guest PDPTE0, used by PAE paging when EPT is enabled",
    { feature: "enable EPT", see: "25.4.2", aliases: ["GUEST_PDPTR0"] },
  ],
  [
    "GUEST_PDPTE1",
    0x280c,
    "Guest PDPTE1, used by PAE paging when EPT is enabled",
    { feature: "enable EPT", see: "25.4.2", aliases: ["GUEST_PDPTR1"] },
  ],
  [
    "GUEST_PDPTE2",
    0x280e,
    "Guest PDPTE2, used by PAE paging when EPT is enabled",
    { feature: "enable EPT", see: "25.4.2", aliases: ["GUEST_PDPTR2"] },
  ],
  [
    "GUEST_PDPTE3",
    0x2810,
    "Guest PDPTE3, used by PAE paging when EPT is enabled",
    { feature: "enable EPT", see: "25.4.2", aliases: ["GUEST_PDPTR3"] },
  ],
  [
    "GUEST_IA32_BNDCFGS",
    0x2812,
    "Guest IA32_BNDCFGS (MPX configuration)",
    { feature: "load IA32_BNDCFGS or clear IA32_BNDCFGS", see: "25.4.1", aliases: ["GUEST_BNDCFGS"] },
  ],
  [
    "GUEST_IA32_RTIT_CTL",
    0x2814,
    "Guest IA32_RTIT_CTL (Intel Processor Trace control)",
    { feature: "load IA32_RTIT_CTL or clear IA32_RTIT_CTL", see: "25.4.1" },
  ],
  [
    "GUEST_IA32_LBR_CTL",
    0x2816,
    "Guest IA32_LBR_CTL (architectural LBR control)",
    { feature: "load guest IA32_LBR_CTL or clear IA32_LBR_CTL", see: "25.4.1" },
  ],
  [
    "GUEST_IA32_PKRS",
    0x2818,
    "Guest IA32_PKRS (protection keys for supervisor pages)",
    { feature: "load PKRS", see: "25.4.1" },
  ],
  [
    "GUEST_IA32_FRED_CONFIG",
    0x281a,
    "Guest IA32_FRED_CONFIG (event-delivery entry point, red zone, interrupt stack level)",
    { feature: "load FRED or save FRED", see: "25.4.1" },
  ],
  [
    "GUEST_IA32_FRED_RSP1",
    0x281c,
    "Guest IA32_FRED_RSP1 (stack pointer for stack level 1)",
    { feature: "load FRED or save FRED", see: "25.4.1" },
  ],
  [
    "GUEST_IA32_FRED_RSP2",
    0x281e,
    "Guest IA32_FRED_RSP2 (stack pointer for stack level 2)",
    { feature: "load FRED or save FRED", see: "25.4.1" },
  ],
  [
    "GUEST_IA32_FRED_RSP3",
    0x2820,
    "Guest IA32_FRED_RSP3 (stack pointer for stack level 3)",
    { feature: "load FRED or save FRED", see: "25.4.1" },
  ],
  [
    "GUEST_IA32_FRED_STKLVLS",
    0x2822,
    "Guest IA32_FRED_STKLVLS (stack level used by each exception vector)",
    { feature: "load FRED or save FRED", see: "25.4.1" },
  ],
  [
    "GUEST_IA32_FRED_SSP1",
    0x2824,
    "Guest IA32_FRED_SSP1 (shadow-stack pointer for stack level 1)",
    { feature: "load FRED or save FRED", see: "25.4.1" },
  ],
  [
    "GUEST_IA32_FRED_SSP2",
    0x2826,
    "Guest IA32_FRED_SSP2 (shadow-stack pointer for stack level 2)",
    { feature: "load FRED or save FRED", see: "25.4.1" },
  ],
  [
    "GUEST_IA32_FRED_SSP3",
    0x2828,
    "Guest IA32_FRED_SSP3 (shadow-stack pointer for stack level 3)",
    { feature: "load FRED or save FRED", see: "25.4.1" },
  ],
] as const satisfies readonly Row[];

// B.2.4 64-Bit Host-State Fields
const B_2_4 = [
  ["HOST_IA32_PAT", 0x2c00, "Host IA32_PAT loaded on VM exit", { feature: "load IA32_PAT", aliases: ["HOST_PAT"] }],
  ["HOST_IA32_EFER", 0x2c02, "Host IA32_EFER loaded on VM exit", { feature: "load IA32_EFER", aliases: ["HOST_EFER"] }],
  [
    "HOST_IA32_PERF_GLOBAL_CTRL",
    0x2c04,
    "Host IA32_PERF_GLOBAL_CTRL loaded on VM exit",
    { feature: "load IA32_PERF_GLOBAL_CTRL" },
  ],
  ["HOST_IA32_PKRS", 0x2c06, "Host IA32_PKRS loaded on VM exit", { feature: "load PKRS" }],
  [
    "HOST_IA32_FRED_CONFIG",
    0x2c08,
    "Host IA32_FRED_CONFIG (event-delivery entry point, red zone, interrupt stack level)",
    { feature: "load FRED", see: "25.5" },
  ],
  [
    "HOST_IA32_FRED_RSP1",
    0x2c0a,
    "Host IA32_FRED_RSP1 (stack pointer for stack level 1)",
    { feature: "load FRED", see: "25.5" },
  ],
  [
    "HOST_IA32_FRED_RSP2",
    0x2c0c,
    "Host IA32_FRED_RSP2 (stack pointer for stack level 2)",
    { feature: "load FRED", see: "25.5" },
  ],
  [
    "HOST_IA32_FRED_RSP3",
    0x2c0e,
    "Host IA32_FRED_RSP3 (stack pointer for stack level 3)",
    { feature: "load FRED", see: "25.5" },
  ],
  [
    "HOST_IA32_FRED_STKLVLS",
    0x2c10,
    "Host IA32_FRED_STKLVLS (stack level used by each exception vector)",
    { feature: "load FRED", see: "25.5" },
  ],
  [
    "HOST_IA32_FRED_SSP1",
    0x2c12,
    "Host IA32_FRED_SSP1 (shadow-stack pointer for stack level 1)",
    { feature: "load FRED", see: "25.5" },
  ],
  [
    "HOST_IA32_FRED_SSP2",
    0x2c14,
    "Host IA32_FRED_SSP2 (shadow-stack pointer for stack level 2)",
    { feature: "load FRED", see: "25.5" },
  ],
  [
    "HOST_IA32_FRED_SSP3",
    0x2c16,
    "Host IA32_FRED_SSP3 (shadow-stack pointer for stack level 3)",
    { feature: "load FRED", see: "25.5" },
  ],
] as const satisfies readonly Row[];

// B.3.1 32-Bit Control Fields
const B_3_1 = [
  [
    "PIN_BASED_VM_EXEC_CONTROLS",
    0x4000,
    "Pin-based VM-execution controls (asynchronous events)",
    x(EXEC, { see: "25.6.1", aliases: ["PIN_BASED_VM_EXEC_CONTROL", "PIN_BASED_CONTROLS"] }),
  ],
  [
    "PRIMARY_PROC_BASED_VM_EXEC_CONTROLS",
    0x4002,
    "Primary processor-based VM-execution controls (synchronous events)",
    x(EXEC, { see: "25.6.2", aliases: ["CPU_BASED_VM_EXEC_CONTROL", "PROC_BASED_VM_EXEC_CONTROLS"] }),
  ],
  [
    "EXCEPTION_BITMAP",
    0x4004,
    "Exception bitmap: one bit per vector 0-31; a set bit makes that exception cause a VM exit",
    x(EXEC, { see: "25.6.3" }),
  ],
  [
    "PAGE_FAULT_ERROR_CODE_MASK",
    0x4006,
    "Page-fault error-code mask (selects which #PF cause VM exits, with the match value)",
    x(EXEC, { see: "25.6.3" }),
  ],
  [
    "PAGE_FAULT_ERROR_CODE_MATCH",
    0x4008,
    "Page-fault error-code match (selects which #PF cause VM exits, with the mask)",
    x(EXEC, { see: "25.6.3" }),
  ],
  [
    "CR3_TARGET_COUNT",
    0x400a,
    "Number of CR3-target values (0-4) that MOV to CR3 may load without a VM exit",
    x(EXEC, { see: "25.6.7" }),
  ],
  [
    "PRIMARY_VM_EXIT_CONTROLS",
    0x400c,
    "Primary VM-exit controls",
    x(EXIT, { see: "25.7.1", aliases: ["VM_EXIT_CONTROLS"] }),
  ],
  ["VM_EXIT_MSR_STORE_COUNT", 0x400e, "Number of MSRs to store on VM exit", x(EXIT, { see: "25.7.2" })],
  ["VM_EXIT_MSR_LOAD_COUNT", 0x4010, "Number of MSRs to load on VM exit", x(EXIT, { see: "25.7.2" })],
  ["VM_ENTRY_CONTROLS", 0x4012, "VM-entry controls", x(ENTRY, { see: "25.8.1" })],
  ["VM_ENTRY_MSR_LOAD_COUNT", 0x4014, "Number of MSRs to load on VM entry", x(ENTRY, { see: "25.8.2" })],
  [
    "VM_ENTRY_INTERRUPTION_INFORMATION",
    0x4016,
    "VM-entry interruption-information field: event to inject on VM entry",
    x(ENTRY, { see: "25.8.3", aliases: ["VM_ENTRY_INTR_INFO_FIELD", "VM_ENTRY_INTR_INFO"] }),
  ],
  [
    "VM_ENTRY_EXCEPTION_ERROR_CODE",
    0x4018,
    "Error code delivered with an injected hardware exception",
    x(ENTRY, { see: "25.8.3" }),
  ],
  [
    "VM_ENTRY_INSTRUCTION_LENGTH",
    0x401a,
    "Instruction length for injected software interrupts and software exceptions",
    x(ENTRY, { see: "25.8.3", aliases: ["VM_ENTRY_INSTRUCTION_LEN"] }),
  ],
  [
    "TPR_THRESHOLD",
    0x401c,
    "TPR threshold: lowering VTPR[7:4] below bits 3:0 causes a VM exit",
    x(EXEC, { feature: "use TPR shadow", see: "25.6.8" }),
  ],
  [
    "SECONDARY_PROC_BASED_VM_EXEC_CONTROLS",
    0x401e,
    "Secondary processor-based VM-execution controls",
    x(EXEC, { feature: "activate secondary controls", see: "25.6.2", aliases: ["SECONDARY_VM_EXEC_CONTROL"] }),
  ],
  [
    "PLE_GAP",
    0x4020,
    "PLE_Gap: maximum TSC ticks between two PAUSEs of the same loop",
    x(EXEC, { feature: "PAUSE-loop exiting", see: "25.6.13" }),
  ],
  [
    "PLE_WINDOW",
    0x4022,
    "PLE_Window: TSC ticks a PAUSE loop may spin before a VM exit",
    x(EXEC, { feature: "PAUSE-loop exiting", see: "25.6.13" }),
  ],
  [
    "INSTRUCTION_TIMEOUT_CONTROL",
    0x4024,
    "Instruction-timeout control: cycles an instruction may run before a NOTIFY VM exit",
    x(EXEC, { feature: "instruction timeout", see: "25.6", aliases: ["NOTIFY_WINDOW"] }),
  ],
] as const satisfies readonly Row[];

// B.3.2 32-Bit Read-Only Data Fields
const B_3_2 = [
  ["VM_INSTRUCTION_ERROR", 0x4400, "VM-instruction error number of the last VMfailValid (SDM 30.4)", { see: "25.9.5" }],
  [
    "EXIT_REASON",
    0x4402,
    "Exit reason: basic reason (bits 15:0) and flags such as VM-entry failure (bit 31)",
    { see: "25.9.1", aliases: ["VM_EXIT_REASON"] },
  ],
  [
    "VM_EXIT_INTERRUPTION_INFORMATION",
    0x4404,
    "VM-exit interruption information: the event that caused the VM exit",
    { see: "25.9.2", aliases: ["VM_EXIT_INTR_INFO"] },
  ],
  [
    "VM_EXIT_INTERRUPTION_ERROR_CODE",
    0x4406,
    "Error code of the exception that caused the VM exit",
    { see: "25.9.2", aliases: ["VM_EXIT_INTR_ERROR_CODE"] },
  ],
  [
    "IDT_VECTORING_INFORMATION",
    0x4408,
    "IDT-vectoring information: the event being delivered when the VM exit occurred",
    { see: "25.9.3", aliases: ["IDT_VECTORING_INFO_FIELD", "IDT_VECTORING_INFO"] },
  ],
  [
    "IDT_VECTORING_ERROR_CODE",
    0x440a,
    "Error code of the event being delivered when the VM exit occurred",
    { see: "25.9.3" },
  ],
  [
    "VM_EXIT_INSTRUCTION_LENGTH",
    0x440c,
    "Length in bytes of the instruction that caused the VM exit",
    { see: "25.9.4", aliases: ["VM_EXIT_INSTRUCTION_LEN"] },
  ],
  [
    "VM_EXIT_INSTRUCTION_INFORMATION",
    0x440e,
    "VM-exit instruction information: operands of the instruction that caused the VM exit",
    { see: "25.9.4", aliases: ["VMX_INSTRUCTION_INFO", "VM_EXIT_INSTRUCTION_INFO"] },
  ],
] as const satisfies readonly Row[];

// B.3.3 32-Bit Guest-State Fields
const B_3_3 = [
  ["GUEST_ES_LIMIT", 0x4800, "Guest ES segment limit", { see: "25.4.1" }],
  ["GUEST_CS_LIMIT", 0x4802, "Guest CS segment limit", { see: "25.4.1" }],
  ["GUEST_SS_LIMIT", 0x4804, "Guest SS segment limit", { see: "25.4.1" }],
  ["GUEST_DS_LIMIT", 0x4806, "Guest DS segment limit", { see: "25.4.1" }],
  ["GUEST_FS_LIMIT", 0x4808, "Guest FS segment limit", { see: "25.4.1" }],
  ["GUEST_GS_LIMIT", 0x480a, "Guest GS segment limit", { see: "25.4.1" }],
  ["GUEST_LDTR_LIMIT", 0x480c, "Guest LDTR segment limit", { see: "25.4.1" }],
  ["GUEST_TR_LIMIT", 0x480e, "Guest TR segment limit", { see: "25.4.1" }],
  ["GUEST_GDTR_LIMIT", 0x4810, "Guest GDTR limit", { see: "25.4.1" }],
  ["GUEST_IDTR_LIMIT", 0x4812, "Guest IDTR limit", { see: "25.4.1" }],
  [
    "GUEST_ES_ACCESS_RIGHTS",
    0x4814,
    "Guest ES access rights (descriptor bits, bit 16 = unusable)",
    { see: "25.4.1", aliases: ["GUEST_ES_AR_BYTES"] },
  ],
  [
    "GUEST_CS_ACCESS_RIGHTS",
    0x4816,
    "Guest CS access rights (descriptor bits, bit 16 = unusable)",
    { see: "25.4.1", aliases: ["GUEST_CS_AR_BYTES"] },
  ],
  [
    "GUEST_SS_ACCESS_RIGHTS",
    0x4818,
    "Guest SS access rights (descriptor bits, bit 16 = unusable)",
    { see: "25.4.1", aliases: ["GUEST_SS_AR_BYTES"] },
  ],
  [
    "GUEST_DS_ACCESS_RIGHTS",
    0x481a,
    "Guest DS access rights (descriptor bits, bit 16 = unusable)",
    { see: "25.4.1", aliases: ["GUEST_DS_AR_BYTES"] },
  ],
  [
    "GUEST_FS_ACCESS_RIGHTS",
    0x481c,
    "Guest FS access rights (descriptor bits, bit 16 = unusable)",
    { see: "25.4.1", aliases: ["GUEST_FS_AR_BYTES"] },
  ],
  [
    "GUEST_GS_ACCESS_RIGHTS",
    0x481e,
    "Guest GS access rights (descriptor bits, bit 16 = unusable)",
    { see: "25.4.1", aliases: ["GUEST_GS_AR_BYTES"] },
  ],
  [
    "GUEST_LDTR_ACCESS_RIGHTS",
    0x4820,
    "Guest LDTR access rights (descriptor bits, bit 16 = unusable)",
    { see: "25.4.1", aliases: ["GUEST_LDTR_AR_BYTES"] },
  ],
  [
    "GUEST_TR_ACCESS_RIGHTS",
    0x4822,
    "Guest TR access rights (descriptor bits, bit 16 = unusable)",
    { see: "25.4.1", aliases: ["GUEST_TR_AR_BYTES"] },
  ],
  [
    "GUEST_INTERRUPTIBILITY_STATE",
    0x4824,
    "Guest interruptibility state: blocking by STI, MOV SS, SMI and NMI",
    { see: "25.4.2", aliases: ["GUEST_INTERRUPTIBILITY_INFO"] },
  ],
  [
    "GUEST_ACTIVITY_STATE",
    0x4826,
    "Guest activity state: 0 active, 1 HLT, 2 shutdown, 3 wait-for-SIPI",
    { see: "25.4.2" },
  ],
  ["GUEST_SMBASE", 0x4828, "Guest SMBASE (the base of SMRAM while in SMM)", { see: "25.4.2" }],
  ["GUEST_IA32_SYSENTER_CS", 0x482a, "Guest IA32_SYSENTER_CS", { see: "25.4.1", aliases: ["GUEST_SYSENTER_CS"] }],
  [
    "VMX_PREEMPTION_TIMER_VALUE",
    0x482e,
    "VMX-preemption timer value: counts down in VMX non-root operation; a VM exit occurs at 0",
    { feature: "activate VMX-preemption timer", see: "25.4.2", aliases: ["GUEST_PREEMPTION_TIMER"] },
  ],
] as const satisfies readonly Row[];

// B.3.4 32-Bit Host-State Field
const B_3_4 = [
  ["HOST_IA32_SYSENTER_CS", 0x4c00, "Host IA32_SYSENTER_CS loaded on VM exit", { aliases: ["HOST_SYSENTER_CS"] }],
] as const satisfies readonly Row[];

// B.4.1 Natural-Width Control Fields
const B_4_1 = [
  [
    "CR0_GUEST_HOST_MASK",
    0x6000,
    "CR0 guest/host mask: set bits are owned by the host (guest writes that change them exit)",
    x(EXEC, { see: "25.6.6" }),
  ],
  [
    "CR4_GUEST_HOST_MASK",
    0x6002,
    "CR4 guest/host mask: set bits are owned by the host (guest writes that change them exit)",
    x(EXEC, { see: "25.6.6" }),
  ],
  [
    "CR0_READ_SHADOW",
    0x6004,
    "CR0 read shadow: what the guest reads for host-owned CR0 bits",
    x(EXEC, { see: "25.6.6" }),
  ],
  [
    "CR4_READ_SHADOW",
    0x6006,
    "CR4 read shadow: what the guest reads for host-owned CR4 bits",
    x(EXEC, { see: "25.6.6" }),
  ],
  ["CR3_TARGET_VALUE0", 0x6008, "CR3-target value 0", x(EXEC, { see: "25.6.7" })],
  ["CR3_TARGET_VALUE1", 0x600a, "CR3-target value 1", x(EXEC, { see: "25.6.7" })],
  ["CR3_TARGET_VALUE2", 0x600c, "CR3-target value 2", x(EXEC, { see: "25.6.7" })],
  ["CR3_TARGET_VALUE3", 0x600e, "CR3-target value 3", x(EXEC, { see: "25.6.7" })],
] as const satisfies readonly Row[];

// B.4.2 Natural-Width Read-Only Data Fields
const B_4_2 = [
  [
    "EXIT_QUALIFICATION",
    0x6400,
    "Exit qualification: details of the VM exit, format depends on the exit reason",
    { see: "27.2.1" },
  ],
  ["IO_RCX", 0x6402, "Value of RCX before an I/O instruction that caused an SMI", { see: "25.9.4" }],
  ["IO_RSI", 0x6404, "Value of RSI before an I/O instruction that caused an SMI", { see: "25.9.4" }],
  ["IO_RDI", 0x6406, "Value of RDI before an I/O instruction that caused an SMI", { see: "25.9.4" }],
  ["IO_RIP", 0x6408, "Value of RIP before an I/O instruction that caused an SMI", { see: "25.9.4" }],
  [
    "GUEST_LINEAR_ADDRESS",
    0x640a,
    "Guest-linear address accessed by the instruction or access that caused the VM exit",
    { see: "25.9.1" },
  ],
] as const satisfies readonly Row[];

// B.4.3 Natural-Width Guest-State Fields
const B_4_3 = [
  ["GUEST_CR0", 0x6800, "Guest CR0", { see: "25.4.1" }],
  ["GUEST_CR3", 0x6802, "Guest CR3", { see: "25.4.1" }],
  ["GUEST_CR4", 0x6804, "Guest CR4", { see: "25.4.1" }],
  ["GUEST_ES_BASE", 0x6806, "Guest ES segment base address", { see: "25.4.1" }],
  ["GUEST_CS_BASE", 0x6808, "Guest CS segment base address", { see: "25.4.1" }],
  ["GUEST_SS_BASE", 0x680a, "Guest SS segment base address", { see: "25.4.1" }],
  ["GUEST_DS_BASE", 0x680c, "Guest DS segment base address", { see: "25.4.1" }],
  ["GUEST_FS_BASE", 0x680e, "Guest FS segment base address", { see: "25.4.1" }],
  ["GUEST_GS_BASE", 0x6810, "Guest GS segment base address", { see: "25.4.1" }],
  ["GUEST_LDTR_BASE", 0x6812, "Guest LDTR base address", { see: "25.4.1" }],
  ["GUEST_TR_BASE", 0x6814, "Guest TR base address", { see: "25.4.1" }],
  ["GUEST_GDTR_BASE", 0x6816, "Guest GDTR base address", { see: "25.4.1" }],
  ["GUEST_IDTR_BASE", 0x6818, "Guest IDTR base address", { see: "25.4.1" }],
  ["GUEST_DR7", 0x681a, "Guest DR7", { see: "25.4.1" }],
  ["GUEST_RSP", 0x681c, "Guest RSP", { see: "25.4.1" }],
  ["GUEST_RIP", 0x681e, "Guest RIP", { see: "25.4.1" }],
  ["GUEST_RFLAGS", 0x6820, "Guest RFLAGS", { see: "25.4.1" }],
  [
    "GUEST_PENDING_DEBUG_EXCEPTIONS",
    0x6822,
    "Guest pending debug exceptions (B3:0, BS, RTM, enabled breakpoint)",
    { see: "25.4.2", aliases: ["GUEST_PENDING_DBG_EXCEPTIONS"] },
  ],
  ["GUEST_IA32_SYSENTER_ESP", 0x6824, "Guest IA32_SYSENTER_ESP", { see: "25.4.1", aliases: ["GUEST_SYSENTER_ESP"] }],
  ["GUEST_IA32_SYSENTER_EIP", 0x6826, "Guest IA32_SYSENTER_EIP", { see: "25.4.1", aliases: ["GUEST_SYSENTER_EIP"] }],
  [
    "GUEST_IA32_S_CET",
    0x6828,
    "Guest IA32_S_CET (supervisor CET controls)",
    { feature: "load CET state", see: "25.4.1" },
  ],
  ["GUEST_SSP", 0x682a, "Guest shadow-stack pointer (SSP)", { feature: "load CET state", see: "25.4.1" }],
  [
    "GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR",
    0x682c,
    "Guest IA32_INTERRUPT_SSP_TABLE_ADDR",
    { feature: "load CET state", see: "25.4.1", aliases: ["GUEST_INTR_SSP_TABLE"] },
  ],
] as const satisfies readonly Row[];

// B.4.4 Natural-Width Host-State Fields
const B_4_4 = [
  ["HOST_CR0", 0x6c00, "Host CR0 loaded on VM exit"],
  ["HOST_CR3", 0x6c02, "Host CR3 loaded on VM exit"],
  ["HOST_CR4", 0x6c04, "Host CR4 loaded on VM exit"],
  ["HOST_FS_BASE", 0x6c06, "Host FS base address loaded on VM exit"],
  ["HOST_GS_BASE", 0x6c08, "Host GS base address loaded on VM exit"],
  ["HOST_TR_BASE", 0x6c0a, "Host TR base address loaded on VM exit"],
  ["HOST_GDTR_BASE", 0x6c0c, "Host GDTR base address loaded on VM exit"],
  ["HOST_IDTR_BASE", 0x6c0e, "Host IDTR base address loaded on VM exit"],
  ["HOST_IA32_SYSENTER_ESP", 0x6c10, "Host IA32_SYSENTER_ESP loaded on VM exit", { aliases: ["HOST_SYSENTER_ESP"] }],
  ["HOST_IA32_SYSENTER_EIP", 0x6c12, "Host IA32_SYSENTER_EIP loaded on VM exit", { aliases: ["HOST_SYSENTER_EIP"] }],
  ["HOST_RSP", 0x6c14, "Host RSP loaded on VM exit"],
  ["HOST_RIP", 0x6c16, "Host RIP: where the host resumes after a VM exit"],
  ["HOST_IA32_S_CET", 0x6c18, "Host IA32_S_CET loaded on VM exit", { feature: "load CET state" }],
  ["HOST_SSP", 0x6c1a, "Host shadow-stack pointer (SSP) loaded on VM exit", { feature: "load CET state" }],
  [
    "HOST_IA32_INTERRUPT_SSP_TABLE_ADDR",
    0x6c1c,
    "Host IA32_INTERRUPT_SSP_TABLE_ADDR loaded on VM exit",
    { feature: "load CET state", aliases: ["HOST_INTR_SSP_TABLE"] },
  ],
] as const satisfies readonly Row[];

const BLOCKS = [
  { width: "16", type: "control", sdm: "B.1.1", rows: B_1_1 },
  { width: "16", type: "guest", sdm: "B.1.2", rows: B_1_2 },
  { width: "16", type: "host", sdm: "B.1.3", rows: B_1_3 },
  { width: "64", type: "control", sdm: "B.2.1", rows: B_2_1 },
  { width: "64", type: "read-only", sdm: "B.2.2", rows: B_2_2 },
  { width: "64", type: "guest", sdm: "B.2.3", rows: B_2_3 },
  { width: "64", type: "host", sdm: "B.2.4", rows: B_2_4 },
  { width: "32", type: "control", sdm: "B.3.1", rows: B_3_1 },
  { width: "32", type: "read-only", sdm: "B.3.2", rows: B_3_2 },
  { width: "32", type: "guest", sdm: "B.3.3", rows: B_3_3 },
  { width: "32", type: "host", sdm: "B.3.4", rows: B_3_4 },
  { width: "natural", type: "control", sdm: "B.4.1", rows: B_4_1 },
  { width: "natural", type: "read-only", sdm: "B.4.2", rows: B_4_2 },
  { width: "natural", type: "guest", sdm: "B.4.3", rows: B_4_3 },
  { width: "natural", type: "host", sdm: "B.4.4", rows: B_4_4 },
] as const satisfies readonly Block[];

/** Every field name, as a string literal union. */
export type VmcsFieldName = (typeof BLOCKS)[number]["rows"][number][0];

const DEFAULT_GROUP: Record<VmcsType, VmcsGroup> = {
  control: "vm-execution-control",
  "read-only": "vm-exit-information",
  guest: "guest-state",
  host: "host-state",
};
const DEFAULT_SEE: Record<VmcsGroup, string> = {
  "guest-state": "25.4",
  "host-state": "25.5",
  "vm-execution-control": "25.6",
  "vm-exit-control": "25.7",
  "vm-entry-control": "25.8",
  "vm-exit-information": "25.9",
};

function buildFields(): VmcsField[] {
  const out: VmcsField[] = [];
  for (const block of BLOCKS as readonly Block[]) {
    for (const [name, encoding, description, extra] of block.rows) {
      const group = extra?.group ?? DEFAULT_GROUP[block.type];
      const field: VmcsField = {
        name,
        encoding,
        width: block.width,
        type: block.type,
        group,
        description,
        sdm: block.sdm,
        see: extra?.see ?? DEFAULT_SEE[group],
      };
      if (extra?.feature) field.feature = extra.feature;
      if (extra?.aliases) field.aliases = extra.aliases;
      out.push(Object.freeze(field));
    }
  }
  return out;
}

/** All VMCS fields, in SDM Appendix B order (16-bit, 64-bit, 32-bit, natural width; control, read-only, guest, host). */
export const VMCS_FIELDS: readonly VmcsField[] = Object.freeze(buildFields());

/** Name → full encoding, e.g. `VMCS.GUEST_CR0 === 0x6800`. */
export const VMCS: { readonly [K in VmcsFieldName]: number } = Object.freeze(
  Object.fromEntries(VMCS_FIELDS.map((f) => [f.name, f.encoding])) as { [K in VmcsFieldName]: number },
);
