// What the VM-entry checks look at: the current VMCS (through a reader), the CPU model's capability MSRs and
// a few facts about the machine. Derived values (effective controls, event injection) are computed once.
import { ENTRY_CTLS, EXIT_CTLS, MSR, PROC_BASED, PROC_BASED2, VMCS } from "../../../arch/index";
import type { CpuModel } from "../../cpu-model";
import type { PhysMem } from "../memory";

/** Reads a VMCS field (full encoding) as an unsigned 64-bit value. */
export interface VmcsReader {
  get(encoding: number): bigint;
  /** Bits 31:0 of a field as an unsigned number, when the reader can give them without a bigint. */
  get32?(encoding: number): number;
  /** Bits 63:32 of a field as an unsigned number (with get32: no bigint). */
  getHi?(encoding: number): number;
}

/** Facts about the machine at the VMLAUNCH/VMRESUME (SDM 26.2.4, 26.3.1.5, 26.4). */
export interface MachineFacts {
  /** IA32_EFER.LMA of the VMM executing the instruction ("the processor is in IA-32e mode"). */
  vmmLongMode: boolean;
  /** In system-management mode (never, in this emulator). */
  inSmm: boolean;
  /** x2APIC mode is enabled (IA32_APIC_BASE[11:10] = 11b). */
  x2apicMode: boolean;
  /** Current-VMCS pointer and VMXON pointer (physical addresses). */
  currentVmcsPointer: number;
  vmxonPointer: number;
  /** Physical memory: link-pointer VMCS revision, virtual-APIC page, PDPTEs, MSR-load area. */
  mem: PhysMem;
  /** Would WRMSR of this value at CPL 0 raise #GP? (MSR-load checks, SDM 26.4.) */
  wrmsrFaults(index: number, value: bigint): boolean;
  /** Is [pa, pa+length) in RAM? (An MSR-load entry that cannot be read fails, MSR-07.) Absent: always. */
  isRam?(pa: number, length: number): boolean;
}

const MASK64 = 0xffffffffffffffffn;

const linearWidths = new WeakMap<CpuModel, number>();
/** CPUID.80000008H:EAX[15:8], the linear-address width (48 when the leaf is absent). */
function linearWidthOf(model: CpuModel): number {
  let w = linearWidths.get(model);
  if (w === undefined) {
    const ext = model.cpuid(0x80000000, 0)[0] >>> 0;
    w = (ext >= 0x80000008 ? (model.cpuid(0x80000008, 0)[0] >>> 8) & 0xff : 0) || 48;
    linearWidths.set(model, w);
  }
  return w;
}

export class CheckContext {
  readonly basic: bigint;
  readonly misc: bigint;
  readonly eptVpidCap: bigint;
  /** Effective controls: secondary/tertiary/secondary-exit controls are 0 when not activated (CTL-04). */
  readonly pin: number;
  readonly proc: number;
  readonly proc2: number;
  readonly proc3: bigint;
  readonly exit: number;
  readonly exit2: bigint;
  readonly entry: number;
  /** VM-entry interruption information (event injection). */
  readonly intrInfo: number;
  readonly injecting: boolean;
  readonly injectType: number;
  readonly injectVector: number;
  readonly physWidth: number;
  /** Linear-address width for canonical checks (CPUID.80000008H:EAX[15:8], 48 if absent). */
  readonly linearWidth: number;

  /** While a check runs under the check cache: the fields it reads, and whether it looked at machine facts. */
  private recording = false;
  private recordLength = 0;
  /** The fields read since startRecording: the first stopRecording() entries (reused; consume before the next run). */
  readonly recordBuffer: number[] = [];
  private touchedFacts = false;
  private readonly machineFacts: MachineFacts;

  constructor(
    readonly vmcs: VmcsReader,
    readonly model: CpuModel,
    facts: MachineFacts,
  ) {
    this.machineFacts = facts;
    this.basic = this.msr(MSR.IA32_VMX_BASIC);
    this.misc = this.msr(MSR.IA32_VMX_MISC);
    this.eptVpidCap = this.msr(MSR.IA32_VMX_EPT_VPID_CAP);
    this.pin = this.n(VMCS.PIN_BASED_VM_EXEC_CONTROLS);
    this.proc = this.n(VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS);
    this.proc2 =
      this.proc & PROC_BASED.ACTIVATE_SECONDARY_CONTROLS ? this.n(VMCS.SECONDARY_PROC_BASED_VM_EXEC_CONTROLS) : 0;
    this.proc3 =
      this.proc & PROC_BASED.ACTIVATE_TERTIARY_CONTROLS ? vmcs.get(VMCS.TERTIARY_PROC_BASED_VM_EXEC_CONTROLS) : 0n;
    this.exit = this.n(VMCS.PRIMARY_VM_EXIT_CONTROLS);
    this.exit2 = this.exit & EXIT_CTLS.ACTIVATE_SECONDARY_CONTROLS ? vmcs.get(VMCS.SECONDARY_VM_EXIT_CONTROLS) : 0n;
    this.entry = this.n(VMCS.VM_ENTRY_CONTROLS);
    this.intrInfo = this.n(VMCS.VM_ENTRY_INTERRUPTION_INFORMATION);
    this.injecting = (this.intrInfo & 0x80000000) !== 0;
    this.injectType = (this.intrInfo >>> 8) & 7;
    this.injectVector = this.intrInfo & 0xff;
    this.physWidth = (this.basic >> 48n) & 1n ? 32 : model.physicalAddressWidth;
    this.linearWidth = linearWidthOf(model);
  }

  /**
   * Facts about the machine (VMM mode, SMM, pointers). Their values are part of the check cache's key (a change
   * re-runs every check), so reading them does not make a check volatile.
   */
  get facts(): MachineFacts {
    return this.machineFacts;
  }
  /** Physical memory: a check that reads it runs again at every VM entry. */
  get mem(): MachineFacts["mem"] {
    this.touchedFacts = true;
    return this.machineFacts.mem;
  }
  /** A field's full value. */
  f(encoding: number): bigint {
    if (this.recording) this.recordBuffer[this.recordLength++] = encoding;
    return this.vmcs.get(encoding) & MASK64;
  }
  /** Bits 31:0 of a field as an unsigned number. */
  n(encoding: number): number {
    if (this.recording) this.recordBuffer[this.recordLength++] = encoding;
    const v = this.vmcs;
    return v.get32 ? v.get32(encoding) : Number(v.get(encoding) & 0xffffffffn);
  }
  /** Bits 63:32 of a field as an unsigned number. */
  hi(encoding: number): number {
    if (this.recording) this.recordBuffer[this.recordLength++] = encoding;
    const v = this.vmcs;
    return v.getHi ? v.getHi(encoding) : Number((v.get(encoding) >> 32n) & 0xffffffffn);
  }
  /** Is the field's value canonical for the linear-address width (as canonical(), without a bigint)? */
  canonicalField(encoding: number): boolean {
    if (this.linearWidth < 33 || this.linearWidth > 64) return this.canonical(this.f(encoding));
    const top = (this.hi(encoding) | 0) >> (this.linearWidth - 33);
    return top === 0 || top === -1;
  }
  startRecording(): void {
    this.recording = true;
    this.recordLength = 0;
    this.touchedFacts = false;
  }
  /** How many fields the check read (in recordBuffer), or -1 when it depended on machine facts. */
  stopRecording(): number {
    this.recording = false;
    return this.touchedFacts ? -1 : this.recordLength;
  }
  /** A capability or other MSR value of the CPU model (0 if the model has none). */
  msr(index: number): bigint {
    return this.model.msr.get(index) ?? 0n;
  }
  /** Does the physical address set bits beyond the physical-address width? */
  beyondPhys(pa: bigint): boolean {
    return BigInt.asUintN(64, pa) >> BigInt(this.physWidth) !== 0n;
  }
  /** Canonical for the CPU's linear-address width: bits 63:N-1 all equal. */
  canonical(v: bigint): boolean {
    const top = BigInt.asUintN(64, v) >> BigInt(this.linearWidth - 1);
    return top === 0n || top === MASK64 >> BigInt(this.linearWidth - 1);
  }
  /** The IA-32e mode guest VM-entry control. */
  get ia32eGuest(): boolean {
    return (this.entry & ENTRY_CTLS.IA32E_MODE_GUEST) !== 0;
  }
  /** The host address-space size VM-exit control. */
  get hostAddressSpaceSize(): boolean {
    return (this.exit & EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE) !== 0;
  }
  /** The unrestricted-guest control (secondary bit 7). */
  get unrestricted(): boolean {
    return (this.proc2 & PROC_BASED2.UNRESTRICTED_GUEST) !== 0;
  }
}
