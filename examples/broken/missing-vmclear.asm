; missing-vmclear.asm - a broken variant of ../hypervisor.asm: the VMCS is made current without VMCLEAR, so its launch state is not clear: VMLAUNCH fails with error 4 (SDM 24.11.3, 30.3 VMLAUNCH).
; Run it: vmx run examples/broken/missing-vmclear.asm
%define BREAK_MISSING_VMCLEAR
%include "../hypervisor.asm"
