/*
 * Native side of the emulator's differential test: executes register-only instruction sequences on this
 * machine's processor and dumps the registers and RFLAGS afterwards.
 *
 * stdin:  u32 count, then per case: u8 length, u8 code[64], u64 regs[16] (rsp ignored), u64 rflags,
 *         u8 window[136] (memory at WINDOW)
 * stdout: per case: u64 regs[16], u64 rflags, u64 signal (0 = completed, else SIGFPE/SIGILL/SIGSEGV …),
 *         u8 window[136]
 *
 * Built by the test with the system C compiler (gcc) at test time; x86-64 Linux only.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef struct {
  uint64_t r[16];
  uint64_t flags;
} State;

State g_state;
void *g_code;
static sigjmp_buf g_jmp;
#define WINDOW 0x10000800UL
#define WINDOW_SIZE 136
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE MAP_FIXED
#endif

void run_case(void);
__asm__(
    ".text\n"
    ".globl run_case\n"
    "run_case:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  lea g_state(%rip), %rax\n"
    "  pushq 128(%rax)\n"
    "  popfq\n"
    "  mov 8(%rax), %rcx\n mov 16(%rax), %rdx\n mov 24(%rax), %rbx\n mov 40(%rax), %rbp\n"
    "  mov 48(%rax), %rsi\n mov 56(%rax), %rdi\n mov 64(%rax), %r8\n mov 72(%rax), %r9\n"
    "  mov 80(%rax), %r10\n mov 88(%rax), %r11\n mov 96(%rax), %r12\n mov 104(%rax), %r13\n"
    "  mov 112(%rax), %r14\n mov 120(%rax), %r15\n mov 0(%rax), %rax\n"
    "  call *g_code(%rip)\n"
    "  pushfq\n"
    "  push %rax\n"
    "  lea g_state(%rip), %rax\n"
    "  popq 0(%rax)\n"
    "  popq 128(%rax)\n"
    "  mov %rcx, 8(%rax)\n mov %rdx, 16(%rax)\n mov %rbx, 24(%rax)\n mov %rbp, 40(%rax)\n"
    "  mov %rsi, 48(%rax)\n mov %rdi, 56(%rax)\n mov %r8, 64(%rax)\n mov %r9, 72(%rax)\n"
    "  mov %r10, 80(%rax)\n mov %r11, 88(%rax)\n mov %r12, 96(%rax)\n mov %r13, 104(%rax)\n"
    "  mov %r14, 112(%rax)\n mov %r15, 120(%rax)\n"
    "  cld\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");

static void on_signal(int sig) { siglongjmp(g_jmp, sig); }

int main(void) {
  uint32_t count;
  if (fread(&count, 4, 1, stdin) != 1) return 1;
  unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 2;
  g_code = page;
  unsigned char *data = mmap((void *)(WINDOW & ~0xfffUL), 4096, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (data != (void *)(WINDOW & ~0xfffUL)) return 4;
  unsigned char *window = (unsigned char *)WINDOW;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGFPE, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  sigaction(SIGTRAP, &sa, NULL);
  for (uint32_t k = 0; k < count; k++) {
    unsigned char len, code[64];
    State in;
    if (fread(&len, 1, 1, stdin) != 1 || fread(code, 64, 1, stdin) != 1 || fread(&in, sizeof in, 1, stdin) != 1 ||
        fread(window, WINDOW_SIZE, 1, stdin) != 1)
      return 3;
    memcpy(page, code, len);
    page[len] = 0xc3;
    g_state = in;
    uint64_t sig = (uint64_t)sigsetjmp(g_jmp, 1);
    if (sig == 0) run_case();
    else g_state = in;
    fwrite(&g_state, sizeof g_state, 1, stdout);
    fwrite(&sig, 8, 1, stdout);
    fwrite(window, WINDOW_SIZE, 1, stdout);
  }
  return 0;
}
