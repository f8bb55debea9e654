package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static unboxed.LabHarness.Outcome;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import unboxed.lab.HostState;
import unboxed.lab.Lab;
import unboxed.lab.LabLock;

/**
 * What every lab promises, proved for every labs/labNN-*.java that is built on Lab (a new lab is covered the day it
 * lands; step counts and check ids come from the lab itself). Each test starts from the learner's fresh start and ends
 * with a reset that must leave the host's fingerprint as it was. What is a lab's own (its solutions, its near misses,
 * what its output says) stays in its LabNNTest.
 */
class LabContractTest {
    interface Body {
        void run(Lab lab) throws Exception;
    }

    @TestFactory
    Stream<DynamicNode> everyLabKeepsTheContract() {
        return Labs.all().stream().filter(Labs.LabFile::isLab).map(f -> dynamicContainer(f.name(), Stream.of(
            around(f, "the fresh state fails, and every failing criterion says why", LabContractTest::freshStateFails),
            around(f, "solve gives full points, and a second solve refuses with exit 4", LabContractTest::solveGivesFullPoints),
            around(f, "check --junit writes one failing testcase per criterion of the fresh state", LabContractTest::junitXml),
            dynamicTest("a second lab at once gets exit 4 naming the holder, and nothing changes", () -> {
                List<String> before = HostState.capture();
                try (LabLock held = LabLock.acquire("lab99", "run")) {
                    Outcome o = LabHarness.cli(f.lab(), "run");
                    assertEquals(4, o.exit(), o.all());
                    assertTrue(o.err().contains("lab99 run"), o.err());
                }
                LabHarness.assertHostUnchanged(before, "after a refused run");
            }),
            dynamicTest("every criterion has a hint: its own, or the solution's lines that answer it", () ->
                f.lab().checks.forEach(c -> assertFalse(c.hint() == null || c.hint().isBlank(), c.id() + " has no hint"))),
            dynamicTest("explain, describe and --help work as an unprivileged user and change nothing", () -> {
                List<String> before = HostState.capture();
                LabHarness.assertExplainsAsNobody(f.lab());
                LabHarness.assertHostUnchanged(before, "after explain and describe as nobody");
            }),
            dynamicTest("bad input exits 2 with one line and changes nothing", () -> {
                List<String> before = HostState.capture();
                for (String args : List.of("frobnicate", "--frobnicate", "check no-such-check", "run --step 0",
                    "run --step " + (f.steps() + 1), "watch --interval 0",
                    // a busy loop (NaN and 0.01 sleep 0 ms) and a deadline that overflowed into the past (issue 20)
                    "watch --interval NaN", "watch --interval Infinity", "watch --interval 0.01",
                    "watch --timeout 1e300", "watch --timeout NaN", "watch --timeout -1")) {
                    LabHarness.assertBadInputExits2(f.lab(), args);
                }
                LabHarness.assertHostUnchanged(before, "after bad input");
            }),
            around(f, "run --step 1 stops after step 1 and says how to clean up", LabContractTest::stepOneStops))));
    }

    /**
     * The contract's end-to-end half, a few seconds per lab each (tagged slow: the full suite runs it, -Pfast does
     * not): the solution typed into a real bash under watch, a paced run fed by a pipe, and a SIGKILL inside a step.
     */
    @Tag("slow")
    @TestFactory
    Stream<DynamicNode> everyLabKeepsTheContractEndToEnd() {
        return Labs.all().stream().filter(Labs.LabFile::isLab).map(f -> dynamicContainer(f.name(), Stream.of(
            around(f, "the reference solution typed into bash as printed gives full points, and watch sees it happen",
                LabContractTest::typedSolutionPassesUnderWatch),
            around(f, "a paced run waits for Enter, and carries on when its input ends", LabHarness::assertPacedRunWaitsForEnter),
            around(f, "SIGKILL inside the last step of run, then reset, leaves nothing",
                lab -> LabHarness.sigkillAtStep(lab, lab.steps.size(), "Step " + lab.steps.size() + "/" + lab.steps.size())))));
    }

    /** A test between the learner's fresh start and a reset that leaves the host as it was. */
    static DynamicNode around(Labs.LabFile f, String name, Body body) {
        return dynamicTest(name, () -> {
            List<String> before = LabHarness.freshStart(f.lab());
            try {
                body.run(f.lab());
            } finally {
                LabHarness.succeeds(f.lab(), "reset");
                // a killed tree's PID 1 can linger a few seconds as a zombie until this machine's PID 1 reaps it
                LabHarness.assertHostUnchangedWithin(before, "after " + f.lab().id + " reset", 10);
            }
        });
    }

    static void freshStateFails(Lab lab) {
        Map<String, JsonObject> r = LabHarness.checkById(lab);
        assertTrue(r.values().stream().anyMatch(c -> !c.get("passed").getAsBoolean()), "the fresh state passes: " + r);
        r.values().stream().filter(c -> !c.get("passed").getAsBoolean())
            .forEach(c -> assertFalse(c.get("reason").getAsString().isBlank(), "no reason: " + c));
    }

    static void solveGivesFullPoints(Lab lab) throws Exception {
        LabHarness.succeeds(lab, "solve");
        Outcome o = LabHarness.cli(lab, "check");
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains(lab.maxPoints() + "/" + lab.maxPoints() + " points"), o.out());
        assertEquals(lab.maxPoints(), LabHarness.progress(lab).get("points").getAsInt());
        assertTrue(LabHarness.progress(lab).get("passed").getAsBoolean());
        Outcome again = LabHarness.cli(lab, "solve");
        assertEquals(4, again.exit(), "a second solve must refuse, not make a second copy: " + again.all());
        assertTrue(again.err().contains("reset` first"), again.err());
    }

    /**
     * The lab's reference solution ({@code Lab.solution}), each line typed into bash exactly as solve and the hints
     * print it (after prepare, for a lab whose exercise starts from a prepared topology), while watch re-checks: every
     * line ends as the solution says (0, or the status the lesson expects, such as 137), and watch ends with full points.
     */
    static void typedSolutionPassesUnderWatch(Lab lab) throws Exception {
        if (lab.prepare != null) LabHarness.succeeds(lab, "prepare");
        Throwable[] typing = new Throwable[1];
        Thread learner = new Thread(() -> {
            try {
                Thread.sleep(1000); // watch sees the unsolved state first
                Typing.solution(lab);
            } catch (Throwable t) {
                typing[0] = t;
            }
        });
        learner.start();
        Outcome o = LabHarness.cli(lab, "watch", "--interval", "0.5", "--timeout", "90");
        learner.join(TimeUnit.SECONDS.toMillis(120));
        if (typing[0] != null) throw new AssertionError("typing the solution failed", typing[0]);
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("✘") && o.out().contains(lab.maxPoints() + "/" + lab.maxPoints() + " points"), o.out());
        LabHarness.checkById(lab).values().forEach(c -> assertTrue(c.get("passed").getAsBoolean(), c.toString()));
    }

    /** check --junit on the fresh state: a test suite named after the lab, a testcase per criterion, the failures counted. */
    static void junitXml(Lab lab) throws Exception {
        Path xml = Files.createTempFile(lab.id, ".xml");
        Outcome o = LabHarness.cli(lab, "check", "--junit", xml.toString());
        assertEquals(1, o.exit(), o.all());
        String x = Files.readString(xml);
        Files.delete(xml);
        long failing = LabHarness.checkById(lab).values().stream().filter(c -> !c.get("passed").getAsBoolean()).count();
        assertTrue(x.contains("<testsuite name=\"" + lab.id + "\" tests=\"" + lab.checks.size() + "\" failures=\"" + failing + "\""), x);
        for (var c : lab.checks) assertTrue(x.contains("<testcase classname=\"" + lab.id + "\" name=\"" + c.id() + "\""), x);
    }

    static void stepOneStops(Lab lab) {
        Outcome o = LabHarness.succeeds(lab, "run", "--step", "1");
        assertTrue(o.out().contains("Step 1/" + lab.steps.size()), o.out());
        assertFalse(o.out().contains("Step 2/" + lab.steps.size()), o.out());
        assertTrue(o.out().contains("Stopped after step 1") && o.out().contains("sudo ./jbang " + lab.id + " reset"), o.out());
    }
}
