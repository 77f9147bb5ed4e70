// x86-64 register names: general-purpose registers map to their 64-bit register number and the width written,
// which constant propagation needs (a 32-bit write zero-extends; 8/16-bit writes merge — SDM Vol. 1 §3.4.1.1).

export interface GprInfo {
  /** 0 = RAX … 15 = R15. */
  index: number;
  width: 8 | 16 | 32 | 64;
  /** AH/BH/CH/DH: bits 15:8. */
  high8?: boolean;
}

const base64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"];
const base32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const base16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
const base8 = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"];

const gprs = new Map<string, GprInfo>();
for (let i = 0; i < 8; i++) {
  gprs.set(base64[i]!, { index: i, width: 64 });
  gprs.set(base32[i]!, { index: i, width: 32 });
  gprs.set(base16[i]!, { index: i, width: 16 });
  gprs.set(base8[i]!, { index: i, width: 8 });
}
["ah", "ch", "dh", "bh"].forEach((n, i) => {
  gprs.set(n, { index: i, width: 8, high8: true });
});
for (let i = 8; i < 16; i++) {
  gprs.set(`r${i}`, { index: i, width: 64 });
  gprs.set(`r${i}d`, { index: i, width: 32 });
  gprs.set(`r${i}w`, { index: i, width: 16 });
  gprs.set(`r${i}b`, { index: i, width: 8 });
  gprs.set(`r${i}l`, { index: i, width: 8 });
}

export function gpr(name: string): GprInfo | undefined {
  return gprs.get(name.toLowerCase());
}

export const GPR64_NAMES: readonly string[] = [...base64, "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

const others: string[] = ["cs", "ds", "es", "fs", "gs", "ss", "rip", "eip", "ip", "rflags", "eflags"];
for (let i = 0; i <= 15; i++) {
  if (i <= 8) others.push(`cr${i}`);
  if (i <= 7) others.push(`dr${i}`, `mm${i}`, `st${i}`, `k${i}`);
  others.push(`xmm${i}`, `ymm${i}`);
}
others.push("st", "gdtr", "idtr", "ldtr", "tr");

const allRegisters = new Set<string>([...gprs.keys(), ...others]);

export function isRegister(name: string): boolean {
  return allRegisters.has(name.toLowerCase());
}

export function registerNames(): string[] {
  return [...allRegisters];
}

/** The conventional name of GPR `index` at `width` bits (for messages). */
export function gprName(index: number, width: 8 | 16 | 32 | 64 = 64): string {
  for (const [n, g] of gprs) if (g.index === index && g.width === width && !g.high8) return n;
  return `r${index}`;
}
