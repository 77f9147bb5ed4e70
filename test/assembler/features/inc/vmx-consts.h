#define MSR_IA32_VMX_BASIC 0x480
#define VMCS_GUEST_RIP 0x681e
#define VMWRITE_IMM(field, reg) movq $field, %rax; vmwrite reg, %rax
