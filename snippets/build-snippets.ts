// Builds the GAS and NASM snippets (VMX bring-up, VMXON/VMCS regions, loading a VMCS, a VM-exit handler) with
// every MSR number, VMCS encoding, bit and exit reason taken from arch/, so no number is written twice.
// ./generate.ts writes snippets/vmx-gas.json and snippets/vmx-nasm.json; the tests assemble
// the expanded bodies with GNU as and nasm.
import { CR4, EXIT_REASON, MSR, msrByName, VMCS } from "../arch/index";

export type Dialect = "gas" | "nasm";

export interface Snippet {
  prefix: string[];
  description: string;
  body: string[];
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** A snippet tab stop with a default text: `${1:name}`. */
export function placeholder(n: number, text: string): string {
  return `\${${n}:${text}}`;
}

function bitMask(msrName: string, bitName: string): number {
  const f = msrByName(msrName)?.bits?.find((b) => b.name === bitName);
  if (!f) throw new Error(`arch/ has no ${msrName}.${bitName}`);
  return (2 ** (f.msb - f.lsb + 1) - 1) * 2 ** f.lsb;
}

/** The operand syntax of each dialect, so the snippet bodies are written once. */
interface Syntax {
  c: string;
  reg(r: string): string;
  imm(n: number | string): string;
  /** Two-operand instruction written in Intel order (dst, src). */
  op(mn: string, dst: string, src: string): string;
  mem(sym: string): string;
  local(name: string): string;
}

const NASM: Syntax = {
  c: ";",
  reg: (r) => r,
  imm: (n) => (typeof n === "number" ? hex(n) : n),
  op: (mn, d, s) => `${mn} ${d}, ${s}`,
  mem: (sym) => `[rel ${sym}]`,
  local: (n) => `.${n}`,
};

const GAS: Syntax = {
  c: "#",
  reg: (r) => `%${r}`,
  // `\$`: a bare `$` followed by a digit would be a snippet tab stop (`$0x3a` = tab stop 0 + "x3a").
  imm: (n) => `\\$${typeof n === "number" ? hex(n) : n}`,
  op: (mn, d, s) => `${mn} ${s}, ${d}`,
  mem: (sym) => `${sym}(%rip)`,
  local: (n) => `.L${n}`,
};

/** `instr` padded so the trailing comments line up. */
function line(s: Syntax, instr: string, comment?: string): string {
  return comment ? `    ${instr.padEnd(34)}${s.c} ${comment}` : `    ${instr}`;
}

/** Reads a 64-bit MSR into RAX (EDX:EAX combined) — RDMSR returns it split (SDM Vol. 2B RDMSR). */
function rdmsr64(s: Syntax, msrName: string): string[] {
  const r = s.reg;
  const index = MSR[msrName];
  if (index === undefined) throw new Error(`arch/ has no MSR ${msrName}`);
  return [
    line(s, s.op("mov", r("ecx"), s.imm(index)), msrName),
    line(s, "rdmsr"),
    line(s, s.op("shl", r("rdx"), s.imm("32"))),
    line(s, s.op("or", r("rax"), r("rdx"))),
  ];
}

function bringUp(s: Syntax): Snippet {
  const r = s.reg;
  const fail = placeholder(1, "vmx_failed");
  const region = placeholder(2, "vmxon_region");
  const lock = bitMask("IA32_FEATURE_CONTROL", "LOCK");
  const outside = bitMask("IA32_FEATURE_CONTROL", "VMX_OUTSIDE_SMX");
  const revision = bitMask("IA32_VMX_BASIC", "VMCS_REVISION_ID");
  const locked = s.local("feature_control_locked");
  const ready = s.local("feature_control_ready");
  return {
    prefix: ["vmx-bringup", "vmxon"],
    description:
      "VMX bring-up: CPUID.1:ECX.VMX check → IA32_FEATURE_CONTROL → CR0/CR4 fixed bits → CR4.VMXE → revision id → VMXON (SDM 24.6–24.8)",
    body: [
      `${s.c} Enter VMX operation (SDM 24.6 Discovering support, 24.7 Enabling, 24.8 Restrictions).`,
      line(s, s.op("mov", r("eax"), s.imm("1"))),
      line(s, "cpuid"),
      line(s, s.op("bt", r("ecx"), s.imm("5")), "CPUID.1:ECX.VMX [bit 5]"),
      line(s, `jnc ${fail}`),
      line(s, s.op("mov", r("ecx"), s.imm(MSR.IA32_FEATURE_CONTROL)), "IA32_FEATURE_CONTROL"),
      line(s, "rdmsr"),
      line(s, s.op("test", r("eax"), s.imm(lock)), "LOCK"),
      line(s, `jnz ${locked}`),
      line(s, s.op("or", r("eax"), s.imm(lock | outside)), "LOCK | VMX_OUTSIDE_SMX"),
      line(s, "wrmsr"),
      line(s, `jmp ${ready}`),
      `${locked}:`,
      line(s, s.op("test", r("eax"), s.imm(outside)), "locked by firmware: VMXON outside SMX allowed?"),
      line(s, `jz ${fail}`),
      `${ready}:`,
      `${s.c} CR0 and CR4 must have the bits FIXED0 sets and only the bits FIXED1 allows (SDM A.7, A.8).`,
      ...rdmsr64(s, "IA32_VMX_CR0_FIXED0"),
      line(s, s.op("mov", r("rbx"), r("cr0"))),
      line(s, s.op("or", r("rbx"), r("rax"))),
      ...rdmsr64(s, "IA32_VMX_CR0_FIXED1"),
      line(s, s.op("and", r("rbx"), r("rax"))),
      line(s, s.op("mov", r("cr0"), r("rbx"))),
      ...rdmsr64(s, "IA32_VMX_CR4_FIXED0"),
      line(s, s.op("mov", r("rbx"), r("cr4"))),
      line(s, s.op("or", r("rbx"), r("rax"))),
      line(s, s.op("or", r("rbx"), s.imm(CR4.VMXE)), "CR4.VMXE"),
      ...rdmsr64(s, "IA32_VMX_CR4_FIXED1"),
      line(s, s.op("and", r("rbx"), r("rax"))),
      line(s, s.op("mov", r("cr4"), r("rbx"))),
      `${s.c} The VMXON region starts with the VMCS revision identifier (SDM 25.11.5).`,
      line(s, s.op("mov", r("ecx"), s.imm(MSR.IA32_VMX_BASIC)), "IA32_VMX_BASIC"),
      line(s, "rdmsr"),
      line(s, s.op("and", r("eax"), s.imm(revision)), "VMCS_REVISION_ID [30:0]"),
      line(s, s.op("mov", `${s.mem(region)}`, r("eax"))),
      line(s, `vmxon ${s.mem(`${region}_ptr`)}`, "operand: the region's physical address"),
      line(s, `jbe ${fail}`, "CF=1: VMfailInvalid"),
      "$0",
    ],
  };
}

function regions(s: Syntax, d: Dialect): Snippet {
  const name = placeholder(1, "vmcs_region");
  const body =
    d === "nasm"
      ? [
          "align 4096",
          `${name}:`,
          "    times 4096 db 0",
          `${name}_ptr:`,
          `    dq ${name}                        ; VMXON/VMCLEAR/VMPTRLD read this physical address (identity-mapped)`,
        ]
      : [
          "    .balign 4096",
          `${name}:`,
          "    .skip 4096",
          `${name}_ptr:`,
          `    .quad ${name}                     # VMXON/VMCLEAR/VMPTRLD read this physical address (identity-mapped)`,
        ];
  return {
    prefix: ["vmcs-region", "vmxon-region"],
    description: "A 4-KiB aligned VMXON or VMCS region and the quadword holding its address (SDM 25.2, 25.11.5)",
    body: [`${s.c} 4-KiB aligned, as VMXON/VMPTRLD require (SDM 25.2).`, ...body, "$0"],
  };
}

function loadVmcs(s: Syntax): Snippet {
  const r = s.reg;
  const region = placeholder(1, "vmcs_region");
  const fail = placeholder(2, "vmx_failed");
  return {
    prefix: ["vmcs-load", "vmptrld"],
    description: "Write the revision identifier into a VMCS region, VMCLEAR it and make it current with VMPTRLD",
    body: [
      line(s, s.op("mov", r("ecx"), s.imm(MSR.IA32_VMX_BASIC)), "IA32_VMX_BASIC"),
      line(s, "rdmsr"),
      line(s, s.op("and", r("eax"), s.imm(bitMask("IA32_VMX_BASIC", "VMCS_REVISION_ID"))), "VMCS_REVISION_ID"),
      line(s, s.op("mov", s.mem(region), r("eax"))),
      line(s, `vmclear ${s.mem(`${region}_ptr`)}`, "launch state := clear (SDM 25.11.3)"),
      line(s, `jbe ${fail}`),
      line(s, `vmptrld ${s.mem(`${region}_ptr`)}`, "current VMCS := this region"),
      line(s, `jbe ${fail}`),
      "$0",
    ],
  };
}

const SAVED = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

function exitHandler(s: Syntax): Snippet {
  const r = s.reg;
  const name = placeholder(1, "vm_exit_handler");
  const L = (n: string) => s.local(n);
  return {
    prefix: ["vmexit-handler", "exit-handler"],
    description:
      "VM-exit handler skeleton: save guest GPRs, dispatch on the basic exit reason, advance GUEST_RIP, VMRESUME (SDM 28)",
    body: [
      `${s.c} HOST_RIP points here; the processor loaded host RSP, CR3 and segments (SDM 28.5).`,
      `${name}:`,
      ...SAVED.map((g) => line(s, `push ${r(g)}`)),
      line(s, s.op("mov", r("rax"), s.imm(VMCS.EXIT_REASON)), "EXIT_REASON"),
      line(s, s.op("vmread", r("rbx"), r("rax"))),
      line(s, s.op("and", r("ebx"), s.imm(0xffff)), "basic exit reason [15:0]"),
      line(s, s.op("cmp", r("ebx"), s.imm(EXIT_REASON.CPUID)), "CPUID"),
      line(s, `je ${L("exit_cpuid")}`),
      line(s, s.op("cmp", r("ebx"), s.imm(EXIT_REASON.VMCALL)), "VMCALL"),
      line(s, `je ${L("exit_vmcall")}`),
      line(s, s.op("cmp", r("ebx"), s.imm(EXIT_REASON.HLT)), "HLT"),
      line(s, `je ${L("exit_hlt")}`),
      line(s, `jmp ${L("exit_unhandled")}`),
      `${L("exit_cpuid")}:`,
      line(s, placeholder(2, "nop"), "emulate CPUID for the guest (saved guest RAX..RDX are on the stack)"),
      line(s, `jmp ${L("advance_rip")}`),
      `${L("exit_vmcall")}:`,
      line(s, placeholder(3, "nop"), "hypercall"),
      line(s, `jmp ${L("advance_rip")}`),
      `${L("exit_hlt")}:`,
      line(s, `jmp ${L("exit_unhandled")}`),
      `${L("advance_rip")}:`,
      `${s.c} Skip the exiting instruction: GUEST_RIP += VM_EXIT_INSTRUCTION_LENGTH (SDM 28.2.5).`,
      line(s, s.op("mov", r("rax"), s.imm(VMCS.VM_EXIT_INSTRUCTION_LENGTH)), "VM_EXIT_INSTRUCTION_LENGTH"),
      line(s, s.op("vmread", r("rbx"), r("rax"))),
      line(s, s.op("mov", r("rax"), s.imm(VMCS.GUEST_RIP)), "GUEST_RIP"),
      line(s, s.op("vmread", r("rcx"), r("rax"))),
      line(s, s.op("add", r("rcx"), r("rbx"))),
      line(s, s.op("vmwrite", r("rax"), r("rcx"))),
      ...[...SAVED].reverse().map((g) => line(s, `pop ${r(g)}`)),
      line(s, "vmresume"),
      `${s.c} VMRESUME returns only when it fails: read VM_INSTRUCTION_ERROR.`,
      `${L("exit_unhandled")}:`,
      line(s, "hlt"),
      line(s, `jmp ${L("exit_unhandled")}`),
      "$0",
    ],
  };
}

export function buildSnippets(d: Dialect): Record<string, Snippet> {
  const s = d === "nasm" ? NASM : GAS;
  return {
    "VMX bring-up (VMXON)": bringUp(s),
    "VMXON / VMCS region": regions(s, d),
    "Load a VMCS (VMCLEAR + VMPTRLD)": loadVmcs(s),
    "VM-exit handler skeleton": exitHandler(s),
  };
}

/** A snippet body as VS Code inserts it with every default kept (`${1:x}` → x, `$0` → nothing, `\$` → `$`). */
export function expandSnippetBody(body: readonly string[]): string {
  return body
    .join("\n")
    .replace(/(?<!\\)\$\{\d+:([^}]*)\}/g, "$1")
    .replace(/(?<!\\)\$\d+/g, "")
    .replace(/\\\$/g, "$");
}
