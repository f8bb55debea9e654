package unboxed.lab;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Check results as a human reads them, as JSON for tools, and as JUnit XML for CI dashboards. */
public final class Reports {
    private Reports() {}

    /** The JSON shape of `check --json` and of one lab in the progress file. */
    public record Summary(String lab, String title, String checkedAt, int points, int max, boolean passed,
                          List<Check.Result> checks) {}

    public static Summary summary(Lab lab, List<Check.Result> results) {
        int points = results.stream().mapToInt(Check.Result::earned).sum();
        int max = results.stream().mapToInt(Check.Result::points).sum();
        return new Summary(lab.id, lab.title, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), points, max,
            results.stream().allMatch(Check.Result::passed), results);
    }

    public static void text(Console c, Lab lab, List<Check.Result> results) {
        for (Check.Result r : results) {
            String line = r.title() + "  [" + r.earned() + "/" + r.points() + "]  (" + r.id() + ")";
            if (r.passed()) {
                c.pass(line);
            } else {
                c.fail(line);
                c.out().println("      " + r.reason());
                if (r.hint() != null && !r.hint().isBlank()) c.hint(r.hint());
            }
        }
        Summary s = summary(lab, results);
        c.out().println();
        c.title(s.points() + "/" + s.max() + " points" + (s.passed() ? " — all checks pass." : ""));
    }

    /**
     * Writes the results as a JUnit XML report (one testsuite, a testcase per check, a failure with the reason for each
     * that failed), with the JDK's XML writer, which escapes what must be. Characters XML 1.0 does not allow at all,
     * not even as a reference (C0 controls but tab, newline and return; lone surrogates; U+FFFE, U+FFFF), become
     * U+FFFD. The file is replaced through a private temporary file; a symbolic link in its place is refused (exit 4).
     */
    public static void junit(Path file, Lab lab, List<Check.Result> results) {
        java.io.StringWriter text = new java.io.StringWriter();
        try {
            javax.xml.stream.XMLStreamWriter x = javax.xml.stream.XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuite");
            x.writeAttribute("name", xmlSafe(lab.id));
            x.writeAttribute("tests", Integer.toString(results.size()));
            x.writeAttribute("failures", Long.toString(results.stream().filter(r -> !r.passed()).count()));
            x.writeAttribute("errors", "0");
            x.writeAttribute("skipped", "0");
            x.writeCharacters("\n");
            for (Check.Result r : results) {
                x.writeCharacters("  ");
                x.writeStartElement("testcase");
                x.writeAttribute("classname", xmlSafe(lab.id));
                x.writeAttribute("name", xmlSafe(r.id()));
                if (!r.passed()) {
                    x.writeStartElement("failure");
                    x.writeAttribute("message", xmlSafe(r.reason()));
                    x.writeCharacters(xmlSafe(r.title() + "\n" + r.reason()
                        + (r.hint() == null || r.hint().isBlank() ? "" : "\nhint: " + r.hint())));
                    x.writeEndElement();
                }
                x.writeEndElement();
                x.writeCharacters("\n");
            }
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.close();
        } catch (javax.xml.stream.XMLStreamException e) {
            throw new IllegalStateException("cannot write the JUnit report: " + e.getMessage(), e);
        }
        SafeFiles.replace(file, text.toString(), SafeFiles.READABLE);
    }

    /**
     * {@code s} with every character XML 1.0 forbids (section 2.2, Char) replaced by U+FFFD: an escape sequence or a
     * NUL in a program's output quoted by a reason would otherwise make the whole report unreadable.
     */
    static String xmlSafe(String s) {
        if (s == null) return "";
        StringBuilder ok = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            boolean allowed = c == 0x9 || c == 0xA || c == 0xD || c >= 0x20 && c <= 0xD7FF || c >= 0xE000 && c <= 0xFFFD
                || c >= 0x10000 && c <= 0x10FFFF;
            if (allowed) ok.appendCodePoint(c); else ok.append('\uFFFD');
            i += Character.charCount(c);
        }
        return ok.toString();
    }
}
