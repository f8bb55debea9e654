package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the repo's real {@code ./jbang} bootstrap the way a learner types it: catalog aliases from the repo root
 * and from a subdirectory, exit codes passed through, stdout passed through. The first run may fetch jbang-cli
 * and compile the labs, hence "slow" and the generous timeout.
 */
@Tag("slow")
class JbangBootstrapTest {

    private static final long TIMEOUT_MINUTES = 5;

    private static Path root;

    /** What one run left behind. */
    record Run(int exitCode, String stdout, String stderr) {
        String describe() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    @BeforeAll
    static void findRepoRoot() {
        Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("jbang-catalog.json"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            fail("no jbang-catalog.json in " + System.getProperty("user.dir") + " or any parent");
        }
        root = dir;
        assertTrue(Files.isExecutable(root.resolve("jbang")), "./jbang is missing or not executable in " + root);
    }

    @Test
    void lab04ExplainRunsFromTheCatalog() throws Exception {
        Run run = run(root, "./jbang", "lab04", "explain");
        assertEquals(0, run.exitCode(), run.describe());
        assertFalse(run.stdout().isBlank(), "lab04 explain printed nothing\n" + run.describe());
    }

    @Test
    void doctorJsonPrintsJson() throws Exception {
        Run run = run(root, "./jbang", "doctor", "--json");
        assertEquals(0, run.exitCode(), run.describe());
        assertFalse(run.stdout().isBlank(), "doctor --json printed nothing\n" + run.describe());
        JsonElement json;
        try {
            json = JsonParser.parseString(run.stdout());
        } catch (RuntimeException e) {
            throw new AssertionError("doctor --json is not JSON: " + e.getMessage() + "\n" + run.describe(), e);
        }
        assertTrue(json.isJsonObject() || json.isJsonArray(), "doctor --json is not an object or array\n" + run.describe());
    }

    @Test
    void aliasesResolveFromASubdirectory() throws Exception {
        // jbang looks for jbang-catalog.json in the current directory, then its parents.
        Run run = run(root, "bash", "-c", "cd labs && ../jbang lab04 explain");
        assertEquals(0, run.exitCode(), run.describe());
        assertFalse(run.stdout().isBlank(), "../jbang lab04 explain printed nothing\n" + run.describe());
    }

    @Test
    void aliasesNeverAskJbangsRemoteCatalog() throws Exception {
        // jbang resolves an alias by also fetching its built-in jbanghub catalog from GitHub; ./jbang resolves ours.
        Run run = run(root, "./jbang", "--verbose", "lab04", "explain");
        assertEquals(0, run.exitCode(), run.describe());
        assertFalse(run.stderr().contains("jbanghub") || run.stderr().contains("Requesting HTTP"),
            "./jbang lab04 made jbang reach for a remote catalog\n" + run.describe());
    }

    /** The remembered java command (./jbang step 3b) must follow an edit, a lost jar, and pass arguments intact. */
    @Test
    void rememberedLaunchFollowsEditsAndPassesArguments(@TempDir Path copy) throws Exception {
        for (String part : List.of("jbang", "jbang-catalog.json", "labs", "lib/src/main/java", "guide/src/main/java")) {
            Files.createDirectories(copy.resolve(part).getParent());
            assertEquals(0, run(root, "cp", "-a", part, copy.resolve(part).toString()).exitCode(), part);
        }
        assertEquals(0, run(copy, "./jbang", "lab04", "explain").exitCode());
        Run again = run(copy, "./jbang", "lab04", "describe", "--json");
        assertTrue(again.stdout().contains("\"Network namespaces\""), again.describe());

        Path lab = copy.resolve("labs/lab04-netns.java");
        Files.writeString(lab, Files.readString(lab).replace("\"Network namespaces\"", "\"Network namespaces, edited\""));
        Run edited = run(copy, "./jbang", "lab04", "describe", "--json");
        assertTrue(edited.stdout().contains("Network namespaces, edited"), "an edited lab ran stale\n" + edited.describe());

        // The lab's jar removed from jbang's cache (jbang cache clear): the memo is not trusted, jbang builds again.
        Path memos = Path.of(System.getenv().getOrDefault("XDG_CACHE_HOME", System.getProperty("user.home") + "/.cache"),
            "unboxed", "jbang-cli-0.132.1", "launch");
        Path memo;
        try (var list = Files.list(memos)) {   // the newest lab04 memo is the copy's: it was written just now
            memo = list.filter(m -> m.getFileName().toString().startsWith("lab04-netns-"))
                .max(java.util.Comparator.comparing(m -> m.toFile().lastModified())).orElseThrow();
        }
        java.util.regex.Matcher cp = java.util.regex.Pattern.compile(" -classpath ([^: ]+)").matcher(Files.readString(memo));
        assertTrue(cp.find() && cp.group(1).contains("lab04-netns"), "no lab04 jar in " + memo);
        Path jar = Path.of(cp.group(1));
        Files.delete(jar);
        Run rebuilt = run(copy, "./jbang", "lab04", "describe", "--json");
        assertEquals(0, rebuilt.exitCode(), rebuilt.describe());
        assertTrue(Files.exists(jar) && rebuilt.stdout().contains("Network namespaces, edited"), rebuilt.describe());

        Run bad = run(copy, "./jbang", "lab04", "no such 'command'");
        assertEquals(2, bad.exitCode(), bad.describe());
        assertTrue(bad.stderr().contains("no such 'command'"), "the argument did not arrive intact\n" + bad.describe());
    }

    /** Root's jbang-cli, as ./jbang fetched it (./jbang lab04 explain fetches it on a machine that has none yet). */
    static Path jbangCliCache() throws IOException, InterruptedException {
        Path cache = Path.of(System.getenv().getOrDefault("XDG_CACHE_HOME", System.getProperty("user.home") + "/.cache"),
            "unboxed", "jbang-cli-0.132.1");
        if (!Files.isDirectory(cache)) run(Labs.ROOT, "./jbang", "lab04", "explain");
        assertTrue(Files.isDirectory(cache), "./jbang made no jbang-cli cache at " + cache);
        return cache;
    }

    /**
     * A plain jbang, installed the way jbang's own installer lays it out: bin/jbang beside bin/jbang.jar, the script
     * running the jar with java and, on exit 255, exec'ing the command it printed. jbang's release archive is not
     * reachable from these machines; its jar is jbang-cli from Maven Central (jbang.jar here names those jars in its
     * manifest's Class-Path), so this is the same jbang a learner installs.
     */
    static Path plainJbang(Path dir) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        StringBuilder classPath = new StringBuilder();
        try (var jars = Files.list(jbangCliCache())) {
            for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).sorted().toList()) {
                classPath.append(' ').append(jar.toUri());
            }
        }
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, classPath.toString().strip());
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(bin.resolve("jbang.jar")), manifest)) {
            out.flush();
        }
        Files.writeString(bin.resolve("jbang"), String.join("\n",
            "#!/usr/bin/env bash",
            "jar=\"$(dirname \"$(readlink -f \"$0\")\")/jbang.jar\"",
            "output=$(CLICOLOR_FORCE=1 java ${JBANG_JAVA_OPTIONS} -classpath \"$jar\" dev.jbang.Main \"$@\")",
            "err=$?",
            "if [ $err -eq 255 ]; then eval \"exec $output\"; fi",
            "[ -n \"$output\" ] && echo \"$output\"",
            "exit $err", ""));
        Files.setPosixFilePermissions(bin.resolve("jbang"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    /**
     * A learner's own jbang: `jbang lab04` from the repository (and below it) finds the catalog, the lab's answers and
     * exit codes are the same as through ./jbang, and ./jbang hands over to it when it is on PATH. --offline: jbang
     * would otherwise ask its remote catalog (jbanghub, on GitHub) for every alias, and tests send nothing off this machine.
     */
    @Test
    void aPlainJbangRunsTheLabsFromTheCatalog(@TempDir Path install) throws Exception {
        Path bin = plainJbang(install);
        String path = "PATH=" + bin + ":" + System.getenv("PATH");
        Run explain = run(root, "env", path, "jbang", "--offline", "lab04", "explain");
        assertEquals(0, explain.exitCode(), explain.describe());
        assertTrue(explain.stdout().contains("Step 1/"), explain.describe());
        Run below = run(root, "bash", "-c", "cd labs && " + path + " jbang --offline lab04 describe --json");
        assertEquals(0, below.exitCode(), below.describe());
        assertTrue(below.stdout().contains("\"Network namespaces\""), below.describe());
        Run bad = run(root, "env", path, "jbang", "--offline", "lab04", "check", "nosuch");
        assertEquals(2, bad.exitCode(), bad.describe());
        assertTrue(bad.stderr().strip().endsWith("(checks: netns, veth-host, veth-blue, pair, up, lo, ping-from-blue, ping-to-blue)"),
            bad.describe());
        Run doctor = run(root, "env", path, "jbang", "--offline", "doctor", "--json");   // as root: the whole doctor
        assertEquals(0, doctor.exitCode(), doctor.describe());
        JsonParser.parseString(doctor.stdout());
        // ./jbang with a jbang on PATH: that jbang runs (its cache is root's, owned by root: trusted)
        Run through = run(root, "env", path, "./jbang", "--offline", "--verbose", "lab04", "explain");
        assertEquals(0, through.exitCode(), through.describe());
        assertTrue(through.stdout().contains("Step 1/"), through.describe());
        assertTrue(through.stderr().contains("jbanghub"), "./jbang did not hand over to the plain jbang (which asks "
            + "its remote catalog; ./jbang resolves aliases itself)\n" + through.describe());
    }

    /** Runs a command in dir with stdin closed; stdout and stderr go to files so neither pipe can fill up. */
    private static Run run(Path dir, String... command) throws IOException, InterruptedException {
        File out = File.createTempFile("jbang-test", ".out");
        File err = File.createTempFile("jbang-test", ".err");
        try {
            Process process = new ProcessBuilder(List.of(command))
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out)
                    .redirectError(err)
                    .start();
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                fail(String.join(" ", command) + " did not finish in " + TIMEOUT_MINUTES + " minutes\n"
                        + new Run(-1, read(out), read(err)).describe());
            }
            return new Run(process.exitValue(), read(out), read(err));
        } finally {
            out.delete();
            err.delete();
        }
    }

    private static String read(File file) throws IOException {
        return Files.readString(file.toPath(), StandardCharsets.UTF_8);
    }
}
