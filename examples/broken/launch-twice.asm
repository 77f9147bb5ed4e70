; launch-twice.asm - a broken variant of ../hypervisor.asm: the host executes VMLAUNCH again on the first VM exit, with the VMCS already launched: VMfailValid, error 4 (SDM 30.3 VMLAUNCH).
; Run it: vmx run examples/broken/launch-twice.asm
%define BREAK_LAUNCH_TWICE
%include "../hypervisor.asm"
