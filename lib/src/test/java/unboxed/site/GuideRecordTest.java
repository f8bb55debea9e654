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
 * A guide cannot silently go stale: the labs are run again for real (as root, in this JVM, the way guide --record
 * does) and what they print now is compared with the transcripts stored in labs/transcripts for this kind of machine.
 * On a cgroup-v1 host (this project's) that is the labs with a cgroup-v1 recording (labNN.cgroup-v1.txt); the main
 * transcripts, from the cgroup-v2 guest, are compared in that guest by VmLabsTest. Numbers may differ between two
 * real runs; words, lines and steps may not. The host is as before afterwards.
 *
 * <p>-Dunboxed.guide.labs=lab13,lab06 compares only those labs (default: every lab with a transcript for this machine).
 */
class GuideRecordTest {
    @Test
    void everyStoredTranscriptIsWhatTheLabPrintsToday() {
        assertTrue(LabCli.isRoot(), "this test runs the labs: run it as root");
        Path root = GuideRenderTest.ROOT;
        // Labs with a Docker step (lab09's overlay2 layout, lab10's container) show it where an engine answers. The
        // learners' VM has none (its main transcripts say so); this host's recordings were made with one running.
        unboxed.DockerEngine.ensureRunning();
        List<String> before = HostState.capture();
        // a child of this JVM that is not the labs' (in the full suite, the VM lane's QEMU): the pictures leave it out
        Process bystander;
        try {
            bystander = new ProcessBuilder("sleep", "600").start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> stale = new ArrayList<>();
        Transcript.Machine here = Transcript.Machine.here();
        int compared = 0;
        List<String> only = List.of(System.getProperty("unboxed.guide.labs", "").split(",")).stream().filter(s -> !s.isBlank()).toList();
        try {
            for (LabSources.LabFile f : LabSources.discover(root.resolve("labs"))) {
                Lab lab = LabSources.load(f);
                if (!only.isEmpty() && !only.contains(lab.id)) continue;
                Optional<Transcript> stored = Transcript.read(root.resolve("labs/transcripts"), lab.id, here);
                if (stored.isEmpty()) {
                    if (here == Transcript.Machine.CGROUP_V2) stale.add(lab.id + ": no stored transcript (.ci/vm/record " + lab.id + ")");
                    continue;
                }
                compared++;
                stale.addAll(Transcript.differences(stored.get(), Recorder.record(lab)));
            }
        } finally {
            bystander.destroyForcibly();
        }
        LabHarness.assertHostUnchanged(before, "after recording every lab");
        assertTrue(compared > 0, "no transcript recorded for " + here.label + " in labs/transcripts to compare with");
        assertTrue(stale.isEmpty(), "the stored transcripts are stale; record them again with "
            + "`sudo ./jbang guide --record LAB` and review the diff:\n" + String.join("\n", stale));
    }
}
