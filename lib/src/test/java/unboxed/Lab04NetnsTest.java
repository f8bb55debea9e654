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
    static final LabSession S = new LabSession(LAB).tidy(() -> shAny("ip link del lab04t-a"));
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
            row("lo down", MANUAL.replace("ip netns exec blue ip link set lo up\n", ""), fail("lo", "lo is DOWN inside blue")));
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
