package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import unboxed.sys.Cmd;

/**
 * ./jbang as a normal user, the way a learner types it: jbang resolves and compiles as that user (its caches stay in
 * the user's HOME, root's are not touched) and only the lab's JVM runs through sudo; where sudo cannot ask for a
 * password, ./jbang says exactly what to type. With a throwaway user, created here and removed afterwards. The user's
 * first ./jbang fetches jbang-cli and the labs' dependencies from Maven Central, as a learner's would.
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SudoTest {
    static final String USER = "ubx" + Long.toString(ProcessHandle.current().pid(), 36);
    static final Path SUDOERS = Path.of("/etc/sudoers.d/unboxed-test-" + USER);
    static Path rootCacheMarker;

    @BeforeAll
    static void throwawayUser() throws Exception {
        assertTrue(Cmd.has("sudo"), "sudo is not installed: sudo apt-get install sudo (or .ci/provision)");
        assertTrue(Cmd.has("useradd"), "useradd is missing: apt-get install passwd");
        // the repository must be readable by the user, as a learner's own checkout is
        LabHarness.sh("useradd --create-home --shell /bin/bash " + USER);
        rootCacheMarker = Files.createTempFile("unboxed-sudo", ".marker");
    }

    @AfterAll
    static void removeUser() throws Exception {
        Files.deleteIfExists(SUDOERS);
        // anything of the throwaway user's still running (none expected), by pid
        for (String pid : Cmd.run("ps", "-o", "pid=", "-u", USER).out().trim().split("\\s+")) {
            if (!pid.isBlank()) Cmd.run("kill", "-9", pid);
        }
        LabHarness.shAny("userdel --remove " + USER);
        if (rootCacheMarker != null) Files.deleteIfExists(rootCacheMarker);
    }

    /** bash -c COMMAND as the user, in a login shell (HOME and PATH theirs), from the repository, no terminal. */
    static Cmd.Result asUser(String command) {
        return Cmd.run(List.of("runuser", "-l", USER, "-c", "cd " + Labs.ROOT + " && " + command), 600);
    }

    @Test
    @Order(1)
    void withSudoRightsOnlyTheLabJvmRunsAsRoot() throws Exception {
        Files.writeString(SUDOERS, USER + " ALL=(root) NOPASSWD: ALL\n");
        Cmd.run("chmod", "0440", SUDOERS.toString()).orThrow();
        // --leftovers reads the whole host: root's. As the user it would end in exit 3 ("run with sudo").
        Cmd.Result leftovers = asUser("./jbang doctor --leftovers --json");
        assertTrue(leftovers.exit() == 0 || leftovers.exit() == 1, "the doctor's --leftovers did not run as root:\n"
            + leftovers.err() + leftovers.out());
        JsonParser.parseString(leftovers.out()).getAsJsonObject().get("clean").getAsBoolean();
        assertTrue(leftovers.err().contains("running the lab as root (sudo)"), leftovers.err());

        // `check netns` records no progress: a learner's progress file is not the test's to write
        Cmd.Result check = asUser("./jbang lab04 check netns");
        assertEquals(1, check.exit(), "check should fail on a fresh host, as root (3 would mean it ran as the user):\n"
            + check.err() + check.out());
        assertTrue(check.out().contains("/run/netns/blue does not exist"), check.out());

        String home = "/home/" + USER;
        assertTrue(Files.isDirectory(Path.of(home, ".jbang")), "jbang's cache is not in the user's HOME");
        Cmd.Result foreign = Cmd.run(List.of("find", home, "!", "-user", USER), 30);
        assertEquals("", foreign.out().strip(), "files in the user's HOME that are not theirs (made through sudo?)");
        Cmd.Result rootTouched = Cmd.run(List.of("find", "/root/.jbang", "/root/.cache/unboxed", "-newer",
            rootCacheMarker.toString()), 30);
        assertEquals("", rootTouched.out().strip(), "root's jbang caches changed: jbang ran as root");
    }

    /** The settings the labs read from the environment reach the lab's JVM through sudo (env_reset drops them). */
    @Test
    @Order(2)
    void settingsReachTheLabThroughSudo() throws Exception {
        assertTrue(Cmd.has("script"), "script (util-linux) is missing: apt-get install bsdutils");
        Path progress = Files.createTempFile("unboxed-sudo-progress", ".json");
        try {
            Files.delete(progress);   // check writes it, as root
            Cmd.Result check = asUser("UNBOXED_PROGRESS=" + progress + " ./jbang lab04 check");
            assertEquals(1, check.exit(), check.err() + check.out());
            assertTrue(Files.exists(progress), "UNBOXED_PROGRESS did not reach the lab through sudo:\n" + check.err());
            assertTrue(Files.readString(progress).contains("\"lab04\""), Files.readString(progress));
        } finally {
            Files.deleteIfExists(progress);
        }
        // On a terminal (script(1) gives it one) the checklist is coloured, unless NO_COLOR is set (no-color.org).
        String coloured = asUser("script -qec './jbang lab04 check netns' /dev/null").out();
        assertTrue(coloured.contains("\u001b["), "no colour on a terminal, so NO_COLOR proves nothing:\n" + coloured);
        String plain = asUser("NO_COLOR=1 script -qec './jbang lab04 check netns' /dev/null").out();
        assertTrue(plain.contains("/run/netns/blue does not exist"), plain);
        assertTrue(!plain.contains("\u001b["), "NO_COLOR did not reach the lab through sudo:\n" + plain);
    }

    @Test
    @Order(3)
    void explainAndDescribeRunAsTheUserWithoutSudo() {
        Cmd.Result explain = asUser("./jbang lab04 explain");
        assertEquals(0, explain.exit(), explain.err() + explain.out());
        assertTrue(explain.out().contains("Step 1/"), explain.out());
        assertTrue(!explain.err().contains("sudo"), explain.err());
        Cmd.Result describe = asUser("./jbang lab04 describe --json");
        assertEquals(0, describe.exit(), describe.err() + describe.out());
    }

    /** Bad input, help and what needs no root end in the user's JVM: no password is asked for them. */
    @Test
    @Order(4)
    void badInputAndWhatNeedsNoRootNeverGoThroughSudo() throws Exception {
        Files.deleteIfExists(SUDOERS);   // sudo would refuse: any command that reached it would end in exit 3
        for (String bad : List.of("lab04 --bogus", "lab04 check nosuch", "lab04 run --step 99", "doctor --bogus")) {
            Cmd.Result r = asUser("./jbang " + bad);
            assertEquals(2, r.exit(), "./jbang " + bad + "\n" + r.err() + r.out());
            assertEquals(1, r.err().strip().lines().filter(l -> !l.startsWith("[jbang]")).count(),
                "./jbang " + bad + " said more than one line:\n" + r.err());
            assertTrue(!r.err().contains("sudo"), "./jbang " + bad + " went for sudo:\n" + r.err());
        }
        for (String fine : List.of("lab04 --help", "lab04 check --help", "lab04 describe", "doctor --help")) {
            Cmd.Result r = asUser("./jbang " + fine);
            assertEquals(0, r.exit(), "./jbang " + fine + "\n" + r.err() + r.out());
            assertTrue(!r.err().contains("sudo"), "./jbang " + fine + " went for sudo:\n" + r.err());
        }
        // the plain doctor reports on the machine as the user: not root (its finding says so), and no sudo
        Cmd.Result doctor = asUser("./jbang doctor --json");
        assertTrue(!doctor.err().contains("sudo"), doctor.err());
        var root = JsonParser.parseString(doctor.out()).getAsJsonObject().getAsJsonArray("findings").asList().stream()
            .map(e -> e.getAsJsonObject()).filter(f -> f.get("id").getAsString().equals("root")).findFirst().orElseThrow();
        assertTrue(!root.get("ok").getAsBoolean(), "the plain doctor ran as root: " + root);
    }

    @Test
    @Order(5)
    void withoutSudoRightsItSaysExactlyWhatToType() throws Exception {
        Files.deleteIfExists(SUDOERS);
        Cmd.Result check = asUser("./jbang lab04 check");
        assertEquals(3, check.exit(), check.err() + check.out());
        assertTrue(check.err().contains("needs root"), check.err());
        assertTrue(check.err().contains("  sudo ./jbang lab04 check"), check.err());
        Cmd.Result explain = asUser("./jbang lab04 explain");
        assertEquals(0, explain.exit(), explain.err());
    }

    // ---- what root trusts: ./jbang as root with a cache folder the user can write (sudo -E, HOME kept, su) -----------

    /** ./jbang as root from the repository, with these environment settings in front (XDG_CACHE_HOME=...). */
    static Cmd.Result asRoot(String env, String command) {
        return Cmd.run(List.of("bash", "-c", "cd " + Labs.ROOT + " && " + env + " " + command + " </dev/null"), 600);
    }

    /** A jar whose dev.jbang.Main, the class ./jbang starts jbang-cli with, only leaves a file behind. */
    static void plantJbangMain(Path jar, Path marker) throws Exception {
        Path src = Files.createTempDirectory("unboxed-plant");
        try {
            Path java = src.resolve("dev/jbang/Main.java");
            Files.createDirectories(java.getParent());
            Files.writeString(java, "package dev.jbang; public class Main { public static void main(String... a) throws Exception {"
                + " java.nio.file.Files.writeString(java.nio.file.Path.of(\"" + marker + "\"), \"ran\"); } }");
            assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, java.toString()));
            try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
                out.putNextEntry(new java.util.jar.JarEntry("dev/jbang/Main.class"));
                out.write(Files.readAllBytes(src.resolve("dev/jbang/Main.class")));
            }
        } finally {
            Cmd.run("rm", "-rf", src.toString());
        }
    }

    /** Gives a folder, and everything in it, to the throwaway user. */
    static void giveToUser(Path dir) {
        Cmd.run("chown", "-R", USER, dir.toString()).orThrow();
    }

    /** ./jbang lab04 explain as root with XDG_CACHE_HOME=cache: it must run, and not what was planted (marker). */
    static Cmd.Result explainAsRootWithCache(Path cache, Path marker) {
        Cmd.Result r = asRoot("XDG_CACHE_HOME=" + cache, "./jbang lab04 explain");
        assertTrue(!Files.exists(marker), "root ran what the user planted in their cache:\n" + r.err());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Step 1/"), r.out());
        assertTrue(r.err().contains("not using the cache in " + cache), r.err());
        return r;
    }

    @Test
    @Order(6)
    void asRootAJarInAnotherUsersCacheNeverRuns(@org.junit.jupiter.api.io.TempDir Path home) throws Exception {
        Path marker = home.resolve("ran");
        Path cache = home.resolve("cache/unboxed/jbang-cli-0.132.1");
        Files.createDirectories(cache);
        plantJbangMain(cache.resolve("planted.jar"), marker);
        giveToUser(home.resolve("cache"));
        explainAsRootWithCache(home.resolve("cache"), marker);
    }

    @Test
    @Order(7)
    void asRootAMemoInAnotherUsersCacheIsNeverEvaluated(@org.junit.jupiter.api.io.TempDir Path home) throws Exception {
        Path marker = home.resolve("ran");
        // root's own jbang-cli, copied: ./jbang writes its memo for lab04 there, which the user then edits
        Path cache = home.resolve("cache/unboxed/jbang-cli-0.132.1");
        Files.createDirectories(cache.getParent());
        Cmd.run("bash", "-c", "mkdir " + cache + " && cp " + JbangBootstrapTest.jbangCliCache() + "/*.jar " + cache).orThrow();
        assertEquals(0, asRoot("XDG_CACHE_HOME=" + home.resolve("cache"), "./jbang lab04 explain").exit());
        Path memo;
        try (var memos = Files.list(cache.resolve("launch"))) {
            memo = memos.filter(m -> m.getFileName().toString().startsWith("lab04-netns-")).findFirst().orElseThrow();
        }
        Files.writeString(memo, "touch " + marker + "; " + Files.readString(memo));
        giveToUser(home.resolve("cache"));
        explainAsRootWithCache(home.resolve("cache"), marker);

        // root's own cache folder, with one file in it the user owns: refused, saying how to start over
        Cmd.run("chown", "-R", "root", home.resolve("cache").toString()).orThrow();
        plantJbangMain(cache.resolve("planted.jar"), marker);
        Cmd.run("chown", USER, cache.resolve("planted.jar").toString()).orThrow();
        Cmd.Result refused = asRoot("XDG_CACHE_HOME=" + home.resolve("cache"), "./jbang lab04 explain");
        assertEquals(3, refused.exit(), refused.err() + refused.out());
        assertTrue(refused.err().contains("planted.jar") && refused.err().contains("rm -rf " + cache), refused.err());
        assertTrue(!Files.exists(marker), "root ran a jar the user owns:\n" + refused.err());
    }

    @Test
    @Order(8)
    void asRootAJbangAnotherUserInstalledIsNotRun(@org.junit.jupiter.api.io.TempDir Path install) throws Exception {
        Path bin = JbangBootstrapTest.plainJbang(install);
        Path marker = install.resolve("ran");
        Files.writeString(bin.resolve("jbang"), "#!/bin/sh\ntouch " + marker + "\n");
        giveToUser(bin);
        Cmd.Result r = asRoot("PATH=" + bin + ":$PATH", "./jbang lab04 explain");
        assertTrue(!Files.exists(marker), "root ran a jbang the user can change:\n" + r.err());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("not running " + bin.resolve("jbang") + " as root"), r.err());
    }

    @Test
    @Order(9)
    void asRootAJavaHomeAnotherUserCanWriteIsRefused() throws Exception {
        Path jdk = Files.createTempDirectory("unboxed-trust-jdk");
        try {
            Files.createDirectories(jdk.resolve("bin"));
            Files.writeString(jdk.resolve("bin/java"), "#!/bin/sh\nexit 0\n");
            giveToUser(jdk);
            Cmd.Result r = asRoot("JAVA_HOME=" + jdk, "./jbang lab04 explain");
            assertEquals(3, r.exit(), r.err() + r.out());
            assertTrue(r.err().contains("JAVA_HOME") && r.err().contains("refusing to run as root"), r.err());
        } finally {
            Cmd.run("rm", "-rf", jdk.toString());
        }
    }
}
