/* The baseline for the isolation benchmark: what spawning `true` in new namespaces costs with no JVM and no
 * library in the way. clone(2) straight into new namespaces, execve /bin/true, waitpid; N times; prints the median
 * and p90 in milliseconds. Usage: clone_true FLAGS N   (FLAGS: letters u p m i n U = uts pid mnt ipc net user; "-" = none) */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char stack[64 * 1024];

static int child(void *arg) {
    (void) arg;
    char *argv[] = {"true", NULL};
    execv("/bin/true", argv);
    _exit(127);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FLAGS N\n", argv[0]);
        return 2;
    }
    int flags = SIGCHLD;
    for (const char *f = argv[1]; *f; f++) {
        switch (*f) {
            case 'u': flags |= CLONE_NEWUTS; break;
            case 'p': flags |= CLONE_NEWPID; break;
            case 'm': flags |= CLONE_NEWNS; break;
            case 'i': flags |= CLONE_NEWIPC; break;
            case 'n': flags |= CLONE_NEWNET; break;
            case 'U': flags |= CLONE_NEWUSER; break;
            case '-': break;
            default: fprintf(stderr, "unknown flag %c\n", *f); return 2;
        }
    }
    int n = atoi(argv[2]);
    double *ms = calloc(n, sizeof *ms);
    for (int i = 0; i < n; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        pid_t pid = clone(child, stack + sizeof stack, flags, NULL);
        if (pid < 0) { perror("clone"); return 1; }
        int status;
        waitpid(pid, &status, 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        ms[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(ms, n, sizeof *ms, cmp);
    printf("%.3f %.3f\n", ms[n / 2], ms[(int) (n * 0.9 + 0.999) - 1]);
    return 0;
}
