package unboxed.transcript;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import unboxed.lab.Lab;
import unboxed.lab.LabException;

/**
 * What a lab printed when it really ran, step by step, kept in the repository (labs/transcripts/labNN.txt) so the guide
 * shows real output and building it needs no root. {@link Recorder} makes one; this is its stored form: reading,
 * writing, and telling a stale one from a fresh recording. Each step's record is its own output only (not its heading,
 * explanation, shell lines or "Notice:", which the guide shows from the lab itself), and the lab's processes after it.
 */
public record Transcript(String labId, List<StepRecord> steps) {

    /** One process as the recorder saw it: pids outermost first, state, pid namespace, other namespaces of its own. */
    public record Proc(int depth, List<Long> nspid, char state, String pidNs, List<String> ownNs, String command) {}

    /** One step's recorded output, and the lab's processes after it (empty unless one is in a pid namespace of its own). */
    public record StepRecord(String title, String output, List<Proc> processes) {}

    /** The record of step n (1-based) if its title still matches, else empty (the lab changed since). */
    public Optional<StepRecord> step(int n, String title) {
        if (n < 1 || n > steps.size() || !steps.get(n - 1).title().equals(title)) {
            return steps.stream().filter(s -> s.title().equals(title)).findFirst();
        }
        return Optional.of(steps.get(n - 1));
    }

    static final String STEP = "=== step ", PROCESSES = "--- processes";

    /**
     * The kind of machine a transcript was recorded on. The guides show {@link #CGROUP_V2}'s, recorded in the VM tests'
     * Debian 12 guest (systemd as PID 1, cgroup v2: what the Vagrant VM and Ubuntu 24.04 have); a lab whose output
     * differs on a cgroup-v1 (or hybrid) host also keeps a {@link #CGROUP_V1} recording, and its page can switch.
     */
    public enum Machine {
        CGROUP_V2("", "cgroup v2 (Debian 12, Ubuntu 24.04, the VM)"),
        CGROUP_V1(".cgroup-v1", "cgroup v1");

        /** What the file name carries after the lab id ("lab06.cgroup-v1.txt"), and what the page calls it. */
        public final String suffix, label;

        Machine(String suffix, String label) {
            this.suffix = suffix;
            this.label = label;
        }

        /** This machine: cgroup v2 when the unified hierarchy is the only one mounted, else cgroup v1. */
        public static Machine here() {
            return unboxed.cgroup.Cgroups.detect().kind().equals("v2") ? CGROUP_V2 : CGROUP_V1;
        }
    }

    public static Path file(Path transcriptsDir, String labId) {
        return file(transcriptsDir, labId, Machine.CGROUP_V2);
    }

    public static Path file(Path transcriptsDir, String labId, Machine m) {
        return transcriptsDir.resolve(labId + m.suffix + ".txt");
    }

    // ---- reading and writing ------------------------------------------------------------------------------------

    /** The stored transcript of a lab, or empty if it was never recorded. Malformed files are bad input. */
    public static Optional<Transcript> read(Path transcriptsDir, String labId) {
        return read(transcriptsDir, labId, Machine.CGROUP_V2);
    }

    /** The transcript recorded on that kind of machine, or empty if there is none. */
    public static Optional<Transcript> read(Path transcriptsDir, String labId, Machine m) {
        Path f = file(transcriptsDir, labId, m);
        if (!Files.exists(f)) return Optional.empty();
        try {
            return Optional.of(parse(labId, "labs/transcripts/" + f.getFileName(), Files.readString(f)));
        } catch (IOException e) {
            throw LabException.badInput(f + ": cannot read: " + e.getMessage());
        }
    }

    public static Transcript parse(String labId, String shown, String text) {
        List<StepRecord> steps = new ArrayList<>();
        String title = null;
        StringBuilder out = new StringBuilder();
        List<Proc> procs = new ArrayList<>();
        boolean inProcs = false;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.startsWith(STEP)) {
                if (title != null) steps.add(new StepRecord(title, trimBlankLines(out.toString()), List.copyOf(procs)));
                int colon = l.indexOf(": ");
                if (colon < 0) throw LabException.badInput(shown + " line " + (i + 1) + ": expected \"=== step N/M: title\"");
                title = l.substring(colon + 2);
                out.setLength(0);
                procs.clear();
                inProcs = false;
            } else if (l.equals(PROCESSES) && title != null) {
                inProcs = true;
            } else if (inProcs) {
                if (l.isBlank()) continue;
                procs.add(parseProc(l, shown, i + 1));
            } else if (title != null) {
                out.append(l).append('\n');
            } else if (!l.isBlank() && !l.startsWith("#")) {
                throw LabException.badInput(shown + " line " + (i + 1) + ": text before the first \"=== step\" line");
            }
        }
        if (title != null) steps.add(new StepRecord(title, trimBlankLines(out.toString()), List.copyOf(procs)));
        return new Transcript(labId, List.copyOf(steps));
    }

    private static Proc parseProc(String l, String shown, int line) {
        int depth = (l.length() - l.stripLeading().length()) / 2;
        String[] f = l.strip().split(" ", 5);
        try {
            List<Long> nspid = new ArrayList<>();
            for (String p : f[0].split("/")) nspid.add(Long.parseLong(p));
            return new Proc(depth, List.copyOf(nspid), f[1].charAt(0), f[2].equals("-") ? "" : f[2],
                f[3].equals("-") ? List.of() : List.of(f[3].split(",")), f.length > 4 ? f[4] : "");
        } catch (RuntimeException e) {
            throw LabException.badInput(shown + " line " + line
                + ": expected a process line \"PIDS STATE PIDNS OWN-NS COMMAND\", found: " + l.strip());
        }
    }

    public static String format(Lab lab, Transcript t) {
        return format(lab, t, Machine.CGROUP_V2);
    }

    public static String format(Lab lab, Transcript t, Machine m) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(lab.id).append(" · ").append(lab.title).append(": what `sudo ./jbang ").append(lab.id)
            .append("` printed, step by step, on ").append(m.label).append(".\n");
        b.append(m == Machine.CGROUP_V2
            ? "# Recorded in the VM tests' Debian 12 guest by `.ci/vm/record " + lab.id + "`; do not edit, record again.\n"
            : "# Recorded on a cgroup-v1 host by `sudo ./jbang guide --record " + lab.id + "`; do not edit, record again.\n");
        b.append("# Normalised so that a re-recording gives the same text: namespace ids, pids, MAC addresses, root-namespace\n");
        b.append("# interface indexes, inode numbers and hex ids (this sandbox's per-process cgroup) become stand-ins numbered in\n");
        b.append("# order of appearance; timings become N, dates YYYY-..., the hostname myhost, a listing of the host's / a stock\n");
        b.append("# Debian 12's; a run of progress lines keeps its first and last. Counts and sizes stay as measured (the staleness\n");
        b.append("# test reads any number as any other).\n");
        int n = t.steps().size();
        for (int i = 0; i < n; i++) {
            StepRecord s = t.steps().get(i);
            b.append(STEP).append(i + 1).append('/').append(n).append(": ").append(s.title()).append('\n');
            if (!s.output().isEmpty()) b.append(s.output()).append('\n');
            if (!s.processes().isEmpty()) {
                b.append(PROCESSES).append('\n');
                for (Proc p : s.processes()) b.append(procLine(p)).append('\n');
            }
        }
        return b.toString();
    }

    static String procLine(Proc p) {
        return "  ".repeat(p.depth()) + String.join("/", p.nspid().stream().map(String::valueOf).toList()) + " " + p.state()
            + " " + (p.pidNs().isEmpty() ? "-" : p.pidNs()) + " " + (p.ownNs().isEmpty() ? "-" : String.join(",", p.ownNs()))
            + " " + p.command();
    }

    /** Writes atomically (temp file, then rename), so a crash never leaves half a transcript. */
    public static void write(Path transcriptsDir, Lab lab, Transcript t, Machine m) {
        try {
            Files.createDirectories(transcriptsDir);
            Path f = file(transcriptsDir, lab.id, m);
            Path tmp = Files.createTempFile(transcriptsDir, "." + lab.id, ".tmp");
            Files.writeString(tmp, format(lab, t, m));
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw LabException.environment(transcriptsDir + ": cannot write the transcript of " + lab.id
                + ": " + e.getMessage());
        }
    }

    /**
     * Where a fresh recording says something else than the stored one: the first differing line of each step, or the
     * steps that came or went. Numbers are not compared (two real runs differ in the pids inside a namespace, in how
     * many processes the host has, in how far a progress bar had got); words, lines and steps are. Empty when the stored guide is up to date.
     */
    public static List<String> differences(Transcript stored, Transcript fresh) {
        List<String> out = new ArrayList<>();
        List<String> a = stored.steps().stream().map(StepRecord::title).toList();
        List<String> b = fresh.steps().stream().map(StepRecord::title).toList();
        if (!a.equals(b)) {
            out.add(fresh.labId() + ": the steps changed: stored " + a + ", now " + b);
            return out;
        }
        for (int i = 0; i < a.size(); i++) {
            String x = shape(stored.steps().get(i)), y = shape(fresh.steps().get(i));
            if (x.equals(y)) continue;
            String[] xl = x.split("\n", -1), yl = y.split("\n", -1);
            String[] xo = full(stored.steps().get(i)).split("\n", -1), yo = full(fresh.steps().get(i)).split("\n", -1);
            int k = 0;
            while (k < xl.length && k < yl.length && xl[k].equals(yl[k])) k++;
            out.add(fresh.labId() + " step " + (i + 1) + " (" + a.get(i) + "), line " + (k + 1) + ": stored \""
                + (k < xo.length ? xo[k] : "(end)") + "\", now \"" + (k < yo.length ? yo[k] : "(end)") + "\"");
        }
        return out;
    }

    /** True when two recordings of a step say the same, numbers aside (the comparison {@link #differences} makes). */
    public static boolean sameWords(StepRecord a, StepRecord b) {
        return shape(a).equals(shape(b));
    }

    private static String full(StepRecord s) {
        StringBuilder b = new StringBuilder(s.output());
        for (Proc p : s.processes()) b.append('\n').append(procLine(p));
        return b.toString();
    }

    private static String shape(StepRecord s) {
        // Console.progress's bar ([####......]) is filled by when the sample was taken: a number in other clothes; so
        // is a live process's state in the picture (a `sleep 1` caught running or sleeping); a zombie (Z) is kept
        return full(s).replaceAll("\\[[#.]{20}]", "[bar]").replaceAll("(?m)^(\\s*[\\d/]+) [RSDI] ", "$1 S ")
            .replaceAll("\\d+", "#").replaceAll("[ \\t]+", " ");
    }

    public static String trimBlankLines(String s) {
        List<String> l = new ArrayList<>(List.of(s.split("\n", -1)));
        while (!l.isEmpty() && l.get(0).isBlank()) l.remove(0);
        while (!l.isEmpty() && l.get(l.size() - 1).isBlank()) l.remove(l.size() - 1);
        return String.join("\n", l.stream().map(String::stripTrailing).toList());
    }
}
