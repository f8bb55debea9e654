///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab04Netns

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.util.EnumSet;
import java.util.Optional;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.lab.LabException;
import unboxed.lab.Topology;
import unboxed.net.Ip;
import unboxed.net.Netns;
import unboxed.net.Probe;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.sys.Cmd;

/**
 * Lab 04: network namespaces. A new network stack is one syscall away; wiring it to anything is the real work.
 * Story, steps, exercise and checks, top to bottom; the mechanics are in lib (unboxed.net, unboxed.ns).
 */
class Lab04Netns {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    // The demo's objects (removed when run ends) and the exercise's (the learner's, removed by reset).
    static final String DEMO = "lab04-demo", DEMO_HOST_END = "lab04-host", DEMO_NS_END = "lab04-ns";
    static final String DEMO_HOST_IP = "10.16.9.1", DEMO_NS_IP = "10.16.9.2";
    static final String BLUE = "blue", HOST_END = "veth-host", BLUE_END = "veth-blue";
    static final String HOST_IP = "10.16.8.1", BLUE_IP = "10.16.8.2";

    /** The thread that lives in the demo's namespace from step 2 to step 8. */
    static NsThread demo;

    static Lab lab() {
        return Lab.define("lab04", "Network namespaces")
            .summary("Make a network namespace from Java, see it start empty, pin it under a name, wire it to the host "
                + "with a veth pair, and ping across.")
            .minutes(30)
            .objectives(
                "Tell which network namespace a process or thread is in, by its id",
                "Create a network namespace with unshare(CLONE_NEWNET) and with ip netns add",
                "Explain how a bind mount keeps a namespace alive with no process in it",
                "Connect two namespaces with a veth pair, addresses and links set up")
            .prerequisites("A Linux machine or VM where you are root (sudo)", "iproute2 (the ip command)")
            .needs("ip", "ping", "unshare", "nsenter", "mount")
            .story("""
                A container's network is not a virtual machine's network card: it is a **network namespace**, a whole
                separate copy of the kernel's network stack — its own interfaces, addresses, routing table, firewall
                rules and sockets. A process sees only the stack of the namespace it is in.

                A new namespace is one system call away, `unshare(CLONE_NEWNET)`, and it starts with a loopback
                interface that is switched off and, on a stock kernel, nothing else (a loaded tunnel module such as
                ipip also puts its fallback device, tunl0, in every new namespace unless
                `net.core.fb_tunnels_only_for_init_net` says otherwise: Documentation/admin-guide/sysctl/net.rst).
                Everything a container runtime does afterwards is plumbing:
                keeping the namespace alive, laying a virtual cable (a *veth pair*) between it and the host, giving both
                ends addresses, and switching them on. You will do each of those by hand.

                One thing is special about doing this from Java: namespaces belong to **threads**, not processes.
                The lab unshares on a thread of its own, so the rest of the JVM never leaves the host's network.
                """)
            .makes(new KernelObject.NamedNetns(DEMO), new KernelObject.Link(DEMO_HOST_END, null))
            .owns(new KernelObject.NamedNetns(BLUE), new KernelObject.Link(HOST_END, null), new KernelObject.Link(BLUE_END, null))
            .preflight(Lab04Netns::refuseForeignRoutes)

            .step("Every process has a network namespace", s -> s
                .explain("""
                    The kernel names each namespace by an inode number, shown by the links in /proc/PID/ns/. Two
                    processes (or threads) are in the same network namespace exactly when their `net:[...]` numbers match.
                    """)
                .shell("readlink /proc/$$/ns/net\nip -br link")
                .does(Lab04Netns::hostNamespace)
                .observe("This JVM and the shell that started it share one number: one network stack, with the interfaces listed."))

            .step("A new network namespace, made from Java", s -> s
                .explain("""
                    `unshare(CLONE_NEWNET)` moves the calling thread into a brand-new network namespace. The lab calls it
                    on a thread of its own: the main thread, and the JVM's other threads, stay in the host's namespace.
                    """)
                .shell("unshare --net ip link")
                .does(Lab04Netns::newNamespaceFromJava)
                .observe("Two different ids in one JVM. The new namespace has only `lo`, and it is DOWN."))

            .step("lo is down: even 127.0.0.1 is unreachable", s -> s
                .explain("""
                    Not even loopback works until someone switches it on. Container runtimes do this for you; here it
                    is a command run from the thread inside, where it changes that namespace's `lo` only.
                    """)
                .shell("unshare --net sh -c 'ping -c1 -W1 127.0.0.1; ip link set lo up; ping -c1 -W1 127.0.0.1'"
                    + "   # prints: Network is unreachable")
                .does(Lab04Netns::loopbackDown)
                .observe("""
                    With lo DOWN even the local routing table is empty, so the send fails at once with ENETUNREACH:
                    Java's isReachable throws `SocketException: Network is unreachable`, and ping prints
                    `ping: connect: Network is unreachable`. After `ip link set lo up` both get an answer.
                    """))

            .step("Give it a name: the bind mount behind ip netns add", s -> s
                .explain("""
                    A namespace lives while something refers to it. When the thread ends, nothing would, and the kernel
                    would free it. `ip netns add NAME` keeps one alive without any process (ip-netns(8); netns_add in
                    iproute2's ip/ipnetns.c): it creates an empty file /run/netns/NAME, calls unshare(CLONE_NEWNET), and
                    bind-mounts its own /proc/self/ns/net onto that file. (The first time, it also creates /run/netns
                    and makes it a mount point with shared propagation, so that `ip netns del` unmounting a name reaches
                    every mount namespace.) The lab does the same for the thread's namespace, and `ip netns` then knows
                    it by name. In the shell, `mount` run by `unshare --net` is the process inside, and pins its own.
                    """)
                .shell("""
                    mkdir -p /run/netns
                    touch /run/netns/lab04-demo
                    unshare --net mount --bind /proc/self/ns/net /run/netns/lab04-demo   # what `ip netns add` does
                    ip netns list   # prints: lab04-demo
                    """)
                .does(Lab04Netns::pinUnderAName)
                .observe("The mount's file system type is nsfs, and /run/netns/lab04-demo has the thread's namespace id."))

            .step("A virtual cable: a veth pair", s -> s
                .explain("""
                    A veth pair is two network interfaces joined back to back: a packet sent into one comes out of the
                    other. Create the pair in the host's namespace, then move one end into the new one.
                    """)
                .shell("ip link add lab04-host type veth peer name lab04-ns\nip link set lab04-ns netns lab04-demo")
                .does(Lab04Netns::vethPair)
                .observe("lab04-ns left the host's list and appeared inside lab04-demo; lab04-host still points at it."))

            .step("Addresses, and switch both ends on", s -> s
                .explain("""
                    Each end gets an address on the same /24, and both are set UP. A veth is only operationally up when
                    both ends are: `ip link` says LOWERLAYERDOWN for an end whose peer is still down.
                    """)
                .shell("""
                    ip addr add 10.16.9.1/24 dev lab04-host
                    ip link set lab04-host up
                    ip netns exec lab04-demo ip addr add 10.16.9.2/24 dev lab04-ns
                    ip netns exec lab04-demo ip link set lab04-ns up
                    """)
                .does(Lab04Netns::addressesAndUp)
                .observe("Both ends are UP and each namespace now has a route to 10.16.9.0/24 through its end."))
            .topology("What steps 2 to 6 built", t -> t
                .host()
                .netns(DEMO, "made by unshare on a thread, pinned on /run/netns/" + DEMO)
                .veth(Topology.HOST, DEMO_HOST_END, DEMO_HOST_IP + "/24", DEMO, DEMO_NS_END, DEMO_NS_IP + "/24")
                .note(DEMO, "lo UP (step 3)"))

            .step("Ping both ways", s -> s
                .explain("""
                    The host reaches the namespace through lab04-host, and the namespace reaches the host through
                    lab04-ns. The probe from inside is a Java socket opened on a thread inside lab04-demo: a socket
                    belongs to the namespace of the thread that opened it.
                    """)
                .shell("ping -c1 10.16.9.2\nip netns exec lab04-demo ping -c1 10.16.9.1")
                .does(Lab04Netns::pingBothWays)
                .observe("""
                    Both answer. The namespace has one route, 10.16.9.0/24 through lab04-ns, and no default route:
                    it can talk to the host's end and to nothing beyond it.
                    """))

            .step("Two ways in: ip netns exec and setns from a Java thread", s -> s
                .explain("""
                    `ip netns exec NAME CMD` opens /run/netns/NAME and calls setns(fd, CLONE_NEWNET), as
                    `nsenter --net=/run/netns/NAME` does. It does more before it runs CMD (ip-netns(8); iproute2's
                    netns_switch in lib/namespace.c): it unshares a mount namespace of its own (made a slave of the host's, so
                    nothing propagates back), detaches /sys and mounts a fresh sysfs there, whose /sys/class/net lists
                    the namespace's devices, and bind-mounts every file in /etc/netns/NAME/ over the file of that name
                    in /etc (a resolv.conf for that namespace, say). nsenter --net does the setns alone: ip, which asks
                    the kernel over netlink, sees the namespace's links, but /sys is still the host's. (`ip -n NAME ...`
                    makes the same switch inside ip itself: ip(8).) A Java thread that calls setns is like nsenter;
                    every program it then starts is born inside the network namespace, and sees the host's /sys.
                    """)
                .shell("""
                    ip netns exec lab04-demo ls /sys/class/net   # prints: lab04-ns
                    nsenter --net=/run/netns/lab04-demo ip -br addr   # prints: lab04-ns
                    nsenter --net=/run/netns/lab04-demo ls /sys/class/net   # prints: lab04-host
                    """)
                .does(Lab04Netns::twoWaysIn)
                .observe("""
                    The same addresses from both ways in, while the main thread never left the host's namespace. But
                    /sys/class/net differs: ip netns exec mounted a /sys of lab04-demo; the setns thread still sees
                    the host's /sys, with lab04-host in it.
                    """))

            .exercise("""
                Build this by hand with the commands from the steps (`ip netns`, `ip link`, `ip addr`):

                - a persistent network namespace `blue` (listed by `ip netns list`);
                - a veth pair: `veth-host` stays in the root namespace with 10.16.8.1/24, `veth-blue` lives inside
                  `blue` with 10.16.8.2/24;
                - both ends UP, and `lo` UP inside `blue`;
                - ping works from `blue` to 10.16.8.1 and from the root namespace to 10.16.8.2.
                """)
            .topology("What you build", t -> t
                .host()
                .netns(BLUE, "ip netns add blue").yours()
                .veth(Topology.HOST, HOST_END, HOST_IP + "/24", BLUE, BLUE_END, BLUE_IP + "/24").yours()
                .note(BLUE, "lo UP").yours())
            .check("netns", "A persistent network namespace called blue", 2, Lab04Netns::checkNetns)
            .check("veth-host", "veth-host is a veth in the root namespace with 10.16.8.1/24", 2, Lab04Netns::checkHostEnd)
            .check("veth-blue", "veth-blue is inside blue with 10.16.8.2/24", 2, Lab04Netns::checkBlueEnd)
            .check("pair", "veth-host and veth-blue are the two ends of one veth pair", 1, Lab04Netns::checkPair)
            .check("up", "Both ends of the pair are UP", 2, Lab04Netns::checkUp)
            .check("lo", "lo is UP inside blue", 1, Lab04Netns::checkLoopback)
            .check("ping-from-blue", "From blue, 10.16.8.1 answers a ping", 2,
                "ip netns exec blue ping -c1 10.16.8.1 shows what fails", Lab04Netns::checkPingFromBlue)
            .check("ping-to-blue", "From the root namespace, 10.16.8.2 answers a ping", 2,
                "ping -c1 10.16.8.2 shows what fails", Lab04Netns::checkPingToBlue)
            .solution(s -> s.refuseWhileOwnedPresent()
                .line("ip netns add blue", b -> b.netns(BLUE)).answers("netns")
                .line("ip link add veth-host type veth peer name veth-blue", b -> b.veth(HOST_END, BLUE_END))
                    .answers("veth-host", "pair")
                .line("ip link set veth-blue netns blue", b -> Ip.moveTo(null, BLUE_END, BLUE)).answers("veth-blue")
                .line("ip addr add 10.16.8.1/24 dev veth-host", b -> Ip.addAddr(null, HOST_END, HOST_IP + "/24"))
                    .answers("veth-host")
                .line("ip link set veth-host up", b -> Ip.up(null, HOST_END)).answers("up")
                .line("ip -n blue addr add 10.16.8.2/24 dev veth-blue", b -> Ip.addAddr(BLUE, BLUE_END, BLUE_IP + "/24"))
                    .answers("veth-blue")
                .line("ip -n blue link set veth-blue up", b -> Ip.up(BLUE, BLUE_END)).answers("up")
                .line("ip -n blue link set lo up", b -> Ip.up(BLUE, "lo")).answers("lo"))

            .question("A Java thread calls unshare(CLONE_NEWNET). Then the main thread runs "
                    + "`readlink /proc/self/ns/net`. What does it see?", 1,
                "Namespaces belong to threads: unshare(2) moves only the thread that calls it. The main thread never "
                    + "moved, and a readlink it starts is born in its namespace. (A thread's own view is "
                    + "/proc/thread-self/ns/net, proc(5).)",
                "The new namespace's id", "The host namespace's id, as before", "An error: the process is in two namespaces")
            .question("In a brand-new network namespace, what does `ping -c1 127.0.0.1` do?", 2,
                "A new namespace's lo is DOWN, and with no interface up there is no route at all, not even a local "
                    + "table: the send fails at once with ENETUNREACH (ping: connect: Network is unreachable).",
                "Answers at once, as loopback does on any machine", "Waits for a reply that never comes, then times out",
                "Fails at once: Network is unreachable")
            .question("No process is inside blue and you run `ip netns del blue`. What happens to veth-host in the root namespace?", 0,
                "With nothing left holding it, blue is freed, and the veth devices it contains are destroyed "
                    + "(network_namespaces(7), ip-netns(8)); a veth pair goes as one, so veth-host goes too (a moment "
                    + "later: the kernel frees namespaces in the background).",
                "It disappears with its peer", "It stays, DOWN", "It stays, and takes back 10.16.8.2")
            .question("What keeps a named network namespace alive when no process is in it?", 1,
                "ip netns add bind-mounts /proc/self/ns/net onto /run/netns/NAME; the mount holds a reference "
                    + "(ip-netns(8)).",
                "A daemon that ip netns add starts and leaves running", "A bind mount of its ns file on /run/netns/NAME",
                "The kernel keeps every namespace until reboot")
            .reading("network_namespaces(7)", "namespaces(7)", "ip-netns(8)", "veth(4)", "ip-link(8)", "ip-address(8)",
                "unshare(2)", "setns(2)", "unshare(1)", "nsenter(1)", "proc(5)",
                "iproute2's ip netns add (netns_add) <https://github.com/iproute2/iproute2/blob/main/ip/ipnetns.c>",
                "iproute2's ip netns exec and ip -n (netns_switch) <https://github.com/iproute2/iproute2/blob/main/lib/namespace.c>")
            .build();
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    static void hostNamespace(Bench b) {
        b.show("net namespace of this JVM", Ns.NET.label(Ns.NET.ofThisThread()));
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        b.show("net namespace of its parent (pid " + parent + ")", Ns.NET.label(Ns.NET.idOf(parent)));
        b.show("interfaces", String.join(", ", Ip.links(null).stream().map(Ip.Link::name).toList()));
    }

    static void newNamespaceFromJava(Bench b) {
        demo = NsThread.unshare(EnumSet.of(Ns.NET));
        b.java("unshare(CLONE_NEWNET) on thread " + demo.tid());
        b.show("net namespace of the main thread", Ns.NET.label(Ns.NET.ofThisThread()));
        b.show("net namespace of thread " + demo.tid(), Ns.NET.label(demo.id(Ns.NET)));
        b.java("new ProcessBuilder(\"ip\", \"-br\", \"link\").start() on that thread");
        b.console().output(demo.call(() -> Cmd.run("ip", "-br", "link").orThrow().out()));
    }

    static void loopbackDown(Bench b) {
        b.java("InetAddress.getByName(\"127.0.0.1\").isReachable(500) on the thread inside");
        b.show("ping 127.0.0.1 with lo DOWN", answer(demo.call(() -> Probe.attempt("127.0.0.1", 500))));
        b.java("ip link set lo up, started from the thread inside");
        demo.call(() -> Cmd.run("ip", "link", "set", "lo", "up").orThrow());
        b.show("ping 127.0.0.1 with lo UP", answer(demo.call(() -> Probe.attempt("127.0.0.1", 500))));
    }

    static void pinUnderAName(Bench b) {
        b.java("mount(\"/proc/thread-self/ns/net\", \"/run/netns/" + DEMO + "\", MS_BIND) on thread " + demo.tid());
        b.pinNetns(demo, DEMO);
        b.show("id of /run/netns/" + DEMO, Ns.NET.label(Netns.id(DEMO)));
        b.show("id of thread " + demo.tid() + "'s namespace", Ns.NET.label(demo.id(Ns.NET)));
        b.sh("findmnt -n -o TARGET,FSTYPE /run/netns/" + DEMO + "; ip netns list");
    }

    static void vethPair(Bench b) {
        b.veth(DEMO_HOST_END, DEMO_NS_END);
        Ip.moveTo(null, DEMO_NS_END, DEMO);
        b.show("links in the root namespace", names(null));
        b.show("links inside " + DEMO, names(DEMO));
        Ip.Link host = Ip.link(null, DEMO_HOST_END).orElseThrow();
        b.show(DEMO_HOST_END + "'s peer", "ifindex " + host.peerIndex() + " in the namespace with netnsid " + host.peerNetnsId());
    }

    static void addressesAndUp(Bench b) {
        Ip.addAddr(null, DEMO_HOST_END, DEMO_HOST_IP + "/24");
        Ip.up(null, DEMO_HOST_END);
        b.show(DEMO_HOST_END + " with only this end up", Ip.link(null, DEMO_HOST_END).orElseThrow().operstate());
        Ip.addAddr(DEMO, DEMO_NS_END, DEMO_NS_IP + "/24");
        Ip.up(DEMO, DEMO_NS_END);
        for (String[] end : new String[][] {{null, DEMO_HOST_END}, {DEMO, DEMO_NS_END}}) {
            Ip.Link l = Ip.link(end[0], end[1]).orElseThrow();
            b.show(end[1] + (end[0] == null ? " (root)" : " (in " + DEMO + ")"), l.operstate() + " " + l.ipv4());
        }
        b.sh("ip netns exec " + DEMO + " ip route");
    }

    static void pingBothWays(Bench b) {
        b.java("isReachable(\"" + DEMO_NS_IP + "\") on the main thread");
        b.show("root -> " + DEMO_NS_IP, answer(Probe.ping(null, DEMO_NS_IP, DEMO_HOST_END, 1000)));
        b.java("isReachable(\"" + DEMO_HOST_IP + "\") on a thread that did setns(" + DEMO + ")");
        b.show(DEMO + " -> " + DEMO_HOST_IP, answer(Probe.ping(DEMO, DEMO_HOST_IP, DEMO_NS_END, 1000)));
    }

    static void twoWaysIn(Bench b) {
        b.sh("ip netns exec " + DEMO + " ip -br addr; ip netns exec " + DEMO + " ls /sys/class/net");
        try (NsThread joined = NsThread.joinNetns(DEMO)) {
            b.java("setns(open(\"/run/netns/" + DEMO + "\"), CLONE_NEWNET) on thread " + joined.tid()
                + ", then ip -br addr and ls /sys/class/net started from it");
            b.console().output(joined.call(() -> Cmd.run("ip", "-br", "addr").orThrow().out()));
            b.show("/sys/class/net seen from thread " + joined.tid(),
                String.join(" ", joined.call(() -> Cmd.run("ls", "/sys/class/net").orThrow().out()).strip().split("\\s+")));
            b.show("main thread's namespace", Ns.NET.label(Ns.NET.ofThisThread()));
            b.show("thread " + joined.tid() + "'s namespace", Ns.NET.label(joined.id(Ns.NET)));
        }
        demo.close(); // the name keeps the namespace alive now; the thread is no longer needed
        demo = null;
    }

    // ---- exercise checks: kernel state only ---------------------------------------------------------------------

    static Verdict checkNetns() {
        if (!java.nio.file.Files.exists(Netns.path(BLUE))) return fail("/run/netns/blue does not exist: no namespace is named blue");
        if (!Netns.exists(BLUE)) return fail("/run/netns/blue is a plain file with nothing mounted on it: the namespace is gone");
        return pass();
    }

    static Verdict checkHostEnd() {
        Optional<Ip.Link> l = Ip.link(null, HOST_END);
        if (l.isEmpty()) {
            return fail(Netns.exists(BLUE) && Ip.link(BLUE, HOST_END).isPresent()
                ? "veth-host is inside blue; it must stay in the root namespace" : "there is no link veth-host in the root namespace");
        }
        if (!"veth".equals(l.get().kind())) return fail("veth-host is a " + l.get().kind() + ", not a veth");
        return addressVerdict(l.get(), HOST_IP + "/24");
    }

    static Verdict checkBlueEnd() {
        if (Ip.link(null, BLUE_END).isPresent()) {
            return fail("veth-blue is still in the root namespace: move it with ip link set veth-blue netns blue");
        }
        if (!Netns.exists(BLUE)) return fail("there is no namespace blue to look in");
        Optional<Ip.Link> l = Ip.link(BLUE, BLUE_END);
        if (l.isEmpty()) return fail("there is no link veth-blue inside blue");
        return addressVerdict(l.get(), BLUE_IP + "/24");
    }

    static Verdict addressVerdict(Ip.Link l, String want) {
        if (l.has(want)) return pass();
        return fail(l.name() + " has " + (l.ipv4().isEmpty() ? "no IPv4 address" : String.join(", ", l.ipv4()))
            + ", not " + want);
    }

    /**
     * One pair, checked from the root namespace, where veth-host is: its other end must be in blue (its link_netnsid
     * is the id the root namespace gives blue, `ip -j netns list`) and have veth-blue's ifindex there. A veth's two
     * ends point at each other, so that also makes veth-host veth-blue's peer; from blue, veth-blue's peer ifindex
     * must then be veth-host's. An ifindex alone proves nothing: every namespace numbers its links from 1.
     */
    static Verdict checkPair() {
        Optional<Ip.Link> host = Ip.link(null, HOST_END);
        if (host.isEmpty()) return fail("both veth-host and veth-blue must exist: there is no veth-host in the root namespace");
        Optional<Ip.Link> blue = Netns.exists(BLUE) ? Ip.link(BLUE, BLUE_END) : Optional.empty();
        if (blue.isEmpty()) {
            Optional<Ip.Link> stray = Ip.link(null, BLUE_END); // both ends still in the root namespace: ip names the peer
            if (stray.isEmpty()) return fail("both veth-host and veth-blue must exist: there is no veth-blue");
            return Verdict.when(host.get().peerNetnsId() == null && BLUE_END.equals(host.get().peerName()),
                "veth-host's peer is " + peerText(host.get()) + ", not veth-blue: they are not one pair");
        }
        Ip.Link h = host.get(), b = blue.get();
        if (h.peerIndex() == null && h.peerName() == null) return fail("veth-host has no peer: it is not one end of a pair");
        if (h.peerNetnsId() == null) {
            return fail("veth-host's peer is " + peerText(h) + ", in the root namespace, not veth-blue in blue: they are not one pair");
        }
        Optional<Integer> blueId = Ip.netnsId(null, BLUE);
        if (blueId.isEmpty() || !blueId.get().equals(h.peerNetnsId())) {
            return fail("veth-host's peer is ifindex " + h.peerIndex() + " in "
                + Ip.peerNetns(null, h).map(n -> "namespace " + n).orElse("the namespace with netnsid " + h.peerNetnsId())
                + ", not in blue: veth-host and veth-blue are not one pair");
        }
        if (h.peerIndex() == null || h.peerIndex() != b.index()) {
            return fail("veth-host's peer is ifindex " + h.peerIndex() + " in blue, but veth-blue is ifindex " + b.index()
                + ": they are not one pair");
        }
        return Verdict.when(b.peerIndex() != null && b.peerIndex() == h.index() && b.peerNetnsId() != null,
            "veth-blue's peer is " + peerText(b) + ", not veth-host (ifindex " + h.index() + ") in the root namespace");
    }

    static String peerText(Ip.Link l) {
        return l.peerName() != null ? l.peerName() : l.peerIndex() != null ? "ifindex " + l.peerIndex() : "nothing";
    }

    static Verdict checkUp() {
        Optional<Ip.Link> host = Ip.link(null, HOST_END);
        Optional<Ip.Link> blue = Netns.exists(BLUE) ? Ip.link(BLUE, BLUE_END) : Optional.empty();
        if (host.isEmpty() || blue.isEmpty()) return fail("veth-host (root namespace) and veth-blue (in blue) must both exist");
        if (!host.get().up() && !blue.get().up()) return fail("both ends are DOWN");
        if (!host.get().up()) return fail("veth-host is DOWN");
        if (!blue.get().up()) return fail("veth-blue is DOWN (veth-host shows " + host.get().operstate() + ")");
        return pass();
    }

    static Verdict checkLoopback() {
        if (!Netns.exists(BLUE)) return fail("there is no namespace blue to look in");
        return Verdict.when(Ip.link(BLUE, "lo").map(Ip.Link::up).orElse(false), "lo is DOWN inside blue");
    }

    static Verdict checkPingFromBlue() {
        Probe.Result r = Probe.ping(BLUE, HOST_IP, BLUE_END, 1000);
        return Verdict.when(r.answered(), r.why());
    }

    static Verdict checkPingToBlue() {
        Probe.Result r = Probe.ping(null, BLUE_IP, HOST_END, 1000);
        return Verdict.when(r.answered(), r.why());
    }

    // ---- the guard (reset comes from .owns, solve from .solution) ------------------------------------------------

    /**
     * Exit 4 before touching anything if 10.16.8.0/24 or 10.16.9.0/24 is already routed on the host through a link
     * that is not ours: our addresses would clash with a real network.
     */
    static void refuseForeignRoutes(Bench b) {
        for (Ip.Route r : Ip.routes(null)) {
            if (r.dst() == null || r.dst().equals("default") || !"main".equals(r.table())) continue;
            for (String ours : new String[] {"10.16.8.0/24", "10.16.9.0/24"}) {
                boolean ourDev = HOST_END.equals(r.dev()) || DEMO_HOST_END.equals(r.dev());
                if (Ip.overlaps(r.dst(), ours) && !ourDev) {
                    throw LabException.conflict(ours + " is already routed on this host (" + r.dst() + " dev " + r.dev()
                        + "); this lab would clash with it. Free that range or run the lab in a VM.");
                }
            }
        }
    }

    static String names(String netns) {
        return String.join(", ", Ip.links(netns).stream().map(l -> l.name() + " " + (l.up() ? "UP" : "DOWN")).toList());
    }

    static String answer(Probe.Result r) {
        return r.answered() ? "answered" : "no answer (" + r.why() + ")";
    }
}
