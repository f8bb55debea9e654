package unboxed.sys;

import static unboxed.sys.LibC.C;

import com.sun.jna.LastErrorException;
import java.util.ArrayList;
import java.util.List;

/**
 * The calls of {@link LibC}, each turning a failure into a {@link SysCallException} that names the call with its
 * arguments, the errno symbol, and the likely fix. These are thread-scoped in the kernel: unshare, setns, chroot and
 * chdir change only the calling thread (see unboxed.ns.Namespaces for running work on a thread of its own).
 */
public final class Sys {
    private Sys() {}

    public static void unshare(int flags) {
        try {
            C.unshare(flags);
        } catch (LastErrorException e) {
            String hint = e.getErrorCode() == 22 && (flags & LibC.CLONE_NEWUSER) != 0
                ? "A multithreaded process (every JVM is one) cannot unshare a user namespace: start a child with `unshare -U`"
                : null;
            throw fail("unshare(" + cloneFlags(flags) + ")", e, hint, "unshare");
        }
    }

    public static void setns(int fd, int nstype, String what) {
        try {
            C.setns(fd, nstype);
        } catch (LastErrorException e) {
            String hint = e.getErrorCode() != 22 ? null
                : nstype == LibC.CLONE_NEWNS
                ? "A thread that shares its filesystem state with others cannot join a mount namespace: unshare(CLONE_FS) first"
                : nstype == LibC.CLONE_NEWUSER
                ? "A multithreaded process (every JVM is one) cannot join a user namespace: start a child with `nsenter -U`"
                : null;
            throw fail("setns(" + what + ", " + cloneFlags(nstype) + ")", e, hint, "setns");
        }
    }

    public static void mount(String source, String target, String fstype, long flags, String data) {
        try {
            C.mount(source, target, fstype, flags, data);
        } catch (LastErrorException e) {
            String hint = switch (e.getErrorCode()) {
                case 2 -> "Does " + target + " exist?";
                case 22 -> (flags & (LibC.MS_PRIVATE | LibC.MS_SHARED | LibC.MS_SLAVE)) != 0
                    ? target + " is not a mount point" : null;
                default -> null;
            };
            throw fail("mount(" + q(source) + ", " + q(target) + ", " + q(fstype) + ", " + mountFlags(flags) + ")",
                e, hint, "mount");
        }
    }

    public static void umount2(String target, int flags) {
        try {
            C.umount2(target, flags);
        } catch (LastErrorException e) {
            String hint = switch (e.getErrorCode()) {
                case 22 -> target + " is not a mount point";
                case 16 -> "Something still uses it: try MNT_DETACH (umount -l)";
                default -> null;
            };
            throw fail("umount2(" + q(target) + (flags == LibC.MNT_DETACH ? ", MNT_DETACH" : ", " + flags) + ")",
                e, hint, "umount2");
        }
    }

    public static void chroot(String path) {
        try {
            C.chroot(path);
        } catch (LastErrorException e) {
            throw fail("chroot(" + q(path) + ")", e, null, "chroot");
        }
    }

    public static void fchdir(int fd) {
        try {
            C.fchdir(fd);
        } catch (LastErrorException e) {
            throw fail("fchdir(" + fd + ")", e, null, "fchdir");
        }
    }

    public static void chdir(String path) {
        try {
            C.chdir(path);
        } catch (LastErrorException e) {
            throw fail("chdir(" + q(path) + ")", e, null, "chdir");
        }
    }

    public static void pivotRoot(String newRoot, String putOld) {
        long number = Syscalls.number("pivot_root"); // before LibC is touched: refused on an unknown architecture
        try {
            C.syscall(number, newRoot, putOld);
        } catch (LastErrorException e) {
            String hint = e.getErrorCode() == 22
                ? "new_root must be a mount point other than /, put_old must be under it, and neither may have shared propagation"
                : null;
            throw fail("pivot_root(" + q(newRoot) + ", " + q(putOld) + ")", e, hint, "pivot_root");
        }
    }

    /**
     * The flags of the mount {@code path} is on that a bind remount must keep: nosuid, nodev, noexec and the atime ones,
     * as MS_* flags, from statvfs(3)'s f_flag. Where a more privileged mount namespace made the mount, a user namespace's
     * root may not drop them (they are locked: EPERM, mount_namespaces(7)), so a remount read-only passes them again.
     */
    public static long mountFlags(String path) {
        com.sun.jna.Memory buf = new com.sun.jna.Memory(256);
        try {
            C.statvfs(path, buf);
        } catch (LastErrorException e) {
            throw fail("statvfs(" + q(path) + ")", e, null, "statfs");
        }
        long st = buf.getLong(72);
        long ms = 0;
        long[][] map = {{2, LibC.MS_NOSUID}, {4, LibC.MS_NODEV}, {8, LibC.MS_NOEXEC}, {1024, LibC.MS_NOATIME},
            {2048, LibC.MS_NODIRATIME}, {4096, LibC.MS_RELATIME}};
        for (long[] m : map) if ((st & m[0]) != 0) ms |= m[1];
        return ms;
    }

    /**
     * open_tree(AT_FDCWD, path, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC): a copy of the mount at {@code path} (not the
     * ones below it), attached nowhere yet; the file descriptor is it (open_tree(2), Linux 5.2).
     */
    public static int openTreeClone(String path) {
        long number = Syscalls.number("open_tree");
        try {
            return (int) C.syscall(number, LibC.AT_FDCWD, path, LibC.OPEN_TREE_CLONE | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw fail("open_tree(AT_FDCWD, " + q(path) + ", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC)", e, null, "open_tree");
        }
    }

    /** move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH): attaches the mount {@code fd} is at {@code target}. */
    public static void moveMount(int fd, String target) {
        long number = Syscalls.number("move_mount");
        try {
            C.syscall(number, fd, "", LibC.AT_FDCWD, target, LibC.MOVE_MOUNT_F_EMPTY_PATH);
        } catch (LastErrorException e) {
            throw fail("move_mount(" + fd + ", \"\", AT_FDCWD, " + q(target) + ", MOVE_MOUNT_F_EMPTY_PATH)", e, null, "move_mount");
        }
    }

    /**
     * mq_open(name, O_RDONLY|O_CREAT|O_EXCL, 0600, NULL) then mq_close: a new POSIX message queue in the calling
     * thread's IPC namespace (mq_overview(7)). It stays until mq_unlink or the namespace ends.
     */
    public static void mqCreate(String name) {
        try {
            C.mq_close(C.mq_open(name, LibC.O_RDONLY | LibC.O_CREAT | LibC.O_EXCL, 0600, null));
        } catch (LastErrorException e) {
            throw fail("mq_open(" + q(name) + ", O_CREAT|O_EXCL)", e, null, "mq_open");
        }
    }

    /** mq_open(name, O_RDONLY): whether the calling thread's IPC namespace has this queue (false on ENOENT). */
    public static boolean mqExists(String name) {
        try {
            C.mq_close(C.mq_open(name, LibC.O_RDONLY, 0, null));
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENOENT) return false;
            throw fail("mq_open(" + q(name) + ", O_RDONLY)", e, null, "mq_open");
        }
    }

    public static void sethostname(String name) {
        try {
            C.sethostname(name, name.length());
        } catch (LastErrorException e) {
            throw fail("sethostname(" + q(name) + ")", e, null, "sethostname");
        }
    }

    public static int open(String path, int flags) {
        try {
            return C.open(path, flags);
        } catch (LastErrorException e) {
            throw fail("open(" + q(path) + ")", e, null, "open");
        }
    }

    /**
     * The whole content of a file named relative to an open directory (openat(2), then read(2) to the end): a file
     * under a /proc opened before the calling thread changed its root, say, which the new root has no path to.
     */
    public static String readAt(int dirfd, String name) {
        int fd;
        try {
            fd = C.openat(dirfd, name, LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw fail("openat(" + dirfd + ", " + q(name) + ")", e, null, "openat");
        }
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            for (long n; (n = C.read(fd, buf, buf.length)) > 0; ) out.write(buf, 0, (int) n);
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        } catch (LastErrorException e) {
            throw fail("read(" + name + ")", e, null, "read");
        } finally {
            close(fd);
        }
    }

    public static void close(int fd) {
        try {
            C.close(fd);
        } catch (LastErrorException e) {
            throw fail("close(" + fd + ")", e, null, "close");
        }
    }

    /** ioctl(fd, request) with no argument (ioctl_ns(2)'s NS_GET_USERNS): its non-negative result, often a new fd. */
    public static int ioctl(int fd, long request, String what) {
        try {
            return C.ioctl(fd, request);
        } catch (LastErrorException e) {
            throw fail("ioctl(" + what + ")", e, null, "ioctl_ns");
        }
    }

    /**
     * lgetxattr(2): the value of an extended attribute of a path (a symlink itself, not its target), or null when the
     * path has no such attribute (ENODATA).
     */
    public static String getxattr(String path, String name) {
        byte[] value = new byte[256];
        try {
            long n = C.lgetxattr(path, name, value, value.length);
            return new String(value, 0, (int) n, java.nio.charset.StandardCharsets.UTF_8);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == 61) return null; // ENODATA
            throw fail("lgetxattr(" + q(path) + ", " + q(name) + ")", e, null, "getxattr");
        }
    }

    /** kill(2); false if the process is already gone (ESRCH). */
    public static boolean kill(long pid, int sig) {
        try {
            C.kill((int) pid, sig);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == 3) return false;
            throw fail("kill(" + pid + ", " + sig + ")", e, null, "kill");
        }
    }

    /** The kernel's id of the calling thread: the name under /proc/PID/task/. */
    public static long gettid() {
        long number = Syscalls.number("gettid");
        return C.syscall(number);
    }

    /**
     * isatty(3): is {@code fd} a terminal? False too when the native library cannot be loaded (explain and describe
     * must work without it): plain text is always safe.
     */
    public static boolean isatty(int fd) {
        try {
            return C.isatty(fd) == 1;
        } catch (LinkageError e) {
            return false;
        }
    }

    public static boolean isRoot() {
        return C.geteuid() == 0;
    }

    public static int geteuid() {
        return C.geteuid();
    }

    public static long getpid() {
        return C.getpid();
    }

    private static SysCallException fail(String call, LastErrorException e, String hint, String man) {
        int errno = e.getErrorCode();
        String general = errno == 1 ? "Are you root? Run with sudo." : null;
        StringBuilder h = new StringBuilder();
        if (hint != null) h.append(hint).append(". ");
        if (general != null) h.append(general).append(' ');
        h.append("See man 2 ").append(man);
        return new SysCallException(call, errno, h.toString());
    }

    private static String q(String s) {
        return s == null ? "NULL" : "\"" + s + "\"";
    }

    /** CLONE_NEWNET|CLONE_NEWUTS, as the man page writes it. */
    public static String cloneFlags(int flags) {
        List<String> names = new ArrayList<>();
        int[] bits = {LibC.CLONE_NEWNS, LibC.CLONE_NEWUTS, LibC.CLONE_NEWIPC, LibC.CLONE_NEWPID, LibC.CLONE_NEWNET,
                      LibC.CLONE_NEWUSER, LibC.CLONE_NEWCGROUP, LibC.CLONE_NEWTIME, LibC.CLONE_FS};
        String[] n = {"CLONE_NEWNS", "CLONE_NEWUTS", "CLONE_NEWIPC", "CLONE_NEWPID", "CLONE_NEWNET",
                      "CLONE_NEWUSER", "CLONE_NEWCGROUP", "CLONE_NEWTIME", "CLONE_FS"};
        for (int i = 0; i < bits.length; i++) {
            if ((flags & bits[i]) != 0) {
                names.add(n[i]);
                flags &= ~bits[i];
            }
        }
        if (flags != 0) names.add("0x" + Integer.toHexString(flags));
        return names.isEmpty() ? "0" : String.join("|", names);
    }

    /** MS_REC|MS_PRIVATE, as the man page writes it. */
    public static String mountFlags(long flags) {
        List<String> names = new ArrayList<>();
        long[] bits = {LibC.MS_RDONLY, LibC.MS_NOSUID, LibC.MS_NODEV, LibC.MS_NOEXEC, LibC.MS_REMOUNT, LibC.MS_BIND,
                       LibC.MS_MOVE, LibC.MS_REC, LibC.MS_PRIVATE, LibC.MS_SLAVE, LibC.MS_SHARED};
        String[] n = {"MS_RDONLY", "MS_NOSUID", "MS_NODEV", "MS_NOEXEC", "MS_REMOUNT", "MS_BIND",
                      "MS_MOVE", "MS_REC", "MS_PRIVATE", "MS_SLAVE", "MS_SHARED"};
        for (int i = 0; i < bits.length; i++) {
            if ((flags & bits[i]) != 0) {
                names.add(n[i]);
                flags &= ~bits[i];
            }
        }
        if (flags != 0) names.add("0x" + Long.toHexString(flags));
        return names.isEmpty() ? "0" : String.join("|", names);
    }
}
