package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import unboxed.ns.Rootfs;
import unboxed.sys.Cmd;

/** unboxed.ns.Rootfs for real, as root: both ways of building, chroot into the result, the cache's life cycle. */
class RootfsTest {
    Path work;

    @BeforeEach
    void folder() throws Exception {
        work = Files.createTempDirectory("unboxed-rootfs-test");
    }

    @AfterEach
    void removeFolder() {
        Cmd.run("rm", "-rf", "--one-file-system", work.toString());
    }

    static Cmd.Result inChroot(Path root, String script) {
        return Cmd.run(List.of("env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "chroot", root.toString(), "/bin/sh", "-c", script), 30);
    }

    @Test
    void fromHostProgramsGivesAShellAndToolsThatNeedNothingOutside() throws Exception {
        Path root = work.resolve("r");
        List<String> said = new ArrayList<>();
        Rootfs.build(root, null, said::add);
        assertTrue(Rootfs.isReady(root));
        assertEquals("host programs", Rootfs.origin(root));
        Cmd.Result r = inChroot(root, "ls /; echo hi | cat; hostname >/dev/null 2>&1; mkdir /tmp/x && echo made");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("bin\n") && r.out().contains("proc\n") && r.out().contains("hi\nmade"), r.out());
        assertFalse(r.out().contains("var\n"), "the host's /var leaked in: " + r.out());
        // procps's ps without /proc: the article's error
        assertTrue(inChroot(root, "ps").err().contains("mount -t proc proc /proc"));
        assertTrue(said.stream().anyMatch(l -> l.contains("/bin/ls")), said.toString());
    }

    @Test
    void fromBusyboxGivesAppletLinks() throws Exception {
        assertTrue(Files.isExecutable(Rootfs.BUSYBOX), "needs busybox-static: sudo apt-get install busybox-static");
        Path root = work.resolve("r");
        Rootfs.build(root, Rootfs.BUSYBOX, l -> {});
        assertTrue(Rootfs.origin(root).startsWith("BusyBox v"), Rootfs.origin(root));
        assertEquals(Path.of("/bin/busybox"), Files.readSymbolicLink(root.resolve("bin/ls")));
        assertFalse(Files.exists(root.resolve("linuxrc")));
        Cmd.Result r = inChroot(root, "ls /; ps; echo ps=$?");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("etc\n") && r.out().contains("ps=0"), r.out());
    }

    @Test
    void installCopiesAProgramWithTheLibrariesLddListsAtTheirPaths() throws Exception {
        Path root = work.resolve("tiny");
        List<String> copied = Rootfs.install(root, Path.of("/bin/sh"));
        assertEquals("/bin/sh", copied.get(0));
        assertTrue(copied.stream().anyMatch(p -> p.contains("libc.so")), copied.toString());
        assertTrue(copied.stream().anyMatch(p -> p.contains("ld-linux")), copied.toString());
        for (String p : copied) assertTrue(Files.isRegularFile(root.resolve(p.substring(1))), p);
        Cmd.Result r = inChroot(root, "echo inside; ls");
        assertTrue(r.out().contains("inside"), r.out() + r.err());
        assertTrue(r.err().contains("ls: not found"), r.err());
        assertTrue(Rootfs.libraries(Rootfs.BUSYBOX).isEmpty(), "busybox-static is static");
    }

    @Test
    void readyBuildsOnceThenReusesAndClearsWhatACrashedBuildLeft() throws Exception {
        Path cache = work.resolve("rootfs");
        // a build killed mid-way: its pid (far above pid_max) is gone
        Path crashed = work.resolve(".rootfs-build-99999999");
        Files.createDirectories(crashed.resolve("bin"));
        List<String> said = new ArrayList<>();
        assertEquals(cache, Rootfs.ready(cache, null, said::add));
        assertTrue(Rootfs.isReady(cache));
        assertFalse(Files.exists(crashed));
        assertTrue(said.get(0).contains("once"), said.toString());
        long built = Files.getLastModifiedTime(cache.resolve(Rootfs.STAMP)).toMillis();
        said.clear();
        assertEquals(cache, Rootfs.ready(cache, Rootfs.BUSYBOX, said::add));
        assertTrue(said.isEmpty(), "a ready cache is reused silently: " + said);
        assertEquals(built, Files.getLastModifiedTime(cache.resolve(Rootfs.STAMP)).toMillis());
        try (var s = Files.list(work)) {
            assertEquals(List.of(cache), s.toList(), "only the cache is left beside it");
        }
        // an unusable one (no stamp) is replaced
        Files.delete(cache.resolve(Rootfs.STAMP));
        Rootfs.ready(cache, null, said::add);
        assertTrue(Rootfs.isReady(cache));
        try (var s = Files.list(work)) {
            assertEquals(List.of(cache), s.toList());
        }
    }

    @Test
    void copyToGivesAnIndependentCopy() throws Exception {
        Path root = work.resolve("r");
        Rootfs.build(root, null, l -> {});
        Path copy = work.resolve("copy");
        Rootfs.copyTo(root, copy);
        assertTrue(Rootfs.isReady(copy));
        Files.createDirectory(copy.resolve("mine"));
        assertFalse(Files.exists(root.resolve("mine")));
    }
}
