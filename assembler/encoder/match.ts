// Does an operand fit an operand pattern for a given operand size? Also the immediate-size rules of each
// reference (which values fit a sign-extended imm8, when a value is truncated, when it is an error).

import { formsOf } from "./catalog";
import type { Ctx } from "./context";
import type { Form, OpPattern } from "./forms";
import { fitsS8, toSigned } from "./modrm";
import type { Bits, ImmOperand, Operand } from "./types";

export function sizeOf(
  s: number | "v" | "n" | "any" | "far" | "unsized",
  v: number | undefined,
  bits: Bits,
): number | undefined {
  if (s === "v") return v;
  if (s === "n") return bits === 64 ? 64 : 32;
  if (s === "any" || s === "far" || s === "unsized") return undefined;
  return s;
}

/** The operand size that an AT&T suffix must agree with. */
export function formOpSize(form: Form, v: number | undefined, bits: Bits): number | undefined {
  if (form.os !== undefined) return form.os;
  if (form.usesV) return v;
  if (form.fixedOpSize === -1) return bits === 64 ? 64 : 32;
  return form.fixedOpSize;
}

export function immRange(bits: number, signedOnly: boolean): [bigint, bigint] {
  const lo = -(1n << BigInt(bits - 1));
  const hi = signedOnly ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  return [lo, hi];
}

export function inRange(v: bigint, [lo, hi]: [bigint, bigint]): boolean {
  return v >= lo && v <= hi;
}

export interface Match {
  det: boolean;
}

const DET: Match = { det: true };
const NODET: Match = { det: false };

/** Does operand `op` fit pattern `p` for operand size v? Returns a failure message or a Match. */
export function matchOperand(
  op: Operand,
  i: number,
  p: OpPattern,
  form: Form,
  v: number | undefined,
  ctx: Ctx,
): Match | string {
  const bits = ctx.bits;
  switch (p.t) {
    case "r":
    case "rm": {
      const size = sizeOf(p.size, v, bits);
      if (op.kind === "reg") {
        const r = ctx.regs[i];
        if (!r) return "unknown register";
        if (r.cls !== "gpr") return "a general-purpose register is needed here";
        if (r.size !== size) return "operand size mismatch";
        return DET;
      }
      if (p.t === "rm" && op.kind === "mem" && !op.far) {
        if (op.size !== undefined && op.size !== size) return "memory operand size mismatch";
        return op.size !== undefined ? DET : NODET;
      }
      return p.t === "r" ? "a register is needed here" : "a register or memory operand is needed here";
    }
    case "m": {
      if (op.kind !== "mem") return "a memory operand is needed here";
      if (p.size === "far") {
        if (!op.far) return "a far memory operand (far [x]) is needed here";
        // `jmp far dword [x]`: the size keyword gives the offset size of the m16:16/32/64 pointer.
        if (op.size !== undefined && op.size !== v) return "far pointer size mismatch";
        return op.size !== undefined ? DET : NODET;
      }
      if (op.far) return "a far pointer is not allowed here";
      if (p.size === "any") return NODET;
      if (p.size === "unsized") return op.size === undefined ? NODET : "mismatch in operand sizes";
      const size = sizeOf(p.size, v, bits);
      if (op.size !== undefined && op.size !== size) return "memory operand size mismatch";
      return op.size !== undefined ? DET : NODET;
    }
    case "fixed": {
      if (op.kind !== "reg") return "a specific register is needed here";
      const r = ctx.regs[i];
      if (!r) return "unknown register";
      if (p.reg === "acc") return r.cls === "gpr" && r.num === 0 && r.size === v ? DET : "accumulator";
      if (r.name !== p.reg && !(p.reg === "al" && r.name === "al")) return "a specific register is needed here";
      return { det: ["al", "ax", "eax", "rax"].includes(p.reg) };
    }
    case "cls": {
      if (op.kind !== "reg") return "a register is needed here";
      const r = ctx.regs[i];
      if (!r) return "unknown register";
      const want = p.cls === "sreg" ? "seg" : p.cls;
      if (r.cls !== want) return "wrong kind of register";
      if (r.name === "rip" || r.name === "eip") return "rip cannot be used here";
      return NODET;
    }
    case "xm":
    case "mmm": {
      const cls = p.t === "xm" ? "xmm" : "mm";
      if (op.kind === "reg") {
        const r = ctx.regs[i];
        if (!r || r.cls !== cls) return "wrong kind of register";
        return NODET;
      }
      if (op.kind === "mem" && !op.far) {
        if (op.size !== undefined && op.size !== p.size) return "memory operand size mismatch";
        return NODET;
      }
      return "a register or memory operand is needed here";
    }
    case "imm":
      return op.kind === "imm" ? matchImm(op, p.kind, form, v, ctx) : "an immediate is needed here";
    case "rel":
      if (op.kind !== "imm") return "a branch target is needed here";
      if (ctx.req.branch === "short" && p.kind !== "rel8") return "short jump requested";
      if (ctx.req.branch === "near" && p.kind === "rel8" && form.code.some((t) => t.t === "rel" && t.kind === "cb")) {
        // LOOP/JCXZ only have rel8: "near" just means "not explicitly short" for them.
        const hasNear = formsOf(form.mnemonic).some((f) => f.ops[0]?.t === "rel" && f.ops[0].kind === "relv");
        if (hasNear) return "near jump requested";
      }
      if (p.kind === "rel8" && op.unresolved && ctx.req.branch !== "short") return "target not known: near form";
      return NODET;
    case "moffs": {
      if (op.kind !== "mem" || op.far) return "a memory operand is needed here";
      if (op.base || op.index || op.rip) return "moffs needs an absolute address";
      if (
        bits === 64 &&
        ctx.req.flavor === "nasm" &&
        op.dispSize !== 64 &&
        op.addrSize !== 32 &&
        form.mnemonic !== "movabs"
      )
        return "moffs64 needs qword";
      if (bits !== 64 && op.dispSize === 64) return "64-bit address outside 64-bit code";
      const size = sizeOf(p.size, v, bits);
      if (op.size !== undefined && op.size !== size) return "memory operand size mismatch";
      return op.size !== undefined ? DET : NODET;
    }
    case "ptr":
      if (op.kind !== "far") return "a far pointer seg:offset is needed here";
      if (op.size !== undefined) return op.size === v ? DET : "far pointer size mismatch";
      return NODET;
  }
}

function matchImm(op: ImmOperand, kind: string, form: Form, v: number | undefined, ctx: Ctx): Match | string {
  const val = op.value;
  let det = false;
  // nasm: `byte` on the immediate of an instruction with a sign-extended imm8 form (`push byte 200`,
  // `add eax, byte 0x80`) selects that form; a value that does not fit is truncated with a warning.
  if (op.size === 8 && (kind === "iz" || kind === "iv") && ctx.req.flavor === "nasm") return "immediate size mismatch";
  if (op.size === 8 && kind === "s8" && ctx.req.flavor === "nasm" && !op.unresolved) {
    if (fitsS8(signExtendedImm(val, v ?? 32, "nasm")) || ctx.lenient) return DET;
    return "signed byte value exceeds bounds";
  }
  if (op.size !== undefined && (kind === "iz" || kind === "iv" || kind === "s8") && op.size !== 8) {
    // A size keyword on an immediate names the operand size; nasm also takes `dword` for the
    // sign-extended imm32 of a 64-bit PUSH or MOV (`push dword 5`, `mov qword [rax], dword 1`).
    const sdword = op.size === 32 && v === 64 && (form.d64 || form.mnemonic === "mov") && ctx.bits === 64;
    if (v !== op.size && !sdword) return "immediate size mismatch";
    det = true;
  }
  if (op.strict && op.size !== undefined) {
    // NASM `strict`: the immediate field has exactly the written size.
    const width =
      kind === "ib" || kind === "s8"
        ? 8
        : kind === "iw"
          ? 16
          : kind === "id" || kind === "u32"
            ? 32
            : kind === "iz"
              ? v === 16
                ? 16
                : 32
              : kind === "iv"
                ? (v ?? 32)
                : undefined;
    // `push strict qword 1` is still PUSH imm32 (there is no imm64 push).
    const pushQword = kind === "iz" && v === 64 && op.size === 64 && form.mnemonic === "push";
    if (width !== undefined && width !== op.size && !pushQword) return "strict size";
  }
  const lenient = ctx.lenient || op.unresolved === true;
  // nasm accepts -2^n .. 2^n-1 in an n-bit field without a word (like its data: `db -256`), and names an
  // overflow as its data directives do ("byte data exceeds bounds").
  const nasm = ctx.req.flavor === "nasm";
  const field = (bits: number, name: string, gasMessage: string): Match | string => {
    const range: [bigint, bigint] = nasm ? [-(1n << BigInt(bits)), (1n << BigInt(bits)) - 1n] : immRange(bits, false);
    if (lenient || inRange(val, range)) return det ? DET : NODET;
    return nasm ? `${name} data exceeds bounds` : gasMessage;
  };
  switch (kind) {
    case "one":
      return val === 1n && !op.unresolved && op.size === undefined ? (det ? DET : NODET) : "not 1";
    case "ib":
      return field(8, "byte", "immediate out of range (byte)");
    case "s8": {
      if (op.unresolved) return "unresolved: no sign-extended byte form";
      const w = v ?? 32;
      // nasm truncates to the operand size first (a 64-bit operand's field is a sign-extended dword); when the
      // truncated value takes the imm8 form, it names a value that did not survive the truncation.
      if (nasm && !lenient && fitsS8(signExtendedImm(val, w, "nasm"))) {
        if (w === 32 && (val >= 1n << 32n || val < -(1n << 32n))) return "dword value exceeds bounds";
        if (w === 64 && !inRange(toSigned(val, 64), immRange(32, true))) return "signed dword value exceeds bounds";
      }
      return fitsS8(signExtendedImm(val, w, ctx.req.flavor)) ? (det ? DET : NODET) : "not a sign-extended byte";
    }
    case "iw":
      return field(16, "word", "immediate out of range (word)");
    case "id":
      return field(32, "dword", "immediate out of range (dword)");
    case "u32":
      return !op.unresolved &&
        (op.size === undefined || (op.size === 64 && !op.strict)) &&
        val >= 0n &&
        val <= 0xffffffffn
        ? det
          ? DET
          : NODET
        : "not u32";
    case "iz": {
      const w = v ?? 32;
      const range = w === 64 ? immRange(32, true) : immRange(w, false);
      // GNU as rejects a 64-bit operand's immediate outside the sign-extended imm32 range (no truncation).
      if (w === 64 && ctx.req.flavor === "gas" && !op.unresolved)
        return inRange(toSigned(val, 64), range)
          ? det
            ? DET
            : NODET
          : "operand type mismatch: immediate out of range";
      if (w === 64 && op.unresolved) {
        // nasm loads a relocatable/unknown value into a 64-bit register with the full imm64 form
        // (`mov rax, label` → REX.W B8 io); GNU as uses the sign-extended imm32 (C7 /0).
        if (ctx.req.flavor === "nasm" && form.mnemonic === "mov" && ctx.ops[0]?.kind === "reg")
          return "nasm uses imm64 for a relocatable value";
        return det ? DET : NODET;
      }
      if (w === 64)
        return lenient || inRange(val, range)
          ? det
            ? DET
            : NODET
          : nasm
            ? "signed dword immediate exceeds bounds"
            : "immediate out of range";
      return field(w, w === 16 ? "word" : "dword", "immediate out of range");
    }
    case "iv": {
      const w = v ?? 32;
      if (w === 64)
        return lenient || inRange(val, immRange(64, false)) ? (det ? DET : NODET) : "immediate out of range";
      return field(w, w === 16 ? "word" : "dword", "immediate out of range");
    }
  }
  return "bad immediate kind";
}

/**
 * The value an imm8 sign-extended to `w` bits must equal. nasm truncates the value to the operand size first
 * (warning when it did not fit). GNU as (tc-i386.c optimize_imm) reads a value in 0..0xffff as a signed
 * 16-bit number for a 16-bit operand, and any value in 0..0xffffffff as a signed 32-bit number; other values
 * stay as written.
 */
export function signExtendedImm(val: bigint, w: number, flavor: string): bigint {
  // nasm: a 64-bit operand's immediate field is 32 bits, so the value is truncated to those.
  if (flavor === "nasm") return toSigned(val, w === 64 ? 32 : w);
  if (w === 64) return toSigned(val, 64);
  if (w === 16 && val >= 0n && val <= 0xffffn) return toSigned(val, 16);
  if (val >= 0n && val <= 0xffffffffn) return toSigned(val, 32);
  return val;
}
