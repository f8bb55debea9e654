package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.shAny;
import static unboxed.LabSession.fail;
import static unboxed.LabSession.passes;
import static unboxed.LabSession.row;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import unboxed.cgroup.Group;
import unboxed.lab.Lab;

/** lab12's own behaviour on this machine's cpu and pids hierarchies (v1 here, v2 in the VM harness), as root. */
class Lab12CgroupsTest {
    static final Lab LAB = LabHarness.lab("Lab12Cgroups");
    static final Group G = Group.named("lab12", "cpu", "pids");
    static final boolean V2 = G.v2();
    /** Groups a near miss makes beside lab12 by mistake: not the lab's, so the test removes them. */
    static final List<Path> STRAYS = Stream.of("cpu", "pids").flatMap(c -> Stream.of(G.dir(c).resolveSibling("web"),
        G.dir(c).resolveSibling("batch"))).distinct().toList();
    @RegisterExtension
    static final LabSession S = new LabSession(LAB).tidy(() -> {
        for (Path p : STRAYS) shAny("rmdir " + p + " 2>/dev/null");
    });

    /** The directories of a group below lab12 ("" for lab12) in the cpu and pids hierarchies (v2: one). */
    static List<String> dirs(String child) {
        Group g = child.isEmpty() ? G : G.child(child);
        return g.dirs().stream().map(Path::toString).toList();
    }

    static String cpu(String child) { return (child.isEmpty() ? G : G.child(child)).dir("cpu").toString(); }
    static String pids(String child) { return (child.isEmpty() ? G : G.child(child)).dir("pids").toString(); }

    /** mkdir lab12, web and batch (v2: with +cpu +pids handed down). */
    static String tree() {
        return "mkdir " + String.join(" ", dirs("")) + "\n"
            + (V2 ? "echo '+cpu +pids' > " + cpu("") + "/cgroup.subtree_control\n" : "")
            + "mkdir " + String.join(" ", dirs("web")) + " " + String.join(" ", dirs("batch")) + "\n";
    }

    /** The CPU limit QUOTA/PERIOD on a group ("" lab12, or a child), as the learner writes it. */
    static String quota(String child, long quota, long period) {
        return V2 ? "echo '" + quota + " " + period + "' > " + cpu(child) + "/cpu.max\n"
            : "echo " + period + " > " + cpu(child) + "/cpu.cfs_period_us\necho " + quota + " > " + cpu(child) + "/cpu.cfs_quota_us\n";
    }

    /** A shell that moves itself into a group (every hierarchy) and then runs COMMAND. */
    static String in(String child, String command) {
        return in(child.isEmpty() ? G : G.child(child), command);
    }

    static String in(Group g, String command) {
        return "sh -c '" + g.joinLine("cpu", "pids") + " " + command + "'";
    }

    static final String SPIN = "exec timeout 1 sh -c \"while :; do :; done\"";
    static final String FORKS = "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 1 & done; wait";

    /** A process left in a group, and a wait until the last hierarchy lists it (it moves itself in). */
    static String sleeper(String child) {
        return sleeper(child.isEmpty() ? G : G.child(child));
    }

    static String sleeper(Group g) {
        Path last = g.dirs().get(g.dirs().size() - 1);
        return in(g, "exec sleep infinity") + " >/dev/null 2>&1 &\n"
            + "while ! grep -qx $! " + last.resolve("cgroup.procs") + "; do sleep 0.05; done\n";
    }

    /** A correct solution, from its parts: the limits, the loads, the sleepers. */
    static String manual(String limits, boolean spin, boolean forks, String... sleepersIn) {
        StringBuilder s = new StringBuilder(tree()).append(limits);
        if (spin) s.append(in("batch", SPIN)).append(" || true\n");
        if (forks) s.append(in("web", FORKS)).append(" 2>/dev/null || true\n");
        for (String k : sleepersIn) s.append(sleeper(k));
        return s.toString();
    }

    static final String LIMITS = quota("batch", 20_000, 100_000) + "echo 16 > " + pids("web") + "/pids.max\n";

    static String all(String limits) {
        return manual(limits, true, true, "web", "batch");
    }

    /**
     * The shape systemd gives the tree when the exercise is asked of it: lab12.slice with lab12-web.slice and
     * lab12-batch.slice, the processes in units below them (systemd.slice(5)). This machine has no systemd: made by hand
     * here, which grades the shape and reset's removal without systemd; the VM test asks the guest's systemd itself
     * (LearnerPath.alternatives).
     */
    static final Group TOP = Group.named("lab12.slice", "cpu", "pids"), WEB = TOP.child("lab12-web.slice"), BATCH = TOP.child("lab12-batch.slice"),
        WEB_UNIT = WEB.child("lab12-web-load.service"), BATCH_UNIT = BATCH.child("lab12-batch-load.service");

    /** The slices and units made, LIMITS written, the loads run in the units, and a sleeper left in each unit. */
    static String slices(String limits, Group... sleepersIn) {
        StringBuilder s = new StringBuilder();
        for (Group g : List.of(TOP, WEB, BATCH, WEB_UNIT, BATCH_UNIT)) {
            s.append("mkdir ").append(String.join(" ", g.dirs().stream().map(Path::toString).toList())).append('\n');
            if (V2 && !g.name().endsWith(".service")) s.append("echo '+cpu +pids' > ").append(g.dir("cpu")).append("/cgroup.subtree_control\n");
        }
        s.append(limits).append(in(BATCH_UNIT, SPIN)).append(" || true\n").append(in(WEB_UNIT, FORKS)).append(" 2>/dev/null || true\n");
        for (Group g : sleepersIn) s.append(sleeper(g));
        return s.toString();
    }

    /** The CPU limit 0.2 on a group, as by hand. */
    static String fifth(Group g) {
        return V2 ? "echo '20000 100000' > " + g.dir("cpu") + "/cpu.max\n"
            : "echo 100000 > " + g.dir("cpu") + "/cpu.cfs_period_us\necho 20000 > " + g.dir("cpu") + "/cpu.cfs_quota_us\n";
    }

    // every row runs the lab for real (tens of seconds): the full suite runs them, -Pfast keeps the rest
    @Tag("slow")
    @TestFactory
    Stream<DynamicTest> statesAndVerdicts() {
        List<LabSession.Case> rows = new ArrayList<>(List.of(
            row("fresh state", "", fail("tree", "does not exist"), fail("quota"), fail("throttled"), fail("tasks"), fail("hit"),
                fail("members")),
            passes("another quota/period pair: 10000 of 50000", all(quota("batch", 10_000, 50_000) + "echo 16 > " + pids("web") + "/pids.max\n")),
            passes("a longer period: 200000 of 1000000", all(quota("batch", 200_000, 1_000_000) + "echo 16 > " + pids("web") + "/pids.max\n")),
            // pids.events counts every refused fork: a hit under a lower limit first still counts once web has 16
            passes("the limit hit at 4 first, then set to 16", manual(quota("batch", 20_000, 100_000) + "echo 4 > " + pids("web")
                + "/pids.max\n", true, true) + "echo 16 > " + pids("web") + "/pids.max\n" + sleeper("web") + sleeper("batch")),
            // near misses
            row("the quota written to the parent", manual(quota("", 20_000, 100_000) + "echo 16 > " + pids("web") + "/pids.max\n",
                    true, true, "web", "batch"),
                fail("quota", "lab12, its parent, has 20000/100000"), fail("throttled", "never throttled")),
            row("20% of two CPUs: 40000 of 100000", all(quota("batch", 40_000, 100_000) + "echo 16 > " + pids("web") + "/pids.max\n"),
                fail("quota", "20% of two CPUs")),
            row("half a CPU: 50000 of 100000", all(quota("batch", 50_000, 100_000) + "echo 16 > " + pids("web") + "/pids.max\n"),
                fail("quota", "0.50 CPUs, not 0.2")),
            row("TasksMax 15", all(quota("batch", 20_000, 100_000) + "echo 15 > " + pids("web") + "/pids.max\n"),
                fail("tasks", "pids.max is 15, not 16")),
            row("TasksMax 17", all(quota("batch", 20_000, 100_000) + "echo 17 > " + pids("web") + "/pids.max\n"),
                fail("tasks", "pids.max is 17, not 16")),
            row("the task limit on the parent", manual(quota("batch", 20_000, 100_000) + "echo 16 > " + pids("") + "/pids.max\n",
                true, false, "web", "batch"), fail("tasks", "lab12, its parent, has pids.max 16"), fail("hit")),
            row("never throttled: no load run", manual(LIMITS, false, true, "web", "batch"), fail("throttled", "never throttled")),
            row("the limit never hit: no fork loop", manual(LIMITS, true, false, "web", "batch"), fail("hit", "never hit")),
            row("no process left in batch", manual(LIMITS, true, true, "web"), fail("members", "no process in " + cpu("batch"))),
            // systemd's shape: the CPU limit on batch's unit, the task limit on web's slice, processes in the units
            passes("systemd's shape: limits on a unit and on a slice", slices(fifth(BATCH_UNIT) + "echo 16 > " + WEB.dir("pids") + "/pids.max\n",
                WEB_UNIT, BATCH_UNIT)),
            row("systemd's shape: a unit directly in lab12.slice", slices(fifth(BATCH_UNIT) + "echo 16 > " + WEB.dir("pids") + "/pids.max\n",
                WEB_UNIT, BATCH_UNIT) + "mkdir " + String.join(" ", TOP.child("other.service").dirs().stream().map(Path::toString).toList()) + "\n"
                + sleeper(TOP.child("other.service")), fail("members", "in neither lab12-web.slice nor lab12-batch.slice")),
            row("web and batch made at the hierarchy's root", "mkdir " + String.join(" ", STRAYS.stream().map(Path::toString).toList()) + "\n"
                + all(LIMITS), fail("outside", "was made beside lab12, not in it"))));
        if (!V2) {
            // systemd's shape, the task limit on lab12.slice: web's fork loop still hits it, and v1 counts that in the
            // forking task's own group, web's unit (cgroup-v1/pids.rst); later kernels' v2 counts it where the limit is
            rows.add(row("v1: systemd's shape, the task limit on lab12.slice", slices(fifth(BATCH_UNIT) + "echo 16 > " + TOP.dir("pids")
                + "/pids.max\n", WEB_UNIT, BATCH_UNIT), fail("tasks", "lab12.slice, its parent, has pids.max 16")));
            // v1: a process left in lab12 itself (v2 refuses the write with EBUSY once +cpu +pids is there)
            rows.add(row("v1: a process left in lab12", all(LIMITS) + sleeper(""), fail("members", "lab12 itself holds")));
            // v1: the learner's processes moved by writing to tasks (a thread id: the single-threaded sh's pid)
            rows.add(passes("v1: processes moved through tasks", all(LIMITS).replace("/cgroup.procs", "/tasks")));
            // v1: web and batch only in the pids hierarchy: no cpu for them
            rows.add(row("v1: the children made only in the pids hierarchy", "mkdir " + cpu("") + " " + pids("") + " " + pids("web") + " "
                + pids("batch") + "\n", fail("tree", cpu("web")), fail("quota"), fail("throttled"), fail("tasks"), fail("hit"), fail("members")));
            // the exercise's v2 line typed on a v1 or hybrid machine: a plain directory in the tmpfs, and a v2 group in
            // the unified tree; check names the slip, and reset removes both
            rows.add(row("v1: lab12 made at v2's paths", "mkdir /sys/fs/cgroup/lab12\n"
                + "if [ -d /sys/fs/cgroup/unified ]; then mkdir /sys/fs/cgroup/unified/lab12; fi\n",
                fail("tree"), fail("quota"), fail("throttled"), fail("tasks"), fail("hit"), fail("members"),
                fail("outside", "is where the other cgroup version keeps groups"))
                .then(() -> {
                    LabHarness.succeeds(LAB, "reset");
                    assertFalse(Files.exists(Path.of("/sys/fs/cgroup/lab12")), "reset left the plain directory");
                    assertFalse(Files.exists(Path.of("/sys/fs/cgroup/unified/lab12")), "reset left the unified tree's group");
                }));
        } else {
            // v2: the children made, but lab12 never handed them cpu and pids
            rows.add(row("v2: no +cpu +pids in lab12's subtree_control", tree().replace("echo '+cpu +pids' > " + cpu("") + "/cgroup.subtree_control\n", ""),
                fail("tree", "cgroup.subtree_control"), fail("quota"), fail("throttled"), fail("tasks"), fail("hit"), fail("members")));
        }
        return S.rows(rows.toArray(LabSession.Case[]::new));
    }

    /** The reset after a solution with grandchildren and processes in them: every hierarchy, deepest first. */
    @Test
    void resetKillsProcessesInGrandchildrenInEveryHierarchy() {
        LabHarness.sh(all(LIMITS) + "mkdir " + cpu("web") + "/x " + pids("web") + "/x 2>/dev/null; "
            + "sh -c 'echo $$ > " + cpu("web") + "/x/cgroup.procs; echo $$ > " + pids("web") + "/x/cgroup.procs; exec sleep infinity' >/dev/null 2>&1 &");
        assertTrue(unboxed.sys.Wait.until(java.time.Duration.ofSeconds(5), () -> !G.child("web/x").procs("pids").isEmpty()));
        LabHarness.succeeds(LAB, "reset");
        for (Path d : G.dirs()) assertFalse(Files.exists(d), d + " is still there");
    }

    /** The run: the spinner held near 20%, the fork loop refused, the weights, and the demo gone afterwards. */
    @Tag("slow")
    @Test
    void runShowsTheLimitsAtWorkAndCleansUpItsDemo() {
        String out = LabHarness.succeeds(LAB, "run").out();
        assertTrue(out.contains("forks/pids.events: max             1"), out);
        var share = java.util.regex.Pattern.compile("measured share\\s+(\\d+)% of one CPU").matcher(out);
        assertTrue(share.find(), out);
        int pct = Integer.parseInt(share.group(1));
        assertTrue(pct >= 15 && pct <= 23, "the spinner's share under a 20% limit: " + pct + "%");
        var hi = java.util.regex.Pattern.compile("hi's part of CPU 0\\s+(\\d+)%").matcher(out);
        assertTrue(hi.find(), out);
        assertTrue(Integer.parseInt(hi.group(1)) >= 60, "hi (weight 300 against 100) got " + hi.group(1) + "% of CPU 0");
        assertTrue(out.contains("OOM-killed"), out);
        for (Path d : Group.named("lab12-demo", "cpu", "cpuacct", "pids", "memory").dirs()) assertFalse(Files.exists(d), d + " left");
    }

    /** Java through ./jbang shell, the lib's Group, instead of echo: check passes it the same. */
    @Tag("slow")
    @Test
    void theExerciseDoneInJavaThroughTheShellPasses() throws Exception {
        Process p = LabHarness.jvm("Shell").redirectErrorStream(true).start();
        p.getOutputStream().write(("""
            var g = Group.named("lab12", "cpu", "pids");
            g.create(); g.enableForChildren("cpu", "pids");
            var web = g.child("web"); var batch = g.child("batch"); web.create(); batch.create();
            batch.setCpuMax(25000, 125000); web.setPidsMax(16);
            new ProcessBuilder("sh", "-c", batch.joinLine("cpu", "pids") + " exec timeout 1 sh -c 'while :; do :; done'").start().waitFor()
            new ProcessBuilder("sh", "-c", web.joinLine("cpu", "pids") + " %s").start().waitFor()
            for (var k : List.of(web, batch)) new ProcessBuilder("sh", "-c", k.joinLine("cpu", "pids") + " exec sleep infinity").redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            /exit
            """.formatted(FORKS)).getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "jshell did not exit");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        LabHarness.succeeds(LAB, "check");
    }

    /** Beyond the contract's bad input and explain as nobody: what lab12 says. */
    @Test
    void aWrongCheckNamesTheChecksAndExplainShowsBothVersionsToNobody() throws Exception {
        String err = LabHarness.assertBadInputExits2(LAB, "check nope").err();
        assertTrue(err.contains("no check 'nope' (checks: tree, quota, throttled, tasks, hit, members, outside)"), err);
        var r = LabHarness.asNobody(LAB, "explain");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("cpu.max") && r.out().contains("cpu.cfs_quota_us"), r.out());
    }
}
