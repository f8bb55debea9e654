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
import java.nio.file.StandardCopyOption;
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

    /** Writes this lab's latest results into the progress file (atomically; other labs' results are kept). */
    public static void record(Path file, Lab lab, List<Check.Result> results) {
        record(file, lab, results, learner(), Processes.hostname());
    }

    /** {@link #record(Path, Lab, List)} with the learner and host given (tests: no /proc/sys, no SUDO_USER). */
    static void record(Path file, Lab lab, List<Check.Result> results, String learner, String host) {
        try {
            JsonObject root = Files.exists(file) ? parseOrFresh(file) : new JsonObject();
            root.addProperty("learner", learner);
            root.addProperty("host", host);
            root.addProperty("updated", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            // "labs" that is not an object (hand-edited: null, a list) is started again too, as a corrupt file is
            if (!root.has("labs") || !root.get("labs").isJsonObject()) root.add("labs", new JsonObject());
            root.getAsJsonObject("labs").add(lab.id, GSON.toJsonTree(Reports.summary(lab, results)));
            if (file.getParent() != null) Files.createDirectories(file.getParent()); // UNBOXED_PROGRESS=progress.json
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, GSON.toJson(root) + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write progress file " + file, e);
        }
    }

    private static JsonObject parseOrFresh(Path file) throws IOException {
        try {
            // decoded leniently: invalid UTF-8 is a corrupt file like any other, not a reason to refuse to grade
            return JsonParser.parseString(new String(Files.readAllBytes(file), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException corrupt) {
            // a hand-edited or truncated file: start again rather than refuse to grade
            return new JsonObject();
        }
    }
}
