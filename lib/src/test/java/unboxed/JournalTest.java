package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.lab.HostState;
import unboxed.lab.Journal;
import unboxed.lab.KernelObject;
import unboxed.net.Ip;
import unboxed.net.Netns;

/** The journal brings the host back after a crash: entries written before objects, replayed by a fresh process. */
class JournalTest {
    @Test
    void aChildKilledMidWayIsCleanedUpByReplayingItsJournal() throws Exception {
        List<String> before = HostState.capture();
        // a separate JVM journals and makes objects, then is SIGKILLed before it can clean up
        Process p = LabHarness.jvm("unboxed.JournalTest$MakeThings").redirectErrorStream(true).start();
        LabHarness.readUntil(p, "made", 60);
        LabHarness.sigkill(p);
        assertTrue(Netns.exists("labtest-j"));
        assertTrue(Ip.link(null, "labtest-a").isPresent());
        assertTrue(new KernelObject.Bridge("labtest-br0", "labtest-j").present(), "the child made its bridge");
        // a crash mid-write leaves a torn last line: it must be ignored, not break the replay
        Files.writeString(Journal.of("labtest").file(), "{\"kind\":\"netns\",\"tar", StandardOpenOption.APPEND);

        Journal.Replay r = Journal.of("labtest").replayAll();
        assertTrue(r.failed().isEmpty(), r.failed().toString());
        // newest first: the bridge (by its own undo), the veth, the namespace, then /run/netns as it was
        assertEquals(List.of("bridge labtest-br0 in labtest-j", "link labtest-a", "network namespace labtest-j"),
            r.undone().subList(0, Math.min(3, r.undone().size())), r.undone().toString());
        assertFalse(Files.exists(Journal.of("labtest").file()));
        LabHarness.assertHostUnchanged(before, "after replaying the journal");
        // replaying again is harmless
        assertTrue(Journal.of("labtest").replayAll().undone().isEmpty());
    }

    /** The crashing child. */
    static final class MakeThings {
        public static void main(String[] args) throws Exception {
            Journal j = Journal.of("labtest");
            j.rememberBaseline();
            j.record(new KernelObject.NamedNetns("labtest-j").entry(Journal.DEMO));
            Netns.add("labtest-j");
            j.record(new KernelObject.Link("labtest-a", null).entry(Journal.DEMO));
            Ip.addVeth("labtest-a", "labtest-b");
            // the newest kind, made the way a lab's Bench makes it: journal first, then the object
            j.record(new KernelObject.Bridge("labtest-br0", "labtest-j").entry(Journal.DEMO));
            Ip.ip("labtest-j", "link", "add", "labtest-br0", "type", "bridge");
            System.out.println("made");
            Thread.sleep(60_000);
        }
    }
}
