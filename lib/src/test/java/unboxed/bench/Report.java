package unboxed.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** The figures of one benchmark run, as the Markdown that goes into BENCHMARKS.md. */
final class Report {
    private final StringBuilder md = new StringBuilder();
    private final Map<String, Double> medians = new LinkedHashMap<>();

    /** Runs every contender once per round, in turn, after a short warm-up; returns each one's samples in ms. */
    Map<String, double[]> interleaved(Map<String, Callable<Object>> contenders, int rounds) throws Exception {
        Map<String, double[]> samples = new LinkedHashMap<>();
        contenders.keySet().forEach(k -> samples.put(k, new double[rounds]));
        for (int w = 0; w < Math.max(3, rounds / 10); w++) for (Callable<Object> c : contenders.values()) c.call();
        for (int i = 0; i < rounds; i++) {
            for (var e : contenders.entrySet()) samples.get(e.getKey())[i] = time(e.getValue());
        }
        return samples;
    }

    static double time(Callable<Object> c) throws Exception {
        long t0 = System.nanoTime();
        c.call();
        return (System.nanoTime() - t0) / 1e6;
    }

    void section(String title, Map<String, double[]> samples) {
        heading(title);
        samples.forEach((k, v) -> row(k, v.length, median(v), p90(v)));
    }

    void heading(String title) {
        md.append("\n### ").append(title).append("\n\n| what | runs | median | p90 |\n|---|---:|---:|---:|\n");
    }

    void row(String what, int n, double median, double p90) {
        medians.put(what, median);
        md.append(String.format("| %s | %d | %s | %s |%n", what, n, ms(median), ms(p90)));
        System.err.printf("  %-70s %s%n", what, ms(median));
    }

    /** A row in another unit than ms (ns per system call, say): the figures as they are, one decimal. */
    void row(String what, int n, double median, double p90, String unit) {
        medians.put(what, median);
        md.append(String.format("| %s | %d | %.1f %s | %.1f %s |%n", what, n, median, unit, p90, unit));
        System.err.printf("  %-70s %.1f %s%n", what, median, unit);
    }

    void ratio(String what, double a, double b) {
        md.append(String.format("%n%s: **%.2fx**%n", what, a / b));
        System.err.printf("  %s: %.2fx%n", what, a / b);
    }

    void note(String text) {
        md.append("\n").append(text).append("\n");
    }

    double median(String what) {
        Double m = medians.get(what);
        if (m == null) throw new IllegalArgumentException("no figure " + what);
        return m;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static double p90(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.ceil(s.length * 0.9) - 1];
    }

    static String ms(double v) {
        return v >= 100 ? String.format("%.0f ms", v) : String.format("%.2f ms", v);
    }

    String markdown() {
        return md.toString();
    }
}
