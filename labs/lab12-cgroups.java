///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab12Cgroups

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import unboxed.cgroup.Cgroups;
import unboxed.cgroup.Group;
import unboxed.cgroup.MemoryCgroup;
import unboxed.cgroup.Systemd;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.lab.LabException;
import unboxed.lab.Solution;

/**
 * Lab 12: the cpu and pids controllers, and the rules of the cgroup tree (subtree_control, no internal processes).
 * Story, steps, exercise and checks, top to bottom; the v1/v2 differences live in lib (unboxed.cgroup.Group).
 */
class Lab12Cgroups {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    static final String DEMO = "lab12-demo", GROUP = "lab12";
    /** The exercise's controllers; the demo also uses cpuacct (v1's CPU time) and memory. */
    static final String[] EXERCISE = {"cpu", "pids"}, DEMO_CONTROLLERS = {"cpu", "cpuacct", "pids", "memory"};
    static final long MiB = 1024 * 1024;
    static final String SPIN = "while :; do :; done";
    /** A bounded fork loop: at most 20 sleeps of a second; dash stops at the first fork the kernel refuses. */
    static final String FORKS = "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 1 & done; wait";

    /** What a unit in batch runs when the exercise is asked of systemd: a bounded spinner, then a sleeper that stays. */
    static final String BATCH_LOAD = "timeout 1 sh -c \"" + SPIN + "\"; exec sleep infinity";
    /**
     * What a unit in web runs: the bounded fork loop in a subshell (dash ends the subshell at the refused fork, not
     * the unit's shell), then a sleeper that stays.
     */
    static final String WEB_LOAD = "(" + FORKS + ") 2>/dev/null; exec sleep infinity";
    /**
     * The exercise asked of systemd, as the exercise prints it (the VM tests type these lines on the systemd guest): the
     * task limit on web's slice, the CPU limit on batch's unit.
     */
    static final String SYSTEMD_WAY = String.join("\n",
        "systemctl set-property --runtime " + Systemd.slice(GROUP + "-web") + " TasksMax=16",
        "systemd-run --slice=" + Systemd.slice(GROUP + "-web") + " --unit=" + GROUP + "-web-load sh -c '" + WEB_LOAD + "'",
        "systemd-run --slice=" + Systemd.slice(GROUP + "-batch") + " --unit=" + GROUP + "-batch-load -p CPUQuota=20% sh -c '" + BATCH_LOAD + "'");

    static Group demo;

    static Lab lab() {
        return Lab.define("lab12", "cgroups: cpu and pids limits, and the rules of the tree")
            .summary("Hand the cpu and pids controllers down a cgroup tree, meet the no-internal-processes rule, stop a "
                + "bounded fork loop with pids.max, throttle a spinner with cpu.max and measure its share, share a CPU by "
                + "weight, and see memory.high throttle where memory.max kills.")
            .minutes(30)
            .objectives(
                "Find where the cpu and pids controllers are (v2: cgroup.controllers; v1: a hierarchy each)",
                "Enable controllers for children with cgroup.subtree_control, and explain the EBUSY of the no-internal-processes rule",
                "Limit a group's CPU time (cpu.max, v1 cpu.cfs_quota_us) and its tasks (pids.max), and read the counters that prove it",
                "Say what systemd-run -p CPUQuota=20% -p TasksMax=16 and docker run --cpus --pids-limit write")
            .prerequisites("A Linux machine or VM where you are root (sudo)", "Lab 06: a cgroup, a limit, cgroup.procs")
            .story("""
                lab06 limited memory. A container runtime limits more: how much CPU time a container gets
                (`docker run --cpus 0.2`) and how many processes it may have (`--pids-limit 16`, the end of a fork
                bomb). Those are the **cpu** and **pids** controllers, each a set of files in the group's directory.

                On cgroup v2 all controllers live in one tree, and the tree has rules that trip up everyone who writes
                to /sys/fs/cgroup by hand (Documentation/admin-guide/cgroup-v2.rst, "Controlling Controllers"): a group
                gets a controller's files only if its parent lists the controller in `cgroup.subtree_control`
                ("top-down constraint"), and a group other than the root that hands controllers to its children may not
                hold processes itself ("no internal process constraint": the write gives EBUSY). Processes live in the
                leaves.

                On cgroup v1 (and hybrid hosts such as this lab's test machine) each controller has a hierarchy of its
                own, /sys/fs/cgroup/cpu and /sys/fs/cgroup/pids, with other file names (cpu.cfs_quota_us instead of
                cpu.max) and none of those rules. The lab finds which your machine has and shows the other's files
                beside it, as lab06 does; its shell lines test which files exist, so they run on both.
                """)
            .needs("sh", "timeout", "taskset")
            .preflight(Lab12Cgroups::refuseWithoutControllers)

            .step("Where the cpu and pids controllers are", s -> s
                .explain("""
                    /proc/self/mounts lists the cgroup file systems: one `cgroup2` tree on v2, one `cgroup` mount per
                    v1 hierarchy (its options name the controllers). On v2, the root's `cgroup.controllers` lists the
                    controllers the tree has, and `cgroup.subtree_control` those handed to the groups below it
                    (cgroups(7), cgroup-v2.rst "Enabling and Disabling"). The first line keeps the roots in `$C`
                    (cpu) and `$P` (pids), exported so that the `sh -c '...'` of the steps below sees them too: type
                    the steps in the same shell.
                    """)
                .shell("""
                    if grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then export C=/sys/fs/cgroup P=/sys/fs/cgroup; else export C=/sys/fs/cgroup/cpu P=/sys/fs/cgroup/pids; fi; echo "cpu: $C  pids: $P"
                    grep -E '^cgroup2? ' /proc/self/mounts | grep -wE 'cgroup2|cpu|pids'
                    cat $C/cgroup.subtree_control 2>/dev/null || echo "v1: no subtree_control, each hierarchy has its controller"
                    """)
                .does(Lab12Cgroups::whereTheControllersAre)
                .observe("The lab uses the hierarchies shown; the table names each file in both versions."))

            .step("A group, and controllers for its children", s -> s
                .explain("""
                    First the root: on v2 a group below it gets only the controllers the root lists in its own
                    `cgroup.subtree_control`, and on a systemd machine that is just what systemd's units need (Debian
                    12: `memory pids`, no cpu). The lab writes `+cpu +pids` there, which is what runc's cgroupfs
                    driver does for a container (it writes the controllers into the subtree_control of every ancestor,
                    the root's included); `reset` turns off again what was off. systemd may take cpu back when it
                    next re-applies its units (it writes `-cpu` where no unit needs it), but the kernel refuses that
                    with EBUSY while a child group such as lab12-demo still enables cpu in its own subtree_control
                    (cgroup-v2.rst, "Top-down Constraint"). On v1 there is no such file: the line is skipped.

                    mkdir makes a group. On v2 its `cgroup.controllers` lists what its parent enabled; to give its own
                    children cpu and pids, write `+cpu +pids` into its `cgroup.subtree_control`. Only then do the
                    children get `cpu.max`, `cpu.weight` and `pids.max` (cgroup-v2.rst, "Top-down Constraint"). On v1
                    the group is made in each controller's hierarchy, and every group there has that controller's files.
                    """)
                .shell("""
                    if [ -e $C/cgroup.subtree_control ]; then echo '+cpu +pids' > $C/cgroup.subtree_control; cat $C/cgroup.subtree_control; fi
                    mkdir -p $C/lab12-demo $P/lab12-demo
                    cat $C/lab12-demo/cgroup.controllers 2>/dev/null || ls $C/lab12-demo | grep -E '^cpu\\.(cfs_quota_us|shares)$'
                    if [ -e $C/lab12-demo/cgroup.subtree_control ]; then echo '+cpu +pids' > $C/lab12-demo/cgroup.subtree_control; fi
                    mkdir -p $C/lab12-demo/spin $C/lab12-demo/hi $C/lab12-demo/lo $P/lab12-demo/forks
                    ls $C/lab12-demo/spin | grep -E '^cpu\\.(max|weight|cfs_quota_us|shares)$'
                    """)
                .does(Lab12Cgroups::makeTheTree)
                .observe("The children have the cpu files (and, on v2, the pids files) once the parent handed the controllers down."))

            .step("No internal processes: leaves hold the processes", s -> s
                .explain("""
                    On v2, a group other than the root that hands a domain controller (memory, io) to its children may
                    not hold processes of its own: writing a pid into its `cgroup.procs` fails with EBUSY, as does
                    enabling a controller in the `cgroup.subtree_control` of a group that has processes (cgroup-v2.rst,
                    "No Internal Process Constraint"). cpu and pids are threaded controllers: with only those enabled
                    and no process in a child group yet, the kernel still lets a process in (cgroup-v2.rst, "Threads").
                    So the first line hands memory down as well, then the second tries. Processes go into leaves,
                    which is why systemd puts a service's processes in its own leaf. v1 has no such rule: a group's
                    own processes compete with its children's.
                    """)
                .shell("""
                    if grep -qw memory $C/lab12-demo/cgroup.controllers 2>/dev/null; then echo +memory > $C/lab12-demo/cgroup.subtree_control; fi
                    sh -c 'echo $$ > $C/lab12-demo/cgroup.procs && echo "moved in (v1 allows it)"' || echo 'refused: Device or resource busy (v2)'
                    """)
                .does(Lab12Cgroups::noInternalProcesses)
                .observe("v2 refuses with EBUSY; v1 lets the process in."))

            .step("pids.max against a bounded fork loop", s -> s
                .explain("""
                    pids.max caps the tasks (processes and threads) in a group and below it; a fork or clone that would
                    pass it fails with EAGAIN, and `pids.events` counts the refusals in its `max` line (cgroup-v2.rst,
                    "PID"; the v1 files are the same, in the pids hierarchy: cgroup-v1/pids.rst). The loop below is
                    bounded: at most 20 sleeps of a second, and dash gives up at the first refused fork ("Cannot
                    fork"). Moving a process in is never refused: pids.current may pass pids.max that way.
                    """)
                .shell("""
                    echo 8 > $P/lab12-demo/forks/pids.max
                    sh -c 'echo $$ > $P/lab12-demo/forks/cgroup.procs; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 1 & done; wait'   # fails: Cannot fork
                    cat $P/lab12-demo/forks/pids.events     # prints: max 1
                    """)
                .does(Lab12Cgroups::forkLoop)
                .observe("Seven sleeps started (with sh, eight tasks); the eighth fork failed, and pids.events says max 1."))

            .step("cpu.max against a spinner: throttled, and its share measured", s -> s
                .explain("""
                    The CPU limit is a quota of CPU time per period, in microseconds: v2 `cpu.max` holds "QUOTA
                    PERIOD" ("max 100000" is none); v1 splits it into `cpu.cfs_quota_us` (-1 is none) and
                    `cpu.cfs_period_us`. 20000 of every 100000 is 20% of one CPU. When the group has used its quota in a
                    period it is stopped until the next one, and `cpu.stat` counts that: `nr_throttled` periods and the
                    time stopped (v2 `throttled_usec`, v1 `throttled_time` in ns) (Documentation/scheduler/sched-bwc.rst).
                    The spinner is bounded by `timeout 2`, which ends it with exit 124.
                    """)
                .shell("""
                    if [ -e $C/lab12-demo/spin/cpu.max ]; then echo '20000 100000' > $C/lab12-demo/spin/cpu.max; else echo 100000 > $C/lab12-demo/spin/cpu.cfs_period_us; echo 20000 > $C/lab12-demo/spin/cpu.cfs_quota_us; fi
                    sh -c 'echo $$ > $C/lab12-demo/spin/cgroup.procs; exec timeout 2 sh -c "while :; do :; done"'   # fails
                    grep -E 'nr_throttled|throttled_(usec|time)' $C/lab12-demo/spin/cpu.stat
                    """)
                .does(Lab12Cgroups::throttledSpinner)
                .observe("About 20% of one CPU, measured from the group's own CPU time; nr_throttled about 10 a second."))

            .step("cpu.weight: two spinners share one CPU", s -> s
                .explain("""
                    A weight decides only under contention: siblings that all want CPU get it in proportion to their
                    weights (v2 `cpu.weight`, 1 to 10000, default 100; v1 `cpu.shares`, default 1024). Two spinners are
                    pinned to CPU 0 with taskset, one in `hi` (300, v1 3072) and one in `lo` (100, v1 1024): `hi` should
                    get about three quarters. On an idle CPU a weight limits nothing; that is cpu.max's job.
                    """)
                .shell("""
                    if [ -e $C/lab12-demo/hi/cpu.weight ]; then echo 300 > $C/lab12-demo/hi/cpu.weight; echo 100 > $C/lab12-demo/lo/cpu.weight; else echo 3072 > $C/lab12-demo/hi/cpu.shares; echo 1024 > $C/lab12-demo/lo/cpu.shares; fi
                    for g in hi lo; do sh -c "echo \\$\\$ > $C/lab12-demo/$g/cgroup.procs; exec timeout 2 taskset -c 0 sh -c 'while :; do :; done'" & done; wait
                    """)
                .does(Lab12Cgroups::weights)
                .observe("hi gets about 75% of CPU 0, lo about 25%."))

            .step("memory.high throttles, memory.max kills", s -> s
                .explain("""
                    cgroup v2 has two memory limits. Above `memory.high` the group's processes are throttled and put
                    under heavy reclaim, but "going over the high limit never invokes the OOM killer"; at `memory.max`
                    the OOM killer ends a process (cgroup-v2.rst, memory.high and memory.max; `memory.events` counts
                    both: `high` and `oom_kill`). v1 has no throttle limit: `memory.soft_limit_in_bytes` only steers
                    reclaim when the machine runs short, and `memory.limit_in_bytes` is v2's memory.max (lab06).
                    Here a hog holds 32 MiB over a limit of 16 MiB, bounded by `timeout 3`.
                    """)
                .shell("""
                    M=$(if [ -e $C/cgroup.controllers ]; then echo $C; else echo /sys/fs/cgroup/memory; fi)/lab12-demo/mem; mkdir -p $M
                    if [ -e $C/lab12-demo/cgroup.subtree_control ]; then echo +memory > $C/lab12-demo/cgroup.subtree_control; fi
                    if [ -e $M/memory.high ]; then echo 16M > $M/memory.high; sh -c "echo \\$\\$ > $M/cgroup.procs; exec timeout 3 sh -c 'head -c 32M /dev/zero | tail'"; echo "exit $?"; grep -E '^(high|oom_kill) ' $M/memory.events; fi
                    """)
                .does(Lab12Cgroups::highAgainstMax)
                .observe("On v2 the hog above memory.high is slowed, not killed; at memory.max it is killed (exit 137)."))

            .step("cgroup.kill: end a group's processes at once", s -> s
                .explain("""
                    Writing 1 to a v2 group's `cgroup.kill` kills every process in it and in the groups below it, with
                    no race against processes that fork meanwhile (cgroup-v2.rst, cgroup.kill; kernel 5.14 and later).
                    v1 has no such file: a runtime freezes the group, or kills each pid of `cgroup.procs` until none is left.
                    """)
                .shell("""
                    sh -c 'echo $$ > $P/lab12-demo/forks/cgroup.procs; sleep 60 & sleep 60 & exec sleep 60' &
                    sleep 0.5; cat $P/lab12-demo/forks/pids.current
                    if [ -e $P/lab12-demo/forks/cgroup.kill ]; then echo 1 > $P/lab12-demo/forks/cgroup.kill; else kill -9 $(cat $P/lab12-demo/forks/cgroup.procs); fi
                    """)
                .does(Lab12Cgroups::killThemAll)
                .observe("Three tasks, then none."))

            .step("Who owns the tree: systemd and Docker", s -> s
                .explain("""
                    On a systemd machine systemd owns the v2 tree and expects to be its only writer (systemd's "Control
                    Group APIs and Delegation"): ask it instead, `systemd-run --scope -p CPUQuota=20% -p TasksMax=16
                    CMD`, which makes a scope unit whose group gets cpu.max "20000 100000" and pids.max 16
                    (systemd.resource-control(5)). `docker run --cpus 0.2 --pids-limit 16` has runc write the same two
                    files in the container's group (Docker's "Resource constraints"; period 100 ms). This lab writes the
                    files itself, in a group of its own, which is what those tools do underneath.
                    """)
                .shell("cat /proc/1/comm; if [ -d /sys/fs/cgroup/system.slice ]; then echo 'systemd manages this tree'; else echo 'no system.slice: systemd does not manage this tree'; fi")
                .does(Lab12Cgroups::whoOwnsTheTree)
                .observe("What the tools would write, beside what this lab wrote by hand."))
            .diagram("The demo tree, its limits and counters", d -> d
                .panel("cpu and pids (v2: one tree)", "v2: /sys/fs/cgroup; v1: /sys/fs/cgroup/cpu and /sys/fs/cgroup/pids")
                .node("/", "the root: exempt from the no-internal-processes rule")
                .node("  " + DEMO, "cgroup.subtree_control: +cpu +pids (no processes of its own)").mark()
                .node("    spin", "cpu.max 20000 100000: nr_throttled ~10/s, ~20% of one CPU")
                .node("    hi / lo", "cpu.weight 300 / 100: ~75% / ~25% of CPU 0")
                .node("    forks", "pids.max 8: pids.events max 1")
                .node("    mem", "memory.high 16M: throttled (v2 only)")
                .panel("the kernel", "")
                .node("CFS bandwidth", "stops the group for the rest of a period")
                .node("fork()", "EAGAIN at pids.max")
                .arrow("the kernel", "CFS bandwidth", "cpu and pids (v2: one tree)", "spin", "throttled")
                .arrow("the kernel", "fork()", "cpu and pids (v2: one tree)", "forks", "refused"))

            .exercise("""
                Do it by hand with mkdir and echo (or Java through `./jbang shell`), in the hierarchies your machine
                has (the first step of `run` shows which; v2 names below, the v1 equivalents are accepted on v1 hosts):

                - a cgroup `lab12` with children `web` and `batch`, the cpu and pids controllers available to both
                  (v2: `+cpu +pids` in lab12's cgroup.subtree_control, and in the root's if it does not list them:
                  `run` did that in step 2; v1: lab12/web and lab12/batch in both the cpu and the pids hierarchies);
                - `batch` limited to 20%% of one CPU (cpu.max, any quota/period pair with that ratio; v1
                  cpu.cfs_quota_us and cpu.cfs_period_us), and throttled at least once (run a bounded spinner in it);
                - `web` limited to 16 tasks (pids.max), and that limit hit at least once (a bounded fork loop);
                - at least one process left in each child (`sh -c 'echo $$ > .../cgroup.procs; exec sleep infinity' &`),
                  and none directly in `lab12`;
                - nothing outside `lab12` changed (no `web` or `batch` beside it at a hierarchy's root; the root's
                  cgroup.subtree_control is the lab's to change, and `reset` puts it back).

                On a systemd machine (`/run/systemd/system` is there) you may ask systemd instead. Its tree of the
                same shape is made of slices: `lab12.slice` with `lab12-web.slice` and `lab12-batch.slice` (a dash
                makes a slice the child of the one before it: systemd.slice(5)), at
                /sys/fs/cgroup/lab12.slice/lab12-web.slice; the processes live in units below the slices, never in a
                slice itself. A limit may be set on the child slice (`systemctl set-property --runtime`) or on the
                units that hold its processes (`systemd-run -p`): the checks read what the kernel shows either way.
                For example:

                ```
                %s
                ```

                A `--scope` (or a service) whose command ends takes its group away, and with it the group's counters
                (on Debian 12's kernel a refused fork is counted only in the group of the process that forked): keep
                the load's unit running, as the `exec sleep infinity` above does. Limits set on `lab12.slice` itself
                are shared by both children, a near miss as by hand. Use one way: if both `lab12` and `lab12.slice`
                are there, the checks grade `lab12`.
                """.formatted(SYSTEMD_WAY))
            .diagram("What you build", d -> d
                .panel("cpu and pids (v2: one tree)", "v2: /sys/fs/cgroup; v1: /sys/fs/cgroup/cpu and /sys/fs/cgroup/pids")
                .node("/", "there already")
                .node("  " + GROUP, "mkdir; cgroup.subtree_control +cpu +pids; no processes").yours()
                .node("    batch", "cpu.max 20000 100000; cpu.stat nr_throttled > 0; a process").yours()
                .node("    web", "pids.max 16; pids.events max > 0; a process").yours()
                .panel("the kernel", "")
                .node("CFS bandwidth", "throttles batch")
                .node("fork()", "refused in web at 16 tasks")
                .arrow("the kernel", "CFS bandwidth", "cpu and pids (v2: one tree)", "batch", "throttled")
                .arrow("the kernel", "fork()", "cpu and pids (v2: one tree)", "web", "EAGAIN"))
            .check("tree", "lab12 with children web and batch, the cpu and pids controllers available to both", 2,
                "v2: echo '+cpu +pids' > /sys/fs/cgroup/cgroup.subtree_control (if the root does not list them); mkdir /sys/fs/cgroup/lab12; echo '+cpu +pids' > /sys/fs/cgroup/lab12/cgroup.subtree_control; mkdir "
                    + "/sys/fs/cgroup/lab12/web /sys/fs/cgroup/lab12/batch. v1: the same mkdirs in /sys/fs/cgroup/cpu and /sys/fs/cgroup/pids. "
                    + "Asking systemd instead: systemd-run --slice=lab12-web.slice ... and --slice=lab12-batch.slice ... make lab12.slice and both children",
                Lab12Cgroups::checkTree)
            .check("quota", "batch is limited to 20% of one CPU (quota/period = 0.2)", 2, Lab12Cgroups::checkQuota)
            .check("throttled", "batch has been throttled at least once (cpu.stat nr_throttled > 0)", 1, Lab12Cgroups::checkThrottled)
            .check("tasks", "web is limited to 16 tasks (pids.max)", 2, Lab12Cgroups::checkTasks)
            .check("hit", "web's task limit has been hit at least once (pids.events max > 0)", 1, Lab12Cgroups::checkHit)
            .check("members", "At least one process in each of web and batch, none directly in lab12", 2,
                "for g in web batch; do sh -c \"echo \\$\\$ > /sys/fs/cgroup/lab12/$g/cgroup.procs; exec sleep infinity\" & done "
                    + "(v1: echo the pid into lab12/$g/cgroup.procs of both /sys/fs/cgroup/cpu and /sys/fs/cgroup/pids; asking systemd: "
                    + "systemd-run --slice=lab12-$g.slice sleep infinity, never --slice=lab12.slice)",
                Lab12Cgroups::checkMembers)
            .check("outside", "Nothing outside lab12 changed (no web or batch beside it, no lab12 at the other version's paths)", 1,
                "make web and batch inside lab12 only: rmdir a web or batch made beside it (rmdir /sys/fs/cgroup/web); "
                    + "`sudo ./jbang lab12 reset` removes a lab12 made at the other version's paths", Lab12Cgroups::checkOutside)
            .solution(Lab12Cgroups::solution)
            .makes(new KernelObject.NamedGroup(DEMO, List.of(DEMO_CONTROLLERS)))
            .owns(new KernelObject.NamedGroup(GROUP, List.of("cpu", "cpuacct", "pids", "memory")),
                new KernelObject.SystemdSlice(GROUP, List.of("cpu", "cpuacct", "pids", "memory")))

            .question("On cgroup v2, lab12 has `+memory` in its cgroup.subtree_control. You write a pid into lab12's own "
                    + "cgroup.procs. What happens?", 2,
                "The no internal process constraint: a non-root group that enables a domain controller (memory, io) for its "
                    + "children may not hold processes; the write fails with EBUSY (cgroup-v2.rst). The root is exempt.",
                "The process moves in and shares lab12's limits with the children",
                "The kernel moves the process into the first child instead",
                "The write fails with EBUSY (Device or resource busy)")
            .question("batch's cpu.max is \"50000 100000\" and it runs two spinning threads on a 4-CPU machine. About "
                    + "how much CPU time does it get each second?", 1,
                "The quota is per period over all CPUs together: 50 ms of CPU time every 100 ms, so half of one CPU, "
                    + "however many threads or CPUs there are (sched-bwc.rst).",
                "Two CPUs' worth: 50% of each of its four CPUs", "Half of one CPU: 0.5 s of CPU time",
                "One full CPU: 50% for each of its two threads")
            .question("Where does the kernel count forks that pids.max refused?", 0,
                "pids.events, line max (cgroup-v2.rst PID controller; the same file in v1's pids hierarchy).",
                "pids.events, in its max line", "pids.current, which goes above pids.max",
                "The kernel log, one line a refused fork")
            .question("Two sibling groups have cpu.weight 300 and 100, and each runs one spinner on an otherwise idle "
                    + "2-CPU machine, no pinning. What share of a CPU does the weight-100 group get?", 2,
                "Weights divide CPU time only under contention; with two CPUs each spinner has a CPU of its own, so each "
                    + "gets all of one (cpu.weight is proportional distribution, cgroup-v2.rst \"Weights\").",
                "A quarter of one CPU, whatever else runs", "A third of what the other group gets",
                "All of one CPU: nothing competes")
            .question("A group's usage is above its memory.high but below memory.max. What does the kernel do?", 1,
                "It throttles the group's processes and reclaims hard; going over memory.high never invokes the OOM killer "
                    + "(cgroup-v2.rst, memory.high).",
                "The OOM killer ends the biggest process in the group", "It throttles the group and reclaims, never OOM-kills",
                "Nothing until the whole machine runs short of memory")
            .reading(
                "Documentation/admin-guide/cgroup-v2.rst (Controlling Controllers, No Internal Process Constraint, cgroup.kill, CPU: cpu.max, cpu.weight, cpu.stat, PID, memory.high and memory.max)",
                "Documentation/scheduler/sched-bwc.rst (CFS bandwidth control: quota, period, nr_throttled, throttled_time)",
                "Documentation/admin-guide/cgroup-v1/pids.rst (the pids controller on v1)",
                "cgroups(7) (hierarchies, v1 and v2, /proc/PID/cgroup)",
                "systemd.resource-control(5) (CPUQuota=, CPUWeight=, TasksMax=) and systemd-run(1) (--scope, --slice, -p)",
                "systemd.slice(5) (a slice's name is its place in the tree: lab12-web.slice is a child of lab12.slice)",
                "systemctl(1) (set-property --runtime on an inactive unit, stop, revert, reset-failed)",
                "systemd: Control Group APIs and Delegation <https://systemd.io/CGROUP_DELEGATION/>",
                "Docker: Resource constraints, CPU (--cpus, --cpu-shares) <https://docs.docker.com/engine/containers/resource_constraints/>",
                "docker run --pids-limit <https://docs.docker.com/reference/cli/docker/container/run/>")
            .build();
    }

    // ---- preflight -----------------------------------------------------------------------------------------------

    /**
     * The lab needs both controllers. On v2 the root may not hand them down yet (systemd enables only those its units
     * need: `memory pids` on Debian 12): the lab turns them on itself (step 2, solve); this notes first which were off,
     * so that reset turns those off again.
     */
    static void refuseWithoutControllers(Bench b) {
        Group g = Group.named(GROUP, EXERCISE);
        if (!g.missing().isEmpty()) {
            throw LabException.environment("no cgroup hierarchy offers the " + String.join(" and ", g.missing())
                + " controller here (see ./jbang doctor); run the lab in the Vagrant VM");
        }
        rootBefore();
    }

    /** Which of cpu and pids the v2 root did not hand down before the lab: a note in the journal (KernelObject.SubtreeNote). */
    static void rootBefore() {
        KernelObject.SubtreeNote.noted("lab12", List.of(EXERCISE));
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    static void whereTheControllersAre(Bench b) {
        Cgroups.Layout l = Cgroups.detect();
        b.show("cgroup layout", l.kind());
        for (String c : DEMO_CONTROLLERS) {
            Cgroups.Root r = Cgroups.rootOf(c);
            b.show(c + " controller", r == null ? "(not offered here" + (c.equals("cpuacct") ? ": v2 counts CPU time in cpu.stat)" : ")")
                : "cgroup " + (r.version() == Cgroups.Version.V2 ? "v2" : "v1") + " at " + r.dir());
        }
        Group here = Group.named(DEMO, EXERCISE);
        Cgroups.Version mine = here.v2() ? Cgroups.Version.V2 : Cgroups.Version.V1;
        Cgroups.Version other = here.v2() ? Cgroups.Version.V1 : Cgroups.Version.V2;
        b.say("File names, " + (here.v2() ? "v2 (yours) and v1" : "v1 (yours) and v2") + ":");
        for (String concept : List.of("controllers", "subtree", "quota", "period", "weight", "throttled-time", "usage", "pids",
            "pids-events", "kill", "high")) {
            b.show("  " + concept, String.format("%-26s %s", Group.file(mine, concept), Group.file(other, concept)));
        }
    }

    static void makeTheTree(Bench b) {
        List<String> enabled = b.enableAtCgroupRoot(EXERCISE);
        if (!enabled.isEmpty()) {
            Path root = Cgroups.rootOf("cpu").dir();
            b.java("Files.writeString(" + root.resolve("cgroup.subtree_control") + ", \"+" + String.join(" +", enabled) + "\")");
            b.show("root's cgroup.subtree_control", String.join(" ", Cgroups.subtreeControl(root)) + " (" + String.join(" and ", enabled)
                + " turned on by the lab; reset turns " + (enabled.size() == 1 ? "it" : "them") + " off)");
        }
        demo = b.cgroup(DEMO, DEMO_CONTROLLERS);
        b.java("Files.createDirectory(...) in " + demo.dirs());
        if (demo.v2()) {
            b.show(DEMO + "/cgroup.controllers", String.join(" ", demo.available()));
            demo.enableForChildren("cpu", "pids");
            b.java("Files.writeString(" + demo.dir("cpu").resolve("cgroup.subtree_control") + ", \"+cpu +pids\")");
            b.show(DEMO + "/cgroup.subtree_control", String.join(" ", demo.subtreeControl()));
        } else {
            b.say("v1: no subtree_control; each hierarchy's groups have its controller's files.");
        }
        for (String child : List.of("spin", "hi", "lo", "forks")) demo.child(child).create();
        b.sh("ls " + demo.child("spin").dir("cpu") + " | grep -E '^cpu\\.(max|weight|cfs_quota_us|shares)$'");
        b.show("spin can use", String.join(" ", demo.child("spin").available()));
    }

    static void noInternalProcesses(Bench b) throws Exception {
        if (demo.v2() && demo.available().contains("memory")) {
            demo.enableForChildren("memory"); // a domain controller: cpu and pids alone allow a process in (threaded)
            b.show(DEMO + "/cgroup.subtree_control", String.join(" ", demo.subtreeControl()));
        }
        Process sleeper = b.spawn(new ProcessBuilder("sleep", "30"));
        b.java("Files.writeString(" + demo.dir("cpu").resolve("cgroup.procs") + ", \"" + sleeper.pid() + "\")");
        try {
            demo.files("cpu").add(sleeper.pid());
            b.show("moved in", "pid " + sleeper.pid() + " is in " + DEMO + (demo.v2() ? "" : " (v1 has no such rule)"));
        } catch (java.io.UncheckedIOException e) {
            b.show("refused", e.getMessage());
        }
        sleeper.destroyForcibly().waitFor();
        if (demo.v2()) b.show("the root group", "holds processes and hands controllers down: exempt");
    }

    static void forkLoop(Bench b) throws Exception {
        Group forks = demo.child("forks");
        forks.setPidsMax(8);
        b.show("forks/pids.max", forks.pidsMax());
        Process p = b.spawn(new ProcessBuilder("sh", "-c", forks.joinLine("pids") + " " + FORKS).redirectErrorStream(true));
        String out = new String(p.getInputStream().readAllBytes()).strip();
        int exit = p.waitFor();
        b.show("fork loop's exit", exit + (out.isEmpty() ? "" : " (" + out + ")"));
        b.show("forks/pids.current", forks.pidsCurrent() + " (the sleeps that did start)");
        b.show("forks/pids.events: max", forks.pidsMaxHits());
        forks.kill();
    }

    static void throttledSpinner(Bench b) throws Exception {
        Group spin = demo.child("spin");
        spin.setCpuMax(20_000, 100_000);
        b.show("spin/" + spin.file("quota"), spin.cpuMax().map(q -> "quota " + q.quotaUs() + ", period " + q.periodUs() + " (microseconds)").orElse("none"));
        double share = spinFor(b, spin, 2, "");
        b.show("measured share", String.format("%.0f%% of one CPU (limit 20%%)", share * 100));
        b.show("spin/cpu.stat nr_throttled", spin.throttled());
        b.show("spin/cpu.stat throttled", spin.throttledUsec() / 1000 + " ms stopped");
    }

    /** Runs a spinner in a group for some seconds (timeout ends it: exit 124); the group's CPU time over the wall time. */
    static double spinFor(Bench b, Group g, int seconds, String pin) throws Exception {
        long before = g.usageUsec(), start = System.nanoTime();
        Process p = b.spawn(new ProcessBuilder("sh", "-c", g.joinLine("cpu", "cpuacct") + " exec timeout " + seconds + " " + pin + "sh -c '" + SPIN + "'"));
        p.waitFor();
        return (g.usageUsec() - before) / ((System.nanoTime() - start) / 1000.0);
    }

    static void weights(Bench b) throws Exception {
        Group hi = demo.child("hi"), lo = demo.child("lo");
        hi.setWeight(300);
        lo.setWeight(100);
        b.show("hi/" + hi.file("weight"), hi.weight());
        b.show("lo/" + lo.file("weight"), lo.weight());
        long hi0 = hi.usageUsec(), lo0 = lo.usageUsec();
        List<Process> ps = new ArrayList<>();
        for (Group g : List.of(hi, lo)) {
            ps.add(b.spawn(new ProcessBuilder("sh", "-c", g.joinLine("cpu", "cpuacct") + " exec timeout 2 taskset -c 0 sh -c '" + SPIN + "'")));
        }
        for (Process p : ps) p.waitFor();
        double h = hi.usageUsec() - hi0, l = lo.usageUsec() - lo0;
        b.show("hi's part of CPU 0", String.format("%.0f%%", 100 * h / (h + l)));
        b.show("lo's part of CPU 0", String.format("%.0f%%", 100 * l / (h + l)));
    }

    static void highAgainstMax(Bench b) throws Exception {
        Group mem = demo.child("mem");
        if (mem.v2() && !demo.available().contains("memory")) {
            b.say("The root does not hand the memory controller down here (cgroup.subtree_control): nothing to show.");
            return;
        }
        if (mem.v2()) demo.enableForChildren("memory");
        mem.create();
        MemoryCgroup m = MemoryCgroup.at(mem.dir("memory"), mem.version("memory"));
        String hog = "exec timeout 3 sh -c 'head -c 32M /dev/zero | tail'";
        if (m.v2()) {
            m.write("memory.high", "16M");
            if (m.hasSwapFile()) m.write("memory.swap.max", "0");
            b.show("mem/memory.high", m.read("memory.high"));
            int exit = b.spawn(new ProcessBuilder("sh", "-c", mem.joinLine("memory") + " " + hog)).waitFor();
            b.show("hog's exit", exit + (exit == 124 ? " (still throttled when timeout ended it)" : ""));
            b.show("mem/memory.events high", m.event("high"));
            b.show("mem/memory.events oom_kill", m.oomKills());
            m.write("memory.high", "max");
        } else {
            b.say("v1 has no memory.high; memory.limit_in_bytes is v2's memory.max:");
        }
        m.setLimit(16 * MiB);
        m.forbidSwap();
        b.show("mem/" + m.file("limit"), m.limit() / MiB + " MiB");
        // at memory.max the kill comes as soon as the hog gets there; the timeout is only a bound, wide enough for a
        // slow machine (under emulation the hog took longer than 3 s to reach 16 MiB)
        String killedHog = "exec timeout 60 sh -c 'head -c 32M /dev/zero | tail'";
        int exit = b.spawn(new ProcessBuilder("sh", "-c", mem.joinLine("memory") + " " + killedHog)).waitFor();
        b.show("hog's exit", exit + (exit == 137 ? " = 128 + 9: OOM-killed" : ""));
        b.show("mem/" + m.file("oom") + ": oom_kill", m.oomKills());
    }

    static void killThemAll(Bench b) throws Exception {
        Group forks = demo.child("forks");
        Process p = b.spawn(new ProcessBuilder("sh", "-c", forks.joinLine("pids") + " sleep 60 & sleep 60 & exec sleep 60"));
        unboxed.sys.Wait.until(java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(20), () -> forks.pidsCurrent() == 3);
        b.show("forks/pids.current", forks.pidsCurrent());
        b.java(forks.version("pids") == Cgroups.Version.V2 && Files.exists(forks.dir("pids").resolve("cgroup.kill"))
            ? "Files.writeString(" + forks.dir("pids").resolve("cgroup.kill") + ", \"1\")"
            : "kill(pid, SIGKILL) for each pid of " + forks.dir("pids").resolve("cgroup.procs"));
        forks.kill();
        p.waitFor();
        // a killed task counts until its parent (here init) has reaped it
        unboxed.sys.Wait.until(java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(20), () -> forks.pidsCurrent() == 0);
        b.show("forks/pids.current", forks.pidsCurrent());
    }

    static void whoOwnsTheTree(Bench b) {
        boolean systemd = Files.isDirectory(Path.of("/sys/fs/cgroup/system.slice"));
        b.show("/sys/fs/cgroup/system.slice", systemd ? "there: systemd manages this tree" : "absent: systemd does not manage this tree");
        Group spin = demo.child("spin"), forks = demo.child("forks");
        b.show("systemd-run -p CPUQuota=20%", "cpu.max 20000 100000 (this lab: spin/" + spin.file("quota") + " "
            + spin.cpuMax().map(q -> q.quotaUs() + " " + q.periodUs()).orElse("none") + ")");
        b.show("systemd-run -p TasksMax=16", "pids.max 16 (this lab: forks/pids.max " + forks.pidsMax() + ")");
        b.show("docker run --cpus 0.2", "cpu.max 20000 100000 in the container's group");
        b.show("docker run --pids-limit 16", "pids.max 16 in the container's group");
    }

    // ---- exercise checks: the cgroup files themselves ----------------------------------------------------------

    /**
     * The exercise's tree as the learner made it: by hand, lab12 with web and batch; or, on a systemd machine, by asking
     * systemd, lab12.slice with lab12-web.slice and lab12-batch.slice (systemd.slice(5): a dash is a level), whose
     * processes live in units (services, scopes) below the slices. The hand-made tree is graded whenever it is there.
     */
    record Tree(Group top, Group web, Group batch, boolean systemd) {
        /** What a verdict calls a group of the tree: web, web/x; lab12-web.slice, run-r1.service. */
        String name(Group g) {
            String n = g.name();
            if (systemd) return n.substring(n.lastIndexOf('/') + 1);
            return n.equals(GROUP) ? GROUP : n.substring(GROUP.length() + 1);
        }
        Group child(String which) { return which.equals("web") ? web : batch; }
        /** How to ask for a limit: the file to echo into by hand, or the systemd property. */
        String howTo(Group g, String file, String value, String property) {
            return systemd ? "systemctl set-property --runtime " + name(g) + " " + property + ", or -p " + property
                + " on the systemd-run that starts its process" : "echo " + value + " > " + g.dir(file.startsWith("pids") ? "pids" : "cpu").resolve(file);
        }
    }

    static Tree tree() {
        Group hand = Group.named(GROUP, EXERCISE), slices = Group.named(Systemd.slicePath(GROUP), EXERCISE);
        if (made(hand) || !made(slices)) return new Tree(hand, hand.child("web"), hand.child("batch"), false);
        return new Tree(slices, Group.named(Systemd.slicePath(GROUP + "-web"), EXERCISE),
            Group.named(Systemd.slicePath(GROUP + "-batch"), EXERCISE), true);
    }

    static boolean made(Group g) { return g.dirs().stream().anyMatch(Files::isDirectory); }

    /**
     * Why a child cannot be graded on a controller's files: its directory is missing, or (v2) its parent did not hand it
     * the controller, so the files are not there to read. Null when they are.
     */
    static Verdict without(Tree t, Group k, String controller) {
        if (!k.exists(controller)) return fail(k.dir(controller) + " does not exist");
        if (k.v2() && !k.available().contains(controller)) {
            return fail(t.name(k) + " has no " + controller + " files: its cgroup.controllers is \"" + String.join(" ", k.available())
                + "\" (" + (t.systemd ? "systemd hands " + controller + " down to a slice when a unit below it has a "
                    + (controller.equals("cpu") ? "CPUQuota=" : "TasksMax=") + " setting"
                    : "echo '+cpu +pids' > " + k.dir(controller).getParent().resolve("cgroup.subtree_control")) + ")");
        }
        return null;
    }

    /** The groups in K's subtree (K included) that hold processes, in a controller's hierarchy. */
    static List<Group> holders(Group k, String controller) {
        List<Group> all = new ArrayList<>(List.of(k));
        all.addAll(k.below(controller));
        return all.stream().filter(g -> !g.procs(controller).isEmpty()).toList();
    }

    /** The groups from K down to G (both included), in a controller's hierarchy: the path G's processes are limited along. */
    static List<Group> path(Group k, Group g, String controller) {
        List<Group> p = new ArrayList<>(List.of(k));
        for (Group b : k.below(controller)) if (g.within(b)) p.add(b);
        return p;
    }

    /**
     * A limit as K's processes feel it: K's own if it has one; otherwise, if every group below K that holds processes
     * has one on its path up to K, the tightest on each path (systemd's way: the limit on the service or scope). Empty
     * when some process in K's subtree is unlimited, or none is there.
     */
    static <T> java.util.Map<Group, T> felt(Group k, String controller, java.util.function.Function<Group, java.util.Optional<T>> limit,
            java.util.Comparator<T> tighter) {
        java.util.Map<Group, T> felt = new java.util.LinkedHashMap<>();
        var own = limit.apply(k);
        if (own.isPresent()) {
            felt.put(k, own.get());
            return felt;
        }
        for (Group h : holders(k, controller)) {
            var min = path(k, h, controller).stream().map(limit).flatMap(java.util.Optional::stream).min(tighter);
            if (min.isEmpty()) return java.util.Map.of();
            felt.put(h, min.get());
        }
        return felt;
    }

    static Verdict checkTree() {
        rootBefore(); // a learner may start with check: how the root was is noted before they change it
        Tree t = tree();
        List<String> missing = new ArrayList<>();
        for (Group g : List.of(t.top(), t.web(), t.batch())) {
            for (String c : EXERCISE) {
                Path d = g.dir(c);
                if (!Files.isDirectory(d) && !missing.contains(d.toString())) missing.add(d.toString());
            }
        }
        if (!missing.isEmpty()) {
            return fail(missing.get(0) + " does not exist" + (missing.size() > 1 ? " (nor " + String.join(", ", missing.subList(1, missing.size())) + ")" : ""));
        }
        if (!t.top().v2()) return pass();
        List<String> topHas = t.top().available();
        if (!topHas.contains("cpu") || !topHas.contains("pids")) {
            Path root = Cgroups.rootOf("cpu").dir();
            return fail(t.name(t.top()) + "'s cgroup.controllers lists \"" + String.join(" ", topHas) + "\", not cpu and pids: the root's "
                + "cgroup.subtree_control is \"" + String.join(" ", Cgroups.subtreeControl(root)) + "\" (" + (t.systemd()
                    ? "systemd turns cpu on for the slices whose units need it: a CPUQuota= on " + t.name(t.batch()) + " or a unit in it"
                    : "echo '+cpu +pids' > " + root.resolve("cgroup.subtree_control") + ", as the lab's step 2 does") + ")");
        }
        for (Group k : List.of(t.web(), t.batch())) {
            List<String> has = k.available();
            if (!has.contains("cpu") || !has.contains("pids")) {
                return fail(t.name(k) + "'s cgroup.controllers lists \"" + String.join(" ", has) + "\", not cpu and pids: " + t.name(t.top())
                    + "'s cgroup.subtree_control is \"" + String.join(" ", t.top().subtreeControl()) + "\" (" + (t.systemd()
                        ? "systemd turns cpu on for the slices whose units need it: a CPUQuota= on " + t.name(t.batch()) + " or a unit in it"
                        : "echo '+cpu +pids' > " + t.top().dir("cpu").resolve("cgroup.subtree_control")) + ")");
            }
        }
        return pass();
    }

    /**
     * What a verdict on a child's limit adds when the parent has one: it is shared by both children, and where the
     * child's own belongs. Empty when the parent has none (or no such files).
     */
    static String sharedByBoth(Tree t, Group k, String controller, java.util.Optional<String> parentLimit, String file, String value, String property) {
        if (without(t, t.top(), controller) != null || parentLimit.isEmpty()) return "";
        return "; " + t.name(t.top()) + ", its parent, has " + parentLimit.get() + ", which " + t.name(t.web()) + " and " + t.name(t.batch())
            + " share: " + (t.systemd() ? t.howTo(k, file, value, property) : "write it in " + t.name(k) + "'s " + file);
    }

    static Verdict checkQuota() {
        Tree t = tree();
        Group batch = t.batch();
        if (without(t, batch, "cpu") != null) return without(t, batch, "cpu");
        String parent = sharedByBoth(t, batch, "cpu", without(t, t.top(), "cpu") == null
            ? t.top().cpuMax().map(q -> q.quotaUs() + "/" + q.periodUs()) : java.util.Optional.empty(), batch.file("quota"), "", "CPUQuota=20%");
        var felt = felt(batch, "cpu", Group::cpuMax, java.util.Comparator.comparingDouble(Group.Quota::cpus));
        if (felt.isEmpty()) {
            return fail(t.name(batch) + " has no CPU limit" + (parent.isEmpty() ? " (" + (t.systemd() ? "cpu.max max, nor have all the units "
                + "below it that hold its processes: " + t.howTo(batch, "cpu.max", "", "CPUQuota=20%") : batch.file("quota")) + ")" : parent));
        }
        for (var e : felt.entrySet()) {
            double cpus = e.getValue().cpus();
            if (Math.abs(cpus - 0.2) < 1e-9) continue;
            String why = t.name(e.getKey()) + "'s quota/period is " + e.getValue().quotaUs() + "/" + e.getValue().periodUs() + " = "
                + String.format("%.2f", cpus) + " CPUs";
            if (Math.abs(cpus - 0.4) < 1e-9) why += ": that is 20% of two CPUs; the limit is per period over all CPUs, and 20% of one is 0.2";
            else why += ", not 0.2 (20% of one CPU, e.g. " + (t.systemd() ? "CPUQuota=20%" : "20000 100000") + ")";
            return fail(why + parent);
        }
        return pass();
    }

    static Verdict checkThrottled() {
        return happened(tree().batch(), "cpu", Group::throttled, "was never throttled (cpu.stat nr_throttled 0", "run a spinner in it, after the limit",
            "-p CPUQuota=20% sh -c '" + BATCH_LOAD + "'", "exec timeout 1 sh -c \"" + SPIN + "\"");
    }

    static Verdict checkTasks() {
        Tree t = tree();
        Group web = t.web();
        if (without(t, web, "pids") != null) return without(t, web, "pids");
        java.util.function.Function<Group, java.util.Optional<Long>> max = g -> java.util.Optional.of(g.pidsMax()).filter(m -> m != Long.MAX_VALUE);
        String parent = sharedByBoth(t, web, "pids", without(t, t.top(), "pids") == null
            ? max.apply(t.top()).map(m -> "pids.max " + m) : java.util.Optional.empty(), "pids.max", "16", "TasksMax=16");
        var felt = felt(web, "pids", max, java.util.Comparator.naturalOrder());
        if (felt.isEmpty()) {
            return fail(t.name(web) + " has no task limit (pids.max max" + (t.systemd() ? ", nor have all the units below it that hold its processes" : "")
                + ")" + parent);
        }
        for (var e : felt.entrySet()) {
            long m = e.getValue();
            if (m == 16) continue;
            return fail(t.name(e.getKey()) + "'s pids.max is " + m + ", not 16" + (Math.abs(m - 16) == 1 ? " (TasksMax=16 is pids.max 16: sh counts as one of them)"
                : t.systemd() && !e.getKey().equals(web) ? " (systemd gives every service and scope DefaultTasksMax, systemd-system.conf(5): "
                    + t.howTo(web, "pids.max", "16", "TasksMax=16") + ")" : "") + parent);
        }
        return pass();
    }

    static Verdict checkHit() {
        // v1 and older kernels' v2 (Debian 12's 6.1) count a refused fork in the forking task's own group, later v2 in
        // the group whose limit was hit (cgroup-v1/pids.rst, cgroup-v2.rst): web or a unit below it either way
        return happened(tree().web(), "pids", Group::pidsMaxHits, "'s limit was never hit (pids.events max 0",
            "after setting the limit, run a bounded fork loop in it", "sh -c '" + WEB_LOAD + "'", FORKS);
    }

    /**
     * A counter of K's that must have moved (throttled periods, refused forks), read in K and in every group below it
     * (systemd's units); the verdict says how to make it move: a systemd-run into K's slice, or a shell moved into K.
     */
    static Verdict happened(Group k, String controller, java.util.function.ToLongFunction<Group> counter, String never, String how,
            String systemdRun, String byHand) {
        Tree t = tree();
        if (without(t, k, controller) != null) return without(t, k, controller);
        boolean moved = counter.applyAsLong(k) > 0 || k.below(controller).stream().anyMatch(g -> counter.applyAsLong(g) > 0);
        return Verdict.when(moved, t.name(k) + (never.startsWith("'") ? "" : " ") + never + (t.systemd() ? " in it and in the units below it" : "")
            + "): " + how + ", such as " + (t.systemd() ? "systemd-run --slice=" + t.name(k) + " " + systemdRun
                : "sh -c 'echo $$ > " + k.dir(controller).resolve("cgroup.procs") + "; " + byHand + "'"));
    }

    static Verdict checkMembers() {
        Tree t = tree();
        Group g = t.top();
        List<String> why = new ArrayList<>();
        for (String c : EXERCISE) {
            if (!g.exists(c)) return fail(g.dir(c) + " does not exist");
            for (Group h : holders(g, c)) {
                if (h.within(t.web()) || h.within(t.batch())) continue;
                why.add((h.equals(g) ? t.name(g) + " itself holds " : t.name(h) + ", in " + t.name(g) + " but in neither " + t.name(t.web())
                    + " nor " + t.name(t.batch()) + ", holds ") + h.procs(c).stream().map(String::valueOf).collect(Collectors.joining(" ")) + " ("
                    + h.dir(c).resolve("cgroup.procs") + "): processes belong in the leaves, " + t.name(t.web()) + " and " + t.name(t.batch()));
            }
        }
        for (Group k : List.of(t.web(), t.batch())) {
            for (String c : EXERCISE) {
                if (!k.exists(c)) return fail(k.dir(c) + " does not exist");
                if (holders(k, c).isEmpty()) why.add("no process in " + k.dir(c) + (t.systemd() ? " nor in a unit below it (leave one: systemd-run --slice="
                    + t.name(k) + " sleep infinity)" : " (leave one: sh -c 'echo $$ > " + k.dir(c).resolve("cgroup.procs") + "; exec sleep infinity' &)"));
            }
        }
        return why.isEmpty() ? pass() : fail(String.join("; ", why.stream().distinct().toList()));
    }

    static Verdict checkOutside() {
        List<String> why = new ArrayList<>();
        Group g = Group.named(GROUP, EXERCISE), slices = Group.named(Systemd.slicePath(GROUP), EXERCISE);
        for (String c : EXERCISE) {
            for (String stray : List.of("web", "batch")) {
                Path p = g.dir(c).resolveSibling(stray);
                if (Files.isDirectory(p)) why.add(p + " was made beside lab12, not in it (rmdir it)");
                Path s = g.dir(c).resolveSibling(Systemd.slice(stray));
                if (Files.isDirectory(s)) why.add(s + " was made beside lab12.slice, not in it: name it " + Systemd.slice(GROUP + "-" + stray)
                    + " (a dash makes a slice a child, systemd.slice(5)); systemctl stop " + Systemd.slice(stray));
            }
        }
        if (made(g) && made(slices)) {
            why.add("both lab12 and lab12.slice are there: the checks grade lab12 (systemctl stop lab12.slice removes the other)");
        }
        for (Path p : g.misplaced()) why.add(p + " is where the other cgroup version keeps groups (this machine's: " + g.dirs() + ")");
        return why.isEmpty() ? pass() : fail(String.join("; ", why.stream().distinct().toList()));
    }

    // ---- solve ---------------------------------------------------------------------------------------------------

    /**
     * mkdir, echo into the files, a bounded spinner and a bounded fork loop, and a sleeper left in each child; in the
     * hierarchies this machine has.
     */
    static Solution.Builder solution(Solution.Builder s) {
        Group g = Group.named(GROUP, EXERCISE);
        if (!g.missing().isEmpty()) return s; // no cpu or pids controller here: no lines (doctor names the fix)
        Group web = g.child("web"), batch = g.child("batch");
        s.refuseWhileOwnedPresent();
        List<Path> roots = g.dirs();
        if (g.v2()) {
            Path root = Cgroups.rootOf("cpu").dir();
            s.line("echo '+cpu +pids' > " + root.resolve("cgroup.subtree_control") + "   # the root hands them down, as runc does",
                b -> b.enableAtCgroupRoot(EXERCISE));
        }
        s.line("mkdir " + String.join(" ", roots.stream().map(Path::toString).toList()), b -> b.cgroup(GROUP, EXERCISE)).answers("tree");
        if (g.v2()) {
            s.line("echo '+cpu +pids' > " + g.dir("cpu").resolve("cgroup.subtree_control"), b -> g.enableForChildren(EXERCISE));
        }
        List<String> kids = new ArrayList<>();
        for (Path d : roots) for (String k : List.of("web", "batch")) kids.add(d.resolve(k).toString());
        s.line("mkdir " + String.join(" ", kids), b -> { web.create(); batch.create(); });
        if (g.v2()) s.line("echo '20000 100000' > " + batch.dir("cpu").resolve("cpu.max"), b -> batch.setCpuMax(20_000, 100_000));
        else s.line("echo 20000 > " + batch.dir("cpu").resolve("cpu.cfs_quota_us"), b -> batch.setCpuMax(20_000, 100_000));
        s.answers("quota");
        s.line("echo 16 > " + web.dir("pids").resolve("pids.max"), b -> web.setPidsMax(16)).answers("tasks");
        String spin = batch.joinLine("cpu") + " exec timeout 1 sh -c \"" + SPIN + "\"";
        s.line("sh -c '" + spin + "'", b -> b.console().output("exit " + b.spawn(new ProcessBuilder("sh", "-c", spin)).waitFor()))
            .exits(124).answers("throttled");
        String forks = web.joinLine("pids") + " " + FORKS;
        s.line("sh -c '" + forks + "'", b -> {
            Process p = b.spawn(new ProcessBuilder("sh", "-c", forks).redirectErrorStream(true));
            b.console().output(new String(p.getInputStream().readAllBytes()).strip() + "\nexit " + p.waitFor());
        }).exits(2).answers("hit");
        for (Group k : List.of(web, batch)) {
            String sleeper = k.joinLine(EXERCISE) + " exec sleep infinity";
            s.line("sh -c '" + sleeper + "' >/dev/null 2>&1 &", b -> {
                long pid = b.spawn(new ProcessBuilder("sh", "-c", sleeper)).pid();
                // the shell moves itself in: done once every hierarchy lists it
                unboxed.sys.Wait.until(java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(20),
                    () -> java.util.Arrays.stream(EXERCISE).allMatch(c -> k.procs(c).contains(pid)));
            }).answers("members");
        }
        return s;
    }
}
