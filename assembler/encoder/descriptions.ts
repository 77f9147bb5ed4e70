// One-line summaries of every instruction the encoder knows, for hovers and completion details
// (wording ours, after the SDM Vol. 2 instruction reference titles).

const TEXT = `
add: Add
or: Logical inclusive OR
adc: Add with carry
sbb: Subtract with borrow
and: Logical AND
sub: Subtract
xor: Logical exclusive OR
cmp: Compare two operands (subtract, set flags only)
mov: Move; also moves to/from segment, control (CR0–CR8) and debug registers
movabs: Move a 64-bit immediate or to/from a 64-bit absolute address (GNU as)
test: Logical compare (AND, set flags only)
xchg: Exchange register/memory with register (implicitly locked with memory)
inc: Increment by 1
dec: Decrement by 1
not: One's complement negation
neg: Two's complement negation
mul: Unsigned multiply into rDX:rAX
imul: Signed multiply
div: Unsigned divide rDX:rAX
idiv: Signed divide rDX:rAX
rol: Rotate left
ror: Rotate right
rcl: Rotate left through carry
rcr: Rotate right through carry
shl: Shift left
shr: Logical shift right
sal: Arithmetic shift left (same as SHL)
sar: Arithmetic shift right
shld: Double-precision shift left
shrd: Double-precision shift right
bt: Bit test (into CF)
bts: Bit test and set
btr: Bit test and reset
btc: Bit test and complement
bsf: Bit scan forward
bsr: Bit scan reverse
popcnt: Count set bits
lzcnt: Count leading zero bits
tzcnt: Count trailing zero bits
bswap: Byte swap a 32/64-bit register
cmpxchg: Compare with the accumulator and exchange
xadd: Exchange and add
cmpxchg8b: Compare EDX:EAX with m64 and exchange with ECX:EBX
cmpxchg16b: Compare RDX:RAX with m128 and exchange with RCX:RBX
movzx: Move with zero-extension
movsx: Move with sign-extension
movsxd: Move doubleword with sign-extension to 64 bits
lea: Load effective address
lds: Load far pointer into DS:reg
les: Load far pointer into ES:reg
lss: Load far pointer into SS:reg
lfs: Load far pointer into FS:reg
lgs: Load far pointer into GS:reg
jmp: Jump (near relative, indirect, or far)
call: Call procedure (near relative, indirect, or far)
loop: Decrement rCX; jump if not zero
loope: Decrement rCX; jump if not zero and ZF=1
loopz: Decrement rCX; jump if not zero and ZF=1
loopne: Decrement rCX; jump if not zero and ZF=0
loopnz: Decrement rCX; jump if not zero and ZF=0
jcxz: Jump if CX is zero
jecxz: Jump if ECX is zero
jrcxz: Jump if RCX is zero
ret: Near return (optionally releasing stack bytes)
retn: Near return (NASM spelling)
retf: Far return
push: Push onto the stack
pop: Pop from the stack
pusha: Push all 16/32-bit general registers
pushaw: Push all 16-bit general registers
pushad: Push all 32-bit general registers
popa: Pop all 16/32-bit general registers
popaw: Pop all 16-bit general registers
popad: Pop all 32-bit general registers
pushf: Push rFLAGS
pushfw: Push FLAGS
pushfd: Push EFLAGS
pushfq: Push RFLAGS
popf: Pop rFLAGS
popfw: Pop FLAGS
popfd: Pop EFLAGS
popfq: Pop RFLAGS
enter: Make a stack frame
leave: Release a stack frame
cbw: Sign-extend AL into AX
cwde: Sign-extend AX into EAX
cdqe: Sign-extend EAX into RAX
cwd: Sign-extend AX into DX:AX
cdq: Sign-extend EAX into EDX:EAX
cqo: Sign-extend RAX into RDX:RAX
xlatb: Table look-up translation (AL = [rBX + AL])
xlat: Table look-up translation (AL = [rBX + AL])
lahf: Load status flags into AH
sahf: Store AH into the status flags
clc: Clear the carry flag
stc: Set the carry flag
cmc: Complement the carry flag
cld: Clear the direction flag
std: Set the direction flag
cli: Clear the interrupt flag
sti: Set the interrupt flag (interrupts enabled after the next instruction)
hlt: Halt until an interrupt (VM exit with HLT exiting)
nop: No operation (multi-byte form takes a memory operand)
pause: Spin-loop hint (VM exit with PAUSE exiting / PAUSE-loop exiting)
int3: Breakpoint trap (#BP)
int: Software interrupt
into: Interrupt 4 if OF=1
int1: Debug trap (ICEBP, #DB)
icebp: Debug trap (INT1, #DB)
iret: Interrupt return
iretw: 16-bit interrupt return
iretd: 32-bit interrupt return
iretq: 64-bit interrupt return
ud2: Undefined instruction (#UD)
ud1: Undefined instruction with a ModRM operand (#UD)
ud0: Undefined instruction with a ModRM operand (#UD)
movbe: Move with byte swap
bound: Check an array index against bounds
arpl: Adjust the RPL field of a segment selector
daa: Decimal adjust AL after addition
das: Decimal adjust AL after subtraction
aaa: ASCII adjust after addition
aas: ASCII adjust after subtraction
aam: ASCII adjust AX after multiply
aad: ASCII adjust AX before divide
salc: Set AL from the carry flag (undocumented)
cpuid: CPU identification (always causes a VM exit in VMX non-root operation)
movsb: Move string byte
movsw: Move string word
movsd: Move string doubleword, or move scalar double-precision value (SSE2)
movsq: Move string quadword
cmpsb: Compare string bytes
cmpsw: Compare string words
cmpsd: Compare string doublewords
cmpsq: Compare string quadwords
stosb: Store AL to string
stosw: Store AX to string
stosd: Store EAX to string
stosq: Store RAX to string
lodsb: Load string byte into AL
lodsw: Load string word into AX
lodsd: Load string doubleword into EAX
lodsq: Load string quadword into RAX
scasb: Scan string for AL
scasw: Scan string for AX
scasd: Scan string for EAX
scasq: Scan string for RAX
insb: Input byte from port DX to string
insw: Input word from port DX to string
insd: Input doubleword from port DX to string
outsb: Output string byte to port DX
outsw: Output string word to port DX
outsd: Output string doubleword to port DX
in: Input from port (VM exit with I/O exiting / I/O bitmaps)
out: Output to port (VM exit with I/O exiting / I/O bitmaps)
sgdt: Store the GDTR
sidt: Store the IDTR
lgdt: Load the GDTR
lidt: Load the IDTR
smsw: Store the machine status word (CR0 low bits)
lmsw: Load the machine status word (CR0 bits 0–3)
invlpg: Invalidate the TLB entries for a page
sldt: Store the LDTR selector
str: Store the task register selector
lldt: Load the LDTR
ltr: Load the task register
verr: Verify a segment for reading
verw: Verify a segment for writing
lar: Load access rights
lsl: Load segment limit
clts: Clear the task-switched flag in CR0
invd: Invalidate caches without writeback
wbinvd: Write back and invalidate caches
wrmsr: Write MSR ECX from EDX:EAX
rdtsc: Read the time-stamp counter into EDX:EAX
rdmsr: Read MSR ECX into EDX:EAX
rdpmc: Read performance-monitoring counter ECX
sysenter: Fast system call (IA32_SYSENTER_* MSRs)
sysexit: Fast return from SYSENTER
sysexitq: Fast return from SYSENTER to 64-bit code
syscall: Fast system call (STAR/LSTAR MSRs)
sysret: Return from SYSCALL
sysretq: Return from SYSCALL to 64-bit code
rsm: Resume from system-management mode
swapgs: Swap GS base with IA32_KERNEL_GS_BASE
rdtscp: Read the time-stamp counter and IA32_TSC_AUX
monitor: Set up a monitored address range (rAX)
mwait: Wait on the monitored range
clac: Clear AC (SMAP)
stac: Set AC (SMAP)
xgetbv: Read extended control register ECX into EDX:EAX
xsetbv: Write extended control register ECX from EDX:EAX
rdpkru: Read the protection-key rights register
wrpkru: Write the protection-key rights register
serialize: Serialize instruction execution
wbnoinvd: Write back caches without invalidating
getsec: Safer-mode (SMX) function leaf EAX
rdpid: Read the processor ID (IA32_TSC_AUX)
xsaves: Save processor extended states, supervisor included
xsaves64: Save processor extended states, supervisor included (64-bit form)
xrstors: Restore processor extended states, supervisor included
xrstors64: Restore processor extended states, supervisor included (64-bit form)
xsavec: Save processor extended states, compacted
xsavec64: Save processor extended states, compacted (64-bit form)
vmrun: AMD SVM: run the guest whose VMCB is at rAX
vmload: AMD SVM: load guest state from the VMCB
vmsave: AMD SVM: save guest state to the VMCB
skinit: AMD: secure init and jump with attestation
invlpga: AMD SVM: invalidate a TLB entry in an ASID
vmmcall: AMD SVM: call the VMM
stgi: AMD SVM: set the global interrupt flag
clgi: AMD SVM: clear the global interrupt flag
invpcid: Invalidate TLB entries by PCID (type in the register, descriptor in m128)
rdrand: Read a hardware random number
rdseed: Read a random seed
rdfsbase: Read the FS base
rdgsbase: Read the GS base
wrfsbase: Write the FS base
wrgsbase: Write the GS base
lfence: Load fence
mfence: Memory fence
sfence: Store fence
clflush: Flush a cache line
clflushopt: Flush a cache line (optimized ordering)
clwb: Write back a cache line
movnti: Non-temporal store of a doubleword/quadword
prefetchnta: Prefetch, non-temporal
prefetcht0: Prefetch into all cache levels
prefetcht1: Prefetch into level 2 and up
prefetcht2: Prefetch into level 3 and up
prefetchw: Prefetch with intent to write
endbr64: End branch (CET indirect-branch tracking), 64-bit
endbr32: End branch (CET indirect-branch tracking), 32-bit
fxsave: Save x87/MMX/SSE state (512 bytes)
fxsave64: Save x87/MMX/SSE state with 64-bit pointers
fxrstor: Restore x87/MMX/SSE state
fxrstor64: Restore x87/MMX/SSE state with 64-bit pointers
ldmxcsr: Load MXCSR
stmxcsr: Store MXCSR
xsave: Save processor extended states (XCR0 & EDX:EAX mask)
xsave64: Save processor extended states (64-bit form)
xrstor: Restore processor extended states
xrstor64: Restore processor extended states (64-bit form)
xsaveopt: Save processor extended states, optimized
xsaveopt64: Save processor extended states, optimized (64-bit form)
vmxon: Enter VMX operation (m64 = physical address of the VMXON region)
vmclear: Clear a VMCS (m64 = its physical address): launch state clear, data flushed
vmptrld: Make the VMCS at m64 current
vmptrst: Store the current-VMCS pointer to m64
vmread: Read the current-VMCS field encoded in the source register
vmwrite: Write the current-VMCS field encoded in the destination register
vmlaunch: Launch the guest of the current (clear) VMCS
vmresume: Resume the guest of the current (launched) VMCS
vmxoff: Leave VMX operation
vmcall: Call the VMM (VM exit in non-root operation)
vmfunc: Invoke VM function EAX (e.g. EPTP switching)
invept: Invalidate EPT-derived translations (type in the register, descriptor in m128)
invvpid: Invalidate translations by VPID (type in the register, descriptor in m128)
movaps: Move aligned packed single-precision values
movups: Move unaligned packed single-precision values
movapd: Move aligned packed double-precision values
movupd: Move unaligned packed double-precision values
movdqa: Move aligned 128-bit integer data
movdqu: Move unaligned 128-bit integer data
movntdq: Non-temporal store of 128-bit integer data
movntps: Non-temporal store of packed single-precision values
movntdqa: Non-temporal aligned load of 128-bit data
movss: Move scalar single-precision value
movd: Move doubleword to/from an XMM or MMX register
movq: Move quadword to/from an XMM or MMX register
pxor: Logical XOR of 128-bit integer data
xorps: Logical XOR of packed single-precision values
emms: Empty the MMX state
fninit: Initialize the x87 FPU (no wait)
finit: Initialize the x87 FPU
fnclex: Clear x87 exceptions (no wait)
fclex: Clear x87 exceptions
fwait: Wait for pending x87 exceptions
wait: Wait for pending x87 exceptions
fnstsw: Store the x87 status word (no wait)
fstsw: Store the x87 status word
fnstcw: Store the x87 control word (no wait)
fstcw: Store the x87 control word
fldcw: Load the x87 control word
fnsave: Save the x87 state and reinitialize (no wait)
fsave: Save the x87 state and reinitialize
frstor: Restore the x87 state
xend: End a transactional (RTM) region
xtest: Test whether in a transactional region
xabort: Abort a transactional region with an 8-bit code
xbegin: Begin a transactional region (fallback address as the operand)
encls: SGX supervisor leaf function EAX
enclu: SGX user leaf function EAX
enclv: SGX virtualization leaf function EAX
pconfig: Platform configuration leaf function EAX
tdcall: TDX: call the TDX module from a trust-domain guest
seamcall: TDX: call the TDX module from the VMM
seamret: TDX: return from the TDX module to the VMM
seamops: TDX: SEAM operations leaf function RAX
lock: LOCK prefix (F0): atomic read-modify-write of the memory operand
rep: REP prefix (F3): repeat the string instruction rCX times
repe: REPE prefix (F3): repeat while equal and rCX ≠ 0
repz: REPZ prefix (F3): repeat while zero and rCX ≠ 0
repne: REPNE prefix (F2): repeat while not equal and rCX ≠ 0
repnz: REPNZ prefix (F2): repeat while not zero and rCX ≠ 0
xacquire: XACQUIRE prefix (F2): hardware lock elision start
xrelease: XRELEASE prefix (F3): hardware lock elision end
es: ES segment-override prefix (26)
cs: CS segment-override prefix (2E)
ss: SS segment-override prefix (36)
ds: DS segment-override prefix (3E)
fs: FS segment-override prefix (64)
gs: GS segment-override prefix (65)
o16: Operand-size prefix for 16-bit operands (66 outside 16-bit code)
o32: Operand-size prefix for 32-bit operands (66 in 16-bit code)
a16: Address-size prefix for 16-bit addresses (67 in 32-bit code)
a32: Address-size prefix for 32-bit addresses (67 in 16- and 64-bit code)
data16: Operand-size prefix (66)
data32: Operand-size prefix (66)
addr16: Address-size prefix (67)
addr32: Address-size prefix (67)
bnd: BND prefix (F2)
notrack: NOTRACK prefix (3E): no CET indirect-branch tracking for this branch
rex: REX prefix (40)
rex64: REX.W prefix (48): 64-bit operand size
`;

const CONDITION_TEXT: Record<string, string> = {
  o: "overflow (OF=1)",
  no: "not overflow (OF=0)",
  b: "below (CF=1)",
  c: "carry (CF=1)",
  nae: "not above or equal (CF=1)",
  ae: "above or equal (CF=0)",
  nb: "not below (CF=0)",
  nc: "not carry (CF=0)",
  e: "equal (ZF=1)",
  z: "zero (ZF=1)",
  ne: "not equal (ZF=0)",
  nz: "not zero (ZF=0)",
  be: "below or equal (CF=1 or ZF=1)",
  na: "not above (CF=1 or ZF=1)",
  a: "above (CF=0 and ZF=0)",
  nbe: "not below or equal (CF=0 and ZF=0)",
  s: "sign (SF=1)",
  ns: "not sign (SF=0)",
  p: "parity (PF=1)",
  pe: "parity even (PF=1)",
  np: "not parity (PF=0)",
  po: "parity odd (PF=0)",
  l: "less (SF≠OF)",
  nge: "not greater or equal (SF≠OF)",
  ge: "greater or equal (SF=OF)",
  nl: "not less (SF=OF)",
  le: "less or equal (ZF=1 or SF≠OF)",
  ng: "not greater (ZF=1 or SF≠OF)",
  g: "greater (ZF=0 and SF=OF)",
  nle: "not less or equal (ZF=0 and SF=OF)",
};

const SUMMARIES = new Map<string, string>();
for (const line of TEXT.split("\n")) {
  const i = line.indexOf(": ");
  if (i > 0) SUMMARIES.set(line.slice(0, i), line.slice(i + 2));
}

/** The one-line summary of an Intel mnemonic, or undefined. */
export function describeMnemonic(mnemonic: string): string | undefined {
  const direct = SUMMARIES.get(mnemonic);
  if (direct) return direct;
  if (/^rex\.[wrxb]+$/.test(mnemonic))
    return `REX prefix with ${mnemonic.slice(4).toUpperCase().split("").join(", ")} set`;
  for (const [prefix, verb] of [
    ["cmov", "Move if"],
    ["set", "Set byte if"],
    ["j", "Jump if"],
  ] as const) {
    if (mnemonic.startsWith(prefix)) {
      const cc = CONDITION_TEXT[mnemonic.slice(prefix.length)];
      if (cc) return `${verb} ${cc}`;
    }
  }
  return undefined;
}
