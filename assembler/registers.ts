// Register names both front ends recognise (to tell `eax` the register from `eax` a symbol in Intel
// syntax, and to validate `%name` in AT&T). Sizes in bits; the encoder owns the numbering.

const table = new Map<string, number>();

function add(names: string[], size: number): void {
  for (const n of names) table.set(n, size);
}

add(["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh", "spl", "bpl", "sil", "dil"], 8);
add(["ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "ip"], 16);
add(["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip"], 32);
add(["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "rip"], 64);
for (let i = 8; i < 16; i++) {
  add([`r${i}b`, `r${i}l`], 8);
  add([`r${i}w`], 16);
  add([`r${i}d`], 32);
  add([`r${i}`], 64);
}
add(["es", "cs", "ss", "ds", "fs", "gs"], 16);
for (let i = 0; i < 16; i++) {
  add([`cr${i}`, `dr${i}`], 64);
}
for (let i = 0; i < 32; i++) {
  add([`xmm${i}`], 128);
  add([`ymm${i}`], 256);
  add([`zmm${i}`], 512);
}
for (let i = 0; i < 8; i++) {
  add([`mm${i}`], 64);
  add([`st${i}`], 80);
  add([`k${i}`], 64);
  add([`tr${i}`], 32);
}
add(["st"], 80);

/** Size in bits of a register name (lower case), or undefined if it is not a register. */
export function registerSize(name: string): number | undefined {
  return table.get(name);
}

export function isRegister(name: string): boolean {
  return table.has(name);
}

export function isSegmentRegister(name: string): boolean {
  return name === "es" || name === "cs" || name === "ss" || name === "ds" || name === "fs" || name === "gs";
}

export function allRegisters(): string[] {
  return [...table.keys()];
}
