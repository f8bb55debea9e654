package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.Outcome;
import static unboxed.LabHarness.assertAllFailWithReasons;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.lab.Lab;
import unboxed.lab.Step;
import unboxed.ns.Mounts;
import unboxed.ns.Rootfs;
import unboxed.sys.Cmd;

/** lab01 end to end, as root on this kernel: every criterion of the exercise contract, near misses, crashes, bad input. */
class Lab01ChrootTest {
    static final Lab LAB = LabHarness.lab("Lab01Chroot");
    static final String WORK = "/var/lib/unboxed/lab01", MYROOT = WORK + "/myroot", DEMO_ROOT = WORK + "/demo-root";
    /** The articles' way: mkdir, then cp each program and each library ldd names, at the same path. */
    static final String MANUAL = """
        mkdir -p /var/lib/unboxed/lab01/myroot
        cd /var/lib/unboxed/lab01/myroot
        for prog in /bin/sh /bin/ls; do
          cp --parents "$prog" .
          for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do cp --parents "$lib" .; done
        done
        """;
    /** MANUAL with ps, and /proc mounted for it in the jail, unmounted afterwards: what a learner following the articles does. */
    static final String ARTICLES = MANUAL.replace("/bin/sh /bin/ls", "/bin/sh /bin/ls /bin/ps") + """
        mkdir -p /var/lib/unboxed/lab01/myroot/proc
        mount -t proc proc /var/lib/unboxed/lab01/myroot/proc
        chroot /var/lib/unboxed/lab01/myroot /bin/ps
        umount /var/lib/unboxed/lab01/myroot/proc
        """;
    List<String> before;

    @BeforeEach
    void baseline() {
        before = LabHarness.freshStart(LAB);
    }

    @AfterEach
    void resetLeavesHostAsBefore() {
        LabHarness.resetLeavesHostAsBefore(LAB, before);
        assertFalse(Files.exists(Path.of(WORK)), "reset removes the work folder");
        assertTrue(Files.isExecutable(Path.of("/usr/bin/ls")), "the host's /usr must survive any reset");
    }

    static Map<String, JsonObject> check() {
        return LabHarness.checkById(LAB);
    }

    /** All five criteria pass. */
    static void assertAllPass(Map<String, JsonObject> r) {
        assertEquals(5, r.size());
        LabHarness.assertAllPass(r);
    }

    /** A fact as Bench.show prints it. */
    static String shown(String label, String value) {
        return String.format("%-34s %s", label, value);
    }

    static boolean mounted(String path) {
        return Mounts.isMountPoint(path);
    }

    @Test
    void freshStateFailsEveryCriterionWithAReason() {
        Map<String, JsonObject> r = check();
        assertEquals(5, r.size());
        assertAllFailWithReasons(r);
        assertReason(r, "dir", MYROOT + " does not exist");
        for (String id : List.of("shell", "ls", "own-files", "no-proc")) {
            assertReason(r, id, "there is no " + MYROOT);
        }
    }

    @Test
    void solveThenCheckGivesFullPointsAndRecordsProgress() throws Exception {
        Outcome s = succeeds(LAB, "solve");
        assertTrue(s.out().contains("$ cp --parents /bin/sh $(ldd /bin/sh"), s.out());
        Outcome o = cli(LAB, "check");
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("8/8 points"), o.out());
        assertEquals(8, LabHarness.progress(LAB).get("points").getAsInt());
        assertEquals(4, cli(LAB, "solve").exit(), "a second solve refuses: myroot exists");
    }

    @Test
    void manualSolutionWithTheArticlesCommandsPasses() {
        // mkdir, cp, ldd, then chroot with /proc mounted for ps, unmounted afterwards
        sh(ARTICLES);
        assertAllPass(check());
    }

    @Test
    void manualSolutionWithBusyboxPasses() {
        assertTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static: sudo apt-get install busybox-static");
        sh("""
            mkdir -p /var/lib/unboxed/lab01/myroot/bin
            cp /bin/busybox /var/lib/unboxed/lab01/myroot/bin/
            chroot /var/lib/unboxed/lab01/myroot /bin/busybox --install -s /bin
            """);
        assertAllPass(check());
    }

    @ParameterizedTest
    @ValueSource(strings = {"proc-left-mounted", "shell-without-libraries", "bind-mount-usr", "bind-mount-root",
        "no-ls", "symlink-to-host-root"})
    void nearMissFailsTheRightCriterion(String miss) {
        switch (miss) {
            case "proc-left-mounted" -> {
                sh(MANUAL + "mkdir -p proc && mount -t proc proc /var/lib/unboxed/lab01/myroot/proc\n"
                    + "chroot /var/lib/unboxed/lab01/myroot /bin/sh -c 'ls /proc' >/dev/null");
                assertOnlyFailing(check(), List.of("no-proc"), MYROOT + "/proc is still mounted");
            }
            case "shell-without-libraries" -> {
                sh("mkdir -p " + MYROOT + "/bin && cp /bin/sh /bin/ls " + MYROOT + "/bin/");
                Map<String, JsonObject> r = check();
                assertOnlyFailing(r, List.of("shell", "ls"), "/bin/sh is there but cannot start: it needs");
                assertReason(r, "shell", "libc.so.6");
            }
            case "bind-mount-usr" -> {
                // works only thanks to the host's /usr: the root holds symlinks into a bind mount
                sh("mkdir -p " + MYROOT + "/usr && mount --bind /usr " + MYROOT + "/usr && cd " + MYROOT
                    + " && ln -s usr/bin bin && ln -s usr/lib lib && ln -s usr/lib64 lib64");
                assertOnlyFailing(check(), List.of("own-files"), "myroot/usr is a mount of /usr");
            }
            case "bind-mount-root" -> {
                sh("mkdir -p " + MYROOT + " && mount --bind / " + MYROOT);
                assertOnlyFailing(check(), List.of("own-files"), "myroot itself is a mount of /");
            }
            case "no-ls" -> {
                sh(MANUAL.replace("/bin/sh /bin/ls", "/bin/sh"));
                assertOnlyFailing(check(), List.of("ls"), "ls: not found");
            }
            case "symlink-to-host-root" -> {
                sh("mkdir -p " + WORK + " && ln -s / " + MYROOT);
                assertOnlyFailing(check(), List.of("dir"), "is a symlink to /");
            }
            default -> throw new IllegalArgumentException(miss);
        }
    }

    @Test
    void runWalksEveryStepEscapesThePlainChrootButNotThePivotedRoot() {
        String out = succeeds(LAB, "run").out();
        assertTrue(out.contains("Step 8/8"), out);
        assertTrue(out.contains("ls: not found"), out);
        assertTrue(out.matches("(?s).*/ seen by thread \\d+ +bin lib lib64\n.*"), out);
        // the two verdicts of the escape, step 7 then step 8
        int plain = out.indexOf(shown("reached the host's /", "yes"));
        int pivoted = out.indexOf(shown("reached the host's /", "no"));
        assertTrue(plain > 0 && pivoted > plain, out);
        assertTrue(out.contains("mount -t proc proc /var/lib/unboxed/lab01/demo-root/proc"), out);
        assertTrue(out.contains(shown("in the host's mountinfo now", "gone")), out);
        // the demo is gone when run ends; the work folder waits for the learner's myroot
        assertFalse(Files.exists(Path.of(DEMO_ROOT)));
        assertFalse(Files.exists(Path.of(WORK, "tiny")));
        assertFalse(mounted(DEMO_ROOT + "/proc"));
        // the rootfs cache is not a lab object: it stays after reset, ready for the next run
        assertEquals(0, cli(LAB, "reset").exit());
        assertTrue(Rootfs.isReady(Rootfs.CACHE));
        Outcome again = succeeds(LAB, "run", "--step", "4");
        assertFalse(again.out().contains("Building the rootfs cache"), again.out());
    }

    @Test
    void runWithStepStopsThereAndResetRemovesTheProcMount() {
        succeeds(LAB, "run", "--step", "5");
        assertTrue(mounted(DEMO_ROOT + "/proc"), "step 5 leaves /proc mounted in the demo root");
        // afterEach: reset, then the fingerprint (mount table included) must match the one before
    }

    @ParameterizedTest
    @ValueSource(strings = {"Step 2/8", "Step 5/8", "Step 7/8", "Step 8/8"})
    void sigkillDuringRunThenResetLeavesNothing(String killAt) throws Exception {
        int steps = Integer.parseInt(killAt.substring(5, 6));
        LabHarness.sigkillAtStep(LAB, steps);
        assertTrue(Files.exists(Path.of(WORK, "tiny")), "the kill left the tiny root");
        if (steps == 5) assertTrue(mounted(DEMO_ROOT + "/proc"), "the kill left /proc mounted");
        // afterEach: reset, then the fingerprint must match the one before run
    }

    @Test
    void sigkillDuringRunThenRunAgainReplaysTheJournalFirst() throws Exception {
        LabHarness.sigkillAtStep(LAB, 5);
        Outcome o = succeeds(LAB, "run", "--step", "1");
        assertTrue(o.out().contains("removing them first"), o.out());
        assertFalse(mounted(DEMO_ROOT + "/proc"));
        assertFalse(Files.exists(Path.of(DEMO_ROOT)));
    }

    /** The steps' shell equivalents, run as a learner would paste them, do what the steps say. */
    @Test
    void theShellEquivalentsAreExact() throws Exception {
        assertTrue(Cmd.has("gcc"), "step 7's escape.c needs a C compiler: sudo apt-get install gcc libc6-dev");
        assertTrue(Files.isExecutable(Path.of("/bin/busybox")), "step 4 needs busybox-static: sudo apt-get install busybox-static");
        List<Step> steps = LAB.steps;
        // escape.c is the fenced C block of step 7's explanation
        String explain = steps.get(6).explain();
        String c = explain.substring(explain.indexOf("```c\n") + 5, explain.indexOf("```", explain.indexOf("```c\n") + 5));
        Path dir = Files.createTempDirectory("lab01-shell");
        Files.writeString(dir.resolve("escape.c"), c);
        String[] outputs = new String[steps.size()], stdout = new String[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            Cmd.Result r = shAny("cd " + dir + " && " + steps.get(i).shell());
            outputs[i] = r.out() + r.err();
            stdout[i] = r.out();
        }
        assertTrue(outputs[0].contains("/var/lib/unboxed/lab01/tiny/bin/sh"), outputs[0]);
        assertEquals("/bin /lib /lib64\n", stdout[1]);
        assertTrue(outputs[2].contains("ls: not found"), outputs[2]);
        assertTrue(stdout[3].contains("proc\n") && stdout[3].contains("PID"), outputs[3]);
        assertTrue(stdout[4].startsWith("PID") && stdout[4].lines().count() >= 3, outputs[4]);
        assertTrue(stdout[5].contains(" /var/lib/unboxed/lab01/demo-root/proc "), outputs[5]);
        assertFalse(mounted(DEMO_ROOT + "/proc"), "step 6 unmounts it");
        List<String> hostRoot;
        try (Stream<Path> s = Files.list(Path.of("/"))) {
            hostRoot = s.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
        assertEquals(hostRoot, stdout[6].lines().sorted().toList(), "the escape lists the host's /: " + outputs[6]);
        assertTrue(stdout[7].contains("escape-hatch\n") && stdout[7].contains("linuxrc\n"), "after pivot_root: " + outputs[7]);
        assertFalse(stdout[7].contains("var\n") || stdout[7].contains("home\n"), "after pivot_root: " + outputs[7]);
        Cmd.run("rm", "-rf", dir.toString());
        // afterEach: reset removes the demo folders the commands made by hand
    }

    @Test
    void runRefusesADemoFolderThatIsNotOurs() {
        sh("mkdir -p " + DEMO_ROOT + " && touch " + DEMO_ROOT + "/precious");
        Outcome o = cli(LAB, "run");
        assertEquals(4, o.exit(), o.all());
        assertTrue(o.err().contains("directory " + DEMO_ROOT + " exists and this lab did not make it"), o.err());
        assertTrue(Files.exists(Path.of(DEMO_ROOT, "precious")));
    }
}
