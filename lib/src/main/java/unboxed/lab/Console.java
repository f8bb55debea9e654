package unboxed.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import unboxed.lab.RunListener.*;

/**
 * What a lab prints. Colour only on a terminal (and never with --no-color or a non-empty NO_COLOR), so logs, pipes and the
 * recorded transcripts stay plain text. Every shell equivalent is printed as "$ command", ready to copy.
 * <p>Each method says one {@link RunListener.Event}: the console prints it ({@link #on}, the only place that formats)
 * and passes it to the listeners it was given with {@link #alsoTelling} (the transcript recorder), so what is printed
 * and what is recorded come from the same events.
 */
public final class Console implements RunListener {
    private static final String RESET = "\u001b[0m", BOLD = "\u001b[1m", DIM = "\u001b[2m", RED = "\u001b[31m",
        GREEN = "\u001b[32m", YELLOW = "\u001b[33m", CYAN = "\u001b[36m";
    private final PrintStream out;
    private final BufferedReader in;
    private final boolean color;
    private final List<RunListener> listeners;

    public Console(PrintStream out, InputStream in, boolean color) {
        this(out, new BufferedReader(new InputStreamReader(in)), color, List.of());
    }

    private Console(PrintStream out, BufferedReader in, boolean color, List<RunListener> listeners) {
        this.out = out;
        this.in = in;
        this.color = color;
        this.listeners = listeners;
    }

    /** This console (same output, input and colour), also passing every event to these listeners. */
    public Console alsoTelling(List<RunListener> more) {
        if (more.isEmpty()) return this;
        List<RunListener> all = new ArrayList<>(listeners);
        all.addAll(more);
        return new Console(out, in, color, List.copyOf(all));
    }

    /**
     * Colour when standard output is a terminal (isatty(1): whatever standard input is, and the same on every JDK,
     * unlike System.console()), unless NO_COLOR is present and not empty (no-color.org).
     */
    public static boolean terminalWantsColor() {
        String noColor = System.getenv("NO_COLOR");
        return (noColor == null || noColor.isEmpty()) && unboxed.sys.Sys.isatty(1);
    }

    public boolean color() { return color; }
    public PrintStream out() { return out; }

    // ---- what a lab says: one event each --------------------------------------------------------------------

    public void title(String s) { say(new Title(s)); }
    public void heading(String s) { say(new Heading(s)); }
    /** Prose, indented; Markdown is left as it is (it reads fine as text). */
    public void text(String markdown) { say(new Text(markdown)); }
    /** A shell equivalent, one "$ " line per command. */
    public void shell(String commands) { say(new Shell(commands)); }
    /** What Java is doing right now, in the syscall's own words. */
    public void java(String what) { say(new Java(what)); }
    /** One observed fact of kernel state: "label  value". */
    public void show(String label, Object value) { say(new Show(label, value)); }
    /** Output of a program, indented under its "$ " line. */
    public void output(String text) { say(new Output(text)); }
    public void observe(String markdown) { say(new Observe(markdown)); }
    public void pass(String s) { say(new Passed(s)); }
    public void fail(String s) { say(new Failed(s)); }
    public void hint(String s) { say(new Hint(s)); }
    public void note(String s) { say(new Note(s)); }
    public void warn(String s) { say(new Warning(s)); }
    public void error(String s) { say(new Problem(s)); }
    public void blank() { say(new Blank()); }
    /** Clears the screen (terminal only) before a redraw. */
    public void clear() { say(new Clear()); }

    /**
     * A progress line for a slow step. On a terminal it redraws in place; in a log or pipe only every quarter of the
     * way is printed, so transcripts stay short. Call done() after the last one.
     */
    public void progress(String label, long value, long max, String unit) { say(new Meter(label, value, max, unit)); }
    /** Ends a run of progress lines. */
    public void progressDone() { say(new MeterDone()); }

    /** Prints the event here, then passes it on. */
    void say(Event e) {
        on(e);
        for (RunListener l : listeners) l.on(e);
    }

    // ---- printing -----------------------------------------------------------------------------------------------

    private String paint(String code, String s) {
        return color ? code + s + RESET : s;
    }

    private int lastQuarter = -1;

    /** Where a shown value starts: labels are padded to this width, and a longer label pushes its value right. */
    private static final int LABEL_WIDTH = 34;

    private void show(Show s, int width) {
        out.println("  " + paint(DIM, String.format("%-" + width + "s", s.label())) + " " + s.value());
    }

    /**
     * Prints a run of shown facts with their values in one column, however long a label: as wide as the longest label
     * of the run, and never narrower than a single fact's. A page shows a step's output at once, so a recording can
     * wait for the run to end; a live run cannot, and prints each fact as it comes.
     */
    public void shows(List<Show> run) {
        int width = Math.max(LABEL_WIDTH, run.stream().mapToInt(s -> s.label().length()).max().orElse(0));
        for (Show s : run) show(s, width);
    }

    /** Prints one event: the console as a listener. */
    @Override
    public void on(Event e) {
        if (e instanceof StepStarted s) {
            on(new Heading("Step " + s.n() + "/" + s.total() + " · " + s.step().title()));
            on(new Text(s.step().explain()));
            on(new Shell(s.step().shell()));
        } else if (e instanceof StepDone s) {
            on(new Observe(s.step().observe()));
        } else if (e instanceof Title t) {
            out.println(paint(BOLD, t.text()));
        } else if (e instanceof Heading h) {
            out.println();
            out.println(paint(BOLD, "━━ " + h.text()));
        } else if (e instanceof Text t) {
            for (String line : lines(t.markdown())) out.println("  " + line);
        } else if (e instanceof Shell s) {
            for (String line : lines(s.commands())) out.println("  " + paint(CYAN, "$ " + line));
        } else if (e instanceof Java j) {
            out.println("  " + paint(YELLOW, "java> ") + j.what());
        } else if (e instanceof Show s) {
            show(s, LABEL_WIDTH);
        } else if (e instanceof Output o) {
            if (o.text() == null || o.text().isBlank()) return;
            for (String line : o.text().stripTrailing().split("\n")) out.println("    " + line);
        } else if (e instanceof Observe o) {
            List<String> l = lines(o.markdown());
            if (l.isEmpty()) return;
            out.println("  " + paint(BOLD, "Notice: ") + l.get(0));
            for (int i = 1; i < l.size(); i++) out.println("          " + l.get(i));
        } else if (e instanceof Passed p) {
            out.println("  " + paint(GREEN, "✔ ") + p.line());
        } else if (e instanceof Failed f) {
            out.println("  " + paint(RED, "✘ ") + f.line());
        } else if (e instanceof Hint h) {
            out.println("      " + paint(DIM, "hint: " + h.text()));
        } else if (e instanceof Note n) {
            out.println(paint(DIM, n.text()));
        } else if (e instanceof Warning w) {
            out.println(paint(YELLOW, w.text()));
        } else if (e instanceof Problem p) {
            out.println(paint(RED, p.text()));
        } else if (e instanceof Blank) {
            out.println();
        } else if (e instanceof Clear) {
            if (color) out.print("\u001b[H\u001b[2J");
            else out.println();
        } else if (e instanceof Meter m) {
            meter(m);
        } else if (e instanceof MeterDone) {
            if (color) out.println();
            lastQuarter = -1;
        }
    }

    /** Markdown or commands, stripped, one entry a line; none for blank text. */
    private static List<String> lines(String text) {
        return text == null || text.isBlank() ? List.of() : List.of(text.strip().split("\n"));
    }

    private void meter(Meter m) {
        int pct = m.max() <= 0 ? 100 : (int) Math.min(100, m.value() * 100 / m.max());
        int filled = pct / 5;
        String line = String.format("  %-22s [%s%s] %3d%%  %s", m.label(), "#".repeat(filled), ".".repeat(20 - filled), pct, m.unit());
        if (color) {
            out.print("\r" + line);
            out.flush();
        } else if (pct / 25 > lastQuarter) {
            lastQuarter = pct / 25;
            out.println(line);
        }
    }

    /** Waits for Enter. False when input has ended (then pacing stops asking). Interaction, not an event. */
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
