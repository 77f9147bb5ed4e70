import assert from "node:assert/strict";
import { test } from "node:test";
import { CliUsageError, parseArgs, parseNumber } from "./io";
import { main } from "./main";

function capture() {
  let out = "";
  let err = "";
  return {
    io: {
      out: (t: string) => {
        out += t;
      },
      err: (t: string) => {
        err += t;
      },
      cwd: process.cwd(),
    },
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}

test("parseNumber accepts hex, binary, octal, decimal and NASM h-suffix forms", () => {
  assert.equal(parseNumber("0x6C00", "x"), 0x6c00n);
  assert.equal(parseNumber("0b101", "x"), 5n);
  assert.equal(parseNumber("0o17", "x"), 15n);
  assert.equal(parseNumber("480", "x"), 480n);
  assert.equal(parseNumber("0480h", "x"), 0x480n);
  assert.throws(() => parseNumber("zz", "value"), CliUsageError);
});

test("parseArgs separates positionals, valued options (with aliases) and flags", () => {
  const p = parseArgs(["a.s", "-o", "out.bin", "--syntax=gas", "--json"], { "--out": ["-o"], "--syntax": [] }, [
    "--json",
  ]);
  assert.deepEqual(p.positional, ["a.s"]);
  assert.deepEqual(p.options.get("--out"), ["out.bin"]);
  assert.deepEqual(p.options.get("--syntax"), ["gas"]);
  assert.ok(p.flags.has("--json"));
  assert.throws(() => parseArgs(["--bogus"], {}), /unknown option '--bogus'/);
  assert.throws(() => parseArgs(["-o"], { "--out": ["-o"] }), /-o needs a value/);
});

test("an unknown command is a one-line error with exit code 2", async () => {
  const c = capture();
  assert.equal(await main(["frobnicate"], c.io), 2);
  assert.equal(c.err, "vmx: unknown command 'frobnicate' (try 'vmx --help')\n");
});
