package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.Outcome;
import static unboxed.LabHarness.assertAllFailWithReasons;
import static unboxed.LabHarness.assertAllPass;
import static unboxed.LabHarness.assertReason;
import static unboxed.LabHarness.assertVerdicts;
import static unboxed.LabHarness.cli;
import static unboxed.LabHarness.sh;
import static unboxed.LabHarness.shAny;
import static unboxed.LabHarness.succeeds;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.lab.Lab;
import unboxed.ns.MountNs;
import unboxed.ns.Mounts;
import unboxed.ns.Processes;

/**
 * lab02 end to end, as root on this kernel: the exercise contract (a process of the learner's, found by scanning
 * /proc), near misses, propagation on a host made shared like systemd's, crashes, and a reset that ends only the
 * learner's processes and puts /mnt back as it was.
 */
class Lab02MntnsTest {
    static final Lab LAB = LabHarness.lab("Lab02Mntns");
    static final String TARGET = "/mnt/lab02";
    /** The issue's manual solution, word for word (its `&` is added by background()). */
    static final String MANUAL =
        "unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /mnt/lab02 && echo hi > /mnt/lab02/secret && exec sleep infinity'";
    List<String> before;
    String mntBefore;

    @BeforeEach
    void baseline() {
        mntBefore = mntListing();
        before = LabHarness.freshStart(LAB);
    }

    @AfterEach
    void resetLeavesHostAsBefore() {
        LabHarness.resetLeavesHostAsBefore(LAB, before);
        assertEquals(mntBefore, mntListing(), "/mnt after reset");
        assertTrue(MountNs.withOwnMountOn(TARGET).isEmpty(), "a process with its own mount on /mnt/lab02 survived reset");
    }

    /** /mnt as ls shows it (names, types, modes), and what the host has mounted below it. */
    static String mntListing() {
        return shAny("ls -la --time-style=+ /mnt 2>&1 | awk '{print $1, $NF}'; ls -la /mnt/lab02 2>&1 | wc -l").out()
            + Mounts.ofHost().stream().filter(m -> m.mountPoint().startsWith("/mnt")).map(m -> m.mountPoint() + " "
                + MountNs.propagation(m)).toList() + " / " + MountNs.propagation(MountNs.holding(Mounts.ofHost(), TARGET));
    }

    /** A learner's `COMMAND &`: started in the background, detached from us, and waited for until /proc shows it. */
    static void background(String command, boolean expectOwnMount) throws InterruptedException {
        sh(command + " </dev/null >/dev/null 2>&1 &");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (expectOwnMount && MountNs.withOwnMountOn(TARGET).isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
    }

    static Map<String, JsonObject> check() {
        return LabHarness.checkById(LAB);
    }

    static void prepare() {
        succeeds(LAB, "prepare");
    }

    @Test
    void freshStateFailsEveryCriterionWithAReason() {
        Map<String, JsonObject> r = check();
        assertEquals(4, r.size());
        assertAllFailWithReasons(r);
        assertReason(r, "process", Files.exists(Path.of(TARGET)) ? "no process outside" : "no directory /mnt/lab02");
    }

    @Test
    void prepareMakesTheEmptyDirectoryAndAHostSharedLikeSystemd() throws Exception {
        prepare();
        assertTrue(Files.isDirectory(Path.of(TARGET)));
        try (var s = Files.list(Path.of(TARGET))) {
            assertEquals(0, s.count());
        }
        assertFalse(Mounts.isMountPoint(TARGET), "the host must have no mount on /mnt/lab02");
        assertTrue(MountNs.holding(Mounts.ofHost(), TARGET).shared(), "the mount holding /mnt/lab02 is shared, as under systemd");
        prepare(); // twice is harmless
        Map<String, JsonObject> r = check();
        assertVerdicts(r, List.of("process", "host-clean", "private", "secret"));
        assertReason(r, "process", "no process outside the host's mount namespace has a mount on /mnt/lab02");
    }

    @Test
    void solveThenCheckGivesFullPoints() throws Exception {
        assertEquals(0, cli(LAB, "solve").exit());
        Outcome o = cli(LAB, "check");
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("9/9 points"), o.out());
        assertEquals(9, LabHarness.progress(LAB).get("points").getAsInt());
        assertEquals(4, cli(LAB, "solve").exit(), "a second solve is a conflict");
    }

    @Test
    void solvedFromAnotherJvmTheProcessOutlivesItAndResetEndsIt() throws Exception {
        Process p = LabHarness.jvm("Lab02Mntns", "solve", "--no-color").redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        List<MountNs.Holder> h = MountNs.withOwnMountOn(TARGET);
        assertEquals(1, h.size(), h.toString());
        assertEquals("sleep", Processes.comm(h.get(0).pid()).orElse("?"));
        assertAllPass(check());
    }

    @Test
    void manualSolutionFromTheIssuePasses() throws Exception {
        prepare();
        background(MANUAL, true);
        assertAllPass(check());
        assertEquals("hi\n", Files.readString(Path.of("/proc/" + MountNs.withOwnMountOn(TARGET).get(0).pid() + "/root/mnt/lab02/secret")));
    }

    @Test
    void plainUnshareAndASecretWrittenWithNsenterPassToo() throws Exception {
        prepare();
        // an earlier, failed attempt stays around: the check must still find the good one
        background("unshare -m sh -c 'mount -t ramfs ramfs /mnt/lab02 && exec sleep infinity'", true);
        // unshare(1) makes / private by default; the secret goes in afterwards, through nsenter
        background("unshare -m sh -c 'mount -t tmpfs tmpfs /mnt/lab02 && exec sleep infinity'", false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (MountNs.withOwnMountOn(TARGET).size() < 2 && System.nanoTime() < deadline) Thread.sleep(20);
        long pid = MountNs.withOwnMountOn(TARGET).stream().filter(h -> h.mount().fsType().equals("tmpfs")).findFirst()
            .orElseThrow().pid();
        assertVerdicts(check(), List.of("secret"));
        sh("nsenter -t " + pid + " -m sh -c 'echo hi > /mnt/lab02/secret'");
        assertAllPass(check());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mounted-on-the-host", "no-secret", "shared-propagation", "not-a-tmpfs"})
    void nearMissFailsTheRightCriterion(String miss) throws Exception {
        prepare();
        switch (miss) {
            case "mounted-on-the-host" -> {
                sh("mount -t tmpfs tmpfs /mnt/lab02 && echo hi > /mnt/lab02/secret");
                Map<String, JsonObject> r = check();
                assertVerdicts(r, List.of("process", "host-clean", "private", "secret"));
                assertReason(r, "host-clean", "mounted in the host's own namespace");
                assertReason(r, "process", "in the host's own mount namespace");
            }
            case "no-secret" -> {
                background("unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /mnt/lab02 && exec sleep infinity'", true);
                Map<String, JsonObject> r = check();
                assertVerdicts(r, List.of("secret"));
                assertReason(r, "secret", "has no file secret");
            }
            case "shared-propagation" -> {
                background(MANUAL.replace("--propagation private", "--propagation shared"), true);
                Map<String, JsonObject> r = check();
                // the mount leaked: the host now has its peer, so both propagation criteria fail, and only they
                assertVerdicts(r, List.of("private", "host-clean"));
                assertReason(r, "private", "is in its peer group");
                assertReason(r, "host-clean", "propagated out of pid");
            }
            case "not-a-tmpfs" -> {
                background(MANUAL.replace("-t tmpfs tmpfs", "-t ramfs ramfs"), true);
                Map<String, JsonObject> r = check();
                assertVerdicts(r, List.of("process"));
                assertReason(r, "process", "has a ramfs on /mnt/lab02, not a tmpfs");
            }
            default -> throw new IllegalArgumentException(miss);
        }
    }

    @Test
    void resetEndsOnlyTheLearnersProcesses() throws Exception {
        prepare();
        background(MANUAL, true);
        long learner = MountNs.withOwnMountOn(TARGET).get(0).pid();
        // bystanders in mount namespaces of their own: one without a mount on /mnt/lab02, and one that only received
        // the host's (a slave copy, as systemd services have); reset must leave both alone
        sh("mount -t tmpfs tmpfs /mnt/lab02");
        Process plain = new ProcessBuilder("unshare", "-m", "sleep", "1000").start();
        Process slave = new ProcessBuilder("unshare", "-m", "--propagation", "slave", "sleep", "1000").start();
        try {
            Thread.sleep(300);
            assertTrue(Mounts.at(Mounts.of(slave.pid()), TARGET).isPresent(), "the slave has a copy of the host's mount");
            assertEquals(List.of(learner), MountNs.withOwnMountOn(TARGET).stream().map(MountNs.Holder::pid).toList());
            Outcome o = succeeds(LAB, "reset");
            assertTrue(o.out().contains("ending pid " + learner + " (sleep)"), o.out());
            assertFalse(Processes.alive(learner));
            assertTrue(plain.isAlive() && slave.isAlive(), "reset ended a bystander");
            assertFalse(Mounts.isMountPoint(TARGET));
        } finally {
            plain.destroyForcibly().waitFor();
            slave.destroyForcibly().waitFor();
        }
    }

    @Test
    void aDirectoryThatWasThereBeforeIsLeftAsItWas() throws Exception {
        assertFalse(Files.exists(Path.of(TARGET)), "this test needs a host without /mnt/lab02");
        sh("mkdir /mnt/lab02 && chmod 700 /mnt/lab02 && echo mine > /mnt/lab02/keep");
        try {
            prepare();
            background(MANUAL, true);
            assertAllPass(check());
            assertEquals(0, cli(LAB, "reset").exit());
            assertEquals("mine\n", Files.readString(Path.of(TARGET, "keep")));
            assertEquals("drwx------", sh("stat -c %A /mnt/lab02").strip());
        } finally {
            sh("rm -rf /mnt/lab02");
        }
    }

    @Test
    void aSecondRunKeepsTheLearnersWorkInProgress() throws Exception {
        prepare();
        background(MANUAL, true);
        succeeds(LAB, "run");
        assertAllPass(check());
    }

    @Test
    void runWalksEveryStepAndLeavesOnlyTheExerciseBehind() {
        String out = succeeds(LAB, "run").out();
        assertTrue(out.contains("Step 7/7"), out);
        assertTrue(out.contains("mnt:["), out);
        assertTrue(out.contains("EINVAL"), "setns on a plain thread: " + out);
        assertTrue(out.contains("/etc/hostname, main thread"), out);
        assertTrue(out.matches("(?s).*/etc/hostname, thread \\d+ +rootfs.*"), out);
        assertTrue(out.matches("(?s).*/var/lib/unboxed/lab02/leak, host +tmpfs, shared:\\d+.*"), "the leak: " + out);
        assertTrue(out.matches("(?s).*/var/lib/unboxed/lab02/kept, host +no mount.*"), out);
        assertTrue(out.contains("Read-only file system"), out);
        assertTrue(out.contains("written inside"), out);
        // the demo is gone when run ends; the exercise's starting point is there
        assertFalse(Files.exists(Path.of("/var/lib/unboxed/lab02")));
        assertTrue(Files.isDirectory(Path.of(TARGET)));
        assertFalse(Mounts.isMountPoint(TARGET));
        assertEquals(1, cli(LAB, "check").exit());
    }

    @Test
    void runWithStepStopsThereAndResetRemovesWhatItMade() throws Exception {
        // in a JVM of its own, as a learner runs it: the thread that made the namespace ends with it
        Process p = LabHarness.jvm("Lab02Mntns", "run", "--step", "3", "--no-color").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Stopped after step 3"), out);
        assertFalse(Processes.tagged("UNBOXED_TAG", "lab02").isEmpty(), "the namespace's sleep is still there");
        assertTrue(Files.isDirectory(Path.of("/var/lib/unboxed/lab02/rootfs")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Step 2/7|Notice", "Step 6/7|Notice", "Step 7/7|lives on the mount"})
    void sigkillDuringRunThenResetLeavesNothing(String killAt) throws Exception {
        String[] at = killAt.split("\\|");
        int steps = Integer.parseInt(at[0].substring(5, 6));
        LabHarness.sigkillAtStep(LAB, steps, at[1]);
        if (steps == 2) assertFalse(Processes.tagged("UNBOXED_TAG", "lab02").isEmpty(), "the kill left the sleep");
        if (steps == 6) assertTrue(Mounts.isMountPoint("/var/lib/unboxed/lab02/leak"), "the kill left the leak on the host");
        if (at[1].equals("lives on the mount")) assertTrue(Files.isDirectory(Path.of(TARGET)));
        // afterEach: reset, then the fingerprint and /mnt must match the ones before run
    }
}
