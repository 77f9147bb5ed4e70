// The decode commands read arch/: the expectations are derived from arch's tables, not written again here.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MSR, MSRS, VMCS_FIELDS } from "../../arch/index";
import { decodeFieldEncoding, decodeMsr } from "../../extension/decode";

const field64 = VMCS_FIELDS.find((f) => f.width === "64" && f.type === "guest")!;
const readOnly = VMCS_FIELDS.find((f) => f.type === "read-only")!;
const control32 = VMCS_FIELDS.find((f) => f.group === "vm-execution-control" && f.width === "32")!;

describe("decodeFieldEncoding", () => {
  test("a hex encoding names its field with width, type and SDM section", () => {
    const r = decodeFieldEncoding(`0x${field64.encoding.toString(16)}`);
    assert.equal(r.ok, true);
    assert.match(r.title, new RegExp(`= ${field64.name} \\(64-bit guest\\)`));
    assert.ok(r.lines.some((l) => l.includes(field64.see)));
  });
  test("a field name gives the same report as its encoding", () => {
    assert.deepEqual(decodeFieldEncoding(field64.name), decodeFieldEncoding(String(field64.encoding)));
  });
  test("the HIGH encoding of a 64-bit field is recognized", () => {
    const r = decodeFieldEncoding(`0x${(field64.encoding + 1).toString(16)}`);
    assert.equal(r.ok, true);
    assert.match(r.title, new RegExp(`${field64.name}_HIGH`));
  });
  test("a read-only field says so", () => {
    assert.ok(decodeFieldEncoding(readOnly.name).lines.some((l) => /read-only/.test(l)));
  });
  test("reserved bits make the encoding invalid and are explained", () => {
    const r = decodeFieldEncoding(`0x${(control32.encoding | 0x1000).toString(16)}`);
    assert.equal(r.ok, false);
    assert.ok(r.lines.some((l) => /Problem: reserved bit 12/.test(l)));
  });
  test("an unknown name is reported, not thrown", () => {
    const r = decodeFieldEncoding("NOT_A_FIELD");
    assert.equal(r.ok, false);
    assert.match(r.title, /neither a number nor a VMCS field name/);
  });
  test("a value after the encoding is decoded into bits", () => {
    const r = decodeFieldEncoding(`${control32.name} = 0xffffffff`);
    const i = r.lines.findIndex((l) => l.startsWith("Value 0xFFFFFFFF"));
    assert.ok(i >= 0);
    assert.ok(r.lines.length > i + 1);
  });
  test("an empty input asks for one", () => {
    assert.equal(decodeFieldEncoding("  ").ok, false);
  });
});

describe("decodeMsr", () => {
  const withBits = MSRS.find((m) => (m.bits?.length ?? 0) > 1)!;
  test("an index names the MSR, its access and bit fields", () => {
    const r = decodeMsr(`0x${withBits.index.toString(16)}`);
    assert.equal(r.ok, true);
    assert.match(r.title, new RegExp(withBits.name));
    assert.ok(r.lines.includes("Bit fields:"));
    assert.equal(r.lines.filter((l) => l.startsWith("  [")).length, withBits.bits!.length);
  });
  test("a name works like its index; read-only MSRs say WRMSR faults", () => {
    const ro = MSRS.find((m) => m.access === "ro")!;
    assert.deepEqual(decodeMsr(ro.name), decodeMsr(String(ro.index)));
    assert.ok(decodeMsr(ro.name).lines.some((l) => /#GP/.test(l)));
  });
  test("a value is decoded through the MSR's bit fields", () => {
    const r = decodeMsr(`0x${MSR.IA32_FEATURE_CONTROL!.toString(16)} = 5`);
    const after = r.lines.slice(r.lines.findIndex((l) => l.startsWith("Value 0x5")) + 1);
    assert.ok(after.length >= 2, r.lines.join("\n"));
  });
  test("unknown MSRs and bad values are reported", () => {
    assert.equal(decodeMsr("0x12345678").ok, false);
    assert.equal(decodeMsr("IA32_NOPE").ok, false);
    assert.ok(decodeMsr(`${withBits.name} = zz`).lines.some((l) => /not a number/.test(l)));
  });
});
