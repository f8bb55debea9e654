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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.lab.HostState;
import unboxed.lab.Lab;
import unboxed.ns.Mounts;
import unboxed.sys.Cmd;

/**
 * lab05's own behaviour, as root on this kernel: every piece graded by kernel state plus the check's own UDP round
 * trip, solutions with iptables and with nft, near misses, crashes, and the proof that the root namespace's firewall
 * and ip_forward come out of every test byte for byte as they went in (the session's own fingerprint).
 */
class Lab05VethNatTest {
    static final Lab LAB = LabHarness.lab("Lab05VethNat");
    /** The exercise with the articles' commands (the lab's reference solution), after `prepare` (or run) made lab05-router and lab05-inet. */
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
    @RegisterExtension
    static final LabSession S = new LabSession(LAB)
        .alsoUnchanged("the root namespace's firewall and ip_forward", Lab05VethNatTest::rootFirewall)
        .tidy(() -> shAny("ip link del lab05t-root")) // a row's veth with one end in the root namespace
        .afterReset(() -> assertFalse(sh("ip netns list").contains("lab05-"), sh("ip netns list")));

    @BeforeAll
    static void toolsArePresent() {
        LabHarness.assertToolsPresent("ip", "iptables", "iptables-save", "nft");
    }

    /** The root namespace's firewall and ip_forward, byte for byte (iptables-save's dated comment lines aside). */
    static String rootFirewall() {
        String save = Cmd.run("iptables-save").out().lines().filter(l -> !l.startsWith("#"))
            .collect(Collectors.joining("\n"));
        return "iptables-save:\n" + save + "\nnft list ruleset:\n" + Cmd.run("nft", "list", "ruleset").out()
            + "\nip_forward: " + sh("cat /proc/sys/net/ipv4/ip_forward");
    }

    @TestFactory
    Stream<DynamicTest> freshState() {
        return S.rows(row("fresh state", "", fail("box", "/run/netns/lab05-box does not exist"),
            fail("forwarding", "lab05-router and lab05-inet are missing: `sudo ./jbang lab05 prepare`"),
            fail("box-end"), fail("router-end"), fail("default-route"), fail("masquerade"), fail("end-to-end")));
    }

    @TestFactory
    Stream<DynamicTest> afterPrepare() {
        return S.rowsAfter("prepare",
            row("prepared: the starting point", "", fail("forwarding", "ip_forward is 0 in lab05-router"),
                fail("masquerade", "has no MASQUERADE"), fail("box"), fail("box-end"), fail("router-end"), fail("default-route"),
                fail("end-to-end")),
            passes("nft masquerade", MANUAL.replace(RULE, """
                ip netns exec lab05-router nft add table ip nat
                ip netns exec lab05-router nft 'add chain ip nat postrouting { type nat hook postrouting priority 100; }'
                ip netns exec lab05-router nft add rule ip nat postrouting ip saddr 10.0.5.0/24 oifname uplink masquerade
                """)),
            passes("SNAT to the uplink's address", MANUAL.replace(RULE,
                "ip netns exec lab05-router iptables -t nat -A POSTROUTING -s 10.0.5.0/24 -o uplink -j SNAT --to-source 203.0.113.1\n")),
            // the check's own round trip leaves its trace where the lab says it does
            passes("the exercise right after run", MANUAL).after("run").then(() -> {
                String ct = sh("ip netns exec lab05-router cat /proc/net/nf_conntrack");
                assertTrue(ct.contains("src=10.0.5.2 dst=203.0.113.2") && ct.contains("src=203.0.113.2 dst=203.0.113.1"), ct);
            }),
            // issue 14: every way the kernel masquerades the box's traffic is graded as what it does
            passes("an iptables user chain reached by -j", MANUAL.replace(RULE, """
                ip netns exec lab05-router iptables -t nat -N BOXNAT
                ip netns exec lab05-router iptables -t nat -A POSTROUTING -o uplink -j BOXNAT
                ip netns exec lab05-router iptables -t nat -A BOXNAT -s 10.0.5.0/24 -j MASQUERADE
                """)),
            passes("an nft regular chain reached by jump, with a set", MANUAL.replace(RULE, """
                ip netns exec lab05-router nft add table ip lab
                ip netns exec lab05-router nft 'add chain ip lab post { type nat hook postrouting priority srcnat; }'
                ip netns exec lab05-router nft add chain ip lab boxes
                ip netns exec lab05-router nft add rule ip lab post oifname uplink jump boxes
                ip netns exec lab05-router nft add rule ip lab boxes ip saddr '{ 10.0.5.0/24 }' masquerade
                """)),
            passes("nft inet family, snat ip to, oifname != veth-router", MANUAL.replace(RULE, """
                ip netns exec lab05-router nft add table inet lab
                ip netns exec lab05-router nft 'add chain inet lab srcnat { type nat hook postrouting priority srcnat; }'
                ip netns exec lab05-router nft add rule inet lab srcnat oifname != veth-router ip saddr 10.0.5.0/24 snat ip to 203.0.113.1
                """)),
            passes("iptables-legacy", MANUAL.replace(RULE, RULE.replace(" iptables ", " iptables-legacy "))),
            passes("SNAT --to-source a range of one address", MANUAL.replace(RULE, RULE.replace("-j MASQUERADE",
                "-j SNAT --to-source 203.0.113.1-203.0.113.1"))),
            passes("forwarding switched on per interface", MANUAL.replace("ip netns exec lab05-router sysctl -w net.ipv4.ip_forward=1\n", """
                ip netns exec lab05-router sysctl -w net.ipv4.conf.veth-router.forwarding=1
                ip netns exec lab05-router sysctl -w net.ipv4.conf.uplink.forwarding=1
                """)),
            row("forwarding on for the box's side only", MANUAL.replace("ip netns exec lab05-router sysctl -w net.ipv4.ip_forward=1\n",
                    "ip netns exec lab05-router sysctl -w net.ipv4.conf.veth-router.forwarding=1\n"),
                fail("forwarding", "net.ipv4.conf.uplink.forwarding is 0 in lab05-router"),
                fail("end-to-end", "the reply never reached the box")),
            row("an earlier RETURN ends the chain", MANUAL + "ip netns exec lab05-router iptables -t nat -I POSTROUTING -j RETURN\n",
                fail("masquerade", "returns before any translation in POSTROUTING"), fail("end-to-end", "from 10.0.5.2")),
            // traffic flows, but the check cannot say which packets the extra match takes: no points, and why
            row("an extra match the check does not read", MANUAL.replace("-o uplink -j", "-o uplink -m conntrack --ctstate NEW -j"),
                fail("masquerade", "the check cannot tell which packets it takes (it also matches --ctstate NEW)")),
            row("masquerading out of the wrong interface", MANUAL.replace("-o uplink", "-o veth-router"),
                fail("end-to-end", "saw the datagram come from 10.0.5.2", "leaving veth-router"),
                fail("masquerade", "matches packets leaving veth-router, and 10.0.5.0/24 reaches the internet through uplink")),
            row("no forwarding", MANUAL.replace("ip netns exec lab05-router sysctl -w net.ipv4.ip_forward=1\n", ""),
                fail("forwarding", "ip_forward is 0 in lab05-router"),
                fail("end-to-end", "never reached 203.0.113.2: lab05-router does not forward")),
            row("no default route", MANUAL.replace("ip netns exec lab05-box ip route add default via 10.0.5.1\n", ""),
                fail("default-route", "lab05-box has no default route"), fail("end-to-end", "no route to 203.0.113.2")),
            // translates the box's one address, which the round trip uses, but not the box network
            row("a single host as source", MANUAL.replace("-s 10.0.5.0/24", "-s 10.0.5.2"),
                fail("masquerade", "matches source 10.0.5.2/32, not the whole of 10.0.5.0/24")),
            row("tcp only", MANUAL.replace("-o uplink -j", "-o uplink -p tcp -j"),
                fail("masquerade", "matches only protocol tcp"), fail("end-to-end", "from 10.0.5.2")),
            // the default route goes with the link: the kernel flushes routes through a device set down
            row("the box's end down", MANUAL + "ip -n lab05-box link set veth-box down\n",
                fail("box-end", "veth-box in lab05-box is DOWN"), fail("default-route"), fail("end-to-end")),
            row("wrong prefix", MANUAL.replace("10.0.5.2/24", "10.0.5.2/16"), fail("box-end", "has 10.0.5.2/16, not 10.0.5.2/24")),
            // forgot to move the router's end: it stays in the root namespace (reset removes it there), and the box's
            // default route now leads into the root namespace: the probe never sends through it
            row("the router's end left in the root namespace", MANUAL.replace("ip link set veth-router netns lab05-router\n", "")
                    .replace("ip netns exec lab05-router ip addr add 10.0.5.1/24 dev veth-router\n", "ip addr add 10.0.5.1/24 dev veth-router\n")
                    .replace("ip netns exec lab05-router ip link set veth-router up\n", "ip link set veth-router up\n"),
                fail("router-end", "10.0.5.1/24 is on a link in the root namespace"),
                fail("end-to-end", "whose other end is not in lab05-router: not probed")),
            // the box's route to 203.0.113.2 through a veth whose peer is in the root namespace: the probe refuses
            row("a round trip through the root namespace", """
                    ip netns add lab05-box
                    ip link add lab05t-root type veth peer name lab05t-box
                    ip link set lab05t-box netns lab05-box
                    ip -n lab05-box addr add 10.0.5.2/24 dev lab05t-box
                    ip -n lab05-box link set lab05t-box up
                    ip -n lab05-box route add default dev lab05t-box
                    """,
                fail("end-to-end", "whose other end is not in lab05-router: not probed"), fail("router-end"),
                fail("default-route"), fail("forwarding"), fail("masquerade")));
    }

    @Test
    void preparedTopologyIsTheStartingPointAndASecondPrepareKeepsIt() {
        succeeds(LAB, "prepare");
        // prepared: the router's uplink faces the internet; forwarding off, no NAT, no box (the verdicts: a row)
        assertTrue(sh("ip -n lab05-router -br addr").contains("203.0.113.1/24"));
        assertTrue(sh("ip -n lab05-inet -br addr").contains("203.0.113.2/24"));
        assertEquals("0", sh("ip netns exec lab05-router cat /proc/sys/net/ipv4/ip_forward").strip());
        Outcome again = succeeds(LAB, "prepare");
        assertTrue(again.out().contains("are ready"), again.out());
    }

    /**
     * Issue 12's reproduction, on a fresh machine's /run/netns (absent): the learner's first `ip netns add` came after
     * the lab pinned lab05-router and lab05-inet, stacked a new /run/netns over them, and reset failed with EINVAL.
     * Now the lab's namespaces and the learner's share one layer, check grades, and reset leaves nothing.
     */
    @Test
    void onAFreshMachineTheLearnersIpNetnsAddAfterPrepareHidesNothing() {
        KnownState.freshRunNetns(); // whatever an earlier test left: absent, as on a freshly booted machine
        S.recapture();
        succeeds(LAB, "prepare");
        sh(MANUAL);
        assertEquals(1, Mounts.ofHost().stream().filter(m -> m.mountPoint().equals("/run/netns")).count(),
            "one /run/netns layer: " + sh("grep /run/netns /proc/self/mountinfo"));
        LabHarness.assertAllPass(LabHarness.checkById(LAB));
    }

    @Test
    void runShowsTheStoryAndLeavesOnlyThePreparedTopology() {
        String out = succeeds(LAB, "run").out();
        for (String line : List.of("Step 7/7", "lab05-demo sends to 203.0.113.2    failed: Network is unreachable",
            "lab05-inet sees it from            10.0.5.2:", "lab05-inet's reply                 cannot be sent: Network is unreachable",
            "lab05-inet sees it from            203.0.113.1:", "reached lab05-demo",
            "source translated                  yes: 10.0.5.2 became 203.0.113.1", "oifname \"uplink\" ip saddr 10.0.5.0/24",
            "root namespace's rules, ip_forward identical to before step 1",
            "$ ip netns exec lab05-router iptables -t nat -A POSTROUTING -s 10.0.5.0/24 -o uplink -j MASQUERADE")) {
            assertTrue(out.contains(line), line + " in:\n" + out);
        }
        assertTrue(out.matches("(?s).*net\\.ipv4\\.ip_forward in the root namespace [01].*"), out);
        // what stays: exactly the two prepared namespaces, with forwarding off and no NAT rule yet
        assertEquals(List.of("lab05-inet", "lab05-router"), sh("ip netns list").lines()
            .map(l -> l.split(" ")[0]).filter(n -> n.startsWith("lab05-")).sorted().toList());
        assertEquals("0", sh("ip netns exec lab05-router cat /proc/sys/net/ipv4/ip_forward").strip());
        assertFalse(sh("ip netns exec lab05-router nft list ruleset").contains("masquerade"));
        assertFalse(sh("ip -n lab05-router -br link").contains("veth-router"));
        // and the root namespace shows nothing of it but the two names (their files and mounts under /run/netns, made
        // a shared mount of itself as ip netns add does)
        List<String> diff = HostState.diff(S.before(), HostState.capture()).stream()
            .filter(l -> !l.matches("\\+ (netns lab05-(router|inet)|mount /run/netns/lab05-(router|inet) nsfs .*"
                + "|mount /run/netns \\S+ \\S+ \\S+ shared|owned lab05: network namespace lab05-(router|inet))")).toList();
        assertTrue(diff.isEmpty(), String.join("\n", diff));
        assertEquals(S.alsoBefore(), rootFirewall());
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

    @Tag("slow") // SIGKILLs of run at several steps: with CrashCycleTest in the full suite, out of the -Pfast loop
    @ParameterizedTest
    @ValueSource(strings = {"1|Notice", "4|Notice", "5|Notice", "7|Notice",
        // after the last step, while run builds the exercise's starting topology
        "7|$ ip netns add lab05-router; ip netns add lab05-inet"})
    void sigkillDuringRunThenResetLeavesNothing(String killAt) throws Exception {
        int step = Integer.parseInt(killAt.split("\\|")[0]);
        LabHarness.sigkillAtStep(LAB, step, killAt.split("\\|")[1]);
        if (step < 7) assertTrue(Files.exists(Path.of("/run/netns/lab05-router")), "the kill left the router");
    }

    /** Beyond the contract's solve: what solve shows (the articles' commands), and a crash in the middle of it. */
    @Test
    void sigkillDuringSolveThenResetLeavesNothing() throws Exception {
        String seen = LabHarness.sigkillOnceShown(LAB, "ip link set veth-box netns lab05-box", "solve");
        assertTrue(seen.contains("$ ip link add veth-box type veth peer name veth-router"), seen);
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
