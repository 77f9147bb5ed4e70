# SYNTAX TEST "source.vmx-gas" "GAS: VMX instructions, registers, immediates, labels"
    .code64
#   ^^^^^^^ keyword.other.directive.gas
vmx_on:
# <------ entity.name.label.gas
#     ^ punctuation.separator.label.gas
    vmxon (%rax)
#   ^^^^^ keyword.other.vmx.gas
#          ^ punctuation.definition.register.gas
#           ^^^ variable.language.register.gas
    vmwrite %rbx, %rax
#   ^^^^^^^ keyword.other.vmx.gas
#            ^^^ variable.language.register.gas
    vmread %rax, (%rbx)
#   ^^^^^^ keyword.other.vmx.gas
    VMLAUNCH
#   ^^^^^^^^ keyword.other.vmx.gas
    vmresume; vmcall
#   ^^^^^^^^ keyword.other.vmx.gas
#           ^ punctuation.separator.statement.gas
#             ^^^^^^ keyword.other.vmx.gas
    invept (%rdi), %rsi
#   ^^^^^^ keyword.other.vmx.gas
    movq $0x6C00, %rax
#   ^^^^ keyword.other.instruction.gas
#        ^ punctuation.definition.immediate.gas
#         ^^^^^^ constant.numeric.hex.gas
    movl $0b1011, %ecx
#         ^^^^^^ constant.numeric.binary.gas
    mov $0755, %edx
#        ^^^^ constant.numeric.octal.gas
    mov $42, %r8d
#        ^^ constant.numeric.decimal.gas
#             ^^^ variable.language.register.gas
    rdmsr
#   ^^^^^ keyword.other.system.gas
    mov %cr4, %rax
#        ^^^ variable.language.register.gas
    jnc 1f
#   ^^^ keyword.control.instruction.gas
#       ^^ entity.name.label.reference.local.gas
1:  hlt
# <- entity.name.label.gas
#   ^^^ keyword.other.system.gas
    callq handler
#   ^^^^^ keyword.control.instruction.gas
#         ^^^^^^^ variable.other.symbol.gas
    rep movsb
#   ^^^ storage.modifier.prefix.gas
#       ^^^^^ keyword.other.instruction.gas
    lock cmpxchg %rcx, (%rdx)
#   ^^^^ storage.modifier.prefix.gas
#        ^^^^^^^ keyword.other.instruction.gas
.Lloop: jmp .Lloop
# <------ entity.name.label.gas
#       ^^^ keyword.control.instruction.gas
#           ^^^^^^ variable.other.symbol.gas
    movzbl (%rsi), %eax
#   ^^^^^^ keyword.other.instruction.gas
    ljmp $0x08, $1f
#   ^^^^ keyword.control.instruction.gas
    mov $0X1F, %al
#        ^^^^ constant.numeric.hex.gas
    mov %fs:0x10(%rbx,%rcx,8), %rax
#        ^^ variable.language.register.gas
#                 ^^^ variable.language.register.gas
#                      ^^^ variable.language.register.gas
    outb %al, %dx
#   ^^^^ keyword.other.system.gas
    vmptrld vmcs_ptr(%rip)
#   ^^^^^^^ keyword.other.vmx.gas
#           ^^^^^^^^ variable.other.symbol.gas
#                     ^^^ variable.language.register.gas
