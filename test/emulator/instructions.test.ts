// Per-group instruction tests for what the register-only differential test cannot reach: memory operands,
// strings, the stack, control transfer, segment registers, system instructions, 16-bit addressing.
// (ALU, shifts, multiply/divide, bit operations and flags are covered against the real CPU by differential.)
import assert from "node:assert/strict";
import { test } from "node:test";
import { NO_NASM, RAX, RBX, RCX, RDI, RDX, RSI, RSP, reg, runAsm } from "./helpers";

test("strings: REP MOVSB/STOSD, REPE CMPSB, REPNE SCASB, LODSW, DF=1 goes backwards", { skip: NO_NASM }, () => {
  const { m } = runAsm(`
  mov rdi, 0x200000
  mov eax, 0x41424344
  mov ecx, 4
  rep stosd                       ; 16 bytes of DCBA
  mov rsi, 0x200000
  mov rdi, 0x200100
  mov ecx, 16
  rep movsb
  mov rsi, 0x200000
  mov rdi, 0x200100
  mov byte [0x200105], 0
  mov ecx, 16
  repe cmpsb                      ; stops after the 6th byte
  mov r8, rcx
  mov rdi, 0x200000
  mov al, 0x41
  mov ecx, 16
  repne scasb                     ; finds 'A' at offset 3
  mov r9, rdi
  std
  mov rsi, 0x200003
  lodsw
  cld
  mov r10, rsi`);
  assert.equal(reg(m, 8), 10n);
  assert.equal(reg(m, 9), 0x200004n);
  assert.equal(reg(m, RAX) & 0xffffn, 0x4441n); // bytes 'A' 'D' at offsets 3 and 4
  assert.equal(reg(m, 10), 0x200001n);
});

test("stack: PUSH/POP of registers, memory, immediates and segment registers; ENTER/LEAVE", { skip: NO_NASM }, () => {
  const { m } = runAsm(`
  mov rsp, 0x9000
  push qword 0x12345678
  push qword [rsp]
  pop rax
  pop rbx
  push fs
  pop rcx
  push word 0x1234
  pop dx
  enter 16, 0
  mov rsi, rbp
  leave
  mov rdi, rsp`);
  assert.equal(reg(m, RAX), 0x12345678n);
  assert.equal(reg(m, RBX), 0x12345678n);
  assert.equal(reg(m, RCX), 0x10n);
  assert.equal(reg(m, RDX) & 0xffffn, 0x1234n);
  assert.equal(reg(m, RSI), 0x8ff8n);
  assert.equal(reg(m, RDI), 0x9000n);
  assert.equal(reg(m, RSP), 0x9000n);
});

test("control transfer: CALL/RET (near, indirect, RET imm), Jcc, LOOP, JRCXZ, JMP through memory", {
  skip: NO_NASM,
}, () => {
  const { m } = runAsm(`
  mov rsp, 0x9000
  xor ebx, ebx
  call f
  lea rax, [rel f]
  call rax
  mov [0x200000], rax
  call [0x200000]
  push 7
  call g
  mov ecx, 5
l: inc ebx
  loop l
  xor ecx, ecx
  jrcxz z
  mov ebx, 0
z:
  cmp ebx, 11
  jne bad
  lea rax, [rel done]
  mov [0x200008], rax
  jmp [0x200008]
bad:
  mov ebx, -1
done:
  mov rdx, rsp
  jmp out
f: add ebx, 2
  ret
g: ret 8
out:`);
  assert.equal(reg(m, RBX), 11n);
  assert.equal(reg(m, RDX), 0x9000n);
});

test("XCHG/XADD/CMPXCHG with memory, CMPXCHG8B/16B, LOCK on memory, LOCK on a register #UD", { skip: NO_NASM }, () => {
  const { m } = runAsm(`
  mov qword [0x200000], 5
  mov eax, 7
  xchg [0x200000], eax
  mov ebx, 1
  lock xadd [0x200000], ebx
  mov eax, 8
  mov ecx, 99
  lock cmpxchg [0x200000], ecx     ; equal: stores 99
  mov qword [0x200010], 0
  mov qword [0x200018], 0
  xor eax, eax
  xor edx, edx
  mov ebx, 0x11
  mov ecx, 0x22
  lock cmpxchg16b [0x200010]
  mov rsi, [0x200010]
  mov rdi, [0x200018]`);
  assert.equal(reg(m, RAX), 0n);
  assert.equal(m.readPhys(0x200000, 1)[0], 99);
  assert.equal(reg(m, RSI), 0x11n);
  assert.equal(reg(m, RDI), 0x22n);
  const ud = runAsm("lock add eax, ebx").stop;
  assert.equal(ud.kind === "exception" && ud.vector, 6);
});

test("BT with a register bit offset addresses memory beyond the operand", { skip: NO_NASM }, () => {
  const { m } = runAsm(`
  mov qword [0x200000], 0
  mov qword [0x200008], 0
  mov eax, 70
  bts [0x200000], rax
  mov rbx, [0x200008]
  mov rax, -1
  bt qword [0x200010], rax          ; bit 63 of the qword at 0x200008
  setc cl`);
  assert.equal(reg(m, RBX), 0x40n);
  assert.equal(reg(m, RCX) & 0xffn, 0n);
});

test("segment overrides: FS base from IA32_FS_BASE, GS base via SWAPGS", { skip: NO_NASM }, () => {
  const { m } = runAsm(`
  mov dword [0x200010], 0xabcd
  mov ecx, 0xC0000100
  mov eax, 0x200000
  xor edx, edx
  wrmsr
  mov ebx, [fs:0x10]
  mov ecx, 0xC0000102
  mov eax, 0x200008
  wrmsr
  swapgs
  mov esi, [gs:8]`);
  assert.equal(reg(m, RBX), 0xabcdn);
  assert.equal(reg(m, RSI), 0xabcdn);
});

test("system: LGDT/SGDT, LIDT/SIDT, SLDT/STR, MOV CR4, CLTS/SMSW, INVD, WBINVD", { skip: NO_NASM }, () => {
  const { m } = runAsm(`
  sub rsp, 32
  sgdt [rsp]
  mov ax, [rsp]
  mov rbx, [rsp+2]
  lgdt [rsp]
  sidt [rsp+16]
  mov cx, [rsp+16]
  str dx
  mov rsi, cr4
  or rsi, 0x10000                  ; FSGSBASE
  mov cr4, rsi
  rdfsbase rdi
  smsw r8
  clts
  wbinvd
  invd`);
  assert.equal(reg(m, RAX) & 0xffffn, 0x3fn);
  assert.equal(reg(m, RBX), 0x1000n);
  assert.equal(reg(m, RCX) & 0xffffn, 0xfffn);
  assert.equal(reg(m, RDX) & 0xffffn, 0x18n);
  assert.equal(reg(m, RDI), 0n);
  assert.equal(reg(m, 8) & 0xffffn, 0x33n);
});

test("privileged instructions at CPL 3 raise #GP(0); reserved CR4 bits raise #GP(0)", { skip: NO_NASM }, () => {
  const cr4 = runAsm("mov rax, 1 << 40\n mov cr4, rax").stop;
  assert.equal(cr4.kind === "exception" && cr4.vector, 13);
  const user = runAsm(`
  or qword [0x4000], 4
  or qword [0x5000], 4
  or qword [0x6000], 4
  mov rax, cr3
  mov cr3, rax
  lea rax, [rel user]
  push 0x33
  push qword 0x180000
  push 0x2
  push 0x3b
  push rax
  iretq
user:
  hlt`).stop;
  assert.equal(user.kind === "exception" && user.vector, 13);
  assert.equal(user.kind === "exception" && user.errorCode, 0);
});

test("16-bit addressing forms and segment arithmetic in real mode", { skip: NO_NASM }, () => {
  const { m } = runAsm(
    `
  mov ax, 0x2000
  mov ds, ax
  mov bx, 0x10
  mov si, 0x4
  mov word [bx+si+2], 0xbeef     ; linear 0x20016
  xor ax, ax
  mov ds, ax
  mov cx, [0x2001]               ; no: linear 0x2001 (DS=0)
  mov ax, 0x2001
  mov es, ax
  mov dx, [es:0x6]               ; linear 0x20016
  mov bp, 0x6
  mov ss, ax
  mov di, [bp]                   ; SS:BP = linear 0x20016`,
    "real16",
  );
  assert.equal(reg(m, RDX) & 0xffffn, 0xbeefn);
  assert.equal(reg(m, RDI) & 0xffffn, 0xbeefn);
});

test("x87 control instructions work, x87 arithmetic raises #UD (no floating point is emulated)", {
  skip: NO_NASM,
}, () => {
  const { m } = runAsm("fninit\n sub rsp, 8\n fnstcw [rsp]\n mov bx, [rsp]\n fnstsw ax");
  assert.equal(reg(m, RBX) & 0xffffn, 0x37fn);
  assert.equal(reg(m, RAX) & 0xffffn, 0n);
  const r = runAsm("fld1").stop;
  assert.equal(r.kind === "exception" && r.vector, 6);
});

test("SSE moves, PXOR, MOVD/MOVQ, alignment #GP and FXSAVE/FXRSTOR round trip", { skip: NO_NASM }, () => {
  const { m, stop } = runAsm(`
  mov rax, 0x1122334455667788
  mov [0x200000], rax
  mov rax, 0x99aabbccddeeff00
  mov [0x200008], rax
  movdqa xmm1, [0x200000]
  movups [0x200011], xmm1          ; unaligned store
  movq rbx, xmm1
  movd xmm2, ebx
  pxor xmm1, xmm1
  movq rcx, xmm1
  movd edx, xmm2
  fxsave [0x201000]
  pxor xmm2, xmm2
  fxrstor [0x201000]
  movq rsi, xmm2
  movdqa xmm3, [0x200001]          ; misaligned: #GP(0)`);
  assert.equal(reg(m, RBX), 0x1122334455667788n);
  assert.equal(reg(m, RCX), 0n);
  assert.equal(reg(m, RDX), 0x55667788n);
  assert.equal(reg(m, RSI), 0x55667788n);
  assert.deepEqual([...m.readPhys(0x200011, 2)], [0x88, 0x77]);
  assert.equal(stop.kind === "exception" && stop.vector, 13);
});

test("XSETBV/XGETBV and XSAVE/XRSTOR of the SSE state; XSETBV without SSE for AVX raises #GP", {
  skip: NO_NASM,
}, () => {
  const { m, stop } = runAsm(`
  mov rax, cr4
  bts rax, 18                      ; OSXSAVE
  mov cr4, rax
  xor ecx, ecx
  mov eax, 3                       ; x87 | SSE
  xor edx, edx
  xsetbv
  xgetbv
  mov r8, rax
  mov rax, 0x0123456789abcdef
  movq xmm5, rax
  mov eax, 3
  xor edx, edx
  xsave [0x202000]
  pxor xmm5, xmm5
  xrstor [0x202000]
  movq r9, xmm5
  mov r10, [0x202200]              ; XSTATE_BV
  xor ecx, ecx
  mov eax, 5                       ; AVX without SSE
  xsetbv`);
  assert.equal(reg(m, 8), 3n);
  assert.equal(reg(m, 9), 0x0123456789abcdefn);
  assert.equal(reg(m, 10), 3n);
  assert.equal(stop.kind === "exception" && stop.vector, 13);
});
