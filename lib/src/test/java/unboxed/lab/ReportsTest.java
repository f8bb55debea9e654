package unboxed.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import unboxed.lab.Check.Verdict;

/** The report writers (JUnit XML, summary, text) on a tiny lab whose graders read nothing: pure, no root. */
class ReportsTest {
    /** A reason with everything XML must escape, as a grader might word it. */
    static final String NASTY = "saw <none> & \"nothing\" 'here' > 0";

    @TempDir
    Path dir;

    /** Three checks: one passes, one fails with NASTY, one throws (a fail whose reason is the message). */
    static Lab tinyLab() {
        return Lab.define("lab99", "A tiny lab")
            .check("made", "The thing is made", 2, "make it", Verdict::pass)
            .check("limit", "The limit is <32 MiB> & \"set\"", 3, "echo 32M > memory.max", () -> Verdict.fail(NASTY))
            .check("broken", "Reading the state works", 1, "run it as root", () -> {
                throw new IllegalStateException("boom");
            })
            .build();
    }

    static List<Check.Result> results(Lab lab) {
        return lab.checks.stream().map(Check::evaluate).toList();
    }

    static Document parse(Path xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(xml.toFile());
    }

    static List<Element> testcases(Document d) {
        NodeList n = d.getDocumentElement().getElementsByTagName("testcase");
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < n.getLength(); i++) out.add((Element) n.item(i));
        return out;
    }

    static Element failure(Element testcase) {
        NodeList f = testcase.getElementsByTagName("failure");
        return f.getLength() == 0 ? null : (Element) f.item(0);
    }

    @Test
    void junitXmlIsWellFormedAndSaysWhatFailedAndWhy() throws Exception {
        Lab lab = tinyLab();
        Path xml = dir.resolve("reports/nested/lab99.xml"); // the writer makes the missing directories
        Reports.junit(xml, lab, results(lab));

        Document d = parse(xml);
        Element suite = d.getDocumentElement();
        assertEquals("testsuite", suite.getTagName());
        assertEquals("lab99", suite.getAttribute("name"));
        assertEquals("3", suite.getAttribute("tests"));
        assertEquals("2", suite.getAttribute("failures"));
        assertEquals("0", suite.getAttribute("errors"));
        assertEquals("0", suite.getAttribute("skipped"));

        List<Element> cases = testcases(d);
        assertEquals(List.of("made", "limit", "broken"), cases.stream().map(c -> c.getAttribute("name")).toList());
        cases.forEach(c -> assertEquals("lab99", c.getAttribute("classname")));

        assertNull(failure(cases.get(0)), "a passing check has no failure element");

        Element limit = failure(cases.get(1));
        assertNotNull(limit);
        assertEquals(NASTY, limit.getAttribute("message"), "the reason, escaped on the way out, reads back as it was");
        assertEquals("The limit is <32 MiB> & \"set\"\n" + NASTY + "\nhint: echo 32M > memory.max", limit.getTextContent());

        Element broken = failure(cases.get(2));
        assertEquals("could not read the state: boom", broken.getAttribute("message"));
        assertTrue(broken.getTextContent().endsWith("\nhint: run it as root"), broken.getTextContent());

        String raw = Files.readString(xml);
        assertTrue(raw.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), raw);
        assertTrue(raw.contains("message=\"saw &lt;none&gt; &amp; &quot;nothing&quot; 'here' &gt; 0\""), raw);
    }

    @Test
    void junitXmlOfAllPassingChecksHasNoFailures() throws Exception {
        Lab lab = Lab.define("lab98", "All good").check("a", "A", 1, "", Verdict::pass)
            .check("b", "B", 1, "", Verdict::pass).build();
        Path xml = dir.resolve("ok.xml");
        Reports.junit(xml, lab, results(lab));
        Document d = parse(xml);
        assertEquals("2", d.getDocumentElement().getAttribute("tests"));
        assertEquals("0", d.getDocumentElement().getAttribute("failures"));
        assertEquals(0, d.getElementsByTagName("failure").getLength());
    }

    @Test
    void junitXmlStaysWellFormedWithControlCharactersAndWithoutAHint() throws Exception {
        // a reason quoting a program's coloured output: ESC is not allowed in XML 1.0, not even as &#27;
        String coloured = "ip said \u001b[31mRTNETLINK answers: File exists\u001b[0m\u0000";
        Lab lab = Lab.define("lab97", "Odd reasons").check("c", "C", 1, null, () -> Verdict.fail(coloured)).build();
        Path xml = dir.resolve("odd.xml");
        Reports.junit(xml, lab, results(lab));

        Element f = failure(testcases(parse(xml)).get(0));
        assertEquals("ip said \uFFFD[31mRTNETLINK answers: File exists\uFFFD[0m\uFFFD", f.getAttribute("message"));
        assertFalse(f.getTextContent().contains("hint"), "no hint line for a check without a hint: " + f.getTextContent());
    }

    /**
     * Issue 20: a reason holding characters XML 1.0 forbids (U+0001, a lone surrogate), a CDATA end ("]]>") and markup
     * still gives a report that is well-formed and valid against the JUnit schema Jenkins' xUnit plugin uses
     * (src/test/resources/junit/junit-10.xsd, its source and licence in the file).
     */
    @Test
    void junitXmlIsValidAgainstTheJunitSchemaWhateverTheReasonHolds() throws Exception {
        String hostile = "start\u0001 ]]> <![CDATA[ x ]]> \uD800 lone, \uDC00 too; \uFFFE & \"q\" \u001b[0m end \uD83D\uDE00";
        Lab lab = Lab.define("lab95", "Hostile]]>\u0001").check("c\u0001]]>", "C <&> ]]>", 1, "hint ]]>\u0002",
            () -> Verdict.fail(hostile)).check("ok", "OK", 1, "", Verdict::pass).build();
        Path xml = dir.resolve("hostile.xml");
        Reports.junit(xml, lab, results(lab));

        javax.xml.validation.SchemaFactory sf = javax.xml.validation.SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        javax.xml.validation.Schema schema = sf.newSchema(ReportsTest.class.getResource("/junit/junit-10.xsd"));
        schema.newValidator().validate(new javax.xml.transform.stream.StreamSource(xml.toFile())); // throws if not

        Element f = failure(testcases(parse(xml)).get(0));
        String expected = "start\uFFFD ]]> <![CDATA[ x ]]> \uFFFD lone, \uFFFD too; \uFFFD & \"q\" \uFFFD[0m end \uD83D\uDE00";
        assertEquals(expected, f.getAttribute("message"), "forbidden characters become U+FFFD, the rest reads back as it was");
        assertEquals("C <&> ]]>\n" + expected + "\nhint: hint ]]>\uFFFD", f.getTextContent());
        assertEquals("c\uFFFD]]>", testcases(parse(xml)).get(0).getAttribute("name"));
    }

    @Test
    void junitXmlRefusesASymbolicLinkAndLeavesItsTargetAlone() throws Exception {
        Path target = Files.writeString(dir.resolve("precious"), "keep me\n");
        Path link = Files.createSymbolicLink(dir.resolve("report.xml"), target);
        Lab lab = tinyLab();
        LabException e = org.junit.jupiter.api.Assertions.assertThrows(LabException.class,
            () -> Reports.junit(link, lab, results(lab)));
        assertEquals(LabException.CONFLICT, e.exitCode());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals("keep me\n", Files.readString(target));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void summaryCountsPointsAndPassesOnlyWhenEveryCheckDoes() {
        Lab lab = tinyLab();
        List<Check.Result> results = results(lab);
        Instant before = Instant.now().minusSeconds(1);
        Reports.Summary s = Reports.summary(lab, results);
        assertEquals("lab99", s.lab());
        assertEquals("A tiny lab", s.title());
        assertEquals(2, s.points());
        assertEquals(6, s.max());
        assertFalse(s.passed());
        assertEquals(results, s.checks());
        Instant at = Instant.parse(s.checkedAt());
        assertEquals(0, at.getNano(), "checkedAt is in whole seconds: " + s.checkedAt());
        assertFalse(at.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)), s.checkedAt());

        Check.Result r = results.get(1);
        assertEquals(new Check.Result("limit", "The limit is <32 MiB> & \"set\"", 3, 0, false, NASTY, "echo 32M > memory.max"), r);
        assertEquals(new Check.Result("made", "The thing is made", 2, 2, true, "", "make it"), results.get(0));

        Reports.Summary good = Reports.summary(lab, List.of(results.get(0)));
        assertEquals(2, good.points());
        assertEquals(2, good.max());
        assertTrue(good.passed());

        // current behaviour: no checks at all counts as passed, 0/0
        Reports.Summary none = Reports.summary(lab, List.of());
        assertTrue(none.passed());
        assertEquals(0, none.max());
    }

    static String text(Lab lab, List<Check.Result> results, boolean color) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console c = new Console(new PrintStream(out, true, StandardCharsets.UTF_8), InputStream.nullInputStream(), color);
        Reports.text(c, lab, results);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void textReportListsEachCheckWithReasonAndHintThenTheTotal() {
        Lab lab = tinyLab();
        String t = text(lab, results(lab), false);
        assertEquals(String.join("\n",
            "  ✔ The thing is made  [2/2]  (made)",
            "  ✘ The limit is <32 MiB> & \"set\"  [0/3]  (limit)",
            "      " + NASTY,
            "      hint: echo 32M > memory.max",
            "  ✘ Reading the state works  [0/1]  (broken)",
            "      could not read the state: boom",
            "      hint: run it as root",
            "",
            "2/6 points",
            ""), t.replace(System.lineSeparator(), "\n"));
        assertFalse(t.contains("\u001b"), "no colour when the console has none");
    }

    @Test
    void textReportSaysAllPassAndColoursOnlyWhenAsked() {
        Lab lab = Lab.define("lab98", "All good").check("a", "A", 1, "", Verdict::pass).build();
        String plain = text(lab, results(lab), false);
        assertTrue(plain.endsWith("1/1 points — all checks pass.\n"), plain);
        String coloured = text(lab, results(lab), true);
        assertTrue(coloured.contains("\u001b[32m✔ \u001b[0mA  [1/1]  (a)"), coloured);

        Lab noHint = Lab.define("lab96", "No hint").check("a", "A", 1, null, () -> Verdict.fail("no")).build();
        assertFalse(text(noHint, results(noHint), false).contains("hint"), "a check without a hint prints none");
    }
}
