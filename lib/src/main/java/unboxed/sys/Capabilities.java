package unboxed.sys;

import static unboxed.sys.LibC.C;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The capability sets of a process or thread, as /proc/PID/status shows them (CapInh, CapPrm, CapEff, CapBnd, CapAmb:
 * 64-bit masks in hex), decoded into the names and numbers of capabilities(7). And dropping capabilities on the
 * calling thread: like namespaces and seccomp filters, capability sets belong to threads.
 */
public record Capabilities(long inheritable, long permitted, long effective, long bounding, long ambient) {

    /** capabilities(7) names by number (include/uapi/linux/capability.h), CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40. */
    public static final List<String> NAMES = List.of(
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    /** The five sets in the order /proc/PID/status lists them, with their status names. */
    public static final List<String> SETS = List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb");

    /** The sets of a process (its main thread), or empty if it is gone. */
    public static Optional<Capabilities> of(long pid) {
        return ofStatus(Path.of("/proc", Long.toString(pid), "status"));
    }

    /** The sets of one thread of a process: /proc/PID/task/TID/status. */
    public static Optional<Capabilities> ofThread(long pid, long tid) {
        return ofStatus(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "status"));
    }

    /** The sets of the calling thread (/proc/thread-self/status). */
    public static Capabilities ofThisThread() {
        return ofStatus(Path.of("/proc/thread-self/status")).orElseThrow();
    }

    private static Optional<Capabilities> ofStatus(Path status) {
        String s;
        try {
            s = String.join("\n", Files.readAllLines(status));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        long[] v = new long[5];
        for (String line : s.split("\n")) {
            int i = SETS.indexOf(line.split(":", 2)[0]);
            if (i >= 0) v[i] = Long.parseUnsignedLong(line.split(":", 2)[1].strip(), 16);
        }
        return Optional.of(new Capabilities(v[0], v[1], v[2], v[3], v[4]));
    }

    /** The set named as in /proc/PID/status (CapEff ...). */
    public long set(String name) {
        return switch (name) {
            case "CapInh" -> inheritable;
            case "CapPrm" -> permitted;
            case "CapEff" -> effective;
            case "CapBnd" -> bounding;
            case "CapAmb" -> ambient;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** A capability's number from its name, with or without CAP_, any case: "sys_admin" is 21. */
    public static int number(String name) {
        String n = name.toUpperCase(java.util.Locale.ROOT);
        int i = NAMES.indexOf(n.startsWith("CAP_") ? n : "CAP_" + n);
        if (i < 0) throw new IllegalArgumentException("no capability called " + name + " (see capabilities(7))");
        return i;
    }

    /** The mask with these capabilities' bits set. */
    public static long mask(String... names) {
        long m = 0;
        for (String n : names) m |= 1L << number(n);
        return m;
    }

    public static boolean has(long set, String name) {
        return (set & (1L << number(name))) != 0;
    }

    /** The names in a mask, lowest number first; a bit this table has no name for shows as its number. */
    public static List<String> decode(long set) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((set & (1L << bit)) != 0) out.add(bit < NAMES.size() ? NAMES.get(bit) : "cap_" + bit);
        }
        return out;
    }

    /** "CAP_CHOWN(0), CAP_KILL(5)": names with their numbers, as capabilities(7) lists them. */
    public static String describe(long set) {
        List<String> out = new ArrayList<>();
        for (String n : decode(set)) out.add(NAMES.contains(n) ? n + "(" + NAMES.indexOf(n) + ")" : n);
        return out.isEmpty() ? "(none)" : String.join(", ", out);
    }

    /** The mask as /proc prints it: 16 hex digits. */
    public static String hex(long set) {
        return String.format("%016x", set);
    }

    /** Every capability this kernel knows: /proc/sys/kernel/cap_last_cap is the highest number. */
    public static long all() {
        try {
            // readAllLines, not readString: on this JDK readString of this /proc file returned only its first byte
            int last = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).get(0).strip());
            return last >= 63 ? -1L : (1L << (last + 1)) - 1;
        } catch (IOException e) {
            return (1L << NAMES.size()) - 1;
        }
    }

    /**
     * Drops capabilities from the calling thread for good: from its bounding set (prctl PR_CAPBSET_DROP, which needs
     * CAP_SETPCAP) and from its effective, permitted and inheritable sets (capset(2) on pid 0, this thread). Other
     * threads of the process keep theirs. Programs this thread starts afterwards cannot get them back, even as root:
     * at execve a root process's new permitted set is its inheritable set plus its bounding set (capabilities(7)).
     */
    public static void dropOnThisThread(String... names) {
        for (String n : names) {
            try {
                C.prctl(LibC.PR_CAPBSET_DROP, number(n), 0, 0, 0);
            } catch (LastErrorException e) {
                throw new SysCallException("prctl(PR_CAPBSET_DROP, " + n + ")", e.getErrorCode(), "See man 2 prctl");
            }
        }
        long drop = mask(names);
        long[] now = setsOfThisThread();
        try {
            capset(now[0] & ~drop, now[1] & ~drop, now[2] & ~drop);
        } catch (LastErrorException e) {
            throw new SysCallException("capset(this thread, without " + String.join(", ", names) + ")", e.getErrorCode(),
                "See man 2 capset");
        }
    }

    /**
     * What an OCI runtime does before it starts the container's program, on the calling thread only: drops from the
     * bounding set every capability not in {@code bounding} (prctl PR_CAPBSET_DROP), then sets the effective,
     * permitted and inheritable sets (capset(2)), then raises each of {@code ambient} (prctl PR_CAP_AMBIENT_RAISE,
     * which the kernel allows only for a capability that is both permitted and inheritable: one that is not is left
     * out, as runc leaves it out). The program's sets are then what execve(2) computes from these (capabilities(7)).
     */
    public static void setOnThisThread(long bounding, long effective, long permitted, long inheritable, long ambient) {
        dropBoundingOnThisThread(bounding);
        setSetsOnThisThread(effective, permitted, inheritable, ambient);
    }

    /**
     * prctl(PR_CAPBSET_DROP) for every capability not in {@code bounding}, on the calling thread. It needs CAP_SETPCAP in
     * the effective set: a runtime does it before it changes the user (runc's ApplyBoundingSet, then setupUser).
     */
    public static void dropBoundingOnThisThread(long bounding) {
        long all = all();
        for (int bit = 0; bit < 64; bit++) {
            if ((all & (1L << bit)) == 0 || (bounding & (1L << bit)) != 0) continue;
            try {
                C.prctl(LibC.PR_CAPBSET_DROP, bit, 0, 0, 0);
            } catch (LastErrorException e) {
                throw new SysCallException("prctl(PR_CAPBSET_DROP, " + decode(1L << bit).get(0) + ")", e.getErrorCode(),
                    "See man 2 prctl");
            }
        }
    }

    /** capset(2) of the calling thread's effective, permitted and inheritable sets, then the ambient raises (above). */
    public static void setSetsOnThisThread(long effective, long permitted, long inheritable, long ambient) {
        try {
            capset(effective, permitted, inheritable);
        } catch (LastErrorException e) {
            throw new SysCallException("capset(this thread, effective " + hex(effective) + ", permitted " + hex(permitted)
                + ", inheritable " + hex(inheritable) + ")", e.getErrorCode(), "See man 2 capset");
        }
        for (int bit = 0; bit < 64; bit++) {
            if ((ambient & (1L << bit)) == 0 || (permitted & inheritable & (1L << bit)) == 0) continue;
            try {
                C.prctl(LibC.PR_CAP_AMBIENT, LibC.PR_CAP_AMBIENT_RAISE, bit, 0, 0);
            } catch (LastErrorException e) {
                throw new SysCallException("prctl(PR_CAP_AMBIENT_RAISE, " + decode(1L << bit).get(0) + ")", e.getErrorCode(),
                    "See man 2 prctl");
            }
        }
    }

    /** The calling thread's {effective, permitted, inheritable} (capget(2) on pid 0). */
    private static long[] setsOfThisThread() {
        Memory header = header(), data = new Memory(24);
        try {
            C.capget(header, data);
        } catch (LastErrorException e) {
            throw new SysCallException("capget(this thread)", e.getErrorCode(), "See man 2 capget");
        }
        long[] out = new long[3];
        for (int field = 0; field < 3; field++) {
            out[field] = Integer.toUnsignedLong(data.getInt(field * 4L)) | (Integer.toUnsignedLong(data.getInt(12 + field * 4L)) << 32);
        }
        return out;
    }

    private static void capset(long effective, long permitted, long inheritable) {
        Memory data = new Memory(24);
        long[] sets = {effective, permitted, inheritable};
        for (int word = 0; word < 2; word++) {
            for (int field = 0; field < 3; field++) data.setInt(word * 12L + field * 4L, (int) (sets[field] >>> (32 * word)));
        }
        C.capset(header(), data);
    }

    private static Memory header() {
        Memory header = new Memory(8);
        header.setInt(0, 0x20080522); // _LINUX_CAPABILITY_VERSION_3
        header.setInt(4, 0); // the calling thread
        return header;
    }
}
