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
