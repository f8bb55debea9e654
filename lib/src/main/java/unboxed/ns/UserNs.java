package unboxed.ns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import unboxed.sys.LibC;
import unboxed.sys.Sys;

/**
 * User namespaces as /proc and the kernel show them (user_namespaces(7)): a process's id maps (uid_map, gid_map, read
 * from the reader's own user namespace: here the host's), setgroups, the ids and capabilities of /proc/PID/status,
 * and which user namespace owns another namespace (ioctl_ns(2) NS_GET_USERNS).
 */
public final class UserNs {
    private UserNs() {}

    /** One line of uid_map or gid_map: ids inside from {@code inside}, {@code count} of them, are {@code outside}... outside. */
    public record IdMap(long inside, long outside, long count) {
        public boolean maps(long id) { return id >= inside && id - inside < count; }
        public long outsideOf(long id) { return outside + (id - inside); }
        @Override public String toString() { return inside + " " + outside + " " + count; }
    }

    /** The lines of a map file's text (empty when nothing was written yet: every id is then unmapped). */
    public static List<IdMap> parse(String text) {
        List<IdMap> out = new ArrayList<>();
        for (String line : text.strip().lines().toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3) out.add(new IdMap(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
        }
        return out;
    }

    /** /proc/PID/uid_map, as the host's user namespace reads it; empty if not written or the process is gone. */
    public static List<IdMap> uidMap(long pid) { return parse(Processes.read(pid, "uid_map").orElse("")); }

    public static List<IdMap> gidMap(long pid) { return parse(Processes.read(pid, "gid_map").orElse("")); }

    /** /proc/PID/setgroups: "allow" or "deny" (user_namespaces(7)); empty if the process is gone. */
    public static Optional<String> setgroups(long pid) { return Processes.read(pid, "setgroups").map(String::strip); }

    /** Where id inside maps to outside, if a line maps it. */
    public static Optional<Long> outsideOf(List<IdMap> map, long inside) {
        return map.stream().filter(m -> m.maps(inside)).map(m -> m.outsideOf(inside)).findFirst();
    }

    /** The real uid of a process on the host (the first field of Uid: in /proc/PID/status, read from the host). */
    public static Optional<Long> uid(long pid) { return statusField(pid, "Uid:").map(Long::parseLong); }

    public static Optional<Long> gid(long pid) { return statusField(pid, "Gid:").map(Long::parseLong); }

    /** CapEff of /proc/PID/status, as printed (hex). */
    public static Optional<String> capEff(long pid) { return statusField(pid, "CapEff:"); }

    /** The id the kernel shows for an unmapped uid (/proc/sys/kernel/overflowuid: 65534, nobody). */
    public static long overflowUid() {
        try {
            return Long.parseLong(unboxed.net.Sysctl.get("kernel.overflowuid"));
        } catch (java.io.UncheckedIOException | NumberFormatException e) {
            return 65534;
        }
    }

    /** The host's user namespace: the JVM's (a multithreaded process can never leave it). */
    public static long hostId() { return Ns.USER.idOf(ProcessHandle.current().pid()); }

    /**
     * The id of the user namespace that owns a namespace file (/proc/PID/ns/net, /run/netns/NAME): open it,
     * ioctl(fd, NS_GET_USERNS) returns a file descriptor for the owner, whose /proc/self/fd link names it (ioctl_ns(2)).
     */
    public static long ownerOf(Path nsFile) {
        int fd = Sys.open(nsFile.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        try {
            int owner = Sys.ioctl(fd, LibC.NS_GET_USERNS, fd + ", NS_GET_USERNS");
            try {
                return Ns.idAt(Path.of("/proc/self/fd", Integer.toString(owner)));
            } finally {
                Sys.close(owner);
            }
        } finally {
            Sys.close(fd);
        }
    }

    /** The owner of one of a process's namespaces; empty if the process is gone. */
    public static Optional<Long> ownerOf(long pid, Ns type) {
        try {
            return Optional.of(ownerOf(Path.of("/proc", Long.toString(pid), "ns", type.file)));
        } catch (RuntimeException gone) {
            return Optional.empty();
        }
    }

    private static Optional<String> statusField(long pid, String field) {
        return Processes.read(pid, "status").flatMap(s -> s.lines().filter(l -> l.startsWith(field)).findFirst())
            .map(l -> l.substring(field.length()).strip().split("\\s+")[0]);
    }
}
