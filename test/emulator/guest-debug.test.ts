// Debugger features in VMX non-root operation: exception-delivery stops and call frames marked guest.
// The guest of examples/hypervisor.asm is given an INT3 it handles through its own IDT gate (the guest shares
// the host's IDT at 0x2000; the example's exception bitmap is 0, so #BP does not exit).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { assemble } from "../../assembler/index";
import { Machine } from "../../emulator/index";
import { createVmx, type Vmx } from "../../emulator/vmx/vmx";

const EXAMPLE = join(__dirname, "../../examples/hypervisor.asm");

/** The example with, at the guest's entry, gate 3 pointed at `g_bp_handler` and an INT3 at `g_int3`. */
function guestWithInt3(edit: (source: string) => string = (s) => s): { m: Machine; symbols: Map<string, bigint> } {
  const inserted = readFileSync(EXAMPLE, "utf8").replace(
    /^guest_entry:\n/m,
    `g_bp_handler:
        iretq
guest_entry:
        lea rax, [rel g_bp_handler]
        mov [0x2000 + 3*16], ax
        shr rax, 16
        mov [0x2000 + 3*16 + 6], ax
        shr rax, 16
        mov [0x2000 + 3*16 + 8], eax
g_call:
        call g_sub
        jmp g_after
g_sub:
g_int3:
        int3
        ret
g_after:
`,
  );
  assert.notEqual(inserted, readFileSync(EXAMPLE, "utf8"));
  const source = edit(inserted);
  const program = assemble(source, { fileName: EXAMPLE });
  const errors = program.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors, []);
  const m = new Machine({ vmx: createVmx });
  for (const s of program.sections) m.load(s.bytes, s.address);
  const symbols = new Map<string, bigint>();
  for (const [name, sym] of program.symbols) symbols.set(name, sym.value);
  m.setupStart("long64", symbols.get("start")!);
  return { m, symbols };
}

test("an INT3 the guest handles itself stops with guest: true; resuming finishes the run as before", () => {
  const { m, symbols } = guestWithInt3();
  let out = "";
  m.onOutput((b) => {
    out += Buffer.from(b).toString("latin1");
  });
  const stop = m.run({ maxInstructions: 2_000_000, stopOnExceptionDelivery: true });
  assert.deepEqual(stop, {
    kind: "exceptionDelivered",
    vector: 3,
    faultRip: symbols.get("g_int3"),
    rip: symbols.get("g_bp_handler"),
    guest: true,
  });
  assert.match(out, /VMLAUNCH\n$/);
  const end = m.run({ maxInstructions: 2_000_000, stopOnExceptionDelivery: true });
  assert.equal(end.kind, "halted");
  assert.match(out, /VMXOFF: ok\nVM exits handled: 5\n$/);
});

test("call frames in the guest are marked guest and sit on top of the host's", () => {
  const { m, symbols } = guestWithInt3();
  m.trackCalls = true;
  const stop = m.run({ maxInstructions: 2_000_000, stopOnExceptionDelivery: true });
  assert.equal(stop.kind === "exceptionDelivered" && stop.guest, true);
  const frames = m.callFrames();
  const guest = m.callFrames("guest");
  const host = m.callFrames("host");
  assert.deepEqual(
    guest.map((f) => [f.kind, f.vector, f.callSite, f.target, f.guest]),
    [
      ["exception", 3, symbols.get("g_int3"), symbols.get("g_bp_handler"), true],
      ["call", undefined, symbols.get("g_call"), symbols.get("g_sub"), true],
    ],
  );
  assert.ok(host.every((f) => !f.guest));
  assert.deepEqual(frames, [...guest, ...host]);
  // Back in the host after the guest's last exit: the host's frames only, the guest's returns popped its own.
  assert.equal(m.run({ maxInstructions: 2_000_000 }).kind, "halted");
  assert.deepEqual(m.callFrames("guest"), []);
  assert.deepEqual(m.callFrames(), m.callFrames("host"));
});

test("INT 3 encoded CD 03 is a software interrupt: the exception bitmap's #BP bit intercepts only INT3 (CC)", () => {
  // SDM 25.2 / 27.2.2: INT3 and INTO are software exceptions, INT n (any n) a software interrupt.
  const { m, symbols } = guestWithInt3((s) => {
    const withBitmap = s.replace(
      /mov rdi, EXCEPTION_BITMAP\n(\s+)call vmw\n/,
      "mov rdi, EXCEPTION_BITMAP\n$1mov esi, 1 << 3\n$1call vmw\n$1xor esi, esi\n",
    );
    assert.notEqual(withBitmap, s);
    const withCd03 = withBitmap.replace(/^g_int3:\n/m, "g_cd03:\n        db 0xcd, 3\ng_int3:\n");
    assert.notEqual(withCd03, withBitmap);
    return withCd03;
  });
  const exits: { reason: number; rip: bigint }[] = [];
  (m.vmx as Vmx).onEvent((e) => {
    if (e.kind === "vmExit") exits.push({ reason: e.exitReason, rip: e.guestRip });
  });
  m.run({ maxInstructions: 2_000_000 });
  assert.deepEqual(exits[0], { reason: 0, rip: symbols.get("g_int3") });
});
