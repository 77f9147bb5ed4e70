; wrong-revision-id.asm - a broken variant of ../hypervisor.asm: the VMCS revision identifier written into the VMXON region is wrong, so VMXON fails with VMfailInvalid (SDM 30.3 VMXON).
; Run it: vmx run examples/broken/wrong-revision-id.asm
%define BREAK_REVISION_ID
%include "../hypervisor.asm"
