// XSAVES/XRSTORS (compacted form, x87 and SSE components) and WBNOINVD: decoding and execution.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeBytes, formatInstruction } from "../../emulator/index";
import { NO_NASM, reg, runAsm } from "./helpers";

const SETUP = `
  mov rax, cr4
  bts rax, 18                 ; CR4.OSXSAVE
  mov cr4, rax
  xor ecx, ecx
  mov eax, 3                  ; XCR0 = x87 | SSE
  xor edx, edx
  xsetbv
  mov rdi, 0x200000           ; 64-byte aligned save area
`;

test("XSAVES writes the compacted header; XRSTORS brings XMM and MXCSR back", { skip: NO_NASM }, () => {
  const { m, stop } = runAsm(`${SETUP}
  mov eax, 0x11223344
  movd xmm0, eax
  mov dword [rdi + 0x400], 0x1fa0
  ldmxcsr [rdi + 0x400]
  mov eax, -1
  mov edx, -1
  xsaves [rdi]
  mov r8, [rdi + 512]         ; XSTATE_BV
  mov r9, [rdi + 520]         ; XCOMP_BV
  pxor xmm0, xmm0
  mov dword [rdi + 0x400], 0x1f80
  ldmxcsr [rdi + 0x400]
  mov eax, -1
  mov edx, -1
  xrstors [rdi]
  movd r10d, xmm0
  stmxcsr [rdi + 0x404]
  mov r11d, [rdi + 0x404]`);
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, 8), 3n);
  assert.equal(reg(m, 9), 0x8000000000000003n);
  assert.equal(reg(m, 10), 0x11223344n);
  assert.equal(reg(m, 11), 0x1fa0n);
});

test("XRSTORS: XSTATE_BV bit 1 clear initializes SSE state; a standard-form header is #GP(0)", {
  skip: NO_NASM,
}, () => {
  const init = runAsm(`${SETUP}
  mov eax, 0x55
  movd xmm3, eax
  mov eax, -1
  mov edx, -1
  xsaves [rdi]
  and qword [rdi + 512], 1    ; SSE in its initial configuration
  xrstors [rdi]
  movd r8d, xmm3`);
  assert.equal(init.stop.kind, "halted");
  assert.equal(reg(init.m, 8), 0n);
  const standard = runAsm(`${SETUP}
  mov eax, -1
  mov edx, -1
  xsave [rdi]
  xrstors [rdi]`);
  assert.equal(standard.stop.kind === "exception" && standard.stop.vector, 13);
});

test("XSAVES needs CR4.OSXSAVE (#UD) and a 64-byte aligned area (#GP)", { skip: NO_NASM }, () => {
  const ud = runAsm("mov rdi, 0x200000\n xsaves [rdi]");
  assert.equal(ud.stop.kind === "exception" && ud.stop.vector, 6);
  const gp = runAsm(`${SETUP}\n xsaves [rdi + 8]`);
  assert.equal(gp.stop.kind === "exception" && gp.stop.vector, 13);
});

test("decoding: 0F C7 /5 and /3 are XSAVES/XRSTORS, F3 0F 09 is WBNOINVD (#UD on skylake-x)", { skip: NO_NASM }, () => {
  assert.equal(decodeBytes(Uint8Array.from([0x0f, 0xc7, 0x2f]), 64).name, "xsaves");
  assert.equal(decodeBytes(Uint8Array.from([0x48, 0x0f, 0xc7, 0x1f]), 64).name, "xrstors");
  const wb = decodeBytes(Uint8Array.from([0xf3, 0x0f, 0x09]), 64);
  assert.equal(wb.name, "wbnoinvd");
  assert.match(formatInstruction(wb, "intel", { address: 0n }), /wbnoinvd/);
  const { stop } = runAsm("db 0xf3, 0x0f, 0x09");
  assert.equal(stop.kind === "exception" && stop.vector, 6);
  assert.equal(runAsm("wbinvd").stop.kind, "halted");
});
