package unboxed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The files a lab writes into the learner's checkout (lab13's run writes the skeleton labs/lab13/MyRuntime.java, its
 * solve the reference, with the learner's copy saved as MyRuntime.java.saved) are the learner's: reset leaves them.
 * So any test class that runs such a lab (its own test, the contract, the guide's recording) would leave them in this
 * checkout, and the next class (or the next recording) would start from another state. Registered for every test
 * class (META-INF/services), this notes before each class which of them exist and with what in them, and after it
 * puts them back as they were: removed where they were not there (and labs/lab13 with them if it was not), their
 * content back where it changed.
 */
public final class CheckoutFiles implements BeforeAllCallback, AfterAllCallback {
    /** The learner's files in the checkout, from its root. */
    static final List<String> FILES = List.of("labs/lab13/MyRuntime.java", "labs/lab13/MyRuntime.java.saved");
    static final String DIR = "labs/lab13";

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(CheckoutFiles.class);

    /** What was there: each file's bytes (null: absent), and whether the folder was. */
    record Before(Map<Path, byte[]> files, boolean dir) {}

    @Override
    public void beforeAll(ExtensionContext context) {
        Path root = checkout();
        if (root == null) return;
        Map<Path, byte[]> files = new LinkedHashMap<>();
        for (String f : FILES) files.put(root.resolve(f), read(root.resolve(f)));
        context.getStore(NS).put("before", new Before(files, Files.isDirectory(root.resolve(DIR), LinkOption.NOFOLLOW_LINKS)));
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        Before b = context.getStore(NS).get("before", Before.class);
        if (b == null) return;
        for (var e : b.files().entrySet()) {
            byte[] now = read(e.getKey());
            if (e.getValue() == null) {
                Files.deleteIfExists(e.getKey());
            } else if (now == null || !java.util.Arrays.equals(now, e.getValue())) {
                Files.createDirectories(e.getKey().getParent());
                Files.write(e.getKey(), e.getValue());
            }
        }
        Path dir = checkout().resolve(DIR);
        if (!b.dir() && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.list(dir)) {
                if (s.findAny().isEmpty()) Files.delete(dir);
            }
        }
    }

    /** The checkout the tests run in: the folder with jbang-catalog.json and labs/, from the working directory up. */
    static Path checkout() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("jbang-catalog.json")) && Files.isDirectory(p.resolve("labs"))) return p;
        }
        return null;
    }

    private static byte[] read(Path f) {
        try {
            return Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) ? Files.readAllBytes(f) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
