// The encoder: matches an EncodeRequest against the forms of ./table, encodes every matching form and keeps
// the one the reference assembler would pick (the shortest; ties broken by table order; a few
// flavor-specific forms). SDM Vol. 2A chapter 2 (instruction format): legacy prefixes, REX, opcode, ModRM,
// SIB, displacement, immediate.

import { type Form, KIND, type OpPattern, parseForm } from "./forms";
import { attReadings, type MnemonicReading } from "./mnemonics";
import { encodeMemory, fitsS8, type MemEncoding, toSigned } from "./modrm";
import { standalonePrefix } from "./prefixes";
import { type RegInfo, regInfo } from "./registers";
import { rewriteStringOperands } from "./strings";
import { FORM_LINES } from "./table";
import type { Bits, EncodeError, EncodeRequest, EncodeResult, ImmOperand, MemOperand, Operand } from "./types";

export const FORMS: readonly Form[] = FORM_LINES.map((l, i) => parseForm(l, i));
const BY_MNEMONIC = new Map<string, Form[]>();
for (const f of FORMS) {
  const list = BY_MNEMONIC.get(f.mnemonic);
  if (list) list.push(f);
  else BY_MNEMONIC.set(f.mnemonic, [f]);
}

export function formsOf(mnemonic: string): readonly Form[] {
  return BY_MNEMONIC.get(mnemonic) ?? [];
}

export function isIntelMnemonic(m: string): boolean {
  return BY_MNEMONIC.has(m);
}

interface Candidate {
  bytes: Uint8Array;
  determined: boolean;
  form: Form;
  v: number | undefined;
  variantRank: number;
  warnings: string[];
  /** Encodings that ignore something the source asked for sort after the others. */
  penalty: number;
}

interface Failure {
  message: string;
  operandIndex?: number;
  /** How many operands matched before the failure (the most specific failure is reported). */
  score: number;
}

type Attempt = Candidate | Failure;

const isFailure = (a: object): a is Failure => "message" in a && "score" in a;

const LOCKABLE = new Set(
  "add adc and btc btr bts cmpxchg cmpxchg8b cmpxchg16b dec inc neg not or sbb sub xor xadd xchg".split(" "),
);
const SHIFTS = new Set(["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"]);
const SEG_PREFIX: Record<string, number> = { es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65 };

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
    const key = cacheKey(req);
    const hit = key === undefined ? undefined : CACHE.get(key);
    if (hit) return copyResult(hit);
    const r = encodeChecked(req);
    if (key !== undefined) {
      if (CACHE.size >= CACHE_LIMIT) CACHE.clear();
      CACHE.set(key, copyResult(r));
    }
    return r;
  } catch (e) {
    return { error: `internal encoder error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

const CACHE = new Map<string, EncodeResult>();

/** Forget memoized results (benchmarks measure the uncached path with it). */
export function clearEncodeCache(): void {
  CACHE.clear();
}
const CACHE_LIMIT = 100_000;
const ADDRESS_DEPENDENT = /^(j|call|loop|xbegin)/;

function copyResult(r: EncodeResult): EncodeResult {
  if (!("bytes" in r)) return { ...r };
  return r.warnings ? { bytes: r.bytes.slice(), warnings: [...r.warnings] } : { bytes: r.bytes.slice() };
}

/**
 * Everything the result depends on, as a string. The address only matters for branch targets and
 * RIP-relative operands, so it is left out otherwise (more hits across passes). Undefined = don't cache.
 */
function cacheKey(req: EncodeRequest): string | undefined {
  if (typeof req.mnemonic !== "string" || !Array.isArray(req.operands)) return undefined;
  let k = `${req.mnemonic}|${req.bits}|${req.flavor}${req.syntax ?? ""}|${req.branch ?? ""}|${req.opSize ?? ""}|${req.srcSize ?? ""}|`;
  if (req.prefixes && req.prefixes.length > 0) k += req.prefixes.join(",");
  let addressMatters = ADDRESS_DEPENDENT.test(req.mnemonic);
  for (const o of req.operands) {
    switch (o?.kind) {
      case "reg":
        k += `|r${o.reg}`;
        break;
      case "imm":
        k += `|i${o.value}${o.unresolved ? "u" : ""}${o.size ?? ""}${o.strict ? "s" : ""}`;
        break;
      case "mem":
        if (o.rip) addressMatters = true;
        k += `|m${o.size ?? ""},${o.seg ?? ""},${o.base ?? ""},${o.index ?? ""},${o.scale},${o.disp},${o.dispUnresolved ? 1 : 0},${o.dispSize ?? ""},${o.rip ? 1 : 0}${o.ripRaw ? 1 : 0},${o.addrSize ?? ""},${o.far ? 1 : 0}`;
        break;
      case "far":
        k += `|f${o.selector}:${o.offset}${o.unresolved ? "u" : ""}`;
        break;
      default:
        return undefined;
    }
  }
  if (addressMatters) k += `@${req.address}`;
  return k;
}

function readings(req: EncodeRequest): MnemonicReading[] {
  if (req.operands.length === 0 && standalonePrefix(req.mnemonic, req.bits, req.flavor))
    return [{ mnemonic: req.mnemonic.toLowerCase() }];
  const m = req.mnemonic.toLowerCase();
  if (req.flavor === "gas") return attReadings(m, isIntelMnemonic);
  return BY_MNEMONIC.has(m) ? [{ mnemonic: m }] : [];
}

/** Requests come from other code (and fuzzers): check the shape before trusting any field. */
function malformed(req: EncodeRequest): EncodeError | undefined {
  if (typeof req !== "object" || req === null) return { error: "request must be an object" };
  if (typeof req.mnemonic !== "string") return { error: "mnemonic must be a string" };
  if (req.bits !== 16 && req.bits !== 32 && req.bits !== 64) return { error: `invalid code size ${String(req.bits)}` };
  if (typeof req.address !== "bigint") return { error: "address must be a bigint" };
  if (!Array.isArray(req.operands)) return { error: "operands must be an array" };
  if (req.prefixes !== undefined && (!Array.isArray(req.prefixes) || req.prefixes.some((p) => typeof p !== "string")))
    return { error: "prefixes must be strings" };
  const opt = (x: unknown) => x === undefined || typeof x === "string";
  for (let i = 0; i < req.operands.length; i++) {
    const o = req.operands[i] as Operand | null | undefined;
    const bad = { error: "malformed operand", operandIndex: i };
    if (typeof o !== "object" || o === null) return bad;
    switch (o.kind) {
      case "reg":
        if (typeof o.reg !== "string") return bad;
        break;
      case "imm":
        if (typeof o.value !== "bigint") return bad;
        break;
      case "mem":
        if (typeof o.disp !== "bigint" || ![1, 2, 4, 8, 3, 5, 9].includes(o.scale)) return bad;
        if (!opt(o.base) || !opt(o.index) || !opt(o.seg)) return bad;
        if (o.seg !== undefined && SEG_PREFIX[o.seg] === undefined) return bad;
        break;
      case "far":
        if (typeof o.selector !== "bigint" || typeof o.offset !== "bigint") return bad;
        break;
      default:
        return bad;
    }
  }
  return undefined;
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
 * GNU as Intel-syntax readings of memory operands: `[reg*1]` alone is a base, ESP/RSP written as an index
 * with scale 1 becomes the base, and an indirect JMP/CALL through `fword ptr` (or `dword ptr` in 64-bit
 * code, where a 32-bit near target does not exist) is a far one with that pointer size.
 */
function gasIntelOperands(mnemonic: string, ops: Operand[], bits: Bits): { ops: Operand[]; opSize?: 16 | 32 } {
  let opSize: 16 | 32 | undefined;
  const out = ops.map((o): Operand => {
    if (o.kind !== "mem") return o;
    let m = o;
    if (m.index && !m.base && m.scale === 1) m = { ...m, base: m.index, index: undefined };
    if (m.index && m.base && m.scale === 1 && regInfo(m.index)?.num === 4) m = { ...m, base: m.index, index: m.base };
    if ((mnemonic === "jmp" || mnemonic === "call") && ops.length === 1 && !m.far) {
      if (m.size === 48) {
        opSize = 32;
        m = { ...m, far: true, size: undefined };
      } else if (m.size === 32 && bits === 64) {
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
  const ctx: Ctx = {
    req,
    ops,
    bits: req.bits,
    opSize,
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
    if (!isFailure(lenient) && "bytes" in lenient)
      result = { bytes: lenient.bytes, warnings: [...(lenient.warnings ?? []), result.message] };
  }
  return result;
}

function explicitOpSize(req: EncodeRequest, r: MnemonicReading): number | undefined {
  if (r.opSize !== undefined) return r.opSize;
  if (req.opSize !== undefined) return req.opSize;
  for (const p of req.prefixes ?? []) {
    if (p === "o16" || p === "data16") return 16;
    if (p === "o32" || p === "data32") return 32;
    if (p === "o64" || p === "rex64") return 64;
  }
  return undefined;
}

interface Ctx {
  req: EncodeRequest;
  ops: Operand[];
  bits: Bits;
  opSize: number | undefined;
  srcSize: number | undefined;
  lenient: boolean;
  /** regInfo of each register operand, looked up once per request. */
  regs: (RegInfo | undefined)[];
  /** Score of the most specific failure so far (lower ones need not be built). */
  bestScore: number;
  /** KIND bit of each operand. */
  kinds: number[];
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
        (c.v === undefined || c.v === defaultV(c.form, ctx.bits, ctx.req.flavor)) &&
        ctx.opSize === undefined,
    );
    if (withDefault.length > 0) pool = withDefault;
    else {
      const distinct = new Set(cands.map((c) => `${c.form.order}/${String(c.v)}`));
      if (distinct.size > 1) {
        const memIndex = ctx.ops.findIndex((o) => o.kind === "mem");
        return {
          message: "operation size not specified",
          ...(memIndex >= 0 ? { operandIndex: memIndex } : {}),
          score: 100,
        };
      }
      pool = cands;
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
  return c.warnings.length > 0 ? { bytes: c.bytes, warnings: c.warnings } : { bytes: c.bytes };
}

let formObserver: ((f: Form) => void) | undefined;

/** Test hook: the table form each uncached encode picks is reported to `observe` (undefined to stop). */
export function observeChosenForms(observe: ((f: Form) => void) | undefined): void {
  formObserver = observe;
}

function sizeOf(
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
function formOpSize(form: Form, v: number | undefined, bits: Bits): number | undefined {
  if (form.os !== undefined) return form.os;
  if (form.usesV) return v;
  if (form.fixedOpSize === -1) return bits === 64 ? 64 : 32;
  return form.fixedOpSize;
}

function immRange(bits: number, signedOnly: boolean): [bigint, bigint] {
  const lo = -(1n << BigInt(bits - 1));
  const hi = signedOnly ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  return [lo, hi];
}

function inRange(v: bigint, [lo, hi]: [bigint, bigint]): boolean {
  return v >= lo && v <= hi;
}

interface Match {
  det: boolean;
}

const DET: Match = { det: true };
const NODET: Match = { det: false };

/** Does operand `op` fit pattern `p` for operand size v? Returns a failure message or a Match. */
function matchOperand(
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
      if (bits === 64 && ctx.req.flavor === "nasm" && op.dispSize !== 64 && form.mnemonic !== "movabs")
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
  if (op.size !== undefined && (kind === "iz" || kind === "iv" || kind === "s8") && op.size !== 8) {
    const want = op.size === 32 && form.d64 && ctx.bits === 64 ? 64 : op.size;
    if (v !== want) return "immediate size mismatch";
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
    if (width !== undefined && width !== op.size) return "strict size";
  }
  const lenient = ctx.lenient || op.unresolved === true;
  switch (kind) {
    case "one":
      return val === 1n && !op.unresolved && op.size === undefined ? (det ? DET : NODET) : "not 1";
    case "ib":
      return lenient || inRange(val, [-128n, 255n]) ? (det ? DET : NODET) : "immediate out of range (byte)";
    case "s8": {
      if (op.unresolved) return "unresolved: no sign-extended byte form";
      const w = v ?? 32;
      return fitsS8(signExtendedImm(val, w, ctx.req.flavor)) ? (det ? DET : NODET) : "not a sign-extended byte";
    }
    case "iw":
      return lenient || inRange(val, immRange(16, false)) ? (det ? DET : NODET) : "immediate out of range (word)";
    case "id":
      return lenient || inRange(val, immRange(32, false)) ? (det ? DET : NODET) : "immediate out of range (dword)";
    case "u32":
      return !op.unresolved && op.size === undefined && val >= 0n && val <= 0xffffffffn
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
      return lenient || inRange(val, range) ? (det ? DET : NODET) : "immediate out of range";
    }
    case "iv": {
      const w = v ?? 32;
      return lenient || inRange(val, immRange(w, false)) ? (det ? DET : NODET) : "immediate out of range";
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
function signExtendedImm(val: bigint, w: number, flavor: string): bigint {
  // nasm: a 64-bit operand's immediate field is 32 bits, so the value is truncated to those.
  if (flavor === "nasm") return toSigned(val, w === 64 ? 32 : w);
  if (w === 64) return toSigned(val, 64);
  if (w === 16 && val >= 0n && val <= 0xffffn) return toSigned(val, 16);
  if (val >= 0n && val <= 0xffffffffn) return toSigned(val, 32);
  return val;
}

function le(value: bigint, bytes: number): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(bytes * 8, value);
  for (let i = 0; i < bytes; i++) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
  }
  return out;
}

function gprOf(op: Operand | undefined): RegInfo | undefined {
  return op?.kind === "reg" ? regInfo(op.reg) : undefined;
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
      const score = 1 + i + (m.includes("range") ? 0.5 : 0);
      // Most forms fail here; only a failure that would become the reported one is worth an object.
      if (score <= ctx.bestScore) return SKIPPED;
      return { message: m, operandIndex: i, score };
    }
    if (m.det) determined = true;
  }
  if (!form.usesV && !form.sized) determined = true;
  // With nothing giving the operand size, an instruction that has a default uses it; the immediate's value
  // never changes the operand size (`push 0xffffffff` in 16-bit code is a truncated push imm16).
  if (!determined && form.def && form.usesV && v !== defaultV(form, bits, ctx.req.flavor))
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
  };
}

interface Built {
  bytes: Uint8Array;
  warnings: string[];
}

function build(form: Form, v: number | undefined, os: number | undefined, ctx: Ctx): Built | Failure {
  const { bits, req, ops } = ctx;
  const flavor = req.flavor;
  const warnings: string[] = [];
  let rexW = form.rexW;
  let rexR = false;
  let rexX = false;
  let rexB = false;
  let needRex = false;
  let forbidRex = false;
  let opsize66 = false;
  let crLock = false;
  let dropRexW = false;
  const lockRepExtra: number[] = [];
  if (os === 16 && bits !== 16) opsize66 = true;
  if (os === 32 && bits === 16) opsize66 = true;
  if (os === 64 && !form.d64) rexW = true;
  // Size prefixes written explicitly on an instruction without a variable operand size are emitted as is.
  if (!form.usesV && form.os === undefined) {
    for (const p of req.prefixes ?? []) {
      if ((p === "o16" || p === "data16") && bits !== 16) opsize66 = true;
      if ((p === "o32" || p === "data32") && bits === 16) opsize66 = true;
      if (p === "o64" || p === "rex64") {
        if (bits !== 64) return { message: "REX.W is only available in 64-bit mode", score: 10 };
        rexW = true;
      }
    }
  }
  for (const p of req.prefixes ?? []) if (p === "rex") needRex = true;

  // Byte registers: SPL..DIL need a REX prefix, AH..BH forbid one.
  for (const op of ops) {
    const r = gprOf(op);
    if (r?.needsRex) needRex = true;
    if (r?.noRex) forbidRex = true;
    if (r && r.cls === "gpr" && r.num >= 8 && bits !== 64)
      return { message: `${r.name} is only available in 64-bit mode`, score: 10 };
    if (r && r.cls === "gpr" && r.size === 64 && bits !== 64)
      return { message: `${r.name} is only available in 64-bit mode`, score: 10 };
    // CR8 outside 64-bit mode is reached with LOCK MOV CR0 (AMD's alternate encoding; both references emit it).
    if (r && r.cls === "cr" && r.num === 8 && bits !== 64) crLock = true;
    else if (r && (r.cls === "cr" || r.cls === "dr" || r.cls === "xmm") && r.num >= 8 && bits !== 64)
      return { message: `${r.name} is only available in 64-bit mode`, score: 10 };
  }

  // A suffix on a relative CALL/JMP/Jcc (GNU as `calll` in 16-bit code) picks rel16 or rel32.
  let relBytes = bits === 16 ? 2 : 4;
  if (form.relNear && bits !== 64) {
    if (ctx.opSize === 16) relBytes = 2;
    if (ctx.opSize === 32) relBytes = 4;
    if (relBytes !== (bits === 16 ? 2 : 4)) opsize66 = true;
  }

  // Which operand goes where.
  const { rmIndex, regIndex, plusRIndex } = form;

  let mem: MemEncoding | undefined;
  let memOp: MemOperand | undefined;
  let addrSize: number | undefined = form.as;
  const rmOp = rmIndex >= 0 ? ops[rmIndex] : undefined;
  if (rmOp?.kind === "mem") {
    const e = encodeMemory(rmOp, bits, flavor);
    if (typeof e === "string") return { message: e, operandIndex: rmIndex, score: 10 };
    mem = e;
    memOp = rmOp;
    if (e.dispSizeIgnored) warnings.push("displacement size ignored on this address");
    if (e.truncated) warnings.push("address truncated to 16 bits");
    addrSize = e.addrSize;
    rexX = e.rexX;
    rexB = e.rexB;
  }
  const moffsIndex = form.moffsIndex;
  let moffsAddrSize = 0;
  if (moffsIndex >= 0) {
    const m = ops[moffsIndex] as MemOperand;
    memOp = m;
    moffsAddrSize = m.addrSize ?? (m.dispSize === 64 ? 64 : bits);
    if (moffsAddrSize === 16 && bits === 64) return { message: "16-bit address in 64-bit code", score: 10 };
    if (moffsAddrSize === 64 && bits !== 64) return { message: "64-bit address outside 64-bit code", score: 10 };
    const [lo, hi] = immRange(moffsAddrSize, false);
    if (m.disp < lo || m.disp > hi) {
      // Both references truncate a 16-bit address with a warning; a wider one is an error.
      if (moffsAddrSize !== 16) return { message: "address out of range", operandIndex: moffsIndex, score: 10 };
      warnings.push("address truncated to 16 bits");
    }
    addrSize = moffsAddrSize;
  }
  // Explicit address-size prefixes on instructions with implicit memory operands (string ops, XLAT, LOOP).
  if (addrSize === undefined) {
    for (const p of req.prefixes ?? []) {
      if (p === "a16" || p === "addr16") addrSize = 16;
      if (p === "a32" || p === "addr32") addrSize = 32;
      if (p === "a64") addrSize = 64;
    }
  }
  if (addrSize === 16 && bits === 64)
    return { message: "16-bit addressing is not available in 64-bit mode", score: 10 };
  if (addrSize === 64 && bits !== 64)
    return { message: "64-bit addressing is only available in 64-bit mode", score: 10 };
  const addr67 = addrSize !== undefined && addrSize !== bits;

  // Body: opcode, ModRM/SIB/disp, immediates.
  const body: number[] = [];
  let dispOffset = -1;
  let relFixup: { offset: number; size: number; target: bigint; index: number } | undefined;
  const immIndices = form.immIndices;
  let immCursor = 0;
  for (const tok of form.code) {
    switch (tok.t) {
      case "byte": {
        let b = tok.v;
        if (tok.plusR) {
          const r = gprOf(ops[plusRIndex]);
          if (!r) return { message: "register expected", operandIndex: plusRIndex, score: 10 };
          // XCHG with 90+r and r = 0 is NOP; in 64-bit mode `xchg eax, eax` must zero-extend, so 87 /r is used.
          if (b === 0x90 && r.num === 0 && form.mnemonic === "xchg" && v === 32 && bits === 64)
            return { message: "xchg eax,eax", score: 10 };
          // GNU as encodes `xchg %rax,%rax` as a plain NOP.
          if (b === 0x90 && r.num === 0 && form.mnemonic === "xchg" && v === 64 && flavor === "gas") dropRexW = true;
          b += r.num & 7;
          if (r.num >= 8) rexB = true;
        }
        body.push(b);
        break;
      }
      case "modrm": {
        let reg = 0;
        if (tok.reg === "r") {
          const r = ops[regIndex]?.kind === "reg" ? regInfo((ops[regIndex] as { reg: string }).reg) : undefined;
          if (!r) return { message: "register expected", operandIndex: regIndex, score: 10 };
          reg = r.num & 7;
          if (r.num >= 8 && !(crLock && r.cls === "cr")) rexR = true;
        } else reg = tok.reg;
        if (mem) {
          body.push((mem.mod << 6) | (reg << 3) | mem.rm);
          if (mem.sib !== undefined) body.push(mem.sib);
          if (mem.dispBytes > 0) {
            dispOffset = body.length;
            body.push(...le(mem.disp, mem.dispBytes));
          }
        } else {
          const r = rmOp?.kind === "reg" ? regInfo(rmOp.reg) : undefined;
          if (!r) return { message: "register or memory expected", operandIndex: rmIndex, score: 10 };
          body.push(0xc0 | (reg << 3) | (r.num & 7));
          if (r.num >= 8) rexB = true;
        }
        break;
      }
      case "imm": {
        const idx = immIndices[immCursor++];
        const op = idx === undefined ? undefined : ops[idx];
        if (op?.kind !== "imm") return { message: "immediate expected", score: 10 };
        const size =
          tok.kind === "ib"
            ? 1
            : tok.kind === "iw"
              ? 2
              : tok.kind === "id"
                ? 4
                : tok.kind === "iz"
                  ? v === 16
                    ? 2
                    : 4
                  : (v ?? 32) / 8;
        body.push(...le(op.value, size));
        break;
      }
      case "rel": {
        const idx = form.relIndex;
        const op = ops[idx];
        if (op?.kind !== "imm") return { message: "branch target expected", score: 10 };
        const size = tok.kind === "cb" ? 1 : relBytes;
        relFixup = { offset: body.length, size, target: op.value, index: idx };
        body.push(...new Array<number>(size).fill(0));
        break;
      }
      case "mo": {
        const m = ops[moffsIndex] as MemOperand;
        body.push(...le(m.disp, moffsAddrSize / 8));
        break;
      }
      case "pt": {
        const op = ops.find((o) => o.kind === "far");
        if (op?.kind !== "far") return { message: "far pointer expected", score: 10 };
        const osz = (v ?? 32) / 8;
        // nasm truncates an oversized offset or selector with a warning; GNU as rejects the offset.
        if (!op.unresolved && !inRange(op.offset, immRange(osz * 8, false))) {
          if (flavor === "gas") return { message: `${osz * 8}-bit jump out of range`, score: 10 };
          warnings.push("far pointer offset exceeds bounds");
        }
        if (!op.unresolved && !inRange(op.selector, immRange(16, false)))
          warnings.push("segment selector exceeds bounds");
        body.push(...le(op.offset, osz), ...le(op.selector, 2));
        break;
      }
    }
  }

  // Prefixes.
  if (dropRexW) rexW = false;
  if (crLock) lockRepExtra.push(0xf0);
  const rex = (rexW ? 8 : 0) | (rexR ? 4 : 0) | (rexX ? 2 : 0) | (rexB ? 1 : 0);
  const hasRex = rex !== 0 || needRex;
  if (hasRex && bits !== 64) return { message: "REX prefix outside 64-bit mode", score: 10 };
  if (hasRex && forbidRex) return { message: "AH/BH/CH/DH cannot be used with a REX prefix", score: 10 };

  let seg: number | undefined;
  const segName = memOp?.seg;
  if (segName) {
    // GNU as leaves out an override that names the segment the address uses anyway (DS, or SS for
    // BP/SP-based forms); nasm emits what was written.
    const dflt = mem?.defaultSeg ?? "ds";
    if (!(flavor === "gas" && segName === dflt)) seg = SEG_PREFIX[segName];
  }
  let lockRep: number[] = [...lockRepExtra];
  let wait = false;
  for (const p of req.prefixes ?? []) {
    if (p === "lock") lockRep.push(0xf0);
    else if (p === "rep" || p === "repe" || p === "repz" || p === "xrelease") lockRep.push(0xf3);
    else if (p === "repne" || p === "repnz" || p === "xacquire" || p === "bnd") lockRep.push(0xf2);
    else if (p === "notrack") seg ??= 0x3e;
    else if (p === "wait") wait = true;
    else if (SEG_PREFIX[p] !== undefined) seg = SEG_PREFIX[p];
  }
  const prefix: number[] = [];
  if (wait || form.wait) prefix.push(0x9b);
  if (flavor === "gas") {
    // GNU as prefix slots: segment, address size, operand size, rep/repne, lock, REX (tc-i386.c order).
    if (seg !== undefined) prefix.push(seg);
    if (addr67) prefix.push(0x67);
    if (opsize66 || form.mandatory === 0x66) prefix.push(0x66);
    lockRep = lockRep.sort((a, b) => (a === 0xf0 ? 1 : 0) - (b === 0xf0 ? 1 : 0));
    const reps = lockRep.filter((b) => b !== 0xf0);
    const locks = lockRep.filter((b) => b === 0xf0);
    if (form.mandatory === 0xf2 || form.mandatory === 0xf3) {
      if (!reps.includes(form.mandatory)) reps.push(form.mandatory);
    }
    prefix.push(...reps, ...locks);
  } else {
    // nasm: lock/rep, segment, operand size, address size, then the opcode's own mandatory prefix.
    prefix.push(...lockRep);
    if (seg !== undefined) prefix.push(seg);
    if (opsize66) prefix.push(0x66);
    if (addr67) prefix.push(0x67);
    if (form.mandatory !== undefined) prefix.push(form.mandatory);
  }
  if (hasRex) prefix.push(0x40 | rex);
  const total = prefix.length + body.length;
  if (total > 15) return { message: "instruction longer than 15 bytes", score: 10 };
  const bytes = new Uint8Array(total);
  bytes.set(prefix, 0);
  bytes.set(body, prefix.length);
  const end = req.address + BigInt(total);

  if (mem?.ripTarget !== undefined && dispOffset >= 0) {
    const d = mem.ripTarget - end;
    const dd = memOp?.dispUnresolved ? BigInt.asIntN(32, d) : d;
    if (dd < -(1n << 31n) || dd >= 1n << 31n)
      return { message: "RIP-relative target out of range", operandIndex: rmIndex, score: 10 };
    bytes.set(le(dd, 4), prefix.length + dispOffset);
  }
  if (relFixup) {
    let d = relFixup.target - end;
    const sz = relFixup.size;
    if (sz === 1) {
      const op = ops[relFixup.index] as ImmOperand;
      if (!fitsS8(d)) {
        if (op.unresolved) d = 0n;
        else return { message: "short jump out of range", operandIndex: relFixup.index, score: 9 };
      }
    } else if (sz === 2) d = toSigned(d, 16);
    else if (bits === 32) d = toSigned(d, 32);
    else if (d < -(1n << 31n) || d >= 1n << 31n) {
      if (!(ops[relFixup.index] as ImmOperand).unresolved)
        return { message: "branch target out of range", operandIndex: relFixup.index, score: 9 };
    }
    bytes.set(le(d, sz), prefix.length + relFixup.offset);
  }
  return { bytes, warnings };
}

export { toSigned };
