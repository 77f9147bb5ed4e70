// The listing against `nasm -l` itself (when nasm is installed): line numbers, offsets, bytes with `-`
// continuation rows, `<rep N>` for times/align, `??`/`<res N>` for reservations, and every line of a macro
// or %rep expansion after its invocation with the body's line number and `<depth>`. (Not reproduced: nasm's
// `[...]` marking of relocated values and its warning rows; the sources here have neither.)
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

describe("listing like nasm -l", () => {
  for (const [name, src] of Object.entries(SOURCES)) {
    test(`${name}: identical to nasm's listing`, { skip: !haveTool("nasm") && "nasm not installed" }, () => {
      const dir = mkdtempSync(join(tmpdir(), "vmx-asm-lst-"));
      try {
        const f = join(dir, "t.asm");
        writeFileSync(f, src);
        const r = spawnSync("nasm", ["-f", "bin", "-l", join(dir, "t.lst"), f, "-o", join(dir, "t.bin")], {
          encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        const ref = readFileSync(join(dir, "t.lst"), "utf8");
        const p = assemble(src, { fileName: f });
        assert.deepEqual(p.listing.split("\n"), ref.split("\n"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
