package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.Outcome;
import static unboxed.LabHarness.assertAllFailWithReasons;
import static unboxed.LabHarness.assertAllPass;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.lab.Lab;
import unboxed.lab.LabLock;

/** lab04 end to end, as root on this kernel: every criterion of the exercise contract, near misses, crashes, bad input. */
class Lab04NetnsTest {
    static final Lab LAB = LabHarness.lab("Lab04Netns");
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
    List<String> before;

    @BeforeEach
    void baseline() {
        before = LabHarness.freshStart(LAB);
    }

    @AfterEach
    void resetLeavesHostAsBefore() {
        LabHarness.resetLeavesHostAsBefore(LAB, before);
    }

    static Map<String, JsonObject> check() {
        return LabHarness.checkById(LAB);
    }

    @Test
    void freshStateFailsEveryCriterionWithAReason() {
        Map<String, JsonObject> r = check();
        assertEquals(8, r.size());
        assertAllFailWithReasons(r);
        assertReason(r, "netns", "/run/netns/blue does not exist");
        assertReason(r, "veth-host", "no link veth-host");
    }

    @Test
    void solveThenCheckGivesFullPointsAndRecordsProgress() throws Exception {
        assertEquals(0, cli(LAB, "solve").exit());
        Outcome o = cli(LAB, "check");
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("14/14 points"), o.out());
        JsonObject lab04 = LabHarness.progress(LAB);
        assertEquals(14, lab04.get("points").getAsInt());
        assertTrue(lab04.get("passed").getAsBoolean());
    }

    @Test
    void manualSolutionWithPlainIpCommandsPasses() {
        sh(MANUAL);
        assertAllPass(check());
    }

    @Test
    void unshareAndABindMountCountAsAPersistentNamespaceToo() {
        // the other way the articles show: no `ip netns add`, a namespace pinned by hand
        sh("mkdir -p /run/netns && touch /run/netns/blue && unshare --net=/run/netns/blue true");
        sh(MANUAL.replace("ip netns add blue\n", ""));
        assertAllPass(check());
    }

    @ParameterizedTest
    @ValueSource(strings = {"peer-down", "wrong-prefix", "veth-in-root", "lo-down"})
    void nearMissFailsTheRightCriterion(String miss) {
        switch (miss) {
            case "peer-down" -> {
                sh(MANUAL + "ip netns exec blue ip link set veth-blue down");
                Map<String, JsonObject> r = check();
                assertOnlyFailing(r, List.of("up", "ping-from-blue", "ping-to-blue"), "veth-blue is DOWN");
            }
            case "wrong-prefix" -> {
                sh(MANUAL.replace("10.16.8.2/24", "10.16.8.2/16"));
                Map<String, JsonObject> r = check();
                assertOnlyFailing(r, List.of("veth-blue"), "has 10.16.8.2/16, not 10.16.8.2/24");
            }
            case "veth-in-root" -> {
                sh("""
                    ip netns add blue
                    ip link add veth-host type veth peer name veth-blue
                    ip addr add 10.16.8.1/24 dev veth-host
                    ip link set veth-host up
                    ip netns exec blue ip link set lo up
                    """);
                Map<String, JsonObject> r = check();
                assertFalse(r.get("veth-blue").get("passed").getAsBoolean());
                assertReason(r, "veth-blue", "still in the root namespace");
                assertTrue(r.get("netns").get("passed").getAsBoolean());
                assertTrue(r.get("veth-host").get("passed").getAsBoolean());
                assertTrue(r.get("pair").get("passed").getAsBoolean());
                assertTrue(r.get("lo").get("passed").getAsBoolean());
            }
            case "lo-down" -> {
                sh(MANUAL.replace("ip netns exec blue ip link set lo up\n", ""));
                assertOnlyFailing(check(), List.of("lo"), "lo is DOWN inside blue");
            }
            default -> throw new IllegalArgumentException(miss);
        }
    }

    @Test
    void runWalksEveryStepAndLeavesOnlyTheExerciseBehind() {
        Outcome o = succeeds(LAB, "run");
        assertTrue(o.out().contains("Step 8/8"), o.out());
        assertTrue(o.out().contains("net:["), o.out());
        assertTrue(o.out().contains("lab04-demo -> 10.16.9.1            answered"), o.out());
        assertTrue(o.out().contains("$ ip link add lab04-host type veth peer name lab04-ns"), o.out());
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
    @ValueSource(strings = {"Step 3/8", "Step 5/8", "Step 6/8", "Step 8/8"})
    void sigkillDuringRunThenResetLeavesNothing(String killAt) throws Exception {
        int steps = Integer.parseInt(killAt.substring(5, 6));
        LabHarness.sigkillAtStep(LAB, steps);
        if (steps >= 4) assertTrue(Files.exists(Path.of("/run/netns/lab04-demo")), "the kill left the demo namespace");
        if (steps >= 5) assertTrue(shAny("ip link show lab04-host").ok(), "the kill left the veth");
        // afterEach: reset, then the fingerprint must match the one before run
    }

    @Test
    void sigkillDuringSolveThenRunReplaysTheJournalAndSaysSo() throws Exception {
        Process p = LabHarness.jvm("Lab04Netns", "solve", "--no-color").redirectErrorStream(true).start();
        LabHarness.readUntil(p, "ip link set veth-blue netns blue", 60);
        LabHarness.sigkill(p);
        Outcome o = succeeds(LAB, "run", "--step", "1");
        assertTrue(o.out().contains("removing them first"), o.out());
        assertFalse(Files.exists(Path.of("/run/netns/blue")));
    }

    @Test
    void aSecondLabAtOnceGetsExit4NamingTheHolder() {
        try (LabLock held = LabLock.acquire("lab99", "run")) {
            Outcome o = cli(LAB, "run");
            assertEquals(4, o.exit(), o.all());
            assertTrue(o.err().contains("lab99 run"), o.err());
        }
    }

    @Test
    void refusesWhenTheRangeIsAlreadyRoutedBySomethingElse() {
        sh("ip link add lab04t-a type veth peer name lab04t-b && ip addr add 10.16.8.100/24 dev lab04t-a"
            + " && ip link set lab04t-a up && ip link set lab04t-b up");
        try {
            Outcome run = cli(LAB, "run");
            assertEquals(4, run.exit(), run.all());
            assertTrue(run.err().contains("10.16.8.0/24 is already routed"), run.err());
            assertEquals(4, cli(LAB, "solve").exit());
        } finally {
            sh("ip link del lab04t-a");
        }
    }

    @Test
    void watchReturnsOnceTheSolutionAppears() throws Exception {
        Thread solver = new Thread(() -> {
            try {
                Thread.sleep(1500);
                sh(MANUAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        solver.start();
        Outcome o = cli(LAB, "watch", "--interval", "0.5", "--timeout", "30");
        solver.join(TimeUnit.SECONDS.toMillis(30));
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("✘") && o.out().contains("14/14 points"), o.out());
    }

    @Test
    void checkWritesJunitXml() throws Exception {
        Path xml = Files.createTempFile("lab04", ".xml");
        Outcome o = cli(LAB, "check", "--junit", xml.toString());
        assertEquals(1, o.exit());
        String x = Files.readString(xml);
        assertTrue(x.contains("<testsuite name=\"lab04\" tests=\"8\" failures=\"8\""), x);
        assertTrue(x.contains("<testcase classname=\"lab04\" name=\"netns\"><failure"), x);
    }
}
