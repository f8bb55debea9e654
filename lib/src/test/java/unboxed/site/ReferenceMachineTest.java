package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import unboxed.transcript.Transcript;

/**
 * The guides show what the learner's VM prints (issue 15): their transcripts are recorded in the cgroup-v2 Debian 12
 * guest (.ci/vm/record), not on the machine that builds the project. This fails when a page or a transcript carries
 * output only this build machine produces: its init's name (PID 1 is systemd on the reference machine), its network
 * interfaces (the guest has only lo; eth0 is left out, being the Vagrant VM's NIC and the boxes' name in lab11) and,
 * outside the cgroup-v1 recordings, its cgroup-v1 hierarchies. Prose may name v1 paths (lab06 shows both side by side):
 * on the pages only the recorded output is read.
 */
class ReferenceMachineTest {
    static final Path ROOT = GuideRenderTest.ROOT;

    /** A marker and what it is, e.g. "ifb0" (an interface of this machine). */
    record Marker(Pattern pattern, String what) {
        static Marker word(String s, String what) {
            return new Marker(Pattern.compile("(?<![\\w.-])" + Pattern.quote(s) + "(?![\\w.-])"), what);
        }

        static Marker path(String p, String what) {
            return new Marker(Pattern.compile(Pattern.quote(p) + "(?![\\w.-])"), what);
        }
    }

    /** Everywhere: PID 1's name and the interfaces of this machine. */
    static List<Marker> machineMarkers() throws IOException {
        List<Marker> m = new ArrayList<>();
        String init = Files.readString(Path.of("/proc/1/comm")).strip();
        if (!init.equals("systemd")) m.add(Marker.word(init, "the name of this machine's PID 1 (the reference machine's is systemd)"));
        try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
            links.map(p -> p.getFileName().toString()).filter(n -> !n.equals("lo") && !n.equals("eth0")).sorted()
                .forEach(n -> m.add(Marker.word(n, "an interface of this machine (the reference machine has only lo)")));
        }
        return m;
    }

    /** Outside the cgroup-v1 recordings: where this machine mounts cgroup-v1 hierarchies (and v2 beside them). */
    static List<Marker> cgroupMarkers() throws IOException {
        List<Marker> m = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length < 3) continue;
            boolean hybridV2 = f[2].equals("cgroup2") && !f[1].equals("/sys/fs/cgroup");
            if (f[2].equals("cgroup") || hybridV2) {
                m.add(Marker.path(f[1], "a cgroup hierarchy of this machine (the reference machine has only cgroup2 at /sys/fs/cgroup)"));
            }
        }
        return m;
    }

    @Test
    void noTranscriptHasOutputOnlyThisMachineGives() throws IOException {
        List<Marker> everywhere = machineMarkers(), cgroups = cgroupMarkers();
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("labs/transcripts"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
                boolean v1 = f.getFileName().toString().endsWith(Transcript.Machine.CGROUP_V1.suffix + ".txt");
                String text = Files.readString(f).lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
                find(text, "labs/transcripts/" + f.getFileName(), everywhere, found);
                if (!v1) find(text, "labs/transcripts/" + f.getFileName(), cgroups, found);
            }
        }
        assertTrue(found.isEmpty(), "transcripts recorded on this build machine, not on the reference machine (record them in"
            + " the cgroup-v2 guest: .ci/vm/record LAB):\n" + String.join("\n", found));
    }

    /** The recorded output on a page: every "What it printed" block, less the cgroup-v1 recordings. */
    static final Pattern OUTPUT = Pattern.compile("(?s)<div class=\"(?:block|pane) output\">(.*?)\n  </div>");
    static final Pattern V1 = Pattern.compile("(?s)<div class=\"machine\" data-machine=\"v1\">.*?</div>");

    @Test
    void noPageShowsOutputOnlyThisMachineGives() throws IOException {
        List<Marker> everywhere = machineMarkers(), cgroups = cgroupMarkers();
        Path site = ROOT.resolve("site"); // what a learner opens; CommittedSiteTest keeps it what the guide writes
        List<String> found = new ArrayList<>();
        try (Stream<Path> pages = Files.list(site)) {
            for (Path p : pages.filter(x -> x.toString().endsWith(".html")).sorted().toList()) {
                String html = Files.readString(p);
                find(html, p.getFileName().toString(), everywhere, found);
                Matcher m = OUTPUT.matcher(html);
                StringBuilder reference = new StringBuilder();
                while (m.find()) reference.append(V1.matcher(m.group(1)).replaceAll("")).append('\n');
                find(reference.toString(), p.getFileName() + " (recorded output)", cgroups, found);
            }
        }
        assertTrue(found.isEmpty(), "pages showing this build machine's output instead of the reference machine's:\n"
            + String.join("\n", found));
    }

    static void find(String text, String where, List<Marker> markers, List<String> found) {
        for (Marker k : markers) {
            Matcher m = k.pattern().matcher(text);
            if (!m.find()) continue;
            int nl = text.lastIndexOf('\n', m.start()) + 1, end = text.indexOf('\n', m.end());
            String line = text.substring(nl, end < 0 ? text.length() : end).strip();
            found.add(where + ": \"" + m.group() + "\", " + k.what() + ": " + (line.length() > 140 ? line.substring(0, 140) + "..." : line));
        }
    }
}
