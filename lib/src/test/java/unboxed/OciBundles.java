package unboxed;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import unboxed.ns.Rootfs;
import unboxed.sys.Cmd;

/** The runtime's tests' bundles: a temporary folder with bundle/rootfs, lib's busybox root; runc must be there. */
final class OciBundles {
    private OciBundles() {}

    /** A new TMP/PREFIX.../bundle with its rootfs (no config.json yet: `runc spec` writes it); fails if runc is missing. */
    static Path make(String prefix) throws Exception {
        if (!Cmd.has("runc")) fail("runc is not installed: " + Cmd.installHint("runc") + " (Debian's docker.io brings it)");
        Path bundle = Files.createTempDirectory(prefix).resolve("bundle");
        Files.createDirectories(bundle);
        Rootfs.copyTo(Rootfs.ready(s -> { }), bundle.resolve("rootfs"));
        return bundle;
    }
}
