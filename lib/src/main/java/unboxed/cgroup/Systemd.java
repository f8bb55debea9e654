package unboxed.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import unboxed.ns.Mounts;
import unboxed.sys.Cmd;
import unboxed.sys.Wait;

/**
 * systemd as the owner of a cgroup tree: where a slice's group is, and how to take away what a learner asked systemd
 * for (`systemd-run --slice=...`, `systemctl set-property ...`). The facts it rests on:
 *
 * <ul>
 * <li>systemd is the init when /run/systemd/system/ is a directory (sd_booted(3)).
 * <li>A slice's name is its place in the tree: each dash a level, "lab12-web.slice" is a child of "lab12.slice", whose
 *     group is ROOT/lab12.slice/lab12-web.slice (systemd.slice(5)). A slice that no unit file describes is made when a
 *     unit is put in it, and stays active (its group stays) until it is stopped.
 * <li>Units in a slice (transient services and scopes of systemd-run) have groups of their own below the slice's:
 *     the processes are there, never in the slice's group itself (systemd.resource-control(5)).
 * <li>`systemctl stop SLICE` stops the units in it and below it, and systemd removes their groups; `systemctl
 *     set-property` writes drop-ins in /etc/systemd/system.control/UNIT.d (/run/... with --runtime), which
 *     `systemctl revert` removes (systemctl(1)); a failed unit stays loaded until `systemctl reset-failed`.
 * </ul>
 */
public final class Systemd {
    private Systemd() {}

    /** Whether systemd is this machine's init (sd_booted(3): /run/systemd/system/ exists). */
    public static boolean running() {
        return Files.isDirectory(Path.of("/run/systemd/system"));
    }

    /** The unit name of slice NAME: "lab12-web" is "lab12-web.slice". */
    public static String slice(String name) {
        return name + ".slice";
    }

    /**
     * The path of slice NAME's group below a hierarchy's root, a level per dash (systemd.slice(5)): "lab12-web" is
     * "lab12.slice/lab12-web.slice".
     */
    public static String slicePath(String name) {
        String[] parts = name.split("-");
        List<String> levels = new ArrayList<>();
        for (int i = 1; i <= parts.length; i++) levels.add(slice(String.join("-", List.of(parts).subList(0, i))));
        return String.join("/", levels);
    }

    /** The drop-in folders `systemctl set-property` writes for slice NAME and the slices below it (persistent and --runtime). */
    static List<Path> dropIns(String name) {
        List<Path> found = new ArrayList<>();
        for (Path control : List.of(Path.of("/etc/systemd/system.control"), Path.of("/run/systemd/system.control"))) {
            if (!Files.isDirectory(control)) continue;
            try (Stream<Path> s = Files.list(control)) {
                s.filter(p -> {
                    String f = p.getFileName().toString();
                    return f.equals(slice(name) + ".d") || f.startsWith(name + "-") && f.endsWith(".slice.d");
                }).sorted().forEach(found::add);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot list " + control, e);
            }
        }
        return found;
    }

    /** The units whose groups are at or below these directories (their names: *.slice, *.service, *.scope). */
    static Set<String> unitsIn(List<Path> dirs) {
        Set<String> units = new LinkedHashSet<>();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> walk = Files.walk(d)) {
                walk.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(f -> f.matches(".+\\.(slice|service|scope)")).forEach(units::add);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot list the groups below " + d, e);
            }
        }
        return units;
    }

    /** Whether slice NAME has something to take away: a group in one of these hierarchies, or drop-ins. */
    public static boolean present(String name, List<Path> sliceDirs) {
        return sliceDirs.stream().anyMatch(Files::isDirectory) || !dropIns(name).isEmpty();
    }

    /**
     * Stops slice NAME and every unit in it, reverts what `systemctl set-property` wrote for it and the slices below,
     * forgets the units in it that failed, and waits until systemd has removed their groups (sliceDirs: the slice's
     * group in each hierarchy). A group still there after that (a process that ignored SIGTERM, or no systemd to ask)
     * has its members killed by pid and is removed by hand. What it did, a line each; empty if nothing was there.
     */
    public static List<String> remove(String name, List<Path> sliceDirs) {
        List<String> said = new ArrayList<>();
        if (!present(name, sliceDirs)) return said;
        if (running() && Cmd.has("systemctl")) {
            Set<String> units = unitsIn(sliceDirs);
            units.add(slice(name));
            Cmd.Result stop = Cmd.run(List.of("systemctl", "stop", slice(name)), 60);
            said.add(stop.ok() ? "stopped " + slice(name) + " and the units in it (" + String.join(", ", units) + ")"
                : "systemctl stop " + slice(name) + " exited " + stop.exit() + ": " + stop.err().strip());
            List<String> reverted = new ArrayList<>();
            for (Path d : dropIns(name)) reverted.add(d.getFileName().toString().replaceAll("\\.d$", ""));
            if (!reverted.isEmpty()) {
                List<String> argv = new ArrayList<>(List.of("systemctl", "revert"));
                argv.addAll(reverted);
                Cmd.run(argv, 60);
                said.add("reverted the properties set on " + String.join(", ", reverted) + " (systemctl revert)");
                List<Path> left = dropIns(name);
                if (!left.isEmpty()) {
                    // an older systemctl whose revert leaves system.control alone: the folders by hand, then a reload
                    for (Path d : left) Mounts.removeTree(d, false);
                    Cmd.run(List.of("systemctl", "daemon-reload"), 120);
                    said.add("removed " + left.stream().map(Path::toString).toList() + " and reloaded systemd");
                }
            }
            List<String> failed = failedIn(name);
            if (!failed.isEmpty()) {
                List<String> argv = new ArrayList<>(List.of("systemctl", "reset-failed"));
                argv.addAll(failed);
                Cmd.run(argv, 30);
                said.add("forgot the failed units " + String.join(", ", failed) + " (systemctl reset-failed)");
            }
            Wait.until(Duration.ofSeconds(10), Duration.ofMillis(50), () -> sliceDirs.stream().noneMatch(Files::isDirectory));
        }
        for (Path d : sliceDirs) {
            if (Files.isDirectory(d)) {
                new CgroupDir(d).destroy();
                said.add("removed cgroup " + d + " by hand (its members killed by pid)");
            }
        }
        return said;
    }

    /** The loaded units that failed and sit in slice NAME or one below it (systemctl show -p Slice). */
    static List<String> failedIn(String name) {
        List<String> failed = new ArrayList<>();
        for (String line : Cmd.run(List.of("systemctl", "list-units", "--all", "--state=failed", "--plain", "--no-legend"), 30).out().split("\n")) {
            // "UNIT LOAD ACTIVE SUB DESCRIPTION", a "●" in front on some versions
            for (String w : line.strip().split("\\s+")) {
                if (w.matches("[\\w:@.\\\\-]+\\.[a-z]+")) {
                    failed.add(w);
                    break;
                }
            }
        }
        if (failed.isEmpty()) return failed;
        List<String> argv = new ArrayList<>(List.of("systemctl", "show", "-p", "Id", "-p", "Slice"));
        argv.addAll(failed);
        return inSlice(Cmd.run(argv, 30).out(), name);
    }

    /** From `systemctl show -p Id -p Slice UNIT...` (blocks of Key=value lines), the units in slice NAME or below it. */
    static List<String> inSlice(String show, String name) {
        List<String> in = new ArrayList<>();
        for (String block : show.split("\n\\s*\n")) {
            String id = null, slice = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("Id=")) id = line.substring(3).strip();
                if (line.startsWith("Slice=")) slice = line.substring(6).strip();
            }
            if (id != null && slice != null && (slice.equals(slice(name)) || slice.startsWith(name + "-") && slice.endsWith(".slice"))) in.add(id);
        }
        return in;
    }
}
