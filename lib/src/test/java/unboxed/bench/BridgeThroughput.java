package unboxed.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import unboxed.net.Firewall;
import unboxed.net.Ip;
import unboxed.net.Netns;
import unboxed.net.Sysctl;
import unboxed.ns.NsThread;

/**
 * lab11's paths, iperf-style: a Java sender and a Java receiver, each a TCP socket opened on a thread inside its own
 * network namespace, push a fixed number of bytes over a plain veth pair, between two boxes on a bridge (switched),
 * and from a box on the bridge through the router's forwarding and MASQUERADE to an "internet" namespace. All in
 * namespaces of the benchmark's own (removed at the end, also after a failure); nothing touches the root namespace.
 */
final class BridgeThroughput {
    private BridgeThroughput() {}

    static final String PLAIN_A = "unboxed-bench-pa", PLAIN_B = "unboxed-bench-pb", ROUTER = "unboxed-bench-r",
        INET = "unboxed-bench-i", BOX1 = "unboxed-bench-b1", BOX2 = "unboxed-bench-b2";
    static final List<String> ALL = List.of(PLAIN_A, PLAIN_B, ROUTER, INET, BOX1, BOX2);
    static final long BYTES = 128L << 20;

    static void run(Report r, int rounds) throws Exception {
        Netns.purge(ALL);
        try {
            build();
            Map<String, Callable<Object>> paths = new LinkedHashMap<>();
            paths.put("plain veth pair, namespace to namespace", () -> transfer(PLAIN_A, PLAIN_B, "10.0.11.3"));
            paths.put("box to box over a bridge (two veth pairs and br0, switched)", () -> transfer(BOX1, BOX2, "10.0.11.3"));
            paths.put("box to the internet: bridge, routed, MASQUERADE (conntrack)", () -> transfer(BOX1, INET, "203.0.113.2"));
            Map<String, double[]> ms = r.interleaved(paths, rounds);
            r.heading("TCP throughput, " + (BYTES >> 20) + " MB per run, a Java sender and receiver in the namespaces");
            double mb = BYTES / 1e6;
            Map<String, Double> rate = new LinkedHashMap<>();
            ms.forEach((what, v) -> {
                // the p90 column: the rate of the p90 time (the slow end)
                rate.put(what, mb / (Report.median(v) / 1000));
                r.row(what, v.length, mb / (Report.median(v) / 1000), mb / (Report.p90(v) / 1000), "MB/s");
            });
            List<Double> x = List.copyOf(rate.values());
            r.ratio("bridge / plain veth", x.get(1), x.get(0));
            r.ratio("bridge + routing + MASQUERADE / plain veth", x.get(2), x.get(0));
        } finally {
            Netns.purge(ALL);
        }
    }

    /** The plain pair; the router with br0 (10.0.11.1/24), two boxes on its ports, and an uplink to the internet. */
    static void build() {
        for (String ns : ALL) Netns.add(ns);
        Ip.ip(null, "link", "add", "eth0", "netns", PLAIN_A, "type", "veth", "peer", "name", "eth0", "netns", PLAIN_B);
        wire(PLAIN_A, "eth0", "10.0.11.2/24");
        wire(PLAIN_B, "eth0", "10.0.11.3/24");
        Ip.ip(null, "link", "add", "uplink", "netns", ROUTER, "type", "veth", "peer", "name", "inet0", "netns", INET);
        wire(ROUTER, "uplink", "203.0.113.1/24");
        wire(INET, "inet0", "203.0.113.2/24");
        Ip.ip(ROUTER, "link", "add", "br0", "type", "bridge");
        wire(ROUTER, "br0", "10.0.11.1/24");
        String[][] boxes = {{BOX1, "veth1", "10.0.11.2/24"}, {BOX2, "veth2", "10.0.11.3/24"}};
        for (String[] b : boxes) {
            Ip.ip(null, "link", "add", b[1], "netns", ROUTER, "type", "veth", "peer", "name", "eth0", "netns", b[0]);
            Ip.ip(ROUTER, "link", "set", b[1], "master", "br0");
            Ip.up(ROUTER, b[1]);
            wire(b[0], "eth0", b[2]);
            Ip.ip(b[0], "route", "add", "default", "via", "10.0.11.1");
        }
        Sysctl.set(ROUTER, "net.ipv4.ip_forward", "1");
        Firewall.iptables(ROUTER, "-t", "nat", "-A", "POSTROUTING", "-s", "10.0.11.0/24", "!", "-o", "br0", "-j", "MASQUERADE");
    }

    static void wire(String ns, String dev, String cidr) {
        Ip.addAddr(ns, dev, cidr);
        Ip.up(ns, dev);
        Ip.up(ns, "lo");
    }

    /** BYTES from a socket in {@code from} to a listener in {@code to} at {@code address}; the receiver counts them all. */
    static Object transfer(String from, String to, String address) throws Exception {
        try (ServerSocket server = NsThread.inNetns(to, () -> {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(0));
                return s;
            })) {
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> {
                try (Socket in = server.accept(); InputStream is = in.getInputStream()) {
                    byte[] buf = new byte[1 << 16];
                    long n = 0;
                    for (int k; (k = is.read(buf)) > 0; ) n += k;
                    return n;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (Socket c = NsThread.inNetns(from, () -> {
                    Socket s = new Socket();
                    s.bind(new InetSocketAddress(0));
                    return s;
                })) {
                c.connect(new InetSocketAddress(address, server.getLocalPort()), 2000);
                OutputStream os = c.getOutputStream();
                byte[] buf = new byte[1 << 16];
                for (long sent = 0; sent < BYTES; sent += buf.length) os.write(buf);
                c.shutdownOutput();
                long got = received.get(60, TimeUnit.SECONDS);
                if (got != BYTES) throw new IllegalStateException("received " + got + " of " + BYTES + " bytes");
            }
        }
        return null;
    }
}
