package unboxed.oci;

import java.util.EnumSet;
import java.util.function.Consumer;
import unboxed.lab.Journal;
import unboxed.lab.KernelObject;
import unboxed.net.Firewall;
import unboxed.net.Ip;
import unboxed.net.Netns;
import unboxed.net.Sysctl;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;

/**
 * {@code box run --net nat}: the container's new network namespace gets a veth to a bridge in a router namespace the
 * runtime owns, with NAT out, the way lab11 builds it by hand (a "router" namespace plays the host, so the host's own
 * firewall, routes and sysctls never change).
 *
 * <p>Each container has a router of its own, named {@code unboxed-box-ID} (ip netns list): bridge {@value #BRIDGE}
 * with {@value #GATEWAY}/24, the container's {@value #ETH} at {@value #ADDRESS}/24 with its default route through the
 * bridge, net.ipv4.ip_forward on in the router only, and {@value #MASQUERADE} in the router's nat table. One router
 * per container, not one shared: every container can have the same addresses (the routers never meet), nothing is
 * counted or locked between runtimes, and `box delete` removes one namespace with everything in it (its links, the
 * rule, the sysctl). Containers therefore do not reach each other, as with a network of their own per container.
 *
 * <p>The router has no uplink of its own: a link to the host would add a route in the host's namespace. Whatever is
 * connected to the router (lab11's uplink to an "internet" namespace, a test's) is where the container's traffic goes
 * out, its source address translated to the router's on that link; the container reaches the router's own address
 * and services listening in the router's namespace too.
 */
public final class BoxNet {
    private BoxNet() {}

    public static final String BRIDGE = "box0", ROUTER_END = "veth0", ETH = "eth0";
    public static final String SUBNET = "10.88.0.0/24", GATEWAY = "10.88.0.1", ADDRESS = "10.88.0.2";
    public static final String MASQUERADE = "iptables -t nat -A POSTROUTING -s " + SUBNET + " ! -o " + BRIDGE + " -j MASQUERADE";

    /** The router namespace of the container called id (/run/netns/unboxed-box-ID). */
    public static String router(String id) {
        return Container.cgroupName(id);
    }

    /**
     * Makes the router (journaled first, under the container's id) and wires the network namespace of thread tid (the
     * container's, before its program starts) to it.
     */
    static void connect(String id, long tid, Journal j, Consumer<String> log) {
        String r = router(id);
        if (Netns.exists(r) || java.nio.file.Files.exists(Netns.path(r))) {
            throw new Container.Conflict("a network namespace called " + r + " exists: ip netns delete " + r + ", or another --id");
        }
        // /run/netns as it was (ip netns add leaves it a shared mount point): put back once no namespace is left there
        j.record(new KernelObject.RunNetnsNote(Netns.runDirState()).entry(id));
        j.record(new KernelObject.NamedNetns(r).entry(id));
        Netns.add(r);
        Ip.ip(r, "link", "set", "lo", "up");
        Ip.ip(r, "link", "add", BRIDGE, "type", "bridge");
        Ip.addAddr(r, BRIDGE, GATEWAY + "/24");
        Ip.up(r, BRIDGE);
        log.accept("ip netns add " + r + "; ip -n " + r + " link add " + BRIDGE + " type bridge; ip -n " + r
            + " addr add " + GATEWAY + "/24 dev " + BRIDGE + "; ip -n " + r + " link set " + BRIDGE + " up");
        // the peer straight into the container's namespace: ip takes a pid there (a thread's id is one to the kernel)
        Ip.ip(r, "link", "add", ROUTER_END, "type", "veth", "peer", "name", ETH, "netns", Long.toString(tid));
        Ip.ip(r, "link", "set", ROUTER_END, "master", BRIDGE, "up");
        log.accept("ip -n " + r + " link add " + ROUTER_END + " type veth peer name " + ETH + " netns " + tid + "; ip -n " + r
            + " link set " + ROUTER_END + " master " + BRIDGE + " up");
        try (NsThread inside = NsThread.enter(tid, EnumSet.of(Ns.NET))) {
            inside.run(() -> {
                Ip.ip(null, "link", "set", "lo", "up");
                Ip.addAddr(null, ETH, ADDRESS + "/24");
                Ip.up(null, ETH);
                Ip.ip(null, "route", "add", "default", "via", GATEWAY);
            });
        }
        String in = "nsenter --net=/proc/" + tid + "/ns/net ";
        log.accept(in + "ip link set lo up; " + in + "ip addr add " + ADDRESS + "/24 dev " + ETH + "; " + in + "ip link set "
            + ETH + " up; " + in + "ip route add default via " + GATEWAY);
        Sysctl.set(r, "net.ipv4.ip_forward", "1");
        Firewall.iptables(r, MASQUERADE.substring("iptables ".length()).split(" "));
        log.accept("ip netns exec " + r + " sysctl -w net.ipv4.ip_forward=1; ip netns exec " + r + " " + MASQUERADE);
    }
}
