#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <dlfcn.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/user.h>
#include <sys/uio.h>
#include <elf.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
static unsigned long lib_base(pid_t pid, const char *name) {
    char p[64], line[512]; unsigned long b = 0; snprintf(p, sizeof p, "/proc/%d/maps", pid);
    FILE *f = fopen(p, "r"); if (!f) return 0;
    while (fgets(line, sizeof line, f)) { unsigned long s, off; char perm[8];
        if (strstr(line, name) && sscanf(line, "%lx-%*lx %7s %lx", &s, perm, &off) == 3 && off == 0) { b = s; break; } }
    fclose(f); return b;
}
int main(int argc, char **argv) {
    pid_t pid = atoi(argv[1]); const char *so = argv[2];
    double t0 = now();
    pid_t tids[256]; int n = 0; char p[64]; snprintf(p, sizeof p, "/proc/%d/task", pid);
    DIR *d = opendir(p); struct dirent *e;
    while ((e = readdir(d))) if (e->d_name[0] != '.') tids[n++] = atoi(e->d_name);
    closedir(d);
    for (int i = 0; i < n; i++) {
        if (ptrace(PTRACE_SEIZE, tids[i], 0, 0) < 0) { fprintf(stderr, "SEIZE %d: %s\n", tids[i], strerror(errno)); return 1; }
        ptrace(PTRACE_INTERRUPT, tids[i], 0, 0);
    }
    for (int i = 0; i < n; i++) { int st; waitpid(tids[i], &st, __WALL);
        fprintf(stderr, "tid %d stopped: sig=%d event=%d\n", tids[i], WSTOPSIG(st), st >> 16); }
    pid_t t = pid; /* main thread */
    struct user_regs_struct save, r; ptrace(PTRACE_GETREGS, t, 0, &save);
    static char xs[4096]; struct iovec xv = { xs, sizeof xs };
    if (ptrace(PTRACE_GETREGSET, t, NT_X86_XSTATE, &xv) < 0) perror("GETREGSET xstate");
    fprintf(stderr, "main: rip=%llx rax=%lld orig_rax=%lld\n", save.rip, (long long)save.rax, (long long)save.orig_rax);
    unsigned long my = lib_base(getpid(), "/libc.so.6"), their = lib_base(pid, "/libc.so.6");
    unsigned long fn = (unsigned long)dlsym(RTLD_DEFAULT, "dlopen") - my + their;
    r = save;
    unsigned long sp = (save.rsp - 256 - 512) & ~15UL;   /* below red zone */
    size_t len = strlen(so) + 1; unsigned long str = sp;
    for (size_t k = 0; k < len; k += 8) { long w = 0; memcpy(&w, so + k, len - k < 8 ? len - k : 8);
        ptrace(PTRACE_POKEDATA, t, str + k, w); }
    sp = (str - 64) & ~15UL; sp -= 8; ptrace(PTRACE_POKEDATA, t, sp, 0); /* return address 0 */
    r.rsp = sp; r.rip = fn; r.rdi = str; r.rsi = RTLD_NOW; r.rax = 0; r.orig_rax = -1;
    ptrace(PTRACE_SETREGS, t, 0, &r);
    ptrace(PTRACE_CONT, t, 0, 0);
    int st; for (;;) { waitpid(t, &st, __WALL);
        if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGSEGV) break;
        fprintf(stderr, "unexpected stop sig=%d ev=%d\n", WSTOPSIG(st), st >> 16);
        ptrace(PTRACE_CONT, t, 0, WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st)); }
    ptrace(PTRACE_GETREGS, t, 0, &r);
    fprintf(stderr, "dlopen returned %llx, rip=%llx\n", r.rax, r.rip);
    ptrace(PTRACE_SETREGS, t, 0, &save);
    ptrace(PTRACE_SETREGSET, t, NT_X86_XSTATE, &xv);
    for (int i = 0; i < n; i++) ptrace(PTRACE_DETACH, tids[i], 0, 0);
    fprintf(stderr, "injection took %.1f ms\n", (now() - t0) * 1e3);
    return 0;
}
