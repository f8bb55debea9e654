package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import unboxed.LabHarness;
import unboxed.lab.Lab;

/**
 * The guide's pages read on a phone (390 px) and on a laptop (1280 px), in a real headless Chromium: nothing but a
 * scrolling figure or code block is wider than the screen, a picture's text is at least 10 px on screen, the contents
 * number each entry once and stay reachable, code that scrolls says so; Copy copies a block's commands (through the
 * clipboard API, and through the fallback when there is none); the quiz keeps its answers and score across a reload
 * until "Reset my answers", and only the verdict is coloured.
 */
@Tag("slow") // a real browser, some seconds a page: the full suite runs it, -Pfast does not
class GuideReadingTest {
    static Path tmp, out;

    @BeforeAll
    static void buildTheSite() throws IOException {
        tmp = GuideRenderTest.builtSite("guide-reading");
        out = tmp.resolve("site");
    }

    @AfterAll
    static void clean() throws IOException {
        GuideRenderTest.deleteTree(tmp);
    }

    static String url(String page) {
        return out.resolve(page).toUri().toString();
    }

    /** What the page looks like at this width: overflow, picture text, contents, code blocks. */
    static final String LAYOUT = """
        const vw = document.documentElement.clientWidth;
        const scroller = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return p; } return null; };
        const wide = [];
        for (const el of document.body.querySelectorAll('*')) {
          if (getComputedStyle(el).position === 'fixed' || el.closest('svg') && el.tagName !== 'svg') continue;
          const r = el.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue;
          if ((r.right > vw + 0.5 || r.left < -0.5) && !scroller(el)) wide.push(el.tagName + '.' + el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
        }
        const small = [];
        for (const t of document.querySelectorAll('figure.picture svg text')) {
          const px = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
          if (px < 10) small.push(t.textContent + ' ' + px.toFixed(1) + 'px');
        }
        const toc = document.querySelector('nav.toc');
        const entries = toc ? Array.from(toc.querySelectorAll('li'), li => ({text: li.textContent.trim(),
            marker: getComputedStyle(li).listStyleType !== 'none' && getComputedStyle(li).display === 'list-item'})) : [];
        const pres = Array.from(document.querySelectorAll('pre')).filter(p => p.offsetParent !== null).map(p => ({
            wraps: getComputedStyle(p).whiteSpace.startsWith('pre-wrap'), scrolls: p.scrollWidth > p.clientWidth + 1,
            cue: p.classList.contains('scrolls') && p.classList.contains('more-right')
              && getComputedStyle(p).boxShadow !== 'none'}));
        return {scrollWidth: document.documentElement.scrollWidth, vw: vw, wide: wide.slice(0, 5), small: small.slice(0, 5),
                pictures: document.querySelectorAll('figure.picture svg text').length, entries: entries, pres: pres,
                hasToc: !!toc};
        """;

    @Test
    void everyPageReadsOnAPhoneAndALaptop() throws Exception {
        assertNull(Chrome.missing(), Chrome.missing());
        List<String> pages;
        try (var s = Files.list(out)) {
            pages = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".html")).sorted().toList();
        }
        int pictures = 0, scrolling = 0;
        try (Chrome c = new Chrome(false)) {
            for (int width : new int[] {390, 1280}) {
                c.viewport(width, width == 390 ? 844 : 800, width == 390);
                for (String page : pages) {
                    c.open(url(page));
                    JsonObject v = c.js(LAYOUT).getAsJsonObject();
                    String at = page + " at " + width + " px: ";
                    assertTrue(v.get("scrollWidth").getAsInt() <= v.get("vw").getAsInt(), at + "the page scrolls sideways " + v.get("wide"));
                    assertEquals(0, v.getAsJsonArray("wide").size(), at + "wider than the screen, outside a scrolling box: " + v.get("wide"));
                    assertEquals(0, v.getAsJsonArray("small").size(), at + "picture text under 10 px on screen: " + v.get("small"));
                    pictures += v.get("pictures").getAsInt();
                    for (JsonElement e : v.getAsJsonArray("pres")) {
                        JsonObject p = e.getAsJsonObject();
                        if (p.get("scrolls").getAsBoolean()) {
                            scrolling++;
                            assertTrue(p.get("cue").getAsBoolean(), at + "a code block scrolls sideways with no cue: " + p);
                        }
                    }
                    if (!v.get("hasToc").getAsBoolean()) continue;
                    for (JsonElement e : v.getAsJsonArray("entries")) {
                        JsonObject en = e.getAsJsonObject();
                        String text = en.get("text").getAsString();
                        boolean own = text.matches("\\d+\\..*");
                        assertTrue(!(own && en.get("marker").getAsBoolean()) && !text.matches("\\d+\\.\\s*\\d+\\..*"),
                            at + "contents entry numbered twice: " + en);
                    }
                    // the contents stay reachable from the end of the page: beside it (wide) or by the corner link
                    JsonObject reach = c.js("""
                        window.scrollTo(0, document.body.scrollHeight);
                        const toc = document.querySelector('nav.toc').getBoundingClientRect();
                        const top = document.querySelector('a.to-top');
                        const tr = top.getBoundingClientRect();
                        return {tocInView: toc.top >= 0 && toc.top < innerHeight && toc.height > 0,
                                link: getComputedStyle(top).display !== 'none' && tr.top >= 0 && tr.bottom <= innerHeight
                                      && document.elementFromPoint(tr.left + tr.width / 2, tr.top + tr.height / 2) === top,
                                href: top.getAttribute('href')};
                        """).getAsJsonObject();
                    assertTrue(reach.get(width == 390 ? "link" : "tocInView").getAsBoolean(), at + "contents out of reach at the end: " + reach);
                    assertEquals("#contents", reach.get("href").getAsString(), at);
                }
            }
            assertTrue(c.consoleLog().isEmpty());
        }
        assertTrue(pictures > 20, "picture texts measured: " + pictures);
        assertTrue(scrolling > 0, "no code block scrolled sideways at 390 px: the cue went untested");
    }

    @Test
    void copyCopiesTheCommandsWithoutPromptsOrNotes() throws Exception {
        Lab lab04 = LabHarness.lab("Lab04Netns");
        Lab lab06 = LabHarness.lab("Lab06CgroupOom");
        try (Chrome c = new Chrome(false)) {
            c.allowClipboard();
            c.open(url("lab04.html"));
            JsonObject count = c.js("return {blocks: document.querySelectorAll('.block.shell').length,"
                + " buttons: document.querySelectorAll('.block.shell > button.copy').length}").getAsJsonObject();
            assertEquals(count.get("blocks").getAsInt(), count.get("buttons").getAsInt(), "a Copy button on every shell block: " + count);
            assertTrue(count.get("blocks").getAsInt() >= lab04.steps.size(), count.toString());
            // the clipboard API (file:// is a secure context in Chromium): a real click, then read the clipboard back
            c.click("#step-1 .block.shell button.copy");
            assertEquals(lab04.steps.get(0).shell().strip() + "\n", clipboard(c));
            assertEquals("Copied", c.js("return document.querySelector('#step-1 button.copy').textContent").getAsString());
            // no clipboard API (an http page on another host): the hidden textarea and execCommand('copy')
            c.open(url("lab06.html"));
            c.click("#solution > summary");
            c.js("""
                window.realClipboard = navigator.clipboard;
                Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined, configurable: true});
                window.viaTextarea = null;
                document.addEventListener('copy', () => { const a = document.activeElement;
                  window.viaTextarea = a && a.tagName === 'TEXTAREA' ? a.value : null; });
                """);
            c.click("#solution .block.shell button.copy");
            JsonElement copied = c.jsAsync("const done = arguments[arguments.length - 1];"
                + " window.realClipboard.readText().then(t => done({clip: t, textarea: window.viaTextarea}), e => done({error: String(e)}));");
            String script = lab06.solution.script();
            assertTrue(script.lines().count() >= 3, script);
            assertEquals(script, copied.getAsJsonObject().get("textarea").getAsString(), "what the fallback copied");
            assertEquals(script, copied.getAsJsonObject().get("clip").getAsString(), "the clipboard after the fallback");
            assertTrue(c.js("return document.querySelector('#solution pre').textContent").getAsString().contains("exit status 137"),
                "the hog's line says bash ends it with 137 (and Copy leaves that note out)");
            assertTrue(c.js("return document.querySelectorAll('textarea').length === 0").getAsBoolean(), "the fallback's textarea is removed");
        }
    }

    static String clipboard(Chrome c) throws Exception {
        JsonObject r = c.jsAsync("const done = arguments[arguments.length - 1];"
            + " navigator.clipboard.readText().then(t => done({text: t}), e => done({error: String(e)}));").getAsJsonObject();
        assertTrue(r.has("text"), "cannot read the clipboard: " + r);
        return r.get("text").getAsString();
    }

    static JsonObject quiz(Chrome c) throws Exception {
        return c.js("""
            const s = document.querySelector('.quiz-score');
            const qs = Array.from(document.querySelectorAll('.question'));
            const why = qs.map(q => q.querySelector('.feedback')).find(f => !f.hidden);
            return {score: s.querySelector('.score-text').textContent, shown: !s.hidden,
                    results: qs.map(q => q.dataset.result || ''), answers: qs.map(q => Number(q.dataset.answer)),
                    stored: localStorage.getItem('unboxed-quiz:' + document.querySelector('[data-lab]').dataset.lab),
                    whyColour: why ? getComputedStyle(why.querySelector('.why')).color : '',
                    bodyColour: getComputedStyle(document.body).color,
                    marked: qs.map(q => Array.from(q.querySelectorAll('button.choice'), b => b.className.replace('choice', '').trim()).join('|'))};
            """).getAsJsonObject();
    }

    @Test
    void theQuizKeepsAnswersAndScoreAcrossAReloadUntilReset() throws Exception {
        try (Chrome c = new Chrome(false)) {
            c.open(url("lab03.html"));
            c.js("localStorage.clear(); location.reload();");
            JsonObject v = quiz(c);
            int n = v.getAsJsonArray("answers").size();
            assertTrue(n >= 4, v.toString());
            assertTrue(v.get("shown").getAsBoolean(), v.toString());
            assertEquals(n + " questions, none answered yet.", v.get("score").getAsString());
            int a1 = v.getAsJsonArray("answers").get(0).getAsInt(), a2 = v.getAsJsonArray("answers").get(1).getAsInt();
            int wrong2 = a2 == 0 ? 1 : 0;
            c.click("#q1 button.choice[data-index='" + a1 + "']");
            JsonObject afterRight = quiz(c);
            assertEquals(afterRight.get("bodyColour").getAsString(), afterRight.get("whyColour").getAsString(),
                "after a right answer the why reads in the page's colour");
            c.click("#q2 button.choice[data-index='" + wrong2 + "']");
            v = quiz(c);
            String expected = "Your score: 1 of " + n + " right (" + (n - 2) + " not answered yet).";
            assertEquals(expected, v.get("score").getAsString());
            String marked = v.getAsJsonArray("marked").get(1).getAsString();
            assertTrue(marked.contains("wrong chosen") && marked.contains("right"), "the chosen wrong answer and the right one: " + marked);
            c.open(url("lab03.html")); // a reload
            JsonObject back = quiz(c);
            assertEquals(expected, back.get("score").getAsString(), back.toString());
            assertEquals("right", back.getAsJsonArray("results").get(0).getAsString());
            assertEquals("wrong", back.getAsJsonArray("results").get(1).getAsString());
            assertEquals(v.get("marked"), back.get("marked"));
            // Try again forgets one answer; Reset my answers forgets them all, for good
            c.click("#q2 button.again");
            assertEquals("Your score: 1 of " + n + " right (" + (n - 1) + " not answered yet).", quiz(c).get("score").getAsString());
            c.click("button.reset-answers");
            JsonObject reset = quiz(c);
            assertEquals(n + " questions, none answered yet.", reset.get("score").getAsString());
            assertTrue(reset.get("stored").isJsonNull(), reset.toString());
            c.open(url("lab03.html"));
            JsonObject again = quiz(c);
            List<String> results = new ArrayList<>();
            again.getAsJsonArray("results").forEach(e -> results.add(e.getAsString()));
            assertTrue(results.stream().allMatch(String::isEmpty), again.toString());
            assertTrue(c.consoleLog().isEmpty());
        }
    }
}
