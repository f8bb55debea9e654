package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import unboxed.lab.Lab;
import unboxed.sys.Cmd;

/**
 * Colour is decided by isatty(1) and NO_COLOR (no-color.org: it counts "when present and not an empty string"), in a
 * lab's own JVM on a real pseudo-terminal (script(1) gives the command one), running `explain` (no root needed).
 */
class ColorTest {
    static final String ESC = "\u001b[";
    static Lab lab;

    @BeforeAll
    static void load() {
        LabHarness.assertToolsPresent("script");
        lab = Labs.all().stream().filter(Labs.LabFile::isLab).findFirst().orElseThrow().lab();
    }

    /** `explain` of a lab as a shell command line: stdin, stdout and the environment as {@code shell} sets them. */
    static String explainOnATerminal(String shell) {
        String java = String.join(" ", LabHarness.jvm(LabHarness.mainClass(lab), "explain").command());
        Cmd.Result r = Cmd.run(List.of("script", "-qec", shell.replace("EXPLAIN", java), "/dev/null"), 120);
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains(lab.title), r.out());
        return r.out();
    }

    @Test
    void colourOnATerminalEvenWhenStandardInputIsNotOne() {
        assertTrue(explainOnATerminal("EXPLAIN").contains(ESC), "a terminal gets colour");
        // System.console() is null on JDK 17 when stdin is not a terminal: the old rule printed plain text here
        assertTrue(explainOnATerminal("EXPLAIN < /dev/null").contains(ESC), "stdout is a terminal: colour");
    }

    @Test
    void anEmptyNoColorKeepsColourAndASetOneTurnsItOff() {
        assertTrue(explainOnATerminal("NO_COLOR= EXPLAIN").contains(ESC), "NO_COLOR empty: colour (no-color.org)");
        assertFalse(explainOnATerminal("NO_COLOR=1 EXPLAIN").contains(ESC), "NO_COLOR=1: plain");
        assertFalse(explainOnATerminal("EXPLAIN --no-color").contains(ESC), "--no-color: plain");
    }

    @Test
    void noColourIntoAPipeOrAFile() {
        assertFalse(explainOnATerminal("EXPLAIN | cat").contains(ESC), "a pipe: plain");
        assertFalse(explainOnATerminal("EXPLAIN > /tmp/unboxed-color-test.txt; cat /tmp/unboxed-color-test.txt; rm -f /tmp/unboxed-color-test.txt")
            .contains(ESC), "a file: plain");
    }
}
