// Random and malformed EncodeRequests: encode() returns bytes or an error, never throws, never hits an
// internal error, and the memo cache returns exactly what an uncached encode computes.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { requestFor } from "./corpus/check";
import { parseGolden } from "./corpus/corpus";
import { encodeUncached } from "./encode";
import { type EncodeRequest, encode, knownMnemonics, type Operand, registerNames } from "./index";

/** xorshift32: a fixed seed keeps the test deterministic. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return {
    int: (n: number) => next() % n,
    pick: <T>(xs: readonly T[]): T => xs[next() % xs.length]!,
    chance: (p: number) => next() / 0x100000000 < p,
  };
}

const BIGS = [0n, 1n, -1n, 3n, 0x7fn, 0x80n, -0x80n, 0xffn, 0x100n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn];
const HUGE = [1n << 64n, -(1n << 63n), (1n << 64n) - 1n, 1n << 100n, -(1n << 100n)];

function randomRequest(r: ReturnType<typeof rng>, mnemonics: string[], regs: string[]): EncodeRequest {
  const value = (): bigint =>
    r.chance(0.1) ? r.pick(HUGE) : r.chance(0.5) ? r.pick(BIGS) : BigInt(r.int(0x100000)) - 0x80000n;
  const reg = () => (r.chance(0.05) ? r.pick(["", "xyz", "RAX", "%eax", "st(3)", "rip", "r16"]) : r.pick(regs));
  const operand = (): unknown => {
    switch (r.pick([0, 0, 0, 0, 0, 2, 2, 2, 3, 3, 4, 5])) {
      case 0:
        return { kind: "reg", reg: reg() };
      case 2:
        return { kind: "imm", value: value(), unresolved: r.chance(0.2), size: r.pick([undefined, 8, 16, 32, 64, 7]) };
      case 3:
        return {
          kind: "mem",
          base: r.chance(0.7) ? reg() : undefined,
          index: r.chance(0.4) ? reg() : undefined,
          scale: r.pick([1, 2, 4, 8, 3]),
          disp: value(),
          size: r.pick([undefined, 8, 16, 32, 64, 80, 128, 5]),
          seg: r.pick([undefined, "fs", "gs", "ds", "ss", "zz"]),
          rip: r.chance(0.1),
          ripRaw: r.chance(0.05),
          dispUnresolved: r.chance(0.1),
          dispSize: r.pick([undefined, undefined, 8, 16, 32, 64]),
          addrSize: r.pick([undefined, undefined, 16, 32, 64]),
          far: r.chance(0.05),
        };
      case 4:
        return { kind: "far", selector: value(), offset: value() };
      default:
        return r.pick([null, undefined, {}, { kind: "bogus" }, { kind: "reg" }, { kind: "imm" }, 42]);
    }
  };
  const n = r.pick([0, 1, 1, 2, 2, 2, 3, 4]);
  return {
    mnemonic: r.chance(0.05) ? r.pick(["", "NOP", "mov ", "\u0000", "jmp$"]) : r.pick(mnemonics),
    operands: Array.from({ length: n }, operand) as EncodeRequest["operands"],
    prefixes: (r.chance(0.2)
      ? [r.pick(["lock", "rep", "fs", "o16", "a32", "rex64", "bogus"])]
      : []) as EncodeRequest["prefixes"],
    bits: r.pick([16, 32, 64, 64, 8]) as EncodeRequest["bits"],
    address: r.chance(0.1) ? r.pick(HUGE) : BigInt(r.int(0x10000)),
    flavor: r.pick(["gas", "nasm"]),
    branch: r.pick([undefined, "short", "near", "auto"]),
    ...(r.chance(0.1) ? { opSize: r.pick([8, 16, 32, 64]) as 8 | 16 | 32 | 64 } : {}),
  };
}

const corpus = parseGolden(readFileSync(join(import.meta.dirname, "corpus", "golden.tsv"), "utf8"))
  .map(requestFor)
  .filter((q): q is EncodeRequest => typeof q !== "string");

/** A corpus request with one or two random changes: reaches the deep paths with nearly-valid input. */
function mutated(r: ReturnType<typeof rng>, regs: string[]): EncodeRequest {
  const base = r.pick(corpus);
  const operands: Operand[] = [...base.operands];
  const req: EncodeRequest = { ...base, operands };
  for (let k = 0, n = 1 + r.int(2); k < n; k++) {
    const i = r.int(Math.max(1, req.operands.length));
    const o = req.operands[i];
    switch (r.int(7)) {
      case 0:
        req.bits = r.pick([16, 32, 64]);
        break;
      case 1:
        req.flavor = req.flavor === "gas" ? "nasm" : "gas";
        break;
      case 2:
        if (o?.kind === "reg") operands[i] = { kind: "reg", reg: r.pick(regs) };
        break;
      case 3:
        if (o?.kind === "imm") operands[i] = { ...o, value: r.pick([...BIGS, ...HUGE]) };
        if (o?.kind === "mem") operands[i] = { ...o, disp: r.pick([...BIGS, ...HUGE]) };
        break;
      case 4:
        if (o?.kind === "mem")
          operands[i] = { ...o, base: r.pick(regs), index: r.chance(0.5) ? r.pick(regs) : undefined };
        break;
      case 5:
        operands.splice(i, 1);
        break;
      default:
        req.address = r.pick([0n, 0xfffen, 0xffffffffn, 1n << 63n]);
    }
  }
  return req;
}

function show(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
}

test("30,000 random and mutated-corpus requests: no throw, no internal error, at most 15 bytes", () => {
  const r = rng(0xc0ffee);
  const mnemonics = knownMnemonics();
  const regs = registerNames();
  let encoded = 0;
  for (let i = 0; i < 30_000; i++) {
    const req = i % 2 === 0 ? randomRequest(r, mnemonics, regs) : mutated(r, regs);
    const out = encode(req);
    if ("error" in out) {
      assert.equal(typeof out.error, "string");
      assert.doesNotMatch(out.error, /internal encoder error/, show(req));
    } else {
      encoded++;
      // 0 bytes: a NASM size prefix alone that matches the code size (`o16` in 16-bit code).
      assert.ok(out.bytes.length <= 15 && (out.bytes.length > 0 || /^[oa](16|32)$/.test(req.mnemonic)), show(req));
    }
  }
  assert.ok(encoded > 5000, `only ${encoded} random requests encoded: the generators are too far off`);
});

test("a memoized result equals a fresh encoding, and callers cannot corrupt the cache", () => {
  const r = rng(12345);
  const mnemonics = knownMnemonics();
  const regs = registerNames();
  for (let i = 0; i < 5_000; i++) {
    const req = i % 2 === 0 ? randomRequest(r, mnemonics, regs) : mutated(r, regs);
    const first = encode(req);
    if ("bytes" in first) first.bytes.fill(0xaa);
    const again = encode(req);
    assert.deepEqual(again, encodeUncached(req), show(req));
  }
});

test("requests that differ only in how their fields would concatenate are cached apart", () => {
  const base = { bits: 32 as const, address: 0n, flavor: "nasm" as const, mnemonic: "push" };
  // `push byte 5` (imm 5 with a size keyword) and `push 58` once shared the key "i58".
  const a = encode({ ...base, operands: [{ kind: "imm", value: 5n, size: 8 }] });
  const b = encode({ ...base, operands: [{ kind: "imm", value: 58n }] });
  assert.deepEqual(a, encodeUncached({ ...base, operands: [{ kind: "imm", value: 5n, size: 8 }] }));
  assert.deepEqual(b, encodeUncached({ ...base, operands: [{ kind: "imm", value: 58n }] }));
  assert.notDeepEqual(a, b);
});
