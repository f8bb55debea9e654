package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import unboxed.lab.LabCli;
import unboxed.lab.Version;
import unboxed.site.GuideCli;

/** --version: every lab (and each of its commands), the doctor and the guide print the project's version. */
class VersionTest {
    @Test
    void thePomsVersionIsTheOneTheProgramsPrint() throws Exception {
        String pom = Files.readString(Labs.ROOT.resolve("pom.xml"));
        Matcher m = Pattern.compile("</modelVersion>\\s*<groupId>[^<]+</groupId>\\s*<artifactId>[^<]+</artifactId>\\s*"
            + "<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "the project's <version> in pom.xml");
        assertEquals(m.group(1), Version.VERSION, "pom.xml's <version> and unboxed.lab.Version.VERSION must be equal");
    }

    @Test
    void everyLabAndEachOfItsCommandsPrintsIt() {
        for (Labs.LabFile f : Labs.all()) {
            if (!f.isLab()) continue;
            List<String> commands = new ArrayList<>(LabCli.describe(f.lab()).commands());
            commands.add(0, ""); // the lab itself: run
            for (String command : commands) {
                String[] args = command.isEmpty() ? new String[] {"--version"} : new String[] {command, "--version"};
                LabHarness.Outcome o = LabHarness.cli(f.lab(), args);
                assertEquals(0, o.exit(), f + " " + command + " --version: " + o.all());
                assertEquals(f.id() + " (unboxed " + Version.VERSION + ")", o.out().strip(), f + " " + command);
                assertTrue(o.err().isEmpty(), o.err());
            }
        }
    }

    @Test
    void theDoctorAndTheGuidePrintIt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        var execute = Class.forName("Lab00Doctor").getDeclaredMethod("execute", String[].class, PrintStream.class,
            PrintStream.class, boolean.class);
        execute.setAccessible(true);
        int code = (int) execute.invoke(null, new String[] {"--version"}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), false);
        assertEquals(0, code, err.toString());
        assertEquals("doctor (unboxed " + Version.VERSION + ")", out.toString(StandardCharsets.UTF_8).strip());

        out.reset();
        assertEquals(0, GuideCli.execute(new String[] {"--version"}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("guide (unboxed " + Version.VERSION + ")", out.toString(StandardCharsets.UTF_8).strip());
        out.reset();
        assertEquals(0, GuideCli.execute(new String[] {"class", "--version"},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("guide (unboxed " + Version.VERSION + ")", out.toString(StandardCharsets.UTF_8).strip());
    }
}
