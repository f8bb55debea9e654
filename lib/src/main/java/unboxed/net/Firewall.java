package unboxed.net;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import unboxed.ns.NsThread;
import unboxed.sys.Cmd;

/**
 * Firewall and NAT rules of a network namespace, set with the learner's own tools (iptables, nft) and read back as
 * data. Each namespace has its own tables: a rule added inside a lab's "router" namespace never touches the host's.
 *
 * <p>Reading: rules made by iptables are read with iptables-save, which prints them as they were typed (nft's JSON
 * shows iptables-nft's targets only as opaque "xt" expressions, without their --to-source); rules made by nft itself
 * are read from `nft -j list ruleset`. Both are needed to grade "a MASQUERADE rule" whichever tool made it.
 */
public final class Firewall {
    private Firewall() {}

    /**
     * Runs a program inside the named network namespace (null: the JVM's own), as `ip netns exec NAME ARGV...` does:
     * it is started from a thread that joined the namespace, so it is born in it.
     */
    public static Cmd.Result exec(String netns, String... argv) {
        return netns == null ? Cmd.run(argv) : NsThread.inNetns(netns, () -> Cmd.run(argv));
    }

    /** iptables ARGS... inside the namespace, throwing with iptables' own message when it fails. */
    public static Cmd.Result iptables(String netns, String... args) {
        return exec(netns, Stream.concat(Stream.of("iptables"), Stream.of(args)).toArray(String[]::new)).orThrow();
    }

    /** nft ARGS... inside the namespace, throwing with nft's own message when it fails. */
    public static Cmd.Result nft(String netns, String... args) {
        return exec(netns, Stream.concat(Stream.of("nft"), Stream.of(args)).toArray(String[]::new)).orThrow();
    }

    /**
     * One rule of a nat postrouting chain, whichever tool made it. action: "masquerade", "snat", or another verdict
     * or target in lower case ("accept", "return", a chain name). toAddress: snat's address ("203.0.113.1", maybe with a
     * port or range). oif and saddr: the out-interface and source-address matches (null: the rule does not match on
     * it), with whether they are negated (! -o, !=). protocol: a layer-4 protocol the rule is limited to, or null.
     * other: matches this class does not interpret. text: the rule as its tool prints it.
     */
    public record NatRule(String tool, String table, String chain, String action, String toAddress,
                          String oif, boolean oifNegated, String saddr, boolean saddrNegated, String protocol,
                          List<String> other, String text) {
        /**
         * Whether the rule's out-interface match lets through a packet leaving by the interface NAME: true when the
         * rule has no such match, else whether the pattern matches NAME ({@link #interfaceMatches}), the other way
         * round when it is negated (! -o, !=).
         */
        public boolean matchesOutInterface(String name) {
            return oif == null || interfaceMatches(oif, name) != oifNegated;
        }
    }

    /**
     * Whether an interface name matches an interface pattern as iptables (-o, -i) and nft (oifname, iifname) read it:
     * a trailing "+" (iptables: "upl+") or "*" (nft: "upl*") matches every name starting with what precedes it, any
     * other pattern only that exact name.
     */
    public static boolean interfaceMatches(String pattern, String name) {
        if (pattern.endsWith("+") || pattern.endsWith("*")) return name.startsWith(pattern.substring(0, pattern.length() - 1));
        return pattern.equals(name);
    }

    /** The rules of every nat postrouting chain in the namespace (null: the JVM's own), iptables' first. */
    public static List<NatRule> natPostrouting(String netns) {
        List<NatRule> out = new ArrayList<>();
        if (Cmd.has("iptables-save")) {
            Cmd.Result r = exec(netns, "iptables-save", "-t", "nat");
            if (r.ok()) out.addAll(parseIptablesSave(r.out()));
        }
        if (Cmd.has("nft")) {
            Cmd.Result r = exec(netns, "nft", "-j", "list", "ruleset");
            if (r.ok() && !r.out().isBlank()) out.addAll(parseNftJson(r.out()));
        }
        return out;
    }

    /** The POSTROUTING rules in the *nat section of iptables-save output. */
    static List<NatRule> parseIptablesSave(String save) {
        List<NatRule> out = new ArrayList<>();
        String table = null;
        for (String line : save.split("\n")) {
            if (line.startsWith("*")) table = line.substring(1).strip();
            if (!"nat".equals(table) || !line.startsWith("-A POSTROUTING ")) continue;
            List<String> t = tokens(line);
            String action = null, to = null, oif = null, saddr = null, proto = null;
            boolean oifNeg = false, saddrNeg = false, not = false;
            List<String> other = new ArrayList<>();
            for (int i = 2; i < t.size(); i++) {
                String tok = t.get(i), arg = i + 1 < t.size() ? t.get(i + 1) : null;
                switch (tok) {
                    case "!" -> { not = true; continue; }
                    case "-o", "--out-interface" -> { oif = arg; oifNeg = not; i++; }
                    case "-s", "--source" -> { saddr = arg; saddrNeg = not; i++; }
                    case "-p", "--protocol" -> { proto = not ? "!" + arg : arg; i++; }
                    case "-j", "--jump", "-g", "--goto" -> { action = arg == null ? null : arg.toLowerCase(); i++; }
                    case "--to-source" -> { to = arg; i++; }
                    case "-m", "--match" -> i++; // the match's own options follow and are judged one by one
                    case "--comment" -> i++;
                    default -> {
                        if (tok.startsWith("-")) {
                            StringBuilder o = new StringBuilder((not ? "! " : "") + tok);
                            while (i + 1 < t.size() && !t.get(i + 1).startsWith("-") && !t.get(i + 1).equals("!")) {
                                o.append(' ').append(t.get(++i));
                            }
                            other.add(o.toString());
                        }
                    }
                }
                not = false;
            }
            out.add(new NatRule("iptables", "nat", "POSTROUTING", action, to, oif, oifNeg, saddr, saddrNeg, proto,
                List.copyOf(other), "iptables -t nat " + line.strip()));
        }
        return out;
    }

    /** Rules nft made itself in chains of type nat on the postrouting hook (iptables-nft's "xt" rules are skipped). */
    static List<NatRule> parseNftJson(String json) {
        List<NatRule> out = new ArrayList<>();
        Set<String> natChains = new HashSet<>();
        var items = JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("nftables");
        for (JsonElement e : items) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("chain")) continue;
            JsonObject c = o.getAsJsonObject("chain");
            if ("nat".equals(str(c, "type")) && "postrouting".equals(str(c, "hook"))) {
                natChains.add(str(c, "family") + " " + str(c, "table") + " " + str(c, "name"));
            }
        }
        for (JsonElement e : items) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("rule")) continue;
            JsonObject r = o.getAsJsonObject("rule");
            String family = str(r, "family"), table = str(r, "table"), chain = str(r, "chain");
            if (!natChains.contains(family + " " + table + " " + chain)) continue;
            String action = null, to = null, oif = null, saddr = null, proto = null;
            boolean oifNeg = false, saddrNeg = false, xt = false;
            List<String> other = new ArrayList<>(), text = new ArrayList<>();
            for (JsonElement x : r.getAsJsonArray("expr")) {
                JsonObject ex = x.getAsJsonObject();
                String kind = ex.keySet().iterator().next();
                switch (kind) {
                    case "match" -> {
                        JsonObject m = ex.getAsJsonObject("match");
                        String left = describeOperand(m.get("left")), right = describeOperand(m.get("right"));
                        boolean neg = "!=".equals(str(m, "op"));
                        text.add(left + (neg ? " != " : " ") + right);
                        switch (left) {
                            case "oifname", "oif" -> { oif = right; oifNeg = neg; }
                            case "ip saddr" -> { saddr = right; saddrNeg = neg; }
                            case "l4proto", "ip protocol" -> proto = neg ? "!" + right : right;
                            default -> {
                                other.add(left + (neg ? " != " : " ") + right);
                                // "tcp dport 80" holds only tcp packets (nft adds the l4proto match it implies and
                                // does not print it), as iptables' -p tcp --dport 80 does
                                String header = headerProtocol(m.get("left"));
                                if (proto == null && header != null) proto = header;
                            }
                        }
                    }
                    case "counter" -> text.add("counter");
                    case "masquerade" -> { action = "masquerade"; text.add("masquerade"); }
                    case "snat" -> {
                        action = "snat";
                        JsonObject sn = ex.get("snat").isJsonObject() ? ex.getAsJsonObject("snat") : new JsonObject();
                        JsonElement a = sn.get("addr"), port = sn.get("port");
                        to = a == null ? null : describeOperand(a) + (port == null ? "" : ":" + describeOperand(port));
                        text.add("snat to " + to);
                    }
                    case "xt" -> xt = true;
                    case "accept", "drop", "return" -> { action = kind; text.add(kind); }
                    case "jump", "goto" -> {
                        action = str(ex.getAsJsonObject(kind), "target");
                        text.add(kind + " " + action);
                    }
                    default -> { other.add(kind); text.add(kind); }
                }
            }
            if (xt) continue; // made by iptables-nft: read from iptables-save, with its arguments
            out.add(new NatRule("nft", family + " " + table, chain, action, to, oif, oifNeg, saddr, saddrNeg, proto,
                List.copyOf(other), "table " + family + " " + table + " chain " + chain + ": " + String.join(" ", text)));
        }
        return out;
    }

    /** The layer-4 protocols whose header fields nft matches as "tcp dport", "udp sport", "icmp type"... */
    private static final Set<String> L4_HEADERS =
        Set.of("tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6", "igmp", "ah", "esp", "comp");

    /** "tcp" for the operand {"payload": {"protocol": "tcp", "field": "dport"}}; null for any other. */
    private static String headerProtocol(JsonElement e) {
        if (e == null || !e.isJsonObject() || !e.getAsJsonObject().has("payload")) return null;
        String p = str(e.getAsJsonObject().getAsJsonObject("payload"), "protocol");
        return p != null && L4_HEADERS.contains(p) ? p : null;
    }

    /** An nft JSON operand as nft prints it: "oifname", "ip saddr", "10.0.5.0/24", "uplink". */
    private static String describeOperand(JsonElement e) {
        if (e == null || e.isJsonNull()) return "";
        if (e.isJsonPrimitive()) return e.getAsString();
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("meta")) return str(o.getAsJsonObject("meta"), "key");
            if (o.has("payload")) {
                JsonObject p = o.getAsJsonObject("payload");
                return str(p, "protocol") + " " + str(p, "field");
            }
            if (o.has("prefix")) {
                JsonObject p = o.getAsJsonObject("prefix");
                return str(p, "addr") + "/" + p.get("len").getAsInt();
            }
            if (o.has("range")) {
                var a = o.getAsJsonArray("range");
                return describeOperand(a.get(0)) + "-" + describeOperand(a.get(1));
            }
        }
        return e.toString();
    }

    /** Splits an iptables-save line into words, keeping "quoted strings" (comments) whole. */
    static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false, any = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '\\' && quoted && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
            } else if (ch == '"') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(ch) && !quoted) {
                if (any || cur.length() > 0) out.add(cur.toString());
                cur.setLength(0);
                any = false;
            } else {
                cur.append(ch);
                any = true;
            }
        }
        if (any || cur.length() > 0) out.add(cur.toString());
        return out;
    }

    private static String str(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : null;
    }
}
