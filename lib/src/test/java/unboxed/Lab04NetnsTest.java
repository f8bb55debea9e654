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
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.lab.Lab;

/** lab04's own behaviour, as root on this kernel (what every lab promises is in LabContractTest). */
class Lab04NetnsTest {
    static final Lab LAB = LabHarness.lab("Lab04Netns");
    @RegisterExtension
    static final LabSession S = new LabSession(LAB).tidy(() -> shAny(
        "ip link del lab04t-a; ip link del lab04t-x; ip link del lab04t-y; ip netns del lab04t-other; true"));
    /** The exercise with plain ip commands (the lab's reference solution); the rows below change it. */
    static final String MANUAL = """
        ip netns add blue
        ip link add veth-host type veth peer name veth-blue
        ip link set veth-blue netns blue
        ip addr add 10.16.8.1/24 dev veth-host
        ip link set veth-host up
        ip netns exec blue ip addr add 10.16.8.2/24 dev veth-blue
        ip netns exec blue ip link set veth-blue up
        ip netns exec blue ip link set lo up
        """;

    @TestFactory
    Stream<DynamicTest> statesAndVerdicts() {
        return S.rows(
            row("fresh state", "", fail("netns", "/run/netns/blue does not exist"), fail("veth-host", "no link veth-host"),
                fail("veth-blue"), fail("pair"), fail("up"), fail("lo"), fail("ping-from-blue"), fail("ping-to-blue")),
            // the other way the articles show: no `ip netns add`, a namespace pinned by hand
            passes("unshare and a bind mount count as a persistent namespace too",
                "mkdir -p /run/netns && touch /run/netns/blue && unshare --net=/run/netns/blue true\n"
                    + MANUAL.replace("ip netns add blue\n", "")),
            row("peer down", MANUAL + "ip netns exec blue ip link set veth-blue down",
                fail("up", "veth-blue is DOWN"), fail("ping-from-blue"), fail("ping-to-blue")),
            row("wrong prefix", MANUAL.replace("10.16.8.2/24", "10.16.8.2/16"),
                fail("veth-blue", "has 10.16.8.2/16, not 10.16.8.2/24")),
            row("veth-blue left in the root namespace", """
                    ip netns add blue
                    ip link add veth-host type veth peer name veth-blue
                    ip addr add 10.16.8.1/24 dev veth-host
                    ip link set veth-host up
                    ip netns exec blue ip link set lo up
                    """,
                fail("veth-blue", "still in the root namespace"), fail("up"), fail("ping-from-blue"), fail("ping-to-blue")),
            row("lo down", MANUAL.replace("ip netns exec blue ip link set lo up\n", ""), fail("lo", "lo is DOWN inside blue")),

            // other correct ways to build it
            passes("the pair made inside blue, veth-host moved out to the shell's namespace", """
                ip netns add blue
                ip -n blue link add veth-blue type veth peer name veth-host
                ip -n blue link set veth-host netns $$
                ip addr add 10.16.8.1/24 dev veth-host
                ip link set veth-host up
                ip -n blue addr add 10.16.8.2/24 dev veth-blue
                ip -n blue link set veth-blue up
                ip -n blue link set dev lo up
                """),
            passes("the pair made in one command, its peer born in blue", """
                ip netns add blue
                ip link add veth-host type veth peer name veth-blue netns blue
                ip addr add 10.16.8.1/24 dev veth-host
                ip link set dev veth-host up
                ip -n blue address add 10.16.8.2/24 dev veth-blue
                ip -n blue link set dev veth-blue up
                ip -n blue link set dev lo up
                """),
            passes("veth-blue created directly in blue (netns before type)", """
                ip netns add blue
                ip link add veth-blue netns blue type veth peer name veth-host
                ip addr add 10.16.8.1/24 dev veth-host
                ip link set veth-host up
                nsenter --net=/run/netns/blue ip addr add 10.16.8.2/24 dev veth-blue
                nsenter --net=/run/netns/blue ip link set veth-blue up
                nsenter --net=/run/netns/blue ip link set lo up
                """),
            passes("ip netns attach from inside a fresh unshare --net", """
                unshare --net sh -c 'ip netns attach blue $$'
                """ + MANUAL.replace("ip netns add blue\n", "")),
            passes("unshare --net=/run/netns/blue with the reference solution's ip -n lines",
                "mkdir -p /run/netns && touch /run/netns/blue && unshare --net=/run/netns/blue true\n"
                    + MANUAL.replace("ip netns add blue\n", "").replace("ip netns exec blue ip ", "ip -n blue ")),

            // near misses
            row("two separate pairs whose ends happen to have the right names", """
                ip netns add blue
                ip link add veth-host type veth peer name lab04t-x
                ip link add lab04t-y type veth peer name veth-blue
                ip link set veth-blue netns blue
                ip addr add 10.16.8.1/24 dev veth-host
                ip link set veth-host up
                ip -n blue addr add 10.16.8.2/24 dev veth-blue
                ip -n blue link set veth-blue up
                ip -n blue link set lo up
                """,
                fail("pair", "veth-host's peer is lab04t-x", "in the root namespace"), fail("ping-from-blue"), fail("ping-to-blue")),
            // each namespace numbers its links from 1: the peer in lab04t-other and veth-blue in blue both get ifindex 2
            row("veth-host's peer has veth-blue's name and ifindex, in another namespace", """
                set -e
                ip netns add blue
                ip netns add lab04t-other
                ip link add veth-host type veth peer name veth-blue netns lab04t-other
                ip link add lab04t-y type veth peer name veth-blue netns blue
                ip -n blue link show veth-blue | grep -q '^2:'
                ip -n lab04t-other link show veth-blue | grep -q '^2:'
                ip addr add 10.16.8.1/24 dev veth-host
                ip link set veth-host up
                ip -n blue addr add 10.16.8.2/24 dev veth-blue
                ip -n blue link set veth-blue up
                ip -n blue link set lo up
                """,
                fail("pair", "namespace lab04t-other", "not in blue"), fail("ping-from-blue"), fail("ping-to-blue")),
            row("addresses swapped", MANUAL.replace("10.16.8.1/24", "X").replace("10.16.8.2/24", "10.16.8.1/24")
                    .replace("X", "10.16.8.2/24"),
                fail("veth-host", "has 10.16.8.2/24, not 10.16.8.1/24"), fail("veth-blue", "has 10.16.8.1/24, not 10.16.8.2/24"),
                fail("ping-from-blue"), fail("ping-to-blue")),
            row("/32 inside blue: no route back to 10.16.8.1", MANUAL.replace("10.16.8.2/24", "10.16.8.2/32"),
                fail("veth-blue", "has 10.16.8.2/32, not 10.16.8.2/24"), fail("ping-from-blue", "no route"),
                fail("ping-to-blue")),
            row("address and up set before the move, which drops both", """
                ip netns add blue
                ip link add veth-host type veth peer name veth-blue
                ip addr add 10.16.8.1/24 dev veth-host
                ip addr add 10.16.8.2/24 dev veth-blue
                ip link set veth-host up
                ip link set veth-blue up
                ip link set veth-blue netns blue
                ip -n blue link set lo up
                """,
                fail("veth-blue", "no IPv4 address"), fail("up", "veth-blue is DOWN"), fail("ping-from-blue"),
                fail("ping-to-blue")));
    }

    @Test
    void runWalksEveryStepAndLeavesOnlyTheExerciseBehind() {
        String out = succeeds(LAB, "run").out();
        assertTrue(out.contains("Step 8/8") && out.contains("net:["), out);
        assertTrue(out.contains("lab04-demo -> 10.16.9.1            answered"), out);
        assertTrue(out.contains("$ ip link add lab04-host type veth peer name lab04-ns"), out);
        // the demo is gone when run ends: the learner starts the exercise from a clean host
        assertFalse(Files.exists(Path.of("/run/netns/lab04-demo")));
        assertTrue(shAny("ip link show lab04-host").exit() != 0);
    }

    @Test
    void runWithStepStopsThereAndResetRemovesWhatItMade() {
        succeeds(LAB, "run", "--step", "5");
        assertTrue(sh("ip netns list").contains("lab04-demo"));
        assertTrue(sh("ip -br link").contains("lab04-host"));
    }

    @Tag("slow") // SIGKILLs of run at several steps: with CrashCycleTest in the full suite, out of the -Pfast loop
    @ParameterizedTest
    @ValueSource(ints = {3, 5, 6, 8})
    void sigkillDuringRunThenResetLeavesNothing(int step) throws Exception {
        LabHarness.sigkillAtStep(LAB, step);
        if (step >= 4) assertTrue(Files.exists(Path.of("/run/netns/lab04-demo")), "the kill left the demo namespace");
        if (step >= 5) assertTrue(shAny("ip link show lab04-host").ok(), "the kill left the veth");
    }

    @Test
    void sigkillDuringSolveThenRunReplaysTheJournalAndSaysSo() throws Exception {
        LabHarness.sigkillOnceShown(LAB, "ip link set veth-blue netns blue", "solve");
        String out = succeeds(LAB, "run", "--step", "1").out();
        assertTrue(out.contains("removing them first"), out);
        assertFalse(Files.exists(Path.of("/run/netns/blue")));
    }

    @Test
    void refusesWhenTheRangeIsAlreadyRoutedBySomethingElse() {
        sh("ip link add lab04t-a type veth peer name lab04t-b && ip addr add 10.16.8.100/24 dev lab04t-a"
            + " && ip link set lab04t-a up && ip link set lab04t-b up");
        LabHarness.Outcome run = cli(LAB, "run");
        assertEquals(4, run.exit(), run.all());
        assertTrue(run.err().contains("10.16.8.0/24 is already routed"), run.err());
        assertEquals(4, cli(LAB, "solve").exit());
    }
}
