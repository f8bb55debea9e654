package unboxed.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.lab.Check.Verdict;

/**
 * What check writes to the progress file, into a file under a temporary directory (never /var/lib/unboxed). Uses the
 * record overload that is given learner and host, so nothing reads /proc/sys or SUDO_USER: pure, no root.
 */
class ProgressTest {
    @TempDir
    Path dir;

    static Lab labA() {
        return Lab.define("lab01", "chroot").check("root", "The new root exists", 2, "mkdir it", Verdict::pass)
            .check("shell", "A shell runs <inside> & \"works\"", 3, "copy busybox", () -> Verdict.fail("no <bin/sh> & \"nothing\""))
            .build();
    }

    static Lab labB() {
        return Lab.define("lab02", "mount namespaces").check("private", "/ is private", 1, "", Verdict::pass).build();
    }

    static List<Check.Result> results(Lab lab) {
        return lab.checks.stream().map(Check::evaluate).toList();
    }

    static JsonObject read(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    List<String> filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void recordWritesLearnerHostAndThisLabsSummaryMakingTheDirectories() throws Exception {
        Path file = dir.resolve("var/lib/unboxed/progress.json");
        Lab lab = labA();
        List<Check.Result> results = results(lab);
        Progress.record(file, lab, results, "ada", "vm-ada");

        JsonObject root = read(file);
        assertEquals("ada", root.get("learner").getAsString());
        assertEquals("vm-ada", root.get("host").getAsString());
        assertEquals(0, Instant.parse(root.get("updated").getAsString()).getNano());
        assertEquals(List.of("lab01"), List.copyOf(root.getAsJsonObject("labs").keySet()));

        JsonObject l = root.getAsJsonObject("labs").getAsJsonObject("lab01");
        assertEquals("lab01", l.get("lab").getAsString());
        assertEquals("chroot", l.get("title").getAsString());
        assertEquals(2, l.get("points").getAsInt());
        assertEquals(5, l.get("max").getAsInt());
        assertFalse(l.get("passed").getAsBoolean());
        Instant.parse(l.get("checkedAt").getAsString());

        // the stored summary reads back as the same record (the guide reads it this way)
        Reports.Summary back = new Gson().fromJson(l, Reports.Summary.class);
        assertEquals(results, back.checks());
        assertEquals(new Check.Result("shell", "A shell runs <inside> & \"works\"", 3, 0, false,
            "no <bin/sh> & \"nothing\"", "copy busybox"), back.checks().get(1));

        String raw = Files.readString(file);
        assertTrue(raw.contains("no <bin/sh> & \\\"nothing\\\""), "no HTML escaping (\\u003c) in the file: " + raw);
        assertTrue(raw.endsWith("}\n"), raw);
        assertEquals(List.of(".progress.json.lock", "progress.json"), filesIn(file.getParent()),
            "no temporary file left behind, only the lock file");
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void aSecondLabIsAddedBesideTheFirstAndARecheckReplacesOnlyItsOwnResults() throws Exception {
        Path file = dir.resolve("progress.json");
        Progress.record(file, labA(), results(labA()), "ada", "vm-ada");
        Progress.record(file, labB(), results(labB()), "ada", "vm-ada");

        JsonObject labs = read(file).getAsJsonObject("labs");
        assertEquals(List.of("lab01", "lab02"), List.copyOf(labs.keySet()));
        assertEquals(2, labs.getAsJsonObject("lab01").get("points").getAsInt());
        assertTrue(labs.getAsJsonObject("lab02").get("passed").getAsBoolean());

        // lab01 again, now all passing: its entry is replaced, lab02's is kept as it was
        JsonObject lab02Before = labs.getAsJsonObject("lab02");
        Lab fixed = Lab.define("lab01", "chroot").check("root", "The new root exists", 2, "", Verdict::pass)
            .check("shell", "A shell runs", 3, "", Verdict::pass).build();
        Progress.record(file, fixed, results(fixed), "root", "vm-2");

        JsonObject root = read(file);
        labs = root.getAsJsonObject("labs");
        assertEquals(List.of("lab01", "lab02"), List.copyOf(labs.keySet()));
        assertEquals(5, labs.getAsJsonObject("lab01").get("points").getAsInt());
        assertTrue(labs.getAsJsonObject("lab01").get("passed").getAsBoolean());
        assertEquals(lab02Before, labs.getAsJsonObject("lab02"));
        assertEquals("root", root.get("learner").getAsString(), "learner and host are those of the latest check");
        assertEquals("vm-2", root.get("host").getAsString());
    }

    @Test
    void otherTopLevelKeysOfAValidFileAreKept() throws Exception {
        Path file = dir.resolve("progress.json");
        Files.writeString(file, "{\"class\": \"2025-A\", \"learner\": \"old\", \"labs\": {\"lab02\": {\"lab\": \"lab02\"}}}");
        Progress.record(file, labA(), results(labA()), "ada", "vm-ada");
        JsonObject root = read(file);
        assertEquals("2025-A", root.get("class").getAsString());
        assertEquals("ada", root.get("learner").getAsString());
        assertEquals(List.of("lab02", "lab01"), List.copyOf(root.getAsJsonObject("labs").keySet()));
    }

    /**
     * Issue 20: a file that is not a JSON object, or whose "labs" is not an object (hand-edited, truncated), is moved
     * aside (progress.json.broken-TIME), whole, with a note saying where; a new file holds this check's results.
     */
    @ParameterizedTest
    @ValueSource(strings = {"{\"learner\": \"ada\", \"labs\": {\"lab02\": {\"po", "not json at all", "", "[1, 2]", "null",
        "\"a string\"", "{\"labs\": null}", "{\"labs\": []}", "{\"labs\": \"lab01\"}", "{\"labs\": 3}"})
    void anUnreadableFileIsMovedAsideAndThisChecksResultsKept(String content) throws Exception {
        Path file = dir.resolve("progress.json");
        Files.writeString(file, content);
        String note = Progress.record(file, labA(), results(labA()), "ada", "vm-ada");
        JsonObject root = read(file);
        assertEquals(List.of("lab01"), List.copyOf(root.getAsJsonObject("labs").keySet()));
        assertEquals("ada", root.get("learner").getAsString());
        List<String> aside = filesIn(dir).stream().filter(n -> n.startsWith("progress.json.broken-")).toList();
        assertEquals(1, aside.size(), filesIn(dir).toString());
        assertEquals(content, Files.readString(dir.resolve(aside.get(0))), "the unreadable file is kept whole");
        assertTrue(note != null && note.contains(dir.resolve(aside.get(0)).toString()) && note.contains("could not be read"),
            "the learner is told where it went: " + note);
        assertEquals(null, Progress.record(file, labB(), results(labB()), "ada", "vm-ada"), "a readable file: no note");
    }

    /** Issue 20: a symbolic link planted at the progress file's name is refused (exit 4); its target is not touched. */
    @Test
    void aSymbolicLinkAtTheProgressFileIsRefusedAndItsTargetUntouched() throws Exception {
        Path target = Files.writeString(dir.resolve("shadow"), "root:x:0:0\n");
        Path file = Files.createSymbolicLink(dir.resolve("progress.json"), target);
        LabException e = org.junit.jupiter.api.Assertions.assertThrows(LabException.class,
            () -> Progress.record(file, labA(), results(labA()), "ada", "vm-ada"));
        assertEquals(LabException.CONFLICT, e.exitCode());
        assertTrue(e.getMessage().contains("symbolic link") && e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals("root:x:0:0\n", Files.readString(target));
        assertTrue(Files.isSymbolicLink(file));
        assertEquals(List.of(".progress.json.lock", "progress.json", "shadow"), filesIn(dir), "nothing else written");
    }

    /** Issue 20: checks of many labs at once (threads here; the lock file also keeps processes apart) lose nothing. */
    @Test
    void concurrentChecksLoseNoResult() throws Exception {
        Path file = dir.resolve("progress.json");
        int n = 12;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Lab lab = Lab.define(String.format("lab%02d", 10 + i), "t").check("a", "A", 1, "", Verdict::pass).build();
            done.add(pool.submit(() -> {
                go.await();
                for (int k = 0; k < 5; k++) Progress.record(file, lab, results(lab), "ada", "vm-ada");
                return null;
            }));
        }
        go.countDown();
        for (var f : done) f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        pool.shutdown();
        assertEquals(n, read(file).getAsJsonObject("labs").size(), Files.readString(file));
        assertEquals(List.of(".progress.json.lock", "progress.json"), filesIn(dir));
    }

    /** Issue 20: the same across processes: a second JVM's check waits for the lock the first holds. */
    @Test
    void aCheckWaitsWhileAnotherProcessHoldsTheProgressLock() throws Exception {
        Path file = dir.resolve("progress.json");
        Path lockFile = dir.resolve(".progress.json.lock");
        Progress.record(file, labB(), results(labB()), "ada", "vm-ada");
        Process holder = new ProcessBuilder("python3", "-c", "import fcntl,os,sys,time\n"
            + "fd=os.open(sys.argv[1], os.O_RDWR)\nfcntl.lockf(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(2)\n",
            lockFile.toString()).redirectErrorStream(true).start();
        try {
            assertEquals("held", new String(holder.getInputStream().readNBytes(4)));
            long t0 = System.nanoTime();
            Progress.record(file, labA(), results(labA()), "ada", "vm-ada");
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waited > 1000, "record waited for the other process's lock: " + waited + " ms");
        } finally {
            holder.destroyForcibly().waitFor();
        }
        assertEquals(List.of("lab02", "lab01"), List.copyOf(read(file).getAsJsonObject("labs").keySet()));
    }

    @Test
    void theLearnerIsNamed() {
        String who = Progress.learner();
        assertFalse(who == null || who.isBlank());
    }
}
