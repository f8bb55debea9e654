package unboxed.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import unboxed.LabHarness;
import unboxed.lab.Check;
import unboxed.lab.Lab;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;

/**
 * The workbench's figures, measured side by side in one run (ratios travel between machines, absolute times do not).
 * Run as root: {@code mvn -q -B test-compile exec:java -Pbench}. Prints a Markdown table for BENCHMARKS.md.
 * Cleans up everything it creates (lab04 is solved and reset through its own CLI).
 */
public final class Benchmarks {
    private Benchmarks() {}

    record Stat(String name, int n, double medianMs, double p90Ms) {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        Map<String, Stat> results = new LinkedHashMap<>();

        // 1. spawning `true` in new UTS+PID+mount+IPC+net namespaces, three ways, interleaved round by round
        var types = EnumSet.of(Ns.UTS, Ns.PID, Ns.MNT, Ns.IPC, Ns.NET);
        Map<String, Callable<Object>> spawners = new LinkedHashMap<>();
        spawners.put("spawn `true`, no namespaces (ProcessBuilder)", () -> new ProcessBuilder("true").start().waitFor());
        spawners.put("spawn `true` in new uts+pid+mnt+ipc+net, from Java (NsThread)", () -> {
            try (NsThread t = NsThread.unshare(types)) {
                return t.call(() -> new ProcessBuilder("true").start().waitFor());
            }
        });
        spawners.put("spawn `unshare -u -p -f -m -n -i true` (ProcessBuilder)",
            () -> new ProcessBuilder("unshare", "-u", "-p", "-f", "-m", "-n", "-i", "true").start().waitFor());
        Map<String, double[]> samples = new LinkedHashMap<>();
        spawners.keySet().forEach(k -> samples.put(k, new double[rounds]));
        for (int w = 0; w < 10; w++) for (Callable<Object> c : spawners.values()) c.call();
        for (int i = 0; i < rounds; i++) {
            for (var e : spawners.entrySet()) samples.get(e.getKey())[i] = time(e.getValue());
        }
        samples.forEach((k, v) -> results.put(k, stat(k, v)));

        // 2. evaluating every lab04 check in this JVM, on the solved state
        Lab lab04 = LabHarness.lab("Lab04Netns");
        if (LabHarness.cli(lab04, "solve").exit() != 0) throw new IllegalStateException("lab04 solve failed");
        try {
            double[] t = new double[rounds];
            for (int w = 0; w < 5; w++) lab04.grade(lab04.checks);
            for (int i = 0; i < rounds; i++) {
                t[i] = time(() -> {
                    for (Check.Result r : lab04.grade(lab04.checks)) if (!r.passed()) throw new IllegalStateException(r.id());
                    return null;
                });
            }
            results.put("lab04: all 8 checks, solved state, in the JVM", stat("lab04 checks", t));
        } finally {
            LabHarness.cli(lab04, "reset");
        }

        System.out.println("| measurement | runs | median | p90 |");
        System.out.println("|---|---:|---:|---:|");
        results.forEach((k, s) -> System.out.printf("| %s | %d | %.2f ms | %.2f ms |%n", k, s.n(), s.medianMs(), s.p90Ms()));
        List<String> keys = new ArrayList<>(results.keySet());
        System.out.printf("%nJava (NsThread) / unshare(1): %.2fx%n",
            results.get(keys.get(1)).medianMs() / results.get(keys.get(2)).medianMs());
    }

    static double time(Callable<Object> c) throws Exception {
        long t0 = System.nanoTime();
        c.call();
        return (System.nanoTime() - t0) / 1e6;
    }

    static Stat stat(String name, double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return new Stat(name, s.length, s[s.length / 2], s[(int) Math.ceil(s.length * 0.9) - 1]);
    }
}
