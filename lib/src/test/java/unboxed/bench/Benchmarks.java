package unboxed.bench;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import unboxed.sys.Cmd;

/**
 * The figures in BENCHMARKS.md, measured side by side in one run (ratios travel between machines, absolute times do
 * not). As root, from the repository root: {@code mvn -q -B test-compile exec:exec -Pbench} (add
 * {@code -Dbench.rounds=20 -Dbench.sections=isolation,checks}). Prints Markdown on stdout, progress on stderr.
 * Cleans up all it creates: labs are solved and reset through their own CLI, namespaces deleted, C binary in a temp dir.
 */
public final class Benchmarks {
    private Benchmarks() {}

    public static void main(String[] args) throws Exception {
        Cmd.preferDirectSpawn();   // as every lab's main does; -Djdk.lang.Process.launchMechanism=POSIX_SPAWN for "before"
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        List<String> sections = List.of((args.length > 1 ? args[1] : "isolation,seccomp,enter,bridge,cpu,overlay,box,checks,watch,jbang,guide").split(","));
        Path work = Files.createTempDirectory("unboxed-bench");
        Report r = new Report();
        r.note("Machine: " + InetAddress.getLocalHost().getHostName() + ", " + Runtime.getRuntime().availableProcessors()
            + " cores, kernel " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip() + ", "
            + System.getProperty("java.vm.name") + " " + Runtime.version() + "; " + LocalDate.now() + "; " + rounds
            + " rounds (jbang and watch: fewer). Programs start by "
            + System.getProperty("jdk.lang.Process.launchMechanism", "POSIX_SPAWN") + " (jdk.lang.Process.launchMechanism).");
        if (sections.contains("isolation")) Isolation.run(r, rounds, work);
        if (sections.contains("seccomp")) SeccompCost.run(r, Math.max(5, rounds / 5), work);
        if (sections.contains("enter")) EnterCost.run(r, rounds);
        if (sections.contains("cpu")) CpuShare.run(r, Math.max(3, rounds / 10), 1.0);
        if (sections.contains("bridge")) BridgeThroughput.run(r, Math.max(5, rounds / 3));
        if (sections.contains("overlay")) OverlayCost.run(r, rounds, work);
        if (sections.contains("box")) BoxCost.run(r, rounds, work);
        if (sections.contains("checks")) Workbench.checks(r, rounds);
        if (sections.contains("watch")) Workbench.watch(r, Math.max(10, rounds / 3));
        if (sections.contains("jbang")) Workbench.jbang(r, Math.max(5, rounds / 5), work);
        if (sections.contains("guide")) GuideBench.site(r, Math.max(5, rounds / 5));
        System.out.println(r.markdown());
        Cmd.run("rm", "-rf", work.toString());
    }
}
