package unboxed.ns;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import unboxed.sys.Cmd;
import unboxed.sys.Wait;

/**
 * A small "container" without an image: one long-running process (sleep, under an argv[0] of the caller's choosing)
 * that is PID 1 of a new pid namespace and lives in new namespaces of the other given types, with a hostname of its
 * own, / private and a /proc of its own. What `unshare --pid --fork --mount-proc --net --uts --ipc bash -c 'hostname
 * NAME; exec -a NAME sleep infinity'` makes, done from a thread of the JVM (see {@link NsThread}).
 */
public final class Boxes {
    private Boxes() {}

    /** Starts a process: a lab passes its bench's spawn (journal first, then start). */
    @FunctionalInterface
    public interface Spawner {
        Process start(ProcessBuilder pb) throws IOException;
    }

    /**
     * Starts the box and returns its PID 1's host pid once that process shows its argv[0]. {@code types} must contain
     * PID; with UTS the hostname is set, with MNT / is made private and /proc is mounted from inside, with NET the
     * loopback is brought up.
     */
    public static long start(String argv0, String hostname, Set<Ns> types, Spawner spawn) {
        if (!types.contains(Ns.PID)) throw new IllegalArgumentException("a box is PID 1 of a new pid namespace: include Ns.PID");
        try (NsThread t = NsThread.unshare(types)) {
            t.run(() -> {
                if (types.contains(Ns.UTS)) Uts.sethostnameInside(hostname);
                if (types.contains(Ns.MNT)) Mounts.makePrivate("/");
            });
            Reapers.ready(2);
            Process init = t.call(() -> spawn.start(new ProcessBuilder("bash", "-c", "exec -a " + argv0 + " sleep infinity")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)));
            if (types.contains(Ns.MNT)) {
                Reapers.ready(2);
                t.call(() -> Cmd.run("mount", "-t", "proc", "proc", "/proc").orThrow());
            }
            if (types.contains(Ns.NET)) {
                Reapers.ready(2);
                t.call(() -> Cmd.run("ip", "link", "set", "lo", "up").orThrow());
            }
            if (!Wait.until(Duration.ofSeconds(5), () -> Processes.argv0(init.pid()).filter(argv0::equals).isPresent())) {
                throw new IllegalStateException("the box's PID 1 (pid " + init.pid() + ") did not become " + argv0 + " within 5 s");
            }
            return init.pid();
        }
    }

    /** The PID 1 of a box by its argv[0]: the process of that name that is the first of its pid namespace. */
    public static Optional<Long> find(String argv0) {
        return Processes.withArgv0(argv0).stream().filter(Processes::isNamespaceInit).findFirst();
    }
}
