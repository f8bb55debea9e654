package unboxed.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.ns.NsThread;
import unboxed.sys.Cmd;
import unboxed.sys.Errno;
import unboxed.sys.LibC;
import unboxed.sys.Seccomp;

/**
 * What a seccomp filter costs per system call (issue 16): a tight loop of getppid in C (syscall_loop.c) with no
 * filter, with a filter shaped like lab08's (installed by the C program, and by `./jbang lab08 sandbox` around it),
 * with every call refused by that filter, and in a Docker container with the default profile and with
 * seccomp=unconfined; and the same call through JNA from a filtered JVM thread and an unfiltered one. Each C run
 * times its own batches (the median batch, in ns per call); the contenders are interleaved run by run.
 */
final class SeccompCost {
    private SeccompCost() {}

    static final int CALLS = 20_000, BATCHES = 25;

    static void run(Report r, int rounds, Path work) throws Exception {
        Path loop = compile(work);
        if (loop == null) {
            r.note("gcc (and libc6-dev's static libc) not found: the seccomp figures were not measured (sudo apt-get install gcc libc6-dev)");
            return;
        }
        Path root = Path.of(System.getProperty("user.dir"));
        String image = Cmd.run("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", "unboxed-test").out().lines()
            .findFirst().orElse(null);
        boolean docker = image != null && Cmd.run("docker", "info").ok();
        String bin = loop.toString(), n = Integer.toString(CALLS), b = Integer.toString(BATCHES);
        Map<String, List<String>> c = new LinkedHashMap<>();
        c.put("C: getppid, no filter", List.of(bin, "none", n, b));
        c.put("C: getppid, lab08's filter (installed by the C program)", List.of(bin, "filter", n, b));
        c.put("C: getppid under `./jbang lab08 sandbox --deny mkdir,mkdirat`", List.of(root.resolve("jbang").toString(),
            "lab08", "sandbox", "--deny", "mkdir,mkdirat", bin, "none", n, b));
        c.put("C: mkdir(\"/\"), refused by lab08's filter (EPERM)", List.of(bin, "denied", n, b));
        if (docker) {
            List<String> run = List.of("docker", "run", "--rm", "--network", "none", "-v", work + ":/b:ro");
            c.put("docker run: getppid, Docker's default seccomp profile", concat(run, List.of(image, "/b/" + loop.getFileName(), "none", n, b)));
            c.put("docker run: getppid, --security-opt seccomp=unconfined", concat(run,
                List.of("--security-opt", "seccomp=unconfined", image, "/b/" + loop.getFileName(), "none", n, b)));
        }
        Map<String, double[][]> got = new LinkedHashMap<>(); // per contender: each run's median batch, its p90 batch
        c.keySet().forEach(k -> got.put(k, new double[2][rounds]));
        for (List<String> argv : c.values()) loopOnce(argv); // warm-up: jbang's cache, the image's layers
        for (int i = 0; i < rounds; i++) {
            for (var e : c.entrySet()) {
                double[] v = loopOnce(e.getValue());
                got.get(e.getKey())[0][i] = v[0];
                got.get(e.getKey())[1][i] = v[1];
            }
        }
        r.heading("A system call under a seccomp filter: ns per call (" + CALLS + " calls a batch, median batch of "
            + BATCHES + " per run; median and p90 over runs)");
        got.forEach((k, v) -> r.row(k, v[0].length, Report.median(v[0]), Report.p90(v[0]), "ns"));
        r.ratio("getppid with lab08's filter / without (C)", r.median("C: getppid, lab08's filter (installed by the C program)"),
            r.median("C: getppid, no filter"));
        r.ratio("getppid under `./jbang lab08 sandbox` / without (C)",
            r.median("C: getppid under `./jbang lab08 sandbox --deny mkdir,mkdirat`"), r.median("C: getppid, no filter"));
        if (docker) {
            r.ratio("getppid in Docker, default profile / seccomp=unconfined",
                r.median("docker run: getppid, Docker's default seccomp profile"),
                r.median("docker run: getppid, --security-opt seccomp=unconfined"));
        } else {
            r.note("(no Docker engine or no local unboxed-test image: the Docker comparison was not measured; .ci/test-image builds it)");
        }
        jna(r, rounds);
    }

    /** getppid through JNA, timed in Java on a thread with lab08's filter and on one without. */
    static void jna(Report r, int rounds) throws Exception {
        Seccomp.Filter f = Seccomp.denying(List.of("mkdir", "mkdirat"), Seccomp.errno(Errno.EPERM));
        try (NsThread plain = NsThread.own("bench-plain", () -> { });
             NsThread filtered = NsThread.own("bench-filtered", () -> Seccomp.installOnThisThread(f))) {
            double[][] t = new double[2][rounds];
            for (int w = 0; w < 3; w++) {
                plain.call(SeccompCost::jnaBatch);
                filtered.call(SeccompCost::jnaBatch);
            }
            for (int i = 0; i < rounds; i++) {
                t[0][i] = plain.call(SeccompCost::jnaBatch);
                t[1][i] = filtered.call(SeccompCost::jnaBatch);
            }
            r.heading("The same call from Java (JNA), on a JVM thread with lab08's filter and on one without: ns per call");
            r.row("Java, JNA: getppid() on a JVM thread, no filter", rounds, Report.median(t[0]), Report.p90(t[0]), "ns");
            r.row("Java, JNA: getppid() on a JVM thread with lab08's filter", rounds, Report.median(t[1]), Report.p90(t[1]), "ns");
            r.ratio("JNA getppid, filtered thread / unfiltered", Report.median(t[1]), Report.median(t[0]));
        }
    }

    static double jnaBatch() {
        long t0 = System.nanoTime();
        for (int k = 0; k < CALLS; k++) LibC.C.getppid();
        return (System.nanoTime() - t0) / (double) CALLS;
    }

    static double[] loopOnce(List<String> argv) {
        String[] f = Cmd.run(argv, 300).orThrow().out().strip().split("\\s+");
        return new double[] {Double.parseDouble(f[f.length - 2]), Double.parseDouble(f[f.length - 1])};
    }

    /** syscall_loop.c, linked statically so that the same file runs in the test image's container. */
    static Path compile(Path work) throws Exception {
        if (!Cmd.has("gcc")) return null;
        Path src = Path.of(System.getProperty("user.dir")).resolve("lib/src/test/c/syscall_loop.c");
        Path bin = work.resolve("syscall_loop");
        Cmd.Result res = Cmd.run(List.of("gcc", "-O2", "-static", "-o", bin.toString(), src.toString()), 60);
        return res.ok() ? bin : null;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }
}
