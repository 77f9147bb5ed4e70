; SYNTAX TEST "source.vmx-nasm" "NASM: VMX instructions, registers, numbers, labels"
bits 64
; <---- keyword.other.directive.nasm
[section .text]
; <- punctuation.definition.directive.begin.nasm
;^^^^^^^ keyword.other.directive.nasm
vmx_on:
; <------ entity.name.label.nasm
;     ^ punctuation.separator.label.nasm
    vmxon [rel vmxon_region]
;   ^^^^^ keyword.other.vmx.nasm
;          ^^^ storage.modifier.nasm
;              ^^^^^^^^^^^^ variable.other.symbol.nasm
    vmwrite rax, rbx
;   ^^^^^^^ keyword.other.vmx.nasm
;           ^^^ variable.language.register.nasm
;                ^^^ variable.language.register.nasm
    VMPTRLD [vmcs_region]
;   ^^^^^^^ keyword.other.vmx.nasm
    vmlaunch                ; enter the guest
;   ^^^^^^^^ keyword.other.vmx.nasm
;                           ^^^^^^^^^^^^^^^^^ comment.line.semicolon.nasm
    invvpid rax, [rdi]
;   ^^^^^^^ keyword.other.vmx.nasm
    mov ecx, 0x480
;   ^^^ keyword.other.instruction.nasm
;            ^^^^^ constant.numeric.hex.nasm
    mov eax, 480h
;            ^^^^ constant.numeric.hex.nasm
    mov eax, 0FFh
;            ^^^^ constant.numeric.hex.nasm
    mov al, 1010b
;           ^^^^^ constant.numeric.binary.nasm
    mov al, 0b1010
;           ^^^^^^ constant.numeric.binary.nasm
    mov al, 17q
;           ^^^ constant.numeric.octal.nasm
    mov al, 0o17
;           ^^^^ constant.numeric.octal.nasm
    mov eax, 1_000d
;            ^^^^^^ constant.numeric.decimal.nasm
    mov eax, 0x1234_5678
;            ^^^^^^^^^^^ constant.numeric.hex.nasm
    mov rax, cr0
;            ^^^ variable.language.register.nasm
    wrmsr
;   ^^^^^ keyword.other.system.nasm
    jz .fail
;   ^^ keyword.control.instruction.nasm
;      ^^^^^ entity.name.label.reference.local.nasm
.fail:
; <----- entity.name.label.nasm
    hlt
;   ^^^ keyword.other.system.nasm
    mov qword [rsp+8], 0
;       ^^^^^ storage.type.size.nasm
    jmp $
;       ^ variable.language.location.nasm
    rep stosb
;   ^^^ storage.modifier.prefix.nasm
;       ^^^^^ keyword.other.instruction.nasm
    mov eax, 0d99
;            ^^^^ constant.numeric.decimal.nasm
    mov eax, 99t
;            ^^^ constant.numeric.decimal.nasm
    mov eax, $0FF
;            ^^^^ constant.numeric.hex.nasm
    mov eax, 0h1F
;            ^^^^ constant.numeric.hex.nasm
    mov al, 0y101
;           ^^^^^ constant.numeric.binary.nasm
    mov al, 'A'
;           ^^^ string.quoted.single.nasm
    vmread [rel guest_rip], rax
;   ^^^^^^ keyword.other.vmx.nasm
;          ^ punctuation.definition.memory.nasm
    mov rax, [fs:rbx+rcx*8+0x10]
;             ^^ variable.language.register.nasm
;                    ^^^ variable.language.register.nasm
