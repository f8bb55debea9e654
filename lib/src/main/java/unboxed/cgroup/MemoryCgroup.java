package unboxed.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One cgroup in the hierarchy that holds the memory controller, with one API over cgroup v1 and v2. The files differ
 * by version, and the labs teach the real file names, so each operation also says which file it touches:
 *
 * <pre>
 *                 cgroup v2 (/sys/fs/cgroup/NAME)     cgroup v1 (/sys/fs/cgroup/memory/NAME)
 * limit           memory.max                          memory.limit_in_bytes
 * swap limit      memory.swap.max                     memory.memsw.limit_in_bytes (memory + swap)
 * in use now      memory.current                      memory.usage_in_bytes
 * OOM kills       memory.events: oom_kill N           memory.oom_control: oom_kill N
 *                 (this group and all below it)       (this group's own processes only)
 * own limit: OOM  memory.events.local: oom N          (not recorded)
 * hit the limit   memory.events: max N                memory.failcnt
 * members         cgroup.procs                        cgroup.procs (tasks: threads)
 * </pre>
 */
public final class MemoryCgroup {
    private final Path dir;
    private final Cgroups.Version version;

    private MemoryCgroup(Path dir, Cgroups.Version version) {
        this.dir = dir;
        this.version = version;
    }

    /** The group NAME (a path below the memory hierarchy's root, such as "demo") on this machine. */
    public static MemoryCgroup named(String name) {
        Cgroups.Layout l = Cgroups.detect();
        if (l.memoryRoot() == null) throw new IllegalStateException("no cgroup hierarchy offers the memory controller");
        return new MemoryCgroup(l.memoryRoot().resolve(name), l.memoryVersion());
    }

    /** Where else a learner may make group NAME on this machine ({@link Cgroups#misplaced}). */
    public static List<Path> misplaced(String name) {
        Path root = Cgroups.detect().memoryRoot();
        return Cgroups.misplaced(name, root == null ? List.of() : List.of(root.resolve(name)));
    }

    /** The group at an explicit path, of an explicit version (tests, and groups found by scanning). */
    public static MemoryCgroup at(Path dir, Cgroups.Version version) {
        return new MemoryCgroup(dir, version);
    }

    public Path dir() { return dir; }
    public Cgroups.Version version() { return version; }
    public boolean v2() { return version == Cgroups.Version.V2; }
    public boolean exists() { return Files.isDirectory(dir); }

    /** The file name that holds a concept in this version: "limit", "swap", "current", "oom", "events". */
    public String file(String concept) {
        return switch (concept) {
            case "limit" -> v2() ? "memory.max" : "memory.limit_in_bytes";
            case "swap" -> v2() ? "memory.swap.max" : "memory.memsw.limit_in_bytes";
            case "current" -> v2() ? "memory.current" : "memory.usage_in_bytes";
            case "oom" -> v2() ? "memory.events" : "memory.oom_control";
            case "procs" -> "cgroup.procs";
            default -> throw new IllegalArgumentException(concept);
        };
    }

    /** mkdir: the kernel fills the directory with the controller's files. */
    public void create() {
        files().create();
    }

    /** The memory limit in bytes; Long.MAX_VALUE for none ("max" in v2, a huge number in v1). */
    public long limit() {
        return parseLimit(read(file("limit")));
    }

    /**
     * A limit file's content (stripped) in bytes: "max" (v2) and v1's "no limit" number are Long.MAX_VALUE. v1 writes
     * "no limit" as LONG_MAX rounded down to a whole page: 0x7FFFFFFFFFFFF000 with 4 KiB pages, 0x7FFFFFFFFFFF0000
     * with 64 KiB pages (arm64); anything from the lower of the two up counts as none.
     */
    public static long parseLimit(String v) {
        if (v.equals("max")) return Long.MAX_VALUE;
        long n = Long.parseLong(v);
        return n >= 0x7FFFFFFFFFFF0000L ? Long.MAX_VALUE : n;
    }

    /** Sets the memory limit; the kernel rounds it down to whole pages. */
    public void setLimit(long bytes) {
        write(file("limit"), Long.toString(bytes));
    }

    /** Whether this kernel can limit swap here (v1 needs swap accounting; v2 has memory.swap.max with swap on). */
    public boolean hasSwapFile() {
        return Files.exists(dir.resolve(file("swap")));
    }

    /**
     * Whether this group will have the swap file once made (so a learner's `echo ... > FILE` has somewhere to go),
     * judged before it exists: v1 has memory.memsw.limit_in_bytes in every group, the root included, exactly when swap
     * accounting is on; v2 has memory.swap.max in a group below one that offers the memory controller, so a sibling
     * with memory.max shows whether it comes with memory.swap.max.
     */
    public boolean willHaveSwapFile() {
        if (exists()) return hasSwapFile();
        Path parent = dir.getParent();
        if (!v2()) return Files.exists(parent.resolve(file("swap")));
        try (var siblings = Files.list(parent)) {
            return siblings.filter(d -> Files.exists(d.resolve("memory.max"))).findFirst()
                .map(d -> Files.exists(d.resolve("memory.swap.max"))).orElse(true);
        } catch (java.io.IOException e) {
            return true;
        }
    }

    /**
     * Forbids swapping: v2 memory.swap.max = 0; v1 memory.memsw.limit_in_bytes = the memory limit (memory+swap may
     * not exceed memory alone). Does nothing where the kernel has no such file.
     */
    public void forbidSwap() {
        if (!hasSwapFile()) return;
        write(file("swap"), v2() ? "0" : Long.toString(limit()));
    }

    /** Whether swap is forbidden (true where there is no swap file to set: nothing to limit). */
    public boolean swapForbidden() {
        if (!hasSwapFile()) return true;
        return parseSwapForbidden(read(file("swap")), v2(), this::limit);
    }

    /**
     * Whether a swap file's content (stripped) forbids swapping: v2 memory.swap.max is "0"; v1
     * memory.memsw.limit_in_bytes (memory + swap) is limited and at most the memory limit, which must be set (asked of
     * limit only in that case). A v1 group nobody limited has both at "no limit": swap is not forbidden.
     */
    static boolean parseSwapForbidden(String v, boolean v2, LongSupplier limit) {
        if (v2) return v.equals("0");
        if (v.equals("max")) return false;
        long memsw = parseLimit(v);
        if (memsw == Long.MAX_VALUE) return false;
        long memory = limit.getAsLong();
        return memory != Long.MAX_VALUE && memsw <= memory;
    }

    /** Bytes in use by the group now. */
    public long current() {
        return Long.parseLong(read(file("current")));
    }

    /**
     * OOM kills counted for this group: the oom_kill line of v2's memory.events, which is hierarchical (kills of
     * processes in this group and in every group below it; Documentation/admin-guide/cgroup-v2.rst, memory.events),
     * or of v1's memory.oom_control, which counts only the group's own processes (the kernel does not propagate the
     * event up a v1 hierarchy). Neither says whose limit caused the kill: see {@link #ownLimitOoms()}.
     */
    public long oomKills() {
        return field(file("oom"), "oom_kill").orElse(0L);
    }

    /**
     * v2: how often this group's own limit left an allocation failing and called the OOM killer (the "oom" line of
     * memory.events.local: the kernel counts it on the group whose limit was hit). Empty on v1, which keeps no such
     * counter, and on kernels before 5.2 (no memory.events.local).
     */
    public java.util.OptionalLong ownLimitOoms() {
        if (!v2() || !Files.exists(dir.resolve("memory.events.local"))) return java.util.OptionalLong.empty();
        return java.util.OptionalLong.of(field("memory.events.local", "oom").orElse(0L));
    }

    /** The groups below this one (not itself), parents before children. */
    public List<MemoryCgroup> descendants() {
        return files().descendants().stream().map(d -> at(d.dir(), version)).toList();
    }

    /**
     * Times usage hit the limit: memory.events "max" in v2; in v1 memory.failcnt, or memory.memsw.failcnt when
     * swap is limited too (then that limit is the one hit).
     */
    public long limitHits() {
        if (v2()) return field("memory.events", "max").orElse(0L);
        long mem = Long.parseLong(read("memory.failcnt"));
        return Files.exists(dir.resolve("memory.memsw.failcnt")) ? Math.max(mem, Long.parseLong(read("memory.memsw.failcnt"))) : mem;
    }

    /** v2: the number of a line of memory.events ("high": times usage went over memory.high); 0 on v1, which has no such file. */
    public long event(String key) {
        return v2() ? field("memory.events", key).orElse(0L) : 0L;
    }

    /** Member processes. */
    public List<Long> procs() {
        return files().procs();
    }

    /** echo PID > cgroup.procs: moves a process (all its threads) in; its future children are born in. */
    public void add(long pid) {
        files().add(pid);
    }

    /**
     * Removes the group and every group a learner made below it, deepest first: each one's members are killed, then
     * it is removed (rmdir: the kernel removes a cgroup only when it has no processes and no child groups).
     * Does nothing if it does not exist.
     */
    public void destroy() {
        files().destroy();
    }

    private Optional<Long> field(String file, String key) {
        return files().field(file, key);
    }

    public String read(String file) {
        return files().read(file);
    }

    public void write(String file, String value) {
        files().write(file, value);
    }

    private CgroupDir files() {
        return new CgroupDir(dir);
    }
}
