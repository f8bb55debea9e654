package unboxed.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The libc calls the labs teach, bound with JNA. Names and constants are the man pages' own.
 * Every call throws {@link LastErrorException} on -1; {@link Sys} turns that into a {@link SysCallException}
 * that says which call failed and what to check. Use {@link Sys}, not this interface, from lab code.
 */
public interface LibC extends Library {
    LibC C = Native.load("c", LibC.class);

    // clone(2) / unshare(2) / setns(2) namespace flags
    int CLONE_NEWNS = 0x00020000;
    int CLONE_NEWCGROUP = 0x02000000;
    int CLONE_NEWUTS = 0x04000000;
    int CLONE_NEWIPC = 0x08000000;
    int CLONE_NEWUSER = 0x10000000;
    int CLONE_NEWPID = 0x20000000;
    int CLONE_NEWNET = 0x40000000;
    int CLONE_NEWTIME = 0x00000080;
    int CLONE_FS = 0x00000200;

    // mount(2) flags
    long MS_RDONLY = 1;
    long MS_NOSUID = 2;
    long MS_NODEV = 4;
    long MS_NOEXEC = 8;
    long MS_REMOUNT = 32;
    long MS_BIND = 4096;
    long MS_MOVE = 8192;
    long MS_REC = 16384;
    long MS_PRIVATE = 1 << 18;
    long MS_SLAVE = 1 << 19;
    long MS_SHARED = 1 << 20;

    long MS_NOATIME = 1024;
    long MS_NODIRATIME = 2048;
    long MS_RELATIME = 1 << 21;

    // umount2(2) flags
    int MNT_DETACH = 2;

    // open_tree(2), move_mount(2) (the new mount API, Linux 5.2): a copy of a mount, attached elsewhere
    int AT_FDCWD = -100;
    int OPEN_TREE_CLONE = 1;
    int MOVE_MOUNT_F_EMPTY_PATH = 4;

    // ioctl_ns(2): the user namespace that owns a namespace (a new fd for it)
    long NS_GET_USERNS = 0xb701;

    // open(2) flags
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_CLOEXEC = 0x80000;
    int O_DIRECTORY = 0x10000;
    int O_NONBLOCK = 04000;
    /** open(2): a handle on the path only (for fchdir, openat), no read or write. */
    int O_PATH = 010000000;

    // prctl(2) options
    int PR_CAPBSET_DROP = 24;
    int PR_SET_NO_NEW_PRIVS = 38;
    int PR_SET_KEEPCAPS = 8;
    int PR_SET_PDEATHSIG = 1;
    int PR_SET_CHILD_SUBREAPER = 36;
    int PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_RAISE = 2;
    // ptrace(2) requests
    int PTRACE_DETACH = 17;
    int PTRACE_SEIZE = 0x4206;
    int PTRACE_INTERRUPT = 0x4207;
    int PTRACE_SECCOMP_GET_FILTER = 0x420c;
    // waitpid(2) option: wait for any child, threads and clones included (needed for a tracee)
    int __WALL = 0x40000000;

    int unshare(int flags) throws LastErrorException;
    int setns(int fd, int nstype) throws LastErrorException;
    int mount(String source, String target, String filesystemtype, long mountflags, String data) throws LastErrorException;
    int umount2(String target, int flags) throws LastErrorException;
    /** statvfs(3): buf is a struct statvfs (112 bytes on 64-bit Linux; f_flag, the ST_* flags, at offset 72). */
    int statvfs(String path, com.sun.jna.Pointer buf) throws LastErrorException;
    int chroot(String path) throws LastErrorException;
    int chdir(String path) throws LastErrorException;
    int fchdir(int fd) throws LastErrorException;
    int sethostname(String name, long len) throws LastErrorException;
    int open(String pathname, int flags) throws LastErrorException;
    int openat(int dirfd, String pathname, int flags) throws LastErrorException;
    long read(int fd, byte[] buf, long count) throws LastErrorException;
    long write(int fd, byte[] buf, long count) throws LastErrorException;
    /** pipe2(2): fds[0] the read end, fds[1] the write end. */
    int pipe2(int[] fds, int flags) throws LastErrorException;
    int close(int fd) throws LastErrorException;
    int kill(int pid, int sig) throws LastErrorException;
    int ioctl(int fd, long request) throws LastErrorException;
    int geteuid();
    int getpid();
    int getppid();
    int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;
    long ptrace(int request, int pid, com.sun.jna.Pointer addr, com.sun.jna.Pointer data) throws LastErrorException;
    int waitpid(int pid, com.sun.jna.Pointer status, int options) throws LastErrorException;
    /** capget(2)/capset(2): a header {u32 version, int pid} and, for version 3, two {effective, permitted, inheritable}. */
    int capget(com.sun.jna.Pointer header, com.sun.jna.Pointer data) throws LastErrorException;
    int capset(com.sun.jna.Pointer header, com.sun.jna.Pointer data) throws LastErrorException;
    /** 1 if fd is a terminal; 0 (errno ENOTTY or EBADF) if not, so no LastErrorException: that is an answer. */
    int isatty(int fd);
    /** mq_overview(7): a POSIX message queue, named "/NAME", in the calling thread's IPC namespace (glibc 2.34+: in libc). */
    int mq_open(String name, int oflag, int mode, com.sun.jna.Pointer attr) throws LastErrorException;
    int mq_close(int mqdes) throws LastErrorException;
    int O_CREAT = 0100, O_EXCL = 0200;
    long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;
    /** prlimit(2): set (and/or get) a process's limit of one resource; new and old are struct rlimit {u64 cur, max}. */
    int prlimit(int pid, int resource, com.sun.jna.Pointer newLimit, com.sun.jna.Pointer oldLimit) throws LastErrorException;
    /** access(2): 0 if the calling thread may use the path so (X_OK = 1), else -1. */
    int X_OK = 1;
    int access(String path, int mode) throws LastErrorException;
    /**
     * posix_spawn(3): a child of the calling thread (clone with CLONE_VM|CLONE_VFORK, so it has this thread's
     * namespaces, root, credentials and seccomp filter) that runs the file actions, then execve(path, argv, envp).
     * Returns an errno (0 on success), not -1. argv and envp: NULL-terminated (JNA ends a String[] with NULL).
     */
    int posix_spawn(com.sun.jna.ptr.IntByReference pid, String path, com.sun.jna.Pointer fileActions,
                    com.sun.jna.Pointer attr, String[] argv, String[] envp);
    /** In the child, dup2(fd, newfd) (newfd loses close-on-exec). */
    int posix_spawn_file_actions_adddup2(com.sun.jna.Pointer fileActions, int fd, int newfd);
    int posix_spawn_file_actions_init(com.sun.jna.Pointer fileActions);
    int posix_spawn_file_actions_destroy(com.sun.jna.Pointer fileActions);
    /** glibc 2.34+: close every descriptor from fd up in the child (the JVM's own, not marked close-on-exec). */
    int posix_spawn_file_actions_addclosefrom_np(com.sun.jna.Pointer fileActions, int from);
    /** In the child, open(path, oflag, mode) onto fd (it blocks as open(2) blocks: a FIFO with no writer). */
    int posix_spawn_file_actions_addopen(com.sun.jna.Pointer fileActions, int fd, String path, int oflag, int mode);
    /** glibc 2.29+: in the child, fchdir(fd) / chdir(path) (a relative path then resolves from there). */
    int posix_spawn_file_actions_addfchdir_np(com.sun.jna.Pointer fileActions, int fd);
    int posix_spawn_file_actions_addchdir_np(com.sun.jna.Pointer fileActions, String path);
    /** mkfifo(3): a named pipe; opening it for reading blocks until a writer opens it (fifo(7)). */
    int mkfifo(String path, int mode) throws LastErrorException;
    /** Variadic: the calls glibc does not wrap go through here, by their {@link Syscalls#number}. */
    long syscall(long number, Object... args) throws LastErrorException;
}
