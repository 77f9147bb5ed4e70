# hypervisor.s - the same hypervisor as hypervisor.asm, in GNU as (AT&T syntax): a complete, minimal
# Intel VT-x hypervisor.
#
# Run it:   vmx run examples/hypervisor.s        (start state long64, CPU model skylake-x)
# With GNU tools: as --64 hypervisor.s -o h.o && ld -Ttext=0x100000 --oformat=binary -e start h.o -o h.bin
#
# The code is position-independent (RIP-relative data), so it runs wherever .text is loaded. What it does,
# in the order the Intel SDM (Vol. 3C, ch. 23-27) asks for it: checks CPUID.1:ECX.VMX and
# IA32_FEATURE_CONTROL, sets the CR0/CR4 bits the FIXED MSRs require, writes the revision identifier,
# VMXON, VMCLEAR, VMPTRLD, fills the VMCS (controls from the capability MSRs with the allowed-0/allowed-1
# rule), VMLAUNCH; the guest prints over the UART and executes CPUID, RDMSR, OUT to port 80h (I/O bitmap)
# and a MOV to CR0 that touches a host-owned bit (guest/host mask + read shadow), then HLT; the host traces
# and handles each VM exit, and executes VMXOFF after the guest's HLT.
#
# Operand order: AT&T reverses Intel's. `vmread %rax, %rbx` reads the field whose encoding is in RAX into RBX;
# `vmwrite %rbx, %rax` writes RBX into the field whose encoding is in RAX.

        .code64

# ---- constants (the same names as hypervisor.asm: SDM Vol. 3D, Appendices A-C) -------------------------
        .equ VMXON_REGION, 0x200000
        .equ VMCS_REGION, 0x201000
        .equ IO_BITMAP_A, 0x202000
        .equ IO_BITMAP_B, 0x203000
        .equ HOST_STACK_TOP, 0x210000
        .equ GUEST_STACK_TOP, 0x220000
        .equ GUEST_ES_SELECTOR, 0x0800
        .equ GUEST_CS_SELECTOR, 0x0802
        .equ GUEST_SS_SELECTOR, 0x0804
        .equ GUEST_DS_SELECTOR, 0x0806
        .equ GUEST_FS_SELECTOR, 0x0808
        .equ GUEST_GS_SELECTOR, 0x080A
        .equ GUEST_LDTR_SELECTOR, 0x080C
        .equ GUEST_TR_SELECTOR, 0x080E
        .equ HOST_ES_SELECTOR, 0x0C00
        .equ HOST_CS_SELECTOR, 0x0C02
        .equ HOST_SS_SELECTOR, 0x0C04
        .equ HOST_DS_SELECTOR, 0x0C06
        .equ HOST_FS_SELECTOR, 0x0C08
        .equ HOST_GS_SELECTOR, 0x0C0A
        .equ HOST_TR_SELECTOR, 0x0C0C
        .equ IO_BITMAP_A_ADDR, 0x2000
        .equ IO_BITMAP_B_ADDR, 0x2002
        .equ VMCS_LINK_POINTER, 0x2800
        .equ PIN_BASED_CONTROLS, 0x4000
        .equ PROC_BASED_CONTROLS, 0x4002
        .equ EXCEPTION_BITMAP, 0x4004
        .equ CR3_TARGET_COUNT, 0x400A
        .equ EXIT_CONTROLS, 0x400C
        .equ EXIT_MSR_STORE_COUNT, 0x400E
        .equ EXIT_MSR_LOAD_COUNT, 0x4010
        .equ ENTRY_CONTROLS, 0x4012
        .equ ENTRY_MSR_LOAD_COUNT, 0x4014
        .equ ENTRY_INTR_INFO, 0x4016
        .equ VM_INSTRUCTION_ERROR, 0x4400
        .equ EXIT_REASON, 0x4402
        .equ EXIT_INSTRUCTION_LENGTH, 0x440C
        .equ GUEST_ES_LIMIT, 0x4800
        .equ GUEST_CS_LIMIT, 0x4802
        .equ GUEST_SS_LIMIT, 0x4804
        .equ GUEST_DS_LIMIT, 0x4806
        .equ GUEST_FS_LIMIT, 0x4808
        .equ GUEST_GS_LIMIT, 0x480A
        .equ GUEST_LDTR_LIMIT, 0x480C
        .equ GUEST_TR_LIMIT, 0x480E
        .equ GUEST_GDTR_LIMIT, 0x4810
        .equ GUEST_IDTR_LIMIT, 0x4812
        .equ GUEST_ES_AR, 0x4814
        .equ GUEST_CS_AR, 0x4816
        .equ GUEST_SS_AR, 0x4818
        .equ GUEST_DS_AR, 0x481A
        .equ GUEST_FS_AR, 0x481C
        .equ GUEST_GS_AR, 0x481E
        .equ GUEST_LDTR_AR, 0x4820
        .equ GUEST_TR_AR, 0x4822
        .equ GUEST_INTERRUPTIBILITY, 0x4824
        .equ GUEST_ACTIVITY_STATE, 0x4826
        .equ CR0_GUEST_HOST_MASK, 0x6000
        .equ CR4_GUEST_HOST_MASK, 0x6002
        .equ CR0_READ_SHADOW, 0x6004
        .equ CR4_READ_SHADOW, 0x6006
        .equ EXIT_QUALIFICATION, 0x6400
        .equ GUEST_CR0, 0x6800
        .equ GUEST_CR3, 0x6802
        .equ GUEST_CR4, 0x6804
        .equ GUEST_ES_BASE, 0x6806
        .equ GUEST_CS_BASE, 0x6808
        .equ GUEST_SS_BASE, 0x680A
        .equ GUEST_DS_BASE, 0x680C
        .equ GUEST_FS_BASE, 0x680E
        .equ GUEST_GS_BASE, 0x6810
        .equ GUEST_LDTR_BASE, 0x6812
        .equ GUEST_TR_BASE, 0x6814
        .equ GUEST_GDTR_BASE, 0x6816
        .equ GUEST_IDTR_BASE, 0x6818
        .equ GUEST_DR7, 0x681A
        .equ GUEST_RSP, 0x681C
        .equ GUEST_RIP, 0x681E
        .equ GUEST_RFLAGS, 0x6820
        .equ HOST_CR0, 0x6C00
        .equ HOST_CR3, 0x6C02
        .equ HOST_CR4, 0x6C04
        .equ HOST_FS_BASE, 0x6C06
        .equ HOST_GS_BASE, 0x6C08
        .equ HOST_TR_BASE, 0x6C0A
        .equ HOST_GDTR_BASE, 0x6C0C
        .equ HOST_IDTR_BASE, 0x6C0E
        .equ HOST_RSP, 0x6C14
        .equ HOST_RIP, 0x6C16
        .equ IA32_FEATURE_CONTROL, 0x3A
        .equ IA32_VMX_BASIC, 0x480
        .equ IA32_VMX_PINBASED_CTLS, 0x481
        .equ IA32_VMX_PROCBASED_CTLS, 0x482
        .equ IA32_VMX_EXIT_CTLS, 0x483
        .equ IA32_VMX_ENTRY_CTLS, 0x484
        .equ IA32_VMX_CR0_FIXED0, 0x486
        .equ IA32_VMX_CR0_FIXED1, 0x487
        .equ IA32_VMX_CR4_FIXED0, 0x488
        .equ IA32_VMX_CR4_FIXED1, 0x489
        .equ TRUE_CTLS_OFFSET, 0x48D - 0x481   # IA32_VMX_TRUE_PINBASED_CTLS - IA32_VMX_PINBASED_CTLS
        .equ HLT_EXITING, 1 << 7
        .equ USE_IO_BITMAPS, 1 << 25
        .equ HOST_ADDRESS_SPACE_SIZE, 1 << 9
        .equ IA32E_MODE_GUEST, 1 << 9
        .equ CR0_CD, 1 << 30
        .equ CR0_NW, 1 << 29
        .equ HV_MSR, 0x40000000   # a hypervisor-defined MSR the host emulates
        .equ HV_CPUID_LEAF, 0x40000000   # hypervisor CPUID leaf (vendor signature)
        .equ EXIT_CPUID, 10
        .equ EXIT_HLT, 12
        .equ EXIT_CR_ACCESS, 28
        .equ EXIT_IO, 30
        .equ EXIT_RDMSR, 31
        .equ EXIT_WRMSR, 32
        .equ COM1, 0x3F8
# ================================================================================================
# host
# ================================================================================================
        .text
        .globl start
start:
        movq $HOST_STACK_TOP, %rsp
        leaq msg_banner(%rip), %rsi
        call puts

        # 1. VMX support and firmware permission (SDM 23.6, 23.7)
        movl $1, %eax
        cpuid
        btl $5, %ecx
        jc .Lhave_vmx
        leaq msg_no_vmx(%rip), %rsi
        jmp fatal
.Lhave_vmx:
        movl $IA32_FEATURE_CONTROL, %ecx
        rdmsr
        testl $1, %eax
        jnz .Llocked
        orl $5, %eax                            # lock + VMXON outside SMX
        wrmsr
        jmp .Lfc_ok
.Llocked:
        testl $4, %eax
        jnz .Lfc_ok
        leaq msg_vmx_off(%rip), %rsi
        jmp fatal
.Lfc_ok:
        # 2. CR0/CR4 as the fixed MSRs require (SDM 23.8): CR = (CR | FIXED0) & FIXED1
        movl $IA32_VMX_CR0_FIXED0, %ecx
        rdmsr
        movq %cr0, %rbx
        orq %rax, %rbx
        movl $IA32_VMX_CR0_FIXED1, %ecx
        rdmsr
        andq %rax, %rbx
        movq %rbx, %cr0
        movl $IA32_VMX_CR4_FIXED0, %ecx
        rdmsr
        movq %cr4, %rbx
        orq %rax, %rbx                          # CR4.VMXE
        movl $IA32_VMX_CR4_FIXED1, %ecx
        rdmsr
        andq %rax, %rbx
        movq %rbx, %cr4

        # 3. VMXON region and VMCS: zeroed, revision identifier in the first dword (SDM 24.2, 24.11.5)
        movq $VMXON_REGION, %rdi
        call zero_page
        movq $VMCS_REGION, %rdi
        call zero_page
        movl $IA32_VMX_BASIC, %ecx
        rdmsr
        movl %edx, vmx_basic_hi(%rip)
        andl $0x7FFFFFFF, %eax
        movl %eax, VMXON_REGION
        movl %eax, VMCS_REGION

        # 4. VMXON, VMCLEAR, VMPTRLD
        vmxon vmxon_ptr(%rip)
        leaq msg_vmxon(%rip), %rsi
        call check_vmx
        vmclear vmcs_ptr(%rip)
        leaq msg_vmclear(%rip), %rsi
        call check_vmx
        vmptrld vmcs_ptr(%rip)
        leaq msg_vmptrld(%rip), %rsi
        call check_vmx

        # 5. the VMCS
        call setup_vmcs
        leaq msg_launch(%rip), %rsi
        call puts

        # 6. VMLAUNCH: on success execution continues in the guest, and every VM exit at vmexit_entry
launch:
        vmlaunch
        leaq msg_vmlaunch(%rip), %rsi
        call check_vmx                          # only reached when VMLAUNCH failed
        jmp halt

# check_vmx: after a VMX instruction. RSI = its name. Prints "<name>: ok" or the failure and stops.
check_vmx:
        jbe check_vmx_failed
        call puts
        leaq msg_ok(%rip), %rsi
        call puts
        ret
check_vmx_failed:
        pushfq
        call puts
        popfq
        jc 1f
        leaq msg_failvalid(%rip), %rsi
        call puts
        movl $VM_INSTRUCTION_ERROR, %eax
        vmread %rax, %rax
        call put_dec
        call newline
        jmp halt
1:      leaq msg_failinvalid(%rip), %rsi
        call puts
        jmp halt

# vmw: VMCS[RDI] = RSI (stops on failure). AT&T order: vmwrite value, field.
vmw:
        vmwrite %rsi, %rdi
        jbe vmwrite_failed
        ret
vmwrite_failed:
        leaq msg_vmwrite(%rip), %rsi
        jmp check_vmx_failed

# adjust: ECX = capability MSR (non-TRUE index), EDX = wanted bits -> EAX = control value.
# Bits 31:0 of the MSR must be 1, bits 63:32 may be 1 (SDM A.3); the TRUE_ MSR when BASIC[55] = 1.
adjust:
        pushq %rbx
        movl %edx, %ebx
        btl $(55 - 32), vmx_basic_hi(%rip)
        jnc 1f
        addl $TRUE_CTLS_OFFSET, %ecx
1:      rdmsr
        orl %eax, %ebx
        andl %edx, %ebx
        movl %ebx, %eax
        popq %rbx
        ret

setup_vmcs:
        # ---- controls (SDM 24.6-24.8)
        movl $IA32_VMX_PINBASED_CTLS, %ecx
        xorl %edx, %edx
        call adjust
        movq $PIN_BASED_CONTROLS, %rdi
        movl %eax, %esi
        call vmw
        movl $IA32_VMX_PROCBASED_CTLS, %ecx
        movl $(HLT_EXITING | USE_IO_BITMAPS), %edx   # no MSR bitmaps: every RDMSR/WRMSR exits
        call adjust
        movq $PROC_BASED_CONTROLS, %rdi
        movl %eax, %esi
        call vmw
        movl $IA32_VMX_EXIT_CTLS, %ecx
        movl $HOST_ADDRESS_SPACE_SIZE, %edx
        call adjust
        movq $EXIT_CONTROLS, %rdi
        movl %eax, %esi
        call vmw
        movl $IA32_VMX_ENTRY_CTLS, %ecx
        movl $IA32E_MODE_GUEST, %edx
        call adjust
        movq $ENTRY_CONTROLS, %rdi
        movl %eax, %esi
        call vmw
        # I/O bitmaps: only port 80h exits; the UART is passed through
        movq $IO_BITMAP_A, %rdi
        call zero_page
        movq $IO_BITMAP_B, %rdi
        call zero_page
        btsl $(0x80 % 8), IO_BITMAP_A + 0x80 / 8
        movq $IO_BITMAP_A_ADDR, %rdi
        movq $IO_BITMAP_A, %rsi
        call vmw
        movq $IO_BITMAP_B_ADDR, %rdi
        movq $IO_BITMAP_B, %rsi
        call vmw
        # CR0.CD and CR0.NW belong to the host: guest writes that change them exit, reads see the shadow
        movq $CR0_GUEST_HOST_MASK, %rdi
        movl $(CR0_CD | CR0_NW), %esi
        call vmw
        movq $CR0_READ_SHADOW, %rdi
        movq %cr0, %rsi
        call vmw
        xorl %esi, %esi
        movq $EXCEPTION_BITMAP, %rdi
        call vmw
        movq $CR3_TARGET_COUNT, %rdi
        call vmw
        movq $EXIT_MSR_STORE_COUNT, %rdi
        call vmw
        movq $EXIT_MSR_LOAD_COUNT, %rdi
        call vmw
        movq $ENTRY_MSR_LOAD_COUNT, %rdi
        call vmw
        movq $ENTRY_INTR_INFO, %rdi
        call vmw
        movq $CR4_GUEST_HOST_MASK, %rdi
        call vmw
        movq $CR4_READ_SHADOW, %rdi
        call vmw
        movq $VMCS_LINK_POINTER, %rdi
        movq $-1, %rsi
        call vmw

        # ---- host state (SDM 24.5): the environment we run in now
        movq $HOST_CR0, %rdi
        movq %cr0, %rsi
        call vmw
        movq $HOST_CR3, %rdi
        movq %cr3, %rsi
        call vmw
        movq $HOST_CR4, %rdi
        movq %cr4, %rsi
        call vmw
        movq $HOST_CS_SELECTOR, %rdi
        movl $0x08, %esi
        call vmw
        movl $0x10, %esi
        movq $HOST_SS_SELECTOR, %rdi
        call vmw
        movq $HOST_DS_SELECTOR, %rdi
        call vmw
        movq $HOST_ES_SELECTOR, %rdi
        call vmw
        movq $HOST_FS_SELECTOR, %rdi
        call vmw
        movq $HOST_GS_SELECTOR, %rdi
        call vmw
        movq $HOST_TR_SELECTOR, %rdi
        movl $0x18, %esi
        call vmw
        xorl %esi, %esi
        movq $HOST_FS_BASE, %rdi
        call vmw
        movq $HOST_GS_BASE, %rdi
        call vmw
        call tss_base
        movq $HOST_TR_BASE, %rdi
        movq %rax, %rsi
        call vmw
        sgdt gdtr(%rip)
        movq $HOST_GDTR_BASE, %rdi
        movq gdtr+2(%rip), %rsi
        call vmw
        sidt idtr(%rip)
        movq $HOST_IDTR_BASE, %rdi
        movq idtr+2(%rip), %rsi
        call vmw
        movq $HOST_RSP, %rdi
        movq $HOST_STACK_TOP, %rsi
        call vmw
        movq $HOST_RIP, %rdi
        leaq vmexit_entry(%rip), %rsi
        call vmw

        # ---- guest state (SDM 24.4): a 64-bit ring-0 guest sharing the host's GDT, IDT and paging
        movq $GUEST_CR0, %rdi
        movq %cr0, %rsi
        call vmw
        movq $GUEST_CR3, %rdi
        movq %cr3, %rsi
        call vmw
        movq $GUEST_CR4, %rdi
        movq %cr4, %rsi
        call vmw
        movq $GUEST_DR7, %rdi
        movl $0x400, %esi
        call vmw
        movq $GUEST_RSP, %rdi
        movq $GUEST_STACK_TOP, %rsi
        call vmw
        movq $GUEST_RIP, %rdi
        leaq guest_entry(%rip), %rsi
        call vmw
        movq $GUEST_RFLAGS, %rdi
        movl $2, %esi
        call vmw
        movq $GUEST_CS_SELECTOR, %rdi
        movl $0x08, %esi
        call vmw
        movq $GUEST_CS_AR, %rdi
        movl $0xA09B, %esi                      # 64-bit code, present, DPL 0, accessed
        call vmw
        movq $GUEST_ES_SELECTOR, %rdx           # ES, CS, SS, DS, FS, GS: consecutive encodings
        movl $6, %ecx
2:      movq %rdx, %rdi
        movl $0x10, %esi
        cmpq $GUEST_CS_SELECTOR, %rdx
        je 3f
        call vmw
        leaq (GUEST_ES_AR - GUEST_ES_SELECTOR)(%rdx), %rdi
        movl $0xC093, %esi                      # data, read/write, accessed, DPL 0, 4 GiB
        call vmw
3:      leaq (GUEST_ES_LIMIT - GUEST_ES_SELECTOR)(%rdx), %rdi
        movl $0xFFFFFFFF, %esi
        call vmw
        leaq (GUEST_ES_BASE - GUEST_ES_SELECTOR)(%rdx), %rdi
        xorl %esi, %esi
        call vmw
        addq $2, %rdx
        loop 2b
        movq $GUEST_LDTR_SELECTOR, %rdi
        xorl %esi, %esi
        call vmw
        movq $GUEST_LDTR_AR, %rdi
        movl $0x10000, %esi                     # unusable
        call vmw
        movq $GUEST_TR_SELECTOR, %rdi
        movl $0x18, %esi
        call vmw
        movq $GUEST_TR_LIMIT, %rdi
        movl $0x67, %esi
        call vmw
        movq $GUEST_TR_AR, %rdi
        movl $0x8B, %esi                        # busy 64-bit TSS
        call vmw
        call tss_base
        movq $GUEST_TR_BASE, %rdi
        movq %rax, %rsi
        call vmw
        movq $GUEST_GDTR_BASE, %rdi
        movq gdtr+2(%rip), %rsi
        call vmw
        movq $GUEST_GDTR_LIMIT, %rdi
        movzwl gdtr(%rip), %esi
        call vmw
        movq $GUEST_IDTR_BASE, %rdi
        movq idtr+2(%rip), %rsi
        call vmw
        movq $GUEST_IDTR_LIMIT, %rdi
        movzwl idtr(%rip), %esi
        call vmw
        xorl %esi, %esi
        movq $GUEST_INTERRUPTIBILITY, %rdi
        call vmw
        movq $GUEST_ACTIVITY_STATE, %rdi
        call vmw
        ret

# tss_base: RAX = base of the TSS descriptor at GDT selector 18h (a 16-byte system descriptor)
tss_base:
        sgdt gdtr(%rip)
        movq gdtr+2(%rip), %rbx
        movl 0x18+2(%rbx), %eax
        andl $0xFFFFFF, %eax
        movzbl 0x18+7(%rbx), %ecx
        shll $24, %ecx
        orl %ecx, %eax
        movl 0x18+8(%rbx), %ecx
        shlq $32, %rcx
        orq %rcx, %rax
        ret

# ---- VM exits ------------------------------------------------------------------------------------------
# HOST_RIP: the guest's general registers are saved on the host stack as regs[0..15] (RSP's slot unused).
vmexit_entry:
        subq $8, %rsp                           # slot 15 = r15 ... slot 0 = rax, slot 4 unused (RSP)
        pushq %r14
        pushq %r13
        pushq %r12
        pushq %r11
        pushq %r10
        pushq %r9
        pushq %r8
        pushq %rdi
        pushq %rsi
        pushq %rbp
        pushq %rax                              # placeholder for RSP (slot 4)
        pushq %rbx
        pushq %rdx
        pushq %rcx
        pushq %rax
        movq %r15, 15*8(%rsp)
        movq %rsp, %rbp
        call handle_exit
        testl %eax, %eax
        jz 1f
        popq %rax
        popq %rcx
        popq %rdx
        popq %rbx
        addq $8, %rsp
        popq %rbp
        popq %rsi
        popq %rdi
        popq %r8
        popq %r9
        popq %r10
        popq %r11
        popq %r12
        popq %r13
        popq %r14
        popq %r15
        vmresume
        leaq msg_vmresume(%rip), %rsi
        call check_vmx
        jmp halt
1:      movq $HOST_STACK_TOP, %rsp
        vmxoff
        leaq msg_vmxoff(%rip), %rsi
        call check_vmx
        leaq msg_exits(%rip), %rsi
        call puts
        movq exit_count(%rip), %rax
        call put_dec
        call newline
        jmp halt

# handle_exit: RBP -> saved guest registers. Returns EAX = 1 to resume the guest, 0 to stop.
handle_exit:
        incq exit_count(%rip)
        movl $EXIT_REASON, %eax
        vmread %rax, %rbx
        jbe vmread_failed
        btl $31, %ebx                           # VM-entry failure (SDM 26.8): no guest ran
        jc entry_failed
        movzwl %bx, %ebx                        # basic exit reason
        # trace line: "exit N: <reason> at rip=..."
        leaq msg_exit(%rip), %rsi
        call puts
        movq exit_count(%rip), %rax
        call put_dec
        leaq msg_colon(%rip), %rsi
        call puts
        movl %ebx, %eax
        call reason_name
        call puts
        leaq msg_at_rip(%rip), %rsi
        call puts
        movl $GUEST_RIP, %eax
        vmread %rax, %rax
        jbe vmread_failed
        call put_hex
        call newline
        cmpl $EXIT_CPUID, %ebx
        je exit_cpuid
        cmpl $EXIT_RDMSR, %ebx
        je exit_rdmsr
        cmpl $EXIT_WRMSR, %ebx
        je exit_wrmsr
        cmpl $EXIT_IO, %ebx
        je exit_io
        cmpl $EXIT_CR_ACCESS, %ebx
        je exit_cr
        cmpl $EXIT_HLT, %ebx
        je exit_hlt
        leaq msg_unexpected(%rip), %rsi
        call puts
        xorl %eax, %eax
        ret

# skip: guest RIP += VM-exit instruction length; resume
skip:
        movl $EXIT_INSTRUCTION_LENGTH, %eax
        vmread %rax, %rcx
        jbe vmread_failed
        movl $GUEST_RIP, %eax
        vmread %rax, %rdx
        jbe vmread_failed
        addq %rcx, %rdx
        vmwrite %rdx, %rax
        jbe vmwrite_failed
        movl $1, %eax
        ret

exit_cpuid:
        movl 0*8(%rbp), %eax
        movl 1*8(%rbp), %ecx
        cmpl $HV_CPUID_LEAF, %eax
        je 1f
        cpuid
        cmpl $1, (%rbp)
        jne 2f
        btsl $31, %ecx                          # CPUID.1:ECX[31]: "running on a hypervisor"
        jmp 2f
1:      movl $0x57584D56, %ebx                  # "VMXW"
        movl $0x626B726F, %ecx                  # "orkb"
        movl $0x68636E65, %edx                  # "ench"
2:      movq %rax, 0*8(%rbp)
        movq %rbx, 3*8(%rbp)
        movq %rcx, 1*8(%rbp)
        movq %rdx, 2*8(%rbp)
        jmp skip

exit_rdmsr:
        movl 1*8(%rbp), %ecx
        cmpl $HV_MSR, %ecx
        jne 1f
        movl $0x584D56, %eax                    # "VMX"
        xorl %edx, %edx
        jmp 2f
1:      rdmsr
2:      movq %rax, 0*8(%rbp)
        movq %rdx, 2*8(%rbp)
        jmp skip

exit_wrmsr:
        jmp skip                                # writes to MSRs are ignored

exit_io:
        movl $EXIT_QUALIFICATION, %eax
        vmread %rax, %rbx
        jbe vmread_failed
        leaq msg_port(%rip), %rsi
        call puts
        movq %rbx, %rax
        shrq $16, %rax
        call put_hex
        testl $8, %ebx                          # bit 3: direction (1 = IN)
        jnz 1f
        leaq msg_port_out(%rip), %rsi
        call puts
        movzbl (%rbp), %eax
        call put_hex
        call newline
        jmp skip
1:      movb $0xFF, (%rbp)
        call newline
        jmp skip

exit_cr:
        movl $EXIT_QUALIFICATION, %eax
        vmread %rax, %rbx
        jbe vmread_failed
        movl %ebx, %eax
        andl $0x3F, %eax                        # CR number and access type
        jnz 1f                                  # only MOV to CR0 can exit here
        movl %ebx, %ecx
        shrl $8, %ecx
        andl $15, %ecx                          # the source register
        movq (%rbp,%rcx,8), %rdx
        # the guest sees the value it wrote (read shadow); CD and NW keep the host's setting
        movl $CR0_READ_SHADOW, %eax
        vmwrite %rdx, %rax
        jbe vmwrite_failed
        movl $GUEST_CR0, %eax
        vmread %rax, %rsi
        jbe vmread_failed
        movl $(CR0_CD | CR0_NW), %edi
        andq %rdi, %rsi
        notq %rdi
        andq %rdi, %rdx
        orq %rsi, %rdx
        vmwrite %rdx, %rax
        jbe vmwrite_failed
        leaq msg_cr0(%rip), %rsi
        call puts
        movl $CR0_READ_SHADOW, %eax
        vmread %rax, %rax
        jbe vmread_failed
        call put_hex
        leaq msg_cr0_real(%rip), %rsi
        call puts
        movl $GUEST_CR0, %eax
        vmread %rax, %rax
        jbe vmread_failed
        call put_hex
        call newline
        jmp skip
1:      leaq msg_unexpected(%rip), %rsi
        call puts
        xorl %eax, %eax
        ret

# every VMREAD/VMWRITE is followed by `jbe`: CF = 1 is VMfailInvalid, ZF = 1 VMfailValid (SDM Vol. 3C 31.2)
vmread_failed:
        leaq msg_vmread(%rip), %rsi
        jmp check_vmx_failed

exit_hlt:
        leaq msg_guest_hlt(%rip), %rsi
        call puts
        xorl %eax, %eax
        ret

# a VM-entry failure loads host state like a VM exit: exit reason 33 (invalid guest state) or 34 (MSR
# loading) with bit 31 set, and an exit qualification
entry_failed:
        leaq msg_entry_failed(%rip), %rsi
        call puts
        movl %ebx, %eax
        call put_hex
        leaq msg_qualification(%rip), %rsi
        call puts
        movl $EXIT_QUALIFICATION, %eax
        vmread %rax, %rax
        jbe vmread_failed
        call put_hex
        call newline
        xorl %eax, %eax
        ret

fatal:
        call puts
halt:
        cli
        hlt
        jmp halt

# ================================================================================================
# guest (VMX non-root operation)
# ================================================================================================
guest_entry:
        leaq g_hello(%rip), %rsi
        call puts
        # CPUID: the hypervisor leaf, answered by the host
        movl $HV_CPUID_LEAF, %eax
        xorl %ecx, %ecx
        cpuid
        movl %ebx, g_vendor(%rip)
        movl %ecx, g_vendor+4(%rip)
        movl %edx, g_vendor+8(%rip)
        leaq g_cpuid(%rip), %rsi
        call puts
        leaq g_vendor(%rip), %rsi
        call puts
        call newline
        # RDMSR of the hypervisor MSR
        movl $HV_MSR, %ecx
        rdmsr
        leaq g_rdmsr(%rip), %rsi
        call puts
        call put_hex
        call newline
        # OUT to port 80h: intercepted through the I/O bitmap
        movb $0x42, %al
        outb %al, $0x80
        # CR0.CD is host-owned: the write exits; the guest then reads its own value back from the shadow
        movq %cr0, %rax
        btsq $30, %rax
        movq %rax, %cr0
        movq %cr0, %rax
        leaq g_cr0(%rip), %rsi
        call puts
        call put_hex
        call newline
        leaq g_bye(%rip), %rsi
        call puts
        hlt
        jmp guest_entry                         # not reached

# ================================================================================================
# shared helpers: UART output (COM1, polled) and number formatting
# ================================================================================================
# reason_name: EAX = basic exit reason -> RSI = its name
reason_name:
        leaq name_cpuid(%rip), %rsi
        cmpl $EXIT_CPUID, %eax
        je 1f
        leaq name_hlt(%rip), %rsi
        cmpl $EXIT_HLT, %eax
        je 1f
        leaq name_cr(%rip), %rsi
        cmpl $EXIT_CR_ACCESS, %eax
        je 1f
        leaq name_io(%rip), %rsi
        cmpl $EXIT_IO, %eax
        je 1f
        leaq name_rdmsr(%rip), %rsi
        cmpl $EXIT_RDMSR, %eax
        je 1f
        leaq name_wrmsr(%rip), %rsi
        cmpl $EXIT_WRMSR, %eax
        je 1f
        leaq name_other(%rip), %rsi
1:      ret

putc:                                           # AL -> COM1
        pushq %rdx
        pushq %rax
        movw $(COM1 + 5), %dx
1:      inb %dx, %al
        testb $0x20, %al                        # LSR.THRE
        jz 1b
        popq %rax
        movw $COM1, %dx
        outb %al, %dx
        popq %rdx
        ret

puts:                                           # RSI -> zero-terminated string
        pushq %rax
        pushq %rsi
1:      lodsb
        testb %al, %al
        jz 2f
        call putc
        jmp 1b
2:      popq %rsi
        popq %rax
        ret

newline:
        pushq %rax
        movb $10, %al
        call putc
        popq %rax
        ret

put_hex:                                        # RAX as 0x... (no leading zeros)
        pushq %rax
        pushq %rbx
        pushq %rcx
        movq %rax, %rbx
        movb $'0', %al
        call putc
        movb $'x', %al
        call putc
        movl $60, %ecx
1:      movq %rbx, %rax
        shrq %cl, %rax
        testb $15, %al
        jnz 2f
        subl $4, %ecx
        jnz 1b
2:      movq %rbx, %rax
        shrq %cl, %rax
        andl $15, %eax
        cmpl $10, %eax
        jb 3f
        addl $('A' - '0' - 10), %eax
3:      addl $'0', %eax
        call putc
        subl $4, %ecx
        jns 2b
        popq %rcx
        popq %rbx
        popq %rax
        ret

put_dec:                                        # RAX in decimal
        pushq %rax
        pushq %rcx
        pushq %rdx
        pushq %rbx
        movl $10, %ebx
        xorl %ecx, %ecx
1:      xorl %edx, %edx
        divq %rbx
        pushq %rdx
        incl %ecx
        testq %rax, %rax
        jnz 1b
2:      popq %rax
        addb $'0', %al
        call putc
        loop 2b
        popq %rbx
        popq %rdx
        popq %rcx
        popq %rax
        ret

zero_page:                                      # RDI -> 4 KiB of zeros
        pushq %rax
        pushq %rcx
        pushq %rdi
        xorl %eax, %eax
        movl $512, %ecx
        rep stosq
        popq %rdi
        popq %rcx
        popq %rax
        ret

# ================================================================================================
# data
# ================================================================================================
        .balign 8
vmxon_ptr:      .quad VMXON_REGION
vmcs_ptr:       .quad VMCS_REGION
exit_count:     .quad 0
vmx_basic_hi:   .long 0
gdtr:           .fill 10, 1, 0
idtr:           .fill 10, 1, 0
g_vendor:       .fill 16, 1, 0

msg_banner:     .asciz "hypervisor: VT-x bring-up (SDM Vol. 3C ch. 23-27)\n"
msg_no_vmx:     .asciz "CPUID.1:ECX.VMX = 0: this processor has no VMX\n"
msg_vmx_off:    .asciz "IA32_FEATURE_CONTROL is locked with VMX disabled\n"
msg_vmxon:      .asciz "VMXON"
msg_vmclear:    .asciz "VMCLEAR"
msg_vmptrld:    .asciz "VMPTRLD"
msg_vmwrite:    .asciz "VMWRITE"
msg_vmread:     .asciz "VMREAD"
msg_vmlaunch:   .asciz "VMLAUNCH"
msg_vmresume:   .asciz "VMRESUME"
msg_vmxoff:     .asciz "VMXOFF"
msg_ok:         .asciz ": ok\n"
msg_failvalid:  .asciz ": VMfailValid, VM-instruction error "
msg_failinvalid: .asciz ": VMfailInvalid (no current VMCS / bad pointer)\n"
msg_launch:     .asciz "VMLAUNCH\n"
msg_exit:       .asciz "exit "
msg_colon:      .asciz ": "
msg_at_rip:     .asciz " at guest rip="
msg_unexpected: .asciz "host: unexpected VM exit, stopping\n"
msg_port:       .asciz "host: I/O port "
msg_port_out:   .asciz " <- "
msg_cr0:        .asciz "host: guest CR0 write: shadow="
msg_cr0_real:   .asciz " real="
msg_guest_hlt:  .asciz "host: guest halted\n"
msg_entry_failed: .asciz "host: VM entry failed, exit reason "
msg_qualification: .asciz " qualification "
msg_exits:      .asciz "VM exits handled: "
name_cpuid:     .asciz "CPUID"
name_hlt:       .asciz "HLT"
name_cr:        .asciz "control-register access"
name_io:        .asciz "I/O instruction"
name_rdmsr:     .asciz "RDMSR"
name_wrmsr:     .asciz "WRMSR"
name_other:     .asciz "other"
g_hello:        .asciz "guest: hello from VMX non-root operation\n"
g_cpuid:        .asciz "guest: CPUID 40000000h vendor = "
g_rdmsr:        .asciz "guest: RDMSR 40000000h = "
g_cr0:          .asciz "guest: CR0 reads back as "
g_bye:          .asciz "guest: HLT\n"
