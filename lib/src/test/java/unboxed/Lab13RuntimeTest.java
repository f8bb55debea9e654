package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabSession.fail;
import static unboxed.LabSession.passes;
import static unboxed.LabSession.row;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import unboxed.cgroup.Cgroups;
import unboxed.lab.Lab;
import unboxed.oci.Container;

/**
 * lab13's own behaviour, as root on this kernel: the learner's runtime (labs/lab13/MyRuntime.java in this checkout) as
 * the skeleton, the reference, the reference with one piece taken out, another correct runtime, and runtimes that do
 * not compile, throw or hang. The checkout's own labs/lab13 is put aside while the test runs, and back after.
 */
class Lab13RuntimeTest {
    static final Lab LAB = LabHarness.lab("Lab13Runtime");
    static final Path DIR = Path.of("labs/lab13").toAbsolutePath(), FILE = DIR.resolve("MyRuntime.java");
    static Path aside, alternativeDir;

    @RegisterExtension
    static final LabSession S = new LabSession(LAB).settleWithin(10)
        .tidy(() -> LabHarness.sh("rm -f " + FILE + " " + FILE + ".saved"))
        .afterReset(() -> {
            assertFalse(Files.exists(Container.STATE.resolve("lab13-check")), "the check's container is gone");
            for (String c : List.of("memory", "pids", "cpu")) {
                assertFalse(Files.exists(Cgroups.rootOf(c).dir().resolve(Container.cgroupName("lab13-check"))), c + " group");
            }
        });

    @BeforeAll
    static void putTheCheckoutsAside() throws Exception {
        LabHarness.assertToolsPresent("runc", "sed", "bash");
        if (Files.exists(DIR)) {
            aside = Files.createTempDirectory("unboxed-lab13-aside");
            LabHarness.sh("cp -a " + DIR + "/. " + aside + "/ && rm -rf " + DIR);
        }
    }

    @AfterAll
    static void putItBack() {
        LabHarness.sh("rm -rf " + DIR);
        if (aside != null) LabHarness.sh("mkdir -p " + DIR + " && cp -a " + aside + "/. " + DIR + "/ && rm -rf " + aside);
        if (alternativeDir != null) LabHarness.sh("rm -rf " + alternativeDir);
    }

    static final String REFERENCE = "./jbang lab13 reference >/dev/null";

    /** The reference with one piece's body taken out (between its begin and end markers). */
    static String without(String piece) {
        return REFERENCE + " && sed -i '/" + piece + ": begin/,/" + piece + ": end/d' " + FILE;
    }

    /** Everything fails with the trial's reason (nothing was started). */
    static LabSession.Fail[] allFail(String why) {
        return Stream.of("runs", "namespaces", "root", "masked", "hostname", "limits", "cpu", "join", "capabilities", "nnp",
            "seccomp", "exit").map(c -> fail(c, why)).toArray(LabSession.Fail[]::new);
    }

    @TestFactory
    Stream<DynamicTest> statesAndVerdicts() throws Exception {
        alternativeDir = Files.createTempDirectory("unboxed-lab13-alt");
        Path alternative = alternativeDir.resolve("MyRuntime.java");
        Files.writeString(alternative, ALTERNATIVE);
        return S.rows(
            row("fresh state: no runtime", "", allFail("there is no labs/lab13/MyRuntime.java")),
            row("the skeleton untouched", "./jbang lab13 skeleton >/dev/null",
                fail("namespaces", "shares the host's", "labs 02, 03, 04, 10"), fail("root", "(labs 01, 02, 09)"),
                fail("masked", "not the bundle's rootfs", "(lab02)"), fail("hostname", "host's uts namespace", "(lab03)"),
                fail("limits", "not 67108864", "labs 06, 12"), fail("cpu", "say no limit, not 50000 100000", "lab12"),
                fail("join", "is not in memory, pids, cpu group"),
                fail("capabilities", "CapBnd", "too many", "lab08"), fail("nnp", "NoNewPrivs is 0"),
                fail("seccomp", "Seccomp: 0")),
            passes("the reference", REFERENCE),
            row("no limits", without("limits"), fail("limits", "not 67108864", "not 32"), fail("cpu", "say no limit")),
            row("memory and pids but no cpu limit", REFERENCE + " && sed -i '/g.setCpuMax(l.cpuQuota(), l.cpuPeriod());/d' " + FILE,
                fail("cpu", "say no limit, not 50000 100000", "Group.setCpuMax: lab12")),
            row("no namespaces", without("namespaces"), fail("namespaces", "shares the host's pid, network, ipc, uts, mount"),
                fail("root", "is not /var/lib/unboxed/lab13-check/bundle/rootfs"), fail("masked"), fail("hostname", "host's uts")),
            row("no root", without("root"), fail("root", "is not /var/lib/unboxed/lab13-check/bundle/rootfs"), fail("masked", "not the bundle's rootfs")),
            row("chroot instead of pivot_root", REFERENCE + " && sed -i -e 's|Sys.pivotRoot(\".\", \".\");|Sys.chroot(\".\");|' "
                + "-e '/Sys.umount2(\".\", LibC.MNT_DETACH);/d' " + FILE,
                fail("root", "a chroot, not pivot_root")),
            row("no hostname", without("hostname"), fail("hostname", "is called", "the bundle says lab13-box")),
            row("no join", without("join"), fail("join", "is not in memory, pids, cpu group unboxed-box-lab13-check")),
            // lib's Seccomp.installOnThisThread sets no_new_privs itself (seccomp(2): without CAP_SYS_ADMIN it must be set)
            row("no privileges", without("privileges"), fail("capabilities", "CapEff", "too many")),
            row("no seccomp", without("seccomp"), fail("seccomp", "Seccomp: 0")),
            passes("another correct runtime: one unshare a type, the cpu files and cgroup.procs by hand, the bounding set by name",
                "mkdir -p " + DIR + " && cp " + alternative + " " + FILE),
            row("a runtime that does not compile", "mkdir -p " + DIR + " && echo 'class MyRuntime {' > " + FILE,
                allFail("does not compile")),
            row("a piece that throws", REFERENCE + " && sed -i 's|// seccomp: begin|if (true) throw new "
                + "IllegalStateException(\"not yet\");|' " + FILE, allFail("failed in piece seccomp: IllegalStateException: not yet")));
    }

    /** A runtime that hangs is stopped after the time bound (shortened here), and leaves nothing behind. */
    @Test
    void aRuntimeThatHangsIsStopped() throws Exception {
        LabHarness.sh(REFERENCE + " && sed -i 's|// hostname: begin|Thread.sleep(Long.MAX_VALUE);|' " + FILE);
        System.setProperty("unboxed.lab13.start", "10");
        try {
            var r = LabHarness.checkById(LAB);
            LabHarness.assertReason(r, "runs", "did not start the program within 10 s");
        } finally {
            System.clearProperty("unboxed.lab13.start");
        }
        assertTrue(unboxed.ns.Processes.withArgv0("sleep").stream().noneMatch(p ->
            unboxed.ns.Processes.env(p, "UNBOXED_TAG").orElse("").equals("box-lab13-check")), "the probe's processes are gone");
    }

    /** solve saves the learner's copy, and reset puts it back: their work stays theirs. */
    @Test
    void solveSavesTheLearnersCopyAndResetPutsItBack() throws Exception {
        Files.createDirectories(DIR);
        Files.writeString(FILE, "// mine\n");
        LabHarness.succeeds(LAB, "solve");
        assertEquals("// mine\n", Files.readString(DIR.resolve("MyRuntime.java.saved")));
        assertTrue(Files.readString(FILE).contains("implements Pieces"));
        LabHarness.succeeds(LAB, "reset");
        assertEquals("// mine\n", Files.readString(FILE), "reset put the learner's copy back");
    }

    /** The skeleton the lab writes goes at reset while untouched (the checkout as it was); once changed, it is the learner's. */
    @Test
    void resetRemovesAnUntouchedSkeletonAndKeepsAChangedOne() throws Exception {
        LabHarness.sh("rm -rf " + DIR);
        LabHarness.succeeds(LAB, "skeleton");
        assertTrue(Files.readString(FILE).contains("implements Pieces"), "skeleton written");
        LabHarness.succeeds(LAB, "reset");
        assertFalse(Files.exists(DIR), "reset removed the untouched skeleton and the folder the lab made");

        LabHarness.succeeds(LAB, "skeleton");
        Files.writeString(FILE, Files.readString(FILE) + "// mine\n");
        LabHarness.succeeds(LAB, "reset");
        assertTrue(Files.readString(FILE).endsWith("// mine\n"), "reset kept the skeleton the learner changed");
    }

    /** Another correct runtime: other lib calls, another order where the order is free. */
    static final String ALTERNATIVE = """
        import java.nio.file.*;
        import java.util.*;
        import unboxed.cgroup.*;
        import unboxed.oci.*;
        import unboxed.sys.*;

        class MyRuntime implements Pieces {
            public void limits(Bundle b, Group g) throws Exception {
                g.setPidsMax(b.linux().limits().pids());
                Files.writeString(g.dir("memory").resolve(g.version("memory") == Cgroups.Version.V2 ? "memory.max"
                    : "memory.limit_in_bytes"), Long.toString(b.linux().limits().memory()));
                Bundle.Limits l = b.linux().limits();
                Path cpu = g.dir("cpu");
                if (g.version("cpu") == Cgroups.Version.V2) {
                    Files.writeString(cpu.resolve("cpu.max"), l.cpuQuota() + " " + l.cpuPeriod());
                } else {
                    Files.writeString(cpu.resolve("cpu.cfs_period_us"), Long.toString(l.cpuPeriod()));
                    Files.writeString(cpu.resolve("cpu.cfs_quota_us"), Long.toString(l.cpuQuota()));
                }
            }

            public void namespaces(Bundle b) throws Exception {
                for (Bundle.Namespace n : b.linux().namespaces()) Sys.unshare(Bundle.NAMESPACES.get(n.type()).flag);
            }

            public void root(Bundle b) throws Exception {
                String root = b.rootfs().toString();
                Sys.mount("none", "/", null, LibC.MS_PRIVATE | LibC.MS_REC, null);
                Sys.mount(root, root, null, LibC.MS_BIND | LibC.MS_REC, null);
                Container.mountAll(b, root, s -> { });
                for (String p : b.linux().maskedPaths()) {
                    Path at = Path.of(root + p);
                    if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) continue;
                    if (Files.isDirectory(at)) Sys.mount("tmpfs", at.toString(), "tmpfs", LibC.MS_RDONLY, null);
                    else Sys.mount("/dev/null", at.toString(), null, LibC.MS_BIND, null);
                }
                Files.createDirectories(Path.of(root, "old-root"));
                Sys.pivotRoot(root, root + "/old-root");
                Sys.chdir("/");
                Sys.umount2("/old-root", LibC.MNT_DETACH);
            }

            public void hostname(Bundle b) throws Exception {
                Sys.sethostname(b.hostname());
            }

            public void join(Group g, long pid) throws Exception {
                for (Path d : g.dirs()) Files.writeString(d.resolve("cgroup.procs"), Long.toString(pid));
            }

            public void privileges(Bundle b) throws Exception {
                Bundle.Caps c = b.process().capabilities();
                Seccomp.noNewPrivsOnThisThread();
                Capabilities.dropBoundingOnThisThread(Capabilities.mask(c.bounding().toArray(String[]::new)));
                long set = Capabilities.mask(c.permitted().toArray(String[]::new));
                Capabilities.setSetsOnThisThread(set, set, 0, 0);
            }

            public void seccomp(Bundle b) throws Exception {
                Seccomp.installOnThisThread(b.linux().seccomp().filter());
            }
        }
        """;
}
