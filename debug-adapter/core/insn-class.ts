// Recognizes the few instruction kinds the debugger treats specially, from their bytes: calls and software
// interrupts (step over), returns (step out), and the VMX instructions (VMWRITE provenance, VMfail stops,
// stepping into VM entry). Opcodes from SDM Vol. 2 and Vol. 3C ch. 31 (VMX instruction reference).

export type VmxMnemonic =
  | "vmcall"
  | "vmlaunch"
  | "vmresume"
  | "vmxoff"
  | "vmfunc"
  | "vmread"
  | "vmwrite"
  | "vmptrld"
  | "vmclear"
  | "vmxon"
  | "vmptrst"
  | "invept"
  | "invvpid";

export type InstructionClass =
  | { kind: "call" }
  | { kind: "int" }
  | { kind: "ret" }
  /** A string instruction with REP/REPE/REPNE: the emulator may run it in several steps at the same RIP. */
  | { kind: "repString" }
  | {
      kind: "vmx";
      mnemonic: VmxMnemonic /** VMWRITE/VMREAD: the GPR holding the field encoding. */;
      encodingReg?: number;
    }
  | { kind: "other" };

const LEGACY_PREFIXES = new Set([0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0xf0]);

/** Classifies the instruction starting at bytes[0]. `long64`: REX prefixes exist (64-bit mode). */
export function classifyInstruction(bytes: Uint8Array, long64: boolean): InstructionClass {
  let i = 0;
  let opsize = false;
  let rep = false;
  let repAny = false;
  let rexR = 0;
  while (i < bytes.length && i < 15) {
    const b = bytes[i] as number;
    if (LEGACY_PREFIXES.has(b)) {
      if (b === 0x66) opsize = true;
      if (b === 0xf3) rep = true;
      if (b === 0xf3 || b === 0xf2) repAny = true;
      i++;
      continue;
    }
    if (long64 && b >= 0x40 && b <= 0x4f) {
      rexR = b & 4 ? 8 : 0;
      i++;
      // A REX prefix must come last; anything after it is the opcode.
      break;
    }
    break;
  }
  const op = bytes[i];
  if (op === undefined) return { kind: "other" };
  const next = bytes[i + 1];
  const modrm = bytes[i + 2];
  switch (op) {
    case 0xe8:
    case 0x9a:
      return { kind: "call" };
    case 0xff: {
      const reg = next === undefined ? -1 : (next >> 3) & 7;
      return reg === 2 || reg === 3 ? { kind: "call" } : { kind: "other" };
    }
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xf1:
      return { kind: "int" };
    case 0xc3:
    case 0xc2:
    case 0xcb:
    case 0xca:
    case 0xcf:
      return { kind: "ret" };
    case 0x0f:
      break;
    default:
      // MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS (SDM Vol. 2, "REP/REPE/REPZ/REPNE/REPNZ").
      if (repAny && ((op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) || (op >= 0x6c && op <= 0x6f)))
        return { kind: "repString" };
      return { kind: "other" };
  }
  // Two-byte opcodes.
  if (next === 0x01) {
    const m: Record<number, VmxMnemonic> = {
      193: "vmcall",
      194: "vmlaunch",
      195: "vmresume",
      196: "vmxoff",
      212: "vmfunc",
    };
    const mn = modrm === undefined ? undefined : m[modrm];
    return mn ? { kind: "vmx", mnemonic: mn } : { kind: "other" };
  }
  // VMREAD r/m, r: the encoding is in r (ModRM.reg); VMWRITE r, r/m: the encoding is in r (ModRM.reg).
  const encodingReg = modrm === undefined ? undefined : ((modrm >> 3) & 7) | rexR;
  if (next === 0x78 && !opsize) return { kind: "vmx", mnemonic: "vmread", encodingReg };
  if (next === 0x79 && !opsize) return { kind: "vmx", mnemonic: "vmwrite", encodingReg };
  if (next === 0xc7 && modrm !== undefined && modrm >> 6 !== 3) {
    const reg = (modrm >> 3) & 7;
    if (reg === 6) return { kind: "vmx", mnemonic: rep ? "vmxon" : opsize ? "vmclear" : "vmptrld" };
    if (reg === 7 && !opsize && !rep) return { kind: "vmx", mnemonic: "vmptrst" };
  }
  if (next === 0x38 && opsize && (modrm === 0x80 || modrm === 0x81))
    return { kind: "vmx", mnemonic: modrm === 0x80 ? "invept" : "invvpid" };
  return { kind: "other" };
}
