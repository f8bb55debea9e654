package unboxed.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.site.Site;

/**
 * Generating the whole site (every lab, from the stored transcripts, no recording; target: under 5 s): in a warm JVM,
 * and as a fresh JVM the way a learner starts it (the generator's own main, without jbang's start-up in front).
 * Needs no root. Alone: {@code mvn -q -B test-compile exec:exec -Pbench -Dbench.rounds=10 -Dbench.sections=guide}.
 */
final class GuideBench {
    private GuideBench() {}

    static void site(Report r, int rounds) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.exists(root.resolve("jbang-catalog.json"))) root = root.getParent();
        if (root == null) throw new IllegalStateException("run from inside the checkout");
        Path work = Files.createTempDirectory("unboxed-guide-bench");
        Path rootDir = root;
        try {
            Map<String, double[]> samples = new LinkedHashMap<>();
            int[] pages = {0};
            samples.put("whole site, in a warm JVM (Site.build)", new double[rounds]);
            for (int w = 0; w < 2; w++) Site.build(new Site.Options(rootDir, work.resolve("site"), null, null));
            for (int i = 0; i < rounds; i++) {
                samples.get("whole site, in a warm JVM (Site.build)")[i] = Report.time(() -> {
                    pages[0] = Site.build(new Site.Options(rootDir, work.resolve("site"), null, null)).pages().size();
                    return null;
                });
            }
            List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath(), "unboxed.site.GuideCli", "--root", rootDir.toString(),
                "--out", work.resolve("site2").toString()));
            double[] cold = new double[Math.max(3, rounds / 2)];
            for (int i = 0; i < cold.length; i++) {
                cold[i] = Report.time(() -> {
                    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes());
                    if (p.waitFor() != 0) throw new IllegalStateException("guide exited " + p.exitValue() + ": " + out);
                    return null;
                });
            }
            samples.put("whole site, a fresh JVM (java unboxed.site.GuideCli)", cold);
            r.section("The guides: generating the whole site from the stored transcripts (" + pages[0] + " pages; target: under 5 s)",
                samples);
        } finally {
            unboxed.sys.Cmd.run("rm", "-rf", work.toString());
        }
    }

    /**
     * The project's class path. Under Maven's exec:java the project is loaded by a URLClassLoader and java.class.path
     * is Maven's own launcher, so a child JVM given java.class.path would find no GuideCli.
     */
    static String classPath() {
        if (Thread.currentThread().getContextClassLoader() instanceof java.net.URLClassLoader u) {
            return java.util.Arrays.stream(u.getURLs()).map(url -> {
                try {
                    return Path.of(url.toURI()).toString();
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }).collect(java.util.stream.Collectors.joining(":"));
        }
        return System.getProperty("java.class.path");
    }

    /** Just this section: prints its Markdown. */
    public static void main(String[] args) throws Exception {
        Report r = new Report();
        site(r, args.length > 0 ? Integer.parseInt(args[0]) : 10);
        System.out.println(r.markdown());
    }
}
