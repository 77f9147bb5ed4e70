// Assembler front-end benchmark: generates a 20,000-line hypervisor-style source (GAS AT&T, GAS Intel and
// NASM variants), then reports the median time to assemble it and to parse() a 10,000-line file (the
// language server does this on every keystroke). Prints one JSON line per figure.
import { assemble, parse } from "../assembler/index";

function gasSource(lines: number, intel: boolean): string {
  const out: string[] = intel ? [".intel_syntax noprefix", ".code64"] : [".code64"];
  const body = intel
    ? [
        "mov rax, 0x681E",
        "vmwrite rax, rbx",
        "vmread rcx, rax",
        "add qword ptr [rsp + 8], 0x10",
        "lea rdx, [rip + data]",
        "cmp rcx, 18",
        "jne 1f",
        "mov ecx, 0x480",
        "rdmsr",
        "1: mov dword ptr [rbx + rcx*4 + 16], eax",
      ]
    : [
        "movq $0x681E, %rax",
        "vmwrite %rbx, %rax",
        "vmread %rax, %rcx",
        "addq $0x10, 8(%rsp)",
        "leaq data(%rip), %rdx",
        "cmpq $18, %rcx",
        "jne 1f",
        "movl $0x480, %ecx",
        "rdmsr",
        "1: movl %eax, 16(%rbx,%rcx,4)",
      ];
  let i = 0;
  // Whole groups of the body, so every `jne 1f` has its `1:`.
  while (out.length < lines - 3 || i % body.length !== 0) {
    if (i % 500 === 0) out.push(`block${i}:`);
    out.push(`        ${body[i % body.length]}`);
    if (i % 700 === 699) out.push(`        jmp block${Math.max(0, i - 1000 - (i % 500))}`);
    i++;
  }
  out.push(".data", "data: .quad 0", ".fill 64, 1, 0");
  return `${out.join("\n")}\n`;
}

function nasmSource(lines: number): string {
  const out: string[] = [
    "bits 64",
    "%define EXIT_REASON 0x4402",
    "%macro VMW 2",
    "  mov rax, %1",
    "  vmwrite rax, %2",
    "%endmacro",
  ];
  const body = [
    "mov rax, 0x681E",
    "vmwrite rax, rbx",
    "vmread rcx, rax",
    "add qword [rsp + 8], 0x10",
    "lea rdx, [rel data]",
    "cmp rcx, 18",
    "jne .skip",
    "VMW EXIT_REASON, rbx",
    "rdmsr",
    ".skip: mov dword [rbx + rcx*4 + 16], eax",
  ];
  let i = 0;
  while (out.length < lines - 3) {
    if (i % 10 === 0) out.push(`label${i}:`);
    out.push(`        ${body[i % body.length]}`);
    i++;
  }
  out.push("data: dq 0", "times 64 db 0");
  return `${out.join("\n")}\n`;
}

function median(times: number[]): number {
  const s = [...times].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(name: string, run: () => void, repeat: number, extra: Record<string, unknown>): void {
  run(); // warm up (JIT, encoder tables)
  const times: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < repeat; k++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    run();
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  // Wall-clock median, plus CPU time (less sensitive to other processes on a shared machine).
  console.log(
    JSON.stringify({
      bench: name,
      ms: Number(median(times).toFixed(1)),
      cpuMs: Number(median(cpu).toFixed(1)),
      runs: repeat,
      ...extra,
    }),
  );
}

const att = gasSource(20_000, false);
const intel = gasSource(20_000, true);
const nasm = nasmSource(20_000);
for (const [name, src, fileName] of [
  ["assemble-20k-lines-gas-att", att, "bench.s"],
  ["assemble-20k-lines-gas-intel", intel, "bench.s"],
  ["assemble-20k-lines-nasm", nasm, "bench.asm"],
] as const) {
  let bytes = 0;
  let errors = 0;
  measure(
    name,
    () => {
      const p = assemble(src, { fileName });
      bytes = p.sections.reduce((n, s) => n + s.size, 0);
      errors = p.diagnostics.filter((d) => d.severity === "error").length;
    },
    5,
    { lines: src.split("\n").length - 1 },
  );
  console.log(JSON.stringify({ bench: `${name}-output`, bytes, errors }));
}
const att10k = gasSource(10_000, false);
const nasm10k = nasmSource(10_000);
measure("parse-10k-lines-gas", () => parse(att10k, { fileName: "bench.s" }), 9, { lines: 10_000 });
measure("parse-10k-lines-nasm", () => parse(nasm10k, { fileName: "bench.asm" }), 9, { lines: 10_000 });
