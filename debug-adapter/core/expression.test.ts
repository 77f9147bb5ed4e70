import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type EvalEnv, ExpressionError, evaluate, type Place, splitAssignment, splitFormat } from "./expression";

const SYMBOLS: Record<string, bigint> = { start: 0x1000n, LIMIT: 42n };

/** A tiny machine: a few registers, 64 bytes of memory at 0x1000, two symbols. */
function env(syntax: "gas" | "nasm" = "nasm"): EvalEnv & { mem: Uint8Array; regs: Map<string, bigint> } {
  const regs = new Map<string, bigint>([
    ["rax", 0x10n],
    ["rbx", 0x1008n],
    ["rcx", 2n],
  ]);
  const mem = new Uint8Array(64);
  const place = (name: string): Place | undefined => {
    const k = name.toLowerCase();
    if (!regs.has(k)) return undefined;
    return { describe: k, bits: 64, read: () => regs.get(k) as bigint, write: (v) => void regs.set(k, v) };
  };
  const e: EvalEnv & { mem: Uint8Array; regs: Map<string, bigint> } = {
    syntax,
    pointerSize: 8,
    mem,
    regs,
    place,
    symbol: (n) => SYMBOLS[n],
    readMemory(a, size) {
      const off = Number(a - 0x1000n);
      if (off < 0 || off + size > mem.length) throw new ExpressionError(`cannot read at 0x${a.toString(16)}`);
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(mem[off + i] as number);
      return v;
    },
    writeMemory(a, size, v) {
      const off = Number(a - 0x1000n);
      for (let i = 0; i < size; i++) mem[off + i] = Number((v >> BigInt(8 * i)) & 0xffn);
    },
  };
  return e;
}

describe("debugger expressions", () => {
  it("evaluates numbers in every radix, with C precedence", () => {
    const e = env();
    assert.equal(evaluate("0x10 + 2 * 3", e).value, 22n);
    assert.equal(evaluate("(0x10 + 2) * 3", e).value, 54n);
    assert.equal(evaluate("0b101 | 0o10", e).value, 13n);
    assert.equal(evaluate("0FFh", e).value, 255n);
    assert.equal(evaluate("1 << 4 >> 2", e).value, 4n);
    assert.equal(evaluate("7 % 4 == 3 && 1", e).value, 1n);
  });

  it("wraps to 64 bits", () => {
    assert.equal(evaluate("0 - 1", env()).value, (1n << 64n) - 1n);
    assert.equal(evaluate("~0", env()).value, (1n << 64n) - 1n);
  });

  it("reads registers (with GAS % prefix) and symbols", () => {
    const e = env("gas");
    assert.equal(evaluate("%rax + LIMIT", e).value, 0x10n + 42n);
    assert.equal(evaluate("rcx * 2", e).value, 4n);
  });

  it("dereferences memory with sizes, brackets and AT&T operands", () => {
    const e = env("gas");
    e.mem.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0);
    assert.equal(evaluate("byte [start + 1]", e).value, 2n);
    assert.equal(evaluate("word ptr [start]", e).value, 0x0201n);
    assert.equal(evaluate("dword [start]", e).value, 0x04030201n);
    assert.equal(evaluate("[start]", e).value, 0x0807060504030201n);
    assert.equal(evaluate("*rbx", e).value, 0x0a09n);
    assert.equal(evaluate("-8(%rbx)", e).value, 0x0807060504030201n);
    assert.equal(evaluate("(%rbx)", e).value, 0x0a09n);
    assert.equal(evaluate("0(%rbx,%rcx,1)", e).value & 0xffn, 0n);
  });

  it("yields assignable places for registers and memory", () => {
    const e = env();
    const r = evaluate("rax", e);
    r.place?.write(5n);
    assert.equal(e.regs.get("rax"), 5n);
    const m = evaluate("word [start + 2]", e);
    assert.equal(m.place?.describe, "word [0x1002]");
    m.place?.write(0x1234n);
    assert.deepEqual([...e.mem.subarray(2, 4)], [0x34, 0x12]);
    assert.equal(evaluate("1 + 2", e).place, undefined);
  });

  it("reports unknown names, bad syntax and unreadable memory as ExpressionError", () => {
    const e = env();
    assert.throws(() => evaluate("nosuch", e), /unknown name 'nosuch'/);
    assert.throws(() => evaluate("(1 + 2", e), ExpressionError);
    assert.throws(() => evaluate("1 +", e), /expression expected/);
    assert.throws(() => evaluate("[0x9000]", e), /cannot read/);
    assert.throws(() => evaluate("1 / 0", e), /division by zero/);
    assert.throws(() => evaluate("12abc", e), /bad number/);
    assert.throws(() => evaluate("`", e), /unexpected/);
  });

  it("splits Debug Console assignments and format suffixes", () => {
    assert.deepEqual(splitAssignment("rax = rbx + 1"), { target: "rax", value: "rbx + 1" });
    assert.deepEqual(splitAssignment("qword [x] = 5"), { target: "qword [x]", value: "5" });
    assert.equal(splitAssignment("rax == 1"), undefined);
    assert.deepEqual(splitFormat("rax,d"), { expression: "rax", format: "d" });
    assert.deepEqual(splitFormat("8(%rbx,%rcx,8)"), { expression: "8(%rbx,%rcx,8)" });
  });
});

describe("AT&T RIP-relative operands", () => {
  it("treat sym(%rip) as the symbol's memory", () => {
    const e = env("gas");
    e.regs.set("rip", 0x5000n);
    e.mem.set([7], 0);
    assert.equal(evaluate("start(%rip)", e).value & 0xffn, 7n);
  });
});
