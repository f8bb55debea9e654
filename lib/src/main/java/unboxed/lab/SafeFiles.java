package unboxed.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import unboxed.ns.Processes;

/**
 * Files that root writes where another user might have been first: /run/unboxed (the lock, the journals), the
 * progress file, a `--junit FILE`. Nothing here follows a symbolic link it did not make: a file is replaced through a
 * private temporary file in the same directory and an atomic rename (rename(2) replaces the name, never what a link
 * points to), a link found where a file should be is refused with exit 4, and a lock file is opened with O_NOFOLLOW.
 * Locks are fcntl(2) record locks (what FileChannel.lock takes), plus a lock inside this JVM, since the kernel's
 * record locks belong to the process and do not keep two of its threads apart.
 */
public final class SafeFiles {
    private SafeFiles() {}

    public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

    /**
     * A directory only root can enter: made 0700 if absent; a link or a file in its place, or one owned by another user,
     * is refused (exit 4: someone else's object holds our name); one of root's that others may enter is closed (0700).
     */
    public static void privateDir(Path dir) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                if (dir.getParent() != null) Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another lab made it a moment ago: checked below like any existing one
                }
            }
            if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw LabException.conflict(dir + " is " + (Files.isSymbolicLink(dir) ? "a symbolic link" : "not a directory")
                    + ", and the labs keep their lock and journals there: remove it (sudo rm " + dir + ") and try again");
            }
            int uid = uid(dir);
            if (uid != euid()) {
                throw LabException.conflict(dir + " belongs to uid " + uid + ", not to " + euid()
                    + ", so another user could change the labs' lock and journals: look at what is in it, remove it (sudo rm -r "
                    + dir + ") and try again");
            }
            if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(PRIVATE_DIR)) {
                Files.setPosixFilePermissions(dir, PRIVATE_DIR); // an earlier version made it 0755
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
    }

    /**
     * A lock file of ours, opened without following a link: created 0600; one with another owner or mode (made by an
     * earlier version 0644, which any user could open and lock) is replaced by a new file, so that no descriptor opened
     * on the old one can lock the new one. Call in a {@link #privateDir} only.
     */
    static FileChannel openLockFile(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                && (Files.isSymbolicLink(file) || uid(file) != euid()
                    || !Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(PRIVATE))) {
            Files.delete(file);
        }
        Set<OpenOption> how = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
        return FileChannel.open(file, how, PosixFilePermissions.asFileAttribute(PRIVATE));
    }

    /**
     * Replaces {@code file} with {@code content}, atomically, with these permissions: through a temporary file made
     * (O_EXCL, 0600) in the same directory, renamed over it. A symbolic link or a non-file at {@code file} is refused
     * (exit 4) and left as it is: the link's target is never written.
     */
    public static void replace(Path file, String content, Set<PosixFilePermission> perms) {
        refuseLink(file);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                ch.write(StandardCharsets.UTF_8.newEncoder().encode(java.nio.CharBuffer.wrap(content)));
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, perms);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed, which is what the caller hears
                }
            }
        }
    }

    /** Exit 4 if a symbolic link, a directory or a device holds {@code file}'s name (absent or a plain file is fine). */
    public static void refuseLink(Path file) {
        if (Files.isSymbolicLink(file)) {
            throw LabException.conflict("refusing to write " + file + ": it is a symbolic link (to " + target(file)
                + "), which someone else may have planted; remove it (rm " + file + ") or choose another file");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw LabException.conflict("refusing to write " + file + ": it is not a plain file; choose another file");
        }
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    /** This process's effective uid (from /proc, so that no native call is needed). */
    static int euid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return Integer.parseInt(line.split("\\s+")[2]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no Uid line in /proc/self/status");
    }

    static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    // ---- exclusive locks on a file ---------------------------------------------------------------------------------

    /** One lock per lock file inside this JVM (the kernel's record locks do not separate threads of one process). */
    private static final Map<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

    /** A held {@link #exclusive} lock; close releases it. */
    public static final class Held implements AutoCloseable {
        private final ReentrantLock inJvm;
        private final FileChannel channel;
        private final FileLock lock;

        private Held(ReentrantLock inJvm, FileChannel channel, FileLock lock) {
            this.inJvm = inJvm;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                if (lock != null) lock.release();
                if (channel != null) channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                inJvm.unlock();
            }
        }
    }

    /**
     * Waits up to {@code seconds} for the exclusive lock on {@code lockFile} (made 0600, never through a link; a link
     * there is refused), then exit 4 naming the holder. Reentrant within a thread: an inner call only counts.
     */
    public static Held exclusive(Path lockFile, String what, int seconds) {
        ReentrantLock inJvm = IN_JVM.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        try {
            if (!inJvm.tryLock(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
                throw LabException.conflict(what + " is busy in this process; try again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw LabException.conflict("interrupted while waiting for " + what);
        }
        if (inJvm.getHoldCount() > 1) return new Held(inJvm, null, null);
        FileChannel ch = null;
        try {
            refuseLink(lockFile);
            Files.createDirectories(lockFile.toAbsolutePath().getParent());
            ch = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PRIVATE));
            while (true) {
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException sameFileOtherName) {
                    l = null; // this JVM holds it under another name of the same file: wait like for anyone else
                }
                if (l != null) return new Held(inJvm, ch, l);
                if (System.nanoTime() > deadline) {
                    throw LabException.conflict(what + " is locked by " + holder(lockFile).orElse("another process")
                        + " (lock file " + lockFile + "); wait for it to finish, or stop it, then try again");
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            close(ch);
            inJvm.unlock();
            throw new UncheckedIOException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            close(ch);
            inJvm.unlock();
            Thread.currentThread().interrupt();
            throw LabException.conflict("interrupted while waiting for " + what);
        } catch (RuntimeException e) {
            close(ch);
            inJvm.unlock();
            throw e;
        }
    }

    private static void close(FileChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    /**
     * Who holds a lock on {@code file}, as the kernel says: the lines of /proc/locks on its inode (see proc(5)) give
     * the pid of a POSIX lock; an open file description lock shows pid -1 there, so the processes that have the file
     * open (/proc/PID/fd) are named instead. "pid 123 (python3 -c ...)", or empty if nobody holds one now.
     */
    public static Optional<String> holder(Path file) {
        long ino;
        try {
            ino = (Long) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        List<Long> pids = new ArrayList<>();
        boolean anonymous = false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                String[] f = line.trim().split("\\s+");
                // "1: POSIX  ADVISORY  WRITE 4242 00:1a:2050 0 EOF" (a blocked waiter's line starts "1: ->")
                if (f.length < 6 || f[1].equals("->")) continue;
                if (!f[5].endsWith(":" + ino)) continue;
                long pid = Long.parseLong(f[4]);
                if (pid > 0 && opens(pid, file)) {
                    if (!pids.contains(pid)) pids.add(pid);
                } else if (pid <= 0) {
                    anonymous = true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (anonymous && pids.isEmpty()) {
            for (long pid : Processes.pids()) if (pid != ProcessHandle.current().pid() && opens(pid, file)) pids.add(pid);
        }
        if (pids.isEmpty()) return Optional.empty();
        return Optional.of(String.join(", ", pids.stream().map(p -> "pid " + p + " ("
            + Processes.cmdline(p).map(SafeFiles::shortened).orElse("?") + ")").toList()));
    }

    private static String shortened(String cmdline) {
        String s = cmdline.strip();
        return s.length() > 160 ? s.substring(0, 160) + "..." : s;
    }

    /** Whether process {@code pid} has {@code file} open. */
    private static boolean opens(long pid, Path file) {
        Path want = file.toAbsolutePath().normalize();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(want)) return true;
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException gone) {
            return false;
        }
        return false;
    }
}
