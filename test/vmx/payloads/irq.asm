; irq.asm - external interrupts from a real interrupt controller (SDM 25.2, 27.2.2, 27.3.4): the payload programs
; the 8259A pair (vectors 20h-2Fh, only IRQ0 unmasked) and arms the 8254's channel 0 as a one-shot (mode 0) before
; each entry, so exactly one IRQ0 edge comes while the guest runs, whatever the emulator's speed. The host keeps
; RFLAGS.IF = 0 throughout, except where it takes the interrupt itself.
; Not here: a guest with RFLAGS.IF = 0 under external-interrupt exiting. The SDM has the interrupt cause the VM
; exit all the same (with the control set, "the value of RFLAGS.IF does not affect interrupt blocking", SDM 24.6.1,
; Table 24-5), but Bochs 2.7 does not exit then, spinning or halted, so the payload would hang;
; test/vmx/interrupts.test.ts covers those cases.
; Golden output: irq.out, recorded from Bochs 2.7 (corei7_skylake_x) by ../record-golden.sh.
%include "oracle.inc"
%include "vmx.inc"
%include "guest-cases.inc"

PIT_COUNT               equ 2000            ; PIT clocks until IRQ0 (about 1.7 ms of PIT time)

main:
        PRINTLN "=== irq ==="
        call pic_init
        call vmx_enable
        mov qword [ptr_tmp], VMXON_REGION
        vmxon [ptr_tmp]
        VMX_RESULT "VMXON"
        mov dword [want_proc], 0                  ; no HLT exiting: a halted guest waits for the interrupt

        mov dword [want_pin], PIN_EXT_INT_EXITING
        mov dword [want_exit], EXIT_HOST_ADDR_SPACE | EXIT_ACK_INTR
        CASE "exiting + acknowledge on exit, guest HLT with IF=1 [exit 1, intr_info 80000020h, activity HLT, ISR=01h]", g_hlt
        VMW VMCS_GUEST_RFLAGS, 0x202
        call pit_arm
        ENTER
        call guest_state
        call pic_state
        call eoi

        mov dword [want_pin], PIN_EXT_INT_EXITING | PIN_PREEMPT_TIMER
        CASE "exiting + preemption timer FFFFFFFFh, guest HLT: IRQ0 comes first [exit 1, activity HLT]", g_hlt
        VMW VMCS_GUEST_RFLAGS, 0x202
        VMW VMCS_PREEMPT_TIMER, 0xFFFFFFFF
        call pit_arm
        ENTER
        call guest_state
        call pic_state
        call eoi

        CASE "preemption timer 0 with IRQ0 armed [exit 52 at once, before the interrupt]", g_hlt
        VMW VMCS_GUEST_RFLAGS, 0x202
        VMW VMCS_PREEMPT_TIMER, 0
        call pit_arm
        ENTER
        call wait_irr
        call pic_state
        PRINT "  host STI: "
        call host_take

        mov dword [want_pin], PIN_EXT_INT_EXITING
        mov dword [want_exit], EXIT_HOST_ADDR_SPACE
        CASE "exiting without acknowledge, guest spinning with IF=1 [exit 1, intr_info 0, IRQ0 left in the IRR]", g_spin
        VMW VMCS_GUEST_RFLAGS, 0x202
        call pit_arm
        ENTER
        call guest_state
        call pic_state
        PRINT "  host STI: "
        call host_take
        call pic_state

        mov dword [want_pin], 0
        CASE "no exiting, guest IF=1: its own IDT handler runs (EOI in the guest), then VMCALL [exit 18]", g_handler
        VMW VMCS_GUEST_RFLAGS, 0x202
        mov dword [guest_ticks], 0
        call gate_guest
        call pit_arm
        ENTER
        PRINT "  guest handler ran "
        mov eax, [guest_ticks]
        PDEC rax
        PRINTLN " time(s)"
        call pic_state

        mov dword [want_proc], PROC_INTR_WINDOW
        CASE "IRQ0 requested before entry; interrupt-window exiting, guest IF=0 then STI [exit 7 after the STI shadow, before the interrupt]", g_sti
        call pit_arm
        call wait_irr
        ENTER
        call guest_state
        call pic_state
        PRINT "  host STI: "
        call host_take

        vmxoff
        VMX_RESULT "VMXOFF"
        PRINTLN "=== done ==="
        ret

; pic_init: ICW1-ICW4 on both 8259As (master vectors 20h, slave 28h, slave on IR2, 8086 mode); only IRQ0 unmasked
pic_init:
        mov al, 0x11
        out 0x20, al
        out 0xA0, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x28
        out 0xA1, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x02
        out 0xA1, al
        mov al, 0x01
        out 0x21, al
        out 0xA1, al
        mov al, 0xFE
        out 0x21, al
        mov al, 0xFF
        out 0xA1, al
        ret

; pit_arm: channel 0, LSB then MSB, mode 0 (interrupt on terminal count) with PIT_COUNT: one IRQ0 edge
pit_arm:
        mov al, 0x30
        out 0x43, al
        mov al, PIT_COUNT & 0xFF
        out 0x40, al
        mov al, PIT_COUNT >> 8
        out 0x40, al
        ret

; pic_state: "  PIC IRR=xx ISR=xx" of the master (OCW3 selects the register read at 20h)
pic_state:
        PRINT "  PIC IRR="
        mov al, 0x0A
        out 0x20, al
        in al, 0x20
        PHEX8 rax
        PRINT " ISR="
        mov al, 0x0B
        out 0x20, al
        in al, 0x20
        PHEX8 rax
        call newline
        ret

; guest_state: the saved activity state and interruptibility
guest_state:
        PRINT "  activity="
        VMR VMCS_GUEST_ACTIVITY
        PDEC rax
        PRINT " interruptibility="
        VMR VMCS_GUEST_INTERRUPTIBILITY
        PHEX32 rax
        call newline
        ret

; wait_irr: polls the master's IRR until IRQ0 is requested
wait_irr:
        mov al, 0x0A
        out 0x20, al
.w:     in al, 0x20
        test al, 1
        jz .w
        ret

eoi:
        mov al, 0x20
        out 0x20, al
        ret

; set_gate20: IDT gate 20h (the IDT guest and host share) -> RAX
set_gate20:
        push rdi
        mov rdi, IDT_BASE + 0x20 * 16
        mov [rdi], ax
        mov word [rdi + 2], SEL_CODE64
        mov word [rdi + 4], 0x8E00
        shr rax, 16
        mov [rdi + 6], ax
        shr rax, 16
        mov [rdi + 8], eax
        mov dword [rdi + 12], 0
        pop rdi
        ret

gate_guest:
        lea rax, [rel guest_isr]
        jmp set_gate20

; host_take: the host takes the pending IRQ0 itself (STI; NOP; CLI) and prints the vector its handler saw
host_take:
        lea rax, [rel host_isr]
        call set_gate20
        mov dword [host_vector], 0xFFFFFFFF
        sti
        nop
        cli
        PRINT "host handler vector="
        mov eax, [host_vector]
        PHEX32 rax
        call newline
        ret

host_isr:
        mov dword [host_vector], 0x20
        push rax
        mov al, 0x20
        out 0x20, al
        pop rax
        iretq

guest_isr:
        inc dword [guest_ticks]
        push rax
        mov al, 0x20
        out 0x20, al
        pop rax
        iretq

g_hlt:
        hlt
        ud2
g_spin:
        jmp g_spin
g_handler:
.w:     hlt
        cmp dword [guest_ticks], 0
        je .w
        vmcall
g_sti:
        sti
        nop
        hlt

        align 4
guest_ticks:    dd 0
host_vector:    dd 0
