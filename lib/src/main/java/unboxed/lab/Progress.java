package unboxed.lab;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import unboxed.ns.Processes;

/**
 * The learner's results, one file per machine: /var/lib/unboxed/progress.json, updated by every `check`.
 * An instructor collects these files into a folder and builds the class view from them.
 */
public final class Progress {
    private Progress() {}

    public static final Path FILE = Path.of("/var/lib/unboxed/progress.json");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** Who is learning: the user behind sudo, not root. */
    public static String learner() {
        String u = System.getenv("SUDO_USER");
        if (u == null || u.isBlank()) u = System.getProperty("user.name");
        return u;
    }

    /** Writes this lab's latest results into the progress file (atomically; other labs' results are kept). */
    public static void record(Path file, Lab lab, List<Check.Result> results) {
        try {
            JsonObject root = Files.exists(file) ? parseOrFresh(file) : new JsonObject();
            root.addProperty("learner", learner());
            root.addProperty("host", Processes.hostname());
            root.addProperty("updated", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            if (!root.has("labs")) root.add("labs", new JsonObject());
            root.getAsJsonObject("labs").add(lab.id, GSON.toJsonTree(Reports.summary(lab, results)));
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, GSON.toJson(root) + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write progress file " + file, e);
        }
    }

    private static JsonObject parseOrFresh(Path file) throws IOException {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (RuntimeException corrupt) {
            // a hand-edited or truncated file: start again rather than refuse to grade
            return new JsonObject();
        }
    }
}
