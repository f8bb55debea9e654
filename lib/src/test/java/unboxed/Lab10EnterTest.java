package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabSession.fail;
import static unboxed.LabSession.passes;
import static unboxed.LabSession.row;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import unboxed.lab.Lab;
import unboxed.ns.Boxes;
import unboxed.ns.Ns;
import unboxed.ns.Processes;
import unboxed.ns.Sharing;
import unboxed.ns.Uts;

/** lab10's own behaviour, as root on this kernel: other correct sidecars, and near misses failing the right criterion. */
class Lab10EnterTest {
    static final Lab LAB = LabHarness.lab("Lab10Enter");
    @RegisterExtension
    static final LabSession S = new LabSession(LAB).settleWithin(10).afterReset(() -> {
        for (String name : List.of("lab10-a", "lab10-b", "lab10-debug", "lab10-helper")) {
            assertTrue(Processes.withArgv0(name).isEmpty(), "no " + name + " process is left");
        }
        assertFalse(Files.exists(Path.of("/run/netns/lab10-a")), "/run/netns/lab10-a is gone");
    });

    /** The containers' pids, as the exercise tells the learner to find them. */
    static final String PIDS = "A=$(pgrep -f '^lab10-a '); B=$(pgrep -f '^lab10-b ')\n";
    static final String ATTACH = "ip netns attach lab10-a $A\n";
    static final String DEBUG = "bash -c 'exec -a lab10-debug sleep infinity' >/dev/null 2>&1 &";

    /** A lab10-debug process runs, and is no longer the bash that execs it. */
    static final BooleanSupplier RUNNING = () -> !Processes.withArgv0("lab10-debug").isEmpty()
        && Processes.withArgv0("lab10-debug").stream().allMatch(p -> Processes.comm(p).orElse("").equals("sleep"));

    @BeforeAll
    static void toolsArePresent() {
        LabHarness.assertToolsPresent("nsenter", "lsns", "ip", "ipcmk", "ipcs", "pgrep", "bash", "mount");
    }

    // every row runs the lab for real (tens of seconds): the full suite runs them, -Pfast keeps the rest
    @Tag("slow")
    @TestFactory
    Stream<DynamicTest> statesAndVerdicts() {
        return S.rowsAfter("prepare",
            row("prepared, nothing done", "", fail("attached", "no file /run/netns/lab10-a"), fail("sidecar", "no process"),
                fail("net-ipc"), fail("pid"), fail("host")),
            passes("namespace files in another order, after --", PIDS + ATTACH + "nsenter --pid=/proc/$B/ns/pid "
                + "--ipc=/proc/$A/ns/ipc --net=/proc/$A/ns/net -- " + DEBUG).when(RUNNING),
            passes("two nested nsenters, a's first", PIDS + ATTACH + "nsenter -t $A -n -i nsenter -t $B -p " + DEBUG)
                .when(RUNNING),
            passes("two nested nsenters, b's first", PIDS + ATTACH + "nsenter -t $B -p nsenter -t $A -i -n " + DEBUG)
                .when(RUNNING),
            passes("the name by hand: a file and a bind mount", PIDS + "mkdir -p /run/netns; touch /run/netns/lab10-a\n"
                + "mount --bind /proc/$A/ns/net /run/netns/lab10-a\n"
                + "nsenter --net=/proc/$A/ns/net --ipc=/proc/$A/ns/ipc --pid=/proc/$B/ns/pid " + DEBUG).when(RUNNING),
            row("the sidecar in a's pid namespace", PIDS + ATTACH + "nsenter -t $A -n -i -p " + DEBUG,
                fail("pid", "its pid namespace is container a's", "not container b's")).when(RUNNING),
            row("the sidecar in the container's mount namespace", PIDS + ATTACH + "nsenter -t $A -n -i -m --pid=/proc/$B/ns/pid "
                + DEBUG, fail("host", "its mnt namespace is container a's", "not the host's")).when(RUNNING),
            row("nsenter --all into a", PIDS + ATTACH + "nsenter -t $A --all " + DEBUG,
                fail("pid", "container a's"), fail("host", "its mnt namespace is container a's",
                    "its uts namespace is container a's")).when(RUNNING),
            row("the sidecar in the host's network namespace", PIDS + ATTACH + "nsenter -t $A -i --pid=/proc/$B/ns/pid " + DEBUG,
                fail("net-ipc", "its net namespace is the host's")).when(RUNNING),
            row("the sidecar in a network namespace of its own", PIDS + ATTACH + "nsenter -t $A -i --pid=/proc/$B/ns/pid "
                + "unshare --net " + DEBUG, fail("net-ipc", "its net namespace is a namespace of its own")).when(RUNNING),
            row("through ip netns exec (a mount namespace of its own)", PIDS + ATTACH + "ip netns exec lab10-a nsenter -t $A -i "
                + "--pid=/proc/$B/ns/pid " + DEBUG, fail("host", "its mnt namespace is a namespace of its own",
                    "ip netns exec")).when(RUNNING),
            passes("the name's namespace taken with nsenter --net=/run/netns/lab10-a", PIDS + ATTACH
                + "nsenter --net=/run/netns/lab10-a --ipc=/proc/$A/ns/ipc --pid=/proc/$B/ns/pid " + DEBUG).when(RUNNING),
            row("the name attached to b's network namespace", PIDS + "ip netns attach lab10-a $B\n"
                + "nsenter -t $A -n -i --pid=/proc/$B/ns/pid " + DEBUG,
                fail("attached", "names container b's network namespace")).when(RUNNING),
            row("a plain file, no bind mount", PIDS + "mkdir -p /run/netns; touch /run/netns/lab10-a\n"
                + "nsenter -t $A -n -i --pid=/proc/$B/ns/pid " + DEBUG,
                fail("attached", "is a plain file, not a bind mount")).when(RUNNING),
            row("the sidecar not left running", PIDS + ATTACH + "nsenter -t $A -n -i --pid=/proc/$B/ns/pid true",
                fail("sidecar", "no process"), fail("net-ipc"), fail("pid"), fail("host")),
            row("container a gone", PIDS + ATTACH + "kill -KILL $A", fail("attached", "container a is not running"),
                fail("sidecar"), fail("net-ipc", "container a is not running"), fail("pid"), fail("host")));
    }

    /** What prepare leaves: two boxes, PID 1 of their pid namespaces, named, in five new namespaces each; prepare again keeps them. */
    @Test
    void prepareStartsTwoContainersOnce() {
        LabHarness.succeeds(LAB, "prepare");
        long a = Boxes.find("lab10-a").orElseThrow(), b = Boxes.find("lab10-b").orElseThrow();
        assertEquals("lab10-a", Uts.hostnameOf(a));
        assertEquals("lab10-b", Uts.hostnameOf(b));
        Map<String, Long> host = Sharing.refs("the host", ProcessHandle.current().pid());
        for (long pid : List.of(a, b)) {
            for (Sharing.Row r : Sharing.of(pid, host)) {
                boolean own = EnumSet.of(Ns.PID, Ns.NET, Ns.UTS, Ns.IPC, Ns.MNT).contains(r.type());
                assertEquals(own, r.sharedWith().isEmpty(), "pid " + pid + "'s " + r.type().file + " namespace");
            }
        }
        assertFalse(Sharing.of(a, Sharing.refs("b", b)).stream().anyMatch(r -> r.type() == Ns.NET && !r.sharedWith().isEmpty()),
            "a and b have separate network namespaces");
        LabHarness.succeeds(LAB, "prepare");
        assertEquals(a, Boxes.find("lab10-a").orElseThrow(), "a second prepare keeps container a");
        assertEquals(b, Boxes.find("lab10-b").orElseThrow(), "a second prepare keeps container b");
    }
}
