package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.transcript.Normaliser;
import unboxed.transcript.Transcript;

/**
 * The generator without a browser: everything a lab or a progress file says is shown as text; bad input (a lab's
 * description, a template, a progress file) exits 2 with one line naming the file and line, and leaves the old site
 * as it was; and the pieces (normalising, quoting the Java source, the transcript format) do what they say.
 */
class GuideRenderTest {
    static final Path ROOT = findRoot();

    static Path findRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("jbang-catalog.json"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("no checkout above " + Path.of("").toAbsolutePath());
        return p;
    }

    record Run(int exit, String out, String err) {}

    static Run guide(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = GuideCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A scratch checkout: the real templates, a catalog, and the given lab files (name -> source). */
    static Path checkout(Path dir, String... namesAndSources) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("jbang-catalog.json"), "{\"aliases\": {}}\n");
        Files.createDirectories(dir.resolve("labs/transcripts"));
        try (Stream<Path> s = Files.walk(ROOT.resolve("templates"))) {
            for (Path f : s.toList()) {
                Path to = dir.resolve("templates").resolve(ROOT.resolve("templates").relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to);
            }
        }
        for (int i = 0; i < namesAndSources.length; i += 2) Files.writeString(dir.resolve("labs").resolve(namesAndSources[i]), namesAndSources[i + 1]);
        return dir;
    }

    static String evilSource() throws IOException {
        return Files.readString(ROOT.resolve("lib/src/test/java/Lab98Evil.java"));
    }

    static final String EVIL_TRANSCRIPT = """
        # lab98
        === step 1/1: step <script>alert('x')</script>
          </script><script>alert(2)</script>   <script>alert('x')</script>
        --- processes
        4001 S pid:[4026532001] - java (the lab)
          4002/1 S pid:[4026532002] mnt,uts <script>alert(4)</script>
        """;

    static final String EVIL_PROGRESS = """
        {
          "learner": "<script>alert(5)</script>",
          "host": "<b>vm</b>",
          "updated": "2026-01-01T00:00:00Z",
          "labs": {
            "lab98": {
              "lab": "lab98", "title": "<script>alert(6)</script>", "checkedAt": "2026-01-01T00:00:00Z",
              "points": 0, "max": 1, "passed": false,
              "checks": [{"id": "c1", "title": "<script>alert(7)</script>", "points": 1, "earned": 0, "passed": false,
                          "reason": "<script>alert(8)</script>", "hint": "<script>alert(9)</script>"}]
            }
          }
        }
        """;

    @Test
    void everythingFromALabOrAProgressFileIsShownAsText(@TempDir Path tmp) throws IOException {
        Path co = checkout(tmp.resolve("co"), "lab98-evil.java", evilSource());
        Files.writeString(co.resolve("labs/transcripts/lab98.txt"), EVIL_TRANSCRIPT);
        Path progress = tmp.resolve("p.json");
        Files.writeString(progress, EVIL_PROGRESS);
        Path cls = Files.createDirectories(tmp.resolve("class"));
        Files.writeString(cls.resolve("evil.json"), EVIL_PROGRESS);
        Path out = tmp.resolve("site");
        Run r = guide("--root", co.toString(), "--out", out.toString(), "--progress", progress.toString(), "class", cls.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        for (String page : List.of("index.html", "lab98.html", "class.html", "lab98-slides.html")) {
            String html = Files.readString(out.resolve(page));
            // the only script elements of any page are the guide's own: guide.js, and the class view's and the slides' own
            int own = page.equals("class.html") ? 2 : 1;
            assertEquals(own, count(html, "<script"), page + " has a <script> that is not the guide's:\n" + html);
            assertEquals(own, count(html, "<script src=\"assets/guide.js\" defer></script>")
                + count(html, "<script src=\"assets/live.js\" defer></script>")
                + count(html, "<script src=\"assets/slides.js\" defer></script>"), page);
            assertFalse(html.contains("<img"), page + ": raw HTML from a lab's Markdown got through");
            assertFalse(html.contains("javascript:"), page + ": a javascript: link got through");
            assertFalse(html.contains("<b>vm"), page);
            assertTrue(html.contains("&lt;script&gt;alert("), page + " does not show the text escaped");
        }
        String lab = Files.readString(out.resolve("lab98.html"));
        assertTrue(lab.contains("Evil &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "title shown as text");
        assertTrue(lab.contains("&lt;/script&gt;&lt;script&gt;alert(3)"), "quoted Java shown as text");
        assertTrue(lab.contains("&lt;script&gt;alert(2)"), "recorded output shown as text");
        assertTrue(lab.contains("<svg"), "the topology and the process pictures are drawn");
        assertTrue(lab.contains("class=\"pic diagram\"") && lab.contains("label &lt;script&gt;alert("), "a diagram's text shown as text");
        assertTrue(lab.contains("&lt;script&gt;alert(4)"), "a process's command in the picture shown as text");
        String cls2 = Files.readString(out.resolve("class.html"));
        assertTrue(cls2.contains("&lt;script&gt;alert(8)"), "a check's reason shown as text in the class view");
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    /**
     * The site of this checkout, from its stored transcripts with no network, twice: the same bytes both times (the
     * quiz's shuffle has a fixed seed), each build in under 5 s.
     */
    @Test
    void theSiteBuildsTheSameBytesTwiceInUnder5Seconds(@TempDir Path tmp) throws IOException {
        List<Path> outs = List.of(tmp.resolve("one"), tmp.resolve("two"));
        for (Path out : outs) {
            long t0 = System.nanoTime();
            Run r = guide("--root", ROOT.toString(), "--out", out.toString());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, r.exit(), r.err() + r.out());
            assertTrue(ms < 5000, "the site took " + ms + " ms to build");
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(outs.get(0))) {
            files = s.filter(Files::isRegularFile).map(outs.get(0)::relativize).sorted().toList();
        }
        try (Stream<Path> s = Files.walk(outs.get(1))) {
            assertEquals(files, s.filter(Files::isRegularFile).map(outs.get(1)::relativize).sorted().toList());
        }
        assertTrue(files.size() > 6, files.toString());
        for (Path f : files) {
            assertEquals(-1L, Files.mismatch(outs.get(0).resolve(f), outs.get(1).resolve(f)), f + " differs between two builds");
        }
    }

    // ---- bad input: exit 2, one line naming the file and line, old site untouched, no temp folder left --------------

    /** An existing site with a marker file, to prove a failed build leaves it alone. */
    static Path oldSite(Path tmp) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(out.resolve("index.html"), "the old site");
        return out;
    }

    static void assertUntouched(Path out, Run r, String... mustSay) throws IOException {
        assertEquals(2, r.exit(), r.err() + r.out());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("guide: "), r.err());
        for (String s : mustSay) assertTrue(r.err().contains(s), "message should say " + s + ": " + r.err());
        assertEquals("the old site", Files.readString(out.resolve("index.html")));
        try (Stream<Path> s = Files.list(out.getParent())) {
            List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".site")).toList();
            assertTrue(left.isEmpty(), "temporary folders left: " + left);
        }
    }

    @Test
    void aLabThatIsNotCompiledExits2NamingItsFile(@TempDir Path tmp) throws IOException {
        Path co = checkout(tmp.resolve("co"), "lab97-ghost.java",
            "import unboxed.lab.Lab;\nclass Lab97Ghost {\n    static Lab lab() { return null; }\n}\n");
        Path out = oldSite(tmp);
        assertUntouched(out, guide("--root", co.toString(), "--out", out.toString()), "labs/lab97-ghost.java", "Lab97Ghost");
    }

    /**
     * describe --json is the Description record the guide reads in-process, field for field: what a learner's
     * `./jbang lab04 describe --json` prints reads back into the very record the pages were made from.
     */
    @Test
    void describeJsonIsTheRecordTheGuideReads() {
        unboxed.lab.Lab lab04 = unboxed.LabHarness.lab("Lab04Netns");
        String json = unboxed.lab.LabCli.describeJson(lab04);
        assertEquals(unboxed.lab.LabCli.describe(lab04), new com.google.gson.Gson().fromJson(json, unboxed.lab.Description.class));
        assertTrue(json.startsWith("{\n  \"id\": \"lab04\",\n  \"title\": "), json);
        assertTrue(json.contains("\"commands\": [") && json.contains("\"maxPoints\": "), json);
    }

    @Test
    void aTemplateErrorNamesTheTemplateAndLine(@TempDir Path tmp) throws IOException {
        Path co = checkout(tmp.resolve("co"), "lab98-evil.java", evilSource());
        Path t = co.resolve("templates/lab.ftlh");
        List<String> lines = new ArrayList<>(Files.readAllLines(t));
        lines.add(2, "${lab.noSuchField}");
        Files.write(t, lines);
        Path out = oldSite(tmp);
        assertUntouched(out, guide("--root", co.toString(), "--out", out.toString()), "templates/lab.ftlh line 3");
        lines.set(2, "<#if>");
        Files.write(t, lines);
        assertUntouched(out, guide("--root", co.toString(), "--out", out.toString()), "templates/lab.ftlh line 3");
    }

    @Test
    void aBadProgressFileNamesTheFileAndLine(@TempDir Path tmp) throws IOException {
        Path co = checkout(tmp.resolve("co"), "lab98-evil.java", evilSource());
        Path out = oldSite(tmp);
        Path p = tmp.resolve("progress.json");
        Files.writeString(p, "{\n  \"learner\": \"ann\",\n  \"labs\": {\n    \"lab04\": {\"lab\": \"lab04\", \"title\": \"t\",\n"
            + "      \"points\": \"many\"}\n  }\n}\n");
        assertUntouched(out, guide("--root", co.toString(), "--out", out.toString(), "--progress", p.toString()),
            p.toString(), "line 5", "$.labs.lab04.points");
        Files.writeString(p, "{\n  \"learner\": \"ann\",\n  \"labs\": {\n");
        assertUntouched(out, guide("--root", co.toString(), "--out", out.toString(), "--progress", p.toString()), p.toString(), "line");
        assertUntouched(out, guide("--root", co.toString(), "--out", out.toString(), "--progress", tmp.resolve("nope.json").toString()),
            "nope.json");
        Path cls = Files.createDirectories(tmp.resolve("class"));
        assertUntouched(out, guide("--root", co.toString(), "--out", out.toString(), "class", cls.toString()), "no progress files");
        Files.writeString(cls.resolve("bob.json"), "[1, 2]\n");
        assertUntouched(out, guide("--root", co.toString(), "--out", out.toString(), "class", cls.toString()), "bob.json", "line 1");
    }

    @Test
    void badArgumentsExit2WithOneLine() {
        Run r = guide("--no-such-option");
        assertEquals(2, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        r = guide("lab04"); // lab names go with --record
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--record"), r.err());
    }

    // ---- the pieces -------------------------------------------------------------------------------------------

    @Test
    void normalisingKeepsWhatIsSameTheSameAndWhatDiffersDifferent() {
        Normaliser n = new Normaliser("buildhost");
        n.knownPid(123456);
        n.bornBetween(22000, 22999);
        String in = """
            net:[4026531840] net:[4026532718] net:[4026531840]
            thread 777123 and /proc/777123/ns/net, pid 123456, NSpid 22179 1, bash: 22180
            link/ether 3a:1b:2c:3d:4e:5f brd ff:ff:ff:ff:ff:ff lo 00:00:00:00:00:00
            ifindex 313 lab04-ns@if314 2: eth0@if313
            fe80::18c6:42ff:feb0:13d1/64 libc.so.6 (0x00007f201e558000) members [22181, 22182]
            time=0.043 ms rtt min/avg/max/mdev = 0.043/0.050/0.061/0.009 ms took 1.25 s
            checked 2026-11-23T09:11:14Z on buildhost; 10.16.9.2/24 port 8080 PID 1
            from 10.0.5.2:52243 -> 203.0.113.2:38902, back to 203.0.113.1:52243, 127.0.0.1:8080
            4:memory:/process_api/8fbfb7c6397eeca355a6978197b30ebc 0::/ sha 8FBFB7C6397EECA355A6978197B30EBC
            dev:inode of its / and the JVM's / 65024:1704037 and 65024:2; same inode both ways 1704572 = 1704572
            limit 22528 bytes (= 22016 kB, 4096 pages of 4096)
            """;
        String out = n.apply(in);
        assertEquals("""
            net:[4026532001] net:[4026532002] net:[4026532001]
            thread 4001 and /proc/4001/ns/net, pid 4002, NSpid 4003 1, bash: 4004
            link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff lo 00:00:00:00:00:00
            ifindex 101 lab04-ns@if102 2: eth0@if101
            fe80::ff:fe00:1/64 libc.so.6 (0x00007f0000001000) members [4005, 4006]
            time=N ms rtt min/avg/max/mdev = N/N/N/N ms took N s
            checked YYYY-MM-DDThh:mm:ssZ on myhost; 10.16.9.2/24 port 8080 PID 1
            from 10.0.5.2:50001 -> 203.0.113.2:50002, back to 203.0.113.1:50001, 127.0.0.1:8080
            4:memory:/process_api/00000000000000000000000000000001 0::/ sha 00000000000000000000000000000001
            dev:inode of its / and the JVM's / 65024:7000001 and 65024:2; same inode both ways 7000002 = 7000002
            limit 22528 bytes (= 22016 kB, 4096 pages of 4096)
            """, out);
    }

    @Test
    void theHostsRootReadsAsAStockDebiansWhereverItWasRecorded() {
        Normaliser n = new Normaliser(null);
        n.hostRoot(".dockerenv bin boot check etc usr var");
        assertEquals("""
              / seen by the main thread          %s
              / seen by the jailed thread        bin hello.txt lib lib64
              other text .dockerenv bin boot check etc usr var, in a sentence
            """.formatted(Normaliser.DEBIAN_ROOT), n.apply("""
              / seen by the main thread          .dockerenv bin boot check etc usr var
              / seen by the jailed thread        bin hello.txt lib lib64
              other text .dockerenv bin boot check etc usr var, in a sentence
            """));
    }

    @Test
    void theRecordersOwnCgroupReadsAsALoginSessionsWhereverItWasRecorded() {
        Normaliser n = new Normaliser(null);
        n.ownCgroup("/process_api/7a8950dee6a155fd9b8259b5bb68549f");
        n.ownCgroup("/");
        assertEquals("""
              4:memory:%1$s
              0::/
              /sys/fs/cgroup/memory/lab06-demo, not /process_api/7a8950dee6a155fd9b8259b5bb68549f0 nor /process_api
            """.formatted(Normaliser.SESSION_CGROUP), n.apply("""
              4:memory:/process_api/7a8950dee6a155fd9b8259b5bb68549f
              0::/
              /sys/fs/cgroup/memory/lab06-demo, not /process_api/7a8950dee6a155fd9b8259b5bb68549f0 nor /process_api
            """));
    }

    @Test
    void pidsBornAcrossAWrapAroundAreStillPids() {
        Normaliser n = new Normaliser(null);
        n.bornBetween(32500, 420, 32768);
        assertEquals("bash: 4001, then 4002; not 8000 nor 32600x", n.apply("bash: 32700, then 310; not 8000 nor 32600x"));
    }

    @Test
    void columnsStayAlignedWhenAStandInIsNarrowerThanWhatItReplaces() {
        Normaliser n = new Normaliser(null);
        n.knownPid(31245);
        n.knownPid(31246);
        String in = """
              pid 31245 (sh)                     4:memory:/lab06-demo
              members of lab06-demo              [31245, 31246]
              thread 31246's namespace           net:[4026532718]
            """;
        assertEquals("""
              pid 4001 (sh)                      4:memory:/lab06-demo
              members of lab06-demo              [4001, 4002]
              thread 4002's namespace            net:[4026532001]
            """, n.apply(in));
    }

    @Test
    void aRunOfProgressLinesKeepsItsFirstAndLast() {
        String in = """
              memory used            [#...................]   6%  1 MiB of 20 MiB
              memory used            [#####...............]  28%  5 MiB of 20 MiB
              memory used            [##########..........]  50%  10 MiB of 20 MiB
              memory used            [###############.....]  75%  15 MiB of 20 MiB
              hog's exit status                  137
              copied                 [####################] 100%  1 file
            """;
        assertEquals("""
              memory used            [#...................]   6%  1 MiB of 20 MiB
              memory used            [###############.....]  75%  15 MiB of 20 MiB
              hog's exit status                  137
              copied                 [####################] 100%  1 file
            """, new Normaliser(null).apply(in));
    }

    @Test
    void eachStepQuotesTheMethodItsDoesNames() throws IOException {
        Path f = ROOT.resolve("labs/lab04-netns.java");
        List<JavaSource.Excerpt> ex = new JavaSource("labs/lab04-netns.java", Files.readString(f)).stepExcerpts();
        assertEquals(unboxed.LabHarness.lab("Lab04Netns").steps.size(), ex.size());
        JavaSource.Excerpt first = ex.get(0);
        assertEquals("Lab04Netns::hostNamespace", first.ref());
        assertTrue(first.code().startsWith("static void hostNamespace(Bench b) {"), first.code());
        assertTrue(first.code().endsWith("}"), first.code());
        assertEquals(first.line(), Files.readAllLines(f).indexOf("    static void hostNamespace(Bench b) {") + 1);
        // braces and a .step( inside strings and comments do not confuse it
        String tricky = """
            class T {
                static Lab lab() {
                    return Lab.define("lab09", "t").story(".step(\\"fake\\")")
                        .step("one", s -> s.does(T::one))
                        .step("two", s -> s.does(b -> b.show("}", "{")))
                        .build();
                }
                /** Says why. */
                static void one(Bench b) {
                    String s = "}"; char c = '{'; // }
                    b.show(s, c);
                }
            }
            """;
        List<JavaSource.Excerpt> t = new JavaSource("t.java", tricky).stepExcerpts();
        assertEquals(2, t.size());
        assertEquals("/** Says why. */\nstatic void one(Bench b) {\n    String s = \"}\"; char c = '{'; // }\n    b.show(s, c);\n}", t.get(0).code());
        assertEquals("b -> b.show(\"}\", \"{\")", t.get(1).code());
        SiteException e = assertThrows(SiteException.class, () -> new JavaSource("x.java",
            "class X {\n static Lab lab() { return Lab.define(\"a\",\"b\").step(\"s\", s -> s.does(X::gone)).build(); }\n}\n").stepExcerpts());
        assertTrue(e.getMessage().startsWith("x.java line 2: .does(X::gone) names no method gone"), e.getMessage());
    }

    @Test
    void aTranscriptReadsBackAsItWasWrittenAndStalenessIsWordsNotNumbers() {
        var procs = List.of(new Transcript.Proc(0, List.of(4001L), 'S', "pid:[4026532001]", List.of(), "java (the lab)"),
            new Transcript.Proc(1, List.of(4002L, 1L), 'S', "pid:[4026532002]", List.of("mnt", "uts"), "sleep infinity"),
            new Transcript.Proc(2, List.of(4003L, 7L), 'Z', "", List.of(), "sleep <defunct>"));
        var t = new Transcript("lab98", List.of(
            new Transcript.StepRecord("one", "  a line\n\n    indented", procs),
            new Transcript.StepRecord("two", "", List.of())));
        var back = Transcript.parse("lab98", "x", Transcript.format(Lab98Lab.LAB, t));
        assertEquals(t, back);
        var other = new Transcript("lab98", List.of(
            new Transcript.StepRecord("one", "  a line\n\n    indented", List.of(procs.get(0), procs.get(1),
                new Transcript.Proc(2, List.of(4003L, 9L), 'Z', "", List.of(), "sleep <defunct>"))),
            new Transcript.StepRecord("two", "", List.of())));
        assertTrue(Transcript.differences(t, other).isEmpty(), "a pid inside a namespace may differ between runs");
        var running = new Transcript("lab98", List.of(
            new Transcript.StepRecord("one", "  a line\n\n    indented", List.of(procs.get(0),
                new Transcript.Proc(1, List.of(4002L, 1L), 'R', "pid:[4026532002]", List.of("mnt", "uts"), "sleep infinity"), procs.get(2))),
            new Transcript.StepRecord("two", "", List.of())));
        assertTrue(Transcript.differences(t, running).isEmpty(), "a live process caught running or sleeping is the same process");
        var reaped = new Transcript("lab98", List.of(
            new Transcript.StepRecord("one", "  a line\n\n    indented", List.of(procs.get(0), procs.get(1),
                new Transcript.Proc(2, List.of(4003L, 7L), 'S', "", List.of(), "sleep <defunct>"))),
            new Transcript.StepRecord("two", "", List.of())));
        assertEquals(1, Transcript.differences(t, reaped).size(), "a zombie is the lesson: it is not any other state");
        var worded = new Transcript("lab98", List.of(
            new Transcript.StepRecord("one", "  a different line\n\n    indented", procs),
            new Transcript.StepRecord("two", "", List.of())));
        List<String> d = Transcript.differences(t, worded);
        assertEquals(List.of("lab98 step 1 (one), line 1: stored \"  a line\", now \"  a different line\""), d);
    }

    /** The lab98 model, for the transcript header. */
    static final class Lab98Lab {
        static final unboxed.lab.Lab LAB = unboxed.LabHarness.lab("Lab98Evil");
    }

    /** A recorded step's facts line up however long a label: the values of a run start in one column. */
    @Test
    void aRunOfShownFactsIsOneColumn() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        unboxed.lab.Console c = new unboxed.lab.Console(new PrintStream(bytes, true, StandardCharsets.UTF_8),
            java.io.InputStream.nullInputStream(), false);
        c.shows(List.of(new unboxed.lab.RunListener.Show("links in lab05-router", "lo UP"),
            new unboxed.lab.RunListener.Show("net.ipv4.ip_forward in the root namespace", "0")));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertEquals(lines.get(0).indexOf("lo UP"), lines.get(1).lastIndexOf(" 0") + 1, String.join("\n", lines));
        assertTrue(lines.get(1).contains("namespace 0"), "the longest label keeps one space before its value: " + lines);
    }

    /** A temporary folder holding the whole site built from this checkout (its site/ folder); delete with deleteTree. */
    static Path builtSite(String prefix) throws IOException {
        Path tmp = Files.createTempDirectory(prefix);
        Run r = guide("--root", ROOT.toString(), "--out", tmp.resolve("site").toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        return tmp;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
