// Editor features of the analysis core, in-process: hover, completion, navigation, symbols, folding, inlay
// hints, semantic tokens and code actions.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { codeActionsAt } from "./code-actions";
import { completionsAt } from "./completion";
import { foldingRanges } from "./folding";
import { hoverAt } from "./hover";
import { type Analysis, analyze, DEFAULT_ANALYSIS_SETTINGS, diagnosticsForFile, resolveSyntax } from "./index";
import { inlayHints } from "./inlay";
import { definitionAt, referencesAt, renameAt } from "./navigation";
import { semanticTokenList } from "./semantic-tokens";
import { documentSymbols } from "./symbols";

function open(text: string, file = "/ws/main.asm", files: Record<string, string> = {}): Analysis {
  return analyze({ file, text, settings: DEFAULT_ANALYSIS_SETTINGS, readFile: (p) => files[p], skipFrontend: true });
}

const at = (line: number, character: number) => ({ line, character });
const everything = { start: at(0, 0), end: at(1000, 0) };

const NASM = `bits 64
%include "defs.inc"
section .text
start:
    mov rax, 0x4000
    mov rbx, 0x16
    vmwrite rax, rbx
    jbe .fail
    mov rax, PIN
    mov ebx, 0
    vmwrite rax, rbx
    jbe .fail
    mov ecx, 0x3A
    rdmsr
.fail:
    hlt
%macro SAVE 0
    push rax
%endmacro
    SAVE
`;
const DEFS = "PIN equ 0x4000\n";

describe("hover", () => {
  const a = open(NASM, "/ws/main.asm", { "/ws/defs.inc": DEFS });
  test("a numeric encoding at a VMWRITE shows the field", () => {
    const h = hoverAt(a, at(4, 15));
    assert.match(h?.markdown ?? "", /PIN_BASED_VM_EXEC_CONTROLS/);
    assert.match(h?.markdown ?? "", /vm-execution-control/);
  });
  test("the value written to a control field is decoded bit by bit", () => {
    const h = hoverAt(a, at(5, 14));
    assert.match(h?.markdown ?? "", /Value written to \*\*PIN_BASED_VM_EXEC_CONTROLS\*\*/);
    assert.match(h?.markdown ?? "", /0x16/);
  });
  test("a register at a VMX site shows its value and field", () => {
    const h = hoverAt(a, at(6, 13));
    assert.match(h?.markdown ?? "", /`rax` = `0x4000`/);
    assert.match(h?.markdown ?? "", /PIN_BASED_VM_EXEC_CONTROLS/);
  });
  test("a constant from an included file shows its definition and value", () => {
    const h = hoverAt(a, at(8, 14));
    assert.match(h?.markdown ?? "", /\*\*PIN\*\* — constant `PIN equ 0x4000`/);
  });
  test("an MSR number loaded into ECX", () => {
    assert.match(hoverAt(a, at(12, 14))?.markdown ?? "", /IA32_FEATURE_CONTROL/);
  });
  test("an I/O port at IN/OUT: immediate, constant, DX, in both dialects (arch/'s port table)", () => {
    const n = open(
      "bits 64\nPIT_CMD equ 0x43\n    out 0x20, al\n    out PIT_CMD, al\n    mov edx, 0x3FD\n    in al, dx\n",
    );
    assert.match(hoverAt(n, at(2, 9))?.markdown ?? "", /I\/O port 20h\*\* — 8259A master PIC: command/);
    assert.match(hoverAt(n, at(3, 10))?.markdown ?? "", /I\/O port 43h\*\* — 8254 PIT: control word/);
    assert.match(hoverAt(n, at(5, 11))?.markdown ?? "", /I\/O port 3FDh\*\* — COM1 16550 UART: LSR/);
    const g = open("    .text\nstart:\n    outb %al, $0x92\n", "/ws/p.s");
    assert.match(hoverAt(g, at(2, 16))?.markdown ?? "", /system control port A[\s\S]*INIT_NOW/);
    // Elsewhere a number is only a number.
    assert.doesNotMatch(hoverAt(n, at(4, 13))?.markdown ?? "", /I\/O port/);
  });
  test("AT&T hover shows AT&T operand order", () => {
    const g = open("    .text\nstart:\n    vmread %rax, %rbx\n", "/ws/a.s");
    assert.match(hoverAt(g, at(2, 6))?.markdown ?? "", /vmread %r64, r\/m64/);
  });
});

describe("completion", () => {
  test("operands of AT&T code complete %registers and VMCS field names", () => {
    const g = open("    .text\nstart:\n    mov $\n", "/ws/a.s");
    const items = completionsAt(g, at(2, 9), "    mov $", "encoding");
    assert.ok(items.some((i) => i.label === "%rax"));
    const f = items.find((i) => i.label === "GUEST_CR0");
    assert.equal(f?.insertText, "0x6800");
  });
  test("with names preferred, a missing constant is defined by an additional edit (GAS .set)", () => {
    const g = open("    .text\nstart:\n    mov $\n", "/ws/a.s");
    const f = completionsAt(g, at(2, 9), "    mov $", "name").find((i) => i.label === "GUEST_CR0");
    assert.equal(f?.insertText, undefined);
    assert.equal(f?.additionalEdits?.[0]?.newText, ".set GUEST_CR0, 0x6800\n");
  });
  test("statement start completes mnemonics, directives and macros", () => {
    const a = open(NASM, "/ws/main.asm", { "/ws/defs.inc": DEFS });
    const labels = new Set(completionsAt(a, at(20, 4), "    ", "name").map((i) => i.label));
    for (const l of ["vmxon", "mov", "section", "%define", "SAVE"]) assert.ok(labels.has(l), l);
  });
  test("nothing inside comments", () => {
    const a = open(NASM);
    assert.deepEqual(completionsAt(a, at(3, 10), "    ; vmw", "name"), []);
  });
});

describe("navigation", () => {
  const a = open(NASM, "/ws/main.asm", { "/ws/defs.inc": DEFS });
  test("definition across an include", () => {
    assert.deepEqual(definitionAt(a, at(8, 14)), [{ file: "/ws/defs.inc", range: { start: at(0, 0), end: at(0, 3) } }]);
  });
  test("definition of the include path opens the file", () => {
    assert.equal(definitionAt(a, at(1, 12))[0]?.file, "/ws/defs.inc");
  });
  test("NASM local labels are scoped and found by references", () => {
    const refs = referencesAt(a, at(14, 2), true);
    assert.deepEqual(
      refs.map((r) => r.range.start.line).sort((x, y) => x - y),
      [7, 11, 14],
    );
  });
  test("macro references include invocations; rename edits all", () => {
    const refs = referencesAt(a, at(16, 9), true);
    assert.deepEqual(
      refs.map((r) => r.range.start.line).sort((x, y) => x - y),
      [16, 19],
    );
    const r = renameAt(a, at(14, 2), ".bad");
    assert.equal(r?.edits.length, 3);
    assert.ok(r?.edits.every((e) => e.newText === ".bad"));
  });
});

describe("symbols, folding, inlay hints, semantic tokens", () => {
  const a = open(NASM, "/ws/main.asm", { "/ws/defs.inc": DEFS });
  test("document symbols: section → label → local label; macro", () => {
    const syms = documentSymbols(a);
    const text = syms.find((s) => s.name === ".text");
    const start = text?.children.find((c) => c.name === "start");
    assert.ok(start?.children.some((c) => c.name === ".fail"));
    assert.ok(text?.children.some((c) => c.name === "SAVE" && c.kind === "macro"));
  });
  test("folding: the macro body and the label body", () => {
    const folds = foldingRanges(a);
    assert.ok(folds.some((f) => f.startLine === 16 && f.endLine === 18));
    assert.ok(folds.some((f) => f.startLine === 3));
  });
  test("inlay hints name literal encodings and MSR numbers, not named constants", () => {
    const hints = inlayHints(a, everything);
    assert.deepEqual(
      hints.map((h) => `${h.position.line}:${h.label}`),
      ["4:PIN_BASED_VM_EXEC_CONTROLS", "12:IA32_FEATURE_CONTROL"],
    );
  });
  test("semantic tokens classify mnemonics, VMX instructions, registers, numbers, labels, constants, macros", () => {
    const toks = semanticTokenList(a);
    const find = (line: number, start: number) => toks.find((t) => t.line === line && t.start === start);
    assert.deepEqual(find(6, 4)?.modifiers, ["vmx"]);
    assert.equal(find(4, 4)?.type, "keyword");
    assert.equal(find(4, 8)?.type, "variable");
    assert.equal(find(4, 13)?.type, "number");
    assert.equal(find(8, 13)?.type, "enumMember");
    assert.equal(find(7, 8)?.type, "function");
    assert.equal(find(19, 4)?.type, "macro");
  });
});

describe("code actions", () => {
  test("replace a magic encoding with the named field and define it", () => {
    const a = open(NASM, "/ws/main.asm", { "/ws/defs.inc": DEFS });
    const actions = codeActionsAt(a, { start: at(4, 14), end: at(4, 14) }, "skylake-x");
    const named = actions.find((x) => x.fix.title.includes("PIN_BASED_VM_EXEC_CONTROLS"));
    assert.ok(named);
    assert.deepEqual(
      named.fix.edits.map((e) => e.newText),
      ["PIN_BASED_VM_EXEC_CONTROLS equ 0x4000\n", "PIN_BASED_VM_EXEC_CONTROLS"],
    );
  });
  test("compute a control value from the model's capability MSR", () => {
    const a = open(
      "bits 64\nstart:\n    mov rax, 0x4000\n    mov rbx, 0x8\n    vmwrite rax, rbx\n    jbe x\nx:  hlt\n",
    );
    const fix = codeActionsAt(a, { start: at(4, 4), end: at(4, 4) }, "skylake-x").find((x) =>
      /Compute|Use/.test(x.fix.title),
    );
    assert.equal(fix?.fix.edits[0]?.newText, "0x1E");
  });
});

describe("dialect selection", () => {
  test("vmx.syntax, the language id, the extension and the text decide", () => {
    assert.equal(resolveSyntax("/a.asm", "", "gas"), "gas");
    assert.equal(resolveSyntax("/a.txt", "", "auto", "vmx-gas"), "gas");
    assert.equal(resolveSyntax("/a.S", "", "auto"), "gas");
    assert.equal(resolveSyntax("/a.inc", "mov %rax, %rbx", "auto"), "nasm");
    assert.equal(resolveSyntax("/untitled", "    .text\n    movq $1, %rax\n", "auto"), "gas");
    assert.equal(resolveSyntax("/untitled", "section .text\n    mov rax, [rbx]\n", "auto"), "nasm");
  });
});

describe("run-time control adjustment", () => {
  test("NASM: RDMSR of the TRUE capability MSR, OR allowed-0, AND allowed-1 before the VMWRITE", () => {
    const a = open(
      "bits 64\nstart:\n    mov eax, 0x4000\n    mov ebx, 0x8\n    vmwrite rax, rbx\n    jbe x\nx:  hlt\n",
    );
    const fix = codeActionsAt(a, { start: at(4, 4), end: at(4, 4) }, "skylake-x").find((x) =>
      /at run time/.test(x.fix.title),
    );
    const text = fix?.fix.edits[0]?.newText ?? "";
    assert.match(text, /mov ecx, 0x48D {4}; IA32_VMX_TRUE_PINBASED_CTLS/);
    assert.match(text, /or ebx, eax/);
    assert.match(text, /and ebx, edx/);
    assert.equal(fix?.fix.edits[0]?.range.start.line, 4);
  });
  test("AT&T, on a model without TRUE controls the base capability MSR; not offered for RAX/RDX", () => {
    const g = open(
      "    .text\nstart:\n    mov $0x4000, %eax\n    mov $0x8, %esi\n    vmwrite %rsi, %rax\n    jbe 1f\n1:  hlt\n",
      "/ws/a.s",
    );
    const fix = codeActionsAt(g, { start: at(4, 4), end: at(4, 4) }, "core2-first-gen").find((x) =>
      /at run time/.test(x.fix.title),
    );
    assert.match(fix?.fix.edits[0]?.newText ?? "", /mov \$0x481, %ecx {4}# IA32_VMX_PINBASED_CTLS/);
    const bad = open(
      "    .text\nstart:\n    mov $0x4000, %eax\n    mov $0x8, %edx\n    vmwrite %rdx, %rax\n    jbe 1f\n1:  hlt\n",
      "/ws/b.s",
    );
    assert.ok(
      !codeActionsAt(bad, { start: at(4, 4), end: at(4, 4) }, "skylake-x").some((x) => /at run time/.test(x.fix.title)),
    );
  });
});

describe("hover on a constant of one's own name", () => {
  test("a constant used as a field encoding or an MSR index explains itself at its definition", () => {
    const a = open(
      "MY_FIELD equ 0x681E\nMY_MSR equ 0x3A\nbits 64\nstart:\n    mov rax, MY_FIELD\n    vmread rbx, rax\n    jbe x\n    mov ecx, MY_MSR\n    rdmsr\nx:  hlt\n",
    );
    assert.match(hoverAt(a, at(0, 3))?.markdown ?? "", /Used as a VMCS field encoding \(line 6\)[\s\S]*GUEST_RIP/);
    assert.match(hoverAt(a, at(1, 3))?.markdown ?? "", /Used as an MSR index \(line 9\)[\s\S]*IA32_FEATURE_CONTROL/);
  });
});

describe("include files", () => {
  const inc = "helper:\n    mov rax, FIELD\n    vmwrite rax, rbx\n    jbe .out\n.out:\n    ret\n";
  const main = 'bits 64\nFIELD equ 0x6C01\nstart:\n    call helper\n    hlt\n%include "helpers.inc"\n';
  const files: Record<string, string> = { "/ws/helpers.inc": inc, "/ws/main.asm": main };
  test("analysed in its includer: the includer's constants reach the rules, the assembler sees them defined", () => {
    const a = analyze({
      file: "/ws/helpers.inc",
      text: inc,
      settings: DEFAULT_ANALYSIS_SETTINGS,
      readFile: (p) => files[p],
      includer: { file: "/ws/main.asm", text: main },
    });
    assert.equal(a.root, "/ws/main.asm");
    assert.deepEqual(
      diagnosticsForFile(a).map((d) => `${d.code}@${d.range.start.line}`),
      ["vmcs-high-access@2"],
    );
  });
  test("on its own: 64-bit code, and a symbol it does not define is no error", () => {
    const a = analyze({
      file: "/ws/helpers.inc",
      text: inc,
      settings: DEFAULT_ANALYSIS_SETTINGS,
      readFile: (p) => files[p],
    });
    assert.equal(a.root, "/ws/helpers.inc");
    const ds = diagnosticsForFile(a);
    assert.deepEqual(
      ds.map((d) => `${d.code}@${d.range.start.line}:${d.severity}`),
      ["asm-undefined-symbol@1:information"],
    );
  });
});
