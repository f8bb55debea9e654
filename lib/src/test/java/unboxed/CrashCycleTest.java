package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static unboxed.LabHarness.Outcome;
import static unboxed.LabHarness.cli;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import unboxed.lab.HostState;
import unboxed.lab.Journal;
import unboxed.lab.Lab;
import unboxed.ns.Processes;

/**
 * Crash safety of every lab in labs/, from the lab's own data (its number of steps) and its journal, with no test
 * written per lab: SIGKILL `run` before each step (--pace holds it at each boundary), once inside its busiest step,
 * and `solve` right after each journal entry it writes (before the object is made: the riskiest moment, made exact by
 * Journal's -Dunboxed.killAfterEntry); after each, `reset` must leave the host fingerprint (HostState: links, netns,
 * mounts, cgroups, firewall, hostname, processes in other namespaces, work folders) exactly as before. Also: `reset`
 * with nothing to do, `reset` twice, `run` after a crash (replays the journal first and says so), and a second lab
 * while one runs (exit 4, naming the holder). Runs on this host, as root, one lab process at a time.
 */
@Tag("slow")
class CrashCycleTest {
    /** More journal entries than any solve writes: a solve still being killed after this many is a runaway. */
    static final int MAX_SOLVE_ENTRIES = 60;
    static final long WAIT_S = 120;

    @TestFactory
    Stream<DynamicNode> everyLab() {
        List<Labs.LabFile> labs = Labs.all();
        List<Labs.LabFile> real = labs.stream().filter(Labs.LabFile::isLab).toList();
        Stream<DynamicNode> perLab = labs.stream().map(l -> l.isLab()
            ? dynamicContainer(l.name(), new Crashes(l, holderFor(l, real)).tests())
            : dynamicContainer(l.name(), Stream.of(named(l.name() + ": makes nothing: SIGKILLed mid-way or run to the end,"
                + " it leaves the host as it was", () -> notALab(l)))));
        return Stream.concat(perLab, Stream.of(named("afterwards, doctor --leftovers finds nothing of any lab",
            CrashCycleTest::nothingLeftOver)));
    }

    static DynamicTest named(String name, Executable body) {
        return dynamicTest(name, () -> {
            try {
                body.execute();
            } catch (Throwable t) {
                throw new AssertionError(name + ": " + t.getMessage(), t);
            }
        });
    }

    /** The lab that holds the lock while this one tries to start: the next one, so each lab is refused by another. */
    static Labs.LabFile holderFor(Labs.LabFile lab, List<Labs.LabFile> labs) {
        return labs.get((labs.indexOf(lab) + 1) % labs.size());
    }

    /** One lab's crash cycle; its tests run in order and share what the earlier ones measured. */
    static final class Crashes {
        final Labs.LabFile file;
        final Lab lab;
        final int steps;
        final Labs.LabFile holder;
        /** Journal entries on disk when run waited before step i (index i, 1-based): what steps 1..i-1 recorded. */
        final int[] entriesBefore;
        boolean solveFinished;

        Crashes(Labs.LabFile file, Labs.LabFile holder) {
            this.file = file;
            this.lab = file.lab();
            this.steps = file.steps();
            this.holder = holder;
            this.entriesBefore = new int[steps + 1];
        }

        Stream<DynamicNode> tests() {
            Stream<DynamicNode> first = Stream.of(test("reset with nothing to do: exit 0, nothing changes",
                () -> cleanCycle("reset on a clean host", () -> { })));
            Stream<DynamicNode> boundaries = IntStream.rangeClosed(1, steps).mapToObj(i -> test(
                "run SIGKILLed before step " + i + "/" + steps + ", then reset", () -> cleanCycle(
                    "run killed before step " + i, () -> killRunBefore(i))));
            Stream<DynamicNode> inside = Stream.of(test("run SIGKILLed inside its busiest step; the next run"
                + " replays the journal first and says so", () -> cleanCycle("run killed inside a step", this::killRunInside)));
            // one test per journal entry solve writes: generated lazily, until a solve runs to its end
            Stream<DynamicNode> solve = IntStream.rangeClosed(1, MAX_SOLVE_ENTRIES).boxed()
                .takeWhile(k -> !solveFinished)
                .map(k -> test("solve SIGKILLed after journal entry " + k + ", then reset", () -> cleanCycle(
                    "solve killed after entry " + k, () -> killSolveAfter(k))));
            Stream<DynamicNode> last = Stream.of(
                test("reset twice after run --step " + steps + ": both exit 0, the second finds nothing",
                    () -> cleanCycle("two resets", this::resetTwice)),
                test("while " + holder.id() + " runs, " + file.id() + " run/solve/reset exit 4 naming it",
                    this::refusedWhileAnotherRuns));
            return Stream.of(first, boundaries, inside, solve, last).flatMap(s -> s);
        }

        /** A test whose failure names the lab and the crash point, whatever the report shows as its name. */
        DynamicTest test(String name, Executable body) {
            return named(file.name() + ": " + name, body);
        }

        /** Runs body on a fingerprinted host, then reset (in this JVM): exit 0 and the fingerprint as before. */
        void cleanCycle(String what, Executable body) throws Throwable {
            List<String> before = HostState.capture();
            Set<Long> zombies = zombies(before);
            Throwable failed = null;
            try {
                body.execute();
            } catch (Throwable t) {
                failed = t;
            }
            Outcome reset = cli(lab, "reset", "--no-color");
            List<String> diff = settledDiff(before, zombies);
            AssertionError dirty = reset.exit() != 0 || !diff.isEmpty() ? new AssertionError(file.id() + ": after "
                + what + ", reset exited " + reset.exit() + " and the host differs from before:\n"
                + String.join("\n", diff) + "\n--- reset said ---\n" + reset.all()) : null;
            if (failed != null) {
                if (dirty != null) failed.addSuppressed(dirty);
                throw failed;
            }
            if (dirty != null) throw dirty;
        }

        void killRunBefore(int step) throws Exception {
            Process p = LabHarness.jvm(file.className(), "run", "--pace", "--no-color").redirectErrorStream(true).start();
            try {
                for (int i = 1; i <= step; i++) {
                    LabHarness.readUntil(p, "[Enter] step " + i + "/" + steps, WAIT_S);
                    if (i < step) {
                        p.getOutputStream().write('\n');
                        p.getOutputStream().flush();
                    }
                }
                entriesBefore[step] = journalEntries();
            } finally {
                LabHarness.sigkill(p);
            }
        }

        /**
         * Kills run right after the middle journal entry of the step that records the most (measured by the boundary
         * kills), then starts run again, which must clean up first and say so.
         */
        void killRunInside() throws Exception {
            int busiest = steps, most = 0;
            for (int s = 1; s < steps; s++) {
                if (entriesBefore[s + 1] - entriesBefore[s] > most) {
                    most = entriesBefore[s + 1] - entriesBefore[s];
                    busiest = s;
                }
            }
            int entry = entriesBefore[busiest] + Math.max(1, (most + 1) / 2);
            Run killed = runJvm(List.of("-D" + Journal.KILL_AFTER_ENTRY + "=" + entry), "run", "--no-color");
            assertEquals(137, killed.exit(), file.id() + " run should have been SIGKILLed after journal entry " + entry
                + " (in step " + busiest + "), but exited by itself:\n" + killed.out());
            String lastStep = killed.out().lines().filter(l -> l.startsWith("━━ Step ")).reduce((a, b) -> b).orElse("(none)");
            assertTrue(lastStep.startsWith("━━ Step " + busiest + "/"), "killed in " + lastStep + ", meant step " + busiest);
            assertTrue(Journal.of(lab.id).hasObjects(), "the kill left nothing in the journal to replay");
            Run again = runJvm(List.of(), "run", "--step", "1", "--no-color");
            assertEquals(0, again.exit(), again.out());
            assertTrue(again.out().contains("left by an earlier run"), "run after a crash did not say it cleaned up"
                + " first:\n" + again.out());
        }

        void killSolveAfter(int entry) throws Exception {
            Run r = runJvm(List.of("-D" + Journal.KILL_AFTER_ENTRY + "=" + entry), "solve", "--no-color");
            if (r.exit() == 0) {
                solveFinished = true; // solve writes fewer entries than this: every point before it was covered
                assertTrue(entry > 1, "solve wrote no journal entry at all");
                return;
            }
            assertEquals(137, r.exit(), file.id() + " solve, to be killed after journal entry " + entry + ", exited "
                + r.exit() + ":\n" + r.out());
        }

        void resetTwice() throws Exception {
            Run r = runJvm(List.of(), "run", "--step", Integer.toString(steps), "--no-color");
            assertEquals(0, r.exit(), r.out());
            Outcome first = cli(lab, "reset", "--no-color");
            assertEquals(0, first.exit(), first.all());
            Outcome second = cli(lab, "reset", "--no-color");
            assertEquals(0, second.exit(), second.all());
            assertFalse(second.out().contains("removed"), "the second reset still removed something:\n" + second.out());
        }

        void refusedWhileAnotherRuns() throws Throwable {
            List<String> before = HostState.capture();
            Set<Long> zombies = zombies(before);
            Process p = LabHarness.jvm(holder.className(), "run", "--pace", "--no-color").redirectErrorStream(true).start();
            try {
                LabHarness.readUntil(p, "[Enter] step 1/", WAIT_S);
                for (String command : List.of("run", "solve", "reset")) {
                    Outcome o = cli(lab, command, "--no-color");
                    assertEquals(4, o.exit(), file.id() + " " + command + ":\n" + o.all());
                    assertTrue(o.err().contains(holder.id() + " run (pid " + p.pid()), "the refusal does not name the"
                        + " holder (" + holder.id() + " run, pid " + p.pid() + "): " + o.err());
                }
            } finally {
                LabHarness.sigkill(p);
            }
            assertEquals(0, cli(holder.lab(), "reset", "--no-color").exit());
            assertSettled(before, zombies, "after " + holder.id() + " was killed holding the lock, and reset");
        }

        int journalEntries() throws IOException {
            var f = Journal.of(lab.id).file();
            return Files.exists(f) ? (int) Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count() : 0;
        }

        Run runJvm(List<String> jvmOptions, String... args) throws Exception {
            ProcessBuilder pb = LabHarness.jvm(file.className(), args).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.command().addAll(1, jvmOptions);
            return Run.of(pb.start());
        }
    }

    private static final Pattern PROCESS = Pattern.compile("^[+-] process in another \\w+ namespace: (\\d+) ");

    /** The pids of a fingerprint's processes that are zombies (dead, not yet reaped by their parent). */
    static Set<Long> zombies(List<String> fingerprint) {
        Set<Long> z = new HashSet<>();
        for (String line : fingerprint) {
            Matcher m = PROCESS.matcher("+ " + line);
            if (m.find() && !Processes.alive(Long.parseLong(m.group(1)))) z.add(Long.parseLong(m.group(1)));
        }
        return z;
    }

    /**
     * The difference from before, once the host's init has reaped what reset killed. A zombie is already dead, only
     * its parent's wait() is missing: orphans go to PID 1, and on this project's sandboxes PID 1 reaps them a second
     * or so late. So zombies that come and go are waited for (5 s at most); a zombie reaped meanwhile that the
     * fingerprint before showed is no difference. Anything else is reported at once.
     */
    static List<String> settledDiff(List<String> before, Set<Long> zombiesBefore) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            List<String> d = HostState.diff(before, HostState.capture()).stream()
                .filter(l -> !(l.startsWith("- ") && pidOf(l) != null && zombiesBefore.contains(pidOf(l)))).toList();
            boolean reaping = !d.isEmpty() && d.stream().allMatch(l -> l.startsWith("+ ") && pidOf(l) != null
                && !Processes.alive(pidOf(l)));
            if (!reaping || System.nanoTime() > deadline) return d;
            Thread.sleep(50);
        }
    }

    static void assertSettled(List<String> before, Set<Long> zombiesBefore, String when) throws InterruptedException {
        List<String> d = settledDiff(before, zombiesBefore);
        assertTrue(d.isEmpty(), "host state changed " + when + ":\n" + String.join("\n", d));
    }

    static Long pidOf(String diffLine) {
        Matcher m = PROCESS.matcher(diffLine);
        return m.find() ? Long.parseLong(m.group(1)) : null;
    }

    /** A child that ran to its end (or its death): exit code (137 after SIGKILL) and everything it printed. */
    record Run(int exit, String out) {
        static Run of(Process p) throws Exception {
            // the child's output goes to a pipe we read to the end: it cannot block on a full pipe
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(WAIT_S, TimeUnit.SECONDS)) {
                LabHarness.sigkill(p);
                throw new AssertionError("did not finish within " + WAIT_S + " s:\n" + out);
            }
            return new Run(p.exitValue(), out);
        }
    }

    /** A lab that is not built on Lab (lab00, the doctor): it must make nothing, killed or not. */
    static void notALab(Labs.LabFile file) throws Exception {
        List<String> before = HostState.capture();
        Set<Long> zombies = zombies(before);
        Process p = LabHarness.jvm(file.className(), "--no-color").redirectErrorStream(true).start();
        Thread.sleep(400); // mid-way through its probes (a namespace unshared on a thread)
        LabHarness.sigkill(p);
        assertSettled(before, zombies, "after " + file.name() + " was SIGKILLed");
        Run whole = Run.of(LabHarness.jvm(file.className(), "--no-color").redirectErrorStream(true).start());
        assertEquals(0, whole.exit(), whole.out());
        assertSettled(before, zombies, "after " + file.name() + " ran");
    }

    static void nothingLeftOver() throws Exception {
        Run r = Run.of(LabHarness.jvm("Lab00Doctor", "--leftovers", "--json").start());
        var leftovers = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("leftovers");
        List<String> found = new ArrayList<>();
        leftovers.forEach(e -> found.add(e.getAsString()));
        assertTrue(found.isEmpty(), "left behind by the crash cycles:\n" + String.join("\n", found));
    }
}
