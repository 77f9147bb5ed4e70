// Debugger expressions (watch, hover, Debug Console, breakpoint conditions, logpoints, setExpression).
//
//   numbers      0x1f 0b101 0o17 42, NASM 1Fh, GAS $0x10 (the `$` is ignored)
//   names        registers (rax, %eax, cr0, cs, cs.base …), symbols (labels and equ constants),
//                VMCS field names (GUEST_RIP: the field of the current VMCS), MSR names (IA32_EFER),
//                and context names given by the caller (e.g. `reason` in a VM-exit condition)
//   memory       [expr], byte|word|dword|qword [expr] (`ptr` allowed), *expr (pointer-sized),
//                AT&T disp(%base,%index,scale) in GAS programs
//   operators    C precedence: unary - ~ ! ; * / % ; + - ; << >> ; < <= > >= ; == != ; & ; ^ ; | ; && ; ||
//
// Values are 64-bit unsigned (wrap-around); comparisons yield 1/0. A name that is not found is an error.

export class ExpressionError extends Error {}

export interface Place {
  /** What the place is, for messages and variable names: "rax", "GUEST_RIP", "qword [0x1000]". */
  describe: string;
  bits: number;
  read(): bigint;
  write(value: bigint): void;
}

export interface EvalEnv {
  syntax: "gas" | "nasm";
  /** Bytes in a pointer / default memory operand size (8 in 64-bit code, 4 in 32-bit, 2 in 16-bit). */
  pointerSize: 2 | 4 | 8;
  /** A register, VMCS field, MSR or context name as a place; undefined when unknown. */
  place(name: string): Place | undefined;
  /** A symbol's value (labels and constants). */
  symbol(name: string): bigint | undefined;
  readMemory(address: bigint, size: number): bigint;
  writeMemory(address: bigint, size: number, value: bigint): void;
}

export interface EvalResult {
  value: bigint;
  /** Present when the expression denotes something assignable (register, memory, VMCS field, MSR). */
  place?: Place;
}

type Token =
  | { t: "num"; v: bigint; pos: number }
  | { t: "id"; v: string; pos: number }
  | { t: "op"; v: string; pos: number }
  | { t: "end"; pos: number };

const OPS = [
  "<<",
  ">>",
  "<=",
  ">=",
  "==",
  "!=",
  "&&",
  "||",
  "+",
  "-",
  "*",
  "/",
  "%",
  "&",
  "|",
  "^",
  "~",
  "!",
  "<",
  ">",
  "(",
  ")",
  "[",
  "]",
  ",",
  ":",
  "=",
];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "$" && /[0-9]/.test(text[i + 1] ?? "")) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9a-fA-F_]*[hH]\b|[0-9][0-9_]*)/.exec(
      text.slice(i),
    );
    if (num) {
      const s = (num[1] as string).replace(/_/g, "");
      let v: bigint;
      if (/^0[oO]/.test(s)) v = BigInt(`0o${s.slice(2)}`);
      else if (/[hH]$/.test(s)) v = BigInt(`0x${s.slice(0, -1)}`);
      else v = BigInt(s);
      out.push({ t: "num", v, pos: i });
      i += (num[1] as string).length;
      if (/[A-Za-z_]/.test(text[i] ?? "")) throw new ExpressionError(`bad number at column ${i + 1}`);
      continue;
    }
    const id = /^%?[A-Za-z_.@?$][A-Za-z0-9_.@?$#]*/.exec(text.slice(i));
    if (id) {
      out.push({ t: "id", v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op) {
      out.push({ t: "op", v: op, pos: i });
      i += op.length;
      continue;
    }
    throw new ExpressionError(`unexpected '${c}' at column ${i + 1}`);
  }
  out.push({ t: "end", pos: text.length });
  return out;
}

const SIZES: Record<string, number> = { byte: 1, word: 2, dword: 4, qword: 8 };
const U64 = (1n << 64n) - 1n;
const BINARY: [string[], number][] = [
  [["||"], 1],
  [["&&"], 2],
  [["|"], 3],
  [["^"], 4],
  [["&"], 5],
  [["==", "!="], 6],
  [["<", "<=", ">", ">="], 7],
  [["<<", ">>"], 8],
  [["+", "-"], 9],
  [["*", "/", "%"], 10],
];

function precedence(op: string): number {
  for (const [ops, p] of BINARY) if (ops.includes(op)) return p;
  return -1;
}

function applyBinary(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case "+":
      return (a + b) & U64;
    case "-":
      return (a - b) & U64;
    case "*":
      return (a * b) & U64;
    case "/":
      if (b === 0n) throw new ExpressionError("division by zero");
      return a / b;
    case "%":
      if (b === 0n) throw new ExpressionError("division by zero");
      return a % b;
    case "<<":
      return b >= 64n ? 0n : (a << b) & U64;
    case ">>":
      return b >= 64n ? 0n : a >> b;
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
    case "==":
      return a === b ? 1n : 0n;
    case "!=":
      return a !== b ? 1n : 0n;
    case "<":
      return a < b ? 1n : 0n;
    case "<=":
      return a <= b ? 1n : 0n;
    case ">":
      return a > b ? 1n : 0n;
    case ">=":
      return a >= b ? 1n : 0n;
    case "&&":
      return a !== 0n && b !== 0n ? 1n : 0n;
    case "||":
      return a !== 0n || b !== 0n ? 1n : 0n;
  }
  throw new ExpressionError(`unknown operator ${op}`);
}

function hexOf(v: bigint): string {
  return `0x${v.toString(16)}`;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly env: EvalEnv,
  ) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }
  private next(): Token {
    return this.tokens[this.i++] as Token;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === "op" && t.v === v;
  }
  private expect(v: string): void {
    const t = this.next();
    if (t.t !== "op" || t.v !== v) throw new ExpressionError(`expected '${v}' at column ${t.pos + 1}`);
  }

  parseAll(): EvalResult {
    const r = this.expression(0);
    const t = this.peek();
    if (t.t !== "end") throw new ExpressionError(`unexpected text at column ${t.pos + 1}`);
    return r;
  }

  private expression(minPrec: number): EvalResult {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.t !== "op") break;
      const p = precedence(t.v);
      if (p < 0 || p <= minPrec - 1 || p < minPrec) break;
      this.next();
      const right = this.expression(p + 1);
      left = { value: applyBinary(t.v, left.value, right.value) };
    }
    return left;
  }

  private unary(): EvalResult {
    const t = this.peek();
    if (t.t === "op") {
      if (t.v === "-") {
        this.next();
        // AT&T "-8(%rbp)": a negative displacement, not the negation of a memory operand.
        const n = this.peek();
        const after = this.tokens[this.i + 1];
        if (this.env.syntax === "gas" && n.t === "num" && after?.t === "op" && after.v === "(") {
          this.next();
          return this.attMemory(-n.v & U64);
        }
        return { value: -this.unary().value & U64 };
      }
      if (t.v === "+") {
        this.next();
        return { value: this.unary().value };
      }
      if (t.v === "~") {
        this.next();
        return { value: ~this.unary().value & U64 };
      }
      if (t.v === "!") {
        this.next();
        return { value: this.unary().value === 0n ? 1n : 0n };
      }
      if (t.v === "*") {
        this.next();
        const addr = this.unary().value;
        return this.memory(addr, this.env.pointerSize);
      }
    }
    return this.postfix();
  }

  private postfix(): EvalResult {
    const r = this.primary();
    // AT&T memory operand: disp(%base,%index,scale).
    if (this.env.syntax === "gas" && this.isOp("(") && r.place === undefined) return this.attMemory(r.value);
    return r;
  }

  private attMemory(disp: bigint): EvalResult {
    this.expect("(");
    // sym(%rip): the assembler made the displacement RIP-relative; a debugger symbol is already absolute.
    const b = this.peek();
    const close = this.tokens[this.i + 1];
    if (b.t === "id" && /^%?rip$/i.test(b.v) && close?.t === "op" && close.v === ")") {
      this.i += 2;
      return this.memory(disp, this.env.pointerSize);
    }
    let addr = disp;
    if (!this.isOp(",")) addr = (addr + this.expression(0).value) & U64;
    if (this.isOp(",")) {
      this.next();
      const index = this.expression(0).value;
      let scale = 1n;
      if (this.isOp(",")) {
        this.next();
        scale = this.expression(0).value;
      }
      addr = (addr + index * scale) & U64;
    }
    this.expect(")");
    return this.memory(addr, this.env.pointerSize);
  }

  private primary(): EvalResult {
    const t = this.next();
    if (t.t === "num") return { value: t.v & U64 };
    if (t.t === "op" && t.v === "(") {
      // In GAS, "(%reg" starts an AT&T memory operand without displacement.
      const n = this.peek();
      if (this.env.syntax === "gas" && n.t === "id" && n.v.startsWith("%")) {
        this.i--;
        return this.attMemory(0n);
      }
      const r = this.expression(0);
      this.expect(")");
      return r;
    }
    if (t.t === "op" && t.v === "[") {
      const addr = this.bracketAddress();
      return this.memory(addr, this.env.pointerSize);
    }
    if (t.t === "id") {
      const lower = t.v.toLowerCase();
      const size = SIZES[lower];
      if (
        size !== undefined &&
        (this.isOp("[") || (this.peek().t === "id" && (this.peek() as { v: string }).v.toLowerCase() === "ptr"))
      ) {
        if (this.peek().t === "id") this.next();
        this.expect("[");
        const addr = this.bracketAddress();
        return this.memory(addr, size);
      }
      return this.name(t.v, t.pos);
    }
    throw new ExpressionError(
      t.t === "end" ? "expression expected" : `unexpected '${(t as { v: string }).v}' at column ${t.pos + 1}`,
    );
  }

  /** After '[': an address expression, optionally with a segment override "ds:" (ignored: linear = offset). */
  private bracketAddress(): bigint {
    const save = this.i;
    const s = this.peek();
    if (s.t === "id" && /^(cs|ds|es|ss|fs|gs)$/i.test(s.v)) {
      this.next();
      if (this.isOp(":")) {
        this.next();
        const seg = this.env.place(
          s.v.toLowerCase() === "fs" || s.v.toLowerCase() === "gs" ? `${s.v.toLowerCase()}.base` : "",
        );
        const base = seg ? seg.read() : 0n;
        const a = this.expression(0).value;
        this.expect("]");
        return (base + a) & U64;
      }
      this.i = save;
    }
    const a = this.expression(0).value;
    this.expect("]");
    return a;
  }

  private name(raw: string, pos: number): EvalResult {
    const name = raw.startsWith("%") ? raw.slice(1) : raw;
    const place = this.env.place(name);
    if (place) return { value: place.read(), place };
    const sym = this.env.symbol(name);
    if (sym !== undefined) return { value: sym & U64 };
    throw new ExpressionError(`unknown name '${raw}' at column ${pos + 1}`);
  }

  private memory(address: bigint, size: number): EvalResult {
    const env = this.env;
    const describe = `${Object.keys(SIZES).find((k) => SIZES[k] === size) ?? `${size}-byte`} [${hexOf(address)}]`;
    const place: Place = {
      describe,
      bits: size * 8,
      read: () => env.readMemory(address, size),
      write: (v) => env.writeMemory(address, size, v & ((1n << BigInt(size * 8)) - 1n)),
    };
    return { value: place.read(), place };
  }
}

/** Evaluates an expression; throws ExpressionError with a readable message. */
export function evaluate(text: string, env: EvalEnv): EvalResult {
  const tokens = tokenize(text);
  return new Parser(tokens, env).parseAll();
}

/** `expr = value` (Debug Console assignment) is split here so the caller can route it through setExpression. */
export function splitAssignment(text: string): { target: string; value: string } | undefined {
  const m = /^([^=!<>]+[^=!<>\s]|\S)\s*=(?!=)\s*(.+)$/.exec(text.trim());
  return m ? { target: (m[1] as string).trim(), value: (m[2] as string).trim() } : undefined;
}

/** Trailing format specifier as in other debuggers: `rax,d` (decimal), `rax,x` (hex), `rax,b` (binary). */
export function splitFormat(text: string): { expression: string; format?: "d" | "x" | "b" } {
  const m = /^(.*),\s*([dxb])\s*$/.exec(text);
  if (m && !/\(/.test(m[1] ?? "")) return { expression: (m[1] as string).trim(), format: m[2] as "d" | "x" | "b" };
  return { expression: text };
}
