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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /** The files of lab06 as a shell line names them. */
    static String f(String concept) {
        return G.dir() + "/" + G.file(concept);
    }

    static final String D = G.dir().toString();
    /** The hog, moved in by its own sh; the kill is what the row is about, not the exit status. */
    static String hogIn(String group, String procsFile) {
        return "sh -c 'echo $$ > " + group + "/" + procsFile + " && exec tail /dev/zero' || true\n";
    }

    @TestFactory
    Stream<DynamicTest> statesAndVerdicts() {
        MemoryCgroup y = MemoryCgroup.at(G.dir().resolve("x/y"), G.version());
        String soft = G.v2() ? "memory.high" : "memory.soft_limit_in_bytes";
        String enableMemoryBelow = "if [ -e " + D + "/cgroup.subtree_control ]; then echo +memory > " + D + "/cgroup.subtree_control; fi\n";
        List<LabSession.Case> rows = new ArrayList<>(List.of(
            row("fresh state", "", fail("group", G.dir() + " does not exist"), fail("limit"), fail("swap"), fail("oom-kill")),
            // the limit set on a sibling group by mistake; lab06 exists, unlimited, and saw no kill; where the kernel
            // can limit swap, an unlimited lab06 does not forbid it either
            row("limit on a sibling group", "mkdir " + G.dir() + " " + SIBLING + " && echo 32M > " + SIBLING + "/" + G.file("limit"),
                fail("limit", "lab06 has no memory limit"), failIf(G::hasSwapFile, "swap"), fail("oom-kill")),
            row("64M", manual("64M", false), fail("limit", "67108864 bytes (64.0 MiB), not 32 MiB"), fail("oom-kill")),
            row("no kill yet", manual("32M", false), fail("oom-kill", "no OOM kill recorded in lab06")),
            // correct variants: the limit's spellings (memparse takes k/K, m/M, g/G), the hog moved in other ways
            passes("limit written as 33554432", manual("33554432", true)),
            passes("limit written as 32768K", manual("32768K", true)),
            passes("limit written as 32m", manual("32m", true)),
            passes("the hog started first, then moved in by its pid from outside", manual("32M", false)
                + "sh -c 'sleep 0.3; exec tail /dev/zero' & echo $! > " + D + "/cgroup.procs; wait $! || true\n"),
            // the hog in a child group: lab06's limit covers it; v2 counts the kill in lab06's memory.events (not
            // .local), v1 only in the child's own memory.oom_control
            passes("the hog in a child group, memory enabled below lab06", manual("32M", false) + "mkdir " + D + "/x\n"
                + enableMemoryBelow + hogIn(D + "/x", "cgroup.procs")),
            passes("the hog in a grandchild group", manual("32M", false) + "mkdir " + D + "/x " + D + "/x/y\n"
                + enableMemoryBelow + "if [ -e " + D + "/x/cgroup.subtree_control ]; then echo +memory > " + D + "/x/cgroup.subtree_control; fi\n"
                + hogIn(D + "/x/y", "cgroup.procs")),
            // near misses: the 32 MiB in a file that never OOM-kills; swap left open; the hog ended another way
            row("32M on " + soft + " instead of the hard limit", "mkdir " + D + " && echo 32M > " + D + "/" + soft,
                fail("limit", soft + " is 33554432", "never OOM-kills"), failIf(G::hasSwapFile, "swap"), fail("oom-kill")),
            row("swap limit larger than allowed", manual("32M", false)
                + "if [ -e " + f("swap") + " ]; then echo " + (G.v2() ? "32M" : "64M") + " > " + f("swap") + "; fi\n",
                failIf(G::hasSwapFile, "swap", G.v2() ? "not 0" : "more than the memory limit"), fail("oom-kill")),
            row("the hog stopped by ulimit -v, not by the OOM killer", manual("32M", false)
                + "sh -c 'ulimit -v 16384; echo $$ > " + D + "/cgroup.procs && exec tail /dev/zero' || true\n",
                fail("oom-kill", "no OOM kill recorded in lab06")),
            row("exit 137 from kill -9, not from the OOM killer", manual("32M", false)
                + "sh -c 'echo $$ > " + D + "/cgroup.procs && kill -9 $$' || true\n", fail("oom-kill", "no OOM kill")),
            row("the process ended by timeout", manual("32M", false)
                + "timeout 0.5 sh -c 'echo $$ > " + D + "/cgroup.procs && exec sleep 5' || true\n", fail("oom-kill", "no OOM kill")),
            // a child with a lower limit of its own: the kill is that child's limit's doing, not lab06's
            row("the hog killed by a child group's own lower limit", manual("32M", false) + "mkdir " + D + "/x\n" + enableMemoryBelow
                + "echo 16M > " + D + "/x/" + G.file("limit") + "\n"
                + "if [ -e " + D + "/x/" + G.file("swap") + " ]; then echo " + (G.v2() ? "0" : "16M") + " > " + D + "/x/" + G.file("swap") + "; fi\n"
                + hogIn(D + "/x", "cgroup.procs"),
                fail("oom-kill", G.v2() ? "lab06's own limit never ran out" : "lower limit of their own")),
            // reset (the session's end) must end the sleep and remove both groups, deepest first
            passes("the solution, then child groups with a process in the deepest", manual("32M", true) + CHILD_GROUPS)
                .then(() -> assertEquals(1, y.procs().size(), "the learner's sleep is in lab06/x/y"))));
        if (!G.v2()) {
            // v1: tasks takes a thread id (here the single-threaded sh's pid); swappiness 0 stops only limit reclaim
            rows.add(passes("v1: the hog moved by writing to tasks", manual("32M", false) + hogIn(D, "tasks")));
            rows.add(row("v1: memory.swappiness 0 instead of a memory+swap limit", "mkdir " + D + "\necho 32M > " + f("limit")
                + "\necho 0 > " + D + "/memory.swappiness", failIf(G::hasSwapFile, "swap", "memory.swappiness is 0"), fail("oom-kill")));
            // the exercise's "v2:" line typed on a v1 or hybrid machine: a plain directory in the tmpfs at /sys/fs/cgroup
            // and a v2 group in the unified tree; check names the slip, and reset removes both
            rows.add(row("v1: the group made at v2's paths", "mkdir /sys/fs/cgroup/lab06\necho 32M > /sys/fs/cgroup/lab06/memory.max\n"
                + "if [ -d /sys/fs/cgroup/unified ]; then mkdir /sys/fs/cgroup/unified/lab06; fi\n",
                fail("group", "exists, but the memory controller is in"), fail("limit"), fail("swap"), fail("oom-kill"))
                .then(() -> {
                    LabHarness.succeeds(LAB, "reset");
                    assertFalse(Files.exists(Path.of("/sys/fs/cgroup/lab06")), "reset left the plain directory");
                    assertFalse(Files.exists(Path.of("/sys/fs/cgroup/unified/lab06")), "reset left the unified tree's group");
                }));
        }
        if (unboxed.sys.Cmd.has("cgexec")) {
            rows.add(passes("the hog run by cgexec", manual("32M", false) + "cgexec -g memory:lab06 tail /dev/zero || true\n"));
        }
        return S.rows(rows.toArray(LabSession.Case[]::new));
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
