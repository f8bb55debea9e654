package unboxed.oci;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import unboxed.cgroup.Group;
import unboxed.lab.Journal;
import unboxed.lab.KernelObject;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Processes;
import unboxed.sys.LibC;
import unboxed.sys.Sys;

/**
 * The driver of a runtime written by hand ({@link Pieces}): it journals what the pieces will make (the container's
 * state folder, the mounts below its root, the processes it starts, the host's hostname in case a piece
 * renames it), makes the container's cgroup (journaled first, its controllers handed down on cgroup v2) where the bundle sets limits, calls the pieces in a runtime's order, starts the bundle's program from the pieces' thread and waits for
 * it. While the program is held it mounts the container's own /proc from inside its pid namespace ({@link ProcInside}:
 * no piece on a thread can). What is the pieces' to do, it leaves to them: it only refuses to call {@link Pieces#root} on a thread still in
 * the host's mount namespace (pivot_root there would move the whole host's root) and {@link Pieces#hostname} in the
 * host's uts namespace (it would rename the host), and says it skipped them.
 *
 * <p>{@link #drive} runs one container, in a JVM of its own (so that a runtime that hangs can be killed and one that throws
 * leaves the lab's JVM as it was): {@code CLASSES CLASS BUNDLE ID OUTPUT}; it prints "started PID" when the program
 * runs, "exited N" when it ended, or "failed in PIECE: WHAT" (exit 125); its log goes to stderr.
 */
public final class Assembly {
    private Assembly() {}

    /** The exit code of main when a piece threw or the program could not start. */
    public static final int FAILED = 125;

    /** A piece threw: which, and what. */
    public static final class PieceFailed extends RuntimeException {
        public final String piece;

        PieceFailed(String piece, Throwable cause) {
            super(piece + ": " + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
            this.piece = piece;
        }
    }

    interface Call {
        void run() throws Exception;
    }

    private static void piece(String name, Consumer<String> log, Call c) {
        try {
            c.run();
        } catch (Throwable t) {
            throw new PieceFailed(name, t);
        }
        log.accept(name + ": done");
    }

    /** Runs the bundle with the pieces; {@code started} gets the program's pid once it runs; returns its exit code. */
    public static int run(Pieces pieces, Bundle b, String id, Container.Io io, Consumer<String> log,
            java.util.function.LongConsumer started) {
        Path dir = Container.STATE.resolve(id);
        if (b.has("user")) {
            throw new Container.Unsupported("config.json: linux.namespaces type user: a runtime written by hand makes its"
                + " namespaces on one thread of a JVM, and unshare(CLONE_NEWUSER) is EINVAL in a multithreaded process"
                + " (man 2 unshare); `box run` makes one in a second JVM (unboxed.oci.UserInit)");
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new Container.Conflict("a container called " + id + " exists (" + dir + "): box delete " + id);
        }
        try {
            long pid = start(pieces, b, id, dir, io, log);
            started.accept(pid);
            return Container.waitFor(pid);
        } finally {
            Container.delete(id);
        }
    }

    private static long start(Pieces pieces, Bundle b, String id, Path dir, Container.Io io, Consumer<String> log) {
        Journal j = Container.journal();
        String tag = "box-" + id;
        long self = ProcessHandle.current().pid();
        j.record(new KernelObject.DirTree(dir).entry(id));
        j.record(new KernelObject.MountsOn(b.rootfs().toString()).entry(id));
        j.record(new KernelObject.ProcessTree(tag).entry(id));
        j.record(new KernelObject.Hostname(Processes.hostname()).entry(id));
        Container.writeState(dir, new Container.State(b.ociVersion(), id, "creating", 0, b.dir().toAbsolutePath().toString()));
        Group g = Container.makeCgroup(b, id, Container.Devices.AUTO, j, log);
        if (g != null) {
            piece("limits", log, () -> pieces.limits(b, g));
        }
        ExecFifo fifo = ExecFifo.joining(dir, b.process().user(), pid -> {
            if (g == null) return;
            try {
                pieces.join(g, pid);
                log.accept("join: done (pid " + pid + ", held before its execve)");
            } catch (Exception e) {
                throw new PieceFailed("join", e);
            }
        });
        if (ProcInside.needed(b)) fifo.then(pid -> ProcInside.mount(b, pid, s -> log.accept("driver: " + s)));
        int out = io.output() == null ? -1 : Container.openOutput(io.output());
        try (NsThread t = NsThread.ownFilesystem()) {
            piece("namespaces", log, () -> t.run(() -> pieces.namespaces(b)));
            boolean ownMnt = t.id(Ns.MNT) != Ns.MNT.idOf(self), ownUts = t.id(Ns.UTS) != Ns.UTS.idOf(self);
            if (ownMnt) j.record(new KernelObject.NamespaceProcesses(Ns.MNT, t.id(Ns.MNT)).entry(id));
            fifo.watch(t.tid());
            List<String> env = new ArrayList<>(Container.withHome(b.process().env(), b.process().user().uid(), b.rootfs()));
            env.add(Journal.TAG_VARIABLE + "=" + tag);
            long pid;
            try {
                pid = t.call(() -> {
                    int stateFd = Sys.open(dir.toString(), LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
                    try {
                        Container.preload();
                        if (b.linux().seccomp() != null) b.linux().seccomp().filter(); // its tables loaded while in reach
                        if (ownMnt) piece("root", log, () -> pieces.root(b));
                        else log.accept("root: not called: this thread is in the host's mount namespace (pivot_root there would move the host's /)");
                        if (ownUts) piece("hostname", log, () -> pieces.hostname(b));
                        else log.accept("hostname: not called: this thread is in the host's uts namespace (it would rename the host)");
                        piece("privileges", log, () -> pieces.privileges(b));
                        piece("seccomp", log, () -> pieces.seccomp(b));
                        String program = Container.lookPath(b.process().args().get(0), b.process().getenv("PATH"));
                        return Container.spawn(program, b.process().args(), env, out, fifo, stateFd, b.process().cwd(), null);
                    } finally {
                        Sys.close(stateFd);
                    }
                });
            } catch (RuntimeException | Error e) {
                fifo.finish();
                throw e;
            }
            RuntimeException helper = fifo.finish();
            if (helper != null) {
                Container.waitFor(pid);
                throw helper;
            }
            Container.writeState(dir, new Container.State(b.ociVersion(), id, "running", pid, b.dir().toAbsolutePath().toString()));
            return pid;
        } finally {
            if (out >= 0) Sys.close(out);
        }
    }

    /**
     * CLASSES CLASS BUNDLE ID OUTPUT: one container, the pieces from class CLASS in folder CLASSES; its exit code (a
     * program's main calls this in a JVM of its own: a main here would be every lab's second main under jbang).
     */
    public static int drive(String... args) {
        if (args.length != 5) {
            System.err.println("usage: CLASSES CLASS BUNDLE ID OUTPUT");
            return 2;
        }
        int code;
        try {
            Pieces pieces = load(Path.of(args[0]), args[1]);
            code = run(pieces, Bundle.read(Path.of(args[2])), args[3], new Container.Io(Path.of(args[4])),
                s -> System.err.println("runtime: " + s), pid -> {
                    System.out.println("started " + pid);
                    System.out.flush();
                });
            System.out.println("exited " + code);
        } catch (PieceFailed e) {
            System.out.println("failed in " + e.getMessage());
            code = FAILED;
        } catch (RuntimeException | Error e) {
            System.out.println("failed in the driver: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            code = FAILED;
        }
        System.out.flush();
        return code;
    }

    /**
     * The learner's class, with every class in its folder loaded now: after pivot_root the thread no longer sees the
     * folder (and, in a build's folder of classes, the library's: those are loaded too).
     */
    static Pieces load(Path classes, String name) {
        try {
            URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, Assembly.class.getClassLoader());
            for (String n : classNames(classes)) Class.forName(n, true, loader);
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path p = Path.of(entry);
                if (!Files.isDirectory(p)) continue;
                for (String n : classNames(p)) {
                    if (n.startsWith("unboxed.sys.") || n.startsWith("unboxed.oci.") || n.startsWith("unboxed.cgroup.")
                            || n.startsWith("unboxed.ns.")) {
                        Class.forName(n, false, Assembly.class.getClassLoader());
                    }
                }
            }
            var constructor = loader.loadClass(name).getDeclaredConstructor();
            constructor.setAccessible(true); // a class of the unnamed package, not public (a lab file may hold no public class)
            Object o = constructor.newInstance();
            if (!(o instanceof Pieces p)) throw new PieceFailed("loading", new ClassCastException(name + " does not implement unboxed.oci.Pieces"));
            return p;
        } catch (ReflectiveOperationException | IOException e) {
            throw new PieceFailed("loading", e);
        }
    }

    private static List<String> classNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".class")).map(p -> dir.relativize(p).toString())
                .map(r -> r.substring(0, r.length() - ".class".length()).replace('/', '.')).sorted().toList();
        }
    }
}
