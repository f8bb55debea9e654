package unboxed.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import unboxed.sys.Sys;
import unboxed.sys.Wait;

/**
 * One cgroup directory in one hierarchy, whatever the controller and the version: the files every cgroup has
 * (cgroup.procs), reading and writing its interface files, its child groups, and removing it with everything below.
 * {@link MemoryCgroup} and {@link Group} are built on it.
 */
public record CgroupDir(Path dir) {

    public boolean exists() { return Files.isDirectory(dir); }

    /** mkdir: the kernel fills the directory with the hierarchy's files. */
    public void create() {
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cgroup " + dir, e);
        }
    }

    /** An interface file's content, stripped. */
    public String read(String file) {
        try {
            return Files.readString(dir.resolve(file)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(file), e);
        }
    }

    /** Writes an interface file; the kernel's refusal (EBUSY, EINVAL...) comes back in the exception's message. */
    public void write(String file, String value) {
        try {
            Files.writeString(dir.resolve(file), value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + value + " to " + dir.resolve(file) + ": " + e.getMessage(), e);
        }
    }

    /** The number of the "key N" line of a flat-keyed file (memory.events, cpu.stat, pids.events); empty if none. */
    public Optional<Long> field(String file, String key) {
        return parseField(read(file), key);
    }

    /** The number of the "key N" line of a flat-keyed file's content. */
    public static Optional<Long> parseField(String text, String key) {
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals(key)) return Optional.of(Long.parseLong(f[1]));
        }
        return Optional.empty();
    }

    /** Member processes (cgroup.procs); none if the group is not there. */
    public List<Long> procs() {
        if (!exists()) return List.of();
        return parseProcs(read("cgroup.procs"));
    }

    /** The pids in a cgroup.procs file's content, one a line. */
    public static List<Long> parseProcs(String text) {
        return Stream.of(text.split("\n")).filter(s -> !s.isBlank()).map(Long::parseLong).toList();
    }

    /** echo PID > cgroup.procs: moves a process (all its threads) in; its future children are born in. */
    public void add(long pid) {
        write("cgroup.procs", Long.toString(pid));
    }

    /** The groups below this one (not itself), parents before children. */
    public List<CgroupDir> descendants() {
        return groups(Comparator.comparingInt(Path::getNameCount)).stream().filter(g -> !g.dir.equals(dir)).toList();
    }

    /** SIGKILL to every member, again until none is left (a member may fork while it is being killed). */
    public void killMembers() {
        Wait.until(Duration.ofSeconds(5), Duration.ofMillis(20), () -> {
            for (long pid : procs()) Sys.kill(pid, 9);
            return procs().isEmpty();
        });
    }

    /**
     * Removes the group and every group below it, deepest first: each one's members are killed by pid, then it is
     * removed (rmdir: the kernel removes a cgroup only when it has no processes and no child groups). Does nothing if
     * it does not exist.
     */
    public void destroy() {
        if (!exists()) return;
        for (CgroupDir g : groups(Comparator.comparingInt(Path::getNameCount).reversed())) {
            g.killMembers();
            try {
                Files.delete(g.dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove cgroup " + g.dir + " (members left: " + g.procs() + ")", e);
            }
        }
    }

    /** This group and every one below it (a cgroup's directories are its child groups), in the given order. */
    private List<CgroupDir> groups(Comparator<Path> order) {
        if (!exists()) return List.of();
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isDirectory).sorted(order).map(CgroupDir::new).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the groups below " + dir, e);
        }
    }
}
