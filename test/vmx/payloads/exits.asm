; exits.asm - one VM exit per case, in the style of the oracle's payloads (../shared/oracle): for each
; exit condition of SDM 25.1-25.5 a fresh VMCS (vmcs_setup: a 64-bit guest sharing the host's environment)
; with one control changed, a guest that triggers it, and the exit information printed (exit reason,
; qualification, guest RIP, instruction length, interruption information).
; Golden output: exits.out, recorded from Bochs 2.7 (corei7_skylake_x) by ../record-golden.sh.
%include "oracle.inc"
%include "vmx.inc"
%include "guest-cases.inc"

PROC_CR8_LOAD_EXITING   equ 1 << 19
PROC_CR8_STORE_EXITING  equ 1 << 20
PROC_MOV_DR_EXITING     equ 1 << 23
PROC_NMI_WINDOW         equ 1 << 22
PROC_PAUSE_EXITING      equ 1 << 30
PROC2_DESC_TABLE        equ 1 << 2
PROC2_WBINVD_EXITING    equ 1 << 6
PROC2_RDRAND_EXITING    equ 1 << 11
PROC2_RDSEED_EXITING    equ 1 << 16
VMCS_MSR_BITMAP_ADDR    equ 0x2004
VMCS_EXIT_QUAL_         equ 0x6400
MSR_BITMAP              equ FREE_MEM + 0x5000
IO_BITMAP_A_PAGE        equ FREE_MEM + 0x6000
IO_BITMAP_B_PAGE        equ FREE_MEM + 0x7000

main:
        PRINTLN "=== exits ==="
        call vmx_enable
        mov rdi, VMCS_A
        call vmx_init_region
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"

        CASE "HLT with HLT exiting [SDM 25.1.3: exit 12]", g_hlt
        ENTER

        CASE "CPUID [exit 10, unconditional]", g_cpuid
        ENTER

        CASE "INVD [exit 13, unconditional]", g_invd
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_RDTSC_EXITING
        CASE "RDTSC with RDTSC exiting [exit 16]", g_rdtsc
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_RDPMC_EXITING
        CASE "RDPMC with RDPMC exiting [exit 15]", g_rdpmc
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_INVLPG_EXITING
        CASE "INVLPG with INVLPG exiting [exit 14, qualification = linear address]", g_invlpg
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_CR3_STORE_EXITING
        CASE "MOV from CR3 with CR3-store exiting [exit 28, qual: CR3, MOV from CR, RBX]", g_read_cr3
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_CR3_LOAD_EXITING
        CASE "MOV to CR3 with CR3-load exiting, no target [exit 28, qual: CR3, MOV to CR, RAX]", g_write_cr3
        ENTER

        CASE "MOV to CR3 matching CR3-target value 0 [no exit; HLT exit 12]", g_write_cr3
        VMW VMCS_CR3_TARGET_COUNT, 1
        mov rax, cr3
        VMW VMCS_CR3_TARGET0, rax
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING
        CASE "MOV to CR0 changing a host-owned bit (mask CD) [exit 28, qual: CR0, MOV to CR, RAX]", g_write_cr0_cd
        VMW VMCS_CR0_MASK, 1 << 30
        mov rax, cr0
        VMW VMCS_CR0_SHADOW, rax
        ENTER

        CASE "MOV from CR0 reads the shadow for host-owned bits [no exit; guest RBX printed]", g_read_cr0
        VMW VMCS_CR0_MASK, 1 << 30
        mov rax, cr0
        bts rax, 30
        VMW VMCS_CR0_SHADOW, rax
        ENTER
        PRINT "guest RBX (CR0 as read) = "
        PHEX64 [g_rbx]
        call newline

        CASE "CLTS with TS host-owned and set in the shadow [exit 28, qual type 2]", g_clts
        VMW VMCS_CR0_MASK, 8
        mov rax, cr0
        bts rax, 3
        VMW VMCS_CR0_SHADOW, rax
        ENTER

        CASE "CLTS with TS host-owned but clear in the shadow [no exit]", g_clts
        VMW VMCS_CR0_MASK, 8
        mov rax, cr0
        btr rax, 3
        VMW VMCS_CR0_SHADOW, rax
        ENTER

        CASE "LMSW changing host-owned MP [exit 28, qual type 3, LMSW source data]", g_lmsw
        VMW VMCS_CR0_MASK, 2
        mov rax, cr0
        VMW VMCS_CR0_SHADOW, rax
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_CR8_LOAD_EXITING
        CASE "MOV to CR8 with CR8-load exiting [exit 28, qual: CR8, MOV to CR]", g_write_cr8
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_CR8_STORE_EXITING
        CASE "MOV from CR8 with CR8-store exiting [exit 28, qual: CR8, MOV from CR]", g_read_cr8
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_MOV_DR_EXITING
        CASE "MOV to DR7 with MOV-DR exiting [exit 29, qual: DR7, to DR, RAX]", g_write_dr7
        ENTER

        CASE "MOV from DR6 with MOV-DR exiting [exit 29, qual: DR6, from DR, RCX]", g_read_dr6
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_UNCOND_IO_EXITING
        CASE "OUT DX, AL with unconditional I/O exiting [exit 30, qual: port 3F8h, 1 byte, OUT, DX]", g_out_dx
        ENTER

        CASE "IN EAX, 71h with unconditional I/O exiting [exit 30, qual: port 71h, 4 bytes, IN, immediate]", g_in_imm
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_USE_IO_BITMAPS
        CASE "I/O bitmaps: OUT to port 8000h with its bit set in bitmap B [exit 30]", g_out_8000
        call io_bitmaps
        bts dword [abs IO_BITMAP_B_PAGE], 0
        ENTER

        CASE "I/O bitmaps: OUT to port 80h with its bit clear [no exit; HLT]", g_out_80
        call io_bitmaps
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING
        CASE "RDMSR without MSR bitmaps [exit 31]", g_rdmsr_efer
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_USE_MSR_BITMAPS
        CASE "RDMSR C0000080h with its read bit clear [no exit; HLT]", g_rdmsr_efer
        call msr_bitmap
        ENTER

        CASE "RDMSR C0000080h with its read-high bit set [exit 31]", g_rdmsr_efer
        call msr_bitmap
        bts dword [abs MSR_BITMAP + 0x400 + 0x80 / 8], 0x80 % 8
        ENTER

        CASE "WRMSR 174h (SYSENTER_CS) with its write-low bit set [exit 32]", g_wrmsr_174
        call msr_bitmap
        bts dword [abs MSR_BITMAP + 0x800 + 0x174 / 8], 0x174 % 8
        ENTER

        CASE "RDMSR of an MSR outside both ranges (40000000h) [exit 31]", g_rdmsr_hv
        call msr_bitmap
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING
        CASE "UD2 with exception bitmap bit 6 [exit 0, intr info 80000306h]", g_ud2
        VMW VMCS_EXCEPTION_BITMAP, 1 << 6
        ENTER

        CASE "INT3 with exception bitmap bit 3 [exit 0, software exception 80000603h, length 1]", g_int3
        VMW VMCS_EXCEPTION_BITMAP, 1 << 3
        ENTER

        CASE "#GP from a non-canonical access, bitmap bit 13 [exit 0, 80000B0Dh, error code 0]", g_gp
        VMW VMCS_EXCEPTION_BITMAP, 1 << 13
        ENTER
        PRINT "  error code="
        VMR VMCS_EXIT_INTR_ERR
        PHEX32 rax
        call newline

        mov dword [want_proc], PROC_HLT_EXITING | PROC_INTR_WINDOW
        CASE "interrupt-window exiting with RFLAGS.IF=1 [exit 7 before the first instruction]", g_hlt
        VMW VMCS_GUEST_RFLAGS, 0x202
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_MTF
        CASE "monitor trap flag [exit 37 after one instruction]", g_nops
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING | PROC_PAUSE_EXITING
        CASE "PAUSE with PAUSE exiting [exit 40]", g_pause
        ENTER

        mov dword [want_proc], PROC_HLT_EXITING
        mov dword [want_pin], PIN_PREEMPT_TIMER
        CASE "VMX-preemption timer with value 0 [exit 52 before the first instruction]", g_hlt
        VMW VMCS_PREEMPT_TIMER, 0
        ENTER
        mov dword [want_pin], 0

        mov dword [want_proc], PROC_HLT_EXITING | PROC_SECONDARY
        mov dword [want_proc2], PROC2_WBINVD_EXITING
        CASE "WBINVD with WBINVD exiting [exit 54]", g_wbinvd
        ENTER

        mov dword [want_proc2], PROC2_RDRAND_EXITING
        CASE "RDRAND with RDRAND exiting [exit 57]", g_rdrand
        ENTER

        mov dword [want_proc2], PROC2_DESC_TABLE
        CASE "SGDT with descriptor-table exiting [exit 46]", g_sgdt
        ENTER
        mov dword [want_proc2], 0
        mov dword [want_proc], PROC_HLT_EXITING

        CASE "VMPTRST in the guest [exit 22, qualification = displacement]", g_vmptrst
        ENTER

        CASE "VMREAD in the guest without VMCS shadowing [exit 23]", g_vmread
        ENTER

        CASE "VMXON in the guest [exit 27]", g_vmxon
        ENTER

        CASE "VMLAUNCH in the guest [INS-02: exit 20, before any other check]", g_vmlaunch
        ENTER

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

io_bitmaps:
        push rdi
        mov rdi, IO_BITMAP_A_PAGE
        call zero_page
        mov rdi, IO_BITMAP_B_PAGE
        call zero_page
        VMW VMCS_IO_BITMAP_A, IO_BITMAP_A_PAGE
        VMW VMCS_IO_BITMAP_B, IO_BITMAP_B_PAGE
        pop rdi
        ret

msr_bitmap:
        push rdi
        mov rdi, MSR_BITMAP
        call zero_page
        VMW VMCS_MSR_BITMAP_ADDR, MSR_BITMAP
        pop rdi
        ret

; ---- guests: each does one thing, then HLT ------------------------------------------------------------
g_hlt:
        hlt
        jmp g_hlt
g_cpuid:
        xor eax, eax
        cpuid
        hlt
g_invd:
        invd
        hlt
g_rdtsc:
        rdtsc
        hlt
g_rdpmc:
        xor ecx, ecx
        rdpmc
        hlt
g_invlpg:
        mov rax, 0x123456
        invlpg [rax + 0x10]
        hlt
g_read_cr3:
        mov rbx, cr3
        hlt
g_write_cr3:
        mov rax, cr3
        mov cr3, rax
        hlt
g_write_cr0_cd:
        mov rax, cr0
        bts rax, 30
        mov cr0, rax
        hlt
g_read_cr0:
        mov rbx, cr0
        hlt
g_clts:
        clts
        hlt
g_lmsw:
        smsw ax
        xor ax, 2
        lmsw ax
        hlt
g_write_cr8:
        xor eax, eax
        mov cr8, rax
        hlt
g_read_cr8:
        mov rdx, cr8
        hlt
g_write_dr7:
        mov eax, 0x400
        mov dr7, rax
        hlt
g_read_dr6:
        mov rcx, dr6
        hlt
g_out_dx:
        mov dx, 0x3F8
        mov al, 'A'
        out dx, al
        hlt
g_in_imm:
        in eax, 0x71
        hlt
g_out_8000:
        mov dx, 0x8000
        out dx, al
        hlt
g_out_80:
        mov al, 0x55
        out 0x80, al
        hlt
g_rdmsr_efer:
        mov ecx, 0xC0000080
        rdmsr
        hlt
g_wrmsr_174:
        mov ecx, 0x174
        xor eax, eax
        xor edx, edx
        wrmsr
        hlt
g_rdmsr_hv:
        mov ecx, 0x40000000
        rdmsr
        hlt
g_ud2:
        ud2
        hlt
g_int3:
        int3
        hlt
g_gp:
        mov rax, 0x0000800000000000
        mov rax, [rax]
        hlt
g_nops:
        nop
        nop
        hlt
g_pause:
        pause
        hlt
g_wbinvd:
        wbinvd
        hlt
g_rdrand:
        rdrand eax
        hlt
g_sgdt:
        sgdt [rel g_scratch]
        hlt
g_vmptrst:
        vmptrst [rel g_scratch]
        hlt
g_vmread:
        mov eax, VMCS_GUEST_RIP
        vmread rbx, rax
        hlt
g_vmxon:
        vmxon [rel g_scratch]
        hlt
g_vmlaunch:
        vmlaunch
        hlt

        align 8
g_scratch: times 16 db 0
