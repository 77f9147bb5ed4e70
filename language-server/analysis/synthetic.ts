// A synthetic hypervisor source of any length (NASM), for the benchmark and the robustness tests: VMXON/VMCS
// setup, many VMWRITE sequences with checks, MSR reads, helper functions and page-aligned regions.
import { CONTROL_SETS, MSR, VMCS } from "../../arch/index";

function hex(n: number): string {
  return `0x${n.toString(16).toUpperCase()}`;
}

export function syntheticHypervisor(targetLines: number): string {
  const out: string[] = [
    "; synthetic hypervisor for benchmarks",
    "bits 64",
    `IA32_VMX_BASIC equ ${hex(MSR.IA32_VMX_BASIC)}`,
    `GUEST_RIP equ ${hex(VMCS.GUEST_RIP)}`,
    `GUEST_RSP equ ${hex(VMCS.GUEST_RSP)}`,
    "section .text",
    "global start",
    "start:",
    "    mov ecx, IA32_VMX_BASIC",
    "    rdmsr",
    "    mov [vmxon_region], eax",
    "    mov [vmcs_region], eax",
    "    vmxon [vmxon_ptr]",
    "    jbe fail",
    "    vmclear [vmcs_ptr]",
    "    jbe fail",
    "    vmptrld [vmcs_ptr]",
    "    jbe fail",
  ];
  const fields = [
    VMCS.GUEST_CR0,
    VMCS.GUEST_CR3,
    VMCS.GUEST_CR4,
    VMCS.HOST_CR0,
    VMCS.HOST_CR3,
    VMCS.HOST_CR4,
    VMCS.GUEST_ES_SELECTOR,
    VMCS.GUEST_RFLAGS,
  ];
  const pin = CONTROL_SETS[0]!.field;
  let fn = 0;
  while (out.length < targetLines - 40) {
    out.push(`setup_${fn}:`);
    out.push("    push rbx");
    for (let k = 0; k < fields.length; k++) {
      out.push(`    mov rax, ${hex(fields[k]!)}`);
      out.push(`    mov rbx, ${hex((fn * 8 + k) & 0xffff)}`);
      out.push("    vmwrite rax, rbx");
      out.push(`    jbe .fail_${k}`);
    }
    out.push(`    mov rax, ${hex(pin)}`);
    out.push("    mov ebx, 0x16");
    out.push("    vmwrite rax, rbx");
    out.push("    jbe .done");
    out.push("    mov rax, GUEST_RIP");
    out.push("    lea rbx, [guest_entry]");
    out.push("    vmwrite rax, rbx");
    out.push("    setbe al");
    out.push("    mov ecx, IA32_VMX_BASIC");
    out.push("    rdmsr");
    for (let k = 0; k < fields.length; k++) out.push(`.fail_${k}:`);
    out.push(".done:");
    out.push("    pop rbx");
    out.push("    ret");
    out.push("");
    fn++;
  }
  out.push("fail:", "    hlt", "    jmp fail", "guest_entry:", "    vmcall", "    hlt", "");
  out.push("section .data", "vmxon_ptr: dq vmxon_region", "vmcs_ptr: dq vmcs_region", "align 4096");
  out.push("vmxon_region: times 4096 db 0", "vmcs_region: times 4096 db 0");
  while (out.length < targetLines) out.push("; padding");
  return `${out.join("\n")}\n`;
}
