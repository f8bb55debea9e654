package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import unboxed.cgroup.CgroupDir;
import unboxed.cgroup.Cgroups;
import unboxed.lab.Leftovers;
import unboxed.ns.Mounts;
import unboxed.ns.Processes;
import unboxed.oci.BoxCli;
import unboxed.oci.Bundle;
import unboxed.oci.Container;
import unboxed.oci.Probe;
import unboxed.sys.Cmd;
import unboxed.sys.Wait;

/**
 * The runtime (unboxed.oci) against runc: the same bundle, made by `runc spec` (terminal false, a probe as its args),
 * run by `runc run` and by Container.run; a busybox script inside reports what it sees, and both reports must match
 * field by field (namespace ids are compared as new or the host's, not by number). Then a refusal, and a SIGKILL of the
 * runtime followed by `box delete`. Real kernel, as root, under the kernel lock.
 */
class BoxRuncTest {
    static Path dir;
    static Path bundle;

    @BeforeAll
    static void bundle() throws Exception {
        bundle = OciBundles.withProbe("unboxed-box-test");
        dir = bundle.getParent();
        Cmd.run("runc", "spec", "--bundle", bundle.toString()).orThrow();
    }

    @AfterAll
    static void remove() {
        if (dir != null) LabHarness.sh("rm -rf " + dir);
    }

    /** runc spec's config.json, terminal false and the probe as its args, then the given edit. */
    static void config(Consumer<JsonObject> edit) throws Exception {
        config(false, edit);
    }

    /** As {@link #config(Consumer)}, from `runc spec --rootless` if rootless (a user namespace, ids 0 to 0, size 1). */
    static void config(boolean rootless, Consumer<JsonObject> edit) throws Exception {
        OciBundles.spec(bundle, rootless, edit);
    }

    static Map<String, String> runc(String id) {
        return OciBundles.runcView(bundle, id);
    }

    static Map<String, String> box(String id) throws Exception {
        return OciBundles.boxView(bundle, id, new java.util.ArrayList<>());
    }

    static Map<String, String> view(String text) {
        return OciBundles.view(text);
    }

    static void sameView(Map<String, String> runc, Map<String, String> box) {
        assertTrue(runc.size() > 20, "the probe printed too little under runc: " + runc);
        assertEquals(runc.keySet(), box.keySet(), "the probe's fields");
        assertEquals("", String.join("", Probe.differences(runc, box).stream().map(d -> "\n  " + d).toList()),
            "what the process sees differs:");
    }

    @Test
    void runcSpecsBundleLooksTheSameFromInside() throws Exception {
        config(o -> { });
        Map<String, String> runc = runc("unboxed-test-runc"), box = box("unboxed-test-box");
        sameView(runc, box);
        // and what the comparison stands on
        assertEquals("runc", box.get("hostname"));
        assertEquals("new", box.get("ns.pid"));
        assertEquals("the host's", box.get("ns.cgroup"));
        assertEquals("1", box.get("pid"));
        assertEquals("1", box.get("NoNewPrivs"));
        assertEquals("0000000020000420", box.get("CapBnd"));
        assertTrue(box.get("root").startsWith(bundle.resolve("rootfs") + " / ro"), box.get("root"));
        assertEquals("Read-only file system", box.get("readonly.root"));
        assertNothingLeft("unboxed-test-box");
    }

    /**
     * runc spec's device rules as a cgroup v2 device program (--devices bpf; on a v2-only machine the default), as runc
     * does on v2: the process inside sees the same (its default devices usable), the runtime attached a program to
     * the container's v2 group, and the program is gone with the container.
     */
    @Test
    void runcSpecsDeviceRulesAsAV2ProgramLookTheSameFromInside() throws Exception {
        config(o -> { });
        String id = "unboxed-test-bpf";
        Path out = dir.resolve("box-output");
        List<String> log = new java.util.ArrayList<>();
        int exit = Container.run(Bundle.read(bundle), id, new Container.Io(out), Container.Devices.BPF, log::add);
        String text = Files.readString(out);
        assertEquals(7, exit, "box run --devices bpf: " + text);
        sameView(runc("unboxed-test-runc"), view(text));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("BPF_CGROUP_DEVICE\\): program (\\d+)")
            .matcher(String.join("\n", log));
        assertTrue(m.find(), "the runtime says it attached a device program: " + log);
        int program = Integer.parseInt(m.group(1));
        assertTrue(Wait.until(Duration.ofSeconds(10), () -> !unboxed.sys.Bpf.loaded(program)),
            "device program " + program + " gone with the container");
        assertNothingLeft(id);
    }

    /**
     * runc spec --rootless's bundle (a user namespace, uid and gid 0 mapped to the host's 0, size 1; no network
     * namespace; /sys bound), run as root: the runtime's init JVM, born in the user namespace, makes the same container.
     */
    @Test
    void aUserNamespaceAsRuncSpecRootlessWritesLooksTheSameFromInside() throws Exception {
        config(true, o -> { });
        List<String> log = new java.util.ArrayList<>();
        Map<String, String> runc = runc("unboxed-test-runc"), box = boxLogged("unboxed-test-userns", log);
        sameView(runc, box);
        assertEquals("new", box.get("ns.user"));
        assertEquals("0 0 1;", box.get("uid_map"));
        assertEquals("0 0 1;", box.get("gid_map"));
        assertTrue(log.stream().anyMatch(l -> l.matches("echo '0 0 1' > /proc/\\d+/uid_map")), String.join("\n", log));
        assertNothingLeft("unboxed-test-userns");
    }

    /**
     * A wider mapping (the container's 0-65535 are the host's 100000-165535), another user of the container, limits
     * held for by the parent (a pids group and an rlimit): the same view as runc's, the root file system's owner the
     * overflow id (the host's root is not mapped).
     */
    @Test
    void aWiderUserNamespaceMappingWithLimitsLooksTheSameFromInside() throws Exception {
        Cmd.run("chmod", "755", dir.toString()).orThrow(); // the bundle reachable by the host's 100000 (runc's init too)
        config(true, o -> {
            JsonObject l = o.getAsJsonObject("linux");
            for (String k : List.of("uidMappings", "gidMappings")) {
                JsonObject m = new JsonObject();
                m.addProperty("containerID", 0);
                m.addProperty("hostID", 100000);
                m.addProperty("size", 65536);
                JsonArray a = new JsonArray();
                a.add(m);
                l.add(k, a);
            }
            JsonObject pids = new JsonObject();
            pids.addProperty("limit", 42);
            JsonObject res = new JsonObject();
            res.add("pids", pids);
            l.add("resources", res);
            JsonObject p = o.getAsJsonObject("process");
            p.getAsJsonObject("user").addProperty("uid", 1000);
            p.getAsJsonObject("user").addProperty("gid", 1000);
            p.addProperty("cwd", "/tmp");
            JsonArray env = p.getAsJsonArray("env");
            env.add("PROBE_CGROUP=1");
        });
        List<String> log = new java.util.ArrayList<>();
        Map<String, String> runc = runc("unboxed-test-runc"), box = boxLogged("unboxed-test-userns-wide", log);
        sameView(runc, box);
        assertEquals("0 100000 65536;", box.get("uid_map"));
        assertEquals("65534:65534", box.get("owner.root"));
        assertTrue(box.get("id").startsWith("uid=1000 gid=1000"), box.get("id"));
        assertEquals("42", box.get("cgroup.pids"));
        assertNothingLeft("unboxed-test-userns-wide");
    }

    static Map<String, String> boxLogged(String id, List<String> log) throws Exception {
        return OciBundles.boxView(bundle, id, log);
    }

    @Test
    void anotherUserCapsAndCwdLookTheSameFromInside() throws Exception {
        config(o -> {
            JsonObject p = o.getAsJsonObject("process");
            JsonObject user = new JsonObject();
            user.addProperty("uid", 1000);
            user.addProperty("gid", 1000);
            JsonArray groups = new JsonArray();
            groups.add(5);
            groups.add(100);
            user.add("additionalGids", groups);
            p.add("user", user);
            p.addProperty("cwd", "/tmp");
            p.addProperty("noNewPrivileges", false);
            // limits of its own, lowered for a program that is not root (set before its execve, as runc's init does)
            JsonObject nofile = new JsonObject();
            nofile.addProperty("type", "RLIMIT_NOFILE");
            nofile.addProperty("hard", 768);
            nofile.addProperty("soft", 512);
            JsonArray rlimits = new JsonArray();
            rlimits.add(nofile);
            p.add("rlimits", rlimits);
            JsonObject caps = p.getAsJsonObject("capabilities");
            for (String set : List.of("bounding", "permitted", "inheritable", "effective", "ambient")) {
                JsonArray a = new JsonArray();
                a.add("CAP_NET_RAW");
                a.add("CAP_CHOWN");
                if (set.equals("bounding")) a.add("CAP_SYS_ADMIN");
                caps.add(set, a);
            }
            o.getAsJsonObject("root").addProperty("readonly", false);
            o.addProperty("hostname", "other");
            JsonObject cgroup = new JsonObject();
            cgroup.addProperty("type", "cgroup");
            o.getAsJsonObject("linux").getAsJsonArray("namespaces").add(cgroup);
        });
        Map<String, String> runc = runc("unboxed-test-runc2"), box = box("unboxed-test-box2");
        try {
            sameView(runc, box);
        } finally {
            Files.deleteIfExists(bundle.resolve("rootfs/probe-was-here"));
        }
        assertEquals("uid=1000 gid=1000 groups=5,100", box.get("id"));
        assertEquals("new", box.get("ns.cgroup"));
        assertEquals("/tmp", box.get("cwd"));
        assertEquals("Max open files 512 768 files", box.get("limits.nofile"));
        assertFalse(box.get("CapAmb").equals("0000000000000000"), "ambient capabilities reach a non-root program: " + box);
    }

    @Test
    void memoryPidsAndCpuLimitsLookTheSameFromInside() throws Exception {
        config(o -> {
            JsonArray env = o.getAsJsonObject("process").getAsJsonArray("env");
            env.add("PROBE_CGROUP=1");
            JsonObject res = o.getAsJsonObject("linux").getAsJsonObject("resources");
            JsonObject memory = new JsonObject();
            memory.addProperty("limit", 64L << 20);
            res.add("memory", memory);
            JsonObject pids = new JsonObject();
            pids.addProperty("limit", 42);
            res.add("pids", pids);
            JsonObject cpu = new JsonObject();
            cpu.addProperty("quota", 50_000);
            cpu.addProperty("period", 100_000);
            res.add("cpu", cpu);
        });
        Map<String, String> runc = runc("unboxed-test-runc3"), box = box("unboxed-test-box3");
        sameView(runc, box);
        assertEquals(Long.toString(64L << 20), box.get("cgroup.memory"));
        assertEquals("42", box.get("cgroup.pids"));
        assertTrue(box.get("cgroup.cpu").matches("50000 100000"), box.get("cgroup.cpu"));
        assertEquals("1", box.get("cgroup.procs"), "the program alone in its group (the runtime's thread is not)");
        assertNothingLeft("unboxed-test-box3");
    }

    @Test
    void aSeccompProfileActsTheSameInside() throws Exception {
        config(o -> {
            o.getAsJsonObject("process").getAsJsonArray("env").add("PROBE_SECCOMP=1");
            JsonObject seccomp = new JsonObject();
            seccomp.addProperty("defaultAction", "SCMP_ACT_ALLOW");
            JsonArray architectures = new JsonArray();
            architectures.add("SCMP_ARCH_X86_64");
            architectures.add("SCMP_ARCH_AARCH64");
            seccomp.add("architectures", architectures);
            JsonArray rules = new JsonArray();
            rules.add(rule(13, "mkdir", "mkdirat")); // EACCES where the read-only root would say EROFS
            rules.add(rule(null, "rmdir")); // EPERM, errnoRet's default, where the kernel would say ENOENT
            seccomp.add("syscalls", rules);
            o.getAsJsonObject("linux").add("seccomp", seccomp);
        });
        Map<String, String> runc = runc("unboxed-test-runc4"), box = box("unboxed-test-box4");
        sameView(runc, box);
        assertEquals("2", box.get("Seccomp"));
        assertEquals("Permission denied", box.get("seccomp.mkdir"));
        assertEquals("Operation not permitted", box.get("seccomp.rmdir"));
        assertNothingLeft("unboxed-test-box4");
    }

    private static JsonObject rule(Integer errno, String... names) {
        JsonObject r = new JsonObject();
        JsonArray n = new JsonArray();
        for (String name : names) n.add(name);
        r.add("names", n);
        r.addProperty("action", "SCMP_ACT_ERRNO");
        if (errno != null) r.addProperty("errnoRet", errno);
        return r;
    }

    @Test
    void aLimitAboveTheHardOneIsSetOrRefusedAsRuncDoesBeforeTheProgramRuns() throws Exception {
        long hard = Files.readAllLines(Path.of("/proc/self/limits")).stream().filter(l -> l.startsWith("Max open files"))
            .map(l -> Long.parseLong(l.trim().split("\\s+")[4])).findFirst().orElseThrow();
        config(o -> {
            JsonObject p = o.getAsJsonObject("process");
            JsonObject user = new JsonObject();
            user.addProperty("uid", 1000);
            user.addProperty("gid", 1000);
            p.add("user", user);
            JsonObject nofile = new JsonObject();
            nofile.addProperty("type", "RLIMIT_NOFILE");
            nofile.addProperty("hard", hard + 1); // raising a hard limit needs CAP_SYS_RESOURCE (setrlimit(2))
            nofile.addProperty("soft", 1024);
            JsonArray rlimits = new JsonArray();
            rlimits.add(nofile);
            p.add("rlimits", rlimits);
        });
        Cmd.Result r = Cmd.run(List.of("runc", "run", "--bundle", bundle.toString(), "unboxed-test-runc5"), 30);
        Path out = dir.resolve("box-output");
        String id = "unboxed-test-box5";
        if (r.exit() == 7) { // root here may raise it: both set it
            assertEquals(view(r.out()).get("limits.nofile"), box(id).get("limits.nofile"));
        } else { // it may not (no CAP_SYS_RESOURCE): runc's init fails, and so does the runtime, before the program ran
            assertTrue(r.err().contains("rlimit") || r.out().contains("rlimit"), "runc run failed for another reason: " + r);
            unboxed.sys.SysCallException e = org.junit.jupiter.api.Assertions.assertThrows(unboxed.sys.SysCallException.class,
                () -> Container.run(Bundle.read(bundle), id, new Container.Io(out), s -> { }));
            assertTrue(e.getMessage().startsWith("prlimit(") && e.getMessage().contains("RLIMIT_NOFILE"), e.getMessage());
            assertEquals("EPERM", e.symbol());
            assertEquals("", Files.readString(out), "the program ran");
        }
        assertNothingLeft(id);
    }

    @Test
    void anUnsupportedFieldExits2NamingIt() throws Exception {
        config(o -> o.getAsJsonObject("linux").add("sysctl", new JsonObject()));
        PrintStream err = System.err;
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int code;
        System.setErr(new PrintStream(seen, true, StandardCharsets.UTF_8));
        try {
            code = BoxCli.execute("run", bundle.toString(), "--id", "unboxed-test-refused");
        } finally {
            System.setErr(err);
        }
        assertEquals(2, code);
        assertEquals("box: config.json: linux.sysctl is not supported by this runtime", seen.toString(StandardCharsets.UTF_8)
            .lines().findFirst().orElse("").replaceFirst(" \\(it takes.*", ""));
        assertFalse(Files.exists(Container.STATE.resolve("unboxed-test-refused")));
    }

    /** devices: auto (here the v1 devices controller) or bpf (a device program on the v2 group, also journaled). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"auto", "bpf"})
    void aSigkilledRuntimeLeavesWhatDeleteRemoves(String devices) throws Exception {
        config(o -> {
            JsonArray args = new JsonArray();
            args.add("sleep");
            args.add("1000");
            o.getAsJsonObject("process").add("args", args);
            JsonObject pids = new JsonObject();
            pids.addProperty("limit", 42);
            o.getAsJsonObject("linux").getAsJsonObject("resources").add("pids", pids);
        });
        String id = "unboxed-test-kill-" + devices;
        Process runtime = LabHarness.jvm("Box", "run", bundle.toString(), "--id", id, "--devices", devices)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertTrue(Wait.until(Duration.ofSeconds(30), () -> Container.state(id).map(s -> s.status().equals("running"))
                .orElse(false)), "box run did not start the container");
            long program = Container.state(id).orElseThrow().pid();
            for (String c : List.of("pids", "devices")) { // runc spec's devices rule: a devices group too (v1's, or v2's for bpf)
                Cgroups.Root r = c.equals("devices") && devices.equals("bpf")
                    ? new Cgroups.Root(Cgroups.Version.V2, Cgroups.v2Mount()) : Cgroups.rootOf(c);
                if (r == null || r.version() != Cgroups.Version.V1 && c.equals("devices") && devices.equals("auto")) continue;
                assertEquals(List.of(program), new CgroupDir(r.dir().resolve("unboxed-box-" + id)).procs(),
                    "while the runtime runs: the program, and no thread of the runtime, in its " + c + " group");
            }
        } finally {
            runtime.destroyForcibly();
            runtime.waitFor();
        }
        long pid = Container.state(id).orElseThrow().pid();
        assertTrue(Processes.alive(pid), "the container outlives its runtime");
        Path pidsGroup = Cgroups.rootOf("pids").dir().resolve("unboxed-box-" + id);
        // what `doctor --leftovers` prints: the container's objects, each with the command that removes them
        List<String> left = Leftovers.find().stream().filter(l -> l.contains(id)).toList();
        assertTrue(left.stream().anyMatch(l -> l.contains("cgroup " + pidsGroup)), "the pids group listed: " + left);
        assertTrue(left.stream().anyMatch(l -> l.contains("processes in mnt:")), "the processes listed: " + left);
        if (devices.equals("bpf")) {
            Path v2Group = Cgroups.v2Mount().resolve("unboxed-box-" + id);
            assertTrue(left.stream().anyMatch(l -> l.contains("device programs on cgroup " + v2Group)), "the program listed: " + left);
        }
        assertTrue(left.stream().allMatch(l -> l.endsWith("(sudo ./jbang box delete " + id + ")")), String.join("\n", left));
        assertEquals(0, BoxCli.execute("delete", id));
        assertFalse(Processes.alive(pid), "box delete ended the container's process");
        assertNothingLeft(id);
        assertEquals(List.of(), Leftovers.find().stream().filter(l -> l.contains(id)).toList(), "doctor --leftovers after delete");
        assertEquals(1, BoxCli.execute("delete", id), "a second delete: no such container");
    }

    /**
     * A user-namespace bundle (with a pids limit, so a cgroup and a held start), its runtime SIGKILLed while the init
     * JVM runs ("init") or once the program runs ("running"): the init does not outlive the runtime, and `box delete`
     * leaves nothing.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"init", "running"})
    void aSigkilledRuntimeOfAUserNamespaceLeavesWhatDeleteRemoves(String when) throws Exception {
        Cmd.run("chmod", "755", dir.toString()).orThrow();
        config(true, BoxRuncTest::sleepWithAPidsLimit);
        String id = "unboxed-test-userns-kill-" + when;
        Process runtime = LabHarness.jvm("Box", "run", bundle.toString(), "--id", id)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long init;
        try {
            java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
            assertTrue(Wait.until(Duration.ofSeconds(30), () -> {
                seen.set(initOf(id));
                return seen.get() > 0;
            }), "box run did not start an init JVM");
            init = seen.get();
            if (when.equals("running")) {
                assertTrue(Wait.until(Duration.ofSeconds(30), () -> Container.state(id).map(s -> s.status().equals("running"))
                    .orElse(false)), "box run did not start the container");
            }
        } finally {
            runtime.destroyForcibly();
            runtime.waitFor();
        }
        assertTrue(Wait.until(Duration.ofSeconds(10), () -> !Processes.alive(init)), "the init JVM outlived its runtime");
        if (when.equals("running")) {
            long pid = Container.state(id).orElseThrow().pid();
            assertTrue(Processes.alive(pid), "the container outlives its runtime");
            assertEquals(0, BoxCli.execute("delete", id));
            assertFalse(Processes.alive(pid), "box delete ended the container's process");
        } else {
            BoxCli.execute("delete", id); // 0, or 1 where the runtime had journaled nothing yet
        }
        assertNothingLeft(id);
        assertEquals(List.of(), Leftovers.find().stream().filter(l -> l.contains(id)).toList(), "doctor --leftovers after delete");
    }

    /**
     * The same bundle, the runtime SIGKILLing itself right after each of its journal entries (Journal's fault
     * injection: the state folder, the pids group, the container's mount namespace, which it records while its init
     * waits for "go"): no init JVM is left, and `box delete` leaves nothing.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3})
    void aRuntimeOfAUserNamespaceKilledAfterEachEntryLeavesWhatDeleteRemoves(int entry) throws Exception {
        Cmd.run("chmod", "755", dir.toString()).orThrow();
        config(true, BoxRuncTest::sleepWithAPidsLimit);
        String id = "unboxed-test-userns-entry-" + entry;
        ProcessBuilder pb = LabHarness.jvm("Box", "run", bundle.toString(), "--id", id);
        pb.command().add(1, "-D" + unboxed.lab.Journal.KILL_AFTER_ENTRY + "=" + entry);
        Process runtime = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(runtime.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the runtime did not end");
        assertEquals(137, runtime.exitValue(), "the runtime killed itself after entry " + entry);
        assertTrue(Wait.until(Duration.ofSeconds(10), () -> initOf(id) == 0), "an init JVM outlived its runtime");
        assertTrue(Container.known(id), "the journal lists the container");
        assertEquals(0, BoxCli.execute("delete", id));
        assertNothingLeft(id);
        assertEquals(List.of(), Leftovers.find().stream().filter(l -> l.contains(id)).toList(), "doctor --leftovers after delete");
    }

    /** `sleep 1000` as the process, and a pids limit (so a cgroup, and the start held on exec.fifo). */
    static void sleepWithAPidsLimit(JsonObject o) {
        JsonArray args = new JsonArray();
        args.add("sleep");
        args.add("1000");
        o.getAsJsonObject("process").add("args", args);
        JsonObject pids = new JsonObject();
        pids.addProperty("limit", 42);
        JsonObject res = new JsonObject();
        res.add("pids", pids);
        o.getAsJsonObject("linux").add("resources", res);
    }

    /** The pid of the init JVM of container {@code id}, or 0. */
    static long initOf(String id) {
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : s.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    List<String> argv = List.of(cmd.split("\0"));
                    if (argv.contains("unboxed.oci.UserInit") && argv.contains(id)) return Long.parseLong(p.getFileName().toString());
                } catch (java.io.IOException gone) {
                    // ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return 0;
    }

    /** No state, no journal entry, no process, no cgroup, no host mount below the bundle. */
    static void assertNothingLeft(String id) {
        assertFalse(Files.exists(Container.STATE.resolve(id)), "state of " + id);
        assertFalse(Container.known(id), "journal entries of " + id);
        for (String c : List.of("devices", "memory", "pids", "cpu")) {
            Cgroups.Root r = Cgroups.rootOf(c);
            if (r != null) assertFalse(Files.exists(r.dir().resolve("unboxed-box-" + id)), c + " cgroup of " + id);
        }
        Path v2 = Cgroups.v2Mount(); // the group of a device program on a hybrid host
        if (v2 != null) assertFalse(Files.exists(v2.resolve("unboxed-box-" + id)), "cgroup v2 group of " + id);
        assertEquals(List.of(), Mounts.ofHost().stream().map(Mounts.Mount::mountPoint)
            .filter(m -> m.startsWith(bundle.toString())).toList(), "host mounts below the bundle");
    }
}
