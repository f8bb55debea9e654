package unboxed.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import unboxed.sys.Sys;

/**
 * overlayfs (Documentation/filesystems/overlayfs.rst): read-only lower layers, a writable upper directory and a work
 * directory, shown as one merged tree. How to mount one, how to read one back from a mount table, and what its upper
 * directory holds after a delete (a whiteout: a character device 0:0) or a replaced directory (opaque: the xattr
 * trusted.overlay.opaque = y).
 *
 * <p>Telling which directories an overlay was made of: mountinfo shows lowerdir, upperdir and workdir exactly as they
 * were given to mount(2), relative paths and trailing slashes included, so the strings alone cannot name the
 * directories. The merged view can: when every layer is on one file system, overlayfs reports each object's real inode
 * number (st_ino) from the layer that provides it, and the merged root's from the upper directory's root.
 */
public final class Overlay {
    private Overlay() {}

    /** The directories of an overlay: lower layers topmost first, the upper and the work directory. */
    public record Layers(List<Path> lower, Path upper, Path work) {
        /** The data argument of mount(2) (and -o of mount(8)): lowerdir=TOP:...:BOTTOM,upperdir=U,workdir=W. */
        public String options() {
            return "lowerdir=" + String.join(":", lower.stream().map(Path::toString).toList())
                + ",upperdir=" + upper + ",workdir=" + work;
        }
    }

    /** mount -t overlay overlay -o OPTIONS TARGET, in the calling thread's mount namespace. */
    public static void mount(Layers layers, String target) {
        Sys.mount("overlay", target, "overlay", 0, layers.options());
    }

    /** An overlay mount's own options by name (lowerdir, upperdir, workdir, ...), from mountinfo's super options. */
    public static Map<String, String> options(Mounts.Mount m) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String o : splitUnescaped(m.superOptions(), ',')) {
            int eq = o.indexOf('=');
            out.put(eq < 0 ? o : o.substring(0, eq), eq < 0 ? "" : o.substring(eq + 1));
        }
        return out;
    }

    /** The lowerdir entries of an overlay mount, topmost first, as they were given (paths may be relative). */
    public static List<String> lowerdirs(Mounts.Mount m) {
        String lower = options(m).getOrDefault("lowerdir", "");
        return lower.isEmpty() ? List.of() : splitUnescaped(lower, ':');
    }

    /** The mount at a process's / as it sees it (the top of the stack there), if its mount table can be read. */
    public static Optional<Mounts.Mount> rootMount(long pid) {
        try {
            return Mounts.visibleAt(Mounts.of(pid), "/");
        } catch (RuntimeException gone) {
            return Optional.empty();
        }
    }

    /**
     * The processes whose / is an overlay made of directories at or below dir: an absolute layer path under it, or,
     * when the paths were given relative, a merged root whose inode is that of a directory under dir (see the class
     * comment). The JVM itself is left out.
     */
    public static List<Long> rootedIn(Path dir) {
        long self = ProcessHandle.current().pid();
        Set<Long> inodes = null;
        List<Long> out = new ArrayList<>();
        for (long pid : Processes.pids()) {
            if (pid == self) continue;
            Optional<Mounts.Mount> root = rootMount(pid);
            if (root.isEmpty() || !"overlay".equals(root.get().fsType())) continue;
            List<String> paths = new ArrayList<>(lowerdirs(root.get()));
            Map<String, String> o = options(root.get());
            if (o.containsKey("upperdir")) paths.add(o.get("upperdir"));
            if (paths.stream().anyMatch(p -> p.startsWith("/") && Path.of(p).normalize().startsWith(dir))) {
                out.add(pid);
                continue;
            }
            if (paths.stream().allMatch(p -> p.startsWith("/"))) continue;
            if (inodes == null) inodes = directoryInodes(dir, 3);
            try {
                if (inodes.contains(inode(Path.of("/proc/" + pid + "/root/.")))) out.add(pid);
            } catch (UncheckedIOException gone) {
                // ended while we looked
            }
        }
        return out;
    }

    /** st_ino of a path (not following a last symlink). */
    public static long inode(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + p, e);
        }
    }

    /** Whether a path is an overlay whiteout: a character device with device number 0:0 (mknod NAME c 0 0). */
    public static boolean isWhiteout(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
            return (((Number) a.get("mode")).intValue() & 0170000) == 0020000 && ((Number) a.get("rdev")).longValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a directory in an upper layer is opaque: it hides everything the lower layers have at its path. */
    public static boolean isOpaque(Path dir) {
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && "y".equals(Sys.getxattr(dir.toString(), "trusted.overlay.opaque"));
    }

    private static Set<Long> directoryInodes(Path dir, int depth) {
        Set<Long> out = new HashSet<>();
        try (Stream<Path> s = Files.walk(dir, depth)) {
            s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(p -> out.add(inode(p)));
        } catch (IOException | UncheckedIOException e) {
            // dir is gone or changing: what was seen is enough
        }
        return out;
    }

    /** Splits on sep where it is not escaped with a backslash (overlayfs's escape for ':' and ',' in paths). */
    private static List<String> splitUnescaped(String s, char sep) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
            } else if (c == sep) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) out.add(cur.toString());
        return out;
    }
}
