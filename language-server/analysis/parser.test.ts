// The incremental parse (reusing unchanged lines of the previous parse) gives exactly what a fresh parse gives.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isKnownMnemonic } from "./mnemonics";
import { type LineCache, type ParsedFile, parseFile } from "./parser";
import type { Syntax } from "./types";

function fresh(text: string, syntax: Syntax): ParsedFile {
  return parseFile(text, { file: "/f", syntax, isMnemonic: isKnownMnemonic });
}

function strip(p: ParsedFile): unknown {
  return { statements: p.statements, startState: p.startState };
}

describe("incremental parse", () => {
  for (const syntax of ["gas", "nasm"] as const) {
    test(`${syntax}: random edits, reused lines equal a fresh parse`, () => {
      const base =
        syntax === "gas"
          ? "    .text\nstart:\n    mov $0x6800, %rax /* a\n  block */ vmread %rax, %rbx\n.intel_syntax noprefix\n    mov rax, 1; vmwrite rax, rbx\n.att_syntax\n    hlt\n"
          : "bits 64\nstart:\n    mov rax, 0x6800\n    vmread rbx, rax ; c\nmsg db 'x'\n%macro M 1\n  nop\n%endmacro\n    M 1\n";
      const pieces = [
        "/*",
        "*/",
        "\n",
        ".intel_syntax noprefix\n",
        ".att_syntax\n",
        "mov",
        ";",
        " ",
        "x:",
        "%rax",
        "[rax]",
        "0x10",
        "'",
      ];
      let text = base;
      let prev = fresh(text, syntax);
      const cache: LineCache = new Map();
      let seed = 7;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      for (let i = 0; i < 400; i++) {
        const a = rnd(text.length + 1);
        const b = Math.min(text.length, a + rnd(6));
        text = text.slice(0, a) + (rnd(2) ? pieces[rnd(pieces.length)] : "") + text.slice(b);
        const inc = parseFile(text, { file: "/f", syntax, isMnemonic: isKnownMnemonic }, cache, prev);
        assert.deepEqual(strip(inc), strip(fresh(text, syntax)), `after edit ${i}: ${JSON.stringify(text)}`);
        prev = inc;
      }
    });
  }
});
