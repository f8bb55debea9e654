package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.Outcome;
import static unboxed.LabHarness.assertAllPass;
import static unboxed.LabHarness.assertOnlyFailing;
import static unboxed.LabHarness.assertReason;
import static unboxed.LabHarness.cli;
import static unboxed.LabHarness.sh;
import static unboxed.LabHarness.shAny;
import static unboxed.LabHarness.succeeds;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.lab.Lab;
import unboxed.ns.Processes;
import unboxed.ns.Uts;
import unboxed.sys.Cmd;

/**
 * lab03 end to end, as root on this kernel: every criterion of the exercise contract, the articles' own commands,
 * near misses, a renamed host, crashes, bad input. The host's hostname is compared before, during and after.
 */
class Lab03PidUtsTest {
    static final Lab LAB = LabHarness.lab("Lab03PidUts");
    /** The contract's manual solution, with the articles' commands. */
    static final String MANUAL =
        "unshare -p -u -m -f --mount-proc sh -c 'hostname lab03-box; sleep infinity & exec sleep infinity' >/dev/null 2>&1 &";
    /** Trees a test starts that reset must not touch; the test ends them itself, by this tag. */
    static final String OTHERS = "lab03-test-other";
    List<String> before;
    String hostname;

    @BeforeEach
    void baseline() {
        for (String tool : List.of("unshare", "nsenter", "ps", "setpriv")) {
            assertTrue(Cmd.has(tool), tool + " is missing: " + Cmd.installHint(tool));
        }
        hostname = Processes.hostname();
        before = LabHarness.freshStart(LAB);
    }

    @AfterEach
    void resetLeavesHostAsBefore() throws Exception {
        Processes.killTagged(OTHERS);
        succeeds(LAB, "reset");
        assertEquals(hostname, Processes.hostname(), "the host's hostname");
        assertTrue(Processes.tagged("UNBOXED_TAG", "lab03").isEmpty(), "lab03's processes are gone");
        assertTrue(Uts.foreign().stream().noneMatch(g -> g.hostname().startsWith("lab03")), "no lab03 tree is left");
        // ended trees' PID 1s can linger a few seconds as zombies, still showing their pid namespaces
        LabHarness.assertHostUnchangedWithin(before, "after lab03 reset", 10);
    }

    static Map<String, JsonObject> check() {
        return LabHarness.checkById(LAB);
    }

    /** Starts a tree in the background, then waits until the processes named `name` in it number at least `count`. */
    static void start(String command, String name, int count) throws InterruptedException {
        sh(command);
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            if (Uts.foreign().stream().anyMatch(g -> g.hostname().equals(name) && g.pids().size() >= count)) return;
            Thread.sleep(20);
        }
        throw new AssertionError("no " + count + " processes named " + name + " within 5 s after: " + command);
    }

    @Test
    void freshStateFailsEveryTreeCriterionWithAReason() {
        Map<String, JsonObject> r = check();
        assertEquals(6, r.size());
        assertOnlyFailing(r, List.of("hostname", "pid-ns", "pid1", "others", "proc"), "no process");
        r.values().forEach(c -> assertTrue(c.get("passed").getAsBoolean() || !c.get("reason").getAsString().isBlank(), c.toString()));
        assertReason(r, "pid-ns", "lab03-box");
    }

    @Test
    void solveThenCheckGivesFullPointsAndRecordsProgress() throws Exception {
        succeeds(LAB, "solve");
        Outcome o = cli(LAB, "check");
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("10/10 points"), o.out());
        assertEquals(10, LabHarness.progress(LAB).get("points").getAsInt());
        assertEquals(hostname, Processes.hostname());
        // solve refuses a second tree rather than making two
        assertEquals(4, cli(LAB, "solve").exit());
    }

    @Test
    void manualSolutionWithTheArticlesCommandsPasses() throws Exception {
        start(MANUAL, "lab03-box", 3);
        assertAllPass(check());
        // what the check saw, as the learner would look: PID 1 inside, a second process, and a /proc of its own
        String init = sh("pgrep -n -f '^sleep infinity' -P \"$(pgrep -n -x unshare)\"").strip();
        assertTrue(sh("grep NSpid /proc/" + init + "/status").strip().endsWith("\t1"));
        assertEquals("lab03-box", sh("nsenter -t " + init + " -u hostname").strip());
        String ps = sh("nsenter -t " + init + " -p -m ps -e -o pid=,comm=");
        List<String> lines = ps.strip().lines().map(String::strip).toList();
        assertEquals(3, lines.size(), ps); // PID 1, the second sleep, and ps itself: nothing of the host
        assertTrue(lines.get(0).matches("1\\s+sleep"), ps);
    }

    @Test
    void aTreeBuiltStepByStepWithNsenterPassesToo() throws Exception {
        // the other order: the namespaces first, the name given afterwards from outside
        start("unshare -p -u -m -f --mount-proc sh -c 'sleep infinity & exec sleep infinity' >/dev/null 2>&1 &", "vm", 3);
        String init = sh("pgrep -n -f '^sleep infinity' -P \"$(pgrep -n -x unshare)\"").strip();
        sh("nsenter -t " + init + " -u hostname lab03-box");
        assertAllPass(check());
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-pid-ns", "no-own-proc", "no-mount-ns", "wrong-hostname", "pid1-alone", "pid1-elsewhere"})
    void nearMissFailsTheRightCriterion(String miss) throws Exception {
        switch (miss) {
            case "no-pid-ns" -> {
                start("unshare -u -m sh -c 'hostname lab03-box; sleep infinity & exec sleep infinity' >/dev/null 2>&1 &", "lab03-box", 2);
                Map<String, JsonObject> r = check();
                assertOnlyFailing(r, List.of("pid-ns", "pid1", "others", "proc"), "all in the host's pid namespace");
            }
            case "no-own-proc" -> {
                start(MANUAL.replace(" --mount-proc", ""), "lab03-box", 3);
                assertOnlyFailing(check(), List.of("proc"), "belongs to another pid namespace");
            }
            case "no-mount-ns" -> {
                start(MANUAL.replace(" -m", "").replace(" --mount-proc", ""), "lab03-box", 3);
                assertOnlyFailing(check(), List.of("proc"), "shares the host's mount namespace");
            }
            case "wrong-hostname" -> {
                start(MANUAL.replace("hostname lab03-box", "hostname lab03box"), "lab03box", 3);
                Map<String, JsonObject> r = check();
                assertFalse(r.get("hostname").get("passed").getAsBoolean());
                assertReason(r, "hostname", "named lab03box");
                assertTrue(r.get("host-hostname").get("passed").getAsBoolean());
            }
            case "pid1-alone" -> {
                start(MANUAL.replace("sleep infinity & exec ", "exec "), "lab03-box", 2);
                assertOnlyFailing(check(), List.of("others"), "alone in its pid namespace");
            }
            case "pid1-elsewhere" -> {
                // PID 1 keeps the host's name; only a child in a uts namespace of its own is called lab03-box
                start("unshare -p -m -f --mount-proc sh -c 'unshare -u sh -c \"hostname lab03-box; exec sleep infinity\" & "
                    + "exec sleep infinity' >/dev/null 2>&1 &", "lab03-box", 1);
                Map<String, JsonObject> r = check();
                assertOnlyFailing(r, List.of("pid1", "others", "proc"), "which is in another uts namespace");
            }
            default -> throw new IllegalArgumentException(miss);
        }
    }

    @Test
    void renamingTheHostFailsTheHostCriterionAndResetPutsTheNameBack() throws Exception {
        // The "host" here is a private uts namespace made for this test (the lab treats its JVM's as the host's), so
        // the machine's own name never changes: the mistake is `hostname lab03-box` without -u.
        String etc = Files.readString(Path.of("/etc/hostname")).strip();
        String java = "java --enable-native-access=ALL-UNNAMED -Dunboxed.progress=" + LabHarness.PROGRESS
            + " -cp " + System.getProperty("java.class.path") + " Lab03PidUts";
        var r = shAny("unshare -u bash -c 'hostname lab03-box; " + java + " check --json host-hostname; echo \"exit=$?\"; "
            + java + " reset --no-color; echo \"after: $(hostname)\"'");
        assertTrue(r.out().contains("the host itself is now called lab03-box"), r.out() + r.err());
        assertTrue(r.out().contains("exit=1"), r.out());
        assertTrue(r.out().contains("renamed it back to " + etc), r.out());
        assertTrue(r.out().contains("after: " + etc), r.out());
        assertEquals(hostname, Processes.hostname());
    }

    @Test
    void resetEndsOnlyTheLabsTrees() throws Exception {
        start(MANUAL, "lab03-box", 3);
        start("UNBOXED_TAG=" + OTHERS + " unshare -p -u -m -f --mount-proc sh -c 'hostname other-box; exec sleep infinity'"
            + " >/dev/null 2>&1 &", "other-box", 2);
        Outcome o = succeeds(LAB, "reset");
        assertTrue(o.out().contains("processes named lab03-"), o.out());
        assertTrue(Uts.foreign().stream().noneMatch(g -> g.hostname().equals("lab03-box")));
        assertTrue(Uts.foreign().stream().anyMatch(g -> g.hostname().equals("other-box")), "someone else's tree survives");
    }

    @Test
    void runWalksEveryStepForRealAndLeavesNothingBehind() {
        String out = succeeds(LAB, "run").out();
        assertTrue(out.contains("Step 9/9"), out);
        assertTrue(out.contains("hostname, as its child prints it   lab03-demo"), out);
        assertTrue(out.contains("new bash:  [root@lab03-prompt]"), out);
        assertTrue(out.contains("bash: fork: Cannot allocate memory"), out);
        assertTrue(out.contains("the first child says its pid is    1"), out);
        assertTrue(out.contains("OutOfMemoryError"), out);
        assertTrue(out.contains("error=12, Cannot allocate memory"), out);
        assertTrue(out.matches("(?s).*its sleep \\(host pid \\d+\\), NSpid\\s+\\d+ \\d+ 1\n.*"), out);
        assertTrue(out.contains("Z    [sleep] <defunct>"), out);
        assertTrue(out.contains("zombies under the demo's PID 1     3"), out);
        assertTrue(out.contains("zombies under this PID 1           0"), out);
        assertTrue(out.contains("hostname of the host (main thread) " + hostname), out);
        // the demo is gone when run ends: the learner starts the exercise from a clean host
        assertTrue(Processes.tagged("UNBOXED_TAG", "lab03").isEmpty());
        assertEquals(hostname, Processes.hostname());
    }

    @Test
    void runWithStepStopsThereAndResetRemovesWhatItMade() {
        succeeds(LAB, "run", "--step", "7");
        assertFalse(Processes.tagged("UNBOXED_TAG", "lab03").isEmpty(), "the demo's PID 1 is still there");
        assertTrue(Uts.foreign().stream().anyMatch(g -> g.hostname().equals("lab03-demo")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Step 3/9", "Step 6/9", "Step 7/9", "Step 8/9", "Step 9/9"})
    void sigkillDuringRunThenResetLeavesNothing(String killAt) throws Exception {
        int steps = Integer.parseInt(killAt.substring(5, 6));
        Process p = LabHarness.runPausedInStep(LAB, steps, "Notice");
        assertEquals(hostname, Processes.hostname(), "the demo renamed the host");
        if (steps >= 6) assertFalse(Processes.tagged("UNBOXED_TAG", "lab03").isEmpty(), "the kill left the demo's PID 1");
        LabHarness.sigkill(p);
        // afterEach: reset, then the fingerprint must match the one before run
    }
}
