// The CPU models and the VMCS field table against what Bochs 2.7 itself reports (arch/fixtures/bochs/README.md).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { cpuModel, MSR, VMCS_FIELDS, vmcsFieldSupported } from "./index";

const BOCHS_MODELS = [
  ["corei7_skylake_x", "skylake-x"],
  ["corei7_sandy_bridge_2600k", "sandy-bridge"],
  ["core2_penryn_t9600", "core2-penryn"],
] as const;

const fixture = (name: string) => readFileSync(join(__dirname, "fixtures", "bochs", name), "utf8");

/** MSRs whose dumped value is run-time state set by the boot stub or BIOS, not a model constant. */
const RUNTIME_MSRS = new Set([0xc0000080, 0x2ff]);
/**
 * MSRs where the models follow the SDM, not Bochs: IA32_SMM_MONITOR_CTL exists with VMX and reads 0
 * (SDM Vol. 3C 33.15.5; shared/oracle/observed/negative.sdm.out), Bochs 2.7 raises #GP.
 */
const SDM_NOT_BOCHS_MSRS = new Map([[MSR.IA32_SMM_MONITOR_CTL, 0n]]);

for (const [bochs, name] of BOCHS_MODELS) {
  describe(`${name} equals Bochs 2.7 ${bochs}`, () => {
    const model = cpuModel(name)!;

    test("every dumped CPUID leaf", () => {
      const rows = fixture(`cpudump.${bochs}.txt`).match(/^CPUID .*$/gm) ?? [];
      assert.ok(rows.length > 10);
      for (const row of rows) {
        const n = row.match(/0x[0-9A-F]+/g)!.map(Number);
        assert.deepEqual(model.cpuid(n[0]!, n[1]!), n.slice(2), row);
      }
    });

    test("every dumped MSR (absent from the model exactly when RDMSR raised #GP)", () => {
      const rows = fixture(`cpudump.${bochs}.txt`).match(/^MSR .*$/gm) ?? [];
      assert.ok(rows.length > 20);
      for (const row of rows) {
        const [, index, value] = /^MSR (0x[0-9A-F]+) = (\S+)/.exec(row)!;
        if (RUNTIME_MSRS.has(Number(index))) continue;
        const sdm = SDM_NOT_BOCHS_MSRS.get(Number(index));
        if (sdm !== undefined) {
          assert.equal(value, "#GP", `${row}: Bochs now implements it; drop it from SDM_NOT_BOCHS_MSRS`);
          assert.equal(model.msr.get(Number(index)), sdm, row);
          continue;
        }
        assert.equal(model.msr.get(Number(index)), value === "#GP" ? undefined : BigInt(value!), row);
      }
    });

    test("VMREAD succeeds for exactly the encodings of the fields the model supports", () => {
      const bochsOk = new Set(
        (fixture(`vmread-scan.${bochs}.txt`).match(/^OK 0x[0-9A-F]+$/gm) ?? []).map((l) => Number(l.slice(3))),
      );
      const ours = new Set<number>();
      for (const f of VMCS_FIELDS) {
        if (!vmcsFieldSupported(model, f)) continue;
        ours.add(f.encoding);
        if (f.width === "64") ours.add(f.encoding | 1);
      }
      const hex = (s: Iterable<number>) => [...s].map((e) => `0x${e.toString(16)}`).join(" ");
      assert.equal(hex([...bochsOk].filter((e) => !ours.has(e))), "", "Bochs reads these, arch/ does not know them");
      assert.equal(hex([...ours].filter((e) => !bochsOk.has(e))), "", "arch/ says supported, Bochs fails VMREAD");
      assert.ok(bochsOk.size > 100);
    });
  });
}

describe("VMWRITE to read-only fields (IA32_VMX_MISC[29])", () => {
  for (const [bochs, name] of [BOCHS_MODELS[0], BOCHS_MODELS[1]]) {
    test(`${name}: error 13 exactly for the read-only fields unless VMWRITE-any-field is supported`, () => {
      const model = cpuModel(name)!;
      const rows = fixture(`vmwrite-scan.${bochs}.txt`).match(/^(OK|ERR) .*$/gm) ?? [];
      assert.ok(rows.length > 100);
      for (const row of rows) {
        const [, status, enc, error] = /^(OK|ERR) (0x[0-9A-F]+)(?: (\d+))?/.exec(row)!;
        const field = VMCS_FIELDS.find((f) => f.encoding === (Number(enc) & ~1))!;
        const fails = field.type === "read-only" && !model.features.vmwriteAnyField;
        assert.equal(status, fails ? "ERR" : "OK", row);
        if (fails) assert.equal(error, "13", row);
      }
    });
  }
});
