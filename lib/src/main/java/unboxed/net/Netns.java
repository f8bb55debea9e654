package unboxed.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import unboxed.ns.Mounts;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.sys.LibC;
import unboxed.sys.Sys;

/**
 * Named network namespaces, made the way `ip netns add NAME` makes them.
 *
 * <p>The trick: a namespace lives as long as something refers to it. A process inside it does; so does a bind mount
 * of its ns file. `ip netns add` creates an empty file /run/netns/NAME, unshares a network namespace, and bind-mounts
 * /proc/self/ns/net onto that file. The namespace then outlives every process, and `ip netns exec NAME` (or setns on
 * an open of that file) joins it. Deleting it is unmounting and removing the file.
 */
public final class Netns {
    private Netns() {}

    public static final String RUN_NETNS = "/run/netns";

    public static Path path(String name) {
        return Path.of(RUN_NETNS, name);
    }

    /** Whether NAME is a live named namespace: the file is there and something is mounted on it. */
    public static boolean exists(String name) {
        return Files.exists(path(name)) && Mounts.isMountPoint(path(name).toString());
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
        Path file = path(name);
        try {
            Files.createDirectories(file.getParent());
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("network namespace " + name + " already exists (" + file + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
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
        Path file = path(name);
        try {
            Files.createDirectories(file.getParent());
            Files.createFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
        Mounts.bind("/proc/thread-self/ns/net", file.toString());
    }

    /**
     * ip netns delete NAME: unmount and remove the file. The namespace itself goes when the last process in it
     * exits; its links go with it (a veth's other end too). Does nothing if NAME does not exist.
     */
    public static void delete(String name) {
        Path file = path(name);
        if (!Files.exists(file)) return;
        while (Mounts.isMountPoint(file.toString())) Sys.umount2(file.toString(), LibC.MNT_DETACH);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }
}
