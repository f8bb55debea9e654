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
        Cmd.Result doctor = asUser("./jbang doctor --json");
        assertEquals(0, doctor.exit(), doctor.err() + doctor.out());
        var root = JsonParser.parseString(doctor.out()).getAsJsonObject().getAsJsonArray("findings").asList().stream()
            .map(e -> e.getAsJsonObject()).filter(f -> f.get("id").getAsString().equals("root")).findFirst().orElseThrow();
        assertTrue(root.get("ok").getAsBoolean(), "the doctor's JVM did not run as root: " + root);
        assertTrue(doctor.err().contains("running the lab as root (sudo)"), doctor.err());

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

    @Test
    @Order(2)
    void explainAndDescribeRunAsTheUserWithoutSudo() {
        Cmd.Result explain = asUser("./jbang lab04 explain");
        assertEquals(0, explain.exit(), explain.err() + explain.out());
        assertTrue(explain.out().contains("Step 1/"), explain.out());
        assertTrue(!explain.err().contains("sudo"), explain.err());
        Cmd.Result describe = asUser("./jbang lab04 describe --json");
        assertEquals(0, describe.exit(), describe.err() + describe.out());
    }

    @Test
    @Order(3)
    void withoutSudoRightsItSaysExactlyWhatToType() throws Exception {
        Files.deleteIfExists(SUDOERS);
        Cmd.Result check = asUser("./jbang lab04 check");
        assertEquals(3, check.exit(), check.err() + check.out());
        assertTrue(check.err().contains("needs root"), check.err());
        assertTrue(check.err().contains("  sudo ./jbang lab04 check"), check.err());
        Cmd.Result explain = asUser("./jbang lab04 explain");
        assertEquals(0, explain.exit(), explain.err());
    }
}
