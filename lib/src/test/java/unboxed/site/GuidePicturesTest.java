package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import unboxed.LabHarness;
import unboxed.lab.Diagram;
import unboxed.lab.Lab;
import unboxed.lab.Topology;

/**
 * The guide's pictures, from the real site of this checkout, without a browser: labs 01, 02, 06 and 08 draw their
 * diagrams from their own data (every node, note and label the lab declares is on the page, with the names the lab
 * uses); every exercise picture tells what the learner builds (dashed) from what is there, with a legend; and every
 * picture keeps its own size (width and height, never shrunk to fit) with text of at least 10 px. The browser test
 * measures the same at 390 px in Chromium.
 */
class GuidePicturesTest {
    static Path tmp, out;

    @BeforeAll
    static void buildTheSite() throws IOException {
        tmp = GuideRenderTest.builtSite("guide-pictures");
        out = tmp.resolve("site");
    }

    @AfterAll
    static void clean() throws IOException {
        GuideRenderTest.deleteTree(tmp);
    }

    static final Pattern SVG = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL);

    static List<String> svgs(String page) throws IOException {
        List<String> l = new ArrayList<>();
        Matcher m = SVG.matcher(Files.readString(out.resolve(page)));
        while (m.find()) l.add(m.group());
        return l;
    }

    /** The picture a page shows for a diagram: its svg element, found by the id the guide gives it. */
    static String svg(String page, String id) throws IOException {
        return svgs(page).stream().filter(s -> s.contains("id=\"" + id + "\"")).findFirst()
            .orElseThrow(() -> new AssertionError(page + " has no picture " + id));
    }

    static final Map<String, String> LABS = Map.of("lab01", "Lab01Chroot", "lab02", "Lab02Mntns", "lab06", "Lab06CgroupOom",
        "lab08", "Lab08CapsSeccomp");

    @Test
    void labs01And02And06And08DrawTheirDiagramsFromTheirOwnData() throws IOException {
        for (var e : LABS.entrySet()) {
            Lab lab = LabHarness.lab(e.getValue());
            assertTrue(lab.diagrams.size() >= 2, e.getKey() + " declares " + lab.diagrams.size() + " diagrams");
            assertTrue(lab.diagrams.stream().anyMatch(d -> d.where().equals(Topology.EXERCISE)), e.getKey() + ": no exercise picture");
            assertTrue(lab.diagrams.stream().anyMatch(d -> d.where().equals(Topology.STEP)), e.getKey() + ": no step picture");
            for (int k = 0; k < lab.diagrams.size(); k++) {
                Diagram d = lab.diagrams.get(k);
                String svg = svg(e.getKey() + ".html", e.getKey() + "-diagram-" + (k + 1));
                List<String> words = new ArrayList<>(List.of(d.title()));
                for (Diagram.Panel p : d.panels()) {
                    words.add(p.name());
                    for (Diagram.Node n : p.nodes()) {
                        words.add(n.text());
                        words.add(n.note());
                    }
                }
                for (String w : words) {
                    if (!w.isEmpty()) assertTrue(svg.contains(Svg.esc(w)), e.getKey() + " diagram " + (k + 1) + " does not show " + w);
                }
                for (Diagram.Arrow a : d.arrows()) {
                    for (String line : Svg.wrap(a.label(), 22)) assertTrue(svg.contains(Svg.esc(line)), e.getKey() + ": arrow label " + line);
                    assertTrue(svg.contains("marker-end="), e.getKey() + ": an arrow has its head");
                }
            }
        }
        // the names the labs use, as the learner types them
        String lab01 = String.join("", svgs("lab01.html")), lab02 = String.join("", svgs("lab02.html")), lab06 = String.join("", svgs("lab06.html"));
        for (String s : List.of("var/lib/unboxed/lab01/myroot", "tiny", "escape-hatch", "demo-root", ".old", "pivot_root")) {
            assertTrue(lab01.contains(Svg.esc(s)), "lab01's pictures name " + s);
        }
        for (String s : List.of("lab02/shared", "leak", "kept", "shared:N", "master:N", "/mnt/lab02", "secret", "/proc/PID/root")) {
            assertTrue(lab02.contains(Svg.esc(s)), "lab02's pictures name " + s);
        }
        String lab08 = String.join("", svgs("lab08.html"));
        for (String s : List.of("CapBnd", "CapAmb", "ERRNO(EPERM)", "KILL_PROCESS", "ALLOW", "lab08-sandboxed", "NoNewPrivs: 1")) {
            assertTrue(lab08.contains(Svg.esc(s)), "lab08's pictures name " + s);
        }
        for (String s : List.of("lab06-demo", "20M", "32M", "memory.max", "memory.limit_in_bytes", "tail /dev/zero", "oom_kill 1", "SIGKILL")) {
            assertTrue(lab06.contains(Svg.esc(s)), "lab06's pictures name " + s);
        }
    }

    @Test
    void everyExercisePictureDrawsWhatTheLearnerBuildsDashedWithALegend() throws IOException {
        int seen = 0;
        for (String page : labPages()) {
            String html = Files.readString(out.resolve(page));
            int ex = html.indexOf("id=\"exercise\"");
            if (ex < 0) continue;
            Matcher m = SVG.matcher(html);
            while (m.find()) {
                String svg = m.group();
                boolean inExercise = m.start() > ex && html.lastIndexOf("<section", m.start()) == html.lastIndexOf("<section", ex + 1);
                if (!inExercise || !svg.contains("class=\"pic ")) continue;
                seen++;
                assertTrue(svg.contains("class=\"legend\"") && svg.contains("you build it"), page + ": an exercise picture has no legend");
                assertTrue(svg.matches("(?s).*class=\"(box|wire|panel|node)[^\"]* yours\".*") || svg.contains("yours-note"),
                    page + ": nothing in the exercise picture is marked as the learner's");
                assertTrue(svg.matches("(?s).*class=\"(box|panel|node)( host| mark)?\".*"), page + ": nothing is drawn as prepared");
            }
        }
        assertTrue(seen >= 5, "exercise pictures seen: " + seen + " (lab01, 02, 04, 05, 06 have one)");
        // and the legend is only where something is the learner's: the step pictures have none
        assertTrue(svgs("lab04.html").stream().filter(s -> s.contains("lab04-topology-1")).noneMatch(s -> s.contains("legend")));
    }

    static final Pattern SIZE = Pattern.compile("<svg [^>]*viewBox=\"0 0 (\\d+) (\\d+)\" width=\"(\\d+)\" height=\"(\\d+)\" role=");
    static final Pattern FONT = Pattern.compile("font-size:\\s*([0-9.]+)(px|em|rem)?");

    @Test
    void everyPictureKeepsItsSizeAndItsTextIsAtLeast10Px() throws IOException {
        int pictures = 0;
        for (String page : labPages()) {
            for (String svg : svgs(page)) {
                Matcher m = SIZE.matcher(svg);
                assertTrue(m.find(), page + ": a picture without its own size or allowed to shrink: " + svg.substring(0, Math.min(300, svg.length())));
                assertEquals(m.group(1), m.group(3), page + ": width is the viewBox's");
                assertEquals(m.group(2), m.group(4), page + ": height is the viewBox's");
                assertTrue(!svg.contains("font-size"), page + ": a picture sets its own font size; the stylesheet does");
                pictures++;
            }
        }
        assertTrue(pictures >= 12, "pictures: " + pictures);
        // the pictures' text sizes are the stylesheet's: every rule for svg text says 10 px or more, in px
        String css = Files.readString(GuideRenderTest.ROOT.resolve("templates/assets/guide.css"));
        int rules = 0;
        for (String rule : css.split("}")) {
            if (!rule.strip().startsWith("svg")) continue;
            Matcher f = FONT.matcher(rule);
            while (f.find()) {
                assertEquals("px", f.group(2), "a picture's font size not in px: " + rule.strip());
                assertTrue(Double.parseDouble(f.group(1)) >= 10, "a picture's text below 10 px: " + rule.strip());
                rules++;
            }
        }
        assertTrue(rules >= 10, "font sizes for pictures found in guide.css: " + rules);
        assertTrue(css.contains("figure.picture svg.pic { max-width: none; }"), "guide.css lets a picture shrink to fit");
    }

    @Test
    void aDiagramThatPointsAtNothingIsRefusedWithItsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lab.define("lab97", "t")
            .diagram("d", d -> d.panel("a", "").node("/").arrow("a", "/", "a", "/nowhere", "x")));
        assertTrue(e.getMessage().contains("/nowhere in panel a"), e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> Lab.define("lab97", "t")
            .topology("t", t -> t.yours()));
        assertTrue(s.getMessage().contains("yours()"), s.getMessage());
    }

    static List<String> labPages() throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("lab\\d\\d\\.html")).sorted().toList();
        }
    }
}
