package unboxed.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import unboxed.ns.NsThread;
import unboxed.sys.Cmd;

/**
 * The connection tracking table of a network namespace: what lets NAT rewrite a reply back. Each entry holds the
 * tuple a connection started with (the original direction) and the tuple its replies are expected to carry (the reply
 * direction); after MASQUERADE the two differ, and the difference is the translation.
 *
 * <p>Read from /proc/net/nf_conntrack when the kernel offers it (it is per namespace: /proc/thread-self/net is the
 * table of the reading thread's namespace, while /proc/net is a link to /proc/self/net, the main thread's), else from
 * `conntrack -L` (package conntrack).
 */
public final class Conntrack {
    private Conntrack() {}

    /**
     * One tracked connection. src/dst/sport/dport: the original direction; reply*: the tuple replies come with.
     * replied is false while the kernel still marks it [UNREPLIED].
     */
    public record Entry(String protocol, String src, String dst, Integer sport, Integer dport,
                        String replySrc, String replyDst, Integer replySport, Integer replyDport, boolean replied,
                        String line) {
        /** Whether replies are addressed to another address than the one the connection came from: source NAT. */
        public boolean sourceTranslated() {
            return replyDst != null && !replyDst.equals(src);
        }

        /** Whether replies come from another address or port than the one the connection went to: destination NAT. */
        public boolean destinationTranslated() {
            return replySrc != null && (!replySrc.equals(dst) || !java.util.Objects.equals(replySport, dport));
        }
    }

    /** Where entries come from on this machine: the /proc file, or the conntrack program, or nothing at all. */
    public static String source(String netns) {
        boolean proc = netns == null ? Files.exists(Path.of("/proc/thread-self/net/nf_conntrack"))
            : NsThread.inNetns(netns, () -> Files.exists(Path.of("/proc/thread-self/net/nf_conntrack")));
        if (proc) return "/proc/net/nf_conntrack";
        return Cmd.has("conntrack") ? "conntrack -L" : "none";
    }

    /** The IPv4 entries of the named namespace (null: the JVM's own). Empty if neither source is available. */
    public static List<Entry> list(String netns) {
        NsThread.Work<List<Entry>> read = () -> {
            Path proc = Path.of("/proc/thread-self/net/nf_conntrack");
            if (Files.exists(proc)) {
                try {
                    return parse(Files.readAllLines(proc));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + proc, e);
                }
            }
            if (!Cmd.has("conntrack")) return List.of();
            Cmd.Result r = Cmd.run("conntrack", "-L", "-f", "ipv4");
            return parse(r.out().lines().toList());
        };
        try {
            return netns == null ? read.run() : NsThread.inNetns(netns, read);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Parses lines of either format: "ipv4 2 udp 17 29 src=A dst=B sport=P dport=Q [UNREPLIED] src=B dst=C ..."
     * (/proc) or the same without the leading "ipv4 2" (conntrack -L). The first src= starts the original tuple,
     * the second the reply tuple.
     */
    static List<Entry> parse(List<String> lines) {
        List<Entry> out = new ArrayList<>();
        for (String line : lines) {
            String[] t = line.trim().split("\\s+");
            if (t.length < 3 || !line.contains("src=")) continue;
            int i = 0;
            if (t[0].equals("ipv6")) continue;
            if (t[0].equals("ipv4")) i = 2;
            String proto = t[i];
            String[][] tuple = new String[2][4];
            int dir = -1;
            boolean replied = true;
            for (String tok : t) {
                if (tok.equals("[UNREPLIED]")) replied = false;
                int eq = tok.indexOf('=');
                if (eq < 0) continue;
                String k = tok.substring(0, eq), v = tok.substring(eq + 1);
                if (k.equals("src")) dir++;
                if (dir < 0 || dir > 1) continue;
                switch (k) {
                    case "src" -> tuple[dir][0] = v;
                    case "dst" -> tuple[dir][1] = v;
                    case "sport" -> tuple[dir][2] = v;
                    case "dport" -> tuple[dir][3] = v;
                    default -> { }
                }
            }
            out.add(new Entry(proto, tuple[0][0], tuple[0][1], num(tuple[0][2]), num(tuple[0][3]),
                tuple[1][0], tuple[1][1], num(tuple[1][2]), num(tuple[1][3]), replied, line.trim().replaceAll("\\s+", " ")));
        }
        return out;
    }

    private static Integer num(String s) {
        return s == null ? null : Integer.valueOf(s);
    }
}
