package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import unboxed.LabHarness;
import unboxed.lab.HostState;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.transcript.Recorder;
import unboxed.transcript.Transcript;

/**
 * A guide cannot silently go stale: every lab is run again for real (as root, in this JVM, the way guide --record
 * does) and what it prints now is compared with the transcript stored in labs/transcripts. Numbers may differ
 * between two real runs; words, lines and steps may not. The host is as before afterwards.
 */
class GuideRecordTest {
    @Test
    void everyStoredTranscriptIsWhatTheLabPrintsToday() {
        assertTrue(LabCli.isRoot(), "this test runs the labs: run it as root");
        Path root = GuideRenderTest.ROOT;
        // Labs with a Docker step (lab09's overlay2 layout, lab10's container) show it where an engine answers, as on
        // the learners' VM, which provisions Docker; they were recorded with one, so they are compared with one.
        unboxed.DockerEngine.ensureRunning();
        List<String> before = HostState.capture();
        List<String> stale = new ArrayList<>();
        for (LabSources.LabFile f : LabSources.discover(root.resolve("labs"))) {
            Lab lab = LabSources.load(f);
            Optional<Transcript> stored = Transcript.read(root.resolve("labs/transcripts"), lab.id);
            if (stored.isEmpty()) {
                stale.add(lab.id + ": no stored transcript (sudo ./jbang guide --record " + lab.id + ")");
                continue;
            }
            Transcript fresh = Recorder.record(lab);
            stale.addAll(Transcript.differences(stored.get(), fresh));
        }
        LabHarness.assertHostUnchanged(before, "after recording every lab");
        assertTrue(stale.isEmpty(), "the stored transcripts are stale; record them again with "
            + "`sudo ./jbang guide --record LAB` and review the diff:\n" + String.join("\n", stale));
    }
}
