package unboxed.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's "process reaper" threads, made ready for a thread that cannot make them.
 *
 * <p>Every {@code ProcessBuilder.start()} hands the new child to a reaper thread that waits for it (waitpid) and
 * completes {@code onExit()}. The reapers are a cached pool: a start reuses an idle one, or the <em>starting thread</em>
 * creates a new one; idle ones end after 60 s. A thread that did unshare(CLONE_NEWPID) cannot create threads (clone
 * with CLONE_THREAD fails with EINVAL while its children's pid namespace differs from its own), so when no reaper is
 * idle its start() throws OutOfMemoryError <em>after</em> the child was born: a child nobody waits for.
 *
 * <p>Measured on JDK 17: the JVM usually has one idle reaper for a minute after start (JNA runs ldconfig when it loads
 * libc), which is why a single spawn from a pid thread seems to just work. Call {@link #ready} from a thread that can
 * create threads (the main thread) right before work on a pid thread starts processes: one reaper per process that
 * will be alive at the same time.
 */
public final class Reapers {
    private Reapers() {}

    /**
     * Makes sure at least n reaper threads are idle, for the next minute: starts n short children at once, so the pool
     * grows to n busy reapers, lets them all exit, and waits until the reapers are back waiting for work.
     */
    public static void ready(int n) {
        if (idle() >= n) return;
        List<Process> held = new ArrayList<>();
        try {
            // cat waits on its stdin: all n are alive together, each holding a reaper, until we close their input
            for (int i = 0; i < n; i++) {
                held.add(new ProcessBuilder("cat").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the helper processes that make reaper threads", e);
        } finally {
            for (Process p : held) {
                try {
                    p.getOutputStream().close();
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (IOException | InterruptedException e) {
                    p.destroyForcibly();
                }
            }
        }
        unboxed.sys.Wait.until(java.time.Duration.ofSeconds(2), java.time.Duration.ofMillis(2), () -> idle() >= n);
    }

    /** Reaper threads waiting for work (a busy one is in waitpid, RUNNABLE; an idle one polls its queue). */
    public static int idle() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("process reaper") && t.getState() == Thread.State.TIMED_WAITING) n++;
        }
        return n;
    }
}
