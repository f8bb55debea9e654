package unboxed.net;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import unboxed.ns.NsThread;
import unboxed.sys.Cmd;

/**
 * Firewall and NAT rules of a network namespace, set with the learner's own tools (iptables, iptables-legacy, nft)
 * and read back as data, then followed as the kernel follows them. Each namespace has its own tables: a rule added
 * inside a lab's "router" namespace never touches the host's.
 *
 * <p>Reading: three sources, because three tools write rules the kernel obeys at the same postrouting hook.
 * iptables-nft's tables are read with iptables-nft-save, which prints them as they were typed (nft's JSON shows its
 * targets only as opaque "xt" expressions, without their --to-source); a table iptables-nft-save calls incompatible
 * (nft made it) and every other nft table (families ip and inet) from `nft -j list ruleset`; the legacy x_tables nat
 * table with iptables-legacy-save, only when /proc/net/ip_tables_names lists it (asking for it would create it).
 *
 * <p>Following: {@link #follow} walks every nat postrouting base chain, in priority order, through jumps and gotos
 * into user chains, for one kind of traffic, and says which rule translates it, or why none does.
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
     * One match of a rule: the values it compares with (interface patterns, addresses as a.b.c.d, a.b.c.d/N or
     * a.b.c.d-e.f.g.h, protocol names), any of which matches, and whether the match is negated (! -o, !=).
     */
    public record Match(List<String> values, boolean negated) {
        static Match of(String value, boolean negated) {
            return new Match(List.of(value), negated);
        }

        @Override
        public String toString() {
            return (negated ? "anything but " : "") + String.join(", ", values);
        }
    }

    /**
     * One rule of a nat chain, whichever tool made it. action: "masquerade", "snat", "accept", "drop", "return",
     * "jump" or "goto" (then target is the chain), another target in lower case, or null (no verdict: counter, log).
     * toAddress: snat's address ("203.0.113.1", maybe with a range or port). oif, iif, saddr, daddr, protocol: the
     * rule's matches on them (null: none). other: matches this class does not interpret. text: the rule as its tool
     * prints it.
     */
    public record NatRule(String tool, String table, String chain, String action, String target, String toAddress,
                          Match oif, Match iif, Match saddr, Match daddr, Match protocol, List<String> other, String text) {
        /**
         * Whether the rule's out-interface match lets through a packet leaving by the interface NAME: true when the
         * rule has no such match, else whether a pattern matches NAME ({@link #interfaceMatches}), the other way round
         * when it is negated.
         */
        public boolean matchesOutInterface(String name) {
            return interfaceMatch(oif, name);
        }

        /** MASQUERADE or SNAT: a rule that translates the source address. */
        public boolean translates() {
            return "masquerade".equals(action) || "snat".equals(action);
        }
    }

    /**
     * A chain of a nat table: base (hooked at postrouting, with its priority) or a user chain reached by jump/goto.
     * table: "nat" for iptables' tables, "FAMILY NAME" for nft's.
     */
    public record Chain(String tool, String table, String name, boolean base, int priority, List<NatRule> rules) {}

    private static boolean interfaceMatch(Match m, String name) {
        if (m == null) return true;
        boolean any = name != null && m.values().stream().anyMatch(p -> interfaceMatches(p, name));
        return any != m.negated();
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

    // ---- reading ------------------------------------------------------------------------------------------------

    /** Every chain of every nat table in the namespace (null: the JVM's own), from all three back ends. */
    public static List<Chain> natChains(String netns) {
        List<Chain> out = new ArrayList<>();
        Set<String> readByIptables = new HashSet<>();
        String nftSave = Cmd.has("iptables-nft-save") ? "iptables-nft-save" : backend("iptables-save", true);
        if (nftSave != null) {
            Cmd.Result r = exec(netns, nftSave, "-t", "nat");
            if (r.ok()) {
                String all = r.out() + "\n" + r.err();
                if (!all.contains("Table `nat'") && r.out().contains("*nat")) {
                    readByIptables.add("nat");
                    out.addAll(parseIptablesSave(r.out(), "iptables"));
                }
            }
        }
        String legacySave = Cmd.has("iptables-legacy-save") ? "iptables-legacy-save" : backend("iptables-save", false);
        if (legacySave != null && legacyNatExists(netns)) {
            Cmd.Result r = exec(netns, legacySave, "-t", "nat");
            if (r.ok()) out.addAll(parseIptablesSave(r.out(), "iptables-legacy"));
        }
        if (Cmd.has("nft")) {
            Cmd.Result r = exec(netns, "nft", "-j", "list", "ruleset");
            if (r.ok() && !r.out().isBlank()) out.addAll(parseNftJson(r.out(), readByIptables));
        }
        return out;
    }

    /** All the rules of {@link #natChains}, chain after chain. */
    public static List<NatRule> natRules(String netns) {
        return natChains(netns).stream().flatMap(c -> c.rules().stream()).toList();
    }

    /** PROGRAM when `PROGRAM -V` says it is the nf_tables back end (nft true) or the legacy one (nft false). */
    private static String backend(String program, boolean nft) {
        if (!Cmd.has(program)) return null;
        return Cmd.run(program.replace("-save", ""), "-V").out().contains("nf_tables") == nft ? program : null;
    }

    /** Whether the namespace has a legacy (x_tables) nat table: reading one that is not there would make it. */
    private static boolean legacyNatExists(String netns) {
        NsThread.Work<Boolean> read = () -> {
            Path names = Path.of("/proc/thread-self/net/ip_tables_names");
            return Files.exists(names) && Files.readAllLines(names).contains("nat");
        };
        try {
            return netns == null ? read.run() : NsThread.inNetns(netns, read);
        } catch (Exception e) {
            return false;
        }
    }

    private static final Set<String> IPTABLES_TARGET_OPTIONS = Set.of("--to-source", "--to-ports", "--to-destination", "--to");

    /** The chains of the *nat section of iptables-save output: POSTROUTING (base) and the user chains. */
    static List<Chain> parseIptablesSave(String save, String tool) {
        String table = null;
        Map<String, List<NatRule>> chains = new LinkedHashMap<>();
        for (String line : save.split("\n")) {
            if (line.startsWith("*")) table = line.substring(1).strip();
            if (!"nat".equals(table)) continue;
            if (line.startsWith(":")) {
                String name = line.substring(1).split(" ")[0];
                if (!Set.of("PREROUTING", "INPUT", "OUTPUT").contains(name)) chains.putIfAbsent(name, new ArrayList<>());
            }
            if (!line.startsWith("-A ")) continue;
            List<String> t = tokens(line);
            if (t.size() > 1 && t.get(1).equals("POSTROUTING")) chains.putIfAbsent("POSTROUTING", new ArrayList<>());
            if (t.size() < 2 || !chains.containsKey(t.get(1))) continue;
            chains.get(t.get(1)).add(iptablesRule(t, tool, line, chains.keySet()));
        }
        List<Chain> out = new ArrayList<>();
        chains.forEach((name, rules) -> out.add(new Chain(tool, "nat", name, name.equals("POSTROUTING"), 100, List.copyOf(rules))));
        return out;
    }

    /** Every rule of the *nat section's POSTROUTING chain and user chains, chain after chain (for tests). */
    static List<NatRule> parseIptablesSave(String save) {
        return parseIptablesSave(save, "iptables").stream().flatMap(c -> c.rules().stream()).toList();
    }

    private static NatRule iptablesRule(List<String> t, String tool, String line, Set<String> chains) {
        String action = null, target = null, to = null;
        Match oif = null, iif = null, saddr = null, daddr = null, proto = null;
        boolean not = false, inTarget = false;
        List<String> other = new ArrayList<>();
        for (int i = 2; i < t.size(); i++) {
            String tok = t.get(i), arg = i + 1 < t.size() ? t.get(i + 1) : null;
            switch (tok) {
                case "!" -> { not = true; continue; }
                case "-o", "--out-interface" -> { oif = Match.of(arg, not); i++; }
                case "-i", "--in-interface" -> { iif = Match.of(arg, not); i++; }
                case "-s", "--source" -> { saddr = new Match(List.of(arg.split(",")), not); i++; }
                case "-d", "--destination" -> { daddr = new Match(List.of(arg.split(",")), not); i++; }
                case "--src-range" -> { saddr = Match.of(arg, not); i++; }
                case "--dst-range" -> { daddr = Match.of(arg, not); i++; }
                case "-p", "--protocol" -> { proto = Match.of(arg.toLowerCase(), not); i++; }
                case "-j", "-g", "--jump", "--goto" -> {
                    String name = arg == null ? "" : arg;
                    boolean builtin = !chains.contains(name);
                    action = builtin ? name.toLowerCase() : tok.equals("-g") || tok.equals("--goto") ? "goto" : "jump";
                    target = builtin ? null : name;
                    inTarget = true;
                    i++;
                }
                case "-m", "--match" -> i++; // the match's own options follow and are judged one by one
                case "--comment" -> i++;
                default -> {
                    if (tok.startsWith("-")) {
                        StringBuilder o = new StringBuilder((not ? "! " : "") + tok);
                        while (i + 1 < t.size() && !t.get(i + 1).startsWith("-") && !t.get(i + 1).equals("!")) {
                            o.append(' ').append(t.get(++i));
                        }
                        if (inTarget) {
                            // the target's own options (--to-source, --random, --log-prefix): not matches
                            if (IPTABLES_TARGET_OPTIONS.contains(tok)) to = o.substring(tok.length()).strip();
                        } else {
                            other.add(o.toString());
                        }
                    }
                }
            }
            not = false;
        }
        if ("-j".equals(t.get(t.size() - 1))) action = null;
        String command = tool.equals("iptables") ? "iptables" : "iptables-legacy";
        return new NatRule(tool, "nat", t.get(1), action, target, to, oif, iif, saddr, daddr, proto, List.copyOf(other),
            command + " -t nat " + line.strip());
    }

    /**
     * The chains of nft's nat tables (families ip and inet) with a postrouting base chain, as `nft -j list ruleset`
     * gives them. Tables named in skipIpTables (family ip) were read from iptables-nft-save; a rule with an "xt"
     * expression that is not MASQUERADE is kept, and judged as not understood.
     */
    static List<Chain> parseNftJson(String json, Set<String> skipIpTables) {
        var items = JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("nftables");
        Map<String, JsonObject> chainInfo = new LinkedHashMap<>();
        Map<String, List<String>> sets = new HashMap<>();
        Set<String> natTables = new HashSet<>();
        for (JsonElement e : items) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("chain")) {
                JsonObject c = o.getAsJsonObject("chain");
                String family = str(c, "family"), table = str(c, "table");
                if (!"ip".equals(family) && !"inet".equals(family)) continue;
                if ("ip".equals(family) && skipIpTables.contains(table)) continue;
                chainInfo.put(family + " " + table + " " + str(c, "name"), c);
                if ("nat".equals(str(c, "type")) && "postrouting".equals(str(c, "hook"))) natTables.add(family + " " + table);
            }
            if (o.has("set")) {
                JsonObject s = o.getAsJsonObject("set");
                List<String> elems = new ArrayList<>();
                if (s.has("elem")) for (JsonElement x : s.getAsJsonArray("elem")) elems.addAll(values(x, Map.of()));
                sets.put(str(s, "family") + " " + str(s, "table") + " @" + str(s, "name"), elems);
            }
        }
        Map<String, List<NatRule>> rules = new LinkedHashMap<>();
        for (JsonElement e : items) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("rule")) continue;
            JsonObject r = o.getAsJsonObject("rule");
            String key = str(r, "family") + " " + str(r, "table") + " " + str(r, "chain");
            if (!chainInfo.containsKey(key) || !natTables.contains(str(r, "family") + " " + str(r, "table"))) continue;
            rules.computeIfAbsent(key, k -> new ArrayList<>()).add(nftRule(r, sets));
        }
        List<Chain> out = new ArrayList<>();
        chainInfo.forEach((key, c) -> {
            String table = str(c, "family") + " " + str(c, "table");
            if (!natTables.contains(table)) return;
            boolean base = "nat".equals(str(c, "type")) && "postrouting".equals(str(c, "hook"));
            if (!base && c.has("hook")) return; // the table's prerouting/output chains: another hook
            int prio = c.has("prio") && c.get("prio").isJsonPrimitive() ? c.get("prio").getAsInt() : 100;
            out.add(new Chain("nft", table, str(c, "name"), base, prio, List.copyOf(rules.getOrDefault(key, List.of()))));
        });
        return out;
    }

    /** Every rule of {@link #parseNftJson(String, Set)}'s chains, chain after chain (for tests). */
    static List<NatRule> parseNftJson(String json) {
        return parseNftJson(json, Set.of()).stream().flatMap(c -> c.rules().stream()).toList();
    }

    /** nft statements that neither match nor end the chain. */
    private static final Set<String> NFT_PASSIVE = Set.of("counter", "log", "mangle", "notrack");

    private static NatRule nftRule(JsonObject r, Map<String, List<String>> sets) {
        String family = str(r, "family"), table = str(r, "table"), chain = str(r, "chain");
        String setPrefix = family + " " + table + " ";
        Map<String, List<String>> named = new HashMap<>();
        sets.forEach((k, v) -> { if (k.startsWith(setPrefix)) named.put(k.substring(setPrefix.length()), v); });
        String action = null, target = null, to = null;
        Match oif = null, iif = null, saddr = null, daddr = null, proto = null;
        List<String> other = new ArrayList<>(), text = new ArrayList<>();
        for (JsonElement x : r.getAsJsonArray("expr")) {
            JsonObject ex = x.getAsJsonObject();
            String kind = ex.keySet().iterator().next();
            switch (kind) {
                case "match" -> {
                    JsonObject m = ex.getAsJsonObject("match");
                    String left = describeOperand(m.get("left")), op = str(m, "op");
                    List<String> right = values(m.get("right"), named);
                    boolean neg = "!=".equals(op);
                    String shown = left + (neg ? " != " : " ") + describeRight(m.get("right"));
                    text.add(shown);
                    if (!"==".equals(op) && !"!=".equals(op) && !"in".equals(op)) {
                        other.add(shown);
                        continue;
                    }
                    Match v = new Match(right, neg);
                    switch (left) {
                        case "oifname", "oif" -> oif = v;
                        case "iifname", "iif" -> iif = v;
                        case "ip saddr" -> saddr = v;
                        case "ip daddr" -> daddr = v;
                        case "l4proto", "meta l4proto", "ip protocol" -> proto = v;
                        case "nfproto", "meta nfproto", "protocol", "meta protocol" -> {
                            // an inet table's "meta nfproto ipv4" or "meta protocol ip": all of IPv4
                            if ((right.contains("ipv4") || right.contains("ip")) == neg) other.add(shown + " (not IPv4)");
                        }
                        default -> {
                            other.add(shown);
                            // "tcp dport 80" holds only tcp packets (nft adds the l4proto match it implies and
                            // does not print it), as iptables' -p tcp --dport 80 does
                            String header = headerProtocol(m.get("left"));
                            if (proto == null && header != null) proto = Match.of(header, false);
                        }
                    }
                }
                case "masquerade" -> {
                    action = "masquerade";
                    JsonElement p = ex.get("masquerade");
                    String port = p != null && p.isJsonObject() && p.getAsJsonObject().has("port")
                        ? describeOperand(p.getAsJsonObject().get("port")) : null;
                    text.add("masquerade" + (port == null ? "" : " to :" + port));
                }
                case "snat" -> {
                    action = "snat";
                    JsonObject sn = ex.get("snat").isJsonObject() ? ex.getAsJsonObject("snat") : new JsonObject();
                    JsonElement a = sn.get("addr"), port = sn.get("port");
                    to = a == null ? null : describeOperand(a).replaceAll("/32$", "") + (port == null ? "" : ":" + describeOperand(port));
                    text.add("snat to " + to);
                }
                case "xt" -> {
                    if (!ex.get("xt").isJsonObject()) {
                        // older nft prints an iptables extension as "xt": null: match or target, nobody can tell
                        other.add("an iptables extension that nft does not show");
                        if (action == null) action = "iptables-extension";
                        text.add("xt");
                        continue;
                    }
                    JsonObject xt = ex.getAsJsonObject("xt");
                    String name = str(xt, "name");
                    if ("target".equals(str(xt, "type")) && "MASQUERADE".equals(name)) {
                        action = "masquerade";
                    } else if ("target".equals(str(xt, "type"))) {
                        action = name == null ? "xt" : name.toLowerCase();
                        other.add("iptables target " + name + " (its options are not in nft's listing)");
                    } else {
                        other.add("iptables match " + name);
                    }
                    text.add("xt " + name);
                }
                case "accept", "drop", "return", "continue" -> { action = kind.equals("continue") ? null : kind; text.add(kind); }
                case "jump", "goto" -> {
                    action = kind;
                    target = str(ex.getAsJsonObject(kind), "target");
                    text.add(kind + " " + target);
                }
                default -> {
                    text.add(kind);
                    if (!NFT_PASSIVE.contains(kind)) {
                        if (Set.of("reject", "dnat", "redirect", "queue").contains(kind)) action = kind;
                        else other.add(kind);
                    }
                }
            }
        }
        return new NatRule("nft", family + " " + table, chain, action, target, to, oif, iif, saddr, daddr, proto,
            List.copyOf(other), "table " + family + " " + table + " chain " + chain + ": " + String.join(" ", text));
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

    /**
     * The values an nft right-hand operand stands for: one ("uplink", "10.0.5.0/24", "10.0.5.0-10.0.6.255"), those of
     * an anonymous set ({"set": [...]}), or those of a named set ("@nets", looked up in named).
     */
    static List<String> values(JsonElement e, Map<String, List<String>> named) {
        if (e == null || e.isJsonNull()) return List.of();
        if (e.isJsonPrimitive()) {
            String s = e.getAsString();
            return s.startsWith("@") && named.containsKey(s) ? named.get(s) : List.of(s);
        }
        if (e.isJsonArray()) {
            List<String> out = new ArrayList<>();
            for (JsonElement x : e.getAsJsonArray()) out.addAll(values(x, named));
            return out;
        }
        JsonObject o = e.getAsJsonObject();
        if (o.has("set")) return values(o.get("set"), named);
        if (o.has("elem")) return values(o.getAsJsonObject("elem").get("val"), named);
        return List.of(describeOperand(e));
    }

    private static String describeRight(JsonElement e) {
        if (e != null && e.isJsonObject() && e.getAsJsonObject().has("set")) {
            return "{ " + String.join(", ", values(e, Map.of())) + " }";
        }
        return describeOperand(e);
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
            if (o.has("set")) return describeRight(e);
        }
        return e.toString();
    }

    // ---- where DNAT sends connections ----------------------------------------------------------------------------

    /**
     * Where the namespace's DNAT rules (null: the JVM's own) send what they take: each distinct "address[:port]" of an
     * iptables `-j DNAT --to-destination` (iptables-nft and iptables-legacy) or an nft `dnat to`, in any chain. For
     * saying why a published port is not reached; what a rule takes is not judged here.
     */
    public static List<String> dnatTargets(String netns) {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String save : new String[] {"iptables-nft-save", "iptables-legacy-save"}) {
            if (!Cmd.has(save) || save.contains("legacy") && !legacyNatExists(netns)) continue;
            Cmd.Result r = exec(netns, save, "-t", "nat");
            if (r.ok()) out.addAll(parseDnatTargets(r.out()));
        }
        if (Cmd.has("nft")) {
            Cmd.Result r = exec(netns, "nft", "-j", "list", "ruleset");
            if (r.ok() && !r.out().isBlank()) out.addAll(parseNftDnatTargets(r.out()));
        }
        return List.copyOf(out);
    }

    /** The --to-destination of every -j DNAT rule in iptables-save output. */
    static List<String> parseDnatTargets(String save) {
        List<String> out = new ArrayList<>();
        for (String line : save.split("\n")) {
            if (!line.startsWith("-A ")) continue;
            List<String> t = tokens(line);
            int j = t.indexOf("DNAT"), to = t.indexOf("--to-destination");
            if (j > 0 && to > j && to + 1 < t.size()) out.add(t.get(to + 1));
        }
        return out;
    }

    /** The target of every dnat statement in `nft -j list ruleset`: "10.0.11.2:80" or "10.0.11.2". */
    static List<String> parseNftDnatTargets(String json) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("nftables")) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("rule")) continue;
            for (JsonElement x : o.getAsJsonObject("rule").getAsJsonArray("expr")) {
                JsonObject ex = x.getAsJsonObject();
                if (!ex.has("dnat") || !ex.get("dnat").isJsonObject()) continue;
                JsonObject d = ex.getAsJsonObject("dnat");
                if (d.get("addr") == null) continue;
                out.add(describeOperand(d.get("addr")).replaceAll("/32$", "") + (d.has("port") ? ":" + describeOperand(d.get("port")) : ""));
            }
        }
        return out;
    }

    // ---- following ----------------------------------------------------------------------------------------------

    /** The traffic a check asks about: IPv4 from sourceNet, leaving by outInterface, come in by inInterface (or null). */
    public record Traffic(String sourceNet, String outInterface, String inInterface) {}

    /**
     * What the kernel does with the traffic: the rule that translates all of it (null if none does), the first rule
     * that translates it at all (right or wrong), and why it is not translated, or not all of it, or not as wanted
     * (null when translated is set). A problem always quotes the rule.
     */
    public record Outcome(NatRule translated, NatRule anyTranslating, String problem) {
        public boolean ok() {
            return translated != null;
        }
    }

    /** How much of the traffic a rule's matches take: all, none, some, or unknown (then why). */
    record Coverage(String kind, String why) {
        static final Coverage ALL = new Coverage("all", null), NONE = new Coverage("none", null);

        static Coverage none(String why) {
            return new Coverage("none", why);
        }
    }

    /**
     * Follows the base chains at the postrouting hook, in priority order, for the traffic: rules whose matches take
     * none of it are passed over; a jump or goto that takes all of it is followed into its chain; a MASQUERADE or
     * SNAT that takes all of it translates it (if targetProblem says nothing against the target); an ACCEPT, RETURN
     * or DROP that takes all of it ends the chain. A rule that takes only some of it, or whose matches this class
     * cannot read, is not followed and earns nothing: the outcome says why.
     *
     * @param targetProblem for a MASQUERADE or SNAT rule: null if it translates as wanted, else why not
     */
    public static Outcome follow(List<Chain> chains, Traffic t, Function<NatRule, String> targetProblem) {
        Map<String, Chain> byName = new HashMap<>();
        for (Chain c : chains) byName.put(c.tool() + " " + c.table() + " " + c.name(), c);
        List<Chain> bases = chains.stream().filter(Chain::base).sorted(Comparator.comparingInt(Chain::priority)).toList();
        Walk w = new Walk(byName, t, targetProblem);
        for (Chain c : bases) {
            String end = w.walk(c, 0);
            if (w.translated != null) return new Outcome(w.hard == null ? w.translated : null, w.translated, w.hard);
            if (end.equals("drop") || end.equals("wrong")) break;
        }
        return new Outcome(null, w.anyTranslating, w.hard != null ? w.hard : w.soft);
    }

    private static final Set<String> NON_TERMINAL = Set.of("log", "mark", "connmark", "nflog", "trace", "counter");

    private static final class Walk {
        final Map<String, Chain> byName;
        final Traffic t;
        final Function<NatRule, String> targetProblem;
        NatRule translated, anyTranslating;
        /** hard: a reason that holds even if a later rule translates; soft: why nothing did, if nothing does. */
        String hard, soft;

        Walk(Map<String, Chain> byName, Traffic t, Function<NatRule, String> targetProblem) {
            this.byName = byName;
            this.t = t;
            this.targetProblem = targetProblem;
        }

        void hard(String p) {
            if (hard == null) hard = p;
        }

        void soft(String p) {
            if (soft == null) soft = p;
        }

        Chain sub(Chain c, NatRule r) {
            return byName.get(c.tool() + " " + c.table() + " " + r.target());
        }

        /** Whether a chain (and what it jumps to) only logs and counts: taking part of the traffic there changes nothing. */
        boolean passive(Chain c, int depth) {
            if (c == null || depth > 16) return false;
            for (NatRule r : c.rules()) {
                if (r.action() == null || NON_TERMINAL.contains(r.action())) continue;
                if (r.action().equals("jump") && passive(sub(c, r), depth + 1)) continue;
                return false;
            }
            return true;
        }

        /** "translated", "wrong" (a NAT target that translates wrongly), "drop", "accept", "return", "end" (fell off). */
        String walk(Chain c, int depth) {
            if (depth > 16) {
                hard("the chains jump more than 16 deep from " + c.name());
                return "end";
            }
            String flow = "the traffic from " + t.sourceNet() + " leaving " + t.outInterface();
            for (NatRule r : c.rules()) {
                Coverage cov = coverage(r, t);
                String rule = "`" + r.text() + "`";
                if (cov.kind().equals("none") && r.translates() && cov.why() != null) soft(rule + " " + cov.why());
                if (cov.kind().equals("none") || r.action() == null || NON_TERMINAL.contains(r.action())) continue;
                if (r.translates() && anyTranslating == null) anyTranslating = r;
                if (cov != Coverage.ALL) {
                    String what = cov.kind().equals("some") ? " " + cov.why()
                        : ": the check cannot tell which packets it takes (" + cov.why() + ")";
                    if (r.translates()) {
                        String p = targetProblem.apply(r);
                        if (p == null) soft(rule + what + ", not all of " + flow);
                        else hard(rule + " " + p);
                    } else if ((r.action().equals("jump") || r.action().equals("goto")) && passive(sub(c, r), depth + 1)) {
                        continue;
                    } else {
                        hard(rule + " comes first and" + what + ": what it takes " + (r.action().equals("jump")
                            || r.action().equals("goto") ? "goes to " + r.target() : "leaves " + c.name() + " (" + r.action() + ")")
                            + " instead of reaching a later rule");
                    }
                    continue;
                }
                switch (r.action()) {
                    case "masquerade", "snat" -> {
                        String p = targetProblem.apply(r);
                        if (p == null) {
                            translated = r;
                            return "translated";
                        }
                        hard(rule + " " + p);
                        return "wrong";
                    }
                    case "jump", "goto" -> {
                        Chain sub = sub(c, r);
                        if (sub == null || sub.base()) {
                            hard(rule + " goes to " + r.target() + ", a chain the check could not read");
                            return "end";
                        }
                        String end = walk(sub, depth + 1);
                        if (!end.equals("return") && !end.equals("end")) return end;
                        if (r.action().equals("goto")) return "return";
                    }
                    case "return" -> {
                        if (!c.base()) {
                            soft(rule + " takes " + flow + " and returns it from " + c.name() + " before any translation there");
                            return "return";
                        }
                        soft(rule + " takes " + flow + " and returns before any translation in " + c.name());
                        return "accept";
                    }
                    case "accept" -> {
                        soft(rule + " takes " + flow + " and accepts it before any translation in its chain");
                        return "accept";
                    }
                    case "drop", "reject" -> {
                        hard(rule + " takes " + flow + " and drops it");
                        return "drop";
                    }
                    default -> {
                        hard(rule + " has the target " + r.action() + ", which the check does not follow");
                        return "end";
                    }
                }
            }
            return "end";
        }
    }

    /** Which part of the traffic the rule's matches take. */
    static Coverage coverage(NatRule r, Traffic t) {
        List<String> some = new ArrayList<>();
        if (r.other().stream().anyMatch(o -> o.startsWith("ip6 ") || o.endsWith("(not IPv4)"))) return Coverage.NONE;
        if (r.oif() != null && !interfaceMatch(r.oif(), t.outInterface())) {
            return Coverage.none("matches packets leaving " + r.oif() + ", and " + t.sourceNet() + " reaches the internet through "
                + t.outInterface());
        }
        if (r.iif() != null) {
            if (t.inInterface() == null) return new Coverage("unknown", "an in-interface match on " + r.iif());
            if (!interfaceMatch(r.iif(), t.inInterface())) {
                return Coverage.none("matches packets that came in by " + r.iif() + ", and " + t.sourceNet() + " comes in by "
                    + t.inInterface());
            }
        }
        if (r.saddr() != null) {
            long[] net = range(t.sourceNet());
            boolean covers = false, overlaps = false;
            for (String v : r.saddr().values()) {
                long[] x = range(v);
                if (x == null) return new Coverage("unknown", "source " + v);
                if (x[0] <= net[0] && x[1] >= net[1]) covers = true;
                if (x[0] <= net[1] && x[1] >= net[0]) overlaps = true;
            }
            if (r.saddr().negated()) {
                if (covers) return Coverage.none("matches source " + r.saddr() + ", which leaves out " + t.sourceNet());
                if (overlaps) some.add("matches source " + r.saddr());
            } else {
                if (!overlaps) return Coverage.none("matches source " + r.saddr() + ", not " + t.sourceNet());
                if (!covers) some.add("matches source " + r.saddr() + ", not the whole of " + t.sourceNet());
            }
        }
        if (r.daddr() != null) {
            boolean internetOnly = true, everything = false;
            for (String v : r.daddr().values()) {
                long[] x = range(v);
                if (x == null) return new Coverage("unknown", "destination " + v);
                if (x[0] == 0 && x[1] == 0xFFFFFFFFL) everything = true;
                if (!PRIVATE.stream().map(Firewall::range).anyMatch(p -> p[0] <= x[0] && p[1] >= x[1])) internetOnly = false;
            }
            // ! -d 10.0.0.0/8: every destination on the internet; -d 0.0.0.0/0: every destination
            boolean all = r.daddr().negated() ? internetOnly : everything;
            if (!all) some.add("matches only destination " + r.daddr());
        }
        if (r.protocol() != null) {
            boolean any = r.protocol().values().stream().anyMatch(p -> p.equals("all") || p.equals("0"));
            if (any == r.protocol().negated()) some.add("matches only protocol " + r.protocol());
        }
        List<String> unknown = r.other().stream().filter(o -> !o.isBlank()).toList();
        if (!unknown.isEmpty()) return new Coverage("unknown", "it also matches " + String.join(", ", unknown));
        return some.isEmpty() ? Coverage.ALL : new Coverage("some", String.join(" and ", some));
    }

    /** Destinations that are not the internet: a rule that leaves them out still takes everything bound for it. */
    private static final List<String> PRIVATE = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
        "169.254.0.0/16", "224.0.0.0/4");

    private static final Pattern ADDR = Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+)(?:/(\\d+|\\d+\\.\\d+\\.\\d+\\.\\d+))?");

    /** [first, last] of "a.b.c.d", "a.b.c.d/N", "a.b.c.d/m.a.s.k" or "a.b.c.d-e.f.g.h"; null if it is none of these. */
    static long[] range(String v) {
        if (v.contains("-")) {
            String[] p = v.split("-", 2);
            long[] a = range(p[0]), b = range(p[1]);
            return a == null || b == null ? null : new long[] {a[0], b[1]};
        }
        Matcher m = ADDR.matcher(v.strip());
        if (!m.matches()) return null;
        long addr = 0;
        for (String o : m.group(1).split("\\.")) addr = (addr << 8) | Integer.parseInt(o);
        int len = 32;
        if (m.group(2) != null) len = m.group(2).contains(".") ? Long.bitCount(range(m.group(2))[0]) : Integer.parseInt(m.group(2));
        long mask = len == 0 ? 0 : (0xFFFFFFFFL << (32 - len)) & 0xFFFFFFFFL;
        return new long[] {addr & mask, (addr & mask) | (~mask & 0xFFFFFFFFL)};
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
