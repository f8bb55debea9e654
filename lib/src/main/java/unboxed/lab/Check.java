package unboxed.lab;

/**
 * One graded criterion of an exercise. The grader reads kernel state (never the lab's own log or a marker file) and
 * says pass, or fail with a reason that names what it saw. The hint says what to do about it.
 */
public record Check(String id, String title, int points, String hint, Grader grader) {

    /** Reads the kernel and decides. An exception counts as a fail whose reason is its message. */
    @FunctionalInterface
    public interface Grader {
        Verdict grade() throws Exception;
    }

    /** Pass, or fail with what was seen instead. */
    public record Verdict(boolean passed, String reason) {
        public static Verdict pass() { return new Verdict(true, ""); }
        public static Verdict fail(String reason) { return new Verdict(false, reason); }
        /** pass() when ok, else fail(reason). */
        public static Verdict when(boolean ok, String reason) { return ok ? pass() : fail(reason); }
    }

    /** A graded criterion, as check prints it and the progress file stores it. */
    public record Result(String id, String title, int points, int earned, boolean passed, String reason, String hint) {}

    public Result evaluate() {
        Verdict v;
        try {
            v = grader.grade();
        } catch (Exception e) {
            v = Verdict.fail("could not read the state: " + e.getMessage());
        }
        return new Result(id, title, points, v.passed() ? points : 0, v.passed(), v.reason(), hint);
    }
}
