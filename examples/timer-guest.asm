; timer-guest.asm - the host takes the processor back from a guest that never gives it up, with the PC's timer:
; the way a hypervisor schedules. The host programs the 8259A interrupt controllers (IRQ0 at vector 20h, every
; other line masked) and the 8254 timer (channel 0, rate generator, about 1 kHz), and runs its guest with
; "external-interrupt exiting" (SDM 24.6.1) and "acknowledge interrupt on exit" (SDM 24.7.1). The guest spins
; with interrupts disabled; every timer interrupt is a VM exit all the same (exit reason 1; RFLAGS.IF does not
; block interrupts under that control), and the VM-exit interruption information holds the vector the
; processor acknowledged (SDM 27.2.2). The host counts the tick, ends the interrupt at the PIC (EOI) and resumes
; the guest; at the third tick it points the guest at its last instruction, a HLT, and the run ends there.
;
; Run it:   vmx run examples/timer-guest.asm
;
; The host is examples/hypervisor.asm; this file changes the guest (GUEST_VARIANT), adds the two controls and
; handles exit reason 1 (EXTERNAL_INTERRUPT_HANDLER). The emulator's timer counts in instruction time (one PIT
; clock every 4 instructions), so the ticks come at the same instruction on every run.

%define GUEST_VARIANT setup_timer_guest
%define EXTRA_PIN_CONTROLS 1                    ; external-interrupt exiting (bit 0)
%define EXTRA_EXIT_CONTROLS (1 << 15)           ; acknowledge interrupt on exit
%define EXTERNAL_INTERRUPT_HANDLER timer_exit

        bits 64
        org 0x100000
        jmp start

TIMER_VECTOR    equ 0x20                        ; IRQ0 after the PIC's initialization below
PIT_HZ          equ 1193182                     ; the 8254's input clock
TICK_HZ         equ 1000
TICKS           equ 3                           ; timer exits before the host stops the guest
EXIT_INTR_INFO  equ 0x4404                      ; VM-exit interruption information (SDM 24.9.2)

setup_timer_guest:
        ; 8259A pair (ICW1-ICW4): master vectors 20h-27h, slave 28h-2Fh, slave on IR2, 8086 mode
        mov al, 0x11
        out 0x20, al
        out 0xA0, al
        mov al, TIMER_VECTOR
        out 0x21, al
        mov al, TIMER_VECTOR + 8
        out 0xA1, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x02
        out 0xA1, al
        mov al, 0x01
        out 0x21, al
        out 0xA1, al
        mov al, 0xFE                            ; OCW1: only IRQ0 (the timer)
        out 0x21, al
        mov al, 0xFF
        out 0xA1, al
        ; 8254 channel 0: LSB then MSB, mode 2 (rate generator), a count for TICK_HZ
        mov al, 0x34
        out 0x43, al
        mov ax, PIT_HZ / TICK_HZ
        out 0x40, al
        mov al, ah
        out 0x40, al
        ; the guest: RFLAGS.IF = 0 (the reset value 2), starting at timer_guest
        mov rdi, GUEST_RIP
        lea rsi, [rel timer_guest]
        call vmw
        ret

; exit reason 1: print the tick, EOI, resume; at the last tick, send the guest to its HLT
timer_exit:
        mov eax, EXIT_INTR_INFO
        vmread rbx, rax
        jbe vmread_failed
        inc qword [rel ticks]
        lea rsi, [rel msg_tick]
        call puts
        mov rax, [rel ticks]
        call put_dec
        lea rsi, [rel msg_vector]
        call puts
        movzx eax, bl                           ; bits 7:0: the vector
        call put_hex
        lea rsi, [rel msg_info]
        call puts
        mov eax, ebx
        call put_hex
        call newline
        mov al, 0x20                            ; OCW2: non-specific EOI, so IRQ0 can come again
        out 0x20, al
        cmp qword [rel ticks], TICKS
        jb .resume
        mov rdi, GUEST_RIP
        lea rsi, [rel timer_guest.stop]
        call vmw
.resume:
        mov eax, 1                              ; resume the guest where it was preempted
        ret

ticks:          dq 0
msg_tick:       db "host: timer tick ", 0
msg_vector:     db ", vector ", 0
msg_info:       db ", interruption information ", 0

; ---- the guest: spins with interrupts disabled ------------------------------------------------------------
timer_guest:
        lea rsi, [rel g_spin]
        call puts
.spin:  inc rbx
        pause
        jmp .spin
.stop:  lea rsi, [rel g_stopped]
        call puts
        hlt
g_spin:         db "guest: spinning with interrupts disabled", 10, 0
g_stopped:      db "guest: stopped by the host", 10, 0

%include "hypervisor.asm"
