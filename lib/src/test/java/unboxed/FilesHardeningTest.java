package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.cli;
import static unboxed.LabHarness.sh;
import static unboxed.LabHarness.shAny;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import unboxed.lab.Journal;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabException;
import unboxed.lab.LabLock;
import unboxed.lab.Leftovers;
import unboxed.sys.Sys;

/**
 * Issue 20, part B, as root on this machine: what another local user could do to the lab lock, a check racing a
 * reset over the journal, and what a reboot leaves on disk. Each test removes what it made (users included).
 */
class FilesHardeningTest {
    static final Path RUN = Journal.DIR;

    static void needRoot() {
        assertTrue(Sys.isRoot(), "this test makes users, locks /run/unboxed/lock and runs labs: run the suite as root");
        LabHarness.assertToolsPresent("useradd", "userdel", "setpriv", "python3");
    }

    /** A process that opens FILE (O_RDONLY, or O_RDWR for an exclusive lock) and takes an fcntl lock, then sleeps. */
    static ProcessBuilder locker(String user, Path file, boolean exclusive) {
        String py = "import fcntl,os,sys,time\n"
            + "try:\n"
            + "    fd=os.open(sys.argv[1], os.O_RDWR if sys.argv[2]=='ex' else os.O_RDONLY)\n"
            + "    fcntl.lockf(fd, (fcntl.LOCK_EX if sys.argv[2]=='ex' else fcntl.LOCK_SH)|fcntl.LOCK_NB)\n"
            + "except OSError as e:\n"
            + "    print('denied', e.strerror, flush=True); sys.exit(0)\n"
            + "print('locked', flush=True)\n"
            + "time.sleep(60)\n";
        List<String> argv = new ArrayList<>();
        if (user != null) argv.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups"));
        argv.addAll(List.of("/usr/bin/python3", "-c", py, file.toString(), exclusive ? "ex" : "sh"));
        return new ProcessBuilder(argv).redirectErrorStream(true);
    }

    static String firstLine(Process p) throws Exception {
        return new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
    }

    /**
     * Before: /run/unboxed/lock was 0644 in a 0755 directory, so any user could open it read-only, take a shared fcntl
     * lock and keep every lab from starting ("another lab is running: unknown holder"). Now the directory is 0700 and the
     * file 0600, both root's; a lock file left 0644 by an earlier version, even one a user holds open and locked, is
     * replaced by a new file.
     */
    @Test
    void anotherUserCannotLockTheLabsOut() throws Exception {
        needRoot();
        String user = "ubxlk" + (System.nanoTime() % 100000);
        sh("useradd --system --no-create-home --shell /usr/sbin/nologin " + user);
        Process p = null, q = null;
        try {
            // as an earlier version left it: the directory open to all, the lock file 0644
            Files.createDirectories(RUN);
            Files.setPosixFilePermissions(RUN, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.deleteIfExists(LabLock.FILE);
            Files.createFile(LabLock.FILE, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            Files.setPosixFilePermissions(LabLock.FILE, PosixFilePermissions.fromString("rw-r--r--"));
            p = locker(user, LabLock.FILE, false).start();
            assertEquals("locked", firstLine(p), "the user could lock the old 0644 file (the setup of this test)");

            try (LabLock lock = LabLock.acquire("lab99", "test")) {
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(RUN)));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(LabLock.FILE)));
                assertEquals(0, (Integer) Files.getAttribute(LabLock.FILE, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            }
            // and now the user cannot even open it
            q = locker(user, LabLock.FILE, false).start();
            String said = firstLine(q);
            assertTrue(said.startsWith("denied"), "another user must not reach the lock file: " + said);
            try (LabLock lock = LabLock.acquire("lab99", "test")) {
                assertTrue(Files.exists(LabLock.FILE));
            }
        } finally {
            for (Process x : new Process[] {p, q}) if (x != null) x.destroyForcibly().waitFor();
            shAny("userdel " + user);
        }
        assertFalse(shAny("id " + user).exit() == 0, "the test's user is removed");
    }

    /** A refusal names the real holder, as the kernel reports it: its pid and its command line. */
    @Test
    void theRefusalNamesTheHolderPidAndCommandLine() throws Exception {
        needRoot();
        try (LabLock first = LabLock.acquire("lab99", "test")) {
            // make sure the file exists as the lab makes it
        }
        Process p = locker(null, LabLock.FILE, true).start();
        try {
            assertEquals("locked", firstLine(p));
            LabException e = assertThrows(LabException.class, () -> LabLock.acquire("lab99", "test"));
            assertEquals(LabException.CONFLICT, e.exitCode());
            assertTrue(e.getMessage().contains("pid " + p.pid() + " (/usr/bin/python3 -c import fcntl"), e.getMessage());
            assertFalse(e.getMessage().contains("unknown holder"), e.getMessage());
        } finally {
            p.destroyForcibly().waitFor();
        }
        try (LabLock again = LabLock.acquire("lab99", "test")) {
            assertTrue(Files.exists(LabLock.FILE), "the kernel released the lock with its holder");
        }
    }

    /** A /run/unboxed that another user owns (or a link in its place) is refused, exit 4, saying what to do. */
    @Test
    void aForeignRunDirectoryIsRefused() throws Exception {
        needRoot();
        try (LabLock first = LabLock.acquire("lab99", "test")) {
            // the directory exists
        }
        sh("chown 65534 " + RUN);
        try {
            LabException e = assertThrows(LabException.class, () -> LabLock.acquire("lab99", "test"));
            assertEquals(LabException.CONFLICT, e.exitCode());
            assertTrue(e.getMessage().contains(RUN + " belongs to uid 65534"), e.getMessage());
        } finally {
            sh("chown 0 " + RUN);
        }
    }

    /** For the child JVM of {@link #aCheckRacingAResetLosesNoJournalEntry}: records entries FROM..TO-1 into lab97's journal. */
    public static void main(String... args) {
        for (int i = Integer.parseInt(args[0]); i < Integer.parseInt(args[1]); i++) {
            Journal.of("lab97").record(new KernelObject.Link("lab97-e" + i, null).entry(Journal.LAB));
        }
    }

    /**
     * Before: check appended to the journal (its baseline note) with no lock while reset read, undid and rewrote it, so
     * an entry written in between was lost. Now every append and rewrite holds the journal's lock: appends from another
     * process and from another thread, racing rewrites, all land.
     */
    @Test
    void aCheckRacingAResetLosesNoJournalEntry() throws Exception {
        needRoot();
        Journal j = Journal.of("lab97");
        assertTrue(j.entries().isEmpty(), "lab97's journal is not ours to use: " + j.file());
        try {
            Process child = LabHarness.jvm(FilesHardeningTest.class.getName(), "0", "150").redirectErrorStream(true).start();
            Thread writer = new Thread(() -> main("150", "300"));
            writer.start();
            int rewrites = 0;
            while (child.isAlive() || writer.isAlive()) {
                Journal.of("lab97").replay(Journal.DEMO); // reads, undoes nothing (all are lab scope), rewrites
                rewrites++;
            }
            writer.join();
            assertEquals(0, child.waitFor(), new String(child.getInputStream().readAllBytes()));
            List<String> names = new ArrayList<>(j.entries().stream().map(Journal.Entry::target).toList());
            Collections.sort(names);
            List<String> want = new ArrayList<>();
            for (int i = 0; i < 300; i++) want.add("lab97-e" + i);
            Collections.sort(want);
            assertEquals(want, names, "every entry once, after " + rewrites + " rewrites");
            assertTrue(rewrites > 5, "the rewrites raced the appends: " + rewrites);
        } finally {
            Files.deleteIfExists(j.file());
            Files.deleteIfExists(j.file().resolveSibling("lab97.journal.lock"));
        }
    }

    /**
     * Before: objects on disk (the exercise's /mnt/lab02, work folders under /var/lib/unboxed) were listed only in the
     * journal in /run, which a reboot empties, so after a reboot reset and doctor --leftovers no longer knew them. The
     * reboot, simulated as what it does: every kernel object the lab or the learner made ends (processes, mounts, their
     * namespaces, propagation back to the boot's), /run/unboxed is emptied, and directories on disk stay.
     */
    @Test
    void afterARebootResetAndDoctorStillFindWhatIsOnDisk() throws Exception {
        needRoot();
        Lab lab = LabHarness.lab("Lab02Mntns");
        List<String> before = LabHarness.freshStart(lab);
        boolean mntLab02Before = Files.exists(Path.of("/mnt/lab02"));
        LabHarness.succeeds(lab, "run");
        LabHarness.succeeds(lab, "solve");
        assertTrue(Files.isDirectory(Path.of("/mnt/lab02")), "run prepared the exercise's directory");

        reboot(lab);
        assertTrue(Files.isDirectory(Path.of("/mnt/lab02")), "a directory on disk outlives the reboot");
        assertFalse(Files.exists(Journal.DIR.resolve(lab.id + ".journal")), "the reboot emptied /run/unboxed");

        List<String> left = Leftovers.find();
        assertTrue(left.stream().anyMatch(l -> l.contains("/mnt/lab02") && l.contains("sudo ./jbang lab02 reset")),
            "doctor --leftovers finds the exercise's directory after a reboot: " + left);

        LabHarness.succeeds(lab, "reset");
        assertEquals(mntLab02Before, Files.exists(Path.of("/mnt/lab02")), "reset after a reboot removes /mnt/lab02");
        assertEquals(List.of(), Leftovers.find(), "nothing of the lab is left");
        LabHarness.assertHostUnchangedWithin(before, "after a reboot and lab02 reset", 10);
    }

    /**
     * What a reboot does to a lab's objects: those that live in the kernel end (undone, newest first, as the kernel
     * would drop them; with the learner's objects the lab declares), /run/unboxed loses the lab's journal and declarations; what is on disk stays.
     */
    static void reboot(Lab lab) throws Exception {
        List<Journal.Entry> entries = new ArrayList<>(Journal.of(lab.id).entries());
        Collections.reverse(entries);
        for (Journal.Entry e : entries) {
            KernelObject o = e.object().orElseThrow();
            if (!o.outlivesReboot()) o.undo();
        }
        for (KernelObject o : lab.owns) if (!o.outlivesReboot() && o.present()) o.undo();
        for (KernelObject o : lab.makes) if (!o.outlivesReboot() && o.present()) o.undo();
        try (var files = Files.list(Journal.DIR)) { // this lab's files only: other labs' are not this test's
            for (Path f : files.toList()) if (f.getFileName().toString().startsWith(lab.id + ".")) Files.delete(f);
        }
        TimeUnit.MILLISECONDS.sleep(100);
    }
}
