package unboxed.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import unboxed.net.Netns;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.sys.Cmd;

/**
 * How much isolation costs: spawning in new namespaces from Java, from unshare(1) and from raw C clone(2);
 * each namespace type's creation cost; a named netns made by lib vs by ip. Rounds are interleaved, so every
 * contender sees the same machine.
 */
final class Isolation {
    private Isolation() {}

    static final Set<Ns> FIVE = EnumSet.of(Ns.UTS, Ns.PID, Ns.MNT, Ns.IPC, Ns.NET);

    static void run(Report r, int rounds, Path work) throws Exception {
        Path cloneTrue = compileCloneTrue(work);

        // 1. spawn `true` in new uts+pid+mnt+ipc+net and wait for it
        Map<String, Callable<Object>> spawn = new LinkedHashMap<>();
        spawn.put("Java, lib: NsThread.unshare(5 types) + ProcessBuilder(\"true\")", () -> {
            try (NsThread t = NsThread.unshare(FIVE)) {
                return t.call(() -> new ProcessBuilder("/bin/true").start().waitFor());
            }
        });
        spawn.put("Java: ProcessBuilder(\"unshare -u -p -f -m -n -i true\")",
            () -> new ProcessBuilder("unshare", "-u", "-p", "-f", "-m", "-n", "-i", "true").start().waitFor());
        spawn.put("Java: ProcessBuilder(\"true\"), no namespaces", () -> new ProcessBuilder("/bin/true").start().waitFor());
        r.section("Spawning `true` in new UTS+PID+mount+IPC+net namespaces", r.interleaved(spawn, rounds));
        if (cloneTrue != null) {
            double[] c = cMedianP90(cloneTrue, "upmin", rounds * 4);
            double[] plain = cMedianP90(cloneTrue, "-", rounds * 4);
            r.row("C: clone(CLONE_NEWUTS|NEWPID|NEWNS|NEWIPC|NEWNET) + execv + waitpid", rounds * 4, c[0], c[1]);
            r.row("C: clone() + execv + waitpid, no namespaces", rounds * 4, plain[0], plain[1]);
            r.ratio("lib / raw C clone (target: at most 2.0x)",
                r.median("Java, lib: NsThread.unshare(5 types) + ProcessBuilder(\"true\")"), c[0]);
        } else {
            r.note("gcc not found: the raw C clone() baseline was not measured (sudo apt-get install gcc libc6-dev)");
        }
        r.ratio("lib / unshare(1)", r.median("Java, lib: NsThread.unshare(5 types) + ProcessBuilder(\"true\")"),
            r.median("Java: ProcessBuilder(\"unshare -u -p -f -m -n -i true\")"));

        // 2. each namespace type on its own: a thread that unshares it and ends (minus the same thread with nothing)
        Map<String, Callable<Object>> perType = new LinkedHashMap<>();
        perType.put("thread start + end, no unshare (baseline)", () -> NsThread.inNew(Set.of(), () -> null));
        for (Ns t : EnumSet.complementOf(EnumSet.of(Ns.USER))) {
            perType.put(t.file + ": unshare(" + unboxed.sys.Sys.cloneFlags(t.flag) + ") on a thread", () -> NsThread.inNew(Set.of(t), () -> null));
        }
        perType.put("user: `unshare -U true` (a JVM cannot unshare CLONE_NEWUSER)", () -> Cmd.run("unshare", "-U", "true"));
        perType.put("user baseline: `unshare true`", () -> Cmd.run("unshare", "true"));
        r.section("Creating one namespace of each type, from Java", r.interleaved(perType, rounds));
        if (cloneTrue != null) {
            for (String[] f : new String[][] {{"u", "uts"}, {"p", "pid"}, {"m", "mnt"}, {"i", "ipc"}, {"n", "net"}, {"U", "user"}}) {
                double[] c = cMedianP90(cloneTrue, f[0], rounds * 4);
                r.row("C clone + exec true, new " + f[1] + " only", rounds * 4, c[0], c[1]);
            }
            // lab07: the cost of a user namespace at process start, with no JVM or unshare(1) in the way
            double[] none = cMedianP90(cloneTrue, "-", rounds * 4);
            r.row("C clone + exec true, no new namespace (same run)", rounds * 4, none[0], none[1]);
            r.ratio("process start with a new user namespace / without (C clone + exec)",
                r.median("C clone + exec true, new user only"), r.median("C clone + exec true, no new namespace (same run)"));
        }

        // 3. a named network namespace made and deleted: lib (one thread, two syscalls) vs `ip netns add` + `del`
        Map<String, Callable<Object>> named = new LinkedHashMap<>();
        named.put("lib: Netns.add + Netns.delete", () -> {
            Netns.add("labbench-ns");
            Netns.delete("labbench-ns");
            return null;
        });
        named.put("ip netns add + ip netns del (two processes)", () -> {
            Cmd.run("ip", "netns", "add", "labbench-ip").orThrow();
            Cmd.run("ip", "netns", "del", "labbench-ip").orThrow();
            return null;
        });
        boolean hadRunNetns = Files.isDirectory(Path.of(Netns.RUN_NETNS));
        r.section("A named network namespace, created and deleted", r.interleaved(named, rounds));
        r.ratio("lib / ip (target: below 1.0)", r.median("lib: Netns.add + Netns.delete"),
            r.median("ip netns add + ip netns del (two processes)"));
        if (!hadRunNetns) Cmd.run("sh", "-c", "umount /run/netns 2>/dev/null; rmdir /run/netns");
    }

    static Path compileCloneTrue(Path work) throws Exception {
        if (!Cmd.has("gcc")) return null;
        Path src = Path.of(System.getProperty("user.dir")).resolve("lib/src/test/c/clone_true.c");
        Path bin = work.resolve("clone_true");
        Cmd.run(List.of("gcc", "-O2", "-o", bin.toString(), src.toString()), 60).orThrow();
        return bin;
    }

    static double[] cMedianP90(Path bin, String flags, int n) {
        String[] f = Cmd.run(bin.toString(), flags, Integer.toString(n)).orThrow().out().strip().split(" ");
        return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])};
    }
}
