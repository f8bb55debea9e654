package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.Outcome;
import static unboxed.LabHarness.cli;
import static unboxed.LabHarness.sh;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.cgroup.MemoryCgroup;
import unboxed.lab.HostState;
import unboxed.lab.Lab;

/** lab06 end to end on this machine's memory hierarchy (v1 here, v2 in the VM harness), for real, as root. */
class Lab06CgroupOomTest {
    static final Lab LAB = LabHarness.lab("Lab06CgroupOom");
    static final MemoryCgroup G = MemoryCgroup.named("lab06");
    List<String> before;

    /** The articles' way: mkdir, echo into the files, a shell moved in running a hog. */
    static String manual(String limit, boolean kill) {
        String d = G.dir().toString();
        return "mkdir " + d + "\n"
            + "echo " + limit + " > " + d + "/" + G.file("limit") + "\n"
            + "if [ -e " + d + "/" + G.file("swap") + " ]; then echo " + (G.v2() ? "0" : limit) + " > " + d + "/" + G.file("swap") + "; fi\n"
            + (kill ? "sh -c 'echo $$ > " + d + "/cgroup.procs && exec tail /dev/zero' || true\n" : "");
    }

    @BeforeEach
    void baseline() {
        before = HostState.capture();
        assertEquals(1, cli(LAB, "check").exit());
    }

    @AfterEach
    void resetLeavesHostAsBefore() {
        assertEquals(0, cli(LAB, "reset").exit());
        LabHarness.assertHostUnchanged(before, "after lab06 reset");
    }

    static Map<String, JsonObject> check() {
        Outcome o = cli(LAB, "check", "--json");
        Map<String, JsonObject> byId = new HashMap<>();
        JsonParser.parseString(o.out()).getAsJsonObject().getAsJsonArray("checks")
            .forEach(c -> byId.put(c.getAsJsonObject().get("id").getAsString(), c.getAsJsonObject()));
        return byId;
    }

    static void assertFailing(Map<String, JsonObject> r, List<String> failing, String reasonPart) {
        r.forEach((id, c) -> assertEquals(!failing.contains(id), c.get("passed").getAsBoolean(), id + ": " + c));
        String reason = r.get(failing.get(0)).get("reason").getAsString();
        assertTrue(reason.contains(reasonPart), reason);
    }

    @Test
    void freshStateFailsWithReasons() {
        Map<String, JsonObject> r = check();
        assertEquals(4, r.size());
        r.values().forEach(c -> assertFalse(c.get("passed").getAsBoolean()));
        assertTrue(r.get("group").get("reason").getAsString().contains(G.dir() + " does not exist"));
    }

    @Test
    void solveThenCheckGivesFullPoints() {
        assertEquals(0, cli(LAB, "solve").exit());
        Outcome o = cli(LAB, "check");
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("9/9 points"), o.out());
    }

    @Test
    void manualSolutionWithEchoIntoCgroupFilesPasses() {
        sh(manual("32M", true));
        check().values().forEach(c -> assertTrue(c.get("passed").getAsBoolean(), c.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrong-group", "64M", "no-kill-yet"})
    void nearMissFailsTheRightCriterion(String miss) {
        switch (miss) {
            case "wrong-group" -> {
                // the limit set on a sibling group by mistake; lab06 exists, unlimited, and saw no kill
                sh("mkdir " + G.dir() + " " + G.dir() + "x && echo 32M > " + G.dir() + "x/" + G.file("limit"));
                try {
                    assertFailing(check(), List.of("limit", "oom-kill"), "lab06 has no memory limit");
                } finally {
                    sh("rmdir " + G.dir() + "x");
                }
            }
            case "64M" -> {
                sh(manual("64M", false));
                assertFailing(check(), List.of("limit", "oom-kill"), "67108864 bytes (64.0 MiB), not 32 MiB");
            }
            case "no-kill-yet" -> {
                sh(manual("32M", false));
                assertFailing(check(), List.of("oom-kill"), "no OOM kill recorded in lab06 yet");
            }
            default -> throw new IllegalArgumentException(miss);
        }
    }

    @Test
    void runShowsTheKillAndCleansUpItsDemoGroup() {
        Outcome o = cli(LAB, "run");
        assertEquals(0, o.exit(), o.all());
        assertTrue(o.out().contains("137 = 128 + 9"), o.out());
        assertTrue(o.out().contains("oom_kill       1"), o.out());
        assertTrue(o.out().contains("reads back   19996672"), o.out());
        assertFalse(Files.exists(G.dir().resolveSibling("lab06-demo")));
    }

    @Test
    void sigkillWhileTheHogGrowsThenResetLeavesNothing() throws Exception {
        Process p = LabHarness.jvm("Lab06CgroupOom", "run", "--pace", "--no-color").redirectErrorStream(true).start();
        for (int i = 1; i <= 5; i++) {
            LabHarness.readUntil(p, "[Enter] step " + i + "/6", 60);
            p.getOutputStream().write('\n');
            p.getOutputStream().flush();
        }
        LabHarness.readUntil(p, "memory used", 60); // the hog is running inside lab06-demo
        LabHarness.sigkill(p);
        assertTrue(Files.exists(G.dir().resolveSibling("lab06-demo")), "the kill left the demo group");
        // afterEach: reset must kill the hog (if still alive) and remove the group
    }

    @Test
    void explainWorksForAnUnprivilegedUser() throws Exception {
        String cp = LabHarness.worldReadableClassPath();
        var r = LabHarness.shAny("cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups java -cp " + cp + " Lab06CgroupOom explain");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("memory.max"), r.out());
    }

    @Test
    void badInputIsExit2() {
        Outcome o = cli(LAB, "check", "nope");
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("no check 'nope' (checks: group, limit, swap, oom-kill)"), o.err());
    }
}
