// The listing against `nasm -l` itself (when nasm is installed): line numbers, offsets, bytes with `-`
// continuation rows, `<rep N>` for times/align, `??`/`<res N>` for reservations, and every line of a macro
// or %rep expansion after its invocation with the body's line number and `<depth>`; included files' lines after
// their %include line, marked with the include depth; macro lines printed from their tokens (blanks collapsed,
// comments dropped); a label before a macro call listed as the expansion's first line; values nasm emits as
// relocations (label addresses, far pointers, moffs, data) as `[offset in their section]`, placed in rows as
// nasm's list_out does; nasm's warning rows for number overflows (data, immediates, sign-extended bytes and
// dwords, 64-bit constants), after the line, once per `times` repetition, marked in expansions.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { assemble } from "../../assembler/index";
import { haveTool } from "./reference";

const SOURCES: Record<string, string> = {
  macros: `bits 64
%macro VMW 2
  mov rax, %1
  vmwrite rax, %2
%endmacro
%macro M 1
%%top:
  mov eax, %1
%if %1 > 5
  nop
%endif
  times 3 db 1, 2
  align 8
%endmacro
section .text
start:
  mov eax, 1
  VMW 0x681e, rbx
  M 3
  M 7
  jmp start
msg: db "hello world, this is a long string", 0
  times 40 db 0
  align 16
  dq 1, 2, 3
%rep 3
  nop
%endrep
  align 4, db 0xcc
  times 2 nop
  times 1 ret

section .bss
buf: resb 64
`,
  relocations32: `bits 32
org 0x7c00
section .text
start:  mov eax, [data1]
        mov [data1], eax
        mov ebx, [data1 + 4]
        mov dword [data1], start
        push start
        push dword data2
        lea esi, [ebx + data1]
        mov ax, [data2]
        dd start, data2 - data1, data1 + 2
        dw start
        times 2 dd start
        jmp 0x08:start
        call start
section .data
data1:  dd 1, 2
data2:  dq data1
        dd start
section .bss
buf:    resd 4
section .text
        mov ecx, buf
        mov [buf + 8], ecx
`,
  relocations16: `bits 16
org 0x100
start:  mov si, msg
        mov ax, [msg]
        call far [fptr]
        jmp word 0x1000:start
        dw msg, msg+1
fptr:   dw start, 0
msg:    db "hi", 0
        times 3 dw msg
bits 64
        mov rax, msg
        mov eax, msg
        mov rbx, [msg]
        mov rcx, [rel msg]
        dq msg
        times 4 db 1
        times 40 db 0
`,
  warnings: `bits 64
  db 256
  db -129
  db 255
  db -128
  dw 65536
  dw -32769
  dd 0x100000000
  dd -0x80000001
  dq 0x10000000000000000
  mov al, 300
  mov al, -129
  mov ax, 70000
  mov eax, 0x100000000
  add al, 256
  add eax, 0x100000000
  add rax, 0x80000000
  add rax, 0xffffffff80000000
  push byte 200
  mov rax, 0x10000000000000000
  mov byte [rbx], 300
  mov word [rbx], 70000
  imul eax, ebx, 0x100000000
  int 256
  enter 70000, 0
  ret 70000
  in al, 256
  shl eax, 300
  cmp al, 0x1ff
  add rax, 0x80000000
  mov qword [rbx], 0x80000000
  push 0x80000000
  and rcx, 0xffffffff
  cmp rax, -0x80000001
  mov rax, 0x80000000
  add rax, 0x100000000
  db -256
  db -257
  dw -65536
  dw -65537
  dd -0x100000000
  dd -0x100000001
  push byte 200
  add eax, byte 200
  push byte -1
  add rax, byte 0x80
  imul eax, ebx, byte 200
%macro W 0
  db 300
%endmacro
  W
  times 2 db 300
`,
  reservations: `section .bss
resb 8
resb 9
resb 10
resb 16
resb 17
resw 4
resw 5
alignb 16
`,
};

/** Sources with include files: the main file and the files beside it. */
const WITH_INCLUDES: Record<string, { main: string; files: Record<string, string> }> = {
  includes: {
    main: `%include "layout.inc"
bits 64
org BASE
  cld
%include "lib.inc"
top:    PRINT "a string long enough for three rows of bytes"
  PHEX 32, rdi
%include "leaf.inc"
  hlt
`,
    files: {
      "layout.inc": "; constants\nBASE    equ 0x20000\n",
      "lib.inc": `; a library with macros
%macro PRINT 1
        jmp %%e
%%s:    db %1, 0    ; the text
%%e:    lea rsi, [rel %%s]
%endmacro
%macro PHEX 2
        mov   rax,%2
        call put_hex%1
%endmacro
  nop
%include "leaf.inc"
put_hex32: ret
`,
      "leaf.inc": "; leaf\n  int3\n",
    },
  },
};

describe("listing like nasm -l", () => {
  const sources: [string, string, Record<string, string>][] = [
    ...Object.entries(SOURCES).map(([n, src]): [string, string, Record<string, string>] => [n, src, {}]),
    ...Object.entries(WITH_INCLUDES).map(([n, s]): [string, string, Record<string, string>] => [n, s.main, s.files]),
  ];
  for (const [name, src, others] of sources) {
    test(`${name}: identical to nasm's listing`, { skip: !haveTool("nasm") && "nasm not installed" }, () => {
      const dir = mkdtempSync(join(tmpdir(), "vmx-asm-lst-"));
      try {
        const f = join(dir, "t.asm");
        writeFileSync(f, src);
        for (const [n, text] of Object.entries(others)) writeFileSync(join(dir, n), text);
        // (nasm 2.16 looks for include files in its working directory and the -I directories)
        const r = spawnSync("nasm", ["-f", "bin", "-l", join(dir, "t.lst"), f, "-o", join(dir, "t.bin")], {
          encoding: "utf8",
          cwd: dir,
        });
        assert.equal(r.status, 0, r.stderr);
        const ref = readFileSync(join(dir, "t.lst"), "utf8");
        const p = assemble(src, {
          fileName: f,
          readFile: (path) => {
            try {
              return readFileSync(path, "utf8");
            } catch {
              return undefined;
            }
          },
        });
        assert.deepEqual(
          p.diagnostics.filter((d) => d.severity === "error"),
          [],
        );
        if (Object.keys(others).length > 0)
          assert.deepEqual([...p.sections.flatMap((x) => [...x.bytes])], [...readFileSync(join(dir, "t.bin"))]);
        assert.deepEqual(p.listing.split("\n"), ref.split("\n"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
