package unboxed.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import unboxed.sys.LibC;
import unboxed.sys.Sys;

/**
 * Mount namespaces seen from the host: which mount a path lives on, how mount events travel between namespaces
 * (the shared:N and master:N fields of mountinfo, see mount_namespaces(7)), and which processes have a mount of their
 * own on a path.
 */
public final class MountNs {
    private MountNs() {}

    /** The mount a path lives on: the one whose mount point is the longest prefix of the path (the topmost if stacked). */
    public static Mounts.Mount holding(List<Mounts.Mount> table, String path) {
        Mounts.Mount best = null;
        for (Mounts.Mount m : table) {
            String mp = m.mountPoint();
            boolean contains = mp.equals("/") || path.equals(mp) || path.startsWith(mp + "/");
            if (contains && (best == null || mp.length() >= best.mountPoint().length())) best = m;
        }
        if (best == null) throw new IllegalStateException("no mount holds " + path + " (is / in the table?)");
        return best;
    }

    /** "shared:1", "master:3", "shared:2 master:1" or "private", as findmnt -o PROPAGATION would put it. */
    public static String propagation(Mounts.Mount m) {
        return m.propagation().isEmpty() ? "private" : String.join(" ", m.propagation());
    }

    /**
     * The mounts of a table that receive m's mount and unmount events: its peers (the same shared:N) and its slaves
     * (master:N). Empty when m is private or only a slave itself: then nothing made below m reaches that table.
     */
    public static List<Mounts.Mount> receiversOf(Mounts.Mount m, List<Mounts.Mount> table) {
        Optional<String> group = m.peerGroup();
        if (group.isEmpty()) return List.of();
        List<Mounts.Mount> out = new ArrayList<>();
        for (Mounts.Mount t : table) {
            if (t.propagation().contains("shared:" + group.get()) || t.propagation().contains("master:" + group.get())) {
                out.add(t);
            }
        }
        return out;
    }

    /** mount --make-shared PATH: this mount only (systemd does it, recursively, to / at boot). */
    public static void makeShared(String mountPoint) {
        Sys.mount("none", mountPoint, null, LibC.MS_SHARED, null);
    }

    /** mount --make-private PATH: this mount only, not those below it. */
    public static void makePrivateOnly(String mountPoint) {
        Sys.mount("none", mountPoint, null, LibC.MS_PRIVATE, null);
    }

    /** mount -o remount,bind,ro TARGET: a bind mount made read-only, while the original stays writable. */
    public static void remountReadOnly(String target) {
        Sys.mount("none", target, null, LibC.MS_REMOUNT | LibC.MS_BIND | LibC.MS_RDONLY, null);
    }

    /**
     * Undoes {@link #makeShared} on a host mount: private again if it was private before (what a journal noted) and is
     * shared now. True if something changed.
     */
    public static boolean restorePropagation(String mountPoint, String before) {
        if (!"private".equals(before)) return false;
        Optional<Mounts.Mount> m = Mounts.at(Mounts.ofHost(), mountPoint);
        if (m.isEmpty() || m.get().propagation().isEmpty()) return false;
        makePrivateOnly(mountPoint);
        return true;
    }

    /** The device (st_dev) a path is on: two paths show one file system exactly when these match. */
    public static long device(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:dev")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + p, e);
        }
    }

    /** A device number (st_dev) as mountinfo's third field writes it: "major:minor" (makedev(3)'s encoding). */
    public static String deviceName(long dev) {
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        return major + ":" + minor;
    }

    /**
     * A process's whole mount namespace, as its own root sees it: read from a thread that joined the namespace
     * ({@link NsThread#joinMountNamespace}). /proc/PID/mountinfo lists only what lies under the process's root, so a
     * chroot hides the mounts outside it there; this does not, and it needs no /proc in that namespace.
     */
    public static List<Mounts.Mount> wholeTableOf(long pid) {
        // the host's /proc, opened before the thread moves: the namespace may have no /proc of its own
        int proc = Sys.open("/proc", LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        try (NsThread t = NsThread.joinMountNamespace(pid)) {
            return t.call(() -> Mounts.parse(Sys.readAt(proc, "thread-self/mountinfo").lines().toList()));
        } finally {
            Sys.close(proc);
        }
    }

    /** A process, and the mount on the path as its namespace's table shows it. */
    public record Holder(long pid, Mounts.Mount mount) {
        /** The path as that process sees it, from the host: through /proc/PID/root. */
        public Path resolve(String path) {
            return Path.of("/proc/" + pid + "/root" + path);
        }
    }

    /**
     * The processes, in mount namespaces other than the JVM's (the host's), that have a mount of their own on path:
     * one the host does not have. A plain copy of the host's mount (taken when the namespace was made, or received as
     * a slave, as systemd services and containers do) is not theirs; a mount in the same peer group as the host's is
     * (it was made inside and propagated out). Paths are as each process sees them (relative to its root).
     */
    public static List<Holder> withOwnMountOn(String path) {
        long self = ProcessHandle.current().pid();
        long hostNs = Ns.MNT.idOf(self);
        Optional<Mounts.Mount> hostMount = Mounts.at(Mounts.ofHost(), path);
        Long hostDevice = hostMount.isPresent() ? device(Path.of(path)) : null;
        List<Holder> out = new ArrayList<>();
        for (long pid : Processes.pids()) {
            if (pid == self) continue;
            try {
                if (Ns.MNT.idOf(pid) == hostNs || !Processes.alive(pid)) continue;
                Optional<Mounts.Mount> m = Mounts.at(Mounts.of(pid), path);
                if (m.isEmpty()) continue;
                if (hostMount.isPresent()) {
                    boolean sameFs = device(Path.of("/proc/" + pid + "/root" + path)) == hostDevice;
                    boolean peers = m.get().peerGroup().isPresent() && m.get().peerGroup().equals(hostMount.get().peerGroup());
                    if (sameFs && !peers) continue; // the host's own mount, copied or received
                }
                out.add(new Holder(pid, m.get()));
            } catch (RuntimeException gone) {
                // exited while we looked, or a kernel thread
            }
        }
        return out;
    }

    /** SIGKILLs these processes (by pid) and waits, up to 5 s, until they are gone. */
    public static void kill(Collection<Long> pids) {
        Processes.killAll(List.copyOf(pids));
    }
}
