// VM entry (SDM 26): the instruction-level checks (26.1), the checks of 26.2-26.3 (checks/), loading guest
// state (26.3.2), loading MSRs (26.4), event injection (26.6) and the switch to VMX non-root operation. A
// VM-entry failure during or after guest-state loading (26.8) loads host state like a VM exit.
import {
  CR0,
  CR4,
  EFER,
  ENTRY_CTLS,
  VM_INSTRUCTION_ERROR as ERR,
  MSR,
  PIN_BASED,
  PROC_BASED,
  PROC_BASED2,
  VMCS,
} from "../../arch/index";
import type { DecodedInstructionView, SegmentIndex, VmxCpu, VmxOutcome } from "../vmx-hooks";
import { CheckContext } from "./checks/context";
import { type CheckFailure, describeFailure, type MachineFacts, runEntryChecksCached } from "./checks/index";
import { firstMsrLoadFailure } from "./checks/msr-load";
import {
  GUEST_SEGMENT_SLOTS,
  leaveNonRoot,
  loadCr,
  loadHostState,
  loadMsrFromField,
  mergeCr0Number,
  secondaryControls,
} from "./exit";
import { INVALID_POINTER } from "./state";
import { slotOfField } from "./vmcs";
import type { Vmx } from "./vmx";

/** What WRMSR would reject, as far as the MSR-load checks need (SDM 26.4, MSR-05). */
function wrmsrFaults(cpu: VmxCpu, index: number, value: bigint): boolean {
  if (cpu.readMsr(index) === undefined) return true;
  if (index === MSR.IA32_EFER) return (value & ~BigInt(EFER.SCE | EFER.LME | EFER.LMA | EFER.NXE)) !== 0n;
  if (index === MSR.IA32_PAT) {
    for (let i = 0; i < 8; i++) {
      const t = Number((value >> BigInt(8 * i)) & 0xffn);
      if (t === 2 || t === 3 || t > 7) return true;
    }
  }
  if (index === MSR.IA32_SYSENTER_ESP || index === MSR.IA32_SYSENTER_EIP || index === MSR.IA32_KERNEL_GS_BASE) {
    const top = value >> 47n;
    return top !== 0n && top !== 0x1ffffn;
  }
  return false;
}

/** IA32_APIC_BASE as last seen and whether it enabled x2APIC mode (no bigint arithmetic per entry). */
let lastApicBase: bigint | undefined = -1n;
let lastX2apic = false;

/** The machine facts of a VM entry, kept in one object per Vmx and refreshed in place (no allocation). */
const factsOf = new WeakMap<Vmx, MachineFacts>();
export function machineFacts(vmx: Vmx, cpu: VmxCpu): MachineFacts {
  let f = factsOf.get(vmx);
  if (f === undefined) {
    f = {
      vmmLongMode: false,
      inSmm: false,
      x2apicMode: false,
      currentVmcsPointer: 0,
      vmxonPointer: 0,
      mem: vmx.mem,
      wrmsrFaults: (index, value) => wrmsrFaults(cpu, index, value),
    };
    factsOf.set(vmx, f);
  }
  // IA32_EFER.LMA: VMX instructions #UD in compatibility mode, so in IA-32e mode the VMM is in 64-bit mode.
  const mode = cpu.mode();
  f.vmmLongMode = mode === "long64" || mode === "compat32" || mode === "compat16";
  const apic = cpu.readMsr(MSR.IA32_APIC_BASE);
  if (apic !== lastApicBase) {
    lastApicBase = apic;
    lastX2apic = apic !== undefined && (apic & 0xc00n) === 0xc00n;
  }
  f.x2apicMode = lastX2apic;
  f.currentVmcsPointer = vmx.state.currentVmcs;
  f.vmxonPointer = vmx.state.vmxonPointer;
  return f;
}

export function vmEntry(vmx: Vmx, cpu: VmxCpu, insn: DecodedInstructionView, launch: boolean): VmxOutcome {
  // SDM 26.1 and 30.3 VMLAUNCH/VMRESUME: no current VMCS, or the current VMCS is a shadow VMCS.
  if (vmx.state.currentVmcs === INVALID_POINTER) {
    reportFail(
      vmx,
      cpu,
      launch,
      "vmfailInvalid",
      undefined,
      "there is no current VMCS (VMPTRLD one first) (SDM 26.1)",
      "INS-04",
    );
    return vmx.failInvalid();
  }
  const pa = vmx.state.currentVmcs;
  if (vmx.store.revisionDword(pa) >>> 31 === 1) {
    reportFail(
      vmx,
      cpu,
      launch,
      "vmfailInvalid",
      undefined,
      "the current VMCS is a shadow VMCS (revision bit 31 set) (SDM 26.1)",
      "INS-05",
    );
    return vmx.failInvalid();
  }
  if (cpu.interruptibilityBits() & 2) {
    reportFail(
      vmx,
      cpu,
      launch,
      "vmfailValid",
      26,
      "events are blocked by MOV SS: VM entry is not allowed right after MOV SS/POP SS (SDM 26.1)",
      "INS-06",
    );
    return vmx.failValid(ERR.ENTRY_EVENTS_BLOCKED_BY_MOV_SS);
  }
  const state = vmx.store.launchState(pa);
  if (launch && state !== "clear") {
    const why =
      state === "launched"
        ? "VMLAUNCH with a launched VMCS: use VMRESUME, or VMCLEAR it first (SDM 26.1)"
        : "VMLAUNCH with a VMCS whose launch state is not clear: it was made current without a VMCLEAR (SDM 24.11.3, 26.1)";
    reportFail(vmx, cpu, launch, "vmfailValid", 4, why, "INS-07");
    return vmx.failValid(ERR.VMLAUNCH_NON_CLEAR_VMCS);
  }
  if (!launch && state !== "launched") {
    reportFail(
      vmx,
      cpu,
      launch,
      "vmfailValid",
      5,
      "VMRESUME with a VMCS whose launch state is clear: use VMLAUNCH (SDM 26.1)",
      "INS-08",
    );
    return vmx.failValid(ERR.VMRESUME_NON_LAUNCHED_VMCS);
  }
  const reader = vmx.currentReader;
  const facts = machineFacts(vmx, cpu);
  const store = vmx.store;
  // A global dependency of the checks changed: a write to group 3 since the checks last passed, or to the exit
  // controls (group 2, also in `changed`).
  CHECK_OPTIONS.controlsChanged =
    store.groupWrites[3] !== vmx.controlsWritesAtEntry || store.changed.has(VMCS.PRIMARY_VM_EXIT_CONTROLS);
  const outcome = runEntryChecksCached(
    reader,
    vmx.model,
    facts,
    vmx.checkCache,
    store.changed,
    store.allChanged,
    CHECK_OPTIONS,
  );
  if (outcome.kind === "vmfail") {
    vmx.lastEntryFailure = outcome.failure;
    vmx.emit({
      kind: "vmEntryFailure",
      launch,
      outcome: "vmfailValid",
      error: outcome.error,
      failure: outcome.failure,
      rip: cpu.getRip(),
    });
    return vmx.failValid(outcome.error);
  }
  if (outcome.kind === "entryFailure")
    return entryFailure(vmx, cpu, insn, launch, 33, outcome.qualification, outcome.failure);
  loadGuestState(vmx, cpu);
  // The SYSENTER MSRs now equal their guest fields; the VM-entry MSR-load area below counts as a change.
  vmx.guestSysenterClean = true;
  vmx.msrWritesAtEntry = cpu.msrWrites;
  const msrCount = vmx.field32(VMCS.VM_ENTRY_MSR_LOAD_COUNT);
  const msrFailure = msrCount === 0 ? undefined : firstMsrLoadFailure(new CheckContext(reader, vmx.model, facts));
  if (msrCount > 0) loadEntryMsrs(vmx, cpu, msrFailure ? msrFailure.entryNumber - 1 : msrCount);
  if (msrFailure) {
    const failure = describeFailure({ id: msrFailure.checkId, sdm: "26.4" }, msrFailure.violation, reader);
    return entryFailure(vmx, cpu, insn, launch, 34, msrFailure.entryNumber, failure);
  }
  // Every check passed: only fields that change from now on can make one fail again.
  vmx.store.changed.clear();
  vmx.store.allChanged = false;
  vmx.controlsWritesAtEntry = vmx.store.groupWrites[3]!;
  if (launch) vmx.store.setLaunched(pa, true);
  vmx.lastEntryFailure = undefined;
  enterNonRoot(vmx, cpu);
  if (vmx.hasListeners) vmx.emit({ kind: "vmEntry", launch, guestRip: cpu.getRip(), vmcs: pa });
  injectEvent(vmx, cpu);
  return "entered";
}

/** runEntryChecksCached's options for VM entry (one object, refreshed per entry). */
const CHECK_OPTIONS: { controlsChanged?: boolean } = {};

/** A VM entry that fails before the checks of 26.2 (SDM 26.1): the explanation and the event. */
function reportFail(
  vmx: Vmx,
  cpu: VmxCpu,
  launch: boolean,
  outcome: "vmfailInvalid" | "vmfailValid",
  error: number | undefined,
  message: string,
  id: string,
): void {
  const failure: CheckFailure = { checkId: id, sdmSection: "30.3", message, fields: [] };
  vmx.lastEntryFailure = failure;
  const rip = cpu.getRip();
  vmx.emit({ kind: "vmEntryFailure", launch, outcome, ...(error === undefined ? {} : { error }), failure, rip });
}

/** SDM 26.8: exit reason 33/34 with bit 31, the qualification, host state and the VM-exit MSR-load area. */
function entryFailure(
  vmx: Vmx,
  cpu: VmxCpu,
  insn: DecodedInstructionView,
  launch: boolean,
  reason: 33 | 34,
  qualification: number,
  failure: CheckFailure,
): VmxOutcome {
  const rip = cpu.getRip();
  vmx.lastEntryFailure = failure;
  vmx.setField32(VMCS.EXIT_REASON, (0x80000000 | reason) >>> 0);
  vmx.setField(VMCS.EXIT_QUALIFICATION, BigInt(qualification));
  // Like Bochs, record the instruction length and clear the interruption fields (the SDM leaves them undefined).
  vmx.setField32(VMCS.VM_EXIT_INSTRUCTION_LENGTH, insn.length);
  vmx.setField32(VMCS.VM_EXIT_INTERRUPTION_INFORMATION, 0);
  vmx.setField32(VMCS.IDT_VECTORING_INFORMATION, 0);
  leaveNonRoot(vmx);
  loadHostState(vmx, cpu);
  vmx.emit({ kind: "vmEntryFailure", launch, outcome: "exit", exitReason: reason, qualification, failure, rip });
  return "entered";
}

function loadEntryMsrs(vmx: Vmx, cpu: VmxCpu, count: number): void {
  const base = Number(vmx.field(VMCS.VM_ENTRY_MSR_LOAD_ADDRESS));
  for (let i = 0; i < count; i++)
    cpu.writeMsr(Number(cpu.readPhys(base + 16 * i, 4)), cpu.readPhys(base + 16 * i + 8, 8));
}

/** SDM 26.3.2: load guest state from the guest-state area (number paths: this runs on every VM entry). */
function loadGuestState(vmx: Vmx, cpu: VmxCpu): void {
  const store = vmx.store;
  const pa = vmx.state.currentVmcs;
  const entry = store.lo32At(pa, S.ENTRY_CONTROLS);
  const ia32e = (entry & ENTRY_CTLS.IA32E_MODE_GUEST) !== 0;
  const cr0 = mergeCr0Number(cpu.crNumber(0), store.lo32At(pa, S.CR0));
  const paging = (cr0 & CR0.PG) !== 0;
  const cr4 = store.lo32At(pa, S.CR4);
  // EFER (26.3.2.1): from the field with "load IA32_EFER", else LMA (and LME when paging) follow IA-32e mode.
  loadCr(cpu, 4, cr4);
  loadCr(cpu, 3, store.numberAt(pa, S.CR3));
  if (entry & ENTRY_CTLS.LOAD_IA32_EFER) loadMsrFromField(vmx, cpu, MSR.IA32_EFER, VMCS.GUEST_IA32_EFER);
  else {
    const now = cpu.eferNumber();
    let efer = ia32e ? now | EFER.LMA : now & ~EFER.LMA;
    if (paging) efer = ia32e ? efer | EFER.LME : efer & ~EFER.LME;
    if (efer !== now) cpu.writeMsr(MSR.IA32_EFER, BigInt(efer >>> 0));
  }
  loadCr(cpu, 0, cr0);
  if (entry & ENTRY_CTLS.LOAD_DEBUG_CONTROLS) {
    cpu.writeDr(7, vmx.field(VMCS.GUEST_DR7));
    loadMsrFromField(vmx, cpu, MSR.IA32_DEBUGCTL, VMCS.GUEST_IA32_DEBUGCTL);
  }
  loadMsrFromField(vmx, cpu, MSR.IA32_SYSENTER_CS, VMCS.GUEST_IA32_SYSENTER_CS);
  loadMsrFromField(vmx, cpu, MSR.IA32_SYSENTER_ESP, VMCS.GUEST_IA32_SYSENTER_ESP);
  loadMsrFromField(vmx, cpu, MSR.IA32_SYSENTER_EIP, VMCS.GUEST_IA32_SYSENTER_EIP);
  if (entry & ENTRY_CTLS.LOAD_IA32_PAT) loadMsrFromField(vmx, cpu, MSR.IA32_PAT, VMCS.GUEST_IA32_PAT);
  if (entry & ENTRY_CTLS.LOAD_IA32_PERF_GLOBAL_CTRL)
    loadMsrFromField(vmx, cpu, MSR.IA32_PERF_GLOBAL_CTRL, VMCS.GUEST_IA32_PERF_GLOBAL_CTRL);
  if (entry & ENTRY_CTLS.LOAD_IA32_BNDCFGS) loadMsrFromField(vmx, cpu, MSR.IA32_BNDCFGS, VMCS.GUEST_IA32_BNDCFGS);
  // RFLAGS before the segments: RFLAGS.VM decides how the segment loads are interpreted. (RFLAGS[63:22] are
  // reserved and checked to be 0, SDM 26.3.1.4.)
  const rflags = store.lo32At(pa, S.RFLAGS);
  cpu.setRflagsNumber(rflags);
  // Segment registers with their caches, straight from the fields (26.3.2.2); CS first fixes CPL and mode.
  loadGuestSegments(vmx, cpu);
  cpu.setTableNumber(false, store.numberAt(pa, S.GDTR_BASE), store.lo32At(pa, S.GDTR_LIMIT));
  cpu.setTableNumber(true, store.numberAt(pa, S.IDTR_BASE), store.lo32At(pa, S.IDTR_LIMIT));
  cpu.setGprHalves(4, store.lo32At(pa, S.RSP), store.hi32At(pa, S.RSP));
  cpu.setRipNumber(store.numberAt(pa, S.RIP));
  // PDPTEs of a PAE guest (26.3.2.4): from the VMCS with EPT, else from guest CR3.
  if (paging && cr4 & CR4.PAE && !ia32e) {
    const proc2 = secondaryControls(vmx);
    cpu.setPdptes(
      proc2 & PROC_BASED2.ENABLE_EPT
        ? [VMCS.GUEST_PDPTE0, VMCS.GUEST_PDPTE1, VMCS.GUEST_PDPTE2, VMCS.GUEST_PDPTE3].map((f) => vmx.field(f))
        : undefined,
    );
  }
  // Non-register state (26.3.2.5).
  const blocking = store.lo32At(pa, S.INTERRUPTIBILITY);
  const pin = store.lo32At(pa, S.PIN);
  const virtualNmis = (pin & PIN_BASED.VIRTUAL_NMIS) !== 0;
  vmx.state.virtualNmiBlocked = virtualNmis && (blocking & 8) !== 0;
  const now = cpu.interruptibilityBits();
  const want = (blocking & 3) | (virtualNmis ? now & 8 : blocking & 8);
  if (now !== want) cpu.setInterruptibilityBits(want);
  cpu.setActivityState(store.lo32At(pa, S.ACTIVITY));
  const pendingLo = store.lo32At(pa, S.PENDING_DEBUG);
  const pendingHi = store.hi32At(pa, S.PENDING_DEBUG);
  cpu.pendingDebugExceptions = pendingLo === 0 && pendingHi === 0 ? 0n : vmx.field(VMCS.GUEST_PENDING_DEBUG_EXCEPTIONS);
  // Without VPIDs (or with them: flushing is always allowed) VM entry invalidates cached translations (SDM
  // 28.3.3.1). The machine's TLB is coherent with paging-structure writes, and CR/EFER/PDPTE loads above flush
  // it themselves, so only a stale one needs flushing here; with EPT the combined mappings start afresh.
  if (secondaryControls(vmx) & PROC_BASED2.ENABLE_EPT) cpu.flushTlb();
  else cpu.flushTlbIfStale();
}

/**
 * The guest segment registers from their fields (SDM 26.3.2.2), through vmx.segments: re-read from the VMCS
 * only when a segment field changed since the last VM entry or exit; a register that already holds its value is
 * not loaded again (a load recomputes the processor mode).
 */
function loadGuestSegments(vmx: Vmx, cpu: VmxCpu): void {
  const store = vmx.store;
  const snap = vmx.segments;
  if (store.watchedWrites !== vmx.segmentsWrites) {
    const pa = vmx.state.currentVmcs;
    for (let k = 0; k < 32; k++) {
      const i = GUEST_SEGMENT_SLOTS[k]!;
      snap[k] = (k & 3) === 1 ? store.numberAt(pa, i) : store.lo32At(pa, i);
    }
    vmx.segmentsWrites = store.watchedWrites;
  }
  const now = vmx.segmentsNow;
  cpu.readSegments(now);
  for (let k = 0; k < 8; k++) {
    const s = SEGMENT_LOAD_ORDER[k]!;
    const j = 4 * s;
    if (now[j] !== snap[j] || now[j + 1] !== snap[j + 1] || now[j + 2] !== snap[j + 2] || now[j + 3] !== snap[j + 3])
      cpu.setSegmentNumber(s, snap[j]!, snap[j + 1]!, snap[j + 2]!, snap[j + 3]!);
  }
}

/** Slots of the guest-state fields every VM entry loads (no encoding lookup). */
const S = {
  ENTRY_CONTROLS: slotOfField(VMCS.VM_ENTRY_CONTROLS),
  PIN: slotOfField(VMCS.PIN_BASED_VM_EXEC_CONTROLS),
  CR0: slotOfField(VMCS.GUEST_CR0),
  CR3: slotOfField(VMCS.GUEST_CR3),
  CR4: slotOfField(VMCS.GUEST_CR4),
  RFLAGS: slotOfField(VMCS.GUEST_RFLAGS),
  GDTR_BASE: slotOfField(VMCS.GUEST_GDTR_BASE),
  GDTR_LIMIT: slotOfField(VMCS.GUEST_GDTR_LIMIT),
  IDTR_BASE: slotOfField(VMCS.GUEST_IDTR_BASE),
  IDTR_LIMIT: slotOfField(VMCS.GUEST_IDTR_LIMIT),
  RSP: slotOfField(VMCS.GUEST_RSP),
  RIP: slotOfField(VMCS.GUEST_RIP),
  INTERRUPTIBILITY: slotOfField(VMCS.GUEST_INTERRUPTIBILITY_STATE),
  ACTIVITY: slotOfField(VMCS.GUEST_ACTIVITY_STATE),
  PENDING_DEBUG: slotOfField(VMCS.GUEST_PENDING_DEBUG_EXCEPTIONS),
} as const;

/** CS first (it fixes CPL and the mode), then SS, then the others (SDM 26.3.2.2). */
const SEGMENT_LOAD_ORDER: readonly SegmentIndex[] = [1, 2, 0, 3, 4, 5, 6, 7];

function enterNonRoot(vmx: Vmx, cpu: VmxCpu): void {
  const s = vmx.state;
  s.nonRoot = true;
  // External interrupts now follow the guest's RFLAGS.IF or external-interrupt exiting.
  cpu.interruptStateChanged();
  // VMLAUNCH/VMRESUME itself retires after this: MTF counts guest instructions from the next one (SDM 25.5.2).
  s.entryInstructionCount = cpu.instructionCount + 1;
  const pin = vmx.field32(VMCS.PIN_BASED_VM_EXEC_CONTROLS);
  const proc = vmx.field32(VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS);
  const proc2 = secondaryControls(vmx);
  vmx.eptActive = (proc2 & PROC_BASED2.ENABLE_EPT) !== 0;
  if (pin & PIN_BASED.ACTIVATE_VMX_PREEMPTION_TIMER) {
    s.preemptionTimerStart = vmx.field32(VMCS.VMX_PREEMPTION_TIMER_VALUE);
    s.preemptionTimerTsc = cpu.readTsc();
  }
  const info = vmx.field32(VMCS.VM_ENTRY_INTERRUPTION_INFORMATION);
  s.pendingMtf = info >>> 31 === 1 && ((info >>> 8) & 7) === 7 && (info & 0xff) === 0;
  vmx.boundaryControls =
    (pin & PIN_BASED.ACTIVATE_VMX_PREEMPTION_TIMER) !== 0 ||
    (proc & (PROC_BASED.INTERRUPT_WINDOW_EXITING | PROC_BASED.NMI_WINDOW_EXITING | PROC_BASED.MONITOR_TRAP_FLAG)) !==
      0 ||
    s.pendingMtf;
  vmx.wantsBoundary = vmx.boundaryControls;
  vmx.injectingEvent = false;
}

/** SDM 26.6: deliver the event of the VM-entry interruption-information field through the guest IDT. */
function injectEvent(vmx: Vmx, cpu: VmxCpu): void {
  const info = vmx.field32(VMCS.VM_ENTRY_INTERRUPTION_INFORMATION);
  if (info >>> 31 === 0) return;
  const type = (info >>> 8) & 7;
  if (type === 7) return; // pending MTF: a VM exit after entry, nothing delivered (26.6.2)
  const vector = info & 0xff;
  const event: { vector: number; type: number; errorCode?: number; instructionLength?: number } = { vector, type };
  if (info & 0x800) event.errorCode = vmx.field32(VMCS.VM_ENTRY_EXCEPTION_ERROR_CODE);
  if (type >= 4 && type <= 6) event.instructionLength = vmx.field32(VMCS.VM_ENTRY_INSTRUCTION_LENGTH);
  if (type === 2 && vmx.field32(VMCS.PIN_BASED_VM_EXEC_CONTROLS) & PIN_BASED.VIRTUAL_NMIS)
    vmx.state.virtualNmiBlocked = true;
  cpu.setActivityState(0);
  // Injected events are not subject to the exception bitmap (26.6.1): the event hook must not exit for them.
  vmx.injectingEvent = true;
  try {
    cpu.deliverEvent(event);
  } finally {
    vmx.injectingEvent = false;
    vmx.vectoring = undefined;
  }
}
