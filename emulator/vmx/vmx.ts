// VMX for the emulator: implements emulator/vmx-hooks.ts (VmxHooks) over the machine's VmxCpu. The pieces:
// instructions.ts (SDM 30, the 13 instructions), entry.ts (SDM 26), exit.ts (SDM 27), nonroot.ts (SDM 25:
// which guest actions exit), ept.ts (SDM 28.2), checks/ (26.2-26.4).
import { RFLAGS, VMCS } from "../../arch/index";
import type { CpuModel } from "../cpu-model";
import type {
  CrAccessKind,
  DecodedInstructionView,
  EventInfo,
  GuestPhysicalAccess,
  IoAccess,
  VmxCpu,
  VmxHooks,
  VmxOutcome,
} from "../vmx-hooks";
import { CheckCache, type CheckFailure, GLOBAL_DEPENDENCIES } from "./checks/index";
import { translateEpt } from "./ept";
import type { VmxEvent, VmxEventListener } from "./events";
import { GUEST_SEGMENT_SLOTS } from "./exit";
import { HostSnapshot } from "./host-snapshot";
import { executeVmxInstruction } from "./instructions";
import type { PhysMem } from "./memory";
import * as nonroot from "./nonroot";
import { INVALID_POINTER, initialVmxState, type VmxState } from "./state";
import { slotOfField, VmcsStore } from "./vmcs";

/** The arithmetic flags VMX instructions set or clear (SDM 30.2). */
const STATUS_FLAGS = RFLAGS.CF | RFLAGS.PF | RFLAGS.AF | RFLAGS.ZF | RFLAGS.SF | RFLAGS.OF;

/** Physical memory through the machine (host-physical, no EPT). */
class CpuPhysMem implements PhysMem {
  constructor(private readonly cpu: VmxCpu) {}
  read32(pa: number): number {
    return this.cpu.readPhys32(pa);
  }
  write32(pa: number, value: number): void {
    this.cpu.writePhys32(pa, value);
  }
}

export class Vmx implements VmxHooks {
  readonly mem: PhysMem;
  readonly store: VmcsStore;
  readonly model: CpuModel;
  state: VmxState = initialVmxState();
  /** The explanation of the last failed VM entry (VMfailValid 7/8 or exit 33/34), for the debugger and CLI. */
  lastEntryFailure: CheckFailure | undefined;
  private readonly listeners: VmxEventListener[] = [];
  /** Stop the run on every VM exit (debugger "break on VM exit"). */
  stopOnVmExit = false;
  /**
   * The boundary hook is wanted before the next instruction: the controls of the last VM entry need it
   * (boundaryControls: MTF, windows, preemption timer), or an event is being delivered whose IDT-vectoring
   * record the next instruction boundary must forget (nonroot.ts onEvent/onBoundary).
   */
  wantsBoundary = false;
  boundaryControls = false;
  eptActive = false;
  /** The VM-entry checks' cache (checks/index.ts CheckCache); reset whenever another VMCS becomes current. */
  readonly checkCache = new CheckCache();
  /** The guest event being delivered right now (for the IDT-vectoring information of a VM exit meanwhile). */
  vectoring: EventInfo | undefined;
  /** The guest armed the address-range monitoring hardware (MONITOR), reported by an MWAIT exit (27.2.1). */
  monitorArmed = false;
  /** True while VM entry delivers an injected event (not subject to the exception bitmap, SDM 26.6.1). */
  injectingEvent = false;

  /**
   * The guest segment registers as in the current VMCS's guest-state fields (4 numbers each: selector, base,
   * limit, access rights), valid while store.watchedWrites === segmentsWrites: VM entry loads from it and VM
   * exit compares the processor's registers with it, instead of 32 field accesses each way.
   */
  readonly segments = new Float64Array(32);
  segmentsWrites = -1;
  /**
   * IA32_SYSENTER_CS/ESP/EIP still hold what VM entry loaded from the guest-state fields: set by VM entry
   * (with msrWritesAtEntry), cleared by a guest WRMSR that does not exit (nonroot.ts onMsrAccess) and by VM exit.
   * VM exit then neither reads nor saves them (SDM 27.3.1 saves them; the fields already hold the values).
   */
  guestSysenterClean = false;
  msrWritesAtEntry = -1;
  /** Scratch for the processor's segment registers. */
  readonly segmentsNow = new Float64Array(32);

  constructor(readonly cpu: VmxCpu) {
    this.model = cpu.model;
    this.mem = new CpuPhysMem(cpu);
    this.store = new VmcsStore(this.mem, this.model);
    for (const i of GUEST_SEGMENT_SLOTS) this.store.watched[i] = 1;
    this.host = new HostSnapshot(this.store);
    // Group 3: the entry checks' global dependencies (the exit controls are in the host group, 2).
    for (const e of GLOBAL_DEPENDENCIES) {
      const i = slotOfField(e);
      if (this.store.watched[i] === 0) this.store.watched[i] = 3;
    }
  }
  /** store.groupWrites[3] when the entry checks last passed (see entry.ts). */
  controlsWritesAtEntry = -1;
  /** The host-state area as numbers (host-snapshot.ts). */
  readonly host: HostSnapshot;

  get nonRoot(): boolean {
    return this.state.nonRoot;
  }
  /** In VMX operation (root or non-root). */
  get inVmxOperation(): boolean {
    return this.state.inVmx;
  }

  onEvent(listener: VmxEventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }
  emit(e: VmxEvent): void {
    for (const l of this.listeners) l(e);
  }

  // ---- current VMCS ---------------------------------------------------------------------------------------
  /** Reads fields of the current VMCS (the VM-entry checks' view of it). */
  readonly currentReader = {
    get: (encoding: number): bigint => this.store.get(this.state.currentVmcs, encoding),
    get32: (encoding: number): number => this.store.get32(this.state.currentVmcs, encoding),
    getHi: (encoding: number): number => this.store.getHi(this.state.currentVmcs, encoding),
  };
  get hasCurrentVmcs(): boolean {
    return this.state.currentVmcs !== INVALID_POINTER;
  }
  /** A field of the current VMCS (full value). */
  field(encoding: number): bigint {
    return this.store.get(this.state.currentVmcs, encoding);
  }
  field32(encoding: number): number {
    return this.store.get32(this.state.currentVmcs, encoding);
  }
  setField(encoding: number, value: bigint): void {
    this.store.set(this.state.currentVmcs, encoding, value);
  }
  setField32(encoding: number, value: number): void {
    this.store.set32(this.state.currentVmcs, encoding, value);
  }

  /** Bits 63:32 of a field of the current VMCS. */
  fieldHi(encoding: number): number {
    return this.store.getHi(this.state.currentVmcs, encoding);
  }
  /** A field of the current VMCS as a signed double (addresses; see VmcsStore.getNumber). */
  fieldNumber(encoding: number): number {
    return this.store.getNumber(this.state.currentVmcs, encoding);
  }
  setFieldNumber(encoding: number, value: number): void {
    this.store.setNumber(this.state.currentVmcs, encoding, value);
  }
  setFieldHalves(encoding: number, lo: number, hi: number): void {
    this.store.setHalves(this.state.currentVmcs, encoding, lo, hi);
  }

  // ---- RFLAGS conventions (SDM 30.2) ----------------------------------------------------------------------
  private setStatus(bits: number): void {
    this.cpu.setStatusFlags(bits & STATUS_FLAGS);
  }
  succeed(): VmxOutcome {
    this.setStatus(0);
    return "retire";
  }
  failInvalid(): VmxOutcome {
    this.setStatus(RFLAGS.CF);
    return "retire";
  }
  failValid(error: number, vmcs = this.state.currentVmcs): VmxOutcome {
    this.setStatus(RFLAGS.ZF);
    this.store.set32(vmcs, VMCS.VM_INSTRUCTION_ERROR, error);
    return "retire";
  }
  /** VMfail(n): VMfailValid(n) with a current VMCS, else VMfailInvalid. */
  fail(error: number): VmxOutcome {
    return this.hasCurrentVmcs ? this.failValid(error) : this.failInvalid();
  }

  // ---- VmxHooks ---------------------------------------------------------------------------------------------
  executeVmxInstruction(cpu: VmxCpu, insn: DecodedInstructionView): VmxOutcome {
    return executeVmxInstruction(this, cpu, insn);
  }
  instruction(cpu: VmxCpu, insn: DecodedInstructionView): boolean {
    return nonroot.onInstruction(this, cpu, insn);
  }
  crRead(cpu: VmxCpu, cr: number, value: bigint, kind: CrAccessKind, insn: DecodedInstructionView): bigint {
    return nonroot.onCrRead(this, cpu, cr, value, kind, insn);
  }
  crWrite(cpu: VmxCpu, cr: number, value: bigint, kind: CrAccessKind, insn: DecodedInstructionView): bigint {
    return nonroot.onCrWrite(this, cpu, cr, value, kind, insn);
  }
  drAccess(cpu: VmxCpu, write: boolean, dr: number, gpr: number, insn: DecodedInstructionView): void {
    nonroot.onDrAccess(this, cpu, write, dr, gpr, insn);
  }
  msrAccess(cpu: VmxCpu, write: boolean, index: number, insn: DecodedInstructionView): void {
    nonroot.onMsrAccess(this, cpu, write, index, insn);
  }
  io(cpu: VmxCpu, access: IoAccess, insn: DecodedInstructionView): void {
    nonroot.onIo(this, cpu, access, insn);
  }
  event(cpu: VmxCpu, event: EventInfo, insn: DecodedInstructionView | undefined): void {
    nonroot.onEvent(this, cpu, event, insn);
  }
  get externalInterruptExiting(): boolean {
    return this.state.nonRoot && nonroot.externalInterruptExiting(this);
  }
  externalInterrupt(cpu: VmxCpu, acknowledge: () => number): boolean {
    return nonroot.onExternalInterrupt(this, cpu, acknowledge);
  }
  initSignal(cpu: VmxCpu): "exit" | "blocked" | "none" {
    return nonroot.onInitSignal(this, cpu);
  }
  tripleFault(cpu: VmxCpu): void {
    nonroot.onTripleFault(this, cpu);
  }
  taskSwitch(
    cpu: VmxCpu,
    tssSelector: number,
    source: "call" | "iret" | "jmp" | "gate",
    insn: DecodedInstructionView | undefined,
  ): void {
    nonroot.onTaskSwitch(this, cpu, tssSelector, source, insn);
  }
  boundary(cpu: VmxCpu): void {
    nonroot.onBoundary(this, cpu);
  }
  tsc(cpu: VmxCpu, value: bigint): bigint {
    return nonroot.guestTsc(this, cpu, value);
  }
  translateGuestPhysical(cpu: VmxCpu, gpa: number, access: GuestPhysicalAccess, linear: bigint | undefined): number {
    return translateEpt(this, cpu, gpa, access, linear);
  }
  saveState(): unknown {
    return {
      ...this.state,
      wantsBoundary: this.wantsBoundary,
      boundaryControls: this.boundaryControls,
      eptActive: this.eptActive,
      monitorArmed: this.monitorArmed,
    };
  }
  restoreState(saved: unknown): void {
    const s = saved as VmxState & {
      wantsBoundary: boolean;
      boundaryControls: boolean;
      eptActive: boolean;
      monitorArmed?: boolean;
    };
    const { wantsBoundary, boundaryControls, eptActive, monitorArmed, ...state } = s;
    this.state = { ...state };
    if (this.state.currentVmcs === INVALID_POINTER) this.store.unbind();
    else this.store.bind(this.state.currentVmcs);
    this.wantsBoundary = wantsBoundary;
    this.boundaryControls = boundaryControls;
    this.segmentsWrites = -1;
    this.host.invalidate();
    // The MSRs restored with the machine need not equal the guest fields: the next VM exit saves them.
    this.guestSysenterClean = false;
    this.monitorArmed = monitorArmed ?? false;
    this.eptActive = eptActive;
  }
  reset(): void {
    this.state = initialVmxState();
    this.store.unbind();
    this.wantsBoundary = false;
    this.boundaryControls = false;
    this.vectoring = undefined;
    this.segmentsWrites = -1;
    this.host.invalidate();
    this.guestSysenterClean = false;
    this.monitorArmed = false;
    this.eptActive = false;
    this.lastEntryFailure = undefined;
  }
}

/** The factory the Machine takes: `new Machine({ vmx: createVmx })`. */
export function createVmx(cpu: VmxCpu): Vmx {
  return new Vmx(cpu);
}
