package unboxed.bench;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import unboxed.ns.Boxes;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Processes;
import unboxed.ns.Reapers;
import unboxed.sys.Cmd;

/**
 * What entering a running container costs (lab10): a box like lab10's (PID 1 of new pid, net, uts, ipc and mount
 * namespaces), entered from Java on a fresh thread (setns of one type, or of all five) and by nsenter(1) started from
 * Java, each with and without starting `true` inside; a plain thread and a plain `true` are the baselines.
 */
final class EnterCost {
    private EnterCost() {}

    static final String BOX = "unboxed-bench-box";
    static final Set<Ns> ALL = EnumSet.of(Ns.MNT, Ns.UTS, Ns.IPC, Ns.NET, Ns.PID);

    static void run(Report r, int rounds) throws Exception {
        long box = Boxes.start(BOX, BOX, ALL, ProcessBuilder::start);
        try {
            String t = Long.toString(box);
            Map<String, Callable<Object>> c = new LinkedHashMap<>();
            c.put("Java: a fresh thread, no setns (baseline)", () -> {
                NsThread.own("bench", () -> { }).close();
                return null;
            });
            c.put("Java: a fresh thread, setns net", () -> enter(box, EnumSet.of(Ns.NET), false));
            c.put("Java: a fresh thread, setns all five (mnt after unshare(CLONE_FS), chroot)", () -> enter(box, ALL, false));
            c.put("Java: `true` started from the JVM (baseline)", () -> Cmd.run("true").orThrow());
            c.put("Java: setns net on a fresh thread, `true` started from it", () -> enter(box, EnumSet.of(Ns.NET), true));
            c.put("Java: setns all five on a fresh thread, `true` started from it", () -> enter(box, ALL, true));
            c.put("`nsenter -t PID -n true`, started from Java", () -> Cmd.run("nsenter", "-t", t, "-n", "true").orThrow());
            c.put("`nsenter -t PID -a true`, started from Java", () -> Cmd.run("nsenter", "-t", t, "-a", "true").orThrow());
            r.section("Entering a running container's namespaces (lab10): from a JVM thread and with nsenter", r.interleaved(c, rounds));
            r.ratio("setns all five / setns net (Java, no program)",
                r.median("Java: a fresh thread, setns all five (mnt after unshare(CLONE_FS), chroot)"),
                r.median("Java: a fresh thread, setns net"));
            r.ratio("Java setns net + `true` / `nsenter -n true`", r.median("Java: setns net on a fresh thread, `true` started from it"),
                r.median("`nsenter -t PID -n true`, started from Java"));
            r.ratio("Java setns all five + `true` / `nsenter -a true`",
                r.median("Java: setns all five on a fresh thread, `true` started from it"),
                r.median("`nsenter -t PID -a true`, started from Java"));
        } finally {
            Processes.killAll(List.of(box));
        }
    }

    /** A fresh thread in these namespaces of the box; with {@code start}, `true` started from it (inside). */
    static Object enter(long box, Set<Ns> types, boolean start) {
        if (start && types.contains(Ns.PID)) Reapers.ready(2); // a thread in another pid namespace cannot make reapers
        try (NsThread th = NsThread.enter(box, types)) {
            if (start) th.call(() -> Cmd.run("true").orThrow());
        }
        return null;
    }
}
