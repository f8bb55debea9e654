package unboxed.sys;

import java.util.Map;

/**
 * Numbers of the system calls that glibc does not wrap (the labs reach them through {@link LibC#syscall}), per
 * architecture. A number is only right for the architecture it was written for: on any other, the same number is
 * another call. So on an architecture not listed here the library refuses, with {@link Unsupported}, before making
 * any call by number. The architecture is the JVM's {@code os.arch} ({@link #arch}), read in this one place.
 * Numbers: the kernel's arch/x86/entry/syscalls/syscall_64.tbl and include/uapi/asm-generic/unistd.h (aarch64).
 */
public final class Syscalls {
    private Syscalls() {}

    /**
     * Numbers by name, {x86_64, aarch64}; -1 where the architecture has no such call (aarch64 has only the *at forms).
     * The seccomp lab names calls to filter by these names, so the table holds more than the calls made by number.
     */
    private static final Map<String, long[]> TABLE = Map.ofEntries(
        Map.entry("read", new long[] {0, 63}),
        Map.entry("write", new long[] {1, 64}),
        Map.entry("nanosleep", new long[] {35, 101}),
        Map.entry("getppid", new long[] {110, 173}),
        Map.entry("getpid", new long[] {39, 172}),
        Map.entry("mkdir", new long[] {83, -1}),
        Map.entry("mkdirat", new long[] {258, 34}),
        Map.entry("rmdir", new long[] {84, -1}),
        Map.entry("mount", new long[] {165, 40}),
        Map.entry("umount2", new long[] {166, 39}),
        Map.entry("unshare", new long[] {272, 97}),
        Map.entry("setns", new long[] {308, 268}),
        Map.entry("keyctl", new long[] {250, 219}),
        Map.entry("add_key", new long[] {248, 217}),
        Map.entry("clock_nanosleep", new long[] {230, 115}),
        Map.entry("exit_group", new long[] {231, 94}),
        Map.entry("pivot_root", new long[] {155, 41}),
        Map.entry("open_tree", new long[] {428, 428}),
        Map.entry("move_mount", new long[] {429, 429}),
        Map.entry("chroot", new long[] {161, 51}),
        Map.entry("gettid", new long[] {186, 178}),
        Map.entry("seccomp", new long[] {317, 277}),
        Map.entry("bpf", new long[] {321, 280}),
        // credentials by raw syscall: glibc's wrappers change every thread of the process (SIGSETXID), these the caller only
        Map.entry("setresuid", new long[] {117, 147}),
        Map.entry("setresgid", new long[] {119, 149}),
        Map.entry("setgroups", new long[] {116, 159}),
        // what a thread needs after a container runtime put its seccomp filter on it: posix_spawn(3), and the thread's end
        Map.entry("brk", new long[] {12, 214}),
        Map.entry("mmap", new long[] {9, 222}),
        Map.entry("munmap", new long[] {11, 215}),
        Map.entry("mprotect", new long[] {10, 226}),
        Map.entry("madvise", new long[] {28, 233}),
        Map.entry("rt_sigprocmask", new long[] {14, 135}),
        Map.entry("futex", new long[] {202, 98}),
        Map.entry("sched_yield", new long[] {24, 124}),
        Map.entry("exit", new long[] {60, 93}),
        Map.entry("clone", new long[] {56, 220}),
        Map.entry("clone3", new long[] {435, 435}),
        Map.entry("open", new long[] {2, -1}),
        Map.entry("openat", new long[] {257, 56}),
        Map.entry("fchdir", new long[] {81, 50}),
        Map.entry("chdir", new long[] {80, 49}),
        Map.entry("dup2", new long[] {33, -1}),
        Map.entry("dup3", new long[] {292, 24}),
        Map.entry("close", new long[] {3, 57}),
        Map.entry("close_range", new long[] {436, 436}),
        Map.entry("execve", new long[] {59, 221}));
    /** By os.arch (the JVM says amd64 for x86_64): the column of {@link #TABLE}. */
    private static final Map<String, Integer> COLUMN = Map.of("amd64", 0, "x86_64", 0, "aarch64", 1);

    /** The machine's architecture, as the JVM names it (os.arch: amd64, aarch64, riscv64, ...). */
    public static String arch() {
        return System.getProperty("os.arch", "unknown");
    }

    /** Whether the library knows the syscall numbers of this machine's architecture. */
    public static boolean supported() {
        return COLUMN.containsKey(arch());
    }

    /** The architectures the library has numbers for, as a person would name them. */
    public static String known() {
        return "x86_64 (amd64) and aarch64";
    }

    /** Whether this machine is aarch64 (else x86_64, when {@link #supported}). */
    public static boolean aarch64() {
        return "aarch64".equals(arch());
    }

    /**
     * The number of {@code call} on this machine's architecture, -1 if the architecture has no such call;
     * {@link Unsupported} if the library has no numbers for it.
     */
    public static long number(String call) {
        Integer column = COLUMN.get(arch());
        if (column == null) throw new Unsupported(call);
        long[] n = TABLE.get(call);
        if (n == null) throw new IllegalArgumentException("unknown syscall " + call + " (the library knows the numbers of: "
            + new java.util.TreeSet<>(TABLE.keySet()) + ")");
        return n[column];
    }

    /** This architecture has no numbers in the library: refused before any call by number is made. */
    public static final class Unsupported extends RuntimeException {
        Unsupported(String call) {
            super("this machine's architecture is " + arch() + ", and the labs know the syscall numbers of "
                + known() + " only: " + call + " was not called (on another architecture the same number is another"
                + " call). Run the labs on an x86_64 or aarch64 machine or VM (see README, In a VM)");
        }
    }
}
