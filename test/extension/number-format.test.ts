import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatNumber, nextFormat, parseUserNumber, widthInBits } from "../../extension/number-format";

describe("parseUserNumber", () => {
  test("reads hex in C, NASM-suffix and AT&T-immediate spellings", () => {
    assert.equal(parseUserNumber("0x6C00"), 0x6c00n);
    assert.equal(parseUserNumber("6C00h"), 0x6c00n);
    assert.equal(parseUserNumber("$0x10"), 0x10n);
    assert.equal(parseUserNumber("0xffff_ffff"), 0xffffffffn);
  });
  test("reads binary, octal and decimal", () => {
    assert.equal(parseUserNumber("0b101"), 5n);
    assert.equal(parseUserNumber("101b"), 5n);
    assert.equal(parseUserNumber("17q"), 15n);
    assert.equal(parseUserNumber("0o17"), 15n);
    assert.equal(parseUserNumber("1234"), 1234n);
    assert.equal(parseUserNumber("-1"), -1n);
  });
  test("rejects text that is not a number", () => {
    assert.equal(parseUserNumber("GUEST_CR0"), undefined);
    assert.equal(parseUserNumber(""), undefined);
    assert.equal(parseUserNumber("0x"), undefined);
    assert.equal(parseUserNumber("12z"), undefined);
  });
});

describe("formatNumber", () => {
  test("pads hex to the field width", () => {
    assert.equal(formatNumber(0x21n, 32, "hex"), "0x00000021");
    assert.equal(formatNumber(0x21n, 16, "hex"), "0x0021");
    assert.equal(formatNumber(1n, 64, "hex"), "0x0000000000000001");
  });
  test("decimal and nibble-grouped binary", () => {
    assert.equal(formatNumber(255n, 16, "dec"), "255");
    assert.equal(formatNumber(5n, 8, "bin"), "0b0000_0101");
    assert.equal(formatNumber(5n, 3, "bin"), "0b101");
  });
  test("negative values wrap to the width", () => {
    assert.equal(formatNumber(-1n, 16, "hex"), "0xffff");
  });
  test("natural width is 64 bits and formats cycle hex → dec → bin", () => {
    assert.equal(widthInBits("natural"), 64);
    assert.equal(nextFormat("hex"), "dec");
    assert.equal(nextFormat("dec"), "bin");
    assert.equal(nextFormat("bin"), "hex");
  });
});
