// Live differential test on generated programs (fixed seeds): random mixes of labels, forward and backward
// jumps, constant and label-valued operands, data with label arithmetic, alignment and padding — the
// front-end behaviours (layout, relaxation, operand-size choices) that decide byte identity. Runs when
// nasm / as / ld are installed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assemble } from "../../assembler/index";
import { explainMismatch, haveTool, referenceAssembleText } from "./reference";

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

const IMMS = ["0", "1", "-1", "127", "128", "-128", "-129", "0x7fff", "0x8000", "0x7fffffff", "KA", "KB", "KA*3+1"];
const DISPS = ["0", "8", "-8", "127", "128", "-129", "0x1000", "KA"];
const CC = ["e", "ne", "b", "a", "l", "ge", "s", "o"];

function gasProgram(seed: number): string {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const nLabels = 12;
  const L = (i: number) => `L${i}`;
  const out = [".code64", ".equ KA, 5"];
  let next = 0;
  for (let i = 0; i < 160; i++) {
    const k = r();
    if (k < 0.08 && next < nLabels) out.push(`${L(next++)}:`);
    else if (k < 0.22) out.push(`  j${pick(["mp", ...CC])} ${L(Math.floor(r() * nLabels))}`);
    else if (k < 0.27) out.push(`  call ${L(Math.floor(r() * nLabels))}`);
    else if (k < 0.4) out.push(`  addl $${pick(IMMS)}, %e${pick(["ax", "bx", "cx"])}`);
    else if (k < 0.5) out.push(`  movq ${pick(DISPS)}(%r${pick(["ax", "bx", "bp", "12", "13"])}), %rdx`);
    else if (k < 0.56) out.push(`  leaq ${L(Math.floor(r() * nLabels))}(%rip), %rsi`);
    else if (k < 0.62) out.push(`  movl $(${L(Math.floor(r() * nLabels))} - ${L(Math.floor(r() * nLabels))}), %eax`);
    else if (k < 0.68) out.push(`  .fill ${Math.floor(r() * 90)}, 1, 0x90`);
    else if (k < 0.72) out.push(`  .p2align ${1 + Math.floor(r() * 4)}`);
    else if (k < 0.76) out.push(`  .long ${L(Math.floor(r() * nLabels))} - .`);
    else if (k < 0.8) out.push(`  cmpq $${pick(IMMS)}, ${pick(DISPS)}(%rsp)`);
    else if (k < 0.85) out.push("  vmread %rax, %rbx");
    else out.push(`  ${pick(["nop", "ret", "cpuid", "rdmsr", "pause", "vmlaunch", "hlt"])}`);
  }
  while (next < nLabels) out.push(`${L(next++)}: nop`);
  out.push(".equ KB, 300");
  return `${out.join("\n")}\n`;
}

function nasmProgram(seed: number): string {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const nLabels = 12;
  const L = (i: number) => `L${i}`;
  const out = ["bits 64", "KA equ 5"];
  let next = 0;
  for (let i = 0; i < 160; i++) {
    const k = r();
    if (k < 0.08 && next < nLabels) out.push(`${L(next++)}:`, `.loc${next}: nop`);
    else if (k < 0.22) out.push(`  j${pick(["mp", ...CC])} ${L(Math.floor(r() * nLabels))}`);
    else if (k < 0.27) out.push(`  call ${L(Math.floor(r() * nLabels))}`);
    else if (k < 0.4) out.push(`  add ${pick(["eax", "ebx", "rcx"])}, ${pick(IMMS)}`);
    else if (k < 0.5) out.push(`  mov rdx, [${pick(["rax", "rbx", "rbp", "r12", "r13"])} + ${pick(DISPS)}]`);
    else if (k < 0.56) out.push(`  lea rsi, [rel ${L(Math.floor(r() * nLabels))}]`);
    else if (k < 0.62) out.push(`  mov eax, ${L(Math.floor(r() * nLabels))} - ${L(Math.floor(r() * nLabels))}`);
    else if (k < 0.68) out.push(`  times ${Math.floor(r() * 90)} nop`);
    else if (k < 0.72) out.push(`  align ${2 ** (1 + Math.floor(r() * 4))}`);
    else if (k < 0.76) out.push(`  dd ${L(Math.floor(r() * nLabels))} - $`);
    else if (k < 0.8) out.push(`  cmp qword [rsp + ${pick(DISPS)}], ${pick(IMMS)}`);
    else if (k < 0.85) out.push("  vmread rax, rbx");
    else out.push(`  ${pick(["nop", "ret", "cpuid", "rdmsr", "pause", "vmlaunch", "hlt"])}`);
  }
  while (next < nLabels) out.push(`${L(next++)}: nop`);
  out.push("KB equ 300");
  return `${out.join("\n")}\n`;
}

describe("generated programs match the live reference assemblers", () => {
  test("GNU as: 16 generated programs", { skip: !(haveTool("as") && haveTool("ld")) && "as/ld not installed" }, () => {
    for (let seed = 1; seed <= 16; seed++) {
      const src = gasProgram(seed);
      const ref = referenceAssembleText(src, "gas");
      assert.ok(ref.bytes, `seed ${seed}: ${ref.error}`);
      assert.equal(explainMismatch(assemble(src, { fileName: "gen.s" }), ref.bytes!), "", `seed ${seed}`);
    }
  });
  test("nasm: 16 generated programs", { skip: !haveTool("nasm") && "nasm not installed" }, () => {
    for (let seed = 1; seed <= 16; seed++) {
      const src = nasmProgram(seed);
      const ref = referenceAssembleText(src, "nasm");
      assert.ok(ref.bytes, `seed ${seed}: ${ref.error}`);
      assert.equal(explainMismatch(assemble(src, { fileName: "gen.asm" }), ref.bytes!), "", `seed ${seed}`);
    }
  });
});
