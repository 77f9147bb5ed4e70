// What the analysis needs to know about mnemonics: which exist (for NASM labels without a colon and AT&T
// suffix stripping), which read or write the arithmetic flags (for the unchecked-VMX-failure rule) and which
// registers an instruction writes implicitly (for constant propagation).
// The encoder's full mnemonic list is merged in by frontend.ts when it is available.

const CONDITIONS = [
  "a",
  "ae",
  "b",
  "be",
  "c",
  "e",
  "z",
  "g",
  "ge",
  "l",
  "le",
  "na",
  "nae",
  "nb",
  "nbe",
  "nc",
  "ne",
  "ng",
  "nge",
  "nl",
  "nle",
  "no",
  "np",
  "ns",
  "nz",
  "o",
  "p",
  "pe",
  "po",
  "s",
];

export const VMX_INSTRUCTIONS: ReadonlySet<string> = new Set([
  "vmxon",
  "vmxoff",
  "vmclear",
  "vmptrld",
  "vmptrst",
  "vmread",
  "vmwrite",
  "vmlaunch",
  "vmresume",
  "vmcall",
  "vmfunc",
  "invept",
  "invvpid",
]);

/**
 * VMX instructions whose outcome is reported only in CF/ZF (SDM Vol. 3C 31.2 "Conventions"). VMLAUNCH and
 * VMRESUME are left out on purpose: reaching the next instruction already means they failed. VMCALL in root
 * operation is a VMfail by design and VMPTRST/VMFUNC never VMfail.
 */
export const VMX_FAILING: ReadonlySet<string> = new Set([
  "vmxon",
  "vmxoff",
  "vmclear",
  "vmptrld",
  "vmread",
  "vmwrite",
  "invept",
  "invvpid",
]);

/** Instructions that read CF or ZF. */
const FLAG_READERS = new Set<string>([
  ...CONDITIONS.map((c) => `j${c}`),
  ...CONDITIONS.map((c) => `set${c}`),
  ...CONDITIONS.map((c) => `cmov${c}`),
  "adc",
  "sbb",
  "pushf",
  "pushfq",
  "pushfd",
  "pushfw",
  "lahf",
  "rcl",
  "rcr",
  "loope",
  "loopz",
  "loopne",
  "loopnz",
]);

/** Instructions that overwrite CF and ZF without reading them first. */
const FLAG_WRITERS = new Set<string>([
  "add",
  "sub",
  "cmp",
  "test",
  "and",
  "or",
  "xor",
  "inc",
  "dec",
  "neg",
  "shl",
  "sal",
  "shr",
  "sar",
  "rol",
  "ror",
  "bt",
  "bts",
  "btr",
  "btc",
  "bsf",
  "bsr",
  "tzcnt",
  "lzcnt",
  "popcnt",
  "mul",
  "imul",
  "div",
  "idiv",
  "popf",
  "popfq",
  "popfd",
  "sahf",
  "cmpxchg",
  "cmpxchg8b",
  "cmpxchg16b",
  "xadd",
  "scas",
  "scasb",
  "scasw",
  "scasd",
  "scasq",
  "cmps",
  "cmpsb",
  "cmpsw",
  "cmpsd",
  "cmpsq",
  "stc",
  "clc",
  "cmc",
  "shld",
  "shrd",
  "daa",
  "das",
  "aaa",
  "aas",
  "iret",
  "iretq",
  "iretd",
  "rdrand",
  "rdseed",
  "comisd",
  "comiss",
  "ucomisd",
  "ucomiss",
  "ptest",
  ...VMX_INSTRUCTIONS,
]);

const BASE = new Set<string>([
  ...FLAG_READERS,
  ...FLAG_WRITERS,
  "mov",
  "movabs",
  "movzx",
  "movsx",
  "movsxd",
  "lea",
  "push",
  "pop",
  "xchg",
  "nop",
  "jmp",
  "call",
  "ret",
  "retq",
  "retf",
  "cpuid",
  "rdmsr",
  "wrmsr",
  "rdtsc",
  "rdtscp",
  "rdpmc",
  "in",
  "out",
  "ins",
  "outs",
  "hlt",
  "cli",
  "sti",
  "cld",
  "std",
  "lgdt",
  "lidt",
  "lldt",
  "ltr",
  "sgdt",
  "sidt",
  "sldt",
  "str",
  "invlpg",
  "invpcid",
  "not",
  "bswap",
  "movs",
  "movsb",
  "movsw",
  "movsq",
  "stos",
  "stosb",
  "stosw",
  "stosd",
  "stosq",
  "lods",
  "lodsb",
  "lodsw",
  "lodsd",
  "lodsq",
  "int",
  "int3",
  "into",
  "pause",
  "xgetbv",
  "xsetbv",
  "mfence",
  "lfence",
  "sfence",
  "wbinvd",
  "invd",
  "loop",
  "jrcxz",
  "jecxz",
  "leave",
  "enter",
  "syscall",
  "sysret",
  "sysenter",
  "sysexit",
  "swapgs",
  "clts",
  "lmsw",
  "smsw",
  "ud2",
  "cbw",
  "cwde",
  "cdqe",
  "cwd",
  "cdq",
  "cqo",
  "movd",
  "movq",
  "fxsave",
  "fxrstor",
  "xsave",
  "xrstor",
  "wrfsbase",
  "wrgsbase",
  "rdfsbase",
  "rdgsbase",
  "monitor",
  "mwait",
  "clflush",
  "getsec",
  "vmmcall",
  "rsm",
  "lar",
  "lsl",
  "verr",
  "verw",
  "arpl",
  "cpuid",
  "movdqa",
  "movdqu",
  "movaps",
  "movups",
]);

let extra: ReadonlySet<string> = new Set();
let version = 0;

/** Adds the encoder's mnemonic list (called once by frontend.ts). */
export function addKnownMnemonics(names: Iterable<string>): void {
  extra = new Set([...extra, ...[...names].map((n) => n.toLowerCase())]);
  version++;
}

/** Changes whenever the known mnemonics change (parse caches depend on them). */
export function mnemonicsVersion(): number {
  return version;
}

export function isKnownMnemonic(name: string): boolean {
  const n = name.toLowerCase();
  return BASE.has(n) || extra.has(n);
}

export function knownMnemonicList(): string[] {
  return [...new Set([...BASE, ...extra])].sort();
}

/** The mnemonic without its AT&T size suffix (`movq` → mov/8, `vmreadq` → vmread/8). */
export function baseMnemonic(name: string, intel: boolean): { base: string; size?: number } {
  const n = name.toLowerCase();
  if (n === "retq") return { base: "ret" };
  if (intel || BASE.has(n)) {
    // `movq` is also an SSE instruction name; in AT&T with GPR operands it means mov with a 64-bit size.
    if (!intel && n === "movq") return { base: "mov", size: 8 };
    return { base: n };
  }
  if (n === "movabsq") return { base: "movabs", size: 8 };
  if (n === "movslq") return { base: "movsxd", size: 8 };
  const m = /^(movz|movs)([bw])([wlq])$/.exec(n);
  if (m) return { base: m[1] === "movz" ? "movzx" : "movsx", size: { w: 2, l: 4, q: 8 }[m[3] as "w" | "l" | "q"] };
  const sizes: Record<string, number> = { b: 1, w: 2, l: 4, q: 8 };
  const last = n.slice(-1);
  const stem = n.slice(0, -1);
  if (last in sizes && (BASE.has(stem) || extra.has(stem))) return { base: stem, size: sizes[last]! };
  return { base: n };
}

export function readsFlags(base: string): boolean {
  return FLAG_READERS.has(base);
}

export function writesFlags(base: string): boolean {
  return FLAG_WRITERS.has(base);
}

/** Registers (by number) an instruction writes without naming them as operands. */
export function implicitWrites(base: string): readonly number[] {
  switch (base) {
    case "cpuid":
      return [0, 1, 2, 3];
    case "rdmsr":
    case "rdtsc":
    case "xgetbv":
    case "rdpmc":
      return [0, 2];
    case "rdtscp":
      return [0, 1, 2];
    case "mul":
    case "div":
    case "idiv":
    case "cqo":
    case "cdq":
    case "cwd":
      return [0, 2];
    case "cbw":
    case "cwde":
    case "cdqe":
    case "lods":
    case "lodsb":
    case "lodsw":
    case "lodsd":
    case "lodsq":
    case "in":
    case "cmpxchg":
      return [0];
    case "movs":
    case "movsb":
    case "movsw":
    case "movsq":
    case "stos":
    case "stosb":
    case "stosw":
    case "stosd":
    case "stosq":
    case "scas":
    case "scasb":
    case "cmps":
    case "cmpsb":
    case "ins":
    case "outs":
      return [1, 6, 7];
    case "loop":
    case "loope":
    case "loopz":
    case "loopne":
    case "loopnz":
      return [1];
    case "syscall":
      return [1, 11];
    case "leave":
    case "enter":
      return [4, 5];
    default:
      return [];
  }
}

/** Unconditional transfers: the next statement is not reached from here. */
export function isUnconditionalJump(base: string): boolean {
  return (
    base === "jmp" ||
    base === "ret" ||
    base === "retf" ||
    base === "iret" ||
    base === "iretq" ||
    base === "sysret" ||
    base === "ud2"
  );
}

const CONDITIONAL_JUMPS = new Set<string>([
  ...CONDITIONS.map((c) => `j${c}`),
  "jrcxz",
  "jecxz",
  "loop",
  "loope",
  "loopz",
  "loopne",
  "loopnz",
]);

export function isConditionalJump(base: string): boolean {
  return CONDITIONAL_JUMPS.has(base);
}

/** Instructions whose first (Intel-order) operand is only read. */
const READS_FIRST_OPERAND = new Set<string>([
  "cmp",
  "test",
  "push",
  "jmp",
  "call",
  "vmxon",
  "vmclear",
  "vmptrld",
  "vmwrite",
  "invept",
  "invvpid",
  "lgdt",
  "lidt",
  "ltr",
  "lldt",
  "invlpg",
  "invpcid",
  "out",
  "bt",
  "int",
  "loop",
  "nop",
  "wrmsr",
  "clflush",
  "prefetch",
  "fxrstor",
  "xrstor",
  "verr",
  "verw",
  "ret",
  "retf",
]);

export function writesFirstOperand(base: string): boolean {
  return !READS_FIRST_OPERAND.has(base) && !isConditionalJump(base);
}
