// Every VMX rule, in NASM and in GAS (AT&T, and Intel syntax where it matters), positive and negative.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type AnalysisDiagnostic,
  type AnalysisSettings,
  analyze,
  DEFAULT_ANALYSIS_SETTINGS,
  diagnosticsForFile,
} from "./index";

function lint(
  src: string,
  syntax: "gas" | "nasm",
  settings: Partial<AnalysisSettings> = {},
  files: Record<string, string> = {},
): AnalysisDiagnostic[] {
  const file = syntax === "gas" ? "/virtual/main.s" : "/virtual/main.asm";
  return analyze({
    file,
    text: src,
    settings: { ...DEFAULT_ANALYSIS_SETTINGS, ...settings },
    readFile: (p) => files[p],
  }).diagnostics;
}

function withCode(ds: AnalysisDiagnostic[], code: string): AnalysisDiagnostic[] {
  return ds.filter((d) => d.code === code);
}

function only(ds: AnalysisDiagnostic[], code: string): AnalysisDiagnostic {
  const hits = withCode(ds, code);
  assert.equal(
    hits.length,
    1,
    `expected one ${code}, got: ${ds.map((d) => `${d.code}@${d.range.start.line}`).join(", ")}`,
  );
  return hits[0]!;
}

const nasm = (body: string) => `bits 64\nsection .text\nstart:\n${body}\n`;
const gas = (body: string) => `    .text\n    .globl start\nstart:\n${body}\n`;

describe("vmcs-unknown-field", () => {
  test("NASM: an encoding with no field", () => {
    const d = only(
      lint(nasm("    mov rax, 0x6DFE\n    vmwrite rax, rbx\n    jbe fail\nfail: hlt"), "nasm"),
      "vmcs-unknown-field",
    );
    assert.equal(d.severity, "error");
    assert.equal(d.range.start.line, 4);
    assert.match(d.message, /0x6DFE/);
    assert.match(d.message, /VMfailValid\(12\)/);
  });
  test("AT&T: vmread %rax, (%rbx) with an unknown encoding", () => {
    const d = only(
      lint(gas("    mov $0x6DFE, %rax\n    vmread %rax, (%rbx)\n    jbe 1f\n1:  hlt"), "gas"),
      "vmcs-unknown-field",
    );
    assert.deepEqual(d.range.start, { line: 4, character: 11 });
  });
  test("a valid encoding is not reported", () => {
    assert.deepEqual(
      withCode(lint(nasm("    mov rax, 0x6800\n    vmread rbx, rax\n    jbe f\nf: hlt"), "nasm"), "vmcs-unknown-field"),
      [],
    );
  });
});

describe("vmcs-reserved-bits", () => {
  test("NASM: bit 16 set", () => {
    only(lint(nasm("    mov eax, 0x16800\n    vmwrite rax, rbx\n    jbe f\nf: hlt"), "nasm"), "vmcs-reserved-bits");
  });
  test("AT&T: a 16-bit write merges into a register with high bits set", () => {
    const ds = lint(gas("    mov $-1, %rax\n    mov $0x6800, %ax\n    vmwrite %rbx, %rax\n    jbe 1f\n1:  hlt"), "gas");
    only(ds, "vmcs-reserved-bits");
  });
  test("a 32-bit write zero-extends (SDM Vol. 1 3.4.1.1), so no reserved bits remain", () => {
    const ds = lint(
      gas("    mov $-1, %rax\n    mov $0x6800, %eax\n    vmwrite %rbx, %rax\n    jbe 1f\n1:  hlt"),
      "gas",
    );
    assert.deepEqual(withCode(ds, "vmcs-reserved-bits"), []);
  });
});

describe("vmcs-high-access", () => {
  test("NASM: HIGH access to a natural-width field", () => {
    const d = only(
      lint(nasm("    mov rax, 0x6C01\n    vmwrite rax, rbx\n    jbe f\nf: hlt"), "nasm"),
      "vmcs-high-access",
    );
    assert.match(d.message, /HOST_CR0/);
  });
  test("AT&T: HIGH access through an .equ constant", () => {
    only(
      lint(`.equ BAD, 0x4001\n${gas("    mov $BAD, %rax\n    vmread %rax, %rbx\n    jbe 1f\n1:  hlt")}`, "gas"),
      "vmcs-high-access",
    );
  });
  test("HIGH access to a 64-bit field is fine", () => {
    assert.deepEqual(
      withCode(lint(nasm("    mov rax, 0x2001\n    vmread rbx, rax\n    jbe f\nf: hlt"), "nasm"), "vmcs-high-access"),
      [],
    );
  });
});

describe("vmwrite-read-only", () => {
  test("NASM: VMWRITE to EXIT_REASON on a model without IA32_VMX_MISC[29]", () => {
    const d = only(
      lint(nasm("    mov rax, 0x4402\n    vmwrite rax, rbx\n    jbe f\nf: hlt"), "nasm", { cpuModel: "sandy-bridge" }),
      "vmwrite-read-only",
    );
    assert.match(d.message, /EXIT_REASON/);
    assert.match(d.message, /VMfailValid\(13\)/);
  });
  test("AT&T: same through a register loaded with movq", () => {
    only(
      lint(gas("    movq $0x4402, %rdx\n    vmwrite %rbx, %rdx\n    jbe 1f\n1:  hlt"), "gas", {
        cpuModel: "sandy-bridge",
      }),
      "vmwrite-read-only",
    );
  });
  test("allowed on a model with IA32_VMX_MISC[29] = 1; VMREAD is always fine", () => {
    assert.deepEqual(
      withCode(
        lint(nasm("    mov rax, 0x4402\n    vmwrite rax, rbx\n    jbe f\nf: hlt"), "nasm", { cpuModel: "skylake-x" }),
        "vmwrite-read-only",
      ),
      [],
    );
    assert.deepEqual(
      withCode(
        lint(nasm("    mov rax, 0x4402\n    vmread rbx, rax\n    jbe f\nf: hlt"), "nasm", { cpuModel: "sandy-bridge" }),
        "vmwrite-read-only",
      ),
      [],
    );
  });
});

describe("vmcs-value-too-wide", () => {
  test("NASM: 0x10000 into a 16-bit selector field", () => {
    const d = only(
      lint(nasm("    mov rax, 0x800\n    mov rbx, 0x10008\n    vmwrite rax, rbx\n    jbe f\nf: hlt"), "nasm"),
      "vmcs-value-too-wide",
    );
    assert.equal(d.severity, "warning");
    assert.match(d.message, /GUEST_ES_SELECTOR/);
    assert.match(d.message, /0x8\b/);
  });
  test("AT&T: 33 bits into a 32-bit field", () => {
    only(
      lint(
        gas("    mov $0x4826, %eax\n    movabs $0x100000000, %rbx\n    vmwrite %rbx, %rax\n    jbe 1f\n1:  hlt"),
        "gas",
      ),
      "vmcs-value-too-wide",
    );
  });
});

describe("vmx-swapped-operands", () => {
  test("NASM written in AT&T order, with a quick fix that swaps", () => {
    const src = nasm("    mov rax, 5\n    mov rbx, 0x681E\n    vmwrite rax, rbx\n    jbe f\nf: hlt");
    const d = only(lint(src, "nasm"), "vmx-swapped-operands");
    assert.match(d.message, /GUEST_RIP/);
    const fix = d.fixes?.[0];
    assert.ok(fix);
    assert.deepEqual(
      fix.edits.map((e) => e.newText),
      ["rbx", "rax"],
    );
  });
  test("AT&T written in Intel order: vmwrite %field, %value", () => {
    const d = only(
      lint(gas("    mov $0x681E, %rax\n    mov $5, %rbx\n    vmwrite %rax, %rbx\n    jbe 1f\n1:  hlt"), "gas"),
      "vmx-swapped-operands",
    );
    assert.match(d.message, /AT&T/);
  });
  test("GAS .intel_syntax noprefix uses the Intel order", () => {
    const src = `.intel_syntax noprefix\n${gas("    mov rax, 0x681E\n    mov rbx, 5\n    vmwrite rax, rbx\n    jbe 1f\n1:  hlt")}`;
    assert.deepEqual(withCode(lint(src, "gas"), "vmx-swapped-operands"), []);
    const bad = `.intel_syntax noprefix\n${gas("    mov rbx, 0x681E\n    mov rax, 5\n    vmwrite rax, rbx\n    jbe 1f\n1:  hlt")}`;
    only(lint(bad, "gas"), "vmx-swapped-operands");
  });
  test("VMREAD with the field constant in the destination", () => {
    const src = `GUEST_RIP equ 0x681E\n${nasm("    mov rax, GUEST_RIP\n    vmread rax, rbx\n    jbe f\nf: hlt")}`;
    only(lint(src, "nasm"), "vmx-swapped-operands");
  });
});

describe("msr-unknown / msr-read-only / msr-reserved-bits", () => {
  test("NASM: RDMSR of an index no table knows", () => {
    const d = only(lint(nasm("    mov ecx, 0x12345678\n    rdmsr"), "nasm"), "msr-unknown");
    assert.equal(d.range.start.line, 4);
  });
  test("NASM: RDMSR/WRMSR in the software (hypervisor) range 40000000H-400000FFH is not unknown", () => {
    for (const ecx of ["0x40000000", "0x400000FF", "0x40000010"]) {
      const ds = lint(nasm(`    mov ecx, ${ecx}\n    rdmsr\n    wrmsr`), "nasm");
      assert.deepEqual(withCode(ds, "msr-unknown"), [], ecx);
    }
    // Just outside the range is still unknown.
    only(lint(nasm("    mov ecx, 0x40000100\n    rdmsr"), "nasm"), "msr-unknown");
  });
  test("AT&T: RDMSR/WRMSR in the software (hypervisor) range is not unknown", () => {
    const ds = lint(gas("    mov $0x40000001, %ecx\n    rdmsr\n    wrmsr"), "gas");
    assert.deepEqual(
      ds.filter((d) => d.code.startsWith("msr-")),
      [],
    );
    only(lint(gas("    mov $0x3FFFFFFF, %ecx\n    rdmsr"), "gas"), "msr-unknown");
  });
  test("AT&T: WRMSR to IA32_VMX_BASIC is a #GP", () => {
    const d = only(
      lint(gas("    mov $0x480, %ecx\n    xor %eax, %eax\n    xor %edx, %edx\n    wrmsr"), "gas"),
      "msr-read-only",
    );
    assert.match(d.message, /IA32_VMX_BASIC/);
  });
  test("NASM: WRMSR to IA32_EFER with a reserved bit", () => {
    const d = only(
      lint(nasm("    mov ecx, 0xC0000080\n    mov eax, 0x108\n    xor edx, edx\n    wrmsr"), "nasm"),
      "msr-reserved-bits",
    );
    assert.match(d.message, /bit 3\b/);
  });
  test("AT&T: a valid EFER write is clean", () => {
    const ds = lint(gas("    mov $0xC0000080, %ecx\n    mov $0x100, %eax\n    xor %edx, %edx\n    wrmsr"), "gas");
    assert.deepEqual(
      ds.filter((d) => d.code.startsWith("msr-")),
      [],
    );
  });
});

describe("control-not-allowed / control-needs-feature", () => {
  test("NASM: pin-based controls of 0 miss the default1 bits, with the fixed value", () => {
    const d = only(
      lint(nasm("    mov rax, 0x4000\n    xor ebx, ebx\n    vmwrite rax, rbx\n    jbe f\nf: hlt"), "nasm"),
      "control-not-allowed",
    );
    assert.match(d.message, /must be 1/);
    assert.match(d.message, /IA32_VMX_TRUE_PINBASED_CTLS/);
    assert.equal(d.fixes, undefined, "xor gives no literal to replace");
  });
  test("AT&T: enable EPT on a model without EPT, with a quick fix to the allowed value", () => {
    const src = gas("    mov $0x401E, %eax\n    mov $0x2, %ebx\n    vmwrite %rbx, %rax\n    jbe 1f\n1:  hlt");
    const d = only(lint(src, "gas", { cpuModel: "core2-penryn" }), "control-not-allowed");
    assert.match(d.message, /enable EPT/);
    assert.ok(d.fixes?.[0]?.edits[0]?.newText.startsWith("0x"));
  });
  test("secondary controls while the primary ones leave activation off", () => {
    const src = nasm(
      "    mov rax, 0x4002\n    mov rbx, 0x0401E172\n    vmwrite rax, rbx\n    jbe f\n    mov rax, 0x401E\n    mov rbx, 0x82\n    vmwrite rax, rbx\n    jbe f\nf: hlt",
    );
    const d = only(lint(src, "nasm"), "control-needs-feature");
    assert.match(d.message, /activate secondary controls/);
  });
  test("unrestricted guest without enable EPT", () => {
    const src = gas("    mov $0x401E, %eax\n    mov $0x80, %ebx\n    vmwrite %rbx, %rax\n    jbe 1f\n1:  hlt");
    only(lint(src, "gas"), "control-needs-feature");
  });
});

describe("vmcs-field-needs-feature", () => {
  test("EPT_POINTER on a model without EPT", () => {
    const d = only(
      lint(nasm("    mov rax, 0x201A\n    vmwrite rax, rbx\n    jbe f\nf: hlt"), "nasm", { cpuModel: "core2-penryn" }),
      "vmcs-field-needs-feature",
    );
    assert.match(d.message, /enable EPT/);
    assert.deepEqual(
      withCode(
        lint(nasm("    mov rax, 0x201A\n    vmwrite rax, rbx\n    jbe f\nf: hlt"), "nasm"),
        "vmcs-field-needs-feature",
      ),
      [],
    );
  });
});

const nasmRegions = (code: string, data: string) => nasm(`${code}\n    hlt\nsection .data\n${data}`);

describe("regions", () => {
  test("NASM: region-misaligned in the assembled layout, with an insert-alignment fix", () => {
    const ds = lint(
      nasmRegions("    vmxon [ptr]\n    jbe f\nf:", "ptr: dq region\nregion: dd 1\n    times 4092 db 0"),
      "nasm",
    );
    const d = only(ds, "region-misaligned");
    assert.match(d.message, /assembled layout/);
    const fix = d.fixes?.[0];
    assert.equal(fix?.edits[0]?.newText, "align 4096\n");
  });
  test("AT&T: misaligned by an offset", () => {
    const src = `${gas("    vmxon ptr(%rip)\n    jbe 1f\n1:  hlt")}\n    .data\nptr: .quad region + 8\n    .balign 4096\nregion: .long 1\n`;
    only(lint(src, "gas"), "region-misaligned");
  });
  test("aligned by directive, revision id in data: clean", () => {
    const ds = lint(
      nasmRegions("    vmxon [ptr]\n    jbe f\nf:", "ptr: dq region\nalign 4096\nregion: dd 1\n    times 4092 db 0"),
      "nasm",
    );
    assert.deepEqual(
      ds.filter((d) => d.code.startsWith("region")),
      [],
    );
  });
  test("a region after a whole page of data behind an alignment is aligned", () => {
    const ds = lint(
      nasmRegions(
        "    vmptrld [ptr]\n    jbe f\nf:",
        "ptr: dq vmcs\nalign 4096\nvmxon_region: times 4096 db 0\nvmcs: dd 1",
      ),
      "nasm",
    );
    assert.deepEqual(withCode(ds, "region-alignment-unknown"), []);
  });
  test("NASM: VMPTRLD of the VMXON region", () => {
    const ds = lint(
      nasmRegions(
        "    vmxon [ptr]\n    jbe f\n    vmclear [ptr]\n    jbe f\n    vmptrld [ptr]\n    jbe f\nf:",
        "ptr: dq region\nalign 4096\nregion: dd 1",
      ),
      "nasm",
    );
    assert.equal(withCode(ds, "vmptrld-vmxon-region").length, 2, "VMCLEAR and VMPTRLD both name it");
  });
  test("AT&T: VMPTRLD without VMCLEAR, through a pointer stored by code", () => {
    const src = `${gas("    lea vmcs(%rip), %rax\n    mov %rax, ptr(%rip)\n    movl $1, vmcs(%rip)\n    vmptrld ptr(%rip)\n    jbe 1f\n1:  hlt")}\n    .data\nptr: .quad 0\n    .balign 4096\nvmcs: .zero 4096\n`;
    const ds = lint(src, "gas");
    only(ds, "vmptrld-without-vmclear");
    assert.deepEqual(withCode(ds, "region-no-revision-id"), []);
  });
  test("VMCLEAR on only one path before VMPTRLD still warns; on both paths it does not", () => {
    const oneSide = nasmRegions(
      "    test eax, eax\n    jz .skip\n    vmclear [ptr]\n    jbe f\n.skip:\n    vmptrld [ptr]\n    jbe f\nf:",
      "ptr: dq vmcs\nalign 4096\nvmcs: dd 1",
    );
    only(lint(oneSide, "nasm"), "vmptrld-without-vmclear");
    const both = nasmRegions(
      "    vmclear [ptr]\n    jbe f\n    test eax, eax\n    jz .skip\n    nop\n.skip:\n    vmptrld [ptr]\n    jbe f\nf:",
      "ptr: dq vmcs\nalign 4096\nvmcs: dd 1",
    );
    assert.deepEqual(withCode(lint(both, "nasm"), "vmptrld-without-vmclear"), []);
  });
  test("VMCLEAR inside a called function counts", () => {
    const src = nasmRegions(
      "    call clear_it\n    vmptrld [ptr]\n    jbe f\n    hlt\nclear_it:\n    vmclear [ptr]\n    jbe f\n    ret\nf:",
      "ptr: dq vmcs\nalign 4096\nvmcs: dd 1",
    );
    assert.deepEqual(withCode(lint(src, "nasm"), "vmptrld-without-vmclear"), []);
  });
  test("region-no-revision-id, and a store through a register silences it", () => {
    const bare = nasmRegions("    vmxon [ptr]\n    jbe f\nf:", "ptr: dq region\nalign 4096\nregion: times 4096 db 0");
    only(lint(bare, "nasm"), "region-no-revision-id");
    const stored = nasmRegions(
      "    mov rdi, region\n    mov [rdi], eax\n    vmxon [ptr]\n    jbe f\nf:",
      "ptr: dq region\nalign 4096\nregion: times 4096 db 0",
    );
    assert.deepEqual(withCode(lint(stored, "nasm"), "region-no-revision-id"), []);
  });
});

describe("vmx-unchecked-failure", () => {
  test("NASM: two VMWRITEs in a row", () => {
    const ds = lint(nasm("    vmwrite rax, rbx\n    vmwrite rcx, rdx\n    jbe f\nf: hlt"), "nasm");
    const d = only(ds, "vmx-unchecked-failure");
    assert.equal(d.range.start.line, 3);
    assert.match(d.message, /line 5/);
  });
  test("AT&T: overwritten by cmp; tested by setbe / jc / pushf is fine", () => {
    only(lint(gas("    vmptrld (%rax)\n    cmp $1, %rbx\n    hlt"), "gas"), "vmx-unchecked-failure");
    for (const check of ["setbe %al", "jc 1f", "pushfq", "cmovz %rbx, %rax"]) {
      const ds = lint(gas(`    vmptrld (%rax)\n    ${check}\n    cmp $1, %rbx\n1:  hlt`), "gas");
      assert.deepEqual(withCode(ds, "vmx-unchecked-failure"), [], check);
    }
  });
  test("the result flows across a jump", () => {
    only(
      lint(nasm("    vmclear [rax]\n    jmp .next\n.next:\n    add rax, 1\n    hlt"), "nasm"),
      "vmx-unchecked-failure",
    );
  });
  test("severity override and off", () => {
    const src = nasm("    vmwrite rax, rbx\n    vmwrite rcx, rdx\n    jbe f\nf: hlt");
    assert.equal(
      only(lint(src, "nasm", { rules: { "vmx-unchecked-failure": "hint" } }), "vmx-unchecked-failure").severity,
      "hint",
    );
    assert.deepEqual(
      withCode(lint(src, "nasm", { rules: { "vmx-unchecked-failure": "off" } }), "vmx-unchecked-failure"),
      [],
    );
  });
});

describe("constant propagation", () => {
  test("NASM equ, %define and an expression", () => {
    const src = `BASE equ 0x6800\n%define OFF 0x1E\n${nasm("    mov rax, BASE + OFF + 1\n    vmwrite rax, rbx\n    jbe f\nf: hlt")}`;
    only(lint(src, "nasm"), "vmcs-high-access");
  });
  test("GAS `=` constant and .set", () => {
    const src = `X = 0x6C01\n.set Y, X\n${gas("    mov $Y, %rcx\n    vmread %rcx, %rdx\n    jbe 1f\n1:  hlt")}`;
    only(lint(src, "gas"), "vmcs-high-access");
  });
  test("encoding loaded from a data label (both syntaxes)", () => {
    const n = `${nasm("    mov rax, [enc]\n    vmwrite rax, rbx\n    jbe f\nf: hlt")}section .data\nenc: dq 0x6C01\n`;
    only(lint(n, "nasm"), "vmcs-high-access");
    const g = `${gas("    mov enc(%rip), %rax\n    vmwrite %rbx, %rax\n    jbe 1f\n1:  hlt")}    .data\nenc: .quad 0x6C01\n`;
    only(lint(g, "gas"), "vmcs-high-access");
  });
  test("values meet at labels: different constants on two paths are unknown", () => {
    const src = nasm(
      "    mov rax, 0x6C01\n    test ebx, ebx\n    jz .l\n    mov rax, 0x6800\n.l:\n    vmwrite rax, rbx\n    jbe f\nf: hlt",
    );
    assert.deepEqual(withCode(lint(src, "nasm"), "vmcs-high-access"), []);
    const same = nasm(
      "    mov rax, 0x6C01\n    test ebx, ebx\n    jz .l\n    mov rax, 0x6C01\n.l:\n    vmwrite rax, rbx\n    jbe f\nf: hlt",
    );
    only(lint(same, "nasm"), "vmcs-high-access");
  });
  test("a call forgets registers", () => {
    const src = nasm("    mov rax, 0x6C01\n    call g\n    vmwrite rax, rbx\n    jbe f\nf: hlt\ng: ret");
    assert.deepEqual(withCode(lint(src, "nasm"), "vmcs-high-access"), []);
  });
  test("push/pop and or/shl arithmetic", () => {
    const src = nasm(
      "    mov rax, 0x3600\n    shl rax, 1\n    or rax, 1\n    push rax\n    pop rcx\n    vmwrite rcx, rbx\n    jbe f\nf: hlt",
    );
    only(lint(src, "nasm"), "vmcs-high-access");
  });
  test("constants from an included file", () => {
    const src = `%include "fields.inc"\n${nasm("    mov rax, BAD\n    vmwrite rax, rbx\n    jbe f\nf: hlt")}`;
    only(lint(src, "nasm", {}, { "/virtual/fields.inc": "BAD equ 0x6C01\n" }), "vmcs-high-access");
  });
});

describe("robustness", () => {
  test("garbage never throws and never reports internal errors", () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = "movrax,[]()%$:;#.0x6C01 \n\tvmwritevmxon\"'equ=+-*/<<>>~!";
    for (let i = 0; i < 200; i++) {
      let s = "";
      const n = rnd() % 200;
      for (let k = 0; k < n; k++) s += alphabet[rnd() % alphabet.length];
      for (const syntax of ["gas", "nasm"] as const) {
        const ds = lint(s, syntax);
        assert.deepEqual(withCode(ds, "internal-error"), [], s);
      }
    }
  });
});

describe("conditional assembly and numeric regions", () => {
  const body = (flag: string) => `${flag}
VMXON_REGION equ 0x200000
VMCS_REGION equ 0x201000
bits 64
start:
    mov [VMXON_REGION], eax
    mov [VMCS_REGION], eax
    vmxon [vmxon_ptr]
    jbe f
%ifndef SKIP_CLEAR
    vmclear [vmcs_ptr]
    jbe f
%endif
%ifdef WRONG
    vmptrld [vmxon_ptr]
%else
    vmptrld [vmcs_ptr]
%endif
    jbe f
f:  hlt
vmxon_ptr: dq VMXON_REGION
vmcs_ptr: dq VMCS_REGION
`;
  test("the taken branches only: a clean program", () => {
    const ds = lint(body(""), "nasm");
    assert.deepEqual(
      ds.filter((d) => d.code.startsWith("vmptrld") || d.code.startsWith("region")),
      [],
    );
  });
  test("%define selects the broken branches", () => {
    only(lint(body("%define SKIP_CLEAR"), "nasm"), "vmptrld-without-vmclear");
    const d = only(lint(body("%define WRONG"), "nasm"), "vmptrld-vmxon-region");
    assert.match(d.message, /0x200000 \(VMXON_REGION\)/);
  });
  test("a numeric region that is not page aligned", () => {
    only(lint(body("").replace("0x201000", "0x201010"), "nasm"), "region-misaligned");
  });
  test("problems in an included file are attached to the %include line", () => {
    const files = { "/virtual/hv.inc": body("") };
    const a = analyze({
      file: "/virtual/main.asm",
      text: '%define SKIP_CLEAR\n%include "hv.inc"\n',
      settings: DEFAULT_ANALYSIS_SETTINGS,
      readFile: (p) => files[p as keyof typeof files],
    });
    const shown = diagnosticsForFile(a);
    const d = shown.find((x) => x.code === "vmptrld-without-vmclear");
    assert.equal(d?.range.start.line, 1);
    assert.match(d?.message ?? "", /^In hv\.inc:17:/);
  });
});

describe("macros", () => {
  test("NASM: a VMWRITE inside a %macro is checked at each call, reported on the call", () => {
    const src = `bits 64
%macro VMWRITE 2
        mov rax, %1
        vmwrite rax, %2
%endmacro
%macro CHECK 0-1 fail
        jbe %1
%endmacro
start:
        VMWRITE 0x6C01, rbx
        CHECK
        VMWRITE 0x6800, rbx
        CHECK
fail:   hlt
`;
    const ds = lint(src, "nasm");
    const d = only(ds, "vmcs-high-access");
    assert.deepEqual(d.range, { start: { line: 9, character: 8 }, end: { line: 9, character: 15 } });
    assert.deepEqual(withCode(ds, "vmx-unchecked-failure"), [], "CHECK expands to jbe fail (its default argument)");
  });
  test("GAS: named .macro parameters with defaults; no swap fix inside an expansion", () => {
    const src = `        .macro put field, value=$0
        movq $\\field, %rax
        movq \\value, %rbx
        vmwrite %rax, %rbx
        .endm
        .text
start:
        put 0x681E, $5
        jbe 1f
1:      hlt
`;
    const d = only(lint(src, "gas"), "vmx-swapped-operands");
    assert.equal(d.range.start.line, 7);
    assert.equal(d.fixes, undefined);
  });
});

describe("assembler front end", () => {
  test("syntax errors come from the assembler with precise ranges and obey rule settings", () => {
    const ds = lint("bits 64\nstart:\n    bogusinstr rax\n", "nasm");
    const asm = ds.find((d) => d.code.startsWith("asm-"));
    assert.equal(asm?.range.start.line, 2);
    assert.equal(asm?.severity, "error");
    const off = lint("bits 64\nstart:\n    bogusinstr rax\n", "nasm", { rules: { [asm!.code]: "off" } });
    assert.ok(!off.some((d) => d.code === asm!.code));
  });
  test("without assembled addresses, alignment comes from the source: no directive is a warning with a fix", () => {
    const src = nasmRegions("    vmxon [ptr]\n    jbe f\nf:", "ptr: dq region\nregion: dd 1");
    const a = analyze({
      file: "/virtual/main.asm",
      text: src,
      settings: DEFAULT_ANALYSIS_SETTINGS,
      readFile: () => undefined,
      skipFrontend: true,
    });
    const d = only(a.diagnostics, "region-alignment-unknown");
    assert.equal(d.fixes?.[0]?.edits[0]?.newText, "align 4096\n");
  });
});
