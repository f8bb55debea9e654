package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.sys.Sys;

/**
 * Issue 20: `sudo ./jbang guide --record` gives what it wrote in the checkout back to the checkout's owner; a
 * symbolic link planted there (site/x -> a file of root's) must change owner itself, never its target.
 */
class GiveToOwnerTest {
    @TempDir
    Path tmp;

    static int uid(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void linksInTheCheckoutAreNotFollowed() throws Exception {
        assertTrue(Sys.isRoot(), "this test changes owners (chown): run the suite as root");
        Path rootsFile = Files.writeString(tmp.resolve("roots-secret"), "root only\n"); // outside the checkout
        Path rootsDir = Files.createDirectory(tmp.resolve("roots-dir"));
        Path inDir = Files.writeString(rootsDir.resolve("inside"), "root only\n");
        Path checkout = Files.createDirectory(tmp.resolve("checkout"));
        Path site = Files.createDirectory(checkout.resolve("site"));
        Path page = Files.writeString(site.resolve("index.html"), "<p>hi</p>\n");
        Path fileLink = Files.createSymbolicLink(site.resolve("evil"), rootsFile);
        Path dirLink = Files.createSymbolicLink(site.resolve("evil-dir"), rootsDir);
        Path topLink = Files.createSymbolicLink(checkout.resolve("site-link"), rootsFile);
        Files.setOwner(checkout, checkout.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        int nobody = uid(checkout);

        GuideCli.giveToOwner(checkout, site);
        GuideCli.giveToOwner(checkout, topLink); // what was written is itself a link

        assertEquals(nobody, uid(site));
        assertEquals(nobody, uid(page));
        assertEquals(nobody, uid(fileLink), "the link itself changes owner (lchown)");
        assertEquals(nobody, uid(dirLink));
        assertEquals(nobody, uid(topLink));
        assertEquals(0, uid(rootsFile), "the target of a planted link keeps its owner");
        assertEquals(0, uid(rootsDir));
        assertEquals(0, uid(inDir), "nothing is changed through a link to a directory");
    }
}
