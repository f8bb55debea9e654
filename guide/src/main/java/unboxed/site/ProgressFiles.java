package unboxed.site;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Learners' progress files, as {@code check} writes them (unboxed.lab.Progress: learner, host, updated, and per lab
 * the summary of its last check). Read strictly: a file that is not what check writes is reported by name and line.
 */
public final class ProgressFiles {
    private ProgressFiles() {}

    public record CheckResult(String id, String title, int points, int earned, boolean passed, String reason, String hint) {}

    public record LabResult(String lab, String title, String checkedAt, int points, int max, boolean passed,
                            List<CheckResult> checks) {}

    /** One learner's file. */
    public record Learner(String file, String learner, String host, String updated, Map<String, LabResult> labs) {
        /** "alice" or, when two files have the same learner, "alice@vm3". */
        public String name() { return learner; }
    }

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
        JsonFields f = new JsonFields(shown, "", json);
        JsonObject o = f.obj(root, "$");
        Map<String, LabResult> labs = new LinkedHashMap<>();
        JsonObject lo = f.obj(f.field(o, "$", "labs"), "$.labs");
        for (String id : lo.keySet().stream().sorted().toList()) {
            String p = "$.labs." + id;
            JsonObject l = f.obj(lo.get(id), p);
            String lab = f.str(l, p, "lab"), title = f.str(l, p, "title");
            int points = f.integer(l, p, "points", 0), max = f.integer(l, p, "max", 0);
            boolean passed = f.bool(l, p, "passed");
            List<CheckResult> checks = new ArrayList<>();
            JsonArray ca = f.array(l, p, "checks");
            for (int i = 0; i < ca.size(); i++) {
                String cp = p + ".checks[" + i + "]";
                JsonObject c = f.obj(ca.get(i), cp);
                checks.add(new CheckResult(f.str(c, cp, "id"), f.str(c, cp, "title"), f.integer(c, cp, "points", 0),
                    f.integer(c, cp, "earned", 0), f.bool(c, cp, "passed"), optional(c, "reason"), optional(c, "hint")));
            }
            labs.put(id, new LabResult(lab, title, optional(l, "checkedAt"), points, max, passed, List.copyOf(checks)));
        }
        return new Learner(shown, f.str(o, "$", "learner"), optional(o, "host"), optional(o, "updated"), labs);
    }

    private static String optional(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() || !e.isJsonPrimitive() ? "" : e.getAsString();
    }

    /** Every *.json in a folder (not in subfolders), by file name. */
    public static List<Learner> readFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new SiteException(SiteException.BAD_INPUT, dir + ": not a folder (guide class DIR takes a folder of progress files)");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new SiteException(SiteException.BAD_INPUT, dir + ": cannot list: " + e.getMessage());
        }
        if (files.isEmpty()) throw new SiteException(SiteException.BAD_INPUT, dir + ": no progress files (*.json) in it");
        return files.stream().map(ProgressFiles::read).toList();
    }
}
