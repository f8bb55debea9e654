package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.sh;
import static unboxed.LabHarness.shAny;
import static unboxed.LabHarness.succeeds;
import static unboxed.LabSession.fail;
import static unboxed.LabSession.passes;
import static unboxed.LabSession.row;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import unboxed.lab.Lab;
import unboxed.lab.Upstream;

/**
 * lab11's own behaviour, as root on this kernel: the bridge, its ports and the boxes graded by kernel state, the
 * check's own datagrams and its own service in box1 behind the published port; solutions with iptables and nft, with
 * `master` at creation and namespaces pinned by unshare; the near misses the issue names (a port not enslaved, the
 * address on a port, DNAT without forwarding, MASQUERADE for everything, the wrong DNAT port); and the root
 * namespace's firewall and ip_forward the same byte for byte after every test.
 */
class Lab11BridgeTest {
    static final Lab LAB = LabHarness.lab("Lab11Bridge");
    static final String MASQ = "ip netns exec lab11-router iptables -t nat -A POSTROUTING -s 10.0.11.0/24 ! -o br0 -j MASQUERADE\n";
    static final String DNAT = "ip netns exec lab11-router iptables -t nat -A PREROUTING -d 203.0.113.1 -p tcp --dport 8080 -j DNAT --to-destination 10.0.11.2:80\n";
    static final String FORWARD = "ip netns exec lab11-router sysctl -w net.ipv4.ip_forward=1\n";
    static final String BRIDGE = """
        ip -n lab11-router link add br0 type bridge
        ip -n lab11-router addr add 10.0.11.1/24 dev br0
        ip -n lab11-router link set br0 up
        """;
    /** The root namespace's forwarding as this test found it, and the other value. */
    static final String ROOT_FORWARD = unboxed.net.Sysctl.get(null, "net.ipv4.ip_forward"),
        NOT_ROOT_FORWARD = ROOT_FORWARD.equals("0") ? "1" : "0";
    /** The exercise as the lab's reference solution types it (solve's lines), after `prepare` made the router and internet. */
    static final String MANUAL = LAB.solution.script();

    @RegisterExtension
    static final LabSession S = new LabSession(LAB)
        .alsoUnchanged("the root namespace's firewall and ip_forward", Upstream::rootFirewallAndForwarding)
        // a row's bridge made in the root namespace by mistake (only one with the exercise's address)
        .tidy(() -> shAny("ip -br addr show dev br0 2>/dev/null | grep -q 10.0.11.1/24 && ip link del br0; "
            + "ip link del l11t-eth0 2>/dev/null; true"))
        .afterReset(() -> assertFalse(sh("ip netns list").contains("lab11-"), sh("ip netns list")));

    @BeforeAll
    static void toolsArePresent() {
        LabHarness.assertToolsPresent("ip", "bridge", "iptables", "iptables-save", "nft", "conntrack");
    }

    @TestFactory
    Stream<DynamicTest> freshState() {
        return S.rows(row("fresh state", "", fail("bridge", "lab11-router and lab11-inet are missing: `sudo ./jbang lab11 prepare`"),
            fail("box1", "there is no namespace lab11-box1"), fail("box2"), fail("routes"), fail("forwarding"),
            fail("masquerade"), fail("out"), fail("box-to-box"), fail("published")));
    }

    // every row runs the lab for real (tens of seconds): the full suite runs them, -Pfast keeps the rest
    @Tag("slow")
    @TestFactory
    Stream<DynamicTest> afterPrepare() {
        return S.rowsAfter("prepare",
            row("prepared: the starting point", "", fail("bridge", "lab11-router has no link br0"),
                fail("forwarding", "ip_forward is 0 in lab11-router"), fail("masquerade", "has no MASQUERADE"),
                fail("box1"), fail("box2"), fail("routes"), fail("out"), fail("box-to-box"), fail("published")),
            passes("nft for both rules", MANUAL.replace(MASQ + DNAT, """
                ip netns exec lab11-router nft add table ip nat
                ip netns exec lab11-router nft 'add chain ip nat postrouting { type nat hook postrouting priority 100; }'
                ip netns exec lab11-router nft 'add chain ip nat prerouting { type nat hook prerouting priority -100; }'
                ip netns exec lab11-router nft add rule ip nat postrouting ip saddr 10.0.11.0/24 oifname != br0 masquerade
                ip netns exec lab11-router nft add rule ip nat prerouting ip daddr 203.0.113.1 tcp dport 8080 dnat to 10.0.11.2:80
                """)),
            passes("ports enslaved as they are made (ip link add ... master br0)", MANUAL
                .replace("ip link add veth1 netns lab11-router type veth", "ip -n lab11-router link add veth1 master br0 type veth")
                .replace("ip -n lab11-router link set veth1 master br0\n", "")),
            passes("the articles' way: pairs made in the root namespace and moved; boxes pinned by unshare", MANUAL
                .replace("ip netns add lab11-box1\n", "touch /run/netns/lab11-box1\nunshare --net=/run/netns/lab11-box1 true\n")
                .replace("ip link add veth2 netns lab11-router type veth peer name eth0 netns lab11-box2\n",
                    "ip link add veth2 type veth peer name l11t-eth0\nip link set veth2 netns lab11-router\n"
                        + "ip link set l11t-eth0 netns lab11-box2\nip -n lab11-box2 link set l11t-eth0 name eth0\n")),
            passes("forwarding switched on per interface", MANUAL.replace(FORWARD, """
                ip netns exec lab11-router sysctl -w net.ipv4.conf.br0.forwarding=1
                ip netns exec lab11-router sysctl -w net.ipv4.conf.uplink.forwarding=1
                """)),
            passes("SNAT to the uplink's address, a FORWARD policy of DROP with what Docker accepts", MANUAL
                .replace("-j MASQUERADE", "-j SNAT --to-source 203.0.113.1") + """
                ip netns exec lab11-router iptables -P FORWARD DROP
                ip netns exec lab11-router iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
                ip netns exec lab11-router iptables -A FORWARD -i br0 ! -o br0 -j ACCEPT
                ip netns exec lab11-router iptables -A FORWARD -i br0 -o br0 -j ACCEPT
                ip netns exec lab11-router iptables -A FORWARD -d 10.0.11.2 -o br0 -p tcp --dport 80 -j ACCEPT
                """),
            row("a port not enslaved", MANUAL.replace("ip -n lab11-router link set veth2 master br0\n", ""),
                fail("box2", "veth2, the other end of lab11-box2's eth0, is not a port of any bridge"),
                fail("out", "(lab11-box2;"), fail("box-to-box", "never reached 10.0.11.3")),
            row("the address on a port instead of the bridge", MANUAL
                    .replace("ip -n lab11-router addr add 10.0.11.1/24 dev br0\n", "") + "ip -n lab11-router addr add 10.0.11.1/24 dev veth1\n",
                fail("bridge", "10.0.11.1/24 is on veth1, a port of br0, not on br0"),
                fail("box1", "veth1, a port of br0, has 10.0.11.1/24: a port carries no address"),
                // the probes through the router wait for a gateway on br0
                fail("out", "not probed: the boxes' gateway is not ready"), fail("published", "not probed")),
            row("DNAT without forwarding", MANUAL.replace(FORWARD, ""),
                fail("forwarding", "ip_forward is 0 in lab11-router"),
                fail("published", "translates it to 10.0.11.2:80 but does not forward it"), fail("out")),
            row("MASQUERADE without ! -o br0", MANUAL.replace(" ! -o br0", ""),
                fail("box-to-box", "also translates traffic from 10.0.11.0/24 that leaves by br0")),
            // no source match either: the published port's connections leave by br0 and are masqueraded too
            row("MASQUERADE for everything", MANUAL.replace(" -s 10.0.11.0/24 ! -o br0", ""),
                fail("box-to-box", "also translates traffic from 10.0.11.0/24 that leaves by br0"),
                fail("published", "saw the connection come from 10.0.11.1, not 203.0.113.2", "(add ! -o br0)")),
            row("the wrong DNAT port", MANUAL.replace("10.0.11.2:80", "10.0.11.2:8080"),
                fail("published", "sends it to 10.0.11.2:8080, and the service in lab11-box1 listens on port 80")),
            row("no DNAT", MANUAL.replace(DNAT, ""), fail("published", "lab11-router has no DNAT rule")),
            row("DNAT with no port", MANUAL.replace("10.0.11.2:80", "10.0.11.2"),
                fail("published", "sends it to 10.0.11.2 (port unchanged, 8080)")),
            row("DNAT to the other box", MANUAL.replace("10.0.11.2:80", "10.0.11.3:80"),
                fail("published", "sends it to 10.0.11.3:80, and lab11-box1 is 10.0.11.2")),
            row("no default route in box2", MANUAL.replace("ip -n lab11-box2 route add default via 10.0.11.1\n", ""),
                fail("routes", "lab11-box2 has no default route"), fail("out", "lab11-box2 has no route to 203.0.113.2")),
            row("lo left down in box1", MANUAL.replace("ip -n lab11-box1 link set lo up\n", ""),
                fail("box1", "lo in lab11-box1 is DOWN")),
            // The host's forwarding changed since prepare noted it: simulated by editing the note (the opposite of
            // today's value), so that this test never writes a root-namespace sysctl itself.
            row("the host's ip_forward changed since prepare", MANUAL + "sed -i -E 's/(\"kind\":\"sysctl\",\"target\":"
                + "\"net.ipv4.ip_forward\",\"where\":\")[01]\"/\\1" + NOT_ROOT_FORWARD + "\"/' /run/unboxed/lab11.journal\n",
                fail("root", "net.ipv4.ip_forward = " + ROOT_FORWARD, "it was " + NOT_ROOT_FORWARD)),
            row("the bridge made in the root namespace", MANUAL.replace(BRIDGE, """
                    ip link add br0 type bridge
                    ip addr add 10.0.11.1/24 dev br0
                    ip link set br0 up
                    """).replace("master br0", "master br0 2>/dev/null; true"),
                fail("bridge", "br0 with 10.0.11.1/24 is in the root namespace"),
                fail("root", "the address 10.0.11.1/24 on br0"), fail("box1", "is not a port of any bridge"), fail("box2"),
                fail("out"), fail("box-to-box"), fail("published")));
    }

    // every row runs the lab for real (tens of seconds): the full suite runs them, -Pfast keeps the rest
    @Tag("slow")
    @Test
    void runShowsTheStoryAndLeavesOnlyThePreparedTopology() {
        String out = succeeds(LAB, "run").out();
        for (String line : List.of("Step 8/8", "ports of br0                       veth1 UP, no address; veth2 UP, no address",
            "lab11-demo2 sees it from           10.0.11.2:", "on port veth1", "on port veth2",
            "net.ipv4.ip_forward in lab11-router 0 (nothing was routed)", "lab11-inet sees it from            203.0.113.1:",
            "203.0.113.1:8080 from lab11-inet   accepted by the service in the box, which sees the client as 203.0.113.2",
            "destination translated             yes: 203.0.113.1:8080 became 10.0.11.2:80",
            "203.0.113.1:8080 from lab11-router failed: Connection refused",
            "lab11-inet sees it from            nothing arrived", "dnat to 10.0.11.2:80",
            "root namespace's rules, ip_forward identical to before step 1")) {
            assertTrue(out.contains(line), line + " in:\n" + out);
        }
        assertEquals(List.of("lab11-inet", "lab11-router"), sh("ip netns list").lines()
            .map(l -> l.split(" ")[0]).filter(n -> n.startsWith("lab11-")).sorted().toList());
        assertEquals("0", sh("ip netns exec lab11-router cat /proc/sys/net/ipv4/ip_forward").strip());
        assertFalse(sh("ip -n lab11-router -br link").contains("br0"));
        assertFalse(sh("ip netns exec lab11-router nft list ruleset").contains("dnat"));
    }
}
