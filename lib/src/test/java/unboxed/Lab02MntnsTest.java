package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.Outcome;
import static unboxed.LabHarness.cli;
import static unboxed.LabHarness.sh;
import static unboxed.LabHarness.shAny;
import static unboxed.LabHarness.succeeds;
import static unboxed.LabSession.fail;
import static unboxed.LabSession.passes;
import static unboxed.LabSession.row;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.lab.Lab;
import unboxed.ns.MountNs;
import unboxed.ns.Mounts;
import unboxed.ns.Processes;

/**
 * lab02's own behaviour, as root on this kernel: a process of the learner's found by scanning /proc, propagation on a
 * host made shared like systemd's, and a reset that ends only the learner's processes and puts /mnt back as it was.
 */
class Lab02MntnsTest {
    static final Lab LAB = LabHarness.lab("Lab02Mntns");
    static final String TARGET = "/mnt/lab02";
    @RegisterExtension
    static final LabSession S = new LabSession(LAB).alsoUnchanged("/mnt", Lab02MntnsTest::mntListing).afterReset(() ->
        assertTrue(MountNs.withOwnMountOn(TARGET).isEmpty(), "a process with its own mount on /mnt/lab02 survived reset"));
    /** The issue's manual solution, word for word (the lab's reference solution; bg() adds its `&`). */
    static final String MANUAL =
        "unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /mnt/lab02 && echo hi > /mnt/lab02/secret && exec sleep infinity'";

    /** /mnt as ls shows it (names, types, modes), and what the host has mounted below it. */
    static String mntListing() {
        return shAny("ls -la --time-style=+ /mnt 2>&1 | awk '{print $1, $NF}'; ls -la /mnt/lab02 2>&1 | wc -l").out()
            + Mounts.ofHost().stream().filter(m -> m.mountPoint().startsWith("/mnt")).map(m -> m.mountPoint() + " "
                + MountNs.propagation(m)).toList() + " / " + MountNs.propagation(MountNs.holding(Mounts.ofHost(), TARGET));
    }

    /** A learner's `COMMAND &`, detached from us; then waits (up to 5 s) until that process has a mount on /mnt/lab02. */
    static String bg(String command) {
        return command + " </dev/null >/dev/null 2>&1 &\n"
            + "for i in $(seq 250); do grep -qs ' /mnt/lab02 ' /proc/$!/mountinfo && break; sleep 0.02; done\n";
    }

    static void background(String command, boolean expectOwnMount) {
        sh(expectOwnMount ? bg(command) : command + " </dev/null >/dev/null 2>&1 &");
    }

    @TestFactory
    Stream<DynamicTest> freshState() {
        return S.rows(row("fresh state", "", fail("process", Files.exists(Path.of(TARGET)) ? "no process outside" : "no directory /mnt/lab02"),
            fail("host-clean"), fail("private"), fail("secret")));
    }

    @TestFactory
    Stream<DynamicTest> afterPrepare() {
        String plainUnshare = // an earlier, failed attempt stays around: the check must still find the good one; and
            // unshare(1) makes / private by default
            bg("unshare -m sh -c 'mount -t ramfs ramfs /mnt/lab02 && exec sleep infinity'")
                + bg("unshare -m sh -c 'mount -t tmpfs tmpfs /mnt/lab02 && exec sleep infinity'");
        return S.rowsAfter("prepare",
            row("plain unshare, no secret yet", plainUnshare, fail("secret", "has no file secret")),
            // the secret goes in afterwards, through nsenter ($! is the tmpfs one)
            passes("plain unshare, the secret written with nsenter", plainUnshare + "nsenter -t $! -m sh -c 'echo hi > /mnt/lab02/secret'"),
            row("mounted on the host", "mount -t tmpfs tmpfs /mnt/lab02 && echo hi > /mnt/lab02/secret",
                fail("process", "in the host's own mount namespace"), fail("host-clean", "mounted in the host's own namespace"),
                fail("private"), fail("secret")),
            row("no secret", bg("unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /mnt/lab02 && exec sleep infinity'"),
                fail("secret", "has no file secret")),
            // the mount leaked: the host now has its peer, so both propagation criteria fail, and only they
            row("shared propagation", bg(MANUAL.replace("--propagation private", "--propagation shared")),
                fail("private", "is in its peer group"), fail("host-clean", "propagated out of pid")),
            row("not a tmpfs", bg(MANUAL.replace("-t tmpfs tmpfs", "-t ramfs ramfs")),
                fail("process", "has a ramfs on /mnt/lab02, not a tmpfs")),
            passes("unshare -m with its default propagation (private)", bg(MANUAL.replace(" --propagation private", ""))),
            // runc's way: / recursively slave; the host's mounts would come in, nothing goes out
            passes("--propagation slave, as runc makes /", bg(MANUAL.replace("--propagation private", "--propagation slave"))),
            passes("mount --make-rprivate / inside, propagation otherwise unchanged", bg(MANUAL.replace(
                "--propagation private sh -c '", "--propagation unchanged sh -c 'mount --make-rprivate / && "))),
            passes("mount --make-rslave / inside", bg(MANUAL.replace(
                "--propagation private sh -c '", "--propagation unchanged sh -c 'mount --make-rslave / && "))),
            passes("a sleeping unshare, the tmpfs and the secret put in with nsenter", """
                unshare -m sleep infinity </dev/null >/dev/null 2>&1 &
                for i in $(seq 250); do [ "$(readlink /proc/$!/ns/mnt)" != "$(readlink /proc/$$/ns/mnt)" ] && break; sleep 0.02; done
                nsenter -t $! -m mount -t tmpfs tmpfs /mnt/lab02
                nsenter -t $! -m sh -c 'echo hi > /mnt/lab02/secret'
                """),
            passes("unshare --fork: the namespace held by unshare and its child", bg(MANUAL.replace("unshare -m", "unshare -m --fork"))),
            // the secret written on the host's directory, before the namespace mounted over it: hidden under the tmpfs
            row("the secret written before the mount", "echo hi > /mnt/lab02/secret\n"
                + bg("unshare -m sh -c 'mount -t tmpfs tmpfs /mnt/lab02 && exec sleep infinity'"),
                fail("secret", "has no file secret")),
            row("the secret written on the host after the mount", bg("unshare -m sh -c 'mount -t tmpfs tmpfs /mnt/lab02 && exec sleep infinity'")
                + "echo hi > /mnt/lab02/secret\n", fail("secret", "has no file secret")),
            // the raw system call's behaviour: the namespace's mounts stay peers of the host's, and the tmpfs leaks
            row("--propagation unchanged", bg(MANUAL.replace("--propagation private", "--propagation unchanged")),
                fail("private", "is in its peer group"), fail("host-clean", "propagated out of pid")));
    }

    @Test
    void prepareMakesTheEmptyDirectoryAndAHostSharedLikeSystemd() throws Exception {
        succeeds(LAB, "prepare");
        assertTrue(Files.isDirectory(Path.of(TARGET)));
        try (var s = Files.list(Path.of(TARGET))) {
            assertEquals(0, s.count());
        }
        assertFalse(Mounts.isMountPoint(TARGET), "the host must have no mount on /mnt/lab02");
        assertTrue(MountNs.holding(Mounts.ofHost(), TARGET).shared(), "the mount holding /mnt/lab02 is shared, as under systemd");
        succeeds(LAB, "prepare"); // twice is harmless
        var r = LabHarness.checkById(LAB);
        LabHarness.assertVerdicts(r, List.of("process", "host-clean", "private", "secret"));
        LabHarness.assertReason(r, "process", "no process outside the host's mount namespace has a mount on /mnt/lab02");
    }

    /** Beyond the contract's solve: a second solve is a conflict, and from a JVM of its own the process outlives it. */
    @Test
    void solvedFromAnotherJvmTheProcessOutlivesItAndASecondSolveRefuses() throws Exception {
        LabHarness.succeedsInOwnJvm(LAB, "solve");
        List<MountNs.Holder> h = MountNs.withOwnMountOn(TARGET);
        assertEquals(1, h.size(), h.toString());
        assertEquals("sleep", Processes.comm(h.get(0).pid()).orElse("?"));
        LabHarness.assertAllPass(LabHarness.checkById(LAB));
        assertEquals(4, cli(LAB, "solve").exit(), "a second solve is a conflict");
    }

    @Test
    void resetEndsOnlyTheLearnersProcesses() throws Exception {
        succeeds(LAB, "prepare");
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
            succeeds(LAB, "prepare");
            background(MANUAL, true);
            LabHarness.assertAllPass(LabHarness.checkById(LAB));
            // what the secret criterion read: the file, through the learner's process
            long pid = MountNs.withOwnMountOn(TARGET).get(0).pid();
            assertEquals("hi\n", Files.readString(Path.of("/proc/" + pid + "/root/mnt/lab02/secret")));
            succeeds(LAB, "reset");
            assertEquals("mine\n", Files.readString(Path.of(TARGET, "keep")));
            assertEquals("drwx------", sh("stat -c %A /mnt/lab02").strip());
        } finally {
            sh("rm -rf /mnt/lab02");
        }
    }

    @Test
    void aSecondRunKeepsTheLearnersWorkInProgress() {
        succeeds(LAB, "prepare");
        background(MANUAL, true);
        succeeds(LAB, "run");
        LabHarness.assertAllPass(LabHarness.checkById(LAB));
    }

    @Test
    void runWalksEveryStepAndLeavesOnlyTheExerciseBehind() {
        String out = succeeds(LAB, "run").out();
        assertTrue(out.contains("Step 7/7") && out.contains("mnt:["), out);
        assertTrue(out.contains("EINVAL"), "setns on a plain thread: " + out);
        assertTrue(out.contains("/etc/hostname, main thread"), out);
        assertTrue(out.matches("(?s).*/etc/hostname, thread \\d+ +rootfs.*"), out);
        assertTrue(out.matches("(?s).*leak, host +tmpfs, shared:\\d+.*"), "the leak: " + out);
        assertTrue(out.matches("(?s).*kept, host +no mount.*"), out);
        assertTrue(out.matches("(?s).*[^a-z]in, thread \\d+ +tmpfs, master:\\d+.*"), "the slave receives: " + out);
        assertTrue(out.matches("(?s).*/var/lib/unboxed/lab02/shared +shared:\\d+ \\(peers on the host: 0.*"), out);
        assertTrue(out.contains("Read-only file system") && out.contains("written inside"), out);
        // the demo is gone when run ends; the exercise's starting point is there
        assertFalse(Files.exists(Path.of("/var/lib/unboxed/lab02")));
        assertTrue(Files.isDirectory(Path.of(TARGET)));
        assertFalse(Mounts.isMountPoint(TARGET));
        assertEquals(1, cli(LAB, "check").exit());
    }

    @Test
    void runWithStepStopsThereAndResetRemovesWhatItMade() throws Exception {
        // in a JVM of its own, as a learner runs it: the thread that made the namespace ends with it
        String out = LabHarness.succeedsInOwnJvm(LAB, "run", "--step", "3");
        assertTrue(out.contains("Stopped after step 3"), out);
        assertFalse(Processes.tagged("UNBOXED_TAG", "lab02").isEmpty(), "the namespace's sleep is still there");
        assertTrue(Files.isDirectory(Path.of("/var/lib/unboxed/lab02/rootfs")));
    }

    @Tag("slow") // SIGKILLs of run at several steps: with CrashCycleTest in the full suite, out of the -Pfast loop
    @ParameterizedTest
    @ValueSource(strings = {"2|Notice", "6|Notice", "7|lives on the mount"})
    void sigkillDuringRunThenResetLeavesNothing(String killAt) throws Exception {
        int step = Integer.parseInt(killAt.split("\\|")[0]);
        LabHarness.sigkillAtStep(LAB, step, killAt.split("\\|")[1]);
        if (step == 2) assertFalse(Processes.tagged("UNBOXED_TAG", "lab02").isEmpty(), "the kill left the sleep");
        if (step == 6) assertTrue(Mounts.isMountPoint("/var/lib/unboxed/lab02/shared/leak"), "the kill left the leak on the host");
        if (step == 7) assertTrue(Files.isDirectory(Path.of(TARGET)));
    }
}
