package unboxed.net;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import unboxed.sys.Cmd;

/**
 * iproute2, driven the way a learner drives it, read through its JSON output (`ip -j`), never by scraping text.
 * {@code netns} is a name under /run/netns (as in `ip -n NAME`), or null for the JVM's own network namespace.
 */
public final class Ip {
    private Ip() {}

    /** An address on a link: "10.16.8.1/24". */
    public record Addr(String family, String local, int prefixlen) {
        public String cidr() { return local + "/" + prefixlen; }
        @Override public String toString() { return cidr(); }
    }

    /**
     * A network interface. {@code up} is the administrative flag (`ip link set X up`); {@code operstate} is what the
     * kernel makes of it (a veth whose peer is down is LOWERLAYERDOWN). For a veth, {@code peerIndex} is the ifindex of
     * its other end and {@code peerNetnsId} is set when that end lives in another namespace; when both ends are in
     * the same namespace ip names the peer instead ({@code peerName}). {@code master}: the bridge this link is a port
     * of (`ip link set DEV master BR`), or null; {@code mac}: its link-layer address.
     */
    public record Link(int index, String name, String kind, boolean up, String operstate, List<String> flags,
                       Integer peerIndex, Integer peerNetnsId, String peerName, List<Addr> addrs, String master, String mac) {
        public boolean has(String cidr) {
            return addrs.stream().anyMatch(a -> a.cidr().equals(cidr));
        }

        public List<String> ipv4() {
            return addrs.stream().filter(a -> a.family().equals("inet")).map(Addr::cidr).toList();
        }
    }

    /** A route: dst is "default" or a prefix such as "10.16.8.0/24". */
    public record Route(String dst, String gateway, String dev, String table, String type) {}

    /** Within oneReading(): each namespace's links, read once. */
    private static final ThreadLocal<java.util.Map<String, List<Link>>> READING = new ThreadLocal<>();

    /**
     * Runs work with links read at most once per namespace (the first links() call of each namespace is remembered
     * until work returns). Graders use it to see one consistent state per pass; outside it every call reads afresh.
     */
    public static <T> T oneReading(java.util.function.Supplier<T> work) {
        if (READING.get() != null) return work.get();
        READING.set(new java.util.HashMap<>());
        try {
            return work.get();
        } finally {
            READING.remove();
        }
    }

    /** Every link of a namespace with its addresses: `ip -d -j addr show`. */
    public static List<Link> links(String netns) {
        java.util.Map<String, List<Link>> reading = READING.get();
        if (reading == null) return readLinks(netns);
        return reading.computeIfAbsent(String.valueOf(netns), k -> readLinks(netns));
    }

    private static List<Link> readLinks(String netns) {
        List<Link> out = new ArrayList<>();
        for (JsonElement e : json(netns, "-d", "addr", "show")) {
            JsonObject o = e.getAsJsonObject();
            List<String> flags = strings(o, "flags");
            List<Addr> addrs = new ArrayList<>();
            if (o.has("addr_info")) {
                for (JsonElement a : o.getAsJsonArray("addr_info")) {
                    JsonObject ao = a.getAsJsonObject();
                    if (ao.has("local")) {
                        addrs.add(new Addr(str(ao, "family"), str(ao, "local"), ao.get("prefixlen").getAsInt()));
                    }
                }
            }
            String kind = o.has("linkinfo") && o.getAsJsonObject("linkinfo").has("info_kind")
                ? o.getAsJsonObject("linkinfo").get("info_kind").getAsString() : str(o, "link_type");
            out.add(new Link(o.get("ifindex").getAsInt(), str(o, "ifname"), kind, flags.contains("UP"),
                str(o, "operstate"), flags, integer(o, "link_index"), integer(o, "link_netnsid"), str(o, "link"), addrs,
                str(o, "master"), str(o, "address")));
        }
        return out;
    }

    public static Optional<Link> link(String netns, String name) {
        return links(netns).stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** The ports of a bridge: the links whose master it is (`ip -n NETNS link show master BRIDGE`). */
    public static List<Link> ports(String netns, String bridge) {
        return links(netns).stream().filter(l -> bridge.equals(l.master())).toList();
    }

    /** A neighbour (ARP) entry: `ip -j neigh show`. state: REACHABLE, STALE, PERMANENT... (ip-neighbour(8)). */
    public record Neighbour(String address, String dev, String mac, List<String> state) {}

    /** The IPv4 neighbour table of a namespace (the ARP cache): `ip -4 -j neigh show`. */
    public static List<Neighbour> neighbours(String netns) {
        List<Neighbour> out = new ArrayList<>();
        for (JsonElement e : json(netns, "-4", "neigh", "show")) {
            JsonObject o = e.getAsJsonObject();
            out.add(new Neighbour(str(o, "dst"), str(o, "dev"), str(o, "lladdr"), strings(o, "state")));
        }
        return out;
    }

    /**
     * One entry of a bridge's forwarding database (`bridge -j fdb show br BRIDGE`): a MAC address and the port it was
     * seen on. local: the bridge's own address on that port (permanent, "self"), not a learned one (bridge(8)).
     */
    public record FdbEntry(String mac, String dev, boolean local, List<String> flags) {}

    /** The forwarding database of a bridge in a namespace: `bridge -n NETNS -j fdb show br BRIDGE`. */
    public static List<FdbEntry> fdb(String netns, String bridge) {
        List<String> argv = new ArrayList<>(List.of("bridge"));
        if (netns != null) argv.addAll(List.of("-n", netns));
        argv.addAll(List.of("-j", "fdb", "show", "br", bridge));
        String text = Cmd.run(argv, 30).orThrow().out().strip();
        List<FdbEntry> out = new ArrayList<>();
        if (text.isEmpty()) return out;
        for (JsonElement e : JsonParser.parseString(text).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            out.add(new FdbEntry(str(o, "mac"), str(o, "ifname"), "permanent".equals(str(o, "state")), strings(o, "flags")));
        }
        return out;
    }

    /** All routes of all tables: `ip -j route show table all` (IPv4). */
    public static List<Route> routes(String netns) {
        List<Route> out = new ArrayList<>();
        for (JsonElement e : json(netns, "-4", "route", "show", "table", "all")) {
            JsonObject o = e.getAsJsonObject();
            out.add(new Route(str(o, "dst"), str(o, "gateway"), str(o, "dev"),
                o.has("table") ? str(o, "table") : "main", o.has("type") ? str(o, "type") : "unicast"));
        }
        return out;
    }

    /**
     * The device the kernel would send a packet to ADDRESS through (`ip -j route get ADDRESS`), or empty if there is
     * no route. Probes ask this first so that they never send a packet anywhere but into a lab's own namespaces.
     */
    public static Optional<String> routeDev(String netns, String address) {
        var r = Cmd.run(argv(netns, true, "route", "get", address), 30);
        if (!r.ok() || r.out().isBlank()) return Optional.empty();
        JsonArray a = JsonParser.parseString(r.out()).getAsJsonArray();
        return a.isEmpty() ? Optional.empty() : Optional.ofNullable(str(a.get(0).getAsJsonObject(), "dev"));
    }

    /**
     * The name (under /run/netns) of the namespace a link's other end lives in: its link_netnsid, looked up with
     * `ip netns list-id`. Empty when the peer is in the same namespace, or in one without a name (such as the root).
     */
    public static Optional<String> peerNetns(String netns, Link l) {
        if (l.peerNetnsId() == null) return Optional.empty();
        for (JsonElement e : json(netns, "netns", "list-id")) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("nsid") && o.get("nsid").getAsInt() == l.peerNetnsId() && o.has("name")) {
                return Optional.of(o.get("name").getAsString());
            }
        }
        return Optional.empty();
    }

    /**
     * The id (nsid) that NETNS gives the named namespace NAME (`ip [-n NETNS] -j netns list`: its "id"), or empty when
     * it has given it none yet. A link whose other end lives in NAME shows this id as its link_netnsid.
     */
    public static Optional<Integer> netnsId(String netns, String name) {
        for (JsonElement e : json(netns, "netns", "list")) {
            JsonObject o = e.getAsJsonObject();
            if (name.equals(str(o, "name"))) return Optional.ofNullable(integer(o, "id"));
        }
        return Optional.empty();
    }

    /** ip link add A type veth peer name B: two ends of one virtual cable, both in the calling thread's namespace. */
    public static void addVeth(String a, String b) {
        ip(null, "link", "add", a, "type", "veth", "peer", "name", b);
    }

    /** ip link set DEV netns TARGET: move a link into another namespace (it goes down and loses its addresses). */
    public static void moveTo(String netns, String dev, String target) {
        ip(netns, "link", "set", dev, "netns", target);
    }

    public static void addAddr(String netns, String dev, String cidr) {
        ip(netns, "addr", "add", cidr, "dev", dev);
    }

    public static void up(String netns, String dev) {
        ip(netns, "link", "set", dev, "up");
    }

    public static void down(String netns, String dev) {
        ip(netns, "link", "set", dev, "down");
    }

    public static void delLink(String netns, String dev) {
        ip(netns, "link", "del", dev);
    }

    /**
     * ip link del DEV if it is there. True if this call removed it. Deleting a namespace removes its links (and their
     * veth peers) asynchronously, so a link seen a moment ago may be gone by the time we delete it: that is fine.
     */
    public static boolean delLinkIfPresent(String netns, String dev) {
        if (link(netns, dev).isEmpty()) return false;
        var r = Cmd.run(argv(netns, false, "link", "del", dev), 30);
        if (r.ok()) return true;
        if (link(netns, dev).isEmpty()) return false; // the kernel beat us to it
        throw new Cmd.CommandFailedException(r);
    }

    /** Runs `ip [-n NETNS] ARGS...`, throwing with ip's own message when it fails. */
    public static Cmd.Result ip(String netns, String... args) {
        return Cmd.run(argv(netns, false, args), 30).orThrow();
    }

    /** Runs `ip [-n NETNS] -j ARGS...` and parses what it prints (ip prints nothing at all for an empty list). */
    public static JsonArray json(String netns, String... args) {
        String out = Cmd.run(argv(netns, true, args), 30).orThrow().out().strip();
        return out.isEmpty() ? new JsonArray() : JsonParser.parseString(out).getAsJsonArray();
    }

    private static List<String> argv(String netns, boolean json, String... args) {
        return Stream.of(Stream.of("ip"), netns == null ? Stream.<String>empty() : Stream.of("-n", netns),
                json ? Stream.of("-j") : Stream.<String>empty(), Stream.of(args))
            .flatMap(s -> s).toList();
    }

    private static String str(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : null;
    }

    /** A JSON array of strings under key ("flags": ["UP", ...]), or an empty list. */
    private static List<String> strings(JsonObject o, String key) {
        List<String> out = new ArrayList<>();
        if (o.has(key) && o.get(key).isJsonArray()) o.getAsJsonArray(key).forEach(x -> out.add(x.getAsString()));
        return out;
    }

    private static Integer integer(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonPrimitive() && o.get(key).getAsJsonPrimitive().isNumber()
            ? o.get(key).getAsInt() : null;
    }

    /** Whether two IPv4 prefixes overlap ("10.16.8.0/24" and "10.0.0.0/8" do). */
    public static boolean overlaps(String a, String b) {
        long[] x = prefix(a), y = prefix(b);
        int len = (int) Math.min(x[1], y[1]);
        long mask = len == 0 ? 0 : (0xFFFFFFFFL << (32 - len)) & 0xFFFFFFFFL;
        return (x[0] & mask) == (y[0] & mask);
    }

    /**
     * The prefix length of an address or prefix as ip, iptables and nft print them: 24 for "10.0.5.0/24", 32 for a
     * bare address ("10.0.5.2"), 0 for "default".
     */
    public static int prefixLength(String cidr) {
        return (int) prefix(cidr)[1];
    }

    private static long[] prefix(String cidr) {
        if (cidr.equals("default")) return new long[] {0, 0};
        String[] p = cidr.split("/");
        long v = 0;
        for (String octet : p[0].split("\\.")) v = (v << 8) | Integer.parseInt(octet);
        return new long[] {v, p.length > 1 ? Integer.parseInt(p[1]) : 32};
    }
}
