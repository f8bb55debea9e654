package unboxed;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The lab files are jbang scripts compiled by two tools: Maven (here) and jbang (for learners). Keep what jbang reads
 * from their headers in step with the pom, and every lab reachable by its alias and listed in the README.
 */
class LabSourcesTest {
    static final Path ROOT = findRoot();

    static Path findRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("jbang-catalog.json"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("no jbang-catalog.json above " + Path.of("").toAbsolutePath());
        return p;
    }

    static List<Path> labs() throws Exception {
        try (Stream<Path> s = Files.list(ROOT.resolve("labs"))) {
            return s.filter(f -> f.getFileName().toString().matches("lab\\d\\d-[a-z0-9-]+\\.java")).sorted().toList();
        }
    }

    @Test
    void everyLabHeaderMatchesThePomAndTheCatalogAndTheReadme() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        JsonObject aliases = JsonParser.parseString(Files.readString(ROOT.resolve("jbang-catalog.json")))
            .getAsJsonObject().getAsJsonObject("aliases");
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<Path> labs = labs();
        assertTrue(labs.size() >= 2, labs.toString());
        for (Path lab : labs) {
            String src = Files.readString(lab);
            String name = lab.getFileName().toString();
            String id = name.substring(0, 5);
            assertTrue(src.startsWith("///usr/bin/env jbang \"$0\" \"$@\" ; exit $?\n"), name + ": jbang shebang line");
            assertTrue(src.contains("\n//SOURCES ../lib/src/main/java/unboxed/**/*.java\n"), name + ": //SOURCES of lib");
            // C1 alone and the serial collector: a lab's JVM lives a second or two, and starts about 0.3 s sooner (BENCHMARKS.md)
            assertTrue(src.contains("\n//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC\n"), name);
            // lib has a main of its own (unboxed.oci.UserInit, the runtime's init JVM): without //MAIN jbang picks
            // whichever main it finds first, and the lab may start as the init
            java.util.regex.Matcher cls = java.util.regex.Pattern.compile("(?m)^class (\\w+)").matcher(src);
            assertTrue(cls.find() && src.contains("\n//MAIN " + cls.group(1) + "\n"), name + ": //MAIN naming its class");
            for (String[] dep : new String[][] {{"net.java.dev.jna:jna:", "jna.version"},
                    {"info.picocli:picocli:", "picocli.version"}, {"com.google.code.gson:gson:", "gson.version"}}) {
                Matcher m = Pattern.compile("<" + Pattern.quote(dep[1]) + ">([^<]+)<").matcher(pom);
                assertTrue(m.find(), dep[1]);
                assertTrue(src.contains(dep[0] + m.group(1)), name + ": //DEPS must have " + dep[0] + m.group(1) + " as the pom");
            }
            assertTrue(aliases.has(id) && aliases.getAsJsonObject(id).get("script-ref").getAsString().equals("labs/" + name),
                name + ": jbang-catalog.json needs alias " + id + " -> labs/" + name);
            assertTrue(readme.contains("[" + name.replace(".java", "") + "](labs/" + name + ")"), name + ": README lab list");
            assertTrue(!src.contains("public class"), name + ": a hyphenated file may not hold a public class");
        }
    }
}
