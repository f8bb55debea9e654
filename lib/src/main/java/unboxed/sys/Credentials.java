package unboxed.sys;

import static unboxed.sys.LibC.C;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.util.List;

/**
 * The user and group ids of the calling thread, changed by raw system calls. In the kernel credentials belong to each
 * thread; glibc's setuid(2), setgid(2) and setgroups(2) wrappers make them the whole process's by signalling every
 * other thread to do the same (SIGSETXID, the POSIX rule), which in a JVM would change every thread of it. syscall(2)
 * with the call's number changes the caller only.
 */
public final class Credentials {
    private Credentials() {}

    /**
     * setgroups(groups), setresgid(gid, gid, gid), setresuid(uid, uid, uid), in that order (a process that gave up
     * uid 0 may no longer change its groups). With {@code keepCaps} first prctl(PR_SET_KEEPCAPS, 1), so that leaving
     * uid 0 keeps the permitted set (capabilities(7)) for the capset that follows.
     */
    public static void setOnThisThread(long uid, long gid, List<Long> groups, boolean keepCaps) {
        if (keepCaps) {
            try {
                C.prctl(LibC.PR_SET_KEEPCAPS, 1, 0, 0, 0);
            } catch (LastErrorException e) {
                throw new SysCallException("prctl(PR_SET_KEEPCAPS, 1)", e.getErrorCode(), "See man 2 prctl");
            }
        }
        Memory list = new Memory(4L * Math.max(1, groups.size()));
        for (int i = 0; i < groups.size(); i++) list.setInt(4L * i, groups.get(i).intValue());
        call("setgroups", "setgroups(" + groups + ")", (long) groups.size(), list);
        call("setresgid", "setresgid(" + gid + ", " + gid + ", " + gid + ")", gid, gid, gid);
        call("setresuid", "setresuid(" + uid + ", " + uid + ", " + uid + ")", uid, uid, uid);
    }

    private static void call(String name, String shown, Object... args) {
        long number = Syscalls.number(name);
        try {
            C.syscall(number, args);
        } catch (LastErrorException e) {
            throw new SysCallException(shown, e.getErrorCode(), "See man 2 " + name);
        }
    }
}
