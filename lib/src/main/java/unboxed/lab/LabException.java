package unboxed.lab;

/**
 * Something the learner can act on, with the exit code that says what kind of thing it is. Every lab uses the same
 * codes, so scripts and instructors can tell "your work is not done yet" from "this machine cannot run the lab".
 */
public class LabException extends RuntimeException {
    /** Everything done; every check passed. */
    public static final int OK = 0;
    /** Some check failed. */
    public static final int CHECK_FAILED = 1;
    /** Bad input: unknown command, option or check id. Nothing was changed. */
    public static final int BAD_INPUT = 2;
    /** This environment cannot run the lab: not root, a missing tool or kernel feature. The message says the fix. */
    public static final int ENVIRONMENT = 3;
    /** Conflict: another lab holds the lock, or something not ours already holds a name or address we need. */
    public static final int CONFLICT = 4;

    private final int exitCode;

    public LabException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }

    public static LabException environment(String message) { return new LabException(ENVIRONMENT, message); }
    public static LabException conflict(String message) { return new LabException(CONFLICT, message); }
    public static LabException badInput(String message) { return new LabException(BAD_INPUT, message); }
}
