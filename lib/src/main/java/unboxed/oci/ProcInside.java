package unboxed.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import unboxed.ns.Mounts;
import unboxed.ns.NsThread;
import unboxed.sys.Cmd;

/**
 * The container's own /proc. A proc file system shows the processes of the pid namespace of the process that mounted
 * it, whoever looks (pid_namespaces(7), "/proc and PID namespaces"), and a thread that called unshare(CLONE_NEWPID)
 * is not in the new namespace: only its children are born there (unshare(2)). So the proc that the runtime's thread
 * mounts below the root shows the host's processes; runc's init, PID 1 of the new namespace, mounts the container's
 * own itself before its execve.
 *
 * <p>Here PID 1 is the program, held before its execve ({@link ExecFifo}), so a second process born in its pid
 * namespace mounts the container's own on top, in its mount namespace, while it waits:
 *
 * <pre>nsenter --target PID --pid -- mount -N PID -t proc proc /proc</pre>
 *
 * nsenter(1) joins the pid namespace and forks: its child is born there (a PID after 1, gone before the program runs).
 * mount(8) -N calls mount(2) in the mount namespace of PID, whose root is the container's after pivot_root. Then, from
 * a thread of this JVM in that mount namespace, only the new proc is kept ({@link Mounts#keepTop}: open_tree(2),
 * umount2, move_mount(2)), and the masked and read-only paths of the bundle that were made on the old one are made on
 * it again, with the container's /dev/null, as runc's init masks them.
 *
 * <p>Why mount the new one on top of the old one and not alone: in a user namespace of the container's own (its mount
 * namespace belongs to it) the kernel lets a new proc be mounted only where one is already fully visible
 * (mount_too_revealing() in fs/namespace.c); without one, the same steps work alike.
 *
 * <p>Without a pid namespace of its own the container shares the host's, and the proc the thread mounted is the right
 * one: nothing to do here.
 */
final class ProcInside {
    private ProcInside() {}

    /** Whether the bundle needs it: a proc in its mounts, and a pid namespace of its own. */
    static boolean needed(Bundle b) {
        return b.has("pid") && !procs(b).isEmpty();
    }

    private static List<Bundle.Mount> procs(Bundle b) {
        return b.mounts().stream().filter(m -> m.type().equals("proc")).toList();
    }

    /**
     * Mounts the bundle's procs in the mount namespace of {@code pid}, from a process born in its pid namespace, keeps
     * only those, and masks and makes read-only again what of the bundle's paths below them was. Mounts nothing where
     * that mount namespace's root is still the host's (a runtime written by hand that did not pivot_root: there
     * /proc is the host's).
     */
    static void mount(Bundle b, long pid, Consumer<String> log) {
        Object hostRoot = rootKey();
        preload(); // the thread below joins the container's mount namespace, where the JVM's class path is out of reach
        try (NsThread t = NsThread.joinMountNamespace(pid)) {
            if (t.call(ProcInside::rootKey).equals(hostRoot)) {
                log.accept("/proc: not mounted from inside: the program's mount namespace has the host's root (no pivot_root)");
                return;
            }
            for (Bundle.Mount m : procs(b)) {
                String below = m.destination().endsWith("/") ? m.destination() : m.destination() + "/";
                List<Mounts.Mount> before = Mounts.of(pid);
                List<String> masked = madeBelow(b.linux().maskedPaths(), below, before);
                List<String> readonly = madeBelow(b.linux().readonlyPaths(), below, before);
                Cmd.Result r = Cmd.run(command(m, Long.toString(pid)), 10);
                if (!r.ok()) {
                    throw new IllegalStateException(r.line() + ": exit " + r.exit() + ": " + r.err().strip()
                        + " (the container's own /proc, mounted from inside its pid namespace)");
                }
                log.accept(String.join(" ", command(m, "PID")) + " (the program held: PID 1 inside)");
                long stacked = Mounts.of(pid).stream().filter(x -> x.mountPoint().equals(m.destination())).count();
                t.run(() -> {
                    if (stacked > 1) {
                        Mounts.keepTop(m.destination(), (int) stacked);
                        log.accept("open_tree(" + m.destination() + ", OPEN_TREE_CLONE); umount -l " + m.destination()
                            + " (" + stacked + " times); move_mount(..., " + m.destination() + "): the new proc alone");
                    }
                    for (String path : masked) Container.mask(path, "/dev/null", log);
                    for (String path : readonly) Container.readonly(path, log);
                });
            }
        }
    }

    /** Of {@code paths}, those below {@code below} on which something is mounted in {@code table}. */
    private static List<String> madeBelow(List<String> paths, String below, List<Mounts.Mount> table) {
        return paths.stream().filter(p -> p.startsWith(below) && Mounts.at(table, p).isPresent()).toList();
    }

    /** The command line that mounts {@code m} from inside the pid and mount namespaces of process {@code pid}. */
    static List<String> command(Bundle.Mount m, String pid) {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--target", pid, "--pid", "--", "mount", "-N", pid, "-t", "proc"));
        if (!m.options().isEmpty()) argv.addAll(List.of("-o", String.join(",", m.options())));
        argv.addAll(List.of(m.source(), m.destination()));
        return argv;
    }

    private static void preload() {
        try {
            Container.preload();
            Class.forName(Mounts.class.getName(), true, Mounts.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The calling thread's root directory's device and inode: the same pair is the same directory. */
    private static Object rootKey() {
        try {
            return Files.readAttributes(Path.of("/"), "unix:dev,ino");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
