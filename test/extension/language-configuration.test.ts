// The language configurations' word patterns select what a user means by "a word" in hypervisor assembly:
// a whole `%reg`, a whole `$imm`, a `.local` label with its dot, a macro parameter.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";

interface LanguageConfiguration {
  comments: { lineComment: string; blockComment?: [string, string] };
  brackets: [string, string][];
  wordPattern: string;
  folding: { markers: { start: string; end: string } };
}

function load(name: string): LanguageConfiguration {
  return JSON.parse(
    readFileSync(join(__dirname, "..", "..", "language", `${name}.language-configuration.json`), "utf8"),
  );
}

/** The word at `column`, found the way VS Code's getWordRangeAtPosition does: a global scan of the line. */
function wordAt(pattern: string, line: string, column: number): string | undefined {
  const re = new RegExp(pattern, "g");
  for (const m of line.matchAll(re)) {
    const start = m.index ?? 0;
    if (start <= column && column <= start + m[0].length && m[0].length > 0) return m[0];
  }
  return undefined;
}

describe("GAS language configuration", () => {
  const c = load("vmx-gas");
  test("comments: # line, /* */ block", () => {
    assert.equal(c.comments.lineComment, "#");
    assert.deepEqual(c.comments.blockComment, ["/*", "*/"]);
  });
  test("a %register is one word with its %", () => {
    assert.equal(wordAt(c.wordPattern, "    vmwrite %rbx, %rax", 14), "%rbx");
  });
  test("a $immediate is one word with its $", () => {
    assert.equal(wordAt(c.wordPattern, "    mov $0x6C00, %rax", 10), "$0x6C00");
    assert.equal(wordAt(c.wordPattern, "    mov $GUEST_CR4, %rax", 12), "$GUEST_CR4");
  });
  test("a .L local label keeps its dot; macro parameters keep their backslash", () => {
    assert.equal(wordAt(c.wordPattern, "    jmp .Lretry", 12), ".Lretry");
    assert.equal(wordAt(c.wordPattern, "    mov $\\field, %rax", 11), "\\field");
  });
  test("folding markers pair .macro with .endm", () => {
    assert.match("  .macro VMW f, v", new RegExp(c.folding.markers.start));
    assert.match("  .endm", new RegExp(c.folding.markers.end));
  });
});

describe("NASM language configuration", () => {
  const c = load("vmx-nasm");
  test("comments: ; line only", () => {
    assert.equal(c.comments.lineComment, ";");
    assert.equal(c.comments.blockComment, undefined);
  });
  test("a .local label keeps its dot", () => {
    assert.equal(wordAt(c.wordPattern, "    jz .fail", 9), ".fail");
  });
  test("%% macro-local labels and %1 parameters are words", () => {
    assert.equal(wordAt(c.wordPattern, "    jc %%failed", 10), "%%failed");
    assert.equal(wordAt(c.wordPattern, "    mov rax, %1", 14), "%1");
  });
  test("registers and hex constants are words", () => {
    assert.equal(wordAt(c.wordPattern, "    mov ecx, 0x480", 9), "ecx");
    assert.equal(wordAt(c.wordPattern, "    mov ecx, 0x480", 15), "0x480");
    assert.equal(wordAt(c.wordPattern, "    mov eax, 480h", 15), "480h");
  });
  test("folding markers pair %macro with %endmacro", () => {
    assert.match("%macro VMW 2", new RegExp(c.folding.markers.start));
    assert.match("%endmacro", new RegExp(c.folding.markers.end));
  });
});
