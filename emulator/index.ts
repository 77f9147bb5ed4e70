// emulator/: the x86-64 machine. Public API for the debugger, the CLI and VMX.

export type { CallFrame, CallFrameKind } from "./call-frames";
export { Cpu, CpuFault } from "./cpu";
export type { CpuModel } from "./cpu-model";
export { decode, Insn } from "./decoder";
export { Devices, type DevicesView, type OutputListener, type OutputStream, type PicView } from "./devices";
export { type DisassembledInstruction, type DisassemblySyntax, disassemble, formatInstruction } from "./disasm";
export { decodeBytes, Machine, type MachineOptions, type RunOptions, type Snapshot, type StepOptions } from "./machine";
export { PhysicalMemory } from "./memory";
export type { PitChannelView } from "./pit";
export { FIRMWARE_EXIT_PORT, LAYOUT, SELECTORS, START_STATES, type StartState } from "./start-states";
export type { StopKind, StopReason } from "./stop-reason";
export * from "./vmx-hooks";
