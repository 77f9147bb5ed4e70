; taskswitch.asm - task switches in VMX non-root operation (SDM 25.4.2: every task switch causes a VM exit,
; exit reason 9; qualification 27.2.1 Table 27-2: bits 15:0 the new TSS's selector, bits 31:30 the source 0 CALL,
; 1 IRET, 2 JMP, 3 task gate in the IDT). A 32-bit guest with PAE paging and its own GDT (a copy of the stub's
; plus an available 32-bit TSS at 40h and a task gate at 48h) and IDT (vector 80h: a task gate) attempts each
; kind of task switch.
; Golden output: taskswitch.out, recorded from Bochs 2.7 (corei7_skylake_x) by ../record-golden.sh.
%include "oracle.inc"
%include "vmx.inc"
%include "guest-cases.inc"
%define CASE_SETUP guest_tasks32

GUEST_GDT       equ FREE_MEM + 0x7000
GUEST_IDT       equ FREE_MEM + 0x7800
NEW_TSS         equ FREE_MEM + 0x8000
SEL_NEW_TSS     equ 0x40
SEL_TASK_GATE   equ 0x48
VMCS_IDT_VEC_INFO_      equ 0x4408

main:
        PRINTLN "=== taskswitch ==="
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        call build_tables

        CASE "far JMP to an available TSS [exit 9, qual 80000040h: JMP, selector 40h]", g_jmp_tss
        ENTER
        CASE "far CALL to an available TSS [exit 9, qual 00000040h: CALL]", g_call_tss
        ENTER
        CASE "far JMP through a task gate [exit 9, qual 80000040h: the gate's TSS selector]", g_jmp_gate
        ENTER
        CASE "IRET with RFLAGS.NT=1, previous task available (not busy) [#TS first; empty IDT: triple fault, exit 2]", g_iret
        VMW VMCS_GUEST_RFLAGS, 0x4002
        ENTER
        CASE "IRET with RFLAGS.NT=1 to a busy TSS [exit 9, qual 40000040h: IRET, selector = previous-task link]", g_iret
        VMW VMCS_GUEST_RFLAGS, 0x4002
        or byte [abs GUEST_GDT + SEL_NEW_TSS + 5], 2    ; type 11: busy
        ENTER
        and byte [abs GUEST_GDT + SEL_NEW_TSS + 5], ~2
        CASE "INT 80h through a task gate in the IDT [exit 9, qual C0000040h; IDT-vectoring: software interrupt 80h]", g_int80
        ENTER
        PRINT "  idt_vectoring="
        VMR VMCS_IDT_VEC_INFO_
        PHEX32 rax
        call newline

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

; guest_tasks32: every case's guest is in 32-bit protected mode with PAE paging, the GDT and IDT above
guest_tasks32:
        call make_32bit
        VMW VMCS_GUEST_CR3, PAE_PDPT
        VMW VMCS_GUEST_GDTR_BASE, GUEST_GDT
        VMW VMCS_GUEST_GDTR_LIMIT, 0x4F
        VMW VMCS_GUEST_IDTR_BASE, GUEST_IDT
        VMW VMCS_GUEST_IDTR_LIMIT, 0x80 * 8 + 7
        ; the current task's TSS (TR base from vmcs_setup) links back to the new TSS, for IRET with NT = 1
        VMR VMCS_GUEST_TR_BASE
        mov word [rax], SEL_NEW_TSS
        ret

build_tables:
        mov edx, 0x83
        call pae_tables
        ; guest GDT: the stub's first 40h bytes, then the new TSS and a task gate
        sgdt [gdtr_tmp]
        mov rsi, [gdtr_tmp + 2]
        mov rdi, GUEST_GDT
        mov ecx, 0x40 / 8
        rep movsq
        mov rax, 0x0000890000000067 | ((NEW_TSS & 0xFFFFFF) << 16) | ((NEW_TSS >> 24) << 56)
        mov [abs GUEST_GDT + SEL_NEW_TSS], rax             ; 32-bit TSS, available, present, DPL 0
        mov rax, 0x0000850000000000 | (SEL_NEW_TSS << 16)
        mov [abs GUEST_GDT + SEL_TASK_GATE], rax           ; task gate, present, DPL 0
        mov rdi, GUEST_IDT
        xor eax, eax
        mov ecx, 0x81
        rep stosq
        mov rax, 0x0000850000000000 | (SEL_NEW_TSS << 16)
        mov [abs GUEST_IDT + 0x80 * 8], rax                ; vector 80h: task gate
        mov rdi, NEW_TSS
        xor eax, eax
        mov ecx, 0x68 / 8 + 1
        rep stosq
        ret

        bits 32
g_jmp_tss:
        jmp SEL_NEW_TSS:0
        hlt
g_call_tss:
        call SEL_NEW_TSS:0
        hlt
g_jmp_gate:
        jmp SEL_TASK_GATE:0
        hlt
g_iret:
        iretd
        hlt
g_int80:
        int 0x80
        hlt
        bits 64

        align 8
gdtr_tmp: times 10 db 0
