// The host-state area and the VM-exit controls as numbers, re-read from the current VMCS only when one of their
// fields changed (VmcsStore group 2): every VM exit loads host state (SDM 27.5), and a hypervisor rarely
// rewrites it. Addresses are signed doubles (host bases and RIP are canonical: checks HST-*); HOST_RSP is not
// checked and is read as two halves at the exit.
import { EXIT_CTLS, VMCS } from "../../arch/index";
import { slotOfField, type VmcsStore } from "./vmcs";

/** Index of each field in HostSnapshot.values. */
export const H = {
  EXIT_CONTROLS: 0,
  CR0: 1,
  CR3: 2,
  CR4: 3,
  CS: 4,
  SS: 5,
  DS: 6,
  ES: 7,
  FS: 8,
  GS: 9,
  TR: 10,
  FS_BASE: 11,
  GS_BASE: 12,
  TR_BASE: 13,
  GDTR_BASE: 14,
  IDTR_BASE: 15,
  RIP: 16,
  SYSENTER_CS: 17,
  SYSENTER_ESP: 18,
  SYSENTER_EIP: 19,
} as const;

const FIELDS: readonly number[] = [
  VMCS.PRIMARY_VM_EXIT_CONTROLS,
  VMCS.HOST_CR0,
  VMCS.HOST_CR3,
  VMCS.HOST_CR4,
  VMCS.HOST_CS_SELECTOR,
  VMCS.HOST_SS_SELECTOR,
  VMCS.HOST_DS_SELECTOR,
  VMCS.HOST_ES_SELECTOR,
  VMCS.HOST_FS_SELECTOR,
  VMCS.HOST_GS_SELECTOR,
  VMCS.HOST_TR_SELECTOR,
  VMCS.HOST_FS_BASE,
  VMCS.HOST_GS_BASE,
  VMCS.HOST_TR_BASE,
  VMCS.HOST_GDTR_BASE,
  VMCS.HOST_IDTR_BASE,
  VMCS.HOST_RIP,
  VMCS.HOST_IA32_SYSENTER_CS,
  VMCS.HOST_IA32_SYSENTER_ESP,
  VMCS.HOST_IA32_SYSENTER_EIP,
];
const SLOTS = Int16Array.from(FIELDS.map(slotOfField));
const GROUP = 2;

export class HostSnapshot {
  readonly values = new Float64Array(FIELDS.length);
  /**
   * The eight segment registers VM exit loads (SDM 27.5.2), in VmxCpu.readSegments' layout, for the current
   * exit controls and selectors.
   */
  readonly segments = new Float64Array(32);
  private stamp = -1;
  private pa = -1;

  constructor(private readonly store: VmcsStore) {
    for (const i of SLOTS) store.watched[i] = GROUP;
  }

  /** The values for the VMCS at `pa` (re-read when a field of the group changed or another VMCS is current). */
  refresh(pa: number): Float64Array {
    const store = this.store;
    const stamp = store.groupWrites[GROUP]!;
    if (stamp === this.stamp && pa === this.pa) return this.values;
    const v = this.values;
    for (let k = 0; k < SLOTS.length; k++) v[k] = store.numberAt(pa, SLOTS[k]!);
    // 16-bit selectors and 32-bit fields are non-negative numbers already; CR0/CR4 are used as 32-bit values.
    const has = (v[H.EXIT_CONTROLS]! & EXIT_CTLS.HOST_ADDRESS_SPACE_SIZE) !== 0;
    const seg = this.segments;
    const flat = (s: number, sel: number, base: number) => {
      seg[4 * s] = sel;
      seg[4 * s + 1] = base;
      seg[4 * s + 2] = 0xffffffff;
      seg[4 * s + 3] = sel === 0 ? 0x1c093 : 0xc093;
    };
    flat(0, v[H.ES]!, 0);
    seg[4] = v[H.CS]!;
    seg[5] = 0;
    seg[6] = 0xffffffff;
    seg[7] = has ? 0xa09b : 0xc09b;
    flat(2, v[H.SS]!, 0);
    flat(3, v[H.DS]!, 0);
    flat(4, v[H.FS]!, v[H.FS_BASE]!);
    flat(5, v[H.GS]!, v[H.GS_BASE]!);
    seg.set([0, 0, 0, 0x10000], 24); // LDTR: null, unusable
    seg.set([v[H.TR]!, v[H.TR_BASE]!, 0x67, 0x8b], 28);
    this.stamp = stamp;
    this.pa = pa;
    return v;
  }

  /** Forget the values (snapshot restore, reset). */
  invalidate(): void {
    this.stamp = -1;
  }
}
