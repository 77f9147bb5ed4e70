// The debug engine on the real emulator, without DAP: time travel keeps the VMX logs consistent, output is not
// repeated by replays, VMWRITE provenance follows the machine.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { VMCS } from "../../arch/index";
import { DebugEngine, type EngineStop } from "./engine";
import { buildProgram, createTarget, defaultEntry } from "./machine-adapter";

const FIXTURES = join(__dirname, "../../test/dap/fixtures");

function open(name: string, breakOn: ("vmExit" | "vmEntryFailure")[] = []) {
  const file = join(FIXTURES, name);
  const built = buildProgram({ files: [file], includePaths: [], readFile: (p) => readFileSync(p, "utf8") });
  assert.deepEqual(built.errors, []);
  const stops: EngineStop[] = [];
  let output = "";
  let ended: string | undefined;
  let engine: DebugEngine | undefined;
  const target = createTarget(built, { start: "long64", entry: defaultEntry(built) ?? 0n }, (bytes) => {
    if (engine?.isNewOutput() !== false) output += Buffer.from(bytes).toString("latin1");
  });
  engine = new DebugEngine(
    target,
    built.sourceMap,
    { syntax: built.syntax, trace: false, breakOn: new Set(breakOn) },
    {
      output: () => {},
      stopped: (s) => stops.push(s),
      ended: (_c, m) => {
        ended = m;
      },
    },
  );
  return { engine, target, file, stops, output: () => output, ended: () => ended };
}

describe("debug engine", () => {
  it("replays after stepping back without repeating program output", async () => {
    const { engine, file, output } = open("loop.asm");
    engine.breakpoints.setSource(file, [{ line: 11 }]);
    await engine.continue();
    await engine.continue();
    assert.equal(output(), "AA");
    await engine.reverseContinue();
    await engine.continue();
    assert.equal(output(), "AA");
    await engine.continue();
    assert.equal(output(), "AAA");
  });

  it("forgets VM exits and VMWRITEs after the point it travels back to, and records them again", async () => {
    const { engine, target, stops } = open("vmx.s", ["vmExit"]);
    await engine.continue();
    assert.equal(stops.at(-1)?.exception?.filter, "vmExit");
    assert.equal(engine.exits.length, 1);
    const writesAtExit = engine.vmwrites.length;
    const ripWrite = engine.provenance(VMCS.GUEST_RIP);
    assert.ok(ripWrite?.location);
    // Back before the VM exit and before the last VMWRITEs.
    assert.equal(engine.goTo(ripWrite.count - 1), true);
    assert.equal(engine.exits.length, 0);
    assert.ok(engine.vmwrites.length < writesAtExit);
    assert.equal(engine.provenance(VMCS.GUEST_RIP), undefined);
    // Forward again: the same exit and the same provenance.
    await engine.continue();
    assert.equal(engine.exits.length, 1);
    assert.equal(engine.vmwrites.length, writesAtExit);
    assert.deepEqual(engine.provenance(VMCS.GUEST_RIP)?.location, ripWrite.location);
    assert.equal(target.vmx.operation(), "root");
  });

  it("stepping into VMLAUNCH records the VM-entry site", async () => {
    const { engine, target, file } = open("vmx.s");
    const launchLine = readFileSync(file, "utf8")
      .split("\n")
      .findIndex((l) => /^\s+vmlaunch/.test(l));
    engine.breakpoints.setSource(file, [{ line: launchLine }]);
    await engine.continue();
    const at = target.currentInstructionAddress();
    await engine.stepIn();
    assert.equal(target.vmx.operation(), "non-root");
    assert.equal(engine.lastEntrySite()?.address, at);
  });

  it("VMWRITE provenance is the VMWRITE's own line for every control flow; the CALL only when the stack proves it", async () => {
    const { engine, file, ended } = open("provenance.asm");
    const lines = readFileSync(file, "utf8").split("\n");
    /** 0-based line of the first match of `re` at or after the line matching `after`. */
    const line = (re: RegExp, after?: RegExp) => {
      const from = after ? lines.findIndex((l) => after.test(l)) : 0;
      return lines.findIndex((l, k) => k >= from && re.test(l));
    };
    await engine.continue();
    assert.match(ended() ?? "", /halted/);
    const where = (encoding: number) => {
      const p = engine.provenance(encoding);
      return [p?.location?.line, p?.calledFrom?.line];
    };
    const vmwrite = /^\s+vmwrite rdi, rsi/;
    // Inline.
    assert.deepEqual(where(VMCS.GUEST_RIP), [line(/^\s+vmwrite rax, rbx/), undefined]);
    // `call vmw`: the helper's VMWRITE, called from that CALL.
    assert.deepEqual(where(VMCS.GUEST_RSP), [line(vmwrite, /^vmw:/), line(/^\s+call vmw/, /GUEST_RSP/)]);
    // Reached by JMP: no caller.
    assert.deepEqual(where(VMCS.GUEST_CR3), [line(vmwrite, /^vmw_jmp:/), undefined]);
    // CALL of a function that JMPs to the VMWRITE's routine: not credited to that CALL.
    assert.deepEqual(where(VMCS.GUEST_CR4), [line(vmwrite, /^vmw_tail:/), undefined]);
    assert.deepEqual(where(VMCS.GUEST_DR7), [line(vmwrite, /^vmw_tail2:/), undefined]);
    // Indirect CALL of the helper: credited to it.
    assert.deepEqual(where(VMCS.GUEST_CR0), [line(vmwrite, /^vmw:/), line(/^\s+call rax/, /GUEST_CR0/)]);
    // The last of two calls.
    const second = line(/^\s+call vmw/, /mov rsi, 0x202/);
    assert.deepEqual(where(VMCS.GUEST_RFLAGS), [line(vmwrite, /^vmw:/), second]);
  });
});
