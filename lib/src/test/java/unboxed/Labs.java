package unboxed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import unboxed.lab.Lab;

/**
 * Every lab in labs/, found by its file name (labNN-topic.java), so the end-to-end tests cover a lab the day it lands
 * and nobody has to remember to add it to a list. -Dunboxed.labs=lab04,lab06 narrows the set (the edit loop).
 */
final class Labs {
    private Labs() {}

    /** One lab file. lab is null for a lab that is not built on Lab (lab00, the doctor). */
    record LabFile(String id, String name, Path file, String className, Lab lab) {
        int steps() { return lab.steps.size(); }
        boolean isLab() { return lab != null; }
        @Override public String toString() { return name; }
    }

    static final Path ROOT = findRoot();
    private static final Pattern FILE = Pattern.compile("(lab\\d\\d)-[a-z0-9-]+\\.java");
    private static final Pattern CLASS = Pattern.compile("(?m)^(?:final )?class (\\w+)");

    static List<LabFile> all() {
        String only = System.getProperty("unboxed.labs", "");
        List<String> wanted = only.isBlank() ? List.of() : Arrays.asList(only.split(","));
        try (Stream<Path> files = Files.list(ROOT.resolve("labs"))) {
            return files.filter(f -> FILE.matcher(f.getFileName().toString()).matches()).sorted()
                .map(Labs::read)
                .filter(l -> wanted.isEmpty() || wanted.contains(l.id()) || wanted.contains(l.name()))
                .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LabFile read(Path f) {
        String name = f.getFileName().toString().replace(".java", "");
        Matcher id = FILE.matcher(f.getFileName().toString());
        id.matches();
        String source;
        try {
            source = Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher c = CLASS.matcher(source);
        if (!c.find()) throw new AssertionError(name + ": no top-level class in " + f);
        String className = c.group(1);
        Lab lab = source.contains("static Lab lab()") ? LabHarness.lab(className) : null;
        return new LabFile(id.group(1), name, f, className, lab);
    }

    private static Path findRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("jbang-catalog.json"))) dir = dir.getParent();
        if (dir == null) throw new AssertionError("no jbang-catalog.json in " + System.getProperty("user.dir") + " or above");
        return dir;
    }
}
