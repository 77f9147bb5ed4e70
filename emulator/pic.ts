// The two cascaded 8259A programmable interrupt controllers of a PC (master at 0x20/0x21, slave at 0xA0/0xA1 on
// the master's IR2), as the Intel 8259A data sheet describes them: ICW1-ICW4 initialization, IMR (OCW1), EOI
// commands (OCW2: non-specific, specific, with rotation), IRR/ISR reads (OCW3), fixed or rotating priority,
// automatic EOI, edge-triggered requests. Not modelled: level-triggered mode (ICW1.LTIM is kept but requests are
// edge-triggered, as a PC's ISA interrupts are), special mask mode, polling (OCW3.P), MCS-80/85 mode.

import { IO_PORT } from "../arch/index";

/** One 8259A. */
export class Pic8259 {
  /** Interrupt request register: requests seen (rising edges) and not yet acknowledged. */
  irr = 0;
  /** In-service register: acknowledged and not yet ended by an EOI. */
  isr = 0;
  /** Interrupt mask register (OCW1). At power-on every request is masked until software initializes the chip. */
  imr = 0xff;
  /** Vector of IR0 (ICW2, bits 7:3). */
  vectorBase = 0;
  /** The IR line with the lowest priority (rotation); IR(lowest+1) has the highest. */
  lowestPriority = 7;
  autoEoi = false;
  /** ICW1 bit 0: an ICW4 follows. */
  private expectIcw4 = false;
  /** ICW1 bit 1: single (no ICW3). */
  private single = false;
  /** Next initialization word expected on the data port (2, 3, 4) or 0 when initialized. */
  private initStep = 0;
  /** OCW3: read the ISR (true) or the IRR (false) from the command port. */
  private readIsr = false;
  /** Automatic rotation on AEOI (OCW2 R + SL = 0 with EOI = 0). */
  private rotateOnAeoi = false;
  /** Line levels, for edge detection. */
  private levels = 0;

  constructor(readonly name: "master" | "slave") {}

  /** A device drives IR line `line` to `level`: a rising edge sets the request (edge-triggered mode). */
  setLine(line: number, level: boolean): void {
    const bit = 1 << line;
    if (level && !(this.levels & bit)) this.irr |= bit;
    this.levels = level ? this.levels | bit : this.levels & ~bit;
  }

  /** The line of the highest-priority unmasked request, if it has priority over everything in service. */
  pendingLine(cascadeRequest = false): number | undefined {
    const requests = (this.irr | (cascadeRequest ? 4 : 0)) & ~this.imr;
    if (requests === 0) return undefined;
    for (let k = 1; k <= 8; k++) {
      const line = (this.lowestPriority + k) & 7;
      const bit = 1 << line;
      // An in-service line of higher priority blocks everything below it (fully nested mode).
      if (this.isr & bit) return undefined;
      if (requests & bit) return line;
    }
    return undefined;
  }

  /** Whether a new request on `line` would raise INT: unmasked, and nothing of equal or higher priority in service. */
  wouldRequest(line: number): boolean {
    const saved = this.irr;
    this.irr |= 1 << line;
    const r = this.pendingLine() === line;
    this.irr = saved;
    return r;
  }

  /** INTA on this chip for `line`: the request moves to service (unless automatic EOI). */
  acknowledge(line: number): void {
    const bit = 1 << line;
    this.irr &= ~bit;
    if (this.autoEoi) {
      if (this.rotateOnAeoi) this.lowestPriority = line;
    } else this.isr |= bit;
  }

  readCommand(): number {
    return this.readIsr ? this.isr : this.irr;
  }

  readData(): number {
    return this.imr;
  }

  writeCommand(v: number): void {
    if (v & 0x10) {
      // ICW1: start initialization. The IMR is cleared, IR7 gets the lowest priority, special mask mode is
      // reset, status read is set to the IRR (8259A data sheet, "Initialization command words").
      this.expectIcw4 = (v & 1) !== 0;
      this.single = (v & 2) !== 0;
      this.imr = 0;
      this.isr = 0;
      this.irr = 0;
      this.lowestPriority = 7;
      this.readIsr = false;
      this.autoEoi = false;
      this.rotateOnAeoi = false;
      this.initStep = 2;
      return;
    }
    if (v & 0x08) {
      // OCW3: bits 1:0 = 10 read IRR, 11 read ISR (others keep the selection).
      if ((v & 2) !== 0) this.readIsr = (v & 1) !== 0;
      return;
    }
    // OCW2: R (7), SL (6), EOI (5), level (2:0).
    const r = (v & 0x80) !== 0;
    const sl = (v & 0x40) !== 0;
    const eoi = (v & 0x20) !== 0;
    const level = v & 7;
    if (eoi) {
      const line = sl ? level : this.highestInService();
      if (line === undefined) return;
      this.isr &= ~(1 << line);
      if (r) this.lowestPriority = line;
      return;
    }
    if (sl && r)
      this.lowestPriority = level; // set priority
    else if (!sl) this.rotateOnAeoi = r; // rotate in automatic EOI mode: set (R=1) / clear (R=0)
  }

  writeData(v: number): void {
    switch (this.initStep) {
      case 2:
        this.vectorBase = v & 0xf8;
        this.initStep = this.single ? (this.expectIcw4 ? 4 : 0) : 3;
        return;
      case 3:
        // ICW3: the master's slave lines / the slave's identity. The PC wiring (slave on IR2) is fixed here.
        this.initStep = this.expectIcw4 ? 4 : 0;
        return;
      case 4:
        this.autoEoi = (v & 2) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = v & 0xff;
    }
  }

  private highestInService(): number | undefined {
    for (let k = 1; k <= 8; k++) {
      const line = (this.lowestPriority + k) & 7;
      if (this.isr & (1 << line)) return line;
    }
    return undefined;
  }

  snapshot(): PicState {
    return {
      irr: this.irr,
      isr: this.isr,
      imr: this.imr,
      vectorBase: this.vectorBase,
      lowestPriority: this.lowestPriority,
      autoEoi: this.autoEoi,
      expectIcw4: this.expectIcw4,
      single: this.single,
      initStep: this.initStep,
      readIsr: this.readIsr,
      rotateOnAeoi: this.rotateOnAeoi,
      levels: this.levels,
    };
  }

  restore(s: PicState): void {
    Object.assign(this, s);
  }
}

export interface PicState {
  irr: number;
  isr: number;
  imr: number;
  vectorBase: number;
  lowestPriority: number;
  autoEoi: boolean;
  expectIcw4: boolean;
  single: boolean;
  initStep: number;
  readIsr: boolean;
  rotateOnAeoi: boolean;
  levels: number;
}

/** The PC's pair: IRQ0-7 on the master, IRQ8-15 on the slave, whose INT output drives the master's IR2. */
export class PicPair {
  readonly master = new Pic8259("master");
  readonly slave = new Pic8259("slave");

  /** Drives IRQ `irq` (0-15). */
  setIrq(irq: number, level: boolean): void {
    if (irq < 8) this.master.setLine(irq, level);
    else this.slave.setLine(irq - 8, level);
  }

  /** The master's INT output: an interrupt request the processor should acknowledge. */
  get intr(): boolean {
    return this.master.pendingLine(this.slave.pendingLine() !== undefined) !== undefined;
  }

  /**
   * The processor's interrupt-acknowledge cycles: the vector of the highest-priority request. With no request
   * left (it went away), the 8259A answers with its IR7 vector: a spurious interrupt, not put in service.
   */
  acknowledge(): number {
    const slaveLine = this.slave.pendingLine();
    const line = this.master.pendingLine(slaveLine !== undefined);
    if (line === undefined) return this.master.vectorBase | 7;
    if (line === 2 && slaveLine !== undefined) {
      this.master.acknowledge(2);
      this.slave.acknowledge(slaveLine);
      return this.slave.vectorBase | slaveLine;
    }
    this.master.acknowledge(line);
    return this.master.vectorBase | line;
  }

  in(port: number): number {
    switch (port) {
      case IO_PORT.PIC_MASTER_COMMAND:
        return this.master.readCommand();
      case IO_PORT.PIC_MASTER_DATA:
        return this.master.readData();
      case IO_PORT.PIC_SLAVE_COMMAND:
        return this.slave.readCommand();
      default:
        return this.slave.readData();
    }
  }

  out(port: number, v: number): void {
    switch (port) {
      case IO_PORT.PIC_MASTER_COMMAND:
        this.master.writeCommand(v);
        return;
      case IO_PORT.PIC_MASTER_DATA:
        this.master.writeData(v);
        return;
      case IO_PORT.PIC_SLAVE_COMMAND:
        this.slave.writeCommand(v);
        return;
      default:
        this.slave.writeData(v);
    }
  }

  reset(): void {
    this.master.restore(new Pic8259("master").snapshot());
    this.slave.restore(new Pic8259("slave").snapshot());
  }

  snapshot(): { master: PicState; slave: PicState } {
    return { master: this.master.snapshot(), slave: this.slave.snapshot() };
  }

  restore(s: { master: PicState; slave: PicState }): void {
    this.master.restore(s.master);
    this.slave.restore(s.slave);
  }
}

export const PIC_PORTS: ReadonlySet<number> = new Set([
  IO_PORT.PIC_MASTER_COMMAND,
  IO_PORT.PIC_MASTER_DATA,
  IO_PORT.PIC_SLAVE_COMMAND,
  IO_PORT.PIC_SLAVE_DATA,
]);
