///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab08CapsSeccomp

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.lab.LabException;
import unboxed.ns.NsThread;
import unboxed.ns.Processes;
import unboxed.ns.Rootfs;
import unboxed.sys.Capabilities;
import unboxed.sys.Cmd;
import unboxed.sys.Errno;
import unboxed.sys.Seccomp;
import unboxed.sys.Sys;

/**
 * Lab 08: capabilities, no_new_privs and seccomp. Root in a container is root with most of its powers taken away:
 * capability sets shrunk, no way to gain new privileges, and a filter on the system calls it may make.
 * Story, steps, exercise and checks, top to bottom; the mechanics are in lib (unboxed.sys Capabilities, Seccomp).
 */
class Lab08CapsSeccomp {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    static final Path WORK = Path.of("/var/lib/unboxed/lab08");
    static final Path JAIL = WORK.resolve("jail"), SETUID_ID = WORK.resolve("id-setuid");
    static final String DUMMY = "lab08-dummy";
    /** The exercise's process, found by its argv[0]. */
    static final String SANDBOXED = "lab08-sandboxed";
    /** The three capabilities the exercise takes away. */
    static final String[] DROPPED = {"CAP_SYS_ADMIN", "CAP_SYS_CHROOT", "CAP_NET_RAW"};
    /** The calls the exercise's filter must refuse with EPERM, and the ordinary ones it must let through. */
    static final List<String> DENIED = List.of("mkdir", "mkdirat");
    static final List<String> ORDINARY = List.of("read", "write", "nanosleep", "clock_nanosleep", "exit_group");
    /** Docker's default capabilities (moby's oci/caps/defaults.go): 14 of them. */
    static final List<String> DOCKER_DEFAULT = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
        "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    static final String SETPRIV = "setpriv --bounding-set -sys_admin,-sys_chroot,-net_raw "
        + "--inh-caps -sys_admin,-sys_chroot,-net_raw --no-new-privs";

    static Lab lab() {
        return Lab.define("lab08", "Capabilities, no_new_privs and seccomp")
            .summary("Read a process's five capability sets, take capabilities away and watch chroot, ip and ping fail, "
                + "stop setuid with no_new_privs, and filter system calls with seccomp from Java, on a thread of its own.")
            .minutes(40)
            .objectives(
                "Read and decode the five capability sets of a process from /proc/PID/status",
                "Say which capabilities Docker keeps by default, and why CAP_SYS_ADMIN is not one of them",
                "Drop capabilities with setpriv and capsh, and predict what then fails with EPERM",
                "Explain what no_new_privs does to a setuid program",
                "Build a seccomp filter (classic BPF), install it on one thread, and read it back from the kernel")
            .prerequisites("A Linux machine or VM where you are root (sudo)", "Labs 01 to 04 (chroot, namespaces)")
            .needs("setpriv", "capsh", "ip", "ping", "chroot", "unshare")
            .story("""
                Root in a container is uid 0, yet it cannot load a kernel module, reboot the host or mount the host's
                disks. Since Linux 2.2 the kernel does not ask "is this root?" but "does this thread hold the
                **capability** for this?" (capabilities(7)): root's power is split into about forty capabilities,
                and a process keeps them in five sets that /proc/PID/status shows as hex masks. A container runtime
                starts its processes as root with most of them taken away: Docker keeps 14.

                Two more locks close the door. **no_new_privs** (prctl(2) PR_SET_NO_NEW_PRIVS) promises that nothing
                this process runs can gain privileges: a setuid program runs, but as the caller. And **seccomp**
                (seccomp(2)) puts a filter in front of every system call: a small classic BPF program that looks at
                the call's number and architecture and says allow, fail with an errno, or kill. Docker's default
                filter refuses calls such as `unshare`, `mount` and `keyctl`.

                Like namespaces, all three belong to **threads**: the lab drops capabilities and installs filters on
                threads of its own, and the rest of the JVM keeps its powers.
                """)
            .makes(new KernelObject.DirTree(WORK), new KernelObject.Link(DUMMY, null))
            .owns(new KernelObject.ProcessesNamed(SANDBOXED))
            .command("sandbox", "Run a command under a seccomp filter: sandbox [--errno NAME | --kill] --deny CALL,... "
                + "COMMAND [ARG...] (it waits for the command and exits with its status)", Lab08CapsSeccomp::sandbox)

            .step("Five capability sets", s -> s
                .explain("""
                    Every thread has five capability sets (capabilities(7)): **effective** (what the kernel checks
                    now), **permitted** (what it may make effective), **inheritable** and **ambient** (what may pass
                    through execve), and the **bounding** set (the ceiling: what it can ever get again at an execve).
                    /proc/PID/status prints them as 64-bit masks, one bit per capability number.
                    """)
                .shell("grep Cap /proc/$$/status")
                .does(Lab08CapsSeccomp::fiveSets)
                .observe("As root, CapPrm, CapEff and CapBnd hold every capability this kernel knows; CapInh and CapAmb are empty."))
            .diagram("Five sets per thread, and what execve makes of them (root, capabilities(7))", d -> d
                .panel("a thread", "grep Cap /proc/PID/status")
                .node("CapBnd", "bounding: the ceiling").mark()
                .node("CapInh", "inheritable")
                .node("CapPrm", "permitted: may be made effective")
                .node("CapEff", "effective: what the kernel checks")
                .node("CapAmb", "ambient")
                .panel("after execve", "a program started by root")
                .node("CapBnd'", "unchanged")
                .node("CapInh'", "unchanged")
                .node("CapPrm'", "CapBnd | CapInh | CapAmb")
                .node("CapEff'", "= CapPrm'")
                .node("CapAmb'", "kept; cleared for setuid or file caps")
                .arrow("a thread", "CapBnd", "after execve", "CapPrm'", "the most a program can get")
                .arrow("a thread", "CapInh", "after execve", "CapPrm'", "added on top")
                .arrow("a thread", "CapEff", "after execve", "CapEff'", "not carried over: recomputed"))

            .step("Root's full set, and Docker's 14", s -> s
                .explain("""
                    /proc/sys/kernel/cap_last_cap is the highest capability number this kernel knows. Docker starts a
                    container's processes with 14 of them (moby's oci/caps/defaults.go) and drops the rest, among
                    them CAP_SYS_ADMIN (mount, unshare, sethostname...), CAP_NET_ADMIN (interfaces, routes, firewall),
                    CAP_SYS_MODULE and CAP_SYS_PTRACE. `capsh --decode` turns a mask into names.
                    """)
                .shell("cat /proc/sys/kernel/cap_last_cap\ncapsh --decode=00000000a80425fb   # Docker's default 14")
                .does(Lab08CapsSeccomp::rootAndDocker)
                .observe("Docker's mask is 0xa80425fb; everything else root has here is dropped in a default container."))

            .step("Dropping capabilities: setpriv, capsh, and a thread of its own", s -> s
                .explain("""
                    `setpriv --bounding-set -sys_admin CMD` drops CAP_SYS_ADMIN from the bounding set and runs CMD.
                    As root, execve gives a program its inheritable set plus its bounding set (capabilities(7),
                    "Capabilities and execution of programs by root"): so it starts without CAP_SYS_ADMIN in any
                    set, and can never get it back. From Java, the lab drops it on a thread of its own
                    (prctl(PR_CAPBSET_DROP) and capset(2) for that thread only), and starts grep from that thread.
                    """)
                .shell("setpriv --bounding-set -sys_admin grep -E 'CapEff|CapBnd' /proc/self/status\n"
                    + "capsh --drop=cap_sys_admin -- -c 'grep CapBnd /proc/self/status'")
                .does(Lab08CapsSeccomp::dropOnAThread)
                .observe("Bit 21 (CAP_SYS_ADMIN) is gone from the thread and from grep; the JVM's main thread still has it."))

            .step("Without CAP_SYS_CHROOT, lab01's escape fails", s -> s
                .explain("""
                    Lab 01's escape out of a chroot needs chroot(2) twice, and chroot(2) needs CAP_SYS_CHROOT. The lab
                    chroots a thread into an empty directory, drops CAP_SYS_CHROOT on that thread, and runs the same
                    escape (mkdir, chroot, chdir .. many times, chroot .): the first chroot fails with EPERM. Docker
                    keeps CAP_SYS_CHROOT (its containers may chroot); what keeps them in is pivot_root in a mount
                    namespace of their own (lab01).
                    """)
                .shell("capsh --drop=cap_sys_chroot -- -c 'chroot / true'   # fails: Operation not permitted")
                .does(Lab08CapsSeccomp::chrootEscapeFails)
                .observe("The escape stops at its first chroot: EPERM, Operation not permitted."))

            .step("Without CAP_NET_ADMIN and CAP_NET_RAW", s -> s
                .explain("""
                    Creating an interface needs CAP_NET_ADMIN (the kernel answers the netlink request with EPERM).
                    A raw socket, as ping opens for ICMP, needs CAP_NET_RAW (raw(7)). Debian's ping carries the file
                    capability cap_net_raw=ep; a program whose file capabilities are marked effective must receive
                    all of them at execve, or execve itself fails with EPERM (capabilities(7), "Safety checking for
                    capability-dumb binaries"). Without CAP_NET_RAW, ping can fall back on an ICMP datagram socket
                    only if net.ipv4.ping_group_range includes the caller's group (icmp(7)).
                    """)
                .shell("capsh --drop=cap_net_admin -- -c 'ip link add lab08-dummy type dummy'   # fails: Operation not permitted\n"
                    + "capsh --drop=cap_net_raw -- -c 'ping -c1 -W1 127.0.0.1'   # fails: Operation not permitted\n"
                    + "sysctl net.ipv4.ping_group_range")
                .does(Lab08CapsSeccomp::netCaps)
                .observe("""
                    ip link add fails with EPERM. What ping does depends on the machine: where ping has file
                    capabilities it cannot even start (execve: Operation not permitted); a setuid ping runs but
                    cannot open its raw socket; with a ping_group_range that includes root's group, ping -c1 still
                    answers through an ICMP datagram socket.
                    """))

            .step("no_new_privs: a setuid program gains nothing", s -> s
                .explain("""
                    A setuid-root program runs with euid 0, whoever starts it. After
                    prctl(PR_SET_NO_NEW_PRIVS, 1) (setpriv --no-new-privs), execve no longer honours setuid bits or
                    file capabilities (prctl(2)): the program runs as its caller. The flag is inherited by children
                    and can never be cleared. The lab copies id(1) as a setuid-root program and runs it as nobody.
                    """)
                .shell("""
                    mkdir -p /var/lib/unboxed/lab08 && install -m 4755 /usr/bin/id /var/lib/unboxed/lab08/id-setuid
                    setpriv --reuid=nobody --regid=nogroup --clear-groups /var/lib/unboxed/lab08/id-setuid
                    setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs /var/lib/unboxed/lab08/id-setuid
                    """)
                .does(Lab08CapsSeccomp::noNewPrivs)
                .observe("The first prints euid=0(root); under no_new_privs the same program prints no euid: it stays nobody."))

            .step("A seccomp filter from Java, on a thread of its own", s -> s
                .explain("""
                    The filter is a classic BPF program over struct seccomp_data {nr, arch, instruction_pointer,
                    args[6]}: load the architecture and kill a call made under another one (the same number means
                    another call there), load the syscall number, and return SECCOMP_RET_ERRNO|EPERM for mkdir and
                    mkdirat, SECCOMP_RET_ALLOW for everything else. The lab installs it with
                    prctl(PR_SET_NO_NEW_PRIVS, 1) and seccomp(SECCOMP_SET_MODE_FILTER) on a thread of its own: that
                    thread, and every program started from it, is filtered; the JVM's other threads are not.
                    From the repository's directory, `./jbang lab08 sandbox --deny mkdir,mkdirat mkdir /tmp/x` does
                    the same for a command (util-linux has no seccomp tool; systemd-run's SystemCallFilter= is one).
                    """)
                .shell("grep -E 'Seccomp|NoNewPrivs' /proc/$$/status   # prints: Seccomp:")
                .does(Lab08CapsSeccomp::seccompOnAThread)
                .observe("""
                    The filtered thread shows Seccomp: 2 and Seccomp_filters: 1 in /proc/self/task/TID/status; the
                    main thread shows Seccomp: 0. mkdir fails with EPERM on that thread and in the program it starts,
                    and works on the main thread.
                    """))
            .diagram("A system call's path through the filter", d -> d
                .panel("the filtered thread", "and every program it starts afterwards")
                .node("mkdir(\"/var/lib/unboxed/lab08/try\")", "returns -1, errno EPERM")
                .node("read(fd, buf, n)", "goes ahead")
                .panel("the seccomp filter", "classic BPF over seccomp_data")
                .node("arch: this machine's?", "no: KILL_PROCESS")
                .node("nr: mkdir or mkdirat?", "yes: ERRNO(EPERM)").mark()
                .node("any other nr", "ALLOW")
                .panel("the kernel", "")
                .node("the call's handler", "runs only on ALLOW")
                .arrow("the filtered thread", "read(fd, buf, n)", "the seccomp filter", "arch: this machine's?", "every call, first")
                .arrow("the seccomp filter", "nr: mkdir or mkdirat?", "the filtered thread", "mkdir(\"/var/lib/unboxed/lab08/try\")",
                    "ERRNO(EPERM): back to the caller")
                .arrow("the seccomp filter", "any other nr", "the kernel", "the call's handler", "ALLOW"))

            .step("Reading a filter back, and what Docker's default profile refuses", s -> s
                .explain("""
                    Root can read any task's filters back from the kernel: ptrace(PTRACE_SECCOMP_GET_FILTER) hands
                    out the BPF instructions of filter 0 (the newest), 1, ... until ENOENT, if the tracer has
                    CAP_SYS_ADMIN and the task is stopped under ptrace (ptrace(2)). The lab attaches with PTRACE_SEIZE,
                    stops the task with PTRACE_INTERRUPT, reads, detaches, and runs the instructions in an
                    interpreter of its own. Docker's default profile works the other way round: an allowlist of
                    about 300 calls, and EPERM for the rest (docs.docker.com/engine/security/seccomp): among them
                    `keyctl`, `add_key` and `request_key` (keys are not namespaced), and, unless the container has
                    CAP_SYS_ADMIN, `mount`, `umount2`, `unshare`, `setns` and `clone` with namespace flags.
                    """)
                .shell("grep Seccomp /proc/1/status   # PID 1: under a filter in a default Docker container")
                .does(Lab08CapsSeccomp::readBackAndDocker)
                .observe("The filter read back from the kernel is the one built, and it decides as built: EPERM for "
                    + "unshare, mount and keyctl, ALLOW for read."))

            .exercise("""
                Start a long-running process as root whose argv[0] is `lab08-sandboxed`, for instance
                `exec -a lab08-sandboxed sleep infinity`, where:

                - CAP_SYS_ADMIN, CAP_SYS_CHROOT and CAP_NET_RAW are in neither its bounding set nor its effective set
                  (other capabilities may stay);
                - NoNewPrivs is 1;
                - it runs under a seccomp filter that makes `mkdir` and `mkdirat` fail with EPERM and allows ordinary
                  calls (read, write, nanosleep, clock_nanosleep, exit_group).

                The capabilities and no_new_privs come from `setpriv`. For the filter: in a VM with systemd,
                `systemd-run -p SystemCallFilter=~mkdir,mkdirat -p SystemCallErrorNumber=EPERM ...`; on any machine,
                `./jbang lab08 sandbox --deny mkdir,mkdirat COMMAND`, or the library's `Seccomp` from `./jbang shell`.
                The check reads the filter back from the kernel and runs it for those calls.
                """)
            .diagram("What you build", d -> d
                .panel(SANDBOXED, "a root process: exec -a lab08-sandboxed sleep infinity").yours()
                .node("CapBnd, CapEff", "without CAP_SYS_ADMIN, CAP_SYS_CHROOT, CAP_NET_RAW").yours()
                .node("NoNewPrivs: 1", "setpriv --no-new-privs").yours()
                .node("Seccomp: 2", "a filter: mkdir, mkdirat fail with EPERM").yours()
                .panel("the check", "kernel state only")
                .node("/proc/PID/status", "caps and NoNewPrivs")
                .node("PTRACE_SECCOMP_GET_FILTER", "reads the filter back, runs it")
                .arrow("the check", "/proc/PID/status", SANDBOXED, "NoNewPrivs: 1", "reads")
                .arrow("the check", "PTRACE_SECCOMP_GET_FILTER", SANDBOXED, "Seccomp: 2", "mkdir? read? exit_group?"))
            .check("process", "A process whose argv[0] is lab08-sandboxed runs as root (uid 0)", 1, Lab08CapsSeccomp::checkProcess)
            .check("bounding", "CAP_SYS_ADMIN, CAP_SYS_CHROOT and CAP_NET_RAW are not in its bounding set", 2,
                Lab08CapsSeccomp::checkBounding)
            .check("effective", "... nor in its effective set", 2, Lab08CapsSeccomp::checkEffective)
            .check("nnp", "NoNewPrivs is 1", 1, Lab08CapsSeccomp::checkNoNewPrivs)
            .check("denies", "Its seccomp filter makes mkdir and mkdirat fail with EPERM", 2, Lab08CapsSeccomp::checkDenies)
            .check("allows", "... and allows read, write, the sleeps and exit_group", 2, Lab08CapsSeccomp::checkAllows)
            .solution(s -> s.refuseWhileOwnedPresent()
                .line(SETPRIV + " ./jbang lab08 sandbox --deny mkdir,mkdirat bash -c 'exec -a lab08-sandboxed sleep "
                    + "infinity' >/dev/null 2>&1 &", Lab08CapsSeccomp::sandboxed)
                    .answers("process", "bounding", "effective", "nnp", "denies", "allows"))

            .question("A root process has CAP_SYS_ADMIN in its effective set but not in its bounding set. What happens "
                    + "to CAP_SYS_ADMIN when it execs a program?", 2,
                "As root, execve gives the new program its inheritable set plus its bounding set (capabilities(7)). "
                    + "Not in the bounding set means gone, unless the inheritable set still holds it: which is why "
                    + "setpriv has --inh-caps too.",
                "It is kept: effective capabilities survive execve", "It is an error: execve fails with EPERM",
                "It is lost, unless it is in the inheritable set", "It moves to the ambient set")
            .question("Which of these does Docker keep by default?", 0,
                "CAP_SYS_CHROOT is one of Docker's 14 (moby's oci/caps/defaults.go); CAP_SYS_ADMIN, CAP_NET_ADMIN and "
                    + "CAP_DAC_READ_SEARCH are dropped.",
                "CAP_SYS_CHROOT", "CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_DAC_READ_SEARCH")
            .question("A Java thread installs a seccomp filter that denies mkdir. Which of these is filtered?", 1,
                "A filter belongs to the thread that installed it and to what that thread starts afterwards "
                    + "(seccomp(2): inherited across fork/clone and kept across execve); other threads are not "
                    + "filtered (unless SECCOMP_FILTER_FLAG_TSYNC is asked for).",
                "Every thread of the JVM, since threads share one process",
                "That thread and the programs it starts afterwards", "Only the programs it starts, never the thread itself")
            .question("Under no_new_privs, a user runs a setuid-root program. What is its effective uid?", 3,
                "prctl(2): with no_new_privs set, execve does not grant privileges: the setuid bit is ignored and "
                    + "the program runs with the caller's ids.",
                "0: the setuid bit wins over no_new_privs", "None: execve fails with EPERM and nothing runs", "The owner of the parent directory",
                "The caller's: the setuid bit is ignored")
            .reading("capabilities(7)", "seccomp(2)", "prctl(2)", "setpriv(1)", "capsh(1)", "ptrace(2)", "proc(5)",
                "icmp(7)", "raw(7)", "Linux kernel's seccomp_filter.rst <https://docs.kernel.org/userspace-api/seccomp_filter.html>",
                "Docker's seccomp profiles <https://docs.docker.com/engine/security/seccomp/>",
                "moby's default capabilities (oci/caps/defaults.go) <https://github.com/moby/moby/blob/master/oci/caps/defaults.go>")
            .build();
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    static void fiveSets(Bench b) {
        Capabilities c = Capabilities.ofThisThread();
        b.java("read /proc/thread-self/status (CapInh, CapPrm, CapEff, CapBnd, CapAmb)");
        for (String set : Capabilities.SETS) {
            long v = c.set(set);
            b.show(set, Capabilities.hex(v) + " (" + Long.bitCount(v) + " capabilities)");
        }
        b.show("CapEff decoded, first five", String.join(", ", Capabilities.decode(c.effective()).stream().limit(5)
            .map(n -> n + "(" + Capabilities.number(n) + ")").toList()) + ", ...");
    }

    static void rootAndDocker(Bench b) {
        long all = Capabilities.all(), eff = Capabilities.ofThisThread().effective();
        b.show("capabilities this kernel knows", Long.bitCount(all) + " (0 to " + (Long.bitCount(all) - 1) + ")");
        b.show("root's effective set here", Long.bitCount(eff) + (eff == all ? " (all of them)"
            : " (all but " + String.join(", ", Capabilities.decode(all & ~eff)) + ", outside this machine's bounding set)"));
        long docker = Capabilities.mask(DOCKER_DEFAULT.toArray(String[]::new));
        b.show("Docker keeps (" + DOCKER_DEFAULT.size() + ", mask " + Long.toHexString(docker) + ")", Capabilities.describe(docker));
        b.show("Docker drops (" + Long.bitCount(all & ~docker) + ")", String.join(", ", Capabilities.decode(all & ~docker)));
        b.sh("capsh --decode=" + Capabilities.hex(docker));
    }

    static void dropOnAThread(Bench b) {
        try (NsThread t = NsThread.own("caps", () -> Capabilities.dropOnThisThread("CAP_SYS_ADMIN"))) {
            b.java("prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN); capset(this thread, without CAP_SYS_ADMIN) on thread " + t.tid());
            long pid = ProcessHandle.current().pid();
            Capabilities main = Capabilities.ofThisThread(), th = Capabilities.ofThread(pid, t.tid()).orElseThrow();
            b.show("main thread: CapEff / CapBnd", Capabilities.hex(main.effective()) + " / " + Capabilities.hex(main.bounding()));
            b.show("thread " + t.tid() + ": CapEff / CapBnd", Capabilities.hex(th.effective()) + " / " + Capabilities.hex(th.bounding()));
            b.show("CAP_SYS_ADMIN on the main thread / thread " + t.tid(),
                Capabilities.has(main.effective(), "sys_admin") + " / " + Capabilities.has(th.effective(), "sys_admin"));
            b.java("new ProcessBuilder(\"grep\", \"-E\", \"CapEff|CapBnd\", \"/proc/self/status\").start() on that thread");
            b.console().output(t.call(() -> Cmd.run("grep", "-E", "CapEff|CapBnd", "/proc/self/status").orThrow().out()));
        }
        b.sh("setpriv --bounding-set -sys_admin grep -E 'CapEff|CapBnd' /proc/self/status");
    }

    static void chrootEscapeFails(Bench b) throws Exception {
        b.dir(JAIL);
        String host = Rootfs.rootIdentity();
        // loaded before the chroot: a class path directory (not a jar already open) is out of the jail's reach
        Class<?>[] needed = {unboxed.sys.SysCallException.class, Errno.class, Rootfs.class};
        try (NsThread jail = NsThread.ownFilesystem()) {
            b.java("unshare(CLONE_FS); chroot(\"" + JAIL + "\"); chdir(\"/\") on thread " + jail.tid());
            jail.run(() -> {
                Sys.chroot(JAIL.toString());
                Sys.chdir("/");
            });
            b.java("prctl(PR_CAPBSET_DROP, CAP_SYS_CHROOT); capset(without CAP_SYS_CHROOT) on that thread");
            jail.run(() -> Capabilities.dropOnThisThread("CAP_SYS_CHROOT"));
            b.java("lab01's escape: mkdir(\"/escape-hatch\"); chroot(\"escape-hatch\"); chdir(\"..\") x64; chroot(\".\")");
            String outcome;
            try {
                String reached = jail.call(() -> Rootfs.escapeChroot("escape-hatch"));
                outcome = reached.equals(host) ? "escaped to the host's / (" + reached + ")" : "ended in " + reached;
            } catch (unboxed.sys.SysCallException e) {
                outcome = e.call() + " failed: " + e.symbol() + " (" + Errno.describe(e.errno()) + ")";
            }
            b.show("the escape", outcome);
            b.show("/ of the thread", jail.call(() -> Rootfs.rootIdentity()) + " (the jail; the host's / is " + host + ")");
        }
        b.sh("capsh --drop=cap_sys_chroot -- -c 'chroot / true'");
    }

    static void netCaps(Bench b) {
        b.willCreate(new KernelObject.Link(DUMMY, null)); // in case the kernel lets it through after all
        try (NsThread t = NsThread.own("netcaps", () -> Capabilities.dropOnThisThread("CAP_NET_ADMIN", "CAP_NET_RAW"))) {
            b.java("drop CAP_NET_ADMIN and CAP_NET_RAW on thread " + t.tid() + ", then start ip and ping from it");
            Cmd.Result ip = t.call(() -> Cmd.run("ip", "link", "add", DUMMY, "type", "dummy"));
            b.show("ip link add " + DUMMY + " type dummy", ip.ok() ? "succeeded" : "exit " + ip.exit() + ": " + ip.err().strip());
            Cmd.Result ping = t.call(() -> Cmd.run("ping", "-c1", "-W1", "127.0.0.1"));
            b.show("ping -c1 -W1 127.0.0.1", ping.ok() ? "answered" : "exit " + ping.exit() + ": "
                + (ping.err().isBlank() ? ping.out() : ping.err()).strip());
        } catch (RuntimeException e) {
            b.show("starting the program", e.getMessage()); // execve refused for a file-capability ping
        }
        b.sh("capsh --drop=cap_net_raw -- -c 'ping -c1 -W1 127.0.0.1'; sysctl net.ipv4.ping_group_range; getcap $(command -v ping)");
    }

    static void noNewPrivs(Bench b) throws Exception {
        b.dir(WORK);
        Files.setPosixFilePermissions(WORK, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.copy(Path.of(Cmd.run("bash", "-c", "command -v id").orThrow().out().strip()), SETUID_ID, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(SETUID_ID, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        b.java("copy id to " + SETUID_ID + ", chmod 4755 (setuid root)");
        Cmd.run("chmod", "4755", SETUID_ID.toString()).orThrow();
        b.sh("stat -c '%A %U:%G %n' " + SETUID_ID); // the mode with its s, without ls -l's date (a transcript that ages)
        b.sh("setpriv --reuid=nobody --regid=nogroup --clear-groups " + SETUID_ID);
        b.sh("setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs " + SETUID_ID);
    }

    static void seccompOnAThread(Bench b) throws Exception {
        b.dir(WORK);
        Seccomp.Filter f = Seccomp.denying(DENIED, Seccomp.errno(Errno.EPERM));
        b.show("the filter (" + f.insns().size() + " instructions)", String.join(" ", f.insns().stream().map(Object::toString).toList()));
        long pid = ProcessHandle.current().pid();
        try (NsThread t = NsThread.own("seccomp", () -> Seccomp.installOnThisThread(f))) {
            b.java("prctl(PR_SET_NO_NEW_PRIVS, 1); seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) on thread " + t.tid());
            b.show("/proc/" + pid + "/task/" + t.tid() + "/status", Seccomp.statusOfThread(pid, t.tid()).orElseThrow());
            b.show("/proc/" + pid + "/task/" + pid + "/status (main thread)", Seccomp.statusOfThread(pid, pid).orElseThrow());
            Path tryDir = WORK.resolve("try");
            b.java("Files.createDirectory(\"" + tryDir + "\") on thread " + t.tid());
            b.show("on the filtered thread", t.call(() -> attempt(tryDir)));
            b.java("new ProcessBuilder(\"mkdir\", \"" + tryDir + "\").start() on that thread");
            Cmd.Result r = t.call(() -> Cmd.run("mkdir", tryDir.toString()));
            b.show("mkdir started from it", r.ok() ? "created" : "exit " + r.exit() + ": " + r.err().strip());
            b.console().output(t.call(() -> Cmd.run("grep", "Seccomp", "/proc/self/status").orThrow().out()));
            b.java("Files.createDirectory(\"" + tryDir + "\") on the main thread");
            b.show("on the main thread", attempt(tryDir));
            Files.deleteIfExists(tryDir);
        }
    }

    static String attempt(Path dir) {
        try {
            Files.createDirectory(dir);
            return "created";
        } catch (java.io.IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    static void readBackAndDocker(Bench b) throws Exception {
        List<String> docker = List.of("unshare", "mount", "keyctl");
        Seccomp.Filter f = Seccomp.denying(docker, Seccomp.errno(Errno.EPERM));
        try (NsThread t = NsThread.own("seccomp-docker", () -> Seccomp.installOnThisThread(f))) {
            b.java("a filter denying unshare, mount, keyctl with EPERM, on thread " + t.tid() + "; unshare --uts true started from it");
            Cmd.Result r = t.call(() -> Cmd.run("unshare", "--uts", "true"));
            b.show("unshare --uts true", r.ok() ? "succeeded" : "exit " + r.exit() + ": " + r.err().strip());
            // a process started from the filtered thread, detached (bash forks it and exits) so it is not our child
            String tag = "lab08-readback";
            b.willCreate(new KernelObject.ProcessesNamed(tag));
            t.run(() -> Cmd.run("bash", "-c", "exec -a " + tag + " sleep 30 </dev/null >/dev/null 2>&1 &").orThrow());
            long child = waitForArgv0(tag);
            b.java("ptrace(PTRACE_SEIZE, " + child + "); PTRACE_INTERRUPT; waitpid; PTRACE_SECCOMP_GET_FILTER 0, 1, ...; PTRACE_DETACH");
            List<Seccomp.Filter> back = Seccomp.filtersOf(child);
            b.show("filters read back from pid " + child, back.size() + " (" + back.stream().map(x -> x.insns().size()
                + " instructions").toList() + ")");
            b.show("identical to the one built", back.size() == 1 && back.get(0).equals(f) ? "yes" : "no");
            for (String call : List.of("unshare", "mount", "keyctl", "read")) {
                b.show("the interpreter, for " + call, Seccomp.evaluate(back, call));
            }
            b.show("pid " + child + " after the read", Processes.state(child)
                .map(c -> c == 't' || c == 'T' ? "stopped (state " + c + "): not let go" : "running on, not stopped (detached)")
                .orElse("gone"));
            new KernelObject.ProcessesNamed(tag).undo();
        }
        b.show("Docker's default profile refuses (when the container lacks CAP_SYS_ADMIN)",
            "mount, umount2, unshare, setns, clone with namespace flags, pivot_root, ...; always: keyctl, add_key, request_key, ...");
    }

    static long waitForArgv0(String name) {
        long[] found = new long[1];
        unboxed.sys.Wait.until(java.time.Duration.ofSeconds(5), () -> {
            List<Long> p = Processes.withArgv0(name);
            if (!p.isEmpty()) found[0] = p.get(0);
            return !p.isEmpty();
        });
        if (found[0] == 0) throw new IllegalStateException("no process " + name + " appeared within 5 s");
        return found[0];
    }

    // ---- the lab's own command: sandbox ----------------------------------------------------------------------------

    /** `sandbox [--errno NAME|--kill] --deny CALL,... COMMAND [ARG...]`: the command, started from a filtered thread. */
    static int sandbox(List<String> args, PrintStream out, PrintStream err) throws Exception {
        List<String> deny = new ArrayList<>();
        int action = Seccomp.errno(Errno.EPERM);
        int i = 0;
        for (; i < args.size() && args.get(i).startsWith("-"); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                i++;
                break;
            }
            if (a.equals("--kill")) {
                action = Seccomp.RET_KILL_PROCESS;
            } else if ((a.equals("--deny") || a.equals("--errno")) && i + 1 < args.size()) {
                String v = args.get(++i);
                if (a.equals("--deny")) {
                    deny.addAll(List.of(v.split(",")));
                } else {
                    action = Seccomp.errno(errnoNamed(v));
                }
            } else {
                throw LabException.badInput("unknown or incomplete option " + a + " (sandbox [--errno NAME | --kill] "
                    + "--deny CALL,... COMMAND [ARG...])");
            }
        }
        if (deny.isEmpty() || i >= args.size()) {
            throw LabException.badInput("say what to deny and what to run: sandbox --deny mkdir,mkdirat COMMAND [ARG...]");
        }
        Seccomp.Filter f;
        try {
            f = Seccomp.denying(deny, action);
        } catch (IllegalArgumentException e) {
            throw LabException.badInput(e.getMessage());
        }
        List<String> command = args.subList(i, args.size());
        try (NsThread t = NsThread.own("sandbox", () -> Seccomp.installOnThisThread(f))) {
            Process p = t.call(() -> new ProcessBuilder(command).inheritIO().start());
            return p.waitFor();
        }
    }

    static int errnoNamed(String name) {
        for (int n = 1; n < 134; n++) if (Errno.symbol(n).equals(name)) return n;
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw LabException.badInput("--errno " + name + ": say EPERM, ENOSYS, ... or a number");
        }
    }

    // ---- the solution, from Java -----------------------------------------------------------------------------------

    /**
     * The solution's line, from Java: the same setpriv, started from a thread under the same filter. bash forks the
     * sleep into the background and exits, so the sandboxed process is no child of this JVM (a tracer's own child
     * would let the JDK's process reaper see its ptrace stops).
     */
    static void sandboxed(Bench b) {
        b.willCreate(new KernelObject.ProcessesNamed(SANDBOXED));
        Seccomp.Filter f = Seccomp.denying(DENIED, Seccomp.errno(Errno.EPERM));
        try (NsThread t = NsThread.own("sandbox", () -> Seccomp.installOnThisThread(f))) {
            List<String> argv = new ArrayList<>(List.of(SETPRIV.split(" ")));
            argv.addAll(List.of("bash", "-c", "exec -a " + SANDBOXED + " sleep infinity </dev/null >/dev/null 2>&1 &"));
            t.call(() -> Cmd.run(argv, 60).orThrow());
        }
        waitForArgv0(SANDBOXED);
    }

    // ---- exercise checks: kernel state only ---------------------------------------------------------------------

    /** The processes whose argv[0] is lab08-sandboxed, the one closest to the exercise first. */
    static List<Long> candidates() {
        List<Long> all = new ArrayList<>(Processes.withArgv0(SANDBOXED));
        all.sort(java.util.Comparator.comparingInt(p -> -score(p)));
        return all;
    }

    private static int score(long pid) {
        int s = uid(pid).filter(u -> u == 0).isPresent() ? 1 : 0;
        Optional<Capabilities> c = Capabilities.of(pid);
        if (c.isPresent() && missing(c.get().bounding()).isEmpty()) s++;
        if (c.isPresent() && missing(c.get().effective()).isEmpty()) s++;
        Optional<Seccomp.Status> st = Seccomp.status(pid);
        if (st.isPresent() && st.get().noNewPrivs()) s++;
        if (st.isPresent() && st.get().mode() == 2) s++;
        return s;
    }

    static Optional<Long> target() {
        List<Long> c = candidates();
        return c.isEmpty() ? Optional.empty() : Optional.of(c.get(0));
    }

    static final String NONE = "no process has argv[0] " + SANDBOXED + " (/proc/PID/cmdline): start one with `exec -a "
        + SANDBOXED + " sleep infinity` (inside bash -c '...'), and leave it running";

    static Optional<Integer> uid(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith("Uid:")) return Optional.of(Integer.parseInt(l.split("\\s+")[1]));
            }
        } catch (java.io.IOException e) {
            // gone
        }
        return Optional.empty();
    }

    /** Which of the three capabilities a set still holds. */
    static List<String> missing(long set) {
        return java.util.Arrays.stream(DROPPED).filter(c -> Capabilities.has(set, c)).toList();
    }

    static Verdict checkProcess() {
        Optional<Long> p = target();
        if (p.isEmpty()) return fail(NONE);
        int u = uid(p.get()).orElse(-1);
        return Verdict.when(u == 0, "pid " + p.get() + " runs as uid " + u + ": the exercise wants root (uid 0) with its "
            + "powers taken away, not another user");
    }

    static Verdict checkBounding() {
        return capsVerdict("bounding", "CapBnd", c -> c.bounding(), c -> c.effective(),
            "a program it execs could get them back: drop them with setpriv --bounding-set -sys_admin,...");
    }

    static Verdict checkEffective() {
        return capsVerdict("effective", "CapEff", c -> c.effective(), c -> c.bounding(),
            "it can use them now; with them in the inheritable set (CapInh) an exec as root gives them back even "
            + "outside the bounding set: clear them with setpriv --inh-caps -sys_admin,...");
    }

    private static Verdict capsVerdict(String name, String field, java.util.function.ToLongFunction<Capabilities> set,
                                       java.util.function.ToLongFunction<Capabilities> other, String why) {
        Optional<Long> p = target();
        if (p.isEmpty()) return fail(NONE);
        Optional<Capabilities> c = Capabilities.of(p.get());
        if (c.isEmpty()) return fail("pid " + p.get() + " ended while being read");
        List<String> left = missing(set.applyAsLong(c.get()));
        if (left.isEmpty()) return pass();
        List<String> notOther = left.stream().filter(x -> !Capabilities.has(other.applyAsLong(c.get()), x)).toList();
        return fail(String.join(", ", left) + (left.size() == 1 ? " is" : " are") + " still in its " + name + " set ("
            + field + " " + Capabilities.hex(set.applyAsLong(c.get())) + ")"
            + (notOther.isEmpty() ? "" : ", though not in the other set") + ": " + why);
    }

    static Verdict checkNoNewPrivs() {
        Optional<Long> p = target();
        if (p.isEmpty()) return fail(NONE);
        return Verdict.when(Seccomp.status(p.get()).map(Seccomp.Status::noNewPrivs).orElse(false),
            "pid " + p.get() + " has NoNewPrivs: 0 in /proc/" + p.get() + "/status: start it with setpriv --no-new-privs");
    }

    /** The filters of the target, read back from the kernel; a failure is the reason, never a pass. */
    static Object filters() {
        Optional<Long> p = target();
        if (p.isEmpty()) return fail(NONE);
        Seccomp.Status st = Seccomp.status(p.get()).orElse(null);
        if (st == null) return fail("pid " + p.get() + " ended while being read");
        if (st.mode() != 2) {
            return fail("pid " + p.get() + " has Seccomp: " + st.mode() + (st.mode() == 0 ? " (no filter)" : " (strict mode)")
                + ": start it from a filtered thread, e.g. ./jbang lab08 sandbox --deny mkdir,mkdirat COMMAND");
        }
        try {
            return Seccomp.filtersOf(p.get());
        } catch (RuntimeException e) {
            return fail("could not read pid " + p.get() + "'s filters back from the kernel: " + e.getMessage());
        }
    }

    static Verdict checkDenies() {
        return everyCall(DENIED, v -> v.deniesWith(Errno.EPERM), wrong -> wrong + ", not ERRNO(EPERM): have the filter "
            + "return SECCOMP_RET_ERRNO|EPERM for them (systemd-run: SystemCallErrorNumber=EPERM; sandbox: the default)");
    }

    static Verdict checkAllows() {
        return everyCall(ORDINARY, Seccomp.Verdict::allows, wrong -> wrong
            + ": ordinary calls must be allowed, deny only mkdir and mkdirat");
    }

    /** The filters read back from the sandboxed process, evaluated for each call: those whose verdict is not right. */
    @SuppressWarnings("unchecked")
    static Verdict everyCall(List<String> calls, java.util.function.Predicate<Seccomp.Verdict> right,
            java.util.function.UnaryOperator<String> reason) {
        Object f = filters();
        if (f instanceof Verdict v) return v;
        List<Seccomp.Filter> fs = (List<Seccomp.Filter>) f;
        List<String> wrong = new ArrayList<>();
        for (String call : calls) {
            if (unboxed.sys.Syscalls.number(call) < 0) continue; // no mkdir on aarch64: mkdirat is the one
            Seccomp.Verdict v = Seccomp.evaluate(fs, call);
            if (!right.test(v)) wrong.add(call + " gets " + v);
        }
        return Verdict.when(wrong.isEmpty(), reason.apply(String.join(", ", wrong)));
    }
}
