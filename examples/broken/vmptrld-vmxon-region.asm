; vmptrld-vmxon-region.asm - a broken variant of ../hypervisor.asm: VMPTRLD is given the VMXON region instead of the VMCS: VMfailValid, error 10 (SDM 30.3 VMPTRLD).
; Run it: vmx run examples/broken/vmptrld-vmxon-region.asm
%define BREAK_VMPTRLD_VMXON
%include "../hypervisor.asm"
