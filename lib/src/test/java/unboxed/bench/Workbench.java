package unboxed.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import unboxed.LabHarness;
import unboxed.lab.Check;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.sys.Cmd;

/** How fast the workbench feels: grading every lab, watch's reaction time, and `./jbang lab04 check` against jbang itself. */
final class Workbench {
    private Workbench() {}

    /** Every lab's checks, evaluated in this JVM on its solved state. */
    static void checks(Report r, int rounds) throws Exception {
        Map<String, double[]> samples = new LinkedHashMap<>();
        for (String cls : labClasses()) {
            Lab lab = LabHarness.lab(cls);
            LabHarness.Outcome solved = LabHarness.cli(lab, "solve");
            try {
                if (solved.exit() != 0) {
                    r.note("(" + lab.id + ": solve failed, not measured: " + solved.err().strip() + ")");
                    continue;
                }
                double[] t = new double[rounds];
                for (int w = 0; w < 3; w++) lab.grade(lab.checks);
                for (int i = 0; i < rounds; i++) {
                    t[i] = Report.time(() -> {
                        for (Check.Result c : lab.grade(lab.checks)) {
                            if (!c.passed()) throw new IllegalStateException(lab.id + " " + c.id() + ": " + c.reason());
                        }
                        return null;
                    });
                }
                samples.put(lab.id + ": all " + lab.checks.size() + " checks, solved state", t);
            } finally {
                LabHarness.cli(lab, "reset");
            }
        }
        r.section("Grading a lab: every check, in the JVM, on the solved state (target: under 50 ms)", samples);
    }

    /**
     * watch's reaction: lab04 solved but for `lo` in blue; watch runs (default 1 s interval); the last command is
     * typed; how long until the redrawn checklist shows full points.
     */
    static void watch(Report r, int rounds) throws Exception {
        Lab lab = LabHarness.lab("Lab04Netns");
        double[] t = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            LabHarness.cli(lab, "solve");
            Cmd.run("ip", "-n", "blue", "link", "set", "lo", "down").orThrow();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
            Thread watcher = new Thread(() -> LabCli.execute(lab, new String[] {"watch", "--timeout", "30"}, ps, ps,
                new java.io.ByteArrayInputStream(new byte[0]), false));
            watcher.start();
            while (!out.toString(StandardCharsets.UTF_8).contains("13/14 points")) Thread.sleep(5);
            Thread.sleep((long) (Math.random() * 500)); // the change lands anywhere in watch's 0.5 s cycle
            long changed = System.nanoTime();
            Cmd.run("ip", "-n", "blue", "link", "set", "lo", "up").orThrow();
            while (!out.toString(StandardCharsets.UTF_8).contains("14/14 points")) Thread.sleep(1);
            t[i] = (System.nanoTime() - changed) / 1e6;
            watcher.join();
            LabHarness.cli(lab, "reset");
        }
        r.section("watch: from the kernel change to the redrawn checklist (target: under 1 s)", Map.of("lab04 watch, default 0.5 s interval", t));
    }

    /** `./jbang lab04 check` against a hello-world jbang script with the same //DEPS, both cached, same run. */
    static void jbang(Report r, int rounds, Path work) throws Exception {
        Path root = Path.of(System.getProperty("user.dir"));
        Path hello = work.resolve("hello.java");
        Files.writeString(hello, """
            ///usr/bin/env jbang "$0" "$@" ; exit $?
            //JAVA 17+
            //DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
            class hello { public static void main(String... a) { System.out.println("hello"); } }
            """);
        Lab lab = LabHarness.lab("Lab04Netns");
        LabHarness.cli(lab, "solve");
        try {
            Map<String, Callable<Object>> runs = new LinkedHashMap<>();
            runs.put("./jbang lab04 check (solved, exit 0)", () -> jbangRun(root, "lab04", "check"));
            runs.put("./jbang hello.java (same //DEPS)", () -> jbangRun(root, hello.toString()));
            runs.put("java -cp <lab04's jar and deps> Lab04Netns check (no jbang)", () -> direct(root));
            r.section("`./jbang lab04 check`, wall time, cached", r.interleaved(runs, rounds));
            r.ratio("lab04 check / hello (target: at most 1.2x)", r.median("./jbang lab04 check (solved, exit 0)"),
                r.median("./jbang hello.java (same //DEPS)"));
        } finally {
            LabHarness.cli(lab, "reset");
        }
    }

    private static String directClassPath;

    static Object direct(Path root) {
        if (directClassPath == null) {
            directClassPath = Cmd.run(List.of(root.resolve("jbang").toString(), "info", "classpath", "lab04"), 300)
                .orThrow().out().strip();
        }
        Cmd.Result res = Cmd.run(List.of("java", "--enable-native-access=ALL-UNNAMED", "-cp", directClassPath,
            "Lab04Netns", "check"), 120);
        if (res.exit() != 0) throw new IllegalStateException("direct check exited " + res.exit() + res.err());
        return null;
    }

    static Object jbangRun(Path root, String... args) {
        List<String> argv = new ArrayList<>(List.of(root.resolve("jbang").toString()));
        argv.addAll(List.of(args));
        Cmd.Result res = Cmd.run(argv, 300);
        if (res.exit() != 0) throw new IllegalStateException(String.join(" ", args) + " exited " + res.exit() + ": " + res.err());
        return null;
    }

    static List<String> labClasses() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("user.dir"), "labs"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("lab\\d\\d-[a-z0-9-]+\\.java"))
                .filter(n -> !n.startsWith("lab00")).sorted()
                .map(n -> {
                    StringBuilder c = new StringBuilder();
                    for (String part : n.replace(".java", "").split("-")) {
                        c.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
                    }
                    return c.toString();
                }).toList();
        }
    }
}
