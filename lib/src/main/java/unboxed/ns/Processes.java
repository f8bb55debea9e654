package unboxed.ns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import unboxed.sys.Sys;

/** Processes as /proc shows them: who they are, which namespaces they are in, and finding the ones a lab started. */
public final class Processes {
    private Processes() {}

    /** Every process id now in /proc (threads excluded). */
    public static List<Long> pids() {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                .map(Long::parseLong).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The program name (/proc/PID/comm), or empty if the process is gone. */
    public static Optional<String> comm(long pid) {
        return read(pid, "comm").map(String::strip);
    }

    /** The command line, arguments joined by spaces, or empty if the process is gone. */
    public static Optional<String> cmdline(long pid) {
        return read(pid, "cmdline").map(s -> s.replace('\0', ' ').strip());
    }

    /**
     * The pids one process has, outermost namespace first: the NSpid line of /proc/PID/status. A process in a new pid
     * namespace has two: the host's number and its number inside ("NSpid: 4242 1" is PID 1 of its namespace).
     */
    public static List<Long> nspid(long pid) {
        return read(pid, "status").flatMap(s -> s.lines().filter(l -> l.startsWith("NSpid:")).findFirst())
            .map(l -> Stream.of(l.substring(6).trim().split("\\s+")).map(Long::parseLong).toList())
            .orElse(List.of());
    }

    /** The value of one environment variable of a process, if it has it (reading needs root for others' processes). */
    public static Optional<String> env(long pid, String name) {
        return read(pid, "environ").flatMap(s -> Stream.of(s.split("\0"))
            .filter(kv -> kv.startsWith(name + "=")).map(kv -> kv.substring(name.length() + 1)).findFirst());
    }

    /** The processes whose environment carries TAG_VARIABLE=tag: the long-lived ones a lab started. */
    public static List<Long> tagged(String variable, String tag) {
        long self = ProcessHandle.current().pid();
        return pids().stream().filter(p -> p != self && env(p, variable).filter(tag::equals).isPresent()).toList();
    }

    /** SIGKILLs every process tagged with tag and waits (up to 5 s) until they are gone. True if there were any. */
    public static boolean killTagged(String tag) {
        List<Long> victims = tagged("UNBOXED_TAG", tag);
        for (long pid : victims) Sys.kill(pid, 9);
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline && victims.stream().anyMatch(Processes::alive)) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return !victims.isEmpty();
    }

    /** Alive and not a zombie. */
    public static boolean alive(long pid) {
        return read(pid, "stat").map(s -> {
            int close = s.lastIndexOf(')');
            return close > 0 && s.length() > close + 2 && s.charAt(close + 2) != 'Z';
        }).orElse(false);
    }

    /** The hostname of the calling thread's UTS namespace (as hostname(1) prints it). */
    public static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Optional<String> read(long pid, String file) {
        try {
            return Optional.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), file)), StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * Processes (not threads) whose namespace of this type differs from the JVM's own (the host's, as the JVM's main
     * thread never leaves it). Processes we may not inspect are left out.
     */
    public static List<Long> inForeign(Ns type) {
        long host = type.idOf(ProcessHandle.current().pid());
        List<Long> out = new ArrayList<>();
        for (long p : pids()) {
            try {
                if (type.idOf(p) != host) out.add(p);
            } catch (RuntimeException gone) {
                // exited while we looked
            }
        }
        return out;
    }
}
