// `vmx asm`: flat binary and listing files, include directories, --syntax/--base, and compiler-style errors
// with a non-zero exit code.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { main } from "../../cli/main";

const dir = mkdtempSync(join(tmpdir(), "vmx-asm-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = {
    out(t: string) {
      out += t;
    },
    err(t: string) {
      err += t;
    },
    cwd: dir,
  };
  const code = await main(["asm", ...args], io);
  return { code, out, err };
}

describe("vmx asm", () => {
  test("writes the flat binary and a listing", async () => {
    writeFileSync(join(dir, "boot.asm"), "org 0x7c00\nstart: cli\n  hlt\n  jmp start\n");
    const r = await run(["boot.asm", "-o", "boot.bin", "--listing", "boot.lst"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual([...readFileSync(join(dir, "boot.bin"))], [0xfa, 0xf4, 0xeb, 0xfc]);
    assert.match(readFileSync(join(dir, "boot.lst"), "utf8"), /^\s+2 00000000 FA\s+start: cli$/m);
  });

  test("the default output name replaces the extension with .bin", async () => {
    writeFileSync(join(dir, "one.s"), "nop\n");
    const r = await run(["one.s"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual([...readFileSync(join(dir, "one.bin"))], [0x90]);
  });

  test("errors print as file:line:col: error: message and exit 1", async () => {
    writeFileSync(join(dir, "bad.s"), ".code64\n  movq $1, %rax\n  bogus %rax\n");
    const r = await run(["bad.s", "-o", "bad.bin"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^bad\.s:3:3: error: unknown instruction 'bogus' \[asm-unknown-mnemonic\]$/m);
  });

  test("-I adds include directories; --syntax overrides the extension", async () => {
    mkdirSync(join(dir, "include"), { recursive: true });
    writeFileSync(join(dir, "include", "defs.inc"), "VALUE equ 0x42\n");
    writeFileSync(join(dir, "main.txt"), '%include "defs.inc"\ndb VALUE\n');
    const r = await run(["main.txt", "--syntax", "nasm", "-I", "include", "-o", "main.bin"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual([...readFileSync(join(dir, "main.bin"))], [0x42]);
  });

  test("--base moves GAS .text", async () => {
    writeFileSync(join(dir, "base.s"), "here: .long here\n");
    const r = await run(["base.s", "--base", "0x1000", "-o", "base.bin"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual([...readFileSync(join(dir, "base.bin"))], [0x00, 0x10, 0, 0]);
  });

  test("bad arguments are usage errors (exit 2)", async () => {
    assert.equal((await run([])).code, 2);
    assert.equal((await run(["x.s", "--syntax", "masm"])).code, 2);
  });

  test("a missing input file is reported, exit 1", async () => {
    const r = await run(["does-not-exist.s"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /cannot read 'does-not-exist\.s'/);
  });
});
