package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * site/ is kept in the repository, so a learner opens site/index.html straight from a clone (or a forge serves it)
 * without building anything. The copy must be what ./jbang guide writes today from labs/, templates/ and the stored
 * transcripts: every file byte for byte, none missing, none left over from a lab or page that is gone.
 */
class CommittedSiteTest {
    @Test
    void theCommittedSiteIsWhatTheGuideBuildsToday() throws IOException {
        Path tmp = GuideRenderTest.builtSite("committed-site");
        try {
            List<String> stale = Generated.stale(tmp.resolve("site"), GuideRenderTest.ROOT.resolve("site"), true);
            assertEquals(List.of(), stale, "site/ is stale: run ./jbang guide and commit site/");
        } finally {
            GuideRenderTest.deleteTree(tmp);
        }
    }
}
