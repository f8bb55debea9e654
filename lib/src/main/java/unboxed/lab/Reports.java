package unboxed.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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

    public static void junit(Path file, Lab lab, List<Check.Result> results) {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        long failures = results.stream().filter(r -> !r.passed()).count();
        x.append("<testsuite name=\"").append(esc(lab.id)).append("\" tests=\"").append(results.size())
            .append("\" failures=\"").append(failures).append("\" errors=\"0\" skipped=\"0\">\n");
        for (Check.Result r : results) {
            x.append("  <testcase classname=\"").append(esc(lab.id)).append("\" name=\"").append(esc(r.id()))
                .append("\">");
            if (!r.passed()) {
                x.append("<failure message=\"").append(esc(r.reason())).append("\">")
                    .append(esc(r.title() + "\n" + r.reason() + (r.hint() == null || r.hint().isBlank() ? "" : "\nhint: " + r.hint())))
                    .append("</failure>");
            }
            x.append("</testcase>\n");
        }
        x.append("</testsuite>\n");
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            Files.writeString(file, x.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String esc(String s) {
        if (s == null) return "";
        // characters XML 1.0 does not allow at all, even as &#...; (an escape sequence in a program's output): U+FFFD
        StringBuilder ok = new StringBuilder(s.length());
        s.chars().forEach(c -> ok.append(c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF ? '\uFFFD' : (char) c));
        return ok.toString().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
