package unboxed.site;

/**
 * Why the guide could not be built, as one line that names the lab, file or template and the line, and the exit
 * code: 2 bad input (a lab's description, a template, a progress file), 3 environment (recording needs root).
 */
public final class SiteException extends RuntimeException {
    public static final int BAD_INPUT = 2, ENVIRONMENT = 3;
    private final int exitCode;

    public SiteException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public SiteException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
