// `vmx run`: raw images and assembled programs, output to stdout, stop reason to stderr, exit status.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../cli/main";
import { NO_NASM, NO_ORACLE, nasm, oracleImage } from "./helpers";

function capture(cwd: string) {
  const r = { out: "", err: "" };
  return {
    r,
    io: {
      out: (t: string) => {
        r.out += t;
      },
      err: (t: string) => {
        r.err += t;
      },
      cwd,
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), "vmx-run-"));

test("vmx run boots an oracle image in real16 and copies port 0xE9 output to stdout", { skip: NO_ORACLE }, async () => {
  writeFileSync(join(dir, "hello.img"), oracleImage("hello"));
  const { r, io } = capture(dir);
  const code = await main(["run", "hello.img", "--start", "real16", "--load", "0x7c00"], io);
  assert.equal(code, 0);
  assert.match(r.out, /hello from 64-bit long mode\n/);
  assert.match(r.err, /halted/);
});

test("vmx run exits non-zero on an unhandled exception and on an exhausted budget", { skip: NO_NASM }, async () => {
  writeFileSync(join(dir, "ud.bin"), nasm("bits 64\nud2"));
  let c = capture(dir);
  assert.equal(await main(["run", "ud.bin", "--load", "0x100000"], c.io), 1);
  assert.match(c.r.err, /unhandled exception 6 .*at 0x100000/);
  writeFileSync(join(dir, "loop.bin"), nasm("bits 64\njmp $"));
  c = capture(dir);
  assert.equal(await main(["run", "loop.bin", "--max", "1000"], c.io), 1);
  assert.match(c.r.err, /budget exhausted after 1000 instructions/);
});

test("vmx run assembles a NASM source and enters at the start label", async () => {
  writeFileSync(
    join(dir, "prog.asm"),
    "bits 64\norg 0x100000\ndata: db 'no'\nstart:\n mov al, 'o'\n out 0xe9, al\n mov al, 'k'\n out 0xe9, al\n hlt\n",
  );
  const { r, io } = capture(dir);
  const code = await main(["run", "prog.asm"], io);
  assert.equal(r.out, "ok", r.err);
  assert.equal(code, 0);
});

test("vmx run rejects an unknown start state and CPU model", async () => {
  const { io } = capture(dir);
  assert.equal(await main(["run", "x.bin", "--start", "nope"], io), 2);
  assert.equal(await main(["run", "x.bin", "--cpu", "pentium"], io), 2);
});

test("vmx run --trace prints each instruction to stderr", { skip: NO_NASM }, async () => {
  writeFileSync(join(dir, "t.bin"), nasm("bits 64\nnop\nhlt"));
  const { r, io } = capture(dir);
  await main(["run", "t.bin", "--load", "0x100000", "--trace"], io);
  assert.match(r.err, /0x100000\s+nop/);
  assert.match(r.err, /0x100001\s+hlt/);
});

test("vmx run prints the VMX exit trace to stderr", { skip: NO_ORACLE }, async () => {
  writeFileSync(join(dir, "basic_launch.img"), oracleImage("basic_launch"));
  const { r, io } = capture(dir);
  const code = await main(
    ["run", "basic_launch.img", "--start", "real16", "--load", "0x7c00", "--cpu", "skylake-x"],
    io,
  );
  assert.equal(code, 0);
  assert.match(r.err, /vmx: VMLAUNCH → guest RIP 0x[0-9a-f]+/);
  assert.match(r.err, /vmx: VM exit 10 \(CPUID\) at guest RIP 0x[0-9a-f]+, qualification 0x0, length 2/);
  assert.match(r.err, /vmx: VM exit 12 \(HLT\)/);
});

test("vmx run names the source line of a fault, a halt and a failed VMLAUNCH", async () => {
  writeFileSync(join(dir, "fault.asm"), "bits 64\norg 0x100000\nstart:\n nop\n ud2\n");
  let c = capture(dir);
  assert.equal(await main(["run", "fault.asm"], c.io), 1);
  assert.match(c.r.err, /unhandled exception 6 at 0x100001 \(fault\.asm:5\)/);
  writeFileSync(join(dir, "halt.asm"), "bits 64\norg 0x100000\nstart:\n nop\n hlt\n");
  c = capture(dir);
  assert.equal(await main(["run", "halt.asm"], c.io), 0);
  assert.match(c.r.err, /halted at 0x100002 \(HLT with interrupts disabled at halt\.asm:5\)/);
  // IF = 1 but the PIC is masked and the PIT idle (power-on): nothing can wake the processor either.
  writeFileSync(join(dir, "idle.asm"), "bits 64\norg 0x100000\nstart:\n sti\n hlt\n");
  c = capture(dir);
  assert.equal(await main(["run", "idle.asm"], c.io), 0);
  assert.match(c.r.err, /halted at 0x100002 \(HLT with no interrupt that can wake it at idle\.asm:5\)/);
  // VMLAUNCH without a current VMCS after VMXON: VMfailInvalid, reported at its line.
  writeFileSync(
    join(dir, "nocurrent.asm"),
    [
      "bits 64",
      "org 0x100000",
      "start:",
      " mov ecx, 0x480",
      " rdmsr",
      " mov [0x200000], eax",
      " mov rax, cr4",
      " bts rax, 13",
      " mov cr4, rax",
      " vmxon [rel region]",
      " vmlaunch",
      " hlt",
      "region: dq 0x200000",
    ].join("\n"),
  );
  c = capture(dir);
  await main(["run", "nocurrent.asm"], c.io);
  assert.match(c.r.err, /vmx: VMLAUNCH at nocurrent\.asm:11 failed: VMfailInvalid — INS-04/);
});
