# SYNTAX TEST "source.vmx-gas" "GAS: directives, strings, comments, macros, constants"
    .section .data, "aw", @progbits
#   ^^^^^^^^ keyword.other.directive.gas
#                   ^^^^ string.quoted.double.gas
#                         ^^^^^^^^^ support.constant.section-type.gas
msg: .asciz "VMX on\n"
# <--- entity.name.label.gas
#    ^^^^^^ keyword.other.directive.gas
#           ^^^^^^^^^^ string.quoted.double.gas
#                  ^^ constant.character.escape.gas
    .quad 0x1122334455667788   // a 64-bit value
#   ^^^^^ keyword.other.directive.gas
#         ^^^^^^^^^^^^^^^^^^ constant.numeric.hex.gas
#                              ^^^^^^^^^^^^^^^^^^ comment.line.double-slash.gas
    .byte 'A, 10   # hash comment
#         ^^ constant.character.gas
#                  ^^^^^^^^^^^^^^ comment.line.number-sign.gas
/* a block
#  ^^^^^^^ comment.block.gas
   comment */ .long 3
#  ^^^^^^^^^^ comment.block.gas
#             ^^^^^ keyword.other.directive.gas
    .equ VMCS_LINK, 0x2800
#   ^^^^ keyword.other.directive.gas
#                   ^^^^^^ constant.numeric.hex.gas
REVISION = 4
# <-------- variable.other.constant.gas
#        ^ keyword.operator.assignment.gas
    .macro VMWRITE_IMM field, value
#   ^^^^^^ keyword.other.directive.gas
#          ^^^^^^^^^^^ entity.name.function.macro.gas
    mov $\field, %rax
#        ^^^^^^ variable.parameter.macro.gas
    .endm
#   ^^^^^ keyword.other.directive.gas
    VMWRITE_IMM 0x6C00, host_rip
#   ^^^^^^^^^^^ entity.name.function.macro.call.gas
#include "vmx.h"
# <- punctuation.definition.directive.gas
#^^^^^^^ keyword.control.directive.preprocessor.gas
#        ^^^^^^^ string.quoted.double.gas
    .intel_syntax noprefix
#   ^^^^^^^^^^^^^ keyword.other.directive.gas
#                 ^^^^^^^^ keyword.other.directive.argument.gas
    vmwrite rax, qword ptr [rbx+8]
#   ^^^^^^^ keyword.other.vmx.gas
#           ^^^ variable.language.register.gas
#                ^^^^^ storage.type.size.gas
#                      ^^^ storage.type.size.gas
#                           ^^^ variable.language.register.gas
    .float 0f1.5e3
#          ^^^^^^^ constant.numeric.float.gas
    # if CF is set here, VMXON failed
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.number-sign.gas
# else: a comment that starts with a preprocessor word
# <------------------------------------------------------ comment.line.number-sign.gas
#ifdef DEBUG
# <- punctuation.definition.directive.gas
#^^^^^ keyword.control.directive.preprocessor.gas
