///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab05VethNat

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.lab.LabException;
import unboxed.lab.Upstream;
import unboxed.net.Conntrack;
import unboxed.net.Firewall;
import unboxed.net.Ip;
import unboxed.net.Netns;
import unboxed.net.Probe;
import unboxed.net.Sysctl;
import unboxed.sys.Cmd;

/**
 * Lab 05: from "the box reaches its host" to "the box reaches the internet": default route, ip_forward, MASQUERADE
 * and the conntrack entry that brings the reply home. The whole topology lives in namespaces the lab owns; the host's
 * own firewall, routes and sysctls are never touched.
 */
class Lab05VethNat {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    // The prepared topology: a router that plays the host, and an "internet" on a documentation range behind its uplink.
    static final String ROUTER = "lab05-router", INET = "lab05-inet", UPLINK = "uplink", INET_END = "inet0";
    static final String UPLINK_IP = "203.0.113.1", INET_IP = "203.0.113.2";
    // The box: the demo's is lab05-demo (removed when run ends), the learner's is lab05-box.
    static final String DEMO_BOX = "lab05-demo", BOX = "lab05-box", BOX_END = "veth-box", ROUTER_END = "veth-router";
    static final String BOX_IP = "10.0.5.2", ROUTER_IP = "10.0.5.1", BOX_NET = "10.0.5.0/24";
    static final String FORWARD = "net.ipv4.ip_forward";
    static final String MASQUERADE = "iptables -t nat -A POSTROUTING -s 10.0.5.0/24 -o uplink -j MASQUERADE";
    static final String PREPARE = "sudo ./jbang lab05 prepare";
    static final Upstream UP = new Upstream(ROUTER, INET, UPLINK, INET_END, UPLINK_IP, INET_IP, PREPARE);

    /** The root namespace's firewall and ip_forward when step 1 began, to show they never changed. */
    static String rootBefore;

    static Lab lab() {
        return Lab.define("lab05", "veth, routing and NAT: the box reaches the internet")
            .summary("A box namespace reaches its host over a veth pair but nothing beyond. Give it a default route, "
                + "turn the host into a router (ip_forward), add MASQUERADE on the uplink, and watch the source "
                + "address the internet sees and the conntrack entry that carries the reply back.")
            .minutes(40)
            .objectives(
                "Explain why a namespace with only a veth to its host cannot reach anything beyond it",
                "Route a namespace's traffic through its host: a default route and net.ipv4.ip_forward",
                "Show why forwarding alone is not enough: the far side sees a private source and cannot answer",
                "Add MASQUERADE with iptables, read it back with nft, and find the conntrack entry that un-NATs the reply")
            .prerequisites("Lab 04 (network namespaces and veth pairs)", "A Linux machine or VM where you are root (sudo)",
                "iproute2, iptables, nftables and conntrack (sudo apt-get install iproute2 iptables nftables conntrack)")
            .needs("ip", "iptables", "nft", "conntrack")
            .story("""
                In lab 04 a namespace got a veth pair to its host and could ping it. That is where most hand-made
                "containers" stop, and `ping 8.8.8.8` from inside says *Network is unreachable*. Docker's containers
                reach the internet because the host does three more things: the container gets a **default route**
                pointing at the host's end of the veth; the host **forwards** packets that are not for itself
                (`net.ipv4.ip_forward=1`); and the host rewrites the source address of what leaves through its uplink
                to its own (**MASQUERADE**), remembering each rewrite in its **conntrack** table so that the reply
                can be rewritten back.

                Docker's default network wires it a little differently. The host's end of each container's veth has
                no address: it is a port of the bridge `docker0`, which holds the containers' gateway address
                172.17.0.1/16, and the NAT rule is `-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE` (whatever leaves
                the containers' network by any interface but the bridge). This lab routes on the veth itself: the
                router's end holds the gateway address 10.0.5.1/24 and there is no bridge. That is a valid topology
                too (one link per box); the default route, forwarding and MASQUERADE work the same in both
                (Docker documentation, "Bridge network driver" and "Packet filtering and firewalls").

                Doing this on your real host would change its firewall and sysctls. So the lab builds the whole
                picture in namespaces it owns: `lab05-router` plays the host, `lab05-inet` plays the internet
                (203.0.113.0/24, a range reserved for documentation, behind the router's `uplink` 203.0.113.1), and a
                box namespace hangs off the router on 10.0.5.0/24. Every packet stays inside these namespaces.
                """)
            .makes(new KernelObject.NamedNetns(ROUTER), new KernelObject.NamedNetns(INET), new KernelObject.NamedNetns(DEMO_BOX))
            // the exercise's pair ends by name, and by address whatever the learner named them
            .owns(new KernelObject.NamedNetns(BOX), new KernelObject.Link(BOX_END, null), new KernelObject.Link(ROUTER_END, null),
                new KernelObject.VethWithAddress(BOX_IP + "/24"), new KernelObject.VethWithAddress(ROUTER_IP + "/24"))
            .preflight(Lab05VethNat::refuseAnEarlierDemo)

            .step("Three namespaces: a box, its host, and the internet", s -> s
                .explain("""
                    lab05-router plays the host. Its `uplink` is its way out, to lab05-inet on 203.0.113.0/24.
                    The box, lab05-demo, is tied to the router by a veth pair on 10.0.5.0/24, exactly as a container is
                    tied to its host. `ip link add ... netns A type veth peer name ... netns B` makes a pair with
                    its ends already inside two namespaces.
                    """)
                .shell("""
                    ip netns add lab05-router; ip netns add lab05-inet; ip netns add lab05-demo
                    ip link add uplink netns lab05-router type veth peer name inet0 netns lab05-inet
                    ip -n lab05-router addr add 203.0.113.1/24 dev uplink
                    ip -n lab05-inet addr add 203.0.113.2/24 dev inet0
                    ip link add veth-router netns lab05-router type veth peer name veth-box netns lab05-demo
                    ip -n lab05-router addr add 10.0.5.1/24 dev veth-router
                    ip -n lab05-demo addr add 10.0.5.2/24 dev veth-box
                    for ns in lab05-router lab05-inet lab05-demo; do ip -n $ns link set lo up; done
                    ip -n lab05-router link set uplink up; ip -n lab05-router link set veth-router up
                    ip -n lab05-inet link set inet0 up; ip -n lab05-demo link set veth-box up
                    """)
                .does(Lab05VethNat::threeNamespaces)
                .observe("Three network stacks, each with only its own links. The router is the only one that has both networks."))

            .step("The box reaches its host, and nothing beyond", s -> s
                .explain("""
                    The box has one route: 10.0.5.0/24 through veth-box, made by the kernel when the address was added.
                    10.0.5.1 is on it. 203.0.113.2 is not, and with no default route the kernel refuses to send at
                    all: `ip route get` finds no route, and a datagram's send fails at once. The lab's probe is a UDP
                    datagram from a socket opened on a thread inside the box to a listener opened on a thread inside
                    lab05-inet; bash's `/dev/udp/HOST/PORT` sends one from the shell.
                    """)
                .shell("""
                    ip -n lab05-demo route get 10.0.5.1      # prints: dev veth-box
                    ip netns exec lab05-demo bash -c 'echo probe > /dev/udp/10.0.5.1/9'
                    ip -n lab05-demo route get 203.0.113.2   # fails: Network is unreachable
                    ip netns exec lab05-demo bash -c 'echo probe > /dev/udp/203.0.113.2/9'   # fails: Network is unreachable
                    """)
                .does(Lab05VethNat::onlyTheHost)
                .observe("10.0.5.1 answers; sending to 203.0.113.2 fails at once with \"Network is unreachable\"."))

            .step("A default route: the box hands everything else to its host", s -> s
                .explain("""
                    A default route says "for anything I have no better route for, give it to 10.0.5.1". Now the box
                    sends. But the router was not told to pass on packets addressed to someone else: with
                    `ip_forward` at 0 it drops them.
                    """)
                .shell("ip -n lab05-demo route add default via 10.0.5.1")
                .does(Lab05VethNat::defaultRoute)
                .observe("The datagram leaves the box, and lab05-inet sees nothing: the router's ip_forward is 0."))

            .step("Forwarding on: the host becomes a router, and the reply is lost", s -> s
                .explain("""
                    `net.ipv4.ip_forward=1` lets the router pass packets between its interfaces. The kernel also keeps
                    one switch per interface, `net.ipv4.conf.IF.forwarding` (ip-sysctl.rst): writing ip_forward sets
                    them all, and a packet is forwarded only when the switch of the interface it came in by is on
                    (here veth-router for the box's packets, uplink for the replies). These sysctls belong to the
                    router's network namespace: the root namespace's stay as they were. The datagram now reaches
                    lab05-inet with its source unchanged, 10.0.5.2, a private address lab05-inet has no route to. On
                    the real internet the reply would go nowhere just the same.
                    """)
                .shell("ip netns exec lab05-router sysctl -w net.ipv4.ip_forward=1")
                .does(Lab05VethNat::forwardingOn)
                .observe("lab05-inet sees 10.0.5.2 and cannot answer: \"Network is unreachable\" on its side."))

            .step("MASQUERADE on the uplink", s -> s
                .explain("""
                    In the nat table's POSTROUTING chain, just before a packet leaves through `uplink`, MASQUERADE
                    rewrites its source to the uplink's own address (iptables-extensions(8), MASQUERADE). The router
                    remembers the rewrite, and undoes it on the reply. The datagram sent from the shell goes through
                    now, and leaves a trace for the next step.
                    """)
                .shell("ip netns exec lab05-router " + MASQUERADE + "\n"
                    + "ip netns exec lab05-demo bash -c 'echo probe > /dev/udp/203.0.113.2/9'\n")
                .does(Lab05VethNat::masquerade)
                .observe("lab05-inet now sees 203.0.113.1, answers it, and the reply reaches the box."))
            .topology("What steps 1 to 5 built (the root namespace takes no part)", t -> t
                .netns(DEMO_BOX, "the box")
                .netns(ROUTER, "plays the host")
                .netns(INET, "plays the internet")
                .veth(DEMO_BOX, BOX_END, BOX_IP + "/24", ROUTER, ROUTER_END, ROUTER_IP + "/24")
                .veth(ROUTER, UPLINK, UPLINK_IP + "/24", INET, INET_END, INET_IP + "/24")
                .route(DEMO_BOX, "default via " + ROUTER_IP + " (step 3)")
                .note(ROUTER, "net.ipv4.ip_forward = 1 (step 4)")
                .nat(ROUTER, "-s " + BOX_NET + " -o uplink -j MASQUERADE (step 5)"))

            .step("The conntrack entry that carries the reply back", s -> s
                .explain("""
                    NAT is stateful. The first packet of a flow creates a conntrack entry with two tuples: the
                    original direction (box to inet) and the reply direction the router expects. After MASQUERADE the
                    reply tuple is addressed to 203.0.113.1, not 10.0.5.2: when a packet matching it comes in on
                    `uplink`, the router rewrites its destination back to the box and forwards it. `conntrack -L`
                    (conntrack(8), package conntrack) lists the table of the namespace it runs in. The same table is
                    in /proc/net/nf_conntrack only on kernels built with CONFIG_NF_CONNTRACK_PROCFS; the lab reads
                    that file when it is there, else asks conntrack.
                    """)
                .shell("""
                    ip netns exec lab05-router conntrack -L -p udp   # prints: dst=203.0.113.1
                    """)
                .does(Lab05VethNat::conntrackEntry)
                .observe("The reply tuple goes to 203.0.113.1; the original came from 10.0.5.2. The difference is the NAT."))

            .step("The same rule in nft's words; the host's firewall untouched", s -> s
                .explain("""
                    Since Debian 10 (release notes: "Network filtering is based on nftables framework by default") and
                    Ubuntu 20.10 (ubuntu-devel, August 2020: the switch of the default back-end), `iptables` is iptables-nft (`iptables -V` says `nf_tables`): it writes nf_tables
                    rules, in a table `ip nat`. Older releases run iptables-legacy, whose x_tables rules nft does not
                    list (`iptables-legacy-save` does); the kernel obeys both kinds at once. `iptables-translate`
                    prints the nft command for an iptables one, and `nft list ruleset` inside the router shows the rule
                    as nft sees it (nft 1.0.6, Debian 12's, also warns on standard error that iptables-nft manages
                    the table; older versions say nothing). The root namespace has a ruleset of its own, which the lab
                    never changed.
                    """)
                .shell("""
                    iptables-translate -t nat -A POSTROUTING -s 10.0.5.0/24 -o uplink -j MASQUERADE
                    ip netns exec lab05-router nft list ruleset
                    iptables-save; nft list ruleset; sysctl net.ipv4.ip_forward   # the root namespace: as before
                    """)
                .does(Lab05VethNat::inNftsWords)
                .observe("`masquerade` in a chain hooked at postrouting. The root namespace's rules and ip_forward are as before step 1."))

            .prepare(Lab05VethNat::prepare)
            .exercise("""
                `lab05-router` (with `uplink` 203.0.113.1/24) and `lab05-inet` (203.0.113.2/24) are ready: `run`
                left them, or `sudo ./jbang lab05 prepare` makes them. Now connect a box to the internet by hand with
                `ip` and `iptables` (or `nft`):

                - a persistent network namespace `lab05-box`;
                - a veth pair with 10.0.5.2/24 on the end in `lab05-box` and 10.0.5.1/24 on the end in
                  `lab05-router`, both UP (call them `veth-box` and `veth-router`);
                - a default route in `lab05-box` via 10.0.5.1;
                - IPv4 forwarding on in `lab05-router`;
                - a MASQUERADE rule in `lab05-router` for 10.0.5.0/24 leaving through `uplink`
                  (SNAT to 203.0.113.1 does the same).

                Run every command inside the right namespace (`ip -n NAME`, `ip netns exec NAME`): the root
                namespace's firewall and sysctls are not part of the exercise. The check ends with a datagram from
                `lab05-box` to a listener in `lab05-inet`: it must arrive from 203.0.113.1, and its reply must come back.
                """)
            .topology("What you build on the prepared router and internet", t -> t
                .netns(BOX, "ip netns add lab05-box").yours()
                .netns(ROUTER, "prepared: plays the host")
                .netns(INET, "prepared: plays the internet")
                .veth(BOX, BOX_END, BOX_IP + "/24", ROUTER, ROUTER_END, ROUTER_IP + "/24").yours()
                .veth(ROUTER, UPLINK, UPLINK_IP + "/24", INET, INET_END, INET_IP + "/24")
                .route(BOX, "default via " + ROUTER_IP).yours()
                .note(ROUTER, "net.ipv4.ip_forward = 1").yours()
                .nat(ROUTER, "-s " + BOX_NET + " -o uplink -j MASQUERADE").yours())
            .check("box", "A persistent network namespace called lab05-box", 1, Lab05VethNat::checkBox)
            .check("box-end", "A veth in lab05-box has 10.0.5.2/24 and is UP", 2, Lab05VethNat::checkBoxEnd)
            .check("router-end", "Its peer is in lab05-router with 10.0.5.1/24, UP", 2, Lab05VethNat::checkRouterEnd)
            .check("default-route", "lab05-box's default route is via 10.0.5.1", 2, Lab05VethNat::checkDefaultRoute)
            .check("forwarding", "IPv4 forwarding is on in lab05-router", 2, Lab05VethNat::checkForwarding)
            .check("masquerade", "lab05-router masquerades 10.0.5.0/24 leaving through uplink", 3, Lab05VethNat::checkMasquerade)
            .check("end-to-end", "A datagram from lab05-box reaches lab05-inet from 203.0.113.1, and the reply comes back", 3,
                "ip netns exec lab05-router conntrack -L and nft list ruleset show where it stops",
                Lab05VethNat::checkEndToEnd)
            .solution(s -> s.refuseWhileOwnedPresent()
                .line("ip netns add lab05-box", b -> b.netns(BOX)).answers("box")
                .line("ip link add veth-box type veth peer name veth-router", b -> b.veth(BOX_END, ROUTER_END))
                    .answers("box-end")
                .line("ip link set veth-box netns lab05-box", b -> Ip.moveTo(null, BOX_END, BOX)).answers("box-end")
                .line("ip link set veth-router netns lab05-router", b -> Ip.moveTo(null, ROUTER_END, ROUTER))
                    .answers("router-end")
                .line("ip -n lab05-box addr add 10.0.5.2/24 dev veth-box\nip -n lab05-box link set veth-box up",
                    b -> wire(BOX, BOX_END, BOX_IP)).answers("box-end")
                .line("ip -n lab05-box link set lo up", b -> Ip.up(BOX, "lo"))
                .line("ip -n lab05-router addr add 10.0.5.1/24 dev veth-router\nip -n lab05-router link set veth-router up",
                    b -> wire(ROUTER, ROUTER_END, ROUTER_IP)).answers("router-end")
                .line("ip -n lab05-box route add default via 10.0.5.1", b -> Ip.ip(BOX, "route", "add", "default", "via", ROUTER_IP))
                    .answers("default-route")
                .line("ip netns exec lab05-router sysctl -w net.ipv4.ip_forward=1", b -> Sysctl.set(ROUTER, FORWARD, "1"))
                    .answers("forwarding")
                .line("ip netns exec lab05-router " + MASQUERADE,
                    b -> Firewall.iptables(ROUTER, MASQUERADE.substring("iptables ".length()).split(" ")))
                    .answers("masquerade"))

            .question("Forwarding is on in the router, there is no NAT rule, and the box sends a datagram to 203.0.113.2. "
                    + "Which source address does lab05-inet see?", 0,
                "A router forwards packets as they are; only NAT rewrites addresses. lab05-inet sees 10.0.5.2, has no "
                    + "route to it, and its answer fails with Network is unreachable.",
                "10.0.5.2, the box's own address", "10.0.5.1, the router's end of the veth", "203.0.113.1, the router's uplink")
            .question("With MASQUERADE, lab05-inet answers 203.0.113.1. How does that answer reach 10.0.5.2?", 1,
                "The first packet made a conntrack entry whose reply tuple is addressed to 203.0.113.1; a reply that "
                    + "matches it has its destination rewritten back to 10.0.5.2 and is forwarded to the box.",
                "MASQUERADE also adds a route back to 10.0.5.0/24 for replies", "The router's conntrack entry rewrites it back",
                "It does not: only ICMP echo replies find their way back through NAT")
            .question("You run `ip netns exec lab05-router sysctl -w net.ipv4.ip_forward=1`. What does "
                    + "`cat /proc/sys/net/ipv4/ip_forward` print in the root namespace afterwards?", 1,
                "The files under /proc/sys/net are per network namespace; the opener's namespace decides which copy it "
                    + "sees. The root namespace's value did not move.",
                "1: sysctls are global to the kernel", "What it printed before", "Nothing: the file is gone while a router exists")
            .question("On Debian 12 you add a rule with `iptables -t nat -A POSTROUTING ... -j MASQUERADE`. "
                    + "What does `nft list ruleset` show in that namespace?", 0,
                "Debian's iptables is iptables-nft since Debian 10 (`iptables -V` says nf_tables): it writes nf_tables "
                    + "rules into a table `ip nat`, which nft lists as `masquerade` in chain POSTROUTING. Whether nft adds "
                    + "a warning that iptables-nft manages the table depends on nft's version (1.0.6 prints one on standard "
                    + "error); the rule is listed either way.",
                "The rule, as masquerade in table ip nat", "Nothing: iptables and nft keep separate rules",
                "An error: the two tools cannot share a namespace")
            .reading("ip-netns(8)", "ip-route(8)", "veth(4)", "iptables(8)", "iptables-extensions(8)", "iptables-save(8)",
                "xtables-nft(8)", "nft(8)", "conntrack(8)", "sysctl(8)", "Documentation/networking/ip-sysctl.rst",
                "Debian 10 release notes, nftables by default <https://www.debian.org/releases/buster/amd64/release-notes/ch-whats-new.en.html#nftables>",
                "Ubuntu 20.10 switches iptables to the nftables back-end <https://lists.ubuntu.com/archives/ubuntu-devel/2020-August/041142.html>",
                "Docker's bridge network driver <https://docs.docker.com/engine/network/drivers/bridge/>",
                "Docker's packet filtering and firewalls <https://docs.docker.com/engine/network/packet-filtering-firewalls/>")
            .build();
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    static void threeNamespaces(Bench b) {
        rootBefore = rootFirewallAndForwarding();
        for (String ns : new String[] {ROUTER, INET, DEMO_BOX}) b.netns(ns);
        b.vethBetween(UPLINK, ROUTER, INET_END, INET);
        b.vethBetween(ROUTER_END, ROUTER, BOX_END, DEMO_BOX);
        wire(ROUTER, UPLINK, UPLINK_IP);
        wire(INET, INET_END, INET_IP);
        wire(ROUTER, ROUTER_END, ROUTER_IP);
        wire(DEMO_BOX, BOX_END, BOX_IP);
        for (String ns : new String[] {ROUTER, INET, DEMO_BOX}) {
            Ip.up(ns, "lo");
            b.show("links in " + ns, links(ns));
        }
    }

    static void onlyTheHost(Bench b) throws Exception {
        b.java("InetAddress.isReachable(\"" + ROUTER_IP + "\") on a thread inside " + DEMO_BOX);
        Probe.Result ping = Probe.ping(DEMO_BOX, ROUTER_IP, BOX_END, 1000);
        b.show(DEMO_BOX + " -> " + ROUTER_IP, ping.answered() ? "answered" : "no answer (" + ping.why() + ")");
        b.sh("ip -n " + DEMO_BOX + " route");
        probe(b, DEMO_BOX);
    }

    static void defaultRoute(Bench b) throws Exception {
        Ip.ip(DEMO_BOX, "route", "add", "default", "via", ROUTER_IP);
        b.sh("ip -n " + DEMO_BOX + " route");
        b.show(FORWARD + " in " + ROUTER, Sysctl.get(ROUTER, FORWARD));
        probe(b, DEMO_BOX);
    }

    static void forwardingOn(Bench b) throws Exception {
        b.java("write \"1\" to /proc/sys/net/ipv4/ip_forward, opened on a thread inside " + ROUTER);
        Sysctl.set(ROUTER, FORWARD, "1");
        b.show(FORWARD + " in " + ROUTER, Sysctl.get(ROUTER, FORWARD));
        b.show(FORWARD + " in the root namespace", Sysctl.get(null, FORWARD));
        probe(b, DEMO_BOX);
        b.sh("ip -n " + INET + " route");
    }

    static void masquerade(Bench b) throws Exception {
        b.java("iptables, started from a thread inside " + ROUTER);
        Firewall.iptables(ROUTER, MASQUERADE.substring("iptables ".length()).split(" "));
        b.sh("ip netns exec " + ROUTER + " iptables -t nat -S POSTROUTING");
        probe(b, DEMO_BOX);
    }

    static void conntrackEntry(Bench b) {
        b.java("read " + Conntrack.source(ROUTER) + (Conntrack.source(ROUTER).startsWith("/proc")
            ? " as /proc/thread-self/net/nf_conntrack on a thread inside " + ROUTER : " inside " + ROUTER));
        List<Conntrack.Entry> udp = Conntrack.list(ROUTER).stream()
            .filter(e -> e.protocol().equals("udp") && INET_IP.equals(e.dst())).toList();
        if (udp.isEmpty()) b.show("conntrack entries to " + INET_IP, "none (" + Conntrack.source(ROUTER) + ")");
        for (Conntrack.Entry e : udp) {
            b.show("original direction", e.src() + ":" + e.sport() + " -> " + e.dst() + ":" + e.dport());
            b.show("expected reply", e.replySrc() + ":" + e.replySport() + " -> " + e.replyDst() + ":" + e.replyDport()
                + (e.replied() ? "" : "  [UNREPLIED]"));
            b.show("source translated", e.sourceTranslated() ? "yes: " + e.src() + " became " + e.replyDst() : "no");
        }
    }

    static void inNftsWords(Bench b) {
        b.show("iptables-translate prints", !Cmd.has("iptables-translate") ? "(not installed: it comes with iptables-nft)"
            : Cmd.run(("iptables-translate" + MASQUERADE.substring("iptables".length())).split(" ")).out().strip());
        b.java("nft list ruleset, started from a thread inside " + ROUTER);
        b.console().output(Firewall.nft(ROUTER, "list", "ruleset").out());
        boolean same = rootFirewallAndForwarding().equals(rootBefore);
        b.show("root namespace's rules, ip_forward", same ? "identical to before step 1" : "CHANGED since step 1");
    }

    // ---- the exercise's starting point -----------------------------------------------------------------------

    /** lab05-router with its uplink to lab05-inet; leaves a complete pair as it is. */
    static void prepare(Bench b) {
        UP.prepare(b);
    }

    // ---- exercise checks: kernel state only ---------------------------------------------------------------------

    static Verdict checkBox() {
        if (!Files.exists(Netns.path(BOX))) return fail("/run/netns/lab05-box does not exist: no namespace is named lab05-box");
        if (!Netns.exists(BOX)) return fail("/run/netns/lab05-box is a plain file with nothing mounted on it: the namespace is gone");
        return pass();
    }

    static Verdict checkBoxEnd() {
        if (!Netns.exists(BOX)) return fail("there is no namespace lab05-box to look in");
        Optional<Ip.Link> l = boxEnd();
        if (l.isEmpty()) {
            return fail(Ip.links(null).stream().anyMatch(x -> x.has(BOX_IP + "/24"))
                ? "10.0.5.2/24 is on a link in the root namespace: move that end into lab05-box (ip link set DEV netns lab05-box)"
                : "no link in lab05-box has 10.0.5.2/24 (it has: " + addresses(BOX) + ")");
        }
        return endVerdict(l.get(), BOX);
    }

    static Verdict checkRouterEnd() {
        if (!Netns.exists(ROUTER)) return missingRouter();
        Optional<Ip.Link> l = routerEnd();
        if (l.isEmpty()) {
            return fail(Ip.links(null).stream().anyMatch(x -> x.has(ROUTER_IP + "/24"))
                ? "10.0.5.1/24 is on a link in the root namespace: the router's end belongs in lab05-router"
                : "no link in lab05-router has 10.0.5.1/24 (it has: " + addresses(ROUTER) + ")");
        }
        Verdict v = endVerdict(l.get(), ROUTER);
        if (!v.passed()) return v;
        Optional<Ip.Link> box = Netns.exists(BOX) ? boxEnd() : Optional.empty();
        String peerNs = Ip.peerNetns(ROUTER, l.get()).orElse(null);
        if (!BOX.equals(peerNs) || box.isEmpty() || !Integer.valueOf(box.get().index()).equals(l.get().peerIndex())) {
            return fail(l.get().name() + "'s other end is " + (peerNs == null ? "not in a named namespace" : "in " + peerNs)
                + (box.isPresent() ? ", not " + box.get().name() + " in lab05-box" : "") + ": they must be the two ends of one veth pair");
        }
        return pass();
    }

    static Verdict checkDefaultRoute() {
        if (!Netns.exists(BOX)) return fail("there is no namespace lab05-box to look in");
        List<Ip.Route> defaults = Ip.routes(BOX).stream()
            .filter(r -> "default".equals(r.dst()) && "main".equals(r.table())).toList();
        if (defaults.isEmpty()) return fail("lab05-box has no default route");
        if (defaults.stream().anyMatch(r -> ROUTER_IP.equals(r.gateway()))) return pass();
        Ip.Route r = defaults.get(0);
        return fail("lab05-box's default route is " + (r.gateway() == null ? "dev " + r.dev() + " with no gateway"
            : "via " + r.gateway()) + ", not via 10.0.5.1");
    }

    /**
     * The kernel forwards a packet when forwarding is on for the interface it came in by
     * (net.ipv4.conf.IF.forwarding, ip-sysctl.rst); net.ipv4.ip_forward=1 sets it for every interface at once. The box's
     * datagram comes in by the router's end of the veth, its reply by uplink: both must forward.
     */
    static Verdict checkForwarding() {
        if (!Netns.exists(ROUTER)) return missingRouter();
        String end = routerEnd().map(Ip.Link::name).orElse(null);
        List<String> off = new ArrayList<>();
        for (String dev : end == null ? List.of(UPLINK) : List.of(end, UPLINK)) {
            if (!"1".equals(Sysctl.interfaceForwarding(ROUTER, dev))) off.add(dev);
        }
        if (off.isEmpty()) return pass();
        if (!"1".equals(Sysctl.get(ROUTER, FORWARD)) && off.size() == (end == null ? 1 : 2)) {
            String root = Sysctl.get(null, FORWARD);
            return fail("net.ipv4.ip_forward is 0 in lab05-router" + ("1".equals(root)
                ? " (the root namespace's is 1: a sysctl run outside the router changes the host's, not the router's)" : ""));
        }
        return fail(off.stream().map(d -> "net.ipv4.conf." + d + ".forwarding").collect(java.util.stream.Collectors.joining(" and "))
            + " is 0 in lab05-router: packets that come in by " + String.join(" or ", off) + " are not forwarded"
            + (off.contains(UPLINK) ? " (uplink brings the replies)" : " (the box's traffic comes in by " + end + ")"));
    }

    static Verdict checkMasquerade() {
        return UP.masquerade(BOX_NET, routerEnd().map(Ip.Link::name).orElse(null));
    }

    /** What lab05-router's nat chains, followed from postrouting, do with the box network's traffic to the uplink. */
    static Firewall.Outcome natOutcome() {
        return UP.natOutcome(BOX_NET, routerEnd().map(Ip.Link::name).orElse(null));
    }

    /**
     * The check's own probe: a datagram from lab05-box to a listener inside lab05-inet. It is sent only when both the
     * box and the router would route it through the lab's own links, so it can never leave through the host.
     */
    static Verdict checkEndToEnd() throws Exception {
        return UP.endToEnd(BOX, BOX_IP, BOX_NET, routerEnd().map(Ip.Link::name).orElse(null), Lab05VethNat::checkForwarding);
    }

    static Verdict missingRouter() {
        return UP.missing();
    }

    /** The veth in the box that carries 10.0.5.2/24 (or, failing that, the one that carries 10.0.5.2 at all). */
    static Optional<Ip.Link> boxEnd() {
        return endWith(BOX, BOX_IP);
    }

    static Optional<Ip.Link> routerEnd() {
        return endWith(ROUTER, ROUTER_IP);
    }

    static Optional<Ip.Link> endWith(String ns, String ip) {
        List<Ip.Link> links = Ip.links(ns);
        return links.stream().filter(l -> l.has(ip + "/24")).findFirst()
            .or(() -> links.stream().filter(l -> l.ipv4().stream().anyMatch(a -> a.startsWith(ip + "/"))).findFirst());
    }

    static Verdict endVerdict(Ip.Link l, String ns) {
        String want = (ns.equals(BOX) ? BOX_IP : ROUTER_IP) + "/24";
        if (!l.has(want)) return fail(l.name() + " in " + ns + " has " + String.join(", ", l.ipv4()) + ", not " + want);
        if (!"veth".equals(l.kind())) return fail(l.name() + " in " + ns + " is a " + l.kind() + ", not a veth");
        if (!l.up()) return fail(l.name() + " in " + ns + " is DOWN");
        return pass();
    }

    // ---- solve, reset and the guard beyond .makes and .owns ----------------------------------------------------------------------

    /** The articles' way: make the pair in the root namespace, then move each end where it belongs. */

    /**
     * Exit 4 from prepare or solve while the demo of an earlier run is still there (run clears it before it gets here:
     * this is after `run --step N` or a killed run). A foreign lab05-router, lab05-inet or lab05-demo is refused by
     * the declaration (.makes).
     */
    static void refuseAnEarlierDemo(Bench b) {
        if (Files.exists(Netns.path(DEMO_BOX)) && b.journaled(new KernelObject.NamedNetns(DEMO_BOX))) {
            throw LabException.conflict("the demo of an earlier run (stopped by --step, or interrupted) is still there; "
                + "`sudo ./jbang lab05 reset` first");
        }
    }

    // ---- small helpers -----------------------------------------------------------------------------------------

    static void wire(String ns, String dev, String ip) {
        Upstream.wire(ns, dev, ip);
    }

    static void probe(Bench b, String box) throws Exception {
        UP.probe(b, box);
    }

    static String links(String ns) {
        return Upstream.links(ns);
    }

    static String addresses(String ns) {
        return Upstream.addresses(ns);
    }

    static String rootFirewallAndForwarding() {
        return Upstream.rootFirewallAndForwarding();
    }
}
