///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab10Enter

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import unboxed.cgroup.MemoryCgroup;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.net.Netns;
import unboxed.ns.Boxes;
import unboxed.ns.Mounts;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Processes;
import unboxed.ns.Reapers;
import unboxed.ns.Sharing;
import unboxed.sys.Cmd;
import unboxed.sys.Sys;
import unboxed.sys.SysCallException;
import unboxed.sys.Wait;

/**
 * Lab 10: entering and mixing the namespaces of running containers. lsns lists them, /proc/PID/ns names them,
 * nsenter and setns(2) join them, one type at a time if need be: a debugging sidecar with one container's network
 * and another's processes. Story, steps, exercise and checks, top to bottom; the mechanics are in lib (unboxed.ns).
 */
class Lab10Enter {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    /** The two containers (argv[0] and hostname), the exercise's sidecar, and the demo's names. */
    static final String A = "lab10-a", B = "lab10-b", DEBUG = "lab10-debug", PEEK = "lab10-peek", QUEUE = "/lab10-queue",
        CGROUP = "lab10-demo", HELPER = "lab10-helper", DOCKER = "lab10-docker", IMAGE = "unboxed-lab10";
    /** What each container is in besides the host's user, cgroup and time namespaces. */
    static final Set<Ns> BOX = EnumSet.of(Ns.PID, Ns.NET, Ns.UTS, Ns.IPC, Ns.MNT);
    /** How a learner finds them: pgrep -f matches the whole command line, "lab10-a infinity". */
    static final String PID_A = "$(pgrep -f '^lab10-a ')", PID_B = "$(pgrep -f '^lab10-b ')";
    static final String START = "unshare --pid --fork --mount-proc --net --uts --ipc bash -c 'hostname %1$s; exec -a %1$s "
        + "sleep infinity' >/dev/null 2>&1 &";

    static Lab lab() {
        return Lab.define("lab10", "Entering and mixing namespaces")
            .summary("List every namespace with lsns, compare a container's /proc/PID/ns with the host's, enter a "
                + "running container with nsenter and setns(2), see what IPC, cgroup and time namespaces separate, and "
                + "build a debugging sidecar from the namespaces of two containers, the way `docker run --net "
                + "container:X --pid container:Y` does.")
            .minutes(40)
            .objectives(
                "List the namespaces of a machine and of one process with lsns, as root and as a normal user",
                "Tell from /proc/PID/ns which namespaces two processes share",
                "Run the host's tools inside a container's network namespace with nsenter -t PID -n",
                "Give a container's network namespace a name with ip netns attach, and say why it had none",
                "Show that System V shared memory and POSIX message queues belong to an IPC namespace",
                "Read a process's cgroup from inside a cgroup namespace, and the boot time inside a time namespace",
                "Join namespaces from a Java thread with setns(2), and say which types a JVM thread can join",
                "Start a process in namespaces taken from two different containers")
            .prerequisites("A Linux machine or VM where you are root (sudo)", "Labs 02 to 04 (mount, pid, uts, net namespaces)")
            .needs("unshare", "nsenter", "lsns", "ip", "ipcmk", "ipcs", "setpriv", "pgrep", "bash")
            .story("""
                A container is not a thing the kernel knows. It knows processes, and each process points at one
                namespace of every type: mount, UTS, IPC, pid, network, user, cgroup and time (namespaces(7)). A
                "container" is a group of processes that point at the same new ones. Nothing stops another process
                from pointing at some of them too: that is what `docker exec`, `kubectl debug` and a pod's shared
                network namespace do, and what `nsenter` and setns(2) do by hand.

                `lsns` lists the namespaces that processes are in, /proc/PID/ns/TYPE names each one by an inode
                number, `nsenter -t PID -n` runs a command in the network namespace of a process and leaves the rest as
                they were, so the host's `ip` and `tcpdump` can debug a container that has neither. And the types
                that the earlier labs left out have their own stories: the IPC namespace holds System V shared memory,
                semaphores and message queues and POSIX message queues (ipc_namespaces(7)), the cgroup namespace
                moves the root of /proc/self/cgroup (cgroup_namespaces(7)), the time namespace offsets the boot and
                monotonic clocks (time_namespaces(7)).

                The lab starts two small containers of its own, `lab10-a` and `lab10-b`: each a `sleep` renamed by
                `exec -a`, PID 1 of a new pid namespace, in new network, UTS, IPC and mount namespaces, with its
                own hostname.
                """)
            .makes(new KernelObject.ProcessesNamed(A), new KernelObject.ProcessesNamed(B),
                new KernelObject.DockerContainer(DOCKER, IMAGE))
            .owns(new KernelObject.NamedNetns(A), new KernelObject.ProcessesNamed(DEBUG))

            .step("lsns: every namespace on the machine", s -> s
                .explain("""
                    `lsns` reads /proc/PID/ns of every process it may look at and lists each namespace once, with the
                    number of processes in it and the lowest pid among them (lsns(8)). Root sees every process. A
                    normal user may read the ns links only of processes it could ptrace: its own (proc(5)), so as
                    `nobody` lsns sees just the namespaces of its own process.
                    """)
                .shell("lsns --type uts\nlsns --output NS,TYPE,NPROCS --noheadings | wc -l\n"
                    + "setpriv --reuid=nobody --regid=nogroup --clear-groups lsns")
                .does(Lab10Enter::lsns)
                .observe("As root, several namespaces of most types; as nobody, one of each type: its own."))

            .step("Two containers of the lab's own", s -> s
                .explain("""
                    Each container is one process: `sleep infinity` under the name lab10-a (or lab10-b), started from
                    a thread that unshared new pid, network, UTS, IPC and mount namespaces, so it is PID 1 of its pid
                    namespace. The thread also set the hostname, made / private and mounted a /proc of the new pid
                    namespace, what `unshare --pid --fork --mount-proc --net --uts --ipc` does from the shell.
                    """)
                .shell(String.format(START, A) + "\n" + String.format(START, B) + "\n"
                    + "sleep 1; pgrep -a -f '^lab10-[ab] '")
                .does(Lab10Enter::twoContainers)
                .observe("Two processes, each with two pids in NSpid: the host's and 1."))

            .step("/proc/PID/ns beside the host's", s -> s
                .explain("""
                    Two processes are in the same namespace of a type exactly when their /proc/PID/ns/TYPE links name
                    the same inode (namespaces(7)). The container differs from the host in the five types it unshared,
                    and shares the host's user, cgroup and time namespaces, which nobody asked for: Docker does the
                    same by default for user and time namespaces.
                    """)
                .shell("for t in mnt uts ipc pid net user cgroup time; do echo \"$t $(readlink /proc/" + PID_A
                    + "/ns/$t) $(readlink /proc/$$/ns/$t)\"; done\nlsns --task " + PID_A)
                .does(Lab10Enter::compareWithHost)
                .observe("mnt, uts, ipc, pid and net differ from the host's; user, cgroup and time are the host's."))

            .step("nsenter -t PID -n: the host's tools inside", s -> s
                .explain("""
                    `nsenter -t PID -n CMD` opens /proc/PID/ns/net, calls setns(2) with it and runs CMD (nsenter(1)).
                    CMD is the host's program, from the host's file system: only the network namespace changed. That
                    is how you debug a container whose image has no `ip`, no `ss` and no `tcpdump`. The container has
                    only a loopback, which the lab brought up.
                    """)
                .shell("nsenter --target " + PID_A + " --net ip -brief address\nnsenter --target " + PID_A
                    + " --net --uts hostname\nhostname")
                .does(Lab10Enter::nsenterNet)
                .observe("ip inside lists only lo; hostname with --uts answers lab10-a, without it the host's name."))

            .step("nsenter -a: all of them", s -> s
                .explain("""
                    `nsenter --all` joins every namespace of the target that differs from nsenter's own, and with the
                    mount namespace it also takes the target's root and working directory: what `docker exec` does.
                    Inside, /proc is the container's, so ps shows its processes under their pids in the container,
                    PID 1 first. nsenter forks before running the command when it joined a pid namespace, so that
                    the command is in it (a process never changes its own pid namespace).
                    """)
                .shell("nsenter --target " + PID_A + " --all sh -c 'hostname; ps -eo pid,args'")
                .does(Lab10Enter::nsenterAll)
                .observe("The container's hostname, and its processes only: PID 1 is lab10-a, then the shell and ps."))

            .step("ip netns attach: a name for it", s -> s
                .explain("""
                    `ip netns list` lists the files in /run/netns, nothing else (ip-netns(8)): a namespace that
                    lives only because a process is in it has no name there, and `ip netns exec` cannot reach it.
                    `ip netns attach NAME PID` bind-mounts /proc/PID/ns/net on /run/netns/NAME: the same namespace,
                    now with a name. `ip netns exec` then joins that network namespace only (in a mount namespace of
                    its own, to remount /sys): hostname still answers the host's name. `ip netns delete` removes the
                    name; the namespace lives on as long as its process does.
                    """)
                .shell("ip netns list | grep lab10 || echo 'no name with lab10'   # prints: no name with lab10\nip netns attach lab10-peek " + PID_A
                    + "\nip netns exec lab10-peek ip -brief link\nip netns delete lab10-peek")
                .does(Lab10Enter::attachAName)
                .observe("The name's inode is the container's network namespace; deleting the name leaves the container as it was."))

            .step("The IPC namespace", s -> s
                .explain("""
                    System V IPC objects (shared memory, semaphores, message queues) are found by a key, and POSIX
                    message queues by a name; both belong to the IPC namespace of whoever made them, and are visible
                    only there (ipc_namespaces(7)). ipcs lists the System V objects of its caller's namespace. POSIX
                    queues show as files of an mqueue file system, and an mqueue mount shows the queues of the IPC
                    namespace of whoever mounted it (mq_overview(7)): so the shell line mounts one inside the
                    container's mount namespace. The Java side calls mq_open(3) on a thread that joined the
                    container's IPC namespace.
                    """)
                .shell("nsenter --target " + PID_A + " --ipc ipcmk --shmem 4096\nnsenter --target " + PID_A
                    + " --ipc ipcs --shmems | grep -c 4096   # prints: 1\nnsenter --target " + PID_B
                    + " --ipc ipcs --shmems   # prints: Shared Memory Segments\n"
                    + "nsenter --target " + PID_A + " --ipc --mount sh -c 'mount -t mqueue mqueue /mnt && touch /mnt/lab10-shell && ls /mnt'")
                .does(Lab10Enter::ipcNamespace)
                .observe("The segment and the queue are there in container a's namespace, and not in b's or the host's."))

            .step("The cgroup namespace", s -> s
                .explain("""
                    /proc/PID/cgroup shows the cgroup of a process as a path from the root of each hierarchy. In a
                    new cgroup namespace (`unshare --cgroup`), the root is the cgroup the process was in when the
                    namespace was made: the same cgroup then reads as `/` (cgroup_namespaces(7)). Membership does not
                    change, only the view: a container does not learn where on the host it was put. The lab puts a
                    shell in a cgroup of its own first, so the two views differ.
                    """)
                .shell("cat /proc/self/cgroup\nunshare --cgroup cat /proc/self/cgroup")
                .does(Lab10Enter::cgroupNamespace)
                .observe("Outside, the cgroup's path; inside the new namespace, `/` for the same cgroup."))

            .step("The time namespace", s -> s
                .explain("""
                    A time namespace offsets CLOCK_MONOTONIC and CLOCK_BOOTTIME (and /proc/uptime with them) for the
                    processes in it; CLOCK_REALTIME, the date, is the same everywhere (time_namespaces(7)). The
                    offsets can be set only before the first process enters the namespace, so `unshare --time
                    --boottime 86400` writes them to /proc/self/timens_offsets and then runs its program, which is
                    the first (unshare(1)). Writing them needs CAP_SYS_TIME in the user namespace that owns the time
                    namespace: with `--user --map-root-user` that is a new one, where unshare has every capability,
                    so this works even where root lacks CAP_SYS_TIME (in a Docker container) and for a normal user.
                    Live migration (CRIU) is what it was made for: a container moved to another machine keeps its
                    monotonic clock.
                    """)
                .shell("cat /proc/uptime\nunshare --user --map-root-user --time --boottime 86400 cat /proc/uptime   # a day more")
                .does(Lab10Enter::timeNamespace)
                .observe("The uptime inside is the host's plus 86400 seconds."))

            .step("Mixing two containers' namespaces", s -> s
                .explain("""
                    `docker run --network container:X` starts a container in X's network namespace (it shares X's
                    interfaces and its localhost), `--pid container:Y` in Y's pid namespace (it sees Y's processes),
                    and `--ipc container:X` in X's IPC namespace. Each option is one setns(2) before the program
                    starts, and nsenter takes each namespace from its own file: `--net=/proc/A/ns/net` and
                    `--pid=/proc/B/ns/pid` come from two different processes. With the host's /proc still mounted,
                    the status line of its own process shows two pids: the host's and the one in b's namespace.
                    """)
                .shell("nsenter --net=/proc/" + PID_A + "/ns/net --uts=/proc/" + PID_B + "/ns/uts --pid=/proc/" + PID_B
                    + "/ns/pid sh -c 'hostname; ip -brief link; grep NSpid /proc/self/status'")
                .does(Lab10Enter::mixing)
                .observe("hostname answers lab10-b, ip shows a's loopback, NSpid has the host's pid and one in b's namespace."))

            .step("setns(2) from Java, type by type", s -> s
                .explain("""
                    setns(2) moves the calling thread into the namespace an open /proc/PID/ns file names. The lab
                    tries each type on a thread of its own. Network, UTS, IPC and cgroup: joined. Mount: EINVAL,
                    because the JVM's threads share their root and working directory (CLONE_FS), unless the thread
                    unshares CLONE_FS first. Pid: joined, but only the thread's future children go there
                    (pid_for_children); the thread keeps its pid. User: EINVAL, "the caller is multithreaded and tried
                    to join a new user namespace". Time: EUSERS, since the kernel lets only a single-threaded process
                    join a time namespace (timens_install() in kernel/time/namespace.c).
                    """)
                .shell("nsenter --target " + PID_A + " --mount --pid sh -c 'readlink /proc/self/ns/pid; cat /proc/1/cmdline | tr \"\\0\" \" \"; echo'")
                .does(Lab10Enter::setnsFromJava)
                .observe("Six of eight joined from a thread (mount only after unshare(CLONE_FS)); user and time refused."))

            .step("A real Docker container", s -> s
                .explain("""
                    Where Docker runs, `docker inspect --format '{{.State.Pid}}' NAME` prints the host pid of a
                    container's first process, and everything above works on it unchanged: `lsns --task PID`,
                    `nsenter -t PID -n ip -brief address`. Docker gives a container new mount, UTS, IPC, pid and
                    network namespaces, and on a cgroup v2 host a cgroup namespace too (`--cgroupns private` is the
                    default there; host on v1); the user and time namespaces stay the host's. Where an engine
                    answers, the lab imports its small root file system as an image, runs a container from it with
                    `--network none` (a network namespace with only lo) and looks; then removes both.
                    """)
                .shell("docker info --format '{{.ServerVersion}}' || echo 'no Docker engine here'\n"
                    + "for id in $(docker ps --quiet 2>/dev/null); do lsns --task \"$(docker inspect --format '{{.State.Pid}}' \"$id\")\"; done")
                .does(Lab10Enter::docker)
                .observe("Where Docker runs: new mnt, uts, ipc, pid and net namespaces, and a cgroup one on cgroup v2; elsewhere, what is missing."))

            .exercise("""
                With `lab10-a` and `lab10-b` running (`run` or `prepare` leaves them), build a debugging sidecar:

                1. Give container a's network namespace the name `lab10-a`, so that `ip netns list` shows it
                   (`ip netns attach`, or by hand: an empty file /run/netns/lab10-a and a bind mount of
                   /proc/PID/ns/net on it).
                2. Start a long-running process whose argv[0] is `lab10-debug` (`bash -c 'exec -a lab10-debug sleep
                   infinity'`) that is in container a's **network** and **IPC** namespaces, in container b's **pid**
                   namespace, and in the host's **mount** and **UTS** namespaces, so that it uses the host's tools and
                   hostname.

                Find the containers' pids with `pgrep -f '^lab10-a '`. nsenter takes each namespace from its own
                file: `--net=/proc/PID/ns/net` and so on.
                """)
            .diagram("What you build: a sidecar from two containers and the host", d -> d
                .panel("container a", "lab10-a: sleep infinity, PID 1")
                .node("net", "lo only")
                .node("ipc", "its own shared memory, queues")
                .node("pid, uts, mnt", "not joined")
                .panel("container b", "lab10-b: sleep infinity, PID 1")
                .node("pid", "b's processes")
                .node("net, ipc, uts, mnt", "not joined")
                .panel("the host", "the lab's own namespaces")
                .node("mnt", "the host's files and tools")
                .node("uts", "the host's hostname")
                .node("/run/netns/lab10-a", "ip netns attach lab10-a PID").yours()
                .panel(DEBUG, "bash -c 'exec -a lab10-debug sleep infinity'").yours()
                .node("net, ipc", "a's").yours()
                .node("pid", "b's").yours()
                .node("mnt, uts", "the host's").yours()
                .arrow(DEBUG, "net, ipc", "container a", "net", "setns: --net, --ipc")
                .arrow(DEBUG, "pid", "container b", "pid", "setns: --pid")
                .arrow(DEBUG, "mnt, uts", "the host", "mnt", "kept")
                .arrow("the host", "/run/netns/lab10-a", "container a", "net", "a bind mount of /proc/PID/ns/net"))
            .prepare(Lab10Enter::containers)
            .check("attached", "ip netns list shows lab10-a, and it is container a's network namespace", 2,
                Lab10Enter::checkAttached)
            .check("sidecar", "A process whose argv[0] is lab10-debug is running", 1, Lab10Enter::checkSidecar)
            .check("net-ipc", "It is in container a's network and IPC namespaces", 2, Lab10Enter::checkNetIpc)
            .check("pid", "It is in container b's pid namespace", 2, Lab10Enter::checkPid)
            .check("host", "It is in the host's mount and UTS namespaces", 2, Lab10Enter::checkHost)
            .solution(s -> s.refuseWhileOwnedPresent()
                .line("ip netns attach lab10-a " + PID_A, Lab10Enter::attach).answers("attached")
                .line("nsenter --target " + PID_A + " --net --ipc --pid=/proc/" + PID_B + "/ns/pid bash -c 'exec -a "
                    + "lab10-debug sleep infinity' >/dev/null 2>&1 &", Lab10Enter::sidecar)
                    .answers("sidecar", "net-ipc", "pid", "host"))

            .question("`ip netns list` shows nothing, yet `lsns --type net` lists a Docker container's network "
                    + "namespace. Why?", 2,
                "ip netns list only lists the files in /run/netns (ip-netns(8)). A namespace that is alive because a "
                    + "process is in it has no file there until `ip netns attach` bind-mounts one.",
                "Docker hides its namespaces from iproute2 with a seccomp filter",
                "lsns also counts namespaces that have already been destroyed",
                "ip netns list shows only names in /run/netns; the container's has none",
                "The container's namespace belongs to another user namespace")
            .question("A JVM thread calls setns(2) with a process's /proc/PID/ns/mnt and gets EINVAL. What makes it work?", 0,
                "setns(2) refuses CLONE_NEWNS to a caller that shares its filesystem attributes (root, cwd) with other "
                    + "threads, which every JVM thread does: unshare(CLONE_FS) on that thread first, then setns.",
                "unshare(CLONE_FS) on that thread first",
                "Run the JVM as root with CAP_SYS_ADMIN in its bounding set",
                "Open the ns file with O_PATH instead of O_RDONLY",
                "Join the target's user namespace before the mount namespace")
            .question("After `nsenter --target A --pid sh`, what does `ps -e` inside list, and why?", 1,
                "The shell is in A's pid namespace, but /proc is still the host's mount, which shows the pid namespace "
                    + "of whoever mounted it: the host's. Add --mount (the container's /proc) or mount a proc inside.",
                "Only A's processes, because the pid namespace decides what ps sees",
                "The host's processes: /proc is the host's, since the mount namespace was not joined",
                "Nothing: ps fails with ENOMEM because A's PID 1 is not a shell")
            .question("Which clock does a time namespace leave the same for every process?", 3,
                "time_namespaces(7): a time namespace offsets CLOCK_MONOTONIC and CLOCK_BOOTTIME; CLOCK_REALTIME, "
                    + "the date, is not virtualised.",
                "CLOCK_MONOTONIC, which counts from boot", "CLOCK_BOOTTIME, which counts suspended time too",
                "The uptime in /proc/uptime, which is read from the host", "CLOCK_REALTIME, the date and time of day")
            .reading("namespaces(7)", "nsenter(1)", "lsns(8)", "setns(2)", "ip-netns(8)", "ipc_namespaces(7)",
                "mq_overview(7)", "ipcs(1)", "ipcmk(1)", "cgroup_namespaces(7)", "time_namespaces(7)", "unshare(1)",
                "proc(5)",
                "Docker: container networking, --network container:<name|id> <https://docs.docker.com/engine/network/#container-networks>",
                "Docker: docker run --pid, --ipc, --cgroupns <https://docs.docker.com/reference/cli/docker/container/run/>")
            .build();
    }

    // ---- the containers ------------------------------------------------------------------------------------------

    /** Container a and b, each started if not running: the demo's and the exercise's starting point. */
    static void containers(Bench b) {
        container(b, A);
        container(b, B);
    }

    static long container(Bench b, String name) {
        Optional<Long> running = Boxes.find(name);
        if (running.isPresent() && b.journaled(new KernelObject.ProcessesNamed(name))) return running.get();
        b.willCreate(new KernelObject.ProcessesNamed(name));
        return Boxes.start(name, name, BOX, ProcessBuilder::start);
    }

    static long pidOf(String name) {
        return Boxes.find(name).orElseThrow(() -> new IllegalStateException("container " + name + " is not running"));
    }

    static long host() {
        return ProcessHandle.current().pid();
    }

    /** The host, a and b, to compare a process's namespaces with. */
    static Map<String, Long> references() {
        Map<String, Long> refs = new java.util.LinkedHashMap<>();
        refs.put("the host", host());
        Boxes.find(A).ifPresent(p -> refs.put("container a", p));
        Boxes.find(B).ifPresent(p -> refs.put("container b", p));
        return refs;
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    static void lsns(Bench b) {
        Map<Ns, Set<Long>> all = new EnumMap<>(Ns.class);
        for (long pid : Processes.pids()) {
            for (Ns t : Ns.available()) Sharing.id(t, pid).ifPresent(id -> all.computeIfAbsent(t, k -> new TreeSet<>()).add(id));
        }
        b.java("readlink /proc/PID/ns/TYPE for every pid in /proc, distinct inodes by type");
        b.show("namespaces processes are in, by type", all.entrySet().stream()
            .map(e -> e.getKey().file + " " + e.getValue().size()).collect(Collectors.joining(", ")));
        b.show("lsns as root: namespaces listed", lines(Cmd.run("lsns", "--output", "NS", "--noheadings").orThrow().out()));
        Cmd.Result nobody = Cmd.run("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "lsns",
            "--output", "NS,TYPE,NPROCS,COMMAND", "--noheadings");
        b.show("lsns as nobody: namespaces listed", lines(nobody.out()) + " (" + nobody.out().lines()
            .map(l -> l.trim().split("\\s+")).filter(f -> f.length > 1).map(f -> f[1]).distinct()
            .collect(Collectors.joining(", ")) + ")");
        b.sh("setpriv --reuid=nobody --regid=nogroup --clear-groups lsns --output TYPE,NPROCS,COMMAND");
    }

    static long lines(String out) {
        return out.lines().filter(l -> !l.isBlank()).count();
    }

    static void twoContainers(Bench b) {
        for (String name : List.of(A, B)) {
            b.java("unshare(CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWNS), sethostname(\"" + name
                + "\"), / private; bash -c 'exec -a " + name + " sleep infinity'; mount -t proc; ip link set lo up");
            long pid = container(b, name);
            b.show(name + ": host pid, NSpid", pid + ", " + Processes.nspid(pid).stream().map(String::valueOf)
                .collect(Collectors.joining(" ")));
            b.show(name + ": hostname inside", unboxed.ns.Uts.hostnameOf(pid));
        }
        b.sh("pgrep -a -f '^lab10-[ab] '");
    }

    static void compareWithHost(Bench b) {
        long a = pidOf(A);
        b.java("readlink /proc/" + a + "/ns/TYPE and /proc/" + host() + "/ns/TYPE (this JVM: the host)");
        for (Sharing.Row r : Sharing.of(a, Sharing.refs("the host", host()))) {
            b.show(r.type().file, r.type().label(r.id()) + (r.sharedWith().isEmpty() ? "  its own" : "  the host's"));
        }
        b.sh("lsns --task " + a + " --output NS,TYPE,PID");
    }

    static void nsenterNet(Bench b) {
        long a = pidOf(A);
        b.sh("nsenter --target " + a + " --net ip -brief address");
        b.sh("nsenter --target " + a + " --net --uts hostname");
        b.java("setns(open(\"/proc/" + a + "/ns/net\"), CLONE_NEWNET) on a thread, then its interfaces");
        b.show("the thread sees", NsThread.inNamespacesOf(a, EnumSet.of(Ns.NET), () -> Cmd.run("ip", "-brief", "link")
            .orThrow().out().strip()));
        b.show("the host has (interfaces)", lines(Cmd.run("ip", "-brief", "link").orThrow().out()));
    }

    static void nsenterAll(Bench b) {
        b.sh("nsenter --target " + pidOf(A) + " --all sh -c 'hostname; ps -eo pid,args'");
    }

    static void attachAName(Bench b) {
        long a = pidOf(A);
        b.sh("ip netns list | grep lab10 || echo 'no name with lab10'");
        b.willCreate(new KernelObject.NamedNetns(PEEK));
        b.sh("ip netns attach " + PEEK + " " + a);
        b.show("/run/netns/" + PEEK + " (a bind mount) names", Ns.NET.label(Netns.id(PEEK)));
        b.show("/proc/" + a + "/ns/net", Ns.NET.label(Ns.NET.idOf(a)));
        b.sh("ip netns list | grep lab10");
        b.sh("ip netns exec " + PEEK + " sh -c 'ip -brief link; hostname'");
        b.sh("ip netns delete " + PEEK);
        b.show("container a after the delete", Processes.alive(a) ? "still running, in " + Ns.NET.label(Ns.NET.idOf(a)) : "gone (?)");
    }

    static void ipcNamespace(Bench b) throws Exception {
        long a = pidOf(A), bb = pidOf(B);
        b.sh("nsenter --target " + a + " --ipc ipcmk --shmem 4096");
        Map<String, Long> sides = Sharing.refs("container a", a, "container b", bb, "the host", host());
        b.java("read /proc/sysvipc/shm on threads that joined each IPC namespace (it lists the reader's)");
        for (var side : sides.entrySet()) {
            b.show("shared memory segments of 4096 bytes, " + side.getKey(), NsThread.inNamespacesOf(side.getValue(),
                EnumSet.of(Ns.IPC), () -> Files.readAllLines(Path.of("/proc/sysvipc/shm")).stream().skip(1)
                    .map(l -> l.trim().split("\\s+")).filter(f -> f.length > 3 && f[3].equals("4096")).count()));
        }
        b.java("mq_open(\"" + QUEUE + "\", O_CREAT|O_EXCL) on a thread in container a's IPC namespace");
        NsThread.inNamespacesOf(a, EnumSet.of(Ns.IPC), () -> {
            Sys.mqCreate(QUEUE);
            return null;
        });
        for (var side : sides.entrySet()) {
            b.show("mq_open(\"" + QUEUE + "\", O_RDONLY), " + side.getKey(), NsThread.inNamespacesOf(side.getValue(),
                EnumSet.of(Ns.IPC), () -> Sys.mqExists(QUEUE)) ? "opened" : "ENOENT (no such queue)");
        }
        b.sh("nsenter --target " + a + " --ipc --mount sh -c 'mount -t mqueue mqueue /mnt && touch /mnt/lab10-shell && ls /mnt'");
        b.sh("ipcs --shmems | grep -c 4096");
    }

    static void cgroupNamespace(Bench b) {
        MemoryCgroup g = b.memoryCgroup(CGROUP);
        String procs = g.dir().resolve("cgroup.procs").toString();
        String line = g.v2() ? "^0::" : ":memory:";
        b.sh("sh -c 'echo $$ > " + procs + "; grep \"" + line + "\" /proc/self/cgroup; unshare --cgroup grep \""
            + line + "\" /proc/self/cgroup'");
    }

    static void timeNamespace(Bench b) {
        double outside = uptime(Cmd.run("cat", "/proc/uptime").orThrow().out());
        String unshare = "unshare --user --map-root-user --time --boottime 86400 ";
        double inside = uptime(Cmd.run((unshare + "cat /proc/uptime").split(" ")).orThrow().out());
        b.java(unshare + "cat /proc/uptime, and cat /proc/uptime");
        b.show("inside minus outside, seconds (to the nearest 10)", Math.round((inside - outside) / 10) * 10);
        b.sh(unshare + "cat /proc/self/timens_offsets");
        long dateOutside = Long.parseLong(Cmd.run("date", "+%s").orThrow().out().strip());
        long dateInside = Long.parseLong(Cmd.run((unshare + "date +%s").split(" ")).orThrow().out().strip());
        b.show("date +%s inside minus outside, seconds (to the nearest 10)", Math.round((dateInside - dateOutside) / 10.0) * 10);
        b.sh(unshare + "readlink /proc/self/ns/time; readlink /proc/self/ns/time");
    }

    static double uptime(String procUptime) {
        return Double.parseDouble(procUptime.trim().split("\\s+")[0]);
    }

    static void mixing(Bench b) {
        long a = pidOf(A), bb = pidOf(B);
        b.sh("nsenter --net=/proc/" + a + "/ns/net --uts=/proc/" + bb + "/ns/uts --pid=/proc/" + bb
            + "/ns/pid sh -c 'hostname; ip -brief link; grep NSpid /proc/self/status'");
        Map<Ns, Long> from = new EnumMap<>(Ns.class);
        from.put(Ns.NET, a);
        from.put(Ns.UTS, bb);
        b.java("setns(a's net); setns(b's uts) on one thread, then its hostname and interfaces");
        try (NsThread t = NsThread.enter(from)) {
            b.show("hostname", t.call(Processes::hostname));
            b.show("the thread's net, a's net", Ns.NET.label(t.id(Ns.NET)) + ", " + Ns.NET.label(Ns.NET.idOf(a)));
        }
    }

    static void setnsFromJava(Bench b) throws Exception {
        long a = pidOf(A);
        // a process in new user, cgroup and time namespaces, for the three types the containers share with the host
        b.willCreate(new KernelObject.ProcessesNamed(HELPER));
        Cmd.run("bash", "-c", "unshare --user --map-root-user --cgroup --time --boottime 3600 --fork bash -c 'exec -a "
            + HELPER + " sleep infinity' </dev/null >/dev/null 2>&1 &").orThrow();
        long helper = Wait.forValue(java.time.Duration.ofSeconds(5), () -> Processes.withArgv0(HELPER).stream().findFirst())
            .orElseThrow(() -> new IllegalStateException(HELPER + " did not start within 5 s"));
        b.show("targets", "container a (pid " + a + ") for mnt, uts, ipc, pid, net; " + HELPER + " (pid " + helper
            + ", unshare --user --cgroup --time) for user, cgroup, time");
        for (Ns t : Ns.available()) {
            long target = EnumSet.of(Ns.USER, Ns.CGROUP, Ns.TIME).contains(t) ? helper : a;
            b.show("setns(/proc/" + target + "/ns/" + t.file + ", " + Sys.cloneFlags(t.flag) + ")", trySetns(target, t));
        }
        b.java("unshare(CLONE_FS), then setns(/proc/" + a + "/ns/mnt, CLONE_NEWNS) on a new thread");
        try (NsThread t = NsThread.enter(a, EnumSet.of(Ns.MNT))) {
            b.show("joined; the thread reads /proc/1/cmdline", t.call(() -> Files.readString(Path.of("/proc/1/cmdline"))
                .replace('\0', ' ').strip()) + " (the container's PID 1, through its /proc)");
        }
        new KernelObject.ProcessesNamed(HELPER).undo();
    }

    /** What setns(2) of one type does to a fresh thread: joined (and where that shows), or the errno. */
    static String trySetns(long target, Ns t) {
        try (NsThread th = NsThread.setnsOnly(target, t)) {
            long tid = th.tid();
            if (t == Ns.PID || t == Ns.TIME) {
                long own = t.idOf(tid), children = Ns.idAt(Path.of("/proc", String.valueOf(tid), "ns", t.file + "_for_children"));
                return "joined: the thread's own " + t.file + " is " + (own == t.idOf(host()) ? "still the JVM's" : "changed")
                    + ", its " + t.file + "_for_children is " + (children == t.idOf(target) ? "the target's" : "unchanged");
            }
            return "joined: the thread's " + t.file + " is " + (th.id(t) == t.idOf(target) ? "the target's" : "unchanged (?)")
                + (t == Ns.UTS ? ", hostname " + th.call(Processes::hostname) : "");
        } catch (SysCallException e) {
            return e.symbol() + " (" + unboxed.sys.Errno.describe(e.errno()) + ")";
        }
    }

    static void docker(Bench b) {
        if (!Cmd.has("docker")) {
            b.show("docker", "not installed here (the VM leaves it out; `apt-get install docker.io` adds it): the lines above show what it would do");
            return;
        }
        if (!KernelObject.DockerContainer.engine()) {
            b.show("docker", "installed, but `docker info` reaches no engine: start it (`systemctl start docker`) to see this step");
            return;
        }
        java.nio.file.Path rootfs = unboxed.ns.Rootfs.ready(b::say);
        b.java("tar -C " + rootfs + " -c . | docker import - " + IMAGE + "; docker run --detach --name " + DOCKER
            + " --network none " + IMAGE + " sleep 3600");
        long pid = b.dockerRun(DOCKER, IMAGE, rootfs, List.of("--network", "none"), List.of("sleep", "3600"));
        b.show("docker inspect --format '{{.State.Pid}}' " + DOCKER, pid);
        for (Sharing.Row r : Sharing.of(pid, Sharing.refs("the host", host()))) {
            b.show(r.type().file, r.sharedWith().isEmpty() ? "its own" : "the host's");
        }
        b.sh("nsenter --target " + pid + " --net ip -brief address");
        b.sh("nsenter --target " + pid + " --uts hostname | wc -c   # a container id's first 12 characters, and a newline");
        new KernelObject.DockerContainer(DOCKER, IMAGE).undo();
        b.show("docker rm --force " + DOCKER + "; docker rmi " + IMAGE, "done");
    }

    // ---- the solution, from Java ---------------------------------------------------------------------------------

    static void attach(Bench b) {
        try (NsThread t = NsThread.enter(pidOf(A), EnumSet.of(Ns.NET))) {
            b.pinNetns(t, A);
        }
    }

    static void sidecar(Bench b) {
        Map<Ns, Long> from = new EnumMap<>(Ns.class);
        from.put(Ns.NET, pidOf(A));
        from.put(Ns.IPC, pidOf(A));
        from.put(Ns.PID, pidOf(B));
        b.willCreate(new KernelObject.ProcessesNamed(DEBUG));
        try (NsThread t = NsThread.enter(from)) {
            Reapers.ready(2); // the thread's children go to b's pid namespace: it may not create reaper threads itself
            t.call(() -> new ProcessBuilder("bash", "-c", "exec -a " + DEBUG + " sleep infinity")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
        Wait.until(java.time.Duration.ofSeconds(5), () -> !Processes.withArgv0(DEBUG).isEmpty());
    }

    // ---- exercise checks: kernel state only ---------------------------------------------------------------------

    static final String NO_CONTAINERS = "is not running (no process with argv[0] %s is PID 1 of a pid namespace): "
        + "`sudo ./jbang lab10 prepare` starts both containers";

    static Verdict checkAttached() {
        Optional<Long> a = Boxes.find(A);
        if (a.isEmpty()) return fail("container a " + String.format(NO_CONTAINERS, A));
        Path name = Netns.path(A);
        if (!Files.exists(name)) {
            return fail("ip netns list shows no lab10-a: there is no file /run/netns/lab10-a");
        }
        if (!Mounts.isMountPoint(name.toString())) {
            return fail("/run/netns/lab10-a is a plain file, not a bind mount of a network namespace: mount --bind "
                + "/proc/PID/ns/net /run/netns/lab10-a");
        }
        long id = Netns.id(A);
        Optional<Long> bb = Boxes.find(B);
        if (Sharing.id(Ns.NET, a.get()).filter(x -> x == id).isPresent()) return pass();
        if (bb.isPresent() && Sharing.id(Ns.NET, bb.get()).filter(x -> x == id).isPresent()) {
            return fail("lab10-a names container b's network namespace (" + Ns.NET.label(id) + "), not container a's: "
                + "attach the pid of lab10-a");
        }
        if (id == Ns.NET.idOf(host())) return fail("lab10-a names the host's own network namespace, not container a's");
        return fail("lab10-a names " + Ns.NET.label(id) + ", and container a is in " + Ns.NET.label(Ns.NET.idOf(a.get()))
            + " (a container started before the last prepare? ip netns delete lab10-a, then attach again)");
    }

    /** The lab10-debug processes, the one that satisfies the most criteria first. */
    static Optional<Long> sidecarPid() {
        List<Long> all = new ArrayList<>(Processes.withArgv0(DEBUG));
        all.sort(java.util.Comparator.comparingInt(p -> -score(p)));
        return all.stream().findFirst();
    }

    private static int score(long pid) {
        int s = 0;
        if (whose(pid, Ns.NET).equals("container a")) s++;
        if (whose(pid, Ns.IPC).equals("container a")) s++;
        if (whose(pid, Ns.PID).equals("container b")) s++;
        if (whose(pid, Ns.MNT).equals("the host")) s++;
        if (whose(pid, Ns.UTS).equals("the host")) s++;
        return s;
    }

    /** Whose namespace of this type a process is in: "the host", "container a", "container b", or "none of them". */
    static String whose(long pid, Ns type) {
        return Sharing.of(pid, type, references()).map(Sharing.Row::owner).orElse("gone");
    }

    static final String NONE = "no process has argv[0] lab10-debug (/proc/PID/cmdline): start one with `bash -c 'exec -a "
        + "lab10-debug sleep infinity'` under nsenter, and leave it running";

    static Verdict checkSidecar() {
        return Verdict.when(sidecarPid().isPresent(), NONE);
    }

    /** The sidecar's namespaces of these types must be {@code wanted}'s ("container a", "the host"...). */
    static Verdict sidecarIn(String wanted, String advice, Ns... types) {
        for (String c : List.of(A, B)) {
            if (Boxes.find(c).isEmpty()) return fail("container " + c.substring(6) + " " + String.format(NO_CONTAINERS, c));
        }
        Optional<Long> p = sidecarPid();
        if (p.isEmpty()) return fail(NONE);
        List<String> wrong = new ArrayList<>();
        for (Ns t : types) {
            String owner = whose(p.get(), t);
            if (!owner.equals(wanted)) wrong.add("its " + t.file + " namespace is " + possessive(owner));
        }
        if (wrong.isEmpty()) return pass();
        return fail("pid " + p.get() + " (lab10-debug): " + String.join(", ", wrong) + ", not " + possessive(wanted)
            + ": " + advice);
    }

    static String possessive(String owner) {
        return switch (owner) {
            case "none of them" -> "a namespace of its own (neither a's, b's nor the host's)";
            case "gone" -> "unreadable (the process exited)";
            default -> owner + "'s";
        };
    }

    static Verdict checkNetIpc() {
        return sidecarIn("container a", "nsenter --target A_PID --net --ipc (or --net=/proc/A_PID/ns/net "
            + "--ipc=/proc/A_PID/ns/ipc)", Ns.NET, Ns.IPC);
    }

    static Verdict checkPid() {
        return sidecarIn("container b", "nsenter --pid=/proc/B_PID/ns/pid (a's pid namespace is a's processes, "
            + "not the ones the sidecar should see)", Ns.PID);
    }

    static Verdict checkHost() {
        boolean ownMount = sidecarPid().map(p -> whose(p, Ns.MNT).equals("none of them")).orElse(false);
        return sidecarIn("the host", ownMount ? "`ip netns exec` runs its command in a mount namespace of its own (to "
            + "remount /sys): take the name's network namespace with nsenter --net=/run/netns/lab10-a instead"
            : "do not pass --mount or --uts (nor --all): the sidecar uses the host's files, tools and hostname",
            Ns.MNT, Ns.UTS);
    }
}
