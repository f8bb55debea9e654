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
        assertEquals(List.of("progress.json"), filesIn(file.getParent()), "no .tmp file left behind");
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
     * Current behaviour, on purpose ("start again rather than refuse to grade"): a file that is not a JSON object is
     * replaced by a fresh one holding only this lab. Whatever it held is lost, with no copy kept and no warning.
     */
    @ParameterizedTest
    @ValueSource(strings = {"{\"learner\": \"ada\", \"labs\": {\"lab02\": {\"po", "not json at all", "", "[1, 2]", "null",
        "\"a string\""})
    void anUnparsableFileIsStartedAgain(String content) throws Exception {
        Path file = dir.resolve("progress.json");
        Files.writeString(file, content);
        Progress.record(file, labA(), results(labA()), "ada", "vm-ada");
        JsonObject root = read(file);
        assertEquals(List.of("lab01"), List.copyOf(root.getAsJsonObject("labs").keySet()));
        assertEquals("ada", root.get("learner").getAsString());
        assertEquals(List.of("progress.json"), filesIn(dir));
    }

    /**
     * A parsable object whose "labs" is not an object (hand-edited). Before the fix in Progress.record this threw a
     * ClassCastException out of check (exit with a stack trace, no grade recorded); now "labs" starts again.
     */
    @ParameterizedTest
    @ValueSource(strings = {"{\"labs\": null}", "{\"labs\": []}", "{\"labs\": \"lab01\"}", "{\"labs\": 3}"})
    void labsThatIsNotAnObjectIsStartedAgain(String content) throws Exception {
        Path file = dir.resolve("progress.json");
        Files.writeString(file, content);
        Progress.record(file, labA(), results(labA()), "ada", "vm-ada");
        assertEquals(List.of("lab01"), List.copyOf(read(file).getAsJsonObject("labs").keySet()));
    }

    @Test
    void theLearnerIsNamed() {
        String who = Progress.learner();
        assertFalse(who == null || who.isBlank());
    }
}
