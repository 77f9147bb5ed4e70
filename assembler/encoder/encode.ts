// The encoder: matches an EncodeRequest against the forms of ./table, encodes every matching form and keeps
// the one the reference assembler would pick (the shortest; ties broken by table order; a few
// flavor-specific forms). SDM Vol. 2A chapter 2 (instruction format): legacy prefixes, REX, opcode, ModRM,
// SIB, displacement, immediate.

import { build } from "./build";
import { cachedEncode } from "./cache";
import { BY_MNEMONIC, isIntelMnemonic } from "./catalog";
import { type Ctx, type Failure, isFailure } from "./context";
import { type Form, KIND } from "./forms";
import { formOpSize, matchOperand, sizeOf } from "./match";
import { attReadings, type MnemonicReading } from "./mnemonics";
import { standalonePrefix } from "./prefixes";
import { type RegInfo, regInfo } from "./registers";
import { rewriteStringOperands } from "./strings";
import type { Bits, EncodeOk, EncodeRequest, EncodeResult, Operand, OperandField } from "./types";
import { malformed } from "./validate";

export { clearEncodeCache } from "./cache";
export { FORMS, formsOf, isIntelMnemonic } from "./catalog";

interface Candidate {
  bytes: Uint8Array;
  determined: boolean;
  form: Form;
  v: number | undefined;
  variantRank: number;
  warnings: string[];
  /** Encodings that ignore something the source asked for sort after the others. */
  penalty: number;
  fields?: OperandField[];
}

type Attempt = Candidate | Failure;

const LOCKABLE = new Set(
  "add adc and btc btr bts cmpxchg cmpxchg8b cmpxchg16b dec inc neg not or sbb sub xor xadd xchg".split(" "),
);
const SHIFTS = new Set(["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"]);

/** encode() without the memo cache (for benchmarks of the encoder itself). */
export function encodeUncached(req: EncodeRequest): EncodeResult {
  try {
    return encodeChecked(req);
  } catch (e) {
    return { error: `internal encoder error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Encode one instruction. Never throws. Results are memoized (front ends re-encode every pass). */
export function encode(req: EncodeRequest): EncodeResult {
  try {
    return cachedEncode(req, encodeChecked);
  } catch (e) {
    return { error: `internal encoder error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * encode() for callers that never modify the result: a memoized result is returned as is (no copy of its
 * bytes). The front end's layout uses it; treat the result as read-only.
 */
export function encodeShared(req: EncodeRequest): EncodeResult {
  try {
    return cachedEncode(req, encodeChecked, true);
  } catch (e) {
    return { error: `internal encoder error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function readings(req: EncodeRequest): MnemonicReading[] {
  if (req.operands.length === 0 && standalonePrefix(req.mnemonic, req.bits, req.flavor))
    return [{ mnemonic: req.mnemonic.toLowerCase() }];
  const m = req.mnemonic.toLowerCase();
  if (req.flavor === "gas") return attReadings(m, isIntelMnemonic);
  return BY_MNEMONIC.has(m) ? [{ mnemonic: m }] : [];
}

function encodeChecked(req: EncodeRequest): EncodeResult {
  const bad = malformed(req);
  if (bad) return bad;
  const rs = readings(req);
  if (rs.length === 0) return { error: `unknown instruction '${req.mnemonic}'` };
  let best: Failure | undefined;
  for (const r of rs) {
    const out = encodeReading(req, r);
    if (!isFailure(out)) return out;
    if (!best || out.score > best.score) best = out;
  }
  const f = best ?? { message: "invalid instruction", score: 0 };
  return f.operandIndex === undefined ? { error: f.message } : { error: f.message, operandIndex: f.operandIndex };
}

/**
 * GNU as Intel-syntax readings of memory operands: ESP/RSP written as an index with scale 1 becomes the base
 * (a lone `[eax*1]` stays an index, SIB with disp32, as in AT&T syntax — checked against as 2.40), and an indirect JMP/CALL through `fword ptr` (or `dword ptr` outside
 * 32-bit code, where a dword is read as a 16:16 far pointer) is a far one with that pointer size.
 */
function gasIntelOperands(mnemonic: string, ops: Operand[], bits: Bits): { ops: Operand[]; opSize?: 16 | 32 } {
  let opSize: 16 | 32 | undefined;
  const out = ops.map((o): Operand => {
    if (o.kind !== "mem") return o;
    let m = o;
    if (m.index && m.base && m.scale === 1 && regInfo(m.index)?.num === 4) m = { ...m, base: m.index, index: m.base };
    if ((mnemonic === "jmp" || mnemonic === "call") && ops.length === 1 && !m.far) {
      if (m.size === 48) {
        opSize = 32;
        m = { ...m, far: true, size: undefined };
      } else if (m.size === 32 && bits !== 32) {
        opSize = 16;
        m = { ...m, far: true, size: undefined };
      }
    }
    return m;
  });
  return opSize === undefined ? { ops: out } : { ops: out, opSize };
}

/** Rewrites both assemblers accept as shorthand: `imul r, imm` → `imul r, r, imm`; GAS `shl r` → `shl r, 1`. */
function normalizeOperands(mnemonic: string, ops: readonly Operand[], far: boolean): Operand[] {
  let out = [...ops];
  if (mnemonic === "imul" && out.length === 2 && out[1]?.kind === "imm" && out[0]?.kind === "reg")
    out = [out[0], out[0], out[1]];
  if (SHIFTS.has(mnemonic) && out.length === 1) out = [out[0]!, { kind: "imm", value: 1n }];
  if (far) {
    if (out.length === 2 && out[0]?.kind === "imm" && out[1]?.kind === "imm") {
      // Intel order of AT&T `ljmp $sel, $off` after the front end's reversal: [off, sel].
      const far: Operand = { kind: "far", offset: out[0].value, selector: out[1].value };
      if (out[0].unresolved || out[1].unresolved) far.unresolved = true;
      out = [far];
    }
    out = out.map((o) => (o.kind === "mem" ? { ...o, far: true } : o));
  }
  return out;
}

function encodeReading(req: EncodeRequest, r: MnemonicReading): EncodeResult | Failure {
  if (req.operands.length === 0 && !BY_MNEMONIC.has(r.mnemonic)) {
    const bytes = standalonePrefix(r.mnemonic, req.bits, req.flavor);
    if (bytes) return { bytes: Uint8Array.from(bytes) };
  }
  // GNU as assembles `int $3` as the one-byte INT3 (CC); nasm keeps CD 03.
  const op0 = req.operands[0];
  if (
    req.flavor === "gas" &&
    r.mnemonic === "int" &&
    req.operands.length === 1 &&
    op0?.kind === "imm" &&
    op0.value === 3n &&
    !op0.unresolved
  )
    return encodeReading({ ...req, operands: [] }, { mnemonic: "int3" });
  // GNU as accepts LOCK only on the instructions that allow it, with a memory destination (SDM Vol. 2A
  // "LOCK"); nasm assembles it anyway (the CPU raises #UD).
  if (req.flavor === "gas" && req.prefixes?.includes("lock")) {
    const dest = req.operands[0];
    if (!LOCKABLE.has(r.mnemonic) || (dest?.kind !== "mem" && !r.mnemonic.startsWith("cmpxchg")))
      return { message: "expecting lockable instruction after `lock'", score: 50 };
  }
  if (req.flavor === "gas" && req.operands.length > 0) {
    const str = rewriteStringOperands(r.mnemonic, req.operands, r.opSize ?? req.opSize, req.bits);
    if (typeof str === "string") return { message: str, score: 50 };
    if (str)
      return encodeReading(
        { ...req, operands: [], prefixes: [...(req.prefixes ?? []), ...str.prefixes] },
        { mnemonic: str.mnemonic },
      );
  }
  // GNU as takes DS and CS prefix words in 64-bit code (branch hints, NOTRACK) but not ES or SS.
  if (req.flavor === "gas" && req.bits === 64 && req.prefixes?.some((p) => p === "es" || p === "ss"))
    return { message: "`es'/`ss' prefixes are not supported in 64-bit mode", score: 50 };
  // MOVZX/MOVSX from unsized memory: AT&T reads a byte; nasm and GNU as Intel syntax want a size.
  const src = req.operands[1];
  if (
    (r.mnemonic === "movzx" || r.mnemonic === "movsx") &&
    src?.kind === "mem" &&
    src.size === undefined &&
    (r.srcSize ?? req.srcSize) === undefined &&
    (req.flavor === "nasm" || req.syntax === "intel")
  )
    return { message: "operation size not specified", operandIndex: 1, score: 50 };
  const forms = BY_MNEMONIC.get(r.mnemonic);
  if (!forms) return { message: `unknown instruction '${req.mnemonic}'`, score: 0 };
  let ops = normalizeOperands(r.mnemonic, req.operands, r.far === true);
  let reading = r;
  if (req.flavor === "gas" && req.syntax === "intel") {
    const intel = gasIntelOperands(r.mnemonic, ops, req.bits);
    ops = intel.ops;
    if (intel.opSize !== undefined) reading = { ...r, opSize: intel.opSize };
  }
  const opSize = explicitOpSize(req, reading);
  ops = withPrefixAddrSize(req, ops);
  const ctx: Ctx = {
    req,
    ops,
    bits: req.bits,
    opSize,
    // GNU as lets data16/data32 pick the operand size; nasm's o16/o32 are only the prefix byte.
    prefixOpSize: req.flavor === "gas" ? prefixOpSize(req) : undefined,
    srcSize: reading.srcSize ?? req.srcSize,
    lenient: false,
    regs: [],
    bestScore: Number.NEGATIVE_INFINITY,
    kinds: [],
  };
  ctx.regs = ops.map((o) => (o?.kind === "reg" ? regInfo(o.reg) : undefined));
  ctx.kinds = ops.map((o, i) => kindOf(o, ctx.regs[i]));
  let result = tryForms(forms, ctx);
  if (isFailure(result) && /out of range|exceeds/.test(result.message)) {
    // Both references truncate an oversized immediate with a warning rather than fail.
    const lenient = tryForms(forms, { ...ctx, lenient: true, bestScore: Number.NEGATIVE_INFINITY });
    if (!isFailure(lenient) && "bytes" in lenient) {
      const warnings = [...(lenient.warnings ?? []), result.message];
      // nasm writes the truncated field as dword data too, and says so a second time.
      if (req.flavor === "nasm" && result.message === "signed dword immediate exceeds bounds")
        warnings.push("dword data exceeds bounds");
      result = { bytes: lenient.bytes, warnings };
    }
  }
  return result;
}

function explicitOpSize(req: EncodeRequest, r: MnemonicReading): number | undefined {
  return r.opSize ?? req.opSize;
}

/**
 * The operand size an o16/o32/o64 (GAS data16/data32/rex64) prefix asks for. It picks the size of an
 * instruction nothing else sizes (`o16 push 0x1234`); elsewhere the prefix byte is emitted as written
 * (`o16 mov eax, ebx` is 66 89 D8 in both references).
 */
function prefixOpSize(req: EncodeRequest): number | undefined {
  for (const p of req.prefixes ?? []) {
    if (p === "o16" || p === "data16") return 16;
    if (p === "o32" || p === "data32") return 32;
    if (p === "o64" || p === "rex64") return 64;
  }
  return undefined;
}

/** An a16/a32 (GAS addr16/addr32) prefix sets the address size of a memory operand without registers. */
function withPrefixAddrSize(req: EncodeRequest, ops: Operand[]): Operand[] {
  let size: 16 | 32 | 64 | undefined;
  for (const p of req.prefixes ?? []) {
    if (p === "a16" || p === "addr16") size = 16;
    if (p === "a32" || p === "addr32") size = 32;
    if (p === "a64") size = 64;
  }
  if (size === undefined) return ops;
  return ops.map((o) =>
    o.kind === "mem" && !o.base && !o.index && !o.rip && o.addrSize === undefined ? { ...o, addrSize: size } : o,
  );
}

function kindOf(o: Operand | undefined, r: RegInfo | undefined): number {
  switch (o?.kind) {
    case "reg":
      if (!r || r.cls === "rip") return KIND.other;
      return r.cls === "gpr" ? KIND.gpr : KIND[r.cls];
    case "imm":
      return KIND.imm;
    case "mem":
      return KIND.mem;
    case "far":
      return KIND.far;
    default:
      return KIND.other;
  }
}

const NO_V: readonly (number | undefined)[] = [undefined];
const V64_D64: readonly number[] = [64, 16];
const V64: readonly number[] = [32, 16, 64];
const V16: readonly number[] = [16, 32];
const V32: readonly number[] = [32, 16];
const NOT_IN_64: Failure = { message: "instruction not valid in 64-bit mode", score: 0 };
const ONLY_IN_64: Failure = { message: "instruction only valid in 64-bit mode", score: 0 };
const WRONG_COUNT: Failure = { message: "invalid number of operands", score: -1 };
const SKIPPED: Failure = { message: "(superseded)", score: Number.NEGATIVE_INFINITY };

/** The operand sizes "v" a form is tried with, the mode's default first. */
function variantsOf(form: Form, bits: Bits): readonly (number | undefined)[] {
  if (!form.usesV) return NO_V;
  if (bits === 64) return form.d64 ? V64_D64 : V64;
  return bits === 16 ? V16 : V32;
}

function defaultV(form: Form, bits: Bits, flavor: string): number {
  // nasm's `jmp far [x]` in 64-bit code is m16:64 (REX.W); GNU as's `ljmp *x` is m16:32.
  if (bits === 64 && flavor === "nasm" && form.farMem) return 64;
  if (bits === 64) return form.d64 ? 64 : 32;
  return bits;
}

function tryForms(forms: readonly Form[], ctx: Ctx): EncodeResult | Failure {
  const cands: Candidate[] = [];
  let best: Failure | undefined;
  for (const form of forms) {
    if (form.flavor && form.flavor !== ctx.req.flavor) continue;
    if (form.ops.length !== ctx.ops.length) {
      if (!best) best = WRONG_COUNT;
      continue;
    }
    // Cheap pre-check of operand kinds before trying each operand size.
    let bad = -1;
    for (let i = 0; i < ctx.kinds.length; i++) {
      if ((form.kindMasks[i]! & ctx.kinds[i]!) === 0) {
        bad = i;
        break;
      }
    }
    if (bad >= 0) {
      if (1 + bad > ctx.bestScore) {
        best = { message: "invalid combination of opcode and operands", operandIndex: bad, score: 1 + bad };
        ctx.bestScore = 1 + bad;
      }
      continue;
    }
    const vs = variantsOf(form, ctx.bits);
    for (let rank = 0; rank < vs.length; rank++) {
      const a = tryForm(form, vs[rank], rank, ctx);
      if (isFailure(a)) {
        if (!best || a.score > best.score) {
          best = a;
          ctx.bestScore = a.score;
        }
      } else cands.push(a);
    }
  }
  if (cands.length === 0) return best ?? { message: "invalid combination of opcode and operands", score: 0 };
  let pool = cands.filter((c) => c.determined);
  if (pool.length === 0) {
    const withDefault = cands.filter(
      (c) =>
        c.form.def &&
        (c.v === undefined || c.v === (ctx.prefixOpSize ?? defaultV(c.form, ctx.bits, ctx.req.flavor))) &&
        ctx.opSize === undefined,
    );
    if (withDefault.length > 0) pool = withDefault;
    else {
      const distinct = new Set(cands.map((c) => `${c.form.order}/${String(c.v)}`));
      // GNU as 2.40 (AT&T syntax) falls back to the default operand size (l; w in 16-bit code) with a
      // warning where nasm and GNU as Intel syntax report an ambiguous operand size.
      const gasDefault =
        ctx.req.flavor === "gas" && ctx.req.syntax !== "intel" && ctx.opSize === undefined
          ? cands.filter((c) => c.form.usesV && c.v === defaultV(c.form, ctx.bits, ctx.req.flavor))
          : [];
      if (distinct.size > 1 && gasDefault.length > 0) {
        pool = gasDefault.map((c) => ({
          ...c,
          warnings: [...c.warnings, "no instruction mnemonic suffix given and no register operands; using default"],
        }));
      } else if (distinct.size > 1) {
        const memIndex = ctx.ops.findIndex((o) => o.kind === "mem");
        return {
          message: "operation size not specified",
          ...(memIndex >= 0 ? { operandIndex: memIndex } : {}),
          score: 100,
        };
      } else pool = cands;
    }
  }
  pool.sort(
    (a, b) =>
      a.penalty - b.penalty ||
      a.bytes.length - b.bytes.length ||
      a.form.order - b.form.order ||
      a.variantRank - b.variantRank,
  );
  const c = pool[0]!;
  formObserver?.(c.form);
  const ok: EncodeOk = c.warnings.length > 0 ? { bytes: c.bytes, warnings: c.warnings } : { bytes: c.bytes };
  if (c.fields) ok.fields = c.fields;
  return ok;
}

let formObserver: ((f: Form) => void) | undefined;

/** Test hook: the table form each uncached encode picks is reported to `observe` (undefined to stop). */
export function observeChosenForms(observe: ((f: Form) => void) | undefined): void {
  formObserver = observe;
}

function tryForm(form: Form, v: number | undefined, rank: number, ctx: Ctx): Attempt {
  const { bits, ops } = ctx;
  if (form.no64 && bits === 64) return NOT_IN_64;
  if (form.x64 && bits !== 64) return ONLY_IN_64;
  // GNU as (AMD64 mode) has no REX.W far JMP/CALL through memory: `ljmpq *x` is rejected.
  if (ctx.req.flavor === "gas" && v === 64 && form.farMem) return { message: "invalid instruction suffix", score: 0 };
  const os = form.os ?? (form.usesV ? v : undefined);
  if (os === 64 && bits !== 64) return { message: "64-bit operand size is only available in 64-bit mode", score: 0 };

  // AT&T suffix / size keyword agreement.
  const fos = formOpSize(form, v, bits);
  if (ctx.opSize !== undefined && fos !== undefined && fos !== ctx.opSize)
    return { message: "operand size does not match the suffix", score: 0 };
  if (ctx.srcSize !== undefined) {
    const src = form.ops[1];
    if (src && (src.t === "rm" || src.t === "r") && sizeOf(src.size, v, bits) !== ctx.srcSize)
      return { message: "source size does not match the suffix", score: 0 };
  }

  let determined = ctx.opSize !== undefined;
  for (let i = 0; i < ops.length; i++) {
    const p = form.ops[i]!;
    const m = matchOperand(ops[i]!, i, p, form, v, ctx);
    // A value out of range is a more useful report than "wrong kind of operand" from another form.
    if (typeof m === "string") {
      const score = 1 + i + (m.includes("range") || m.includes("exceeds") ? 0.5 : 0);
      // Most forms fail here; only a failure that would become the reported one is worth an object.
      if (score <= ctx.bestScore) return SKIPPED;
      return { message: m, operandIndex: i, score };
    }
    if (m.det) determined = true;
  }
  if (!form.usesV && !form.sized) determined = true;
  // With nothing giving the operand size, an instruction that has a default uses it; the immediate's value
  // never changes the operand size (`push 0xffffffff` in 16-bit code is a truncated push imm16).
  if (!determined && form.def && form.usesV && v !== (ctx.prefixOpSize ?? defaultV(form, bits, ctx.req.flavor)))
    return { message: "not the default operand size", score: 0 };
  if (
    ctx.req.flavor === "nasm" &&
    bits === 64 &&
    v === 16 &&
    form.d64 &&
    (form.mnemonic === "call" || form.mnemonic === "jmp")
  )
    return { message: "instruction not supported in 64-bit mode", score: 5 };
  const built = build(form, v, os, ctx);
  if (typeof built === "string") return { message: built, score: 10 };
  if (typeof built === "object" && "message" in built) return built;
  return {
    bytes: built.bytes,
    determined,
    form,
    v,
    variantRank: rank,
    warnings: built.warnings,
    penalty: built.warnings.length,
    ...(built.fields ? { fields: built.fields } : {}),
  };
}
