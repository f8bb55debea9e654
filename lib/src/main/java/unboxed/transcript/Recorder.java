package unboxed.transcript;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import unboxed.lab.Console;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.lab.LabException;
import unboxed.lab.LabRunner;
import unboxed.lab.RunListener;
import unboxed.net.Sysctl;
import unboxed.ns.Ns;
import unboxed.ns.Processes;
import unboxed.ns.Rootfs;
import unboxed.transcript.Transcript.Proc;
import unboxed.transcript.Transcript.StepRecord;

/**
 * Records a lab's {@link Transcript}: runs it for real (as root, in this JVM) through {@link LabRunner}, the way
 * {@code run --no-color --step N} does, and listens to the run. Between a step's StepStarted and StepDone events it
 * keeps what the step itself said, printed as a plain console prints it; at StepDone it takes a picture of the
 * processes below this JVM (the run has not cleaned up yet: the last step gets its picture too). Then it resets the
 * lab and makes the text the same on every recording with a {@link Normaliser}.
 */
public final class Recorder implements RunListener {
    private final List<String> outputs = new ArrayList<>();
    /** Every picture taken: before the first step, then after each step. */
    private final List<List<RawProc>> pictures = new ArrayList<>();
    private ByteArrayOutputStream stepText;
    private Console stepConsole;
    /** The facts shown since the last other event: printed together, their values in one column. */
    private final List<RunListener.Show> shows = new ArrayList<>();

    /**
     * This JVM's children from before the recording and theirs: not the lab's (a test suite's own, such as a VM it
     * boots beside the recording), so the picture of the lab's processes leaves them out.
     */
    private final Set<Long> notTheLabs = ProcessHandle.current().descendants().map(ProcessHandle::pid)
        .collect(java.util.stream.Collectors.toSet());

    private Recorder() {}

    @Override
    public void on(Event e) {
        if (e instanceof StepStarted s) {
            if (s.n() == 1) pictures.add(snapshot());
            stepText = new ByteArrayOutputStream();
            stepConsole = new Console(new PrintStream(stepText, true, StandardCharsets.UTF_8), InputStream.nullInputStream(), false);
        } else if (e instanceof StepDone) {
            flushShows();
            outputs.add(Transcript.trimBlankLines(stepText.toString(StandardCharsets.UTF_8)));
            pictures.add(snapshot());
            stepConsole = null;
        } else if (stepConsole != null) {
            if (e instanceof RunListener.Show s) {
                shows.add(s);
                return;
            }
            flushShows();
            stepConsole.on(e);
        }
    }

    private void flushShows() {
        if (shows.isEmpty()) return;
        stepConsole.shows(List.copyOf(shows));
        shows.clear();
    }

    /** Runs the lab for real (root), records every step's output and processes, and resets the lab. */
    public static Transcript record(Lab lab) {
        if (!LabCli.isRoot()) {
            throw LabException.environment("--record runs every lab for real: run it as root (sudo ./jbang guide --record)");
        }
        // A machine's first run of a lab that uses the rootfs cache builds it and says so; a transcript shows the run a
        // learner sees every time after, so the cache is made before recording (on a fresh machine, GuideRecordTest
        // otherwise found a chroot lab's step stale on its first try).
        Rootfs.ready(progress -> { });
        int n = lab.steps.size();
        Recorder rec = new Recorder();
        ByteArrayOutputStream printed = new ByteArrayOutputStream(); // what a learner would have seen: for errors only
        long lastPidBefore = lastPid(), lastPidAfter;
        try {
            new LabRunner(lab, plainConsole(printed).alsoTelling(List.of(rec))).run(false, n);
        } catch (RuntimeException e) {
            throw LabException.environment(lab.id + ": run failed, nothing recorded: " + e.getMessage());
        } finally {
            lastPidAfter = lastPid();
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            try {
                new LabRunner(lab, plainConsole(said)).reset();
            } catch (Exception e) {
                throw LabException.environment(lab.id + ": reset after recording failed: " + e.getMessage() + " "
                    + said.toString(StandardCharsets.UTF_8).strip());
            }
        }
        if (rec.outputs.size() != n) {
            throw LabException.environment(lab.id + ": recorded " + rec.outputs.size() + " of " + n + " steps");
        }
        Normaliser norm = new Normaliser(Processes.hostname());
        norm.hostRoot(rootListing());
        ownCgroups().forEach(norm::ownCgroup);
        if (lastPidBefore > 0 && lastPidAfter > 0) norm.bornBetween(lastPidBefore, lastPidAfter, pidMax());
        norm.knownPid(ProcessHandle.current().pid());
        ProcessHandle.current().parent().ifPresent(p -> norm.knownPid(p.pid()));
        rec.pictures.forEach(list -> list.forEach(p -> p.nspid().stream().findFirst().ifPresent(norm::knownPid)));
        rec.outputs.forEach(norm::learn);
        List<StepRecord> steps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<RawProc> procs = rec.pictures.get(i + 1); // pictures.get(0) is before step 1
            List<Proc> shown = inOwnPidNamespace(procs) ? tree(procs, norm) : List.of();
            steps.add(new StepRecord(lab.steps.get(i).title(), norm.apply(rec.outputs.get(i)), shown));
        }
        return new Transcript(lab.id, List.copyOf(steps));
    }

    /** Records and stores it as the transcript of that kind of machine; returns the file written. */
    public static Path recordAndWrite(Path transcriptsDir, Lab lab, Transcript.Machine machine) {
        Transcript.write(transcriptsDir, lab, record(lab), machine);
        return Transcript.file(transcriptsDir, lab.id, machine);
    }

    private static Console plainConsole(ByteArrayOutputStream to) {
        return new Console(new PrintStream(to, true, StandardCharsets.UTF_8), InputStream.nullInputStream(), false);
    }

    /** The last pid the kernel handed out in our pid namespace (0 if unknown). */
    static long lastPid() {
        try {
            return Long.parseLong(Sysctl.get("kernel.ns_last_pid"));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The host's / as the labs print it beside a jail's (Rootfs.ls); "" if unreadable. */
    static String rootListing() {
        try {
            return Rootfs.ls(Path.of("/"));
        } catch (IOException e) {
            return "";
        }
    }

    /** The paths of this JVM's cgroups, from /proc/self/cgroup ("4:memory:/some/path"); empty if unreadable. */
    static List<String> ownCgroups() {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
                .map(l -> l.split(":", 3)).filter(f -> f.length == 3).map(f -> f[2]).distinct().toList();
        } catch (IOException e) {
            return List.of();
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

    /** This JVM and every process below it that the lab started, as /proc shows them now. */
    List<RawProc> snapshot() {
        List<RawProc> out = new ArrayList<>();
        ProcessHandle self = ProcessHandle.current();
        Optional.ofNullable(raw(self.pid())).ifPresent(out::add);
        self.descendants().filter(this::theLabs).forEach(h -> Optional.ofNullable(raw(h.pid())).ifPresent(out::add));
        return out;
    }

    private boolean theLabs(ProcessHandle h) {
        for (Optional<ProcessHandle> p = Optional.of(h); p.isPresent() && p.get().pid() != ProcessHandle.current().pid();
                p = p.get().parent()) {
            if (notTheLabs.contains(p.get().pid())) return false;
        }
        return true;
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
