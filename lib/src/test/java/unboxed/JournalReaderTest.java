package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.lab.Journal;
import unboxed.lab.KernelObject;

/** The journal's reader on lines a crash or a hand edit leaves: pure, no root, nothing on the host touched. */
class JournalReaderTest {
    @TempDir
    Path dir;

    @Test
    void unreadableLinesAreSkippedAndReportedOnceNeverAnException() throws Exception {
        Path file = dir.resolve("labtest.journal");
        Journal j = Journal.at(file);
        j.record(new KernelObject.NamedNetns("labtest-a").entry(Journal.LAB));
        Files.writeString(file, Files.readString(file) + "{}\nnull\n{\"kind\":\"netns\",\"tar\n"
            + "{\"kind\":\"teleporter\",\"target\":\"x\",\"scope\":\"lab\"}\n\n[1,2]\n", StandardCharsets.UTF_8);
        j.record(new KernelObject.Link("labtest-b", "labtest-a").entry(Journal.DEMO));

        PrintStream err = System.err;
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        System.setErr(new PrintStream(seen, true, StandardCharsets.UTF_8));
        List<Journal.Entry> first, second;
        try {
            first = j.entries();
            second = j.entries();
        } finally {
            System.setErr(err);
        }
        assertEquals(List.of("network namespace labtest-a", "link labtest-b in labtest-a"),
            first.stream().map(Journal.Entry::describe).toList());
        assertEquals(first, second);
        String report = seen.toString(StandardCharsets.UTF_8);
        // one stderr line for all of them (issue 20: one line per bad line flooded the one-line error contract),
        // once per process, blank lines not counted
        assertEquals(1, report.lines().count(), "the bad lines reported once, in one line:\n" + report);
        assertTrue(report.contains("skipping 5 unreadable lines of " + file + ": {}"), report);
        assertFalse(j.hasObjects() && first.stream().anyMatch(Journal.Entry::isBaseline));
    }

    /** reassign moves one entry to another scope in its place: that scope's replay undoes it, at the same point. */
    @Test
    void anEntryReassignedKeepsItsPlaceUnderItsNewScope() {
        Journal j = Journal.at(dir.resolve("box.journal"));
        Journal.Entry note = new KernelObject.SubtreeNote(Path.of("/sys/fs/cgroup"), List.of("cpu")).entry("a");
        j.record(note);
        j.record(new KernelObject.Cgroup(Path.of("/sys/fs/cgroup/x-a")).entry("a"));
        j.record(new KernelObject.Cgroup(Path.of("/sys/fs/cgroup/x-b")).entry("b"));
        assertTrue(j.reassign(note, "b"));
        assertEquals(List.of("subtree b", "cgroup a", "cgroup b"), j.entries().stream().map(e -> e.kind() + " " + e.scope()).toList());
        assertFalse(j.reassign(note, "b"), "under scope a no more");
    }

    @Test
    void everyKindRoundTripsThroughItsJournalLine() {
        List<KernelObject> all = List.of(new KernelObject.NamedNetns("n"), new KernelObject.Link("l", "n"),
            new KernelObject.Link("l", null), new KernelObject.Bridge("br0", "n"), new KernelObject.NamedCgroup("g"),
            new KernelObject.NamedGroup("g", List.of("cpu", "pids")), new KernelObject.SystemdSlice("g", List.of("cpu", "pids")),
            new KernelObject.Mount("/m"), new KernelObject.DirTree(Path.of("/d")),
            new KernelObject.Cgroup(Path.of("/sys/fs/cgroup/x")), new KernelObject.ProcessTree("lab00"),
            new KernelObject.Hostname("old"), new KernelObject.RunNetnsNote("absent"),
            new KernelObject.PropagationNote("/", "private"), new KernelObject.ExerciseDirNote(Path.of("/mnt/x")),
            new KernelObject.MountsOn("/mnt/x"), new KernelObject.UtsTrees("box"), new KernelObject.HostNamed("box"),
            new KernelObject.VethWithAddress("10.0.0.1/24"), new KernelObject.Account("learner"),
            new KernelObject.ProcessesNamed("sandboxed"), new KernelObject.DockerContainer("box", "image"),
            new KernelObject.OverlayRoots(Path.of("/var/lib/unboxed/labx")),
            new KernelObject.SysctlNote("net.ipv4.ip_forward", "0"),
            new KernelObject.SubtreeNote(Path.of("/sys/fs/cgroup"), List.of("cpu", "pids")),
            new KernelObject.NamespaceProcesses(unboxed.ns.Ns.MNT, 4026532901L),
            new KernelObject.DevicePrograms(Path.of("/sys/fs/cgroup/unified/unboxed-box-x")),
            new KernelObject.BoxContainer("lab13-check"),
            new KernelObject.WrittenFile(Path.of("/home/learner/unboxed/labs/lab13/MyRuntime.java"), Path.of("/tmp/saved")),
            KernelObject.StarterFile.of(Path.of("/home/learner/unboxed/labs/lab13/MyRuntime.java"), "class MyRuntime {}\n"));
        for (KernelObject o : all) {
            assertEquals(o, o.entry(Journal.LAB).object().orElseThrow(), o.kind());
            assertFalse(o.describe().isBlank());
        }
        assertEquals(java.util.Set.of(KernelObject.class.getPermittedSubclasses()),
            all.stream().map(Object::getClass).collect(java.util.stream.Collectors.toSet()), "every kind is listed here");
        assertEquals(KernelObject.class.getPermittedSubclasses().length, all.stream().map(KernelObject::kind).distinct().count(),
            "one journal word per kind");
        // a crash between the journal line and the object: undo finds nothing and changes nothing
        assertFalse(new KernelObject.Bridge("labtest-br9", "labtest-none").present());
        assertFalse(new KernelObject.Bridge("labtest-br9", "labtest-none").undo());
    }
}
