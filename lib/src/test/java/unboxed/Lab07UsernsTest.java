package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.succeeds;
import static unboxed.LabSession.fail;
import static unboxed.LabSession.passes;
import static unboxed.LabSession.row;

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
import unboxed.lab.Learner;
import unboxed.ns.Ns;
import unboxed.ns.Processes;
import unboxed.ns.Uts;
import unboxed.sys.Cmd;

/**
 * lab07's own behaviour, as root on this kernel, with the exercise typed as the learner: the account the lab makes
 * where there is no sudo caller (prepare makes it, reset removes it). The host's hostname is compared before and after.
 */
class Lab07UsernsTest {
    static final Lab LAB = LabHarness.lab("Lab07Userns");
    static final String USER = "lab07-learner", ROOT_NETNS = "lab07-test-rootns";
    @RegisterExtension
    static final LabSession S = new LabSession(LAB).alsoUnchanged("the host's hostname", Processes::hostname)
        .tidy(() -> LabHarness.shAny("ip netns del " + ROOT_NETNS + " 2>/dev/null")).settleWithin(10).afterReset(() -> {
            assertTrue(Processes.tagged("UNBOXED_TAG", "lab07").isEmpty(), "lab07's processes are gone");
            assertTrue(Uts.foreign().stream().noneMatch(g -> g.hostname().startsWith("lab07")), "no lab07 process is left");
            assertFalse(Learner.exists(USER), "the learner's throwaway account is gone");
        });

    /** What the learner types, in their own shell: bash -c COMMAND as the account, from /tmp. */
    static String asLearner(String command) {
        return "runuser -u " + USER + " -- bash -c 'cd /tmp; " + command.replace("'", "'\\''") + "'";
    }

    static final String SOLUTION = "unshare -Urnu sh -c 'hostname lab07-rootless; ip link set lo up; exec sleep infinity' "
        + ">/dev/null 2>&1 &";

    @BeforeAll
    static void toolsArePresent() {
        LabHarness.assertToolsPresent("unshare", "nsenter", "setpriv", "runuser", "useradd", "newuidmap", "newgidmap");
    }

    static BooleanSupplier running(String hostname) {
        return () -> Uts.foreign().stream().anyMatch(g -> g.hostname().equals(hostname));
    }

    /** A process of the learner's in a user namespace of its own (hostname or not). */
    static BooleanSupplier inAUserNamespace() {
        return () -> Processes.inForeign(Ns.USER).stream().anyMatch(p -> Processes.comm(p).orElse("").equals("sleep"));
    }

    @TestFactory
    Stream<DynamicTest> statesAndVerdicts() {
        return S.rowsAfter("prepare",
            row("fresh state", "", fail("uid", "no process"), fail("userns"), fail("netns"), fail("lo")),
            passes("short options, typed by the learner", asLearner(SOLUTION)).when(running("lab07-rootless")),
            passes("long options in another order", asLearner("unshare --uts --net --map-root-user --user sh -c "
                + "'hostname lab07-rootless; ip link set dev lo up; exec sleep infinity' >/dev/null 2>&1 &"))
                .when(running("lab07-rootless")),
            // the maps written by hand from outside, then the name and lo given by joining with nsenter
            passes("maps by hand, then nsenter", asLearner("""
                unshare -Unu sleep infinity >/dev/null 2>&1 &
                sleep 0.5
                echo deny > /proc/$!/setgroups; echo "0 $(id -g) 1" > /proc/$!/gid_map; echo "0 $(id -u) 1" > /proc/$!/uid_map
                nsenter --preserve-credentials -t $! -U -n -u sh -c 'hostname lab07-rootless; ip link set lo up'
                """)).when(running("lab07-rootless")),
            passes("wider maps by newuidmap and newgidmap (setgroups stays allow)", asLearner("""
                unshare -Unu sleep infinity >/dev/null 2>&1 &
                sleep 0.5
                newuidmap $! 0 $(id -u) 1 1 $(grep "^$(id -un):" /etc/subuid | cut -d: -f2) 1000
                newgidmap $! 0 $(id -g) 1 1 $(grep "^$(id -un):" /etc/subgid | cut -d: -f2) 1000
                nsenter -t $! -U -n -u sh -c 'hostname lab07-rootless; ip link set lo up'
                """)).when(running("lab07-rootless")),
            row("root, without a user namespace", "unshare -nu sh -c 'hostname lab07-rootless; ip link set lo up; "
                + "exec sleep infinity' >/dev/null 2>&1 &", fail("uid", "runs as uid 0"), fail("userns", "the host's user namespace"),
                fail("netns", "no user namespace of its own")).when(running("lab07-rootless")),
            row("a user namespace without a map", asLearner("unshare -Unu sh -c 'hostname lab07-rootless; ip link set lo up; "
                + "exec sleep infinity' >/dev/null 2>&1 &"), fail("uid", "empty uid_map", "65534"), fail("userns"), fail("netns"),
                fail("lo")).when(inAUserNamespace()),
            row("lo left down", asLearner("unshare -Urnu sh -c 'hostname lab07-rootless; exec sleep infinity' >/dev/null 2>&1 &"),
                fail("lo", "lo is DOWN")).when(running("lab07-rootless")),
            row("no network namespace", asLearner("unshare -Uru sh -c 'hostname lab07-rootless; exec sleep infinity' >/dev/null 2>&1 &"),
                fail("netns", "shares the host's network namespace"), fail("lo")).when(running("lab07-rootless")),
            // root made the network namespace first: it belongs to the initial user namespace, not the learner's
            row("the network namespace made by root first", "ip netns add " + ROOT_NETNS + "; ip -n " + ROOT_NETNS
                + " link set lo up; ip netns exec " + ROOT_NETNS + " " + asLearner("unshare -Uru sh -c 'hostname lab07-rootless; "
                + "exec sleep infinity' >/dev/null 2>&1 &"), fail("netns", "the host's: root made it")).when(running("lab07-rootless")),
            row("wrong hostname", asLearner(SOLUTION.replace("lab07-rootless", "lab07rootless")), fail("uid", "no process"),
                fail("userns"), fail("netns"), fail("lo")).when(running("lab07rootless")));
    }

    /** The host's name is compared with its name before the lab, in a private uts namespace that plays the host. */
    @Test
    void aRenamedHostFailsAndResetNamesItBack() {
        String java = "java --enable-native-access=ALL-UNNAMED -Dunboxed.progress=" + LabHarness.PROGRESS
            + " -cp " + System.getProperty("java.class.path") + " Lab07Userns";
        var r = LabHarness.shAny("unshare -u bash -c '" + java + " check --json host-hostname >/dev/null; hostname lab07-rootless; "
            + java + " check --json host-hostname; echo \"renamed=$?\"; " + java + " reset --no-color; echo \"after: $(hostname)\"'");
        assertTrue(r.out().contains("the host itself is now called lab07-rootless"), r.out() + r.err());
        assertTrue(r.out().contains("renamed=1"), r.out());
        assertTrue(r.out().contains("after: " + S.alsoBefore()), r.out());
    }

    @Test
    void runWalksEveryStepForRealAndLeavesNothingBehind() {
        String out = succeeds(LAB, "run").out();
        for (String line : List.of("Step 8/8", "Invalid argument", "gid_map refused", "deny", "CapEff:\t000001",
            "LOOPBACK,UP", "RTNETLINK answers: Operation not permitted", "65534:65534 /etc/hostname", "/etc/subuid for lab07-learner")) {
            assertTrue(out.contains(line), line + " in:\n" + out);
        }
        assertTrue(Processes.tagged("UNBOXED_TAG", "lab07").isEmpty(), "the demo's processes are gone");
        assertEquals(S.alsoBefore(), Processes.hostname());
    }

    /** A sudo caller's own account is the learner's: the lab makes no account, and reset leaves theirs alone. */
    @Test
    void theSudoCallersAccountIsUsedAndKept() throws Exception {
        String caller = "ubx" + Long.toString(ProcessHandle.current().pid(), 36);
        LabHarness.sh("useradd --create-home --shell /bin/bash " + caller);
        try {
            String java = "java --enable-native-access=ALL-UNNAMED -Dunboxed.progress=" + LabHarness.PROGRESS
                + " -cp " + System.getProperty("java.class.path") + " Lab07Userns";
            Cmd.Result r = LabHarness.shAny("SUDO_USER=" + caller + " " + java + " solve --no-color; SUDO_USER=" + caller + " "
                + java + " check --no-color; echo \"check=$?\"; ps -o user= -p $(pgrep -n -x sleep); SUDO_USER=" + caller + " "
                + java + " reset --no-color");
            assertTrue(r.out().contains("as " + caller), r.out() + r.err());
            assertTrue(r.out().contains("check=0"), r.out() + r.err());
            assertFalse(Learner.exists(USER), "no throwaway account was made");
            assertTrue(Learner.exists(caller), "reset kept the caller's account");
        } finally {
            Processes.killAll(Learner.processesOf(Learner.uid(caller)));
            LabHarness.shAny("userdel --remove " + caller);
        }
    }

    @Tag("slow")
    @ParameterizedTest
    @ValueSource(ints = {3, 6, 7})
    void sigkillDuringRunThenResetLeavesNothing(int step) throws Exception {
        Process p = LabHarness.runPausedInStep(LAB, step, "Notice");
        assertTrue(Learner.exists(USER), "the run made the learner's account");
        if (step == 7) assertTrue(java.nio.file.Files.isDirectory(java.nio.file.Path.of("/tmp/lab07-files")));
        LabHarness.sigkill(p);
    }
}
