package unboxed.site;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Generated files kept in the repository (site/, labs/completion, labs/man): what a fresh build writes, compared file by
 * file with the committed copy, so a test can say which files are stale and which command makes them current.
 */
final class Generated {
    private Generated() {}

    /**
     * The files under committed that differ from those under built, are missing from committed, or (with extrasCount)
     * are in committed but no longer built; as paths relative to the checkout, each with what is wrong.
     */
    static List<String> stale(Path built, Path committed, boolean extrasCount) throws IOException {
        Set<String> made = files(built), kept = Files.isDirectory(committed) ? files(committed) : Set.of();
        List<String> stale = new ArrayList<>();
        for (String f : made) {
            Path c = committed.resolve(f);
            if (!kept.contains(f)) stale.add(GuideRenderTest.ROOT.relativize(c) + " (missing)");
            else if (!Arrays.equals(Files.readAllBytes(c), Files.readAllBytes(built.resolve(f)))) {
                stale.add(GuideRenderTest.ROOT.relativize(c) + " (differs)");
            }
        }
        if (extrasCount) {
            for (String f : kept) if (!made.contains(f)) stale.add(GuideRenderTest.ROOT.relativize(committed.resolve(f)) + " (no longer made)");
        }
        return stale;
    }

    private static Set<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString())
                .collect(TreeSet::new, Set::add, Set::addAll);
        }
    }
}
