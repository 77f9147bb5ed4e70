// Robustness: random text and random mutations of the corpus never make the assembler or the parser throw
// or report an internal error, and every diagnostic range lies inside the source. Fixed seeds, so a failure
// reproduces; the node:test timeout only guards against hangs (speed is measured in bench/, not here).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { assemble, type Diagnostic, parse } from "../../assembler/index";
import { corpusFiles } from "./corpus";

/** mulberry32: small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCAB = [
  "mov",
  "movl",
  "movq",
  "add",
  "jmp",
  "jne",
  "call",
  "ret",
  "vmxon",
  "vmwrite",
  "vmread",
  "vmlaunch",
  "lgdt",
  "rdmsr",
  "%rax",
  "%eax",
  "rax",
  "eax",
  "cr0",
  "[",
  "]",
  "(",
  ")",
  ",",
  ":",
  "$",
  "$$",
  ".",
  "*",
  "+",
  "-",
  "<<",
  ">>",
  "/",
  "%",
  "0x10",
  "1b",
  "1f",
  "42",
  "'a'",
  '"str"',
  "label",
  "label:",
  ".L1:",
  "1:",
  ".byte",
  ".long",
  ".quad",
  ".ascii",
  ".rept",
  ".endr",
  ".macro",
  ".endm",
  ".if",
  ".else",
  ".endif",
  ".include",
  ".intel_syntax",
  "noprefix",
  ".att_syntax",
  ".code16",
  ".code32",
  ".code64",
  ".section",
  ".text",
  ".data",
  ".align",
  ".org",
  ".fill",
  ".equ",
  "=",
  "db",
  "dw",
  "dd",
  "dq",
  "resb",
  "times",
  "align",
  "org",
  "bits",
  "section",
  "equ",
  "%define",
  "%macro",
  "%endmacro",
  "%rep",
  "%endrep",
  "%if",
  "%elif",
  "%endif",
  "%1",
  "%%loc",
  "rel",
  "dword",
  "qword",
  "ptr",
  "far",
  "short",
  "#",
  ";",
  "//",
  "/*",
  "*/",
  "\\",
  "`",
  "{",
  "}",
  "\n",
  "\n",
  "\n",
  "  ",
];

function check(source: string, fileName: string): void {
  const lines = source.split(/\r\n|\r|\n/);
  const inRange = (d: Diagnostic) => {
    const { start, end } = d.range;
    if (d.file !== fileName) return true; // an include resolver is not given here, but be lenient
    return (
      start.line >= 0 &&
      start.line < lines.length &&
      end.line >= start.line &&
      (end.line > start.line || end.character >= start.character) &&
      start.character <= (lines[start.line]?.length ?? 0) + 1
    );
  };
  const p = assemble(source, { fileName, readFile: () => undefined });
  const internal = p.diagnostics.filter((d) => d.code === "asm-internal-error");
  assert.deepEqual(internal, [], `internal error for:\n${source}`);
  for (const d of p.diagnostics) assert.ok(inRange(d), `bad range ${JSON.stringify(d)} for:\n${source}`);
  const r = parse(source, { fileName });
  for (const d of r.diagnostics) assert.ok(inRange(d), `bad parse range ${JSON.stringify(d)} for:\n${source}`);
}

describe("robustness", { timeout: 120_000 }, () => {
  for (const [syntax, fileName] of [
    ["gas", "fuzz.s"],
    ["nasm", "fuzz.asm"],
  ] as const) {
    test(`random token soup never throws (${syntax})`, () => {
      const rand = rng(syntax === "gas" ? 1 : 2);
      for (let n = 0; n < 300; n++) {
        const len = 1 + Math.floor(rand() * 40);
        const parts: string[] = [];
        for (let k = 0; k < len; k++) parts.push(VOCAB[Math.floor(rand() * VOCAB.length)]!);
        check(parts.join(rand() < 0.5 ? " " : ""), fileName);
      }
    });

    test(`random bytes never throw (${syntax})`, () => {
      const rand = rng(syntax === "gas" ? 3 : 4);
      for (let n = 0; n < 200; n++) {
        const len = Math.floor(rand() * 200);
        let s = "";
        for (let k = 0; k < len; k++) {
          const r = rand();
          s +=
            r < 0.1
              ? "\n"
              : r < 0.95
                ? String.fromCharCode(32 + Math.floor(rand() * 95))
                : String.fromCharCode(Math.floor(rand() * 0xffff));
        }
        check(s, fileName);
      }
    });
  }

  test("random token soup never throws (.S with the C preprocessor)", () => {
    const rand = rng(6);
    const cpp = [
      "#define X 1",
      "#define F(a) a+1",
      "#if X",
      "#ifdef X",
      "#elif 0",
      "#else",
      "#endif",
      "#undef X",
      '#include "a.h"',
      "X",
      "F(2)",
    ];
    for (let n = 0; n < 200; n++) {
      const lines: string[] = [];
      const len = 1 + Math.floor(rand() * 20);
      for (let k = 0; k < len; k++)
        lines.push(rand() < 0.4 ? cpp[Math.floor(rand() * cpp.length)]! : VOCAB[Math.floor(rand() * VOCAB.length)]!);
      check(lines.join(rand() < 0.7 ? "\n" : " "), "fuzz.S");
    }
  });

  test("pathologically nested or long expressions are diagnosed, not a stack overflow", () => {
    const cases: [string, string][] = [
      [`mov eax, ${"(".repeat(20000)}1${")".repeat(20000)}\n`, "deep.asm"],
      [`.long ${"-".repeat(50000)}1\n`, "neg.s"],
      [`x: .long ${"1+".repeat(100000)}1\n`, "long.s"],
      [`movl $${"~".repeat(30000)}0, %eax\n`, "not.s"],
      [`db ${"1 dup (".repeat(5000)}1${")".repeat(5000)}\n`, "dup.asm"],
    ];
    for (const [src, fileName] of cases) {
      check(src, fileName);
      const p = assemble(src, { fileName });
      assert.ok(
        p.diagnostics.some((d) => d.severity === "error"),
        `${fileName}: an error`,
      );
    }
    // Huge counts are reported, not attempted.
    for (const [src, fileName] of [
      [".fill 100000000, 8, 0\n", "fill.s"],
      [".space 200000000\n", "space.s"],
      ["resb 0x7fffffffffff\n", "resb.asm"],
      [".org 0x7fffffffffff\n", "org.s"],
      ["times 100000000 nop\n", "times.asm"],
    ] as const)
      assert.ok(
        assemble(src, { fileName }).diagnostics.some((d) => d.code === "asm-output-too-large"),
        fileName,
      );
    // Self-referencing and doubling single-line macros terminate.
    let chain = "%define X X X\ndb X\n";
    for (let i = 0; i < 40; i++) chain += `%define M${i} M${i + 1} M${i + 1}\n`;
    check(`${chain}%define M40 1\ndb M0\n`, "chain.asm");
    // Long but reasonable expressions still work.
    const ok = assemble(`.long ${"1+".repeat(2000)}1\n`, { fileName: "ok.s" });
    assert.deepEqual(ok.diagnostics, []);
  });

  test("random mutations of every corpus file never throw", () => {
    const rand = rng(5);
    for (const f of corpusFiles()) {
      const original = readFileSync(f.path, "utf8");
      const fileName = f.syntax === "nasm" ? "m.asm" : "m.s";
      for (let n = 0; n < 15; n++) {
        let s = original;
        const edits = 1 + Math.floor(rand() * 4);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(rand() * (s.length + 1));
          const kind = rand();
          if (kind < 0.3) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 20));
          else if (kind < 0.6) s = s.slice(0, at) + VOCAB[Math.floor(rand() * VOCAB.length)]! + s.slice(at);
          else if (kind < 0.8) {
            const lines = s.split("\n");
            const i = Math.floor(rand() * lines.length);
            lines.splice(Math.floor(rand() * lines.length), 0, lines[i] ?? "");
            s = lines.join("\n");
          } else s = s.slice(0, at) + String.fromCharCode(32 + Math.floor(rand() * 95)) + s.slice(at);
        }
        check(s, fileName);
      }
    }
  });
});
