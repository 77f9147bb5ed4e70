; SYNTAX TEST "source.vmx-nasm" "NASM: data, strings, macros, preprocessor"
%define IA32_VMX_BASIC 0x480
; <- punctuation.definition.directive.nasm
;^^^^^^ keyword.control.directive.preprocessor.nasm
;       ^^^^^^^^^^^^^^ entity.name.function.macro.nasm
;                      ^^^^^ constant.numeric.hex.nasm
%macro VMWRITE_IMM 2
;^^^^^ keyword.control.directive.preprocessor.nasm
;      ^^^^^^^^^^^ entity.name.function.macro.nasm
    mov rax, %1
;            ^^ variable.parameter.macro.nasm
    mov rbx, %2
    vmwrite rax, rbx
    jc %%failed
;      ^^^^^^^^ entity.name.label.macro-local.nasm
%%failed:
%endmacro
;^^^^^^^^ keyword.control.directive.preprocessor.nasm
%include "vmx.inc"
;^^^^^^^ keyword.control.directive.preprocessor.nasm
;        ^^^^^^^^^ string.quoted.double.nasm
    VMWRITE_IMM 0x6C00, host_rip
;   ^^^^^^^^^^^ entity.name.function.macro.call.nasm
msg db 'VMX ready', 13, 10, 0
; <--- entity.name.label.nasm
;   ^^ storage.type.data.nasm
;      ^^^^^^^^^^^ string.quoted.single.nasm
msg2: db `tab\there`, 0
;        ^^^^^^^^^^^ string.quoted.other.backtick.nasm
;            ^^ constant.character.escape.nasm
VMCS_SIZE equ 4096
; <--------- variable.other.constant.nasm
;         ^^^ keyword.other.directive.nasm
align 4096
; <----- keyword.other.directive.nasm
vmxon_region: times 4096 db 0
; <------------ entity.name.label.nasm
;             ^^^^^ keyword.other.directive.nasm
;                        ^^ storage.type.data.nasm
stack: resb 8192
;      ^^^^ storage.type.reserve.nasm
    dq $$ + 0x10
;   ^^ storage.type.data.nasm
;      ^^ variable.language.location.nasm
    dd 1.5e3
;      ^^^^^ constant.numeric.float.nasm
half dd __float32__(1.5), __FLOAT64__(2.0)
;       ^^^^^^^^^^^ support.function.nasm
;                         ^^^^^^^^^^^ support.function.nasm
%ideftok TOKEN 'mov eax, 1'
;^^^^^^^ keyword.control.directive.preprocessor.nasm
section .data follows=.text vstart=0x1000
;             ^^^^^^^ keyword.other.directive.argument.nasm
;                           ^^^^^^ keyword.other.directive.argument.nasm
