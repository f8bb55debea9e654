package unboxed.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import unboxed.sys.Cmd;

/**
 * A minimal root filesystem for chroot and pivot_root: a shell and a few tools, nothing else.
 *
 * <p>{@link #ready} builds it once under /var/lib/unboxed/rootfs and hands back the same one on every later call.
 * From busybox-static when /bin/busybox is installed (the binary plus a symlink per applet, as `busybox --install -s`
 * makes them), otherwise the way the chroot articles do it by hand: each tool copied with the libraries `ldd` lists.
 * It is built in a temporary folder beside it and renamed into place when complete, so a crash never leaves half a
 * rootfs; a later call removes what a crashed build left.
 *
 * <p>It is a cache, not a lab object: no journal lists it and `reset` keeps it (labs copy it, with {@link #copyTo},
 * into their own work folders, which they do journal). Its name is deliberately not labNN, so HostState's "workdir"
 * lines, which list only /var/lib/unboxed/labNN*, ignore it: building it during a lab leaves the host fingerprint
 * unchanged. Remove it by hand (rm -rf /var/lib/unboxed/rootfs) to have it rebuilt.
 */
public final class Rootfs {
    private Rootfs() {}

    /** Where the cache lives. */
    public static final Path CACHE = Path.of("/var/lib/unboxed/rootfs");
    /** What Debian's busybox-static installs. */
    public static final Path BUSYBOX = Path.of("/bin/busybox");
    /** Inside a built rootfs: what it was built from. Its presence (with this version) is what "ready" means. */
    public static final String STAMP = "etc/unboxed-rootfs";
    private static final String VERSION = "unboxed-rootfs 1";

    /** Without busybox: the tools copied from the host, each with its libraries (absent ones are skipped). */
    public static final List<String> TOOLS = List.of("sh", "bash", "ls", "cat", "echo", "ps", "mount", "umount",
        "hostname", "sleep", "mkdir", "rmdir", "rm", "cp", "mv", "ln", "touch", "chmod", "id", "env", "grep", "head",
        "tail", "wc", "uname", "readlink", "stat", "kill", "true", "false", "pwd", "date", "chroot", "pivot_root");
    /** Empty directories every rootfs gets: mount points for /proc, /sys, /dev, and the usual places. */
    static final List<String> DIRS = List.of("proc", "sys", "dev", "tmp", "etc", "root", "bin", "sbin", "usr/bin", "usr/sbin");

    /**
     * The cached rootfs, built now if it is not there yet (from busybox when installed). Progress lines go to
     * progress (console notes; the host-copy build takes a second or two).
     */
    public static Path ready(Consumer<String> progress) {
        return ready(CACHE, Files.isExecutable(BUSYBOX) ? BUSYBOX : null, progress);
    }

    /** As {@link #ready(Consumer)}, for a cache at another place and a given busybox (null: copy host programs). */
    public static Path ready(Path cache, Path busybox, Consumer<String> progress) {
        try {
            Files.createDirectories(cache.getParent());
            removeLeftovers(cache);
            if (isReady(cache)) return cache;
            Path tmp = cache.resolveSibling("." + cache.getFileName() + "-build-" + ProcessHandle.current().pid());
            progress.accept("Building the rootfs cache " + cache + " once (later runs reuse it), from "
                + (busybox != null ? busybox : "the host's own programs (no busybox-static)") + " ...");
            build(tmp, busybox, progress);
            if (Files.exists(cache, LinkOption.NOFOLLOW_LINKS)) {
                if (isReady(cache)) { // someone else finished first: keep theirs
                    removeTree(tmp);
                    return cache;
                }
                // an unusable or older one: move it aside, then replace it (each rename is atomic)
                Files.move(cache, cache.resolveSibling("." + cache.getFileName() + "-old-" + ProcessHandle.current().pid()),
                    StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                removeTree(tmp);
            }
            removeLeftovers(cache);
            progress.accept("Rootfs cache ready: " + cache);
            return cache;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the rootfs cache " + cache + ": " + e.getMessage(), e);
        }
    }

    /** Whether dir holds a complete rootfs built by this version of {@link #build}. */
    public static boolean isReady(Path dir) {
        try {
            return Files.readString(dir.resolve(STAMP)).startsWith(VERSION)
                && Files.exists(dir.resolve("bin/sh"), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
    }

    /** What a rootfs says it was built from ("busybox ..." or "host programs"), or empty if it is not one. */
    public static String origin(Path dir) {
        try {
            return Files.readString(dir.resolve(STAMP)).lines().filter(l -> l.startsWith("from ")).map(l -> l.substring(5))
                .findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Builds a rootfs into dir, which must not exist yet: from the given busybox binary (statically linked), or, when
     * busybox is null, from {@link #TOOLS} copied off the host with their libraries. Writes the stamp last.
     */
    public static void build(Path dir, Path busybox, Consumer<String> progress) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(dir.toString());
        Files.createDirectories(dir);
        for (String d : DIRS) Files.createDirectories(dir.resolve(d));
        Cmd.run("chmod", "1777", dir.resolve("tmp").toString()).orThrow();
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(dir.resolve("etc/hostname"), "rootfs\n");
        String from;
        if (busybox != null) {
            Files.copy(busybox, dir.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            // busybox --install -s, without running it inside: one symlink per applet at the path it names
            List<String> applets = Cmd.run(busybox.toString(), "--list-full").orThrow().out().lines()
                .filter(l -> !l.isBlank()).toList();
            int links = 0;
            for (String applet : applets) {
                if (!applet.contains("/")) continue; // linuxrc: an initrd's init, not a tool
                Path link = dir.resolve(applet);
                Files.createDirectories(link.getParent());
                if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) continue;
                Files.createSymbolicLink(link, Path.of("/bin/busybox"));
                links++;
            }
            // "BusyBox v1.35.0 (Debian 1:1.35.0-4+b1) multi-call binary."
            String version = Cmd.run(busybox.toString()).out().lines().findFirst().orElse("").strip()
                .replace(" multi-call binary.", "");
            from = version.isEmpty() ? "busybox" : version;
            progress.accept("  busybox and " + links + " applet links");
        } else {
            List<String> skipped = new ArrayList<>();
            for (String tool : TOOLS) {
                Path program = which(tool);
                if (program == null) {
                    skipped.add(tool);
                    continue;
                }
                install(dir, program);
                progress.accept("  " + program + " and its libraries");
            }
            // scripts start with #!/bin/sh: make sure it is there whatever PATH found first
            if (!Files.exists(dir.resolve("bin/sh"))) install(dir, Path.of("/bin/sh"));
            if (!skipped.isEmpty()) progress.accept("  not on this host, skipped: " + String.join(" ", skipped));
            from = "host programs";
        }
        Files.writeString(dir.resolve(STAMP), VERSION + "\nfrom " + from + "\n");
    }

    /**
     * The classic chroot escape, on the calling thread (run it on a thread of its own: NsThread.ownFilesystem): make
     * a directory {@code hatch} in the current root and chroot into it, so the working directory is left above the new
     * root; then `..` up as far as the kernel lets it go, and chroot there. Returns the device:inode of the / it ends
     * with ({@link #rootIdentity}). Needs CAP_SYS_CHROOT: without it the first chroot fails with EPERM.
     */
    public static String escapeChroot(String hatch) throws IOException {
        Files.createDirectories(Path.of("/" + hatch));
        unboxed.sys.Sys.chroot(hatch);
        for (int i = 0; i < 64; i++) unboxed.sys.Sys.chdir("..");
        unboxed.sys.Sys.chroot(".");
        return rootIdentity();
    }

    /** The calling thread's / as device:inode: two roots are the same directory exactly when these match. */
    public static String rootIdentity() {
        try {
            return Files.getAttribute(Path.of("/"), "unix:dev") + ":" + Files.getAttribute(Path.of("/"), "unix:ino");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The names in a root (or any directory), sorted, on one line: how labs 01 and 02 show what a thread sees at /,
     * and what the guide's recorder looks for to write the host's / the same on every machine.
     */
    public static String ls(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return String.join(" ", s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** cp -a of the cache (or any rootfs) to dest, which must not exist yet: a root a lab may change freely. */
    public static void copyTo(Path rootfs, Path dest) {
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) throw new IllegalStateException(dest + " already exists");
        Cmd.run(List.of("cp", "-a", rootfs.toString(), dest.toString()), 300).orThrow();
    }

    /**
     * Copies a program into root at the same path, with every library `ldd` lists for it, each at the path ldd printed:
     * the by-hand way of the chroot articles. Symlinks are followed (the copy is the real file, under the link's name).
     * Returns the paths copied, as they are inside root ("/bin/sh", "/lib/x86_64-linux-gnu/libc.so.6", ...).
     */
    public static List<String> install(Path root, Path program) throws IOException {
        List<String> copied = new ArrayList<>();
        List<String> files = new ArrayList<>();
        files.add(program.toString());
        files.addAll(libraries(program));
        for (String f : files) {
            Path dest = root.resolve(f.substring(1));
            Files.createDirectories(dest.getParent());
            Files.copy(Path.of(f), dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            copied.add(f);
        }
        return copied;
    }

    /**
     * The shared libraries a program loads, as `ldd PROGRAM` prints them (absolute paths, the dynamic loader
     * included, linux-vdso left out: the kernel maps it). Empty for a statically linked program.
     */
    public static List<String> libraries(Path program) {
        Cmd.Result r = Cmd.run("ldd", program.toString());
        List<String> out = new ArrayList<>();
        if (!r.ok()) return out; // "not a dynamic executable"
        for (String line : r.out().lines().toList()) {
            // "	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "	/lib64/ld-linux-x86-64.so.2 (0x...)"
            String l = line.strip();
            int arrow = l.indexOf("=> ");
            String path = (arrow >= 0 ? l.substring(arrow + 3) : l).split(" ")[0];
            if (path.startsWith("/")) out.add(path);
        }
        return out;
    }

    /**
     * The libraries a program inside root needs (as `ldd` names them) that root does not hold: why a copied program
     * fails to start in a chroot with "No such file or directory" although the program itself is there. Empty when
     * the program is missing, static, or complete. Paths are resolved as the chroot would see them.
     */
    public static List<String> missingLibraries(Path root, String program) {
        Path file = resolveIn(root, program);
        if (file == null || !Files.isRegularFile(file)) return List.of();
        return libraries(file).stream().filter(lib -> {
            Path inside = resolveIn(root, lib);
            return inside == null || !Files.isRegularFile(inside, LinkOption.NOFOLLOW_LINKS);
        }).toList();
    }

    /**
     * Where an absolute path ("/bin/sh") lands on the host when looked up inside root, following symlinks the way the
     * kernel does after chroot(root): an absolute link target starts again at root, and ".." stops at root.
     * Null if it does not exist (or loops).
     */
    public static Path resolveIn(Path root, String path) {
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(path.split("/")));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!done.isEmpty()) done.remove(done.size() - 1);
                continue;
            }
            Path here = root.resolve(String.join("/", done)).resolve(part);
            if (Files.isSymbolicLink(here)) {
                if (++links > 40) return null;
                try {
                    String target = Files.readSymbolicLink(here).toString();
                    if (target.startsWith("/")) done.clear();
                    List<String> parts = List.of(target.split("/"));
                    for (int i = parts.size() - 1; i >= 0; i--) todo.addFirst(parts.get(i));
                } catch (IOException e) {
                    return null;
                }
            } else if (Files.exists(here, LinkOption.NOFOLLOW_LINKS)) {
                done.add(part);
            } else {
                return null;
            }
        }
        return done.isEmpty() ? root : root.resolve(String.join("/", done));
    }

    /**
     * Where the host has this program, looking in /bin, /sbin, /usr/bin, /usr/sbin in that order, or null. On a
     * merged-/usr host (/bin a symlink to usr/bin) this gives /bin/ls, so copies land in the rootfs's own bin/.
     */
    public static Path which(String tool) {
        for (String d : List.of("/bin", "/sbin", "/usr/bin", "/usr/sbin")) {
            Path p = Path.of(d, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** Temporary folders beside the cache of builds that died (their pid is gone), or of a replaced cache. */
    private static void removeLeftovers(Path cache) throws IOException {
        String build = "." + cache.getFileName() + "-build-", old = "." + cache.getFileName() + "-old-";
        try (Stream<Path> s = Files.list(cache.getParent())) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.startsWith(build) && !n.startsWith(old)) continue;
                long pid;
                try {
                    pid = Long.parseLong(n.substring(n.lastIndexOf('-') + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                boolean mine = pid == ProcessHandle.current().pid();
                if (n.startsWith(old) || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !mine) {
                    removeTree(p);
                }
            }
        }
    }

    /** rm -rf of a folder nothing is mounted in (ours: a build never mounts); a mount below refuses. */
    private static void removeTree(Path dir) {
        Mounts.removeTree(dir, false);
    }
}
