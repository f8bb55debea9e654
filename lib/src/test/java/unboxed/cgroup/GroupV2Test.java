package unboxed.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.sys.Wait;

/**
 * Group's v2 paths on a real cgroup2 tree, as root: this machine's (/sys/fs/cgroup on v2 hosts, /sys/fs/cgroup/unified
 * on hybrid ones, where no controller is enabled, so only the core files are there: cgroup.controllers,
 * cgroup.subtree_control, cgroup.procs, cgroup.kill). The controllers' own files are exercised by lab12 on v2 hosts.
 */
class GroupV2Test {
    static Path cgroup2() {
        for (Path p : List.of(Path.of("/sys/fs/cgroup/unified"), Path.of("/sys/fs/cgroup"))) {
            if (Files.exists(p.resolve("cgroup.controllers"))) return p;
        }
        throw new AssertionError("no cgroup2 tree at /sys/fs/cgroup or /sys/fs/cgroup/unified: this test needs one (kernel 4.5+, mounted)");
    }

    @Test
    void cgroupKillEndsEveryProcessInTheGroupAndBelowThenDestroyRemovesIt() throws Exception {
        Path root = cgroup2();
        // on a hybrid the unified tree offers no controller: name it under "cpu" to take Group's v2 paths
        Group g = Group.at("unboxed-test-kill", Map.of("cpu", new Cgroups.Root(Cgroups.Version.V2, root)));
        try {
            g.create();
            Group leaf = g.child("leaf");
            leaf.create();
            assertTrue(g.v2());
            assertTrue(Files.exists(leaf.dir("cpu").resolve("cgroup.kill")), "kernel 5.14+ has cgroup.kill");
            assertEquals(new java.util.HashSet<>(new CgroupDir(root).read("cgroup.subtree_control").isBlank() ? List.of()
                : List.of(new CgroupDir(root).read("cgroup.subtree_control").split(" "))), new java.util.HashSet<>(g.available()),
                "a group's cgroup.controllers is what its parent handed down");
            Process p = new ProcessBuilder("sh", "-c", leaf.joinLine("cpu") + " sleep 60 & sleep 60 & exec sleep 60").start();
            assertTrue(Wait.until(Duration.ofSeconds(5), () -> leaf.procs("cpu").size() == 3), leaf.procs("cpu").toString());
            g.kill(); // from the parent: cgroup.kill takes the whole subtree
            assertTrue(p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), "killed by SIGKILL");
            assertTrue(leaf.procs("cpu").isEmpty());
        } finally {
            g.destroy();
        }
        assertFalse(Files.exists(g.dir("cpu")));
    }
}
