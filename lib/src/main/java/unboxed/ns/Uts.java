package unboxed.ns;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.sys.Sys;

/**
 * UTS namespaces: the hostname (and NIS domain name) a process sees. hostname(1) and sethostname(2) act on the
 * calling thread's UTS namespace; /proc/sys/kernel/hostname shows the reader's. So another namespace's name is read
 * by joining it, as `nsenter -t PID -u hostname` does.
 */
public final class Uts {
    private Uts() {}

    /** One UTS namespace other than the host's, its hostname, and the processes in it. */
    public record Group(long id, String hostname, List<Long> pids) {}

    /** The host's UTS namespace: the JVM's (its main thread never leaves it). */
    public static long hostId() {
        return Ns.UTS.idOf(ProcessHandle.current().pid());
    }

    /** The hostname in a process's UTS namespace: setns(CLONE_NEWUTS) on a thread of its own, then read it there. */
    public static String hostnameOf(long pid) {
        return NsThread.inNamespacesOf(pid, EnumSet.of(Ns.UTS), Processes::hostname);
    }

    /**
     * Every UTS namespace that processes are in, other than the host's, with its hostname: one join per namespace.
     * Processes that exit while we look are left out.
     */
    public static List<Group> foreign() {
        Map<Long, List<Long>> byId = new LinkedHashMap<>();
        for (long pid : Processes.inForeign(Ns.UTS)) {
            try {
                byId.computeIfAbsent(Ns.UTS.idOf(pid), k -> new ArrayList<>()).add(pid);
            } catch (RuntimeException gone) {
                // exited
            }
        }
        List<Group> out = new ArrayList<>();
        for (var e : byId.entrySet()) {
            for (long pid : e.getValue()) {
                try {
                    out.add(new Group(e.getKey(), hostnameOf(pid), List.copyOf(e.getValue())));
                    break;
                } catch (RuntimeException gone) {
                    // that one exited: try the next member
                }
            }
        }
        return out;
    }

    /**
     * sethostname(2) on the calling thread, which must be in a UTS namespace of its own (after unshare(CLONE_NEWUTS)):
     * refuses, and changes nothing, when the thread is still in the host's, so a lab can never rename the machine.
     */
    public static void sethostnameInside(String name) {
        if (Ns.UTS.ofThisThread() == hostId()) {
            throw new IllegalStateException("refusing to set the hostname to " + name
                + ": this thread is in the host's UTS namespace (unshare(CLONE_NEWUTS) first)");
        }
        Sys.sethostname(name);
    }
}
