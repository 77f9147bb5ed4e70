// Public API of the x86 encoder. See ./types for the contract and ./README.md for what lives where.

import { describeMnemonic } from "./descriptions";
import { encode, FORMS, formsOf, isIntelMnemonic } from "./encode";
import type { Form, OpPattern } from "./forms";
import { attReadings, attSpecialNames, type MnemonicReading } from "./mnemonics";
import { standalonePrefixNames } from "./prefixes";
import type { EncodeRequest, EncodeResult, InstructionInfo } from "./types";

export { describeMnemonic } from "./descriptions";
export { encode, encodeShared } from "./encode";
export type { MnemonicReading } from "./mnemonics";
export type { RegClass, RegInfo } from "./registers";
export { regInfo, registerNames } from "./registers";
export * from "./types";

const SIZE_SUFFIXES = ["b", "w", "l", "q"] as const;

let mnemonicCache: string[] | undefined;

/**
 * Every mnemonic the encoder accepts: the Intel names and the AT&T spellings (cltq, movzbl, lretq, ljmp,
 * movabs …) including the b/w/l/q-suffixed forms of instructions with a variable operand size.
 */
export function knownMnemonics(): string[] {
  if (mnemonicCache) return [...mnemonicCache];
  const set = new Set<string>();
  for (const f of FORMS) set.add(f.mnemonic);
  for (const n of attSpecialNames()) set.add(n);
  for (const n of standalonePrefixNames("gas")) set.add(n);
  for (const n of standalonePrefixNames("nasm")) set.add(n);
  for (const f of FORMS) {
    const sized = f.usesV || f.ops.some((p) => p.t === "rm" || p.t === "r" || p.t === "m");
    if (!sized) continue;
    for (const s of SIZE_SUFFIXES) {
      const name = f.mnemonic + s;
      if (attReadings(name, isIntelMnemonic).some((r) => r.mnemonic === f.mnemonic && r.opSize !== undefined))
        set.add(name);
    }
  }
  mnemonicCache = [...set].sort();
  return [...mnemonicCache];
}

/** Alias of knownMnemonics() (the name CONTRACTS.md uses). */
export function mnemonics(): string[] {
  return knownMnemonics();
}

/** Is `name` an instruction mnemonic in the given flavor (case-insensitive)? */
export function isMnemonic(name: string, flavor: "gas" | "nasm"): boolean {
  // Front ends ask for every word of every line: answers are memoized (bounded, names are source words).
  const memo = flavor === "gas" ? GAS_MNEMONIC_MEMO : NASM_MNEMONIC_MEMO;
  const known = memo.get(name);
  if (known !== undefined) return known;
  const m = name.toLowerCase();
  const r = standalonePrefixNames(flavor).includes(m)
    ? true
    : flavor === "nasm"
      ? isIntelMnemonic(m)
      : attReadings(m, isIntelMnemonic).length > 0;
  if (memo.size > 10_000) memo.clear();
  memo.set(name, r);
  return r;
}

const GAS_MNEMONIC_MEMO = new Map<string, boolean>();
const NASM_MNEMONIC_MEMO = new Map<string, boolean>();

/**
 * How GNU as reads an AT&T mnemonic: the Intel mnemonic plus the operand size of its suffix
 * ("addl" → {add, 32}, "movzbl" → {movzx, 32, srcSize 8}, "cltq" → {cdqe}). The encoder does this itself when
 * given the AT&T name with flavor "gas"; front ends can use it for symbol/operand-size analysis.
 */
export function parseAttMnemonic(name: string): MnemonicReading | undefined {
  return attReadings(name, isIntelMnemonic)[0];
}

/**
 * The longest encoding an instruction can get once its unresolved values are known (for branch relaxation
 * and first-pass layout): every unresolved immediate/displacement at full width, branches near.
 */
export function maxLength(req: EncodeRequest): number {
  // Unresolved values already get the widest forms; a branch is measured in its near form.
  const near = encode({ ...req, branch: req.branch === "short" ? "short" : "near" });
  if ("bytes" in near) return near.bytes.length;
  const any = encode(req);
  return "bytes" in any ? any.bytes.length : 15;
}

function describePattern(p: OpPattern): string {
  switch (p.t) {
    case "r":
      return `r${String(p.size)}`.replace("rv", "r16/32/64").replace("rn", "r32/64");
    case "rm":
      return `r/m${String(p.size)}`.replace("r/mv", "r/m16/32/64").replace("r/mn", "r/m32/64");
    case "m":
      return p.size === "any" ? "m" : p.size === "far" ? "m16:16/32/64" : `m${String(p.size)}`;
    case "fixed":
      return p.reg === "acc" ? "AX/EAX/RAX" : p.reg.toUpperCase();
    case "cls":
      return p.cls === "sreg" ? "Sreg" : p.cls === "cr" ? "CRn" : p.cls === "dr" ? "DRn" : p.cls;
    case "xm":
      return `xmm/m${p.size}`;
    case "mmm":
      return "mm/m64";
    case "imm":
      return (
        { ib: "imm8", s8: "imm8", iw: "imm16", id: "imm32", iz: "imm16/32", iv: "imm16/32/64", one: "1", u32: "imm32" }[
          p.kind
        ] ?? "imm"
      );
    case "rel":
      return p.kind === "rel8" ? "rel8" : "rel16/32";
    case "moffs":
      return `moffs${String(p.size)}`.replace("moffsv", "moffs16/32/64");
    case "ptr":
      return "ptr16:16/32";
  }
}

const VMX = new Set([
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
const SYSTEM = new Set(
  (
    "sgdt sidt lgdt lidt smsw lmsw invlpg sldt str lldt ltr verr verw lar lsl clts invd wbinvd wrmsr rdtsc rdmsr " +
    "rdpmc sysenter sysexit sysexitq syscall sysret sysretq rsm swapgs rdtscp monitor mwait clac stac xgetbv " +
    "xsetbv invpcid rdrand rdseed rdfsbase rdgsbase wrfsbase wrgsbase hlt cli sti cpuid int int1 int3 into iret " +
    "iretw iretd iretq xsave xsave64 xrstor xrstor64 xsaveopt xsaveopt64 fxsave fxsave64 fxrstor fxrstor64 " +
    "in out insb insw insd outsb outsw outsd wait"
  ).split(" "),
);
const SSE = new Set(
  "movaps movups movapd movupd movdqa movdqu movntdq movntps movntdqa movss movd movq pxor xorps emms ldmxcsr stmxcsr".split(
    " ",
  ),
);

/** Metadata for hovers, completion and grammars; undefined for an unknown mnemonic. */
export function instructionInfo(name: string, flavor: "gas" | "nasm" = "nasm"): InstructionInfo | undefined {
  const m = name.toLowerCase();
  const reading =
    flavor === "gas" ? attReadings(m, isIntelMnemonic)[0] : isIntelMnemonic(m) ? { mnemonic: m } : undefined;
  if (!reading) {
    if (!standalonePrefixNames(flavor).includes(m)) return undefined;
    return {
      mnemonic: m,
      canonical: m,
      forms: [""],
      summary: `${m.toUpperCase()}: ${describeMnemonic(m) ?? "prefix"}`,
      group: "general",
    };
  }
  const forms: readonly Form[] = formsOf(reading.mnemonic).filter(
    (f) =>
      (f.flavor === undefined || f.flavor === flavor) &&
      (reading.srcSize === undefined || (f.ops[1]?.t === "rm" && f.ops[1].size === reading.srcSize)),
  );
  const canonical = reading.mnemonic;
  const group = VMX.has(canonical)
    ? "vmx"
    : SSE.has(canonical) && forms.some((f) => f.ops.length > 0)
      ? "sse"
      : /^f/.test(canonical) && !/^fx/.test(canonical)
        ? "x87"
        : SYSTEM.has(canonical)
          ? "system"
          : "general";
  const info: InstructionInfo = {
    mnemonic: m,
    canonical,
    forms: [...new Set(forms.map((f) => f.ops.map(describePattern).join(", ")))],
    summary: `${canonical.toUpperCase()}: ${describeMnemonic(canonical) ?? "instruction"}${m !== canonical ? ` (AT&T ${m})` : ""}`,
    group,
  };
  if (/^j/.test(canonical)) info.branch = canonical === "jmp" ? "jmp" : "jcc";
  else if (canonical === "call") info.branch = "call";
  else if (/^loop|^j.?cxz/.test(canonical)) info.branch = "loop";
  return info;
}

export type { EncodeRequest, EncodeResult };
