// Control registers, EFER, RFLAGS and the VMCS segment access-rights format, as bit tables plus name → mask.
import { type BitField, bit, decodeBits, field, masksOf } from "./bits";

/** The 64-bit general-purpose registers in encoding order (ModRM/REX register number 0-15; SDM Vol. 2 2.1.5). */
export const GPR64_NAMES = [
  "rax",
  "rcx",
  "rdx",
  "rbx",
  "rsp",
  "rbp",
  "rsi",
  "rdi",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
] as const;

/** CR0 (SDM Vol. 3A 2.5, Figure 2-7). */
export const CR0_BITS = [
  bit(0, "PE", "Protection enable: protected mode"),
  bit(1, "MP", "Monitor coprocessor: WAIT/FWAIT honour TS"),
  bit(2, "EM", "Emulation: no x87 FPU; x87 instructions raise #NM"),
  bit(3, "TS", "Task switched: x87/SSE use raises #NM"),
  bit(4, "ET", "Extension type (always 1 on modern processors)"),
  bit(5, "NE", "Numeric error: native x87 error reporting (#MF)"),
  bit(16, "WP", "Write protect: supervisor writes honour read-only pages"),
  bit(18, "AM", "Alignment mask: enables alignment checking with RFLAGS.AC"),
  bit(29, "NW", "Not write-through"),
  bit(30, "CD", "Cache disable"),
  bit(31, "PG", "Paging"),
] as const satisfies readonly BitField[];
export const CR0 = masksOf(CR0_BITS);

/** CR4 (SDM Vol. 3A 2.5, Figure 2-7). */
export const CR4_BITS = [
  bit(0, "VME", "Virtual-8086 mode extensions"),
  bit(1, "PVI", "Protected-mode virtual interrupts"),
  bit(2, "TSD", "Time-stamp disable: RDTSC is privileged"),
  bit(3, "DE", "Debugging extensions: DR4/DR5 references raise #UD, I/O breakpoints"),
  bit(4, "PSE", "Page size extensions: 4-MByte pages in 32-bit paging"),
  bit(5, "PAE", "Physical address extension: PAE or 4-level paging"),
  bit(6, "MCE", "Machine-check enable"),
  bit(7, "PGE", "Page global enable"),
  bit(8, "PCE", "Performance-monitoring counter enable: RDPMC at any CPL"),
  bit(9, "OSFXSR", "OS support for FXSAVE/FXRSTOR and SSE"),
  bit(10, "OSXMMEXCPT", "OS support for unmasked SIMD floating-point exceptions (#XM)"),
  bit(11, "UMIP", "User-mode instruction prevention: SGDT/SIDT/SLDT/SMSW/STR at CPL>0 raise #GP"),
  bit(12, "LA57", "57-bit linear addresses (5-level paging)"),
  bit(13, "VMXE", "VMX enable: VMXON allowed"),
  bit(14, "SMXE", "SMX enable: GETSEC allowed"),
  bit(16, "FSGSBASE", "RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE enabled"),
  bit(17, "PCIDE", "Process-context identifiers enabled"),
  bit(18, "OSXSAVE", "XSAVE and processor extended states enabled"),
  bit(19, "KL", "Key Locker enabled"),
  bit(20, "SMEP", "Supervisor-mode execution prevention"),
  bit(21, "SMAP", "Supervisor-mode access prevention"),
  bit(22, "PKE", "Protection keys for user-mode pages"),
  bit(23, "CET", "Control-flow enforcement technology"),
  bit(24, "PKS", "Protection keys for supervisor-mode pages"),
  bit(25, "UINTR", "User interrupts enabled"),
  bit(27, "LASS", "Linear-address-space separation"),
  bit(28, "LAM_SUP", "Linear-address masking for supervisor pointers"),
  bit(32, "FRED", "Flexible return and event delivery"),
] as const satisfies readonly BitField[];
export const CR4 = masksOf(CR4_BITS);

/** IA32_EFER, MSR C0000080H (SDM Vol. 3A 2.2.1). */
export const EFER_BITS = [
  bit(0, "SCE", "SYSCALL/SYSRET enable"),
  bit(8, "LME", "IA-32e mode enable"),
  bit(10, "LMA", "IA-32e mode active (read-only; set by the processor)"),
  bit(11, "NXE", "Execute-disable bit enable"),
] as const satisfies readonly BitField[];
export const EFER = masksOf(EFER_BITS);

/** RFLAGS (SDM Vol. 1 3.4.3, Vol. 3A 2.3). Bit 1 is reserved and always 1. */
export const RFLAGS_BITS = [
  bit(0, "CF", "Carry flag"),
  bit(1, "FIXED1", "Reserved, always 1"),
  bit(2, "PF", "Parity flag"),
  bit(4, "AF", "Auxiliary carry flag"),
  bit(6, "ZF", "Zero flag"),
  bit(7, "SF", "Sign flag"),
  bit(8, "TF", "Trap flag: single-step"),
  bit(9, "IF", "Interrupt enable flag"),
  bit(10, "DF", "Direction flag"),
  bit(11, "OF", "Overflow flag"),
  field(13, 12, "IOPL", "I/O privilege level"),
  bit(14, "NT", "Nested task"),
  bit(16, "RF", "Resume flag: suppresses instruction breakpoints once"),
  bit(17, "VM", "Virtual-8086 mode"),
  bit(18, "AC", "Alignment check / access control (SMAP)"),
  bit(19, "VIF", "Virtual interrupt flag"),
  bit(20, "VIP", "Virtual interrupt pending"),
  bit(21, "ID", "ID flag: CPUID supported"),
] as const satisfies readonly BitField[];
export const RFLAGS = masksOf(RFLAGS_BITS);

/** DR7 (SDM Vol. 3B 18.2.4). */
export const DR7_BITS = [
  bit(0, "L0", "Local enable of breakpoint 0"),
  bit(1, "G0", "Global enable of breakpoint 0"),
  bit(2, "L1", "Local enable of breakpoint 1"),
  bit(3, "G1", "Global enable of breakpoint 1"),
  bit(4, "L2", "Local enable of breakpoint 2"),
  bit(5, "G2", "Global enable of breakpoint 2"),
  bit(6, "L3", "Local enable of breakpoint 3"),
  bit(7, "G3", "Global enable of breakpoint 3"),
  bit(8, "LE", "Local exact breakpoint enable"),
  bit(9, "GE", "Global exact breakpoint enable"),
  bit(10, "FIXED1", "Reserved, always 1"),
  bit(11, "RTM", "Advanced debugging of RTM transactional regions"),
  bit(13, "GD", "General detect: MOV DR raises #DB"),
  field(17, 16, "RW0", "Breakpoint 0 condition", { 0: "execute", 1: "write", 2: "I/O", 3: "read/write" }),
  field(19, 18, "LEN0", "Breakpoint 0 length", { 0: "1 byte", 1: "2 bytes", 2: "8 bytes", 3: "4 bytes" }),
  field(21, 20, "RW1", "Breakpoint 1 condition", { 0: "execute", 1: "write", 2: "I/O", 3: "read/write" }),
  field(23, 22, "LEN1", "Breakpoint 1 length", { 0: "1 byte", 1: "2 bytes", 2: "8 bytes", 3: "4 bytes" }),
  field(25, 24, "RW2", "Breakpoint 2 condition", { 0: "execute", 1: "write", 2: "I/O", 3: "read/write" }),
  field(27, 26, "LEN2", "Breakpoint 2 length", { 0: "1 byte", 1: "2 bytes", 2: "8 bytes", 3: "4 bytes" }),
  field(29, 28, "RW3", "Breakpoint 3 condition", { 0: "execute", 1: "write", 2: "I/O", 3: "read/write" }),
  field(31, 30, "LEN3", "Breakpoint 3 length", { 0: "1 byte", 1: "2 bytes", 2: "8 bytes", 3: "4 bytes" }),
] as const satisfies readonly BitField[];
export const DR7 = masksOf(DR7_BITS);

/** Segment types of code/data descriptors (S = 1), SDM Vol. 3A 3.4.5.1 Table 3-1. */
export const CODE_DATA_SEGMENT_TYPES: Readonly<Record<number, string>> = {
  0: "data read-only",
  1: "data read-only, accessed",
  2: "data read/write",
  3: "data read/write, accessed",
  4: "data read-only, expand-down",
  5: "data read-only, expand-down, accessed",
  6: "data read/write, expand-down",
  7: "data read/write, expand-down, accessed",
  8: "code execute-only",
  9: "code execute-only, accessed",
  10: "code execute/read",
  11: "code execute/read, accessed",
  12: "code execute-only, conforming",
  13: "code execute-only, conforming, accessed",
  14: "code execute/read, conforming",
  15: "code execute/read, conforming, accessed",
};

/** System-segment and gate types (S = 0) in IA-32e mode, SDM Vol. 3A 3.5 Table 3-2. */
export const SYSTEM_SEGMENT_TYPES: Readonly<Record<number, string>> = {
  1: "16-bit TSS (available)",
  2: "LDT",
  3: "16-bit TSS (busy)",
  4: "16-bit call gate",
  5: "task gate",
  6: "16-bit interrupt gate",
  7: "16-bit trap gate",
  9: "32/64-bit TSS (available)",
  11: "32/64-bit TSS (busy)",
  12: "32/64-bit call gate",
  14: "32/64-bit interrupt gate",
  15: "32/64-bit trap gate",
};

/** Guest segment access rights in the VMCS (SDM 25.4.1). */
export const ACCESS_RIGHTS_BITS = [
  field(3, 0, "TYPE", "Segment type"),
  bit(4, "S", "Descriptor type (0 = system, 1 = code or data)"),
  field(6, 5, "DPL", "Descriptor privilege level"),
  bit(7, "P", "Segment present"),
  bit(12, "AVL", "Available for use by system software"),
  bit(13, "L", "64-bit mode active (CS only)"),
  bit(14, "DB", "Default operation size (0 = 16-bit, 1 = 32-bit)"),
  bit(15, "G", "Granularity (limit in 4-KByte units)"),
  bit(16, "UNUSABLE", "Segment unusable (0 = usable, 1 = unusable)"),
] as const satisfies readonly BitField[];
export const ACCESS_RIGHTS = masksOf(ACCESS_RIGHTS_BITS);
/** Bits 11:8 and 31:17 are reserved and must be 0 (SDM 26.3.1.2). */
export const ACCESS_RIGHTS_RESERVED_MASK = 0xfffe0f00;

export interface AccessRights {
  type: number;
  s: boolean;
  dpl: number;
  present: boolean;
  avl: boolean;
  l: boolean;
  db: boolean;
  g: boolean;
  unusable: boolean;
}

export function decodeAccessRights(value: number): AccessRights {
  return {
    type: value & 0xf,
    s: (value & 0x10) !== 0,
    dpl: (value >> 5) & 3,
    present: (value & 0x80) !== 0,
    avl: (value & 0x1000) !== 0,
    l: (value & 0x2000) !== 0,
    db: (value & 0x4000) !== 0,
    g: (value & 0x8000) !== 0,
    unusable: (value & 0x10000) !== 0,
  };
}

export function encodeAccessRights(ar: AccessRights): number {
  return (
    (ar.type & 0xf) |
    (ar.s ? 0x10 : 0) |
    ((ar.dpl & 3) << 5) |
    (ar.present ? 0x80 : 0) |
    (ar.avl ? 0x1000 : 0) |
    (ar.l ? 0x2000 : 0) |
    (ar.db ? 0x4000 : 0) |
    (ar.g ? 0x8000 : 0) |
    (ar.unusable ? 0x10000 : 0)
  );
}

/** One line: "code execute/read, accessed, DPL=0, P, L, G" or "unusable". */
export function describeAccessRights(value: number): string {
  const ar = decodeAccessRights(value);
  if (ar.unusable) return "unusable";
  const type = (ar.s ? CODE_DATA_SEGMENT_TYPES : SYSTEM_SEGMENT_TYPES)[ar.type] ?? `reserved system type ${ar.type}`;
  const flags = decodeBits(ACCESS_RIGHTS_BITS, BigInt(value))
    .filter((d) => d.field.msb === d.field.lsb && d.field.name !== "S")
    .map((d) => d.field.name);
  const reserved = value & ACCESS_RIGHTS_RESERVED_MASK ? " (reserved bits set)" : "";
  return [type, `DPL=${ar.dpl}`, ...flags].join(", ") + reserved;
}
