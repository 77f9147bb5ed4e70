// Loading processor state on VM entry and VM exit without needless work: a control register or MSR that
// already holds the value is not written again (a CR write flushes the machine's TLB; VM entry and VM exit
// flush it once themselves, SDM 28.3.3.1).
import type { VmxCpu } from "../vmx-hooks";

export function setCr(cpu: VmxCpu, cr: 0 | 3 | 4, value: bigint): void {
  if (cpu.readCr(cr) !== value) cpu.writeCr(cr, value);
}

export function setMsr(cpu: VmxCpu, index: number, value: bigint): boolean {
  if (cpu.readMsr(index) === value) return true;
  return cpu.writeMsr(index, value);
}
