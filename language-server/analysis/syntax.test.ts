// The statement model built from the assembler's syntax tree, and the incremental parse (reusing unchanged lines
// of the previous parse), which must give exactly what a fresh parse gives.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ParsedFile, parseFile, splitLines } from "./syntax";
import type { Syntax } from "./types";

function fresh(text: string, syntax: Syntax): ParsedFile {
  return parseFile(text, "/f", syntax);
}

/** Expression ranges keep the columns that matter; their line numbers are those of the parse that made them. */
function strip(p: ParsedFile): unknown {
  return JSON.parse(
    JSON.stringify({ statements: p.statements, startState: [...p.startState] }, (k, v) =>
      typeof v === "bigint" ? `${v}n` : k === "range" ? [v.start.character, v.end.character] : v,
    ),
  );
}

describe("statements from the assembler's tree", () => {
  test("NASM: labels, constants, operands in Intel order, data, macros, preprocessor values", () => {
    const p = fresh(
      "%define FIELD 0x681E\nC equ FIELD + 2\nstart: vmwrite rax, [rbx + rcx*8 + 16]\nmsg db 'hi', 0\nbuf: times 2 resq 4\nlone\n",
      "nasm",
    );
    const [def, equ, ins, data, times, lone] = p.statements;
    assert.equal(def?.kind, "constant");
    assert.equal(def?.constName?.name, "FIELD");
    assert.equal(def?.constExpr?.kind, "number");
    assert.deepEqual(
      def?.numbers.map((n) => [n.start, n.end, n.value]),
      [[14, 20, 0x681en]],
    );
    assert.equal(equ?.constName?.name, "C");
    assert.deepEqual(equ?.refs, [{ name: "FIELD", start: 6, end: 11 }]);
    assert.deepEqual(
      ins?.labels.map((l) => l.name),
      ["start"],
    );
    assert.equal(ins?.name, "vmwrite");
    assert.deepEqual(
      ins?.operands.map((o) => [o.kind, o.reg ?? o.base, o.index, o.scale, o.text]),
      [
        ["reg", "rax", undefined, undefined, "rax"],
        ["mem", "rbx", "rcx", 8, "[rbx + rcx*8 + 16]"],
      ],
    );
    assert.deepEqual(
      ins?.registers.map((r) => [r.start, r.end]),
      [
        [15, 18],
        [21, 24],
        [27, 30],
      ],
    );
    assert.equal(data?.data?.itemSize, 1);
    assert.equal(data?.data?.items.length, 2);
    assert.equal(times?.times?.kind, "number");
    assert.equal(times?.data?.reserveUnit, 8);
    assert.equal(lone?.bareWord, true);
  });
  test("GAS: AT&T operands are reversed to Intel order; .intel_syntax lines are Intel; .set and = define", () => {
    const p = fresh(
      ".set F, 0x4002\nX = 5\nvmwrite %rbx, %rax\n.intel_syntax noprefix\nvmwrite rax, rbx\n.att_syntax\njmp 1f\n1: hlt\n",
      "gas",
    );
    const st = p.statements;
    assert.equal(st[0]?.constName?.name, "F");
    assert.equal(st[1]?.constName?.name, "X");
    assert.deepEqual(
      st[2]?.operands.map((o) => o.reg),
      ["rax", "rbx"],
    );
    assert.equal(st[2]?.intel, false);
    assert.equal(st[4]?.intel, true);
    assert.deepEqual(
      st[4]?.operands.map((o) => o.reg),
      ["rax", "rbx"],
    );
    assert.equal(st[6]?.intel, false);
    assert.equal(st[6]?.operands[0]?.expr?.kind, "localRef");
  });
  test("GAS .S: C preprocessor lines are directives", () => {
    const p = parseFile('#include "defs.h"\n#define GUEST_RIP 0x681E\n#ifdef X\n#endif\n', "/f.S", "gas");
    assert.deepEqual(
      p.statements.map((s) => s.name),
      ["#include", "#define", "#ifdef", "#endif"],
    );
    assert.equal(p.statements[0]?.args[0]?.text, '"defs.h"');
    assert.equal(p.statements[1]?.constName?.name, "GUEST_RIP");
  });
});

describe("incremental parse", () => {
  for (const syntax of ["gas", "nasm"] as const) {
    test(`${syntax}: random edits, reused lines equal a fresh parse`, () => {
      const base =
        syntax === "gas"
          ? "    .text\nstart:\n    mov $0x6800, %rax # a\n  vmread %rax, %rbx\n.intel_syntax noprefix\n    mov rax, 1; vmwrite rax, rbx\n.att_syntax\n    hlt\n"
          : "bits 64\nstart:\n    mov rax, 0x6800\n    vmread rbx, rax ; c\nmsg db 'x'\n%macro M 1\n  nop\n%endmacro\n    M 1\n";
      const pieces = [
        "/*",
        "*/",
        "\n",
        ".intel_syntax noprefix\n",
        ".intel_syntax prefix\n",
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
      let seed = 7;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      for (let i = 0; i < 300; i++) {
        const a = rnd(text.length + 1);
        const b = Math.min(text.length, a + rnd(6));
        text = text.slice(0, a) + (rnd(2) ? pieces[rnd(pieces.length)] : "") + text.slice(b);
        const inc = parseFile(text, "/f", syntax, prev);
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
  test("data a block reads (a pointer's target) changed in a structural edit reaches the unchanged block", async () => {
    const body = (target: string) =>
      `bits 64\nstart:\n    mov ecx, 0x480\n    rdmsr\n    mov [region], eax\n    mov [other], eax\n    vmxon [ptr]\n    jbe f\nf:  hlt\nptr: dq ${target}\nalign 4096\nregion: times 4096 db 0\ndb 1\nother: times 4096 db 0\n`;
    const [aligned, misaligned, back] = await run([body("region"), body("other"), body("region")]);
    assert.ok(!aligned!.some((c) => c.startsWith("region-")));
    assert.ok(
      misaligned!.some((c) => c.startsWith("region-")),
      misaligned!.join(),
    );
    assert.deepEqual(back, aligned);
  });
  test("a macro defined later makes an unchanged statement a macro call", async () => {
    const body = "start:\n    mov rax, 0x6C01\n    SETUP 1\n    vmwrite rax, rbx\n    jbe f\nf:  hlt\n";
    const macro = "%macro SETUP 1\n    mov rax, 0x6C00\n%endmacro\n";
    const [plain, withMacro] = await run([`bits 64\n${body}`, `bits 64\n${macro}${body}`]);
    assert.ok(plain!.includes("vmcs-high-access"));
    assert.ok(!withMacro!.includes("vmcs-high-access"), withMacro!.join());
  });
  test("a label renamed: the jump to it from an unchanged block no longer reaches it", async () => {
    const body = (name: string) =>
      `bits 64\nstart:\n    mov rax, 0x6C01\n    jmp target\n${name}:\n    vmwrite rax, rbx\n    jbe f\nf:  hlt\n`;
    const [direct, renamed, back] = await run([body("target"), body("target2"), body("target")]);
    assert.ok(direct!.includes("vmcs-high-access"));
    assert.ok(!renamed!.includes("vmcs-high-access"), renamed!.join());
    assert.deepEqual(back, direct);
  });
});

describe("splitting an edited text into lines", () => {
  test("random edits (\\n, \\r\\n, lone \\r): the lines shared with the previous text equal a fresh split", () => {
    const pieces = ["\n", "\r\n", "\r", "a", "bc", "\n\n", " x\r\n y", ""];
    let seed = 3;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let text = "one\ntwo\r\nthree\rfour\n\nfive";
    let lines = text.split(/\r\n|\r|\n/);
    for (let i = 0; i < 3000; i++) {
      const a = rnd(text.length + 1);
      const b = Math.min(text.length, a + rnd(5));
      const next = text.slice(0, a) + pieces[rnd(pieces.length)] + text.slice(b);
      const got = splitLines(next, { text, lines });
      assert.deepEqual(got, next.split(/\r\n|\r|\n/), `edit ${i}: ${JSON.stringify(text)} -> ${JSON.stringify(next)}`);
      text = next;
      lines = got;
    }
  });
});
