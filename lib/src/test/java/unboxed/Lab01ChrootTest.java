package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.Outcome;
import static unboxed.LabHarness.cli;
import static unboxed.LabHarness.sh;
import static unboxed.LabHarness.shAny;
import static unboxed.LabHarness.succeeds;
import static unboxed.ns.Mounts.isMountPoint;
import static unboxed.LabSession.fail;
import static unboxed.LabSession.passes;
import static unboxed.LabSession.row;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.lab.Lab;
import unboxed.lab.Step;
import unboxed.ns.Rootfs;
import unboxed.sys.Cmd;

/** lab01's own behaviour, as root on this kernel (what every lab promises is in LabContractTest). */
class Lab01ChrootTest {
    static final Lab LAB = LabHarness.lab("Lab01Chroot");
    static final String WORK = "/var/lib/unboxed/lab01", MYROOT = WORK + "/myroot", DEMO_ROOT = WORK + "/demo-root";
    @RegisterExtension
    static final LabSession S = new LabSession(LAB).afterReset(() -> {
        assertFalse(Files.exists(Path.of(WORK)), "reset removes the work folder");
        assertTrue(Files.isExecutable(Path.of("/usr/bin/ls")), "the host's /usr must survive any reset");
    });
    /** The articles' way (the lab's reference solution): mkdir, then cp each program and each library ldd names. */
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

    @BeforeAll
    static void toolsArePresent() {
        assertTrue(Cmd.has("gcc"), "step 7's escape.c needs a C compiler: sudo apt-get install gcc libc6-dev");
        assertTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static: sudo apt-get install busybox-static");
    }

    @TestFactory
    Stream<DynamicTest> statesAndVerdicts() {
        String noRoot = "there is no " + MYROOT;
        return S.rows(
            row("fresh state", "", fail("dir", MYROOT + " does not exist"),
                fail("shell", noRoot), fail("ls", noRoot), fail("own-files", noRoot), fail("no-proc", noRoot)),
            passes("the articles' commands, with ps and /proc", ARTICLES),
            passes("busybox and its links", """
                mkdir -p /var/lib/unboxed/lab01/myroot/bin
                cp /bin/busybox /var/lib/unboxed/lab01/myroot/bin/
                chroot /var/lib/unboxed/lab01/myroot /bin/busybox --install -s /bin
                """),
            passes("a statically linked bash as /bin/sh (no libraries), ls with its own", """
                mkdir -p /var/lib/unboxed/lab01/myroot/bin
                cp /bin/bash-static /var/lib/unboxed/lab01/myroot/bin/sh
                cd /var/lib/unboxed/lab01/myroot && cp --parents /bin/ls $(ldd /bin/ls | grep -o '/[^ ]*') .
                """),
            passes("install -D, each file at its path", """
                for p in /bin/sh /bin/ls; do
                  for f in $p $(ldd $p | grep -o '/[^ ]*'); do install -D "$f" "/var/lib/unboxed/lab01/myroot$f"; done
                done
                """),
            passes("cp -L into folders made first", """
                mkdir -p /var/lib/unboxed/lab01/myroot/bin
                cp -L /bin/sh /bin/ls /var/lib/unboxed/lab01/myroot/bin/
                for f in $(ldd /bin/sh | grep -o '/[^ ]*') $(ldd /bin/ls | grep -o '/[^ ]*'); do
                  mkdir -p "/var/lib/unboxed/lab01/myroot$(dirname "$f")" && cp -L "$f" "/var/lib/unboxed/lab01/myroot$f"
                done
                """),
            // the layout of a usr-merged Debian or debootstrap tree: /bin, /lib, /lib64 are symlinks into /usr
            passes("a usr-merged root: bin -> usr/bin, lib -> usr/lib, lib64 -> usr/lib64", """
                mkdir -p /var/lib/unboxed/lab01/myroot/usr/bin /var/lib/unboxed/lab01/myroot/usr/lib/x86_64-linux-gnu /var/lib/unboxed/lab01/myroot/usr/lib64
                cd /var/lib/unboxed/lab01/myroot && ln -s usr/bin bin && ln -s usr/lib lib && ln -s usr/lib64 lib64
                for p in /bin/sh /bin/ls; do for f in $p $(ldd $p | grep -o '/[^ ]*'); do cp -L "$f" ".$f"; done; done
                """),
            // what a runtime does before pivot_root: nothing from outside, only myroot shown at its own place
            passes("myroot bind-mounted on itself", MANUAL + "mount --bind " + MYROOT + " " + MYROOT + "\n"),
            row("ls copied without its libraries", MANUAL.replace("/bin/sh /bin/ls", "/bin/sh") + "cp /bin/ls " + MYROOT + "/bin/\n",
                fail("ls", "ls / failed inside myroot", "libselinux.so.1")),
            row("a bind mount of the host's /bin over a copied one", MANUAL + "mount --bind /bin " + MYROOT + "/bin\n",
                fail("own-files", "myroot/bin is a mount of")),
            row("/proc left mounted", MANUAL + "mkdir -p proc && mount -t proc proc " + MYROOT + "/proc\n"
                + "chroot " + MYROOT + " /bin/sh -c 'ls /proc' >/dev/null", fail("no-proc", MYROOT + "/proc is still mounted")),
            row("a shell without its libraries", "mkdir -p " + MYROOT + "/bin && cp /bin/sh /bin/ls " + MYROOT + "/bin/",
                fail("shell", "/bin/sh is there but cannot start: it needs", "libc.so.6"), fail("ls")),
            // works only thanks to the host's /usr: the root holds symlinks into a bind mount
            row("a bind mount of /usr", "mkdir -p " + MYROOT + "/usr && mount --bind /usr " + MYROOT + "/usr && cd " + MYROOT
                + " && ln -s usr/bin bin && ln -s usr/lib lib && ln -s usr/lib64 lib64", fail("own-files", "myroot/usr is a mount of /usr")),
            row("a bind mount of /", "mkdir -p " + MYROOT + " && mount --bind / " + MYROOT,
                fail("own-files", "myroot itself is a mount of /")),
            row("no ls", MANUAL.replace("/bin/sh /bin/ls", "/bin/sh"), fail("ls", "ls: not found")),
            row("a symlink to the host's /", "mkdir -p " + WORK + " && ln -s / " + MYROOT, fail("dir", "is a symlink to /")));
    }

    /** Beyond the contract's solve: what solve shows, and that a second one refuses. */
    @Test
    void solveShowsTheCopyCommandAndASecondSolveRefuses() {
        String out = succeeds(LAB, "solve").out();
        assertTrue(out.contains("$ cp --parents /bin/sh $(ldd /bin/sh"), out);
        assertEquals(4, cli(LAB, "solve").exit(), "a second solve refuses: myroot exists");
    }

    @Test
    void runWalksEveryStepEscapesThePlainChrootButNotThePivotedRoot() {
        String out = succeeds(LAB, "run").out();
        assertTrue(out.contains("Step 8/8") && out.contains("ls: not found"), out);
        assertTrue(out.matches("(?s).*/ seen by thread \\d+ +bin lib lib64\n.*"), out);
        // the two verdicts of the escape, step 7 then step 8
        int plain = out.indexOf(shown("reached the host's /", "yes")), pivoted = out.indexOf(shown("reached the host's /", "no"));
        assertTrue(plain > 0 && pivoted > plain, out);
        assertTrue(out.contains("mount -t proc proc /var/lib/unboxed/lab01/demo-root/proc"), out);
        assertTrue(out.contains(shown("in the host's mountinfo now", "gone")), out);
        // the demo is gone when run ends; the work folder waits for the learner's myroot
        assertFalse(Files.exists(Path.of(DEMO_ROOT)) || Files.exists(Path.of(WORK, "tiny")) || isMountPoint(DEMO_ROOT + "/proc"));
        // the rootfs cache is not a lab object: it stays after reset, ready for the next run
        succeeds(LAB, "reset");
        assertTrue(Rootfs.isReady(Rootfs.CACHE));
        Outcome again = succeeds(LAB, "run", "--step", "4");
        assertFalse(again.out().contains("Building the rootfs cache"), again.out());
    }

    /** A fact as Bench.show prints it. */
    static String shown(String label, String value) {
        return String.format("%-34s %s", label, value);
    }

    @Test
    void runWithStepStopsThereAndResetRemovesTheProcMount() {
        succeeds(LAB, "run", "--step", "5");
        assertTrue(isMountPoint(DEMO_ROOT + "/proc"), "step 5 leaves /proc mounted in the demo root");
    }

    @Tag("slow") // SIGKILLs of run at several steps: with CrashCycleTest in the full suite, out of the -Pfast loop
    @ParameterizedTest
    @ValueSource(ints = {2, 5, 7, 8})
    void sigkillDuringRunThenResetLeavesNothing(int step) throws Exception {
        LabHarness.sigkillAtStep(LAB, step);
        assertTrue(Files.exists(Path.of(WORK, "tiny")), "the kill left the tiny root");
        if (step == 5) assertTrue(isMountPoint(DEMO_ROOT + "/proc"), "the kill left /proc mounted");
    }

    @Test
    void sigkillDuringRunThenRunAgainReplaysTheJournalFirst() throws Exception {
        LabHarness.sigkillAtStep(LAB, 5);
        Outcome o = succeeds(LAB, "run", "--step", "1");
        assertTrue(o.out().contains("removing them first"), o.out());
        assertFalse(isMountPoint(DEMO_ROOT + "/proc") || Files.exists(Path.of(DEMO_ROOT)));
    }

    /** The steps' shell equivalents, run as a learner would paste them, do what the steps say. */
    @Test
    void theShellEquivalentsAreExact() throws Exception {
        List<Step> steps = LAB.steps;
        // step 7 writes escape.c itself (a here-document), as the learner types it
        Path dir = Files.createTempDirectory("lab01-shell");
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
        assertFalse(isMountPoint(DEMO_ROOT + "/proc"), "step 6 unmounts it");
        List<String> hostRoot = Stream.of(new File("/").list()).filter(n -> !n.startsWith(".")).sorted().toList();
        assertEquals(hostRoot, stdout[6].lines().sorted().toList(), "the escape lists the host's /: " + outputs[6]);
        assertTrue(stdout[7].contains("escape-hatch\n") && stdout[7].contains("linuxrc\n"), "after pivot_root: " + outputs[7]);
        assertFalse(stdout[7].contains("var\n") || stdout[7].contains("home\n"), "after pivot_root: " + outputs[7]);
        Cmd.run("rm", "-rf", dir.toString());
        // the session's end: reset removes the demo folders the commands made by hand
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
