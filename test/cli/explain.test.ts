// `vmx explain`: check ids, VM-instruction errors, exit reasons and VMX instructions, read from the tables the
// emulator runs (its VM-entry checks) and arch/ (errors, exit reasons, qualification layouts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ENTRY_CHECKS } from "../../emulator/vmx/checks/index";
import { runCli } from "./run-cli";

const run = runCli;

async function json<T>(...argv: string[]): Promise<T> {
  const r = await run(...argv, "--json");
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as T;
}

describe("vmx explain", () => {
  test("a guest-state check: its requirement, section, outcome and place in the order", async () => {
    const r = await run("explain", "gcr-08");
    assert.equal(r.code, 0, r.err);
    const check = ENTRY_CHECKS.find((c) => c.id === "GCR-08")!;
    const order = ENTRY_CHECKS.indexOf(check) + 1;
    assert.match(r.out, /^GCR-08 — check on the guest-state area/);
    assert.ok(r.out.includes(check.summary));
    assert.match(r.out, new RegExp(`SDM\\s+${check.sdm.replace(/\./g, "\\.")}`));
    assert.match(r.out, /exit reason 0x80000021/);
    assert.match(
      r.out,
      new RegExp(`order\\s+${order} of ${ENTRY_CHECKS.length}, after ${ENTRY_CHECKS[order - 2]!.id}`),
    );
  });

  test("an I/O port of the emulated PC, from arch/'s table; `port` alone lists them; an unknown port is an error", async () => {
    const r = await run("explain", "port", "0x43");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^0x43 — 8254 PIT: control word\n {2}Bits 7:6 channel/);
    const all = await json<{ port: number }[]>("explain", "port");
    assert.ok(all.some((p) => p.port === 0x92) && all.some((p) => p.port === 0x3f8));
    const bad = await run("explain", "port", "0x1234");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /no device of the emulated PC at port 0x1234/);
  });

  test("error 7 lists exactly the control-field checks, in the order VM entry runs them", async () => {
    const e = await json<{ number: number; message: string; checks: string[] }>("explain", "error", "7");
    assert.equal(e.message, "VM entry with invalid control field(s)");
    const control = ENTRY_CHECKS.filter((c) => c.phase === "control" && !c.bochsOnly).map((c) => c.id);
    assert.deepEqual(e.checks, control);
    assert.ok(control.length > 50);
    const noChecks = await json<{ checks: string[] }>("explain", "error", "12");
    assert.deepEqual(noChecks.checks, []);
  });

  test("an exit reason with its qualification decoded", async () => {
    const msr = await json<{ basic: number; entryFailure: boolean; decoded: string[]; checks: string[] }>(
      "explain",
      "exit",
      "0x80000022",
      "--qualification",
      "3",
    );
    assert.equal(msr.basic, 34);
    assert.equal(msr.entryFailure, true);
    assert.match(msr.decoded.join("\n"), /MSR_INDEX=3/);
    assert.deepEqual(
      msr.checks,
      ENTRY_CHECKS.filter((c) => c.phase === "msr").map((c) => c.id),
    );
    const io = await run("explain", "exit", "30", "-q", "0x3F80008");
    assert.equal(io.code, 0, io.err);
    assert.match(io.out, /IO_INSTRUCTION/);
    assert.match(io.out, /PORT=0x3F8/);
    assert.match(io.out, /DIRECTION=1 \(IN\)/);
    assert.doesNotMatch(io.out, /bit 31 set/);
  });

  test("a VMX instruction: its exit reason and the errors that name it", async () => {
    const r = await run("explain", "VMRESUME");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /VM exit, reason 24 \(VMRESUME\)/);
    assert.match(r.out, /error {2}5 {2}VMRESUME with non-launched VMCS/);
    assert.match(r.out, /error 26 {2}VM entry with events blocked by MOV SS/);
    assert.doesNotMatch(r.out, /error {2}4 /);
    const ptrst = await run("explain", "vmptrst");
    assert.match(ptrst.out, /no VMfail/);
    assert.doesNotMatch(ptrst.out, /VM-instruction errors/);
  });

  test("checks lists every check (Bochs-only ones aside), filtered by phase", async () => {
    const all = await json<{ id: string; phase: string }[]>("explain", "checks");
    assert.deepEqual(
      all.map((c) => c.id),
      ENTRY_CHECKS.filter((c) => !c.bochsOnly).map((c) => c.id),
    );
    const host = await json<{ id: string; phase: string }[]>("explain", "checks", "--phase", "host");
    assert.ok(host.length > 10 && host.every((c) => c.phase === "host" && /^H(ST|SEG|ASZ)-/.test(c.id)));
  });

  test("bad requests are one-line usage errors", async () => {
    for (const [argv, pattern] of [
      [["explain"], /expects what to explain/],
      [["explain", "error", "99"], /error 99 does not exist/],
      [["explain", "exit", "1000"], /exit reason 1000 is not defined/],
      [["explain", "exit", "0x1_0000_0000"], /32-bit/],
      [["explain", "INS-04"], /instruction-level check of VMLAUNCH\/VMRESUME/],
      [["explain", "GCR-999"], /not a VM-entry check id/],
      [["explain", "error", "7", "-q", "1"], /--qualification goes with 'exit N'/],
      [["explain", "checks", "--phase", "nope"], /--phase must be one of/],
    ] as [string[], RegExp][]) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.equal(r.out, "");
      assert.equal(r.err.split("\n").filter(Boolean).length, 1, r.err);
      assert.match(r.err, pattern);
    }
  });
});
