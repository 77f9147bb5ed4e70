// The memo cache's templates for address-dependent encodings (branches with a fixed form, RIP-relative
// operands) must give exactly what a fresh encoding gives, for any address and target — including targets
// out of range (an error, from the full path) and displacements that look like other bytes of the encoding.
import assert from "node:assert/strict";
import { test } from "node:test";
import { clearEncodeCache, encode, encodeUncached } from "./encode";
import type { EncodeRequest, Operand } from "./types";

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function same(req: EncodeRequest): void {
  const a = encode(req);
  const b = encodeUncached(req);
  assert.deepEqual(
    a,
    b,
    JSON.stringify(req, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)),
  );
}

test("branch templates patch the displacement exactly as a fresh encoding writes it", () => {
  clearEncodeCache();
  const rnd = lcg(7);
  const mnemonics = ["jmp", "jne", "jz", "call", "loop", "jecxz", "jrcxz", "jcxz", "xbegin"];
  const deltas = [0n, 1n, -1n, 2n, -2n, 127n, 128n, -128n, -129n, 0x7fffn, 0x8000n, -0x8000n, 0x7fffffffn, 1n << 31n];
  for (let i = 0; i < 3000; i++) {
    const bits = ([16, 32, 64] as const)[Math.floor(rnd() * 3)]!;
    const flavor = rnd() < 0.5 ? "gas" : "nasm";
    const mnemonic = mnemonics[Math.floor(rnd() * mnemonics.length)]!;
    const address = BigInt(Math.floor(rnd() * 0x20000)) + (rnd() < 0.1 ? 0xffff0000n : 0n);
    const delta = rnd() < 0.6 ? deltas[Math.floor(rnd() * deltas.length)]! : BigInt(Math.floor(rnd() * 400) - 200);
    const prefixes = rnd() < 0.15 ? (["o32"] as const) : rnd() < 0.1 ? (["bnd"] as const) : [];
    same({
      mnemonic,
      operands: [{ kind: "imm", value: address + delta }],
      bits,
      flavor,
      address,
      branch: rnd() < 0.5 ? "short" : "near",
      prefixes: flavor === "nasm" ? [...prefixes] : [],
    });
  }
});

test("RIP-relative templates patch the disp32 exactly as a fresh encoding writes it", () => {
  clearEncodeCache();
  const rnd = lcg(11);
  for (let i = 0; i < 3000; i++) {
    const flavor = rnd() < 0.5 ? "gas" : "nasm";
    const address = BigInt(Math.floor(rnd() * 0x10000));
    // Targets whose displacement bytes repeat the opcode/ModRM or the immediate, and far ones.
    const pick = rnd();
    const target =
      pick < 0.2
        ? address + 7n + 0x8dn
        : pick < 0.3
          ? address + (1n << 32n)
          : pick < 0.4
            ? address + 11n
            : address + BigInt(Math.floor(rnd() * 0x3000) - 0x1800);
    const mem: Operand = { kind: "mem", scale: 1, disp: target, rip: true, dispUnresolved: rnd() < 0.5 };
    const forms: { mnemonic: string; operands: Operand[] }[] = [
      { mnemonic: "lea", operands: [{ kind: "reg", reg: "rax" }, mem] },
      {
        mnemonic: "mov",
        operands: [
          { ...mem, size: 32 },
          { kind: "imm", value: BigInt(Math.floor(rnd() * 300)) },
        ],
      },
      { mnemonic: "mov", operands: [{ kind: "reg", reg: "ecx" }, mem] },
      {
        mnemonic: "add",
        operands: [
          { ...mem, size: 8 },
          { kind: "imm", value: 0x8dn },
        ],
      },
      { mnemonic: "vmptrld", operands: [{ ...mem, size: 64 }] },
    ];
    const f = forms[Math.floor(rnd() * forms.length)]!;
    const mnemonic = flavor === "gas" && f.mnemonic === "mov" && f.operands[0]?.kind === "mem" ? "movl" : f.mnemonic;
    same({ mnemonic, operands: f.operands, bits: 64, flavor, address });
  }
});
