// The firmware-made start states (`long64`, `protected32`, `real16`). Every structure lives below 0x10000;
// emulator/README.md documents each address and register. Handlers of the IDT/IVT report the vector on the
// firmware exit port (FIRMWARE_EXIT_PORT) and the machine turns that into an "exception" stop reason.

import { CORE_MSR } from "./arch-adapter";
import {
  AR_UNUSABLE,
  type Cpu,
  CR0_ET,
  CR0_MP,
  CR0_NE,
  CR0_PE,
  CR0_PG,
  CR4_PAE,
  EFER_LMA,
  EFER_LME,
  EFER_NXE,
} from "./cpu";
import { CS, DS, ES, FS, GS, SS } from "./decoder";
import { LDTR, TR } from "./segments";

export type StartState = "long64" | "protected32" | "real16";
export const START_STATES: readonly StartState[] = ["long64", "protected32", "real16"];

/** Port written by the start states' exception handlers (the vector in AL). */
export const FIRMWARE_EXIT_PORT = 0xf4;

export const LAYOUT = {
  GDT: 0x1000,
  TSS: 0x1100,
  IDT: 0x2000,
  HANDLERS: 0x3000,
  PML4: 0x4000,
  PDPT: 0x5000,
  PD: 0x6000,
  IST1_TOP: 0xc000,
  STACK_TOP: 0x10000,
  REAL_HANDLERS: 0x0500,
  REAL_STACK: 0x7c00,
} as const;

/** Vectors for which the processor pushes an error code (SDM Table 6-1). */
export const HAS_ERROR_CODE = new Set([8, 10, 11, 12, 13, 14, 17, 21, 29, 30]);

/** GDT selectors of the protected start states (long64 mirrors the oracle stub's layout). */
export const SELECTORS = {
  long64: { CODE64: 0x08, DATA: 0x10, TSS: 0x18, CODE32: 0x28, USER_DATA: 0x30, USER_CODE64: 0x38 },
  protected32: { CODE32: 0x08, DATA: 0x10, TSS: 0x18, CODE16: 0x20, DATA16: 0x28, USER_DATA: 0x30, USER_CODE32: 0x38 },
} as const;

type Writer = (addr: number, bytes: number[]) => void;

function dq(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (const v of [lo, hi]) for (let k = 0; k < 4; k++) out.push((v >>> (8 * k)) & 0xff);
  return out;
}

function le(v: number, n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(Math.floor(v / 2 ** (8 * k)) & 0xff);
  return out;
}

/** Handler stub for vector v: [push 0]; mov al, v; out 0xF4, al; hlt; jmp $-1 (16 bytes per vector). */
function handlerStub(v: number, withErrorCodeSlot: boolean): number[] {
  const b: number[] = [];
  if (withErrorCodeSlot && !HAS_ERROR_CODE.has(v)) b.push(0x6a, 0x00);
  b.push(0xb0, v, 0xe6, FIRMWARE_EXIT_PORT, 0xf4, 0xeb, 0xfd);
  while (b.length < 16) b.push(0x90);
  return b;
}

export function setupLong64(cpu: Cpu, write: Writer, entry: number): void {
  const S = SELECTORS.long64;
  // GDT (same descriptors as the oracle stub).
  const gdt: number[] = [
    ...dq(0, 0),
    ...dq(0x0000ffff, 0x00af9a00), // 0x08 64-bit code DPL0
    ...dq(0x0000ffff, 0x00cf9200), // 0x10 data DPL0
    ...dq(((LAYOUT.TSS & 0xffff) << 16) | 0x67, 0x00008900 | ((LAYOUT.TSS >>> 16) & 0xff)), // 0x18 TSS (low)
    ...dq(0, 0), // TSS (high)
    ...dq(0x0000ffff, 0x00cf9a00), // 0x28 32-bit code DPL0
    ...dq(0x0000ffff, 0x00cff200), // 0x30 data DPL3
    ...dq(0x0000ffff, 0x00affa00), // 0x38 64-bit code DPL3
  ];
  write(LAYOUT.GDT, gdt);
  // TSS: RSP0 = stack top, IST1 = its own stack, no I/O bitmap (base = limit + 1).
  const tss = new Array(0x68).fill(0);
  tss.splice(4, 8, ...le(LAYOUT.STACK_TOP, 8));
  tss.splice(0x24, 8, ...le(LAYOUT.IST1_TOP, 8));
  tss.splice(0x66, 2, ...le(0x68, 2));
  write(LAYOUT.TSS, tss);
  // IDT: 256 64-bit interrupt gates, DPL 0; NMI, #DF, #MC on IST1.
  const idt: number[] = [];
  const handlers: number[] = [];
  for (let v = 0; v < 256; v++) {
    const off = LAYOUT.HANDLERS + v * 16;
    const ist = v === 2 || v === 8 || v === 18 ? 1 : 0;
    idt.push(...dq((S.CODE64 << 16) | (off & 0xffff), (off & 0xffff0000) | 0x8e00 | ist), ...dq(0, 0));
    handlers.push(...handlerStub(v, true));
  }
  write(LAYOUT.IDT, idt);
  write(LAYOUT.HANDLERS, handlers);
  // Identity paging of 0–4 GiB with 2 MiB pages.
  write(LAYOUT.PML4, dq(LAYOUT.PDPT | 3, 0));
  const pdpt: number[] = [];
  for (let k = 0; k < 4; k++) pdpt.push(...dq((LAYOUT.PD + k * 0x1000) | 3, 0));
  write(LAYOUT.PDPT, pdpt);
  const pd: number[] = [];
  for (let k = 0; k < 2048; k++) {
    const a = k * 0x200000;
    pd.push(...dq((a % 4294967296) | 0x83, Math.floor(a / 4294967296)));
  }
  write(LAYOUT.PD, pd);

  cpu.resetState();
  cpu.cr0 = CR0_PG | CR0_NE | CR0_ET | CR0_MP | CR0_PE | 0;
  cpu.cr4 = CR4_PAE | 0x600;
  cpu.cr3 = LAYOUT.PML4;
  cpu.efer = EFER_LME | EFER_LMA | EFER_NXE;
  cpu.gdtrBase = LAYOUT.GDT;
  cpu.gdtrLimit = gdt.length - 1;
  cpu.idtrBase = LAYOUT.IDT;
  cpu.idtrLimit = 256 * 16 - 1;
  cpu.cpl = 0;
  for (const s of [DS, ES, SS, FS, GS]) cpu.setSegRaw(s, S.DATA, 0, 0xffffffff, 0xc093);
  cpu.setSegRaw(CS, S.CODE64, 0, 0xffffffff, 0xa09b);
  cpu.setSegRaw(LDTR, 0, 0, 0, AR_UNUSABLE);
  cpu.setSegRaw(TR, S.TSS, LAYOUT.TSS, 0x67, 0x8b);
  // The TSS descriptor in the GDT is marked busy, as after LTR.
  write(LAYOUT.GDT + S.TSS + 5, [0x8b]);
  firmwareFeatureControl(cpu);
  cpu.lo[4] = LAYOUT.STACK_TOP;
  cpu.setFlags(2);
  cpu.rip = entry;
  cpu.updateMode();
  cpu.flushTlb();
}

export function setupProtected32(cpu: Cpu, write: Writer, entry: number): void {
  const S = SELECTORS.protected32;
  const gdt: number[] = [
    ...dq(0, 0),
    ...dq(0x0000ffff, 0x00cf9a00), // 0x08 32-bit code DPL0
    ...dq(0x0000ffff, 0x00cf9200), // 0x10 data DPL0
    ...dq(((LAYOUT.TSS & 0xffff) << 16) | 0x67, 0x00008b00 | ((LAYOUT.TSS >>> 16) & 0xff)), // 0x18 32-bit TSS (busy)
    ...dq(0x0000ffff, 0x00009a00), // 0x20 16-bit code, limit 64 KiB
    ...dq(0x0000ffff, 0x00009200), // 0x28 16-bit data, limit 64 KiB
    ...dq(0x0000ffff, 0x00cff200), // 0x30 data DPL3
    ...dq(0x0000ffff, 0x00cffa00), // 0x38 32-bit code DPL3
  ];
  write(LAYOUT.GDT, gdt);
  const tss = new Array(0x68).fill(0);
  tss.splice(4, 4, ...le(LAYOUT.STACK_TOP, 4)); // ESP0
  tss.splice(8, 2, ...le(S.DATA, 2)); // SS0
  tss.splice(0x66, 2, ...le(0x68, 2));
  write(LAYOUT.TSS, tss);
  const idt: number[] = [];
  const handlers: number[] = [];
  for (let v = 0; v < 256; v++) {
    const off = LAYOUT.HANDLERS + v * 16;
    idt.push(...dq((S.CODE32 << 16) | (off & 0xffff), (off & 0xffff0000) | 0x8e00));
    handlers.push(...handlerStub(v, true));
  }
  write(LAYOUT.IDT, idt);
  write(LAYOUT.HANDLERS, handlers);

  cpu.resetState();
  cpu.cr0 = CR0_NE | CR0_ET | CR0_MP | CR0_PE;
  cpu.cr4 = 0x600;
  cpu.gdtrBase = LAYOUT.GDT;
  cpu.gdtrLimit = gdt.length - 1;
  cpu.idtrBase = LAYOUT.IDT;
  cpu.idtrLimit = 256 * 8 - 1;
  cpu.cpl = 0;
  for (const s of [DS, ES, SS, FS, GS]) cpu.setSegRaw(s, S.DATA, 0, 0xffffffff, 0xc093);
  cpu.setSegRaw(CS, S.CODE32, 0, 0xffffffff, 0xc09b);
  cpu.setSegRaw(LDTR, 0, 0, 0, AR_UNUSABLE);
  cpu.setSegRaw(TR, S.TSS, LAYOUT.TSS, 0x67, 0x8b);
  firmwareFeatureControl(cpu);
  cpu.lo[4] = LAYOUT.STACK_TOP;
  cpu.setFlags(2);
  cpu.rip = entry >>> 0;
  cpu.updateMode();
  cpu.flushTlb();
}

export function setupReal16(cpu: Cpu, write: Writer, entry: number): void {
  // IVT: every vector points to a stub at 0000:0500 + 8v that reports it (no BIOS services exist).
  const ivt: number[] = [];
  const handlers: number[] = [];
  for (let v = 0; v < 256; v++) {
    ivt.push(...le(LAYOUT.REAL_HANDLERS + v * 8, 2), 0, 0);
    const stub = handlerStub(v, false).slice(0, 7);
    stub.push(0x90);
    handlers.push(...stub);
  }
  write(0, ivt);
  write(LAYOUT.REAL_HANDLERS, handlers);
  cpu.resetState();
  for (const s of [DS, ES, SS, FS, GS]) cpu.setSegRaw(s, 0, 0, 0xffff, 0x93);
  const cs = entry > 0xffff ? Math.floor(entry / 16) & 0xf000 : 0;
  cpu.setSegRaw(CS, cs, cs * 16, 0xffff, 0x9b);
  cpu.idtrBase = 0;
  cpu.idtrLimit = 0x3ff;
  cpu.lo[4] = LAYOUT.REAL_STACK;
  cpu.lo[2] = 0x0000; // DL = boot drive 0 (first floppy), as a BIOS passes it
  cpu.setFlags(2);
  cpu.rip = entry - cs * 16;
  cpu.updateMode();
  cpu.flushTlb();
}

/**
 * What firmware does with IA32_FEATURE_CONTROL (as the oracle stub and the Bochs BIOS): if the processor has
 * VMX and the MSR is not locked, write 0x5 (lock | VMXON outside SMX, SDM 24.7); a model whose value is
 * already locked (e.g. vmx-locked-off) keeps it.
 */
function firmwareFeatureControl(cpu: Cpu): void {
  const cur = cpu.msrs.get(CORE_MSR.IA32_FEATURE_CONTROL) ?? 0n;
  const [, , ecx] = cpu.model.cpuid(1, 0);
  if (ecx & 0x20 && !(cur & 1n)) cpu.msrs.set(CORE_MSR.IA32_FEATURE_CONTROL, 0x5n);
}

/** Whether a linear address is inside the start state's exception-handler stubs. */
export function inFirmwareHandlers(state: StartState | undefined, la: number): boolean {
  if (state === "real16") return la >= LAYOUT.REAL_HANDLERS && la < LAYOUT.REAL_HANDLERS + 256 * 8;
  if (state === "long64" || state === "protected32") return la >= LAYOUT.HANDLERS && la < LAYOUT.HANDLERS + 256 * 16;
  return false;
}
