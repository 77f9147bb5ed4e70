; hypervisor.asm - a complete, minimal Intel VT-x hypervisor (NASM).
;
; Run it:   vmx run examples/hypervisor.asm          (start state long64, CPU model skylake-x)
;
; What it does, in the order the Intel SDM (Vol. 3C, ch. 23-27) asks for it:
;   1. checks CPUID.1:ECX.VMX[bit 5] and IA32_FEATURE_CONTROL (lock bit + "VMXON outside SMX"),
;   2. sets the CR0/CR4 bits the IA32_VMX_CR0/CR4_FIXED0/1 MSRs require (this sets CR4.VMXE),
;   3. writes the VMCS revision identifier (IA32_VMX_BASIC[30:0]) into the VMXON region and the VMCS,
;   4. VMXON, VMCLEAR, VMPTRLD,
;   5. fills the host-state, guest-state and control fields; the controls are computed from the
;      capability MSRs (the TRUE_ ones when IA32_VMX_BASIC[55] = 1) with the allowed-0/allowed-1 rule,
;   6. VMLAUNCH: the guest (64-bit, ring 0, sharing the host's paging) prints over the UART, executes
;      CPUID, RDMSR, an OUT to port 80h (intercepted through the I/O bitmap) and a MOV to CR0 that
;      touches a bit the host owns (CR0 guest/host mask + read shadow), then HLT;
;   7. the host handles each VM exit, prints a trace line for it, advances the guest RIP and VMRESUMEs;
;      on the guest's HLT it executes VMXOFF and stops.
;
; Build-time switches make the broken variants in examples/broken/ (each fails in one specific way), and
; GUEST_VARIANT / EXCEPTION_HANDLER let v8086-guest.asm and real-mode-guest.asm run other guests;
; EXTRA_PIN_CONTROLS / EXTRA_EXIT_CONTROLS / EXTERNAL_INTERRUPT_HANDLER let timer-guest.asm take timer exits.

        bits 64
%ifndef GUEST_VARIANT
        org 0x100000                            ; (a variant file that includes this one sets it itself)
%endif

; ---- memory used (identity-mapped by the long64 start state) ----------------------------------------
VMXON_REGION    equ 0x200000
VMCS_REGION     equ 0x201000
IO_BITMAP_A     equ 0x202000
IO_BITMAP_B     equ 0x203000
HOST_STACK_TOP  equ 0x210000
GUEST_STACK_TOP equ 0x220000

; ---- VMCS field encodings (SDM Vol. 3D, Appendix B) ---------------------------------------------------
GUEST_ES_SELECTOR       equ 0x0800
GUEST_CS_SELECTOR       equ 0x0802
GUEST_SS_SELECTOR       equ 0x0804
GUEST_DS_SELECTOR       equ 0x0806
GUEST_FS_SELECTOR       equ 0x0808
GUEST_GS_SELECTOR       equ 0x080A
GUEST_LDTR_SELECTOR     equ 0x080C
GUEST_TR_SELECTOR       equ 0x080E
HOST_ES_SELECTOR        equ 0x0C00
HOST_CS_SELECTOR        equ 0x0C02
HOST_SS_SELECTOR        equ 0x0C04
HOST_DS_SELECTOR        equ 0x0C06
HOST_FS_SELECTOR        equ 0x0C08
HOST_GS_SELECTOR        equ 0x0C0A
HOST_TR_SELECTOR        equ 0x0C0C
IO_BITMAP_A_ADDR        equ 0x2000
EXIT_MSR_LOAD_ADDR      equ 0x2008
IO_BITMAP_B_ADDR        equ 0x2002
VMCS_LINK_POINTER       equ 0x2800
PIN_BASED_CONTROLS      equ 0x4000
PROC_BASED_CONTROLS     equ 0x4002
EXCEPTION_BITMAP        equ 0x4004
CR3_TARGET_COUNT        equ 0x400A
EXIT_CONTROLS           equ 0x400C
EXIT_MSR_STORE_COUNT    equ 0x400E
EXIT_MSR_LOAD_COUNT     equ 0x4010
ENTRY_CONTROLS          equ 0x4012
ENTRY_MSR_LOAD_COUNT    equ 0x4014
ENTRY_INTR_INFO         equ 0x4016
VM_INSTRUCTION_ERROR    equ 0x4400
EXIT_REASON             equ 0x4402
EXIT_INSTRUCTION_LENGTH equ 0x440C
GUEST_ES_LIMIT          equ 0x4800
GUEST_CS_LIMIT          equ 0x4802
GUEST_SS_LIMIT          equ 0x4804
GUEST_DS_LIMIT          equ 0x4806
GUEST_FS_LIMIT          equ 0x4808
GUEST_GS_LIMIT          equ 0x480A
GUEST_LDTR_LIMIT        equ 0x480C
GUEST_TR_LIMIT          equ 0x480E
GUEST_GDTR_LIMIT        equ 0x4810
GUEST_IDTR_LIMIT        equ 0x4812
GUEST_ES_AR             equ 0x4814
GUEST_CS_AR             equ 0x4816
GUEST_SS_AR             equ 0x4818
GUEST_DS_AR             equ 0x481A
GUEST_FS_AR             equ 0x481C
GUEST_GS_AR             equ 0x481E
GUEST_LDTR_AR           equ 0x4820
GUEST_TR_AR             equ 0x4822
GUEST_INTERRUPTIBILITY  equ 0x4824
GUEST_ACTIVITY_STATE    equ 0x4826
CR0_GUEST_HOST_MASK     equ 0x6000
CR4_GUEST_HOST_MASK     equ 0x6002
CR0_READ_SHADOW         equ 0x6004
CR4_READ_SHADOW         equ 0x6006
EXIT_QUALIFICATION      equ 0x6400
GUEST_CR0               equ 0x6800
GUEST_CR3               equ 0x6802
GUEST_CR4               equ 0x6804
GUEST_ES_BASE           equ 0x6806
GUEST_CS_BASE           equ 0x6808
GUEST_SS_BASE           equ 0x680A
GUEST_DS_BASE           equ 0x680C
GUEST_FS_BASE           equ 0x680E
GUEST_GS_BASE           equ 0x6810
GUEST_LDTR_BASE         equ 0x6812
GUEST_TR_BASE           equ 0x6814
GUEST_GDTR_BASE         equ 0x6816
GUEST_IDTR_BASE         equ 0x6818
GUEST_DR7               equ 0x681A
GUEST_RSP               equ 0x681C
GUEST_RIP               equ 0x681E
GUEST_RFLAGS            equ 0x6820
HOST_CR0                equ 0x6C00
HOST_CR3                equ 0x6C02
HOST_CR4                equ 0x6C04
HOST_FS_BASE            equ 0x6C06
HOST_GS_BASE            equ 0x6C08
HOST_TR_BASE            equ 0x6C0A
HOST_GDTR_BASE          equ 0x6C0C
HOST_IDTR_BASE          equ 0x6C0E
HOST_RSP                equ 0x6C14
HOST_RIP                equ 0x6C16

; ---- MSRs and control bits (SDM Vol. 3D, Appendix A; Vol. 3C, 24.6-24.8) ----------------------------------
IA32_FEATURE_CONTROL    equ 0x3A
IA32_VMX_BASIC          equ 0x480
IA32_VMX_PINBASED_CTLS  equ 0x481
IA32_VMX_PROCBASED_CTLS equ 0x482
IA32_VMX_EXIT_CTLS      equ 0x483
IA32_VMX_ENTRY_CTLS     equ 0x484
IA32_VMX_CR0_FIXED0     equ 0x486
IA32_VMX_CR0_FIXED1     equ 0x487
IA32_VMX_CR4_FIXED0     equ 0x488
IA32_VMX_CR4_FIXED1     equ 0x489
TRUE_CTLS_OFFSET        equ 0x48D - 0x481       ; IA32_VMX_TRUE_PINBASED_CTLS - IA32_VMX_PINBASED_CTLS
HLT_EXITING             equ 1 << 7
USE_IO_BITMAPS          equ 1 << 25
HOST_ADDRESS_SPACE_SIZE equ 1 << 9
IA32E_MODE_GUEST        equ 1 << 9
CR0_CD                  equ 1 << 30
CR0_NW                  equ 1 << 29
HV_MSR                  equ 0x40000000          ; a hypervisor-defined MSR the host emulates
HV_CPUID_LEAF           equ 0x40000000          ; hypervisor CPUID leaf (vendor signature)

; ---- exit reasons handled (SDM Vol. 3D, Appendix C) ------------------------------------------------------
EXIT_EXCEPTION          equ 0
EXIT_EXTERNAL_INTERRUPT equ 1
EXIT_CPUID              equ 10
EXIT_HLT                equ 12
EXIT_CR_ACCESS          equ 28
EXIT_IO                 equ 30
EXIT_RDMSR              equ 31
EXIT_WRMSR              equ 32

COM1                    equ 0x3F8

; ================================================================================================
; host
; ================================================================================================
start:
        mov rsp, HOST_STACK_TOP
        lea rsi, [rel msg_banner]
        call puts

        ; 1. VMX support and firmware permission (SDM 23.6, 23.7)
        mov eax, 1
        cpuid
        bt ecx, 5
        jc .have_vmx
        lea rsi, [rel msg_no_vmx]
        jmp fatal
.have_vmx:
        mov ecx, IA32_FEATURE_CONTROL
        rdmsr
        test eax, 1
        jnz .locked
        or eax, 5                               ; lock + VMXON outside SMX
        wrmsr
        jmp .fc_ok
.locked:
        test eax, 4
        jnz .fc_ok
        lea rsi, [rel msg_vmx_off]
        jmp fatal
.fc_ok:
        ; 2. CR0/CR4 as the fixed MSRs require (SDM 23.8): CR = (CR | FIXED0) & FIXED1
        mov ecx, IA32_VMX_CR0_FIXED0
        rdmsr
        mov rbx, cr0
        or rbx, rax
        mov ecx, IA32_VMX_CR0_FIXED1
        rdmsr
        and rbx, rax
        mov cr0, rbx
        mov ecx, IA32_VMX_CR4_FIXED0
        rdmsr
        mov rbx, cr4
        or rbx, rax                             ; CR4.VMXE
        mov ecx, IA32_VMX_CR4_FIXED1
        rdmsr
        and rbx, rax
        mov cr4, rbx

        ; 3. VMXON region and VMCS: zeroed, revision identifier in the first dword (SDM 24.2, 24.11.5)
        mov rdi, VMXON_REGION
        call zero_page
        mov rdi, VMCS_REGION
        call zero_page
        mov ecx, IA32_VMX_BASIC
        rdmsr
        mov [rel vmx_basic_hi], edx
        and eax, 0x7FFFFFFF
%ifdef BREAK_REVISION_ID
        xor eax, 1                              ; broken: the wrong revision identifier
%endif
        mov [VMXON_REGION], eax
        mov [VMCS_REGION], eax

        ; 4. VMXON, VMCLEAR, VMPTRLD
        vmxon [rel vmxon_ptr]
        lea rsi, [rel msg_vmxon]
        call check_vmx
%ifndef BREAK_MISSING_VMCLEAR
        vmclear [rel vmcs_ptr]
        lea rsi, [rel msg_vmclear]
        call check_vmx
%endif
%ifdef BREAK_VMPTRLD_VMXON
        vmptrld [rel vmcs_ptr]                  ; a current VMCS first, so the failure records an error number
        vmptrld [rel vmxon_ptr]                 ; broken: the VMXON region is not a VMCS
%else
        vmptrld [rel vmcs_ptr]
%endif
        lea rsi, [rel msg_vmptrld]
        call check_vmx

        ; 5. the VMCS
        call setup_vmcs
        lea rsi, [rel msg_launch]
        call puts

        ; 6. VMLAUNCH: on success execution continues in the guest, and every VM exit at vmexit_entry
        xor r12d, r12d                          ; (benchmark mode: the exit counter)
launch:
        vmlaunch
        lea rsi, [rel msg_vmlaunch]
        call check_vmx                          ; only reached when VMLAUNCH failed
        jmp halt

; check_vmx: after a VMX instruction. RSI = its name. Prints "<name>: ok" or the failure and stops.
check_vmx:
        jbe .failed
        call puts
        lea rsi, [rel msg_ok]
        call puts
        ret
.failed:
        pushfq
        call puts
        popfq
        jc .invalid
        lea rsi, [rel msg_failvalid]
        call puts
        mov eax, VM_INSTRUCTION_ERROR
        vmread rax, rax
        call put_dec
        call newline
        jmp halt
.invalid:
        lea rsi, [rel msg_failinvalid]
        call puts
        jmp halt

; vmw: VMCS[RDI] = RSI (stops on failure)
vmw:
        vmwrite rdi, rsi
        jbe .failed
        ret
.failed:
        lea rsi, [rel msg_vmwrite]
        jmp check_vmx.failed

; adjust: ECX = capability MSR (non-TRUE index), EDX = wanted bits -> EAX = control value.
; Bits 31:0 of the MSR must be 1, bits 63:32 may be 1 (SDM A.3); the TRUE_ MSR when BASIC[55] = 1.
adjust:
        push rbx
        mov ebx, edx
        bt dword [rel vmx_basic_hi], 55 - 32
        jnc .read
        add ecx, TRUE_CTLS_OFFSET
.read:  rdmsr
        or ebx, eax
        and ebx, edx
        mov eax, ebx
        pop rbx
        ret

setup_vmcs:
        ; ---- controls (SDM 24.6-24.8)
        mov ecx, IA32_VMX_PINBASED_CTLS
%ifndef EXTRA_PIN_CONTROLS
%define EXTRA_PIN_CONTROLS 0                    ; (timer-guest.asm: external-interrupt exiting)
%endif
        mov edx, EXTRA_PIN_CONTROLS
        call adjust
        mov rdi, PIN_BASED_CONTROLS
        mov esi, eax
        call vmw
        mov ecx, IA32_VMX_PROCBASED_CTLS
%ifndef EXTRA_PROC_CONTROLS
%define EXTRA_PROC_CONTROLS 0                   ; (tests add controls, e.g. the monitor trap flag)
%endif
        mov edx, HLT_EXITING | USE_IO_BITMAPS | EXTRA_PROC_CONTROLS ; no MSR bitmaps: every RDMSR/WRMSR exits
        call adjust
        mov rdi, PROC_BASED_CONTROLS
        mov esi, eax
        call vmw
        mov ecx, IA32_VMX_EXIT_CTLS
%ifndef EXTRA_EXIT_CONTROLS
%define EXTRA_EXIT_CONTROLS 0                   ; (timer-guest.asm: acknowledge interrupt on exit)
%endif
        mov edx, HOST_ADDRESS_SPACE_SIZE | EXTRA_EXIT_CONTROLS
        call adjust
        mov rdi, EXIT_CONTROLS
        mov esi, eax
        call vmw
        mov ecx, IA32_VMX_ENTRY_CTLS
        mov edx, IA32E_MODE_GUEST
        call adjust
        mov rdi, ENTRY_CONTROLS
        mov esi, eax
        call vmw
        ; I/O bitmaps: only port 80h exits; the UART is passed through
        mov rdi, IO_BITMAP_A
        call zero_page
        mov rdi, IO_BITMAP_B
        call zero_page
        bts dword [IO_BITMAP_A + 0x80 / 8], 0x80 % 8
        mov rdi, IO_BITMAP_A_ADDR
        mov rsi, IO_BITMAP_A
        call vmw
        mov rdi, IO_BITMAP_B_ADDR
        mov rsi, IO_BITMAP_B
        call vmw
        ; CR0.CD and CR0.NW belong to the host: guest writes that change them exit, reads see the shadow
        mov rdi, CR0_GUEST_HOST_MASK
        mov esi, CR0_CD | CR0_NW
        call vmw
        mov rdi, CR0_READ_SHADOW
        mov rsi, cr0
        call vmw
        xor esi, esi
        mov rdi, EXCEPTION_BITMAP
        call vmw
        mov rdi, CR3_TARGET_COUNT
        call vmw
        mov rdi, EXIT_MSR_STORE_COUNT
        call vmw
        mov rdi, EXIT_MSR_LOAD_COUNT
        call vmw
        mov rdi, ENTRY_MSR_LOAD_COUNT
        call vmw
        mov rdi, ENTRY_INTR_INFO
        call vmw
        mov rdi, CR4_GUEST_HOST_MASK
        call vmw
        mov rdi, CR4_READ_SHADOW
        call vmw
        mov rdi, VMCS_LINK_POINTER
        mov rsi, -1
        call vmw
%ifdef BREAK_VMX_ABORT
        ; broken: the VM-exit MSR-load area loads IA32_FS_BASE, which no MSR-load area may (SDM 27.6)
        mov dword [rel exit_msr_area], 0xC0000100
        mov rdi, EXIT_MSR_LOAD_ADDR
        lea rsi, [rel exit_msr_area]
        call vmw
        mov rdi, EXIT_MSR_LOAD_COUNT
        mov esi, 1
        call vmw
%endif

        ; ---- host state (SDM 24.5): the environment we run in now
        mov rdi, HOST_CR0
        mov rsi, cr0
        call vmw
        mov rdi, HOST_CR3
        mov rsi, cr3
        call vmw
        mov rdi, HOST_CR4
        mov rsi, cr4
        call vmw
        mov rdi, HOST_CS_SELECTOR
        mov esi, 0x08
        call vmw
        mov esi, 0x10
        mov rdi, HOST_SS_SELECTOR
        call vmw
        mov rdi, HOST_DS_SELECTOR
        call vmw
        mov rdi, HOST_ES_SELECTOR
        call vmw
        mov rdi, HOST_FS_SELECTOR
        call vmw
        mov rdi, HOST_GS_SELECTOR
        call vmw
        mov rdi, HOST_TR_SELECTOR
        mov esi, 0x18
        call vmw
        xor esi, esi
        mov rdi, HOST_FS_BASE
        call vmw
        mov rdi, HOST_GS_BASE
        call vmw
        call tss_base
        mov rdi, HOST_TR_BASE
        mov rsi, rax
        call vmw
        sgdt [rel gdtr]
        mov rdi, HOST_GDTR_BASE
        mov rsi, [rel gdtr + 2]
        call vmw
        sidt [rel idtr]
        mov rdi, HOST_IDTR_BASE
        mov rsi, [rel idtr + 2]
        call vmw
        mov rdi, HOST_RSP
        mov rsi, HOST_STACK_TOP
        call vmw
        mov rdi, HOST_RIP
%ifdef BENCH
        lea rsi, [rel bench_exit]
%else
        lea rsi, [rel vmexit_entry]
%endif
        call vmw

        ; ---- guest state (SDM 24.4): a 64-bit ring-0 guest sharing the host's GDT, IDT and paging
        mov rdi, GUEST_CR0
        mov rsi, cr0
%ifdef BREAK_GUEST_CR0
        btr rsi, 0                              ; broken: CR0.PG=1 with CR0.PE=0
%endif
        call vmw
        mov rdi, GUEST_CR3
        mov rsi, cr3
        call vmw
        mov rdi, GUEST_CR4
        mov rsi, cr4
        call vmw
        mov rdi, GUEST_DR7
        mov esi, 0x400
        call vmw
        mov rdi, GUEST_RSP
        mov rsi, GUEST_STACK_TOP
        call vmw
        mov rdi, GUEST_RIP
%ifdef BENCH
        lea rsi, [rel bench_guest]
%else
        lea rsi, [rel guest_entry]
%endif
        call vmw
        mov rdi, GUEST_RFLAGS
        mov esi, 2
        call vmw
        mov rdi, GUEST_CS_SELECTOR
        mov esi, 0x08
        call vmw
        mov rdi, GUEST_CS_AR
        mov esi, 0xA09B                         ; 64-bit code, present, DPL 0, accessed
        call vmw
        mov rdx, GUEST_ES_SELECTOR              ; ES, CS, SS, DS, FS, GS: consecutive encodings
        mov ecx, 6
.segs:  mov rdi, rdx
        mov esi, 0x10
        cmp rdx, GUEST_CS_SELECTOR
        je .next
        call vmw
        lea rdi, [rdx + GUEST_ES_AR - GUEST_ES_SELECTOR]
        mov esi, 0xC093                         ; data, read/write, accessed, DPL 0, 4 GiB
        call vmw
.next:  lea rdi, [rdx + GUEST_ES_LIMIT - GUEST_ES_SELECTOR]
        mov esi, 0xFFFFFFFF
        call vmw
        lea rdi, [rdx + GUEST_ES_BASE - GUEST_ES_SELECTOR]
        xor esi, esi
        call vmw
        add rdx, 2
        loop .segs
        mov rdi, GUEST_LDTR_SELECTOR
        xor esi, esi
        call vmw
        mov rdi, GUEST_LDTR_AR
        mov esi, 0x10000                        ; unusable
        call vmw
        mov rdi, GUEST_TR_SELECTOR
        mov esi, 0x18
        call vmw
        mov rdi, GUEST_TR_LIMIT
        mov esi, 0x67
        call vmw
        mov rdi, GUEST_TR_AR
        mov esi, 0x8B                           ; busy 64-bit TSS
        call vmw
        call tss_base
        mov rdi, GUEST_TR_BASE
        mov rsi, rax
        call vmw
        mov rdi, GUEST_GDTR_BASE
        mov rsi, [rel gdtr + 2]
        call vmw
        mov rdi, GUEST_GDTR_LIMIT
        movzx esi, word [rel gdtr]
        call vmw
        mov rdi, GUEST_IDTR_BASE
        mov rsi, [rel idtr + 2]
        call vmw
        mov rdi, GUEST_IDTR_LIMIT
        movzx esi, word [rel idtr]
        call vmw
        xor esi, esi
        mov rdi, GUEST_INTERRUPTIBILITY
        call vmw
        mov rdi, GUEST_ACTIVITY_STATE
        call vmw
%ifdef GUEST_VARIANT
        call GUEST_VARIANT                      ; another guest (v8086-guest.asm, real-mode-guest.asm)
%endif
        ret

; tss_base: RAX = base of the TSS descriptor at GDT selector 18h (a 16-byte system descriptor)
tss_base:
        sgdt [rel gdtr]
        mov rbx, [rel gdtr + 2]
        mov eax, [rbx + 0x18 + 2]
        and eax, 0xFFFFFF
        movzx ecx, byte [rbx + 0x18 + 7]
        shl ecx, 24
        or eax, ecx
        mov ecx, [rbx + 0x18 + 8]
        shl rcx, 32
        or rax, rcx
        ret

; ---- VM exits ------------------------------------------------------------------------------------------
; HOST_RIP: the guest's general registers are saved on the host stack as regs[0..15] (RSP's slot unused).
vmexit_entry:
        sub rsp, 8                              ; slot 15 = r15 ... slot 0 = rax, slot 4 unused (RSP)
        push r14
        push r13
        push r12
        push r11
        push r10
        push r9
        push r8
        push rdi
        push rsi
        push rbp
        push rax                                ; placeholder for RSP (slot 4)
        push rbx
        push rdx
        push rcx
        push rax
        mov [rsp + 15 * 8], r15
        mov rbp, rsp
%ifdef BREAK_LAUNCH_TWICE
        vmlaunch                                ; broken: this VMCS is already launched
        lea rsi, [rel msg_vmlaunch]
        call check_vmx
%endif
        call handle_exit
        test eax, eax
        jz .stop
        pop rax
        pop rcx
        pop rdx
        pop rbx
        add rsp, 8
        pop rbp
        pop rsi
        pop rdi
        pop r8
        pop r9
        pop r10
        pop r11
        pop r12
        pop r13
        pop r14
        pop r15
        vmresume
        lea rsi, [rel msg_vmresume]
        call check_vmx
        jmp halt
.stop:
        mov rsp, HOST_STACK_TOP
        vmxoff
        lea rsi, [rel msg_vmxoff]
        call check_vmx
        lea rsi, [rel msg_exits]
        call puts
        mov rax, [rel exit_count]
        call put_dec
        call newline
        jmp halt

; handle_exit: RBP -> saved guest registers. Returns EAX = 1 to resume the guest, 0 to stop.
handle_exit:
        inc qword [rel exit_count]
        mov eax, EXIT_REASON
        vmread rbx, rax
        jbe vmread_failed
        bt ebx, 31                              ; VM-entry failure (SDM 26.8): no guest ran
        jc entry_failed
        movzx ebx, bx                           ; basic exit reason
        ; trace line: "exit N: <reason> at rip=..."
        lea rsi, [rel msg_exit]
        call puts
        mov rax, [rel exit_count]
        call put_dec
        lea rsi, [rel msg_colon]
        call puts
        mov eax, ebx
        call reason_name
        call puts
        lea rsi, [rel msg_at_rip]
        call puts
        mov eax, GUEST_RIP
        vmread rax, rax
        jbe vmread_failed
        call put_hex
        call newline
        cmp ebx, EXIT_CPUID
        je exit_cpuid
        cmp ebx, EXIT_RDMSR
        je exit_rdmsr
        cmp ebx, EXIT_WRMSR
        je exit_wrmsr
        cmp ebx, EXIT_IO
        je exit_io
        cmp ebx, EXIT_CR_ACCESS
        je exit_cr
        cmp ebx, EXIT_HLT
        je exit_hlt
%ifdef EXCEPTION_HANDLER
        cmp ebx, EXIT_EXCEPTION
        je EXCEPTION_HANDLER
%endif
%ifdef EXTERNAL_INTERRUPT_HANDLER
        cmp ebx, EXIT_EXTERNAL_INTERRUPT
        je EXTERNAL_INTERRUPT_HANDLER
%endif
        lea rsi, [rel msg_unexpected]
        call puts
        xor eax, eax
        ret

; skip: guest RIP += VM-exit instruction length; resume
skip:
        mov eax, EXIT_INSTRUCTION_LENGTH
        vmread rcx, rax
        jbe vmread_failed
        mov eax, GUEST_RIP
        vmread rdx, rax
        jbe vmread_failed
        add rdx, rcx
        vmwrite rax, rdx
        jbe vmw.failed
        mov eax, 1
        ret

exit_cpuid:
        mov eax, [rbp + 0 * 8]
        mov ecx, [rbp + 1 * 8]
        cmp eax, HV_CPUID_LEAF
        je .hv
        cpuid
        cmp dword [rbp], 1
        jne .store
        bts ecx, 31                             ; CPUID.1:ECX[31]: "running on a hypervisor"
        jmp .store
.hv:    mov ebx, 'VMXW'
        mov ecx, 'orkb'
        mov edx, 'ench'
.store: mov [rbp + 0 * 8], rax
        mov [rbp + 3 * 8], rbx
        mov [rbp + 1 * 8], rcx
        mov [rbp + 2 * 8], rdx
        jmp skip

exit_rdmsr:
        mov ecx, [rbp + 1 * 8]
        cmp ecx, HV_MSR
        jne .real
        mov eax, 0x584D56                       ; "VMX"
        xor edx, edx
        jmp .store
.real:  rdmsr
.store: mov [rbp + 0 * 8], rax
        mov [rbp + 2 * 8], rdx
        jmp skip

exit_wrmsr:
        jmp skip                                ; writes to MSRs are ignored

exit_io:
        mov eax, EXIT_QUALIFICATION
        vmread rbx, rax
        jbe vmread_failed
        lea rsi, [rel msg_port]
        call puts
        mov rax, rbx
        shr rax, 16
        call put_hex
        test ebx, 8                             ; bit 3: direction (1 = IN)
        jnz .in
        lea rsi, [rel msg_port_out]
        call puts
        movzx eax, byte [rbp]
        call put_hex
        call newline
        jmp skip
.in:    mov byte [rbp], 0xFF
        call newline
        jmp skip

exit_cr:
        mov eax, EXIT_QUALIFICATION
        vmread rbx, rax
        jbe vmread_failed
        mov eax, ebx
        and eax, 0x3F                           ; CR number and access type
        jnz .unexpected                         ; only MOV to CR0 can exit here
        mov ecx, ebx
        shr ecx, 8
        and ecx, 15                             ; the source register
        mov rdx, [rbp + rcx * 8]
        ; the guest sees the value it wrote (read shadow); CD and NW keep the host's setting
        mov eax, CR0_READ_SHADOW
        vmwrite rax, rdx
        jbe vmw.failed
        mov eax, GUEST_CR0
        vmread rsi, rax
        jbe vmread_failed
        mov edi, CR0_CD | CR0_NW
        and rsi, rdi
        not rdi
        and rdx, rdi
        or rdx, rsi
        vmwrite rax, rdx
        jbe vmw.failed
        lea rsi, [rel msg_cr0]
        call puts
        mov eax, CR0_READ_SHADOW
        vmread rax, rax
        jbe vmread_failed
        call put_hex
        lea rsi, [rel msg_cr0_real]
        call puts
        mov eax, GUEST_CR0
        vmread rax, rax
        jbe vmread_failed
        call put_hex
        call newline
        jmp skip
.unexpected:
        lea rsi, [rel msg_unexpected]
        call puts
        xor eax, eax
        ret

exit_hlt:
        lea rsi, [rel msg_guest_hlt]
        call puts
        xor eax, eax
        ret

; a VM-entry failure loads host state like a VM exit: exit reason 33 (invalid guest state) or 34 (MSR
; loading) with bit 31 set, and an exit qualification
entry_failed:
        lea rsi, [rel msg_entry_failed]
        call puts
        mov eax, ebx
        call put_hex
        lea rsi, [rel msg_qualification]
        call puts
        mov eax, EXIT_QUALIFICATION
        vmread rax, rax
        jbe vmread_failed
        call put_hex
        call newline
        xor eax, eax
        ret

fatal:
        call puts
halt:
        cli
        hlt
        jmp halt

; every VMREAD/VMWRITE is followed by `jbe`: CF = 1 is VMfailInvalid, ZF = 1 VMfailValid (SDM Vol. 3C 31.2)
vmread_failed:
        lea rsi, [rel msg_vmread]
        jmp check_vmx.failed

; ================================================================================================
; guest (VMX non-root operation)
; ================================================================================================
guest_entry:
        lea rsi, [rel g_hello]
        call puts
        ; CPUID: the hypervisor leaf, answered by the host
        mov eax, HV_CPUID_LEAF
        xor ecx, ecx
        cpuid
        mov [rel g_vendor], ebx
        mov [rel g_vendor + 4], ecx
        mov [rel g_vendor + 8], edx
        lea rsi, [rel g_cpuid]
        call puts
        lea rsi, [rel g_vendor]
        call puts
        call newline
        ; RDMSR of the hypervisor MSR
        mov ecx, HV_MSR
        rdmsr
        lea rsi, [rel g_rdmsr]
        call puts
        call put_hex
        call newline
        ; OUT to port 80h: intercepted through the I/O bitmap
        mov al, 0x42
        out 0x80, al
        ; CR0.CD is host-owned: the write exits; the guest then reads its own value back from the shadow
        mov rax, cr0
        bts rax, 30
        mov cr0, rax
        mov rax, cr0
        lea rsi, [rel g_cr0]
        call puts
        call put_hex
        call newline
        lea rsi, [rel g_bye]
        call puts
        hlt
        jmp guest_entry                         ; not reached

%ifdef BENCH
; ================================================================================================
; benchmark mode (bench/vmexit.ts assembles this file with BENCH = number of exits): the guest executes
; CPUID in a loop; the host's exit path is the minimal one (11 instructions + VMRESUME, no GPR saving)
; ================================================================================================
bench_guest:
        mov r8, BENCH
.loop:  xor eax, eax
        cpuid
        dec r8
        jnz .loop
        hlt

bench_exit:
        inc r12
        mov eax, EXIT_REASON
        vmread rbx, rax
        cmp ebx, EXIT_CPUID
        jne .done
        mov eax, EXIT_INSTRUCTION_LENGTH
        vmread rdx, rax
        mov eax, GUEST_RIP
        vmread rbx, rax
        add rbx, rdx
        vmwrite rax, rbx
        vmresume
        jmp halt
.done:  vmxoff
        lea rsi, [rel msg_exits]
        call puts
        mov rax, r12
        call put_dec
        call newline
        jmp halt
%endif

; ================================================================================================
; shared helpers: UART output (COM1, polled) and number formatting
; ================================================================================================
; reason_name: EAX = basic exit reason -> RSI = its name
reason_name:
        lea rsi, [rel name_exception]
        cmp eax, EXIT_EXCEPTION
        je .r
        lea rsi, [rel name_external_interrupt]
        cmp eax, EXIT_EXTERNAL_INTERRUPT
        je .r
        lea rsi, [rel name_cpuid]
        cmp eax, EXIT_CPUID
        je .r
        lea rsi, [rel name_hlt]
        cmp eax, EXIT_HLT
        je .r
        lea rsi, [rel name_cr]
        cmp eax, EXIT_CR_ACCESS
        je .r
        lea rsi, [rel name_io]
        cmp eax, EXIT_IO
        je .r
        lea rsi, [rel name_rdmsr]
        cmp eax, EXIT_RDMSR
        je .r
        lea rsi, [rel name_wrmsr]
        cmp eax, EXIT_WRMSR
        je .r
        lea rsi, [rel name_other]
.r:     ret

putc:                                           ; AL -> COM1
        push rdx
        push rax
        mov dx, COM1 + 5
.wait:  in al, dx
        test al, 0x20                           ; LSR.THRE
        jz .wait
        pop rax
        mov dx, COM1
        out dx, al
        pop rdx
        ret

puts:                                           ; RSI -> zero-terminated string
        push rax
        push rsi
.l:     lodsb
        test al, al
        jz .d
        call putc
        jmp .l
.d:     pop rsi
        pop rax
        ret

newline:
        push rax
        mov al, 10
        call putc
        pop rax
        ret

put_hex:                                        ; RAX as 0x... (no leading zeros)
        push rax
        push rbx
        push rcx
        mov rbx, rax
        mov al, '0'
        call putc
        mov al, 'x'
        call putc
        mov ecx, 60
.skip:  mov rax, rbx
        shr rax, cl
        test al, 15
        jnz .digit
        sub ecx, 4
        jnz .skip
.digit: mov rax, rbx
        shr rax, cl
        and eax, 15
        cmp eax, 10
        jb .num
        add eax, 'A' - '0' - 10
.num:   add eax, '0'
        call putc
        sub ecx, 4
        jns .digit
        pop rcx
        pop rbx
        pop rax
        ret

put_dec:                                        ; RAX in decimal
        push rax
        push rcx
        push rdx
        push rbx
        mov ebx, 10
        xor ecx, ecx
.div:   xor edx, edx
        div rbx
        push rdx
        inc ecx
        test rax, rax
        jnz .div
.out:   pop rax
        add al, '0'
        call putc
        loop .out
        pop rbx
        pop rdx
        pop rcx
        pop rax
        ret

zero_page:                                      ; RDI -> 4 KiB of zeros
        push rax
        push rcx
        push rdi
        xor eax, eax
        mov ecx, 512
        rep stosq
        pop rdi
        pop rcx
        pop rax
        ret

; ================================================================================================
; data
; ================================================================================================
        align 8
vmxon_ptr:      dq VMXON_REGION
vmcs_ptr:       dq VMCS_REGION
exit_count:     dq 0
vmx_basic_hi:   dd 0
gdtr:           times 10 db 0
idtr:           times 10 db 0
g_vendor:       times 16 db 0
        align 16
exit_msr_area:  times 16 db 0                   ; (broken/vmx-abort.asm only)

msg_banner:     db "hypervisor: VT-x bring-up (SDM Vol. 3C ch. 23-27)", 10, 0
msg_no_vmx:     db "CPUID.1:ECX.VMX = 0: this processor has no VMX", 10, 0
msg_vmx_off:    db "IA32_FEATURE_CONTROL is locked with VMX disabled", 10, 0
msg_vmxon:      db "VMXON", 0
msg_vmclear:    db "VMCLEAR", 0
msg_vmptrld:    db "VMPTRLD", 0
msg_vmwrite:    db "VMWRITE", 0
msg_vmread:     db "VMREAD", 0
msg_vmlaunch:   db "VMLAUNCH", 0
msg_vmresume:   db "VMRESUME", 0
msg_vmxoff:     db "VMXOFF", 0
msg_ok:         db ": ok", 10, 0
msg_failvalid:  db ": VMfailValid, VM-instruction error ", 0
msg_failinvalid: db ": VMfailInvalid (no current VMCS / bad pointer)", 10, 0
msg_launch:     db "VMLAUNCH", 10, 0
msg_exit:       db "exit ", 0
msg_colon:      db ": ", 0
msg_at_rip:     db " at guest rip=", 0
msg_unexpected: db "host: unexpected VM exit, stopping", 10, 0
msg_port:       db "host: I/O port ", 0
msg_port_out:   db " <- ", 0
msg_cr0:        db "host: guest CR0 write: shadow=", 0
msg_cr0_real:   db " real=", 0
msg_guest_hlt:  db "host: guest halted", 10, 0
msg_entry_failed: db "host: VM entry failed, exit reason ", 0
msg_qualification: db " qualification ", 0
msg_exits:      db "VM exits handled: ", 0
name_exception: db "exception or NMI", 0
name_external_interrupt: db "external interrupt", 0
name_cpuid:     db "CPUID", 0
name_hlt:       db "HLT", 0
name_cr:        db "control-register access", 0
name_io:        db "I/O instruction", 0
name_rdmsr:     db "RDMSR", 0
name_wrmsr:     db "WRMSR", 0
name_other:     db "other", 0
g_hello:        db "guest: hello from VMX non-root operation", 10, 0
g_cpuid:        db "guest: CPUID 40000000h vendor = ", 0
g_rdmsr:        db "guest: RDMSR 40000000h = ", 0
g_cr0:          db "guest: CR0 reads back as ", 0
g_bye:          db "guest: HLT", 10, 0
