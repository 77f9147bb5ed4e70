// The 8254 programmable interval timer of a PC (ports 0x40-0x43; channel 0 drives IRQ0, channel 2's gate and
// output are bits 0 and 5 of port 0x61), after the Intel 8254 data sheet: control words with the counter-latch and
// read-back commands, LSB/MSB/LSB-then-MSB access, modes 0 (interrupt on terminal count), 2 (rate generator),
// 3 (square wave) and 4 (software-triggered strobe); modes 1 and 5 wait for a gate trigger, which only channel 2
// can get. BCD counting is not modelled (counts are
// binary), and a new count written in modes 2 and 3 applies at once instead of at the end of the period.
//
// Time is deterministic: the machine counts time in retired instructions (the TSC), and the PIT's input clock
// ticks once every TICKS_PER_PIT_CLOCK of them. Nothing depends on the host's clock, so runs replay exactly.

import { IO_PORT } from "../arch/index";

/** Retired instructions (TSC ticks) per PIT input-clock tick: a 1.193182 MHz PIT beside a ~4.8 MHz TSC. */
export const TICKS_PER_PIT_CLOCK = 4;

interface Channel {
  mode: number;
  /** 1 LSB, 2 MSB, 3 LSB then MSB. */
  access: number;
  /** The count loaded (1-65536; 0 written means 65536). */
  reload: number;
  /** PIT tick at which counting started (the tick after the count was written, or after a gate trigger). */
  start: number;
  /** A count has been written since the last control word. */
  armed: boolean;
  /** LSB written, MSB expected (access 3). */
  writeLow: number | undefined;
  /** Latched count (counter-latch or read-back) and whether its LSB was read. */
  latched: number | undefined;
  latchedLowRead: boolean;
  /** Read toggle for access 3 without a latch. */
  readLowDone: boolean;
  /** Latched status byte (read-back). */
  status: number | undefined;
  /** The last rising edge of the output that was reported (channel 0: IRQ0). */
  lastEdge: number;
}

function channel(): Channel {
  return {
    mode: 0,
    access: 3,
    reload: 0x10000,
    start: 0,
    armed: false,
    writeLow: undefined,
    latched: undefined,
    latchedLowRead: false,
    readLowDone: false,
    status: undefined,
    lastEdge: -1,
  };
}

export interface PitChannelView {
  mode: number;
  access: "lsb" | "msb" | "lsb/msb";
  /** A count has been written since the last control word (the data sheet's "null count" is the opposite). */
  armed: boolean;
  /** The count loaded (65536 for 0). */
  reload: number;
  /** The counting element now. */
  count: number;
  output: boolean;
  gate: boolean;
}

export class Pit8254 {
  private channels: Channel[] = [channel(), channel(), channel()];
  /** Port 0x61 bits 0 (channel 2 gate) and 1 (speaker data). */
  port61 = 0;

  /** Channel 2's gate (port 0x61 bit 0); channels 0 and 1 have theirs tied high on a PC. */
  private gate(n: number): boolean {
    return n !== 2 || (this.port61 & 1) !== 0;
  }

  /**
   * The tick of the first rising edge of channel `n`'s output after tick `after`, or Infinity. Channel 0's output
   * is IRQ0: the edges are what the (edge-triggered) PIC sees.
   */
  nextEdge(n: number, after: number): number {
    const c = this.channels[n]!;
    if (!c.armed || !this.gate(n)) return Number.POSITIVE_INFINITY;
    const N = c.reload;
    switch (c.mode) {
      case 0: {
        // Output low from the count write; high when the count reaches 0, N ticks after it was loaded.
        const t = c.start + N;
        return t > after ? t : Number.POSITIVE_INFINITY;
      }
      case 2:
      case 3: {
        // Periodic: the output rises when the counter reloads, every N ticks.
        const first = c.start + N;
        if (first > after) return first;
        return first + (Math.floor((after - first) / N) + 1) * N;
      }
      case 4: {
        // One low pulse of one tick when the count reaches 0, then high again.
        const t = c.start + N + 1;
        return t > after ? t : Number.POSITIVE_INFINITY;
      }
      default:
        return Number.POSITIVE_INFINITY; // modes 1 and 5 wait for a gate trigger
    }
  }

  /** Channel 0's next IRQ0 edge not yet reported, in PIT ticks. */
  nextIrq0(): number {
    return this.nextEdge(0, this.channels[0]!.lastEdge);
  }

  /** Reports channel 0's edges up to tick `now`: true if at least one happened (IRQ0 rises). */
  takeIrq0(now: number): boolean {
    const c = this.channels[0]!;
    const t = this.nextEdge(0, c.lastEdge);
    if (t > now) return false;
    // Several periods may have passed (a long instruction budget, a halted wait): edge-triggered requests
    // collapse into one IRR bit, so the last edge is what is remembered.
    let last = t;
    if (c.mode === 2 || c.mode === 3) last = t + Math.floor((now - t) / c.reload) * c.reload;
    c.lastEdge = last;
    return true;
  }

  /** The count a read would see at tick `now`. */
  private count(n: number, now: number): number {
    const c = this.channels[n]!;
    if (!c.armed || !this.gate(n) || now < c.start) return c.reload & 0xffff;
    const elapsed = now - c.start;
    const N = c.reload;
    switch (c.mode) {
      case 2:
        return N - (elapsed % N);
      case 3: {
        // Decrements by two, reloading every half period.
        const half = Math.max(1, N >> 1);
        return (N - 2 * (elapsed % half)) & 0xfffe;
      }
      default:
        return (N - elapsed) & 0xffff; // modes 0, 1, 4, 5 keep counting down through 0
    }
  }

  /** Channel `n`'s output level at tick `now` (read back in status bit 7 and, for channel 2, port 0x61 bit 5). */
  private output(n: number, now: number): boolean {
    const c = this.channels[n]!;
    if (!c.armed) return c.mode !== 0;
    const elapsed = now - c.start;
    const N = c.reload;
    switch (c.mode) {
      case 0:
        return elapsed >= N;
      case 2:
        // Low for one tick while the count is 1 (the tick before the reload).
        return !this.gate(n) || elapsed < 0 || elapsed % N !== N - 1;
      case 3:
        return !this.gate(n) || elapsed < 0 || elapsed % N < Math.ceil(N / 2);
      case 4:
        return elapsed !== N;
      default:
        return true;
    }
  }

  read(port: number, now: number): number {
    if (port === IO_PORT.SYSTEM_CONTROL_B) {
      // Bit 4 toggles with the DRAM refresh (every 15 µs: 18 PIT ticks); bit 5 is channel 2's output.
      return (this.port61 & 3) | ((Math.floor(now / 18) & 1) << 4) | (this.output(2, now) ? 0x20 : 0);
    }
    if (port === IO_PORT.PIT_CONTROL) return 0xff; // the control register cannot be read
    const n = port - IO_PORT.PIT_CHANNEL0;
    const c = this.channels[n]!;
    if (c.status !== undefined) {
      const s = c.status;
      c.status = undefined;
      return s;
    }
    let value: number;
    if (c.latched !== undefined) value = c.latched;
    else value = this.count(n, now);
    const byte = (lsb: boolean) => (lsb ? value & 0xff : (value >> 8) & 0xff);
    if (c.access === 1 || c.access === 2) {
      c.latched = undefined;
      return byte(c.access === 1);
    }
    const low = c.latched !== undefined ? !c.latchedLowRead : !c.readLowDone;
    if (c.latched !== undefined) {
      if (c.latchedLowRead) {
        c.latched = undefined;
        c.latchedLowRead = false;
      } else c.latchedLowRead = true;
    } else c.readLowDone = !c.readLowDone;
    return byte(low);
  }

  write(port: number, v: number, now: number): void {
    if (port === IO_PORT.SYSTEM_CONTROL_B) {
      const rising = (v & 1) !== 0 && (this.port61 & 1) === 0;
      this.port61 = v & 3;
      // A rising gate (re)starts channel 2's count (and triggers modes 1 and 5).
      if (rising) this.channels[2]!.start = now + 1;
      return;
    }
    if (port === IO_PORT.PIT_CONTROL) {
      this.control(v, now);
      return;
    }
    const n = port - IO_PORT.PIT_CHANNEL0;
    const c = this.channels[n]!;
    if (c.access === 3 && c.writeLow === undefined) {
      c.writeLow = v & 0xff;
      if (c.mode === 0) c.armed = false; // writing the first byte stops the count in mode 0
      return;
    }
    let count: number;
    if (c.access === 1) count = v & 0xff;
    else if (c.access === 2) count = (v & 0xff) << 8;
    else count = (c.writeLow ?? 0) | ((v & 0xff) << 8);
    c.writeLow = undefined;
    c.reload = count === 0 ? 0x10000 : count;
    // The count starts over with the next clock (the data sheet lets modes 2 and 3 finish the current period
    // first; here a new count applies at once).
    c.start = now + 1;
    c.lastEdge = now;
    c.armed = true;
  }

  private control(v: number, now: number): void {
    const sc = v >> 6;
    if (sc === 3) {
      // Read-back: bit 5 = 0 latches the counts, bit 4 = 0 latches the status, bits 3:1 select the channels.
      for (let n = 0; n < 3; n++) {
        if (!(v & (2 << n))) continue;
        const c = this.channels[n]!;
        if (!(v & 0x20) && c.latched === undefined) {
          c.latched = this.count(n, now);
          c.latchedLowRead = false;
        }
        if (!(v & 0x10) && c.status === undefined)
          c.status = (this.output(n, now) ? 0x80 : 0) | (c.armed ? 0 : 0x40) | (c.access << 4) | (c.mode << 1);
      }
      return;
    }
    const c = this.channels[sc]!;
    const rw = (v >> 4) & 3;
    if (rw === 0) {
      // Counter latch: the count is held until read (a second latch before then is ignored).
      if (c.latched === undefined) {
        c.latched = this.count(sc, now);
        c.latchedLowRead = false;
      }
      return;
    }
    let mode = (v >> 1) & 7;
    if (mode > 5) mode -= 4; // 6 and 7 are 2 and 3
    c.mode = mode;
    c.access = rw;
    c.armed = false;
    c.writeLow = undefined;
    c.readLowDone = false;
    c.latched = undefined;
    c.status = undefined;
    c.lastEdge = now;
  }

  /** What a debugger shows of channel `n` at tick `now` (no side effect: latches and read toggles stay). */
  view(n: number, now: number): PitChannelView {
    const c = this.channels[n]!;
    return {
      mode: c.mode,
      access: c.access === 1 ? "lsb" : c.access === 2 ? "msb" : "lsb/msb",
      armed: c.armed,
      reload: c.reload,
      count: this.count(n, now),
      output: this.output(n, now),
      gate: this.gate(n),
    };
  }

  reset(): void {
    this.channels = [channel(), channel(), channel()];
    this.port61 = 0;
  }

  snapshot(): object {
    return { channels: this.channels.map((c) => ({ ...c })), port61: this.port61 };
  }

  restore(s: object): void {
    const t = s as { channels: Channel[]; port61: number };
    this.channels = t.channels.map((c) => ({ ...c }));
    this.port61 = t.port61;
  }
}

export const PIT_PORTS: ReadonlySet<number> = new Set([
  IO_PORT.PIT_CHANNEL0,
  IO_PORT.PIT_CHANNEL1,
  IO_PORT.PIT_CHANNEL2,
  IO_PORT.PIT_CONTROL,
  IO_PORT.SYSTEM_CONTROL_B,
]);
