// The PC I/O ports the emulator implements (and hypervisor code commonly touches), named once: the emulator's
// devices dispatch on these numbers and the language server's hovers describe them.

export const IO_PORT = {
  PIC_MASTER_COMMAND: 0x20,
  PIC_MASTER_DATA: 0x21,
  PIT_CHANNEL0: 0x40,
  PIT_CHANNEL1: 0x41,
  PIT_CHANNEL2: 0x42,
  PIT_CONTROL: 0x43,
  SYSTEM_CONTROL_B: 0x61,
  POST_DIAGNOSTIC: 0x80,
  SYSTEM_CONTROL_A: 0x92,
  PIC_SLAVE_COMMAND: 0xa0,
  PIC_SLAVE_DATA: 0xa1,
  DEBUG_CONSOLE: 0xe9,
  COM1: 0x3f8,
} as const;

export interface IoPortInfo {
  port: number;
  name: string;
  /** The device and what reads and writes do. */
  description: string;
  /** Whether the emulator implements it (others read all-ones and ignore writes, or exit through I/O bitmaps). */
  emulated: boolean;
}

const COM1_REGISTERS = [
  "RBR (read) / THR (write); DLL with LCR.DLAB = 1",
  "IER; DLM with LCR.DLAB = 1",
  "IIR (read) / FCR (write)",
  "LCR (line control)",
  "MCR (modem control)",
  "LSR (line status: bit 5 THRE, bit 0 data ready)",
  "MSR (modem status)",
  "SCR (scratch)",
];

export const IO_PORTS: readonly IoPortInfo[] = [
  {
    port: IO_PORT.PIC_MASTER_COMMAND,
    name: "8259A master PIC: command",
    description:
      "Write ICW1 (bit 4 set: start initialization), OCW2 (EOI: 20h non-specific) or OCW3 (0Ah/0Bh: read IRR/ISR next); read the IRR or ISR.",
    emulated: true,
  },
  {
    port: IO_PORT.PIC_MASTER_DATA,
    name: "8259A master PIC: data",
    description: "ICW2 (vector base), ICW3, ICW4 during initialization; then OCW1, the interrupt mask (IMR). IRQ0-7.",
    emulated: true,
  },
  {
    port: IO_PORT.PIT_CHANNEL0,
    name: "8254 PIT: channel 0 count",
    description: "Count (LSB/MSB per the control word) of the channel that drives IRQ0; reads the count or a latch.",
    emulated: true,
  },
  {
    port: IO_PORT.PIT_CHANNEL1,
    name: "8254 PIT: channel 1 count",
    description: "Count of channel 1 (DRAM refresh on old PCs).",
    emulated: true,
  },
  {
    port: IO_PORT.PIT_CHANNEL2,
    name: "8254 PIT: channel 2 count",
    description: "Count of channel 2, gated by port 61h bit 0 (the speaker).",
    emulated: true,
  },
  {
    port: IO_PORT.PIT_CONTROL,
    name: "8254 PIT: control word",
    description:
      "Bits 7:6 channel (3: read-back), 5:4 access (0: counter latch, 1 LSB, 2 MSB, 3 LSB then MSB), 3:1 mode, 0 BCD. Write only.",
    emulated: true,
  },
  {
    port: IO_PORT.SYSTEM_CONTROL_B,
    name: "system control port B",
    description: "Bit 0: PIT channel 2 gate, bit 1: speaker data; reads bit 4 refresh toggle, bit 5 channel 2 output.",
    emulated: true,
  },
  {
    port: IO_PORT.POST_DIAGNOSTIC,
    name: "POST diagnostic port",
    description: "Firmware progress codes; writes are ignored (a common harmless port for I/O-exit tests).",
    emulated: false,
  },
  {
    port: IO_PORT.SYSTEM_CONTROL_A,
    name: "system control port A",
    description:
      "Bit 1: A20 gate (always enabled here); bit 0 from 0 to 1: INIT_NOW, the chipset pulses INIT# (a VM exit 3 in VMX non-root operation).",
    emulated: true,
  },
  {
    port: IO_PORT.PIC_SLAVE_COMMAND,
    name: "8259A slave PIC: command",
    description: "As port 20h, for the slave (IRQ8-15, cascaded on the master's IR2).",
    emulated: true,
  },
  {
    port: IO_PORT.PIC_SLAVE_DATA,
    name: "8259A slave PIC: data",
    description: "As port 21h, for the slave: ICW2-4, then the IMR of IRQ8-15.",
    emulated: true,
  },
  {
    port: IO_PORT.DEBUG_CONSOLE,
    name: "debug console (Bochs port E9h hack)",
    description: "A byte written is output; reads return E9h.",
    emulated: true,
  },
  ...COM1_REGISTERS.map((r, k) => ({
    port: IO_PORT.COM1 + k,
    name: `COM1 16550 UART: ${r.split(" ")[0]}`,
    description: `Register ${k} of the UART at 3F8h: ${r}.`,
    emulated: true,
  })),
];

const BY_PORT = new Map(IO_PORTS.map((p) => [p.port, p] as const));

export function ioPort(port: number): IoPortInfo | undefined {
  return BY_PORT.get(port);
}
