// A tolerant line lexer for GAS and NASM source. It never throws: any character it does not understand becomes
// a one-character `punct` token, so every column of the text is accounted for and ranges stay exact.
import type { Syntax } from "./types";

export type TokenKind = "ident" | "number" | "string" | "reg" | "punct" | "macroParam";

export interface Token {
  kind: TokenKind;
  text: string;
  /** Character offsets within the line (end exclusive). */
  start: number;
  end: number;
}

export interface LexedLine {
  tokens: Token[];
  /** Start column of a trailing comment, if any. */
  commentStart?: number;
}

export interface LexState {
  /** Inside a GAS block comment that started on an earlier line. */
  inBlockComment: boolean;
}

const identStart = /[A-Za-z_.?@$]/;
const identPart = /[A-Za-z0-9_.?@$#~]/;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Parses a numeric literal in either dialect; undefined if `text` is not one. */
export function parseNumberLiteral(text: string, syntax: Syntax): bigint | undefined {
  const t = text.replace(/_/g, "").toLowerCase();
  try {
    if (/^0x[0-9a-f]+$/.test(t)) return BigInt(t);
    if (/^0b[01]+$/.test(t)) return BigInt(t);
    if (/^0o[0-7]+$/.test(t)) return BigInt(t);
    if (/^[0-9]+$/.test(t)) {
      // GAS reads a leading 0 as octal (`010` = 8); NASM reads it as decimal.
      if (syntax === "gas" && t.length > 1 && t.startsWith("0") && /^[0-7]+$/.test(t)) return BigInt(`0o${t.slice(1)}`);
      return BigInt(t);
    }
    if (syntax === "nasm") {
      if (/^[0-9][0-9a-f]*h$/.test(t)) return BigInt(`0x${t.slice(0, -1)}`);
      if (/^[01]+[by]$/.test(t)) return BigInt(`0b${t.slice(0, -1)}`);
      if (/^[0-7]+[qo]$/.test(t)) return BigInt(`0o${t.slice(0, -1)}`);
      if (/^[0-9]+d$/.test(t)) return BigInt(t.slice(0, -1));
      if (/^0h[0-9a-f]+$/.test(t)) return BigInt(`0x${t.slice(2)}`);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export function lexLine(line: string, syntax: Syntax, state: LexState): LexedLine {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  let commentStart: number | undefined;
  while (i < n) {
    if (state.inBlockComment) {
      const close = line.indexOf("*/", i);
      if (close < 0) return { tokens, commentStart: commentStart ?? i };
      state.inBlockComment = false;
      i = close + 2;
      continue;
    }
    const c = line[i]!;
    if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v") {
      i++;
      continue;
    }
    // Comments.
    if (syntax === "nasm" && c === ";") {
      commentStart = i;
      break;
    }
    if (syntax === "gas") {
      if (c === "/" && line[i + 1] === "*") {
        state.inBlockComment = true;
        commentStart ??= i;
        i += 2;
        continue;
      }
      if (c === "/" && line[i + 1] === "/") {
        commentStart = i;
        break;
      }
      if (c === "#") {
        // `#include`, `#define` … at the start of a line are C preprocessor directives in .S files.
        const before = line.slice(0, i).trim();
        const m = /^#\s*(include|define|undef|ifdef|ifndef|if|elif|else|endif)\b/.exec(line.slice(i));
        if (before === "" && m) {
          tokens.push({ kind: "ident", text: `#${m[1]}`, start: i, end: i + m[0].length });
          i += m[0].length;
          continue;
        }
        commentStart = i;
        break;
      }
    }
    const start = i;
    // Strings.
    if (c === '"' || c === "'" || c === "`") {
      i++;
      while (i < n && line[i] !== c) {
        if (line[i] === "\\" && (syntax === "gas" || c === "`")) i++;
        i++;
      }
      i = Math.min(n, i + 1);
      tokens.push({ kind: "string", text: line.slice(start, i), start, end: i });
      continue;
    }
    // GAS registers: %rax. NASM macro parameters and preprocessor words: %1, %define, %%local.
    if (c === "%") {
      if (syntax === "gas" && /[A-Za-z]/.test(line[i + 1] ?? "")) {
        i++;
        while (i < n && /[A-Za-z0-9]/.test(line[i]!)) i++;
        tokens.push({ kind: "reg", text: line.slice(start, i), start, end: i });
        continue;
      }
      if (syntax === "nasm") {
        if (isDigit(line[i + 1]) || (line[i + 1] === "%" && identStart.test(line[i + 2] ?? ""))) {
          i += line[i + 1] === "%" ? 2 : 1;
          while (i < n && identPart.test(line[i]!)) i++;
          tokens.push({ kind: "macroParam", text: line.slice(start, i), start, end: i });
          continue;
        }
        if (/[A-Za-z]/.test(line[i + 1] ?? "")) {
          i++;
          while (i < n && identPart.test(line[i]!)) i++;
          tokens.push({ kind: "ident", text: line.slice(start, i), start, end: i });
          continue;
        }
      }
    }
    if (isDigit(c)) {
      i++;
      while (i < n && /[0-9A-Za-z_]/.test(line[i]!)) i++;
      tokens.push({ kind: "number", text: line.slice(start, i), start, end: i });
      continue;
    }
    // NASM: `$` alone is the current address, `$$` the section start; `$name` escapes an identifier.
    if (identStart.test(c) && !(syntax === "gas" && c === "$")) {
      i++;
      while (i < n && identPart.test(line[i]!) && !(syntax === "gas" && line[i] === "#")) i++;
      tokens.push({ kind: "ident", text: line.slice(start, i), start, end: i });
      continue;
    }
    // Two-character operators.
    const two = line.slice(i, i + 2);
    if (["<<", ">>", "==", "!=", "<=", ">=", "&&", "||", "//"].includes(two)) {
      tokens.push({ kind: "punct", text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    i++;
    tokens.push({ kind: "punct", text: c, start, end: i });
  }
  return commentStart === undefined ? { tokens } : { tokens, commentStart };
}
