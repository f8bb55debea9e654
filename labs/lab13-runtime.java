///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab13Runtime

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import unboxed.cgroup.Cgroups;
import unboxed.cgroup.Group;
import unboxed.cgroup.MemoryCgroup;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabException;
import unboxed.lab.LabCli;
import unboxed.lab.Learner;
import unboxed.ns.Mounts;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Rootfs;
import unboxed.ns.Uts;
import unboxed.oci.Bundle;
import unboxed.oci.Container;
import unboxed.oci.Probe;
import unboxed.sys.Capabilities;
import unboxed.sys.Cmd;
import unboxed.sys.Errno;
import unboxed.sys.Seccomp;
import unboxed.sys.Sys;

/**
 * Lab 13, the capstone: a container runtime put back together. The order a runtime keeps, a bundle as `runc spec`
 * writes it run by the labs' runtime (unboxed.oci) and by runc side by side, then a runtime the learner writes piece
 * by piece (unboxed.oci.Pieces), graded from the kernel's side while its container runs.
 */
class Lab13Runtime {
    public static void main(String... args) {
        if (args.length > 0 && args[0].equals(DRIVE)) System.exit(unboxed.oci.Assembly.drive(List.of(args).subList(1, args.length)
            .toArray(String[]::new)));
        LabCli.main(lab(), args);
    }

    /** The first argument of the check's own JVM, which runs the learner's runtime (not a command: never typed). */
    static final String DRIVE = "--drive-learners-runtime";

    static final Path WORK = Path.of("/var/lib/unboxed/lab13");
    static final Path BUNDLE = WORK.resolve("bundle");
    /** The check's own folder (its probe bundle, your compiled runtime), made and removed by each check. */
    static final Path CHECKING = Path.of("/var/lib/unboxed/lab13-check");
    static final Path CHECK = CHECKING.resolve("bundle"), CLASSES = CHECKING.resolve("classes");
    static final String DEMO = "lab13-demo", RUNC = "lab13-runc", GRADED = "lab13-check";
    /** The controllers a cgroup-v2 root can offer (cgroup-v2.rst, "Controllers"): what runc enables for its group. */
    static final List<String> V2_CONTROLLERS = List.of("cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc");
    static final String HOSTNAME = "lab13-box";
    static final long MEMORY = 64L << 20, PIDS = 32;
    /** linux.resources.cpu: half a CPU, 50 ms of CPU time every 100 ms period (CFS bandwidth, lab12). */
    static final long CPU_QUOTA = 50_000, CPU_PERIOD = 100_000;
    /**
     * How long the learner's runtime has to start its program (a JVM starts first; under emulation, slowly); a test may
     * shorten it with -Dunboxed.lab13.start=SECONDS.
     */
    static int startSeconds() {
        return Integer.getInteger("unboxed.lab13.start", 90);
    }

    static Lab lab() {
        return Lab.define("lab13", "A container runtime, put back together")
            .summary("Run an OCI bundle made by `runc spec` with the labs' own runtime and with runc, compare what the "
                + "process inside sees side by side, then write the pieces of a runtime yourself, in order, on one thread.")
            .minutes(60)
            .objectives(
                "Say the order a runtime must keep, and why each step comes where it does",
                "Read config.json and say which lab taught each of its fields",
                "Run one bundle under runc and under a runtime in Java, and compare what the process sees",
                "Write a runtime's pieces (namespaces, root, hostname, cgroup, capabilities, seccomp) with the library")
            .prerequisites("A Linux machine or VM where you are root (sudo)", "Labs 01 to 12")
            .needs("runc", "java")
            .story("""
                Every lab so far took one piece of a container out and looked at it. A container runtime puts them
                back, in an order that is not free: runc's libcontainer (rootfs_linux.go, standard_init_linux.go)
                keeps it, and so does the labs' own runtime, `./jbang box` (lib's unboxed.oci).

                1. **The cgroup and its limits** (labs 06, 12): made first, so the program is born limited.
                2. **unshare the namespaces** (labs 02, 03, 04, 10): on one thread; everything after happens inside.
                3. **Mounts and pivot_root** (labs 01, 02, 09): / a slave so nothing leaks out, the root bound on
                   itself, /proc, /dev and the rest below it, masked paths, then pivot_root into it and the old root
                   unmounted. It needs the mount namespace of step 2; after it the host's paths are out of reach, so
                   whatever the runtime still needs from the host is opened before.
                4. **The hostname** (lab03): in the uts namespace of step 2, and before step 6 drops CAP_SYS_ADMIN.
                5. **Cgroup membership before exec** (labs 06, 12): the program joins its group while it is held before
                   its execve, so not one instruction of it runs unlimited; the runtime's own thread never joins. Its own
                   /proc is mounted then too: a proc shows the processes of the pid namespace of whoever mounted it
                   (pid_namespaces(7)), and after unshare(CLONE_NEWPID) only the thread's children are in the new one,
                   not the thread (lab03). So a process born there mounts it while the program, its PID 1, waits:
                   `nsenter --target PID --pid -- mount -N PID -t proc proc /proc` (runc's init, PID 1 itself, mounts
                   it before its execve).
                6. **Capabilities** (lab08): the bounding set first, while the thread still has CAP_SETPCAP, then the
                   other sets.
                7. **no_new_privs** (lab08): no setuid program can give back what step 6 took.
                8. **seccomp, last** (lab08): a container's usual filter (Docker's default) refuses mount,
                   pivot_root and sethostname: installed earlier, it would refuse the runtime's own calls.

                A bundle is a folder with `config.json` and a root file system, as `runc spec` writes it. Each of its
                fields is one of the labs:

                | config.json field | what it does | taught in |
                |---|---|---|
                | `root.path`, `root.readonly` | the root file system, pivot_root into it | lab01, lab02, lab09 |
                | `mounts` (proc, tmpfs, devpts, sysfs, cgroup) | what the container sees at /proc, /dev, /sys | lab02, lab03 |
                | `linux.namespaces` pid, uts | PID 1 of its own, a hostname of its own | lab03 |
                | `linux.namespaces` network | interfaces of its own | lab04, lab05, lab11 |
                | `linux.namespaces` mount | a mount table of its own | lab02 |
                | `linux.namespaces` ipc, cgroup | message queues, its cgroup as / | lab10 |
                | `hostname` | sethostname(2) inside its uts namespace | lab03 |
                | `linux.resources` memory, pids, cpu | limits in its cgroup | lab06, lab12 |
                | `linux.resources.devices` | which device nodes it may open | the runtime's own (cgroups(7); on v2 a BPF program, bpf(2)) |
                | `process.capabilities` | the five sets | lab08 |
                | `process.noNewPrivileges` | prctl(PR_SET_NO_NEW_PRIVS) | lab08 |
                | `linux.seccomp` | a system call filter | lab08 |
                | `linux.maskedPaths`, `linux.readonlyPaths` | /proc files hidden or read-only | lab02 |
                | `process.user` | the uid and gids it runs as | lab07, lab08 |
                | `process.args`, `env`, `cwd`, `rlimits` | the program, as execve(2) and setrlimit(2) take them | lab01 (args), the rest execve(2) and setrlimit(2) |
                """)
            .makes(new KernelObject.DirTree(WORK), new KernelObject.BoxContainer(DEMO), new KernelObject.BoxContainer(GRADED))
            // the check's folder: removed by each check, and by reset after a check that was killed
            .owns(new KernelObject.DirTree(CHECKING))

            .step("The order a runtime keeps", s -> s
                .explain("""
                    The labs' runtime, `./jbang box run BUNDLE`, does every step above on one JVM thread: namespaces,
                    root, credentials, capabilities and filters all belong to a thread in the kernel, and a program
                    started from that thread (posix_spawn(3)) is born with all of them. runc does the same in a
                    process of its own (runc init) that then calls execve(2).
                    """)
                .shell("runc --version")
                .does(Lab13Runtime::order)
                .observe("Eight steps; each names the lab that taught it."))
            .diagram("One thread, in order", d -> d
                .panel("the runtime", "host side")
                .node("1. cgroup + limits", "labs 06, 12")
                .node("5. join: cgroup.procs", "while the program is held")
                .panel("the runtime's thread", "unshare(CLONE_FS) first")
                .node("2. unshare namespaces", "labs 02-04, 10")
                .node("3. mounts, pivot_root", "labs 01, 02, 09")
                .node("4. hostname", "lab03")
                .node("6-7. caps, no_new_privs", "lab08")
                .node("8. seccomp", "lab08, last").mark()
                .panel("the program", "posix_spawn, held, execve")
                .node("PID 1", "born inside all of it")
                .arrow("the runtime's thread", "8. seccomp", "the program", "PID 1", "posix_spawn")
                .arrow("the runtime", "5. join: cgroup.procs", "the program", "PID 1", "before its execve"))

            .step("A bundle, as runc spec writes it", s -> s
                .explain("""
                    `runc spec` writes a config.json for a container whose root is ./rootfs (runc(8)). The lab fills
                    rootfs from the project's busybox root, puts lib's probe there (a script that reports what a
                    process inside sees, key=value), sets `terminal` to false (no pseudo-terminal: the output goes
                    to the runtime's), the probe as `process.args`, and adds what the labs taught that `runc spec`
                    leaves out: a memory, a pids and a cpu limit (half a CPU: quota 50000 of every 100000
                    microseconds), and a seccomp rule (mkdir fails with EACCES). On cgroup v2 a group has the cpu
                    controller's files only when every group above it hands cpu down in its cgroup.subtree_control
                    (lab12): the labs' runtime turns it on where it is off, as runc's cgroupfs driver does, and
                    off again when the container is deleted (runc leaves it on).
                    """)
                .shell("mkdir -p /var/lib/unboxed/lab13/bundle && cd /var/lib/unboxed/lab13/bundle && rm -f config.json "
                    + "&& runc spec && grep -E '\"(terminal|hostname|readonly|noNewPrivileges)\"' config.json")
                .does(Lab13Runtime::bundle)
                .observe("runc spec's defaults: hostname runc, a read-only root, no_new_privs, three capabilities."))

            .step("The labs' runtime runs it, and says each step", s -> s
                .explain("""
                    `./jbang box run BUNDLE` (from your checkout) reads config.json (a field it does not support is
                    refused by name, exit 2), and logs each step as the shell would say it. Its program's exit code passes through: the
                    probe exits 7.
                    """)
                .shell("grep -oE '\"type\": \"[a-z]+\"' /var/lib/unboxed/lab13/bundle/config.json | sort | uniq -c   "
                    + "# what it reads; from your checkout: ./jbang box run /var/lib/unboxed/lab13/bundle")
                .does(Lab13Runtime::runWithBox)
                .observe("The steps in the order of the first step; the probe's report, and exit 7 passed through."))

            .step("The same bundle under runc, side by side", s -> s
                .explain("""
                    `runc run --bundle DIR ID` runs the same bundle (runc-run(8)). The probe's two reports, field by
                    field: namespace links are shown as new or the host's (their numbers differ run to run). Every
                    field should match; lib's BoxRuncTest asserts it.
                    """)
                .shell("runc run --bundle /var/lib/unboxed/lab13/bundle lab13-runc; echo exit $?")
                .does(Lab13Runtime::sideBySide)
                .observe("The same ids, namespaces, hostname, root, capability sets, NoNewPrivs, Seccomp, masks and limits."))

            .step("A runtime of your own: the skeleton", s -> s
                .explain("""
                    The exercise is a runtime you write: one Java file, labs/lab13/MyRuntime.java in your checkout,
                    a class that implements lib's `unboxed.oci.Pieces`, one method a piece. A driver that is given
                    (lib's `unboxed.oci.Assembly`) calls them in the order of the first step, the namespace, root,
                    hostname, privilege and seccomp pieces on one thread of their own, then starts the bundle's
                    program from that thread, held before its execve while `join` puts it in its cgroup. The driver
                    journals what your pieces make, so a runtime that fails or hangs leaves nothing behind. It does
                    not call `root` while the thread is in the host's mount namespace, nor `hostname` in the host's
                    uts namespace: the host's / and name stay the host's.
                    """)
                .shell("javac -version   # the check compiles your runtime with the JDK's compiler")
                .does(Lab13Runtime::skeletonStep)
                .observe("Seven empty methods, each saying which lab to look back at."))

            .exercise("""
                Complete the seven methods of labs/lab13/MyRuntime.java (`./jbang lab13 skeleton` writes it if it is
                not there; once you change it, it is yours: reset removes it only while untouched). The library is
                at hand: `Sys` (unshare, mount, pivot_root, umount2, sethostname), `Mounts`, `Container.mountAll` (a bundle's mounts below a root; its /proc
                the driver replaces with the container's own while the program is held, your masks carried over),
                `Group` and `MemoryCgroup`, `Capabilities`, `Seccomp`, and the bundle's records (`b.linux()`,
                `b.process()`, `b.rootfs()`, `b.hostname()`). Then `./jbang lab13 check` compiles your file, runs a
                probe bundle (/var/lib/unboxed/lab13-check/bundle: `runc spec`'s, with hostname lab13-box, 64 MiB of memory,
                32 pids, half a CPU and mkdir refused with EACCES) with it, and grades the container from the kernel's
                side while it runs: its namespaces, its root, its masked paths, its hostname, its cgroup's limits
                (memory and pids; cpu on its own), its capabilities,
                no_new_privs and seccomp filter, and the exit code. Each piece is graded on its own.
                """)
            .diagram("What you build", d -> d
                .panel("MyRuntime.java", "unboxed.oci.Pieces").yours()
                .node("limits", "labs 06, 12").yours()
                .node("namespaces", "labs 02-04, 10").yours()
                .node("root", "labs 01, 02, 09").yours()
                .node("hostname", "lab03").yours()
                .node("join", "labs 06, 12").yours()
                .node("privileges, seccomp", "lab08").yours()
                .panel("the check", "kernel state only")
                .node("/proc/PID/ns, mountinfo, status", "while it runs")
                .node("the cgroup's files", "memory, pids, cpu, cgroup.procs")
                .arrow("the check", "/proc/PID/ns, mountinfo, status", "MyRuntime.java", "namespaces", "reads"))
            .check("runs", "Your runtime compiles and starts the probe bundle's program", 1, Lab13Runtime::checkRuns)
            .check("namespaces", "The program is in new namespaces of every type linux.namespaces lists", 2,
                Lab13Runtime::checkNamespaces)
            .check("root", "Its / is the bundle's rootfs, by pivot_root in its own mount namespace", 2, Lab13Runtime::checkRoot)
            .check("masked", "linux.maskedPaths are masked in it", 1, Lab13Runtime::checkMasked)
            .check("hostname", "Its uts namespace is called lab13-box", 1, Lab13Runtime::checkHostname)
            .check("limits", "Its cgroup has the bundle's memory and pids limits", 2, Lab13Runtime::checkLimits)
            .check("cpu", "Its cgroup has the bundle's cpu limit (quota 50000 every 100000 us)", 1, Lab13Runtime::checkCpu)
            .check("join", "The program is in that cgroup", 1, Lab13Runtime::checkJoin)
            .check("capabilities", "Its bounding, permitted and effective sets are the bundle's", 2, Lab13Runtime::checkCaps)
            .check("nnp", "NoNewPrivs is 1", 1, Lab13Runtime::checkNoNewPrivs)
            .check("seccomp", "Its seccomp filter makes mkdir fail with EACCES and allows ordinary calls", 2,
                Lab13Runtime::checkSeccomp)
            .check("exit", "The program's exit code (7) passes through the runtime", 1, Lab13Runtime::checkExit)
            .solution(s -> s
                .refuseWhile("labs/lab13/MyRuntime.java is the reference already", Lab13Runtime::isReference)
                .line("./jbang lab13 reference", b -> writeReference(b::show))
                .answers("runs", "namespaces", "root", "masked", "hostname", "limits", "cpu", "join", "capabilities", "nnp",
                    "seccomp", "exit"))
            .command("skeleton", "Write the exercise's skeleton to labs/lab13/MyRuntime.java, unless the file is there "
                + "(it is yours: never overwritten)", Lab13Runtime::skeletonCommand)
            .command("reference", "Write the reference runtime to labs/lab13/MyRuntime.java, your copy saved first as "
                + "MyRuntime.java.saved (reset puts it back)", Lab13Runtime::referenceCommand)

            .question("Why does a runtime install the seccomp filter last?", 1,
                "A filter applies to the thread from then on (seccomp(2)): installed before the mounts, pivot_root and "
                    + "sethostname, a container's usual filter would refuse the runtime's own calls.",
                "The kernel allows one filter per process, so the runtime waits until no other step could want one", "Installed earlier, it would refuse the "
                    + "runtime's own mount, pivot_root and sethostname calls", "A filter is lost at pivot_root",
                "seccomp needs CAP_SYS_ADMIN, which the capability step drops")
            .question("Why is the hostname set before the capabilities are dropped?", 2,
                "sethostname(2) needs CAP_SYS_ADMIN in the user namespace that owns the uts namespace; the bundle's "
                    + "sets do not keep it.",
                "The uts namespace only exists once the capability step has run, so an earlier name would be the host's", "hostname(1) is not in the rootfs",
                "sethostname(2) needs CAP_SYS_ADMIN, which the bundle's capability sets leave out",
                "The hostname is read-only after pivot_root")
            .question("Why does the program join its cgroup while it is held before its execve, and not after?", 0,
                "Joined after the execve, its first instructions (and any child forked then) would run outside the "
                    + "limits; the runtime's own thread does not join, so the runtime's JVM is never limited.",
                "So that none of its code runs outside its limits", "Because cgroup.procs only takes processes that "
                    + "have not called execve", "Because pivot_root hides /sys/fs/cgroup", "It makes no difference")
            .question("A runtime pivots into the rootfs but leaves / shared (no mount --make-rslave /). What can happen?", 3,
                "In a mount namespace made from a shared mount, mounts propagate back to the peer group "
                    + "(mount_namespaces(7)): the container's /proc and /dev mounts would appear on the host.",
                "Nothing: a new mount namespace is always private, whatever the mounts it was copied from", "pivot_root fails with EINVAL every time",
                "The container cannot mount /proc", "Its mounts below the rootfs can propagate to the host")
            .reading("runc(8)", "runc-run(8)", "runc-spec(8)", "pivot_root(2)", "unshare(2)", "mount_namespaces(7)",
                "capabilities(7)", "seccomp(2)", "prctl(2)", "cgroups(7)", "posix_spawn(3)",
                "OCI runtime spec, config.md <https://github.com/opencontainers/runtime-spec/blob/main/config.md>",
                "OCI runtime spec, config-linux.md <https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md>",
                "runc's libcontainer, standard_init_linux.go <https://github.com/opencontainers/runc/blob/main/libcontainer/standard_init_linux.go>")
            .build();
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    static final List<String> ORDER = List.of(
        "1. the cgroup and its limits (lab06, lab12)",
        "2. unshare the namespaces, on one thread (lab02, lab03, lab04, lab10)",
        "3. / a slave, the root bound on itself, its mounts, masked paths, pivot_root (lab01, lab02, lab09)",
        "4. the hostname (lab03)",
        "5. the program joins its cgroup, held before its execve; its own /proc, mounted from inside its pid namespace (lab03, lab06, lab12)",
        "6. capabilities: the bounding set, then the others (lab08)",
        "7. no_new_privs (lab08)",
        "8. seccomp, last (lab08)");

    static void order(Bench b) {
        b.sh("runc --version | head -1");
        for (String o : ORDER) b.say(o);
    }

    /** runc spec's bundle in {@code dir} with the busybox rootfs, terminal false, and {@code edit} applied. */
    static Bundle makeBundle(Bench b, Path dir, java.util.function.Consumer<JsonObject> edit) throws IOException {
        if (b != null) {
            b.dir(WORK); // the demo's: its folder goes with it
            b.dir(dir);
        }
        else Files.createDirectories(dir); // the check's: removed after each check, and by reset (.owns)
        Path rootfs = dir.resolve("rootfs");
        if (!Files.isDirectory(rootfs)) Rootfs.copyTo(Rootfs.ready(s -> { }), rootfs);
        Path config = dir.resolve("config.json");
        Files.deleteIfExists(config);
        Cmd.run("runc", "spec", "--bundle", dir.toString()).orThrow();
        JsonObject o = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        o.getAsJsonObject("process").addProperty("terminal", false);
        edit.accept(o);
        Files.writeString(config, new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n");
        return Bundle.read(dir);
    }

    static JsonArray array(String... values) {
        JsonArray a = new JsonArray();
        for (String v : values) a.add(v);
        return a;
    }

    /** linux.resources memory, pids and cpu, and a seccomp profile refusing mkdir and mkdirat with EACCES. */
    static void limitsAndSeccomp(JsonObject o) {
        JsonObject linux = o.getAsJsonObject("linux");
        JsonObject res = linux.has("resources") ? linux.getAsJsonObject("resources") : new JsonObject();
        res.remove("devices"); // not graded in the exercise
        JsonObject memory = new JsonObject();
        memory.addProperty("limit", MEMORY);
        res.add("memory", memory);
        JsonObject pids = new JsonObject();
        pids.addProperty("limit", PIDS);
        res.add("pids", pids);
        JsonObject cpu = new JsonObject();
        cpu.addProperty("quota", CPU_QUOTA);
        cpu.addProperty("period", CPU_PERIOD);
        res.add("cpu", cpu);
        linux.add("resources", res);
        JsonObject seccomp = new JsonObject();
        seccomp.addProperty("defaultAction", "SCMP_ACT_ALLOW");
        seccomp.add("architectures", array("SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"));
        JsonObject rule = new JsonObject();
        rule.add("names", array("mkdir", "mkdirat"));
        rule.addProperty("action", "SCMP_ACT_ERRNO");
        rule.addProperty("errnoRet", Errno.EACCES);
        JsonArray rules = new JsonArray();
        rules.add(rule);
        seccomp.add("syscalls", rules);
        linux.add("seccomp", seccomp);
    }

    static void bundle(Bench b) throws IOException {
        Bundle bundle = makeBundle(b, BUNDLE, o -> {
            o.getAsJsonObject("process").add("args", array("/probe"));
            o.getAsJsonObject("process").getAsJsonArray("env").add("PROBE_CGROUP=1");
            o.getAsJsonObject("process").getAsJsonArray("env").add("PROBE_SECCOMP=1");
            limitsAndSeccomp(o);
        });
        Path probe = BUNDLE.resolve("rootfs/probe");
        Files.writeString(probe, Probe.SCRIPT);
        Files.setPosixFilePermissions(probe, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        b.java("Rootfs.copyTo(busybox root, " + BUNDLE.resolve("rootfs") + "); runc spec; terminal false, args /probe,"
            + " memory " + MEMORY + ", pids " + PIDS + ", cpu " + CPU_QUOTA + "/" + CPU_PERIOD + ", seccomp: mkdir, mkdirat -> EACCES");
        b.show("root", bundle.rootfs() + (bundle.root().readonly() ? " (read-only)" : ""));
        b.show("hostname", bundle.hostname());
        b.show("linux.namespaces", String.join(", ", bundle.linux().namespaces().stream().map(Bundle.Namespace::type).toList()));
        b.show("mounts", String.join(" ", bundle.mounts().stream().map(Bundle.Mount::destination).toList()));
        b.show("capabilities (bounding)", String.join(", ", bundle.process().capabilities().bounding()));
        b.show("noNewPrivileges", bundle.process().noNewPrivileges());
        b.show("linux.maskedPaths", bundle.linux().maskedPaths().size() + " paths, " + bundle.linux().maskedPaths().get(0) + " ...");
    }

    static void runWithBox(Bench b) throws IOException {
        Path out = WORK.resolve("box-output");
        List<String> log = new ArrayList<>();
        b.java("Container.run(Bundle.read(" + BUNDLE + "), \"" + DEMO + "\", output to " + out + ")");
        int exit = Container.run(Bundle.read(BUNDLE), DEMO, new Container.Io(out), log::add);
        for (String l : log) b.say("  box: " + l.replaceAll(": pid \\d+ on the host", "").replaceAll("program \\d+", "program N"));
        b.show("exit", exit);
        b.show("the probe's report", Files.readAllLines(out).size() + " lines (side by side in the next step)");
    }

    static void sideBySide(Bench b) throws IOException {
        long self = ProcessHandle.current().pid();
        Map<String, String> box = Probe.view(Files.readString(WORK.resolve("box-output")), self);
        b.java("runc run --bundle " + BUNDLE + " " + RUNC);
        // On cgroup v2, runc's cgroupfs driver puts a bundle without cgroupsPath in a group below its own, and writes
        // every controller into each ancestor's cgroup.subtree_control, the root's included
        // (libcontainer/cgroups/fs2/create.go): each ancestor noted first, top-down, so reset turns off what was off.
        Map<Path, List<String>> before = new java.util.LinkedHashMap<>();
        for (Path g : KernelObject.SubtreeNote.notedAbove("lab13", V2_CONTROLLERS)) before.put(g, Cgroups.subtreeControl(g));
        Cmd.Result r = Cmd.run(List.of("runc", "run", "--bundle", BUNDLE.toString(), RUNC), 60);
        b.show("runc's exit", r.exit());
        before.forEach((g, was) -> {
            List<String> on = Cgroups.subtreeControl(g).stream().filter(c -> !was.contains(c)).toList();
            if (!on.isEmpty()) b.say("runc turned on " + String.join(" ", on) + " in " + g.resolve("cgroup.subtree_control")
                + " (its cgroupfs driver hands every controller down to its group; reset turns them off again)");
        });
        Map<String, String> runc = Probe.view(r.out(), self);
        b.say(String.format("%-20s %-40s %s", "field", "runc", "unboxed.oci"));
        for (String line : Probe.sideBySide(runc, box)) b.say(line);
        List<String> diff = Probe.differences(runc, box);
        b.show("fields that differ", diff.isEmpty() ? "none of " + runc.size() : String.join("; ", diff));
    }

    static void skeletonStep(Bench b) throws IOException {
        Path f = runtimeFile();
        // one line either way: a page recorded from a checkout that has the file reads as one that has not
        if (!Files.exists(f)) writeSkeleton(f);
        b.show(shown(f), "yours to complete (the skeleton, written only if the file was not there)");
        for (String l : Files.readAllLines(f)) if (l.contains("public void")) b.say("  " + l.strip());
    }

    // ---- the learner's file --------------------------------------------------------------------------------------

    /** labs/lab13/MyRuntime.java in the checkout this lab runs from (the folder above, with jbang-catalog.json). */
    static Path runtimeFile() {
        Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = d; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("jbang-catalog.json")) && Files.isDirectory(p.resolve("labs"))) {
                return p.resolve("labs/lab13/MyRuntime.java");
            }
        }
        return d.resolve("labs/lab13/MyRuntime.java");
    }

    /** Writes the file (and its folder) as the learner's: under sudo, owned by the sudo caller. */
    static void writeLearnerFile(Path f, String text) throws IOException {
        boolean newDir = !Files.isDirectory(f.getParent());
        Files.createDirectories(f.getParent());
        Files.writeString(f, text, StandardCharsets.UTF_8);
        Optional<String> who = Learner.sudoCaller().filter(Learner::exists);
        if (who.isPresent() && Sys.isRoot()) {
            var users = f.getFileSystem().getUserPrincipalLookupService();
            for (Path p : newDir ? List.of(f.getParent(), f) : List.of(f)) {
                Files.setOwner(p, users.lookupPrincipalByName(who.get()));
                Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setGroup(users.lookupPrincipalByGroupName(Long.toString(Learner.gid(who.get()))));
            }
        }
    }

    /**
     * The skeleton where there is no file, journaled (as root) so that reset removes it while it is still untouched:
     * a run then a reset leave the checkout as they found it; a file the learner changed is theirs and stays.
     */
    static void writeSkeleton(Path f) throws IOException {
        if (Sys.isRoot()) unboxed.lab.Journal.of("lab13").record(KernelObject.StarterFile.of(f, SKELETON).entry(unboxed.lab.Journal.LAB));
        writeLearnerFile(f, SKELETON);
    }

    static int skeletonCommand(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (!args.isEmpty()) throw LabException.badInput("skeleton takes no arguments");
        Path f = runtimeFile();
        if (Files.exists(f)) {
            out.println(shown(f) + " is there already (yours: left as it is)");
        } else {
            writeSkeleton(f);
            out.println("wrote " + shown(f));
        }
        return 0;
    }

    static int referenceCommand(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (!args.isEmpty()) throw LabException.badInput("reference takes no arguments");
        writeReference((k, v) -> out.println(k + ": " + v));
        return 0;
    }

    /**
     * The reference into the learner's file, their copy saved first as MyRuntime.java.saved; journaled (as root), so
     * reset puts their copy back, or removes the reference where there was none: the learner's work stays theirs.
     */
    static void writeReference(java.util.function.BiConsumer<String, Object> say) throws IOException {
        Path f = runtimeFile();
        if (Files.exists(f) && Files.readString(f).equals(REFERENCE)) {
            say.accept(shown(f), "the reference runtime already");
            return;
        }
        Path saved = Files.exists(f) ? f.resolveSibling("MyRuntime.java.saved") : null;
        if (Sys.isRoot()) {
            unboxed.lab.Journal.of("lab13").record(new KernelObject.WrittenFile(f, saved).entry(unboxed.lab.Journal.LAB));
        }
        if (saved != null) {
            Files.copy(f, saved, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            say.accept("your copy", "saved as " + shown(saved) + " (reset puts it back)");
        }
        writeLearnerFile(f, REFERENCE);
        say.accept(shown(f), "the reference runtime");
    }

    static boolean isReference() {
        try {
            return Files.readString(runtimeFile()).equals(REFERENCE);
        } catch (IOException absent) {
            return false;
        }
    }

    /** A path in the checkout as the learner types it (labs/lab13/...). */
    static String shown(Path p) {
        Path checkout = runtimeFile().getParent().getParent().getParent();
        return p.startsWith(checkout) ? checkout.relativize(p).toString() : p.toString();
    }

    static final String HEAD = """
        import java.nio.file.*;
        import java.util.*;
        import unboxed.cgroup.*;
        import unboxed.ns.*;
        import unboxed.oci.*;
        import unboxed.sys.*;

        /**
         * A container runtime of your own: ./jbang lab13 check compiles this file and runs a bundle with it. The driver
         * (unboxed.oci.Assembly) calls these methods in this order; namespaces, root, hostname, privileges and seccomp on
         * one thread of their own. Keep every piece in this class: after pivot_root the thread no longer sees this folder.
         */
        class MyRuntime implements Pieces {
        """;

    /** The skeleton: every method empty, saying which lab to look back at. */
    static final String SKELETON = HEAD + """
            /** 1. Write b.linux().limits() into cgroup g (the driver made it): memory, pids, cpu (labs 06, 12: Group, MemoryCgroup). */
            public void limits(Bundle b, Group g) throws Exception {
            }

            /** 2. unshare(2) on this thread every namespace b.linux().namespaces() lists (labs 02, 03, 04, 10: Sys.unshare). */
            public void namespaces(Bundle b) throws Exception {
            }

            /**
             * 3. The root: / a slave (rslave), b.rootfs() bound on itself, the bundle's mounts (Container.mountAll), each of
             * b.linux().maskedPaths() masked, pivot_root into the rootfs, the old root unmounted (labs 01, 02, 09).
             */
            public void root(Bundle b) throws Exception {
            }

            /** 4. The hostname, b.hostname() (lab03: Sys.sethostname). */
            public void hostname(Bundle b) throws Exception {
            }

            /** 5. Put pid (held before its execve) into cgroup g (labs 06, 12: Group.add, or cgroup.procs). */
            public void join(Group g, long pid) throws Exception {
            }

            /** 6-7. Capabilities as b.process().capabilities() says, the bounding set first; no_new_privs (lab08). */
            public void privileges(Bundle b) throws Exception {
            }

            /** 8. b.linux().seccomp()'s filter on this thread, last (lab08: Seccomp). */
            public void seccomp(Bundle b) throws Exception {
            }
        }
        """;

    /** The reference: each body between "// PIECE: begin" and "// PIECE: end". */
    static final String REFERENCE = HEAD + """
            public void limits(Bundle b, Group g) throws Exception {
                // limits: begin
                Bundle.Limits l = b.linux().limits();
                if (l.memory() != null) MemoryCgroup.at(g.dir("memory"), g.version("memory")).setLimit(l.memory());
                if (l.pids() != null) g.setPidsMax(l.pids());
                if (l.cpuQuota() != null) g.setCpuMax(l.cpuQuota(), l.cpuPeriod());
                // limits: end
            }

            public void namespaces(Bundle b) throws Exception {
                // namespaces: begin
                int flags = 0;
                for (Bundle.Namespace n : b.linux().namespaces()) flags |= Bundle.NAMESPACES.get(n.type()).flag;
                Sys.unshare(flags);
                // namespaces: end
            }

            public void root(Bundle b) throws Exception {
                // root: begin
                String root = b.rootfs().toString();
                Sys.mount("none", "/", null, LibC.MS_SLAVE | LibC.MS_REC, null);
                Sys.mount(root, root, null, LibC.MS_BIND | LibC.MS_REC, null);
                Container.mountAll(b, root, s -> { });
                for (String p : b.linux().maskedPaths()) {
                    Path at = Path.of(root + p);
                    if (Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) Sys.mount("tmpfs", at.toString(), "tmpfs", LibC.MS_RDONLY, null);
                    else if (Files.exists(at, LinkOption.NOFOLLOW_LINKS)) Mounts.bind("/dev/null", at.toString());
                }
                if (b.root().readonly()) Sys.mount(root, root, null, LibC.MS_BIND | LibC.MS_REMOUNT | LibC.MS_RDONLY, null);
                Sys.chdir(root);
                Sys.pivotRoot(".", ".");
                Sys.umount2(".", LibC.MNT_DETACH);
                Sys.chdir("/");
                // root: end
            }

            public void hostname(Bundle b) throws Exception {
                // hostname: begin
                if (b.hostname() != null) Sys.sethostname(b.hostname());
                // hostname: end
            }

            public void join(Group g, long pid) throws Exception {
                // join: begin
                g.add(pid);
                // join: end
            }

            public void privileges(Bundle b) throws Exception {
                // privileges: begin
                Bundle.Caps c = b.process().capabilities();
                Capabilities.dropBoundingOnThisThread(mask(c.bounding()));
                Capabilities.setSetsOnThisThread(mask(c.effective()), mask(c.permitted()), mask(c.inheritable()), mask(c.ambient()));
                if (b.process().noNewPrivileges()) Seccomp.noNewPrivsOnThisThread();
                // privileges: end
            }

            static long mask(List<String> names) {
                return Capabilities.mask(names.toArray(String[]::new));
            }

            public void seccomp(Bundle b) throws Exception {
                // seccomp: begin
                if (b.linux().seccomp() != null) Seccomp.installOnThisThread(b.linux().seccomp().filter());
                // seccomp: end
            }
        }
        """;

    // ---- the check: one run of the learner's runtime, graded while its container runs --------------------------

    /** What one run of the learner's runtime showed: null pid when it never started (then {@code failure} says why). */
    record Trial(String failure, long pid, Map<String, Verdict> verdicts, Integer exit, String fileHash, long at) {}

    static Trial last;

    /** The trial for the file as it is now: one per check round (graders of one `check` share it). */
    static synchronized Trial trial() throws IOException {
        Path f = runtimeFile();
        String hash = Files.exists(f) ? Integer.toHexString(Files.readString(f).hashCode()) : "none";
        if (last != null && last.fileHash().equals(hash) && System.nanoTime() - last.at() < Duration.ofSeconds(30).toNanos()) {
            return last;
        }
        last = runTrial(f, hash);
        return last;
    }

    static Verdict from(String criterion) throws IOException {
        Trial t = trial();
        if (t.failure() != null) return fail(t.failure());
        return t.verdicts().getOrDefault(criterion, fail("not graded"));
    }

    static Verdict checkRuns() throws IOException { return from("runs"); }
    static Verdict checkNamespaces() throws IOException { return from("namespaces"); }
    static Verdict checkRoot() throws IOException { return from("root"); }
    static Verdict checkMasked() throws IOException { return from("masked"); }
    static Verdict checkHostname() throws IOException { return from("hostname"); }
    static Verdict checkLimits() throws IOException { return from("limits"); }
    static Verdict checkCpu() throws IOException { return from("cpu"); }
    static Verdict checkJoin() throws IOException { return from("join"); }
    static Verdict checkCaps() throws IOException { return from("capabilities"); }
    static Verdict checkNoNewPrivs() throws IOException { return from("nnp"); }
    static Verdict checkSeccomp() throws IOException { return from("seccomp"); }
    static Verdict checkExit() throws IOException { return from("exit"); }

    static Trial failed(String why, String hash) {
        return new Trial(why, 0, Map.of(), null, hash, System.nanoTime());
    }

    static Trial runTrial(Path file, String hash) throws IOException {
        if (!Files.exists(file)) {
            return failed("there is no " + shown(file) + ": `./jbang lab13 skeleton` writes the skeleton", hash);
        }
        Container.delete(GRADED); // an earlier check's, if it was killed
        try {
            return runTrial(file, hash, CHECKING);
        } finally {
            Container.delete(GRADED);
            Cmd.run("rm", "-rf", "--one-file-system", CHECKING.toString()).orThrow();
        }
    }

    static Trial runTrial(Path file, String hash, Path work) throws IOException {
        Bundle bundle;
        try {
            bundle = checkBundle();
        } catch (RuntimeException e) {
            return failed("could not make the probe bundle in " + CHECK + ": " + e.getMessage(), hash);
        }
        String compiled = compile(file);
        if (compiled != null) return failed(compiled, hash);
        Path out = work.resolve("output");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--enable-native-access")) cmd.add(a);
        }
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
            "Lab13Runtime", DRIVE, CLASSES.toString(), "MyRuntime", CHECK.toString(), GRADED, out.toString()));
        Path driverOut = work.resolve("driver-output"), driverErr = work.resolve("driver-log");
        Process p = new ProcessBuilder(cmd).redirectOutput(driverOut.toFile()).redirectError(driverErr.toFile()).start();
        try {
            long pid = waitForStart(p, driverOut);
            if (pid <= 0) {
                String said = lastLine(driverOut);
                if (pid == 0) {
                    return failed("your runtime did not start the program within " + startSeconds() + " s (a piece that hangs?); "
                        + "it was stopped after: " + lastLine(driverErr), hash);
                }
                return failed(said.startsWith("failed in ") ? "your runtime failed in piece " + said.substring("failed in ".length())
                    : "your runtime ended before starting the program" + (said.isEmpty() ? "" : ": " + said), hash);
            }
            Map<String, Verdict> v = grade(bundle, pid);
            Sys.kill(pid, 15);
            Integer exit = null;
            if (p.waitFor(20, TimeUnit.SECONDS)) {
                String said = lastLine(driverOut);
                if (said.startsWith("exited ")) exit = Integer.parseInt(said.substring(7).strip());
            }
            v.put("exit", exit == null ? fail("the runtime did not end within 20 s of SIGTERM to its program")
                : Verdict.when(exit == Probe.EXIT, "the runtime passed exit " + exit + " through, the program's is "
                    + Probe.EXIT + " (its trap on SIGTERM)"));
            v.put("runs", pass());
            return new Trial(null, pid, v, exit, hash, System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed("interrupted", hash);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The probe bundle the check runs: runc spec's, hostname lab13-box, memory, pids and cpu limits, a seccomp rule. */
    static Bundle checkBundle() {
        try {
            return makeBundle(null, CHECK, o -> {
                o.addProperty("hostname", HOSTNAME);
                o.getAsJsonObject("process").add("args", array("sh", "-c",
                    "trap 'exit " + Probe.EXIT + "' TERM; while :; do sleep 1 & wait; done"));
                limitsAndSeccomp(o);
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** javac of the learner's file into CLASSES, against this JVM's class path: null, or what javac said. */
    static String compile(Path file) throws IOException {
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        if (javac == null) return "no Java compiler in this JVM (a JDK is needed, not a JRE): sudo apt-get install openjdk-17-jdk-headless";
        if (Files.exists(CLASSES)) Cmd.run("rm", "-rf", CLASSES.toString()).orThrow();
        Files.createDirectories(CLASSES);
        java.io.StringWriter said = new java.io.StringWriter();
        boolean ok = javac.getTask(said, null, null, List.of("-cp", System.getProperty("java.class.path"), "-d",
            CLASSES.toString(), "-proc:none", "-nowarn", "-Xlint:none"), null,
            javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(file.toFile())).call();
        if (ok) return null;
        List<String> lines = said.toString().lines().filter(l -> l.contains("error:")).limit(3).toList();
        return "your runtime does not compile: " + String.join(" | ", lines.isEmpty() ? said.toString().lines().limit(3).toList() : lines);
    }

    /** The program's pid once the driver says "started PID"; 0 after the time bound; -1 when the driver ended first. */
    static long waitForStart(Process p, Path out) throws InterruptedException, IOException {
        long end = System.nanoTime() + Duration.ofSeconds(startSeconds()).toNanos();
        while (System.nanoTime() < end) {
            for (String l : Files.readAllLines(out)) if (l.startsWith("started ")) return Long.parseLong(l.substring(8).strip());
            if (!p.isAlive()) {
                for (String l : Files.readAllLines(out)) if (l.startsWith("started ")) return Long.parseLong(l.substring(8).strip());
                return -1;
            }
            Thread.sleep(50);
        }
        return 0;
    }

    static String lastLine(Path f) throws IOException {
        List<String> l = Files.exists(f) ? Files.readAllLines(f) : List.of();
        return l.isEmpty() ? "" : l.get(l.size() - 1);
    }

    /** Every criterion but runs and exit, read from the kernel while pid runs. */
    static Map<String, Verdict> grade(Bundle b, long pid) {
        Map<String, Verdict> v = new TreeMap<>();
        v.put("namespaces", gradeNamespaces(b, pid));
        v.put("root", gradeRoot(b, pid));
        v.put("masked", gradeMasked(b, pid));
        v.put("hostname", gradeHostname(b, pid));
        v.put("limits", gradeLimits(pid));
        v.put("cpu", gradeCpu());
        v.put("join", gradeJoin(pid));
        v.put("capabilities", gradeCaps(b, pid));
        v.put("nnp", Verdict.when(Seccomp.status(pid).map(Seccomp.Status::noNewPrivs).orElse(false),
            "NoNewPrivs is 0 in /proc/" + pid + "/status: the bundle's process.noNewPrivileges is true; "
                + "prctl(PR_SET_NO_NEW_PRIVS) on the thread (Seccomp.noNewPrivsOnThisThread, lab08)"));
        v.put("seccomp", gradeSeccomp(pid));
        return v;
    }

    static Verdict gradeNamespaces(Bundle b, long pid) {
        long self = ProcessHandle.current().pid();
        List<String> shared = new ArrayList<>();
        for (Bundle.Namespace n : b.linux().namespaces()) {
            Ns t = Bundle.NAMESPACES.get(n.type());
            if (t.idOf(pid) == t.idOf(self)) shared.add(n.type());
        }
        return Verdict.when(shared.isEmpty(), "pid " + pid + " shares the host's " + String.join(", ", shared)
            + " namespace" + (shared.size() == 1 ? "" : "s") + " (/proc/" + pid + "/ns): unshare(2) each type "
            + "linux.namespaces lists, on the runtime's thread (labs 02, 03, 04, 10)");
    }

    static String identity(Path p) {
        try {
            return Files.getAttribute(p, "unix:dev") + ":" + Files.getAttribute(p, "unix:ino");
        } catch (IOException e) {
            return "unreadable";
        }
    }

    static Verdict gradeRoot(Bundle b, long pid) {
        String rootfs = identity(b.rootfs()), seen = identity(Path.of("/proc/" + pid + "/root/"));
        if (!seen.equals(rootfs)) {
            return fail("pid " + pid + "'s / is not " + b.rootfs() + " (/proc/" + pid + "/root): bind the rootfs on itself "
                + "and pivot_root into it in the container's mount namespace (labs 01, 02, 09)");
        }
        if (Ns.MNT.idOf(pid) == Ns.MNT.idOf(ProcessHandle.current().pid())) {
            return fail("pid " + pid + "'s / is the rootfs, but in the host's mount namespace: a chroot (lab01 escapes it)");
        }
        String nsRoot;
        try (NsThread t = NsThread.joinMountNamespace(pid)) {
            nsRoot = t.call(Rootfs::rootIdentity);
        }
        return Verdict.when(nsRoot.equals(rootfs), "pid " + pid + "'s / is the rootfs, but its mount namespace's root is "
            + "still the host's: a chroot, not pivot_root (lab01 escapes a chroot; lab09 pivots, then umount -l the old root)");
    }

    static Verdict gradeMasked(Bundle b, long pid) {
        if (!identity(Path.of("/proc/" + pid + "/root/")).equals(identity(b.rootfs()))) {
            return fail("pid " + pid + "'s / is not the bundle's rootfs, so its /proc is not the container's own: mask "
                + "the paths below the rootfs, in the root piece (lab02)");
        }
        List<Mounts.Mount> table = Mounts.of(pid);
        List<String> open = new ArrayList<>();
        for (String p : b.linux().maskedPaths()) {
            if (!Files.exists(Path.of("/proc/" + pid + "/root" + p), LinkOption.NOFOLLOW_LINKS)) continue;
            if (Mounts.at(table, p).isEmpty()) open.add(p);
        }
        return Verdict.when(open.isEmpty(), String.join(", ", open.stream().limit(3).toList()) + (open.size() > 3 ? " ..." : "")
            + " not masked in the container (nothing mounted on them in /proc/" + pid + "/mountinfo): /dev/null bound on a "
            + "file, an empty read-only tmpfs on a folder, before pivot_root (lab02)");
    }

    static Verdict gradeHostname(Bundle b, long pid) {
        if (Ns.UTS.idOf(pid) == Uts.hostId()) {
            return fail("pid " + pid + " is in the host's uts namespace: unshare CLONE_NEWUTS first, then sethostname (lab03)");
        }
        String name = Uts.hostnameOf(pid);
        return Verdict.when(name.equals(b.hostname()), "its uts namespace is called " + name + ", the bundle says "
            + b.hostname() + ": sethostname(2) before the capabilities are dropped (lab03)");
    }

    static Group group() {
        return Group.named(Container.cgroupName(GRADED), "memory", "pids", "cpu");
    }

    static Verdict gradeLimits(long pid) {
        Group g = group();
        List<String> wrong = new ArrayList<>();
        if (!g.exists("memory")) wrong.add(g.dir("memory") + " does not exist (the driver makes it: did something remove it?)");
        else {
            MemoryCgroup m = MemoryCgroup.at(g.dir("memory"), g.version("memory"));
            long limit = m.limit();
            if (limit != MEMORY) wrong.add(m.file("limit") + " is " + limit + ", not " + MEMORY);
        }
        if (!g.exists("pids")) wrong.add(g.dir("pids") + " does not exist (the driver makes it: did something remove it?)");
        else if (g.pidsMax() != PIDS) wrong.add("pids.max is " + g.pidsMax() + ", not " + PIDS);
        return Verdict.when(wrong.isEmpty(), String.join("; ", wrong) + ": write linux.resources "
            + "into the group's files (Group, MemoryCgroup: labs 06, 12)");
    }

    /** The cpu limit in the group's files: cpu.max on v2, cpu.cfs_quota_us and cpu.cfs_period_us on v1 (lab12). */
    static Verdict gradeCpu() {
        Group g = group();
        if (!g.exists("cpu")) return fail(g.dir("cpu") + " does not exist (the driver makes it: did something remove it?)");
        boolean v2 = g.version("cpu") == Cgroups.Version.V2;
        if (!Files.exists(g.dir("cpu").resolve(v2 ? "cpu.max" : "cpu.cfs_quota_us"))) {
            return fail(g.dir("cpu") + " has no cpu.max: the cpu controller is not handed down to it (the driver turns it"
                + " on in each cgroup.subtree_control above: did something turn it off?)");
        }
        Optional<Group.Quota> q = g.cpuMax();
        String file = v2 ? "cpu.max" : "cpu.cfs_quota_us and cpu.cfs_period_us";
        String has = q.map(x -> x.quotaUs() + " " + x.periodUs()).orElse("no limit");
        return Verdict.when(q.equals(Optional.of(new Group.Quota(CPU_QUOTA, CPU_PERIOD))), file + " of " + g.dir("cpu")
            + " say " + has + ", not " + CPU_QUOTA + " " + CPU_PERIOD + ": write linux.resources.cpu's quota and period "
            + "into the group's files (Group.setCpuMax: lab12)");
    }

    static Verdict gradeJoin(long pid) {
        Group g = group();
        List<String> outside = new ArrayList<>();
        for (String c : List.of("memory", "pids", "cpu")) {
            if (!g.exists(c) || !new unboxed.cgroup.CgroupDir(g.dir(c)).procs().contains(pid)) outside.add(c);
        }
        return Verdict.when(outside.isEmpty(), "pid " + pid + " is not in " + String.join(", ", outside) + " group "
            + Container.cgroupName(GRADED) + " (its cgroup.procs): write the held pid to cgroup.procs (Group.add; labs 06, 12)");
    }

    static Verdict gradeCaps(Bundle b, long pid) {
        Optional<Capabilities> c = Capabilities.of(pid);
        if (c.isEmpty()) return fail("pid " + pid + " ended while being read");
        Bundle.Caps want = b.process().capabilities();
        List<String> wrong = new ArrayList<>();
        capSet(wrong, "CapBnd", c.get().bounding(), want.bounding());
        capSet(wrong, "CapPrm", c.get().permitted(), want.permitted());
        capSet(wrong, "CapEff", c.get().effective(), want.effective());
        return Verdict.when(wrong.isEmpty(), String.join("; ", wrong) + ": the bounding set first "
            + "(PR_CAPBSET_DROP), then capset(2) (Capabilities, lab08)");
    }

    static void capSet(List<String> wrong, String field, long has, List<String> wanted) {
        long want = Capabilities.mask(wanted.toArray(String[]::new));
        if (has != want) {
            List<String> extra = Capabilities.decode(has & ~want);
            wrong.add(field + " " + Capabilities.hex(has) + " is not " + Capabilities.hex(want)
                + (extra.isEmpty() ? "" : " (" + extra.size() + " too many, " + String.join(", ", extra.stream().limit(2).toList())
                + (extra.size() > 2 ? " ..." : "") + ")"));
        }
    }

    static Verdict gradeSeccomp(long pid) {
        Seccomp.Status st = Seccomp.status(pid).orElse(null);
        if (st == null) return fail("pid " + pid + " ended while being read");
        if (st.mode() != 2) {
            return fail("pid " + pid + " has Seccomp: " + st.mode() + " (no filter): install the bundle's filter on the "
                + "thread, last (Seccomp.installOnThisThread, lab08)");
        }
        List<Seccomp.Filter> fs = Seccomp.filtersOf(pid);
        List<String> wrong = new ArrayList<>();
        for (String call : List.of("mkdir", "mkdirat")) {
            if (unboxed.sys.Syscalls.number(call) < 0) continue;
            Seccomp.Verdict v = Seccomp.evaluate(fs, call);
            if (!v.deniesWith(Errno.EACCES)) wrong.add(call + " gets " + v);
        }
        for (String call : List.of("read", "write", "exit_group")) {
            Seccomp.Verdict v = Seccomp.evaluate(fs, call);
            if (!v.allows()) wrong.add(call + " gets " + v);
        }
        return Verdict.when(wrong.isEmpty(), String.join(", ", wrong) + ": the bundle's linux.seccomp says ERRNO(EACCES) "
            + "for mkdir and mkdirat, ALLOW for the rest (b.linux().seccomp().filter(), lab08)");
    }
}
