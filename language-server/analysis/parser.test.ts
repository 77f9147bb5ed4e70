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

describe("analysis reuse across edits", () => {
  test("random edits: an analysis that reuses the previous parse equals a fresh one", async () => {
    const { analyze, DEFAULT_ANALYSIS_SETTINGS, ParseCache } = await import("./index");
    const { syntheticHypervisor } = await import("./synthetic");
    let text = `${syntheticHypervisor(400)}\nstart2:\n    call clear\n    vmptrld [vmcs_ptr]\n    jbe fail\n    hlt\nclear:\n    vmclear [vmcs_ptr]\n    jbe fail\n    ret\n`;
    const cache = new ParseCache();
    const pieces = [
      "0x6C01",
      "1",
      "\n",
      "    vmwrite rax, rbx\n",
      "mov rax, 0x4000\n",
      "jbe fail\n",
      ";",
      "x:",
      "[",
      "push rax\n",
      "pop rbx\n",
      "call clear\n",
      "vmclear [vmcs_ptr]\n",
      "%define Q 1\n",
      "MYC equ 0x6C01\n",
      "mov rax, MYC\n",
    ];
    let seed = 99;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const summary = (a: ReturnType<typeof analyze>) =>
      a.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}:${d.message}`).sort();
    for (let i = 0; i < 120; i++) {
      const a = rnd(text.length + 1);
      const b = Math.min(text.length, a + rnd(8));
      text = text.slice(0, a) + (rnd(3) ? pieces[rnd(pieces.length)] : "") + text.slice(b);
      const input = {
        file: "/v.asm",
        text,
        settings: DEFAULT_ANALYSIS_SETTINGS,
        readFile: () => undefined,
        skipFrontend: true,
      };
      const reused = analyze({ ...input, cache });
      const fresh = analyze({ ...input, cache: new ParseCache() });
      assert.deepEqual(summary(reused), summary(fresh), `after edit ${i}`);
    }
  });
});

describe("analyses after edits see every change", () => {
  const run = async (texts: string[]) => {
    const { analyze, DEFAULT_ANALYSIS_SETTINGS, ParseCache } = await import("./index");
    const cache = new ParseCache();
    return texts.map((text) =>
      analyze({
        file: "/w.asm",
        text,
        settings: DEFAULT_ANALYSIS_SETTINGS,
        readFile: () => undefined,
        cache,
        skipFrontend: true,
      }).diagnostics.map((d) => d.code),
    );
  };
  test("a constant's new value reaches blocks whose statements did not change", async () => {
    const body = "bits 64\nstart:\n    mov rax, C\n    jmp next\nnext:\n    vmwrite rax, rbx\n    jbe f\nf:  hlt\n";
    const [before, after] = await run([`C equ 0x6800\n${body}`, `C equ 0x6C01\n${body}`]);
    assert.ok(!before!.includes("vmcs-high-access"));
    assert.ok(after!.includes("vmcs-high-access"));
  });
  test("a store in an unchanged block still counts as the revision identifier", async () => {
    const body = (c: string) =>
      `bits 64\nstart:\n    mov rdi, region\n    mov [rdi], eax\n    jmp next\nnext:\n    vmxon [ptr]\n    jbe f ; ${c}\nf:  hlt\nptr: dq region\nalign 4096\nregion: times 4096 db 0\n`;
    const [first, second] = await run([body("a"), body("b")]);
    assert.ok(!first!.includes("region-no-revision-id"));
    assert.ok(!second!.includes("region-no-revision-id"));
  });
});
