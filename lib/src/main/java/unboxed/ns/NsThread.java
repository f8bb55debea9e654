package unboxed.ns;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import unboxed.sys.LibC;
import unboxed.sys.Sys;

/**
 * A JVM thread that lives in other namespaces than the rest of the JVM, and runs the work you hand it there.
 *
 * <p>Why a thread of its own: namespaces belong to threads. unshare(2) and setns(2) change only the calling thread, so
 * doing them on a dedicated thread leaves the main thread (and the JVM's GC, JIT and other threads) where they were.
 * Whatever the work does happens inside: a socket it opens is in the thread's network namespace, a file it reads is
 * seen through the thread's mount namespace and root, and a process it starts (ProcessBuilder, unboxed.sys.Cmd) is
 * born in all of the thread's namespaces.
 *
 * <p>The pid-namespace rule: after unshare(CLONE_NEWPID) the thread's <em>children</em> go into the new namespace,
 * and the first one becomes its PID 1. The kernel then refuses to let this thread create threads (EINVAL, which the
 * JVM reports as OutOfMemoryError), and once that PID 1 exits nobody can enter the namespace any more (ENOMEM). So:
 * work on a pid thread must start no threads, and should start exactly one long-lived process, the namespace's init.
 * Starting a process needs a thread too (the JDK's process reaper): call {@link Reapers#ready} first, from the main thread.
 *
 * <p>Close it when done: the thread ends, and namespaces nothing else holds (no process, no bind mount) disappear.
 */
public final class NsThread implements AutoCloseable {
    /** Work to run inside. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws Exception;
    }

    private static final Runnable STOP = () -> {};
    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final CompletableFuture<Long> started = new CompletableFuture<>();

    private NsThread(String name, Runnable enter) {
        thread = new Thread(() -> {
            try {
                long tid = Sys.gettid(); // before the namespaces: after a mount namespace's join, the JVM's class path may be out of reach
                enter.run();
                started.complete(tid);
            } catch (Throwable t) {
                started.completeExceptionally(t);
                return;
            }
            try {
                for (Runnable r; (r = queue.take()) != STOP; ) r.run();
            } catch (InterruptedException e) {
                // closing
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        try {
            started.get();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A thread in new namespaces of the given types: unshare(2) with their CLONE_NEW* flags. */
    public static NsThread unshare(Set<Ns> types) {
        int flags = Ns.flags(types);
        return new NsThread("unboxed-unshare-" + String.join("+", types.stream().map(t -> t.file).toList()),
            () -> Sys.unshare(flags));
    }

    /** A thread inside the network namespace that `ip netns add NAME` (or unboxed.net.Netns) pinned at /run/netns/NAME. */
    public static NsThread joinNetns(String name) {
        return new NsThread("unboxed-netns-" + name, () -> join("/run/netns/" + name, Ns.NET));
    }

    /**
     * A thread inside the given namespaces of a running process, as nsenter(1) -t PID does. For MNT the thread first
     * unshares its filesystem state (CLONE_FS), which setns(2) requires; it then also takes that process's root and
     * working directory, as nsenter does, so paths resolve as the process sees them.
     */
    public static NsThread enter(long pid, Set<Ns> types) {
        java.util.Map<Ns, Long> from = new java.util.EnumMap<>(Ns.class);
        for (Ns t : types) from.put(t, pid);
        return enter(from);
    }

    /**
     * A thread inside namespaces of several processes, each type from its own: {net: A, ipc: A, pid: B} is `nsenter
     * --net=/proc/A/ns/net --ipc=/proc/A/ns/ipc --pid=/proc/B/ns/pid`, and what `docker run --net container:A --pid
     * container:B` arranges. Joined in nsenter's order; MNT as in {@link #enter(long, Set)}.
     */
    public static NsThread enter(java.util.Map<Ns, Long> from) {
        return new NsThread("unboxed-enter-" + from.values().stream().distinct().map(String::valueOf)
            .collect(java.util.stream.Collectors.joining("+")), () -> {
            // every file opened before the first join, as nsenter does: after the mount namespace's, /proc may be
            // the target's own, where its host pid does not exist
            Ns[] order = {Ns.USER, Ns.CGROUP, Ns.IPC, Ns.UTS, Ns.NET, Ns.TIME, Ns.MNT, Ns.PID};
            java.util.Map<Ns, Integer> fds = new java.util.EnumMap<>(Ns.class);
            int root = -1;
            try {
                for (Ns t : order) {
                    if (from.containsKey(t)) fds.put(t, Sys.open(file(from.get(t), t), LibC.O_RDONLY | LibC.O_CLOEXEC));
                }
                if (from.containsKey(Ns.MNT)) {
                    Sys.unshare(LibC.CLONE_FS);
                    root = Sys.open("/proc/" + from.get(Ns.MNT) + "/root", LibC.O_RDONLY | LibC.O_CLOEXEC);
                }
                // user first (it grants rights in the others), mount last but one, pid last (it only affects children)
                for (Ns t : order) {
                    if (fds.containsKey(t)) Sys.setns(fds.get(t), t.flag, file(from.get(t), t));
                }
                if (root >= 0) {
                    Sys.fchdir(root);
                    Sys.chroot(".");
                    Sys.chdir("/");
                }
            } finally {
                for (int fd : fds.values()) Sys.close(fd);
                if (root >= 0) Sys.close(root);
            }
        });
    }

    /**
     * A thread that calls setns(2) for one namespace of a running process and nothing else: no unshare(CLONE_FS)
     * first, no chroot after. For showing what setns(2) itself allows a thread of a multithreaded process; the
     * SysCallException of a refused join comes out of this call.
     */
    public static NsThread setnsOnly(long pid, Ns type) {
        return new NsThread("unboxed-setns-" + type.file, () -> join("/proc/" + pid + "/ns/" + type.file, type));
    }

    /**
     * A thread in a process's mount namespace at that namespace's own root, as `nsenter -t PID -m` without -r: setns(2)
     * sets the thread's root and working directory to the namespace's root mount, so the thread sees the namespace's
     * whole mount table, also what a chroot inside it hides from that process.
     */
    public static NsThread joinMountNamespace(long pid) {
        return new NsThread("unboxed-mnt-" + pid, () -> {
            Sys.unshare(LibC.CLONE_FS);
            join("/proc/" + pid + "/ns/mnt", Ns.MNT);
        });
    }

    /** A thread that can chroot or change mounts without touching the JVM's own root and cwd: unshare(CLONE_FS). */
    public static NsThread ownFilesystem() {
        return new NsThread("unboxed-fs", () -> Sys.unshare(LibC.CLONE_FS));
    }

    /**
     * A thread that first runs {@code setup}, for anything else the kernel keeps per thread as it keeps namespaces:
     * a seccomp filter, capability sets, no_new_privs. What setup does holds for the thread and for every program
     * started from it afterwards; the rest of the JVM is untouched.
     */
    public static NsThread own(String name, ThrowingRunnable setup) {
        return new NsThread("unboxed-" + name, () -> {
            try {
                setup.run();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }

    private static String file(long pid, Ns type) {
        return "/proc/" + pid + "/ns/" + type.file;
    }

    private static void join(String nsFile, Ns type) {
        int fd = Sys.open(nsFile, LibC.O_RDONLY | LibC.O_CLOEXEC);
        try {
            Sys.setns(fd, type.flag, nsFile);
        } finally {
            Sys.close(fd);
        }
    }

    /** Runs work on the thread, inside its namespaces, and waits for the result. Exceptions come back as they were. */
    public <T> T call(Work<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        queue.add(() -> {
            try {
                f.complete(work.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** As {@link #call} for work with no result. */
    public void run(ThrowingRunnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** The kernel's id of this thread (its name under /proc/PID/task/). */
    public long tid() {
        return started.join();
    }

    /** The id of this thread's namespace of the given type. */
    public long id(Ns type) {
        return type.idOf(tid());
    }

    @Override
    public void close() {
        queue.add(STOP);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs work once in new namespaces of the given types, on a thread that ends right after. */
    public static <T> T inNew(Set<Ns> types, Work<T> work) {
        try (NsThread t = unshare(types)) {
            return t.call(work);
        }
    }

    /** Runs work once inside the named network namespace (as `ip netns exec NAME` does for a command). */
    public static <T> T inNetns(String name, Work<T> work) {
        try (NsThread t = joinNetns(name)) {
            return t.call(work);
        }
    }

    /** Runs work once inside the given namespaces of a running process (as `nsenter -t PID` does for a command). */
    public static <T> T inNamespacesOf(long pid, Set<Ns> types, Work<T> work) {
        try (NsThread t = enter(pid, types)) {
            return t.call(work);
        }
    }

    /** All types but USER, which a multithreaded process such as the JVM cannot unshare or join. */
    public static Set<Ns> allButUser() {
        return EnumSet.complementOf(EnumSet.of(Ns.USER));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t.getMessage(), t);
    }
}
