package unboxed.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import unboxed.sys.LibC;
import unboxed.sys.Sys;

/**
 * Mount tables as the kernel reports them in /proc/PID/mountinfo (proc(5)), and the few mount operations the labs use.
 * Each mount namespace has its own table; a thread that joined another mount namespace reads that one through
 * /proc/thread-self/mountinfo.
 */
public final class Mounts {
    private Mounts() {}

    /**
     * One line of mountinfo. {@code propagation} holds the optional fields: "shared:N" means the mount has peers that
     * see its submounts (the systemd default for /), "master:N" that it receives them, empty that it is private.
     * {@code device} is the file system's st_dev as "major:minor"; {@code superOptions} are the file system's own
     * options (an overlay's lowerdir, upperdir and workdir, as they were given to mount).
     */
    public record Mount(int id, int parentId, String root, String mountPoint, String options,
                        List<String> propagation, String fsType, String source, String device, String superOptions) {
        public boolean shared() {
            return propagation.stream().anyMatch(p -> p.startsWith("shared:"));
        }

        /** The peer group number, or empty when private or slave only. */
        public Optional<String> peerGroup() {
            return propagation.stream().filter(p -> p.startsWith("shared:")).map(p -> p.substring(7)).findFirst();
        }
    }

    /** The mount table of a process's mount namespace. */
    public static List<Mount> of(long pid) {
        return parse(Path.of("/proc", Long.toString(pid), "mountinfo"));
    }

    /** The mount table the calling thread sees (differs from the JVM's after the thread joined another namespace). */
    public static List<Mount> ofThisThread() {
        return parse(Path.of("/proc/thread-self/mountinfo"));
    }

    /** The JVM's mount table (its main thread's namespace). */
    public static List<Mount> ofHost() {
        return parse(Path.of("/proc/self/mountinfo"));
    }

    /** The topmost mount on a path in a table, if any. */
    public static Optional<Mount> at(List<Mount> table, String mountPoint) {
        Mount found = null;
        for (Mount m : table) if (m.mountPoint().equals(mountPoint)) found = m;
        return Optional.ofNullable(found);
    }

    /**
     * Whether anything is mounted on this path in the JVM's mount namespace, even a mount that something mounted later
     * on a parent directory hides (mountinfo lists those too; see {@link #visibleAt}).
     */
    public static boolean isMountPoint(String path) {
        return at(ofHost(), path).isPresent();
    }

    /**
     * The mount a path names through the file system: the top of the stack of mounts on it, reached by following
     * mount points from / down the path, or empty when the path resolves to an ordinary file or directory. It differs
     * from {@link #at} when a later mount on a parent directory hides the mounts below it: after
     * `mount --bind /run/netns /run/netns`, the nsfs mounts made before on /run/netns/NAME are still in the table, but
     * opening /run/netns/NAME finds the plain file of the new layer (and umount2 on that path fails with EINVAL).
     */
    public static Optional<Mount> visibleAt(List<Mount> table, String path) {
        Mount current = topOf(table, rootOf(table));
        if (current == null) return Optional.empty();
        String walked = "";
        for (String part : path.split("/")) {
            if (part.isEmpty()) continue;
            walked += "/" + part;
            for (Mount m : table) {
                if (m.parentId() == current.id() && m.mountPoint().equals(walked)) {
                    current = topOf(table, m);
                    break;
                }
            }
        }
        return current.mountPoint().equals(path.isEmpty() ? "/" : path) ? Optional.of(current) : Optional.empty();
    }

    /** The mounts in a table whose parent is this one (what is mounted on paths inside it). */
    public static List<Mount> childrenOf(List<Mount> table, Mount parent) {
        return table.stream().filter(m -> m.parentId() == parent.id() && m.id() != parent.id()).toList();
    }

    /** The process's root mount: on "/", its parent outside the table (or itself). */
    private static Mount rootOf(List<Mount> table) {
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (Mount m : table) ids.add(m.id());
        for (Mount m : table) if (m.mountPoint().equals("/") && (!ids.contains(m.parentId()) || m.parentId() == m.id())) return m;
        return table.isEmpty() ? null : table.get(0);
    }

    /** The last mount stacked on the same mount point over this one (each mounted on the one below it). */
    private static Mount topOf(List<Mount> table, Mount bottom) {
        if (bottom == null) return null;
        Mount top = bottom;
        for (boolean climbed = true; climbed; ) {
            climbed = false;
            for (Mount m : table) {
                if (m.parentId() == top.id() && m.id() != top.id() && m.mountPoint().equals(top.mountPoint())) {
                    top = m;
                    climbed = true;
                    break;
                }
            }
        }
        return top;
    }

    /** Parses mountinfo text (proc(5)), one mount a line. */
    public static List<Mount> parse(List<String> lines) {
        List<Mount> out = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) continue;
            // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            List<String> optional = new ArrayList<>(List.of(f).subList(6, dash));
            out.add(new Mount(Integer.parseInt(f[0]), Integer.parseInt(f[1]), unescape(f[3]), unescape(f[4]),
                f[5], optional, f[dash + 1], unescape(f[dash + 2]), f[2], dash + 3 < f.length ? unescape(f[dash + 3]) : ""));
        }
        return out;
    }

    static List<Mount> parse(Path file) {
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as octal (\040). */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** mount --make-rprivate PATH: later mounts below it stay in this namespace. */
    public static void makePrivate(String path) {
        Sys.mount("none", path, null, LibC.MS_REC | LibC.MS_PRIVATE, null);
    }

    /** mount --bind SOURCE TARGET. */
    public static void bind(String source, String target) {
        Sys.mount(source, target, null, LibC.MS_BIND, null);
    }

    /**
     * mount -o remount,bind,FLAGS: the bind mount at {@code target} gets {@code flags}, and keeps the flags it has that a
     * remount may not drop (nosuid, nodev, noexec, atime: {@link Sys#mountFlags}; where a more privileged mount
     * namespace made the mount, a user namespace's root may not drop them: EPERM, mount_namespaces(7)).
     */
    public static void remountBind(String source, String target, long flags) {
        Sys.mount(source, target, null, LibC.MS_BIND | LibC.MS_REMOUNT | flags | Sys.mountFlags(target), null);
    }

    /**
     * Of {@code stacked} mounts on top of each other at {@code path}, keeps only the topmost: open_tree(2) copies it
     * (OPEN_TREE_CLONE), umount2(MNT_DETACH) takes each off, move_mount(2) attaches the copy. The ones below (and what is
     * mounted inside them) are gone; the calling thread must be in the mount namespace they are in.
     */
    public static void keepTop(String path, int stacked) {
        int copy = Sys.openTreeClone(path);
        try {
            for (int i = 0; i < stacked; i++) Sys.umount2(path, LibC.MNT_DETACH);
            Sys.moveMount(copy, path);
        } finally {
            Sys.close(copy);
        }
    }

    /** mount -t tmpfs tmpfs TARGET. */
    public static void tmpfs(String target) {
        Sys.mount("tmpfs", target, "tmpfs", 0, "size=16m");
    }

    /** mount -t proc proc TARGET. */
    public static void proc(String target) {
        Sys.mount("proc", target, "proc", LibC.MS_NOSUID | LibC.MS_NODEV | LibC.MS_NOEXEC, null);
    }

    /** umount -l TARGET: detach now, free when no longer busy. */
    public static void detach(String target) {
        Sys.umount2(target, LibC.MNT_DETACH);
    }

    /**
     * rm -rf DIR that can never delete through a mount into the host: with {@code detachBelow}, whatever is mounted at
     * or below DIR is detached first (deepest first); without it, a mount there refuses. Symlinks are removed, not
     * followed. Whether DIR was there.
     */
    public static boolean removeTree(Path dir, boolean detachBelow) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return false;
        String prefix = dir + "/";
        java.util.function.Predicate<Mount> below = m -> m.mountPoint().equals(dir.toString()) || m.mountPoint().startsWith(prefix);
        if (detachBelow) {
            List<Mount> mounted = ofHost().stream().filter(below).toList();
            for (int i = mounted.size() - 1; i >= 0; i--) {
                if (isMountPoint(mounted.get(i).mountPoint())) detach(mounted.get(i).mountPoint());
            }
        }
        if (ofHost().stream().anyMatch(below)) throw new IllegalStateException("still mounted below " + dir + ": not removing it");
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
        return true;
    }
}
