package unboxed.site;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a recorded run the same text on every recording: what the kernel numbers afresh each time (namespace inode
 * numbers, pids, MAC addresses, interface indexes of the root namespace) becomes a stable stand-in, numbered in the
 * order first seen, so that "the same id twice" and "two different ids" still read true; timings, dates and the
 * machine's hostname become fixed words. One Normaliser per transcript, so a value keeps its stand-in across steps.
 */
final class Normaliser {
    /** Namespace ids: inode numbers of nsfs, 0xF0000000 and up (4026531840...), ten digits. */
    private static final Pattern NS_ID = Pattern.compile("(?<!\\d)4026\\d{6}(?!\\d)");
    private static final Pattern MAC = Pattern.compile("(?i)(?<![0-9a-f:])(?:[0-9a-f]{2}:){5}[0-9a-f]{2}(?![0-9a-f:])");
    /** Words after which a number is a process or thread id (the kernel's and ps's own words). */
    private static final Pattern PID_CONTEXT = Pattern.compile(
        "(?i)(?:\\b(?:pid|ppid|tid|tgid|thread|process|nspid)\\b\\s*[:=]?\\s*|/proc/)(\\d{3,8})(?!\\d)");
    private static final Pattern DURATION = Pattern.compile("(?<![\\w.])\\d+(?:\\.\\d+)?(?=\\s?(?:ms|µs|us|ns)\\b)");
    private static final Pattern RTT = Pattern.compile("\\d+\\.\\d+/\\d+\\.\\d+/\\d+\\.\\d+/\\d+\\.\\d+(?=\\s?ms)");
    private static final Pattern SECONDS = Pattern.compile("(?<![\\w.])\\d+\\.\\d+(?=\\s?s\\b)");
    private static final Pattern ISO_TIME = Pattern.compile(
        "\\b\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?");
    /** Kernel log timestamps: "[ 1234.567890]". */
    private static final Pattern KLOG_TIME = Pattern.compile("\\[\\s*\\d+\\.\\d{6}\\]");
    /** A pid below this is taken to be a number inside a pid namespace (1, 2, 3...), which is the lesson: kept. */
    static final long MIN_HOST_PID = 300;

    private final Map<String, String> nsIds = new LinkedHashMap<>(), macs = new LinkedHashMap<>();
    private final Map<Long, String> pids = new LinkedHashMap<>();
    private final Map<String, String> ifindexes = new LinkedHashMap<>(), links = new LinkedHashMap<>(),
        addresses = new LinkedHashMap<>(), ports = new LinkedHashMap<>();
    private long bornAfter = Long.MAX_VALUE, bornUpTo = Long.MIN_VALUE;
    private final Set<Long> knownPids = new TreeSet<>();
    private final String hostname;

    Normaliser(String hostname) {
        this.hostname = hostname == null || hostname.length() < 3 || hostname.equals("localhost") ? null : hostname;
    }

    /** A whole number, not part of an address, a version, a name or a namespace id. */
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.:-])\\d{3,8}(?![\\w.])");
    /** An IPv4 address's ephemeral port (32768 and up on Linux): chosen afresh by every connection. */
    private static final Pattern EPHEMERAL_PORT = Pattern.compile("(?<=\\d\\.\\d{1,3}:)\\d{5}\\b");
    /** Addresses in memory (ldd's load addresses): randomised on every run. */
    private static final Pattern HEX_ADDRESS = Pattern.compile("\\b0x[0-9a-f]{8,16}\\b");
    /** Interface indexes: "ifindex 313", the peer's "@if314", and ip link's "313: name". */
    private static final Pattern IFINDEX = Pattern.compile("(ifindex |@if|(?m)^\\s*(?=\\d+: \\S))(\\d+)\\b");
    /** IPv6 link-local addresses: made from the MAC address, so new on every run. */
    private static final Pattern LINK_LOCAL = Pattern.compile("(?i)fe80::[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,3}");

    /** "4" then zeros then k, as wide as the original, so that columns stay aligned. */
    static String standIn(char lead, int width, int k) {
        String tail = Integer.toString(k);
        if (width <= tail.length()) return tail;
        StringBuilder b = new StringBuilder().append(lead);
        while (b.length() + tail.length() < width) b.append('0');
        return b.append(tail).toString();
    }

    /** Pids in (after, upTo] were born while the lab ran: /proc/sys/kernel/ns_last_pid before and after. */
    void bornBetween(long after, long upTo) {
        bornAfter = after;
        bornUpTo = upTo;
    }

    /** Pids the recorder knows to be host pids (the JVM, its parent, processes it saw), besides those found by context. */
    void knownPid(long pid) {
        if (pid >= MIN_HOST_PID) knownPids.add(pid);
    }

    /**
     * Notes the pids a text names by context ("pid 4242", "thread 4243", "/proc/4244/"). Call it on every part of a
     * transcript before the first apply, so a pid is replaced even where it appears before the words that name it.
     */
    void learn(String text) {
        Matcher c = PID_CONTEXT.matcher(text);
        while (c.find()) {
            long p = Long.parseLong(c.group(1));
            if (p >= MIN_HOST_PID) knownPids.add(p);
        }
    }

    String apply(String text) {
        String t = replace(text, NS_ID, m -> nsIds.computeIfAbsent(m.group(), k -> Long.toString(4026532000L + nsIds.size() + 1)));
        t = replace(t, MAC, m -> {
            String mac = m.group().toLowerCase();
            if (mac.equals("00:00:00:00:00:00") || mac.equals("ff:ff:ff:ff:ff:ff")) return mac;
            return macs.computeIfAbsent(mac, k -> String.format("02:00:00:00:00:%02x", macs.size() + 1));
        });
        learn(t);
        t = replace(t, NUMBER, m -> {
            long v = Long.parseLong(m.group());
            boolean pid = v >= MIN_HOST_PID && (knownPids.contains(v) || (v > bornAfter && v <= bornUpTo));
            return pid ? pids.computeIfAbsent(v, k -> standIn('4', m.group().length(), pids.size() + 1)) : m.group();
        });
        t = replace(t, IFINDEX, m -> {
            String v = m.group(2);
            if (Long.parseLong(v) < 10) return m.group();
            return m.group(1) + ifindexes.computeIfAbsent(v, k -> standIn('1', v.length(), ifindexes.size() + 1));
        });
        t = replace(t, EPHEMERAL_PORT, m -> Long.parseLong(m.group()) < 32768 ? m.group()
            : ports.computeIfAbsent(m.group(), k -> standIn('5', 5, ports.size() + 1)));
        t = replace(t, HEX_ADDRESS, m -> addresses.computeIfAbsent(m.group(),
            k -> String.format("0x%0" + (m.group().length() - 2) + "x", 0x7f0000000000L + 0x1000L * (addresses.size() + 1))));
        t = replace(t, LINK_LOCAL, m -> links.computeIfAbsent(m.group(), k -> "fe80::ff:fe00:" + Integer.toHexString(links.size() + 1)));
        t = replace(t, RTT, m -> "N/N/N/N");
        t = replace(t, DURATION, m -> "N");
        t = replace(t, SECONDS, m -> "N");
        t = replace(t, ISO_TIME, m -> "YYYY-MM-DDThh:mm:ssZ");
        t = replace(t, KLOG_TIME, m -> "[   N]");
        if (hostname != null) t = t.replaceAll("(?<![\\w.-])" + Pattern.quote(hostname) + "(?![\\w-])", "myhost");
        return t;
    }

    private static String replace(String text, Pattern p, Function<Matcher, String> with) {
        Matcher m = p.matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) m.appendReplacement(b, Matcher.quoteReplacement(with.apply(m)));
        m.appendTail(b);
        return b.toString();
    }
}
