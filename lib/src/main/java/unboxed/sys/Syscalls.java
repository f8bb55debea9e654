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

    private static final Map<String, Long> X86_64 = Map.of("pivot_root", 155L, "gettid", 186L);
    private static final Map<String, Long> AARCH64 = Map.of("pivot_root", 41L, "gettid", 178L);
    /** By os.arch: the JVM says amd64 for x86_64. */
    private static final Map<String, Map<String, Long>> BY_ARCH = Map.of("amd64", X86_64, "x86_64", X86_64,
        "aarch64", AARCH64);

    /** The machine's architecture, as the JVM names it (os.arch: amd64, aarch64, riscv64, ...). */
    public static String arch() {
        return System.getProperty("os.arch", "unknown");
    }

    /** Whether the library knows the syscall numbers of this machine's architecture. */
    public static boolean supported() {
        return BY_ARCH.containsKey(arch());
    }

    /** The architectures the library has numbers for, as a person would name them. */
    public static String known() {
        return "x86_64 (amd64) and aarch64";
    }

    /** The number of {@code call} on this machine's architecture; {@link Unsupported} if the library has none. */
    public static long number(String call) {
        Map<String, Long> numbers = BY_ARCH.get(arch());
        if (numbers == null) throw new Unsupported(call);
        Long n = numbers.get(call);
        if (n == null) throw new IllegalArgumentException("no syscall number for " + call + " in Syscalls");
        return n;
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
