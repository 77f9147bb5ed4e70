// Hover documentation for the VMX instructions and the other system instructions a hypervisor uses, written
// for this project from the SDM (Vol. 3C ch. 31 "VMX Instruction Reference", Vol. 2) and the team's reference
// notes. Exit reasons and VM-instruction error messages are not repeated here: the hover renders them from
// arch/ (EXIT_REASON names, VM_INSTRUCTION_ERRORS) by number/name.

export interface InstructionDoc {
  /** Operand forms in Intel syntax (NASM and `.intel_syntax`). */
  intel: readonly string[];
  /** Operand forms in AT&T syntax. */
  att: readonly string[];
  /** What it does, in two or three sentences. */
  summary: string;
  /** How it reports failure: faults and VMfail outcomes with their error numbers. */
  failures?: string;
  /** VM-instruction error numbers it can produce (rendered with arch's messages). */
  errors?: readonly number[];
  /** Exit-reason names (arch EXIT_REASON) a guest executing it may cause, with the condition. */
  exits?: readonly { reason: string; when: string }[];
  sdm: string;
}

const VMX_UD =
  "#UD outside VMX operation, in real or virtual-8086 mode, or in compatibility mode; #GP(0) at CPL > 0; memory faults on its operand.";

export const INSTRUCTION_DOCS: Readonly<Record<string, InstructionDoc>> = {
  vmxon: {
    intel: ["vmxon [m64]"],
    att: ["vmxon m64"],
    summary:
      "Enters VMX root operation. The 64-bit memory operand holds the physical address of the 4-KiB-aligned VMXON region, whose first dword must carry the VMCS revision identifier from IA32_VMX_BASIC[30:0]. Afterwards there is no current VMCS.",
    failures:
      "#UD if CR4.VMXE = 0 (checked even outside VMX operation); #GP(0) if CR0/CR4 break the IA32_VMX_CR0/CR4_FIXED MSRs, IA32_FEATURE_CONTROL is unlocked or does not enable VMX outside SMX, or CPL > 0. VMfailInvalid for an unaligned address, one beyond the physical-address width, or a wrong revision identifier. Already in root operation: VMfail(15).",
    errors: [15],
    exits: [{ reason: "VMXON", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 3C 31.3 VMXON; 25.11.5",
  },
  vmxoff: {
    intel: ["vmxoff"],
    att: ["vmxoff"],
    summary:
      "Leaves VMX operation. VMCS data cached in the processor is not written back: VMCLEAR every active VMCS first.",
    failures: `${VMX_UD} VMfail(23) while dual-monitor treatment of SMIs and SMM is active.`,
    errors: [23],
    exits: [{ reason: "VMXOFF", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 3C 31.3 VMXOFF",
  },
  vmclear: {
    intel: ["vmclear [m64]"],
    att: ["vmclear m64"],
    summary:
      "Makes the VMCS at the physical address in the m64 operand inactive: flushes cached data to memory, sets its launch state to clear (so the next entry must be VMLAUNCH) and, if it was current, leaves no current VMCS. Do this once on a new VMCS before VMPTRLD.",
    failures: `${VMX_UD} VMfail(2) for an unaligned or too-wide address, VMfail(3) for the VMXON region.`,
    errors: [2, 3],
    exits: [{ reason: "VMCLEAR", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 3C 31.3 VMCLEAR; 25.11.3",
  },
  vmptrld: {
    intel: ["vmptrld [m64]"],
    att: ["vmptrld m64"],
    summary:
      "Makes the VMCS at the physical address in the m64 operand current and active; VMREAD, VMWRITE, VMLAUNCH and VMRESUME then act on it.",
    failures: `${VMX_UD} VMfail(9) for an unaligned or too-wide address, VMfail(10) for the VMXON region, VMfail(11) when the region's revision identifier is wrong (or its shadow bit is set without VMCS shadowing).`,
    errors: [9, 10, 11],
    exits: [{ reason: "VMPTRLD", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 3C 31.3 VMPTRLD",
  },
  vmptrst: {
    intel: ["vmptrst [m64]"],
    att: ["vmptrst m64"],
    summary:
      "Stores the current-VMCS pointer (FFFFFFFF_FFFFFFFFH when there is none) into the 8-byte memory operand. It never VMfails.",
    failures: VMX_UD,
    exits: [{ reason: "VMPTRST", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 3C 31.3 VMPTRST",
  },
  vmread: {
    intel: ["vmread r/m64, r64   ; destination, field encoding"],
    att: ["vmread %r64, r/m64   # field encoding, destination"],
    summary:
      "Reads the field of the current VMCS selected by the register operand (ModRM.reg) into the destination. Narrower fields are zero-extended; an odd (HIGH) encoding of a 64-bit field returns its upper 32 bits. Intel and AT&T list the operands in opposite order; the encoding is the register in both.",
    failures: `${VMX_UD} VMfailInvalid without a current VMCS; VMfailValid(12) for an encoding naming no supported field (reserved bits 12 or 31:15 set, or bits 63:32 in 64-bit mode).`,
    errors: [12],
    exits: [{ reason: "VMREAD", when: "in non-root operation unless VMCS shadowing lets it read the shadow VMCS" }],
    sdm: "Vol. 3C 31.3 VMREAD; 25.11.2",
  },
  vmwrite: {
    intel: ["vmwrite r64, r/m64   ; field encoding, value"],
    att: ["vmwrite r/m64, %r64   # value, field encoding"],
    summary:
      "Writes the source value to the field of the current VMCS selected by the register operand (ModRM.reg). Bits beyond the field's width are dropped; a HIGH encoding writes bits 63:32 of a 64-bit field. Immediates are not allowed.",
    failures: `${VMX_UD} VMfailInvalid without a current VMCS; VMfailValid(12) for an unsupported encoding; VMfailValid(13) for a read-only VM-exit information field unless IA32_VMX_MISC[29] = 1.`,
    errors: [12, 13],
    exits: [{ reason: "VMWRITE", when: "in non-root operation unless VMCS shadowing lets it write the shadow VMCS" }],
    sdm: "Vol. 3C 31.3 VMWRITE; 25.11.2",
  },
  vmlaunch: {
    intel: ["vmlaunch"],
    att: ["vmlaunch"],
    summary:
      "Enters the guest described by the current VMCS, whose launch state must be clear; on success the launch state becomes launched and execution continues in the guest. Reaching the next instruction means it failed.",
    failures: `${VMX_UD} VMfailInvalid without a current VMCS; VMfailValid(26) when blocked by MOV SS, (4) when the VMCS is not clear, (7) for invalid control fields, (8) for invalid host state. Bad guest state or MSR loading gives a VM-entry failure exit (reason 33/34) instead.`,
    errors: [26, 4, 7, 8],
    exits: [{ reason: "VMLAUNCH", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 3C 31.3 VMLAUNCH/VMRESUME; 27 (VM entries)",
  },
  vmresume: {
    intel: ["vmresume"],
    att: ["vmresume"],
    summary:
      "Re-enters the guest of the current VMCS, whose launch state must be launched (use after the first VMLAUNCH and each VM exit). Reaching the next instruction means it failed.",
    failures: `${VMX_UD} VMfailInvalid without a current VMCS; VMfailValid(26) when blocked by MOV SS, (5) when the VMCS was not launched, (7) for invalid control fields, (8) for invalid host state.`,
    errors: [26, 5, 7, 8],
    exits: [{ reason: "VMRESUME", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 3C 31.3 VMLAUNCH/VMRESUME",
  },
  vmcall: {
    intel: ["vmcall"],
    att: ["vmcall"],
    summary:
      "In a guest: a hypercall — it always causes a VM exit, at any privilege level. In root operation it activates the dual-monitor treatment of SMM, which normally fails with VMfail(1).",
    failures:
      "#UD outside VMX operation. In root operation: VMfail(1) without dual-monitor treatment, (19), (20), (22), (24) on the SMM activation path.",
    errors: [1, 19, 20, 22, 24],
    exits: [{ reason: "VMCALL", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 3C 31.3 VMCALL; 33.15",
  },
  vmfunc: {
    intel: ["vmfunc   ; EAX = function, ECX = argument"],
    att: ["vmfunc"],
    summary:
      "Invokes VM function EAX from a guest without a VM exit; function 0 (EPTP switching) loads EPTP-list entry ECX as the EPT pointer. Never VMfails.",
    failures: '#UD outside non-root operation, when "enable VM functions" is 0, or EAX ≥ 64.',
    exits: [
      { reason: "VMFUNC", when: "the function is disabled in the VM-function controls or its argument is invalid" },
    ],
    sdm: "Vol. 3C 31.3 VMFUNC; 26.5.6",
  },
  invept: {
    intel: ["invept r64, m128   ; type, descriptor"],
    att: ["invept m128, %r64   # descriptor, type"],
    summary:
      "Invalidates cached EPT translations. Type 1 (single-context) invalidates mappings of the EPTP in the 16-byte descriptor; type 2 (global) invalidates all.",
    failures: `${VMX_UD} #UD without EPT or INVEPT support; VMfail(28) for an unsupported type or a bad EPTP.`,
    errors: [28],
    exits: [{ reason: "INVEPT", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 3C 31.3 INVEPT; 29.4.3",
  },
  invvpid: {
    intel: ["invvpid r64, m128   ; type, descriptor"],
    att: ["invvpid m128, %r64   # descriptor, type"],
    summary:
      "Invalidates TLB entries tagged with a VPID: type 0 one address, 1 one VPID, 2 all VPIDs, 3 one VPID except globals. Descriptor: VPID in bits 15:0, linear address in bits 127:64.",
    failures: `${VMX_UD} #UD without VPID or INVVPID support; VMfail(28) for an unsupported type, VPID 0 where one is required, reserved descriptor bits or a non-canonical address.`,
    errors: [28],
    exits: [{ reason: "INVVPID", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 3C 31.3 INVVPID; 29.4.3",
  },
  rdmsr: {
    intel: ["rdmsr   ; ECX = MSR index → EDX:EAX"],
    att: ["rdmsr"],
    summary:
      "Reads the model-specific register selected by ECX into EDX:EAX (high half in EDX). Used to read the VMX capability MSRs (480H–493H).",
    failures: "#GP(0) at CPL > 0 or for an MSR index the processor does not implement.",
    exits: [
      {
        reason: "RDMSR",
        when: "without MSR bitmaps, or when the read-bitmap bit for ECX is 1 (or ECX is outside the bitmap ranges)",
      },
    ],
    sdm: "Vol. 2B RDMSR; Vol. 3C 26.1.3",
  },
  wrmsr: {
    intel: ["wrmsr   ; ECX = MSR index ← EDX:EAX"],
    att: ["wrmsr"],
    summary: "Writes EDX:EAX into the model-specific register selected by ECX.",
    failures:
      "#GP(0) at CPL > 0, for an unimplemented or read-only MSR (such as the VMX capability MSRs), or for reserved bits set.",
    exits: [{ reason: "WRMSR", when: "without MSR bitmaps, or when the write-bitmap bit for ECX is 1" }],
    sdm: "Vol. 2B WRMSR; Vol. 3C 26.1.3",
  },
  cpuid: {
    intel: ["cpuid   ; EAX = leaf, ECX = subleaf"],
    att: ["cpuid"],
    summary:
      "Returns processor identification and feature information for leaf EAX (subleaf ECX) in EAX, EBX, ECX, EDX. CPUID.1:ECX[5] reports VMX support.",
    exits: [{ reason: "CPUID", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 2A CPUID",
  },
  hlt: {
    intel: ["hlt"],
    att: ["hlt"],
    summary: "Stops instruction execution until an interrupt, NMI, SMI, INIT or reset arrives.",
    failures: "#GP(0) at CPL > 0.",
    exits: [{ reason: "HLT", when: '"HLT exiting" = 1' }],
    sdm: "Vol. 2A HLT",
  },
  invd: {
    intel: ["invd"],
    att: ["invd"],
    summary: "Invalidates the caches without writing modified lines back.",
    failures: "#GP(0) at CPL > 0.",
    exits: [{ reason: "INVD", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 2A INVD",
  },
  wbinvd: {
    intel: ["wbinvd"],
    att: ["wbinvd"],
    summary: "Writes back and invalidates the caches.",
    failures: "#GP(0) at CPL > 0.",
    exits: [{ reason: "WBINVD_OR_WBNOINVD", when: '"WBINVD exiting" = 1' }],
    sdm: "Vol. 2B WBINVD",
  },
  invlpg: {
    intel: ["invlpg [m]"],
    att: ["invlpg m"],
    summary: "Invalidates the TLB entries for the page containing the linear address of the memory operand.",
    failures: "#GP(0) at CPL > 0; #UD for a register operand.",
    exits: [{ reason: "INVLPG", when: '"INVLPG exiting" = 1' }],
    sdm: "Vol. 2A INVLPG",
  },
  invpcid: {
    intel: ["invpcid r64, m128   ; type, descriptor"],
    att: ["invpcid m128, %r64"],
    summary:
      "Invalidates TLB entries by PCID: type 0 one address, 1 one PCID, 2 all including globals, 3 all except globals.",
    failures: "#GP(0) at CPL > 0, for an invalid type or descriptor; #UD if unsupported.",
    exits: [{ reason: "INVPCID", when: '"INVLPG exiting" = 1 and "enable INVPCID" = 1' }],
    sdm: "Vol. 2A INVPCID",
  },
  lgdt: {
    intel: ["lgdt [m]"],
    att: ["lgdt m"],
    summary: "Loads GDTR from a 10-byte memory operand (16-bit limit, 64-bit base in 64-bit mode).",
    failures: "#GP(0) at CPL > 0; #UD for a register operand.",
    exits: [{ reason: "GDTR_IDTR_ACCESS", when: '"descriptor-table exiting" = 1' }],
    sdm: "Vol. 2A LGDT/LIDT",
  },
  lidt: {
    intel: ["lidt [m]"],
    att: ["lidt m"],
    summary: "Loads IDTR from a 10-byte memory operand (16-bit limit, 64-bit base in 64-bit mode).",
    failures: "#GP(0) at CPL > 0; #UD for a register operand.",
    exits: [{ reason: "GDTR_IDTR_ACCESS", when: '"descriptor-table exiting" = 1' }],
    sdm: "Vol. 2A LGDT/LIDT",
  },
  sgdt: {
    intel: ["sgdt [m]"],
    att: ["sgdt m"],
    summary: "Stores GDTR (limit and base) to memory.",
    exits: [{ reason: "GDTR_IDTR_ACCESS", when: '"descriptor-table exiting" = 1' }],
    sdm: "Vol. 2B SGDT",
  },
  sidt: {
    intel: ["sidt [m]"],
    att: ["sidt m"],
    summary: "Stores IDTR (limit and base) to memory.",
    exits: [{ reason: "GDTR_IDTR_ACCESS", when: '"descriptor-table exiting" = 1' }],
    sdm: "Vol. 2B SIDT",
  },
  lldt: {
    intel: ["lldt r/m16"],
    att: ["lldt r/m16"],
    summary: "Loads LDTR with a selector of an LDT descriptor in the GDT.",
    failures: "#GP at CPL > 0 or for a bad selector/descriptor.",
    exits: [{ reason: "LDTR_TR_ACCESS", when: '"descriptor-table exiting" = 1' }],
    sdm: "Vol. 2A LLDT",
  },
  ltr: {
    intel: ["ltr r/m16"],
    att: ["ltr r/m16"],
    summary:
      "Loads the task register with a selector of an available TSS descriptor and marks it busy. VM entry needs a usable TR in the guest and host state.",
    failures: "#GP at CPL > 0 or for a bad selector/descriptor.",
    exits: [{ reason: "LDTR_TR_ACCESS", when: '"descriptor-table exiting" = 1' }],
    sdm: "Vol. 2A LTR",
  },
  in: {
    intel: ["in al/ax/eax, imm8", "in al/ax/eax, dx"],
    att: ["in $imm8, %al", "in (%dx), %al"],
    summary: "Reads from an I/O port.",
    failures: "#GP(0) when CPL > IOPL and the TSS I/O bitmap denies the port.",
    exits: [
      { reason: "IO_INSTRUCTION", when: '"unconditional I/O exiting" = 1, or the I/O-bitmap bit of the port is 1' },
    ],
    sdm: "Vol. 2A IN",
  },
  out: {
    intel: ["out imm8, al/ax/eax", "out dx, al/ax/eax"],
    att: ["out %al, $imm8", "out %al, (%dx)"],
    summary: "Writes to an I/O port (port 0xE9 is the emulator's debug console).",
    failures: "#GP(0) when CPL > IOPL and the TSS I/O bitmap denies the port.",
    exits: [
      { reason: "IO_INSTRUCTION", when: '"unconditional I/O exiting" = 1, or the I/O-bitmap bit of the port is 1' },
    ],
    sdm: "Vol. 2B OUT",
  },
  rdtsc: {
    intel: ["rdtsc   ; → EDX:EAX"],
    att: ["rdtsc"],
    summary:
      "Reads the time-stamp counter into EDX:EAX (in a guest, adjusted by the TSC offset/multiplier when enabled).",
    exits: [{ reason: "RDTSC", when: '"RDTSC exiting" = 1' }],
    sdm: "Vol. 2B RDTSC; Vol. 3C 26.3",
  },
  rdtscp: {
    intel: ["rdtscp   ; → EDX:EAX, ECX = IA32_TSC_AUX"],
    att: ["rdtscp"],
    summary: "Reads the time-stamp counter into EDX:EAX and IA32_TSC_AUX into ECX.",
    exits: [{ reason: "RDTSCP", when: '"RDTSC exiting" = 1 and "enable RDTSCP" = 1' }],
    sdm: "Vol. 2B RDTSCP",
  },
  rdpmc: {
    intel: ["rdpmc   ; ECX = counter → EDX:EAX"],
    att: ["rdpmc"],
    summary: "Reads the performance counter selected by ECX.",
    exits: [{ reason: "RDPMC", when: '"RDPMC exiting" = 1' }],
    sdm: "Vol. 2B RDPMC",
  },
  xsetbv: {
    intel: ["xsetbv   ; ECX = XCR index ← EDX:EAX"],
    att: ["xsetbv"],
    summary: "Writes extended control register ECX (XCR0) from EDX:EAX.",
    failures: "#GP(0) at CPL > 0 or for invalid values; #UD if CR4.OSXSAVE = 0.",
    exits: [{ reason: "XSETBV", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 2B XSETBV",
  },
  xgetbv: {
    intel: ["xgetbv   ; ECX = XCR index → EDX:EAX"],
    att: ["xgetbv"],
    summary: "Reads extended control register ECX into EDX:EAX.",
    sdm: "Vol. 2B XGETBV",
  },
  getsec: {
    intel: ["getsec   ; EAX = leaf"],
    att: ["getsec"],
    summary: "Safer Mode Extensions (SMX) leaf functions.",
    exits: [{ reason: "GETSEC", when: "always, in VMX non-root operation" }],
    sdm: "Vol. 2D GETSEC",
  },
  monitor: {
    intel: ["monitor   ; RAX = address"],
    att: ["monitor"],
    summary: "Arms address-range monitoring for MWAIT.",
    exits: [{ reason: "MONITOR", when: '"MONITOR exiting" = 1' }],
    sdm: "Vol. 2B MONITOR",
  },
  mwait: {
    intel: ["mwait   ; EAX = hints, ECX = extensions"],
    att: ["mwait"],
    summary: "Waits for a write to the monitored range or an event.",
    exits: [{ reason: "MWAIT", when: '"MWAIT exiting" = 1' }],
    sdm: "Vol. 2B MWAIT",
  },
  pause: {
    intel: ["pause"],
    att: ["pause"],
    summary: "Spin-loop hint.",
    exits: [
      {
        reason: "PAUSE",
        when: '"PAUSE exiting" = 1, or a PAUSE loop longer than PLE_Window with "PAUSE-loop exiting"',
      },
    ],
    sdm: "Vol. 2B PAUSE",
  },
  rdrand: {
    intel: ["rdrand r"],
    att: ["rdrand %r"],
    summary: "Returns a hardware random number; CF = 1 when valid.",
    exits: [{ reason: "RDRAND", when: '"RDRAND exiting" = 1' }],
    sdm: "Vol. 2B RDRAND",
  },
  rdseed: {
    intel: ["rdseed r"],
    att: ["rdseed %r"],
    summary: "Returns a hardware random seed; CF = 1 when valid.",
    exits: [{ reason: "RDSEED", when: '"RDSEED exiting" = 1' }],
    sdm: "Vol. 2B RDSEED",
  },
  swapgs: {
    intel: ["swapgs"],
    att: ["swapgs"],
    summary: "Exchanges the GS base with IA32_KERNEL_GS_BASE (64-bit mode only).",
    failures: "#GP(0) at CPL > 0; #UD outside 64-bit mode.",
    sdm: "Vol. 2B SWAPGS",
  },
  clts: {
    intel: ["clts"],
    att: ["clts"],
    summary: "Clears CR0.TS.",
    failures: "#GP(0) at CPL > 0.",
    exits: [
      { reason: "CONTROL_REGISTER_ACCESS", when: "CR0.TS is set in both the CR0 guest/host mask and the read shadow" },
    ],
    sdm: "Vol. 2A CLTS",
  },
  lmsw: {
    intel: ["lmsw r/m16"],
    att: ["lmsw r/m16"],
    summary: "Loads CR0 bits 3:0 (PE, MP, EM, TS); cannot clear PE.",
    exits: [{ reason: "CONTROL_REGISTER_ACCESS", when: "a masked bit would change relative to the CR0 read shadow" }],
    sdm: "Vol. 2A LMSW",
  },
  iretq: {
    intel: ["iretq"],
    att: ["iretq"],
    summary: "Returns from an interrupt or exception handler, popping RIP, CS, RFLAGS, RSP and SS.",
    sdm: "Vol. 2A IRET",
  },
  sysret: {
    intel: ["sysret"],
    att: ["sysret"],
    summary: "Returns to CPL 3 from a SYSCALL handler: RIP from RCX, RFLAGS from R11, CS/SS from IA32_STAR.",
    sdm: "Vol. 2B SYSRET",
  },
  syscall: {
    intel: ["syscall"],
    att: ["syscall"],
    summary: "Fast call to CPL 0 through IA32_LSTAR; saves RIP in RCX and RFLAGS in R11.",
    sdm: "Vol. 2B SYSCALL",
  },
  rsm: {
    intel: ["rsm"],
    att: ["rsm"],
    summary: "Returns from system-management mode.",
    exits: [{ reason: "RSM", when: "in SMM with dual-monitor treatment" }],
    sdm: "Vol. 2B RSM",
  },
};

/** `mov cr`/`mov dr` have no mnemonic of their own; their exits are described with MOV. */
export const MOV_CR_NOTE =
  'MOV to CR0/CR4 exits when a bit owned by the host (set in the guest/host mask) would differ from the read shadow; MOV to CR3 with "CR3-load exiting" (unless the value is in the CR3-target list); MOV from CR3 with "CR3-store exiting"; CR8 with "CR8-load/store exiting" (exit reason CONTROL_REGISTER_ACCESS). MOV DR exits with "MOV-DR exiting" (MOV_DR).';
