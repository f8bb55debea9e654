package unboxed.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;

/**
 * What a lab prints. Colour only on a terminal (and never with --no-color or NO_COLOR set), so logs, pipes and the
 * recorded transcripts stay plain text. Every shell equivalent is printed as "$ command", ready to copy.
 */
public final class Console {
    private static final String RESET = "\u001b[0m", BOLD = "\u001b[1m", DIM = "\u001b[2m", RED = "\u001b[31m",
        GREEN = "\u001b[32m", YELLOW = "\u001b[33m", CYAN = "\u001b[36m";
    private final PrintStream out;
    private final BufferedReader in;
    private final boolean color;

    public Console(PrintStream out, InputStream in, boolean color) {
        this.out = out;
        this.in = new BufferedReader(new InputStreamReader(in));
        this.color = color;
    }

    /** Colour when stdout is a terminal, unless NO_COLOR is set (no-color.org). */
    public static boolean terminalWantsColor() {
        return System.console() != null && System.getenv("NO_COLOR") == null;
    }

    public boolean color() { return color; }
    public PrintStream out() { return out; }

    private String paint(String code, String s) {
        return color ? code + s + RESET : s;
    }

    public void title(String s) { out.println(paint(BOLD, s)); }

    public void heading(String s) {
        out.println();
        out.println(paint(BOLD, "━━ " + s));
    }

    /** Prose, indented; Markdown is left as it is (it reads fine as text). */
    public void text(String markdown) {
        if (markdown == null || markdown.isBlank()) return;
        for (String line : markdown.strip().split("\n")) out.println("  " + line);
    }

    /** A shell equivalent, one "$ " line per command. */
    public void shell(String commands) {
        if (commands == null || commands.isBlank()) return;
        for (String line : commands.strip().split("\n")) out.println("  " + paint(CYAN, "$ " + line));
    }

    /** What Java is doing right now, in the syscall's own words. */
    public void java(String what) { out.println("  " + paint(YELLOW, "java> ") + what); }

    /** One observed fact of kernel state: "label  value". */
    public void show(String label, Object value) {
        out.println("  " + paint(DIM, String.format("%-34s", label)) + " " + value);
    }

    /** Output of a program, indented under its "$ " line. */
    public void output(String text) {
        if (text == null || text.isBlank()) return;
        for (String line : text.stripTrailing().split("\n")) out.println("    " + line);
    }

    public void observe(String markdown) {
        if (markdown == null || markdown.isBlank()) return;
        String[] lines = markdown.strip().split("\n");
        out.println("  " + paint(BOLD, "Notice: ") + lines[0]);
        for (int i = 1; i < lines.length; i++) out.println("          " + lines[i]);
    }

    public void pass(String s) { out.println("  " + paint(GREEN, "✔ ") + s); }
    public void fail(String s) { out.println("  " + paint(RED, "✘ ") + s); }
    public void hint(String s) { out.println("      " + paint(DIM, "hint: " + s)); }
    public void note(String s) { out.println(paint(DIM, s)); }
    public void warn(String s) { out.println(paint(YELLOW, s)); }
    public void error(String s) { out.println(paint(RED, s)); }

    /**
     * A progress line for a slow step. On a terminal it redraws in place; in a log or pipe only every quarter of the
     * way is printed, so transcripts stay short. Call done() after the last one.
     */
    public void progress(String label, long value, long max, String unit) {
        int pct = max <= 0 ? 100 : (int) Math.min(100, value * 100 / max);
        int filled = pct / 5;
        String line = String.format("  %-22s [%s%s] %3d%%  %s", label, "#".repeat(filled), ".".repeat(20 - filled), pct, unit);
        if (color) {
            out.print("\r" + line);
            out.flush();
        } else if (pct / 25 > lastQuarter) {
            lastQuarter = pct / 25;
            out.println(line);
        }
    }

    private int lastQuarter = -1;

    /** Ends a run of progress lines. */
    public void progressDone() {
        if (color) out.println();
        lastQuarter = -1;
    }

    /** Clears the screen (terminal only) before a redraw. */
    public void clear() {
        if (color) out.print("\u001b[H\u001b[2J");
        else out.println();
    }

    /** Waits for Enter. False when input has ended (then pacing stops asking). */
    public boolean pause(String prompt) {
        out.print(paint(DIM, prompt));
        out.flush();
        try {
            return in.readLine() != null;
        } catch (IOException e) {
            return false;
        }
    }
}
