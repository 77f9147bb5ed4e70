// Mode switches: real → protected → long mode, long ⇄ compatibility mode, protected → virtual-8086 and back
// through an interrupt.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NO_NASM, RAX, RBX, RCX, RDX, reg, runAsm } from "./helpers";

test("real mode → protected mode → long mode (paging, EFER.LME, far jumps)", { skip: NO_NASM }, () => {
  const { m, out, stop } = runAsm(
    `
  cli
  mov al, 'R'
  out 0xe9, al
  lgdt [gdtr]
  mov eax, cr0
  or eax, 1
  mov cr0, eax
  jmp 0x08:pm
bits 32
pm:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov esp, 0x9000
  mov al, 'P'
  out 0xe9, al
  mov edi, 0x20000
  xor eax, eax
  mov ecx, 0x3000 / 4
  rep stosd
  mov dword [0x20000], 0x21003
  mov dword [0x21000], 0x22003
  mov dword [0x22000], 0x83
  mov eax, 0x20000
  mov cr3, eax
  mov eax, cr4
  or eax, 0x20
  mov cr4, eax
  mov ecx, 0xC0000080
  rdmsr
  or eax, 0x100
  wrmsr
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  jmp 0x18:lm
bits 64
lm:
  mov al, 'L'
  out 0xe9, al
  mov ecx, 0xC0000080
  rdmsr
  mov ebx, eax
  mov rax, 0x123456789
  hlt
align 8
gdt: dq 0, 0x00CF9A000000FFFF, 0x00CF92000000FFFF, 0x00AF9A000000FFFF
gdt_end:
gdtr: dw gdt_end - gdt - 1
  dd gdt
bits 16`,
    "real16",
  );
  assert.equal(stop.kind, "halted");
  assert.equal(out, "RPL");
  assert.equal(reg(m, RAX), 0x123456789n);
  assert.equal(reg(m, RBX) & 0x500n, 0x500n); // EFER.LME and LMA
  assert.equal(m.cpu.codeMode, 64);
});

test("long mode → compatibility mode (RETF to a 32-bit segment) → 64-bit mode (JMP far)", { skip: NO_NASM }, () => {
  const { out, m, stop } = runAsm(`
  push 0x28
  lea rax, [rel compat]
  push rax
  retfq
bits 32
compat:
  mov al, 'C'
  out 0xe9, al
  mov eax, 0xffffffff
  inc eax                  ; 32-bit arithmetic in compatibility mode
  mov ebx, eax
  jmp 0x08:back
bits 64
back:
  mov al, 'B'
  out 0xe9, al`);
  assert.equal(stop.kind, "halted");
  assert.equal(out, "CB");
  assert.equal(reg(m, RBX), 0n);
  assert.equal(m.cpu.codeMode, 64);
});

test("protected mode → virtual-8086 mode (IRET with VM=1) → INT n back to ring 0 with the v86 frame", {
  skip: NO_NASM,
}, () => {
  const { m, stop } = runAsm(
    `
  mov esi, v86code
  mov edi, 0x8000
  mov ecx, v86end - v86code
  rep movsb
  mov eax, handler
  mov [0x2000 + 0x21*8], ax
  shr eax, 16
  mov [0x2000 + 0x21*8 + 6], ax
  mov byte [0x2000 + 0x21*8 + 5], 0xee   ; present, DPL 3, 32-bit interrupt gate
  push dword 0           ; GS
  push dword 0           ; FS
  push dword 0x0800      ; DS
  push dword 0           ; ES
  push dword 0x0800      ; SS
  push dword 0x1000      ; ESP
  push dword 0x23002     ; EFLAGS: VM, IOPL 3
  push dword 0x0800      ; CS
  push dword 0           ; EIP
  iretd
handler:
  mov ecx, [esp + 8]     ; EFLAGS image (VM set)
  mov edx, [esp + 4]     ; CS
  mov esi, [esp + 24]    ; DS
  hlt
bits 16
v86code:
  mov ax, 0x1234
  mov bx, [0]            ; DS:0 = linear 0x8000 (the v86 code itself)
  int 0x21
v86end:
bits 32`,
    "protected32",
  );
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, RAX) & 0xffffn, 0x1234n);
  assert.equal(reg(m, RBX) & 0xffffn, 0x34b8n); // bytes B8 34 of "mov ax, 0x1234"
  assert.equal(reg(m, RCX) & 0x20000n, 0x20000n);
  assert.equal(reg(m, RDX), 0x800n);
  assert.equal(reg(m, 6), 0x800n);
  assert.equal(m.cpu.cpl, 0);
});

test("protected mode: CALL through a call gate to ring 0 switches to the TSS stack and copies parameters", {
  skip: NO_NASM,
}, () => {
  const { m, stop } = runAsm(
    `
  mov eax, ring0
  mov word [0x1040], ax
  mov word [0x1042], 0x08
  mov byte [0x1044], 1            ; one dword parameter
  mov byte [0x1045], 0xec         ; present, DPL 3, 32-bit call gate
  shr eax, 16
  mov word [0x1046], ax
  sub esp, 8
  mov word [esp], 0x47
  mov dword [esp+2], 0x1000
  lgdt [esp]
  add esp, 8
  push dword 0x33
  push dword 0x9000
  push dword 0x2
  push dword 0x3b
  push dword ring3
  iretd
ring3:
  push dword 0x1234
  call 0x43:0
ring0:
  mov eax, [esp+8]                ; the copied parameter
  mov ebx, [esp+4]                ; caller CS
  mov ecx, [esp+16]               ; caller SS
  mov edx, [esp+12]               ; caller ESP
  mov esi, esp
  mov di, cs`,
    "protected32",
  );
  assert.equal(stop.kind, "halted");
  assert.equal(reg(m, RAX), 0x1234n);
  assert.equal(reg(m, RBX), 0x3bn);
  assert.equal(reg(m, RCX), 0x33n);
  assert.equal(reg(m, RDX), 0x8ffcn);
  assert.equal(reg(m, 6), 0x10000n - 20n);
  assert.equal(reg(m, 7) & 0xffffn, 0x08n);
});
