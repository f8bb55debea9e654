///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.13.1
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import unboxed.cgroup.Cgroups;
import unboxed.cgroup.MemoryCgroup;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.Solution;
import unboxed.lab.LabCli;
import unboxed.sys.Cmd;
import unboxed.sys.Wait;

/**
 * Lab 06: cgroups and the OOM killer. Namespaces decide what a process can see; cgroups decide how much it can use.
 * Story, steps, exercise and checks, top to bottom; the v1/v2 differences live in lib (unboxed.cgroup).
 */
class Lab06CgroupOom {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    static final String DEMO = "lab06-demo", GROUP = "lab06";
    static final long MiB = 1024 * 1024, DEMO_LIMIT = 20 * MiB, LIMIT = 32 * MiB;
    /** The hog: tail keeps every byte of a "line" in memory, and /dev/zero never ends a line. */
    static final String HOG = "tail /dev/zero";
    /** The same hog fed 1 MiB every 0.1 s, so its growth can be watched; the loop ends when tail is gone (SIGPIPE). */
    static final String PACED_HOG = "while head -c 1048576 /dev/zero; do sleep 0.1; done | tail";

    static MemoryCgroup demo;

    static Lab lab() {
        return Lab.define("lab06", "cgroups: memory limits and the OOM killer")
            .summary("Make a cgroup, give it a memory limit, move a shell in, run a memory hog, and watch the kernel "
                + "kill it; then read the kill in the group's counters and in the kernel log.")
            .minutes(25)
            .objectives(
                "Find which cgroup hierarchy (v1 or v2) holds the memory controller, and its file names",
                "Create a cgroup, set a memory limit, and move a process into it",
                "Explain why a process dies with exit 137 and where the kernel records the OOM kill")
            .prerequisites("A Linux machine or VM where you are root (sudo)", "Lab 03 helps: processes and their parents")
            .story("""
                Namespaces decide what a container can **see**. Control groups (cgroups) decide how much it can
                **use**: memory, CPU time, number of processes. A cgroup is a directory in a special file system; the
                files in it are the knobs and the meters. Writing a number into the memory limit file, and a process
                id into `cgroup.procs`, is all `docker run --memory 32m` does.

                When a group's processes need more memory than its limit and nothing can be reclaimed, the kernel's
                OOM killer picks a process *in that group* and kills it with SIGKILL: the shell reports "Killed" and
                exit status 137 (128 + 9). The rest of the machine never notices.

                Two versions of cgroups are in use. cgroup v2 (Debian 12, Ubuntu 24.04) has one tree at
                /sys/fs/cgroup with `memory.max`; cgroup v1 has a tree per controller, /sys/fs/cgroup/memory with
                `memory.limit_in_bytes`. This lab finds which one your machine uses for memory and teaches that one,
                naming the other's files beside it.
                """)
            .needs("sh", "tail")

            .step("Which cgroup version holds the memory controller", s -> s
                .explain("""
                    Every process is in exactly one cgroup per hierarchy: /proc/PID/cgroup lists them. A line starting
                    with `0::` is the v2 tree; numbered lines name v1 controllers.
                    """)
                .shell("cat /proc/self/cgroup\nstat -fc %T /sys/fs/cgroup /sys/fs/cgroup/memory 2>/dev/null")
                .does(Lab06CgroupOom::whichVersion)
                .observe("The lab uses the hierarchy that holds `memory`; the table shows the file names in both versions."))

            .step("Make a group: mkdir", s -> s
                .explain("""
                    A cgroup is created with mkdir in the hierarchy; the kernel fills the new directory with its files.
                    Nothing is in the group yet, and it has no limit.
                    """)
                .shell("mkdir /sys/fs/cgroup/lab06-demo            # v2\nmkdir /sys/fs/cgroup/memory/lab06-demo     # v1")
                .does(Lab06CgroupOom::makeGroup)
                .observe("The limit file says there is no limit (\"max\" in v2, a huge number in v1)."))

            .step("Set a memory limit: it is rounded to pages", s -> s
                .explain("""
                    The limit is a number of bytes written into a file. The kernel accounts memory in pages (4096 bytes
                    here), so a limit that is not a whole number of pages is rounded down. Swap is forbidden too, or the
                    kernel would page the hog out instead of killing it.
                    """)
                .shell("""
                    echo 20000001 > /sys/fs/cgroup/lab06-demo/memory.max           # v2
                    echo 0 > /sys/fs/cgroup/lab06-demo/memory.swap.max
                    echo 20000001 > /sys/fs/cgroup/memory/lab06-demo/memory.limit_in_bytes   # v1
                    """)
                .does(Lab06CgroupOom::setLimit)
                .observe("20000001 came back as a multiple of 4096."))

            .step("Move a shell in: its children are born in the group", s -> s
                .explain("""
                    Writing a pid into `cgroup.procs` moves that process. Children are born in their parent's cgroup, so
                    moving a shell puts everything it starts in the group too: that is how a container's whole process
                    tree stays under one limit.
                    """)
                .shell("echo $$ > /sys/fs/cgroup/lab06-demo/cgroup.procs\nsleep 1 & cat /proc/$!/cgroup")
                .does(Lab06CgroupOom::childrenInherit)
                .observe("The child's cgroup is the shell's: lab06-demo."))

            .step("Run a memory hog and watch the kernel kill it", s -> s
                .explain("""
                    `tail /dev/zero` looks for the last line of a file that has no line ends, so it keeps all it reads
                    in memory. Inside the group it grows to the limit, and then the OOM killer ends it. The lab feeds
                    tail 1 MiB every tenth of a second, so you can watch it grow.
                    """)
                .shell("sh -c 'echo $$ > /sys/fs/cgroup/lab06-demo/cgroup.procs && exec tail /dev/zero'; echo \"exit $?\"")
                .does(Lab06CgroupOom::runTheHog)
                .observe("Usage climbs to the limit; then \"Killed\", exit 137, and the group's oom_kill counter is 1."))

            .step("The kernel's side of the story", s -> s
                .explain("""
                    The OOM killer writes what it did to the kernel log: which cgroup's limit was hit
                    (CONSTRAINT_MEMCG: the group, not the whole machine, ran out), and which task it killed.
                    """)
                .shell("dmesg | grep -E 'oom-kill|Memory cgroup out of memory' | tail -2")
                .does(Lab06CgroupOom::kernelLog)
                .observe("constraint=CONSTRAINT_MEMCG and oom_memcg=/lab06-demo: the limit of our group, nothing else."))

            .exercise("""
                Do it by hand with mkdir, echo and a hog, in the hierarchy that holds the memory controller on your
                machine (the first step of `run` shows which):

                - a cgroup named `lab06` (v2: /sys/fs/cgroup/lab06; v1: /sys/fs/cgroup/memory/lab06);
                - a memory limit of 32 MiB (`echo 32M > ...`);
                - swap forbidden, where the kernel has the file (v2: memory.swap.max = 0; v1: memory.memsw.limit_in_bytes
                  equal to the limit);
                - at least one OOM kill recorded in the group's own counter: move a shell in and run `tail /dev/zero`.
                """)
            .check("group", "A cgroup lab06 in the hierarchy that holds the memory controller", 2,
                "mkdir /sys/fs/cgroup/lab06 (v2) or mkdir /sys/fs/cgroup/memory/lab06 (v1)", Lab06CgroupOom::checkGroup)
            .check("limit", "lab06's memory limit is 32 MiB", 3,
                "echo 32M > /sys/fs/cgroup/lab06/memory.max (v2) or .../memory/lab06/memory.limit_in_bytes (v1)",
                Lab06CgroupOom::checkLimit)
            .check("swap", "lab06 may not use swap", 1,
                "v2: echo 0 > .../lab06/memory.swap.max; v1: echo 32M > .../lab06/memory.memsw.limit_in_bytes",
                Lab06CgroupOom::checkSwap)
            .check("oom-kill", "The kernel has OOM-killed a process in lab06", 3,
                "sh -c 'echo $$ > <lab06>/cgroup.procs && exec tail /dev/zero'", Lab06CgroupOom::checkOomKill)
            .solution(Lab06CgroupOom::solution)
            .makes(new KernelObject.NamedCgroup(DEMO))
            .owns(new KernelObject.NamedCgroup(GROUP))

            .question("You write 20000001 into a cgroup's memory limit. What do you read back?", 2,
                "The kernel accounts memory in whole pages, so the limit is rounded down to a multiple of 4096: 19996672.",
                "20000001", "20000768 (rounded up)", "19996672 (rounded down to pages)")
            .question("A shell inside the group runs `tail /dev/zero` and it is OOM-killed. What does `echo $?` print?", 1,
                "The OOM killer sends SIGKILL (9); a shell reports death by signal N as 128 + N.", "1", "137", "0")
            .question("The hog is killed. Which processes can the OOM killer pick, with the group's limit the cause?", 0,
                "With CONSTRAINT_MEMCG the victim is chosen among the group's own processes; the rest of the machine is untouched.",
                "Only processes in the group", "Any process on the machine", "The group's parent process")
            .question("A shell is moved into the group, then starts `sleep 100 &`. Where is the sleep?", 0,
                "A child is born in its parent's cgroup.",
                "In the group", "In the root cgroup", "In no cgroup until moved")
            .build();
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    static void whichVersion(Bench b) {
        Cgroups.Layout l = Cgroups.detect();
        b.show("cgroup layout", l.kind());
        b.show("memory controller", "cgroup " + (l.memoryVersion() == Cgroups.Version.V2 ? "v2" : "v1") + " at " + l.memoryRoot());
        b.sh("grep -E '(^0::|memory)' /proc/self/cgroup");
        MemoryCgroup here = MemoryCgroup.named(DEMO);
        MemoryCgroup other = MemoryCgroup.at(here.dir(), here.v2() ? Cgroups.Version.V1 : Cgroups.Version.V2);
        b.say("File names, " + (here.v2() ? "v2 (yours) and v1" : "v1 (yours) and v2") + ":");
        for (String concept : List.of("limit", "swap", "current", "oom", "procs")) {
            b.show("  " + concept, String.format("%-28s %s", here.file(concept), other.file(concept)));
        }
    }

    static void makeGroup(Bench b) {
        demo = b.memoryCgroup(DEMO);
        b.java("Files.createDirectory(" + demo.dir() + ")");
        b.sh("ls " + demo.dir() + " | grep -E '^memory\\.(max|limit_in_bytes|current|usage_in_bytes|events|oom_control)$'");
        b.show(demo.file("limit"), demo.read(demo.file("limit")));
    }

    static void setLimit(Bench b) {
        b.java("Files.writeString(" + demo.dir().resolve(demo.file("limit")) + ", \"20000001\")");
        demo.setLimit(20_000_001);
        b.show(demo.file("limit") + " reads back", demo.limit() + "  (= " + demo.limit() / 4096 + " pages of 4096)");
        demo.setLimit(DEMO_LIMIT);
        demo.forbidSwap();
        b.show(demo.file("limit"), demo.limit() + " (20 MiB)");
        b.show(demo.file("swap"), demo.hasSwapFile() ? demo.read(demo.file("swap")) : "(no such file on this kernel: nothing to limit)");
    }

    static void childrenInherit(Bench b) throws Exception {
        Process shell = b.spawn(new ProcessBuilder("sh", "-c",
            "echo $$ > " + demo.dir().resolve("cgroup.procs") + "; sleep 30 & wait"));
        // the shell moves itself in before it starts sleep: wait until it is a member with a child
        Wait.until(Duration.ofSeconds(5), Duration.ofMillis(20), () -> demo.procs().size() >= 2);
        b.show("members of " + DEMO, demo.procs());
        for (long pid : demo.procs()) {
            b.show("pid " + pid + " (" + unboxed.ns.Processes.comm(pid).orElse("?") + ")", memoryLine(pid));
        }
        for (long pid : demo.procs()) unboxed.sys.Sys.kill(pid, 9);
        shell.waitFor();
    }

    static void runTheHog(Bench b) throws Exception {
        Process hog = b.spawn(new ProcessBuilder("sh", "-c",
            "echo $$ > " + demo.dir().resolve("cgroup.procs") + " && " + PACED_HOG));
        long peak = 0;
        while (hog.isAlive()) {
            if (demo.procs().isEmpty()) {
                Thread.sleep(5);
                continue;
            }
            long used = demo.current();
            peak = Math.max(peak, used);
            b.console().progress("memory used", used, demo.limit(), used / MiB + " MiB of " + demo.limit() / MiB + " MiB");
            Thread.sleep(25);
        }
        b.console().progressDone();
        int exit = hog.waitFor();
        b.show("hog's exit status", exit + (exit == 137 ? " = 128 + 9: killed by SIGKILL (\"Killed\")" : ""));
        b.show("peak usage seen", peak / MiB + " MiB (limit " + demo.limit() / MiB + " MiB)");
        b.show(demo.file("oom") + ": oom_kill", demo.oomKills());
    }

    static void kernelLog(Bench b) {
        Cmd.Result r = Cmd.run("dmesg");
        String mark = "oom_memcg=/" + DEMO;
        List<String> lines = r.out().lines()
            .filter(l -> (l.contains("oom-kill:") && l.contains(mark)) || l.contains("Memory cgroup out of memory")).toList();
        if (!r.ok() || lines.isEmpty()) {
            b.say("(the kernel log is not readable here: " + (r.ok() ? "no OOM line found" : r.err().strip()) + ")");
            return;
        }
        b.console().output(String.join("\n", lines.subList(Math.max(0, lines.size() - 2), lines.size())));
    }

    static String memoryLine(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream()
                .filter(l -> l.startsWith("0::") || l.contains(":memory:")).reduce((a, c) -> c.contains("memory") ? c : a)
                .orElse("?");
        } catch (java.io.IOException e) {
            return "(exited)";
        }
    }

    // ---- exercise checks: the cgroup files themselves ----------------------------------------------------------

    static Verdict checkGroup() {
        MemoryCgroup g = MemoryCgroup.named(GROUP);
        if (g.exists()) return pass();
        // a common slip on hybrid hosts: the group made in the v2 tree, where memory is not available
        for (Path other : List.of(Path.of("/sys/fs/cgroup", GROUP), Path.of("/sys/fs/cgroup/unified", GROUP))) {
            if (Files.isDirectory(other) && !other.equals(g.dir())) {
                return fail(other + " exists, but the memory controller is in " + g.dir().getParent() + ": make " + g.dir());
            }
        }
        return fail(g.dir() + " does not exist");
    }

    static Verdict checkLimit() {
        MemoryCgroup g = MemoryCgroup.named(GROUP);
        if (!g.exists()) return fail(g.dir() + " does not exist");
        long limit = g.limit();
        if (limit == Long.MAX_VALUE) return fail("lab06 has no memory limit (" + g.file("limit") + " says " + g.read(g.file("limit")) + ")");
        return Verdict.when(Math.abs(limit - LIMIT) < 4096,
            "lab06's limit is " + limit + " bytes (" + String.format("%.1f", limit / (double) MiB) + " MiB), not 32 MiB");
    }

    static Verdict checkSwap() {
        MemoryCgroup g = MemoryCgroup.named(GROUP);
        if (!g.exists()) return fail(g.dir() + " does not exist");
        if (g.swapForbidden()) return pass();
        String swap = g.read(g.file("swap"));
        if (g.v2()) return fail(g.file("swap") + " is " + swap + ", not 0");
        if (g.limit() == Long.MAX_VALUE) {
            return fail("lab06 has no memory limit, so " + g.file("swap") + " (memory + swap, now " + swap
                + ") cannot be held to it: set " + g.file("limit") + " first, then the same value here");
        }
        return fail(g.file("swap") + " is " + swap + ", more than the memory limit " + g.limit());
    }

    static Verdict checkOomKill() {
        MemoryCgroup g = MemoryCgroup.named(GROUP);
        if (!g.exists()) return fail(g.dir() + " does not exist");
        long kills = g.oomKills();
        return Verdict.when(kills >= 1, "no OOM kill recorded in lab06 yet (" + g.file("oom") + ": oom_kill " + kills
            + (g.limitHits() > 0 ? "; the limit was hit " + g.limitHits() + " times, but nothing was killed" : "") + ")");
    }

    // ---- solve and reset -----------------------------------------------------------------------------------------

    /**
     * The articles' way, in the hierarchy this machine has: mkdir, echo into the files, and a shell moved into the
     * group that runs the hog, which the kernel kills (exit 137).
     */
    static Solution.Builder solution(Solution.Builder s) {
        if (Cgroups.detect().memoryRoot() == null) return s; // no memory controller here: no lines (doctor names the fix)
        MemoryCgroup g = MemoryCgroup.named(GROUP);
        s.refuseWhileOwnedPresent()
            .line("mkdir " + g.dir(), b -> b.memoryCgroup(GROUP))
            .line("echo 32M > " + g.dir().resolve(g.file("limit")), b -> g.setLimit(LIMIT));
        if (g.willHaveSwapFile()) s.line("echo " + (g.v2() ? "0" : "32M") + " > " + g.dir().resolve(g.file("swap")), b -> g.forbidSwap());
        String hog = "echo $$ > " + g.dir().resolve("cgroup.procs") + " && exec " + HOG;
        return s.line("sh -c '" + hog + "'", b -> b.console().output("exit " + b.spawn(new ProcessBuilder("sh", "-c", hog)).waitFor()))
            .exits(137);
    }
}
