// Statement parser: the tokens of one source line → Statements (labels, instructions, directives).
// Works for GAS (AT&T or Intel operands) and NASM; never throws, reports errors with exact ranges.
import {
  type Directive,
  type DirectiveArg,
  type Instruction,
  type Operand,
  type Range,
  type Statement,
  spanRange,
} from "./ast";
import { Cursor, type ExprError, parseExpr } from "./expr-parse";
import { lexLine, type Token } from "./lexer";
import { type OperandExtras, parseAttOperand, parseIntelOperand } from "./operands";

export interface LineContext {
  syntax: "gas" | "nasm";
  /** GAS: Intel operand syntax is in force. */
  intel: boolean;
  /** GAS Intel: registers need `%` (`.intel_syntax prefix`). */
  intelPrefixed: boolean;
  /** Is this word a known instruction mnemonic (used by NASM to tell labels without colons)? */
  isMnemonic(name: string): boolean;
  /** parse() without macro knowledge: an unknown word followed by operands is a (macro) instruction. */
  lenient?: boolean;
}

export const NASM_DIRECTIVES = new Set([
  "db",
  "dw",
  "dd",
  "dq",
  "dt",
  "do",
  "dy",
  "dz",
  "resb",
  "resw",
  "resd",
  "resq",
  "rest",
  "reso",
  "resy",
  "resz",
  "incbin",
  "equ",
  "times",
  "section",
  "segment",
  "bits",
  "use16",
  "use32",
  "use64",
  "org",
  "align",
  "alignb",
  "global",
  "extern",
  "common",
  "static",
  "default",
  "cpu",
  "absolute",
  "struc",
  "endstruc",
  "istruc",
  "at",
  "iend",
  "sectalign",
  "warning",
  "float",
]);

export const NASM_PREFIXES = new Set([
  "lock",
  "rep",
  "repe",
  "repz",
  "repne",
  "repnz",
  "o16",
  "o32",
  "o64",
  "a16",
  "a32",
  "a64",
  "es",
  "cs",
  "ss",
  "ds",
  "fs",
  "gs",
  "wait",
  "xacquire",
  "xrelease",
  "bnd",
]);

export const GAS_PREFIXES = new Set([
  "lock",
  "rep",
  "repe",
  "repz",
  "repne",
  "repnz",
  "data16",
  "data32",
  "addr16",
  "addr32",
  "rex",
  "rex64",
  "notrack",
  "cs",
  "ds",
  "es",
  "fs",
  "gs",
  "ss",
  "wait",
  "xacquire",
  "xrelease",
  "bnd",
]);

/** Jumps, calls and loops whose plain operand is a branch target rather than memory. */
export function isBranchMnemonic(m: string): boolean {
  return /^(j[a-z]+|call[wlq]?|loop[a-z]*|xbegin)$/.test(m);
}

export interface LineResult {
  statements: Statement[];
  errors: ExprError[];
}

function tokRange(cur: Cursor, t: Token): Range {
  return cur.range(t);
}

function tokensText(tokens: Token[]): string {
  let s = "";
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (i > 0 && t.spaceBefore) s += " ";
    s += t.kind === "register" ? `%${t.text}` : t.text;
  }
  return s;
}

/** Splits tokens at depth-0 commas into directive arguments (each also parsed as an expression if it is one). */
export function splitArgs(tokens: Token[], cur: Cursor, dialect: "gas" | "nasm", parseExprs: boolean): DirectiveArg[] {
  const args: DirectiveArg[] = [];
  let depth = 0;
  let currentArg: Token[] = [];
  const flush = (commaTok?: Token) => {
    if (currentArg.length === 0) {
      const r = commaTok ? tokRange(cur, commaTok) : cur.endRange();
      args.push({ text: "", range: { start: r.start, end: r.start } });
      return;
    }
    const first = currentArg[0]!;
    const last = currentArg[currentArg.length - 1]!;
    const arg: DirectiveArg = { text: tokensText(currentArg), range: cur.span(first, last) };
    if (parseExprs) {
      const sub = new Cursor(currentArg, cur.line, cur.lineLength);
      const errs: ExprError[] = [];
      const e = parseExpr(sub, { dialect }, errs);
      if (e && errs.length === 0 && sub.atEnd()) arg.expr = e;
    }
    args.push(arg);
  };
  for (const t of tokens) {
    if (t.kind === "punct" && (t.text === "(" || t.text === "[")) depth++;
    if (t.kind === "punct" && (t.text === ")" || t.text === "]")) depth--;
    if (depth === 0 && t.kind === "punct" && t.text === ",") {
      flush(t);
      currentArg = [];
      continue;
    }
    currentArg.push(t);
  }
  if (currentArg.length > 0 || args.length > 0) flush();
  return args;
}

const NASM_DATA_WORDS = new Set(["db", "dw", "dd", "dq", "dt", "do", "dy", "dz"]);

/** Preprocessor directives that define a name (their value is kept as an expression when it is one). */
const DEFINE_WORDS = new Set(["%define", "%xdefine", "%idefine", "%xidefine", "%assign", "%iassign", "#define"]);

/**
 * `%define NAME value` / `%assign NAME value` / `#define NAME value`: the defined name as `symbol` and the
 * value as `value` (with `expr` when it parses as one expression). A function-like `NAME(a, b)` has no value.
 */
export function defineParts(d: Directive, rest: Token[], cur: Cursor, dialect: "gas" | "nasm"): void {
  const name = rest[0];
  if (name?.kind !== "ident") return;
  d.symbol = { name: name.text, range: cur.range(name) };
  if (rest[1]?.kind === "punct" && rest[1].text === "(" && !rest[1].spaceBefore) return;
  const valueToks = rest.slice(1);
  if (valueToks.length === 0) return;
  const value: DirectiveArg = {
    text: tokensText(valueToks),
    range: cur.span(valueToks[0]!, valueToks[valueToks.length - 1]!),
  };
  const sub = new Cursor(valueToks, cur.line, cur.lineLength);
  const errs: ExprError[] = [];
  const e = parseExpr(sub, { dialect }, errs);
  if (e && errs.length === 0 && sub.atEnd()) value.expr = e;
  d.value = value;
}

/** The tokens of each argument, split at top-level commas exactly as splitArgs splits them. */
function argTokenGroups(tokens: Token[]): Token[][] {
  const groups: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === "punct" && (t.text === "(" || t.text === "[")) depth++;
    if (t.kind === "punct" && (t.text === ")" || t.text === "]")) depth--;
    if (depth === 0 && t.kind === "punct" && t.text === ",") groups.push([]);
    else groups[groups.length - 1]!.push(t);
  }
  return groups;
}

/**
 * nasm 2.16's reading of a sign before a string in a data directive: `dd -'x'` is not the negated character
 * constant. nasm goes on scanning the line inside the string, so the string's text becomes the rest of the line
 * and whatever followed the string is dropped: `dd -'1+2'` is `dd -1+2` (1), `A equ 5` / `dd -'A'` is -5,
 * `dd 3,-'2',4` is `dd 3,-2`, `dd -'1,2'` is `dd -1,2`. Returns the tokens as nasm reads them and where the string
 * was, or undefined when no argument starts with a sign and a string. (`dd -('x')` and `dd 0-'x'` negate the
 * character constant.)
 */
function nasmSignedString(
  tokens: Token[],
): { tokens: Token[]; sign: string; string: Token; dropped: Token[]; argIndex: number } | undefined {
  let depth = 0;
  let argStart = true;
  let argIndex = 0;
  const dups: boolean[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (
      argStart &&
      t.kind === "punct" &&
      (t.text === "-" || t.text === "+") &&
      next?.kind === "string" &&
      next.str !== undefined
    ) {
      // The string's text, lexed as source, placed at the string's columns (for diagnostics).
      const inner = lexLine(next.str, "nasm", { inBlockComment: false }).map((x) => ({
        ...x,
        start: next.start,
        end: next.end,
        origin: next.origin,
      }));
      return {
        tokens: [...tokens.slice(0, i + 1), ...inner],
        sign: t.text,
        string: next,
        dropped: tokens.slice(i + 2),
        argIndex,
      };
    }
    // The values inside `dup (...)` start values too: `dd 2 dup (-'1')` loses its `)` (nasm: an error).
    const prev = tokens[i - 1];
    if (t.kind === "punct" && (t.text === "(" || t.text === "[")) {
      depth++;
      dups.push(t.text === "(" && prev?.kind === "ident" && prev.text.toLowerCase() === "dup");
      argStart = dups[dups.length - 1] === true;
      continue;
    }
    if (t.kind === "punct" && (t.text === ")" || t.text === "]")) {
      depth--;
      dups.pop();
    }
    if (t.kind === "punct" && t.text === ",") {
      if (depth === 0) {
        argStart = true;
        argIndex++;
      } else argStart = dups[dups.length - 1] === true;
    } else argStart = false;
  }
  return undefined;
}

/**
 * nasm ignores what follows a data value's expression (`dd 1 2` is `dd 1`): such an argument gets the value of its
 * leading expression and a warning, as does the argument nasmSignedString rewrote.
 */
function nasmTrailingText(
  args: DirectiveArg[],
  tokens: Token[],
  cur: Cursor,
  signed: ReturnType<typeof nasmSignedString>,
): void {
  if (signed) {
    const arg = args[signed.argIndex];
    if (arg) {
      const ignored = signed.dropped.length ? ` (and '${tokensText(signed.dropped)}' after it is ignored)` : "";
      const q = `'${signed.string.str}'`;
      const meant =
        signed.sign === "-"
          ? `minus the character constant ${q}; write -(${q}) or 0-${q} for that`
          : `the character constant ${q}; write ${q} for that`;
      arg.warning = {
        message: `nasm reads the text of a string after a sign as source: this is ${signed.sign}${(signed.string.str ?? "").trim()}${ignored}, not ${meant}`,
        range: cur.range(signed.string),
      };
    }
  }
  const groups = argTokenGroups(tokens);
  args.forEach((arg, k) => {
    const toks = groups[k];
    if (arg.expr || arg.dup || !toks || toks.length < 2) return;
    const sub = new Cursor(toks, cur.line, cur.lineLength);
    const errs: ExprError[] = [];
    const e = parseExpr(sub, { dialect: "nasm" }, errs);
    if (!e || errs.length > 0 || sub.atEnd()) return;
    const rest = toks.slice(sub.pos);
    arg.expr = e;
    arg.warning ??= {
      message: `nasm ignores '${tokensText(rest)}' after the value ${tokensText(toks.slice(0, sub.pos))}`,
      range: cur.span(rest[0]!, rest[rest.length - 1]!),
    };
  });
}

/** NASM `count dup (v, ...)` data arguments (nested allowed): fills `dup` on the matching arguments. */
function parseDupArgs(tokens: Token[], cur: Cursor, args: DirectiveArg[], errors: ExprError[], nesting = 0): void {
  if (nesting > 16) {
    errors.push({ message: "'dup' nested too deeply", range: tokens[0] ? cur.range(tokens[0]) : cur.endRange() });
    return;
  }
  const groups = argTokenGroups(tokens);
  groups.forEach((g, i) => {
    const arg = args[i];
    const at = g.findIndex((x) => x.kind === "ident" && x.text.toLowerCase() === "dup");
    if (!arg || at <= 0) return;
    const countCur = new Cursor(g.slice(0, at), cur.line, cur.lineLength);
    const count = parseExpr(countCur, { dialect: "nasm" }, errors);
    const open = g[at + 1];
    const close = g[g.length - 1];
    if (!count || !open || open.text !== "(" || close?.text !== ")" || g.length < at + 3) {
      errors.push({ message: "expected 'count dup (values)'", range: cur.range(g[at]!) });
      return;
    }
    const inner = g.slice(at + 2, -1);
    const values = splitArgs(inner, cur, "nasm", true);
    if (inner.some((x) => x.kind === "ident" && x.text.toLowerCase() === "dup"))
      parseDupArgs(inner, cur, values, errors, nesting + 1);
    arg.dup = { count, values };
    delete arg.expr;
  });
}

/** Parses the tokens of one line into statements. */
export function parseLineTokens(tokens: Token[], line: number, lineLength: number, ctx: LineContext): LineResult {
  const result: LineResult = { statements: [], errors: [] };
  if (tokens.length === 0) return result;
  if (ctx.syntax === "gas") {
    // `;` separates statements.
    let startIdx = 0;
    for (let i = 0; i <= tokens.length; i++) {
      const t = tokens[i];
      if (i === tokens.length || (t!.kind === "punct" && t!.text === ";")) {
        if (i > startIdx) parseGasStatement(new Cursor(tokens.slice(startIdx, i), line, lineLength), ctx, result);
        startIdx = i + 1;
      }
    }
  } else {
    parseNasmStatement(new Cursor(tokens, line, lineLength), ctx, result);
  }
  return result;
}

function parseGasStatement(cur: Cursor, ctx: LineContext, out: LineResult): void {
  // Labels: `name:` or `1:` (any number of them).
  for (;;) {
    const t = cur.peek();
    if (!t) return;
    if (
      (t.kind === "ident" || (t.kind === "number" && !t.localRef && /^[0-9]+$/.test(t.text))) &&
      cur.isPunct(":", 1)
    ) {
      const numeric = t.kind === "number";
      out.statements.push({
        kind: "label",
        name: numeric ? String(t.value) : t.text,
        local: numeric || t.text.startsWith(".L"),
        range: tokRange(cur, t),
      });
      cur.next();
      cur.next();
      continue;
    }
    break;
  }
  const first = cur.peek();
  if (!first) return;
  if (first.kind !== "ident") {
    out.errors.push({
      message: `expected a label, directive or instruction, found '${first.text}'`,
      range: cur.range(first),
    });
    out.statements.push({ kind: "error", range: cur.span(first, cur.tokens[cur.tokens.length - 1]!) });
    return;
  }
  // `sym = expr` / `sym == expr`
  if (cur.isPunct("=", 1) || cur.isPunct("==", 1)) {
    const eqTok = cur.peek(1)!;
    const rest = cur.tokens.slice(cur.pos + 2);
    const args = splitArgs(rest, cur, "gas", true);
    if (rest.length === 0) out.errors.push({ message: "expected an expression after '='", range: cur.endRange() });
    out.statements.push({
      kind: "directive",
      name: "=",
      args,
      symbol: { name: first.text, range: cur.range(first) },
      nameRange: cur.range(eqTok),
      range: cur.span(first, cur.tokens[cur.tokens.length - 1]!),
    });
    return;
  }
  if (first.text.startsWith(".") && first.text.length > 1) {
    const rest = cur.tokens.slice(cur.pos + 1);
    const name = first.text.toLowerCase();
    const raw =
      name === ".macro" || name === ".irp" || name === ".irpc" || name === ".section" || name === ".pushsection";
    out.statements.push({
      kind: "directive",
      name,
      args: splitArgs(rest, cur, "gas", !raw),
      nameRange: cur.range(first),
      range: cur.span(first, cur.tokens[cur.tokens.length - 1]!),
    });
    return;
  }
  parseInstruction(cur, ctx, out, GAS_PREFIXES);
}

function parseNasmStatement(cur: Cursor, ctx: LineContext, out: LineResult): void {
  const first = cur.peek()!;
  const last = cur.tokens[cur.tokens.length - 1]!;
  // `[section .text]` style raw directives.
  if (
    first.kind === "punct" &&
    first.text === "[" &&
    last.kind === "punct" &&
    last.text === "]" &&
    cur.tokens.length > 2
  ) {
    const inner = cur.tokens[1]!;
    if (inner.kind === "ident" && NASM_DIRECTIVES.has(inner.text.toLowerCase())) {
      const sub = new Cursor(cur.tokens.slice(1, -1), cur.line, cur.lineLength);
      parseNasmStatement(sub, ctx, out);
      return;
    }
  }
  // Preprocessor directive lines (kept in the tree for the language server).
  if (first.kind === "ident" && first.text.startsWith("%") && /^%[a-z]/i.test(first.text)) {
    const rest = cur.tokens.slice(1);
    const args = rest.length > 0 ? [{ text: tokensText(rest), range: cur.span(rest[0]!, rest[rest.length - 1]!) }] : [];
    const d: Directive = {
      kind: "directive",
      name: first.text.toLowerCase(),
      args,
      nameRange: cur.range(first),
      range: cur.span(first, last),
    };
    if (DEFINE_WORDS.has(d.name)) defineParts(d, rest, cur, "nasm");
    out.statements.push(d);
    return;
  }
  // Label.
  if (first.kind === "ident") {
    const low = first.text.toLowerCase();
    const isKeyword = NASM_DIRECTIVES.has(low) || NASM_PREFIXES.has(low) || ctx.isMnemonic(low);
    const colon = cur.isPunct(":", 1);
    const nextTok = cur.peek(1);
    const nextIsDirective = nextTok?.kind === "ident" && NASM_DIRECTIVES.has(nextTok.text.toLowerCase());
    if (colon || (!isKeyword && (nextTok === undefined || nextIsDirective || nextTok.kind === "ident"))) {
      let name = first.text;
      if (name.startsWith("$")) name = name.slice(1);
      const nextLow = nextTok?.kind === "ident" ? nextTok.text.toLowerCase() : "";
      if (!colon && nextLow === "equ") {
        // handled below as a directive with a symbol
      } else {
        out.statements.push({
          kind: "label",
          name,
          local: name.startsWith(".") && !name.startsWith(".."),
          range: cur.range(first),
        });
        cur.next();
        if (colon) cur.next();
        if (!colon && nextTok === undefined) {
          // NASM accepts a label alone without colon (orphan-labels warning).
        }
        if (cur.atEnd()) return;
        if (!colon && nextTok?.kind === "ident" && !nextIsDirective) {
          const nl = nextTok.text.toLowerCase();
          if (!NASM_PREFIXES.has(nl) && !ctx.isMnemonic(nl)) {
            // `foo bar ...`: neither is an instruction. Without the macros of the whole program (parse()
            // for the language server), this is most likely a macro invocation: keep it as one.
            out.statements.pop();
            if (ctx.lenient) {
              parseInstruction(new Cursor(cur.tokens, cur.line, cur.lineLength), ctx, out, NASM_PREFIXES);
              return;
            }
            out.errors.push({
              message: `unknown instruction '${first.text}'`,
              range: cur.range(first),
              code: "asm-unknown-mnemonic",
            });
            out.statements.push({ kind: "error", range: cur.span(first, last) });
            return;
          }
        }
      }
    }
  }
  const t = cur.peek();
  if (!t) return;
  if (t.kind !== "ident") {
    out.errors.push({ message: `expected a label, directive or instruction, found '${t.text}'`, range: cur.range(t) });
    out.statements.push({ kind: "error", range: cur.span(t, last) });
    return;
  }
  const low = t.text.toLowerCase();
  // `name equ value`
  if (cur.peek(1)?.kind === "ident" && cur.peek(1)!.text.toLowerCase() === "equ") {
    const eqTok = cur.peek(1)!;
    const rest = cur.tokens.slice(cur.pos + 2);
    if (rest.length === 0) out.errors.push({ message: "expected an expression after 'equ'", range: cur.endRange() });
    out.statements.push({
      kind: "directive",
      name: "equ",
      args: splitArgs(rest, cur, "nasm", true),
      symbol: { name: t.text.startsWith("$") ? t.text.slice(1) : t.text, range: cur.range(t) },
      nameRange: cur.range(eqTok),
      range: cur.span(t, last),
    });
    return;
  }
  if (NASM_DIRECTIVES.has(low)) {
    cur.next();
    if (low === "times") {
      // times <count> <statement>: the count is an expression; the rest is a statement.
      const errs: ExprError[] = [];
      const countStart = cur.pos;
      const e = parseExpr(cur, { dialect: "nasm" }, errs);
      out.errors.push(...errs);
      const countTokens = cur.tokens.slice(countStart, cur.pos);
      const bodyResult: LineResult = { statements: [], errors: [] };
      if (!cur.atEnd())
        parseNasmStatement(new Cursor(cur.tokens.slice(cur.pos), cur.line, cur.lineLength), ctx, bodyResult);
      else out.errors.push({ message: "expected a statement after the 'times' count", range: cur.endRange() });
      out.errors.push(...bodyResult.errors);
      const body = bodyResult.statements.find((s) => s.kind !== "label");
      out.statements.push({
        kind: "directive",
        name: "times",
        args: e ? [{ text: tokensText(countTokens), expr: e, range: e.range }] : [],
        body,
        nameRange: cur.range(t),
        range: cur.span(t, last),
      });
      return;
    }
    const rest = cur.tokens.slice(cur.pos);
    const raw =
      low === "section" ||
      low === "segment" ||
      low === "default" ||
      low === "cpu" ||
      low === "global" ||
      low === "extern";
    const data = NASM_DATA_WORDS.has(low);
    const signed = data ? nasmSignedString(rest) : undefined;
    const dataTokens = signed?.tokens ?? rest;
    const args = splitArgs(dataTokens, cur, "nasm", !raw);
    if (data && dataTokens.some((x) => x.kind === "ident" && x.text.toLowerCase() === "dup"))
      parseDupArgs(dataTokens, cur, args, out.errors);
    if (data) nasmTrailingText(args, dataTokens, cur, signed);
    out.statements.push({
      kind: "directive",
      name: low,
      args,
      nameRange: cur.range(t),
      range: cur.span(t, last),
    });
    return;
  }
  parseInstruction(cur, ctx, out, NASM_PREFIXES);
}

function parseInstruction(cur: Cursor, ctx: LineContext, out: LineResult, prefixSet: Set<string>): void {
  const errorsBefore = out.errors.length;
  const prefixes: { name: string; range: Range }[] = [];
  let m = cur.peek()!;
  for (;;) {
    const low = m.text.toLowerCase();
    const nextTok = cur.peek(1);
    if (prefixSet.has(low) && nextTok && nextTok.kind === "ident") {
      prefixes.push({ name: low, range: cur.range(m) });
      cur.next();
      m = nextTok;
      continue;
    }
    break;
  }
  if (m.kind !== "ident") {
    out.errors.push({ message: `expected an instruction, found '${m.text}'`, range: cur.range(m) });
    return;
  }
  cur.next();
  const mnemonic = m.text.toLowerCase();
  const last = cur.tokens[cur.tokens.length - 1]!;
  const operands: Operand[] = [];
  const extras: OperandExtras = {};
  let indirect = false;
  const att = ctx.syntax === "gas" && !ctx.intel;
  while (!cur.atEnd()) {
    const before = cur.pos;
    if (att) {
      const r = parseAttOperand(cur, out.errors);
      if (r.operand) operands.push(r.operand);
      indirect ||= r.indirect;
    } else {
      const op = parseIntelOperand(cur, ctx.syntax, ctx.syntax === "gas" && ctx.intelPrefixed, out.errors, extras);
      if (op) operands.push(op);
    }
    if (cur.atEnd()) break;
    if (cur.isPunct(",")) {
      cur.next();
      if (cur.atEnd()) out.errors.push({ message: "expected an operand after ','", range: cur.endRange() });
      continue;
    }
    out.errors.push({ message: `unexpected '${cur.peek()!.text}' after operand`, range: cur.here() });
    // Skip to the next comma.
    while (!cur.atEnd() && !cur.isPunct(",")) cur.next();
    if (cur.pos === before) cur.next();
    if (cur.isPunct(",")) cur.next();
  }
  let far = extras.far ?? false;
  const branch = isBranchMnemonic(mnemonic);
  if (att) {
    // GNU as keeps the operands of ENTER and BOUND in Intel order in AT&T syntax (`enter $8,$0` is
    // ENTER imm16=8, imm8=0; `bound %eax,(%ebx)` is BOUND r32, m32&32): i386-opc.tbl marks them
    // ATTSyntax-unswapped, so they are not reversed.
    if (!/^(enter|bound)[wlq]?$/.test(mnemonic)) operands.reverse();
    if (
      (mnemonic === "ljmp" || mnemonic === "lcall" || mnemonic.startsWith("ljmp") || mnemonic.startsWith("lcall")) &&
      operands.length === 2
    ) {
      // AT&T `ljmp $sel, $off` keeps selector first (it was reversed above).
      const off = operands[0]!;
      const sel = operands[1]!;
      if (sel.kind === "immediate" && off.kind === "immediate") {
        operands.length = 0;
        operands.push({
          kind: "far",
          segment: sel.value,
          offset: off.value,
          range: spanRange(sel.range, off.range),
        });
      }
    }
    if (mnemonic.startsWith("ljmp") || mnemonic.startsWith("lcall")) far = true;
    // A plain (non-`*`) operand of a jump/call is the branch target.
    if (branch && !indirect && operands.length === 1) {
      const op = operands[0]!;
      if (op.kind === "memory" && !op.base && !op.index && !op.segment && op.disp)
        operands[0] = { kind: "immediate", value: op.disp, range: op.range };
    }
  } else if (branch) {
    for (const op of operands) if (op.kind === "immediate") delete op.gasIntelBare;
  }
  if (
    operands.length === 2 &&
    operands.every((o) => o.kind === "immediate") &&
    ctx.syntax === "gas" &&
    ctx.intel &&
    far
  ) {
    // GAS Intel `jmp far sel, off` is not a thing; keep as is.
  }
  if (out.errors.length > errorsBefore) {
    // Report the first problem only (the rest usually cascade from it) and do not assemble a half-parsed
    // instruction: an error statement keeps the line in the tree.
    out.errors.length = errorsBefore + 1;
    out.statements.push({ kind: "error", range: cur.span(prefixes.length > 0 ? cur.tokens[0]! : m, last) });
    return;
  }
  const instr: Instruction = {
    kind: "instruction",
    mnemonic,
    baseMnemonic: mnemonic,
    prefixes,
    operands,
    indirect,
    far,
    mnemonicRange: cur.range(m),
    range: cur.span(prefixes.length > 0 ? cur.tokens[0]! : m, last),
  };
  if (extras.branchHint) instr.branchHint = extras.branchHint;
  if (extras.strict) instr.strict = true;
  out.statements.push(instr);
}
