package unboxed.ns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import unboxed.sys.Sys;
import unboxed.sys.Wait;

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

    /** argv[0] as the process set it (the first field of /proc/PID/cmdline: `exec -a NAME` changes it), or empty. */
    public static Optional<String> argv0(long pid) {
        return read(pid, "cmdline").filter(s -> !s.isEmpty()).map(s -> s.split("\0", 2)[0]);
    }

    /** The processes whose argv[0] is this name (this JVM excluded), lowest pid first. */
    public static List<Long> withArgv0(String name) {
        long self = ProcessHandle.current().pid();
        return pids().stream().filter(p -> p != self && argv0(p).filter(name::equals).isPresent()).toList();
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
        killAll(victims);
        return !victims.isEmpty();
    }

    /** Alive and not a zombie. */
    public static boolean alive(long pid) {
        return read(pid, "stat").map(s -> {
            int close = s.lastIndexOf(')');
            return close > 0 && s.length() > close + 2 && s.charAt(close + 2) != 'Z';
        }).orElse(false);
    }

    /** The parent's pid (PPid in /proc/PID/status, as the host sees it), or empty if the process is gone. */
    public static Optional<Long> ppid(long pid) {
        return read(pid, "status").flatMap(s -> s.lines().filter(l -> l.startsWith("PPid:")).findFirst())
            .map(l -> Long.parseLong(l.substring(5).trim()));
    }

    /** The one-letter state of /proc/PID/stat (R, S, D, Z for a zombie, ...), or empty if the process is gone. */
    public static Optional<Character> state(long pid) {
        return read(pid, "stat").flatMap(s -> {
            int close = s.lastIndexOf(')');
            return close > 0 && s.length() > close + 2 ? Optional.of(s.charAt(close + 2)) : Optional.empty();
        });
    }

    /** The processes whose pid is this one's parent. */
    public static List<Long> children(long pid) {
        return pids().stream().filter(p -> ppid(p).orElse(-1L) == pid).toList();
    }

    /**
     * The processes in one namespace (of this type, by id). For PID that is the processes whose innermost pid
     * namespace it is (those of namespaces nested in it are left out), zombies included: a zombie keeps its pid, and
     * so its pid namespace, until reaped, while its other ns links are already gone.
     */
    public static List<Long> inNamespace(Ns type, long id) {
        List<Long> out = new ArrayList<>();
        for (long p : pids()) {
            try {
                if (type.idOf(p) == id) out.add(p);
            } catch (RuntimeException goneOrZombie) {
                // exited while we looked, or a zombie (no ns link of this type left to read)
            }
        }
        return out;
    }

    /** Whether a process is the first one (PID 1, its init) of its innermost pid namespace: NSpid ends in 1. */
    public static boolean isNamespaceInit(long pid) {
        List<Long> ns = nspid(pid);
        return ns.size() > 1 && ns.get(ns.size() - 1) == 1;
    }

    /**
     * PID 1 of the innermost pid namespace a process is in, as a host pid; empty for the host's own namespace (or if
     * the process is gone). SIGKILL to it ends every process of that namespace.
     */
    public static Optional<Long> namespaceInit(long pid) {
        if (nspid(pid).size() < 2) return Optional.empty();
        long ns;
        try {
            ns = Ns.PID.idOf(pid);
        } catch (RuntimeException gone) {
            return Optional.empty();
        }
        return inNamespace(Ns.PID, ns).stream().filter(Processes::isNamespaceInit).findFirst();
    }

    /**
     * These processes, plus the PID 1 of every pid namespace one of them lives in (which may look nothing like them:
     * another hostname, another name) and the `unshare` that started such a PID 1 and waits for it: everything to
     * SIGKILL to end a container-like tree by pid. A PID 1's death ends the rest of its namespace.
     */
    public static List<Long> withTreeRoots(List<Long> pids) {
        List<Long> out = new ArrayList<>(pids);
        for (long pid : pids) {
            namespaceInit(pid).filter(init -> !out.contains(init)).ifPresent(init -> {
                out.add(init);
                ppid(init).filter(parent -> comm(parent).orElse("").equals("unshare") && !out.contains(parent))
                    .ifPresent(out::add);
            });
        }
        return out;
    }

    /** SIGKILLs these processes and waits (up to 5 s) until none is alive. The ones that were alive. */
    public static List<Long> killAll(List<Long> victims) {
        List<Long> killed = new ArrayList<>();
        for (long pid : victims) if (alive(pid) && Sys.kill(pid, 9)) killed.add(pid);
        Wait.until(Duration.ofSeconds(5), () -> killed.stream().noneMatch(Processes::alive));
        return killed;
    }

    /** The hostname of the calling thread's UTS namespace (as hostname(1) prints it). */
    public static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** /proc/PID/FILE as text (decoded leniently), or empty if the process is gone or the file unreadable. */
    static Optional<String> read(long pid, String file) {
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
