; bad-guest-cr0.asm - a broken variant of ../hypervisor.asm: the guest CR0 has PG=1 but PE=0: VM entry fails with exit reason 33, invalid guest state (SDM 26.3.1.1).
; Run it: vmx run examples/broken/bad-guest-cr0.asm
%define BREAK_GUEST_CR0
%include "../hypervisor.asm"
