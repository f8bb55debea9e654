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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.lab.HostState;
import unboxed.lab.Lab;
import unboxed.ns.Mounts;
import unboxed.sys.Cmd;

/**
 * lab05 end to end, as root on this kernel: the exercise contract (every piece by kernel state plus the check's own
 * UDP round trip), manual solutions with ip + iptables and with nft, near misses, crashes, and the proof that the root
 * namespace's firewall and ip_forward come out of it byte for byte as they went in.
 */
class Lab05VethNatTest {
    static final Lab LAB = LabHarness.lab("Lab05VethNat");
    /** The exercise with the articles' commands, after `prepare` (or run) made lab05-router and lab05-inet. */
    static final String MANUAL = """
        ip netns add lab05-box
        ip link add veth-box type veth peer name veth-router
        ip link set veth-box netns lab05-box
        ip link set veth-router netns lab05-router
        ip netns exec lab05-box ip addr add 10.0.5.2/24 dev veth-box
        ip netns exec lab05-box ip link set veth-box up
        ip netns exec lab05-box ip link set lo up
        ip netns exec lab05-router ip addr add 10.0.5.1/24 dev veth-router
        ip netns exec lab05-router ip link set veth-router up
        ip netns exec lab05-box ip route add default via 10.0.5.1
        ip netns exec lab05-router sysctl -w net.ipv4.ip_forward=1
        ip netns exec lab05-router iptables -t nat -A POSTROUTING -s 10.0.5.0/24 -o uplink -j MASQUERADE
        """;
    static final String RULE = "ip netns exec lab05-router iptables -t nat -A POSTROUTING -s 10.0.5.0/24 -o uplink -j MASQUERADE\n";
    List<String> before;
    String rootFirewallBefore;

    @BeforeAll
    static void toolsArePresent() {
        for (String tool : List.of("ip", "iptables", "iptables-save", "nft")) {
            assertTrue(Cmd.has(tool), tool + " is missing: these tests need it (" + Cmd.installHint(tool) + ")");
        }
    }

    @BeforeEach
    void baseline() {
        rootFirewallBefore = rootFirewall();
        before = LabHarness.freshStart(LAB);
    }

    @AfterEach
    void resetLeavesHostAsBefore() {
        LabHarness.resetLeavesHostAsBefore(LAB, before);
        // byte for byte: iptables-save (its dated comment lines aside), nft list ruleset and ip_forward
        assertEquals(rootFirewallBefore, rootFirewall(), "the root namespace's firewall or ip_forward changed");
        assertFalse(sh("ip netns list").contains("lab05-"), sh("ip netns list"));
    }

    static String rootFirewall() {
        String save = Cmd.run("iptables-save").out().lines().filter(l -> !l.startsWith("#"))
            .collect(Collectors.joining("\n"));
        return "iptables-save:\n" + save + "\nnft list ruleset:\n" + Cmd.run("nft", "list", "ruleset").out()
            + "\nip_forward: " + sh("cat /proc/sys/net/ipv4/ip_forward");
    }

    static Map<String, JsonObject> check() {
        return LabHarness.checkById(LAB);
    }

    /** All seven criteria pass. */
    static void assertAllPass(Map<String, JsonObject> r) {
        assertEquals(7, r.size());
        LabHarness.assertAllPass(r);
    }

    static void prepare() {
        succeeds(LAB, "prepare");
    }

    @Test
    void freshStateFailsEveryCriterionWithAReasonAndSaysHowToPrepare() {
        Map<String, JsonObject> r = check();
        assertEquals(7, r.size());
        assertAllFailWithReasons(r);
        assertReason(r, "box", "/run/netns/lab05-box does not exist");
        assertReason(r, "forwarding", "lab05-router and lab05-inet are missing: `sudo ./jbang lab05 prepare`");
    }

    @Test
    void preparedTopologyIsTheStartingPointAndEveryCriterionStillFails() {
        prepare();
        // prepared: the router's uplink faces the internet; forwarding off, no NAT, no box
        assertTrue(sh("ip -n lab05-router -br addr").contains("203.0.113.1/24"));
        assertTrue(sh("ip -n lab05-inet -br addr").contains("203.0.113.2/24"));
        assertEquals("0", sh("ip netns exec lab05-router cat /proc/sys/net/ipv4/ip_forward").strip());
        Map<String, JsonObject> r = check();
        r.values().forEach(c -> assertFalse(c.get("passed").getAsBoolean(), c.toString()));
        assertReason(r, "forwarding", "ip_forward is 0 in lab05-router");
        assertReason(r, "masquerade", "has no MASQUERADE");
        // a second prepare leaves a complete topology as it is
        Outcome again = succeeds(LAB, "prepare");
        assertTrue(again.out().contains("are ready"), again.out());
    }

    @Test
    void solveThenCheckGivesFullPoints() throws Exception {
        Outcome s = succeeds(LAB, "solve");
        assertTrue(s.out().contains("$ ip link add veth-box type veth peer name veth-router"), s.out());
        Outcome o = cli(LAB, "check");
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("15/15 points"), o.out());
        assertEquals(15, LabHarness.progress(LAB).get("points").getAsInt());
    }

    @Test
    void manualSolutionWithIpAndIptablesPassesAndConntrackShowsTheTranslation() {
        prepare();
        sh(MANUAL);
        assertAllPass(check());
        // the check's own round trip left its trace where the lab says it does
        String ct = sh("ip netns exec lab05-router cat /proc/net/nf_conntrack");
        assertTrue(ct.contains("src=10.0.5.2 dst=203.0.113.2") && ct.contains("src=203.0.113.2 dst=203.0.113.1"), ct);
    }

    @Test
    void manualSolutionWithNftMasqueradePasses() {
        prepare();
        sh(MANUAL.replace(RULE, """
            ip netns exec lab05-router nft add table ip nat
            ip netns exec lab05-router nft 'add chain ip nat postrouting { type nat hook postrouting priority 100; }'
            ip netns exec lab05-router nft add rule ip nat postrouting ip saddr 10.0.5.0/24 oifname uplink masquerade
            """));
        assertAllPass(check());
    }

    @Test
    void snatToTheUplinkAddressPassesToo() {
        prepare();
        sh(MANUAL.replace(RULE,
            "ip netns exec lab05-router iptables -t nat -A POSTROUTING -s 10.0.5.0/24 -o uplink -j SNAT --to-source 203.0.113.1\n"));
        assertAllPass(check());
    }

    /**
     * Issue 12's reproduction, on a fresh machine's /run/netns (absent): the learner's first `ip netns add` came after
     * the lab pinned lab05-router and lab05-inet, stacked a new /run/netns over them, and reset failed with EINVAL.
     * Now the lab's namespaces and the learner's share one layer, check grades, and reset (afterEach) leaves nothing.
     */
    @Test
    void onAFreshMachineTheLearnersIpNetnsAddAfterPrepareHidesNothing() {
        KnownState.freshRunNetns(); // whatever an earlier test left: absent, as on a freshly booted machine
        before = HostState.capture();
        prepare();
        sh(MANUAL);
        assertEquals(1, Mounts.ofHost().stream().filter(m -> m.mountPoint().equals("/run/netns")).count(),
            "one /run/netns layer: " + sh("grep /run/netns /proc/self/mountinfo"));
        assertAllPass(check());
    }

    @Test
    void theExerciseCanBeDoneRightAfterRun() {
        succeeds(LAB, "run");
        sh(MANUAL);
        assertAllPass(check());
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrong-interface", "no-forwarding", "no-default-route", "single-host-source", "tcp-only",
        "box-end-down", "wrong-prefix", "router-end-in-root"})
    void nearMissFailsTheRightCriterion(String miss) {
        prepare();
        switch (miss) {
            case "wrong-interface" -> {
                sh(MANUAL.replace("-o uplink", "-o veth-router"));
                Map<String, JsonObject> r = check();
                assertOnlyFailing(r, List.of("end-to-end", "masquerade"), "saw the datagram come from 10.0.5.2");
                assertReason(r, "end-to-end", "leaving veth-router");
                assertReason(r, "masquerade", "leaving veth-router, but the router's way to 203.0.113.0/24 is uplink");
            }
            case "no-forwarding" -> {
                sh(MANUAL.replace("ip netns exec lab05-router sysctl -w net.ipv4.ip_forward=1\n", ""));
                Map<String, JsonObject> r = check();
                assertOnlyFailing(r, List.of("forwarding", "end-to-end"), "ip_forward is 0 in lab05-router");
                assertReason(r, "end-to-end", "never reached 203.0.113.2: lab05-router does not forward");
            }
            case "no-default-route" -> {
                sh(MANUAL.replace("ip netns exec lab05-box ip route add default via 10.0.5.1\n", ""));
                Map<String, JsonObject> r = check();
                assertOnlyFailing(r, List.of("default-route", "end-to-end"), "lab05-box has no default route");
                assertReason(r, "end-to-end", "no route to 203.0.113.2");
            }
            case "single-host-source" -> {
                // translates the box's one address, which the round trip uses, but not the box network
                sh(MANUAL.replace("-s 10.0.5.0/24", "-s 10.0.5.2"));
                assertOnlyFailing(check(), List.of("masquerade"), "matches source 10.0.5.2/32, not the box network");
            }
            case "tcp-only" -> {
                sh(MANUAL.replace("-o uplink -j", "-o uplink -p tcp -j"));
                Map<String, JsonObject> r = check();
                assertOnlyFailing(r, List.of("masquerade", "end-to-end"), "matches only protocol tcp");
                assertReason(r, "end-to-end", "from 10.0.5.2");
            }
            case "box-end-down" -> {
                // the default route goes with the link: the kernel flushes routes through a device set down
                sh(MANUAL + "ip -n lab05-box link set veth-box down\n");
                Map<String, JsonObject> r = check();
                assertOnlyFailing(r, List.of("box-end", "default-route", "end-to-end"), "veth-box in lab05-box is DOWN");
            }
            case "wrong-prefix" -> {
                sh(MANUAL.replace("10.0.5.2/24", "10.0.5.2/16"));
                assertOnlyFailing(check(), List.of("box-end"), "has 10.0.5.2/16, not 10.0.5.2/24");
            }
            case "router-end-in-root" -> {
                // forgot to move the router's end: it stays in the root namespace (reset removes it there)
                sh(MANUAL.replace("ip link set veth-router netns lab05-router\n", "")
                    .replace("ip netns exec lab05-router ip addr add 10.0.5.1/24 dev veth-router\n",
                        "ip addr add 10.0.5.1/24 dev veth-router\n")
                    .replace("ip netns exec lab05-router ip link set veth-router up\n", "ip link set veth-router up\n"));
                Map<String, JsonObject> r = check();
                assertOnlyFailing(r, List.of("router-end", "end-to-end"), "10.0.5.1/24 is on a link in the root namespace");
                // the box's default route now leads into the root namespace: the probe never sends through it
                assertReason(r, "end-to-end", "whose other end is not in lab05-router: not probed");
            }
            default -> throw new IllegalArgumentException(miss);
        }
    }

    @Test
    void aRoundTripThroughTheRootNamespaceIsNeverProbed() {
        // the box's route to 203.0.113.2 through a veth whose peer is in the root namespace: the probe refuses
        prepare();
        sh("""
            ip netns add lab05-box
            ip link add lab05t-root type veth peer name lab05t-box
            ip link set lab05t-box netns lab05-box
            ip -n lab05-box addr add 10.0.5.2/24 dev lab05t-box
            ip -n lab05-box link set lab05t-box up
            ip -n lab05-box route add default dev lab05t-box
            """);
        try {
            Map<String, JsonObject> r = check();
            assertReason(r, "end-to-end", "whose other end is not in lab05-router: not probed");
        } finally {
            shAny("ip link del lab05t-root");
        }
    }

    @Test
    void runShowsTheStoryAndLeavesOnlyThePreparedTopology() {
        String out = succeeds(LAB, "run").out();
        assertTrue(out.contains("Step 7/7"), out);
        assertTrue(out.contains("lab05-demo sends to 203.0.113.2    failed: Network is unreachable"), out);
        assertTrue(out.contains("lab05-inet sees it from            10.0.5.2:"), out);
        assertTrue(out.contains("lab05-inet's reply                 cannot be sent: Network is unreachable"), out);
        assertTrue(out.contains("lab05-inet sees it from            203.0.113.1:"), out);
        assertTrue(out.contains("reached lab05-demo"), out);
        assertTrue(out.contains("net.ipv4.ip_forward in the root namespace 0")
            || out.contains("net.ipv4.ip_forward in the root namespace 1"), out);
        assertTrue(out.contains("source translated                  yes: 10.0.5.2 became 203.0.113.1"), out);
        assertTrue(out.contains("oifname \"uplink\" ip saddr 10.0.5.0/24"), out);
        assertTrue(out.contains("root namespace's rules, ip_forward identical to before step 1"), out);
        assertTrue(out.contains("$ ip netns exec lab05-router iptables -t nat -A POSTROUTING -s 10.0.5.0/24 -o uplink -j MASQUERADE"), out);
        // what stays: exactly the two prepared namespaces, with forwarding off and no NAT rule yet
        assertEquals(List.of("lab05-inet", "lab05-router"), sh("ip netns list").lines()
            .map(l -> l.split(" ")[0]).filter(n -> n.startsWith("lab05-")).sorted().toList());
        assertEquals("0", sh("ip netns exec lab05-router cat /proc/sys/net/ipv4/ip_forward").strip());
        assertFalse(sh("ip netns exec lab05-router nft list ruleset").contains("masquerade"));
        assertFalse(sh("ip -n lab05-router -br link").contains("veth-router"));
        // and the root namespace shows nothing of it but the two names (their files and mounts under /run/netns, made
        // a shared mount of itself as ip netns add does)
        List<String> diff = HostState.diff(before, HostState.capture()).stream()
            .filter(l -> !l.matches("\\+ (netns lab05-(router|inet)|mount /run/netns/lab05-(router|inet) nsfs .*"
                + "|mount /run/netns \\S+ \\S+ \\S+ shared|owned lab05: network namespace lab05-(router|inet))")).toList();
        assertTrue(diff.isEmpty(), String.join("\n", diff));
        assertEquals(rootFirewallBefore, rootFirewall());
    }

    @Test
    void runTwiceStartsOverAndSaysSo() {
        assertEquals(0, cli(LAB, "run").exit());
        Outcome o = succeeds(LAB, "run");
        assertTrue(o.out().contains("Starting over: removed what an earlier run or solve prepared"), o.out());
        assertFalse(o.out().contains("did not finish"), o.out());
    }

    @Test
    void runWithStepStopsThereAndPrepareRefusesUntilReset() {
        succeeds(LAB, "run", "--step", "4");
        assertTrue(sh("ip netns list").contains("lab05-demo"));
        Outcome p = cli(LAB, "prepare");
        assertEquals(4, p.exit(), p.all());
        assertTrue(p.err().contains("reset` first"), p.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Step 1/7", "Step 4/7", "Step 5/7", "Step 7/7", "Preparing the exercise"})
    void sigkillDuringRunThenResetLeavesNothing(String killAt) throws Exception {
        // "Preparing the exercise": after the last step, while run builds the exercise's starting topology
        int steps = killAt.startsWith("Step") ? Integer.parseInt(killAt.substring(5, 6)) : 7;
        LabHarness.sigkillAtStep(LAB, steps,
            killAt.startsWith("Step") ? "Notice" : "$ ip netns add lab05-router; ip netns add lab05-inet");
        if (steps < 7) assertTrue(Files.exists(Path.of("/run/netns/lab05-router")), "the kill left the router");
        // afterEach: reset, then the fingerprint and the root firewall must match the ones before run
    }

    @Test
    void sigkillDuringSolveThenResetLeavesNothing() throws Exception {
        Process p = LabHarness.jvm("Lab05VethNat", "solve", "--no-color").redirectErrorStream(true).start();
        LabHarness.readUntil(p, "ip link set veth-box netns lab05-box", 60);
        LabHarness.sigkill(p);
        assertTrue(Files.exists(Path.of("/run/netns/lab05-box")));
    }

    @Test
    void missingIptablesAndNftExit3WithTheAptGetLine() throws Exception {
        // hide both programs in a private mount namespace: a bind mount of /dev/null (not executable) over each
        String cp = System.getProperty("java.class.path");
        Cmd.Result r = shAny("unshare -m --propagation private sh -c 'mount --bind /dev/null $(readlink -f /usr/sbin/iptables)"
            + " && mount --bind /dev/null $(readlink -f /usr/sbin/nft) && " + Path.of(System.getProperty("java.home"), "bin", "java")
            + " --enable-native-access=ALL-UNNAMED -cp " + cp + " Lab05VethNat check'");
        assertEquals(3, r.exit(), r.out() + r.err());
        assertEquals("lab05: iptables and nft are not installed: sudo apt-get install iptables nftables", r.err().strip());
    }

    /** Beyond the contract (LabContractTest): prepare's help for everyone, prepare for root only, explain's NAT line. */
    @Test
    void prepareIsForRootAndExplainShowsTheNatRule() throws Exception {
        LabHarness.assertWorksAsNobody(LAB, "prepare --help");
        var explain = LabHarness.asNobody(LAB, "explain");
        assertTrue(explain.out().contains("$ ip netns exec lab05-router iptables -t nat -A POSTROUTING"), explain.out());
        LabHarness.assertNeedsRootAsNobody(LAB, "prepare");
        LabHarness.assertBadInputExits2(LAB, "prepare extra");
    }
}
