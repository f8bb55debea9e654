package unboxed.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The lab's side of {@code ./jbang}'s sudo split. A normal user's {@code ./jbang} starts the lab's JVM as that user,
 * with {@link #ASK} naming an empty file it made: the lab parses its command line and validates its input as usual
 * (bad input ends there, exit 2, and nobody is asked for a password), does what needs no root (explain, describe,
 * help, the doctor's report), and where a command first needs root it writes {@link #SETTINGS} into that file and
 * exits {@link #NEEDS_ROOT} without changing anything; {@code ./jbang} then runs the same JVM through sudo, with
 * those settings, which sudo's env_reset would drop (sudoers(5)). Run any other way (as root, by a real jbang, from
 * a test), nothing here applies.
 */
public final class SudoSplit {
    private SudoSplit() {}

    /** Set by ./jbang for a normal user's run: the file that receives the settings. */
    public static final String ASK = "UNBOXED_SUDO_ASK";
    /** The exit code that tells ./jbang "run me again through sudo" (none of the labs' own codes, 0-4). */
    public static final int NEEDS_ROOT = 100;
    /** Every environment variable the labs read that sudo would not pass on: the one list ./jbang passes through sudo. */
    public static final List<String> SETTINGS = List.of("UNBOXED_PROGRESS", "NO_COLOR");

    /** True when ./jbang can send this run through sudo: not root, and asked to. */
    public static boolean asked() {
        String ask = System.getenv(ASK);
        return ask != null && !ask.isEmpty() && !LabCli.isRoot();
    }

    /**
     * Hands the run over to sudo: writes the settings this process has into the file ./jbang made (NAME=VALUE, each
     * ended by a NUL) and returns {@link #NEEDS_ROOT}. Call only where {@link #asked()}, after validating the input.
     */
    public static int handOver() {
        StringBuilder s = new StringBuilder();
        for (String name : SETTINGS) {
            String value = System.getenv(name);
            if (value != null) s.append(name).append('=').append(value).append('\0');
        }
        Path file = Path.of(System.getenv(ASK));
        try {
            // the file is ./jbang's, made by mktemp for this run: written in place, never created or followed
            Files.writeString(file, s, StandardCharsets.UTF_8, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(ASK + "=" + file + ": cannot hand over to sudo: " + e.getMessage(), e);
        }
        return NEEDS_ROOT;
    }

    /** {@link #handOver()} as an exception, for code deep in a command: the lab's command line exits with it silently. */
    public static final class HandedOver extends LabException {
        HandedOver() { super(handOver(), "handed over to sudo"); }
    }
}
