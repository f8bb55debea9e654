///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab11Bridge

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.net.BindException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.lab.LabException;
import unboxed.lab.Upstream;
import unboxed.net.Conntrack;
import unboxed.net.Echo;
import unboxed.net.Firewall;
import unboxed.net.Ip;
import unboxed.net.Netns;
import unboxed.net.Sysctl;
import unboxed.sys.Cmd;

/**
 * Lab 11: many boxes on one bridge, as Docker's default network wires its containers: a Linux bridge in a router
 * namespace, two boxes on its ports, NAT out for whatever leaves by anything but the bridge, and a published port in
 * (DNAT), with the conntrack entry, the OUTPUT rule for the router's own connections, and a FORWARD policy of DROP.
 * Everything lives in namespaces the lab owns; the host's own firewall, routes and sysctls are never touched.
 */
class Lab11Bridge {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    // The prepared topology, as lab05's: a router that plays the host, and an "internet" behind its uplink.
    static final String ROUTER = "lab11-router", INET = "lab11-inet", UPLINK = "uplink", INET_END = "inet0";
    static final String UPLINK_IP = "203.0.113.1", INET_IP = "203.0.113.2";
    static final Upstream UP = new Upstream(ROUTER, INET, UPLINK, INET_END, UPLINK_IP, INET_IP, "sudo ./jbang lab11 prepare");
    // The bridge and its network; the demo's boxes (removed when run ends) and the learner's.
    static final String BRIDGE = "br0", GATEWAY = "10.0.11.1", NET = "10.0.11.0/24";
    static final String DEMO1 = "lab11-demo1", DEMO2 = "lab11-demo2", BOX1 = "lab11-box1", BOX2 = "lab11-box2";
    static final String IP1 = "10.0.11.2", IP2 = "10.0.11.3", PORT1 = "veth1", PORT2 = "veth2", BOX_END = "eth0";
    static final int PUBLISHED = 8080, SERVICE = 80;
    static final String FORWARD = Upstream.FORWARD;
    static final String MASQUERADE = "iptables -t nat -A POSTROUTING -s 10.0.11.0/24 ! -o br0 -j MASQUERADE";
    static final String DNAT = "iptables -t nat -A PREROUTING -d 203.0.113.1 -p tcp --dport 8080 -j DNAT --to-destination 10.0.11.2:80";
    static final String OUTPUT_DNAT = "iptables -t nat -A OUTPUT -d 203.0.113.1 -p tcp --dport 8080 -j DNAT --to-destination 10.0.11.2:80";
    static final List<String> FORWARD_RULES = List.of(
        "iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
        "iptables -A FORWARD -i br0 ! -o br0 -j ACCEPT",
        "iptables -A FORWARD -i br0 -o br0 -j ACCEPT",
        "iptables -A FORWARD -d 10.0.11.2 -o br0 -p tcp --dport 80 -j ACCEPT");

    /** The root namespace's firewall and ip_forward when step 1 began, to show they never changed. */
    static String rootBefore;

    static Lab lab() {
        return Lab.define("lab11", "a bridge, two boxes, NAT out and a published port in")
            .summary("Put two box namespaces on a Linux bridge inside a router namespace, as Docker's default network "
                + "does: ports with no address and the gateway on the bridge, ARP and the bridge's forwarding table, "
                + "MASQUERADE for what leaves by anything but the bridge, then publish a port with DNAT, read its "
                + "conntrack entry, catch the router's own connections in OUTPUT, and close FORWARD with a policy of DROP.")
            .minutes(50)
            .objectives(
                "Build a bridge with the gateway address on it and veth ports with none, and tell switching from routing",
                "Read ARP (ip neigh) and the bridge's forwarding table (bridge fdb), and say which box's frames go where",
                "Masquerade a subnet leaving by anything but the bridge, and say why box-to-box traffic must be left alone",
                "Publish a box's port with DNAT, find its conntrack entry, and add the OUTPUT rule for the router's own connections",
                "Run FORWARD with a policy of DROP and the rules that let replies, outbound and published traffic through")
            .prerequisites("Lab 05 (veth, routing and NAT)", "A Linux machine or VM where you are root (sudo)",
                "iproute2 (ip, bridge), iptables, nftables and conntrack (sudo apt-get install iproute2 iptables nftables conntrack)")
            .needs("ip", "bridge", "iptables", "nft", "conntrack")
            .story("""
                Lab 05 gave one box a veth of its own to a router and routed on it. A Docker host runs many
                containers, and its default network puts them all on one **bridge**, `docker0`: a switch in
                software. The host's end of each container's veth becomes a **port** of the bridge and carries no
                address; the containers' gateway address (172.17.0.1/16) sits on the bridge itself. Containers on the
                same bridge reach each other as machines on one switch do: by ARP and Ethernet frames that the bridge
                forwards by the MAC addresses it has learned, with no router in the way. What leaves for anywhere
                else goes to the gateway, is routed, and is masqueraded: `-s 172.17.0.0/16 ! -o docker0 -j
                MASQUERADE`. And `docker run -p 8080:80` **publishes** a port: a DNAT rule sends connections to the
                host's port 8080 to the container's port 80 (Docker documentation, "Bridge network driver" and "Packet
                filtering and firewalls").

                As in lab 05 the lab builds the whole picture in namespaces it owns, so that the host's firewall and
                sysctls stay as they are: `lab11-router` plays the host, with a bridge `br0` on 10.0.11.0/24 and an
                `uplink` (203.0.113.1) to `lab11-inet`, which plays the internet (203.0.113.0/24, a range reserved
                for documentation). The service in the box is a Java server socket, opened on a thread inside the
                box's namespace: a socket belongs to the namespace of the thread that opens it.
                """)
            .makes(new KernelObject.NamedNetns(ROUTER), new KernelObject.NamedNetns(INET),
                new KernelObject.NamedNetns(DEMO1), new KernelObject.NamedNetns(DEMO2))
            // the boxes by name; a box's end left in the root namespace by its address, whatever the learner named it
            .owns(new KernelObject.NamedNetns(BOX1), new KernelObject.NamedNetns(BOX2),
                new KernelObject.VethWithAddress(IP1 + "/24"), new KernelObject.VethWithAddress(IP2 + "/24"))
            .preflight(Lab11Bridge::refuseAnEarlierDemo)

            .step("A router, an internet, and a bridge", s -> s
                .explain("""
                    lab11-router plays the host: its `uplink` (203.0.113.1) leads to lab11-inet (203.0.113.2), as in
                    lab 05. Inside it, `ip link add br0 type bridge` makes a bridge (ip-link(8)): a link that forwards
                    Ethernet frames between the links attached to it, its ports. The boxes' gateway address,
                    10.0.11.1/24, goes on the bridge: the router's IP layer sees the bridge as one interface on the
                    boxes' network, whatever port a frame came in by.
                    """)
                .shell(UP.shell() + """
                    ip -n lab11-router link add br0 type bridge
                    ip -n lab11-router addr add 10.0.11.1/24 dev br0
                    ip -n lab11-router link set br0 up
                    """)
                .does(Lab11Bridge::routerAndBridge)
                .observe("br0 is a bridge with 10.0.11.1/24 and no ports yet."))

            .step("Two boxes, each on a port of the bridge", s -> s
                .explain("""
                    Each box gets a veth pair: `eth0` inside the box with its address, and the other end in the router,
                    attached to the bridge with `ip link set veth1 master br0`. That end is now a port: the frames
                    that come in by it are the bridge's to forward, and it needs no IP address of its own (an
                    address there would make the router answer on a port, beside the bridge, not through it).
                    `bridge link` lists the ports.
                    """)
                .shell("""
                    ip netns add lab11-demo1; ip netns add lab11-demo2
                    ip link add veth1 netns lab11-router type veth peer name eth0 netns lab11-demo1
                    ip link add veth2 netns lab11-router type veth peer name eth0 netns lab11-demo2
                    ip -n lab11-router link set veth1 master br0; ip -n lab11-router link set veth1 up
                    ip -n lab11-router link set veth2 master br0; ip -n lab11-router link set veth2 up
                    ip -n lab11-demo1 addr add 10.0.11.2/24 dev eth0; ip -n lab11-demo1 link set eth0 up; ip -n lab11-demo1 link set lo up
                    ip -n lab11-demo2 addr add 10.0.11.3/24 dev eth0; ip -n lab11-demo2 link set eth0 up; ip -n lab11-demo2 link set lo up
                    bridge -n lab11-router link show   # prints: master br0
                    """)
                .does(Lab11Bridge::twoBoxes)
                .observe("veth1 and veth2 are ports of br0, UP, with no address; each box has its eth0 on 10.0.11.0/24."))

            .step("Box to box: ARP and the bridge's forwarding table, and nothing routed", s -> s
                .explain("""
                    demo1 sends to 10.0.11.3, an address on its own network: it asks by ARP which MAC address has it
                    (a broadcast, which the bridge floods to every port), demo2 answers, and the datagram goes in a
                    frame to demo2's MAC. `ip neigh` shows what demo1 learned. The bridge learned too: the source MAC
                    of every frame and the port it came in by go into its forwarding database, `bridge fdb` (learned
                    entries are the ones not marked permanent), and from then on a frame for that MAC goes out by that
                    port only. The router's forwarding is still off: nothing here was routed. (When the br_netfilter
                    module is loaded, as Docker loads it, bridged IPv4 frames also pass the iptables hooks,
                    net.bridge.bridge-nf-call-iptables; they are still switched, not routed.)
                    """)
                .shell("""
                    ip netns exec lab11-demo1 ping -c1 -W1 10.0.11.3
                    ip -n lab11-demo1 neigh show   # prints: 10.0.11.3 dev eth0 lladdr
                    bridge -n lab11-router fdb show br br0 dynamic
                    ip netns exec lab11-router sysctl net.ipv4.ip_forward   # prints: = 0
                    """)
                .does(Lab11Bridge::boxToBox)
                .observe("demo2 sees 10.0.11.2; demo1's ARP cache holds demo2's MAC; br0 learned each box's MAC on its port."))

            .step("Out to the internet: default routes, forwarding, and MASQUERADE for all but the bridge", s -> s
                .explain("""
                    As in lab 05: each box's default route goes to the gateway, 10.0.11.1, the router forwards, and
                    MASQUERADE rewrites the source of what leaves to the uplink's address. The rule names the
                    boxes' network and every way out **but the bridge** (`! -o br0`), as Docker's does: a packet from
                    one box to another that passes the router's nat table (routed between two bridges, or bridged
                    with br_netfilter on) must keep its source, or the box it reaches would see every neighbour as
                    10.0.11.1, and a published port's service would see its clients so too.
                    """)
                .shell("ip -n lab11-demo1 route add default via 10.0.11.1\n"
                    + "ip -n lab11-demo2 route add default via 10.0.11.1\n"
                    + "ip netns exec lab11-router sysctl -w net.ipv4.ip_forward=1\n"
                    + "ip netns exec lab11-router " + MASQUERADE + "\n"
                    + "ip netns exec lab11-demo2 ping -c1 -W1 203.0.113.2\n")
                .does(Lab11Bridge::outToTheInternet)
                .observe("Both boxes reach lab11-inet as 203.0.113.1; demo2 still sees demo1 as 10.0.11.2."))

            .step("Publishing a port: DNAT from the uplink to a box", s -> s
                .explain("""
                    `docker run -p 8080:80` in iptables' words: in the nat table's PREROUTING chain, a TCP
                    connection to the uplink's address, port 8080, has its destination rewritten to 10.0.11.2 port 80
                    (iptables-extensions(8), DNAT). The rewrite happens before the routing decision, so the router
                    forwards the connection to the box through br0. The box answers its client, 203.0.113.2, through
                    its default route, and the router's conntrack entry rewrites the answer's source back to
                    203.0.113.1:8080. From the shell nothing listens in the box, so the box itself refuses (a TCP
                    reset: "Connection refused"), and `conntrack -L` may list nothing: the entry of a connection that a
                    reset refused ends at once. The lab's Java service, opened on a thread inside demo1, accepts, and
                    its connection's entry shows both tuples.
                    """)
                .shell("ip netns exec lab11-router " + DNAT + "\n"
                    + "ip netns exec lab11-inet bash -c 'echo > /dev/tcp/203.0.113.1/8080'   # fails: Connection refused\n"
                    + "ip netns exec lab11-router iptables -t nat -S PREROUTING   # prints: --to-destination 10.0.11.2:80\n"
                    + "ip netns exec lab11-router conntrack -L -p tcp --dport 8080\n")
                .does(Lab11Bridge::publish)
                .observe("demo1's service sees the client as 203.0.113.2; the conntrack entry's reply comes from 10.0.11.2:80."))

            .step("From the router itself: OUTPUT, and Docker's userland proxy", s -> s
                .explain("""
                    A connection the router opens itself never passes PREROUTING: locally generated packets go
                    through the nat table's OUTPUT chain instead. So from the router, 203.0.113.1:8080 is just a
                    port of its own where nothing listens. A DNAT rule in OUTPUT catches these too. Docker, by
                    default, runs a small process, docker-proxy, that listens on each published port of the host
                    and relays what the NAT rules do not catch (connections from the host itself, to 127.0.0.1 among
                    them); with `"userland-proxy": false` in daemon.json it adds rules like this one instead
                    (Docker documentation, "Packet filtering and firewalls"). The box sees such a connection come
                    from 203.0.113.1: the router chose the source address for a destination of its own, before
                    OUTPUT rewrote the destination.
                    """)
                .shell("ip netns exec lab11-router bash -c 'echo > /dev/tcp/203.0.113.1/8080'   # fails: Connection refused\n"
                    + "ip netns exec lab11-router " + OUTPUT_DNAT + "\n"
                    + "ip netns exec lab11-router iptables -t nat -S OUTPUT   # prints: --to-destination 10.0.11.2:80\n")
                .does(Lab11Bridge::fromTheRouter)
                .observe("Refused by the router itself before the rule; the box's service accepts after it."))

            .step("FORWARD with a policy of DROP, and what must be let through", s -> s
                .explain("""
                    A careful host does not forward everything: the filter table's FORWARD chain gets a policy of
                    DROP, and rules that accept what is meant to pass. Replies and the rest of known connections
                    (`--ctstate ESTABLISHED,RELATED`), new connections from the bridge to anywhere else (`-i br0 !
                    -o br0`), box to box (`-i br0 -o br0`: needed where bridged frames pass iptables), and new
                    connections to the published service (after DNAT, their destination is 10.0.11.2:80). Docker
                    does the same on its hosts: it sets FORWARD's policy to DROP and puts its own chains in front, with
                    DOCKER-USER first for the administrator's rules. That is why hand-made NAT for a VM or another
                    namespace stops working on a host once Docker runs there: its forwarded packets meet Docker's
                    DROP, and the place to accept them is DOCKER-USER.
                    """)
                .shell("ip netns exec lab11-router iptables -P FORWARD DROP\n"
                    + "ip netns exec lab11-demo1 ping -c1 -W1 203.0.113.2   # fails\n"
                    + FORWARD_RULES.stream().map(r -> "ip netns exec lab11-router " + r + "\n").collect(Collectors.joining())
                    + "ip netns exec lab11-demo1 ping -c1 -W1 203.0.113.2\n")
                .does(Lab11Bridge::forwardDrop)
                .observe("With only the policy, nothing forwarded gets through; with the four rules, everything this network needs does."))
            .topology("What steps 1 to 7 built (the root namespace takes no part)", t -> t
                .netns(DEMO1, "a box")
                .netns(DEMO2, "a box")
                .netns(ROUTER, "plays the host: br0 10.0.11.1/24, ports veth1 and veth2")
                .netns(INET, "plays the internet")
                .veth(DEMO1, BOX_END, IP1 + "/24", ROUTER, PORT1 + " (port of br0)", "")
                .veth(DEMO2, BOX_END, IP2 + "/24", ROUTER, PORT2 + " (port of br0)", "")
                .veth(ROUTER, UPLINK, UPLINK_IP + "/24", INET, INET_END, INET_IP + "/24")
                .route(DEMO1, "default via " + GATEWAY + " (step 4)")
                .route(DEMO2, "default via " + GATEWAY + " (step 4)")
                .note(ROUTER, "net.ipv4.ip_forward = 1 (step 4)")
                .nat(ROUTER, "-s " + NET + " ! -o br0 -j MASQUERADE (step 4)")
                .nat(ROUTER, "PREROUTING -d 203.0.113.1 -p tcp --dport 8080 -j DNAT --to-destination 10.0.11.2:80 (step 5)")
                .nat(ROUTER, "OUTPUT, the same DNAT (step 6)")
                .note(ROUTER, "FORWARD policy DROP, four ACCEPT rules (step 7)")
                .note(DEMO1, "service on port 80 (a Java ServerSocket)"))

            .step("The same rules in nft's words; the host's firewall untouched", s -> s
                .explain("""
                    iptables on Debian 12 is iptables-nft: its rules are nf_tables rules in tables `ip nat` and
                    `ip filter`, and `nft list ruleset` inside the router lists them. `iptables-restore-translate`
                    reads what iptables-save printed and writes the nft commands that make the same rules
                    (xtables-translate(8)): `masquerade` with `oifname != "br0"`, `dnat to 10.0.11.2:80`, `ct state
                    related,established accept` and a `policy drop` chain. Written with nft in a table of your own, they
                    do the same work. The root namespace's rules and ip_forward are as they were before step 1.
                    """)
                .shell("""
                    ip netns exec lab11-router iptables-save | iptables-restore-translate -f /dev/stdin   # prints: dnat to 10.0.11.2:80
                    ip netns exec lab11-router nft list ruleset
                    iptables-save; nft list ruleset; sysctl net.ipv4.ip_forward   # the root namespace: as before
                    """)
                .does(Lab11Bridge::inNftsWords)
                .observe("Each iptables rule has its nft line. The root namespace's rules and ip_forward are as before step 1."))

            .prepare(UP::prepare)
            .exercise("""
                `lab11-router` (with `uplink` 203.0.113.1/24) and `lab11-inet` (203.0.113.2/24) are ready: `run`
                left them, or `sudo ./jbang lab11 prepare` makes them. Build Docker's default network by hand, with
                `ip` (or `bridge`) and `iptables` (or `nft`), every command inside the lab's namespaces:

                - a bridge `br0` in `lab11-router` with 10.0.11.1/24, UP;
                - namespaces `lab11-box1` (10.0.11.2/24) and `lab11-box2` (10.0.11.3/24), each with `lo` UP and one
                  veth whose other end, in `lab11-router`, is a port of `br0` (UP, no address), and a default route
                  via 10.0.11.1;
                - forwarding on in `lab11-router`, and a MASQUERADE rule there for 10.0.11.0/24 leaving by anything
                  but the bridge: both boxes reach `lab11-inet`, seen there as 203.0.113.1;
                - box1 and box2 reach each other over the bridge, each seeing the other's own address;
                - port 8080 of 203.0.113.1 published to port 80 of box1: TCP connections from `lab11-inet` reach it,
                  and box1 sees its client as 203.0.113.2.

                The check opens the service itself: a listener on port 80, on a thread inside `lab11-box1`, for as
                long as it connects to it from `lab11-inet`. The root namespace's firewall, routes and sysctls are not
                part of the exercise.
                """)
            .topology("What you build on the prepared router and internet", t -> t
                .netns(BOX1, "ip netns add lab11-box1").yours()
                .netns(BOX2, "ip netns add lab11-box2").yours()
                .netns(ROUTER, "prepared: plays the host; br0 10.0.11.1/24 is yours")
                .netns(INET, "prepared: plays the internet")
                .veth(BOX1, BOX_END, IP1 + "/24", ROUTER, PORT1 + " (port of br0)", "").yours()
                .veth(BOX2, BOX_END, IP2 + "/24", ROUTER, PORT2 + " (port of br0)", "").yours()
                .veth(ROUTER, UPLINK, UPLINK_IP + "/24", INET, INET_END, INET_IP + "/24")
                .note(ROUTER, "br0: bridge, 10.0.11.1/24, UP").yours()
                .route(BOX1, "default via " + GATEWAY).yours()
                .route(BOX2, "default via " + GATEWAY).yours()
                .note(ROUTER, "net.ipv4.ip_forward = 1").yours()
                .nat(ROUTER, "-s " + NET + " ! -o br0 -j MASQUERADE").yours()
                .nat(ROUTER, "203.0.113.1:8080 -> DNAT 10.0.11.2:80").yours()
                .note(BOX1, "port 80: the check's own listener"))
            .check("bridge", "A bridge br0 in lab11-router with 10.0.11.1/24, UP", 2, Lab11Bridge::checkBridge)
            .check("box1", "lab11-box1: lo UP, 10.0.11.2/24 on a veth whose other end is a port of br0 with no address", 2,
                () -> checkBox(BOX1, IP1))
            .check("box2", "lab11-box2: lo UP, 10.0.11.3/24 on a veth whose other end is a port of br0 with no address", 2,
                () -> checkBox(BOX2, IP2))
            .check("routes", "Both boxes' default route is via 10.0.11.1", 1, Lab11Bridge::checkRoutes)
            .check("forwarding", "IPv4 forwarding is on in lab11-router", 1, Lab11Bridge::checkForwarding)
            .check("masquerade", "lab11-router masquerades 10.0.11.0/24 leaving by uplink", 2, Lab11Bridge::checkMasquerade)
            .check("out", "A datagram from each box reaches lab11-inet from 203.0.113.1, and the reply comes back", 2,
                "ip netns exec lab11-router conntrack -L and nft list ruleset show where it stops", Lab11Bridge::checkOut)
            .check("box-to-box", "box1 reaches box2 over the bridge and is seen as 10.0.11.2 (no NAT between boxes)", 2,
                "leave traffic that leaves by the bridge alone: MASQUERADE with ! -o br0 (nft: oifname != \"br0\")",
                Lab11Bridge::checkBoxToBox)
            .check("published", "A TCP connection from lab11-inet to 203.0.113.1:8080 reaches port 80 in box1, seen from 203.0.113.2", 3,
                Lab11Bridge::checkPublished)
            .check("root", "The root namespace carries none of it: no rule, address or route of 10.0.11.0/24 or 203.0.113.0/24, its forwarding as it was", 1,
                "run every command inside the lab's namespaces (ip -n NAME, ip netns exec NAME); delete what went into the root namespace",
                Lab11Bridge::checkRoot)
            .solution(s -> s.refuseWhileOwnedPresent()
                .line("ip -n lab11-router link add br0 type bridge", b -> b.bridge(BRIDGE, ROUTER)).answers("bridge")
                .line("ip -n lab11-router addr add 10.0.11.1/24 dev br0\nip -n lab11-router link set br0 up",
                    b -> Upstream.wire(ROUTER, BRIDGE, GATEWAY)).answers("bridge")
                .line(boxLines(BOX1, PORT1, IP1), b -> box(b, BOX1, PORT1, IP1)).answers("box1", "routes")
                .line(boxLines(BOX2, PORT2, IP2), b -> box(b, BOX2, PORT2, IP2)).answers("box2", "routes")
                .line("ip netns exec lab11-router sysctl -w net.ipv4.ip_forward=1", b -> Sysctl.set(ROUTER, FORWARD, "1"))
                    .answers("forwarding")
                .line("ip netns exec lab11-router " + MASQUERADE, b -> iptables(MASQUERADE)).answers("masquerade", "out")
                .line("ip netns exec lab11-router " + DNAT, b -> iptables(DNAT)).answers("published"))

            .question("box1 sends a datagram to box2 (both on br0, in the same /24) while the router's ip_forward is 0. "
                    + "What happens?", 1,
                "Both are on one network: box1 finds box2's MAC by ARP and sends the frame; the bridge switches it "
                    + "from port to port by its forwarding table. Nothing is routed, so ip_forward does not matter.",
                "It is dropped: the router must forward it", "box2 receives it: the bridge switches the frame",
                "It reaches box2 only once MASQUERADE rewrites it")
            .question("Why does Docker's rule say `-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE` rather than just "
                    + "`-s 172.17.0.0/16 -j MASQUERADE`?", 2,
                "Without `! -o docker0`, traffic between containers that passes the nat table (with br_netfilter) and "
                    + "connections DNATed to a published port would reach the container from the bridge's address, "
                    + "hiding who the client was.",
                "So that the rule is also used for IPv6 traffic on the bridge", "Because MASQUERADE on a bridge would crash the kernel",
                "So that containers still see each other's and published clients' real addresses")
            .question("A DNAT rule in PREROUTING publishes 203.0.113.1:8080 to a box. A program on the router itself "
                    + "connects to 203.0.113.1:8080 and is refused. Why?", 0,
                "Locally generated packets do not pass PREROUTING; the nat table's OUTPUT chain sees them. Without a "
                    + "DNAT rule there (or Docker's userland proxy listening on the port), the router's own stack "
                    + "answers, and nothing listens on 8080.",
                "Its packets pass OUTPUT, not PREROUTING", "DNAT works only for UDP",
                "The conntrack table has no room for local connections")
            .question("FORWARD's policy is DROP, with only `-i br0 ! -o br0 -j ACCEPT`. A box connects to lab11-inet. "
                    + "What happens to the reply?", 0,
                "The reply comes in by uplink and goes out by br0: no rule accepts that, and the policy drops it. "
                    + "`-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT` lets replies of known connections through.",
                "It is dropped, unless ESTABLISHED,RELATED is accepted", "It is let through: replies never meet FORWARD",
                "It is masqueraded back, which bypasses the filter table")
            .reading("ip-link(8)", "bridge(8)", "ip-neighbour(8)", "iptables(8)", "iptables-extensions(8)", "conntrack(8)",
                "xtables-translate(8)", "nft(8)", "Documentation/networking/ip-sysctl.rst",
                "Docker's bridge network driver <https://docs.docker.com/engine/network/drivers/bridge/>",
                "Docker's packet filtering and firewalls <https://docs.docker.com/engine/network/packet-filtering-firewalls/>",
                "Docker's port publishing and mapping <https://docs.docker.com/engine/network/port-publishing/>")
            .build();
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    static void routerAndBridge(Bench b) {
        rootBefore = Upstream.rootFirewallAndForwarding();
        UP.build(b);
        b.java("ip link add br0 type bridge, run from a thread inside " + ROUTER);
        b.bridge(BRIDGE, ROUTER);
        Upstream.wire(ROUTER, BRIDGE, GATEWAY);
        b.show("links in " + ROUTER, Upstream.links(ROUTER));
        b.show("br0's kind", Ip.link(ROUTER, BRIDGE).map(Ip.Link::kind).orElse("?"));
        b.show("ports of br0", portsOf(ROUTER));
    }

    static void twoBoxes(Bench b) {
        for (String[] box : new String[][] {{DEMO1, PORT1, IP1}, {DEMO2, PORT2, IP2}}) {
            b.netns(box[0]);
            b.vethBetween(box[1], ROUTER, BOX_END, box[0]);
        }
        for (String[] box : new String[][] {{DEMO1, PORT1, IP1}, {DEMO2, PORT2, IP2}}) {
            Ip.ip(ROUTER, "link", "set", box[1], "master", BRIDGE);
            Ip.up(ROUTER, box[1]);
            Upstream.wire(box[0], BOX_END, box[2]);
            Ip.up(box[0], "lo");
        }
        b.show("ports of br0", portsOf(ROUTER));
        for (String box : new String[] {DEMO1, DEMO2}) b.show("links in " + box, Upstream.links(box));
    }

    static void boxToBox(Bench b) throws Exception {
        b.java("a DatagramSocket opened on a thread in " + DEMO2 + " (" + IP2 + "), another in " + DEMO1 + "; send, answer");
        Echo.Result r = Echo.udp(DEMO1, DEMO2, IP2, 1000);
        b.show(DEMO2 + " sees it from", r.arrived() ? r.seenSource() : "nothing arrived");
        b.show(DEMO2 + "'s reply", r.replied() ? "reached " + DEMO1 : "never reached " + DEMO1);
        String mac2 = Ip.link(DEMO2, BOX_END).map(Ip.Link::mac).orElse("?"), mac1 = Ip.link(DEMO1, BOX_END).map(Ip.Link::mac).orElse("?");
        b.show(DEMO1 + "'s ARP entry for " + IP2, Ip.neighbours(DEMO1).stream().filter(n -> IP2.equals(n.address()))
            .map(n -> n.mac() + (n.mac() != null && n.mac().equals(mac2) ? " (demo2's eth0)" : "")).findFirst().orElse("none"));
        List<Ip.FdbEntry> fdb = Ip.fdb(ROUTER, BRIDGE);
        for (String[] box : new String[][] {{"demo1's", mac1}, {"demo2's", mac2}}) {
            b.show("br0 learned " + box[0] + " MAC", fdb.stream().filter(e -> !e.local() && e.mac().equals(box[1])).findFirst()
                .map(e -> e.mac() + " on port " + e.dev()).orElse("not (yet)"));
        }
        b.show(FORWARD + " in " + ROUTER, Sysctl.get(ROUTER, FORWARD) + " (nothing was routed)");
    }

    static void outToTheInternet(Bench b) throws Exception {
        for (String box : new String[] {DEMO1, DEMO2}) Ip.ip(box, "route", "add", "default", "via", GATEWAY);
        Sysctl.set(ROUTER, FORWARD, "1");
        b.java("iptables, started from a thread inside " + ROUTER);
        iptables(MASQUERADE);
        UP.probe(b, DEMO1);
        UP.probe(b, DEMO2);
        Echo.Result r = Echo.udp(DEMO1, DEMO2, IP2, 1000);
        b.show(DEMO2 + " sees " + DEMO1 + " as", r.arrived() ? r.seenAddress() : "nothing arrived");
    }

    static void publish(Bench b) throws Exception {
        b.java("iptables, started from a thread inside " + ROUTER);
        iptables(DNAT);
        b.java("a ServerSocket on port 80, opened on a thread in " + DEMO1 + "; a Socket in " + INET + " connects to "
            + UPLINK_IP + ":" + PUBLISHED);
        Echo.TcpResult t = Echo.tcp(INET, DEMO1, SERVICE, UPLINK_IP, PUBLISHED, 2000);
        showConnection(b, INET, t);
        Conntrack.list(ROUTER).stream().filter(e -> e.protocol().equals("tcp") && Integer.valueOf(t.clientPort()).equals(e.sport()))
            .findFirst().ifPresent(e -> {
                b.show("original direction", e.src() + ":" + e.sport() + " -> " + e.dst() + ":" + e.dport());
                b.show("expected reply", e.replySrc() + ":" + e.replySport() + " -> " + e.replyDst() + ":" + e.replyDport());
                b.show("destination translated", e.destinationTranslated()
                    ? "yes: " + e.dst() + ":" + e.dport() + " became " + e.replySrc() + ":" + e.replySport() : "no");
            });
    }

    static void fromTheRouter(Bench b) throws Exception {
        b.java("a Socket opened on a thread in " + ROUTER + " connects to " + UPLINK_IP + ":" + PUBLISHED);
        showConnection(b, ROUTER, Echo.tcp(ROUTER, DEMO1, SERVICE, UPLINK_IP, PUBLISHED, 2000));
        iptables(OUTPUT_DNAT);
        b.sh("ip netns exec " + ROUTER + " iptables -t nat -S OUTPUT");
        showConnection(b, ROUTER, Echo.tcp(ROUTER, DEMO1, SERVICE, UPLINK_IP, PUBLISHED, 2000));
    }

    static void forwardDrop(Bench b) throws Exception {
        Firewall.iptables(ROUTER, "-P", "FORWARD", "DROP");
        b.show("FORWARD's policy in " + ROUTER, "DROP, no rules");
        UP.probe(b, DEMO1);
        for (String r : FORWARD_RULES) iptables(r);
        b.sh("ip netns exec " + ROUTER + " iptables -S FORWARD");
        UP.probe(b, DEMO1);
        UP.probe(b, DEMO2);
        showConnection(b, INET, Echo.tcp(INET, DEMO1, SERVICE, UPLINK_IP, PUBLISHED, 2000));
        Echo.Result r = Echo.udp(DEMO1, DEMO2, IP2, 1000);
        b.show(DEMO2 + " sees " + DEMO1 + " as", r.arrived() ? r.seenAddress() : "nothing arrived");
    }

    static void inNftsWords(Bench b) {
        b.java("iptables-save, started from a thread inside " + ROUTER + ", into iptables-restore-translate");
        Cmd.Result save = Firewall.exec(ROUTER, "iptables-save");
        if (Cmd.has("iptables-restore-translate")) {
            b.console().output(Cmd.run(List.of("bash", "-c", "iptables-restore-translate -f /dev/stdin <<'EOF'\n" + save.out() + "EOF\n"), 30)
                .out().lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n")) + "\n");
        } else {
            b.show("iptables-restore-translate", "(not installed: it comes with iptables-nft)");
        }
        b.java("nft list ruleset, started from a thread inside " + ROUTER);
        b.console().output(Firewall.nft(ROUTER, "list", "ruleset").out());
        boolean same = Upstream.rootFirewallAndForwarding().equals(rootBefore);
        b.show("root namespace's rules, ip_forward", same ? "identical to before step 1" : "CHANGED since step 1");
    }

    /** What one connection to the published port came to, as the box's service saw it. */
    static void showConnection(Bench b, String from, Echo.TcpResult t) {
        String target = UPLINK_IP + ":" + PUBLISHED + " from " + from;
        if (t.connectError() != null) {
            b.show(target, "failed: " + t.connectError());
        } else {
            b.show(target, t.accepted() ? "accepted by the service in the box, which sees the client as " + t.seenAddress()
                : "connected, but not to the box's service");
        }
    }

    // ---- exercise checks: kernel state only ---------------------------------------------------------------------

    static Verdict checkBridge() {
        if (!Netns.exists(ROUTER)) return UP.missing();
        Optional<Ip.Link> br = Ip.link(ROUTER, BRIDGE);
        if (br.isEmpty()) {
            if (Ip.links(null).stream().anyMatch(l -> l.name().equals(BRIDGE) && "bridge".equals(l.kind()) && l.has(GATEWAY + "/24"))) {
                return fail("br0 with 10.0.11.1/24 is in the root namespace: delete it there (ip link del br0) and make "
                    + "it with ip -n lab11-router link add br0 type bridge");
            }
            return fail("lab11-router has no link br0 (it has: " + Upstream.links(ROUTER) + ")");
        }
        Ip.Link l = br.get();
        if (!"bridge".equals(l.kind())) return fail("br0 in lab11-router is a " + l.kind() + ", not a bridge (ip link add br0 type bridge)");
        if (!l.has(GATEWAY + "/24")) {
            Optional<Ip.Link> onPort = Ip.ports(ROUTER, BRIDGE).stream().filter(p -> p.has(GATEWAY + "/24")).findFirst();
            if (onPort.isPresent()) {
                return fail("10.0.11.1/24 is on " + onPort.get().name() + ", a port of br0, not on br0: a port hands its "
                    + "frames to the bridge, and the router's IP layer answers on the bridge (move the address to br0)");
            }
            return fail("br0 has " + (l.ipv4().isEmpty() ? "no IPv4 address" : String.join(", ", l.ipv4())) + ", not 10.0.11.1/24");
        }
        if (!l.up()) return fail("br0 in lab11-router is DOWN");
        return pass();
    }

    static Verdict checkBox(String box, String ip) {
        if (!Netns.exists(box)) {
            return fail(Files.exists(Netns.path(box)) ? "/run/netns/" + box + " is a plain file with nothing mounted on it"
                : "there is no namespace " + box);
        }
        Optional<Ip.Link> lo = Ip.link(box, "lo");
        if (lo.isEmpty() || !lo.get().up()) return fail("lo in " + box + " is DOWN");
        Optional<Ip.Link> end = Ip.links(box).stream().filter(l -> l.has(ip + "/24")).findFirst();
        if (end.isEmpty()) {
            return fail(Ip.links(null).stream().anyMatch(x -> x.has(ip + "/24"))
                ? ip + "/24 is on a link in the root namespace: move that end into " + box + " (ip link set DEV netns " + box + ")"
                : "no link in " + box + " has " + ip + "/24 (it has: " + Upstream.addresses(box) + ")");
        }
        Ip.Link l = end.get();
        if (!"veth".equals(l.kind())) return fail(l.name() + " in " + box + " is a " + l.kind() + ", not a veth");
        if (!l.up()) return fail(l.name() + " in " + box + " is DOWN");
        String peerNs = Ip.peerNetns(box, l).orElse(null);
        if (!ROUTER.equals(peerNs) || !Netns.exists(ROUTER)) {
            return fail(l.name() + "'s other end is " + (peerNs == null ? "not in a named namespace" : "in " + peerNs)
                + ", not in lab11-router");
        }
        Optional<Ip.Link> port = Ip.links(ROUTER).stream().filter(p -> p.index() == l.peerIndex()).findFirst();
        if (port.isEmpty()) return fail(l.name() + "'s other end is not among lab11-router's links");
        Ip.Link p = port.get();
        if (!BRIDGE.equals(p.master())) {
            return fail(p.name() + ", the other end of " + box + "'s " + l.name() + ", is " + (p.master() == null
                ? "not a port of any bridge" : "a port of " + p.master() + ", not br0")
                + ": frames from the box never reach br0 (ip -n lab11-router link set " + p.name() + " master br0)");
        }
        if (!p.ipv4().isEmpty()) {
            return fail(p.name() + ", a port of br0, has " + String.join(", ", p.ipv4()) + ": a port carries no address, "
                + "the bridge does (ip -n lab11-router addr del " + p.ipv4().get(0) + " dev " + p.name() + ")");
        }
        if (!p.up()) return fail(p.name() + ", the port of br0 for " + box + ", is DOWN");
        return pass();
    }

    static Verdict checkRoutes() {
        List<String> wrong = new ArrayList<>();
        for (String box : new String[] {BOX1, BOX2}) {
            if (!Netns.exists(box)) {
                wrong.add("there is no namespace " + box);
                continue;
            }
            List<Ip.Route> defaults = Ip.routes(box).stream().filter(r -> "default".equals(r.dst()) && "main".equals(r.table())).toList();
            if (defaults.isEmpty()) {
                wrong.add(box + " has no default route");
            } else if (defaults.stream().noneMatch(r -> GATEWAY.equals(r.gateway()))) {
                Ip.Route r = defaults.get(0);
                wrong.add(box + "'s default route is " + (r.gateway() == null ? "dev " + r.dev() + " with no gateway"
                    : "via " + r.gateway()) + ", not via 10.0.11.1");
            }
        }
        return wrong.isEmpty() ? pass() : fail(String.join("; ", wrong));
    }

    /**
     * The kernel forwards a packet when forwarding is on for the interface it came in by (ip-sysctl.rst): br0 for the
     * boxes' packets (the bridge, not its ports, is the router's interface), uplink for replies and published
     * connections. net.ipv4.ip_forward=1 sets both.
     */
    static Verdict checkForwarding() {
        if (!Netns.exists(ROUTER)) return UP.missing();
        List<String> off = new ArrayList<>();
        for (String dev : List.of(BRIDGE, UPLINK)) {
            String v = Sysctl.interfaceForwarding(ROUTER, dev);
            if (v != null && !"1".equals(v)) off.add(dev);
        }
        if (off.isEmpty() && "1".equals(Sysctl.interfaceForwarding(ROUTER, UPLINK))) return pass();
        if (!"1".equals(Sysctl.get(ROUTER, FORWARD))) {
            return fail("net.ipv4.ip_forward is 0 in lab11-router" + ("1".equals(Sysctl.get(null, FORWARD))
                ? " (the root namespace's is 1: a sysctl run outside the router changes the host's, not the router's)" : ""));
        }
        return fail(off.stream().map(d -> "net.ipv4.conf." + d + ".forwarding").collect(Collectors.joining(" and "))
            + " is 0 in lab11-router: packets that come in by " + String.join(" or ", off) + " are not forwarded");
    }

    static Verdict checkMasquerade() {
        return UP.masquerade(NET, BRIDGE);
    }

    static Verdict checkOut() throws Exception {
        Verdict gateway = gatewayReady();
        if (!gateway.passed()) return gateway;
        for (String[] box : new String[][] {{BOX1, IP1}, {BOX2, IP2}}) {
            Verdict v = UP.endToEnd(box[0], box[1], NET, BRIDGE, Lab11Bridge::checkForwarding);
            if (!v.passed()) return v;
        }
        return pass();
    }

    /**
     * The probes through the router are sent only once the boxes' gateway is what the exercise asks (10.0.11.1/24 on
     * br0, UP): with the address on a port instead, whether the router's answers find a box depends on which link an
     * ARP reply happens to be learned on, and a verdict would come and go.
     */
    static Verdict gatewayReady() {
        Verdict bridge = checkBridge();
        return bridge.passed() || !Netns.exists(ROUTER) ? bridge
            : fail("not probed: the boxes' gateway is not ready (" + bridge.reason() + ")");
    }

    /**
     * Box to box: no NAT rule of the router's may translate what leaves by the bridge (read from the rules, so that the
     * verdict is the same whether bridged frames pass iptables here or not), and the check's own datagram from box1
     * reaches box2 with box1's address. Sent only when box1 would send it through its veth to the router.
     */
    static Verdict checkBoxToBox() throws Exception {
        for (String ns : new String[] {BOX1, BOX2}) if (!Netns.exists(ns)) return fail("there is no namespace " + ns);
        if (!Netns.exists(ROUTER)) return UP.missing();
        Firewall.Outcome o = Firewall.follow(Firewall.natChains(ROUTER), new Firewall.Traffic(NET, BRIDGE, BRIDGE), r -> null);
        if (o.ok()) {
            return fail("`" + o.translated().text() + "` also translates traffic from 10.0.11.0/24 that leaves by br0: "
                + "boxes would see each other, and box1 its published clients, as 10.0.11.1 (exclude the bridge: ! -o br0)");
        }
        Optional<String> dev = Ip.routeDev(BOX1, IP2);
        Optional<Ip.Link> out = dev.flatMap(d -> Ip.link(BOX1, d));
        if (out.isEmpty() || !ROUTER.equals(Ip.peerNetns(BOX1, out.get()).orElse(null))) {
            return fail("lab11-box1 sends 10.0.11.3 through " + dev.orElse("nothing") + ", whose other end is not in lab11-router: not probed");
        }
        Echo.Result r = Echo.udp(BOX1, BOX2, IP2, 1000);
        if (r.sendError() != null) return fail("lab11-box1 could not send to 10.0.11.3: " + r.sendError());
        if (!r.arrived()) {
            return fail("the datagram from lab11-box1 never reached 10.0.11.3 in lab11-box2 (both ends must be ports of br0, UP)");
        }
        if (!IP1.equals(r.seenAddress())) {
            return fail("lab11-box2 saw the datagram come from " + r.seenAddress() + ", not 10.0.11.2: something in lab11-router "
                + "translated traffic between two boxes");
        }
        return r.replied() ? pass() : fail("lab11-box2 answered, but the answer never reached lab11-box1");
    }

    /**
     * The published port: a listener on port 80, opened on a thread inside lab11-box1 for this check only, and a
     * connection from lab11-inet to 203.0.113.1:8080. When it fails, the router's DNAT rules say where they send it (its
     * conntrack entry cannot: a connection refused by a reset, or dropped before it left the router, leaves none).
     */
    static Verdict checkPublished() throws Exception {
        for (String ns : new String[] {BOX1, ROUTER, INET}) {
            if (!Netns.exists(ns)) return ns.equals(BOX1) ? fail("there is no namespace lab11-box1 to run the service in") : UP.missing();
        }
        Verdict gateway = gatewayReady();
        if (!gateway.passed()) return gateway;
        if (!Ip.routeDev(INET, UPLINK_IP).equals(Optional.of(INET_END))) {
            return fail("lab11-inet does not route 203.0.113.1 through inet0: not probed");
        }
        Echo.TcpResult t;
        try {
            t = Echo.tcp(INET, BOX1, SERVICE, UPLINK_IP, PUBLISHED, 2000);
        } catch (BindException e) {
            return fail("port 80 in lab11-box1 is taken by a program of yours (" + e.getMessage() + "): stop it, the check "
                + "opens its own listener there");
        }
        if (t.accepted()) {
            if (INET_IP.equals(t.seenAddress())) return pass();
            return fail("the service in lab11-box1 saw the connection come from " + t.seenAddress() + ", not 203.0.113.2"
                + (t.seenAddress().equals(GATEWAY) ? ": a MASQUERADE (or SNAT) rule also rewrites what leaves by br0 (add ! -o br0)" : ""));
        }
        String prefix = "the connection from lab11-inet to 203.0.113.1:8080 " + (t.connectError() != null
            ? "failed (" + t.connectError() + ")" : "was answered, but not by the service in lab11-box1");
        List<String> targets = Firewall.dnatTargets(ROUTER);
        if (targets.isEmpty()) {
            return fail(prefix + ": lab11-router has no DNAT rule (iptables -t nat ... -j DNAT, or nft's dnat to), so nothing "
                + "translated its destination and the router itself answered");
        }
        String right = IP1 + ":" + SERVICE;
        if (!targets.contains(right)) {
            String to = targets.get(0), addr = to.split(":")[0];
            if (!addr.equals(IP1)) return fail(prefix + ": lab11-router's DNAT sends it to " + to + ", and lab11-box1 is 10.0.11.2");
            return fail(prefix + ": lab11-router's DNAT sends it to " + (to.contains(":") ? to : to + " (port unchanged, 8080)")
                + ", and the service in lab11-box1 listens on port 80 (--to-destination 10.0.11.2:80)");
        }
        Verdict f = checkForwarding();
        if (!f.passed()) return fail(prefix + ": lab11-router translates it to 10.0.11.2:80 but does not forward it (" + f.reason() + ")");
        return fail(prefix + ": lab11-router has a DNAT rule to 10.0.11.2:80 and forwards, so look at what the rule matches "
            + "(-d 203.0.113.1 -p tcp --dport 8080), its filter table (iptables -S FORWARD) and box1's route back (ip -n lab11-box1 route)");
    }

    /** The root namespace: no rule, address or route of the exercise's networks (what a command run outside leaves). */
    static Verdict checkRoot() {
        List<String> found = new ArrayList<>();
        StringBuilder rules = new StringBuilder();
        if (Cmd.has("iptables-save")) rules.append(Cmd.run("iptables-save").out());
        if (Cmd.has("nft")) rules.append(Cmd.run("nft", "list", "ruleset").out());
        rules.toString().lines().filter(l -> !l.startsWith("#") && (l.contains("10.0.11.") || l.contains("203.0.113.")))
            .findFirst().ifPresent(l -> found.add("a rule `" + l.strip() + "`"));
        for (Ip.Link l : Ip.links(null)) {
            for (String a : l.ipv4()) {
                if (Ip.overlaps(a, NET) && Ip.prefixLength(a) >= 24 || Ip.overlaps(a, "203.0.113.0/24") && Ip.prefixLength(a) >= 24) {
                    found.add("the address " + a + " on " + l.name());
                }
            }
        }
        for (Ip.Route r : Ip.routes(null)) {
            if (r.dst() != null && !r.dst().equals("default") && Ip.prefixLength(r.dst()) >= 24
                    && (Ip.overlaps(r.dst(), NET) || Ip.overlaps(r.dst(), "203.0.113.0/24")) && !"local".equals(r.type())
                    && !"broadcast".equals(r.type())
                    || r.gateway() != null && (Ip.overlaps(r.gateway(), NET) || Ip.overlaps(r.gateway(), "203.0.113.0/24"))) {
                found.add("a route " + r.dst() + (r.gateway() == null ? "" : " via " + r.gateway()));
            }
        }
        String forwarding = Sysctl.get(null, FORWARD);
        KernelObject.SysctlNote.before("lab11", FORWARD).filter(before -> !before.equals(forwarding)).ifPresent(before ->
            found.add(FORWARD + " = " + forwarding + " (it was " + before + " when the lab prepared: the router forwards, "
                + "not the host; `sysctl -w " + FORWARD + "=" + before + "` puts it back, unless you changed it on purpose)"));
        return found.isEmpty() ? pass() : fail("the root namespace has " + String.join(", ", found));
    }

    // ---- solve, and the guard beyond .makes and .owns -------------------------------------------------------------

    /** One box, as the learner types it: the namespace, its veth with the other end a port of br0, the default route. */
    static String boxLines(String box, String port, String ip) {
        return "ip netns add " + box + "\n"
            + "ip link add " + port + " netns lab11-router type veth peer name eth0 netns " + box + "\n"
            + "ip -n lab11-router link set " + port + " master br0\n"
            + "ip -n lab11-router link set " + port + " up\n"
            + "ip -n " + box + " addr add " + ip + "/24 dev eth0\n"
            + "ip -n " + box + " link set eth0 up\n"
            + "ip -n " + box + " link set lo up\n"
            + "ip -n " + box + " route add default via 10.0.11.1";
    }

    static void box(Bench b, String box, String port, String ip) {
        b.netns(box);
        b.vethBetween(port, ROUTER, BOX_END, box);
        Ip.ip(ROUTER, "link", "set", port, "master", BRIDGE);
        Ip.up(ROUTER, port);
        Upstream.wire(box, BOX_END, ip);
        Ip.up(box, "lo");
        Ip.ip(box, "route", "add", "default", "via", GATEWAY);
    }

    /** An iptables command line of this lab's, run inside the router. */
    static void iptables(String line) {
        Firewall.iptables(ROUTER, line.substring("iptables ".length()).split(" "));
    }

    /**
     * Exit 4 from prepare or solve while the demo of an earlier run is still there (run clears it before it gets
     * here: this is after `run --step N` or a killed run).
     */
    static void refuseAnEarlierDemo(Bench b) {
        for (String demo : new String[] {DEMO1, DEMO2}) {
            if (Files.exists(Netns.path(demo)) && b.journaled(new KernelObject.NamedNetns(demo))) {
                throw LabException.conflict("the demo of an earlier run (stopped by --step, or interrupted) is still there; "
                    + "`sudo ./jbang lab11 reset` first");
            }
        }
    }

    static String portsOf(String ns) {
        List<Ip.Link> ports = Ip.ports(ns, BRIDGE);
        if (ports.isEmpty()) return "none";
        return ports.stream().map(p -> p.name() + " " + (p.up() ? "UP" : "DOWN") + (p.ipv4().isEmpty() ? ", no address" : " " + p.ipv4()))
            .collect(Collectors.joining("; "));
    }
}
