// Register names for the grammars (lower case, without `%`). Matches RegName in assembler/encoder/types.ts.

const GPR64 = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"];
const GPR32 = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp"];
const GPR16 = ["ax", "bx", "cx", "dx", "si", "di", "bp", "sp"];
const GPR8 = ["al", "bl", "cl", "dl", "ah", "bh", "ch", "dh", "sil", "dil", "bpl", "spl"];

function range(prefix: string, from: number, to: number, suffix = ""): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${prefix}${i}${suffix}`);
  return out;
}

export const GENERAL_REGISTERS = [
  ...GPR64,
  ...GPR32,
  ...GPR16,
  ...GPR8,
  ...range("r", 8, 15),
  ...range("r", 8, 15, "d"),
  ...range("r", 8, 15, "w"),
  ...range("r", 8, 15, "b"),
  ...range("r", 8, 15, "l"),
  "rip",
  "eip",
  "ip",
];

export const SEGMENT_REGISTERS = ["cs", "ds", "es", "fs", "gs", "ss"];

export const SYSTEM_REGISTERS = [...range("cr", 0, 15), ...range("dr", 0, 15), ...range("tr", 0, 7)];

export const VECTOR_REGISTERS = [
  ...range("xmm", 0, 31),
  ...range("ymm", 0, 31),
  ...range("zmm", 0, 31),
  ...range("k", 0, 7),
  ...range("mm", 0, 7),
  ...range("st", 0, 7),
  "st",
  ...range("bnd", 0, 3),
];
