package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import unboxed.lab.Check;
import unboxed.lab.HostState;
import unboxed.lab.Journal;
import unboxed.lab.LabCli;

/**
 * Random and hostile command lines, progress files and journal lines against every lab's CLI (and the doctor's):
 * each ends with a documented exit code (README: 0 to 4), at most one line on stderr and exactly one for an error
 * (2 and up), no stack trace, nothing on stdout for bad input, and the host's fingerprint as before. Seeded: the seed
 * is printed, and -Dunboxed.fuzz.seed=N replays a run; -Dunboxed.fuzz.cases=N sets the cases per lab.
 * Commands that change the machine (run, solve, prepare, doctor --save-baseline) are only ever given with an unknown
 * option, so they are refused before doing anything; check, watch (bounded), explain, describe and reset run for real.
 */
class FuzzCliTest {
    static final long SEED = Long.getLong("unboxed.fuzz.seed", System.nanoTime());
    static final int CASES = Integer.getInteger("unboxed.fuzz.cases", 30);
    static final Set<String> CHANGES_THE_MACHINE = Set.of("run", "solve", "prepare", "--save-baseline");
    static final Set<String> SAFE = Set.of("check", "watch", "explain", "describe", "reset");
    static final String POISON = "--fuzz-unknown";

    /** Values no option takes well: non-numbers, out of range, huge, empty, control characters, paths, format strings. */
    static final List<String> HOSTILE = List.of("NaN", "Infinity", "-Infinity", "1e309", "-1", "0", "-0", "0.0000001",
        "99999999999999999999", "2147483648", "0x10", "", " ", "-", "--", "---", "=", "--=", "\u001b[31mred", "a\nb", "\t",
        "é", "\uD83D\uDCA3", "\u202Eevil", "../../../../etc/passwd", "/dev/null", "/dev/full", "/proc/self/mem",
        "%s%n%x", "${jndi:ldap://127.0.0.1/x}", "'; rm -rf /tmp/nonexistent-unboxed; '", "$(true)", "*", "?",
        "x".repeat(10_000), "@/nonexistent-unboxed-argfile", "@/dev/null");

    /** Progress files a learner's machine may hold: torn, hand-edited, of the wrong shape, binary, deeply nested. */
    static List<byte[]> hostileProgress(Random r) {
        List<String> text = List.of("", "{", "}", "null", "[]", "42", "\"labs\"", "{\"labs\": null}", "{\"labs\": []}",
            "{\"labs\": {\"lab04\": 3}}", "{\"labs\": {\"lab04\": {\"points\": \"many\"}}}", "{\"learner\": {}}",
            "[".repeat(100_000), "{\"a\":".repeat(20_000), "{\"labs\": {\"" + "x".repeat(100_000) + "\": {}}}",
            "\u0000\u0001\u0002", "{\"labs\": {}}\n{\"labs\": {}}", "\uFEFF{\"labs\": {}}");
        List<byte[]> out = new ArrayList<>();
        text.forEach(t -> out.add(t.getBytes(StandardCharsets.UTF_8)));
        byte[] noise = new byte[4096];
        r.nextBytes(noise);
        out.add(noise);
        out.add(new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'});
        return out;
    }

    /** Journal lines a crash or a disk fault may leave: torn, empty, unknown kinds, wrong types, invalid UTF-8. */
    static List<byte[]> hostileJournalLines(Random r) {
        List<String> text = List.of("", "{", "{\"kind\":\"netns\",\"tar", "null", "[]", "{}", "42",
            "{\"kind\":\"no-such-kind\",\"target\":\"x\",\"scope\":\"lab\"}", "{\"kind\":null,\"target\":null}",
            "{\"kind\":[1,2],\"target\":{},\"scope\":7}", "{\"kind\":\"" + "k".repeat(50_000) + "\"}",
            "\u0000\u0000\u0000", "[".repeat(50_000));
        List<byte[]> out = new ArrayList<>();
        text.forEach(t -> out.add(t.getBytes(StandardCharsets.UTF_8)));
        byte[] noise = new byte[512];
        r.nextBytes(noise);
        out.add(noise);
        out.add(new byte[] {'{', '"', 'k', (byte) 0xc3}); // a multi-byte character cut in half
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyLabsCommandLineSurvivesHostileInput() {
        System.out.println("FuzzCliTest: seed " + SEED + ", " + CASES + " cases per lab (replay: -Dunboxed.fuzz.seed=" + SEED + ")");
        return Labs.all().stream().map(f -> dynamicTest(f.toString() + " (seed " + SEED + ")", () -> fuzz(f)));
    }

    static void fuzz(Labs.LabFile f) throws Exception {
        Random r = new Random(SEED ^ f.id().hashCode());
        Path journal = Journal.DIR.resolve(f.id() + ".journal");
        assertFalse(Files.exists(journal), journal + " exists before the fuzzing: the machine is not clean");
        Path tmp = Files.createTempDirectory("unboxed-fuzz");
        List<String> before = HostState.capture();
        try {
            for (int i = 0; i < CASES; i++) {
                List<String> args;
                int mode = r.nextInt(10);
                boolean mustGrade = f.isLab() && mode <= 1; // a damaged file is no reason to refuse to grade or reset
                if (f.isLab() && mode == 0) {
                    byte[] content = pick(r, hostileProgress(r));
                    Files.write(LabHarness.PROGRESS, content);
                    args = new ArrayList<>(List.of("check"));
                    if (r.nextBoolean()) args.add("--json");
                    if (r.nextBoolean()) args.addAll(List.of("--junit", tmp.resolve("r" + i + ".xml").toString()));
                } else if (f.isLab() && mode == 1) {
                    List<byte[]> lines = hostileJournalLines(r);
                    Files.createDirectories(journal.getParent());
                    ByteArrayOutputStream j = new ByteArrayOutputStream();
                    for (int n = 1 + r.nextInt(4); n > 0; n--) {
                        j.write(pick(r, lines));
                        j.write('\n');
                    }
                    Files.write(journal, j.toByteArray());
                    args = new ArrayList<>(List.of(r.nextBoolean() ? "reset" : "check"));
                } else {
                    args = randomArgs(r, f, tmp);
                }
                Outcome o = run(f, args);
                String what = "seed " + SEED + ", " + f.id() + " case " + i + ": " + shown(args) + "\nexit " + o.exit
                    + "\nstdout: " + clip(o.out) + "\nstderr: " + clip(o.err);
                assertTrue(o.exit >= 0 && o.exit <= 4, "an exit code the README does not document; " + what);
                if (mustGrade) {
                    assertTrue(args.get(0).equals("reset") ? o.exit == 0 : o.exit <= 1,
                        "a damaged progress file or journal stopped " + args.get(0) + "; " + what);
                }
                long errLines = o.err.strip().lines().count();
                assertTrue(errLines <= 1, "more than one line on stderr; " + what);
                if (o.exit >= 2) assertEquals(1, errLines, "an error needs one line on stderr; " + what);
                if (o.exit == 2) assertTrue(o.out.isBlank(), "bad input prints nothing on stdout; " + what);
                assertFalse((o.out + o.err).contains("\tat ") || (o.out + o.err).contains("Exception in thread"),
                    "a stack trace; " + what);
                Files.deleteIfExists(LabHarness.PROGRESS);
            }
        } finally {
            Files.deleteIfExists(LabHarness.PROGRESS);
            // what reset did not remove of the hostile journal (a run that ended in check): nothing in it is real
            if (f.isLab()) LabHarness.cli(f.lab(), "reset");
            Files.deleteIfExists(journal);
            LabHarness.sh("rm -rf " + tmp);
        }
        LabHarness.assertHostUnchanged(before, "after fuzzing " + f.id() + " (seed " + SEED + ")");
    }

    /** A random command line for this lab, with an unknown option added wherever it could change the machine. */
    static List<String> randomArgs(Random r, Labs.LabFile f, Path tmp) {
        List<String> pool = new ArrayList<>(List.of("--help", "-h", "--version", "-V", "--no-color", "--json"));
        if (f.isLab()) {
            pool.addAll(LabCli.describe(f.lab()).commands());
            pool.addAll(List.of("--pace", "--step", "--interval", "--timeout", "--junit", "--junit=" + tmp.resolve("j.xml"),
                "--step=1", "--interval=0.1", "--timeout=0.2", "--no-such-option"));
            f.lab().checks.stream().map(Check::id).forEach(pool::add);
        } else {
            pool.addAll(List.of("--leftovers", "--save-baseline", "--json", "--no-color", "leftovers"));
        }
        List<String> args = new ArrayList<>();
        for (int n = r.nextInt(5); n >= 0; n--) args.add(r.nextInt(3) == 0 ? pick(r, HOSTILE) : pick(r, pool));
        boolean safe = args.stream().noneMatch(CHANGES_THE_MACHINE::contains)
            && (!f.isLab() || args.stream().anyMatch(SAFE::contains));
        if (!safe) args.add(POISON);
        // watch re-checks until all pass: bound it (twice given is bad input, fine too)
        if (args.contains("watch") && !args.contains(POISON)) args.addAll(List.of("--timeout", "0.2"));
        return args;
    }

    record Outcome(int exit, String out, String err) {}

    /** One command line in this JVM, with System.err captured too (the journal's reader warns there). */
    static Outcome run(Labs.LabFile f, List<String> args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8), e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream systemErr = System.err;
        System.setErr(e);
        try {
            String[] a = args.toArray(String[]::new);
            int code = f.isLab()
                ? LabCli.execute(f.lab(), a, o, e, new java.io.ByteArrayInputStream(new byte[0]), false)
                : (int) doctor(f).invoke(null, a, o, e, false);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(systemErr);
        }
    }

    /** The doctor's execute(String[], PrintStream, PrintStream, boolean): its class is in the default package. */
    static Method doctor(Labs.LabFile f) throws Exception {
        Method m = Class.forName(f.className()).getDeclaredMethod("execute", String[].class, PrintStream.class,
            PrintStream.class, boolean.class);
        m.setAccessible(true);
        return m;
    }

    static <T> T pick(Random r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    /** The arguments, each quoted, control characters and long strings shortened so the message stays readable. */
    static String shown(List<String> args) {
        List<String> s = new ArrayList<>();
        for (String a : args) s.add("'" + clip(a).replace("\n", "\\n").replace("\u001b", "\\e") + "'");
        return String.join(" ", s);
    }

    static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
    }
}
