package unboxed.oci;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import unboxed.cgroup.Group;
import unboxed.sys.Credentials;
import unboxed.sys.LibC;
import unboxed.sys.Sys;
import unboxed.sys.SysCallException;

/**
 * What the container's program gets between its birth and its execve(2), as runc's init gets it: its cgroup (runc's
 * parent writes init's pid to cgroup.procs while init waits) and process.rlimits (runc's init calls setrlimit(2) on
 * itself before it changes user: libcontainer/standard_init_linux.go). Limits belong to a whole process (getrlimit(2)),
 * so the runtime cannot set them on its own thread without changing the JVM; once the program runs as another user,
 * root here may no longer lower them (prlimit(2) needs CAP_SYS_RESOURCE towards a process of another uid). And the
 * runtime's thread never joins the group: the group can be removed once the program is gone, and on cgroup v2, where
 * only whole processes move, the JVM stays where it is.
 *
 * <p>The hold is runc's exec.fifo: posix_spawn's file actions first open a FIFO in the container's state folder for
 * reading, which blocks until a writer opens it (fifo(7)). A helper thread of the runtime finds the child in
 * /proc/PID/task/TID/children of the spawning thread, writes its pid to the group's cgroup.procs and calls prlimit(2)
 * on it for each limit as root; where root may not (EPERM: no CAP_SYS_RESOURCE, towards another uid), it takes the
 * program's user and groups (credentials are per thread: no capability is needed to lower a limit of a process of
 * one's own uid and gid) and calls it again; then it opens the FIFO for writing: the child goes on to exec, and the
 * helper thread ends (its credentials with it). If a step fails, the child is killed before it runs anything and the
 * error is the runtime's.
 */
final class ExecFifo {
    static final String NAME = "exec.fifo";

    private final Path fifo;
    private final Bundle.User user;
    private final List<Bundle.Rlimit> limits;
    private final java.util.function.LongConsumer join;
    private java.util.function.LongConsumer inside = pid -> {};
    private volatile boolean spawned;
    private volatile RuntimeException failure;
    private Thread helper;

    private ExecFifo(Path fifo, Bundle.User user, List<Bundle.Rlimit> limits, Group group) {
        this.fifo = fifo;
        this.user = user;
        this.limits = limits;
        this.join = group == null ? null : group::add;
    }

    private ExecFifo(Path fifo, Bundle.User user, java.util.function.LongConsumer join) {
        this.fifo = fifo;
        this.user = user;
        this.limits = List.of();
        this.join = join;
    }

    /**
     * mkfifo DIR/exec.fifo, owned by the program's user (the helper opens it as that user). The helper puts the child
     * in {@code group} (null: none) and sets its {@code limits}.
     */
    static ExecFifo make(Path dir, Bundle.User user, List<Bundle.Rlimit> limits, Group group) {
        Path fifo = dir.resolve(NAME);
        try {
            LibC.C.mkfifo(fifo.toString(), 0600);
        } catch (LastErrorException e) {
            throw new SysCallException("mkfifo(" + fifo + ")", e.getErrorCode(), "See man 3 mkfifo");
        }
        try {
            Files.setAttribute(fifo, "unix:gid", (int) user.gid());
            Files.setAttribute(fifo, "unix:uid", (int) user.uid());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("chown " + user.uid() + ":" + user.gid() + " " + fifo, e);
        }
        return new ExecFifo(fifo, user, limits, group);
    }

    /** As {@link #make}, without limits, and with {@code join} given the child's pid instead of a group (lab13's runtime). */
    static ExecFifo joining(Path dir, Bundle.User user, java.util.function.LongConsumer join) {
        ExecFifo f = make(dir, user, List.of(), null);
        return new ExecFifo(f.fifo, user, join);
    }

    /** The FIFO in {@code dir} as the spawning side sees it: what {@link #addTo} needs, in a process that did not make it. */
    static ExecFifo at(Path dir) {
        return new ExecFifo(dir.resolve(NAME), null, List.of(), null);
    }

    /**
     * What else is done to the held child, after it joined its group and before its limits: the container's own /proc
     * ({@link ProcInside}), which only a process born in its pid namespace can mount.
     */
    ExecFifo then(java.util.function.LongConsumer step) {
        inside = step;
        return this;
    }

    /** Starts the helper that waits for the child of thread {@code tid} of this JVM. */
    void watch(long tid) {
        watch(Sys.getpid(), tid);
    }

    /** Starts the helper that waits for the child of thread {@code tid} of process {@code pid} (another JVM's, too). */
    void watch(long pid, long tid) {
        helper = new Thread(() -> help(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "children")),
            "box-rlimits");
        helper.setDaemon(true);
        helper.start();
    }

    /** posix_spawn's file actions that hold the child: fchdir to the state folder, open the FIFO (blocks), chdir cwd. */
    void addTo(com.sun.jna.Pointer actions, int dirFd, String cwd) {
        LibC.C.posix_spawn_file_actions_addfchdir_np(actions, dirFd);
        LibC.C.posix_spawn_file_actions_addopen(actions, dirFd, NAME, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        LibC.C.posix_spawn_file_actions_addchdir_np(actions, cwd);
    }

    /** After posix_spawn returned (or failed): waits for the helper; what failed in it (the child was killed), or null. */
    RuntimeException finish() {
        spawned = true;
        try {
            helper.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return failure;
    }

    private void help(Path children) {
        long child = 0;
        try {
            while ((child = firstChild(children)) == 0) {
                if (spawned) return; // posix_spawn failed before the child was seen
                LockSupport.parkNanos(100_000);
            }
            // a handle on the FIFO while this thread may still walk the state folder (root's alone)
            int path = Sys.open(fifo.toString(), LibC.O_PATH | LibC.O_CLOEXEC);
            if (join != null) join.accept(child); // as root: cgroup.procs of each hierarchy (v2: the one)
            inside.accept(child);
            try {
                // as root first, as runc's init sets them (root may raise a hard limit where it has CAP_SYS_RESOURCE)
                List<Bundle.Rlimit> refused = new java.util.ArrayList<>();
                for (Bundle.Rlimit r : limits) {
                    try {
                        Rlimits.set(child, r);
                    } catch (SysCallException e) {
                        if (e.errno() != unboxed.sys.Errno.EPERM || user.uid() == 0) throw e;
                        refused.add(r);
                    }
                }
                if (!refused.isEmpty()) {
                    // root without CAP_SYS_RESOURCE (as in some containers) may not touch another uid's process;
                    // its own uid and gid may, to lower a limit
                    Credentials.setOnThisThread(user.uid(), user.gid(), user.additionalGids(), false);
                    for (Bundle.Rlimit r : refused) Rlimits.set(child, r);
                }
                release("/proc/self/fd/" + path);
            } finally {
                Sys.close(path);
            }
        } catch (RuntimeException e) {
            failure = e;
            if (child > 0) Sys.kill(child, 9);
        }
    }

    private static long firstChild(Path children) {
        try {
            String s = Files.readString(children).strip();
            return s.isEmpty() ? 0 : Long.parseLong(s.split(" ")[0]);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Opens the FIFO for writing once the child waits on it (before that, O_NONBLOCK gives ENXIO), through the O_PATH
     * handle's /proc/self/fd link: only the FIFO's own owner and mode are checked then (proc(5)).
     */
    private void release(String handle) {
        while (true) {
            try {
                Sys.close(LibC.C.open(handle, LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC));
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != 6 || spawned) { // ENXIO: no reader yet
                    throw new SysCallException("open(" + fifo + ", O_WRONLY)", e.getErrorCode(), "See man 7 fifo");
                }
                LockSupport.parkNanos(100_000);
            }
        }
    }
}
