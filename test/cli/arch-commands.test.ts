import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { VMCS_FIELDS } from "../../arch/index";
import { runCli } from "./run-cli";

const run = runCli;

/** Bad arguments: exactly one line on stderr, nothing on stdout, exit 2. */
async function assertUsageError(argv: string[], pattern: RegExp) {
  const r = await run(...argv);
  assert.equal(r.code, 2, argv.join(" "));
  assert.equal(r.out, "");
  assert.equal(r.err.split("\n").filter(Boolean).length, 1, r.err);
  assert.match(r.err, pattern);
}

describe("vmx fields", () => {
  test("lists every field with a count", async () => {
    const r = await run("fields");
    assert.equal(r.code, 0);
    assert.match(r.out, /^0x6C00\s+HOST_CR0\s+natural\s+host\s+host-state/m);
    assert.match(r.out, new RegExp(`^${VMCS_FIELDS.length} fields$`, "m"));
  });

  test("--json prints the complete table", async () => {
    const r = await run("fields", "--json");
    assert.equal(r.code, 0);
    const rows = JSON.parse(r.out) as { name: string; encoding: number }[];
    assert.equal(rows.length, VMCS_FIELDS.length);
    assert.deepEqual(
      rows.find((f) => f.name === "GUEST_CR0"),
      JSON.parse(JSON.stringify(VMCS_FIELDS.find((f) => f.name === "GUEST_CR0"))),
    );
  });

  test("--group filters by group, accepting short forms", async () => {
    const r = await run("fields", "--group", "vm-entry-control", "--json");
    const rows = JSON.parse(r.out) as { group: string; name: string }[];
    assert.ok(rows.length > 0);
    assert.ok(rows.every((f) => f.group === "vm-entry-control"));
    assert.ok(rows.some((f) => f.name === "VM_ENTRY_CONTROLS"));
    const short = await run("fields", "--group=entry", "--json");
    assert.deepEqual(JSON.parse(short.out), rows);
  });

  test("--width and --type combine", async () => {
    const r = await run("fields", "--width", "64", "--type", "read-only");
    assert.equal(r.code, 0);
    assert.match(r.out, /GUEST_PHYSICAL_ADDRESS/);
    assert.match(r.out, /ORIGINAL_EVENT_DATA/);
    assert.match(r.out, /^2 fields$/m);
  });

  test("bad arguments", async () => {
    await assertUsageError(["fields", "--group", "bogus"], /unknown group 'bogus'/);
    await assertUsageError(["fields", "--frobnicate"], /unknown option/);
    await assertUsageError(["fields", "extra"], /unexpected argument/);
  });
});

describe("vmx field", () => {
  test("0x6c00 is HOST_CR0", async () => {
    const r = await run("field", "0x6c00");
    assert.equal(r.code, 0);
    assert.match(r.out, /^HOST_CR0$/m);
    assert.match(r.out, /width\s+natural width/);
    assert.match(r.out, /type\s+host state/);
    assert.match(r.out, /group\s+host-state/);
    assert.match(r.out, /access\s+read\/write/);
    assert.match(r.out, /SDM\s+B\.4\.4/);
  });

  test("a name (any case) describes the same field", async () => {
    const r = await run("field", "guest_cr0");
    assert.equal(r.code, 0);
    assert.match(r.out, /^GUEST_CR0$/m);
    assert.match(r.out, /encoding\s+0x6800 \(full access\)/);
  });

  test("the HIGH encoding of a 64-bit field names its upper half", async () => {
    const r = await run("field", "0x2807");
    assert.equal(r.code, 0);
    assert.match(r.out, /GUEST_IA32_EFER_HIGH — the upper 32 bits \(63:32\) of the 64-bit field GUEST_IA32_EFER/);
    const byName = await run("field", "GUEST_IA32_EFER_HIGH");
    assert.equal(byName.out, r.out);
  });

  test("a read-only field says VMWRITE fails", async () => {
    const r = await run("field", "0x4402");
    assert.match(r.out, /^EXIT_REASON$/m);
    assert.match(r.out, /read-only: VMWRITE fails \(error 13\)/);
  });

  test("0x6c01: HIGH access on a natural-width field is invalid (exit 1)", async () => {
    const r = await run("field", "0x6c01");
    assert.equal(r.code, 1);
    assert.match(r.out, /0x6C01 is not a valid VMCS field encoding/);
    assert.match(r.out, /HIGH access .* only allowed for 64-bit fields, not natural-width ones/);
  });

  test("reserved bits and unknown indexes are explained", async () => {
    const reserved = await run("field", "0x7800");
    assert.equal(reserved.code, 1);
    assert.match(reserved.out, /reserved bit 12 set/);
    assert.match(reserved.out, /the full encoding 0x6800 is GUEST_CR0/);
    const unknown = await run("field", "0x482c");
    assert.equal(unknown.code, 1);
    assert.match(unknown.out, /no 32-bit guest field has index 22/);
  });

  test("--model says whether the model implements the field", async () => {
    const yes = await run("field", "EPT_POINTER", "--model", "skylake-x");
    assert.equal(yes.code, 0);
    assert.match(yes.out, /on skylake-x\s+supported/);
    const no = await run("field", "0x201a", "--model", "core2-first-gen");
    assert.equal(no.code, 0);
    assert.match(no.out, /on core2-first-gen\s+not supported: VMREAD\/VMWRITE fail with VM-instruction error 12/);
    await assertUsageError(["field", "0x201a", "--model", "z80"], /unknown model 'z80'/);
  });

  test("--json gives the decoded encoding", async () => {
    const r = await run("field", "0x201b", "--json");
    assert.equal(r.code, 0);
    const d = JSON.parse(r.out);
    assert.equal(d.valid, true);
    assert.equal(d.accessType, "high");
    assert.equal(d.field.name, "EPT_POINTER");
  });

  test("bad arguments", async () => {
    await assertUsageError(["field"], /expects one field encoding or name/);
    await assertUsageError(["field", "NO_SUCH_FIELD"], /no VMCS field named 'NO_SUCH_FIELD'/);
    await assertUsageError(["field", "6c00"], /write hexadecimal as 0x6c00/);
    await assertUsageError(["field", "0x6c00", "0x6800"], /expects one/);
    await assertUsageError(["field", "12zz"], /not a number/);
  });
});

describe("vmx msr", () => {
  test("0x480 names IA32_VMX_BASIC and lists its bit fields", async () => {
    const r = await run("msr", "0x480");
    assert.equal(r.code, 0);
    assert.match(r.out, /^IA32_VMX_BASIC \(MSR 0x0480\)$/m);
    assert.match(r.out, /read-only/);
    assert.match(r.out, /\[55\]\s+TRUE_CONTROLS/);
  });

  test("--value decodes a value", async () => {
    const r = await run("msr", "IA32_VMX_BASIC", "--value", "0x00D810000000002B");
    assert.equal(r.code, 0);
    assert.match(r.out, /VMCS_REVISION_ID=0x2B/);
    assert.match(r.out, /MEMORY_TYPE=6 \(WB\)/);
  });

  test("a control capability MSR lists each control's allowed settings", async () => {
    const r = await run("msr", "0x48e", "--value", "0xF7F9FFFE04006172");
    assert.equal(r.code, 0);
    assert.match(r.out, /HLT_EXITING\s+0 or 1/);
    assert.match(r.out, /MONITOR_TRAP_FLAG\s+must be 0/);
    const plain = await run("msr", "0x482", "--value", "0xF7F9FFFE0401E172");
    assert.match(plain.out, /CR3_LOAD_EXITING\s+must be 1/);
  });

  test("--model reads the model's value, or says the model lacks the MSR", async () => {
    const r = await run("msr", "IA32_FEATURE_CONTROL", "--model", "vmx-locked-off");
    assert.equal(r.code, 0);
    assert.match(r.out, /value\s+0x0000000000000001 on vmx-locked-off/);
    assert.match(r.out, /\[0\]\s+LOCK/);
    assert.doesNotMatch(r.out, /VMX_OUTSIDE_SMX/);
    const missing = await run("msr", "0x48b", "--model", "core2-first-gen");
    assert.equal(missing.code, 0);
    assert.match(missing.out, /core2-first-gen does not implement it/);
  });

  test("an index outside the table exits 1", async () => {
    const r = await run("msr", "0x12345");
    assert.equal(r.code, 1);
    assert.match(r.out, /MSR 0x00012345 is not in the table/);
  });

  test("bad arguments", async () => {
    await assertUsageError(["msr"], /expects one MSR/);
    await assertUsageError(["msr", "IA32_NOPE"], /no MSR named 'IA32_NOPE'/);
    await assertUsageError(["msr", "0x480", "--value", "banana"], /--value: 'banana' is not a number/);
    await assertUsageError(["msr", "0x480", "--value"], /--value needs a value/);
    await assertUsageError(["msr", "0x480", "--model", "486"], /unknown model '486'/);
    await assertUsageError(["msr", "0x480", "--value", "0x10000000000000000"], /does not fit in 64 bits/);
  });
});
