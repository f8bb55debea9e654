package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /** The Lab a lab file defines: its class's static lab() method. */
    public static Lab lab(String className) {
        try {
            Method m = Class.forName(className).getDeclaredMethod("lab");
            m.setAccessible(true);
            return (Lab) m.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load lab class " + className, e);
        }
    }

    /** The progress file tests write to, instead of the machine's /var/lib/unboxed/progress.json. */
    public static final Path PROGRESS;

    static {
        try {
            PROGRESS = Files.createTempDirectory("unboxed-progress").resolve("progress.json");
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
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        var in = p.getInputStream();
        while (System.nanoTime() < deadline) {
            while (in.available() > 0) seen.append((char) in.read());
            if (seen.indexOf(marker) >= 0) return seen.toString();
            if (!p.isAlive() && in.available() == 0) break;
            Thread.sleep(5);
        }
        throw new AssertionError("did not see '" + marker + "' within " + seconds + " s; output:\n" + seen);
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
        Path dir = Files.createTempDirectory("unboxed-cp");
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
}
