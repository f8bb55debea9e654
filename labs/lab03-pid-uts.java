///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab03PidUts

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.time.Duration;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.ns.Mounts;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Processes;
import unboxed.ns.Reapers;
import unboxed.ns.Uts;
import unboxed.sys.Cmd;
import unboxed.sys.Sys;
import unboxed.sys.Wait;

/**
 * Lab 03: pid and UTS namespaces. A hostname of its own is one syscall; a process tree of its own has rules: the
 * first child is PID 1, /proc must be mounted again, and PID 1 must reap. Story, steps, exercise and checks, top to
 * bottom; the mechanics are in lib (unboxed.ns).
 */
class Lab03PidUts {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    /** The exercise's hostname; the demo's namespaces are named lab03-demo, so the checks never mistake one for the other. */
    static final String BOX = "lab03-box", DEMO = "lab03-demo", PROMPT = "lab03-prompt";

    /** Steps 2-3: a thread in a UTS namespace of its own. */
    static NsThread uts;
    /** Steps 6-8: a thread in new pid, mount and UTS namespaces, and the namespace's PID 1 it started. */
    static NsThread box;
    static Process boxInit;

    static Lab lab() {
        return Lab.define("lab03", "PID and UTS namespaces")
            .summary("Give a process tree its own hostname and its own PID 1: see why `unshare -p` needs `--fork`, why "
                + "`ps` lies until /proc is mounted again, how one process has two pids, and why PID 1 must reap.")
            .minutes(35)
            .objectives(
                "Give processes a hostname of their own with a UTS namespace, without renaming the host",
                "Explain why `unshare -p` without `--fork` ends in \"Cannot allocate memory\", from the shell and from Java",
                "Mount a /proc that shows only the processes of a pid namespace",
                "Read the pids one process has in nested pid namespaces (NSpid)",
                "Explain why a container's PID 1 must reap orphaned children, and what happens when it does not",
                "Read which signals a process catches (SigCgt), and explain why a PID 1 without a handler ignores "
                    + "SIGTERM and `docker stop` has to wait for its SIGKILL")
            .prerequisites("A Linux machine or VM where you are root (sudo)", "util-linux (unshare, nsenter), procps (ps)")
            .needs("unshare", "nsenter", "mount", "ps", "hostname", "bash")
            .story("""
                Inside a container, `hostname` prints the container's name and `ps` shows a handful of processes, the
                first of them PID 1. Neither is an illusion drawn by the runtime: they are two more namespaces.

                A **UTS namespace** holds a copy of the whole structure uname(2) returns: the system name, the kernel's
                release and version, the machine, the hostname and the NIS domain name. Only the last two can be
                changed in it, with sethostname(2) and setdomainname(2) (uts_namespaces(7)): `uname -r` in a container
                still prints the host's kernel. `unshare -u` makes a new one, a copy of its caller's, and `hostname
                NAME` inside changes only that copy.

                A **pid namespace** gives processes numbers of their own, starting again at 1. Its rules are stricter
                than the others': a process never changes its own pid namespace, so `unshare(CLONE_NEWPID)` affects
                only the *children* born afterwards, and the first of them becomes the namespace's **PID 1**, its init.
                When PID 1 exits, the kernel SIGKILLs every other process in the namespace, and no process can be
                created in it any more: fork(2) fails with ENOMEM. PID 1 inherits the namespace's orphans (unless a
                nearer ancestor made itself a subreaper with prctl(2) PR_SET_CHILD_SUBREAPER): if it never calls
                wait(2), their corpses, the zombies, pile up. And the kernel shields it from signals: a signal reaches
                a namespace's PID 1 only if PID 1 has a handler for it, SIGKILL and SIGSTOP from an ancestor namespace
                excepted (pid_namespaces(7)).

                The tools you know read the system through /proc, so a new pid namespace needs a /proc of its own,
                mounted in a mount namespace of its own (or the host's /proc would be covered).
                """)

            // the exercise's trees, found by their hostname; the host's own name is a note (hostBefore) in the journal
            .owns(new KernelObject.UtsTrees("lab03"))
            .preflight(b -> hostBefore())

            .step("Two more namespaces: uts and pid", s -> s
                .explain("""
                    Every process has a UTS namespace (its hostname) and a pid namespace (the numbering its pid comes
                    from), named by inode numbers in /proc/PID/ns/. The NSpid line of /proc/PID/status lists a
                    process's pid in every pid namespace it is in, from the one of whoever mounted that /proc inwards
                    (proc(5)): on the host, just one.
                    """)
                .shell("hostname\nreadlink /proc/$$/ns/uts /proc/$$/ns/pid\ngrep NSpid /proc/$$/status")
                .does(Lab03PidUts::hostNamespaces)
                .observe("This JVM and its parent share both namespaces; NSpid has a single number, the pid you know."))

            .step("A hostname of its own: unshare -u", s -> s
                .explain("""
                    `unshare(CLONE_NEWUTS)` gives the calling thread a new UTS namespace, a copy of the host's. The lab
                    does it on a thread of its own and calls sethostname(2) there: the name changes for that thread
                    and every program it starts, and nowhere else.
                    """)
                .shell("unshare --uts sh -c 'hostname lab03-demo; hostname'\nhostname")
                .does(Lab03PidUts::hostnameOfItsOwn)
                .observe("Two uts ids in one JVM: the thread answers lab03-demo, the host keeps its name."))

            .step("The prompt that does not update", s -> s
                .explain("""
                    By hand, in an interactive `unshare -u bash`, `hostname lab03-prompt` works and `hostname` prints
                    the new name, yet the prompt still shows the old one. Nothing failed: bash looks the hostname up
                    once, when it starts, and `\\h` in PS1 prints that copy; a new shell (`exec bash`) reads the new
                    name. The line below shows the same without a terminal: `${PS1@P}` expands PS1 as bash draws
                    its prompt (bash(1), Parameter transformation), before and after the rename, then in a new bash.
                    """)
                .shell("""
                    unshare --uts bash -c '
                      export P="[\\u@\\h]"; PS1=$P
                      echo "prompt:    ${PS1@P}"
                      hostname lab03-prompt; echo "hostname:  $(hostname)"
                      echo "prompt:    ${PS1@P}"
                      exec bash -c "PS1=\\$P; echo \\"new bash:  \\${PS1@P}\\""'   # prints: new bash:  [root@lab03-prompt]
                    hostname                  # the host kept its name
                    """)
                .does(Lab03PidUts::promptThatDoesNotUpdate)
                .observe("The same bash prints its prompt twice with the old name; the new bash shows lab03-prompt."))

            .step("unshare -p without --fork: Cannot allocate memory", s -> s
                .explain("""
                    `unshare -p` calls unshare(CLONE_NEWPID) and then runs its program: that program is *not* in the
                    new namespace, only its children will be. Its first child becomes PID 1; when that child exits, the
                    namespace's init is gone, and every later fork() fails with ENOMEM (pid_namespaces(7)). `--fork`
                    makes unshare fork first, so the program itself is the long-lived PID 1 (unshare(1)). The last
                    `echo` keeps bash from running its last command in place of itself, without a fork.
                    """)
                .shell("""
                    unshare --pid bash -c 'echo "bash: $$"; sh -c "echo first child: \\$\\$"; sh -c "echo second child: \\$\\$"; echo "bash: done"'   # fails: Cannot allocate memory
                    unshare --pid --fork bash -c 'echo "bash: $$"; sh -c "echo first child: \\$\\$"; sh -c "echo second child: \\$\\$"; echo "bash: done"'
                    """)
                .does(Lab03PidUts::unshareWithoutFork)
                .observe("""
                    Without --fork: bash keeps its host pid, its first child is 1, the second fork fails with
                    "Cannot allocate memory" and bash gives up (a non-zero exit status, no "bash: done"). With --fork: bash
                    is 1, its children 2 and 3."""))

            .step("The same rule, seen from Java", s -> s
                .explain("""
                    A JVM thread that calls unshare(CLONE_NEWPID) is in the `unshare -p` position: it stays in the
                    host's pid namespace (its pid_for_children link shows the new one only once a first child exists),
                    it may no longer create threads (the kernel refuses CLONE_THREAD while a task's children would be
                    born in another pid namespace: EINVAL, which Java reports as OutOfMemoryError), its first
                    ProcessBuilder child is PID 1, and once that child has exited the next start fails with ENOMEM.
                    Even starting a process needs a thread in Java (a "process reaper" waits for each child), so the
                    lab makes those from the main thread first. The shell line goes through what the thread does: dash
                    (sh on Debian and Ubuntu) says "Cannot fork" where bash says "Cannot allocate memory".
                    """)
                .shell("unshare --pid sh -c 'sh -c \"echo \\$\\$\"; sh -c \"echo \\$\\$\"; echo \"sh: done\"'   # fails: Cannot fork")
                .does(Lab03PidUts::sameRuleFromJava)
                .observe("""
                    new Thread().start() fails (the JVM also logs "pthread_create failed (EINVAL)"), the first child
                    prints 1, the second start fails with error=12, Cannot allocate memory."""))

            .step("ps shows the host until /proc is mounted again", s -> s
                .explain("""
                    ps reads /proc, and /proc shows the pid namespace of whoever mounted it: the host's. So in a new pid
                    namespace `ps` still lists the host's processes with the host's pids. A proc mounted from *inside*
                    the namespace shows only its processes. Mount it in a new mount namespace (made private first), or
                    you would cover the host's own /proc (should that happen, `umount -l /proc` on the host uncovers
                    it). `--mount-proc` does both.
                    """)
                .shell("""
                    unshare --pid --fork --mount --uts sh -c 'hostname lab03-demo; ps -e | wc -l; mount -t proc proc /proc; ps -e'
                    unshare --pid --fork --mount-proc ps -e      # the same, in one option
                    """)
                .does(Lab03PidUts::procShowsTheHostUntilMounted)
                .observe("""
                    Before the mount ps lists every process of the host; after it, only PID 1 (sleep) and ps itself.
                    The host's /proc did not change: the mount lives in the demo's mount namespace. Inside a container
                    the first ps may instead stop with "fatal library error, lookup self": ps (procps 4) looks itself
                    up as /proc/<its own pid>, here 2, and the container's /proc has no process 2 (on a machine that is
                    kthreadd). Either way the outer /proc cannot describe the new namespace."""))

            .step("One process, two pids: nested pid namespaces", s -> s
                .explain("""
                    Pid namespaces nest: a process is numbered in its own namespace and in every one above it. The
                    host sees the demo's PID 1 under a host pid; NSpid lists both. A namespace made inside the demo
                    gives its first process three numbers: the host's, the demo's, and 1. A tree left running in the
                    background is ended by killing its outer `unshare`: `--kill-child` makes the kernel send its PID 1
                    a SIGKILL when unshare dies (unshare(1)), and the namespace goes with it.
                    """)
                .shell("""
                    unshare --pid --fork --kill-child --mount-proc unshare --pid --fork --mount-proc sleep infinity &
                    sleep 0.5; grep NSpid /proc/$(pgrep -n -x sleep)/status     # host pid, middle pid, 1
                    kill -KILL $!
                    """)
                .does(Lab03PidUts::nestedPidNamespaces)
                .observe("The nested sleep has three pids, ps inside the demo shows it under the middle one."))

            .step("PID 1 must reap: orphans and zombies", s -> s
                .explain("""
                    When a process's parent exits, the orphan is handed to PID 1 of its pid namespace. When it exits in
                    turn, it stays a zombie (state Z, `<defunct>`) until its parent calls wait(2). The demo's PID 1 is
                    `sleep infinity`, which never waits for anything: zombies pile up under it, each holding a pid.
                    """)
                .shell("""
                    unshare --pid --fork --kill-child --mount-proc sh -c '(sleep 1 &); (sleep 1 &); exec sleep infinity' &
                    sleep 2; ps -o pid,ppid,stat,args --ppid "$(pgrep -P $! -x sleep)"   # prints: <defunct>
                    kill -KILL $!
                    """)
                .does(Lab03PidUts::zombiesPileUp)
                .observe("The orphans' PPID is 1 while they run; once they exit they stay, as Z <defunct>, under PID 1."))

            .step("A PID 1 that reaps", s -> s
                .explain("""
                    An init that waits for any child, as every shell does while it waits for its foreground command,
                    reaps the orphans it inherits. That is half the job of the tiny inits containers use (`tini`, which
                    `docker run --init` runs as PID 1); the other half, forwarding signals, is the next step. The same
                    orphans under a shell loop as PID 1 leave no zombie.
                    """)
                .shell("""
                    unshare --pid --fork --kill-child --mount-proc sh -c '(sleep 1 &); (sleep 1 &); while :; do sleep 1; done' &
                    sleep 2; ps -o pid,ppid,stat,args --ppid "$(pgrep -P $! -x sh)"   # only its own sleep 1
                    kill -KILL $!
                    """)
                .does(Lab03PidUts::aReapingInit)
                .observe("No zombie: the shell's wait(2) took each orphan's exit status as soon as it died."))

            .step("PID 1 gets only the signals it asked for", s -> s
                .explain("""
                    The kernel shields a namespace's init: a signal sent to PID 1 from inside its namespace, or from an
                    ancestor one, is delivered only if PID 1 has a handler for it; otherwise it is discarded, even when
                    root sends it. Only SIGKILL and SIGSTOP sent from an ancestor namespace are always delivered
                    (pid_namespaces(7)). SigCgt in /proc/PID/status is the mask of the signals a process catches
                    (proc(5)): bit N-1 stands for signal N, so SIGTERM (15) is 0x4000 (signal(7) numbers them).

                    `docker stop` sends the container's PID 1 a SIGTERM (unless the image's STOPSIGNAL names another)
                    and, if it is still there after 10 seconds (`-t` changes that), a SIGKILL, both from the host's pid
                    namespace (Docker's `docker container stop` reference). A `sleep` as PID 1 catches nothing, so the
                    TERM is dropped and the stop takes the full 10 s. A shell that traps TERM obeys it at once. So does
                    `tini`, the init `docker run --init` adds: it reaps orphans *and* forwards signals to its child.
                    It uses no handler: it blocks the signals and takes them with sigtimedwait(2), and a blocked signal
                    stays pending instead of being discarded.
                    """)
                .shell("""
                    unshare --pid --fork --kill-child sleep infinity &
                    sleep 0.5; m=$(awk '/SigCgt/ {print $2}' /proc/$(pgrep -P $! -x sleep)/status); echo "SigCgt $m, TERM caught: $(( 0x$m >> 14 & 1 ))"   # prints: TERM caught: 0
                    kill -TERM $(pgrep -P $! -x sleep); sleep 1; ps -o pid,stat,args --ppid $!    # prints: sleep infinity
                    kill -KILL $!
                    unshare --pid --fork sh -c 'trap "echo PID 1 got TERM; exit 0" TERM; while :; do sleep 1 & wait $!; done' &
                    sleep 0.5; m=$(awk '/SigCgt/ {print $2}' /proc/$(pgrep -P $! -x sh)/status); echo "SigCgt $m, TERM caught: $(( 0x$m >> 14 & 1 ))"   # prints: TERM caught: 1
                    kill -TERM $(pgrep -P $! -x sh); wait $!     # prints: PID 1 got TERM
                    """)
                .does(Lab03PidUts::signalsToPid1)
                .observe("""
                    sleep's SigCgt is all zeros: the TERM sent from the host is dropped, and sleep sleeps on until the
                    SIGKILL. The shell's SigCgt has bit 14 (TERM) set, beside CHLD (and INT, unless the shell was
                    started in the background of a script, which ignores INT for it): the TERM runs its trap and it
                    exits, status 0."""))

            .exercise("""
                Build this by hand with `unshare` (and `hostname`, `mount`, `nsenter` as you like), and leave it
                running in the background:

                - a process tree in new pid, uts and mount namespaces, whose hostname is `lab03-box`;
                - its first process is PID 1 inside (its NSpid ends in 1);
                - at least one other process lives in that pid namespace;
                - /proc inside shows only that namespace's processes (`nsenter -t PID -p -m ps -e`);
                - the host's hostname is unchanged.
                """)
            .check("hostname", "A uts namespace of its own has the hostname lab03-box", 2,
                "unshare -u ... sh -c 'hostname lab03-box; ...': hostname inside the new uts namespace", Lab03PidUts::checkHostname)
            .check("pid-ns", "The lab03-box processes are in a pid namespace of their own", 2,
                "add -p and -f: unshare -p -f -u ...", Lab03PidUts::checkPidNamespace)
            .check("pid1", "The tree's first process is PID 1 inside (NSpid ends in 1) and is named lab03-box", 2,
                "set the hostname in the namespace's first process: unshare -p -f -u sh -c 'hostname lab03-box; ...'",
                Lab03PidUts::checkPid1)
            .check("others", "At least one other process lives in that pid namespace", 1,
                "start one more beside PID 1: sh -c '...; sleep infinity & exec sleep infinity'", Lab03PidUts::checkOthers)
            .check("proc", "/proc inside shows only that namespace's processes", 2,
                "unshare -m --mount-proc (or mount -t proc proc /proc from inside a new mount namespace)",
                Lab03PidUts::checkProc)
            .check("host-hostname", "The host's hostname is unchanged", 1,
                "run hostname only inside unshare -u; `sudo ./jbang lab03 reset` puts the host's name back",
                Lab03PidUts::checkHostUnchanged)
            .solution(s -> s
                .refuseWhile("processes named lab03-box already run", () -> !boxProcesses().isEmpty())
                .line("unshare --pid --uts --mount --fork --mount-proc sh -c 'hostname lab03-box; sleep infinity & "
                    + "exec sleep infinity' &", Lab03PidUts::boxTree))

            .reading(
                "pid_namespaces(7): PID 1, orphans, the signals it receives, fork failing with ENOMEM",
                "uts_namespaces(7): the hostname and NIS domain name; uname(2) and sethostname(2)",
                "namespaces(7): the /proc/PID/ns links",
                "unshare(1): --fork, --mount-proc, --kill-child",
                "nsenter(1): joining a running tree's namespaces",
                "unshare(2): why CLONE_NEWPID moves only the children",
                "proc(5): /proc/PID/status (NSpid, SigCgt) and what a procfs shows",
                "signal(7): signal numbers and dispositions",
                "prctl(2): PR_SET_CHILD_SUBREAPER",
                "tini, the init of docker run --init <https://github.com/krallin/tini>",
                "docker container stop: SIGTERM, then SIGKILL after the timeout <https://docs.docker.com/reference/cli/docker/container/stop/>")

            .question("You run `unshare --pid --fork --mount-proc bash`, then `echo $$`. What does it print?", 1,
                "With --fork, bash is unshare's child, the first process born in the new namespace: its PID 1.",
                "The same pid as outside", "1", "2: unshare itself is 1")
            .question("In `unshare --pid bash --norc` (no --fork) you run `ls`, then `ls` again. What happens?", 1,
                "bash stays outside; the first ls becomes PID 1 and exits, and a namespace whose PID 1 is gone takes no "
                    + "new process: fork fails with ENOMEM (pid_namespaces(7)). Without --norc, a start-up file that runs "
                    + "a command (Debian's /etc/skel/.bashrc runs dircolors) uses up PID 1 before the first ls.",
                "Both run normally, as bash's children in the new namespace", "The first runs, the second fails: Cannot allocate memory",
                "The first fails at once: bash itself is not in the namespace")
            .question("In `unshare --pid --fork sh`, without mounting /proc, what does `ps -e` list?", 1,
                "ps reads /proc, and the /proc there is still the host's: it shows the host's processes with host pids.",
                "Only sh and ps, numbered 1 and 2 in the new namespace", "The host's processes, with host pids",
                "Nothing: /proc stays empty until proc is mounted")
            .question("`docker stop` takes 10 seconds on a container whose PID 1 is `sleep infinity`. Why?", 1,
                "sleep has no handler for SIGTERM, and the kernel discards a signal sent to a namespace's PID 1 unless it "
                    + "has one (pid_namespaces(7)); only the SIGKILL docker sends after its 10 s timeout is always delivered.",
                "docker stop always waits for its full timeout, whatever PID 1 does",
                "The kernel drops SIGTERM: sleep, as PID 1, has no handler for it",
                "sleep blocks SIGTERM, and only SIGKILL gets through a blocked mask")
            .question("A container's PID 1 is `sleep infinity`. Its worker starts helpers in the background and exits. "
                    + "What becomes of the helpers when they finish?", 1,
                "Orphans are reparented to PID 1; once they exit only their parent's wait(2) removes them, and sleep never calls it.",
                "They disappear", "They stay as zombies under PID 1", "The kernel restarts the container")
            .build();
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    static void hostNamespaces(Bench b) {
        long self = ProcessHandle.current().pid();
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(self);
        b.show("hostname", Processes.hostname());
        b.show("uts namespace of this JVM", Ns.UTS.label(Ns.UTS.idOf(self)));
        b.show("uts namespace of its parent (pid " + parent + ")", Ns.UTS.label(Ns.UTS.idOf(parent)));
        b.show("pid namespace of this JVM", Ns.PID.label(Ns.PID.idOf(self)));
        b.show("pid namespace of its parent", Ns.PID.label(Ns.PID.idOf(parent)));
        b.show("NSpid of this JVM", nspid(self));
    }

    static void hostnameOfItsOwn(Bench b) {
        uts = NsThread.unshare(EnumSet.of(Ns.UTS));
        b.java("unshare(CLONE_NEWUTS) on thread " + uts.tid());
        uts.run(() -> Uts.sethostnameInside(DEMO));
        b.java("sethostname(\"" + DEMO + "\") on that thread");
        b.show("uts namespace of the main thread", Ns.UTS.label(Ns.UTS.ofThisThread()));
        b.show("uts namespace of thread " + uts.tid(), Ns.UTS.label(uts.id(Ns.UTS)));
        b.show("hostname, read on that thread", uts.call(Processes::hostname));
        b.java("new ProcessBuilder(\"hostname\").start() on that thread");
        b.show("hostname, as its child prints it", uts.call(() -> Cmd.run("hostname").orThrow().out().strip()));
        b.show("hostname of the host (main thread)", Processes.hostname());
    }

    static void promptThatDoesNotUpdate(Bench b) {
        // ${PS1@P} expands the prompt as bash would draw it; the bash is started on the uts thread, so `hostname`
        // renames only that namespace
        String script = """
            export P="[\\u@\\h]"; PS1=$P
            echo "prompt:    ${PS1@P}"
            hostname %s; echo "hostname:  $(hostname)"
            echo "prompt:    ${PS1@P}"
            exec bash -c "PS1=\\$P; echo \\"new bash:  \\${PS1@P}\\""
            """.formatted(PROMPT);
        b.java("bash started on thread " + uts.tid() + " (uts namespace " + Ns.UTS.label(uts.id(Ns.UTS)) + ")");
        b.console().output(uts.call(() -> Cmd.run(List.of("bash", "-c", script), 10).orThrow().out()));
        b.show("hostname of the host (main thread)", Processes.hostname());
        uts.close(); // no process is in that namespace: it ends with the thread
        uts = null;
    }

    static void unshareWithoutFork(Bench b) {
        String children = "echo \"bash: $$\"; sh -c \"echo first child: \\$\\$\"; sh -c \"echo second child: \\$\\$\"; "
            + "echo \"bash: done\"";
        b.sh("unshare --pid bash -c '" + children + "'");
        b.sh("unshare --pid --fork bash -c '" + children + "'");
    }

    static void sameRuleFromJava(Bench b) {
        try (NsThread t = NsThread.unshare(EnumSet.of(Ns.PID))) {
            b.java("unshare(CLONE_NEWPID) on thread " + t.tid());
            b.show("pid namespace of thread " + t.tid(), Ns.PID.label(t.id(Ns.PID)) + " (the host's: it did not move)");
            b.show("its pid_for_children", pidForChildren(t.tid()));
            b.java("new Thread(...).start() on that thread");
            b.show("result", t.call(Lab03PidUts::tryToStartAThread));
            Reapers.ready(2);
            b.java("new ProcessBuilder(\"sh\", \"-c\", \"echo $$\").start() on that thread");
            b.show("the first child says its pid is", t.call(() -> Cmd.run("sh", "-c", "echo $$").orThrow().out().strip()));
            b.show("pid_for_children now", pidForChildren(t.tid()));
            b.java("the same again, now that PID 1 has exited");
            b.show("the second start", t.call(() -> {
                try {
                    return "started, pid " + Cmd.run("sh", "-c", "echo $$").out().strip();
                } catch (UncheckedIOException e) {
                    String m = String.valueOf(e.getMessage());
                    return "IOException: " + (m.contains("error=") ? m.substring(m.indexOf("error=")) : m);
                }
            }));
        }
    }

    static String tryToStartAThread() {
        try {
            Thread x = new Thread(() -> {});
            x.start();
            x.join();
            return "started (this kernel allows it?)";
        } catch (OutOfMemoryError e) {
            return "OutOfMemoryError: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    static void procShowsTheHostUntilMounted(Bench b) throws Exception {
        box = NsThread.unshare(EnumSet.of(Ns.PID, Ns.MNT, Ns.UTS));
        box.run(() -> {
            Uts.sethostnameInside(DEMO);
            Mounts.makePrivate("/");
        });
        b.java("unshare(CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWUTS) on thread " + box.tid() + ", then sethostname(\"" + DEMO
            + "\") and mount(\"none\", \"/\", NULL, MS_REC|MS_PRIVATE) there");
        b.java("new ProcessBuilder(\"sleep\", \"infinity\").start() on that thread: the namespace's PID 1");
        boxInit = inBox(() -> b.spawn(quiet("sleep", "infinity")));
        b.show("PID 1's host pid, NSpid", boxInit.pid() + ", " + nspid(boxInit.pid()));
        Cmd.Result before = inBox(() -> Cmd.run("ps", "-e", "-o", "pid,comm"));
        b.java("ps -e started on that thread, before any mount");
        if (before.ok()) {
            b.console().output(head(before.out(), 4));
            b.show("processes ps listed", before.out().strip().lines().count() - 1 + " (the host's)");
        } else if (before.err().contains("lookup self")) {
            // procps 4 finds itself as /proc/<getpid()>: its pid in the new namespace, looked up in the outer /proc.
            // A machine always has a process 2 (kthreadd), so there ps goes on and lists the host; a container's
            // /proc usually has none, and ps gives up. The same lesson, told by a failure instead of a lie.
            b.console().output(before.err());
            b.show("ps's pid in the new namespace", "2 (sleep is 1), looked up as /proc/2 in the outer /proc");
            b.show("/proc/2 there", Files.exists(Path.of("/proc/2")) ? "exists" : "absent: ps cannot find itself");
            b.show("processes the outer /proc lists", countPids(Path.of("/proc")) + " (the outer pid namespace's)");
        } else {
            before.orThrow();
        }

        if (box.id(Ns.MNT) == Ns.MNT.idOf(ProcessHandle.current().pid())) {
            throw new IllegalStateException("the thread is still in the host's mount namespace: not mounting /proc");
        }
        b.java("mount -t proc proc /proc, started on that thread: a process inside the new pid namespace mounts it");
        inBox(() -> Cmd.run("mount", "-t", "proc", "proc", "/proc").orThrow());
        b.java("ps -e again");
        b.console().output(inBox(() -> Cmd.run("ps", "-e", "-o", "pid,ppid,comm").orThrow().out()));
        b.show("/proc mounts in the host's table", countProcMounts(Mounts.ofHost()));
        b.show("/proc mounts in PID 1's table", countProcMounts(Mounts.of(boxInit.pid())));
    }

    static void nestedPidNamespaces(Bench b) throws Exception {
        b.java("new ProcessBuilder(\"unshare\", \"--pid\", \"--fork\", \"--mount-proc\", \"sleep\", \"infinity\")"
            + ".start() on thread " + box.tid());
        Process nested = inBox(() -> b.spawn(quiet("unshare", "--pid", "--fork", "--mount-proc", "sleep", "infinity")));
        long sleeper = waitForChild(nested.pid());
        b.show("the demo's PID 1 (host pid " + boxInit.pid() + "), NSpid", nspid(boxInit.pid()));
        b.show("unshare (host pid " + nested.pid() + "), NSpid", nspid(nested.pid()));
        b.show("its sleep (host pid " + sleeper + "), NSpid", nspid(sleeper));
        b.java("ps -e started on thread " + box.tid() + " (the demo's /proc)");
        b.console().output(inBox(() -> Cmd.run("ps", "-e", "-o", "pid,ppid,args").orThrow().out()));
        // the next step wants a quiet namespace: end the nested PID 1; unshare, its parent, reaps it and exits
        Processes.killAll(List.of(sleeper));
        nested.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    static void zombiesPileUp(Bench b) throws Exception {
        String orphans = "(sleep 0.5 &); (sleep 0.5 &); (sleep 0.5 &); ps -o pid,ppid,stat,args -e";
        b.java("sh -c '" + orphans + "' started on thread " + box.tid());
        b.console().output(inBox(() -> Cmd.run("sh", "-c", orphans).orThrow().out()));
        Thread.sleep(1000);
        b.java("one second later: ps -o pid,ppid,stat,args -e");
        b.console().output(inBox(() -> Cmd.run("ps", "-o", "pid,ppid,stat,args", "-e").orThrow().out()));
        b.show("zombies under the demo's PID 1", zombiesUnder(boxInit.pid()));
    }

    static void aReapingInit(Bench b) throws Exception {
        try (NsThread reaping = NsThread.unshare(EnumSet.of(Ns.PID, Ns.MNT, Ns.UTS))) {
            reaping.run(() -> {
                Uts.sethostnameInside(DEMO);
                Mounts.makePrivate("/");
            });
            b.java("unshare(CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWUTS) on thread " + reaping.tid()
                + ", PID 1 this time: sh -c 'while :; do sleep 1; done'");
            Reapers.ready(2);
            Process init = reaping.call(() -> b.spawn(quiet("sh", "-c", "while :; do sleep 1; done")));
            Reapers.ready(2);
            reaping.call(() -> Cmd.run("mount", "-t", "proc", "proc", "/proc").orThrow());
            String orphans = "(sleep 0.5 &); (sleep 0.5 &); (sleep 0.5 &); true";
            b.java("sh -c '" + orphans + "' started on thread " + reaping.tid());
            Reapers.ready(2);
            reaping.call(() -> Cmd.run("sh", "-c", orphans).orThrow());
            Thread.sleep(1000);
            b.java("one second later: ps -o pid,ppid,stat,args -e");
            Reapers.ready(2);
            b.console().output(reaping.call(() -> Cmd.run("ps", "-o", "pid,ppid,stat,args", "-e").orThrow().out()));
            b.show("zombies under this PID 1", zombiesUnder(init.pid()));
            b.show("zombies under the demo's PID 1", zombiesUnder(boxInit.pid()));
        }
        box.close(); // the namespaces live on in their processes until run ends and kills them
        box = null;
    }

    /** The sh -c script of the step's second PID 1: a TERM trap, and a loop that waits for each sleep. */
    static final String TRAPPING = "trap \"echo PID 1 got TERM; exit 0\" TERM; while :; do sleep 1 & wait $!; done";

    static void signalsToPid1(Bench b) throws Exception {
        try (NsThread t = NsThread.unshare(EnumSet.of(Ns.PID))) {
            b.java("unshare(CLONE_NEWPID) on thread " + t.tid() + ", then PID 1: sleep infinity");
            Reapers.ready(2);
            Process sleep = t.call(() -> b.spawn(quiet("sleep", "infinity")));
            b.show("its host pid, NSpid", sleep.pid() + ", " + nspid(sleep.pid()));
            b.show("SigCgt (signals it catches)", sigCgt(sleep.pid()));
            b.java("kill(" + sleep.pid() + ", SIGTERM) from the host's pid namespace, then one second");
            Sys.kill(sleep.pid(), 15);
            boolean ended = sleep.waitFor(1, java.util.concurrent.TimeUnit.SECONDS);
            b.show("after SIGTERM", ended ? "exited, status " + sleep.exitValue() + " (this kernel delivered it?)"
                : "still there, state " + Processes.state(sleep.pid()).orElse('?') + ": the TERM was dropped");
            b.java("kill(" + sleep.pid() + ", SIGKILL)");
            Sys.kill(sleep.pid(), 9);
            b.show("after SIGKILL", sleep.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)
                ? "exited, killed by signal " + (sleep.exitValue() - 128) : "still there (?)");
        }
        try (NsThread t = NsThread.unshare(EnumSet.of(Ns.PID))) {
            b.java("unshare(CLONE_NEWPID) on thread " + t.tid() + ", then PID 1: sh -c '" + TRAPPING + "'");
            Reapers.ready(2);
            Process sh = t.call(() -> b.spawn(new ProcessBuilder("sh", "-c", TRAPPING).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))));
            // the trap is set once sh has read its script: wait until SigCgt shows it
            Wait.until(Duration.ofSeconds(5), () -> (sigMask(sh.pid()) & (1L << 14)) != 0);
            b.show("its host pid, NSpid", sh.pid() + ", " + nspid(sh.pid()));
            b.show("SigCgt (signals it catches)", sigCgt(sh.pid()));
            b.java("kill(" + sh.pid() + ", SIGTERM) from the host's pid namespace");
            Sys.kill(sh.pid(), 15);
            if (!sh.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                Sys.kill(sh.pid(), 9);
                throw new IllegalStateException("sh -c '" + TRAPPING + "' did not exit on SIGTERM within 5 s");
            }
            b.console().output(new String(sh.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            b.show("after SIGTERM", "exited, status " + sh.exitValue());
        }
    }

    /** The signal names, by number (signal(7)), for reading a SigCgt mask. */
    static final String[] SIGNALS = {"", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
        "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
        "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

    /** SigCgt of /proc/PID/status as a number: bit N-1 set for each signal N the process has a handler for. */
    static long sigMask(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("SigCgt:")).map(l -> Long.parseUnsignedLong(l.substring(7).strip(), 16))
                .findFirst().orElse(0L);
        } catch (IOException gone) {
            return 0;
        }
    }

    /** SigCgt as /proc prints it, and the signals it names. */
    static String sigCgt(long pid) {
        long mask = sigMask(pid);
        List<String> names = new ArrayList<>();
        for (int sig = 1; sig <= 64; sig++) {
            if ((mask & (1L << (sig - 1))) != 0) names.add(sig < SIGNALS.length ? SIGNALS[sig] : "RT" + sig);
        }
        return String.format("%016x", mask) + (names.isEmpty() ? " (none)" : " (" + String.join(" ", names) + ")");
    }

    // ---- exercise checks: kernel state only ---------------------------------------------------------------------

    /** Every process in a uts namespace of its own whose hostname is lab03-box (the learner's tree and its parent). */
    static List<Long> boxProcesses() {
        return Uts.foreign().stream().filter(g -> BOX.equals(g.hostname())).flatMap(g -> g.pids().stream()).toList();
    }

    /** The tree's PID 1: a lab03-box process that is the first of a pid namespace other than the host's. */
    static Optional<Long> treeInit() {
        long hostPidNs = Ns.PID.idOf(ProcessHandle.current().pid());
        return boxProcesses().stream().filter(p -> pidNsOf(p) != hostPidNs && pidNsOf(p) != 0)
            .filter(Processes::isNamespaceInit).findFirst();
    }

    static final String NO_BOX = "no process has the hostname lab03-box in a uts namespace of its own";

    static Verdict checkHostname() {
        hostBefore();
        List<Uts.Group> groups = Uts.foreign();
        if (groups.stream().anyMatch(g -> BOX.equals(g.hostname()))) return pass();
        if (BOX.equals(Processes.hostname())) {
            return fail("the host itself is called lab03-box, and no uts namespace of its own is: hostname ran outside unshare -u");
        }
        if (groups.isEmpty()) {
            return fail("no process is in a uts namespace of its own: all share the host's hostname " + Processes.hostname());
        }
        return fail("no uts namespace is named lab03-box; the ones there are named " + groups.stream().limit(5)
            .map(g -> g.hostname() + " (pid " + g.pids().get(0) + " " + Processes.comm(g.pids().get(0)).orElse("?") + ")")
            .collect(Collectors.joining(", ")));
    }

    static Verdict checkPidNamespace() {
        List<Long> named = boxProcesses();
        if (named.isEmpty()) return fail(NO_BOX);
        long hostPidNs = Ns.PID.idOf(ProcessHandle.current().pid());
        if (named.stream().anyMatch(p -> pidNsOf(p) != hostPidNs && pidNsOf(p) != 0)) return pass();
        return fail("the processes named lab03-box (pids " + pids(named) + ") are all in the host's pid namespace: "
            + "each has a single pid in NSpid");
    }

    static Verdict checkPid1() {
        if (treeInit().isPresent()) return pass();
        List<Long> named = boxProcesses();
        if (named.isEmpty()) return fail(NO_BOX);
        long hostPidNs = Ns.PID.idOf(ProcessHandle.current().pid());
        Optional<Long> inside = named.stream().filter(p -> pidNsOf(p) != hostPidNs && pidNsOf(p) != 0).findFirst();
        if (inside.isEmpty()) return fail("no process named lab03-box is in a pid namespace of its own, so none is its PID 1");
        Optional<Long> init = Processes.inNamespace(Ns.PID, pidNsOf(inside.get())).stream()
            .filter(Processes::isNamespaceInit).findFirst();
        return fail("the lab03-box processes' pid namespace has as PID 1 "
            + init.map(p -> "host pid " + p + " (" + Processes.comm(p).orElse("?") + "), which is in another uts namespace: "
                + hostnameOr(p)).orElse("no live process"));
    }

    static Verdict checkOthers() {
        Optional<Long> init = treeInit();
        if (init.isEmpty()) return fail("there is no PID 1 named lab03-box to look beside");
        List<Long> others = Processes.inNamespace(Ns.PID, pidNsOf(init.get())).stream()
            .filter(p -> p.longValue() != init.get() && Processes.alive(p)).toList();
        return Verdict.when(!others.isEmpty(), "PID 1 (" + Processes.comm(init.get()).orElse("?") + ", host pid " + init.get()
            + ") is alone in its pid namespace");
    }

    static Verdict checkProc() {
        Optional<Long> init = treeInit();
        if (init.isEmpty()) return fail("there is no PID 1 named lab03-box whose /proc to look at");
        long pid1 = init.get();
        if (Ns.MNT.idOf(pid1) == Ns.MNT.idOf(ProcessHandle.current().pid())) {
            return fail("PID 1 shares the host's mount namespace, so its /proc is the host's: add -m (unshare --mount-proc)");
        }
        Optional<Mounts.Mount> proc = Mounts.at(Mounts.of(pid1), "/proc");
        if (proc.isEmpty() || !proc.get().fsType().equals("proc")) {
            return fail("nothing of type proc is mounted on /proc in PID 1's mount namespace");
        }
        // In a proc mounted from inside, PID 1 is the namespace's own init; in the host's it is the host's init.
        Path inside = Path.of("/proc", Long.toString(pid1), "root", "proc");
        boolean own;
        try {
            own = Ns.idAt(inside.resolve("1/ns/pid")) == pidNsOf(pid1);
        } catch (RuntimeException notOurs) {
            own = false;
        }
        if (own) return pass();
        return fail("the proc on /proc inside belongs to another pid namespace: it lists " + countPids(inside)
            + " processes, while this namespace has " + Processes.inNamespace(Ns.PID, pidNsOf(pid1)).size()
            + "; mount one from inside: mount -t proc proc /proc");
    }

    static Verdict checkHostUnchanged() {
        String before = hostBefore(), host = Processes.hostname();
        return Verdict.when(host.equals(before), "the host itself is now called " + host + ", and was called " + before
            + " before the lab: hostname ran in the host's uts namespace");
    }

    /** The host's hostname before the lab: a note in the lab's journal (see KernelObject.HostNamed.noted). */
    static String hostBefore() {
        return KernelObject.HostNamed.noted("lab03", List.of(BOX, DEMO, PROMPT));
    }

    // ---- solve, reset -----------------------------------------------------------------------------------------

    /** The solution's one line, from Java: a thread unshares, names, starts PID 1 and mounts /proc from inside. */
    static void boxTree(Bench b) throws Exception {
        try (NsThread t = NsThread.unshare(EnumSet.of(Ns.PID, Ns.UTS, Ns.MNT))) {
            t.run(() -> {
                Uts.sethostnameInside(BOX);
                Mounts.makePrivate("/");
            });
            b.java("unshare(CLONE_NEWPID|CLONE_NEWUTS|CLONE_NEWNS), sethostname(\"lab03-box\") and / made private on thread "
                + t.tid());
            Reapers.ready(2);
            Process init = t.call(() -> b.spawn(quiet("sh", "-c", "sleep infinity & exec sleep infinity")));
            b.java("PID 1: sh -c 'sleep infinity & exec sleep infinity', host pid " + init.pid());
            Reapers.ready(2);
            t.call(() -> Cmd.run("mount", "-t", "proc", "proc", "/proc").orThrow());
            b.java("mount -t proc proc /proc, started from the same thread (inside the new pid namespace)");
            Wait.until(Duration.ofSeconds(5), () -> Processes.inNamespace(Ns.PID, pidNsOf(init.pid())).size() >= 2);
        }
    }

    /**
     * The learner's trees are not journaled: find them by their hostname (any of this lab's names, lab03-...) and end
     * every process in those uts namespaces, by pid; the kernel then ends the rest of their pid namespaces. Also puts
     * the host's name back if the learner renamed the host.
     */
    // ---- helpers ------------------------------------------------------------------------------------------------

    /** Work on the demo's pid thread that starts processes: reapers first, made from this thread (see Reapers). */
    static <T> T inBox(NsThread.Work<T> work) {
        Reapers.ready(2);
        return box.call(work);
    }

    static ProcessBuilder quiet(String... argv) {
        return new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
    }

    static long pidNsOf(long pid) {
        try {
            return Ns.PID.idOf(pid);
        } catch (RuntimeException gone) {
            return 0;
        }
    }

    static String nspid(long pid) {
        return Processes.nspid(pid).stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    static String pids(List<Long> pids) {
        return pids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    static String hostnameOr(long pid) {
        try {
            return Uts.hostnameOf(pid);
        } catch (RuntimeException gone) {
            return "?";
        }
    }

    /** The link appears only once the namespace has its first process. */
    static String pidForChildren(long tid) {
        try {
            return Ns.PID.label(Ns.idAt(Path.of("/proc", Long.toString(tid), "ns", "pid_for_children")));
        } catch (UncheckedIOException noneYet) {
            return "(no link yet: the new namespace has no process)";
        }
    }

    static long waitForChild(long parent) {
        return Wait.forValue(Duration.ofSeconds(5), () -> Processes.children(parent).stream().findFirst())
            .orElseThrow(() -> new IllegalStateException("pid " + parent + " started no child within 5 s"));
    }

    static String zombiesUnder(long parent) {
        List<Long> z = Processes.children(parent).stream().filter(p -> Processes.state(p).orElse('?') == 'Z').toList();
        return z.size() + (z.isEmpty() ? "" : " (host pids " + pids(z) + ")");
    }

    static long countProcMounts(List<Mounts.Mount> table) {
        return table.stream().filter(m -> m.mountPoint().equals("/proc") && m.fsType().equals("proc")).count();
    }

    static long countPids(Path proc) {
        try (Stream<Path> s = Files.list(proc)) {
            return s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
        } catch (IOException e) {
            return -1;
        }
    }

    static String head(String text, int lines) {
        List<String> all = text.strip().lines().toList();
        if (all.size() <= lines) return text;
        return String.join("\n", all.subList(0, lines)) + "\n...";
    }
}
