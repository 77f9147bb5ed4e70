// I/O devices: a 16550 UART at COM1 (0x3F8–0x3FF), the 0xE9 debug console, the fast A20 gate (0x92), the two
// 8259A interrupt controllers (0x20/0x21, 0xA0/0xA1, pic.ts) and the 8254 timer (0x40–0x43, 0x61, pit.ts) whose
// channel 0 drives IRQ0. Every other port reads all-ones and ignores writes, as on a PC with nothing decoded there.

import { IO_PORT } from "../arch/index";
import type { IoBus } from "./cpu";
import { PIC_PORTS, type Pic8259, PicPair } from "./pic";
import { PIT_PORTS, Pit8254, type PitChannelView, TICKS_PER_PIT_CLOCK } from "./pit";

export type OutputStream = "uart" | "e9";
export type OutputListener = (bytes: Uint8Array, stream: OutputStream) => void;

export const COM1 = IO_PORT.COM1;
export const DEBUG_CONSOLE_PORT = IO_PORT.DEBUG_CONSOLE;

/** A 16550-compatible UART: transmit is immediate (THR always empty), receive from a queue. */
export class Uart16550 {
  ier = 0;
  lcr = 0x03;
  mcr = 0;
  scr = 0;
  dll = 1;
  dlm = 0;
  fcr = 0;
  readonly input: number[] = [];
  constructor(private readonly emit: (byte: number) => void) {}

  read(offset: number): number {
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case 0:
        if (dlab) return this.dll;
        return this.input.shift() ?? 0;
      case 1:
        return dlab ? this.dlm : this.ier;
      case 2:
        // IIR: FIFOs enabled bits when FCR.0 set; no interrupt pending (bit 0 = 1).
        return (this.fcr & 1 ? 0xc0 : 0) | 0x01;
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5:
        // LSR: THR empty and transmitter idle; data ready when input is queued.
        return 0x60 | (this.input.length > 0 ? 1 : 0);
      case 6:
        // MSR: CTS, DSR, DCD asserted (a null-modem that is always ready); loopback mirrors MCR.
        if (this.mcr & 0x10) return ((this.mcr & 0x0f) << 4) & 0xf0;
        return 0xb0;
      default:
        return this.scr;
    }
  }

  write(offset: number, v: number): void {
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case 0:
        if (dlab) this.dll = v;
        else if (this.mcr & 0x10) this.input.push(v);
        else this.emit(v);
        return;
      case 1:
        if (dlab) this.dlm = v;
        else this.ier = v & 0x0f;
        return;
      case 2:
        this.fcr = v;
        if (v & 2) this.input.length = 0;
        return;
      case 3:
        this.lcr = v;
        return;
      case 4:
        this.mcr = v & 0x1f;
        return;
      case 7:
        this.scr = v;
        return;
      default:
        return;
    }
  }

  snapshot(): object {
    return { ...this, input: this.input.slice() };
  }
}

/**
 * What the processor sees of the interrupt controllers: the INTR line, the interrupt-acknowledge cycle, and the
 * time of the next event. Time is "device time": retired instructions plus the time skipped while halted.
 */
export interface InterruptSource {
  /** The master PIC's INT output. */
  readonly intr: boolean;
  /** INTA: the vector of the highest-priority request (the request goes in service). */
  acknowledge(): number;
  /** Device time of the next event (a timer edge), or Infinity. */
  nextEvent(): number;
  /** Processes every event due at device time `now`. */
  advance(now: number): void;
  /** Whether an interrupt can still come without software acting first (a timer armed and unmasked). */
  canInterruptLater(): boolean;
}

export interface PicView {
  irr: number;
  isr: number;
  imr: number;
  vectorBase: number;
  autoEoi: boolean;
}

export interface DevicesView {
  /** The master PIC's INT output (an interrupt request the processor has not acknowledged). */
  intr: boolean;
  master: PicView;
  slave: PicView;
  pit: PitChannelView[];
  /** Device time of the timer's next IRQ0 edge (Infinity when none is scheduled). */
  nextTimerEvent: number;
}

/** The PIT clock tick at device time `now` (retired instructions plus halted time). */
function pitTick(now: number): number {
  return Math.floor(now / TICKS_PER_PIT_CLOCK);
}

export class Devices implements IoBus, InterruptSource {
  readonly uart: Uart16550;
  readonly pic = new PicPair();
  readonly pit = new Pit8254();
  /** Device time now (set by the processor: retired instructions plus halted time). */
  clock: () => number = () => 0;
  /** Called after a port write that may change INTR or the next event (set by the processor). */
  onInterruptStateChange: () => void = () => {};
  /** Called when the chipset asserts INIT# (set by the machine: the processor's INIT signal). */
  onInit: () => void = () => {};
  private readonly listeners = new Set<OutputListener>();
  port92 = 0x02;
  /** Extra port handlers (the start states' firmware exit port). */
  readonly extra = new Map<number, { in?: (size: number) => number; out?: (size: number, v: number) => void }>();

  constructor() {
    this.uart = new Uart16550((b) => this.emit(b, "uart"));
  }

  onOutput(cb: OutputListener): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private emit(byte: number, stream: OutputStream): void {
    const bytes = Uint8Array.of(byte & 0xff);
    for (const l of this.listeners) l(bytes, stream);
  }

  get intr(): boolean {
    return this.pic.intr;
  }

  acknowledge(): number {
    return this.pic.acknowledge();
  }

  nextEvent(): number {
    return this.pit.nextIrq0() * TICKS_PER_PIT_CLOCK;
  }

  advance(now: number): void {
    if (this.pit.takeIrq0(pitTick(now))) {
      this.pic.setIrq(0, true);
      this.pic.setIrq(0, false);
    }
  }

  canInterruptLater(): boolean {
    // The timer's next edge raises INTR only if IRQ0 is unmasked and nothing of its priority or higher is in
    // service (a handler that never sent its EOI blocks it for good).
    return this.pit.nextIrq0() !== Number.POSITIVE_INFINITY && this.pic.master.wouldRequest(0);
  }

  /** The interrupt controllers and the timer as a debugger shows them, at device time `now`. */
  view(now: number): DevicesView {
    const chip = (p: Pic8259): PicView => ({
      irr: p.irr,
      isr: p.isr,
      imr: p.imr,
      vectorBase: p.vectorBase,
      autoEoi: p.autoEoi,
    });
    const tick = pitTick(now);
    return {
      intr: this.pic.intr,
      master: chip(this.pic.master),
      slave: chip(this.pic.slave),
      pit: [0, 1, 2].map((n) => this.pit.view(n, tick)),
      nextTimerEvent: this.nextEvent(),
    };
  }

  /** Power-on state of the interrupt controllers and the timer (the UART and port 0x92 keep theirs). */
  resetTimers(): void {
    this.pic.reset();
    this.pit.reset();
  }

  in(port: number, size: number): number {
    const x = this.extra.get(port);
    if (x?.in) return x.in(size);
    if (size === 1) return this.in8(port);
    let v = 0;
    for (let k = size - 1; k >= 0; k--) v = v * 256 + this.in8((port + k) & 0xffff);
    return v;
  }

  private in8(port: number): number {
    if (port >= COM1 && port < COM1 + 8) return this.uart.read(port - COM1);
    if (port === DEBUG_CONSOLE_PORT) return 0xe9; // Bochs' port-E9 hack reads back 0xE9
    if (port === IO_PORT.SYSTEM_CONTROL_A) return this.port92;
    if (PIC_PORTS.has(port)) return this.pic.in(port);
    if (PIT_PORTS.has(port)) return this.pit.read(port, pitTick(this.clock()));
    return 0xff;
  }

  out(port: number, size: number, value: number): void {
    const x = this.extra.get(port);
    if (x?.out) {
      x.out(size, value);
      return;
    }
    for (let k = 0; k < size; k++) {
      this.out8((port + k) & 0xffff, value & 0xff);
      value = Math.floor(value / 256);
    }
  }

  private out8(port: number, v: number): void {
    if (port >= COM1 && port < COM1 + 8) this.uart.write(port - COM1, v);
    else if (port === DEBUG_CONSOLE_PORT) this.emit(v, "e9");
    else if (port === IO_PORT.SYSTEM_CONTROL_A) {
      // Bit 0 rising: INIT_NOW. The chipset pulses the processor's INIT# (Intel ICH/PCH "INIT register" at 92h;
      // the old "alternate fast reset"). Bit 1 is the A20 gate (always enabled here).
      const rising = (v & 1) !== 0 && (this.port92 & 1) === 0;
      this.port92 = v & 0x03;
      if (rising) this.onInit();
    } else if (PIC_PORTS.has(port)) {
      this.pic.out(port, v);
      this.onInterruptStateChange();
    } else if (PIT_PORTS.has(port)) {
      this.pit.write(port, v, pitTick(this.clock()));
      this.onInterruptStateChange();
    }
  }
}
