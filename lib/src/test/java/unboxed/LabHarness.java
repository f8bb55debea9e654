package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import unboxed.lab.HostState;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.sys.Cmd;

/**
 * What lab tests share: load a lab (they live in the default package, as jbang scripts), run its CLI in-process or
 * in a separate JVM, run shell commands, and compare host fingerprints. Everything runs for real, as root.
 */
public final class LabHarness {
    private LabHarness() {}

    /** A finished command: exit code and what it printed. */
    public record Outcome(int exit, String out, String err) {
        public String all() { return out + err; }
    }

    /** Which class defined each Lab that lab() loaded: its main class, for a JVM of its own. */
    private static final Map<Lab, String> MAIN_CLASSES = Collections.synchronizedMap(new IdentityHashMap<>());

    /** The Lab a lab file defines: its class's static lab() method. */
    public static Lab lab(String className) {
        try {
            Method m = Class.forName(className).getDeclaredMethod("lab");
            m.setAccessible(true);
            Lab lab = (Lab) m.invoke(null);
            MAIN_CLASSES.put(lab, className);
            return lab;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load lab class " + className, e);
        }
    }

    /** The class whose main() runs this lab (a Lab that lab(className) loaded). */
    public static String mainClass(Lab lab) {
        String c = MAIN_CLASSES.get(lab);
        if (c == null) throw new IllegalArgumentException(lab.id + " was not loaded with LabHarness.lab(className)");
        return c;
    }

    /**
     * A folder under java.io.tmpdir that is removed when this JVM exits, so a test run leaves nothing in /tmp (a class
     * path copy is 30 MB). Nothing may be mounted in it.
     */
    public static Path scratchDir(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                unboxed.ns.Mounts.removeTree(dir, false);
            } catch (RuntimeException e) {
                System.err.println("could not remove " + dir + ": " + e);
            }
        }, "remove " + dir));
        return dir;
    }

    /** The progress file tests write to, instead of the machine's /var/lib/unboxed/progress.json. */
    public static final Path PROGRESS;

    static {
        try {
            PROGRESS = scratchDir("unboxed-progress").resolve("progress.json");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        System.setProperty("unboxed.progress", PROGRESS.toString());
    }

    /** Runs the lab's CLI in this JVM, no colour, stdin given (empty by default). */
    public static Outcome cli(Lab lab, String... args) {
        return cliWithInput(lab, "", args);
    }

    public static Outcome cliWithInput(Lab lab, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = LabCli.execute(lab, args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(stdin.getBytes()), false);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A lab's main class in a JVM of its own (for SIGKILL tests): same class path as this test JVM. */
    public static ProcessBuilder jvm(String mainClass, String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--enable-native-access=ALL-UNNAMED", "-Dunboxed.progress=" + PROGRESS,
            "-cp", System.getProperty("java.class.path"), mainClass));
        argv.addAll(List.of(args));
        return new ProcessBuilder(argv);
    }

    /** bash -c COMMAND on the host; fails the test if it exits non-zero. */
    public static String sh(String command) {
        Cmd.Result r = Cmd.run(List.of("bash", "-c", command), 60);
        assertEquals(0, r.exit(), "`" + command + "` failed: " + r.err() + r.out());
        return r.out();
    }

    /** Each tool is on this machine, or the test fails saying how to install it. */
    public static void assertToolsPresent(String... tools) {
        for (String tool : tools) {
            assertTrue(Cmd.has(tool), tool + " is missing: these tests need it (" + Cmd.installHint(tool) + ")");
        }
    }

    /** bash -c COMMAND, whatever its exit code. */
    public static Cmd.Result shAny(String command) {
        return Cmd.run(List.of("bash", "-c", command), 60);
    }

    /** Asserts the host looks exactly as it did in {@code before} (a HostState.capture()). */
    public static void assertHostUnchanged(List<String> before, String when) {
        List<String> diff = HostState.diff(before, HostState.capture());
        assertTrue(diff.isEmpty(), "host state changed " + when + ":\n" + String.join("\n", diff));
    }

    /** Reads a child's output until a line containing marker appears (or times out, failing the test). */
    public static String readUntil(Process p, String marker, long seconds) throws IOException, InterruptedException {
        return readUntilAny(p, seconds, marker);
    }

    /** Reads what the process prints until one of the markers shows (the first one found wins); fails after the time. */
    public static String readUntilAny(Process p, long seconds, String... markers) throws IOException, InterruptedException {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        var in = p.getInputStream();
        while (System.nanoTime() < deadline) {
            while (in.available() > 0) seen.append((char) in.read());
            for (String marker : markers) if (seen.indexOf(marker) >= 0) return seen.toString();
            if (!p.isAlive() && in.available() == 0) break;
            Thread.sleep(5);
        }
        throw new AssertionError("did not see " + String.join(" or ", markers) + " within " + seconds + " s; output:\n" + seen);
    }

    /** The lab's CLI in a JVM of its own (no colour), to its end: it exits 0 within 60 s. Returns what it printed. */
    public static String succeedsInOwnJvm(Lab lab, String... args) throws IOException, InterruptedException {
        Process p = jvm(mainClass(lab), withNoColor(args)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** The lab's CLI in a JVM of its own (no colour), SIGKILLed once {@code marker} shows. Returns what it printed. */
    public static String sigkillOnceShown(Lab lab, String marker, String... args) throws IOException, InterruptedException {
        Process p = jvm(mainClass(lab), withNoColor(args)).redirectErrorStream(true).start();
        try {
            return readUntil(p, marker, 60);
        } finally {
            sigkill(p);
        }
    }

    private static String[] withNoColor(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--no-color");
        return a.toArray(String[]::new);
    }

    /** SIGKILLs a child and waits for it to be gone. */
    public static void sigkill(Process p) throws InterruptedException {
        Cmd.run("kill", "-9", Long.toString(p.pid()));
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * A class path an unprivileged user can read: the jars and classes copied to a world-readable temp folder
     * (the Maven repository under /root is not readable by nobody).
     */
    public static String worldReadableClassPath() throws IOException {
        Path dir = scratchDir("unboxed-cp");
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(":")) {
            Path src = Path.of(e);
            Path dst = dir.resolve((i++) + "-" + src.getFileName());
            if (Files.isDirectory(src)) {
                Cmd.run("cp", "-r", src.toString(), dst.toString()).orThrow();
            } else if (Files.exists(src)) {
                Files.copy(src, dst);
            } else {
                continue;
            }
            entries.add(dst.toString());
        }
        Cmd.run("chmod", "-R", "a+rX", dir.toString()).orThrow();
        return String.join(":", entries);
    }

    // A test's start and end: the learner's fresh start, and a reset that leaves the host as it was.

    /**
     * The host's fingerprint (HostState.capture()), then what a learner does first: `check` on the fresh state, which
     * fails (and notes how the host was). Returns the fingerprint, for {@link #resetLeavesHostAsBefore}.
     */
    public static List<String> freshStart(Lab lab) {
        List<String> before = HostState.capture();
        assertEquals(1, cli(lab, "check").exit());
        return before;
    }

    /** `reset` exits 0, and the host looks exactly as it did in {@code before} (a freshStart's fingerprint). */
    public static void resetLeavesHostAsBefore(Lab lab, List<String> before) {
        succeeds(lab, "reset");
        assertHostUnchanged(before, "after " + lab.id + " reset");
    }

    /** Runs the lab's CLI in this JVM, asserts it exits 0, and returns what it printed. */
    public static Outcome succeeds(Lab lab, String... args) {
        Outcome o = cli(lab, args);
        assertEquals(0, o.exit(), o.all());
        return o;
    }

    /**
     * assertHostUnchanged once the fingerprint has settled (waiting up to {@code seconds}): what this machine's PID 1
     * adopts it reaps only every few seconds, so an ended tree's PID 1 can linger as a zombie that still shows its
     * pid namespace.
     */
    public static void assertHostUnchangedWithin(List<String> before, String when, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline && !HostState.diff(before, HostState.capture()).isEmpty()) {
            Thread.sleep(200);
        }
        assertHostUnchanged(before, when);
    }

    // The exercise's verdicts: `check --json`, criterion by criterion.

    /**
     * check's verdict per criterion id: one for each of the lab's checks, and check's exit code agrees with them
     * (0 when all passed, else 1).
     */
    public static Map<String, JsonObject> checkById(Lab lab) {
        Outcome o = cli(lab, "check", "--json");
        Map<String, JsonObject> byId = new HashMap<>();
        JsonParser.parseString(o.out()).getAsJsonObject().getAsJsonArray("checks")
            .forEach(c -> byId.put(c.getAsJsonObject().get("id").getAsString(), c.getAsJsonObject()));
        assertEquals(lab.checks.size(), byId.size(), "criteria in check --json: " + byId.keySet());
        assertEquals(byId.values().stream().allMatch(c -> c.get("passed").getAsBoolean()) ? 0 : 1, o.exit());
        return byId;
    }

    /** The reason a criterion gives. */
    public static String reason(Map<String, JsonObject> r, String id) {
        return r.get(id).get("reason").getAsString();
    }

    public static void assertReason(Map<String, JsonObject> r, String id, String part) {
        String reason = reason(r, id);
        assertTrue(reason.contains(part), "reason of " + id + " was: " + reason);
    }

    /** Exactly the criteria in {@code failing} fail; every other one passes. */
    public static void assertVerdicts(Map<String, JsonObject> r, List<String> failing) {
        for (var e : r.entrySet()) {
            assertEquals(!failing.contains(e.getKey()), e.getValue().get("passed").getAsBoolean(), e.getKey() + ": " + e.getValue());
        }
    }

    /** Exactly the criteria in {@code failing} fail, and the first of them says why with {@code reasonPart}. */
    public static void assertOnlyFailing(Map<String, JsonObject> r, List<String> failing, String reasonPart) {
        assertVerdicts(r, failing);
        assertReason(r, failing.get(0), reasonPart);
    }

    public static void assertAllPass(Map<String, JsonObject> r) {
        r.values().forEach(c -> assertTrue(c.get("passed").getAsBoolean(), c.toString()));
    }

    /** Every criterion fails, each with a reason. */
    public static void assertAllFailWithReasons(Map<String, JsonObject> r) {
        r.values().forEach(c -> {
            assertFalse(c.get("passed").getAsBoolean(), c.toString());
            assertFalse(c.get("reason").getAsString().isBlank(), c.toString());
        });
    }

    /** What the tests' progress file (PROGRESS) records for this lab (points, passed). */
    public static JsonObject progress(Lab lab) throws IOException {
        return JsonParser.parseString(Files.readString(PROGRESS)).getAsJsonObject()
            .getAsJsonObject("labs").getAsJsonObject(lab.id);
    }

    // Paced runs, and crashes: a run killed inside a step of the test's choosing.

    /** `run --pace` waits for Enter before each step, and carries on to the end when its input ends. */
    public static void assertPacedRunWaitsForEnter(Lab lab) {
        Outcome o = cliWithInput(lab, "\n\n", "run", "--pace");
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("[Enter] step 1/" + lab.steps.size()), o.out());
    }

    /** What `run --pace` asks after the last step, before it cleans up the demo (LabRunner). */
    static final String CLEAN_UP_PROMPT = "[Enter] clean up the demo";

    /**
     * The lab's `run --pace` in a JVM of its own (--pace makes the kill point exact: the child waits for Enter before
     * each step): Enter for each step up to {@code step}, then read until {@code marker} shows inside it. The child
     * is left waiting there, inside that step, its objects made.
     */
    public static Process runPausedInStep(Lab lab, int step, String marker) throws IOException, InterruptedException {
        Process p = jvm(mainClass(lab), "run", "--pace", "--no-color").redirectErrorStream(true).start();
        try {
            var stdin = p.getOutputStream();
            for (int i = 1; i <= step; i++) {
                readUntil(p, "[Enter] step " + i + "/" + lab.steps.size(), 60);
                stdin.write('\n');
                stdin.flush();
            }
            // after the last step a paced run waits once more, before the clean-up: a marker printed later (while the
            // exercise is prepared) needs that Enter too
            if (!readUntilAny(p, 60, marker, CLEAN_UP_PROMPT).contains(marker)) {
                stdin.write('\n');
                stdin.flush();
                readUntil(p, marker, 60);
            }
            return p;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            sigkill(p);
            throw e;
        }
    }

    /** SIGKILLs the lab's paced run inside step {@code step}, once {@code marker} has shown there. */
    public static void sigkillAtStep(Lab lab, int step, String marker) throws IOException, InterruptedException {
        sigkill(runPausedInStep(lab, step, marker));
    }

    /** SIGKILLs the lab's paced run inside step {@code step}, once its Notice has shown (its objects made). */
    public static void sigkillAtStep(Lab lab, int step) throws IOException, InterruptedException {
        sigkillAtStep(lab, step, "Notice");
    }

    // An unprivileged user: explain and describe are for everyone; what reads or changes kernel state needs root.

    private static String nobodyClassPath;

    /** `java -cp ... MainClass ARGS` as nobody (setpriv: uid and gid 65534, no groups), from /tmp. */
    public static Cmd.Result asNobody(Lab lab, String args) throws IOException {
        synchronized (LabHarness.class) {
            if (nobodyClassPath == null) nobodyClassPath = worldReadableClassPath();
        }
        return shAny("cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups java -cp " + nobodyClassPath + " "
            + mainClass(lab) + " " + args);
    }

    /** Each command works for nobody: exit 0 and something printed. */
    public static void assertWorksAsNobody(Lab lab, String... commands) throws IOException {
        for (String cmd : commands) {
            Cmd.Result r = asNobody(lab, cmd);
            assertEquals(0, r.exit(), cmd + ": " + r.err() + r.out());
            assertFalse(r.out().isBlank());
        }
    }

    /** Each command refuses nobody: exit 3, one line on stderr that says to run with sudo. */
    public static void assertNeedsRootAsNobody(Lab lab, String... commands) throws IOException {
        for (String cmd : commands) {
            Cmd.Result r = asNobody(lab, cmd);
            assertEquals(3, r.exit(), r.err());
            assertTrue(r.err().contains("run with sudo"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    /** explain, describe --json and --help work for nobody; check refuses (exit 3, one line: run with sudo). */
    public static void assertExplainsAsNobody(Lab lab) throws IOException {
        assertWorksAsNobody(lab, "explain", "describe --json", "--help");
        assertNeedsRootAsNobody(lab, "check");
    }

    // Bad input.

    /** ARGS (split on spaces) are bad input: exit 2, one line on stderr, nothing on stdout. Returns what it printed. */
    public static Outcome assertBadInputExits2(Lab lab, String args) {
        Outcome o = cli(lab, args.split(" "));
        assertEquals(2, o.exit(), o.all());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.out().isBlank(), o.out());
        return o;
    }
}
