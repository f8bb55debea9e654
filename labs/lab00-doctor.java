///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab00Doctor

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import unboxed.lab.Console;
import unboxed.lab.Doctor;
import unboxed.lab.HostState;
import unboxed.lab.LabCli;
import unboxed.lab.LabException;
import unboxed.lab.Leftovers;
import unboxed.lab.SudoSplit;
import unboxed.lab.Version;
import unboxed.ns.Ns;

/**
 * Lab 00: the doctor. Before the first lab, and before a workshop: can this machine run the labs? Each problem comes
 * with the command that fixes it. Afterwards: is anything of the labs left on it?
 */
@Command(name = "./jbang doctor", mixinStandardHelpOptions = true,
    description = "Check this machine can run the labs; with --leftovers, that no lab left anything behind.",
    footer = {"", "Exit codes: 0 ready (or no leftovers), 1 leftovers found, 2 bad input, 3 a lab's requirement is missing."})
class Lab00Doctor implements Callable<Integer> {
    /** What the labs need from this machine, and which lab needs it: the doctor's table, kept beside the labs. */
    static final List<Doctor.Need> NEEDS = List.of(
        Doctor.Need.namespace(Ns.MNT, "lab01, lab02, lab03, lab09"),
        Doctor.Need.namespace(Ns.UTS, "lab03"),
        Doctor.Need.namespace(Ns.PID, "lab03"),
        Doctor.Need.namespace(Ns.NET, "lab04, lab05, lab07, lab10, lab11"),
        Doctor.Need.namespace(Ns.USER, "lab07"),
        Doctor.Need.unprivilegedUserNamespaces("lab07"),
        Doctor.Need.namespace(Ns.IPC, "lab10"),
        Doctor.Need.namespace(Ns.CGROUP, "lab10"),
        Doctor.Need.namespace(Ns.TIME, "lab10 (CONFIG_TIME_NS, Linux 5.6 or later)"),
        Doctor.Need.memoryController("lab06, lab12"),
        Doctor.Need.filesystem("overlay", "lab09"),
        Doctor.Need.controller("cpu", "lab12"),
        Doctor.Need.controller("pids", "lab12"),
        Doctor.Need.program("ip", true, "lab04, lab05, lab11"),
        Doctor.Need.program("bridge", true, "lab11 (package iproute2)"),
        Doctor.Need.program("ping", true, "lab04"),
        Doctor.Need.program("unshare", true, "lab02, lab03, lab07, lab09, lab10"),
        Doctor.Need.program("nsenter", true, "lab02, lab03, lab07, lab09, lab10"),
        Doctor.Need.program("setpriv", true, "lab07"),
        Doctor.Need.program("runuser", true, "lab07"),
        Doctor.Need.program("useradd", true, "lab07 (a learner's account where there is no sudo caller)"),
        Doctor.Need.program("newuidmap", false, "lab07's wider id maps (/etc/subuid)"),
        Doctor.Need.program("mount", true, "lab01, lab02"),
        Doctor.Need.program("ps", true, "lab03"),
        Doctor.Need.program("timeout", true, "lab12 (bounds its spinners)"),
        Doctor.Need.program("taskset", true, "lab12 (pins two spinners to one CPU)"),
        Doctor.Need.program("setpriv", true, "lab08"),
        Doctor.Need.program("capsh", true, "lab08 (package libcap2-bin)"),
        Doctor.Need.program("lsns", true, "lab10"),
        Doctor.Need.program("ipcmk", true, "lab10 (package util-linux)"),
        Doctor.Need.program("ipcs", true, "lab10 (package util-linux)"),
        Doctor.Need.program("pgrep", true, "lab10 (package procps)"),
        // lab05 and lab11 write their NAT rules with iptables and read them back through both iptables-save and nft
        Doctor.Need.program("iptables", true, "lab05, lab11"),
        Doctor.Need.program("nft", true, "lab05, lab11"),
        Doctor.Need.program("conntrack", true, "lab05, lab11"),
        Doctor.Need.program("busybox", true, "lab09 (the image's base layer); lab01 falls back to copying a shell and its libraries"),
        Doctor.Need.program("pivot_root", true, "lab09"),
        Doctor.Need.program("getfattr", true, "lab09's shell lines (package attr)"),
        Doctor.Need.program("runc", true, "lab13 (the same bundle under runc; Debian's runc package, or docker.io's)"),
        Doctor.Need.program("javac", true, "lab13 (its check compiles your runtime: a JDK, not a JRE)"),
        Doctor.Need.program("gcc", false, "lab01's shell lines (the C escape; the lab itself does it from Java)"),
        Doctor.Need.program("tcpdump", false, "optional: watching packets in lab04, lab05 and lab11"));

    /** Where --save-baseline keeps the fingerprint that --leftovers compares against. */
    static final Path BASELINE = Path.of("/var/lib/unboxed/baseline.txt");

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;
    @Option(names = "--leftovers", description = "List lab objects still on this machine (and changes since --save-baseline).")
    boolean leftovers;
    @Option(names = "--save-baseline", description = "Record this machine's state, for --leftovers to compare against later.")
    boolean saveBaseline;
    @Option(names = "--no-color", description = "Plain text even on a terminal.")
    boolean noColor;

    /** Where it prints (System.out and System.err, or a test's streams). */
    final PrintStream out, err;
    final boolean color;

    Lab00Doctor(PrintStream out, PrintStream err, boolean color) {
        this.out = out;
        this.err = err;
        this.color = color;
    }

    public static void main(String... args) {
        System.exit(execute(args, System.out, System.err, Console.terminalWantsColor()));
    }

    /** Runs one command line and returns its exit code (tests call this in-process). */
    static int execute(String[] args, PrintStream out, PrintStream err, boolean color) {
        CommandLine cli = Version.apply(new CommandLine(new Lab00Doctor(out, err, color)), "doctor");
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println(LabCli.oneLine("doctor: " + ex.getMessage().lines().findFirst().orElse("bad input") + " (see --help)"));
            return LabException.BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println(LabCli.oneLine("doctor: " + (ex instanceof LabException ? "" : "failed: ") + ex.getMessage()));
            return ex instanceof LabException le ? le.exitCode() : LabException.ENVIRONMENT;
        });
        int code = cli.execute(args);
        out.flush();
        return code;
    }

    @Override
    public Integer call() throws IOException {
        Console c = new Console(out, System.in, color && !noColor && !json);
        if (leftovers || saveBaseline) {
            if (SudoSplit.asked()) return SudoSplit.handOver();   // ./jbang runs this again through sudo
            if (!LabCli.isRoot()) {
                err.println("doctor: --leftovers and --save-baseline read the whole host: run with sudo");
                return LabException.ENVIRONMENT;
            }
            return saveBaseline ? saveBaseline(c) : leftovers(c);
        }
        List<Doctor.Finding> findings = Doctor.examine(NEEDS);
        List<Doctor.Finding> blocking = Doctor.blocking(findings);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ready", blocking.isEmpty());
            m.put("findings", findings);
            out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(m));
        } else {
            c.title("unboxed doctor — can this machine run the labs?");
            for (Doctor.Finding f : findings) {
                String line = String.format("%-22s %s", f.what(), f.detail())
                    + (f.neededBy().isEmpty() ? "" : "   (" + f.neededBy() + ")");
                if (f.ok()) {
                    c.pass(line);
                } else if (f.required()) {
                    c.fail(line);
                    c.hint("fix: " + f.fix());
                } else {
                    c.out().println("  • " + line);
                    c.hint("to add: " + f.fix());
                }
            }
            c.out().println();
            c.title(blocking.isEmpty() ? "Ready: start with sudo ./jbang lab04"
                : blocking.size() + " problem(s) stop the labs; fix them and run the doctor again.");
        }
        return blocking.isEmpty() ? LabException.OK : LabException.ENVIRONMENT;
    }

    Integer saveBaseline(Console c) throws IOException {
        Files.createDirectories(BASELINE.getParent());
        Files.write(BASELINE, HostState.capture());
        c.out().println("Saved this machine's state to " + BASELINE + "; `sudo ./jbang doctor --leftovers` compares against it.");
        return LabException.OK;
    }

    Integer leftovers(Console c) throws IOException {
        List<String> found = Leftovers.find();
        List<String> changed = Files.exists(BASELINE) ? HostState.diff(Files.readAllLines(BASELINE), HostState.capture()) : List.of();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clean", found.isEmpty() && changed.isEmpty());
            m.put("leftovers", found);
            m.put("baseline", Files.exists(BASELINE) ? BASELINE.toString() : null);
            m.put("changedSinceBaseline", changed);
            out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(m));
        } else {
            if (found.isEmpty()) c.pass("no lab objects found");
            found.forEach(c::fail);
            if (Files.exists(BASELINE)) {
                if (changed.isEmpty()) c.pass("the host matches the baseline saved in " + BASELINE);
                else {
                    c.fail("changed since the baseline in " + BASELINE + ":");
                    changed.forEach(l -> c.out().println("      " + l));
                }
            } else {
                c.note("(no baseline saved: `sudo ./jbang doctor --save-baseline` on a fresh machine records one)");
            }
        }
        return found.isEmpty() && changed.isEmpty() ? LabException.OK : LabException.CHECK_FAILED;
    }
}
