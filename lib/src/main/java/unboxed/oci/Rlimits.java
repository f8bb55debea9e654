package unboxed.oci;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.util.List;
import unboxed.sys.LibC;
import unboxed.sys.SysCallException;

/** The resources of getrlimit(2) by name (RLIMIT_NOFILE is 7), and prlimit(2) on a process. */
public final class Rlimits {
    private Rlimits() {}

    /** By number (include/uapi/asm-generic/resource.h, the same on x86_64 and aarch64). */
    static final List<String> NAMES = List.of("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
        "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING",
        "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

    public static boolean known(String name) {
        return NAMES.contains(name);
    }

    public static String names() {
        return String.join(", ", NAMES);
    }

    /** As prlimit(1) takes them: --nofile=SOFT:HARD ... */
    static String shown(List<Bundle.Rlimit> limits) {
        return String.join(" ", limits.stream().map(r -> "--" + r.type().substring("RLIMIT_".length())
            .toLowerCase(java.util.Locale.ROOT) + "=" + r.soft() + ":" + r.hard()).toList());
    }

    /** prlimit(pid, resource, {soft, hard}, NULL). */
    public static void set(long pid, Bundle.Rlimit r) {
        Memory limit = new Memory(16);
        limit.setLong(0, r.soft());
        limit.setLong(8, r.hard());
        try {
            LibC.C.prlimit((int) pid, NAMES.indexOf(r.type()), limit, null);
        } catch (LastErrorException e) {
            throw new SysCallException("prlimit(" + pid + ", " + r.type() + ", {" + r.soft() + ", " + r.hard() + "})",
                e.getErrorCode(), "See man 2 prlimit");
        }
    }
}
