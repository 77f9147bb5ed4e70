// The C preprocessor subset of .S files: #include, #define (object and function-like), #if/#elif/#else,
// #ifdef/#ifndef, #undef.
#include "inc/vmx-consts.h"
#define LOOPS 3
/* comment */
        .code64
        movl $MSR_IA32_VMX_BASIC, %ecx
        rdmsr
#if LOOPS > 2 && defined(MSR_IA32_VMX_BASIC)
        .rept LOOPS
        nop
        .endr
#elif LOOPS == 1
        int3
#else
        hlt
#endif
#ifndef NOT_DEFINED
        VMWRITE_IMM(VMCS_GUEST_RIP, %rbx)
#endif
#undef LOOPS
#ifdef LOOPS
        ud2
#endif
