// Operand parsers: Intel syntax (NASM and GAS `.intel_syntax`) and AT&T. Both produce the dialect-neutral
// Operand of ast.ts; AT&T operand order is reversed by the statement parser, not here.
import { type Expr, type Operand, type OperandSize, type Range, spanRange } from "./ast";
import { Cursor, type ExprError, parseExpr } from "./expr-parse";
import type { Token } from "./lexer";
import { isRegister, isSegmentRegister } from "./registers";

export const SIZE_KEYWORDS: Record<string, OperandSize> = {
  byte: 8,
  word: 16,
  dword: 32,
  qword: 64,
  tword: 80,
  tbyte: 80,
  oword: 128,
  xmmword: 128,
  yword: 256,
  ymmword: 256,
  zword: 512,
  zmmword: 512,
};

export interface OperandExtras {
  branchHint?: "short" | "near";
  far?: boolean;
  strict?: boolean;
}

function isValueEnd(t: Token): boolean {
  return (
    t.kind === "ident" ||
    t.kind === "number" ||
    t.kind === "string" ||
    t.kind === "register" ||
    (t.kind === "punct" && (t.text === ")" || t.text === "]" || t.text === "$" || t.text === "$$"))
  );
}

function regName(t: Token | undefined, gasPrefixed: boolean): string | undefined {
  if (!t) return undefined;
  if (t.kind === "register") return t.text;
  if (!gasPrefixed && t.kind === "ident" && isRegister(t.text.toLowerCase())) return t.text.toLowerCase();
  return undefined;
}

function spanOf(cur: Cursor, from: Token, to: Token | undefined): Range {
  return to ? cur.span(from, to) : cur.range(from);
}

/** Evaluates a literal-only scale expression (`4`, `2*2`). */
function constValue(e: Expr): bigint | undefined {
  switch (e.kind) {
    case "number":
      return e.value;
    case "unary": {
      const v = constValue(e.operand);
      if (v === undefined) return undefined;
      return e.op === "-" ? -v : e.op === "+" ? v : undefined;
    }
    case "binary": {
      const a = constValue(e.left);
      const b = constValue(e.right);
      if (a === undefined || b === undefined) return undefined;
      if (e.op === "*") return a * b;
      if (e.op === "+") return a + b;
      if (e.op === "-") return a - b;
      return undefined;
    }
    default:
      return undefined;
  }
}

interface MemParts {
  base?: string;
  index?: string;
  /** The tokens that named the base and index registers (for their ranges). */
  baseTok?: Token;
  indexTok?: Token;
  scale: number;
  disp?: Expr;
  segment?: string;
  ripRelative: boolean;
  absolute?: boolean;
}

/**
 * Parses the inside of an Intel memory reference `[...]`: registers, scaled index, displacement terms,
 * `rel`/`abs`, a segment override and disp-size keywords. `tokens` excludes the brackets.
 */
function parseIntelMemoryInner(
  tokens: Token[],
  line: number,
  lineLength: number,
  dialect: "nasm" | "gas",
  gasPrefixed: boolean,
  errors: ExprError[],
  openRange: Range,
): MemParts {
  const parts: MemParts = { scale: 1, ripRelative: false };
  let i = 0;
  const cur = new Cursor(tokens, line, lineLength);
  // Leading keywords and segment override.
  for (;;) {
    const t = tokens[i];
    if (!t) break;
    const low = t.kind === "ident" ? t.text.toLowerCase() : "";
    if (dialect === "nasm" && (low === "rel" || low === "abs" || low === "nosplit")) {
      if (low === "rel") parts.ripRelative = true;
      if (low === "abs") parts.absolute = true;
      i++;
      continue;
    }
    if (low in SIZE_KEYWORDS && dialect === "nasm") {
      i++;
      continue;
    }
    const r = regName(t, gasPrefixed);
    if (r && isSegmentRegister(r) && tokens[i + 1]?.kind === "punct" && tokens[i + 1]?.text === ":") {
      parts.segment = r;
      i += 2;
      continue;
    }
    break;
  }
  // Split into signed terms at depth-0 binary + and -.
  const terms = splitTerms(tokens.slice(i));
  // A parenthesized sum with registers in it (`[(ebp+8)]`, what %arg/%local expand to) is spread into the
  // terms around it: both references evaluate the whole address as one expression.
  for (let t = 0; t < terms.length; t++) {
    const term = terms[t]!;
    const tk = term.tokens;
    if (tk.length < 3 || tk[0]!.text !== "(" || !tk.some((x) => regName(x, gasPrefixed) !== undefined)) continue;
    if (matchingParen(tk, 0) !== tk.length - 1) continue;
    const inner = splitTerms(tk.slice(1, -1));
    if (term.sign === "-") for (const x of inner) x.sign = x.sign === "+" ? "-" : "+";
    if (inner[0] && !inner[0].signTok) inner[0].signTok = term.signTok;
    terms.splice(t, 1, ...inner);
    t--;
  }
  // nasm reads the address as a sum of registers with coefficients (coefficients of a register written twice
  // add up), then picks base and index from it; see nasmRegisters.
  const nasmRegs: NasmRegTerm[] | undefined = dialect === "nasm" ? [] : undefined;
  const addNasmReg = (name: string, coef: number, tok: Token, multiplied: boolean) => {
    const known = nasmRegs!.find((r) => r.name === name);
    if (known) known.coef += coef;
    else nasmRegs!.push({ name, coef, tok, multiplied });
  };
  for (const term of terms) {
    const tk = term.tokens;
    if (tk.length === 0) {
      errors.push({
        message: "expected a register or displacement",
        range: term.signTok ? cur.range(term.signTok) : openRange,
      });
      continue;
    }
    const r0 = regName(tk[0], gasPrefixed);
    if (r0 && tk.length === 1) {
      if (term.sign === "-") {
        errors.push({ message: `register '${r0}' cannot be subtracted`, range: cur.range(tk[0]!) });
        continue;
      }
      if (r0 === "rip" || r0 === "eip") {
        parts.ripRelative = true;
        parts.base = r0;
        parts.baseTok = tk[0];
        continue;
      }
      if (nasmRegs) {
        addNasmReg(r0, 1, tk[0]!, false);
        continue;
      }
      if (parts.base === undefined) {
        parts.base = r0;
        parts.baseTok = tk[0];
      } else if (parts.index === undefined) {
        parts.index = r0;
        parts.indexTok = tk[0];
      } else errors.push({ message: "too many registers in memory operand", range: cur.range(tk[0]!) });
      continue;
    }
    // reg*scale or scale*reg
    let regTok: Token | undefined;
    let scaleTokens: Token[] = [];
    if (r0 && tk[1]?.kind === "punct" && tk[1].text === "*") {
      regTok = tk[0];
      scaleTokens = tk.slice(2);
    } else {
      const last = tk[tk.length - 1];
      const rl = regName(last, gasPrefixed);
      if (rl && tk.length >= 3 && tk[tk.length - 2]?.kind === "punct" && tk[tk.length - 2]?.text === "*") {
        regTok = last;
        scaleTokens = tk.slice(0, -2);
      }
    }
    if (regTok) {
      const name = regName(regTok, gasPrefixed)!;
      const sc = new Cursor(scaleTokens, line, lineLength);
      const e = parseExpr(sc, { dialect }, errors);
      const v = e ? constValue(e) : undefined;
      if (term.sign === "-")
        errors.push({ message: `register '${name}' cannot be subtracted`, range: cur.range(regTok) });
      else if (v === undefined || !sc.atEnd())
        errors.push({ message: "scale must be a number", range: e?.range ?? cur.range(regTok) });
      else if (nasmRegs) {
        if (v > 64n) errors.push({ message: `scale factor ${v} is too large`, range: e?.range ?? cur.range(regTok) });
        else addNasmReg(name, Number(v), regTok, true);
      } else if (parts.index !== undefined) {
        // `[eax+ebx+ecx*2]`: a plain register was taken as index already; move it to base if possible.
        errors.push({ message: "too many index registers in memory operand", range: cur.range(regTok) });
      } else {
        parts.index = name;
        parts.indexTok = regTok;
        parts.scale = Number(v);
      }
      continue;
    }
    for (const t of tk) {
      const r = regName(t, gasPrefixed);
      if (r) errors.push({ message: `register '${r}' cannot be used in an address expression`, range: cur.range(t) });
    }
    const sc = new Cursor(tk, line, lineLength);
    const e = parseExpr(sc, { dialect }, errors);
    if (e) {
      if (!sc.atEnd()) errors.push({ message: `unexpected '${sc.peek()!.text}' in memory operand`, range: sc.here() });
      addDisp(parts, term.sign, e);
    }
  }
  if (nasmRegs) nasmRegisters(nasmRegs, parts, errors, cur);
  if (parts.index && ![1, 2, 4, 8].includes(parts.scale) && dialect === "gas")
    errors.push({ message: `scale factor ${parts.scale} is not 1, 2, 4 or 8`, range: openRange });
  return parts;
}

type Term = { sign: "+" | "-"; tokens: Token[]; signTok?: Token };

/** Splits tokens into signed terms at depth-0 binary `+` and `-`. */
function splitTerms(tokens: Token[]): Term[] {
  const terms: Term[] = [];
  let currentTerm: Token[] = [];
  let sign: "+" | "-" = "+";
  let signTok: Token | undefined;
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === "punct" && (t.text === "(" || t.text === "[")) depth++;
    if (t.kind === "punct" && (t.text === ")" || t.text === "]")) depth--;
    const prev = currentTerm[currentTerm.length - 1];
    if (depth === 0 && t.kind === "punct" && (t.text === "+" || t.text === "-") && prev && isValueEnd(prev)) {
      terms.push({ sign, tokens: currentTerm, signTok });
      currentTerm = [];
      sign = t.text as "+" | "-";
      signTok = t;
      continue;
    }
    currentTerm.push(t);
  }
  if (currentTerm.length > 0 || terms.length === 0) terms.push({ sign, tokens: currentTerm, signTok });
  return terms;
}

/** Index of the `)` matching the `(` at `open`, or -1. */
function matchingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const x = tokens[i]!;
    if (x.kind !== "punct") continue;
    if (x.text === "(") depth++;
    else if (x.text === ")" && --depth === 0) return i;
  }
  return -1;
}

interface NasmRegTerm {
  name: string;
  /** Sum of the register's coefficients (`eax*2+eax*0` → 2). */
  coef: number;
  tok: Token;
  /** First written with a scale (`eax*1`): nasm's hint that it is not the base. */
  multiplied: boolean;
}

/**
 * Base and index as nasm chooses them (parse.c parse_mref, assemble.c process_ea): in order, a register with
 * coefficient 1 becomes the base if there is none yet, otherwise the index (with its coefficient as scale);
 * a third register is an error. An index with coefficient 0 disappears (`[eax+ebx*0]` is `[eax]`, `[ecx*0]`
 * is absolute). With scale 1, the first register written is the base unless it was written multiplied
 * (`[ebx*1+ecx]` has base ECX) — nasm's evaluator hint.
 */
function nasmRegisters(regs: NasmRegTerm[], parts: MemParts, errors: ExprError[], cur: Cursor): void {
  let base: NasmRegTerm | undefined;
  let index: NasmRegTerm | undefined;
  let scale = 1;
  for (const r of regs) {
    if (r.coef === 1 && !base) base = r;
    else if (!index) {
      index = r;
      scale = r.coef;
    } else {
      errors.push({
        message: base ? "too many registers in memory operand" : "invalid effective address: two index registers",
        range: cur.range(r.tok),
      });
      return;
    }
  }
  if (index && scale < 0) {
    errors.push({ message: `register '${index.name}' cannot be subtracted`, range: cur.range(index.tok) });
    return;
  }
  if (index && scale === 0) index = undefined;
  const hint = regs[0];
  if (
    scale === 1 &&
    base &&
    index &&
    base.name !== index.name &&
    ((hint === base && hint.multiplied) || (hint === index && !hint.multiplied))
  ) {
    const t = base;
    base = index;
    index = t;
  }
  if (base) {
    parts.base = base.name;
    parts.baseTok = base.tok;
  }
  if (index) {
    parts.index = index.name;
    parts.indexTok = index.tok;
    parts.scale = scale;
  }
}

function addDisp(parts: MemParts, s: "+" | "-", e: Expr): void {
  if (!parts.disp) parts.disp = s === "-" ? { kind: "unary", op: "-", operand: e, range: e.range } : e;
  else
    parts.disp = {
      kind: "binary",
      op: s,
      left: parts.disp,
      right: e,
      range: spanRange(parts.disp.range, e.range),
    };
}

/** Does the cursor stand on `(%reg` or `(,` — the base/index part of an AT&T memory operand? */
function isBaseParen(cur: Cursor): boolean {
  return (
    cur.isPunct("(") &&
    (cur.peek(1)?.kind === "register" || (cur.peek(1)?.kind === "punct" && cur.peek(1)?.text === ","))
  );
}

/** Tokens from the cursor up to the matching close bracket; advances past it. */
function takeBracketed(
  cur: Cursor,
  open: string,
  close: string,
  errors: ExprError[],
): { inner: Token[]; closeTok?: Token } {
  const openTok = cur.next()!;
  const inner: Token[] = [];
  let depth = 0;
  for (;;) {
    const t = cur.peek();
    if (!t) {
      errors.push({ message: `missing '${close}'`, range: cur.range(openTok) });
      return { inner };
    }
    if (t.kind === "punct" && t.text === open) depth++;
    if (t.kind === "punct" && t.text === close) {
      if (depth === 0) {
        cur.next();
        return { inner, closeTok: t };
      }
      depth--;
    }
    inner.push(t);
    cur.next();
  }
}

/**
 * Parses one Intel-syntax operand (NASM or GAS Intel). Stops before a depth-0 `,`.
 */
export function parseIntelOperand(
  cur: Cursor,
  dialect: "nasm" | "gas",
  gasPrefixed: boolean,
  errors: ExprError[],
  extras: OperandExtras,
): Operand | undefined {
  const first = cur.peek();
  if (!first) {
    errors.push({ message: "expected an operand", range: cur.endRange() });
    return undefined;
  }
  let size: OperandSize | undefined;
  let offsetKw = false;
  // Keywords before the operand.
  for (;;) {
    const t = cur.peek();
    if (t?.kind !== "ident") break;
    const low = t.text.toLowerCase();
    const nextTok = cur.peek(1);
    const nextIsEnd = !nextTok || (nextTok.kind === "punct" && nextTok.text === ",");
    if (nextIsEnd) break; // `byte` alone would be a symbol named byte
    // `fword ptr` (a 6-byte far pointer) is a GNU as Intel keyword; nasm has none.
    if (low in SIZE_KEYWORDS || (low === "fword" && dialect === "gas")) {
      size = low === "fword" ? 48 : SIZE_KEYWORDS[low];
      cur.next();
      if (dialect === "gas" && cur.peek()?.kind === "ident" && cur.peek()!.text.toLowerCase() === "ptr") cur.next();
      continue;
    }
    if (dialect === "gas" && low === "ptr") {
      cur.next();
      continue;
    }
    if (low === "short" || low === "near") {
      extras.branchHint = low;
      cur.next();
      continue;
    }
    if (low === "far") {
      extras.far = true;
      cur.next();
      continue;
    }
    if (low === "strict" && dialect === "nasm") {
      extras.strict = true;
      cur.next();
      continue;
    }
    if (dialect === "gas" && (low === "offset" || low === "flat")) {
      if (low === "offset") offsetKw = true;
      cur.next();
      if (low === "flat" && cur.isPunct(":")) cur.next();
      continue;
    }
    break;
  }
  const start = cur.peek();
  if (!start) {
    errors.push({ message: "expected an operand", range: cur.endRange() });
    return undefined;
  }
  // Segment override before a memory operand: `fs:[rax]`, `es:0x10`.
  let segment: string | undefined;
  const r = regName(start, gasPrefixed);
  if (r && isSegmentRegister(r) && cur.isPunct(":", 1)) {
    segment = r;
    cur.next();
    cur.next();
  } else if (r) {
    cur.next();
    return { kind: "register", name: r, range: cur.range(start) };
  }
  const memStart = cur.peek() ?? start;
  // `[ ... ]` possibly preceded by a displacement in GAS (`label[rax]`).
  let disp: Expr | undefined;
  if (!cur.isPunct("[")) {
    const e = parseExpr(cur, { dialect, stop: new Set([":"]) }, errors);
    if (!e) {
      // Skip to the next comma so the remaining operands still parse.
      while (!cur.atEnd() && !cur.isPunct(",")) cur.next();
      return undefined;
    }
    if (cur.isPunct(":") && !segment) {
      // Far pointer seg:off.
      cur.next();
      const off = parseExpr(cur, { dialect }, errors);
      if (!off) return undefined;
      const far: Operand = { kind: "far", segment: e, offset: off, range: spanRange(e.range, off.range) };
      if (size === 16 || size === 32) far.size = size;
      return far;
    }
    if (!cur.isPunct("[")) {
      if (segment || (dialect === "gas" && !offsetKw && size !== undefined)) {
        // `es:0x10`, `dword ptr label` — a memory operand without brackets.
        return {
          kind: "memory",
          segment,
          scale: 1,
          disp: e,
          size,
          ripRelative: false,
          range: spanOf(cur, start, cur.tokens[cur.pos - 1]),
        };
      }
      const bare = dialect === "gas" && !offsetKw;
      return { kind: "immediate", value: e, size, range: e.range, ...(bare ? { gasIntelBare: true } : {}) };
    }
    disp = e;
  }
  // Memory reference; GAS allows several bracket groups (`[rax][rbx*4]`).
  const parts: MemParts = { scale: 1, ripRelative: false };
  let lastTok: Token | undefined;
  while (cur.isPunct("[")) {
    const openTok = cur.peek()!;
    const { inner, closeTok } = takeBracketed(cur, "[", "]", errors);
    lastTok = closeTok ?? inner[inner.length - 1] ?? openTok;
    const p = parseIntelMemoryInner(inner, cur.line, cur.lineLength, dialect, gasPrefixed, errors, cur.range(openTok));
    if (p.base) {
      if (!parts.base) {
        parts.base = p.base;
        parts.baseTok = p.baseTok;
      } else if (!parts.index) {
        parts.index = p.base;
        parts.indexTok = p.baseTok;
      }
    }
    if (p.index) {
      parts.index = p.index;
      parts.indexTok = p.indexTok;
      parts.scale = p.scale;
    }
    if (p.disp) {
      parts.disp = parts.disp
        ? {
            kind: "binary",
            op: "+",
            left: parts.disp,
            right: p.disp,
            range: spanRange(parts.disp.range, p.disp.range),
          }
        : p.disp;
    }
    if (p.segment) parts.segment = p.segment;
    parts.ripRelative ||= p.ripRelative;
    if (p.absolute) parts.absolute = true;
    if (dialect === "nasm") break;
  }
  if (disp) {
    parts.disp = parts.disp
      ? {
          kind: "binary",
          op: "+",
          left: disp,
          right: parts.disp,
          range: spanRange(disp.range, parts.disp.range),
        }
      : disp;
  }
  // Trailing `+ 4` after brackets in GAS Intel: `[rax]+4`.
  if (dialect === "gas" && (cur.isPunct("+") || cur.isPunct("-"))) {
    const e = parseExpr(cur, { dialect }, errors);
    if (e) {
      parts.disp = parts.disp
        ? {
            kind: "binary",
            op: "+",
            left: parts.disp,
            right: e,
            range: spanRange(parts.disp.range, e.range),
          }
        : e;
      lastTok = cur.tokens[cur.pos - 1];
    }
  }
  const mem: Operand & { kind: "memory" } = {
    kind: "memory",
    segment: segment ?? parts.segment,
    base: parts.base,
    index: parts.index,
    scale: parts.scale,
    disp: parts.disp,
    size,
    ripRelative: parts.ripRelative,
    absolute: parts.absolute,
    range: spanOf(cur, memStart === start ? start : start, lastTok),
  };
  if (parts.base && parts.baseTok) mem.baseRange = cur.range(parts.baseTok);
  if (parts.index && parts.indexTok) mem.indexRange = cur.range(parts.indexTok);
  return mem;
}

/**
 * Parses one AT&T operand: `%reg`, `$imm`, `*target`, `seg:disp(base,index,scale)`.
 * Returns the operand and whether it had a `*`.
 */
export function parseAttOperand(cur: Cursor, errors: ExprError[]): { operand?: Operand; indirect: boolean } {
  const first = cur.peek();
  if (!first) {
    errors.push({ message: "expected an operand", range: cur.endRange() });
    return { indirect: false };
  }
  let indirect = false;
  if (cur.isPunct("*")) {
    indirect = true;
    cur.next();
  }
  const start = cur.peek();
  if (!start) {
    errors.push({ message: "expected an operand after '*'", range: cur.endRange() });
    return { indirect };
  }
  if (start.kind === "punct" && start.text === "%") {
    const nt = cur.peek(1);
    const range = nt && !nt.spaceBefore ? cur.span(start, nt) : cur.range(start);
    errors.push({ message: `bad register name '%${nt && !nt.spaceBefore ? nt.text : ""}'`, range });
    while (!cur.atEnd() && !cur.isPunct(",")) cur.next();
    return { indirect };
  }
  if (start.kind === "register") {
    cur.next();
    if (!cur.isPunct(":"))
      return { operand: { kind: "register", name: start.text, range: cur.range(start) }, indirect };
    if (!isSegmentRegister(start.text)) {
      errors.push({ message: `'%${start.text}' is not a segment register`, range: cur.range(start) });
    }
    cur.next();
    const mem = parseAttMemory(cur, errors, start);
    if (mem && mem.kind === "memory") mem.segment = start.text;
    return { operand: mem, indirect };
  }
  if (start.kind === "punct" && start.text === "$") {
    cur.next();
    const e = parseExpr(cur, { dialect: "gas" }, errors);
    if (!e) {
      while (!cur.atEnd() && !cur.isPunct(",")) cur.next();
      return { indirect };
    }
    return {
      operand: { kind: "immediate", value: e, range: spanRange(cur.range(start), e.range) },
      indirect,
    };
  }
  return { operand: parseAttMemory(cur, errors, start), indirect };
}

function parseAttMemory(cur: Cursor, errors: ExprError[], start: Token): Operand | undefined {
  let disp: Expr | undefined;
  // A displacement unless the operand starts with `(%reg` or `(,`.
  if (!isBaseParen(cur)) {
    disp = parseAttDisp(cur, errors);
    if (!disp) {
      while (!cur.atEnd() && !cur.isPunct(",")) cur.next();
      return undefined;
    }
  }
  const mem: Operand & { kind: "memory" } = {
    kind: "memory",
    scale: 1,
    disp,
    ripRelative: false,
    range: cur.range(start),
  };
  if (isBaseParen(cur)) {
    cur.next();
    const b = cur.peek();
    if (b?.kind === "register") {
      mem.base = b.text;
      mem.baseRange = cur.range(b);
      if (b.text === "rip" || b.text === "eip") mem.ripRelative = true;
      cur.next();
    }
    if (cur.isPunct(",")) {
      cur.next();
      const ix = cur.peek();
      if (ix?.kind === "register") {
        mem.index = ix.text;
        mem.indexRange = cur.range(ix);
        cur.next();
      } else if (!(ix?.kind === "punct" && (ix.text === "," || ix.text === ")"))) {
        errors.push({ message: "expected an index register", range: cur.here() });
      }
      if (cur.isPunct(",")) {
        cur.next();
        const se = parseExpr(cur, { dialect: "gas" }, errors);
        const v = se ? constValue(se) : undefined;
        if (se && (v === undefined || ![1n, 2n, 4n, 8n].includes(v)))
          errors.push({ message: "scale factor must be 1, 2, 4 or 8", range: se.range });
        else if (v !== undefined) mem.scale = Number(v);
      }
    }
    if (!cur.isPunct(")")) {
      errors.push({ message: "expected ')' to close the memory operand", range: cur.here() });
      while (!cur.atEnd() && !cur.isPunct(",")) cur.next();
    } else cur.next();
  }
  mem.range = spanOf(cur, start, cur.tokens[cur.pos - 1]);
  return mem;
}

/** A displacement expression, stopping before a `(` that opens the base/index part. */
function parseAttDisp(cur: Cursor, errors: ExprError[]): Expr | undefined {
  // Find where the base part starts: the last depth-0 `(` followed by a register or `,`, before `,`.
  let depth = 0;
  let endIdx = -1;
  for (let i = cur.pos; i < cur.tokens.length; i++) {
    const t = cur.tokens[i]!;
    if (t.kind === "punct" && t.text === "(") {
      const n = cur.tokens[i + 1];
      if (depth === 0 && n && (n.kind === "register" || (n.kind === "punct" && n.text === ","))) {
        endIdx = i;
        break;
      }
      depth++;
    } else if (t.kind === "punct" && t.text === ")") depth--;
    else if (depth === 0 && t.kind === "punct" && t.text === ",") break;
  }
  if (endIdx < 0) return parseExpr(cur, { dialect: "gas" }, errors);
  const sub = new Cursor(cur.tokens.slice(cur.pos, endIdx), cur.line, cur.lineLength);
  const e = parseExpr(sub, { dialect: "gas" }, errors);
  if (!sub.atEnd()) errors.push({ message: `unexpected '${sub.peek()!.text}'`, range: sub.here() });
  cur.pos = endIdx;
  return e;
}
