// AT&T mnemonic spellings (GNU as) mapped onto the Intel mnemonics of the table, and the mnemonic list.
// GAS derives the operand size from a b/w/l/q suffix when no register operand gives it; a few instructions
// have their own AT&T names (cltq, movzbl, lret, ljmp …) — see the GNU as manual, "i386-Mnemonics".

export interface MnemonicReading {
  mnemonic: string;
  opSize?: 8 | 16 | 32 | 64;
  srcSize?: 8 | 16 | 32;
  /** `ljmp`/`lcall`: memory operands are far pointers, two immediates are selector:offset. */
  far?: boolean;
}

const SUFFIX: Record<string, 8 | 16 | 32 | 64> = { b: 8, w: 16, l: 32, q: 64 };

/** AT&T names that are not "Intel mnemonic + size suffix". */
const ATT_SPECIAL: Record<string, MnemonicReading> = {
  cbtw: { mnemonic: "cbw" },
  cwtl: { mnemonic: "cwde" },
  cltq: { mnemonic: "cdqe" },
  cwtd: { mnemonic: "cwd" },
  cltd: { mnemonic: "cdq" },
  cqto: { mnemonic: "cqo" },
  movslq: { mnemonic: "movsxd", opSize: 64, srcSize: 32 },
  lret: { mnemonic: "retf" },
  lretw: { mnemonic: "retf", opSize: 16 },
  lretl: { mnemonic: "retf", opSize: 32 },
  lretq: { mnemonic: "retf", opSize: 64 },
  ljmp: { mnemonic: "jmp", far: true },
  ljmpw: { mnemonic: "jmp", far: true, opSize: 16 },
  ljmpl: { mnemonic: "jmp", far: true, opSize: 32 },
  ljmpq: { mnemonic: "jmp", far: true, opSize: 64 },
  lcall: { mnemonic: "call", far: true },
  lcallw: { mnemonic: "call", far: true, opSize: 16 },
  lcalll: { mnemonic: "call", far: true, opSize: 32 },
  lcallq: { mnemonic: "call", far: true, opSize: 64 },
  iretl: { mnemonic: "iretd" },
  pushfl: { mnemonic: "pushfd" },
  popfl: { mnemonic: "popfd" },
  pushal: { mnemonic: "pushad" },
  popal: { mnemonic: "popad" },
  pushaw: { mnemonic: "pushaw" },
  popaw: { mnemonic: "popaw" },
  movsl: { mnemonic: "movsd" },
  cmpsl: { mnemonic: "cmpsd" },
  stosl: { mnemonic: "stosd" },
  lodsl: { mnemonic: "lodsd" },
  scasl: { mnemonic: "scasd" },
  insl: { mnemonic: "insd" },
  outsl: { mnemonic: "outsd" },
  sysretl: { mnemonic: "sysret" },
  sysexitl: { mnemonic: "sysexit" },
  smovb: { mnemonic: "movsb" },
  smovw: { mnemonic: "movsw" },
  smovl: { mnemonic: "movsd" },
  smovq: { mnemonic: "movsq" },
  xlat: { mnemonic: "xlatb" },
  // movz with only the source size (`movzb (%rax),%eax`): the destination register gives the rest.
  movzb: { mnemonic: "movzx", srcSize: 8 },
  movzw: { mnemonic: "movzx", srcSize: 16 },
  // String instructions without a size letter take it from their explicit operands (./strings).
  movs: { mnemonic: "movs" },
  cmps: { mnemonic: "cmps" },
  stos: { mnemonic: "stos" },
  lods: { mnemonic: "lods" },
  scas: { mnemonic: "scas" },
  ins: { mnemonic: "ins" },
  outs: { mnemonic: "outs" },
  // GNU as spells the REX.W forms of FXSAVE/FXRSTOR with a q suffix as well.
  fxsaveq: { mnemonic: "fxsave64" },
  fxrstorq: { mnemonic: "fxrstor64" },
};

// movs/movz with two suffixes: movzbl = movzx r32, r/m8 …
for (const [ext, intel] of [
  ["s", "movsx"],
  ["z", "movzx"],
] as const) {
  for (const [src, srcSize] of [
    ["b", 8],
    ["w", 16],
  ] as const) {
    for (const [dst, opSize] of [
      ["w", 16],
      ["l", 32],
      ["q", 64],
    ] as const) {
      if (srcSize >= opSize) continue;
      ATT_SPECIAL[`mov${ext}${src}${dst}`] = { mnemonic: intel, opSize, srcSize };
    }
  }
  // `movzx`/`movsx` with a single suffix naming the source: movzxb? GAS spells it movzb/movsb+suffix; also
  // accepts movzx/movsx with a suffix for the destination (movsxl) — rare, not mapped.
}

/**
 * The readings of a mnemonic as GNU as understands it, most likely first: the Intel name itself, then the
 * special AT&T names, then "name minus a b/w/l/q suffix".
 */
export function attReadings(name: string, isKnown: (m: string) => boolean): MnemonicReading[] {
  const m = name.toLowerCase();
  const out: MnemonicReading[] = [];
  const special = ATT_SPECIAL[m];
  if (special) out.push(special);
  if (isKnown(m)) out.push({ mnemonic: m });
  const last = m.at(-1) ?? "";
  const size = SUFFIX[last];
  if (size !== undefined && m.length > 1) {
    const stem = m.slice(0, -1);
    const stemSpecial = ATT_SPECIAL[stem];
    if (stemSpecial && stemSpecial.opSize === undefined) out.push({ ...stemSpecial, opSize: size });
    if (isKnown(stem)) out.push({ mnemonic: stem, opSize: size });
  }
  return out;
}

/** Parse an AT&T mnemonic into Intel mnemonic + sizes (for front ends); undefined if unknown. */
export function parseAttMnemonic(name: string, isKnown: (m: string) => boolean): MnemonicReading | undefined {
  return attReadings(name, isKnown)[0];
}

/** AT&T spellings to list for completion/grammars (the suffixed forms are derived, not listed). */
export function attSpecialNames(): string[] {
  return Object.keys(ATT_SPECIAL);
}
