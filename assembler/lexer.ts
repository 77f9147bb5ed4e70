// Line lexer for both dialects. It never throws: anything it does not understand becomes an "invalid"
// token with its exact range, and the parser reports it.
import { isRegister } from "./registers";

export type TokenKind = "ident" | "number" | "string" | "register" | "punct" | "invalid";

export interface Token {
  kind: TokenKind;
  /** The source text of the token. For "register" the lower-case name without `%`. */
  text: string;
  /** 0-based columns, end exclusive. */
  start: number;
  end: number;
  /** Numbers: the value. */
  value?: bigint;
  /** GAS numeric local label reference (`1b`/`1f`): the label and direction. */
  localRef?: { label: string; direction: "b" | "f" };
  /** Strings: the decoded contents, and the quote used. */
  str?: string;
  quote?: string;
  /** Whitespace precedes this token (used to tell `%` the operator from `%1` and for GAS macros). */
  spaceBefore: boolean;
  /** Set on tokens that came from a macro/%define expansion: the range to report errors at. */
  origin?: { line: number; start: number; end: number };
}

export interface LexState {
  /** Inside a GAS `/* ... *\/` comment continuing from a previous line. */
  inBlockComment: boolean;
}

export type LexDialect = "gas-att" | "gas-intel" | "nasm";

const C_0 = 48;
const C_9 = 57;

function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}
function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isGasIdentStart(c: number): boolean {
  return isAlpha(c) || c === 95 /* _ */ || c === 46 /* . */;
}
function isGasIdentPart(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 95 || c === 46 || c === 36 /* $ */;
}
function isNasmIdentStart(c: number): boolean {
  return isAlpha(c) || c === 95 || c === 46 || c === 63 /* ? */;
}
function isNasmIdentPart(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 95 || c === 46 || c === 63 || c === 36 || c === 35 || c === 64 || c === 126;
}

const PUNCT3 = ["<<<", ">>>", "<=>"];
const PUNCT2 = ["<<", ">>", "<=", ">=", "==", "!=", "<>", "&&", "||", "^^", "//", "%%"];

function parseNasmNumber(text: string): bigint | undefined {
  const t = text.replace(/_/g, "").toLowerCase();
  if (t.length === 0) return undefined;
  try {
    let m = /^0[xh]([0-9a-f]+)$/.exec(t);
    if (m) return BigInt(`0x${m[1]}`);
    m = /^0[by]([01]+)$/.exec(t);
    if (m) return BigInt(`0b${m[1]}`);
    m = /^0[oq]([0-7]+)$/.exec(t);
    if (m) return BigInt(`0o${m[1]}`);
    m = /^0[dt]([0-9]+)$/.exec(t);
    if (m) return BigInt(m[1]!);
    if (/^[0-9]+$/.test(t)) return BigInt(t);
    m = /^([0-9][0-9a-f]*)[hx]$/.exec(t);
    if (m) return BigInt(`0x${m[1]}`);
    m = /^([01]+)[by]$/.exec(t);
    if (m) return BigInt(`0b${m[1]}`);
    m = /^([0-7]+)[oq]$/.exec(t);
    if (m) return BigInt(`0o${m[1]}`);
    m = /^([0-9]+)[dt]$/.exec(t);
    if (m) return BigInt(m[1]!);
  } catch {
    return undefined;
  }
  return undefined;
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  v: "\v",
  a: "\x07",
  e: "\x1b",
  "\\": "\\",
  '"': '"',
  "'": "'",
  "`": "`",
  "?": "?",
  "0": "\0",
};

/** Decodes a C-style escape at text[i] (just after the backslash). Returns [string, next index]. */
function decodeEscape(text: string, i: number): [string, number] {
  const c = text[i];
  if (c === undefined) return ["\\", i];
  if (c === "x" || c === "X") {
    let j = i + 1;
    let v = 0;
    while (j < text.length && j < i + 3 && /[0-9a-fA-F]/.test(text[j]!)) v = v * 16 + Number.parseInt(text[j++]!, 16);
    return [String.fromCharCode(v & 0xff), j];
  }
  if (c >= "0" && c <= "7") {
    let j = i;
    let v = 0;
    while (j < text.length && j < i + 3 && text[j]! >= "0" && text[j]! <= "7") v = v * 8 + (text.charCodeAt(j++) - C_0);
    return [String.fromCharCode(v & 0xff), j];
  }
  return [ESCAPES[c] ?? c, i + 1];
}

/**
 * Lexes one line. Comments are dropped; `state` carries GAS block comments across lines.
 * Returns the tokens of the line.
 */
/**
 * Every token has every field, in one order: one object shape for the parser (and for the copies macro
 * expansion makes), so property reads stay monomorphic.
 */
function token(kind: TokenKind, text: string, start: number, end: number, spaceBefore: boolean): Token {
  return {
    kind,
    text,
    start,
    end,
    value: undefined,
    localRef: undefined,
    str: undefined,
    quote: undefined,
    spaceBefore,
    origin: undefined,
  };
}

export function lexLine(text: string, dialect: LexDialect, state: LexState): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  const gas = dialect !== "nasm";
  let i = 0;
  let space = true;
  while (i < n) {
    if (state.inBlockComment) {
      const close = text.indexOf("*/", i);
      if (close < 0) return tokens;
      state.inBlockComment = false;
      i = close + 2;
      space = true;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++;
      space = true;
      continue;
    }
    const start = i;
    // Comments.
    if (gas) {
      if (c === 35 /* # */) return tokens;
      // A `/` starting a line is a comment in GNU as for x86 (line_comment_chars).
      if (c === 47 && tokens.length === 0 && text.charCodeAt(i + 1) !== 42 && text.slice(0, i).trim() === "")
        return tokens;
      if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) return tokens;
      if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
        state.inBlockComment = true;
        i += 2;
        continue;
      }
    } else if (c === 59 /* ; */) return tokens;

    // Numbers.
    if (isDigit(c) || (!gas && c === 36 /* $ */ && isDigit(text.charCodeAt(i + 1)))) {
      let j = i + 1;
      if (gas) {
        while (j < n && (isAlpha(text.charCodeAt(j)) || isDigit(text.charCodeAt(j)) || text.charCodeAt(j) === 95)) j++;
        const raw = text.slice(i, j);
        const tok = token("number", raw, start, j, space);
        const lower = raw.toLowerCase();
        const m = /^([0-9]+)([bf])$/.exec(lower);
        if (m && !/^0b[01]+$/.test(lower)) {
          tok.localRef = { label: String(BigInt(m[1]!)), direction: m[2] as "b" | "f" };
          tok.value = 0n;
        } else {
          try {
            if (/^0x[0-9a-f]+$/.test(lower)) tok.value = BigInt(lower);
            else if (/^0b[01]+$/.test(lower)) tok.value = BigInt(lower);
            else if (/^0[0-7]*$/.test(lower)) tok.value = lower.length > 1 ? BigInt(`0o${lower.slice(1)}`) : 0n;
            else if (/^[1-9][0-9]*$/.test(lower)) tok.value = BigInt(lower);
          } catch {
            tok.value = undefined;
          }
          if (tok.value === undefined) tok.kind = "invalid";
        }
        tokens.push(tok);
      } else {
        while (j < n && (isNasmIdentPart(text.charCodeAt(j)) || text.charCodeAt(j) === 95)) {
          // `$` inside a NASM number would start an identifier; stop at it.
          if (text.charCodeAt(j) === 36 || text.charCodeAt(j) === 46) break;
          j++;
        }
        const raw = text.slice(i, j);
        const value = raw.startsWith("$") ? parseNasmNumber(`0x${raw.slice(1)}`) : parseNasmNumber(raw);
        const tok = token(value === undefined ? "invalid" : "number", raw, start, j, space);
        tok.value = value;
        tokens.push(tok);
      }
      i = j;
      space = false;
      continue;
    }

    // Strings and character constants.
    if (c === 34 /* " */ || c === 39 /* ' */ || (c === 96 /* ` */ && !gas)) {
      const quote = text[i]!;
      if (gas && quote === "'") {
        // GAS character constant: 'c (optionally closed by another quote).
        let j = i + 1;
        let ch = "";
        if (j < n) {
          if (text[j] === "\\") [ch, j] = decodeEscape(text, j + 1);
          else {
            ch = text[j]!;
            j++;
          }
          if (text[j] === "'") j++;
        }
        const tok = token(ch ? "number" : "invalid", text.slice(i, j), start, j, space);
        tok.value = BigInt(ch.charCodeAt(0) || 0);
        tokens.push(tok);
        i = j;
        space = false;
        continue;
      }
      let j = i + 1;
      let s = "";
      let closed = false;
      const escapes = gas || quote === "`";
      while (j < n) {
        const ch = text[j]!;
        if (ch === quote) {
          closed = true;
          j++;
          break;
        }
        if (ch === "\\" && escapes) {
          const [e, k] = decodeEscape(text, j + 1);
          s += e;
          j = k;
          continue;
        }
        s += ch;
        j++;
      }
      const tok = token(closed ? "string" : "invalid", text.slice(i, j), start, j, space);
      tok.str = s;
      tok.quote = quote;
      tokens.push(tok);
      i = j;
      space = false;
      continue;
    }

    // AT&T / prefixed registers.
    if (gas && c === 37 /* % */ && isAlpha(text.charCodeAt(i + 1))) {
      let j = i + 1;
      while (j < n && (isAlpha(text.charCodeAt(j)) || isDigit(text.charCodeAt(j)))) j++;
      const name = text.slice(i + 1, j).toLowerCase();
      // %st(1) style.
      if (name === "st" && text[j] === "(") {
        const m = /^\((\d)\)/.exec(text.slice(j));
        if (m) {
          tokens.push(token("register", `st${m[1]}`, start, j + m[0].length, space));
          i = j + m[0].length;
          space = false;
          continue;
        }
      }
      if (isRegister(name)) {
        tokens.push(token("register", name, start, j, space));
        i = j;
        space = false;
        continue;
      }
    }

    // Identifiers.
    if (gas) {
      if (isGasIdentStart(c) || (c === 92 /* \ */ && isGasIdentStart(text.charCodeAt(i + 1)))) {
        let j = i + 1;
        while (j < n && (isGasIdentPart(text.charCodeAt(j)) || text.charCodeAt(j) === 92)) j++;
        // `\@` and `\()` in macro bodies.
        tokens.push(token("ident", text.slice(i, j), start, j, space));
        i = j;
        space = false;
        continue;
      }
    } else {
      let j = i;
      if (c === 37 /* % */) {
        // %define, %1, %%local, %+, %$ctx, %[...]
        const d = text.charCodeAt(i + 1);
        if (
          isAlpha(d) ||
          isDigit(d) ||
          d === 95 ||
          d === 36 ||
          (d === 37 && isNasmIdentStart(text.charCodeAt(i + 2)))
        ) {
          j = i + 1;
          if (d === 37) j++;
          if (isDigit(text.charCodeAt(j))) while (j < n && isDigit(text.charCodeAt(j))) j++;
          else while (j < n && isNasmIdentPart(text.charCodeAt(j))) j++;
          tokens.push(token("ident", text.slice(i, j), start, j, space));
          i = j;
          space = false;
          continue;
        }
      } else if (
        isNasmIdentStart(c) ||
        (c === 36 /* $ */ && isNasmIdentStart(text.charCodeAt(i + 1)) && text.charCodeAt(i + 1) !== 36)
      ) {
        j = i + 1;
        while (j < n && isNasmIdentPart(text.charCodeAt(j))) j++;
        tokens.push(token("ident", text.slice(i, j), start, j, space));
        i = j;
        space = false;
        continue;
      }
    }

    // Punctuation.
    let p = "";
    for (const q of PUNCT3)
      if (text.startsWith(q, i)) {
        p = q;
        break;
      }
    if (!p)
      for (const q of PUNCT2)
        if (text.startsWith(q, i)) {
          p = q;
          break;
        }
    if (!p && !gas && text.startsWith("$$", i)) p = "$$";
    if (!p) {
      const ch = text[i]!;
      if ("+-*/%&|^~!()[],:=<>$?{}@\\#;.".includes(ch)) p = ch;
    }
    if (p) {
      tokens.push(token("punct", p, start, i + p.length, space));
      i += p.length;
      space = false;
      continue;
    }
    // Anything else: one invalid character (keep surrogate pairs together).
    const len = c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    tokens.push(token("invalid", text.slice(i, i + len), start, i + len, space));
    i += len;
    space = false;
  }
  return tokens;
}

/** Splits source text into lines (LF, CRLF or CR). */
export function splitLines(source: string): string[] {
  return source.split(/\r\n|\r|\n/);
}
