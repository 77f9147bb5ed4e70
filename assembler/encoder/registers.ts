// Register file as the encoder sees it: class, width and the 4-bit number that goes into ModRM/SIB/REX.
// SDM Vol. 2A §2.1.5 (Tables 2-1..2-3) and §2.2.1 (REX prefixes, Table 3-1 register encodings).

export type RegClass = "gpr" | "seg" | "cr" | "dr" | "xmm" | "mm" | "st" | "rip";

export interface RegInfo {
  name: string;
  cls: RegClass;
  /** Width in bits (GPR: 8/16/32/64, xmm 128, mm 64, st 80, seg 16, cr/dr: natural width). */
  size: number;
  /** Register number 0..15 (bit 3 goes into REX.R/X/B). */
  num: number;
  /** SPL/BPL/SIL/DIL need a REX prefix to be addressed. */
  needsRex?: boolean;
  /** AH/CH/DH/BH cannot be encoded when any REX prefix is present. */
  noRex?: boolean;
}

const table = new Map<string, RegInfo>();

function add(name: string, cls: RegClass, size: number, num: number, extra?: Partial<RegInfo>): void {
  table.set(name, { name, cls, size, num, ...extra });
}

const gpr64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"];
const gpr32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const gpr16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
const gpr8 = ["al", "cl", "dl", "bl"];
const gpr8high = ["ah", "ch", "dh", "bh"];
const gpr8rex = ["spl", "bpl", "sil", "dil"];

gpr64.forEach((n, i) => {
  add(n, "gpr", 64, i);
});
gpr32.forEach((n, i) => {
  add(n, "gpr", 32, i);
});
gpr16.forEach((n, i) => {
  add(n, "gpr", 16, i);
});
gpr8.forEach((n, i) => {
  add(n, "gpr", 8, i);
});
gpr8high.forEach((n, i) => {
  add(n, "gpr", 8, i + 4, { noRex: true });
});
gpr8rex.forEach((n, i) => {
  add(n, "gpr", 8, i + 4, { needsRex: true });
});
for (let i = 8; i < 16; i++) {
  add(`r${i}`, "gpr", 64, i);
  add(`r${i}d`, "gpr", 32, i);
  add(`r${i}w`, "gpr", 16, i);
  add(`r${i}b`, "gpr", 8, i);
  add(`r${i}l`, "gpr", 8, i); // GAS spelling
}
["es", "cs", "ss", "ds", "fs", "gs"].forEach((n, i) => {
  add(n, "seg", 16, i);
});
for (let i = 0; i < 16; i++) {
  add(`cr${i}`, "cr", 64, i);
  add(`dr${i}`, "dr", 64, i);
  add(`xmm${i}`, "xmm", 128, i);
}
for (let i = 0; i < 8; i++) {
  add(`mm${i}`, "mm", 64, i);
  add(`st${i}`, "st", 80, i);
}
add("st", "st", 80, 0);
add("rip", "rip", 64, 0);
add("eip", "rip", 32, 0);

/** Look a register up by name (case-insensitive, optional `%`, GAS `%st(1)` spelling accepted). */
export function regInfo(name: string): RegInfo | undefined {
  const direct = table.get(name);
  if (direct) return direct;
  let n = name.toLowerCase();
  if (n.startsWith("%")) n = n.slice(1);
  const st = /^st\s*\(\s*([0-7])\s*\)$/.exec(n);
  if (st) n = `st${st[1]}`;
  return table.get(n);
}

/** Every register name the encoder knows (for grammars and completion). */
export function registerNames(): string[] {
  return [...table.keys()];
}
