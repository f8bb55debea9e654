/* The seccomp benchmark: what a filter costs per system call. A tight loop of a cheap call, syscall(SYS_getppid),
 * timed in batches; prints the median and p90 of the batches in nanoseconds per call. Usage:
 *   syscall_loop MODE CALLS BATCHES
 * MODE: "none" (whatever filter the process already has: none, or one it inherited from `./jbang lab08 sandbox` or
 * from Docker's default profile); "filter" (first installs a filter shaped like lab08's: the architecture checked,
 * x32 calls and mkdir, mkdirat denied with EPERM, everything else allowed: prctl(PR_SET_NO_NEW_PRIVS) then
 * seccomp(SECCOMP_SET_MODE_FILTER)); "denied" (the same filter, and the loop makes mkdir("/"), which the filter
 * answers with EPERM, so the whole filter runs every time). Exit 1 when a filter that should refuse mkdir does not. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "x86_64 or aarch64"
#endif

static void install(void) {
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __NR_mkdir
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 3, 0), /* x32 calls: denied */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mkdir, 2, 0),
#else
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mkdirat, 2, 0), /* aarch64 has no mkdir: the same length */
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mkdirat, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    };
    struct sock_fprog prog = {sizeof f / sizeof f[0], f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("prctl(PR_SET_NO_NEW_PRIVS)"); exit(1); }
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) { perror("seccomp"); exit(1); }
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static long mkdir_root(void) {
#ifdef __NR_mkdir
    return syscall(SYS_mkdir, "/", 0755);
#else
    return syscall(SYS_mkdirat, -100, "/", 0755);
#endif
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s none|filter|denied CALLS BATCHES\n", argv[0]);
        return 2;
    }
    int denied = !strcmp(argv[1], "denied");
    if (denied || !strcmp(argv[1], "filter")) {
        install();
        if (mkdir_root() == 0 || errno != EPERM) { fprintf(stderr, "the filter did not refuse mkdir with EPERM\n"); return 1; }
    } else if (strcmp(argv[1], "none")) {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    long calls = atol(argv[2]);
    int batches = atoi(argv[3]);
    if (calls <= 0 || batches <= 0) { fprintf(stderr, "CALLS and BATCHES are positive numbers\n"); return 2; }
    double *ns = calloc(batches, sizeof *ns);
    for (int i = 0; i < batches; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (long k = 0; k < calls; k++) {
            if (denied) mkdir_root(); else syscall(SYS_getppid);
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        ns[i] = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / calls;
    }
    qsort(ns, batches, sizeof *ns, cmp);
    printf("%.1f %.1f\n", ns[batches / 2], ns[(int) (batches * 0.9 + 0.999) - 1]);
    return 0;
}
