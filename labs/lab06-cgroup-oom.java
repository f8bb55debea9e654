///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab06CgroupOom

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
    /**
     * The same hog fed 1 MiB every 0.1 s, so its growth can be watched: only tail joins the group (the feeding loop
     * stays outside, so tail is the only process the OOM killer can pick); the loop ends when tail is gone (SIGPIPE).
     */
    static String pacedHog(Path group) {
        return "while head -c 1048576 /dev/zero; do sleep 0.1; done | sh -c 'echo $$ > " + group.resolve("cgroup.procs")
            + " && exec tail'";
    }

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
                files in it are the knobs and the meters. `docker run --memory 32m` comes down to the same writes,
                done by its runtime (runc): 32 MiB into the group's memory limit file, the container's first
                process into `cgroup.procs`, and one more you might not expect: without `--memory-swap`, Docker
                lets the container use as much swap again, memory + swap = 64 MiB (Docker's documentation,
                "Runtime options with Memory, CPUs, and GPUs", `--memory-swap` details). On v1 that is
                `memory.memsw.limit_in_bytes` = 64 MiB; v2 limits swap alone, so runc writes `memory.swap.max` =
                64 - 32 = 32 MiB. This lab forbids swap instead, so that the limit is where the kill happens.

                When a group's processes need more memory than its limit and nothing can be reclaimed, the kernel's
                OOM killer picks a process *in that group or a group below it* (the one with the highest "badness",
                mostly the one using the most memory: /proc/PID/oom_score, proc(5)) and kills it with SIGKILL: a
                shell reports "Killed" and exit status 137 (128 + 9, bash(1) EXIT STATUS). Processes outside the
                group are not candidates.

                Two versions of cgroups are in use. cgroup v2, systemd's default since Debian 11 (release notes,
                2.2.4 "Control groups v2") and Ubuntu 21.10, has one tree at /sys/fs/cgroup with `memory.max`; cgroup
                v1 has a tree per controller, /sys/fs/cgroup/memory with `memory.limit_in_bytes`. This lab finds which
                one your machine uses for memory and teaches that one, naming the other's files beside it; its shell
                lines test which files exist, so they run on both.
                """)
            .needs("sh", "tail")

            .step("Which cgroup version holds the memory controller", s -> s
                .explain("""
                    Every process is in exactly one cgroup per hierarchy: /proc/PID/cgroup lists them (cgroups(7)). A
                    line starting with `0::` is the v2 tree; numbered lines name v1 controllers. The file system type
                    of /sys/fs/cgroup tells the layouts apart: cgroup2fs is v2 alone, tmpfs holds v1 trees (and, on a
                    hybrid machine, a v2 tree at /sys/fs/cgroup/unified). The last line keeps the memory hierarchy's
                    root in `$M`: the steps below use it, so type them in the same shell.
                    """)
                .shell("""
                    cat /proc/self/cgroup
                    stat -fc %T /sys/fs/cgroup
                    if [ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then M=/sys/fs/cgroup/memory; else M=/sys/fs/cgroup; fi; echo "memory: $M"
                    """)
                .does(Lab06CgroupOom::whichVersion)
                .observe("The lab uses the hierarchy that holds `memory`; the table shows the file names in both versions."))

            .step("Make a group: mkdir", s -> s
                .explain("""
                    A cgroup is created with mkdir in the hierarchy; the kernel fills the new directory with its files.
                    Nothing is in the group yet, and it has no limit. (On v2 a group gets the memory files only when
                    its parent lists `memory` in `cgroup.subtree_control`; systemd enables it at the root.) `$D` names
                    the group from now on; it is exported, so that the `sh -c` of the next steps sees it too.
                    """)
                .shell("""
                    export D=${M:?set M as in step 1}/lab06-demo
                    mkdir $D
                    ls $D | grep -E '^memory\\.(max|limit_in_bytes|current|usage_in_bytes|events|oom_control)$'
                    """)
                .does(Lab06CgroupOom::makeGroup)
                .observe("The limit file says there is no limit (\"max\" in v2, a huge number in v1)."))

            .step("Set a memory limit: it is rounded to pages", s -> s
                .explain("""
                    The limit is a number of bytes written into a file (a K, M or G suffix is allowed, either case).
                    The kernel keeps it as a number of pages (4096 bytes here: `getconf PAGESIZE`), so a limit that is
                    not a whole number of pages is rounded down (mm/page_counter.c, page_counter_memparse). Swap is
                    forbidden too: on a machine with swap the kernel would otherwise push the hog's pages out to swap
                    and kill it only once swap is full as well. v2 limits swap alone (`memory.swap.max` = 0); v1 limits
                    memory + swap together (`memory.memsw.limit_in_bytes` = the memory limit; the kernel refuses one
                    below the memory limit, so set the memory limit first). Either file exists only where the kernel
                    accounts swap (Documentation/admin-guide/cgroup-v2.rst "memory.swap.max";
                    Documentation/admin-guide/cgroup-v1/memory.rst "Swap Extension").
                    """)
                .shell("""
                    if [ -e $D/memory.max ]; then L=memory.max; else L=memory.limit_in_bytes; fi   # v2, v1
                    echo 20000001 > $D/$L; cat $D/$L     # prints: 19996672
                    echo 20M > $D/$L
                    if [ -e $D/memory.swap.max ]; then echo 0 > $D/memory.swap.max; fi                             # v2: swap alone
                    if [ -e $D/memory.memsw.limit_in_bytes ]; then echo 20M > $D/memory.memsw.limit_in_bytes; fi   # v1: memory + swap
                    """)
                .does(Lab06CgroupOom::setLimit)
                .observe("20000001 came back as 19996672, a multiple of 4096 (4882 pages)."))

            .step("Move a shell in: its children are born in the group", s -> s
                .explain("""
                    Writing a pid into `cgroup.procs` moves that process (all its threads). Children are born in their
                    parent's cgroup (cgroups(7)), so moving a shell puts everything it starts in the group too: that
                    is how a container's whole process tree stays under one limit. Move a new `sh`, not the shell you
                    type in: `$$` inside `sh -c '...'` is that sh's pid; yours stays where it was, unlimited.
                    """)
                .shell("""
                    sh -c 'echo $$ > $D/cgroup.procs; sleep 1 & grep -E "^0::|memory" /proc/$!/cgroup'     # prints: lab06-demo
                    grep -E '^0::|memory' /proc/$$/cgroup     # your own shell: not moved
                    """)
                .does(Lab06CgroupOom::childrenInherit)
                .observe("The child's cgroup is the shell's: lab06-demo."))

            .step("Run a memory hog and watch the kernel kill it", s -> s
                .explain("""
                    `tail /dev/zero` looks for the last line of a file that has no line ends, so it keeps all it reads
                    in memory. Inside the group it grows to the limit, and then the OOM killer ends it. The lab feeds
                    tail 1 MiB every tenth of a second from outside the group, so you can watch it grow. The group's counters record the
                    kill: `oom_kill` in v2's memory.events (which also counts kills in the groups below it; its
                    memory.events.local counts this group's own) or v1's memory.oom_control (this group's own
                    processes only).
                    """)
                .shell("""
                    sh -c 'echo $$ > $D/cgroup.procs && exec tail /dev/zero'; echo "exit $?"     # prints: exit 137
                    cat $D/memory.events 2>/dev/null || cat $D/memory.oom_control     # prints: oom_kill 1
                    """)
                .does(Lab06CgroupOom::runTheHog)
                .observe("Usage climbs to the limit; then \"Killed\", exit 137, and the group's oom_kill counter is 1."))
            .diagram("The cgroup tree, the limit, the hog and the kill", d -> d
                .panel("the memory hierarchy", "v2: /sys/fs/cgroup; v1: /sys/fs/cgroup/memory")
                .node("/", "the root group: no limit")
                .node("  " + DEMO, "mkdir")
                .node("    memory.max", DEMO_LIMIT / MiB + "M (v1: memory.limit_in_bytes)").mark()
                .node("    cgroup.procs", "tail's pid")
                .node("    " + HOG, "the hog: its pages are charged here")
                .node("    memory.events", "oom_kill 1 (v1: memory.oom_control)")
                .panel("the kernel", "when the group's usage reaches its limit")
                .node("OOM killer", "constraint=CONSTRAINT_MEMCG")
                .arrow("the kernel", "OOM killer", "the memory hierarchy", HOG, "SIGKILL: exit 137"))

            .step("The kernel's side of the story", s -> s
                .explain("""
                    The OOM killer writes what it did to the kernel log: which cgroup's limit was hit
                    (constraint=CONSTRAINT_MEMCG and oom_memcg: a group's limit, not the whole machine, ran out), the
                    group of the task it killed (task_memcg: the same group, or one below it), and the task.
                    """)
                .shell("dmesg | grep -E 'oom-kill|Memory cgroup out of memory' | tail -2")
                .does(Lab06CgroupOom::kernelLog)
                .observe("constraint=CONSTRAINT_MEMCG and oom_memcg=/lab06-demo: the limit of our group, nothing else."))

            .exercise("""
                Do it by hand with mkdir, echo and a hog, in the hierarchy that holds the memory controller on your
                machine (the first step of `run` shows which):

                - a cgroup named `lab06` (v2: /sys/fs/cgroup/lab06; v1: /sys/fs/cgroup/memory/lab06);
                - a memory limit of 32 MiB (`echo 32M > ...`): the hard limit (v2 memory.max; v1
                  memory.limit_in_bytes), not v2's memory.high or v1's memory.soft_limit_in_bytes, which only throttle
                  or reclaim and never OOM-kill;
                - swap forbidden, where the kernel has the file (v2: memory.swap.max = 0; v1: memory.memsw.limit_in_bytes
                  equal to the limit, written after it). v1's memory.swappiness = 0 is not enough: it keeps the group's
                  own limit from swapping, but the machine's reclaim may still swap its pages (cgroup-v1/memory.rst,
                  memory.swappiness);
                - at least one process OOM-killed because of lab06's limit: move a new shell in (`sh -c 'echo $$ >
                  .../cgroup.procs && exec tail /dev/zero'`), in lab06 or in a group below it.
                """)
            .diagram("What you build", d -> d
                .panel("the memory hierarchy", "v2: /sys/fs/cgroup; v1: /sys/fs/cgroup/memory")
                .node("/", "there already")
                .node("  " + GROUP, "mkdir").yours()
                .node("    memory.max", LIMIT / MiB + "M (v1: memory.limit_in_bytes)").yours()
                .node("    memory.swap.max", "0 where it exists (v1: memory.memsw.limit_in_bytes = " + LIMIT / MiB + "M)").yours()
                .node("    sh -c '... exec " + HOG + "'", "moved in by echo $$ > cgroup.procs").yours()
                .panel("the kernel", "")
                .node("OOM killer", "kills it at the limit: oom_kill 1")
                .arrow("the kernel", "OOM killer", "the memory hierarchy", "sh -c '... exec " + HOG + "'", "SIGKILL"))
            .check("group", "A cgroup lab06 in the hierarchy that holds the memory controller", 2,
                "mkdir /sys/fs/cgroup/lab06 (v2) or mkdir /sys/fs/cgroup/memory/lab06 (v1)", Lab06CgroupOom::checkGroup)
            .check("limit", "lab06's memory limit is 32 MiB", 3,
                "echo 32M > /sys/fs/cgroup/lab06/memory.max (v2) or .../memory/lab06/memory.limit_in_bytes (v1)",
                Lab06CgroupOom::checkLimit)
            .check("swap", "lab06 may not use swap", 1,
                "v2: echo 0 > .../lab06/memory.swap.max; v1: echo 32M > .../lab06/memory.memsw.limit_in_bytes",
                Lab06CgroupOom::checkSwap)
            .check("oom-kill", "The kernel has OOM-killed a process because of lab06's limit (in lab06 or below it)", 3,
                "sh -c 'echo $$ > /sys/fs/cgroup/lab06/cgroup.procs && exec tail /dev/zero' (v1: .../memory/lab06/...)",
                Lab06CgroupOom::checkOomKill)
            .solution(Lab06CgroupOom::solution)
            .makes(new KernelObject.NamedCgroup(DEMO))
            .owns(new KernelObject.NamedCgroup(GROUP))

            .question("You write 20000001 into a cgroup's memory limit. What do you read back?", 2,
                "The kernel keeps the limit in whole pages (page_counter_memparse), so it is rounded down to a multiple of the page size, 4096 here: 19996672.",
                "20000001: the kernel keeps the value as written", "20000768 (rounded up to a whole page)",
                "19996672 (rounded down to pages)")
            .question("A shell inside the group runs `tail /dev/zero` and it is OOM-killed. What does `echo $?` print?", 1,
                "The OOM killer sends SIGKILL (9); bash reports death by signal N as 128 + N (bash(1), EXIT STATUS).", "1", "137", "9: SIGKILL's number")
            .question("The hog is killed. Which processes can the OOM killer pick, with the group's limit the cause?", 0,
                "With CONSTRAINT_MEMCG the kernel scans only the tasks of the group whose limit was hit and of the groups below it"
                    + " (mm/oom_kill.c, mem_cgroup_scan_tasks), and picks the one with the highest badness (proc(5), /proc/PID/oom_score).",
                "Only processes in the group or in groups below it",
                "Any process on the machine, the one with the highest oom_score",
                "Only the process whose allocation went over the limit")
            .question("A shell is moved into the group, then starts `sleep 100 &`. Where is the sleep?", 0,
                "A child is born in its parent's cgroup (cgroups(7): a child created by fork inherits its parent's memberships).",
                "In the group", "In the root cgroup", "In no cgroup until moved")
            .question("lab06 has a child group x; a hog in lab06/x is killed because of lab06's 32 MiB limit. Where does "
                    + "cgroup v2 record the kill?", 2,
                "memory.events is hierarchical: a kill is counted in the victim's group and in every group above it; memory.events.local"
                    + " counts only a group's own (Documentation/admin-guide/cgroup-v2.rst, memory.events). v1's memory.oom_control counts only"
                    + " the victim's own group.",
                "Only in lab06/x/memory.events, the victim's own group",
                "Only in lab06/memory.events.local, the limit's own group", "In lab06/x/memory.events and lab06/memory.events")
            .reading(
                "Documentation/admin-guide/cgroup-v2.rst (Memory: memory.max, memory.high, memory.swap.max, memory.events, memory.events.local)",
                "Documentation/admin-guide/cgroup-v1/memory.rst (limit_in_bytes, Swap Extension, memory.swappiness, OOM Control)",
                "cgroups(7) (hierarchies, /proc/PID/cgroup, a child's memberships)",
                "proc(5) (/proc/PID/oom_score and oom_score_adj: how the OOM killer picks its victim)",
                "bash(1) (EXIT STATUS: 128 + N for a death by signal N)",
                "Docker: Runtime options with Memory, CPUs, and GPUs, --memory-swap details <https://docs.docker.com/engine/containers/resource_constraints/#--memory-swap-details>",
                "Debian 11 release notes, 2.2.4 Control groups v2 <https://www.debian.org/releases/bullseye/amd64/release-notes/ch-whats-new.en.html>",
                "Ubuntu 21.10: systemd enabling cgroup v2 by default <https://lists.ubuntu.com/archives/ubuntu-devel/2021-August/041598.html>")
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
        // the shell moves itself in before it starts sleep: wait until it is a member with a child, and the child has
        // become sleep (between fork and exec it is a second sh)
        Wait.until(Duration.ofSeconds(5), Duration.ofMillis(20), () -> demo.procs().size() >= 2
            && demo.procs().stream().anyMatch(pid -> unboxed.ns.Processes.comm(pid).orElse("").equals("sleep")));
        b.show("members of " + DEMO, demo.procs());
        for (long pid : demo.procs()) {
            b.show("pid " + pid + " (" + unboxed.ns.Processes.comm(pid).orElse("?") + ")", memoryLine(pid));
        }
        for (long pid : demo.procs()) unboxed.sys.Sys.kill(pid, 9);
        shell.waitFor();
    }

    static void runTheHog(Bench b) throws Exception {
        Process hog = b.spawn(new ProcessBuilder("sh", "-c", pacedHog(demo.dir())));
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
        List<Path> misplaced = MemoryCgroup.misplaced(GROUP);
        if (!misplaced.isEmpty()) {
            return fail(misplaced.get(0) + " exists, but the memory controller is in " + g.dir().getParent() + ": make " + g.dir());
        }
        return fail(g.dir() + " does not exist");
    }

    static Verdict checkLimit() {
        MemoryCgroup g = MemoryCgroup.named(GROUP);
        if (!g.exists()) return fail(g.dir() + " does not exist");
        long limit = g.limit();
        if (limit == Long.MAX_VALUE) {
            // the near miss: 32M written into a file that only throttles (v2) or steers reclaim (v1), never OOM-kills
            String soft = g.v2() ? "memory.high" : "memory.soft_limit_in_bytes";
            if (Files.exists(g.dir().resolve(soft)) && MemoryCgroup.parseLimit(g.read(soft)) != Long.MAX_VALUE) {
                return fail("lab06 has no memory limit: " + soft + " is " + g.read(soft) + ", but that "
                    + (g.v2() ? "throttles the group above it" : "only steers reclaim when the machine runs short")
                    + " and never OOM-kills; the hard limit is " + g.file("limit"));
            }
            return fail("lab06 has no memory limit (" + g.file("limit") + " says " + g.read(g.file("limit")) + ")");
        }
        return Verdict.when(Math.abs(limit - LIMIT) < 4096,
            "lab06's limit is " + limit + " bytes (" + String.format("%.1f", limit / (double) MiB) + " MiB), not 32 MiB");
    }

    static Verdict checkSwap() {
        MemoryCgroup g = MemoryCgroup.named(GROUP);
        if (!g.exists()) return fail(g.dir() + " does not exist");
        if (g.swapForbidden()) return pass();
        String swap = g.read(g.file("swap"));
        if (g.v2()) return fail(g.file("swap") + " is " + swap + ", not 0: lab06 may swap that much beside memory.max");
        if (g.limit() == Long.MAX_VALUE) {
            return fail("lab06 has no memory limit, so " + g.file("swap") + " (memory + swap, now " + swap
                + ") cannot be held to it: set " + g.file("limit") + " first, then the same value here");
        }
        if (MemoryCgroup.parseLimit(swap) == Long.MAX_VALUE && Files.exists(g.dir().resolve("memory.swappiness"))
            && g.read("memory.swappiness").equals("0")) {
            return fail("memory.swappiness is 0, which stops swapping only when lab06's own limit reclaims; the machine's"
                + " reclaim may still swap lab06's pages (cgroup-v1/memory.rst, memory.swappiness): set " + g.file("swap")
                + " to the memory limit");
        }
        return fail(g.file("swap") + " is " + swap + ", more than the memory limit " + g.limit() + ": lab06 may swap the difference");
    }

    /**
     * An OOM kill caused by lab06's limit, the hog in lab06 or in a group below it. v2: memory.events counts kills in
     * lab06's whole subtree, and memory.events.local's "oom" says lab06's own limit ran out (a kill below lab06 caused by
     * a child's own, lower limit, or by the machine running out, leaves it at 0). v1 records a kill only in the victim's
     * own group and never whose limit caused it: the kills of lab06 and of each group below it count when no group on
     * the way down has a limit of its own below lab06's (then only lab06's limit could have been hit).
     */
    static Verdict checkOomKill() {
        MemoryCgroup g = MemoryCgroup.named(GROUP);
        if (!g.exists()) return fail(g.dir() + " does not exist");
        if (g.v2()) {
            long kills = g.oomKills();
            if (kills == 0) return fail("no OOM kill recorded in lab06 or below it yet (memory.events: oom_kill 0"
                + (g.limitHits() > 0 ? "; the limit was hit " + g.limitHits() + " times, but nothing was killed" : "") + ")");
            var own = g.ownLimitOoms();
            return Verdict.when(own.isEmpty() || own.getAsLong() > 0, "memory.events counts " + kills + " OOM kill(s) in lab06's"
                + " subtree, but lab06's own limit never ran out (memory.events.local: oom 0): another limit caused them");
        }
        long kills = g.oomKills(), elsewhere = 0;
        long limit = g.limit();
        for (MemoryCgroup d : g.descendants()) {
            long k = d.oomKills();
            if (k == 0) continue;
            boolean lowerOnTheWay = false;
            for (Path p = d.dir(); !p.equals(g.dir()); p = p.getParent()) {
                if (MemoryCgroup.at(p, g.version()).limit() < limit) lowerOnTheWay = true;
            }
            if (lowerOnTheWay) elsewhere += k;
            else kills += k;
        }
        return Verdict.when(kills >= 1, "no OOM kill recorded in lab06 or below it yet (" + g.file("oom") + ": oom_kill "
            + g.oomKills() + (elsewhere > 0 ? "; " + elsewhere + " in groups below lab06 with a lower limit of their own, which"
                + " caused them" : "") + ")");
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
