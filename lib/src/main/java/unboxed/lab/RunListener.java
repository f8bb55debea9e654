package unboxed.lab;

/**
 * Hears what a lab says while it runs, one event at a time. {@link Console} is the listener that prints them for the
 * learner; the transcript recorder (unboxed.record.Recorder) is one that keeps each step's share, so recording never
 * has to read printed text back. Events are plain records: a listener picks the ones it wants with instanceof.
 */
@FunctionalInterface
public interface RunListener {
    void on(Event e);

    /** Everything a run can say. The narration events match Console's methods one for one. */
    sealed interface Event {}

    /** Step n of total begins (the console prints its heading, explanation and shell equivalent). */
    record StepStarted(int n, int total, Step step) implements Event {}
    /** Step n of total did its work (the console prints what to notice). */
    record StepDone(int n, int total, Step step) implements Event {}

    record Title(String text) implements Event {}
    record Heading(String text) implements Event {}
    /** Prose (Markdown). */
    record Text(String markdown) implements Event {}
    /** Shell equivalents, one command a line. */
    record Shell(String commands) implements Event {}
    /** What Java does now, in the syscall's own words. */
    record Java(String what) implements Event {}
    /** One observed fact of kernel state. */
    record Show(String label, Object value) implements Event {}
    /** A program's output. */
    record Output(String text) implements Event {}
    /** What to notice (Markdown). */
    record Observe(String markdown) implements Event {}
    record Passed(String line) implements Event {}
    record Failed(String line) implements Event {}
    record Hint(String text) implements Event {}
    record Note(String text) implements Event {}
    record Warning(String text) implements Event {}
    record Problem(String text) implements Event {}
    /** An empty line. */
    record Blank() implements Event {}
    /** The screen is redrawn from the top (watch). */
    record Clear() implements Event {}
    /** How far a slow step has got: value of max, in unit. */
    record Meter(String label, long value, long max, String unit) implements Event {}
    /** A run of meter events has ended. */
    record MeterDone() implements Event {}
}
