package unboxed.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cgroup by name under the controllers it is for (cpu, pids, memory, ...), with one API over cgroup v1 and v2.
 * On v2 every controller is in one tree, so the group is one directory; on v1 each controller has a hierarchy of its
 * own (or shares one: cpu,cpuacct), so the group is a directory in each. The files differ by version, and the labs
 * teach the real names, so {@link #file} names each one:
 *
 * <pre>
 *                  cgroup v2 (/sys/fs/cgroup/NAME)          cgroup v1 (/sys/fs/cgroup/CONTROLLER/NAME)
 * offered here     cgroup.controllers                       a hierarchy per controller (/proc/self/mounts)
 * for children     cgroup.subtree_control (+cpu +pids)      (every group has all of its hierarchy's)
 * CPU limit        cpu.max: "QUOTA PERIOD" (us)             cpu.cfs_quota_us, cpu.cfs_period_us
 * CPU share        cpu.weight (1..10000, default 100)       cpu.shares (default 1024)
 * throttled        cpu.stat: nr_throttled, throttled_usec   cpu.stat: nr_throttled, throttled_time (ns)
 * CPU used         cpu.stat: usage_usec                     cpuacct.usage (ns, in the cpuacct hierarchy)
 * task limit       pids.max, pids.events "max N"            the same files, in the pids hierarchy
 * kill them all    cgroup.kill (kernel 5.14+)               (none: SIGKILL each pid of cgroup.procs)
 * </pre>
 *
 * A controller that no hierarchy offers is left out ({@link #missing}); on v2 that is the case of cpuacct, whose
 * accounting is part of cpu.stat there.
 */
public final class Group {
    private final String name;
    private final Map<String, Cgroups.Root> roots;
    private final List<String> missing;

    private Group(String name, Map<String, Cgroups.Root> roots, List<String> missing) {
        this.name = name;
        this.roots = roots;
        this.missing = missing;
    }

    /** The group NAME (a path below each hierarchy's root, such as "lab/web") for these controllers on this machine. */
    public static Group named(String name, String... controllers) {
        Map<String, Cgroups.Root> roots = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String c : controllers) {
            Cgroups.Root r = Cgroups.rootOf(c);
            if (r == null) missing.add(c);
            else roots.put(c, r);
        }
        return new Group(name, roots, List.copyOf(missing));
    }

    /** The group NAME for controllers at explicit roots (tests). */
    public static Group at(String name, Map<String, Cgroups.Root> roots) {
        return new Group(name, new LinkedHashMap<>(roots), List.of());
    }

    /**
     * The same group with one more controller at an explicit root: a v2 tree for "devices", say, where device rules
     * are a BPF program attached to the group's directory rather than a controller listed in cgroup.controllers.
     */
    public Group with(String controller, Cgroups.Root root) {
        Map<String, Cgroups.Root> r = new LinkedHashMap<>(roots);
        r.put(controller, root);
        return new Group(name, r, missing.stream().filter(m -> !m.equals(controller)).toList());
    }

    /** The group CHILD below this one, for the same controllers. */
    public Group child(String child) {
        return new Group(name + "/" + child, roots, missing);
    }

    public String name() { return name; }
    public List<String> controllers() { return List.copyOf(roots.keySet()); }
    /** The controllers asked for that no hierarchy on this machine offers. */
    public List<String> missing() { return missing; }
    public boolean has(String controller) { return roots.containsKey(controller); }

    /** The version of the hierarchy that holds a controller. */
    public Cgroups.Version version(String controller) { return root(controller).version(); }
    /** Whether the cpu controller (or, without it, the first one) is on cgroup v2. */
    public boolean v2() { return version(roots.containsKey("cpu") ? "cpu" : roots.keySet().iterator().next()) == Cgroups.Version.V2; }

    /** The group's directory in the hierarchy of a controller. */
    public Path dir(String controller) { return root(controller).dir().resolve(name); }

    /** Its directories, one per hierarchy (v2: one), in the order of the controllers. */
    public List<Path> dirs() {
        LinkedHashSet<Path> d = new LinkedHashSet<>();
        for (String c : roots.keySet()) d.add(dir(c));
        return List.copyOf(d);
    }

    /** Whether the directory is there in every hierarchy. */
    public boolean exists() { return dirs().stream().allMatch(Files::isDirectory); }

    /** Whether the directory is there in a controller's hierarchy. */
    public boolean exists(String controller) { return Files.isDirectory(dir(controller)); }

    /** mkdir in every hierarchy where it is not there yet. */
    public void create() {
        for (Path d : dirs()) if (!Files.isDirectory(d)) new CgroupDir(d).create();
    }

    /** The file that holds a concept in a version: "quota", "period", "weight", "cpustat", "usage", "pids", "kill", "high". */
    public static String file(Cgroups.Version v, String concept) {
        boolean v2 = v == Cgroups.Version.V2;
        return switch (concept) {
            case "controllers" -> v2 ? "cgroup.controllers" : "(a hierarchy each)";
            case "subtree" -> v2 ? "cgroup.subtree_control" : "(none)";
            case "quota" -> v2 ? "cpu.max" : "cpu.cfs_quota_us";
            case "period" -> v2 ? "cpu.max" : "cpu.cfs_period_us";
            case "weight" -> v2 ? "cpu.weight" : "cpu.shares";
            case "cpustat" -> "cpu.stat";
            case "throttled-time" -> v2 ? "throttled_usec" : "throttled_time";
            case "usage" -> v2 ? "cpu.stat usage_usec" : "cpuacct.usage";
            case "pids" -> "pids.max";
            case "pids-events" -> "pids.events";
            case "kill" -> v2 ? "cgroup.kill" : "(none: kill each pid)";
            case "high" -> v2 ? "memory.high" : "(none)";
            case "procs" -> "cgroup.procs";
            default -> throw new IllegalArgumentException(concept);
        };
    }

    /** The file of a concept for this group's cpu (or first) controller's version. */
    public String file(String concept) {
        return file(v2() ? Cgroups.Version.V2 : Cgroups.Version.V1, concept);
    }

    // ---- the tree: controllers offered and handed down (v2) -------------------------------------------------------

    /**
     * The controllers this group may use: v2, its cgroup.controllers (what its parent enabled in cgroup.subtree_control;
     * the root's are all the tree has); v1, those whose hierarchy holds the group's directory.
     */
    public List<String> available() {
        if (!v2()) return roots.keySet().stream().filter(this::exists).toList();
        return words(files("cpu").read("cgroup.controllers"));
    }

    /** v2: the controllers enabled for this group's children (cgroup.subtree_control); v1: empty, there is no such file. */
    public List<String> subtreeControl() {
        return v2() ? words(files("cpu").read("cgroup.subtree_control")) : List.of();
    }

    /**
     * v2: echo "+cpu +pids" > cgroup.subtree_control, so that the children get those controllers' files. The kernel
     * refuses (EBUSY) while the group has processes of its own ("no internal processes"; the root is exempt). v1:
     * nothing to do (a child in a hierarchy has its controller).
     */
    public void enableForChildren(String... controllers) {
        if (!v2()) return;
        files("cpu").write("cgroup.subtree_control", String.join(" ", java.util.Arrays.stream(controllers).map(c -> "+" + c).toList()));
    }

    // ---- cpu -----------------------------------------------------------------------------------------------------

    /** A CFS bandwidth limit: QUOTA microseconds of CPU time every PERIOD microseconds, over all CPUs. */
    public record Quota(long quotaUs, long periodUs) {
        /** How many CPUs' worth: 20000/100000 is 0.2 (20% of one CPU). */
        public double cpus() { return quotaUs / (double) periodUs; }
    }

    /** The CPU limit; empty for none (v2 "max PERIOD", v1 quota -1). */
    public Optional<Quota> cpuMax() {
        CgroupDir d = files("cpu");
        if (version("cpu") == Cgroups.Version.V2) return parseCpuMax(d.read("cpu.max"));
        long quota = Long.parseLong(d.read("cpu.cfs_quota_us"));
        return quota < 0 ? Optional.empty() : Optional.of(new Quota(quota, Long.parseLong(d.read("cpu.cfs_period_us"))));
    }

    /** v2's cpu.max content: "max 100000" (no limit) or "20000 100000". */
    static Optional<Quota> parseCpuMax(String text) {
        String[] f = text.strip().split("\\s+");
        if (f[0].equals("max")) return Optional.empty();
        return Optional.of(new Quota(Long.parseLong(f[0]), f.length > 1 ? Long.parseLong(f[1]) : 100_000));
    }

    /** Sets the CPU limit: v2 one write of "QUOTA PERIOD" to cpu.max; v1 the period, then the quota. */
    public void setCpuMax(long quotaUs, long periodUs) {
        CgroupDir d = files("cpu");
        if (version("cpu") == Cgroups.Version.V2) {
            d.write("cpu.max", quotaUs + " " + periodUs);
        } else {
            d.write("cpu.cfs_period_us", Long.toString(periodUs));
            d.write("cpu.cfs_quota_us", Long.toString(quotaUs));
        }
    }

    /** Periods in which the group used its whole quota and was stopped until the next one (cpu.stat nr_throttled). */
    public long throttled() {
        return files("cpu").field("cpu.stat", "nr_throttled").orElse(0L);
    }

    /** Time the group spent stopped by its quota, in microseconds (v2 throttled_usec; v1 throttled_time in ns). */
    public long throttledUsec() {
        if (version("cpu") == Cgroups.Version.V2) return files("cpu").field("cpu.stat", "throttled_usec").orElse(0L);
        return files("cpu").field("cpu.stat", "throttled_time").orElse(0L) / 1000;
    }

    /**
     * CPU time used by the group and every group below it, in microseconds: v2 cpu.stat usage_usec; v1 cpuacct.usage
     * (ns), for which the group must be made for cpuacct too.
     */
    public long usageUsec() {
        if (version("cpu") == Cgroups.Version.V2) return files("cpu").field("cpu.stat", "usage_usec").orElse(0L);
        if (!has("cpuacct")) throw new IllegalStateException("on cgroup v1 the CPU time used is in the cpuacct hierarchy: name cpuacct");
        return Long.parseLong(files("cpuacct").read("cpuacct.usage")) / 1000;
    }

    /** The group's share of CPU time under contention: v2 cpu.weight (default 100); v1 cpu.shares (default 1024). */
    public void setWeight(int weight) {
        if (version("cpu") == Cgroups.Version.V2) files("cpu").write("cpu.weight", Integer.toString(weight));
        else files("cpu").write("cpu.shares", Integer.toString(weight * 1024 / 100));
    }

    /** The weight written by {@link #setWeight}, as this version's file says it. */
    public String weight() {
        return files("cpu").read(file(version("cpu"), "weight"));
    }

    // ---- pids ----------------------------------------------------------------------------------------------------

    /** The most tasks (processes and threads) the group and those below it may hold; Long.MAX_VALUE for "max". */
    public long pidsMax() {
        String v = files("pids").read("pids.max");
        return v.equals("max") ? Long.MAX_VALUE : Long.parseLong(v);
    }

    public void setPidsMax(long max) {
        files("pids").write("pids.max", Long.toString(max));
    }

    /** Tasks in the group and below it now (pids.current). */
    public long pidsCurrent() {
        return Long.parseLong(files("pids").read("pids.current"));
    }

    /** Times a fork or clone failed because of the limit (pids.events "max"). */
    public long pidsMaxHits() {
        return files("pids").field("pids.events", "max").orElse(0L);
    }

    // ---- members ---------------------------------------------------------------------------------------------------

    /** The processes directly in the group, in a controller's hierarchy. */
    public List<Long> procs(String controller) {
        return files(controller).procs();
    }

    /**
     * The groups below this one in a controller's hierarchy (not itself), parents before children, each named by its
     * path from the hierarchy's root ("lab12/web/x"): where systemd's units keep the processes of a slice.
     */
    public List<Group> below(String controller) {
        Path d = dir(controller);
        return new CgroupDir(d).descendants().stream().map(c -> new Group(name + "/" + d.relativize(c.dir()), roots, missing)).toList();
    }

    /** Whether this group is OTHER or below it (in the same hierarchies). */
    public boolean within(Group other) {
        return name.equals(other.name) || name.startsWith(other.name + "/");
    }

    /** echo PID > cgroup.procs in every hierarchy (v2: the one tree). */
    public void add(long pid) {
        for (Path d : dirs()) new CgroupDir(d).add(pid);
    }

    /**
     * The shell words that move the shell running them into this group, in the hierarchies of the controllers named
     * (those offered here): "echo $$ > DIR/cgroup.procs;" once per directory, to be followed by "exec COMMAND".
     */
    public String joinLine(String... controllers) {
        LinkedHashSet<Path> d = new LinkedHashSet<>();
        for (String c : controllers) if (has(c)) d.add(dir(c));
        return String.join(" ", d.stream().map(p -> "echo $$ > " + p.resolve("cgroup.procs") + ";").toList());
    }

    /**
     * Kills every process in the group and below it: v2, echo 1 > cgroup.kill where the kernel has it (5.14+: one write,
     * no race with forks); otherwise (and on v1) SIGKILL to each pid of every group's cgroup.procs until none is left.
     */
    public void kill() {
        for (Path d : dirs()) {
            CgroupDir g = new CgroupDir(d);
            if (!g.exists()) continue;
            if (Files.exists(d.resolve("cgroup.kill"))) g.write("cgroup.kill", "1");
            List<CgroupDir> all = new ArrayList<>(g.descendants());
            all.add(g);
            for (CgroupDir x : all) x.killMembers();
        }
    }

    /** Removes the group and every group below it in each hierarchy, its members killed first. */
    public void destroy() {
        for (Path d : dirs()) new CgroupDir(d).destroy();
    }

    /** The same name made where the other cgroup version keeps groups ({@link Cgroups#misplaced}). */
    public List<Path> misplaced() {
        return Cgroups.misplaced(name, dirs());
    }

    /** The directory of a controller as a {@link CgroupDir}, to read or write a file this class has no method for. */
    public CgroupDir files(String controller) {
        return new CgroupDir(dir(controller));
    }

    private Cgroups.Root root(String controller) {
        Cgroups.Root r = roots.get(controller);
        if (r == null) throw new IllegalStateException("no cgroup hierarchy offers the " + controller + " controller here");
        return r;
    }

    private static List<String> words(String text) {
        return text.isBlank() ? List.of() : List.of(text.strip().split("\\s+"));
    }
}
