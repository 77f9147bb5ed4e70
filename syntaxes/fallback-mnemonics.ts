// Mnemonic lists used by ./generate.ts ONLY while the encoder (assembler/encoder) does not yet export its
// own list. Once it does, the generator reads the encoder and these lists are ignored, so the grammars
// can never drift from what the assembler accepts.

export const FALLBACK_VMX = [
  "vmxon",
  "vmxoff",
  "vmclear",
  "vmptrld",
  "vmptrst",
  "vmread",
  "vmwrite",
  "vmlaunch",
  "vmresume",
  "vmcall",
  "vmfunc",
  "invept",
  "invvpid",
];

export const FALLBACK_SYSTEM = words(`
  lgdt lidt sgdt sidt lldt sldt ltr str lmsw smsw clts invlpg invpcid hlt cli sti cpuid rdmsr wrmsr rdtsc
  rdtscp rdpmc swapgs xsetbv xgetbv wbinvd invd lar lsl monitor mwait rsm verr verw rdfsbase rdgsbase
  wrfsbase wrgsbase clac stac xsave xsaveopt xrstor fxsave fxrstor fxsave64 fxrstor64 xsave64 xrstor64
  in out ins insb insw insd outs outsb outsw outsd getsec`);

export const FALLBACK_CONTROL = words(`
  jmp jmpf call callf ret retf retn iret iretd iretq int int1 int3 into syscall sysret sysretq sysenter
  sysexit loop loope loopz loopne loopnz jcxz jecxz jrcxz
  jo jno jb jnae jc jnb jae jnc je jz jne jnz jbe jna jnbe ja js jns jp jpe jnp jpo jl jnge jnl jge jle jng
  jnle jg`);

export const FALLBACK_GENERAL = words(`
  mov movabs movsx movsxd movzx movbe lea xchg xadd cmpxchg cmpxchg8b cmpxchg16b bswap push pop pusha pushad
  popa popad pushf pushfd pushfq popf popfd popfq lahf sahf
  add adc sub sbb imul mul idiv div inc dec neg cmp
  and or xor not test shl sal shr sar rol ror rcl rcr shld shrd bt bts btr btc bsf bsr tzcnt lzcnt popcnt
  andn bextr blsi blsmsk blsr bzhi pdep pext sarx shlx shrx rorx mulx adcx adox
  cbw cwde cdqe cwd cdq cqo clc stc cmc cld std
  movs movsb movsw movsd movsq cmps cmpsb cmpsw cmpsd cmpsq scas scasb scasw scasd scasq lods lodsb lodsw
  lodsd lodsq stos stosb stosw stosd stosq xlat xlatb
  enter leave nop pause ud0 ud1 ud2 lfence mfence sfence prefetch prefetchw prefetcht0 prefetcht1 prefetcht2
  prefetchnta clflush clflushopt clwb rdrand rdseed crc32 bound arpl daa das aaa aas aam aad salc
  lds les lfs lgs lss
  seto setno setb setnae setc setnb setae setnc sete setz setne setnz setbe setna setnbe seta sets setns setp
  setpe setnp setpo setl setnge setnl setge setle setng setnle setg
  cmovo cmovno cmovb cmovnae cmovc cmovnb cmovae cmovnc cmove cmovz cmovne cmovnz cmovbe cmovna cmovnbe cmova
  cmovs cmovns cmovp cmovpe cmovnp cmovpo cmovl cmovnge cmovnl cmovge cmovle cmovng cmovnle cmovg
  movd movq movdqa movdqu movaps movups movapd movupd movss movhlps movlhps movhps movlps movhpd movlpd
  movmskps movmskpd movntdq movnti movntps movntpd pxor por pand pandn paddb paddw paddd paddq psubb psubw
  psubd psubq pcmpeqb pcmpeqw pcmpeqd pshufd pshufb punpcklbw punpcklwd punpckldq punpcklqdq xorps xorpd
  andps andpd orps orpd addps addpd addss addsd subps subpd subss subsd mulps mulpd mulss mulsd divps divpd
  divss divsd sqrtps sqrtss sqrtsd cvtsi2sd cvtsi2ss cvttsd2si cvttss2si ldmxcsr stmxcsr emms
  fld fst fstp fild fist fistp fadd fsub fmul fdiv fxch fninit finit fnstcw fldcw fnstsw fwait wait
  fldz fld1 fabs fchs fcom fcomp fucom fucomi fcomi`);

/** Prefixes written as separate words before a mnemonic (both dialects; GAS adds data16 … rex64). */
export const FALLBACK_PREFIXES = words(`
  lock rep repe repz repne repnz xacquire xrelease bnd notrack
  data16 data32 addr16 addr32 rex64 rex o16 o32 o64 a16 a32 a64`);

/** AT&T spellings GNU as accepts in addition to the Intel names (used only in the GAS grammar). */
export const FALLBACK_ATT_ONLY = words(`
  movzbw movzbl movzbq movzwl movzwq movsbw movsbl movsbq movswl movswq movslq cbtw cwtl cltq cwtd cltd cqto
  lret lretq lretl lretw ljmp ljmpl ljmpq ljmpw lcall lcalll lcallq lcallw sysretl iretl iretw`);

function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w.length > 0);
}
