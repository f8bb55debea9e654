///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab02Mntns

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.time.Duration;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.lab.LabException;
import unboxed.ns.MountNs;
import unboxed.ns.Mounts;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Processes;
import unboxed.ns.Rootfs;
import unboxed.sys.Cmd;
import unboxed.sys.LibC;
import unboxed.sys.Sys;
import unboxed.sys.SysCallException;
import unboxed.sys.Wait;

/**
 * Lab 02: mount namespaces. A process's view of the file system is a mount table, and a namespace gives it a table of
 * its own; propagation decides whether it really is its own. Story, steps, exercise and checks, top to bottom; the
 * mechanics are in lib (unboxed.ns).
 */
class Lab02Mntns {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    // The demo works in its own folder (removed when run ends); the exercise's directory is the learner's.
    static final Path WORK = Path.of("/var/lib/unboxed/lab02");
    static final Path ROOT = WORK.resolve("rootfs"), VOLUME = WORK.resolve("volume");
    /** Step 6's own shared tmpfs (so the host's mounts keep their propagation), and the mount points in it. */
    static final Path SHARED = WORK.resolve("shared");
    static final Path LEAK = SHARED.resolve("leak"), KEPT = SHARED.resolve("kept"), IN = SHARED.resolve("in");
    static final String TARGET = "/mnt/lab02", SECRET = "secret";

    /** The thread that made the demo's namespace (steps 2 to 5), and the process that lives in it. */
    static NsThread demo;
    static Process holder;

    /** The shared mount of step 6 as its pictures name it: the lab's folder and the mount point in it. */
    static String sharedName() {
        return WORK.getFileName() + "/" + SHARED.getFileName();
    }

    static Lab lab() {
        return Lab.define("lab02", "Mount namespaces")
            .summary("Give a process a mount table of its own with unshare -m and chroot, mount /proc where the host "
                + "cannot see it, walk in with nsenter and with setns from a Java thread, watch a mount leak out "
                + "through shared propagation, and lend a directory to the namespace with a bind mount.")
            .minutes(35)
            .objectives(
                "Tell which mount namespace a process or thread is in, and read its mount table from /proc/PID/mountinfo",
                "Make a mount namespace with unshare -m, chroot into a rootfs and mount /proc only there",
                "Enter a mount namespace with nsenter -m and with setns(2), and say why setns needs unshare(CLONE_FS) first",
                "Explain shared, slave and private propagation, and why unshare(1) makes / private and runc makes it slave",
                "Use a bind mount to show one directory in two places")
            .prerequisites("A Linux machine or VM where you are root (sudo)",
                "util-linux (unshare, nsenter, findmnt) and coreutils (chroot)")
            .needs("unshare", "nsenter", "findmnt", "chroot")
            .story("""
                `mount` changes a table, and there is more than one. Each process sees the file system through the
                mount table of its **mount namespace**: which file system is mounted where. `unshare(CLONE_NEWNS)` (the
                first namespace Linux had, hence the odd name) gives the caller a copy of its table; from then on a mount
                or unmount on one side stays on that side. A container's /proc, its volumes and its root are all just
                entries in its own table.

                "Stays on that side" has an exception, and it bites: **mount propagation**. A mount can be *shared*
                with peers in other namespaces, and then mounts made below it appear on all of them. systemd makes
                every mount shared at boot (mount_namespaces(7), NOTES), so a namespace made on such a host starts
                with every mount a peer of the host's. Whoever makes the namespace cuts that link first: the
                `unshare` command makes every mount *private* (its default, `--propagation private`), and runc makes
                `/` recursively *slave* (MS_SLAVE|MS_REC, "rslave", unless config.json's rootfsPropagation says
                otherwise): mounts the host makes later still propagate into the namespace (those below the
                container's root stay visible after pivot_root), and nothing mounted inside reaches the host. The
                system call alone does neither.

                From Java, one more twist: a mount namespace belongs to a thread, but so do its root and working
                directory, which the JVM's threads share. To join another mount namespace with setns(2) a thread must
                first take a private copy of them, `unshare(CLONE_FS)`. Then one JVM has two threads that see two
                different file systems.
                """)
            .makes(new KernelObject.DirTree(WORK))
            .owns(new KernelObject.MountsOn(TARGET))
            .preflight(Lab02Mntns::refuseForeignObjects)

            .step("Every process has a mount namespace", s -> s
                .explain("""
                    /proc/PID/ns/mnt names the namespace by an inode number, and /proc/PID/mountinfo lists its table:
                    one line per mount, with its mount point, file system and, in its optional fields, its propagation
                    (proc(5), mount_namespaces(7)): `shared:N` when the mount is shared, a member of peer group N, even
                    when it is alone in that group; `master:N` when it is a slave that receives from peer group N; both
                    when it is both; none when it is private. findmnt's PROPAGATION column says the same in words.
                    """)
                .shell("readlink /proc/$$/ns/mnt\nfindmnt -o TARGET,FSTYPE,PROPAGATION /")
                .does(Lab02Mntns::hostNamespace)
                .observe("This JVM and its parent share one namespace and one table. Note the propagation of `/`."))

            .step("unshare -m and chroot: a /proc of its own", s -> s
                .explain("""
                    A rootfs first: busybox-static and a link per tool, as the lines below build it (the lab copies
                    the same kind of root from its cache, /var/lib/unboxed/rootfs, built once). Then, on a thread of
                    its own, the lab calls `unshare(CLONE_NEWNS)`, makes every mount of the copied table private,
                    mounts a proc file system in the rootfs's /proc, and starts `sleep` chrooted into the rootfs. The
                    thread and the sleep now share a namespace the rest of the JVM is not in.
                    """)
                .shell("""
                    mkdir -p /var/lib/unboxed/lab02/rootfs/bin /var/lib/unboxed/lab02/rootfs/proc /var/lib/unboxed/lab02/rootfs/etc
                    cp /bin/busybox /var/lib/unboxed/lab02/rootfs/bin/
                    chroot /var/lib/unboxed/lab02/rootfs /bin/busybox --install -s /bin
                    echo rootfs > /var/lib/unboxed/lab02/rootfs/etc/hostname
                    unshare -m --propagation private sh -c 'mount -t proc proc /var/lib/unboxed/lab02/rootfs/proc && exec chroot /var/lib/unboxed/lab02/rootfs /bin/sleep 100000' &
                    PID=$!; sleep 1   # its pid; a moment to mount and start
                    """)
                .does(Lab02Mntns::unshareAndChroot)
                .observe("Three namespace ids, two different: the main thread kept the host's; the thread and the sleep share the new one."))

            .step("Invisible to the host; nsenter walks in", s -> s
                .explain("""
                    The proc mount is in the new table only. The host sees an empty directory where the namespace sees
                    every process. `nsenter -t PID -m` runs a command in PID's mount namespace; `-r` also takes its root.
                    """)
                .shell("""
                    findmnt /var/lib/unboxed/lab02/rootfs/proc || echo 'not mounted, as the host sees it'
                    nsenter -t $PID -m findmnt /var/lib/unboxed/lab02/rootfs/proc
                    nsenter -t $PID -m -r sh -c 'cat /etc/hostname; cat /proc/self/mountinfo'
                    """)
                .does(Lab02Mntns::invisibleToTheHost)
                .observe("Inside, with the rootfs as /, the table has one line: a chroot hides the mounts outside it."))

            .step("setns from a Java thread: two threads, two file systems", s -> s
                .explain("""
                    nsenter calls `setns(fd, CLONE_NEWNS)`. On an ordinary JVM thread that fails with EINVAL: the thread
                    shares its root and working directory with every other thread, and the kernel will not switch the
                    mounts under all of them. `unshare(CLONE_FS)` gives the thread its own copy first; then setns
                    works, and `chroot("/proc/PID/root")` takes the process's root, as `nsenter -r` does.
                    """)
                .shell("nsenter -t $PID -m -r ls /   # the same setns, then chroot, by nsenter")
                .does(Lab02Mntns::setnsFromJava)
                .observe("The same JVM reads two different /etc/hostname files at once, one per thread."))

            .step("The namespace goes with its last member, and /proc with it", s -> s
                .explain("""
                    A namespace lives while something refers to it: a process, a thread, an open /proc/PID/ns/mnt, or a
                    bind mount of that file. End the sleep and the thread, and the namespace is freed with its whole
                    table. Nobody ever unmounts that /proc.
                    """)
                .shell("""
                    kill $PID; wait $PID; echo "sleep ended, status $? (128 + 15: SIGTERM)"
                    nsenter -t $PID -m true   # fails: No such file or directory
                    """)
                .does(Lab02Mntns::namespaceGoes)
                .observe("No task is left in the namespace; the rootfs's /proc is an empty directory again."))

            .step("Mount propagation: shared, private, slave", s -> s
                .explain("""
                    On a systemd host every mount is `shared` (systemd makes them so at boot). A new namespace's copy
                    of a shared mount joins its peer group, so a mount made inside below it is copied to the host, and
                    stays there after the namespace is gone. To show it without touching the host's own mounts, the
                    lines mount a tmpfs of their own and make it shared, as systemd would: its mountinfo line says
                    `shared:N` although it is alone in peer group N. Three namespaces follow. One that leaves
                    propagation unchanged, as the raw unshare(2) system call does, leaks its mount to the host. One
                    made private, `unshare -m`'s default, keeps its mount. One made slave, what runc does to `/` by
                    default, receives a mount the host makes afterwards (`master:N` inside) and still keeps its own.
                    """)
                .shell("""
                    mkdir -p /var/lib/unboxed/lab02/shared
                    mount -t tmpfs tmpfs /var/lib/unboxed/lab02/shared
                    mount --make-shared /var/lib/unboxed/lab02/shared   # as systemd makes every mount at boot
                    mkdir /var/lib/unboxed/lab02/shared/leak /var/lib/unboxed/lab02/shared/kept /var/lib/unboxed/lab02/shared/in
                    grep lab02/shared /proc/self/mountinfo   # shared:N, alone in its peer group
                    unshare -m --propagation unchanged mount -t tmpfs tmpfs /var/lib/unboxed/lab02/shared/leak
                    findmnt -o TARGET,FSTYPE,PROPAGATION /var/lib/unboxed/lab02/shared/leak   # on the host: it leaked
                    unshare -m --propagation private mount -t tmpfs tmpfs /var/lib/unboxed/lab02/shared/kept
                    findmnt /var/lib/unboxed/lab02/shared/kept || echo 'not on the host'
                    unshare -m --propagation slave sleep 1000 &
                    SLAVE=$!; sleep 1   # its pid; a moment to make its namespace
                    mount -t tmpfs tmpfs /var/lib/unboxed/lab02/shared/in   # on the host, after the namespace was made
                    nsenter -t $SLAVE -m sh -c 'mount -t tmpfs tmpfs /var/lib/unboxed/lab02/shared/kept && grep lab02/shared /proc/self/mountinfo'
                    findmnt /var/lib/unboxed/lab02/shared/kept || echo 'not on the host'
                    kill $SLAVE
                    umount -R /var/lib/unboxed/lab02/shared
                    """)
                .does(Lab02Mntns::propagation)
                .observe("The leaked tmpfs carries the same shared:N on both sides: they are peers. It is still on the host "
                    + "after its namespace is gone. The private one never left. The slave namespace got the host's new "
                    + "mount (master:N) and kept its own."))
            .diagram("Three mount tables: which way a mount propagates", d -> d
                .panel("propagation unchanged", "unshare(CLONE_NEWNS), as the system call leaves it")
                .node(sharedName(), "shared:N, a peer of the host's")
                .node("  " + LEAK.getFileName(), "mounted here").mark()
                .panel("the host", "its mount table")
                .node(sharedName(), "shared:N")
                .node("  " + LEAK.getFileName(), "shared:M, arrived; stays")
                .node("  " + IN.getFileName(), "shared:K, mounted later")
                .node("  " + KEPT.getFileName(), "no mount")
                .panel("/ made slave", "runc's default (a private / also keeps its own, but receives nothing)")
                .node(sharedName(), "master:N")
                .node("  " + IN.getFileName(), "master:K, received")
                .node("  " + KEPT.getFileName(), "private, stays inside").mark()
                .arrow("propagation unchanged", LEAK.getFileName().toString(), "the host", LEAK.getFileName().toString(),
                    "copied to its peer")
                .arrow("the host", IN.getFileName().toString(), "/ made slave", IN.getFileName().toString(),
                    "master to slave, one way"))

            .step("Bind mounts: one directory in two places", s -> s
                .explain("""
                    `mount --bind DIR TARGET` shows an existing directory at a second place: no copy, the same files.
                    That is how a container gets a volume: a bind mount into its rootfs, made in its own namespace. A
                    bind can be made read-only on its own, while the original stays writable.
                    """)
                .shell("""
                    mkdir -p /var/lib/unboxed/lab02/volume /var/lib/unboxed/lab02/rootfs/mnt
                    echo 'written on the host' > /var/lib/unboxed/lab02/volume/hello.txt
                    unshare -m sh -c 'mount --bind /var/lib/unboxed/lab02/volume /var/lib/unboxed/lab02/rootfs/mnt && chroot /var/lib/unboxed/lab02/rootfs sh -c "cat /mnt/hello.txt; echo written inside > /mnt/inside.txt"'
                    cat /var/lib/unboxed/lab02/volume/inside.txt
                    unshare -m sh -c 'mount --bind /var/lib/unboxed/lab02/volume /var/lib/unboxed/lab02/rootfs/mnt && mount -o remount,bind,ro /var/lib/unboxed/lab02/rootfs/mnt && chroot /var/lib/unboxed/lab02/rootfs sh -c "echo again > /mnt/again.txt"'   # fails: Read-only file system
                    """)
                .does(Lab02Mntns::bindMounts)
                .observe("What the chrooted shell wrote is in the host's folder; after the read-only remount, writing fails with EROFS."))

            .exercise("""
                Build this by hand with the commands from the steps (`unshare`, `mount`, `nsenter`). The lab made the
                empty directory /mnt/lab02, and the mount that holds it is shared, as every mount is on a systemd
                machine.

                - a long-running process (any command: `sleep infinity` will do) in a mount namespace of its own;
                - in that namespace, a tmpfs mounted on /mnt/lab02, holding a file `secret`;
                - the host's mount table has no mount on /mnt/lab02, and the tmpfs has no propagation peer on the
                  host: mind the propagation;
                - `cat /proc/PID/root/mnt/lab02/secret` works from the host.

                You do not tell the check your pid: it finds the process by scanning /proc.
                """)
            .diagram("What you build", d -> d
                .panel("the host", "its mount table")
                .node("/", "shared, as on a systemd machine")
                .node("  " + TARGET, "an empty directory; no mount")
                .node("  /proc/PID/root", "your process's /")
                .panel("your mount namespace", "unshare -m, propagation private (or slave)").yours()
                .node("/", "no peer on the host")
                .node("  " + TARGET, "tmpfs").yours()
                .node("    " + SECRET, "a file").yours()
                .node("  sleep infinity", "the process that keeps it").yours()
                .arrow("the host", "/proc/PID/root", "your mount namespace", SECRET, "cat /proc/PID/root" + TARGET + "/" + SECRET))
            .check("process", "A process in a mount namespace of its own has a tmpfs on /mnt/lab02", 3,
                "unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /mnt/lab02 && ... && exec sleep infinity' &",
                Lab02Mntns::checkProcess)
            .check("host-clean", "The host's mount table has no mount on /mnt/lab02", 2,
                "mount inside the new namespace, never on the host: `findmnt /mnt/lab02` on the host prints nothing",
                Lab02Mntns::checkHostClean)
            .check("private", "The tmpfs has no propagation peer on the host", 2,
                "cut the new namespace's link to the host: unshare -m --propagation private (or slave), or mount "
                    + "--make-rprivate / (or --make-rslave /) inside, before mounting",
                Lab02Mntns::checkPrivate)
            .check("secret", "/mnt/lab02/secret is readable through that process (/proc/PID/root)", 2,
                "write it inside the namespace: nsenter -t PID -m sh -c 'echo hi > /mnt/lab02/secret'",
                Lab02Mntns::checkSecret)
            .prepare(Lab02Mntns::prepare)
            .solution(s -> s
                .refuseWhile("something is already mounted on " + TARGET + " (on the host or in a namespace)",
                    () -> Mounts.isMountPoint(TARGET) || !MountNs.withOwnMountOn(TARGET).isEmpty())
                .line("unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs " + TARGET + " && echo hi > "
                    + TARGET + "/" + SECRET + " && exec sleep infinity' &", Lab02Mntns::tmpfsInANamespace))

            .question("In a shell started by `unshare -m`, you run `mount -t tmpfs tmpfs /mnt`. What does `findmnt /mnt` "
                    + "print in another terminal, on the host?", 2,
                "unshare(1) makes every mount private in the new namespace (--propagation private is its default), so "
                    + "the mount stays inside.",
                "The tmpfs, as it shows inside the namespace", "The tmpfs, but mounted read-only on the host", "Nothing: the mount stays inside")
            .question("A program calls the unshare(CLONE_NEWNS) system call on a systemd host and mounts a tmpfs on "
                    + "/mnt/x at once. What does the host see at /mnt/x?", 0,
                "The new namespace's mounts are peers of the host's (the same shared:N), so the mount propagates back "
                    + "to the host; making / private or slave first (mount --make-rprivate /, or --make-rslave / as runc "
                    + "does) would have prevented it.",
                "The tmpfs: it propagated", "The empty directory", "EPERM when the program mounts")
            .question("The last process in a mount namespace exits while /proc is mounted inside it. What happens to "
                    + "that mount?", 1,
                "The namespace is freed with its whole mount table: nothing needs unmounting, and the host never saw it.",
                "It stays until someone runs umount", "It goes with the namespace", "It moves to the host's table")
            .question("Why does setns(fd, CLONE_NEWNS) fail with EINVAL on an ordinary JVM thread?", 2,
                "Threads share one fs_struct (root and working directory); the kernel will not switch the mount "
                    + "namespace under the others. unshare(CLONE_FS) gives the thread its own copy first.",
                "The JVM runs without CAP_SYS_ADMIN, so the kernel refuses the switch", "Mount namespaces cannot be joined by setns, only made by unshare",
                "The thread shares its root and working directory with other threads")
            .question("`unshare -m --propagation slave sleep infinity &` runs (runc's default for /, rslave). Then the "
                    + "host mounts a tmpfs on the shared mount /srv/x. What does `nsenter -t $! -m findmnt /srv/x` print?", 1,
                "A slave receives mount events from its master's peer group and sends none back: the host's new mount "
                    + "arrives (master:N in the namespace's mountinfo), while mounts made inside stay inside.",
                "Nothing: the namespace's table is a copy, fixed when it was made",
                "The tmpfs, received through propagation", "The tmpfs, and a mount made inside would reach the host too")
            .reading("mount_namespaces(7) shared subtrees, peer groups, MS_SHARED, MS_PRIVATE, MS_SLAVE",
                "proc(5) /proc/PID/mountinfo and its optional fields shared:N, master:N",
                "unshare(1) --mount and --propagation (private by default)",
                "nsenter(1) -m and -r",
                "mount(2) MS_BIND, MS_REMOUNT, MS_REC and the propagation flags",
                "unshare(2) CLONE_NEWNS and CLONE_FS",
                "setns(2) why joining a mount namespace needs a filesystem state of one's own",
                "findmnt(8)",
                "Documentation/filesystems/sharedsubtree.rst",
                "runc's rootfs set-up: prepareRoot makes / rslave, the rootfs's parent private "
                    + "<https://github.com/opencontainers/runc/blob/main/libcontainer/rootfs_linux.go>")
            .build();
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    static void hostNamespace(Bench b) {
        long self = ProcessHandle.current().pid();
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        b.show("mount namespace of this JVM", Ns.MNT.label(Ns.MNT.idOf(self)));
        b.show("mount namespace of its parent (pid " + parent + ")", Ns.MNT.label(Ns.MNT.idOf(parent)));
        List<Mounts.Mount> table = Mounts.ofHost();
        b.show("mounts in its table", table.size() + " lines in /proc/" + self + "/mountinfo");
        Mounts.Mount root = MountNs.holding(table, "/");
        b.show("propagation of /", MountNs.propagation(root)
            + (root.shared() ? " (systemd, or the lab's exercise, made it so)"
                : root.propagation().isEmpty() ? " (no systemd here; on a systemd host it is shared)"
                : " (a slave: a container runtime such as runc leaves / so by default)"));
        b.sh("findmnt -o TARGET,FSTYPE,PROPAGATION /");
    }

    static void unshareAndChroot(Bench b) throws Exception {
        Path cache = Rootfs.ready(b.console()::note);
        b.dir(WORK);
        b.java("cp -a " + cache + " " + ROOT + "   (" + Rootfs.origin(cache) + ")");
        Rootfs.copyTo(cache, ROOT);
        demo = NsThread.unshare(EnumSet.of(Ns.MNT));
        b.java("unshare(CLONE_NEWNS) on thread " + demo.tid());
        b.java("mount(\"none\", \"/\", NULL, MS_REC|MS_PRIVATE, NULL) on that thread: nothing it mounts can leak");
        demo.run(() -> Mounts.makePrivate("/"));
        b.java("mount(\"proc\", \"" + ROOT + "/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) on that thread");
        demo.run(() -> Mounts.proc(ROOT + "/proc"));
        holder = demo.call(() -> b.spawn(new ProcessBuilder("chroot", ROOT.toString(), "/bin/sleep", "100000")
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true)));
        awaitComm(holder.pid(), "sleep");
        b.java("new ProcessBuilder(\"chroot\", \"" + ROOT + "\", \"/bin/sleep\", \"100000\").start() on that thread: pid "
            + holder.pid());
        b.show("mount namespace of the main thread", Ns.MNT.label(Ns.MNT.ofThisThread()));
        b.show("mount namespace of thread " + demo.tid(), Ns.MNT.label(demo.id(Ns.MNT)));
        b.show("mount namespace of pid " + holder.pid() + " (sleep)", Ns.MNT.label(Ns.MNT.idOf(holder.pid())));
        b.show("root directory of pid " + holder.pid(), Files.readSymbolicLink(Path.of("/proc/" + holder.pid() + "/root")));
    }

    static void invisibleToTheHost(Bench b) throws Exception {
        String proc = ROOT + "/proc";
        b.show(proc + " in the host's table", describe(Mounts.at(Mounts.ofHost(), proc)));
        b.show(proc + " in thread " + demo.tid() + "'s table", describe(demo.call(() -> Mounts.at(Mounts.ofThisThread(), proc))));
        b.show("entries in " + proc + ", host's view", count(Path.of(proc)));
        b.show("entries in " + proc + ", thread's view", demo.call(() -> count(Path.of(proc))));
        long pid = holder.pid();
        b.sh("findmnt " + proc + " || echo 'not mounted, as the host sees it'");
        b.sh("nsenter -t " + pid + " -m findmnt " + proc);
        b.sh("nsenter -t " + pid + " -m -r sh -c 'cat /etc/hostname; cat /proc/self/mountinfo'");
    }

    static void setnsFromJava(Bench b) throws Exception {
        long pid = holder.pid();
        String nsFile = "/proc/" + pid + "/ns/mnt";
        b.java("setns(open(\"" + nsFile + "\"), CLONE_NEWNS) on an ordinary new thread");
        b.show("result", setnsOnAPlainThread(nsFile));
        try (NsThread joined = NsThread.enter(pid, EnumSet.of(Ns.MNT))) {
            b.java("unshare(CLONE_FS), setns(open(\"" + nsFile + "\"), CLONE_NEWNS), chroot(\"/proc/" + pid
                + "/root\") on thread " + joined.tid());
            b.show("mount namespace of thread " + joined.tid(), Ns.MNT.label(joined.id(Ns.MNT)) + " (pid " + pid + "'s)");
            b.show("/etc/hostname, main thread", Files.readString(Path.of("/etc/hostname")).strip());
            b.show("/etc/hostname, thread " + joined.tid(), joined.call(() -> Files.readString(Path.of("/etc/hostname")).strip()));
            b.show("ls /, main thread", Rootfs.ls(Path.of("/")));
            b.show("ls /, thread " + joined.tid(), joined.call(() -> Rootfs.ls(Path.of("/"))));
            b.show("mounts thread " + joined.tid() + " sees", joined.call(() -> String.join(", ",
                Mounts.ofThisThread().stream().map(m -> m.mountPoint() + " (" + m.fsType() + ")").toList())));
        }
        b.sh("nsenter -t " + pid + " -m -r ls /");
    }

    static void namespaceGoes(Bench b) throws Exception {
        long pid = holder.pid(), ns = Ns.MNT.idOf(pid);
        b.java("kill(" + pid + ", SIGKILL), and thread " + demo.tid() + " ends");
        holder.destroyForcibly();
        holder.waitFor();
        holder = null;
        demo.close();
        demo = null;
        // an ended thread's /proc/PID/task entry can outlast its exit by a moment: look again for up to a second
        Wait.until(Duration.ofSeconds(1), Duration.ofMillis(25), () -> tasksIn(ns).isEmpty());
        List<String> left = tasksIn(ns);
        b.show("tasks in " + Ns.MNT.label(ns), left.isEmpty() ? "none: the namespace is freed" : String.join(" ", left));
        b.show("entries in " + ROOT + "/proc", count(ROOT.resolve("proc")) + " (nothing was ever unmounted)");
        b.sh("nsenter -t " + pid + " -m true");
    }

    static void propagation(Bench b) throws Exception {
        Files.createDirectories(SHARED);
        b.java("mount(\"tmpfs\", \"" + SHARED + "\", \"tmpfs\", 0, NULL); mount(NULL, \"" + SHARED + "\", NULL, MS_SHARED, NULL)"
            + "   (a shared mount of the lab's own, as systemd makes every mount)");
        b.willCreate(new KernelObject.Mount(SHARED.toString()));
        Mounts.tmpfs(SHARED.toString());
        MountNs.makeShared(SHARED.toString());
        for (Path p : List.of(LEAK, KEPT, IN)) Files.createDirectories(p);
        Mounts.Mount shared = Mounts.at(Mounts.ofHost(), SHARED.toString()).orElseThrow();
        b.show("propagation of " + SHARED, MountNs.propagation(shared) + " (peers on the host: "
            + (MountNs.receiversOf(shared, Mounts.ofHost()).size() - 1) + ", alone in its group)");
        try (NsThread careless = NsThread.unshare(EnumSet.of(Ns.MNT))) {
            b.java("unshare(CLONE_NEWNS) on thread " + careless.tid() + ", then at once mount(\"tmpfs\", \"" + LEAK
                + "\", \"tmpfs\", 0, NULL)");
            b.willCreate(new KernelObject.Mount(LEAK.toString())); // it will appear on the host: journal it there before it does
            careless.run(() -> Mounts.tmpfs(LEAK.toString()));
            b.show("leak, thread " + careless.tid(), describe(careless.call(() -> Mounts.at(Mounts.ofThisThread(), LEAK.toString()))));
            b.show("leak, host", describe(Mounts.at(Mounts.ofHost(), LEAK.toString())));
        }
        b.show("leak, host, thread gone", describe(Mounts.at(Mounts.ofHost(), LEAK.toString())));
        try (NsThread careful = NsThread.unshare(EnumSet.of(Ns.MNT))) {
            b.java("unshare(CLONE_NEWNS) on thread " + careful.tid() + ", mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE,"
                + " NULL), then mount(\"tmpfs\", \"" + KEPT + "\", ...)");
            careful.run(() -> {
                Mounts.makePrivate("/");
                Mounts.tmpfs(KEPT.toString());
            });
            b.show("kept, thread " + careful.tid(), describe(careful.call(() -> Mounts.at(Mounts.ofThisThread(), KEPT.toString()))));
            b.show("kept, host", describe(Mounts.at(Mounts.ofHost(), KEPT.toString())));
        }
        try (NsThread slave = NsThread.unshare(EnumSet.of(Ns.MNT))) {
            b.java("unshare(CLONE_NEWNS) on thread " + slave.tid() + ", mount(NULL, \"/\", NULL, MS_REC|MS_SLAVE, NULL)"
                + " (runc's default), mount(\"tmpfs\", \"" + KEPT + "\", ...); then the host mounts a tmpfs on " + IN);
            slave.run(() -> {
                Sys.mount("none", "/", null, LibC.MS_REC | LibC.MS_SLAVE, null);
                Mounts.tmpfs(KEPT.toString());
            });
            b.willCreate(new KernelObject.Mount(IN.toString()));
            Mounts.tmpfs(IN.toString());
            b.show("in, host", describe(Mounts.at(Mounts.ofHost(), IN.toString())));
            b.show("in, thread " + slave.tid(), describe(slave.call(() -> Mounts.at(Mounts.ofThisThread(), IN.toString()))));
            b.show("kept, thread " + slave.tid(), describe(slave.call(() -> Mounts.at(Mounts.ofThisThread(), KEPT.toString()))));
            b.show("kept, host", describe(Mounts.at(Mounts.ofHost(), KEPT.toString())));
        }
        b.sh("unshare -m sh -c 'mount -t tmpfs tmpfs " + KEPT + " && findmnt -no TARGET,PROPAGATION " + KEPT + "'; findmnt "
            + KEPT + " || echo 'not on the host: unshare(1) made / private first'");
        b.say("The leak outlived the namespace that made it: it stays on the host until the lab unmounts it when run ends.");
    }

    static void bindMounts(Bench b) throws Exception {
        Files.createDirectories(VOLUME);
        Files.createDirectories(ROOT.resolve("mnt"));
        Files.writeString(VOLUME.resolve("hello.txt"), "written on the host\n");
        String inside = ROOT + "/mnt";
        try (NsThread t = NsThread.unshare(EnumSet.of(Ns.MNT))) {
            b.java("unshare(CLONE_NEWNS), make / private, mount(\"" + VOLUME + "\", \"" + inside + "\", NULL, MS_BIND, NULL)"
                + " on thread " + t.tid());
            t.run(() -> {
                Mounts.makePrivate("/");
                Mounts.bind(VOLUME.toString(), inside);
            });
            b.show("chroot rootfs cat /mnt/hello.txt", t.call(() -> chrootSh("cat /mnt/hello.txt")));
            t.call(() -> chrootSh("echo written inside > /mnt/inside.txt"));
            b.show(VOLUME + "/inside.txt on the host", Files.readString(VOLUME.resolve("inside.txt")).strip());
            b.show("same inode both ways", inode(VOLUME.resolve("hello.txt")) + " = "
                + t.call(() -> inode(Path.of(inside, "hello.txt"))));
            b.java("mount(\"none\", \"" + inside + "\", NULL, MS_REMOUNT|MS_BIND|MS_RDONLY, NULL) on thread " + t.tid());
            t.run(() -> MountNs.remountReadOnly(inside));
            b.show("chroot rootfs: echo again > /mnt/again.txt", t.call(() -> chrootSh("echo again > /mnt/again.txt")));
            b.show(inside + " in the host's table", describe(Mounts.at(Mounts.ofHost(), inside)));
        }
    }

    // ---- the exercise: starting point, checks (kernel state only), solve, reset ----------------------------------

    /** The empty directory the learner mounts on, and a shared / as on a systemd host, so the trap is live everywhere. */
    static void prepare(Bench b) throws IOException {
        Path target = Path.of(TARGET);
        if (!Files.exists(target)) {
            // A note of how the host was, not a demo object: a second run keeps the directory (and what the learner
            // mounted on it in their namespace), reset removes it, /mnt too if that was absent as well.
            Path outermost = Files.exists(target.getParent()) ? target : target.getParent();
            b.console().shell("mkdir -p " + TARGET);
            b.willCreate(new KernelObject.ExerciseDirNote(outermost));
            Files.createDirectories(target);
        }
        makeSharedLikeSystemd(b, TARGET);
        Mounts.Mount holding = MountNs.holding(Mounts.ofHost(), TARGET);
        b.show(TARGET + " lives on the mount", holding.mountPoint() + ", propagation " + MountNs.propagation(holding));
    }

    static Verdict checkProcess() {
        Optional<MountNs.Holder> h = learners();
        if (h.isEmpty()) {
            if (!Files.isDirectory(Path.of(TARGET))) {
                return fail("there is no directory " + TARGET + " on the host yet: `sudo ./jbang lab02 run` (or prepare) makes it");
            }
            Optional<Mounts.Mount> onHost = Mounts.at(Mounts.ofHost(), TARGET);
            return fail(onHost.isPresent()
                ? "the " + onHost.get().fsType() + " on " + TARGET + " is in the host's own mount namespace, and no process has one of its own"
                : "no process outside the host's mount namespace has a mount on " + TARGET);
        }
        Mounts.Mount m = h.get().mount();
        return Verdict.when("tmpfs".equals(m.fsType()), who(h.get()) + " has a " + m.fsType() + " on " + TARGET + ", not a tmpfs");
    }

    static Verdict checkHostClean() {
        Optional<MountNs.Holder> h = learners();
        Optional<Mounts.Mount> onHost = Mounts.at(Mounts.ofHost(), TARGET);
        if (onHost.isPresent()) {
            boolean leaked = h.isPresent() && !MountNs.receiversOf(h.get().mount(), List.of(onHost.get())).isEmpty();
            return fail("the host's table has a " + onHost.get().fsType() + " on " + TARGET + (leaked
                ? ": it propagated out of " + who(h.get()) + "'s namespace (" + MountNs.propagation(onHost.get()) + " on both sides)"
                : ": it was mounted in the host's own namespace"));
        }
        return Verdict.when(h.isPresent(), "nothing to compare yet: no process has a mount of its own on " + TARGET);
    }

    static Verdict checkPrivate() {
        Optional<MountNs.Holder> h = learners();
        if (h.isEmpty()) return fail("no process with a mount of its own on " + TARGET + " to look at");
        List<Mounts.Mount> peers = MountNs.receiversOf(h.get().mount(), Mounts.ofHost());
        if (peers.isEmpty()) return pass();
        return fail("the mount on " + TARGET + " in " + who(h.get()) + "'s namespace is "
            + MountNs.propagation(h.get().mount()) + ", and on the host " + String.join(", ", peers.stream()
                .map(p -> p.mountPoint() + " (" + MountNs.propagation(p) + ")").toList())
            + " is in its peer group: mounts propagate between them");
    }

    static Verdict checkSecret() throws IOException {
        Optional<MountNs.Holder> h = learners();
        if (h.isEmpty()) return fail("no process with a mount of its own on " + TARGET + " to look through");
        Path secret = h.get().resolve(TARGET + "/" + SECRET);
        if (!Files.exists(secret)) return fail(secret + " does not exist: " + who(h.get()) + "'s " + TARGET + " has no file " + SECRET);
        if (!Files.isRegularFile(secret)) return fail(secret + " is not a regular file");
        Files.readAllBytes(secret); // unreadable: the exception's message is the reason
        return pass();
    }

    /**
     * The learner's process: in a mount namespace of its own, with a mount of its own on /mnt/lab02. Of several, the
     * one that meets the most criteria (an earlier failed attempt must not hide a good one).
     */
    static Optional<MountNs.Holder> learners() {
        List<Mounts.Mount> host = Mounts.ofHost();
        return MountNs.withOwnMountOn(TARGET).stream().min(Comparator
            .comparing((MountNs.Holder h) -> !"tmpfs".equals(h.mount().fsType()))
            .thenComparing(h -> !Files.isRegularFile(h.resolve(TARGET + "/" + SECRET)))
            .thenComparing(h -> !MountNs.receiversOf(h.mount(), host).isEmpty())
            .thenComparing(MountNs.Holder::pid));
    }

    /** The solution's one line, from Java: a thread unshares, mounts and writes; a sleep it starts holds the namespace. */
    static void tmpfsInANamespace(Bench b) throws Exception {
        try (NsThread t = NsThread.unshare(EnumSet.of(Ns.MNT))) {
            t.run(() -> {
                Mounts.makePrivate("/");
                Mounts.tmpfs(TARGET);
                Files.writeString(Path.of(TARGET, SECRET), "hi\n");
            });
            // the sleep holds the namespace after the thread (and this JVM) is gone
            Process p = t.call(() -> b.spawn(new ProcessBuilder("sleep", "infinity")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true)));
            b.show("pid of the sleep in the new namespace", p.pid() + " (" + Ns.MNT.label(Ns.MNT.idOf(p.pid())) + ")");
        }
    }

    /**
     * The learner's processes are found as the check finds them (a mount of their own on /mnt/lab02) and ended by pid;
     * a mount on /mnt/lab02 in the host's table (a near miss, or a leak) is removed after them.
     */
    /**
     * Exit 4 before touching anything if /mnt/lab02 is not a directory, or the host has something mounted on it (the
     * declaration refuses a foreign /var/lib/unboxed/lab02).
     */
    static void refuseForeignObjects(Bench b) {
        Path target = Path.of(TARGET);
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw LabException.conflict(TARGET + " exists and is not a directory: move it away");
        }
        if (Mounts.isMountPoint(TARGET)) {
            throw LabException.conflict("something is mounted on " + TARGET + " on the host; `sudo ./jbang lab02 reset`"
                + " removes it if it is yours");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /**
     * systemd makes every mount shared at boot; on a host without it, make the mount that holds path shared, as it
     * would be, so that the leak is real. Journaled first: the journal makes it private again. True if it changed.
     */
    static boolean makeSharedLikeSystemd(Bench b, String path) {
        Mounts.Mount m = MountNs.holding(Mounts.ofHost(), path);
        if (!m.propagation().isEmpty()) return false; // shared already (systemd), or a slave: leave it as it is
        b.console().shell("mount --make-shared " + m.mountPoint() + "   # as systemd would have, at boot");
        b.willCreate(new KernelObject.PropagationNote(m.mountPoint(), "private"));
        MountNs.makeShared(m.mountPoint());
        return true;
    }

    /** What setns(CLONE_NEWNS) says on a thread that shares its root and cwd with the rest of the JVM. */
    static String setnsOnAPlainThread(String nsFile) throws InterruptedException {
        String[] result = new String[1];
        Thread t = new Thread(() -> {
            int fd = Sys.open(nsFile, LibC.O_RDONLY | LibC.O_CLOEXEC);
            try {
                Sys.setns(fd, LibC.CLONE_NEWNS, nsFile);
                result[0] = "joined (this kernel allows it)";
            } catch (SysCallException e) {
                result[0] = e.getMessage();
            } finally {
                Sys.close(fd);
            }
        });
        t.start();
        t.join();
        return result[0];
    }

    /** Runs a command line with the rootfs's own sh, chrooted, from the calling thread: its output, or its error. */
    static String chrootSh(String line) {
        Cmd.Result r = Cmd.run("chroot", ROOT.toString(), "/bin/sh", "-c", line);
        return (r.out() + r.err()).strip().isEmpty() ? "(no output, exit " + r.exit() + ")" : (r.out() + r.err()).strip();
    }

    /** Every task (thread of any process) in the mount namespace with this id. */
    static List<String> tasksIn(long ns) {
        List<String> out = new ArrayList<>();
        for (long pid : Processes.pids()) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Ns.idAt(task.resolve("ns/mnt")) == ns) out.add(pid + "/" + task.getFileName());
                    } catch (RuntimeException gone) {
                        // ended while we looked
                    }
                }
            } catch (IOException gone) {
                // the process ended while we looked
            }
        }
        return out;
    }

    static void awaitComm(long pid, String comm) {
        Wait.until(Duration.ofSeconds(2), () -> Processes.comm(pid).orElse(comm).equals(comm));
    }

    static String describe(Optional<Mounts.Mount> m) {
        return m.map(x -> x.fsType() + ", " + MountNs.propagation(x)).orElse("no mount");
    }

    static String who(MountNs.Holder h) {
        return "pid " + h.pid() + " (" + Processes.comm(h.pid()).orElse("?") + ")";
    }

    static long count(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    static Object inode(Path p) throws IOException {
        return Files.getAttribute(p, "unix:ino");
    }
}
