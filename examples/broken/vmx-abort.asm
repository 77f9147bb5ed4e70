; vmx-abort.asm - a broken variant of ../hypervisor.asm: the VM-exit MSR-load area names IA32_FS_BASE, which
; cannot be loaded from an MSR-load area, so the first VM exit ends in a VMX abort: the processor writes
; abort indicator 4 ("failure loading an MSR on VM exit") into the VMCS and shuts down (SDM 27.6, 27.7).
; Run it: vmx run examples/broken/vmx-abort.asm
%define BREAK_VMX_ABORT
%include "../hypervisor.asm"
