package unboxed.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where this machine's cgroups are. Hosts differ: pure cgroup v2 (Debian 12, Ubuntu 24.04: one tree at /sys/fs/cgroup,
 * memory.max), or hybrid/v1 (one tree per controller under /sys/fs/cgroup/NAME, memory.limit_in_bytes). What counts
 * for the labs is which hierarchy holds the memory controller.
 */
public final class Cgroups {
    private Cgroups() {}

    public enum Version { V1, V2 }

    /**
     * The layout: "v2" (unified only), "v1" (no cgroup2 mount), or "hybrid" (both); and where memory is controlled.
     * memoryRoot is null when no hierarchy offers the memory controller.
     */
    public record Layout(String kind, Version memoryVersion, Path memoryRoot, List<String> mounts) {}

    public static Layout detect() {
        String mounts;
        try {
            mounts = Files.readString(Path.of("/proc/self/mounts"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parse(mounts, controllers -> {
            try {
                return Files.exists(controllers) ? Files.readString(controllers) : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The layout described by the text of /proc/self/mounts (fstab format: device, mount point, type, options, ...).
     * readControllers gives the text of a cgroup2 mount's cgroup.controllers file, or null when there is none; it is
     * asked only about cgroup2 mounts, and only when no cgroup v1 hierarchy has the memory controller.
     */
    static Layout parse(String mounts, Function<Path, String> readControllers) {
        List<String[]> cgroupMounts = cgroupMounts(mounts);
        boolean v1 = cgroupMounts.stream().anyMatch(f -> f[2].equals("cgroup"));
        boolean v2 = cgroupMounts.stream().anyMatch(f -> f[2].equals("cgroup2"));
        Root memory = root(cgroupMounts, "memory", readControllers);
        String kind = v1 && v2 ? "hybrid" : v2 ? "v2" : v1 ? "v1" : "none";
        return new Layout(kind, memory == null ? null : memory.version(), memory == null ? null : memory.dir(),
            cgroupMounts.stream().map(f -> f[2] + " on " + f[1] + " (" + f[3] + ")").toList());
    }

    /** The root of the hierarchy that offers a controller: a v1 mount of its own (or shared), or a v2 tree. */
    public record Root(Version version, Path dir) {}

    /** Where a controller ("cpu", "pids", "memory", "cpuacct") is offered on this machine; null if nowhere. */
    public static Root rootOf(String controller) {
        try {
            return root(cgroupMounts(Files.readString(Path.of("/proc/self/mounts"))), controller, controllers -> {
                try {
                    return Files.exists(controllers) ? Files.readString(controllers) : null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This process's own group in the v2 hierarchy (the "0::PATH" line of /proc/self/cgroup); empty when there is none. */
    public static java.util.Optional<Path> ownV2Group() {
        Path mount = v2Mount();
        if (mount == null) return java.util.Optional.empty();
        try {
            return Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.startsWith("0::"))
                .map(l -> mount.resolve(l.substring(3).replaceFirst("^/", ""))).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where cgroup2 is mounted (/sys/fs/cgroup on a v2 machine, /sys/fs/cgroup/unified on a hybrid one); null if nowhere. */
    public static Path v2Mount() {
        try {
            return cgroupMounts(Files.readString(Path.of("/proc/self/mounts"))).stream().filter(f -> f[2].equals("cgroup2"))
                .map(f -> Path.of(f[1])).findFirst().orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same as {@link #rootOf}, from the text of /proc/self/mounts and a reader of cgroup2's cgroup.controllers. */
    static Root parseRoot(String mounts, String controller, Function<Path, String> readControllers) {
        return root(cgroupMounts(mounts), controller, readControllers);
    }

    /**
     * A v1 hierarchy mounted with the controller among its options wins (a controller is in one hierarchy at a time:
     * cgroups(7)); otherwise a cgroup2 mount whose root cgroup.controllers lists it.
     */
    private static Root root(List<String[]> cgroupMounts, String controller, Function<Path, String> readControllers) {
        for (String[] f : cgroupMounts) {
            if (f[2].equals("cgroup") && List.of(f[3].split(",")).contains(controller)) return new Root(Version.V1, Path.of(f[1]));
        }
        for (String[] f : cgroupMounts) {
            if (!f[2].equals("cgroup2")) continue;
            String controllers = readControllers.apply(Path.of(f[1], "cgroup.controllers"));
            if (controllers != null && List.of(controllers.strip().split(" ")).contains(controller)) return new Root(Version.V2, Path.of(f[1]));
        }
        return null;
    }

    private static List<String[]> cgroupMounts(String mounts) {
        List<String[]> cgroupMounts = new ArrayList<>();
        for (String line : mounts.lines().toList()) {
            String[] f = line.split(" ");
            if (f.length > 3 && (f[2].equals("cgroup") || f[2].equals("cgroup2"))) cgroupMounts.add(f);
        }
        return cgroupMounts;
    }

    /**
     * Where else a learner may make group NAME on this machine, following the other cgroup version's path: on a v1 or
     * hybrid machine, /sys/fs/cgroup/NAME (a plain directory in the tmpfs there, not a cgroup at all) and
     * /sys/fs/cgroup/unified/NAME (a v2 group without the controllers). Those that exist and are none of the group's
     * own directories.
     */
    public static List<Path> misplaced(String name, java.util.Collection<Path> own) {
        return java.util.stream.Stream.of(Path.of("/sys/fs/cgroup", name), Path.of("/sys/fs/cgroup/unified", name))
            .filter(p -> !own.contains(p) && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
    }

    // ---- the v2 root's cgroup.subtree_control ------------------------------------------------------------------

    /** The controllers a v2 root (or any v2 group) hands to its children: its cgroup.subtree_control, as words. */
    public static List<String> subtreeControl(Path v2Group) {
        String text = new CgroupDir(v2Group).read("cgroup.subtree_control");
        return text.isBlank() ? List.of() : List.of(text.split("\\s+"));
    }

    /**
     * echo +CONTROLLER > ROOT/cgroup.subtree_control for each one not there yet, as runc's cgroupfs driver does on v2
     * (it writes the controllers into every ancestor's subtree_control, the root's included). The ones it enabled.
     */
    public static List<String> enableAt(Path v2Group, List<String> controllers) {
        List<String> enabled = new ArrayList<>();
        for (String c : controllers) {
            if (subtreeControl(v2Group).contains(c)) continue;
            new CgroupDir(v2Group).write("cgroup.subtree_control", "+" + c);
            enabled.add(c);
        }
        return enabled;
    }

    /** What {@link #disableAt} did with one controller. */
    public enum Disabled { DONE, WAS_OFF, BUSY }

    /**
     * echo -CONTROLLER > GROUP/cgroup.subtree_control. The kernel refuses with EBUSY while a child group still has
     * the controller in its own subtree_control (cgroup-v2.rst, "Top-down Constraint"; kernel/cgroup/cgroup.c,
     * cgroup_subtree_control_write): then it is left on and BUSY says so.
     */
    public static Disabled disableAt(Path v2Group, String controller) {
        if (!subtreeControl(v2Group).contains(controller)) return Disabled.WAS_OFF;
        try {
            Files.writeString(v2Group.resolve("cgroup.subtree_control"), "-" + controller);
            return Disabled.DONE;
        } catch (IOException e) {
            if (e instanceof java.nio.file.FileSystemException f && "Device or resource busy".equals(f.getReason())) return Disabled.BUSY;
            throw new UncheckedIOException("cannot write -" + controller + " to " + v2Group.resolve("cgroup.subtree_control"), e);
        }
    }
}
