package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.LabHarness;
import unboxed.lab.Lab;

/**
 * The presenter view and the live class view without a browser: what the slides page holds, the class view's check
 * times and silent marker (also from older progress files), guide class DIR --watch rebuilding on a change (and
 * keeping the last good site when a file is half-copied), Ctrl-C ending it cleanly in a JVM of its own, and bad input.
 */
class GuideLiveTest {
    static final Lab LAB04 = LabHarness.lab("Lab04Netns");

    static String ago(Duration d) {
        return Instant.now().minus(d).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Test
    void eachLabHasSlidesWithItsStepsOutputAndNotes(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("site");
        GuideRenderTest.Run r = GuideRenderTest.guide("--root", GuideRenderTest.ROOT.toString(), "--out", out.toString(), "--slides");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("open ") && r.out().contains("lab01-slides.html"), r.out());
        String html = Files.readString(out.resolve("lab04-slides.html"));
        int steps = LAB04.steps.size();
        assertEquals(steps + 2, GuideRenderTest.count(html, "<section class=\"slide"), "title, a slide per step, the exercise");
        assertTrue(html.contains("id=\"s" + (steps + 2) + "\""), "the exercise is the last slide");
        assertTrue(html.contains("unshare --net ip link"), "a step's shell line");
        assertTrue(html.contains("Lab04Netns::newNamespaceFromJava"), "the Java that does it");
        // a thread's id is a stand-in (4001, 4002...): which one depends on the recording
        assertTrue(java.util.regex.Pattern.compile("net namespace of thread 4\\d{3}").matcher(html).find(),
            "the recorded output (labs/transcripts/lab04.txt)");
        assertTrue(html.contains("Built without a class"), "no class: the notes say how to get one");
        assertTrue(html.contains("shared evenly over its " + steps + " steps"), "the pace says what it is made of");
        assertTrue(Files.readString(out.resolve("index.html")).contains("href=\"lab04-slides.html\""), "the index links the slides");
    }

    @Test
    void theSlidesNotesShowWhatTheClassFailsMost(@TempDir Path tmp) throws IOException {
        Path cls = Files.createDirectories(tmp.resolve("class")), out = tmp.resolve("site");
        GuideBrowserTest.writeProgress(cls.resolve("alice.json"), "alice", LAB04, Map.of());
        GuideBrowserTest.writeProgress(cls.resolve("bob.json"), "bob", LAB04, Map.of("up", "veth-blue is DOWN"));
        GuideRenderTest.Run r = GuideRenderTest.guide("--root", GuideRenderTest.ROOT.toString(), "--out", out.toString(),
            "class", cls.toString(), "--slides");
        assertEquals(0, r.exit(), r.err() + r.out());
        String html = Files.readString(out.resolve("lab04-slides.html"));
        assertTrue(html.contains("What this class fails most"), html);
        assertTrue(html.contains("data-check=\"up\"><span class=\"count\">1 of 2</span>"), "the criterion and its count");
        assertTrue(html.contains("veth-blue is DOWN"), "its most frequent reason");
        assertTrue(Files.readString(out.resolve("lab01-slides.html")).contains("No one in <code>class/</code> has checked this lab yet"));
    }

    @Test
    void eachLearnerShowsTheLastCheckAndTheSilentAreMarked(@TempDir Path tmp) throws IOException {
        Path cls = Files.createDirectories(tmp.resolve("class")), out = tmp.resolve("site");
        GuideBrowserTest.writeProgress(cls.resolve("alice.json"), "alice", LAB04, Map.of(), ago(Duration.ofMinutes(2)));
        GuideBrowserTest.writeProgress(cls.resolve("dave.json"), "dave", LAB04, Map.of(), ago(Duration.ofMinutes(25)));
        // an older progress file: no "updated", only the lab's checkedAt; and a hand-made one with no time at all
        Files.writeString(cls.resolve("erin.json"), """
            {"learner": "erin", "labs": {"lab04": {"lab": "lab04", "title": "t", "checkedAt": "%s", "points": 0, "max": 1,
              "passed": false, "checks": []}}}
            """.formatted(ago(Duration.ofHours(2))));
        Files.writeString(cls.resolve("finn.json"), "{\"learner\": \"finn\", \"labs\": {}}\n");
        GuideRenderTest.Run r = GuideRenderTest.guide("--root", GuideRenderTest.ROOT.toString(), "--out", out.toString(),
            "class", cls.toString(), "--silent-after", "20m");
        assertEquals(0, r.exit(), r.err() + r.out());
        String html = Files.readString(out.resolve("class.html"));
        Map<String, String> rows = new java.util.LinkedHashMap<>();
        for (String name : List.of("alice", "dave", "erin", "finn")) {
            int at = html.indexOf("<th scope=\"row\">" + name + " ");
            assertTrue(at > 0, name + " has a row");
            rows.put(name, html.substring(html.lastIndexOf("<tr", at), html.indexOf("</tr>", at)));
        }
        assertTrue(rows.get("alice").contains("(2 min ago)") && !rows.get("alice").contains("silent\""), rows.get("alice"));
        assertTrue(rows.get("dave").contains("class=\"learner silent\"") && rows.get("dave").contains("(25 min ago)"), rows.get("dave"));
        assertTrue(rows.get("erin").contains("class=\"learner silent\"") && rows.get("erin").contains("(2 h ago)"),
            "the time of the lab's last check stands in for an older file's missing \"updated\": " + rows.get("erin"));
        assertTrue(rows.get("finn").contains("no time in the file") && !rows.get("finn").contains("learner silent"), rows.get("finn"));
        assertTrue(html.contains("no check for more than 20 min"), "the page says what silent means");
        assertFalse(html.contains("reloads itself"), "built once, the page does not reload itself");
    }

    @Test
    void badInputExits2WithOneLine(@TempDir Path tmp) throws IOException {
        Path cls = Files.createDirectories(tmp.resolve("class"));
        GuideBrowserTest.writeProgress(cls.resolve("alice.json"), "alice", LAB04, Map.of());
        String root = GuideRenderTest.ROOT.toString(), out = tmp.resolve("site").toString();
        for (String[] args : List.of(
                new String[] {"class", tmp.resolve("nope").toString(), "--watch"},
                new String[] {"class", cls.toString(), "--silent-after", "10"},
                new String[] {"class", cls.toString(), "--silent-after", "ten minutes"},
                new String[] {"class", cls.toString(), "--silent-after", "0m"},
                new String[] {"class", cls.toString(), "--watch", "--reload-every", "-5s"})) {
            String[] all = Stream.concat(Stream.of("--root", root, "--out", out), Stream.of(args)).toArray(String[]::new);
            GuideRenderTest.Run r = GuideRenderTest.guide(all);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err() + r.out());
            assertEquals(1, r.err().strip().lines().count(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("guide: "), r.err());
        }
        assertFalse(Files.exists(tmp.resolve("site")), "nothing written");
    }

    /** guide class DIR --watch, in-process on a thread of its own: its output so far, and a way to stop it. */
    static final class Watch implements AutoCloseable {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        final Thread thread;
        volatile int exit = -1;

        Watch(String... args) {
            thread = new Thread(() -> exit = GuideCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), "guide-watch-test");
            thread.start();
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        /** Waits (up to 20 s) until what() holds, failing with the output otherwise. */
        void until(String what, Supplier<Boolean> cond) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!cond.get()) {
                if (System.nanoTime() > deadline) throw new AssertionError("waited 20 s for " + what + "; out:\n" + out() + "err:\n" + err());
                Thread.sleep(50);
            }
        }

        /** Ends the watch as its thread being interrupted does, and returns its exit code. */
        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(20_000);
        }
    }

    @Test
    void watchRebuildsOnEveryChangeAndKeepsTheLastGoodSite(@TempDir Path tmp) throws Exception {
        Path cls = Files.createDirectories(tmp.resolve("class")), out = tmp.resolve("site");
        Path page = out.resolve("class.html");
        try (Watch w = new Watch("--root", GuideRenderTest.ROOT.toString(), "--out", out.toString(), "class", cls.toString(),
                "--watch", "--reload-every", "2s")) {
            // an empty folder is where a workshop starts
            w.until("the watching line", () -> w.out().contains("guide: watching "));
            String first = Files.readString(page);
            assertTrue(first.contains("No progress files in") && first.contains("data-reload=\"2\""), first);
            assertTrue(first.contains("this page reloads itself every 2 s"), first);
            GuideBrowserTest.writeProgress(cls.resolve("alice.json"), "alice", LAB04, Map.of("up", "both ends are DOWN"),
                ago(Duration.ZERO));
            w.until("alice's rebuild", () -> w.out().contains("(alice.json added)"));
            assertTrue(Files.readString(page).contains("<th scope=\"row\">alice "), "alice's row");
            // a copy under way (not yet JSON): one line, and the page keeps the last build
            Files.writeString(cls.resolve("bob.json"), "{\"learner\": \"bo");
            w.until("the failed rebuild's line", () -> w.err().contains("not rebuilt (bob.json added)"));
            assertTrue(Files.readString(page).contains("<th scope=\"row\">alice "), "the last good build stays");
            GuideBrowserTest.writeProgress(cls.resolve("bob.json"), "bob", LAB04, Map.of(), ago(Duration.ZERO));
            w.until("bob's rebuild", () -> w.out().contains("(bob.json changed)"));
            assertTrue(Files.readString(page).contains("<th scope=\"row\">bob "), "bob's row");
            // not a progress file: no rebuild
            Files.writeString(cls.resolve("notes.txt"), "x");
            Files.delete(cls.resolve("alice.json"));
            w.until("alice's removal", () -> w.out().contains("(alice.json removed)"));
            assertFalse(w.out().contains("notes.txt"), w.out());
            assertFalse(Files.readString(page).contains("<th scope=\"row\">alice "), "alice's row went with her file");
            long rebuilds = w.out().lines().filter(l -> l.contains(" rebuilt ")).count();
            assertEquals(3, rebuilds, "one line per rebuild: " + w.out());
            w.close();
            assertEquals(0, w.exit, w.err());
            assertTrue(w.out().strip().endsWith("the last build stays in " + GuideCli.shown(null, out)), w.out());
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("class", "site"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary folder left");
        }
    }

    @Test
    void ctrlCEndsTheWatchCleanly(@TempDir Path tmp) throws Exception {
        Path cls = Files.createDirectories(tmp.resolve("class")), out = tmp.resolve("site");
        GuideBrowserTest.writeProgress(cls.resolve("alice.json"), "alice", LAB04, Map.of());
        Process p = LabHarness.jvm("unboxed.site.GuideCli", "--root", GuideRenderTest.ROOT.toString(), "--out", out.toString(),
            "class", cls.toString(), "--watch").redirectErrorStream(true).start();
        try {
            LabHarness.readUntil(p, "Ctrl-C ends", 60);
            assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "still running 20 s after SIGINT");
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(said.contains("guide: stopped watching"), said);
            assertFalse(said.contains("Exception"), said);
            assertEquals(130, p.exitValue(), "the shell's code for an end by Ctrl-C (128 + SIGINT): " + said);
        } finally {
            if (p.isAlive()) LabHarness.sigkill(p);
        }
        assertTrue(Files.readString(out.resolve("class.html")).contains("<th scope=\"row\">alice "));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("class", "site"), s.map(q -> q.getFileName().toString()).sorted().toList(), "no temporary folder left");
        }
    }
}
