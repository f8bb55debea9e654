package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.shAny;
import static unboxed.LabSession.fail;
import static unboxed.LabSession.failIf;
import static unboxed.LabSession.passes;
import static unboxed.LabSession.row;

import java.nio.file.Files;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import unboxed.cgroup.MemoryCgroup;
import unboxed.lab.Lab;

/** lab06's own behaviour on this machine's memory hierarchy (v1 here, v2 in the VM harness), as root. */
class Lab06CgroupOomTest {
    static final Lab LAB = LabHarness.lab("Lab06CgroupOom");
    static final MemoryCgroup G = MemoryCgroup.named("lab06");
    /** A sibling group a near miss makes by mistake: not the lab's, so the test removes it. */
    static final String SIBLING = G.dir() + "x";
    @RegisterExtension
    static final LabSession S = new LabSession(LAB).tidy(() -> shAny("rmdir " + SIBLING + " 2>/dev/null"));

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
     * them) and a process left in the deepest one. reset must take all of it (issue 12: it used to exit 3, leaving lab06).
     */
    static final String CHILD_GROUPS = "mkdir " + G.dir() + "/x " + G.dir() + "/x/y\n"
        + "if [ -e " + G.dir() + "/cgroup.subtree_control ]; then echo +memory > " + G.dir() + "/cgroup.subtree_control; fi\n"
        + "sh -c 'echo $$ > " + G.dir() + "/x/y/cgroup.procs && exec sleep 600' </dev/null >/dev/null 2>&1 &\n"
        + "while [ -z \"$(cat " + G.dir() + "/x/y/cgroup.procs)\" ]; do sleep 0.1; done\n";

    @TestFactory
    Stream<DynamicTest> statesAndVerdicts() {
        MemoryCgroup y = MemoryCgroup.at(G.dir().resolve("x/y"), G.version());
        return S.rows(
            row("fresh state", "", fail("group", G.dir() + " does not exist"), fail("limit"), fail("swap"), fail("oom-kill")),
            // the limit set on a sibling group by mistake; lab06 exists, unlimited, and saw no kill; where the kernel
            // can limit swap, an unlimited lab06 does not forbid it either
            row("limit on a sibling group", "mkdir " + G.dir() + " " + SIBLING + " && echo 32M > " + SIBLING + "/" + G.file("limit"),
                fail("limit", "lab06 has no memory limit"), failIf(G::hasSwapFile, "swap"), fail("oom-kill")),
            row("64M", manual("64M", false), fail("limit", "67108864 bytes (64.0 MiB), not 32 MiB"), fail("oom-kill")),
            row("no kill yet", manual("32M", false), fail("oom-kill", "no OOM kill recorded in lab06 yet")),
            // reset (the session's end) must end the sleep and remove both groups, deepest first
            passes("the solution, then child groups with a process in the deepest", manual("32M", true) + CHILD_GROUPS)
                .then(() -> assertEquals(1, y.procs().size(), "the learner's sleep is in lab06/x/y")));
    }

    @Test
    void runShowsTheKillAndCleansUpItsDemoGroup() {
        String out = LabHarness.succeeds(LAB, "run").out();
        assertTrue(out.contains("137 = 128 + 9") && out.contains("oom_kill       1"), out);
        assertTrue(out.contains("reads back   19996672"), out);
        assertFalse(Files.exists(G.dir().resolveSibling("lab06-demo")));
    }

    @Test
    void sigkillWhileTheHogGrowsThenResetLeavesNothing() throws Exception {
        LabHarness.sigkillAtStep(LAB, 5, "memory used"); // the hog is running inside lab06-demo
        assertTrue(Files.exists(G.dir().resolveSibling("lab06-demo")), "the kill left the demo group");
    }

    /** Beyond the contract's bad input and explain as nobody: what lab06 says. */
    @Test
    void aWrongCheckNamesTheChecksAndExplainShowsV2sFileToNobody() throws Exception {
        String err = LabHarness.assertBadInputExits2(LAB, "check nope").err();
        assertTrue(err.contains("no check 'nope' (checks: group, limit, swap, oom-kill)"), err);
        var r = LabHarness.asNobody(LAB, "explain");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("memory.max"), r.out());
    }
}
