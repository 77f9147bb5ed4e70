// The 8259A pair and the 8254 timer (emulator/pic.ts, emulator/pit.ts) on their own, then external interrupts
// end to end: programs that program both chips through their ports and take IRQ0 through the IDT or the IVT.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PicPair } from "../../emulator/pic";
import { Pit8254 } from "../../emulator/pit";
import { NO_NASM, RAX, RBX, reg, runAsm } from "./helpers";

/** ICW1-ICW4 for the PC wiring: master vectors at `base`, slave at `base + 8`, slave on IR2. */
function initPair(p: PicPair, base = 0x20, icw4 = 0x01): void {
  p.out(0x20, 0x11);
  p.out(0xa0, 0x11);
  p.out(0x21, base);
  p.out(0xa1, base + 8);
  p.out(0x21, 0x04);
  p.out(0xa1, 0x02);
  p.out(0x21, icw4);
  p.out(0xa1, icw4);
}

function pulse(p: PicPair, irq: number): void {
  p.setIrq(irq, true);
  p.setIrq(irq, false);
}

describe("8259A pair", () => {
  test("power-on: every line masked, so a request does not raise INTR", () => {
    const p = new PicPair();
    pulse(p, 0);
    assert.equal(p.in(0x21), 0xff);
    assert.equal(p.intr, false);
  });

  test("initialization clears the IMR; a request raises INTR and INTA returns base + line", () => {
    const p = new PicPair();
    initPair(p);
    assert.equal(p.in(0x21), 0x00);
    pulse(p, 3);
    assert.equal(p.intr, true);
    assert.equal(p.acknowledge(), 0x23);
    assert.equal(p.intr, false);
    p.out(0x20, 0x0b); // OCW3: read ISR
    assert.equal(p.in(0x20), 0x08);
    p.out(0x20, 0x20); // non-specific EOI
    assert.equal(p.in(0x20), 0x00);
  });

  test("OCW1 masks a line; the request waits in the IRR until unmasked", () => {
    const p = new PicPair();
    initPair(p);
    p.out(0x21, 0x01);
    pulse(p, 0);
    assert.equal(p.intr, false);
    p.out(0x20, 0x0a); // OCW3: read IRR
    assert.equal(p.in(0x20), 0x01);
    p.out(0x21, 0x00);
    assert.equal(p.intr, true);
    assert.equal(p.acknowledge(), 0x20);
  });

  test("fully nested: IRQ0 before IRQ1, and a line in service blocks lower priorities until its EOI", () => {
    const p = new PicPair();
    initPair(p);
    pulse(p, 1);
    pulse(p, 0);
    assert.equal(p.acknowledge(), 0x20);
    assert.equal(p.intr, false, "IRQ1 waits behind IRQ0 in service");
    pulse(p, 0);
    assert.equal(p.intr, false, "the same line is not nested either");
    p.out(0x20, 0x20);
    assert.equal(p.acknowledge(), 0x20, "IRQ0 pending again beats IRQ1");
    p.out(0x20, 0x60); // specific EOI for IR0
    assert.equal(p.acknowledge(), 0x21);
  });

  test("a higher priority interrupts a lower one in service", () => {
    const p = new PicPair();
    initPair(p);
    pulse(p, 5);
    assert.equal(p.acknowledge(), 0x25);
    pulse(p, 1);
    assert.equal(p.intr, true);
    assert.equal(p.acknowledge(), 0x21);
    p.out(0x20, 0x0b);
    assert.equal(p.in(0x20), 0x22);
    p.out(0x20, 0x20); // non-specific EOI ends the highest in service: IR1
    assert.equal(p.in(0x20), 0x20);
  });

  test("cascade: IRQ9 goes through the master's IR2 and returns the slave's vector", () => {
    const p = new PicPair();
    initPair(p);
    pulse(p, 9);
    assert.equal(p.intr, true);
    assert.equal(p.acknowledge(), 0x29);
    p.out(0x20, 0x0b);
    p.out(0xa0, 0x0b);
    assert.equal(p.in(0x20), 0x04, "master: IR2 in service");
    assert.equal(p.in(0xa0), 0x02, "slave: IR1 in service");
    p.out(0xa1, 0x02); // masking on the slave hides a new IRQ9
    p.out(0xa0, 0x20);
    p.out(0x20, 0x20);
    pulse(p, 9);
    assert.equal(p.intr, false);
  });

  test("a request that went away answers INTA with the spurious IR7 vector, not put in service", () => {
    const p = new PicPair();
    initPair(p);
    assert.equal(p.acknowledge(), 0x27);
    p.out(0x20, 0x0b);
    assert.equal(p.in(0x20), 0x00);
  });

  test("automatic EOI leaves nothing in service", () => {
    const p = new PicPair();
    initPair(p, 0x40, 0x03);
    pulse(p, 4);
    assert.equal(p.acknowledge(), 0x44);
    p.out(0x20, 0x0b);
    assert.equal(p.in(0x20), 0x00);
  });

  test("rotate on non-specific EOI: the line just served gets the lowest priority", () => {
    const p = new PicPair();
    initPair(p);
    pulse(p, 0);
    assert.equal(p.acknowledge(), 0x20);
    p.out(0x20, 0xa0); // rotate on non-specific EOI
    pulse(p, 0);
    pulse(p, 1);
    assert.equal(p.acknowledge(), 0x21, "IR1 now has the highest priority");
  });

  test("wouldRequest: a new request raises INT only if unmasked and not blocked by one in service", () => {
    const p = new PicPair();
    initPair(p);
    assert.equal(p.master.wouldRequest(0), true);
    pulse(p, 0);
    p.acknowledge();
    assert.equal(p.master.wouldRequest(0), false, "IR0 in service");
    assert.equal(p.master.wouldRequest(1), false, "lower priority than IR0 in service");
    p.out(0x20, 0x20);
    p.out(0x21, 0x01);
    assert.equal(p.master.wouldRequest(0), false, "masked");
  });

  test("edge-triggered: a line held high requests once", () => {
    const p = new PicPair();
    initPair(p);
    p.setIrq(0, true);
    assert.equal(p.acknowledge(), 0x20);
    p.out(0x20, 0x20);
    p.setIrq(0, true);
    assert.equal(p.intr, false);
  });
});

describe("8254 timer", () => {
  function program(t: Pit8254, ch: number, mode: number, count: number, now: number): void {
    t.write(0x43, (ch << 6) | 0x30 | (mode << 1), now);
    t.write(0x40 + ch, count & 0xff, now);
    t.write(0x40 + ch, count >> 8, now);
  }

  test("mode 2: IRQ0 edges every N ticks, the first N ticks after the count is loaded", () => {
    const t = new Pit8254();
    program(t, 0, 2, 100, 10);
    assert.equal(t.nextIrq0(), 111);
    assert.equal(t.takeIrq0(110), false);
    assert.equal(t.takeIrq0(111), true);
    assert.equal(t.nextIrq0(), 211);
    // Several periods at once collapse into one request (edge-triggered IRR).
    assert.equal(t.takeIrq0(520), true);
    assert.equal(t.nextIrq0(), 611);
  });

  test("mode 0: one edge at terminal count, then nothing until a new count", () => {
    const t = new Pit8254();
    program(t, 0, 0, 50, 0);
    assert.equal(t.nextIrq0(), 51);
    assert.equal(t.takeIrq0(60), true);
    assert.equal(t.nextIrq0(), Number.POSITIVE_INFINITY);
  });

  test("a count of 0 means 65536", () => {
    const t = new Pit8254();
    program(t, 0, 2, 0, 0);
    assert.equal(t.nextIrq0(), 65537);
  });

  test("the count reads down; a counter latch holds it until both bytes are read", () => {
    const t = new Pit8254();
    program(t, 0, 2, 1000, 0);
    t.write(0x43, 0x00, 101); // latch channel 0
    const lo = t.read(0x40, 500);
    const hi = t.read(0x40, 600);
    assert.equal(lo | (hi << 8), 900);
    const lo2 = t.read(0x40, 701);
    const hi2 = t.read(0x40, 701);
    assert.equal(lo2 | (hi2 << 8), 300, "unlatched reads see the running count");
  });

  test("read-back: status byte (output, null count, access, mode) and count", () => {
    const t = new Pit8254();
    t.write(0x43, 0x36, 0); // channel 0, lohi, mode 3
    t.write(0x43, 0xe2, 0); // read-back status only, channel 0
    assert.equal(t.read(0x40, 0), 0x40 | 0x30 | 0x06 | 0x80, "null count before the count is written");
    program(t, 0, 3, 10, 0);
    t.write(0x43, 0xc2, 3); // status and count
    assert.equal(t.read(0x40, 3), 0x80 | 0x30 | 0x06);
    assert.equal(t.read(0x40, 3) | (t.read(0x40, 3) << 8), 6, "mode 3 counts down by two");
  });

  test("LSB-only access", () => {
    const t = new Pit8254();
    t.write(0x43, 0x14, 0); // channel 0, LSB only, mode 2
    t.write(0x40, 20, 0);
    assert.equal(t.nextIrq0(), 21);
    assert.equal(t.read(0x40, 6), 15);
  });

  test("channel 2 runs only with its gate (port 61h bit 0); its output shows in bit 5", () => {
    const t = new Pit8254();
    t.write(0x43, 0xb0, 0); // channel 2, lohi, mode 0
    t.write(0x42, 10, 0);
    t.write(0x42, 0, 0);
    t.write(0x61, 0x01, 0); // gate rises: counting starts at tick 1
    assert.equal(t.read(0x61, 5) & 0x21, 0x01);
    assert.equal(t.read(0x61, 11) & 0x21, 0x21);
    t.write(0x61, 0x00, 12);
    assert.equal(t.read(0x42, 40) | (t.read(0x42, 40) << 8), 10, "no gate: the count holds");
  });

  test("snapshot and restore", () => {
    const t = new Pit8254();
    program(t, 0, 2, 100, 0);
    const s = t.snapshot();
    t.takeIrq0(1000);
    t.restore(s);
    assert.equal(t.nextIrq0(), 101);
  });
});

const PIC_INIT = `
        mov al, 0x11
        out 0x20, al
        out 0xA0, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x28
        out 0xA1, al
        mov al, 4
        out 0x21, al
        mov al, 2
        out 0xA1, al
        mov al, 1
        out 0x21, al
        out 0xA1, al
        mov al, 0xFE
        out 0x21, al
        mov al, 0xFF
        out 0xA1, al`;

/** PIT channel 0 in `mode` with `count`. */
const pitInit = (mode: number, count: number) => `
        mov al, ${0x30 | (mode << 1)}
        out 0x43, al
        mov al, ${count & 0xff}
        out 0x40, al
        mov al, ${count >> 8}
        out 0x40, al`;

/** Long-mode IDT gate 0x20 (the start state's IDT is at 0x2000) pointing at `handler`. */
const GATE20 = (handler: string) => `
        lea rax, [rel ${handler}]
        mov rdi, 0x2000 + 0x20 * 16
        mov [rdi], ax
        mov word [rdi + 2], 8
        mov word [rdi + 4], 0x8E00
        shr rax, 16
        mov [rdi + 6], ax
        shr rax, 16
        mov [rdi + 8], eax
        mov dword [rdi + 12], 0`;

/** IRQ0 handler: counts in `ticks`, non-specific EOI, IRETQ; the program goes on at `done`. */
const TICK_HANDLER = `
tick:   inc dword [rel ticks]
        push rax
        mov al, 0x20
        out 0x20, al
        pop rax
        iretq
ticks:  dd 0
done:`;

describe("external interrupts (SDM 6.3, 6.8.3, 6.14)", () => {
  test("64-bit: the PIT's IRQ0 wakes HLT and runs the IDT handler; time passes while halted", { skip: NO_NASM }, () => {
    const r = runAsm(`
${GATE20("tick")}
${PIC_INIT}
${pitInit(2, 1000)}
        sti
.wait:  hlt
        cmp dword [rel ticks], 5
        jb .wait
        cli
        mov eax, [rel ticks]
        mov ebx, eax
        rdtsc
        shl rdx, 32
        or rax, rdx
        xchg rax, rbx
        jmp done
${TICK_HANDLER}`);
    assert.equal(r.stop.kind, "halted");
    assert.equal(reg(r.m, RAX), 5n);
    // Five periods of 1000 PIT clocks at 4 TSC ticks each have passed, though few instructions ran.
    assert.ok(reg(r.m, RBX) >= 5n * 4000n, `TSC ${reg(r.m, RBX)}`);
    assert.ok(r.m.instructionCount < 500, `${r.m.instructionCount} instructions`);
  });

  test("a busy loop is interrupted as well", { skip: NO_NASM }, () => {
    const r = runAsm(`
${GATE20("tick")}
${PIC_INIT}
${pitInit(2, 500)}
        sti
        xor ecx, ecx
.spin:  inc rcx
        cmp dword [rel ticks], 3
        jb .spin
        cli
        mov rax, rcx
        jmp done
${TICK_HANDLER}`);
    assert.equal(r.stop.kind, "halted");
    // Three periods of 500 clocks (2000 instructions each) of a 3-instruction loop.
    const loops = Number(reg(r.m, RAX));
    assert.ok(loops > 1500 && loops < 2100, `${loops} iterations`);
  });

  test("HLT stops for good when the only interrupt is blocked in the PIC (a handler that never sent its EOI)", {
    skip: NO_NASM,
  }, () => {
    const r = runAsm(`
${GATE20("tick")}
${PIC_INIT}
${pitInit(2, 100)}
        sti
.w:     hlt
        jmp .w
tick:   iretq`);
    assert.equal(r.stop.kind, "halted");
    assert.equal(r.stop.kind === "halted" && r.stop.interruptsEnabled, true);
    assert.equal(r.m.devices.pic.master.isr, 1);
  });

  test("HLT with IF = 0 stops for good even with a timer running", { skip: NO_NASM }, () => {
    const r = runAsm(`
${GATE20("tick")}
${PIC_INIT}
${pitInit(2, 100)}
        cli
        hlt
tick:   iretq`);
    assert.equal(r.stop.kind, "halted");
    assert.ok(r.m.instructionCount < 100);
  });

  test("the interrupt is not taken until IF = 1, and STI blocks it for one more instruction", { skip: NO_NASM }, () => {
    const r = runAsm(`
${GATE20("tick")}
${PIC_INIT}
${pitInit(0, 2)}
        mov ecx, 50
.burn:  loop .burn            ; IRQ0 is requested while IF = 0
        mov byte [rel flag], 1
        sti
        mov byte [rel flag], 2   ; runs in the STI shadow, before the handler
        mov byte [rel flag], 3
        jmp done
tick:   movzx ebx, byte [rel flag]
        push rax
        mov al, 0x20
        out 0x20, al
        pop rax
        iretq
flag:   db 0
done:`);
    assert.equal(r.stop.kind, "halted");
    assert.equal(reg(r.m, RBX), 2n);
  });

  test("real mode: IRQ0 through the IVT with the PIC's default BIOS base 08h", { skip: NO_NASM }, () => {
    const r = runAsm(
      `
        xor ax, ax
        mov ds, ax
        mov word [0x08 * 4], tick
        mov word [0x08 * 4 + 2], 0
        mov al, 0x11
        out 0x20, al
        mov al, 0x08
        out 0x21, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x01
        out 0x21, al
        mov al, 0xFE
        out 0x21, al
${pitInit(2, 200)}
        sti
.w:     hlt
        cmp byte [count], 3
        jb .w
        cli
        movzx eax, byte [count]
        jmp done
tick:   inc byte [cs:count]
        push ax
        mov al, 0x20
        out 0x20, al
        pop ax
        iret
count:  db 0
done:`,
      "real16",
    );
    assert.equal(r.stop.kind, "halted");
    assert.equal(reg(r.m, RAX), 3n);
  });

  test("snapshot mid-run and restore: the rest of the run replays identically", { skip: NO_NASM }, () => {
    const src = `
${GATE20("tick")}
${PIC_INIT}
${pitInit(2, 300)}
        sti
        xor ecx, ecx
.spin:  inc rcx
        cmp dword [rel ticks], 4
        jb .spin
        cli
        mov rax, rcx
        rdtsc
        jmp done
${TICK_HANDLER}`;
    const first = runAsm(src, "long64", { max: 1500 });
    assert.equal(first.stop.kind, "budget");
    const m = first.m;
    const snap = m.snapshot();
    m.run({ maxInstructions: 1_000_000 });
    const a = [reg(m, RAX), reg(m, 1), m.instructionCount];
    m.restore(snap);
    m.run({ maxInstructions: 1_000_000 });
    assert.deepEqual([reg(m, RAX), reg(m, 1), m.instructionCount], a);
  });
});
