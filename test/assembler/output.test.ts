// The Program: sections with load addresses, symbols, the line map, the listing, entry, flat binary.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { addressesOf, assemble, flatBinary, lineAt } from "../../assembler/index";

describe("program output", () => {
  const gas = [
    ".code64",
    "_start:",
    "  nop",
    "  movl $1, %eax",
    ".data",
    "val: .long 5",
    "  .byte 1, 2",
    ".bss",
    "buf: .skip 64",
    ".text",
    "  ret",
    "",
  ].join("\n");

  test("GAS sections: .text at --base, .data after it, .bss after that but not in the binary", () => {
    const p = assemble(gas, { fileName: "t.s", base: 0x100000n });
    const byName = new Map(p.sections.map((s) => [s.name, s]));
    assert.equal(byName.get(".text")!.address, 0x100000n);
    assert.equal(byName.get(".text")!.size, 7); // nop, movl, ret
    assert.equal(byName.get(".data")!.address, 0x100007n);
    assert.equal(byName.get(".bss")!.nobits, true);
    assert.equal(flatBinary(p).length, 7 + 6);
  });

  test("symbols carry values, sections and definition positions", () => {
    const p = assemble(gas, { fileName: "t.s" });
    const val = p.symbols.get("val")!;
    assert.equal(val.value, 7n);
    assert.equal(val.section, ".data");
    assert.equal(val.line, 5);
    assert.equal(p.symbols.get("buf")!.value, 13n);
    assert.equal(p.entry, 0n);
  });

  test("the line map covers every instruction and data item (.bss reservations too), 0-based lines and columns", () => {
    const p = assemble(gas, { fileName: "t.s" });
    assert.deepEqual(
      p.lineMap.map((e) => [e.address, e.length, e.line, e.column]),
      [
        [0n, 1, 2, 2],
        [1n, 5, 3, 2],
        [6n, 1, 10, 2],
        [7n, 4, 5, 5],
        [11n, 2, 6, 2],
        [13n, 64, 8, 5],
      ],
    );
    assert.equal(lineAt(p, 3n)?.line, 3);
    assert.deepEqual(addressesOf(p, "t.s", 10), [6n]);
  });

  test("macro expansions map to the invocation line", () => {
    const src = "%macro TWO 0\n  nop\n  nop\n%endmacro\nbits 64\n  TWO\n";
    const p = assemble(src, { fileName: "t.asm" });
    assert.deepEqual(
      p.lineMap.map((e) => [e.address, e.line]),
      [
        [0n, 5],
        [1n, 5],
      ],
    );
  });

  test("included lines map to the included file", () => {
    const files: Record<string, string> = { "inc/defs.inc": "  nop\n" };
    const p = assemble('.include "defs.inc"\n  ret\n', {
      fileName: "main.s",
      includeDirs: ["inc"],
      readFile: (f) => files[f],
    });
    assert.deepEqual(
      p.lineMap.map((e) => [e.file, e.line]),
      [
        ["inc/defs.inc", 0],
        ["main.s", 1],
      ],
    );
  });

  test("NASM org sets the load address and the flat image starts there", () => {
    const p = assemble("org 0x7c00\nstart: jmp start\ntimes 510-($-$$) db 0\ndw 0xaa55\n", { fileName: "boot.asm" });
    assert.equal(p.sections[0]!.address, 0x7c00n);
    const bin = flatBinary(p);
    assert.equal(bin.length, 512);
    assert.deepEqual([bin[0], bin[1], bin[510], bin[511]], [0xeb, 0xfe, 0x55, 0xaa]);
  });

  test("the listing shows line numbers, offsets, bytes and source like nasm -l", () => {
    const p = assemble("bits 64\nstart:\n  mov eax, 1 ; load\n  db 1, 2\n", { fileName: "t.asm" });
    const lines = p.listing.split("\n");
    assert.match(lines[2]!, /^\s+3 00000000 B801000000\s+ {2}mov eax, 1 ; load$/);
    assert.match(lines[3]!, /^\s+4 00000005 0102\s+ {2}db 1, 2$/);
    assert.match(lines[1]!, /^\s+2\s+start:$/);
  });

  test("include files are searched next to the including file, then the cwd, then -I directories", () => {
    const files: Record<string, string> = {
      "src/a.inc": "db 1\n",
      "a.inc": "db 2\n",
      "inc/a.inc": "db 3\n",
      "b.inc": "db 4\n",
      "inc/b.inc": "db 5\n",
      "inc/c.inc": "db 6\n",
    };
    const p = assemble('%include "a.inc"\n%include "b.inc"\n%include "c.inc"\n', {
      fileName: "src/main.asm",
      cwd: "",
      includeDirs: ["inc"],
      readFile: (f) => files[f],
    });
    assert.deepEqual([...flatBinary(p)], [1, 4, 6]);
  });

  test("assemble never throws and reports an empty program for empty input", () => {
    const p = assemble("", { fileName: "e.s" });
    assert.equal(p.diagnostics.length, 0);
    assert.equal(flatBinary(p).length, 0);
  });
  test("nasm vstart=: the section is loaded after .text, its labels and line map use the virtual base", () => {
    const src =
      "org 0x7c00\nbits 16\njmp stage2\nsection .stage2 follows=.text vstart=0x8000\nstage2: mov ax, stage2\n";
    const p = assemble(src, { fileName: "t.asm" });
    assert.deepEqual(p.diagnostics, []);
    const s2 = p.sections.find((s) => s.name === ".stage2");
    assert.equal(s2?.address, 0x7c04n, "nasm aligns sections to 4 by default");
    assert.equal(s2?.vstart, 0x8000n);
    assert.equal(p.symbols.get("stage2")?.value, 0x8000n);
    assert.equal(lineAt(p, 0x8000n)?.line, 4);
    assert.equal(Buffer.from(flatBinary(p)).toString("hex"), "e9fd0300b80080");
  });
});
