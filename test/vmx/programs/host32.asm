; host32.asm - a hypervisor running in 32-bit protected mode (start state protected32: flat segments, GDT with
; a 32-bit TSS at 18h, paging off). It enables 32-bit paging with 4-MiB pages (VMXON requires CR0.PG=1, SDM
; 23.8), VMXON, fills a VMCS with 32-bit VMWRITEs (natural-width fields are 32 bits wide outside IA-32e mode,
; SDM 24.11.2; the 64-bit VMCS link pointer needs its HIGH encoding), launches a 32-bit guest that executes
; CPUID and HLT, handles both exits and leaves VMX operation. Used by test/vmx/host32.test.ts.
        bits 32
        org 0x100000

PAGE_DIR        equ 0x200000
VMXON_REGION    equ 0x201000
VMCS_REGION     equ 0x202000
GUEST_STACK     equ 0x204000
HOST_STACK      equ 0x206000

start:
        mov esp, HOST_STACK
        ; identity map 0-16 MiB with 4-MiB pages (PDE: P, RW, PS)
        mov edi, PAGE_DIR
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov eax, 0x83
        mov edi, PAGE_DIR
        mov ecx, 4
.pde:   mov [edi], eax
        add eax, 0x400000
        add edi, 4
        loop .pde
        mov eax, PAGE_DIR
        mov cr3, eax
        mov eax, cr4
        or eax, (1 << 4) | (1 << 13)            ; CR4.PSE, CR4.VMXE
        mov cr4, eax
        mov eax, cr0
        or eax, 0x80000000                      ; CR0.PG
        mov cr0, eax

        mov ecx, 0x480                          ; IA32_VMX_BASIC: revision identifier
        rdmsr
        mov [VMXON_REGION], eax
        mov [VMCS_REGION], eax
        mov dword [ptr], VMXON_REGION
        mov dword [ptr + 4], 0
        vmxon [ptr]
        jbe fail
        mov dword [ptr], VMCS_REGION
        vmclear [ptr]
        jbe fail
        vmptrld [ptr]
        jbe fail

        ; controls from the TRUE_ capability MSRs: pin none, primary HLT exiting, exit/entry none (no IA-32e)
        mov ecx, 0x48D
        xor edx, edx
        call adjust
        mov ebx, 0x4000                         ; PIN_BASED_VM_EXEC_CONTROLS
        call vmw
        mov ecx, 0x48E
        mov edx, 1 << 7
        call adjust
        mov ebx, 0x4002                         ; PRIMARY_PROC_BASED_VM_EXEC_CONTROLS
        call vmw
        mov ecx, 0x48F
        xor edx, edx
        call adjust
        mov ebx, 0x400C                         ; PRIMARY_VM_EXIT_CONTROLS (host address-space size = 0)
        call vmw
        mov ecx, 0x490
        xor edx, edx
        call adjust
        mov ebx, 0x4012                         ; VM_ENTRY_CONTROLS (IA-32e mode guest = 0)
        call vmw

        ; host state
        mov eax, cr0
        mov ebx, 0x6C00
        call vmw
        mov eax, cr3
        mov ebx, 0x6C02
        call vmw
        mov eax, cr4
        mov ebx, 0x6C04
        call vmw
        mov eax, 0x08
        mov ebx, 0x0C02                         ; HOST_CS_SELECTOR
        call vmw
        mov eax, 0x10
        mov ebx, 0x0C00                         ; ES
        call vmw
        mov ebx, 0x0C04                         ; SS
        call vmw
        mov ebx, 0x0C06                         ; DS
        call vmw
        mov ebx, 0x0C08                         ; FS
        call vmw
        mov ebx, 0x0C0A                         ; GS
        call vmw
        mov eax, 0x18
        mov ebx, 0x0C0C                         ; TR
        call vmw
        sgdt [desc]
        mov eax, [desc + 2]
        mov ebx, 0x6C0C                         ; HOST_GDTR_BASE
        call vmw
        sidt [desc]
        mov eax, [desc + 2]
        mov ebx, 0x6C0E                         ; HOST_IDTR_BASE
        call vmw
        mov eax, 0x1100
        mov ebx, 0x6C0A                         ; HOST_TR_BASE
        call vmw
        mov eax, HOST_STACK
        mov ebx, 0x6C14                         ; HOST_RSP
        call vmw
        mov eax, exit_handler
        mov ebx, 0x6C16                         ; HOST_RIP
        call vmw

        ; guest state: the same flat 32-bit environment
        mov eax, cr0
        mov ebx, 0x6800
        call vmw
        mov eax, cr3
        mov ebx, 0x6802
        call vmw
        mov eax, cr4
        mov ebx, 0x6804
        call vmw
        mov eax, 0x08
        mov ebx, 0x0802                         ; GUEST_CS_SELECTOR
        call vmw
        mov eax, 0xC09B
        mov ebx, 0x4816                         ; GUEST_CS_ACCESS_RIGHTS
        call vmw
        mov esi, data_segments
.seg:   mov ebx, [esi]                          ; selector field; limit, base, AR follow at fixed offsets
        test ebx, ebx
        jz .segs_done
        mov eax, 0x10
        call vmw
        mov ebx, [esi + 4]
        mov eax, 0xC093
        call vmw
        add esi, 8
        jmp .seg
.segs_done:
        mov esi, limit_fields                   ; every segment limit 4 GiB - 1 except LDTR, TR
.lim:   mov ebx, [esi]
        test ebx, ebx
        jz .lims_done
        mov eax, 0xFFFFFFFF
        call vmw
        add esi, 4
        jmp .lim
.lims_done:
        mov eax, 0x10000                        ; LDTR unusable
        mov ebx, 0x4820
        call vmw
        mov eax, 0x18
        mov ebx, 0x080E                         ; GUEST_TR_SELECTOR
        call vmw
        mov eax, 0x1100
        mov ebx, 0x6814                         ; GUEST_TR_BASE
        call vmw
        mov eax, 0x67
        mov ebx, 0x480E                         ; GUEST_TR_LIMIT
        call vmw
        mov eax, 0x8B
        mov ebx, 0x4822                         ; GUEST_TR_ACCESS_RIGHTS (busy 32-bit TSS)
        call vmw
        sgdt [desc]
        mov eax, [desc + 2]
        mov ebx, 0x6816                         ; GUEST_GDTR_BASE
        call vmw
        movzx eax, word [desc]
        mov ebx, 0x4810                         ; GUEST_GDTR_LIMIT
        call vmw
        sidt [desc]
        mov eax, [desc + 2]
        mov ebx, 0x6818                         ; GUEST_IDTR_BASE
        call vmw
        movzx eax, word [desc]
        mov ebx, 0x4812                         ; GUEST_IDTR_LIMIT
        call vmw
        mov eax, 2
        mov ebx, 0x6820                         ; GUEST_RFLAGS
        call vmw
        mov eax, GUEST_STACK
        mov ebx, 0x681C                         ; GUEST_RSP
        call vmw
        mov eax, guest
        mov ebx, 0x681E                         ; GUEST_RIP
        call vmw
        ; VMCS link pointer = FFFFFFFF_FFFFFFFFh: a 32-bit VMWRITE of the full field clears bits 63:32, so the
        ; HIGH encoding (2801h) writes them
        mov eax, 0xFFFFFFFF
        mov ebx, 0x2800
        call vmw
        mov ebx, 0x2801
        call vmw

        vmlaunch
        jmp fail                                ; VMfail: fall through to the failure report

exit_handler:
        mov eax, 0x4402                         ; EXIT_REASON
        vmread [exit_reason], eax               ; memory destination: 32 bits in 32-bit mode
        mov ebx, [exit_reason]
        inc dword [exits]
        cmp ebx, 10
        jne .not_cpuid
        mov eax, 0x440C                         ; VM_EXIT_INSTRUCTION_LENGTH
        vmread edx, eax
        mov eax, 0x681E                         ; GUEST_RIP
        vmread ebx, eax
        mov [guest_rip_at_cpuid], ebx
        add ebx, edx
        vmwrite eax, ebx
        mov byte [cpuid_seen], 1
        vmresume
        jmp fail
.not_cpuid:
        cmp ebx, 12
        jne fail
        mov eax, 0x681E
        vmread [guest_rip_at_hlt], eax
        vmxoff
        jbe fail
        mov al, 'O'
        out 0xE9, al
        mov al, 'K'
        out 0xE9, al
        hlt

fail:
        mov al, 'F'
        out 0xE9, al
        hlt

; adjust: ECX = TRUE_ capability MSR, EDX = wanted bits -> EAX = wanted | allowed-0, masked by allowed-1
adjust:
        push edx
        rdmsr
        pop ebx
        or ebx, eax
        and ebx, edx
        mov eax, ebx
        ret

; vmw: VMWRITE field EBX := EAX (32-bit operands); a VMfail jumps to fail
vmw:
        vmwrite ebx, eax
        jbe fail
        ret

guest:
        xor eax, eax
        cpuid
        hlt
        jmp guest

        align 4
ptr:    dd 0, 0
desc:   dw 0
        dd 0
        align 4
exits:  dd 0
cpuid_seen: db 0
        align 4
exit_reason: dd 0, 0xAAAAAAAA                  ; the dword after it must stay (a 32-bit VMREAD)
guest_rip_at_cpuid: dd 0
guest_rip_at_hlt: dd 0
data_segments:                                  ; selector field, access-rights field
        dd 0x0800, 0x4814                       ; ES
        dd 0x0804, 0x4818                       ; SS
        dd 0x0806, 0x481A                       ; DS
        dd 0x0808, 0x481C                       ; FS
        dd 0x080A, 0x481E                       ; GS
        dd 0
limit_fields:
        dd 0x4800, 0x4802, 0x4804, 0x4806, 0x4808, 0x480A
        dd 0
