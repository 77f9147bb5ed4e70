// The encoder contract: what a front end (GAS or NASM) hands to `encode()` and what it gets back.
// Everything here is plain data so the language server, CLI and tests can use it without the front ends.
//
// Conventions
// - Mnemonics are lower case. Intel/nasm names are canonical ("movsx", "cdqe", "retf"); the AT&T spellings
//   GAS accepts ("movzbl", "cltq", "lretq", "ljmp", "addq", "movabs" …) are accepted too when
//   `flavor === "gas"`, see `parseAttMnemonic` in ./mnemonics.
// - Operands are always in INTEL order (destination first). The GAS front end reverses AT&T operands
//   (for MONITOR/MWAIT/INVLPGA, whose AT&T text is already in Intel order, both orders are accepted).
// - A prefix written as a statement of its own (`rep`, `lock`, GAS `data16`/`rex.W`, NASM `o16`) is a
//   mnemonic with no operands.
// - Flavor "gas" with `syntax` left out means AT&T: an operation with no suffix and no register to give its
//   size takes GNU as's default (l; w in 16-bit code) with a warning. NASM and GAS Intel syntax reject it.
// - Numbers are bigint. Negative numbers are allowed wherever a two's-complement value of the field's
//   width is meant (e.g. `-1` for an imm8 of 0xff).

/** Code size: `bits 16/32/64` in NASM, `.code16/.code32/.code64` in GAS. */
export type Bits = 16 | 32 | 64;

/** Which reference assembler's choices to reproduce byte for byte: GNU as 2.40 or nasm 2.16 (-Ox default). */
export type Flavor = "gas" | "nasm";

/**
 * A register name, lower case, without `%`: general purpose ("al", "ah", "spl", "r8b", "ax", "r8w", "eax",
 * "r8d", "rax", "r15"), segment ("es".."gs"), control ("cr0".."cr15"), debug ("dr0".."dr15"),
 * SSE ("xmm0".."xmm15"), MMX ("mm0".."mm7"), x87 ("st0".."st7"; "st" is st0).
 * GAS's "r8l" spelling of r8b is accepted as well.
 */
export type RegName = string;

export type SegReg = "es" | "cs" | "ss" | "ds" | "fs" | "gs";

/** Operand size in bits for memory operands (`byte`/`word`/`dword`/`qword`/`tword`/`oword` …). */
export type MemSize = 8 | 16 | 32 | 48 | 64 | 80 | 128 | 256 | 512;

export interface RegOperand {
  kind: "reg";
  reg: RegName;
}

export interface ImmOperand {
  kind: "imm";
  /** The value. For a branch (JMP/Jcc/CALL/LOOP/JCXZ/XBEGIN) this is the ABSOLUTE target address. */
  value: bigint;
  /**
   * The value is not a known assemble-time constant yet (forward reference), or — GAS — it is a relocatable
   * expression (a label address) that GAS would emit with a fixup. The encoder then picks the form the
   * reference assembler picks for an unknown value (e.g. imm32 instead of a sign-extended imm8), so the size
   * does not change when the value becomes known. `value` is still used for the bytes (give 0 if unknown).
   */
  unresolved?: boolean;
  /** An explicit size keyword on the immediate (NASM `push byte 5`, `push dword x`, `add eax, strict byte 3`). */
  size?: 8 | 16 | 32 | 64;
  /** NASM `strict`: use exactly `size`, no optimization. */
  strict?: boolean;
}

export interface MemOperand {
  kind: "mem";
  /** Explicit operand size (NASM size keyword / `ptr`, or derived from an AT&T suffix by the front end). */
  size?: MemSize;
  /** Segment override written in the operand (`fs:[rax]`, `%fs:(%rax)`). */
  seg?: SegReg;
  base?: RegName;
  index?: RegName;
  /** 1, 2, 4 or 8; NASM also accepts 3, 5 and 9 without a base (`[eax*5]` is `[eax+eax*4]`). */
  scale: 1 | 2 | 4 | 8 | 3 | 5 | 9;
  /**
   * The displacement. With `rip` set it is the ABSOLUTE target address (NASM `[rel x]`, GAS `x(%rip)` with a
   * symbol); the encoder subtracts the end-of-instruction address. With `ripRaw` it is the raw displacement
   * (GAS `8(%rip)` with a plain number).
   */
  disp: bigint;
  /** The displacement is unknown or relocatable (see ImmOperand.unresolved): forces the widest displacement. */
  dispUnresolved?: boolean;
  /** Explicit displacement size (NASM `[byte rax+1]`, `[dword rax+1]`, `[qword 0x1000]` for a moffs64). */
  dispSize?: 8 | 16 | 32 | 64;
  /** RIP-relative: NASM `[rel x]` (or `default rel`), GAS `x(%rip)`. 64-bit code only. */
  rip?: boolean;
  /** With `rip`: `disp` is the raw displacement rather than a target address. */
  ripRaw?: boolean;
  /** Address size when the front end knows it (`a32` prefix, `addr32`); otherwise derived from the registers. */
  addrSize?: 16 | 32 | 64;
  /** NASM `far` keyword on a memory operand (`jmp far [rax]`): an indirect far pointer. */
  far?: boolean;
}

/** A direct far pointer: NASM `jmp 0x08:0x1000`, GAS `ljmp $0x08, $0x1000`. */
export interface FarOperand {
  kind: "far";
  selector: bigint;
  offset: bigint;
  unresolved?: boolean;
  /** Offset size from a size keyword (NASM `jmp dword 0x08:entry` in 16-bit code → 66 EA ptr16:32). */
  size?: 16 | 32;
}

export type Operand = RegOperand | ImmOperand | MemOperand | FarOperand;

/** Prefixes written as separate words before the mnemonic (or as the NASM/GAS pseudo-prefixes). */
export type PrefixName =
  | "lock"
  | "rep"
  | "repe"
  | "repz"
  | "repne"
  | "repnz"
  | "es"
  | "cs"
  | "ss"
  | "ds"
  | "fs"
  | "gs"
  /** operand/address-size overrides: NASM o16/o32/o64/a16/a32/a64, GAS data16/data32/addr16/addr32/rex64 */
  | "o16"
  | "o32"
  | "o64"
  | "a16"
  | "a32"
  | "a64"
  | "data16"
  | "data32"
  | "addr16"
  | "addr32"
  | "rex64"
  | "rex"
  | "wait"
  | "xacquire"
  | "xrelease"
  | "bnd"
  | "notrack";

export interface EncodeRequest {
  /** Lower-case mnemonic (Intel name, or an AT&T spelling when flavor is "gas"). */
  mnemonic: string;
  /** Operands in INTEL order. */
  operands: readonly Operand[];
  /** Operand size from an AT&T suffix (b/w/l/q) or an Intel size keyword that applies to the whole instruction. */
  opSize?: 8 | 16 | 32 | 64;
  /** AT&T only: source size of movzx/movsx written with a two-letter suffix (movzbl → srcSize 8, opSize 32). */
  srcSize?: 8 | 16 | 32;
  prefixes?: readonly PrefixName[];
  bits: Bits;
  /** Address of the first byte of the instruction (for branches and RIP-relative operands). */
  address: bigint;
  flavor: Flavor;
  /**
   * The source syntax, for the few readings that differ between AT&T and Intel operands of GNU as:
   * in Intel syntax `[ebx+esp]` swaps ESP into the base (a lone `[reg*1]` stays an index, as in AT&T), and
   * `jmp/call fword ptr [m]` (or `dword ptr` outside 32-bit code) is an indirect far jump. Default: "att" for
   * flavor "gas" (set "intel" under `.intel_syntax`), always "intel" for "nasm".
   */
  syntax?: "att" | "intel";
  /**
   * Branch size: "short" (rel8), "near" (rel16/rel32), or "auto" = the smallest that reaches the target
   * (what both references do for a known target after relaxation). Default: "auto".
   */
  branch?: "short" | "near" | "auto";
}

/** Where the encoder wrote the value of operand `operand`: `size` bytes at `offset` of the instruction. */
export interface OperandField {
  operand: number;
  offset: number;
  size: number;
}

export interface EncodeOk {
  bytes: Uint8Array;
  /** Where operand values were written: immediates, displacements, moffs, far pointers (for listings). */
  fields?: OperandField[];
  /** Non-fatal diagnostics the reference assembler would print as warnings (e.g. a value truncated). */
  warnings?: string[];
}

export interface EncodeError {
  error: string;
  /** The operand (index into `operands`) the error is about, when there is one. */
  operandIndex?: number;
}

/** `encode` never throws: it returns bytes or an error. */
export type EncodeResult = EncodeOk | EncodeError;

export function isEncodeError(r: EncodeResult): r is EncodeError {
  return (r as EncodeError).error !== undefined;
}

/** What `instructionInfo(mnemonic)` returns: for hovers, completion and the listing. */
export interface InstructionInfo {
  mnemonic: string;
  /** The Intel mnemonic this one is an alias or AT&T spelling of ("cltq" → "cdqe"). */
  canonical: string;
  /** Operand forms in Intel notation, e.g. "r/m32, imm8". */
  forms: string[];
  /** Short description. */
  summary: string;
  /** Instruction group for grammars: "vmx", "system", "sse", "x87", "general". */
  group: "general" | "system" | "vmx" | "sse" | "x87";
  /** Is this a branch whose immediate operand is a target address (relaxable)? */
  branch?: "jmp" | "jcc" | "call" | "loop";
}
