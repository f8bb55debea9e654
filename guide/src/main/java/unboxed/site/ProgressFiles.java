package unboxed.site;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import unboxed.lab.Progress;
import unboxed.lab.Reports;

/**
 * Learners' progress files, read into the types {@code check} writes them from ({@link Progress.Learner}: learner,
 * host, updated, and per lab the {@link Reports.Summary} of its last check). Read strictly: a file that is not what
 * check writes is reported by name and line before anything is bound.
 */
public final class ProgressFiles {
    private ProgressFiles() {}

    /** One learner's file: where it was read from, and what it says, in the types check wrote it from. */
    public record Learner(String file, Progress.Learner progress) {
        public String learner() { return progress.learner(); }
        public String host() { return progress.host(); }
        public String updated() { return progress.updated(); }
        /** Per lab id, in id order: the summary of its last full check. */
        public Map<String, Reports.Summary> labs() { return progress.labs(); }
    }

    /** Fields check writes but that a file may lack (an older or hand-made one): read as "". */
    private static final Set<String> OPTIONAL = Set.of("host", "updated", "checkedAt", "reason", "hint");

    public static Learner read(Path file) {
        String shown = file.toString();
        String json;
        try {
            json = Files.readString(file);
        } catch (IOException | RuntimeException e) {
            throw new SiteException(SiteException.BAD_INPUT, shown + ": cannot read the progress file: " + e.getMessage());
        }
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            String m = e.getMessage() == null ? "unreadable" : e.getMessage().replaceFirst("^[\\w.]+Exception: ", "");
            throw new SiteException(SiteException.BAD_INPUT, shown + ": not a progress file (not valid JSON): " + m);
        }
        new JsonFields(shown, "", json).shape(root, "$", Progress.Learner.class, OPTIONAL);
        Progress.Learner p = Progress.fromJson(root);
        return new Learner(shown, new Progress.Learner(p.learner(), p.host(), p.updated(), new TreeMap<>(p.labs())));
    }

    /** Every *.json in a folder (not in subfolders), by file name; a folder with none is bad input. */
    public static List<Learner> readFolder(Path dir) {
        return readFolder(dir, false);
    }

    /** {@link #readFolder(Path)}, where an empty folder may be allowed (a watched class before its first check). */
    public static List<Learner> readFolder(Path dir, boolean emptyOk) {
        if (!Files.isDirectory(dir)) {
            throw new SiteException(SiteException.BAD_INPUT, dir + ": not a folder (guide class DIR takes a folder of progress files)");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new SiteException(SiteException.BAD_INPUT, dir + ": cannot list: " + e.getMessage());
        }
        if (files.isEmpty() && !emptyOk) throw new SiteException(SiteException.BAD_INPUT, dir + ": no progress files (*.json) in it");
        return files.stream().map(ProgressFiles::read).toList();
    }
}
