package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import unboxed.LabHarness;
import unboxed.lab.Check;
import unboxed.lab.Lab;
import unboxed.lab.Reports;

/**
 * The real site of this checkout (every lab, its stored transcripts) with a learner's progress and a class view built
 * from a fixture folder of progress files, opened in a real headless Chromium (Debian's chromium + chromium-driver):
 * from file:// and from a static web server on loopback, in light and dark mode. With UNBOXED_SHOTS=DIR, screenshots
 * of every page land there, for a person to look at.
 */
@Tag("slow") // a real browser, some seconds a page: the full suite runs it, -Pfast does not
class GuideBrowserTest {
    static Path tmp, out, classDir;
    static HttpServer server;
    static String httpBase;
    /** UNBOXED_SHOTS=DIR: a full-page screenshot of every page, light and dark, for a person to look at. */
    static final Path SHOTS = System.getenv("UNBOXED_SHOTS") == null ? null : Path.of(System.getenv("UNBOXED_SHOTS"));

    @BeforeAll
    static void buildTheSite() throws IOException {
        tmp = Files.createTempDirectory("guide-browser");
        out = tmp.resolve("site");
        classDir = Files.createDirectories(tmp.resolve("class"));
        Lab lab04 = LabHarness.lab("Lab04Netns");
        // what `check` writes, for three learners: alice passed lab04, bob and carol did not
        writeProgress(classDir.resolve("alice.json"), "alice", lab04, Map.of());
        writeProgress(classDir.resolve("bob.json"), "bob", lab04, Map.of(
            "up", "veth-blue is DOWN (veth-host shows LOWERLAYERDOWN)",
            "ping-from-blue", "no answer from 10.16.8.1 within 1000 ms"));
        writeProgress(classDir.resolve("carol.json"), "carol", lab04, Map.of("up", "both ends are DOWN"));
        GuideRenderTest.Run r = GuideRenderTest.guide("--root", GuideRenderTest.ROOT.toString(), "--out", out.toString(),
            "--progress", classDir.resolve("bob.json").toString(), "class", classDir.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            Path f = out.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            if (!f.startsWith(out) || !Files.isRegularFile(f)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            String name = f.getFileName().toString();
            ex.getResponseHeaders().add("Content-Type", name.endsWith(".html") ? "text/html; charset=utf-8"
                : name.endsWith(".css") ? "text/css" : name.endsWith(".js") ? "text/javascript" : "application/octet-stream");
            byte[] body = Files.readAllBytes(f);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        server.start();
        httpBase = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) server.stop(0);
        GuideRenderTest.deleteTree(tmp);
    }

    /** A progress file as check writes it (Progress.record's shape: learner, host, updated, labs.ID = Reports.summary). */
    static void writeProgress(Path file, String learner, Lab lab, Map<String, String> failing) throws IOException {
        writeProgress(file, learner, lab, failing, "2026-11-23T10:00:00Z");
    }

    /** {@link #writeProgress(Path, String, Lab, Map)} as checked at {@code updated} (an ISO instant). */
    static void writeProgress(Path file, String learner, Lab lab, Map<String, String> failing, String updated) throws IOException {
        List<Check.Result> results = new ArrayList<>();
        for (Check c : lab.checks) {
            String why = failing.get(c.id());
            results.add(new Check.Result(c.id(), c.title(), c.points(), why == null ? c.points() : 0, why == null,
                why == null ? "" : why, c.hint()));
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("learner", learner);
        root.put("host", "vm-" + learner);
        root.put("updated", updated);
        root.put("labs", Map.of(lab.id, Reports.summary(lab, results)));
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(root));
    }

    static List<String> pages() throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".html")).sorted().toList();
        }
    }

    @Test
    void everyPageLoadsWithoutErrorsAndRequestsNothingElsewhere() throws Exception {
        assertNull(Chrome.missing(), Chrome.missing());
        List<String> pages = pages();
        assertTrue(pages.containsAll(List.of("index.html", "lab04.html", "class.html")), pages.toString());
        // light: from file:// and from the web server; dark: from the server (the pictures' colours are the page's)
        for (boolean dark : new boolean[] {false, true}) {
            try (Chrome c = new Chrome(dark)) {
                for (String base : dark ? List.of(httpBase) : List.of(out.toUri().toString(), httpBase)) {
                    for (String page : pages) {
                        String url = base + page;
                        c.open(url);
                        assertEquals("complete", c.js("return document.readyState").getAsString(), url);
                        assertTrue(c.js("return document.styleSheets.length > 0 && "
                            + "getComputedStyle(document.body).fontFamily.length > 0").getAsBoolean(), url + ": stylesheet");
                        assertEquals(dark, c.js("return matchMedia('(prefers-color-scheme: dark)').matches").getAsBoolean(), url);
                        List<JsonObject> console = c.consoleLog();
                        assertTrue(console.isEmpty(), url + ": console says " + console);
                        for (String req : c.requests()) {
                            assertTrue(req.startsWith(base) || req.startsWith("data:"), url + " requested " + req);
                        }
                        if (SHOTS != null && base.equals(httpBase)) {
                            c.screenshot(SHOTS.resolve((dark ? "dark-" : "light-") + page.replace(".html", ".png")));
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyInternalLinkResolves() throws Exception {
        Map<String, List<String>> hrefs = new LinkedHashMap<>(), ids = new LinkedHashMap<>();
        try (Chrome c = new Chrome(false)) {
            for (String page : pages()) {
                c.open(out.resolve(page).toUri().toString());
                // "Read more" is the one place a page links out (a man page, a kernel document): marked rel=external
                JsonObject v = c.js("return {hrefs: Array.from(document.querySelectorAll('a[href]:not([rel~=external])'), a => a.getAttribute('href')),"
                    + " ids: Array.from(document.querySelectorAll('[id]'), e => e.id),"
                    + " out: Array.from(document.querySelectorAll('a[rel~=external]'), a => (a.closest('#reading') ? '' : 'outside Read more: ')"
                    + " + a.getAttribute('href'))}").getAsJsonObject();
                v.getAsJsonArray("out").forEach(o -> assertTrue(o.getAsString().startsWith("https://"), page + " links out: " + o.getAsString()));
                hrefs.put(page, new ArrayList<>());
                ids.put(page, new ArrayList<>());
                v.getAsJsonArray("hrefs").forEach(e -> hrefs.get(page).add(e.getAsString()));
                v.getAsJsonArray("ids").forEach(e -> ids.get(page).add(e.getAsString()));
            }
        }
        int checked = 0;
        for (var e : hrefs.entrySet()) {
            String page = e.getKey();
            for (String href : e.getValue()) {
                assertTrue(!href.contains(":") && !href.startsWith("//"), page + " links out of the site: " + href);
                String file = href.contains("#") ? href.substring(0, href.indexOf('#')) : href;
                String frag = href.contains("#") ? href.substring(href.indexOf('#') + 1) : "";
                String target = file.isEmpty() ? page : file;
                assertTrue(ids.containsKey(target), page + ": " + href + " -> no page " + target);
                assertTrue(frag.isEmpty() || ids.get(target).contains(frag), page + ": " + href + " -> no #" + frag + " in " + target);
                checked++;
            }
        }
        assertTrue(checked > 50, "links checked: " + checked);
    }

    @Test
    void everyQuizGivesTheRightFeedbackOnARightAndAWrongAnswer() throws Exception {
        int asked = 0;
        try (Chrome c = new Chrome(false)) {
            for (String page : pages()) {
                if (!page.matches("lab\\d\\d\\.html")) continue;
                c.open(out.resolve(page).toUri().toString());
                // every question starts with its feedback hidden; its answer is data-answer
                JsonElement answers = c.js("return Array.from(document.querySelectorAll('.question'),"
                    + " q => q.querySelector('.feedback').hidden ? Number(q.dataset.answer) : -1)");
                int questions = answers.getAsJsonArray().size();
                for (int q = 1; q <= questions; q++) {
                    String sel = "#q" + q;
                    int answer = answers.getAsJsonArray().get(q - 1).getAsInt();
                    assertTrue(answer >= 0, page + sel + ": feedback shown before any answer");
                    int wrong = answer == 0 ? 1 : 0;
                    // real clicks (WebDriver: scrolled into view, hit-tested) on lab04's page; the others' buttons
                    // are clicked from the page's JavaScript, one round trip per question
                    JsonObject w, r;
                    if (page.equals("lab04.html")) {
                        c.click(sel + " button.choice[data-index='" + wrong + "']");
                        w = state(c, sel);
                        c.click(sel + " button.again");
                        c.click(sel + " button.choice[data-index='" + answer + "']");
                        r = state(c, sel);
                    } else {
                        JsonObject both = c.js(STATE + """
                            const q = document.querySelector(arguments[0]);
                            q.querySelectorAll('button.choice')[arguments[1]].click();
                            const w = state(q);
                            q.querySelector('button.again').click();
                            q.querySelectorAll('button.choice')[arguments[2]].click();
                            return {w: w, r: state(q)};
                            """, sel, wrong, answer).getAsJsonObject();
                        w = both.getAsJsonObject("w");
                        r = both.getAsJsonObject("r");
                    }
                    assertEquals("wrong", w.get("result").getAsString(), page + sel);
                    assertTrue(w.get("verdict").getAsString().startsWith("Not quite"), page + sel + ": " + w);
                    assertTrue(w.get("whyVisible").getAsBoolean(), page + sel + ": the why is shown");
                    assertEquals(answer, w.get("marked").getAsInt(), page + sel + ": the right choice is marked");
                    assertEquals("right", r.get("result").getAsString(), page + sel + ": " + r);
                    assertEquals("Right.", r.get("verdict").getAsString(), page + sel);
                    assertTrue(r.get("whyVisible").getAsBoolean(), page + sel);
                    asked++;
                }
                assertTrue(c.consoleLog().isEmpty(), page);
            }
        }
        assertTrue(asked >= 4, "quiz questions answered: " + asked);
    }

    /**
     * A lab with a cgroup-v1 recording beside the reference one shows the reference (cgroup v2, the VM's) first; the
     * "cgroup v1" button shows the other on every step where they differ, and the choice outlives a reload (and
     * reaches the next such page). Each page has one recording visible per step at any time.
     */
    @Test
    void theMachineSwitchShowsTheOtherRecordingAndKeepsTheChoice() throws Exception {
        List<String> switching = new ArrayList<>();
        for (String page : pages()) {
            if (page.matches("lab\\d\\d\\.html") && Files.readString(out.resolve(page)).contains("class=\"machine-switch\"")) switching.add(page);
        }
        assertTrue(!switching.isEmpty(), "no page has a cgroup-v1 recording to switch to (labs/transcripts/*.cgroup-v1.txt)");
        String shown = """
            const vis = e => e.offsetHeight > 0;
            return {v2: Array.from(document.querySelectorAll('.machine[data-machine=v2]')).filter(vis).length,
                    v1: Array.from(document.querySelectorAll('.machine[data-machine=v1]')).filter(vis).length,
                    steps: document.querySelectorAll('.machine[data-machine=v2]').length,
                    pressed: document.querySelector('.machine-switch button[aria-pressed=true]').dataset.machine};
            """;
        try (Chrome c = new Chrome(false)) {
            for (String page : switching) {
                c.open(out.resolve(page).toUri().toString());
                c.js("window.localStorage.clear(); return 0");
                c.reload();
                JsonObject first = c.js(shown).getAsJsonObject();
                int steps = first.get("steps").getAsInt();
                assertTrue(steps > 0, page + ": no step with two recordings");
                assertEquals(steps, first.get("v2").getAsInt(), page + ": the VM's recording shows first: " + first);
                assertEquals(0, first.get("v1").getAsInt(), page + ": " + first);
                assertEquals("v2", first.get("pressed").getAsString(), page);
                c.click(".machine-switch button[data-machine='v1']");
                JsonObject v1 = c.js(shown).getAsJsonObject();
                assertEquals(steps, v1.get("v1").getAsInt(), page + ": after a click on cgroup v1: " + v1);
                assertEquals(0, v1.get("v2").getAsInt(), page + ": " + v1);
                c.reload();
                JsonObject again = c.js(shown).getAsJsonObject();
                assertEquals("v1", again.get("pressed").getAsString(), page + ": the choice is kept across a reload: " + again);
                assertEquals(steps, again.get("v1").getAsInt(), page + ": " + again);
                c.click(".machine-switch button[data-machine='v2']");
                assertEquals(steps, c.js(shown).getAsJsonObject().get("v2").getAsInt(), page);
                assertTrue(c.consoleLog().isEmpty(), page);
            }
        }
    }

    /** A question's visible state: its result, the verdict line, whether the why shows, which choice is marked right. */
    static final String STATE = """
        function state(q) {
          const f = q.querySelector('.feedback');
          const right = Array.from(q.querySelectorAll('button.choice')).findIndex(b => b.classList.contains('right'));
          return {result: q.dataset.result || '', verdict: f.querySelector('.verdict').textContent,
                  whyVisible: !f.hidden && f.querySelector('.why').offsetHeight > 0, marked: right};
        }
        """;

    static JsonObject state(Chrome c, String sel) throws Exception {
        return c.js(STATE + "return state(document.querySelector(arguments[0]));", sel).getAsJsonObject();
    }

    /**
     * At a phone's 390 px every picture keeps its own size (the figure scrolls) and every text in it is at least 10 px
     * on screen: the rendered font size times the picture's scale (its width on screen over its viewBox's).
     */
    @Test
    void everyPictureReadsAt390PxWide() throws Exception {
        int texts = 0;
        try (Chrome c = new Chrome(false)) {
            c.cdp("Emulation.setDeviceMetricsOverride", Map.of("width", 390, "height", 844, "deviceScaleFactor", 2, "mobile", true));
            for (String page : pages()) {
                if (!page.matches("lab\\d\\d\\.html")) continue;
                c.open(out.resolve(page).toUri().toString());
                JsonElement v = c.js("""
                    return Array.from(document.querySelectorAll('svg.pic'), svg => {
                      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                      const sizes = Array.from(svg.querySelectorAll('text'), t => ({text: t.textContent,
                        px: parseFloat(getComputedStyle(t).fontSize) * scale}));
                      const wide = Array.from(document.querySelectorAll('body *')).filter(x => x.getBoundingClientRect().right > 392
                        && !x.closest('figure.picture') && getComputedStyle(x.parentElement).overflowX === 'visible').slice(0, 3)
                        .map(x => x.tagName + '.' + x.className);
                      return {id: svg.id, scale: scale * visualViewport.scale, zoom: visualViewport.scale, wide: wide, sizes: sizes};
                    });
                    """);
                for (JsonElement e : v.getAsJsonArray()) {
                    JsonObject pic = e.getAsJsonObject();
                    String where = page + " #" + pic.get("id").getAsString();
                    assertEquals(1.0, pic.get("scale").getAsDouble(), 0.01, where + ": the picture is scaled, not scrolled"
                        + " (the page is zoomed to " + pic.get("zoom") + "; wider than the screen: " + pic.get("wide") + ")");
                    for (JsonElement t : pic.getAsJsonArray("sizes")) {
                        double px = t.getAsJsonObject().get("px").getAsDouble();
                        assertTrue(px >= 10, where + ": \"" + t.getAsJsonObject().get("text").getAsString() + "\" is " + px + " px");
                        texts++;
                    }
                }
            }
        }
        assertTrue(texts > 200, "texts measured: " + texts);
    }

    @Test
    void theClassViewCountsWhoPassedAndWhatFailedMost() throws Exception {
        try (Chrome c = new Chrome(false)) {
            c.open(out.resolve("class.html").toUri().toString());
            JsonObject v = c.js("""
                const rows = Array.from(document.querySelectorAll('#passed-table tbody tr'));
                const crit = Array.from(document.querySelectorAll('li.crit'));
                return {
                  learners: rows.map(r => r.querySelector('th').firstChild.textContent.trim()),
                  lab04: document.querySelector('#passed-table tfoot td[data-lab=lab04]').textContent.trim(),
                  criteria: crit.map(li => li.dataset.check + ' ' + li.querySelector('.count').textContent.trim()),
                  reasons: crit.length ? Array.from(crit[0].querySelectorAll('.reasons li'), li => li.textContent.trim()) : []
                };
                """).getAsJsonObject();
            assertEquals("[\"alice\",\"bob\",\"carol\"]", v.get("learners").toString());
            assertEquals("1 of 3", v.get("lab04").getAsString());
            assertEquals("[\"up 2 of 3\",\"ping-from-blue 1 of 3\"]", v.get("criteria").toString());
            assertEquals(2, v.getAsJsonArray("reasons").size(), v.toString());
            assertTrue(v.getAsJsonArray("reasons").toString().contains("both ends are DOWN"), v.toString());
            c.open(out.resolve("index.html").toUri().toString());
            JsonObject i = c.js("""
                const card = document.getElementById('lab04');
                return {cls: card.className, score: card.querySelector('.score').textContent.replace(/\\s+/g, ' ').trim(),
                        failed: Array.from(card.querySelectorAll('.criteria li.bad'), li => li.textContent.replace(/\\s+/g, ' ').trim())};
                """).getAsJsonObject();
            assertTrue(i.get("cls").getAsString().contains("started"), i.toString());
            assertTrue(i.get("score").getAsString().startsWith("2 to go — 10/14 points"), i.toString());
            assertEquals(2, i.getAsJsonArray("failed").size(), i.toString());
            assertTrue(i.getAsJsonArray("failed").get(0).getAsString().contains("veth-blue is DOWN"), i.toString());
        }
    }
}
