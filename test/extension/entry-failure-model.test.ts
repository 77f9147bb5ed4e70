import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { entryFailureDecorations, explainEntryFailure, failureHeadline } from "../../extension/entry-failure-model";
import type { VmEntryFailureExplanation } from "../../protocol/vmx-debug";
import { fieldOf } from "./fixtures";

const cr0 = fieldOf("guest-state", "natural").name;
const other = fieldOf("guest-state", "32").name;
const prov = (line: number) => ({
  file: "/ws/hv.s",
  line,
  column: 4,
  address: "0x1000" as const,
  instructionCount: line,
});

function failure(extra: Partial<VmEntryFailureExplanation> = {}): VmEntryFailureExplanation {
  return {
    kind: "entryFailureExit",
    instruction: "vmlaunch",
    location: { file: "/ws/hv.s", line: 80, column: 4 },
    checkId: "GCR-03",
    sdm: "26.3.1.1",
    message: "Guest CR0.PG is 1 but CR0.PE is 0. Set PE or clear PG.",
    exitReason: 33,
    fields: [
      { name: cr0, value: "0x80000000", provenance: prov(40) },
      { name: other, value: "0x0", provenance: prov(40) },
    ],
    ...extra,
  };
}

describe("entryFailureDecorations", () => {
  test("decorates the VMLAUNCH line and each VMWRITE line once", () => {
    const d = entryFailureDecorations(failure());
    assert.equal(d.length, 2);
    assert.deepEqual(
      d.map((x) => [x.kind, x.line]),
      [
        ["entry", 80],
        ["vmwrite", 40],
      ],
    );
  });
  test("the VMLAUNCH hover has the explanation and the fields; the after-text the first sentence", () => {
    const [entry] = entryFailureDecorations(failure());
    assert.match(entry!.hover, /VMLAUNCH failed/);
    assert.match(entry!.hover, /exit reason 33/);
    assert.match(entry!.hover, new RegExp(`\`${cr0}\` = \`0x80000000\` — set at hv\\.s:41`));
    assert.equal(entry!.after, " ✖ GCR-03: Guest CR0.PG is 1 but CR0.PE is 0.");
  });
  test("a VMWRITE line's hover names every field it set", () => {
    const w = entryFailureDecorations(failure())[1]!;
    assert.match(w.hover, new RegExp(cr0));
    assert.match(w.hover, new RegExp(other));
    assert.match(w.after, /fails GCR-03/);
  });
  test("fields written through a CALLed helper decorate each CALL line, not the helper's VMWRITE", () => {
    const helper = (caller: number) => ({
      ...prov(5),
      file: "/ws/lib.s",
      calledFrom: { file: "/ws/hv.s", line: caller, column: 8 },
    });
    const d = entryFailureDecorations(
      failure({
        fields: [
          { name: cr0, value: "0x80000000", provenance: helper(40) },
          { name: other, value: "0x0", provenance: helper(44) },
        ],
      }),
    );
    assert.deepEqual(
      d.map((x) => [x.kind, x.file, x.line]),
      [
        ["entry", "/ws/hv.s", 80],
        ["vmwrite", "/ws/hv.s", 40],
        ["vmwrite", "/ws/hv.s", 44],
      ],
    );
    assert.match(d[0]!.hover, /set at hv\.s:41 \(through the VMWRITE at lib\.s:6\)/);
    assert.match(
      explainEntryFailure(failure({ fields: [{ name: cr0, value: "0x1", provenance: helper(40) }] })),
      /set at hv\.s:41 \(through the VMWRITE at lib\.s:6\)/,
    );
  });
  test("fields without provenance give no VMWRITE decoration; no location gives no entry decoration", () => {
    const d = entryFailureDecorations(failure({ location: undefined, fields: [{ name: cr0, value: "0x1" }] }));
    assert.deepEqual(d, []);
  });
});

test("VMfailValid headline carries the VM-instruction error number", () => {
  assert.match(
    failureHeadline(failure({ kind: "vmfailValid", errorNumber: 7, instruction: "vmresume" })),
    /VMRESUME failed: VMfailValid \(VM-instruction error 7\)/,
  );
});

test("explainEntryFailure lists fields with their VMWRITE lines", () => {
  const text = explainEntryFailure(failure());
  assert.match(text, /At \/ws\/hv\.s:81/);
  assert.match(text, new RegExp(`${cr0} = 0x80000000  \\(set at hv\\.s:41\\)`));
});

test("paths are normalized, so `dir/../file` from the adapter matches the editor's path", () => {
  const loc = { file: "/ws/broken/../hv.s", line: 80, column: 4 };
  const d = entryFailureDecorations(
    failure({
      location: loc,
      fields: [{ name: cr0, value: "0x1", provenance: { ...prov(40), file: "/ws/broken/../hv.s" } }],
    }),
  );
  assert.deepEqual(
    d.map((x) => x.file),
    ["/ws/hv.s", "/ws/hv.s"],
  );
});
