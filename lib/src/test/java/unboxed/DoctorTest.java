package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import unboxed.sys.Cmd;

/** lab00-doctor, run as its own JVM like a learner runs it. */
class DoctorTest {
    static Cmd.Result doctor(String... args) throws Exception {
        Process p = LabHarness.jvm("Lab00Doctor", args).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Cmd.Result(java.util.List.of("doctor"), p.exitValue(), out, err);
    }

    @Test
    void asRootOnThisMachineEverythingALabNeedsIsThere() throws Exception {
        Cmd.Result r = doctor("--json");
        assertEquals(0, r.exit(), r.out() + r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(o.get("ready").getAsBoolean());
        var ids = new java.util.HashSet<String>();
        o.getAsJsonArray("findings").forEach(f -> ids.add(f.getAsJsonObject().get("id").getAsString()));
        assertTrue(ids.containsAll(java.util.List.of("root", "kernel", "ns-net", "ns-pid", "ns-mnt", "ns-uts",
            "cgroup-layout", "cgroup-memory", "tool-ip", "tool-iptables", "tool-nft", "tool-busybox", "tool-tcpdump", "jdk")), ids.toString());
        String text = doctor().out();
        assertTrue(text.contains("Ready: start with sudo ./jbang lab04"), text);
        assertTrue(text.contains("memory controller      cgroup v"), text);
    }

    @Test
    void notRootIsExit3WithTheFix() throws Exception {
        String cp = LabHarness.worldReadableClassPath();
        var r = LabHarness.shAny("cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups java -cp " + cp
            + " Lab00Doctor --no-color");
        assertEquals(3, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("✘ running as root"), r.out());
        assertTrue(r.out().contains("fix: run with sudo"), r.out());
    }

    @Test
    void leftoversFindsAStrayLabObjectAndNothingOnACleanHost() throws Exception {
        assertEquals(0, doctor("--leftovers").exit(), doctor("--leftovers").out());
        LabHarness.sh("ip link add lab04-stray type veth peer name lab04-stray2");
        try {
            Cmd.Result r = doctor("--leftovers", "--json");
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.out().contains("link lab04-stray"), r.out());
        } finally {
            LabHarness.sh("ip link del lab04-stray");
        }
    }

    @Test
    void badOptionIsOneLineExit2() throws Exception {
        Cmd.Result r = doctor("--frobnicate");
        assertEquals(2, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }
}
