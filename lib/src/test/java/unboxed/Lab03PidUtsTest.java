package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.cli;
import static unboxed.LabHarness.sh;
import static unboxed.LabHarness.shAny;
import static unboxed.LabHarness.succeeds;
import static unboxed.LabSession.fail;
import static unboxed.LabSession.passes;
import static unboxed.LabSession.row;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
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
import unboxed.ns.Processes;
import unboxed.ns.Uts;
import unboxed.sys.Wait;

/** lab03's own behaviour, as root on this kernel. The host's hostname is compared before, during and after. */
class Lab03PidUtsTest {
    static final Lab LAB = LabHarness.lab("Lab03PidUts");
    /** Trees a test starts that reset must not touch; the session ends them itself, by this tag. */
    static final String OTHERS = "lab03-test-other";
    @RegisterExtension
    static final LabSession S = new LabSession(LAB).alsoUnchanged("the host's hostname", Processes::hostname)
        .tidy(() -> Processes.killTagged(OTHERS)).settleWithin(10).afterReset(() -> {
            assertTrue(Processes.tagged("UNBOXED_TAG", "lab03").isEmpty(), "lab03's processes are gone");
            assertTrue(Uts.foreign().stream().noneMatch(g -> g.hostname().startsWith("lab03")), "no lab03 tree is left");
        });
    /** The contract's manual solution, with the articles' commands (the lab's reference solution). */
    static final String MANUAL =
        "unshare -p -u -m -f --mount-proc sh -c 'hostname lab03-box; sleep infinity & exec sleep infinity' >/dev/null 2>&1 &";

    @BeforeAll
    static void toolsArePresent() {
        LabHarness.assertToolsPresent("unshare", "nsenter", "ps", "setpriv");
    }

    /** A tree in a uts namespace called {@code name} with at least {@code count} processes (background commands). */
    static BooleanSupplier tree(String name, int count) {
        return () -> Uts.foreign().stream().anyMatch(g -> g.hostname().equals(name) && g.pids().size() >= count);
    }

    /** Starts a tree in the background, then waits until the processes named `name` in it number at least `count`. */
    static void start(String command, String name, int count) {
        sh(command);
        assertTrue(Wait.until(Duration.ofSeconds(5), tree(name, count)), "no " + count + " processes named " + name + " within 5 s after: " + command);
    }

    @TestFactory
    Stream<DynamicTest> statesAndVerdicts() {
        return S.rows(
            row("fresh state", "", fail("hostname", "no process"), fail("pid-ns", "lab03-box"), fail("pid1"), fail("others"),
                fail("proc")),
            // the other order: the namespaces first, the name given afterwards from outside, to PID 1 ($! is unshare)
            passes("a tree built step by step, named with nsenter", """
                unshare -p -u -m -f --mount-proc sh -c 'sleep infinity & exec sleep infinity' >/dev/null 2>&1 &
                for i in $(seq 250); do init=$(pgrep -n -f '^sleep infinity' -P $!) && break; sleep 0.02; done
                nsenter -t "$init" -u hostname lab03-box
                """).when(tree("lab03-box", 3)),
            // the same tree, typed the ways learners type it
            passes("long options in another order", "unshare --uts --mount-proc --fork --pid sh -c 'hostname lab03-box; "
                + "sleep infinity & exec sleep infinity' >/dev/null 2>&1 &").when(tree("lab03-box", 3)),
            passes("short options combined, /proc mounted by hand inside", "unshare -fpmu sh -c 'hostname lab03-box; "
                + "mount -t proc proc /proc; sleep infinity & exec sleep infinity' >/dev/null 2>&1 &").when(tree("lab03-box", 3)),
            passes("PID 1 is bash, waiting for its child", "unshare -fpmu --mount-proc bash -c 'hostname lab03-box; "
                + "sleep infinity & wait' >/dev/null 2>&1 &").when(tree("lab03-box", 3)),
            passes("a tini-like PID 1: traps TERM, reaps in a loop", "unshare -fpmu --mount-proc sh -c 'trap \"exit 0\" TERM; "
                + "hostname lab03-box; sleep infinity & while :; do sleep 1 & wait $!; done' >/dev/null 2>&1 &")
                .when(tree("lab03-box", 3)),
            passes("hostname written to /proc/sys/kernel/hostname", "unshare -fpmu --mount-proc sh -c 'echo lab03-box "
                + ">/proc/sys/kernel/hostname; sleep infinity & exec sleep infinity' >/dev/null 2>&1 &").when(tree("lab03-box", 3)),
            // the uts namespace made by PID 1 itself: an unshare -u without --fork execs into the named PID 1
            passes("the uts namespace made inside, by PID 1", "unshare -fpm --mount-proc unshare -u sh -c 'hostname lab03-box; "
                + "sleep infinity & exec sleep infinity' >/dev/null 2>&1 &").when(tree("lab03-box", 2)),
            // ... or made first, around the unshare that makes the pid namespace
            passes("the uts namespace made outside, around the pid namespace", "unshare -u sh -c 'hostname lab03-box; exec "
                + "unshare -fpm --mount-proc sh -c \"sleep infinity & exec sleep infinity\"' >/dev/null 2>&1 &")
                .when(tree("lab03-box", 3)),
            // a lone PID 1 first; the name and the second process come afterwards, with nsenter
            passes("PID 1 alone, then a second process joined with nsenter", """
                unshare -fpmu --mount-proc sleep infinity >/dev/null 2>&1 &
                for i in $(seq 250); do init=$(pgrep -P $! -x sleep) && break; sleep 0.02; done
                nsenter -t "$init" -u hostname lab03-box
                nsenter -t "$init" -p -m -u sleep infinity >/dev/null 2>&1 &
                """).when(tree("lab03-box", 4)),
            // without --fork, unshare's program stays outside and its first child is PID 1: here the hostname command,
            // which exits, and the namespace with it: the next fork fails ("Cannot fork") and nothing is left
            row("no --fork", "unshare -pmu --mount-proc sh -c 'hostname lab03-box; sleep infinity & exec sleep infinity' "
                + ">/dev/null 2>&1 || true", fail("hostname", "no process"), fail("pid-ns"), fail("pid1"), fail("others"),
                fail("proc")),
            // ... and with a builtin naming it, the background sleep is a lone PID 1, while the /proc that unshare
            // mounted from outside the new pid namespace is the host's
            row("no --fork, named by a builtin", "unshare -pmu --mount-proc sh -c 'echo lab03-box >/proc/sys/kernel/hostname; "
                + "sleep infinity & exec sleep infinity' >/dev/null 2>&1 &", fail("others", "alone in its pid namespace"),
                fail("proc", "belongs to another pid namespace")).when(tree("lab03-box", 2)),
            row("the tree was not left running", "unshare -fpmu --mount-proc sh -c 'hostname lab03-box; ps -e' >/dev/null 2>&1",
                fail("hostname", "no process"), fail("pid-ns"), fail("pid1"), fail("others"), fail("proc")),
            row("--mount-proc without --pid", "unshare -fmu --mount-proc sh -c 'hostname lab03-box; sleep infinity & exec sleep "
                + "infinity' >/dev/null 2>&1 &", fail("pid-ns", "all in the host's pid namespace"), fail("pid1"), fail("others"),
                fail("proc")).when(tree("lab03-box", 2)),
            row("no pid namespace", "unshare -u -m sh -c 'hostname lab03-box; sleep infinity & exec sleep infinity' >/dev/null 2>&1 &",
                fail("pid-ns", "all in the host's pid namespace"), fail("pid1"), fail("others"), fail("proc"))
                .when(tree("lab03-box", 2)),
            row("no /proc of its own", MANUAL.replace(" --mount-proc", ""), fail("proc", "belongs to another pid namespace"))
                .when(tree("lab03-box", 3)),
            row("no mount namespace", MANUAL.replace(" -m", "").replace(" --mount-proc", ""),
                fail("proc", "shares the host's mount namespace")).when(tree("lab03-box", 3)),
            row("wrong hostname", MANUAL.replace("hostname lab03-box", "hostname lab03box"), fail("hostname", "named lab03box"),
                fail("pid-ns"), fail("pid1"), fail("others"), fail("proc")).when(tree("lab03box", 3)),
            row("PID 1 alone", MANUAL.replace("sleep infinity & exec ", "exec "), fail("others", "alone in its pid namespace"))
                .when(tree("lab03-box", 2)),
            // PID 1 keeps the host's name; only a child in a uts namespace of its own is called lab03-box
            row("PID 1 in another uts namespace", "unshare -p -m -f --mount-proc sh -c 'unshare -u sh -c \"hostname lab03-box; "
                + "exec sleep infinity\" & exec sleep infinity' >/dev/null 2>&1 &",
                fail("pid1", "which is in another uts namespace"), fail("others"), fail("proc")).when(tree("lab03-box", 1)));
    }

    /** Beyond the contract's solve: the host keeps its name, and solve refuses a second tree rather than make two. */
    @Test
    void solveLeavesTheHostsNameAndASecondSolveRefuses() {
        succeeds(LAB, "solve");
        assertEquals(S.alsoBefore(), Processes.hostname());
        assertEquals(4, cli(LAB, "solve").exit());
    }

    /**
     * The host's name is compared with its name before the lab, whatever that is. The "host" here is a private uts
     * namespace made for this test (the lab treats its JVM's as the host's), so the machine's own name never changes:
     * the mistake is `hostname NAME` without -u.
     */
    @Test
    void theHostsNameIsComparedWithItsNameBeforeTheLab() throws Exception {
        String java = "java --enable-native-access=ALL-UNNAMED -Dunboxed.progress=" + LabHarness.PROGRESS
            + " -cp " + System.getProperty("java.class.path") + " Lab03PidUts";
        // a machine that really is called lab03-something: the first check notes that name, and passes
        var r = shAny("unshare -u bash -c '" + java + " reset --no-color >/dev/null; hostname lab03-vm; "
            + java + " check --json host-hostname >/dev/null; echo \"first=$?\"; "
            + "hostname other-name; " + java + " check --json host-hostname; echo \"renamed=$?\"; "
            + java + " reset --no-color; echo \"after: $(hostname)\"'");
        assertTrue(r.out().contains("first=0"), r.out() + r.err());
        assertTrue(r.out().contains("the host itself is now called other-name, and was called lab03-vm"), r.out() + r.err());
        assertTrue(r.out().contains("renamed=1"), r.out());
        assertTrue(r.out().contains("back to lab03-vm") && r.out().contains("after: lab03-vm"), r.out());
        // the classic mistake typed before any lab command: the lab's own name is never noted as the machine's
        String etc = Files.readString(Path.of("/etc/hostname")).strip();
        r = shAny("unshare -u bash -c '" + java + " reset --no-color >/dev/null; hostname lab03-box; "
            + java + " check --json host-hostname; echo \"exit=$?\"; " + java + " reset --no-color; echo \"after: $(hostname)\"'");
        assertTrue(r.out().contains("the host itself is now called lab03-box, and was called " + etc), r.out() + r.err());
        assertTrue(r.out().contains("exit=1"), r.out());
        assertTrue(r.out().contains("after: " + etc), r.out());
        assertEquals(S.alsoBefore(), Processes.hostname());
    }

    @Test
    void resetEndsOnlyTheLabsTrees() throws Exception {
        start(MANUAL, "lab03-box", 3);
        // what the check sees, as the learner would look: PID 1 inside, a second process, and a /proc of its own
        String init = sh("pgrep -n -f '^sleep infinity' -P \"$(pgrep -n -x unshare)\"").strip();
        assertTrue(sh("grep NSpid /proc/" + init + "/status").strip().endsWith("\t1"));
        assertEquals("lab03-box", sh("nsenter -t " + init + " -u hostname").strip());
        String ps = sh("nsenter -t " + init + " -p -m ps -e -o pid=,comm=");
        List<String> lines = ps.strip().lines().map(String::strip).toList();
        assertEquals(3, lines.size(), ps); // PID 1, the second sleep, and ps itself: nothing of the host
        assertTrue(lines.get(0).matches("1\\s+sleep"), ps);
        // someone else's tree, in namespaces of its own too: reset must leave it alone
        start("UNBOXED_TAG=" + OTHERS + " unshare -p -u -m -f --mount-proc sh -c 'hostname other-box; exec sleep infinity'"
            + " >/dev/null 2>&1 &", "other-box", 2);
        String out = succeeds(LAB, "reset").out();
        assertTrue(out.contains("processes named lab03-"), out);
        assertTrue(Uts.foreign().stream().noneMatch(g -> g.hostname().equals("lab03-box")));
        assertTrue(Uts.foreign().stream().anyMatch(g -> g.hostname().equals("other-box")), "someone else's tree survives");
    }

    @Test
    void runWalksEveryStepForRealAndLeavesNothingBehind() {
        String out = succeeds(LAB, "run").out();
        for (String line : List.of("Step 10/10", "hostname, as its child prints it   lab03-demo", "new bash:  [root@lab03-prompt]",
            "bash: fork: Cannot allocate memory", "the first child says its pid is    1", "OutOfMemoryError",
            "error=12, Cannot allocate memory", "Z    [sleep] <defunct>", "zombies under the demo's PID 1     3",
            "zombies under this PID 1           0", "hostname of the host (main thread) " + S.alsoBefore(),
            "SigCgt (signals it catches)        0000000000000000 (none)", "the TERM was dropped", "killed by signal 9",
            "PID 1 got TERM", "exited, status 0")) {
            assertTrue(out.contains(line), line + " in:\n" + out);
        }
        assertTrue(out.matches("(?s).*its sleep \\(host pid \\d+\\), NSpid\\s+\\d+ \\d+ 1\n.*"), out);
        // the demo is gone when run ends: the learner starts the exercise from a clean host
        assertTrue(Processes.tagged("UNBOXED_TAG", "lab03").isEmpty());
        assertEquals(S.alsoBefore(), Processes.hostname());
    }

    @Test
    void runWithStepStopsThereAndResetRemovesWhatItMade() {
        succeeds(LAB, "run", "--step", "7");
        assertFalse(Processes.tagged("UNBOXED_TAG", "lab03").isEmpty(), "the demo's PID 1 is still there");
        assertTrue(Uts.foreign().stream().anyMatch(g -> g.hostname().equals("lab03-demo")));
    }

    @Tag("slow") // SIGKILLs of run at several steps: with CrashCycleTest in the full suite, out of the -Pfast loop
    @ParameterizedTest
    @ValueSource(ints = {3, 6, 7, 8, 9, 10})
    void sigkillDuringRunThenResetLeavesNothing(int step) throws Exception {
        Process p = LabHarness.runPausedInStep(LAB, step, "Notice");
        assertEquals(S.alsoBefore(), Processes.hostname(), "the demo renamed the host");
        if (step >= 6) assertFalse(Processes.tagged("UNBOXED_TAG", "lab03").isEmpty(), "the kill left the demo's PID 1");
        LabHarness.sigkill(p);
    }
}
