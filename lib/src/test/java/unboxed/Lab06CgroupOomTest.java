package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.Outcome;
import static unboxed.LabHarness.assertAllFailWithReasons;
import static unboxed.LabHarness.assertAllPass;
import static unboxed.LabHarness.assertOnlyFailing;
import static unboxed.LabHarness.assertReason;
import static unboxed.LabHarness.cli;
import static unboxed.LabHarness.sh;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.cgroup.MemoryCgroup;
import unboxed.lab.Lab;

/** lab06 end to end on this machine's memory hierarchy (v1 here, v2 in the VM harness), for real, as root. */
class Lab06CgroupOomTest {
    static final Lab LAB = LabHarness.lab("Lab06CgroupOom");
    static final MemoryCgroup G = MemoryCgroup.named("lab06");
    List<String> before;

    /** The articles' way: mkdir, echo into the files, a shell moved in running a hog. */
    static String manual(String limit, boolean kill) {
        String d = G.dir().toString();
        return "mkdir " + d + "\n"
            + "echo " + limit + " > " + d + "/" + G.file("limit") + "\n"
            + "if [ -e " + d + "/" + G.file("swap") + " ]; then echo " + (G.v2() ? "0" : limit) + " > " + d + "/" + G.file("swap") + "; fi\n"
            + (kill ? "sh -c 'echo $$ > " + d + "/cgroup.procs && exec tail /dev/zero' || true\n" : "");
    }

    /**
     * After the exercise, a learner who explores: groups below lab06 (on v2 with the memory controller enabled for
     * them) and a process left in the deepest one. reset must take all of it.
     */
    static final String CHILD_GROUPS = "mkdir " + G.dir() + "/x " + G.dir() + "/x/y\n"
        + "if [ -e " + G.dir() + "/cgroup.subtree_control ]; then echo +memory > " + G.dir() + "/cgroup.subtree_control; fi\n"
        + "sh -c 'echo $$ > " + G.dir() + "/x/y/cgroup.procs && exec sleep 600' </dev/null >/dev/null 2>&1 &\n"
        + "while [ -z \"$(cat " + G.dir() + "/x/y/cgroup.procs)\" ]; do sleep 0.1; done\n";

    @BeforeEach
    void baseline() {
        before = LabHarness.freshStart(LAB);
    }

    @AfterEach
    void resetLeavesHostAsBefore() {
        LabHarness.resetLeavesHostAsBefore(LAB, before);
    }

    static Map<String, JsonObject> check() {
        return LabHarness.checkById(LAB);
    }

    @Test
    void freshStateFailsWithReasons() {
        Map<String, JsonObject> r = check();
        assertEquals(4, r.size());
        assertAllFailWithReasons(r);
        assertReason(r, "group", G.dir() + " does not exist");
    }

    @Test
    void solveThenCheckGivesFullPoints() {
        assertEquals(0, cli(LAB, "solve").exit());
        Outcome o = cli(LAB, "check");
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("9/9 points"), o.out());
    }

    @Test
    void manualSolutionWithEchoIntoCgroupFilesPasses() {
        sh(manual("32M", true));
        assertAllPass(check());
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrong-group", "64M", "no-kill-yet"})
    void nearMissFailsTheRightCriterion(String miss) {
        switch (miss) {
            case "wrong-group" -> {
                // the limit set on a sibling group by mistake; lab06 exists, unlimited, and saw no kill
                sh("mkdir " + G.dir() + " " + G.dir() + "x && echo 32M > " + G.dir() + "x/" + G.file("limit"));
                try {
                    // where the kernel can limit swap, an unlimited lab06 does not forbid it either
                    assertOnlyFailing(check(), G.hasSwapFile() ? List.of("limit", "swap", "oom-kill") : List.of("limit", "oom-kill"),
                        "lab06 has no memory limit");
                } finally {
                    sh("rmdir " + G.dir() + "x");
                }
            }
            case "64M" -> {
                sh(manual("64M", false));
                assertOnlyFailing(check(), List.of("limit", "oom-kill"), "67108864 bytes (64.0 MiB), not 32 MiB");
            }
            case "no-kill-yet" -> {
                sh(manual("32M", false));
                assertOnlyFailing(check(), List.of("oom-kill"), "no OOM kill recorded in lab06 yet");
            }
            default -> throw new IllegalArgumentException(miss);
        }
    }

    /**
     * A learner's own group below lab06, with a process inside (on v2 after `+memory` in lab06's subtree_control):
     * reset ends the process and removes both groups, deepest first (issue 12: it used to exit 3, leaving lab06).
     */
    @Test
    void resetRemovesChildGroupsTheLearnerMadeAndTheirProcesses() throws Exception {
        sh(manual("32M", true) + CHILD_GROUPS);
        MemoryCgroup y = MemoryCgroup.at(G.dir().resolve("x/y"), G.version());
        for (int i = 0; i < 250 && y.procs().isEmpty(); i++) Thread.sleep(20);
        assertEquals(1, y.procs().size(), "the learner's sleep is in lab06/x/y");
        assertAllPass(check());
        // afterEach: reset exits 0 and the host is as before (no lab06, no sleep)
    }

    @Test
    void runShowsTheKillAndCleansUpItsDemoGroup() {
        Outcome o = cli(LAB, "run");
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("137 = 128 + 9"), o.out());
        assertTrue(o.out().contains("oom_kill       1"), o.out());
        assertTrue(o.out().contains("reads back   19996672"), o.out());
        assertFalse(Files.exists(G.dir().resolveSibling("lab06-demo")));
    }

    @Test
    void sigkillWhileTheHogGrowsThenResetLeavesNothing() throws Exception {
        LabHarness.sigkillAtStep(LAB, 5, "memory used"); // the hog is running inside lab06-demo
        assertTrue(Files.exists(G.dir().resolveSibling("lab06-demo")), "the kill left the demo group");
        // afterEach: reset must kill the hog (if still alive) and remove the group
    }

    @Test
    void explainWorksForAnUnprivilegedUser() throws Exception {
        var r = LabHarness.asNobody(LAB, "explain");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("memory.max"), r.out());
    }

    @Test
    void badInputIsExit2() {
        Outcome o = LabHarness.assertBadInputExits2(LAB, "check nope");
        assertTrue(o.err().contains("no check 'nope' (checks: group, limit, swap, oom-kill)"), o.err());
    }
}
