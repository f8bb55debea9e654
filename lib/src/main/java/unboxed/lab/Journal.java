package unboxed.lab;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import unboxed.net.Netns;
import unboxed.ns.Mounts;
import unboxed.sys.Sys;

/**
 * The cleanup journal: every object a lab makes is written here, and flushed to disk, <em>before</em> it is made.
 * So whenever the lab dies (an exception, Ctrl-C, SIGKILL between two syscalls), replaying the journal removes all it
 * made and nothing else: each undo is idempotent and checks the object is still there first.
 *
 * <p>One file per lab under /run/unboxed (tmpfs: a reboot clears both it and the kernel objects it lists). One JSON
 * object per line. An entry for an object a reboot does not end ({@link KernelObject#outlivesReboot}: a directory on
 * disk) is also written to a second file under {@link #DISK_DIR}, so that after a reboot reset, the next run and
 * `doctor --leftovers` still find it; the two are read as one. Every append and every rewrite holds the journal's lock
 * (LAB.journal.lock beside it), so a `check` noting the baseline while `reset` rewrites the file loses nothing. Scope "demo" entries are what run's steps made and are undone when run ends; scope "lab" entries
 * (what solve made, or state to restore on reset) stay until reset.
 */
public final class Journal {
    public static final Path DIR = Path.of("/run/unboxed");
    /** Where the entries that outlive a reboot are kept as well (persistent storage, beside the labs' work folders). */
    public static final Path DISK_DIR = Path.of("/var/lib/unboxed/journal");
    public static final String DEMO = "demo", LAB = "lab";
    /** Set in the environment of every long-lived process a lab starts, so replay finds them even if their pid was never written. */
    public static final String TAG_VARIABLE = "UNBOXED_TAG";

    /**
     * One journal line: a {@link KernelObject} as stored (its kind, the fields its undo needs) and the scope it was
     * made in. The kinds and what their fields mean are in KernelObject.
     */
    public record Entry(String kind, String target, String where, String scope) {
        /** The typed object; empty for a kind this version does not know. */
        public Optional<KernelObject> object() {
            return KernelObject.fromEntry(this);
        }

        /** A note of how the host was before the lab (restored on reset), not an object the lab made. */
        public boolean isBaseline() {
            return object().map(KernelObject::isNote).orElse(false);
        }

        public String describe() {
            return object().map(KernelObject::describe).orElse(kind + " " + target);
        }
    }

    private static final Gson GSON = new Gson();
    private final Path file;
    /** The copy of the entries that outlive a reboot; null for a journal read from elsewhere ({@link #at}). */
    private final Path disk;

    private Journal(Path file, Path disk) {
        this.file = file;
        this.disk = disk;
    }

    public static Journal of(String labId) {
        return new Journal(DIR.resolve(labId + ".journal"), DISK_DIR.resolve(labId + ".journal"));
    }

    /** A journal in another file (tests of the reader; labs use {@link #of}). */
    public static Journal at(Path file) {
        return new Journal(file, null);
    }

    /** A journal in another file with its copy for entries that outlive a reboot in {@code disk} (tests). */
    static Journal at(Path file, Path disk) {
        return new Journal(file, disk);
    }

    public Path file() { return file; }

    /** The ids of the labs that have a journal, in /run or on disk (after a reboot only the latter). */
    public static List<String> labsWithJournals() {
        java.util.TreeSet<String> ids = new java.util.TreeSet<>();
        for (Path dir : List.of(DIR, DISK_DIR)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".journal"))
                    .forEach(n -> ids.add(n.substring(0, n.length() - ".journal".length())));
            } catch (IOException none) {
                // no journals there
            }
        }
        return List.copyOf(ids);
    }

    /**
     * The journal's lock, held by every append and every rewrite: /run/unboxed is made private first (0700, root's),
     * so no other user can take it.
     */
    private SafeFiles.Held lock() {
        if (file.getParent().equals(DIR)) SafeFiles.privateDir(DIR);
        return SafeFiles.exclusive(file.resolveSibling(file.getFileName() + ".lock"), "the journal " + file, 120);
    }

    /** Writes the entry and forces it to disk before returning: call this before making the object. */
    public void record(Entry e) {
        try (SafeFiles.Held l = lock()) {
            append(file, e);
            if (disk != null && e.object().map(KernelObject::outlivesReboot).orElse(false)) {
                SafeFiles.privateDir(disk.getParent());
                append(disk, e);
            }
        }
        crashIfAsked();
    }

    private static void append(Path to, Entry e) {
        try {
            Files.createDirectories(to.getParent());
            try (FileChannel ch = FileChannel.open(to, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(SafeFiles.PRIVATE))) {
                ch.write(StandardCharsets.UTF_8.encode(GSON.toJson(e) + "\n"));
                ch.force(true);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the journal " + to, ex);
        }
    }

    /**
     * Fault injection for the crash tests (CrashCycleTest): with -D{@value #KILL_AFTER_ENTRY}=N this JVM SIGKILLs itself
     * right after its N-th entry is on disk and before the object is made, the riskiest moment of any step, made exact.
     * Without the property nothing happens.
     */
    public static final String KILL_AFTER_ENTRY = "unboxed.killAfterEntry";
    private static final java.util.concurrent.atomic.AtomicInteger RECORDED = new java.util.concurrent.atomic.AtomicInteger();

    private static void crashIfAsked() {
        String n = System.getProperty(KILL_AFTER_ENTRY);
        if (n != null && RECORDED.incrementAndGet() == Integer.parseInt(n)) {
            System.out.flush();
            Sys.kill(Sys.getpid(), 9);
        }
    }

    /**
     * The readable entries, oldest first. A line that is not one (cut short by a crash mid-write, `{}`, `null`, a kind
     * this version does not know) is reported once on stderr and skipped: its object was never made, or is not ours to
     * undo; it never stops a lab from starting or resetting.
     */
    public List<Entry> entries() {
        List<Entry> here = read(file);
        if (disk == null) return here;
        // after a reboot only the disk's copy is left; before, its entries are also in the file here: each once,
        // and those only on disk (older than anything written since the reboot) first
        List<Entry> out = new ArrayList<>();
        List<Entry> unmatched = new ArrayList<>(here);
        for (Entry e : read(disk)) {
            if (!unmatched.remove(e)) out.add(e);
        }
        out.addAll(here);
        return out;
    }

    private static List<Entry> read(Path file) {
        if (!Files.exists(file)) return List.of();
        try {
            List<Entry> out = new ArrayList<>();
            List<String> unreadable = new ArrayList<>();
            // bytes, decoded leniently: a multi-byte character cut by a crash must not make the whole journal unreadable
            for (String line : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                Entry e;
                try {
                    e = GSON.fromJson(line, Entry.class);
                } catch (RuntimeException | StackOverflowError torn) {
                    e = null;
                }
                if (e != null && e.object().isPresent() && e.scope() != null) {
                    out.add(e);
                } else {
                    unreadable.add(line);
                }
            }
            // one line on stderr, however many lines are unreadable, and once per process for the same ones
            if (!unreadable.isEmpty() && REPORTED.add(file + "\n" + String.join("\n", unreadable))) {
                String first = unreadable.get(0);
                System.err.println(LabCli.oneLine("unboxed: skipping " + (unreadable.size() == 1 ? "an unreadable line"
                    : unreadable.size() + " unreadable lines") + " of " + file + ": "
                    + (first.length() > 120 ? first.substring(0, 120) + "..." : first)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal " + file, e);
        }
    }

    /** Unreadable lines already reported by this process (each is reported once). */
    private static final java.util.Set<String> REPORTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Whether the journal lists objects (not just baseline notes): what an interrupted run or solve left. */
    public boolean hasObjects() {
        return entries().stream().anyMatch(e -> !e.isBaseline());
    }

    /**
     * Notes how /run/netns is now, once, before anything of the lab's or the learner's can change it: `ip netns add`
     * creates it (as a shared mount point) and leaves it behind. reset puts it back if it is empty by then.
     *
     * <p>The note is one for all labs ({@link #RUN_NETNS_NOTE}), written by the first lab that finds none: a learner
     * who runs one network lab, leaves it, and runs another has the second start from a /run/netns that the first
     * made, and whichever of the two is reset last must put back the state from before the first, not the second's
     * view of it.
     */
    public void rememberBaseline() {
        try (SafeFiles.Held l = lock()) {
            rememberBaselineLocked();
        }
    }

    private void rememberBaselineLocked() {
        if (entries().stream().noneMatch(e -> e.object().orElse(null) instanceof KernelObject.RunNetnsNote)) {
            record(new KernelObject.RunNetnsNote(Netns.runDirState()).entry(LAB));
        }
        if (!Files.exists(RUN_NETNS_NOTE)) {
            SafeFiles.privateDir(DIR);
            SafeFiles.replace(RUN_NETNS_NOTE, Netns.runDirState() + "\n", SafeFiles.PRIVATE);
        }
    }

    /** How /run/netns was before the first lab that is not yet reset touched it: absent, dir or mount. */
    static final Path RUN_NETNS_NOTE = DIR.resolve("run-netns.before");

    /** Undoes every object entry, keeping the baseline notes (for reset). */
    public Replay replayObjects() {
        return replay(e -> !e.isBaseline());
    }

    /** Undoes the object entries of one scope, newest first, keeping the baseline notes (for run's start-over). */
    public Replay replayObjects(String scope) {
        return replay(e -> scope.equals(e.scope()) && !e.isBaseline());
    }

    /** What a replay did: objects removed (or found already gone) and undos that failed, with why. */
    public record Replay(List<String> undone, List<String> failed) {}

    /** Undoes every entry, newest first. */
    public Replay replayAll() {
        return replay(e -> true);
    }

    /** Undoes the entries of one scope, newest first; keeps the others, and any whose undo failed, for next time. */
    public Replay replay(String scope) {
        return replay(e -> scope.equals(e.scope()));
    }

    private Replay replay(Predicate<Entry> which) {
        try (SafeFiles.Held l = lock()) {
            return replayLocked(which);
        }
    }

    private Replay replayLocked(Predicate<Entry> which) {
        List<Entry> all = entries();
        List<Entry> keep = new ArrayList<>();
        List<String> undone = new ArrayList<>(), failed = new ArrayList<>();
        List<Entry> reversed = new ArrayList<>(all);
        Collections.reverse(reversed);
        for (Entry e : reversed) {
            if (!which.test(e)) {
                keep.add(0, e);
                continue;
            }
            try {
                if (undo(e)) undone.add(e.describe());
            } catch (RuntimeException ex) {
                failed.add(e.describe() + ": " + ex.getMessage());
                keep.add(0, e);
            }
        }
        rewrite(file, keep);
        if (disk != null) rewrite(disk, keep.stream().filter(e -> e.object().map(KernelObject::outlivesReboot).orElse(false)).toList());
        return new Replay(undone, failed);
    }

    /**
     * Moves an entry to another scope, in its place (so it is undone when that scope is, at the same point of the
     * order): for a note that one scope made and another now needs kept (a controller one container turned on that
     * another container's group still has). Whether it was there to move.
     */
    public boolean reassign(Entry e, String scope) {
        try (SafeFiles.Held l = lock()) {
            List<Entry> all = new ArrayList<>(entries());
            int i = all.indexOf(e);
            if (i < 0) return false;
            all.set(i, new Entry(e.kind(), e.target(), e.where(), scope));
            rewrite(file, all);
            if (disk != null) rewrite(disk, all.stream().filter(x -> x.object().map(KernelObject::outlivesReboot).orElse(false)).toList());
            return true;
        }
    }

    /** The file holds exactly {@code keep} (removed when empty): through a private temporary file and a rename. */
    private static void rewrite(Path to, List<Entry> keep) {
        try {
            if (keep.isEmpty()) {
                Files.deleteIfExists(to);
            } else {
                StringBuilder b = new StringBuilder();
                for (Entry e : keep) b.append(GSON.toJson(e)).append('\n');
                SafeFiles.replace(to, b.toString(), SafeFiles.PRIVATE);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot rewrite the journal " + to, ex);
        }
    }

    /** Removes one object if it is still there (or restores what a note says). True if something changed. */
    static boolean undo(Entry e) {
        return e.object().orElseThrow(() -> new IllegalStateException("unknown journal entry kind " + e.kind())).undo();
    }

    /** rm -rf that first detaches anything mounted below, so it can never delete through a bind mount into the host. */
    static boolean removeTree(Path dir) {
        return Mounts.removeTree(dir, true);
    }

    /**
     * `ip netns add` leaves /run/netns behind (and makes it a mount point). If it was absent, or a plain directory,
     * before the first lab, and no namespace is left in it, put it back the way it was. {@code noted} is this lab's
     * own note, used only when the shared note is missing (a journal written before there was one).
     */
    static boolean restoreRunNetns(String noted) {
        String before = noted;
        try {
            if (Files.exists(RUN_NETNS_NOTE)) before = Files.readString(RUN_NETNS_NOTE).strip();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        if (!Netns.runDirNames().isEmpty()) return false; // someone's namespaces live there: leave it (and the note)
        boolean changed = Netns.restoreRunDir(before);
        forgetRunNetnsNote();
        return changed;
    }

    /** Forgets how /run/netns was before the labs (KnownState: a fresh machine has no such note). */
    public static void forgetRunNetnsNote() {
        try {
            Files.deleteIfExists(RUN_NETNS_NOTE);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
