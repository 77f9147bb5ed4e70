// Emulator speed: millions of instructions per second on standard loops, run in the long64 start state.
// Prints one JSON line per loop: {"bench":"alu-loop","instructions":…,"seconds":…,"mips":…}.
// The ALU loop is the oracle's bench_alu loop (add/xor/sub/dec/jnz); Bochs does ~107 MIPS on it here.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import type * as Emulator from "../emulator/index";

// Measure the emulator as it ships (bundled by esbuild like dist/cli.js and dist/debug-adapter.js), not the
// per-module transpilation of the test runner.
const outfile = join(mkdtempSync(join(tmpdir(), "emu-bench-")), "emulator.js");
buildSync({
  entryPoints: [join(__dirname, "../emulator/index.ts")],
  bundle: true,
  platform: "node",
  format: "cjs",
  outfile,
  logLevel: "error",
});
const { Machine } = require(outfile) as typeof Emulator;

interface Loop {
  name: string;
  /** 64-bit code loaded at 0x100000; must end with HLT. */
  code: number[];
  /** Instructions the loop executes (for the figure; the machine's own count is reported too). */
}

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const ITER = Number(process.env.BENCH_ITER ?? 4_000_000);

const loops: Loop[] = [
  {
    name: "alu-loop",
    // mov eax,1; mov ebx,3; xor edx,edx; mov rcx,N; L: add rax,rbx; xor rdx,rax; sub rbx,rdx; dec rcx; jnz L; hlt
    code: [
      0xb8,
      1,
      0,
      0,
      0,
      0xbb,
      3,
      0,
      0,
      0,
      0x31,
      0xd2,
      0x48,
      0xc7,
      0xc1,
      ...le32(ITER),
      0x48,
      0x01,
      0xd8,
      0x48,
      0x31,
      0xc2,
      0x48,
      0x29,
      0xd3,
      0x48,
      0xff,
      0xc9,
      0x75,
      0xf2,
      0xf4,
    ],
  },
  {
    name: "memory-copy",
    // rsi=0x200000, rdi=0x300000, rcx=N; L: mov rax,[rsi]; mov [rdi],rax; add rsi,8; add rdi,8; and esi,0x2fffff (wrap 1 MiB)…
    // simplified: copy 8 bytes per iteration inside a 64 KiB window.
    code: [
      0x48,
      0xc7,
      0xc1,
      ...le32(ITER), // mov rcx, N
      0x31,
      0xf6, // xor esi, esi
      // L:
      0x48,
      0x8b,
      0x86,
      ...le32(0x200000), // mov rax, [rsi+0x200000]
      0x48,
      0x89,
      0x86,
      ...le32(0x300000), // mov [rsi+0x300000], rax
      0x83,
      0xc6,
      0x08, // add esi, 8
      0x81,
      0xe6,
      ...le32(0xfff8), // and esi, 0xfff8
      0x48,
      0xff,
      0xc9, // dec rcx
      0x75,
      0xe4, // jnz L
      0xf4,
    ],
  },
  {
    name: "call-ret",
    // mov rcx,N; L: call F; dec rcx; jnz L; hlt; F: ret
    code: [0x48, 0xc7, 0xc1, ...le32(ITER), 0xe8, 6, 0, 0, 0, 0x48, 0xff, 0xc9, 0x75, 0xf6, 0xf4, 0xc3],
  },
  {
    name: "paging-tlb-miss",
    // Touch a new 4 KiB page every iteration across 16 MiB (4096 pages > TLB size): every access walks.
    code: [
      0x48,
      0xc7,
      0xc1,
      ...le32(ITER), // mov rcx, N
      0x31,
      0xf6, // xor esi, esi
      // L:
      0x8b,
      0x86,
      ...le32(0x1000000), // mov eax, [rsi+0x1000000]
      0x81,
      0xc6,
      ...le32(0x1000), // add esi, 0x1000
      0x81,
      0xe6,
      ...le32(0xfff000), // and esi, 0xfff000
      0x48,
      0xff,
      0xc9, // dec rcx
      0x75,
      0xe9, // jnz L
      0xf4,
    ],
  },
  {
    name: "paging-4k-tlb-miss",
    // As paging-tlb-miss, but through 4 KiB pages: the program first maps linear 4 GiB + 16 MiB with page tables
    // (PDPT[4] → PD at 0x200000 → 8 PTs at 0x201000, 4096 PTEs), so every access walks four levels.
    code: [
      ...[0x48, 0xc7, 0x04, 0x25, 0x20, 0x50, 0x00, 0x00, 0x03, 0x00, 0x20, 0x00], // mov qword [0x5020], 0x200003
      ...[0x31, 0xc9], // xor ecx, ecx
      ...[0x48, 0x8d, 0x04, 0xcd, 0x00, 0x00, 0x00, 0x00], // pd: lea rax, [rcx*8]
      ...[0x48, 0xc1, 0xe0, 0x09], // shl rax, 9
      ...[0x48, 0x05, 0x03, 0x10, 0x20, 0x00], // add rax, 0x201003
      ...[0x48, 0x89, 0x04, 0xcd, 0x00, 0x00, 0x20, 0x00], // mov [0x200000 + rcx*8], rax
      ...[0xff, 0xc1, 0x83, 0xf9, 0x08, 0x75, 0xdf], // inc ecx; cmp ecx, 8; jne pd
      ...[0x31, 0xc9], // xor ecx, ecx
      ...[0x48, 0x89, 0xc8, 0x48, 0xc1, 0xe0, 0x0c], // pt: mov rax, rcx; shl rax, 12
      ...[0x48, 0x05, 0x03, 0x00, 0x00, 0x01], // add rax, 0x1000003
      ...[0x48, 0x89, 0x04, 0xcd, 0x00, 0x10, 0x20, 0x00], // mov [0x201000 + rcx*8], rax
      ...[0xff, 0xc1, 0x81, 0xf9, 0x00, 0x10, 0x00, 0x00, 0x75, 0xe1], // inc ecx; cmp ecx, 4096; jne pt
      ...[0x0f, 0x20, 0xd8, 0x0f, 0x22, 0xd8], // mov rax, cr3; mov cr3, rax
      ...[0x48, 0xbf, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00], // mov rdi, 0x100000000
      0xb9,
      ...le32(ITER), // mov ecx, N
      ...[0x31, 0xf6], // xor esi, esi
      ...[0x8b, 0x04, 0x3e], // L: mov eax, [rsi + rdi]
      ...[0x81, 0xc6, 0x00, 0x10, 0x00, 0x00], // add esi, 0x1000
      ...[0x81, 0xe6, 0x00, 0xf0, 0xff, 0x00], // and esi, 0xfff000
      ...[0x48, 0xff, 0xc9, 0x75, 0xec], // dec rcx; jnz L
      0xf4,
    ],
  },
  {
    name: "mixed",
    // Byte loads, compares, conditional moves, shifts, a store and a call per iteration.
    code: [
      0x48,
      0xc7,
      0xc1,
      ...le32(ITER), // mov rcx, N
      0x31,
      0xf6, // xor esi, esi
      // L:
      0x0f,
      0xb6,
      0x86,
      ...le32(0x200000), // movzx eax, byte [rsi+0x200000]
      0x3c,
      0x40, // cmp al, 0x40
      0x0f,
      0x42,
      0xd8, // cmovb ebx, eax
      0xc1,
      0xe0,
      0x03, // shl eax, 3
      0x89,
      0x86,
      ...le32(0x300000), // mov [rsi+0x300000], eax
      0x8d,
      0x76,
      0x04, // lea esi, [rsi+4]
      0x81,
      0xe6,
      ...le32(0xfffc), // and esi, 0xfffc
      0x48,
      0xff,
      0xc9, // dec rcx
      0x75,
      0xdd, // jnz L
      0xf4,
    ],
  },
];

// BENCH_LOOPS=alu-loop,call-ret runs only those loops; BENCH_REPEAT=N reports the fastest of N runs (by CPU time).
const only = process.env.BENCH_LOOPS?.split(",");
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));

function runOnce(loop: Loop) {
  const m = new Machine();
  m.load(Uint8Array.from(loop.code), 0x100000);
  m.setupStart("long64", 0x100000);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const r = m.runFast(2_000_000_000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { r, seconds, cpuSeconds, n: m.instructionCount };
}

for (const loop of loops) {
  if (only && !only.includes(loop.name)) continue;
  let best = runOnce(loop);
  for (let k = 1; k < repeat; k++) {
    const next = runOnce(loop);
    if (next.cpuSeconds < best.cpuSeconds) best = next;
  }
  const { r, seconds, cpuSeconds, n } = best;
  const ok = r.kind === "halted";
  console.log(
    JSON.stringify({
      bench: loop.name,
      instructions: n,
      seconds: Number(seconds.toFixed(3)),
      mips: Number((n / seconds / 1e6).toFixed(1)),
      // CPU time excludes waiting for the processor on a shared machine.
      cpuSeconds: Number(cpuSeconds.toFixed(3)),
      mipsCpu: Number((n / cpuSeconds / 1e6).toFixed(1)),
      stop: r.kind,
      ok,
    }),
  );
}
