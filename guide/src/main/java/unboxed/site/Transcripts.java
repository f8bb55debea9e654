package unboxed.site;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.lab.Step;
import unboxed.net.Sysctl;
import unboxed.ns.Ns;
import unboxed.ns.Processes;
import unboxed.ns.Rootfs;

/**
 * What a lab printed when it really ran, step by step, kept in the repository (labs/transcripts/labNN.txt) so the guide
 * shows real output and building it needs no root. {@code guide --record} runs each lab as root, in this JVM, through
 * its own CLI ({@code run --no-color --pace --step N}, then {@code reset}): --pace is where the recorder looks at the
 * processes after each step (the run waits for Enter, and the recorder's "Enter" takes the picture first), and
 * --step N stops after the last step, before the demo is cleaned up, so the last step gets its picture too.
 */
public final class Transcripts {
    private Transcripts() {}

    /** One process as the recorder saw it: pids outermost first, state, pid namespace, other namespaces of its own. */
    public record Proc(int depth, List<Long> nspid, char state, String pidNs, List<String> ownNs, String command) {}

    /** One step's recorded output, and the lab's processes after it (empty unless one is in a pid namespace of its own). */
    public record StepRecord(String title, String output, List<Proc> processes) {}

    public record Transcript(String labId, List<StepRecord> steps) {
        /** The record of step n (1-based) if its title still matches, else empty (the lab changed since). */
        public Optional<StepRecord> step(int n, String title) {
            if (n < 1 || n > steps.size() || !steps.get(n - 1).title().equals(title)) {
                return steps.stream().filter(s -> s.title().equals(title)).findFirst();
            }
            return Optional.of(steps.get(n - 1));
        }
    }

    static final String STEP = "=== step ", PROCESSES = "--- processes";

    public static Path file(Path transcriptsDir, String labId) {
        return transcriptsDir.resolve(labId + ".txt");
    }

    // ---- reading and writing ------------------------------------------------------------------------------------

    /** The stored transcript of a lab, or empty if it was never recorded. Malformed files are bad input. */
    public static Optional<Transcript> read(Path transcriptsDir, String labId) {
        Path f = file(transcriptsDir, labId);
        if (!Files.exists(f)) return Optional.empty();
        try {
            return Optional.of(parse(labId, "labs/transcripts/" + f.getFileName(), Files.readString(f)));
        } catch (IOException e) {
            throw new SiteException(SiteException.BAD_INPUT, f + ": cannot read: " + e.getMessage());
        }
    }

    static Transcript parse(String labId, String shown, String text) {
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
                if (colon < 0) throw new SiteException(SiteException.BAD_INPUT, shown + " line " + (i + 1) + ": expected \"=== step N/M: title\"");
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
                throw new SiteException(SiteException.BAD_INPUT, shown + " line " + (i + 1) + ": text before the first \"=== step\" line");
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
            throw new SiteException(SiteException.BAD_INPUT, shown + " line " + line
                + ": expected a process line \"PIDS STATE PIDNS OWN-NS COMMAND\", found: " + l.strip());
        }
    }

    static String format(Lab lab, Transcript t) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(lab.id).append(" · ").append(lab.title).append(": what `sudo ./jbang ").append(lab.id)
            .append("` printed, step by step.\n");
        b.append("# Recorded by `sudo ./jbang guide --record ").append(lab.id).append("`; do not edit, record again.\n");
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
    static void write(Path transcriptsDir, Lab lab, Transcript t) {
        try {
            Files.createDirectories(transcriptsDir);
            Path f = file(transcriptsDir, lab.id);
            Path tmp = Files.createTempFile(transcriptsDir, "." + lab.id, ".tmp");
            Files.writeString(tmp, format(lab, t));
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SiteException(SiteException.ENVIRONMENT, transcriptsDir + ": cannot write the transcript of " + lab.id
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

    private static String full(StepRecord s) {
        StringBuilder b = new StringBuilder(s.output());
        for (Proc p : s.processes()) b.append('\n').append(procLine(p));
        return b.toString();
    }

    private static String shape(StepRecord s) {
        // Console.progress's bar ([####......]) is filled by when the sample was taken: a number in other clothes
        return full(s).replaceAll("\\[[#.]{20}]", "[bar]").replaceAll("\\d+", "#").replaceAll("[ \\t]+", " ");
    }

    // ---- recording ----------------------------------------------------------------------------------------------

    /** Runs the lab for real (root), records every step's output and processes, and resets the lab. */
    public static Transcript record(Lab lab) {
        if (!LabCli.isRoot()) {
            throw new SiteException(SiteException.ENVIRONMENT, "--record runs every lab for real: run it as root "
                + "(sudo ./jbang guide --record)");
        }
        // A machine's first run of a lab that uses the rootfs cache builds it and says so; a transcript shows the run a
        // learner sees every time after, so the cache is made before recording (on a fresh machine, GuideRecordTest
        // otherwise found lab01's step 4 stale on its first try).
        unboxed.ns.Rootfs.ready(progress -> { });
        int n = lab.steps.size();
        long[] lastPidAfter = {0};
        List<List<RawProc>> after = new ArrayList<>(); // after.get(k) = processes after step k (k = 0: before step 1)
        InputStream enter = new InputStream() {
            @Override
            public int read() {
                after.add(snapshot());
                return '\n';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) return 0;
                b[off] = (byte) read();
                return 1;
            }

            @Override
            public int available() { return 0; }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        long lastPidBefore = lastPid();
        int code;
        try {
            code = LabCli.execute(lab, new String[] {"run", "--no-color", "--pace", "--step", Integer.toString(n)},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), enter, false);
            after.add(snapshot());
        } finally {
            lastPidAfter[0] = lastPid();
            ByteArrayOutputStream rOut = new ByteArrayOutputStream();
            int reset = LabCli.execute(lab, new String[] {"reset", "--no-color"}, new PrintStream(rOut, true, StandardCharsets.UTF_8),
                new PrintStream(rOut, true, StandardCharsets.UTF_8), InputStream.nullInputStream(), false);
            if (reset != 0) {
                throw new SiteException(SiteException.ENVIRONMENT, lab.id + ": reset after recording failed (exit " + reset
                    + "): " + rOut.toString(StandardCharsets.UTF_8).strip());
            }
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        if (code != 0) {
            throw new SiteException(SiteException.ENVIRONMENT, lab.id + ": run failed (exit " + code + "), nothing recorded: "
                + err.toString(StandardCharsets.UTF_8).strip());
        }
        List<String> outputs = split(lab, printed);
        // the snapshot taken at the k-th "Enter" is the state after step k-1; the last one, after the run returned
        Normaliser norm = new Normaliser(Processes.hostname());
        norm.hostRoot(rootListing());
        if (lastPidBefore > 0 && lastPidAfter[0] > 0) norm.bornBetween(lastPidBefore, lastPidAfter[0], pidMax());
        long self = ProcessHandle.current().pid();
        norm.knownPid(self);
        ProcessHandle.current().parent().ifPresent(p -> norm.knownPid(p.pid()));
        after.forEach(list -> list.forEach(p -> p.nspid().stream().findFirst().ifPresent(norm::knownPid)));
        outputs.forEach(norm::learn);
        List<StepRecord> steps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Step s = lab.steps.get(i);
            List<RawProc> procs = i + 1 < after.size() ? after.get(i + 1) : List.of();
            List<Proc> shown = inOwnPidNamespace(procs) ? tree(procs, norm) : List.of();
            steps.add(new StepRecord(s.title(), norm.apply(outputs.get(i)), shown));
        }
        return new Transcript(lab.id, List.copyOf(steps));
    }

    /** Records and stores; returns the transcript. */
    public static Transcript recordAndWrite(Path transcriptsDir, Lab lab) {
        Transcript t = record(lab);
        write(transcriptsDir, lab, t);
        return t;
    }

    /**
     * Cuts run's output into the steps' own output: each step prints its heading, explanation and shell lines (which
     * the guide shows from the lab's description), then what the step did, then "Notice: ..." (also shown already).
     */
    static List<String> split(Lab lab, String printed) {
        List<String> lines = List.of(printed.split("\n", -1));
        int n = lab.steps.size();
        List<String> outputs = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < n; i++) {
            Step s = lab.steps.get(i);
            String heading = "━━ Step " + (i + 1) + "/" + n + " · " + s.title();
            int h = indexOf(lines, heading, at);
            if (h < 0) throw shape(lab, i, "its heading \"" + heading + "\" is not in run's output");
            int next = i + 1 < n ? indexOf(lines, "━━ Step " + (i + 2) + "/" + n + " · ", h + 1, true) : lines.size();
            if (next < 0) next = lines.size();
            List<String> sec = new ArrayList<>(lines.subList(h + 1, next));
            int k = 0;
            for (String e : blockLines(s.explain(), "  ")) {
                if (k >= sec.size() || !sec.get(k).equals(e)) throw shape(lab, i, "the explanation is not where expected");
                k++;
            }
            for (String e : blockLines(s.shell(), "  $ ")) {
                if (k >= sec.size() || !sec.get(k).equals(e)) throw shape(lab, i, "the shell lines are not where expected");
                k++;
            }
            int end = sec.size();
            List<String> obs = observeLines(s.observe());
            if (!obs.isEmpty()) {
                end = lastIndexOf(sec, obs.get(0));
                if (end < k) throw shape(lab, i, "its \"Notice:\" line is not in run's output");
            } else {
                // no observe: the output ends before the pace prompt (or the stop note) that follows it
                while (end > k && (sec.get(end - 1).isBlank() || sec.get(end - 1).startsWith("[Enter] step ")
                    || sec.get(end - 1).startsWith("Stopped after step "))) end--;
            }
            outputs.add(trimBlankLines(String.join("\n", sec.subList(k, end))));
            at = h + 1;
        }
        return outputs;
    }

    private static SiteException shape(Lab lab, int i, String what) {
        return new SiteException(SiteException.ENVIRONMENT, lab.id + ": cannot record step " + (i + 1) + ": " + what);
    }

    private static List<String> blockLines(String text, String prefix) {
        if (text == null || text.isBlank()) return List.of();
        return List.of(text.strip().split("\n")).stream().map(l -> prefix + l).toList();
    }

    /** How Console.observe prints: "  Notice: first line", then the rest indented. */
    private static List<String> observeLines(String text) {
        if (text == null || text.isBlank()) return List.of();
        String[] l = text.strip().split("\n");
        List<String> out = new ArrayList<>(List.of("  Notice: " + l[0]));
        for (int i = 1; i < l.length; i++) out.add("          " + l[i]);
        return out;
    }

    private static int indexOf(List<String> lines, String line, int from) {
        return indexOf(lines, line, from, false);
    }

    private static int indexOf(List<String> lines, String line, int from, boolean prefix) {
        for (int i = from; i < lines.size(); i++) {
            if (prefix ? lines.get(i).startsWith(line) : lines.get(i).equals(line)) return i;
        }
        return -1;
    }

    private static int lastIndexOf(List<String> lines, String line) {
        for (int i = lines.size() - 1; i >= 0; i--) if (lines.get(i).equals(line)) return i;
        return -1;
    }

    static String trimBlankLines(String s) {
        List<String> l = new ArrayList<>(List.of(s.split("\n", -1)));
        while (!l.isEmpty() && l.get(0).isBlank()) l.remove(0);
        while (!l.isEmpty() && l.get(l.size() - 1).isBlank()) l.remove(l.size() - 1);
        return String.join("\n", l.stream().map(String::stripTrailing).toList());
    }

    /** The last pid the kernel handed out in our pid namespace (0 if unknown). */
    static long lastPid() {
        try {
            return Long.parseLong(Sysctl.get("kernel.ns_last_pid"));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The host's / as lab01 and lab02 print it (Rootfs.ls); "" if unreadable. */
    static String rootListing() {
        try {
            return Rootfs.ls(Path.of("/"));
        } catch (IOException e) {
            return "";
        }
    }

    /** /proc/sys/kernel/pid_max, where pids wrap around (32768 unless raised). */
    static long pidMax() {
        try {
            return Long.parseLong(Sysctl.get("kernel.pid_max"));
        } catch (RuntimeException e) {
            return 4_194_304; // the most the kernel allows
        }
    }

    // ---- the lab's processes ------------------------------------------------------------------------------------

    /** A descendant of this JVM: host pid, parent, pids outermost first, state, namespaces, command. */
    record RawProc(long pid, long ppid, List<Long> nspid, char state, Map<Ns, Long> ns, String command) {}

    private static final Set<Ns> SHOWN = EnumSet.of(Ns.PID, Ns.MNT, Ns.UTS, Ns.NET, Ns.IPC);

    /** This JVM and every process below it, as /proc shows them now. */
    static List<RawProc> snapshot() {
        List<RawProc> out = new ArrayList<>();
        ProcessHandle self = ProcessHandle.current();
        Optional.ofNullable(raw(self.pid())).ifPresent(out::add);
        self.descendants().forEach(h -> Optional.ofNullable(raw(h.pid())).ifPresent(out::add));
        return out;
    }

    private static RawProc raw(long pid) {
        try {
            Optional<Character> state = Processes.state(pid);
            Optional<Long> ppid = Processes.ppid(pid);
            if (state.isEmpty() || ppid.isEmpty()) return null;
            Map<Ns, Long> ns = new LinkedHashMap<>();
            if (state.get() != 'Z') {
                for (Ns t : SHOWN) {
                    try {
                        ns.put(t, t.idOf(pid));
                    } catch (RuntimeException gone) {
                        // exited while we looked
                    }
                }
            }
            String cmd = pid == ProcessHandle.current().pid() ? "java (the lab)"
                : state.get() == 'Z' ? Processes.comm(pid).orElse("?") + " <defunct>"
                : Processes.cmdline(pid).filter(c -> !c.isBlank()).orElseGet(() -> "[" + Processes.comm(pid).orElse("?") + "]");
            if (cmd.length() > 60) cmd = cmd.substring(0, 57) + "...";
            return new RawProc(pid, ppid.get(), Processes.nspid(pid), state.get(), ns, cmd);
        } catch (RuntimeException gone) {
            return null;
        }
    }

    /** True when some process below the JVM is in another pid namespace: the picture is worth drawing then. */
    static boolean inOwnPidNamespace(List<RawProc> procs) {
        if (procs.size() < 2) return false;
        Long jvm = procs.get(0).ns().get(Ns.PID);
        return procs.stream().skip(1).anyMatch(p -> p.nspid().size() > 1 || (p.ns().get(Ns.PID) != null && !p.ns().get(Ns.PID).equals(jvm)));
    }

    /** The processes as a tree, depth first, children by pid; namespaces normalised like the output. */
    static List<Proc> tree(List<RawProc> procs, Normaliser norm) {
        RawProc root = procs.get(0);
        Map<Long, List<RawProc>> children = new LinkedHashMap<>();
        for (RawProc p : procs) children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
        children.values().forEach(l -> l.sort(Comparator.comparingLong(RawProc::pid)));
        List<Proc> out = new ArrayList<>();
        walk(root, 0, root, children, norm, out);
        return out;
    }

    private static void walk(RawProc p, int depth, RawProc jvm, Map<Long, List<RawProc>> children, Normaliser norm,
                             List<Proc> out) {
        List<String> own = new ArrayList<>();
        for (Ns t : SHOWN) {
            if (t == Ns.PID) continue;
            Long mine = p.ns().get(t), its = jvm.ns().get(t);
            if (mine != null && its != null && !mine.equals(its)) own.add(t.file);
        }
        String pidNs = p.ns().containsKey(Ns.PID) ? Ns.PID.label(p.ns().get(Ns.PID)) : "";
        List<Long> nspid = p.nspid().isEmpty() ? List.of(p.pid()) : p.nspid();
        List<Long> normPids = new ArrayList<>();
        for (String x : norm.apply(String.join("/", nspid.stream().map(String::valueOf).toList())).split("/")) {
            normPids.add(Long.parseLong(x));
        }
        out.add(new Proc(depth, List.copyOf(normPids), p.state(), pidNs.isEmpty() ? "" : norm.apply(pidNs), List.copyOf(own),
            norm.apply(p.command())));
        for (RawProc c : children.getOrDefault(p.pid(), List.of())) {
            if (c.pid() != p.pid()) walk(c, depth + 1, jvm, children, norm, out);
        }
    }
}
