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
        List<String[]> cgroupMounts = new ArrayList<>();
        for (String line : mounts.lines().toList()) {
            String[] f = line.split(" ");
            if (f[2].equals("cgroup") || f[2].equals("cgroup2")) cgroupMounts.add(f);
        }
        boolean v1 = cgroupMounts.stream().anyMatch(f -> f[2].equals("cgroup"));
        boolean v2 = cgroupMounts.stream().anyMatch(f -> f[2].equals("cgroup2"));
        Version memVersion = null;
        Path memRoot = null;
        for (String[] f : cgroupMounts) {
            if (f[2].equals("cgroup") && List.of(f[3].split(",")).contains("memory")) {
                memVersion = Version.V1;
                memRoot = Path.of(f[1]);
            }
        }
        if (memRoot == null) {
            for (String[] f : cgroupMounts) {
                if (!f[2].equals("cgroup2")) continue;
                String controllers = readControllers.apply(Path.of(f[1], "cgroup.controllers"));
                if (controllers != null && List.of(controllers.strip().split(" ")).contains("memory")) {
                    memVersion = Version.V2;
                    memRoot = Path.of(f[1]);
                }
            }
        }
        String kind = v1 && v2 ? "hybrid" : v2 ? "v2" : v1 ? "v1" : "none";
        return new Layout(kind, memVersion, memRoot,
            cgroupMounts.stream().map(f -> f[2] + " on " + f[1] + " (" + f[3] + ")").toList());
    }
}
