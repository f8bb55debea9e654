package unboxed.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import unboxed.ns.Mounts;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Processes;
import unboxed.sys.Errno;
import unboxed.sys.LibC;
import unboxed.sys.SysCallException;
import unboxed.sys.Sys;

/**
 * Named network namespaces, made the way `ip netns add NAME` makes them.
 *
 * <p>The trick: a namespace lives as long as something refers to it. A process inside it does; so does a bind mount
 * of its ns file. `ip netns add` creates an empty file /run/netns/NAME, unshares a network namespace, and bind-mounts
 * /proc/self/ns/net onto that file. The namespace then outlives every process, and `ip netns exec NAME` (or setns on
 * an open of that file) joins it. Deleting it is unmounting and removing the file.
 *
 * <p>Before its first namespace, iproute2 (ip/ipnetns.c, netns_add) makes /run/netns a mount point of its own with
 * shared propagation: it tries `mount --make-rshared /run/netns`, and when that fails with EINVAL (not a mount point)
 * it bind-mounts the directory onto itself and tries again. This class does exactly the same, so that its namespaces
 * and a learner's `ip netns add` always mount on the same layer. (Had we bind-mounted onto a plain directory, the
 * learner's first `ip netns add` would stack a new /run/netns over ours and hide them.)
 */
public final class Netns {
    private Netns() {}

    public static final String RUN_NETNS = "/run/netns";

    public static Path path(String name) {
        return Path.of(RUN_NETNS, name);
    }

    /**
     * Whether NAME is a live named namespace: opening /run/netns/NAME reaches an nsfs mount (not a plain file, and not
     * a mount hidden under a later mount of /run/netns).
     */
    public static boolean exists(String name) {
        return Files.exists(path(name)) && Mounts.visibleAt(Mounts.ofHost(), path(name).toString())
            .map(m -> m.fsType().equals("nsfs")).orElse(false);
    }

    /** How /run/netns is now: "absent", "dir" (a plain directory) or "mount" (a mount point, as ip netns add leaves it). */
    public static String runDirState() {
        Path dir = Path.of(RUN_NETNS);
        return !Files.isDirectory(dir) ? "absent" : Mounts.isMountPoint(RUN_NETNS) ? "mount" : "dir";
    }

    /** Every file name in /run/netns, live namespace or not, sorted; empty when there is no /run/netns. */
    public static List<String> runDirNames() {
        try (Stream<Path> s = Files.list(Path.of(RUN_NETNS))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Puts an empty /run/netns back as it was ({@link #runDirState}: "absent", "dir" or "mount"): a mount point stays
     * as it is; otherwise every layer mounted on it is unmounted, and it is removed if it was absent. True if it
     * changed anything.
     */
    public static boolean restoreRunDir(String before) {
        if (!Files.isDirectory(Path.of(RUN_NETNS)) || "mount".equals(before)) return false;
        boolean changed = false;
        while (Mounts.isMountPoint(RUN_NETNS)) {
            Mounts.detach(RUN_NETNS);
            changed = true;
        }
        if ("absent".equals(before)) {
            try {
                Files.delete(Path.of(RUN_NETNS));
                changed = true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + RUN_NETNS, e);
            }
        }
        return changed;
    }

    /** The names `ip netns list` would show. */
    public static List<String> list() {
        try (Stream<Path> s = Files.list(Path.of(RUN_NETNS))) {
            return s.map(p -> p.getFileName().toString()).filter(Netns::exists).sorted().toList();
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The namespace's id (the inode of its ns file). */
    public static long id(String name) {
        return Ns.idAt(path(name));
    }

    /**
     * ip netns add NAME: a new network namespace, pinned by a bind mount on /run/netns/NAME.
     * The unshare happens on a short-lived thread, so the JVM itself never leaves its namespace.
     */
    public static void add(String name) {
        Path file = createFile(name);
        try {
            NsThread.inNew(java.util.Set.of(Ns.NET), () -> {
                Mounts.bind("/proc/thread-self/ns/net", file.toString());
                return null;
            });
        } catch (RuntimeException e) {
            file.toFile().delete();
            throw e;
        }
    }

    /** Pins the network namespace the calling thread is in under NAME (what `ip netns attach` does for a pid). */
    public static void pinThisThread(String name) {
        Path file = createFile(name);
        Mounts.bind("/proc/thread-self/ns/net", file.toString());
    }

    /** /run/netns ready as iproute2 leaves it, and the empty file /run/netns/NAME to mount the namespace on. */
    private static Path createFile(String name) {
        Path file = path(name);
        try {
            Files.createDirectories(file.getParent());
            makeRunDirShared();
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("network namespace " + name + " already exists (" + file + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
        return file;
    }

    /**
     * What `ip netns add` does before mounting: `mount --make-rshared /run/netns`, and if /run/netns is not a mount
     * point yet (EINVAL), `mount --rbind /run/netns /run/netns` first. Shared, so that a namespace unmounted in one
     * mount namespace is unmounted in the others that copied it (`ip netns exec` makes such copies).
     */
    static void makeRunDirShared() {
        try {
            Sys.mount("", RUN_NETNS, "none", LibC.MS_SHARED | LibC.MS_REC, null);
        } catch (SysCallException e) {
            if (e.errno() != Errno.EINVAL) throw e;
            Sys.mount(RUN_NETNS, RUN_NETNS, "none", LibC.MS_BIND | LibC.MS_REC, null);
            Sys.mount("", RUN_NETNS, "none", LibC.MS_SHARED | LibC.MS_REC, null);
        }
    }

    /**
     * ip netns delete NAME: unmount and remove the file. The namespace itself goes when the last process in it
     * exits; its links go with it (a veth's other end too). Does nothing if NAME does not exist.
     */
    public static void delete(String name) {
        delete(List.of(name));
    }

    /**
     * ip netns delete for several names at once, and robust to what may have happened since they were made: every
     * mount on /run/netns/NAME goes, also one hidden under a /run/netns layer someone stacked later (an older
     * iproute2, `mount --bind /run/netns /run/netns` by hand). Such a layer is unmounted only when it holds nothing
     * but these names: a layer that also carries a namespace not in the list is left alone, and the call fails saying
     * which. True if anything was removed.
     */
    public static boolean delete(Collection<String> names) {
        Set<String> paths = paths(names);
        boolean removed = false;
        for (int round = 0; round < 64; round++) {
            List<Mounts.Mount> table = Mounts.ofHost();
            List<Mounts.Mount> ours = table.stream().filter(m -> paths.contains(m.mountPoint())).toList();
            if (ours.isEmpty()) break;
            Optional<Mounts.Mount> visible = ours.stream()
                .filter(m -> Mounts.visibleAt(table, m.mountPoint()).map(v -> v.id() == m.id()).orElse(false)).findFirst();
            if (visible.isPresent()) {
                Sys.umount2(visible.get().mountPoint(), LibC.MNT_DETACH);
            } else {
                peelLayerOver(table, paths);
            }
            removed = true;
        }
        for (String p : paths) {
            try {
                removed |= Files.deleteIfExists(Path.of(p));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + p, e);
            }
        }
        return removed;
    }

    /** /run/netns/NAME for each name. */
    private static Set<String> paths(Collection<String> names) {
        Set<String> paths = new HashSet<>();
        for (String n : names) paths.add(path(n).toString());
        return paths;
    }

    /**
     * Our mounts are all hidden: unmount the /run/netns layer on top of them, if everything mounted in that layer is
     * one of ours (the layer then holds nothing anyone else needs).
     */
    private static void peelLayerOver(List<Mounts.Mount> table, Set<String> ours) {
        Mounts.Mount layer = Mounts.visibleAt(table, RUN_NETNS).orElseThrow(() -> new IllegalStateException(
            "a namespace under " + RUN_NETNS + " is mounted but unreachable, and " + RUN_NETNS + " is not a mount point"));
        List<String> foreign = Mounts.childrenOf(table, layer).stream().map(Mounts.Mount::mountPoint)
            .filter(p -> !ours.contains(p)).toList();
        if (!foreign.isEmpty()) {
            throw new IllegalStateException("a later mount of " + RUN_NETNS + " hides " + String.join(", ", ours)
                + " and also holds " + String.join(", ", foreign) + ", which is not ours: not unmounting it");
        }
        Sys.umount2(RUN_NETNS, LibC.MNT_DETACH);
    }

    /**
     * What a lab's reset does with namespaces of its names: ends every process still inside each (they would keep it,
     * and its links, alive after the name is gone), then {@link #delete(Collection)}. True if anything was removed.
     */
    public static boolean purge(Collection<String> names) {
        Set<String> paths = paths(names);
        List<Long> inside = new ArrayList<>();
        for (Mounts.Mount m : Mounts.ofHost()) {
            if (!paths.contains(m.mountPoint()) || !m.fsType().equals("nsfs")) continue;
            // the mount's root names its namespace: "net:[4026532177]" (hidden mounts included)
            String root = m.root();
            if (!root.startsWith("net:[")) continue;
            inside.addAll(Processes.inNamespace(Ns.NET, Long.parseLong(root.substring(5, root.length() - 1))));
        }
        inside.remove(Long.valueOf(Sys.getpid()));
        boolean killed = !Processes.killAll(inside).isEmpty();
        return delete(names) | killed;
    }
}
