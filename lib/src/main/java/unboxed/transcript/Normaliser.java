package unboxed.transcript;

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
 * machine's hostname become fixed words, and so do a listing of the host's own / (what chroot and mount labs show beside a
 * jail's) and the recorder's own cgroup, which differ from machine to machine. One Normaliser per transcript, so a value keeps its stand-in across steps.
 * <p>Stand-ins have a fixed width (a pid is 4001 whether the machine's was 812 or 31245), so a second machine gives
 * the same text; where a stand-in is shorter or longer than what it replaces, the next gap of two or more spaces on
 * the line (or the one before a right-aligned number) takes up the difference, so columns stay aligned.
 */
public final class Normaliser {
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
    /**
     * Ids written in hex, 32 or 64 digits (md5-like names, container and machine ids): this sandbox puts every process
     * in a memory cgroup of its own named so ("4:memory:/process_api/8fbfb7c6..."), new for every process.
     */
    private static final Pattern HEX_ID = Pattern.compile("(?i)(?<![0-9a-f])(?:[0-9a-f]{64}|[0-9a-f]{32})(?![0-9a-f])");
    /** On a line about inodes, an inode number: alone, or after "dev:" (the device number is kept). */
    private static final Pattern INODE_LINE = Pattern.compile("(?i)\\binodes?\\b");
    private static final Pattern INODE = Pattern.compile("(?<![\\w.-])\\d{3,}(?![\\w.:])");
    /**
     * Console.progress's lines in a log ("  memory used   [#####.....]  25%  5 MiB of 20 MiB"): one each time a
     * quarter is crossed, so how many appear depends on when the samples fell. A run of them keeps its first and last.
     */
    private static final Pattern PROGRESS = Pattern.compile("^  .{22} \\[[#.]{20}] +\\d+%  .*$");
    /** A pid below this is taken to be a number inside a pid namespace (1, 2, 3...), which is the lesson: kept. */
    public static final long MIN_HOST_PID = 300;

    private final Map<String, String> nsIds = new LinkedHashMap<>(), macs = new LinkedHashMap<>();
    private final Map<Long, String> pids = new LinkedHashMap<>();
    private final Map<String, String> ifindexes = new LinkedHashMap<>(), links = new LinkedHashMap<>(),
        addresses = new LinkedHashMap<>(), ports = new LinkedHashMap<>(), hexIds = new LinkedHashMap<>(),
        inodes = new LinkedHashMap<>();
    private long bornAfter = Long.MAX_VALUE, bornUpTo = Long.MIN_VALUE, pidMax = Long.MAX_VALUE;
    private final Set<Long> knownPids = new TreeSet<>();
    private final String hostname;
    private String hostRoot;

    public Normaliser(String hostname) {
        this.hostname = hostname == null || hostname.length() < 3 || hostname.equals("localhost") ? null : hostname;
    }

    /** What a stock Debian 12 has at /: the host's / reads so in every transcript, whatever this machine has there. */
    public static final String DEBIAN_ROOT = "bin boot dev etc home lib lib64 media mnt opt proc root run sbin srv sys tmp usr var";

    /**
     * The host's / as the labs list it (names sorted, one space between): a line that ends with exactly that list
     * shows {@link #DEBIAN_ROOT} instead. A container adds .dockerenv, a CI checkout its own folder; the lesson (the
     * thread sees the host's /, not the jail's) reads the same.
     */
    public void hostRoot(String listing) {
        hostRoot = listing == null || listing.isBlank() ? null : listing;
    }

    /** Where `sudo ./jbang` runs on a systemd machine: its login session's cgroup (the reference machine's own). */
    public static final String SESSION_CGROUP = "/user.slice/user-1000.slice/session-1.scope";

    private final Set<String> ownCgroups = new TreeSet<>(java.util.Comparator.comparing(String::length).reversed()
        .thenComparing(java.util.Comparator.naturalOrder()));

    /**
     * The recorder's own cgroups (the paths of /proc/self/cgroup other than /) read as {@link #SESSION_CGROUP} in every
     * transcript: a build machine's (a container's, a CI runner's) are its own, and the lesson (this is the JVM's
     * cgroup; the lab's are elsewhere) reads the same. Where the recorder is in a login session already, nothing changes.
     */
    public void ownCgroup(String path) {
        if (path != null && path.startsWith("/") && path.length() > 1) ownCgroups.add(path);
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

    /** "4" then zeros then k, this wide (wider only past the 999th stand-in). */
    static String standIn(char lead, int width, int k) {
        String tail = Integer.toString(k);
        if (width <= tail.length()) return lead + tail;
        StringBuilder b = new StringBuilder().append(lead);
        while (b.length() + tail.length() < width) b.append('0');
        return b.append(tail).toString();
    }

    /**
     * Pids in (after, upTo] were born while the lab ran: /proc/sys/kernel/ns_last_pid before and after. When upTo is
     * below after, the kernel wrapped around at pid_max meanwhile (32768 by default: a busy machine wraps in minutes),
     * and the pids born are (after, pidMax) and [300, upTo].
     */
    public void bornBetween(long after, long upTo, long pidMax) {
        bornAfter = after;
        bornUpTo = upTo;
        this.pidMax = pidMax;
    }

    public void bornBetween(long after, long upTo) {
        bornBetween(after, upTo, Long.MAX_VALUE);
    }

    private boolean born(long v) {
        if (bornAfter <= bornUpTo) return v > bornAfter && v <= bornUpTo;
        return (v > bornAfter && v < pidMax) || v <= bornUpTo;
    }

    /** Sizes that look like pids: powers of two (4096, a page) and numbers followed by a unit are not pids. */
    private static final Pattern UNIT_AFTER = Pattern.compile("\\s?(?:[KMGT]i?B|kB|bytes?|pages?)\\b");

    private static boolean sizeLike(long v, String text, int end) {
        return (v & (v - 1)) == 0 || UNIT_AFTER.matcher(text).region(end, text.length()).lookingAt();
    }

    /** Pids the recorder knows to be host pids (the JVM, its parent, processes it saw), besides those found by context. */
    public void knownPid(long pid) {
        if (pid >= MIN_HOST_PID) knownPids.add(pid);
    }

    /**
     * Notes the pids a text names by context ("pid 4242", "thread 4243", "/proc/4244/"). Call it on every part of a
     * transcript before the first apply, so a pid is replaced even where it appears before the words that name it.
     */
    public void learn(String text) {
        Matcher c = PID_CONTEXT.matcher(text);
        while (c.find()) {
            long p = Long.parseLong(c.group(1));
            if (p >= MIN_HOST_PID) knownPids.add(p);
        }
    }

    public String apply(String text) {
        String t = condenseProgress(text);
        for (String own : ownCgroups) t = t.replaceAll(Pattern.quote(own) + "(?![\\w.-])", SESSION_CGROUP);
        t = replace(t, HEX_ID, m -> hexIds.computeIfAbsent(m.group().toLowerCase(),
            k -> String.format("%0" + m.group().length() + "x", hexIds.size() + 1)));
        t = replace(t, NS_ID, m -> nsIds.computeIfAbsent(m.group(), k -> Long.toString(4026532000L + nsIds.size() + 1)));
        t = replace(t, MAC, m -> {
            String mac = m.group().toLowerCase();
            if (mac.equals("00:00:00:00:00:00") || mac.equals("ff:ff:ff:ff:ff:ff")) return mac;
            return macs.computeIfAbsent(mac, k -> String.format("02:00:00:00:00:%02x", macs.size() + 1));
        });
        learn(t);
        t = inodes(t);
        String numbered = t;
        t = replace(t, NUMBER, m -> {
            long v = Long.parseLong(m.group());
            boolean pid = v >= MIN_HOST_PID && (knownPids.contains(v) || (born(v) && !sizeLike(v, numbered, m.end())));
            return pid ? pids.computeIfAbsent(v, k -> standIn('4', PID_WIDTH, pids.size() + 1)) : m.group();
        });
        t = replace(t, IFINDEX, m -> {
            String v = m.group(2);
            if (Long.parseLong(v) < 10) return m.group();
            return m.group(1) + ifindexes.computeIfAbsent(v, k -> standIn('1', 3, ifindexes.size() + 1));
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
        if (hostRoot != null) t = t.replaceAll("(?m)(?<=\\s)" + Pattern.quote(hostRoot) + "$", DEBIAN_ROOT);
        if (hostname != null) t = t.replaceAll("(?<![\\w.-])" + Pattern.quote(hostname) + "(?![\\w-])", "myhost");
        return t;
    }

    /** How wide a pid's stand-in is: 4001, 4002 ... (4 digits, as on a freshly booted machine). */
    static final int PID_WIDTH = 4;

    /** Inode numbers, on lines that say they show inodes: "dev:inode 65024:1704037", "same inode 1704572 = 1704572". */
    private String inodes(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (b.length() > 0 || text.startsWith("\n")) b.append('\n');
            if (!INODE_LINE.matcher(line).find()) {
                b.append(line);
                continue;
            }
            b.append(replace(line, INODE, m -> inodes.computeIfAbsent(m.group(), k -> standIn('7', 7, inodes.size() + 1))));
        }
        return b.toString();
    }

    /** Each run of progress lines with the same label keeps its first and its last line. */
    public static String condenseProgress(String text) {
        String[] lines = text.split("\n", -1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            int j = i;
            if (PROGRESS.matcher(lines[i]).matches()) {
                String label = lines[i].substring(0, 25);
                while (j + 1 < lines.length && PROGRESS.matcher(lines[j + 1]).matches() && lines[j + 1].startsWith(label)) j++;
            }
            if (b.length() > 0 || i > 0) b.append('\n');
            b.append(lines[i]);
            if (j > i) b.append('\n').append(lines[j]);
            i = j;
        }
        return b.toString();
    }

    /**
     * Replaces every match; where the replacement is shorter or longer than the match, the first gap of two or more
     * spaces after it on the same line is widened or narrowed to match (the column after a label), so that columns
     * stay where they were.
     */
    private static String replace(String text, Pattern p, Function<Matcher, String> with) {
        Matcher m = p.matcher(text);
        StringBuilder b = new StringBuilder();
        int at = 0, owed = 0; // owed: spaces to add (> 0) or take away (< 0) at the next gap on this line
        while (m.find()) {
            String between = text.substring(at, m.start());
            b.append(settle(between, owed));
            owed = owedAfter(between, owed);
            String r = with.apply(m);
            owed += m.group().length() - r.length();
            b.append(r);
            at = m.end();
        }
        b.append(settle(text.substring(at), owed));
        return b.toString();
    }

    private static final Pattern GAP = Pattern.compile(" {2,}");

    /** The text between two matches, with what is owed paid at its first gap (if it has one before a line end). */
    private static String settle(String between, int owed) {
        if (owed == 0) return between;
        int nl = between.indexOf('\n');
        String line = nl < 0 ? between : between.substring(0, nl);
        Matcher g = GAP.matcher(line);
        if (!g.find()) return between;
        int width = Math.max(2, g.group().length() + owed);
        return between.substring(0, g.start()) + " ".repeat(width) + between.substring(g.end());
    }

    /** What is still owed after this text: nothing once it was paid or the line ended. */
    private static int owedAfter(String between, int owed) {
        if (owed == 0) return 0;
        int nl = between.indexOf('\n');
        String line = nl < 0 ? between : between.substring(0, nl);
        return nl >= 0 || GAP.matcher(line).find() ? 0 : owed;
    }
}
