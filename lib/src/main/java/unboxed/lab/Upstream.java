package unboxed.lab;

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import unboxed.lab.Check.Verdict;
import unboxed.net.Echo;
import unboxed.net.Firewall;
import unboxed.net.Ip;
import unboxed.net.Netns;
import unboxed.net.Sysctl;
import unboxed.sys.Cmd;

/**
 * The starting point a network lab hands its learner: a "router" namespace that plays the host and an "internet"
 * namespace behind the router's uplink, on a documentation range, so that NAT can be taught without touching the
 * host's own firewall, routes or sysctls. Also what such a lab grades the same way whatever sits behind the router:
 * MASQUERADE on the uplink, and a datagram from a box seen at the internet as from the uplink's address.
 *
 * @param router  the router's namespace ("plays the host")
 * @param inet    the internet's namespace
 * @param uplink  the router's end of the pair between them
 * @param inetEnd the internet's end
 * @param uplinkIp the router's uplink address (a /24)
 * @param inetIp  the internet's address (a /24)
 * @param prepareCommand what the learner types to make them ("sudo ./jbang labNN prepare")
 */
public record Upstream(String router, String inet, String uplink, String inetEnd, String uplinkIp, String inetIp,
                       String prepareCommand) {

    public static final String FORWARD = "net.ipv4.ip_forward";

    /** The shell lines that make the router and the internet, as prepare prints them. */
    public String shell() {
        return "ip netns add " + router + "; ip netns add " + inet + "\n"
            + "ip link add " + uplink + " netns " + router + " type veth peer name " + inetEnd + " netns " + inet + "\n"
            + "ip -n " + router + " addr add " + uplinkIp + "/24 dev " + uplink + "; ip -n " + router + " link set " + uplink + " up\n"
            + "ip -n " + inet + " addr add " + inetIp + "/24 dev " + inetEnd + "; ip -n " + inet + " link set " + inetEnd + " up\n"
            + "ip -n " + router + " link set lo up; ip -n " + inet + " link set lo up\n";
    }

    /** Makes the two namespaces and their pair (a lab's own demo, step 1): addresses, UP, lo UP. */
    public void build(Bench b) {
        b.netns(router);
        b.netns(inet);
        b.vethBetween(uplink, router, inetEnd, inet);
        wire(router, uplink, uplinkIp);
        wire(inet, inetEnd, inetIp);
        Ip.up(router, "lo");
        Ip.up(inet, "lo");
    }

    /** The exercise's starting point: makes the router and the internet, and leaves a complete pair as it is. */
    public void prepare(Bench b) {
        // the root's forwarding as it was, for a check that the learner turned it on in the router, not the host
        KernelObject.SysctlNote.noted(b.lab().id, FORWARD);
        if (prepared()) {
            b.console().note(router + " and " + inet + " are ready (" + uplink + " " + uplinkIp + "/24, " + inetEnd + " "
                + inetIp + "/24).");
            return;
        }
        for (String ns : new String[] {router, inet}) {
            if (Files.exists(Netns.path(ns))) {
                Netns.delete(ns); // ours (the preflight refused anyone else's), but no longer whole: start again
                b.console().note("removed the incomplete " + ns);
            }
        }
        b.console().shell(shell());
        build(b);
        b.show("links in " + router, links(router));
        b.show("links in " + inet, links(inet));
        b.show(FORWARD + " in " + router, Sysctl.get(router, FORWARD) + " (yours to turn on)");
    }

    /** Both namespaces are there, and the uplink pair joins them with its addresses, up. */
    public boolean prepared() {
        if (!Netns.exists(router) || !Netns.exists(inet)) return false;
        Optional<Ip.Link> up = Ip.link(router, uplink), in = Ip.link(inet, inetEnd);
        return up.isPresent() && in.isPresent() && up.get().up() && in.get().up()
            && up.get().has(uplinkIp + "/24") && in.get().has(inetIp + "/24")
            && Ip.peerNetns(router, up.get()).map(inet::equals).orElse(false);
    }

    /** The verdict when the router or the internet is gone: which, and how to make them. */
    public Verdict missing() {
        String m = Netns.exists(router) ? inet + " is" : Netns.exists(inet) ? router + " is" : router + " and " + inet + " are";
        return fail(m + " missing: `" + prepareCommand + "` makes the exercise's router and internet (run leaves them too)");
    }

    // ---- NAT out of the uplink ----------------------------------------------------------------------------------

    /**
     * The router masquerades sourceNet (which comes in by inDev) leaving the uplink: MASQUERADE, or SNAT to the
     * uplink's address, followed through the nat chains as the kernel does.
     */
    public Verdict masquerade(String sourceNet, String inDev) {
        if (!Netns.exists(router)) return missing();
        Firewall.Outcome o = natOutcome(sourceNet, inDev);
        if (o.ok()) return pass();
        if (o.anyTranslating() == null && o.problem() == null) {
            List<Firewall.NatRule> inRoot = Firewall.natRules(null).stream().filter(r -> r.translates() && r.saddr() != null
                && !r.saddr().negated() && r.saddr().values().stream().anyMatch(v -> v.matches("[\\d./]+") && Ip.overlaps(v, sourceNet)))
                .toList();
            if (!inRoot.isEmpty()) {
                return fail(router + " has no MASQUERADE rule, but the root namespace's firewall has one (`"
                    + inRoot.get(0).text() + "`): delete it there (-D instead of -A) and add it with ip netns exec " + router);
            }
            return fail(router + "'s nat POSTROUTING chain has no MASQUERADE (or SNAT to " + uplinkIp + ") rule");
        }
        return fail(o.problem() != null ? o.problem()
            : "no rule of " + router + "'s nat chains translates the traffic from " + sourceNet + " leaving " + uplink);
    }

    /** What the router's nat chains, followed from postrouting, do with sourceNet's traffic to the uplink. */
    public Firewall.Outcome natOutcome(String sourceNet, String inDev) {
        return Firewall.follow(Firewall.natChains(router), new Firewall.Traffic(sourceNet, uplink, inDev), this::targetProblem);
    }

    /** For a MASQUERADE or SNAT rule: null if it gives the uplink's address, else why not. */
    public String targetProblem(Firewall.NatRule r) {
        if ("masquerade".equals(r.action())) return null;
        String to = r.toAddress() == null ? "" : r.toAddress().split(":")[0];
        if (to.isEmpty()) return "has no --to-source the check can read";
        for (String a : to.split("-")) {
            if (!a.equals(uplinkIp) && !a.equals(uplinkIp + "/32")) {
                return "translates to " + to + ", and " + router + "'s " + uplink + " address is " + uplinkIp
                    + " (a reply to another address never comes back to the router)";
            }
        }
        return null;
    }

    // ---- a datagram from a box to the internet -------------------------------------------------------------------

    /**
     * The check's own probe: a datagram from box (whose address is boxIp) to a listener inside the internet. It is sent
     * only when both the box and the router would route it through the lab's own links, so it can never leave through
     * the host. sourceNet and inDev: the box's network and the router's device it comes in by (to name a NAT rule
     * that misses it); forwarding: the lab's verdict on the router's forwarding, to say why nothing arrived.
     */
    public Verdict endToEnd(String box, String boxIp, String sourceNet, String inDev, Supplier<Verdict> forwarding)
            throws Exception {
        for (String ns : new String[] {box, router, inet}) {
            if (!Netns.exists(ns)) return ns.equals(box) ? fail("there is no namespace " + box + " to send from") : missing();
        }
        Optional<String> dev = Ip.routeDev(box, inetIp);
        if (dev.isEmpty()) return fail(box + " has no route to " + inetIp + " (no default route): nothing was sent");
        Optional<Ip.Link> out = Ip.link(box, dev.get());
        if (out.isEmpty() || !router.equals(out.flatMap(l -> Ip.peerNetns(box, l)).orElse(null))) {
            return fail(box + " sends " + inetIp + " through " + dev.get() + ", whose other end is not in " + router + ": not probed");
        }
        Optional<String> routerDev = Ip.routeDev(router, inetIp);
        if (!routerDev.equals(Optional.of(uplink))) {
            return fail(router + " routes " + inetIp + " through " + routerDev.orElse("nothing") + ", not " + uplink + ": not probed");
        }
        Echo.Result r = Echo.udp(box, inet, inetIp, 1000);
        if (r.sendError() != null) return fail(box + " could not send to " + inetIp + ": " + r.sendError());
        if (!r.arrived()) {
            Verdict f = forwarding.get();
            return fail("the datagram from " + box + " never reached " + inetIp + (f.passed()
                ? ": " + router + " forwards, so look at its firewall (nft list ruleset)"
                : ": " + router + " does not forward it (" + f.reason().replaceAll(" \\(the root.*", "") + ")"));
        }
        if (r.seenAddress().equals(boxIp)) {
            String wrongRule = Optional.ofNullable(natOutcome(sourceNet, inDev).problem())
                .map(p -> "; " + p).orElse("");
            return fail(inet + " saw the datagram come from " + boxIp + ", the box's own address: nothing translated it "
                + "on its way out of " + uplink + (r.replyError() != null ? ", so its reply had nowhere to go (" + r.replyError() + ")" : "")
                + wrongRule);
        }
        if (!r.seenAddress().equals(uplinkIp)) {
            return fail(inet + " saw the datagram come from " + r.seenAddress() + ", not " + uplinkIp);
        }
        if (!r.replied()) {
            return fail(inet + " saw " + uplinkIp + " and answered" + (r.replyError() != null ? " (or tried: " + r.replyError() + ")" : "")
                + ", but the reply never reached the box (" + box + "; ip netns exec " + router + " conntrack -L)");
        }
        return pass();
    }

    /** One UDP round trip from a box to the internet, told from both ends (a step's demo). */
    public void probe(Bench b, String box) throws Exception {
        b.java("a DatagramSocket opened on a thread in " + inet + " (" + inetIp + "), another in " + box + "; send, answer");
        Echo.Result r = Echo.udp(box, inet, inetIp, 1000);
        b.show(box + " sends to " + inetIp, r.sendError() == null ? "sent" : "failed: " + r.sendError());
        if (r.sendError() != null) return;
        b.show(inet + " sees it from", r.arrived() ? r.seenSource() : "nothing arrived");
        if (!r.arrived()) return;
        b.show(inet + "'s reply", r.replyError() != null ? "cannot be sent: " + r.replyError()
            : r.replied() ? "reached " + box : "sent, but never reached " + box);
    }

    // ---- small helpers ----------------------------------------------------------------------------------------

    /** Address (a /24) and UP, as a step shows it. */
    public static void wire(String ns, String dev, String ip) {
        Ip.addAddr(ns, dev, ip + "/24");
        Ip.up(ns, dev);
    }

    /** A namespace's links in one line: "lo UP, uplink UP [203.0.113.1/24]". */
    public static String links(String ns) {
        List<String> out = new ArrayList<>();
        for (Ip.Link l : Ip.links(ns)) out.add(l.name() + " " + (l.up() ? "UP" : "DOWN") + (l.ipv4().isEmpty() ? "" : " " + l.ipv4()));
        return String.join(", ", out);
    }

    /** A namespace's IPv4 addresses but lo's, in one line, for a reason. */
    public static String addresses(String ns) {
        List<String> a = Ip.links(ns).stream().filter(l -> !l.name().equals("lo"))
            .flatMap(l -> l.ipv4().stream().map(x -> x + " on " + l.name())).toList();
        return a.isEmpty() ? "no IPv4 address" : String.join(", ", a);
    }

    /** What the root namespace's firewall and forwarding say now, as one string to compare. */
    public static String rootFirewallAndForwarding() {
        StringBuilder s = new StringBuilder();
        if (Cmd.has("iptables-save")) {
            // comment lines carry the time of the dump
            Cmd.run("iptables-save").out().lines().filter(l -> !l.startsWith("#")).forEach(l -> s.append(l).append('\n'));
        }
        if (Cmd.has("nft")) s.append(Cmd.run("nft", "list", "ruleset").out());
        return s.append(Sysctl.get(null, FORWARD)).toString();
    }
}
