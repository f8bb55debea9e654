package unboxed.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import unboxed.sys.Errno;
import unboxed.sys.LibC;
import unboxed.sys.Seccomp;

/** config.json as `runc spec` (1.1.5) writes it, read into records; what the runtime does not do, refused by name. Pure. */
class BundleTest {
    static final Path DIR = Path.of("/tmp/some-bundle");

    /** runc spec's config.json, with terminal false (its one change), then whatever edit is given. */
    static String spec(Consumer<JsonObject> edit) {
        try (InputStream in = BundleTest.class.getResourceAsStream("/oci/runc-spec-1.1.5.json")) {
            JsonObject o = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
            o.getAsJsonObject("process").addProperty("terminal", false);
            edit.accept(o);
            return o.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Bundle.Refused refused(Consumer<JsonObject> edit) {
        return assertThrows(Bundle.Refused.class, () -> Bundle.parse(DIR, spec(edit)));
    }

    @Test
    void everyFieldRuncSpecWritesIsRead() {
        Bundle b = Bundle.parse(DIR, spec(o -> { }));
        assertEquals("1.0.2-dev", b.ociVersion());
        assertEquals(new Bundle.User(0, 0, List.of()), b.process().user());
        assertEquals(List.of("sh"), b.process().args());
        assertEquals("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", b.process().getenv("PATH"));
        assertEquals("xterm", b.process().getenv("TERM"));
        assertNull(b.process().getenv("HOME"));
        assertEquals("/", b.process().cwd());
        List<String> three = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        assertEquals(new Bundle.Caps(three, three, List.of(), three, three), b.process().capabilities());
        assertEquals(List.of(new Bundle.Rlimit("RLIMIT_NOFILE", 1024, 1024)), b.process().rlimits());
        assertTrue(b.process().noNewPrivileges());
        assertEquals(new Bundle.Root("rootfs", true), b.root());
        assertEquals(DIR.resolve("rootfs"), b.rootfs());
        assertEquals("runc", b.hostname());
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"),
            b.mounts().stream().map(Bundle.Mount::destination).toList());
        assertEquals(new Bundle.Mount("/dev/pts", "devpts", "devpts",
            List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")), b.mounts().get(2));
        assertEquals(List.of("pid", "network", "ipc", "uts", "mount"),
            b.linux().namespaces().stream().map(Bundle.Namespace::type).toList());
        assertEquals(10, b.linux().maskedPaths().size());
        assertEquals(List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"), b.linux().readonlyPaths());
        assertEquals(List.of(new Bundle.DeviceRule(false, "a", null, null, "rwm")), b.linux().devices());
    }

    @Test
    void anUnsupportedFieldIsRefusedByItsPath() {
        assertTrue(refused(o -> o.getAsJsonObject("linux").add("sysctl", new JsonObject())).getMessage()
            .startsWith("config.json: linux.sysctl is not supported by this runtime"));
        assertTrue(refused(o -> o.add("hooks", new JsonObject())).getMessage().contains(": hooks is not supported"));
        assertTrue(refused(o -> o.getAsJsonObject("process").addProperty("umask", 18)).getMessage()
            .contains("process.umask is not supported"));
        assertTrue(refused(o -> o.getAsJsonArray("mounts").get(0).getAsJsonObject().addProperty("uidMappings", 1)).getMessage()
            .contains("mounts[].uidMappings is not supported"));
        assertTrue(refused(o -> resources(o).add("blockIO", new JsonObject()))
            .getMessage().contains("linux.resources.blockIO is not supported"));
        assertTrue(refused(o -> resources(o).add("memory", object("swap", 1))).getMessage()
            .contains("linux.resources.memory.swap is not supported"));
    }

    @Test
    void memoryPidsAndCpuLimitsAreReadAsRuncTakesThem() {
        Bundle b = Bundle.parse(DIR, spec(o -> {
            resources(o).add("memory", object("limit", 64L << 20));
            resources(o).add("pids", object("limit", 42));
            resources(o).add("cpu", object("quota", 50_000));
        }));
        assertEquals(new Bundle.Limits(64L << 20, 42L, 50_000L, 100_000L), b.linux().limits(), "the kernel's default period");
        assertEquals(Bundle.Limits.NONE, Bundle.parse(DIR, spec(o -> { })).linux().limits());
        assertFalse(Bundle.Limits.NONE.any());
        Bundle none = Bundle.parse(DIR, spec(o -> {
            resources(o).add("memory", object("limit", -1));
            resources(o).add("pids", object("limit", 0));
            JsonObject cpu = object("quota", -1);
            cpu.addProperty("period", 200_000);
            resources(o).add("cpu", cpu);
        }));
        assertEquals(Bundle.Limits.NONE, none.linux().limits(), "-1 (pids: 0 or less) is no limit, and a period alone none");
        assertTrue(refused(o -> resources(o).add("memory", object("limit", 64))).getMessage()
            .contains("linux.resources.memory.limit 64 is less than a page"));
        assertTrue(refused(o -> resources(o).add("cpu", object("quota", 500))).getMessage()
            .contains("linux.resources.cpu.quota 500 must be at least 1000"));
        assertTrue(refused(o -> {
            JsonObject cpu = object("quota", 5000);
            cpu.addProperty("period", 10);
            resources(o).add("cpu", cpu);
        }).getMessage().contains("linux.resources.cpu.period 10 must be 1000 to 1000000"));
        assertTrue(refused(o -> resources(o).add("pids", object("limit", "many"))).getMessage()
            .contains("linux.resources.pids.limit must be a number"));
    }

    @Test
    void aSeccompProfileIsReadIntoAFilterAndWhatWouldStopTheRuntimeRefused() {
        Bundle b = Bundle.parse(DIR, spec(o -> o.getAsJsonObject("linux").add("seccomp", seccomp("SCMP_ACT_ALLOW",
            rule("SCMP_ACT_ERRNO", 13, "mkdir", "mkdirat"), rule("SCMP_ACT_ERRNO", null, "mkdir", "chroot"),
            rule("SCMP_ACT_KILL_PROCESS", null, "keyctl")))));
        Bundle.SeccompProfile p = b.linux().seccomp();
        assertEquals(Seccomp.RET_ALLOW, p.defaultAction());
        assertEquals(Map.of("mkdir", Seccomp.errno(13), "mkdirat", Seccomp.errno(13), "chroot", Seccomp.errno(Errno.EPERM),
            "keyctl", Seccomp.RET_KILL_PROCESS), p.actions(), "the first rule that names a call decides; errnoRet's default EPERM");
        assertTrue(Seccomp.evaluate(List.of(p.filter()), "mkdirat").deniesWith(13), "the filter built from it");
        assertEquals(Seccomp.RET_KILL_PROCESS, Seccomp.evaluate(List.of(p.filter()), "keyctl").value());
        assertTrue(Seccomp.evaluate(List.of(p.filter()), "read").allows());
        assertNull(Bundle.parse(DIR, spec(o -> { })).linux().seccomp(), "runc spec writes none");

        JsonObject allowList = seccomp("SCMP_ACT_ERRNO", rule("SCMP_ACT_ALLOW", null, Bundle.RUNTIME_NEEDS.toArray(String[]::new)));
        allowList.addProperty("defaultErrnoRet", 38);
        Bundle strict = Bundle.parse(DIR, spec(o -> o.getAsJsonObject("linux").add("seccomp", allowList)));
        assertTrue(Seccomp.evaluate(List.of(strict.linux().seccomp().filter()), "mkdirat").deniesWith(38), "defaultErrnoRet");

        String m = refused(o -> o.getAsJsonObject("linux").add("seccomp", seccomp("SCMP_ACT_ALLOW",
            rule("SCMP_ACT_ERRNO", null, "futex")))).getMessage();
        assertTrue(m.contains("linux.seccomp gives futex ERRNO(EPERM)") && m.contains("posix_spawn"), m);
        assertTrue(refused(o -> o.getAsJsonObject("linux").add("seccomp", seccomp("SCMP_ACT_ERRNO"))).getMessage()
            .contains("gives brk ERRNO(EPERM)"), "an allow-list that forgets what the runtime needs");
        Bundle enosys = Bundle.parse(DIR, spec(o -> o.getAsJsonObject("linux").add("seccomp", seccomp("SCMP_ACT_ALLOW",
            rule("SCMP_ACT_ERRNO", 38, "clone3")))));
        assertTrue(enosys.linux().seccomp().actions().containsKey("clone3"), "clone3 may be ENOSYS: glibc falls back to clone");
        assertTrue(refused(o -> o.getAsJsonObject("linux").add("seccomp", seccomp("SCMP_ACT_NOTIFY"))).getMessage()
            .contains("linux.seccomp.defaultAction SCMP_ACT_NOTIFY is not supported"));
        assertTrue(refused(o -> o.getAsJsonObject("linux").add("seccomp", seccomp("SCMP_ACT_ALLOW",
            rule("SCMP_ACT_ERRNO", null, "no_such_call")))).getMessage().contains("linux.seccomp.syscalls names no_such_call"));
        assertTrue(refused(o -> {
            JsonObject s = seccomp("SCMP_ACT_ALLOW");
            s.getAsJsonArray("syscalls").add(rule("SCMP_ACT_ERRNO", null, "mkdir"));
            s.getAsJsonArray("syscalls").get(0).getAsJsonObject().add("args", new JsonArray());
            o.getAsJsonObject("linux").add("seccomp", s);
        }).getMessage().contains("linux.seccomp.syscalls[].args is not supported"));
        assertTrue(refused(o -> {
            o.getAsJsonObject("process").addProperty("noNewPrivileges", false);
            o.getAsJsonObject("linux").add("seccomp", seccomp("SCMP_ACT_ALLOW"));
        }).getMessage().contains("process.noNewPrivileges false"));
    }

    private static JsonObject seccomp(String defaultAction, JsonObject... rules) {
        JsonObject s = new JsonObject();
        s.addProperty("defaultAction", defaultAction);
        JsonArray a = new JsonArray();
        for (JsonObject r : rules) a.add(r);
        s.add("syscalls", a);
        return s;
    }

    private static JsonObject rule(String action, Integer errno, String... names) {
        JsonObject r = new JsonObject();
        JsonArray n = new JsonArray();
        for (String name : names) n.add(name);
        r.add("names", n);
        r.addProperty("action", action);
        if (errno != null) r.addProperty("errnoRet", errno);
        return r;
    }

    private static JsonObject resources(JsonObject o) {
        return o.getAsJsonObject("linux").getAsJsonObject("resources");
    }

    private static JsonObject object(String key, Object value) {
        JsonObject x = new JsonObject();
        if (value instanceof Number n) x.addProperty(key, n);
        else x.addProperty(key, value.toString());
        return x;
    }

    @Test
    void aTerminalIsRefusedWithTheFix() {
        String m = refused(o -> o.getAsJsonObject("process").addProperty("terminal", true)).getMessage();
        assertTrue(m.contains("process.terminal") && m.contains("\"terminal\": false"), m);
    }

    @Test
    void whatTheRuntimeCannotMakeIsRefusedWithWhy() {
        assertTrue(refused(o -> addNamespace(o, "time")).getMessage().contains("type time is not supported"));
        assertTrue(refused(o -> o.getAsJsonArray("mounts").get(0).getAsJsonObject().addProperty("type", "nfs")).getMessage()
            .contains("mounts type nfs (on /proc)"));
        assertTrue(refused(o -> o.getAsJsonObject("process").getAsJsonObject("capabilities").getAsJsonArray("bounding")
            .add("CAP_TELEPORT")).getMessage().contains("process.capabilities.bounding: no capability called CAP_TELEPORT"));
        assertTrue(refused(o -> o.getAsJsonObject("process").getAsJsonArray("rlimits").get(0).getAsJsonObject()
            .addProperty("type", "RLIMIT_FUN")).getMessage().contains("type RLIMIT_FUN"));
        assertTrue(refused(o -> o.getAsJsonObject("process").getAsJsonObject("user").addProperty("uid", -1)).getMessage()
            .contains("process.user.uid must be a whole number"));
        assertTrue(refused(o -> o.getAsJsonObject("process").add("args", new JsonArray())).getMessage()
            .contains("process.args is empty"));
        assertTrue(refused(o -> o.getAsJsonObject("process").addProperty("cwd", "here")).getMessage()
            .contains("process.cwd must be an absolute path"));
        assertTrue(assertThrows(Bundle.Refused.class, () -> Bundle.parse(DIR, "{\"process\":")).getMessage()
            .startsWith("config.json: not JSON"));
    }

    /** What `runc spec --rootless` writes (a user namespace, uid and gid 0 to 0, size 1) is read; its maps checked. */
    @Test
    void aUserNamespaceAndItsMappingsAreReadAndCheckedAsRuncDoes() {
        Bundle b = Bundle.parse(DIR, spec(o -> {
            addNamespace(o, "user");
            mappings(o, "uidMappings", 0, 100000, 65536);
            mappings(o, "gidMappings", 0, 100000, 65536, 65536, 5000, 1);
        }));
        assertTrue(b.has("user"));
        assertEquals(List.of(new Bundle.IdMap(0, 100000, 65536)), b.linux().uidMappings());
        assertEquals("65536 5000 1", b.linux().gidMappings().get(1).line());
        assertEquals(100033, Bundle.toHost(b.linux().uidMappings(), 33));
        assertEquals(5000, Bundle.toHost(b.linux().gidMappings(), 65536));
        assertEquals(-1, Bundle.toHost(b.linux().uidMappings(), 65536));
        assertFalse(b.has("user") && Container.threadTypes(b).contains(unboxed.ns.Ns.USER), "user is not a thread's");
        // each refusal one line naming the field, exit 2 as the others
        assertTrue(refused(o -> addNamespace(o, "user")).getMessage()
            .startsWith("config.json: linux.namespaces type user needs linux.uidMappings and linux.gidMappings"));
        assertTrue(refused(o -> mappings(o, "uidMappings", 0, 0, 1)).getMessage()
            .startsWith("config.json: linux.uidMappings without a user namespace"));
        assertTrue(refused(o -> {
            addNamespace(o, "user");
            mappings(o, "uidMappings", 0, 100000, 10, 5, 200000, 10);
            mappings(o, "gidMappings", 0, 0, 1);
        }).getMessage().contains("0 100000 10 and 5 200000 10 overlap"));
        assertTrue(refused(o -> {
            addNamespace(o, "user");
            mappings(o, "uidMappings", 0, 100000, 0);
            mappings(o, "gidMappings", 0, 0, 1);
        }).getMessage().contains("linux.uidMappings 0 100000 0: ids are 0 to 4294967294 and size at least 1"));
        assertTrue(refused(o -> {
            addNamespace(o, "user");
            mappings(o, "uidMappings", 0, 0, 1);
            mappings(o, "gidMappings", 0, 0, 1);
            o.getAsJsonObject("process").getAsJsonObject("user").addProperty("uid", 1000);
        }).getMessage().startsWith("config.json: process.user.uid 1000 is not in the user namespace's mappings"));
        assertTrue(refused(o -> {
            addNamespace(o, "user");
            mappings(o, "uidMappings", 0, 0, 1);
            mappings(o, "gidMappings", 0, 0, 1);
            o.getAsJsonObject("linux").getAsJsonArray("uidMappings").get(0).getAsJsonObject().remove("size");
        }).getMessage().contains("linux.uidMappings: an entry without size"));
    }

    /** linux.KEY: an entry for each (containerID, hostID, size) triple. */
    private static void mappings(JsonObject o, String key, long... triples) {
        JsonArray a = new JsonArray();
        for (int i = 0; i < triples.length; i += 3) {
            JsonObject m = new JsonObject();
            m.addProperty("containerID", triples[i]);
            m.addProperty("hostID", triples[i + 1]);
            m.addProperty("size", triples[i + 2]);
            a.add(m);
        }
        o.getAsJsonObject("linux").add(key, a);
    }

    @Test
    void mountOptionsSplitIntoFlagsAndDataAsRuncDoes() {
        Container.Options o = Container.Options.of(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
            "gid=5"));
        assertEquals(LibC.MS_NOSUID | LibC.MS_NOEXEC, o.flags());
        assertEquals("newinstance,ptmxmode=0666,mode=0620,gid=5", o.data());
        Container.Options bind = Container.Options.of(List.of("rbind", "ro", "rw", "rprivate"));
        assertEquals(LibC.MS_BIND | LibC.MS_REC | LibC.MS_RDONLY, bind.flags());
        assertEquals(LibC.MS_PRIVATE | LibC.MS_REC, bind.propagation());
        assertNull(bind.data());
    }

    @Test
    void homeComesFromTheContainersPasswdUnlessEnvSetsIt(@org.junit.jupiter.api.io.TempDir Path root) throws IOException {
        java.nio.file.Files.createDirectories(root.resolve("etc"));
        java.nio.file.Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nweb:x:33:33::/srv:/bin/sh\n");
        assertEquals(List.of("A=1", "HOME=/root"), Container.withHome(List.of("A=1"), 0, root));
        assertEquals(List.of("HOME=/srv"), Container.withHome(List.of(), 33, root));
        assertEquals(List.of("HOME=/"), Container.withHome(List.of(), 1000, root));
        assertEquals(List.of("HOME=/x"), Container.withHome(List.of("HOME=/x"), 0, root));
        assertFalse(Container.withHome(List.of(), 0, root.resolve("none")).isEmpty());
    }

    private static void addNamespace(JsonObject o, String type) {
        JsonObject n = new JsonObject();
        n.addProperty("type", type);
        o.getAsJsonObject("linux").getAsJsonArray("namespaces").add(n);
    }
}
