package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import unboxed.lab.Lab;

/**
 * The presenter view and the live class view in a real headless Chromium, from file://, at 1280 and 390 px wide:
 * slides moved by real key presses (and kept across a reload by the address), speaker notes, type that stays large;
 * a class page that changes by itself when guide class DIR --watch sees a new progress file, keeping its scroll,
 * and marks a learner silent by the browser's clock.
 */
@Tag("slow") // a real browser, some seconds a page: the full suite runs it, -Pfast does not
class GuideLiveBrowserTest {
    static final int[][] SCREENS = {{1280, 800}, {390, 844}};
    static Path tmp, out, classDir;
    static final Lab LAB04 = GuideLiveTest.LAB04;

    @BeforeAll
    static void buildTheSite() throws Exception {
        tmp = Files.createTempDirectory("guide-live-browser");
        out = tmp.resolve("site");
        classDir = Files.createDirectories(tmp.resolve("class"));
        GuideBrowserTest.writeProgress(classDir.resolve("alice.json"), "alice", LAB04, Map.of());
        GuideBrowserTest.writeProgress(classDir.resolve("bob.json"), "bob", LAB04, Map.of("up", "veth-blue is DOWN"));
        GuideRenderTest.Run r = GuideRenderTest.guide("--root", GuideRenderTest.ROOT.toString(), "--out", out.toString(),
            "class", classDir.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
    }

    @AfterAll
    static void clean() throws Exception {
        GuideRenderTest.deleteTree(tmp);
    }

    /** Which slide shows, how many show, the address, and the sizes that make it readable from the back. */
    static JsonObject slide(Chrome c) throws Exception {
        return c.js("""
            const shown = Array.from(document.querySelectorAll('.slide')).filter(s => s.offsetHeight > 0);
            const cur = shown[0];
            const px = e => e ? parseFloat(getComputedStyle(e).fontSize) : 0;
            const notes = cur && cur.querySelector('.notes');
            return {shown: shown.length, id: cur ? cur.id : '', hash: location.hash,
                    where: document.querySelector('.controls .where').textContent,
                    h: px(cur && cur.querySelector('h1, h2')), pre: px(cur && cur.querySelector('.pane.shell pre, .pane.output pre')),
                    notes: notes ? notes.offsetHeight > 0 : false, notesText: notes ? notes.textContent : '',
                    wide: document.documentElement.scrollWidth - window.innerWidth};
            """).getAsJsonObject();
    }

    @Test
    void slidesMoveByKeyboardAndKeepTheirPlaceAcrossAReload() throws Exception {
        assertNull(Chrome.missing(), Chrome.missing());
        int last = LAB04.steps.size() + 2;
        try (Chrome c = new Chrome(false)) {
            for (int[] screen : SCREENS) {
                String at = screen[0] + " px: ";
                c.viewport(screen[0], screen[1]);
                c.open(out.resolve("lab04-slides.html").toUri().toString());
                JsonObject s = slide(c);
                assertEquals(1, s.get("shown").getAsInt(), at + "one slide at a time: " + s);
                assertEquals("s1", s.get("id").getAsString(), at + s);
                assertEquals("1 / " + last, s.get("where").getAsString(), at + s);
                assertFalse(s.get("notes").getAsBoolean(), at + "notes start hidden");
                c.press(false, Chrome.RIGHT);
                assertEquals("s2", slide(c).get("id").getAsString(), at + "Right");
                c.press(false, Chrome.SPACE);
                s = slide(c);
                assertEquals("s3", s.get("id").getAsString(), at + "Space");
                assertEquals("#s3", s.get("hash").getAsString(), at + "the address keeps the slide");
                // a step's slide: its shell lines and output in type that reads from the back of a room (or on a phone)
                double minPre = screen[0] >= 1000 ? 14 : 12, minH = screen[0] >= 1000 ? 30 : 18;
                assertTrue(s.get("pre").getAsDouble() >= minPre, at + "code type " + s.get("pre") + " px");
                assertTrue(s.get("h").getAsDouble() >= minH, at + "heading type " + s.get("h") + " px");
                assertTrue(s.get("wide").getAsInt() <= 0, at + "the page scrolls sideways by " + s.get("wide") + " px");
                c.press(false, Chrome.LEFT);
                assertEquals("s2", slide(c).get("id").getAsString(), at + "Left");
                c.press(true, Chrome.SPACE);
                assertEquals("s1", slide(c).get("id").getAsString(), at + "Shift+Space");
                c.press(false, Chrome.LEFT);
                assertEquals("s1", slide(c).get("id").getAsString(), at + "no slide before the first");
                c.press(false, Chrome.END);
                assertEquals("s" + last, slide(c).get("id").getAsString(), at + "End");
                c.press(false, Chrome.RIGHT);
                assertEquals("s" + last, slide(c).get("id").getAsString(), at + "no slide after the last");
                c.press(false, Chrome.HOME, Chrome.DOWN, Chrome.PAGE_DOWN, Chrome.UP);
                assertEquals("s2", slide(c).get("id").getAsString(), at + "Home, Down, Page Down, Up");
                c.press(false, Chrome.END);
                c.press(false, "n");
                s = slide(c);
                assertTrue(s.get("notes").getAsBoolean(), at + "N shows the notes");
                assertTrue(s.get("notesText").getAsString().contains("What this class fails most"), at + s);
                assertTrue(s.get("notesText").getAsString().contains("veth-blue is DOWN"), at + s);
                c.reload();
                s = slide(c);
                assertEquals("s" + last, s.get("id").getAsString(), at + "a reload stays on the slide: " + s);
                assertTrue(s.get("notes").getAsBoolean(), at + "and keeps the notes shown");
                c.press(false, "n");
                assertFalse(slide(c).get("notes").getAsBoolean(), at + "N hides them");
                c.press(false, Chrome.HOME);
                assertTrue(c.consoleLog().isEmpty(), at + "console");
            }
        }
    }

    /** The class page's rows as the browser shows them: name, and whether marked silent (row class and marker shown). */
    static JsonObject rows(Chrome c) throws Exception {
        return c.js("""
            const r = {};
            document.querySelectorAll('#passed-table tbody tr').forEach(tr => {
              const m = tr.querySelector('.silent-mark');
              r[tr.querySelector('th').firstChild.textContent.trim()] = {silent: tr.classList.contains('silent'),
                mark: !!m && m.offsetHeight > 0, ago: (tr.querySelector('.ago') || {textContent: ''}).textContent};
            });
            return {rows: r, y: window.scrollY, built: document.querySelector('.class-view').dataset.built};
            """).getAsJsonObject();
    }

    @Test
    void theClassViewChangesByItselfAndMarksTheSilent() throws Exception {
        assertNull(Chrome.missing(), Chrome.missing());
        Path cls = Files.createDirectories(tmp.resolve("live")), site = tmp.resolve("live-site");
        GuideBrowserTest.writeProgress(cls.resolve("dave.json"), "dave", LAB04, Map.of(), GuideLiveTest.ago(Duration.ofMinutes(30)));
        // carol checked a little under --silent-after ago: no file changes, yet the page marks her silent about 15 s later
        GuideBrowserTest.writeProgress(cls.resolve("carol.json"), "carol", LAB04, Map.of(),
            GuideLiveTest.ago(Duration.ofMinutes(2).minusSeconds(15)));
        for (int i = 0; i < 30; i++) { // enough rows that the page scrolls at either width
            GuideBrowserTest.writeProgress(cls.resolve("z" + i + ".json"), "zed" + i, LAB04, Map.of(), GuideLiveTest.ago(Duration.ZERO));
        }
        try (GuideLiveTest.Watch w = new GuideLiveTest.Watch("--root", GuideRenderTest.ROOT.toString(), "--out", site.toString(),
                "class", cls.toString(), "--watch", "--reload-every", "1s", "--silent-after", "2m");
             Chrome c = new Chrome(false)) {
            w.until("the watching line", () -> w.out().contains("guide: watching "));
            int n = 0;
            for (int[] screen : SCREENS) {
                String at = screen[0] + " px: ";
                c.viewport(screen[0], screen[1]);
                c.open(site.resolve("class.html").toUri().toString());
                JsonObject v = rows(c);
                JsonObject dave = v.getAsJsonObject("rows").getAsJsonObject("dave");
                assertTrue(dave.get("silent").getAsBoolean() && dave.get("mark").getAsBoolean(), at + "dave is silent: " + v);
                JsonObject zed = v.getAsJsonObject("rows").getAsJsonObject("zed0");
                assertFalse(zed.get("silent").getAsBoolean() || zed.get("mark").getAsBoolean(), at + "zed0 checked just now: " + v);
                if (n == 0) {
                    assertFalse(v.getAsJsonObject("rows").getAsJsonObject("carol").get("silent").getAsBoolean(), at + "carol not yet: " + v);
                    waitFor(c, at + "carol marked silent by the clock alone", "return Array.from(document.querySelectorAll("
                        + "'#passed-table tbody tr')).some(tr => tr.classList.contains('silent')"
                        + " && tr.querySelector('th').textContent.trim().startsWith('carol') && tr.querySelector('.silent-mark').offsetHeight > 0)");
                }
                // scroll down, then a learner checks: the page shows the new row by itself, where it was scrolled
                c.js("window.scrollTo(0, 300)");
                String learner = "newbie" + n;
                GuideBrowserTest.writeProgress(cls.resolve(learner + ".json"), learner, LAB04, Map.of("up", "both ends are DOWN"),
                    GuideLiveTest.ago(Duration.ZERO));
                waitFor(c, at + learner + "'s row, with no reload asked", "return !!Array.from(document.querySelectorAll("
                    + "'#passed-table tbody th')).find(th => th.textContent.trim().startsWith('" + learner + "'))");
                JsonObject after = rows(c);
                assertEquals(300, after.get("y").getAsDouble(), 2, at + "the scroll position is kept: " + after);
                assertFalse(after.getAsJsonObject("rows").getAsJsonObject(learner).get("silent").getAsBoolean(), at + after);
                assertTrue(c.consoleLog().isEmpty(), at + "console");
                n++;
            }
            assertTrue(w.out().lines().filter(l -> l.contains(" rebuilt ")).count() >= 2, w.out());
        }
    }

    /** Polls a script (a function body returning true when done) for up to 20 s, with no reload of our own. */
    static void waitFor(Chrome c, String what, String script) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (c.js("try { " + script + " } catch (e) { return false; }").getAsBoolean()) return;
            } catch (IllegalStateException reloading) {
                // the page was between two loads
            }
            if (System.nanoTime() > deadline) throw new AssertionError("waited 20 s for " + what);
            Thread.sleep(200);
        }
    }
}
