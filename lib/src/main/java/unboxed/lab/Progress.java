package unboxed.lab;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import unboxed.ns.Processes;

/**
 * The learner's results, one file per machine: /var/lib/unboxed/progress.json, updated by every `check`.
 * An instructor collects these files into a folder and builds the class view from them.
 */
public final class Progress {
    private Progress() {}

    public static final Path FILE = Path.of("/var/lib/unboxed/progress.json");

    /**
     * A progress file, in the types it is written from: who, on which host, when, and per lab id the summary of that
     * lab's last full check, as `check --json` prints it. The guide's progress and class views read it so.
     */
    public record Learner(String learner, String host, String updated, Map<String, Reports.Summary> labs) {}

    /** A progress file's JSON (already checked for shape by the reader, which reports what is wrong where) as a Learner. */
    public static Learner fromJson(JsonElement json) {
        return GSON.fromJson(json, Learner.class);
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** The progress file: {@link #FILE}, or UNBOXED_PROGRESS (tests and shared machines). */
    public static Path file() {
        String p = System.getProperty("unboxed.progress", System.getenv("UNBOXED_PROGRESS"));
        return p == null || p.isBlank() ? FILE : Path.of(p);
    }

    /** Who is learning: the user behind sudo, not root. */
    public static String learner() {
        String u = System.getenv("SUDO_USER");
        if (u == null || u.isBlank()) u = System.getProperty("user.name");
        return u;
    }

    /**
     * Writes this lab's latest results into the progress file (other labs' results are kept). Returns a note for the
     * learner when the file could not be read and was moved aside, else null.
     */
    public static String record(Path file, Lab lab, List<Check.Result> results) {
        return record(file, lab, results, learner(), Processes.hostname());
    }

    /**
     * {@link #record(Path, Lab, List)} with the learner and host given (tests: no /proc/sys, no SUDO_USER). Holds the
     * file's lock (.NAME.lock beside it) from reading to the rename, so two checks or a check and a watch at once both
     * land; writes through a private temporary file and an atomic rename; refuses (exit 4) a symbolic link at the
     * file's name, whose target it never touches; moves a file it cannot read aside (NAME.broken-TIME), never drops it.
     */
    static String record(Path file, Lab lab, List<Check.Result> results, String learner, String host) {
        try (SafeFiles.Held lock = SafeFiles.exclusive(file.resolveSibling("." + file.getFileName() + ".lock"),
                "the progress file " + file, 60)) {
            SafeFiles.refuseLink(file);
            String note = null;
            JsonObject root = new JsonObject();
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                // decoded leniently: invalid UTF-8 is a corrupt file like any other, not a reason to refuse to grade
                String text = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
                JsonObject read = parsed(text);
                if (read == null) {
                    Path aside = asideName(file);
                    Files.move(file, aside, LinkOption.NOFOLLOW_LINKS);
                    note = "the progress file " + file + " could not be read (not a JSON object with a \"labs\" object),"
                        + " so it was moved aside to " + aside + " and a new one holds this check's results;"
                        + " the old results are in that file";
                } else {
                    root = read;
                }
            }
            root.addProperty("learner", learner);
            root.addProperty("host", host);
            root.addProperty("updated", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            if (!root.has("labs")) root.add("labs", new JsonObject());
            root.getAsJsonObject("labs").add(lab.id, GSON.toJsonTree(Reports.summary(lab, results)));
            SafeFiles.replace(file, GSON.toJson(root) + "\n", SafeFiles.READABLE); // the guide and an instructor read it
            return note;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write progress file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file's object, or null if it is not one whose "labs" (when there) is an object: a hand edit, a truncation. */
    private static JsonObject parsed(String text) {
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) return null;
            JsonObject o = e.getAsJsonObject();
            return !o.has("labs") || o.get("labs").isJsonObject() ? o : null;
        } catch (RuntimeException corrupt) {
            return null;
        }
    }

    /** NAME.broken-20250102T030405Z, or with -2, -3... if that is taken. */
    private static Path asideName(Path file) {
        String stamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace("-", "").replace(":", "");
        Path aside = file.resolveSibling(file.getFileName() + ".broken-" + stamp);
        for (int n = 2; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); n++) {
            aside = file.resolveSibling(file.getFileName() + ".broken-" + stamp + "-" + n);
        }
        return aside;
    }
}
