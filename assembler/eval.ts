// Expression evaluation with 64-bit two's-complement arithmetic. Besides the number it tracks what each
// reference assembler needs to choose instruction sizes:
//  - `known`: every symbol has a value in this pass (else the value is provisional);
//  - label terms: a value that is a label address (not a difference of labels) is relocatable — both
//    nasm (even with -f bin) and GNU as then use the widest immediate/displacement form;
//  - GAS only: a difference of labels is a constant only if both are defined earlier in the same frag
//    (GNU as resolves expressions in one pass; frags end at relaxable jumps and alignment).
import type { Expr, Range } from "./ast";

const MASK64 = (1n << 64n) - 1n;

export function wrap64(v: bigint): bigint {
  v &= MASK64;
  return v >= 1n << 63n ? v - (1n << 64n) : v;
}

export interface LabelTerm {
  sign: 1 | -1;
  section: number;
  frag: number;
  forward: boolean;
}

export interface Value {
  value: bigint;
  known: boolean;
  /** Label terms (null: labels combined in a way that is not a sum, e.g. `label*2`). */
  terms: LabelTerm[] | null;
}

export interface SymbolValue {
  value: bigint | undefined;
  /** A label (address) rather than a constant. */
  label: boolean;
  section: number;
  frag: number;
  /** For constants defined with equ/set: the evaluated terms of their definition. */
  terms?: LabelTerm[] | null;
  /** Source-order index of the definition (GAS forward-reference detection). */
  order: number;
}

export interface EvalEnv {
  lookup(name: string): SymbolValue | undefined;
  /** Address of the current item (`$`, `.`), and its section/frag. */
  here: bigint | undefined;
  hereSection: number;
  hereFrag: number;
  sectionStart: bigint | undefined;
  /** Source-order index of the item being evaluated. */
  order: number;
  /** GAS comparisons are -1 for true; NASM's are 1. */
  dialect: "gas" | "nasm";
  /** `severity` defaults to "error" (GNU as only warns about some things, e.g. a division by zero). */
  onError(message: string, range: Range, code: string, severity?: "error" | "warning"): void;
  /** Names referenced but not defined (reported after the last pass). */
  onUndefined?(name: string, range: Range): void;
  /** The source text of a range of the line being evaluated (for messages that quote it). */
  sourceText?(range: Range): string | undefined;
}

function stringValue(s: string): bigint {
  let v = 0n;
  for (let i = Math.min(s.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(s.charCodeAt(i) & 0xff);
  return v;
}

/** Terms of a non-additive operation: fine for plain numbers, "not a sum" once a label is involved. */
function scalarTerms(a: Value, b: Value): LabelTerm[] | null {
  if (a.terms === null || b.terms === null || isRelocatable(a) || isRelocatable(b)) return null;
  // Differences of labels are numbers: keep their terms (GNU as can only compute them when the labels
  // share a frag), with no weight left.
  if (a.terms.length === 0) return b.terms;
  if (b.terms.length === 0) return a.terms;
  return [...a.terms, ...b.terms];
}

function combine(a: LabelTerm[] | null, b: LabelTerm[] | null, negateB: boolean): LabelTerm[] | null {
  if (a === null || b === null) return null;
  if (b.length === 0) return a;
  const nb = negateB ? b.map((t) => ({ ...t, sign: -t.sign as 1 | -1 })) : b;
  return a.length === 0 ? nb : [...a, ...nb];
}

export function evaluate(e: Expr, env: EvalEnv): Value {
  switch (e.kind) {
    case "number":
      // nasm keeps the low 64 bits of a wider constant, with a warning
      if (env.dialect === "nasm" && (e.value >= 1n << 64n || e.value < -(1n << 64n)))
        env.onError(
          `numeric constant ${env.sourceText?.(e.range) ?? `0x${e.value.toString(16)}`} does not fit in 64 bits`,
          e.range,
          "asm-warning",
          "warning",
        );
      return { value: wrap64(e.value), known: true, terms: [] };
    case "string":
      return { value: stringValue(e.value), known: true, terms: [] };
    case "here":
      return {
        value: env.here ?? 0n,
        known: env.here !== undefined,
        terms: [{ sign: 1, section: env.hereSection, frag: env.hereFrag, forward: false }],
      };
    case "sectionStart":
      return {
        value: env.sectionStart ?? 0n,
        known: env.sectionStart !== undefined,
        terms: [{ sign: 1, section: env.hereSection, frag: -1, forward: false }],
      };
    case "localRef":
      // Rewritten to symbols by the expander; reaching here means the label does not exist.
      env.onError(`local label '${e.label}${e.direction}' is not defined`, e.range, "asm-undefined-symbol");
      return { value: 0n, known: false, terms: [] };
    case "symbol": {
      const s = env.lookup(e.name);
      if (!s) {
        env.onUndefined?.(e.name, e.range);
        return { value: 0n, known: false, terms: [] };
      }
      const forward = s.order > env.order;
      if (s.label) {
        return {
          value: s.value ?? 0n,
          known: s.value !== undefined,
          terms: [{ sign: 1, section: s.section, frag: s.frag, forward }],
        };
      }
      const terms =
        s.terms === undefined
          ? []
          : s.terms === null
            ? null
            : s.terms.map((t) => ({ ...t, forward: t.forward || forward }));
      // A forward-referenced constant is not known to GNU as when it assembles this line. (nasm keeps
      // it a plain number: a jump to one is a jump to an absolute address, near.)
      if (forward && terms && terms.length === 0 && env.dialect === "gas")
        terms.push(
          { sign: 1, section: -2, frag: -2, forward: true },
          { sign: -1, section: -2, frag: -2, forward: true },
        );
      return { value: s.value ?? 0n, known: s.value !== undefined, terms };
    }
    case "unary": {
      const a = evaluate(e.operand, env);
      if ((e.op === "~" || (e.op === "!" && env.dialect === "nasm")) && isRelocatable(a)) {
        notScalar(e.op, e.range, env);
        return { value: 0n, known: a.known, terms: [] };
      }
      let v: bigint;
      let terms = a.terms;
      switch (e.op) {
        case "-":
          v = -a.value;
          terms = terms ? terms.map((t) => ({ ...t, sign: -t.sign as 1 | -1 })) : null;
          break;
        case "+":
          v = a.value;
          break;
        case "~":
          v = ~a.value;
          if (isRelocatable(a)) terms = null;
          break;
        case "!":
          v = a.value === 0n ? 1n : 0n;
          if (isRelocatable(a)) terms = null;
          break;
        default:
          // NASM `seg`: flat binaries have no segments; the value is 0.
          v = 0n;
          terms = [];
      }
      return { value: wrap64(v), known: a.known, terms };
    }
    case "conditional": {
      const t = evaluate(e.test, env);
      const a = evaluate(e.whenTrue, env);
      const b = evaluate(e.whenFalse, env);
      const pick = t.value !== 0n ? a : b;
      return { value: pick.value, known: t.known && pick.known, terms: pick.terms };
    }
    case "binary": {
      const a = evaluate(e.left, env);
      const b = evaluate(e.right, env);
      // (reported once: the result counts as a number, so enclosing operators do not report it again)
      if (SCALAR_ONLY.has(e.op) && (isRelocatable(a) || isRelocatable(b))) {
        notScalar(e.op, e.range, env);
        return { value: 0n, known: a.known && b.known, terms: [] };
      }
      const known = a.known && b.known;
      const x = a.value;
      const y = b.value;
      const ux = x & MASK64;
      const uy = y & MASK64;
      const t = env.dialect === "gas" ? -1n : 1n;
      let v = 0n;
      let terms: LabelTerm[] | null = [];
      switch (e.op) {
        case "+":
          v = x + y;
          terms = combine(a.terms, b.terms, false);
          break;
        case "-":
          v = x - y;
          terms = combine(a.terms, b.terms, true);
          break;
        case "*":
          v = x * y;
          terms = scalarTerms(a, b);
          break;
        case "/":
        case "//":
        case "%":
        case "%%": {
          terms = scalarTerms(a, b);
          if (y === 0n) {
            // nasm refuses it; GNU as warns and yields the dividend for `/` and 0 for `%` (checked against as).
            const gas = env.dialect === "gas";
            if (known) env.onError("division by zero", e.range, "asm-division-by-zero", gas ? "warning" : "error");
            v = gas && e.op === "/" ? x : 0n;
            break;
          }
          // GAS `/` and `%` are signed; NASM `/` `%` unsigned, `//` `%%` signed.
          const signed = env.dialect === "gas" || e.op === "//" || e.op === "%%";
          if (signed) v = e.op === "/" || e.op === "//" ? x / y : x % y;
          else v = e.op === "/" ? ux / uy : ux % uy;
          break;
        }
        case "<<":
        case "<<<": {
          // nasm shifts as the x86 does (count modulo 64); GNU as gives 0 past 63 (with a warning).
          const n = env.dialect === "nasm" ? uy & 63n : uy;
          v = n >= 64n ? 0n : x << n;
          terms = scalarTerms(a, b);
          break;
        }
        case ">>": {
          // `>>` is a logical shift in both dialects (NASM's arithmetic shift is `>>>`).
          const n = env.dialect === "nasm" ? uy & 63n : uy;
          v = n >= 64n ? 0n : ux >> n;
          terms = scalarTerms(a, b);
          break;
        }
        case ">>>": {
          const n = env.dialect === "nasm" ? uy & 63n : uy;
          v = n >= 64n ? (x < 0n ? -1n : 0n) : x >> n;
          terms = scalarTerms(a, b);
          break;
        }
        case "&":
          v = x & y;
          terms = scalarTerms(a, b);
          break;
        case "|":
          v = x | y;
          terms = scalarTerms(a, b);
          break;
        case "^":
          v = x ^ y;
          terms = scalarTerms(a, b);
          break;
        case "!":
          v = x | ~y;
          terms = scalarTerms(a, b);
          break;
        case "==":
        case "=":
          v = x === y ? t : 0n;
          terms = scalarTerms(a, b);
          break;
        case "!=":
        case "<>":
          v = x !== y ? t : 0n;
          terms = scalarTerms(a, b);
          break;
        // nasm compares by the sign of the wrapped 64-bit difference (eval.c subtracts, then tests the
        // sign: 0x8000000000000000 < 1 is false, -1 < 1 true); GNU as compares signed values.
        case "<":
          v = (env.dialect === "nasm" ? wrap64(x - y) < 0n : x < y) ? t : 0n;
          terms = scalarTerms(a, b);
          break;
        case "<=":
          v = (env.dialect === "nasm" ? wrap64(x - y) <= 0n : x <= y) ? t : 0n;
          terms = scalarTerms(a, b);
          break;
        case ">":
          v = (env.dialect === "nasm" ? wrap64(x - y) > 0n : x > y) ? t : 0n;
          terms = scalarTerms(a, b);
          break;
        case ">=":
          v = (env.dialect === "nasm" ? wrap64(x - y) >= 0n : x >= y) ? t : 0n;
          terms = scalarTerms(a, b);
          break;
        case "<=>":
          v = x < y ? -1n : x > y ? 1n : 0n;
          terms = scalarTerms(a, b);
          break;
        case "&&":
          v = x !== 0n && y !== 0n ? 1n : 0n;
          terms = scalarTerms(a, b);
          break;
        case "||":
          v = x !== 0n || y !== 0n ? 1n : 0n;
          terms = scalarTerms(a, b);
          break;
        case "^^":
          v = (x !== 0n) !== (y !== 0n) ? 1n : 0n;
          terms = scalarTerms(a, b);
          break;
        default:
          env.onError(`unknown operator '${e.op}'`, e.range, "asm-bad-expression");
      }
      return { value: wrap64(v), known, terms };
    }
  }
}

/**
 * Operators both references refuse on a label address (a value that is not a number until it is placed):
 * nasm "operator may only be applied to scalar values", GNU as "invalid operands (.text and *ABS*
 * sections)". Addition, subtraction and `==`/`!=` are allowed (both checked against the tools).
 */
const SCALAR_ONLY = new Set([
  "*",
  "/",
  "//",
  "%",
  "%%",
  "<<",
  ">>",
  "<<<",
  ">>>",
  "&",
  "|",
  "^",
  "!",
  "&&",
  "||",
  "^^",
  "<",
  "<=",
  ">",
  ">=",
  "<=>",
]);

function notScalar(op: string, range: Range, env: EvalEnv): void {
  env.onError(
    env.dialect === "nasm"
      ? `'${op}' operator may only be applied to scalar values (not a label address)`
      : `invalid operands for '${op}': a label address is not a number here`,
    range,
    "asm-bad-expression",
  );
}

/** How often each section's labels count in a sum of label terms (+1 an address, 0 a difference cancelled). */
function sectionWeights(terms: LabelTerm[]): Map<number, number> {
  const weight = new Map<number, number>();
  for (const t of terms) weight.set(t.section, (weight.get(t.section) ?? 0) + t.sign);
  return weight;
}

/** Is the value a label address (not cancelled by a difference)? */
export function isRelocatable(v: Value): boolean {
  if (v.terms === null) return true;
  for (const w of sectionWeights(v.terms).values()) if (w !== 0) return true;
  return false;
}

/** The section of the one label address a value is (weight +1, every other section cancelled), if it is one. */
export function relocatedSection(v: Value): number | undefined {
  if (v.terms === null || v.terms.length === 0) return undefined;
  let section: number | undefined;
  for (const [sec, w] of sectionWeights(v.terms)) {
    if (w === 0) continue;
    if (w !== 1 || section !== undefined) return undefined;
    section = sec;
  }
  return section;
}

/** GNU as: would this value be a known constant when the line is assembled (one pass, per frag)? */
export function isGasConstant(v: Value): boolean {
  if (v.terms === null) return false;
  if (v.terms.length === 0) return true;
  if (isRelocatable(v)) return false;
  const first = v.terms[0]!;
  for (const t of v.terms) if (t.forward || t.frag !== first.frag || t.section !== first.section) return false;
  return true;
}
