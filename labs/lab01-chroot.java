///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab01Chroot

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.ns.Mounts;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Rootfs;
import unboxed.sys.Cmd;
import unboxed.sys.LibC;
import unboxed.sys.Sys;

/**
 * Lab 01: chroot. A process's root directory is one pointer in the kernel; moving it is easy, and so is moving it back.
 * Story, steps, exercise and checks, top to bottom; the mechanics are in lib (unboxed.ns.Rootfs, NsThread, Mounts).
 */
class Lab01Chroot {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    /**
     * The lab's work folder. The demo's roots live in it while run runs (the journal removes them); the learner's
     * myroot stays until reset, whose exercise reset removes the whole folder: the learner made it, not the journal.
     */
    static final Path WORK = Path.of("/var/lib/unboxed/lab01");
    static final Path TINY = WORK.resolve("tiny"), DEMO_ROOT = WORK.resolve("demo-root"), MYROOT = WORK.resolve("myroot");
    /** The directory the escape makes inside the root and chroots into, leaving its working directory above it. */
    static final String HATCH = "escape-hatch";
    /** The PATH a root shell has; the checks give it to chroot so the result does not depend on who runs check. */
    static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    static Lab lab() {
        return Lab.define("lab01", "chroot, and why it is not a container")
            .summary("Build a root directory by hand, chroot into it from Java and from the shell, see what is missing "
                + "(ls, /proc), then break out of it, and see pivot_root in a mount namespace shut the way out.")
            .minutes(30)
            .objectives(
                "Build a root filesystem a program can run in: the program and the libraries ldd lists",
                "chroot from the shell, and from one Java thread without moving the rest of the JVM",
                "Explain why a /proc mounted for a chroot stays on the host after the chroot exits",
                "Escape a plain chroot as root, and explain why pivot_root in a new mount namespace stops it")
            .prerequisites("A Linux machine or VM where you are root (sudo)",
                "coreutils (chroot, cp), ldd; busybox-static makes the useful root (else the lab copies host programs)",
                "gcc and libc6-dev, to compile the escape in C as the shell lines do (the lab itself escapes from Java)")
            .needs("chroot", "ldd", "cp")
            .story("""
                In 1982 Unix got **chroot**: a system call that changes what `/` means for a process. After
                `chroot("/srv/jail")`, the process opening `/etc/passwd` gets `/srv/jail/etc/passwd`; nothing above
                `/srv/jail` has a name any more. Every container runtime still does this (or its stronger cousin
                pivot_root) when it starts a container: the image's files become the container's `/`.

                A root directory has to hold everything the programs in it need. A copied shell alone does not
                start: it needs its shared libraries and the dynamic loader, which `ldd` lists. Copy those and the
                shell runs — and then cannot find `ls`, because only what you copied exists. You will build that tiny
                root, then a useful one, and go in from the shell and from Java.

                Two things show what chroot is *not*. `ps` inside finds nothing until you mount /proc there, and that
                mount belongs to the host's mount table: it outlives the chroot and has to be cleaned up by hand. And
                a root process can simply walk out of a chroot. Both are why containers use **mount namespaces** and
                `pivot_root` instead, which the last step shows.

                One thing is special about doing this from Java: the root directory belongs to a thread's *filesystem
                state*, which all threads of a process share. The lab calls `unshare(CLONE_FS)` on a thread of its
                own first, so its chroot moves that thread only and the JVM keeps its root.

                The useful root comes from a cache, /var/lib/unboxed/rootfs, built once (busybox-static, or copies
                of host programs) and kept by `reset`: it is not a lab object, and the lab works on a copy.
                """)
            .makes(new KernelObject.DirTree(TINY), new KernelObject.DirTree(DEMO_ROOT))
            .owns(new KernelObject.DirTree(WORK))

            .step("A root with a shell and nothing else", s -> s
                .explain("""
                    chroot needs a directory that holds the program to run, at the path it will have inside. The
                    shell is dynamically linked: the kernel first starts the loader named in the program
                    (/lib64/ld-linux-x86-64.so.2 on x86-64), which then opens each library. `ldd` lists them all;
                    copy each to the same path inside the new root (`cp --parents` keeps the path).
                    """)
                .shell("""
                    mkdir -p /var/lib/unboxed/lab01/tiny
                    cp --parents /bin/sh /var/lib/unboxed/lab01/tiny/
                    ldd /bin/sh
                    cp --parents $(ldd /bin/sh | grep -o '/[^ ]*') /var/lib/unboxed/lab01/tiny/
                    find /var/lib/unboxed/lab01/tiny -type f | sort
                    """)
                .does(Lab01Chroot::tinyRoot)
                .observe("Three files: the shell, the C library and the loader. That is a whole root filesystem to the kernel."))

            .step("chroot from a Java thread; the JVM keeps its root", s -> s
                .explain("""
                    chroot(2) changes the root directory of the calling thread's filesystem state (root, working
                    directory, umask). The threads of a process share that state, so a plain chroot in the JVM would
                    move every thread. After `unshare(CLONE_FS)` this thread has its own copy, and chroot moves only it.
                    """)
                .shell("chroot /var/lib/unboxed/lab01/tiny /bin/sh -c 'echo /*'   # the shell's glob lists /, no ls needed")
                .does(Lab01Chroot::chrootFromJava)
                .observe("""
                    The thread lists three entries for /, the main thread the host's. Even the JVM cannot start a
                    program from the jailed thread: it launches through $JAVA_HOME/lib/jspawnhelper, not in this root."""))
            .diagram("The jail's root and the host's: one directory, two names", d -> d
                .panel("the host's /", "what the main thread sees")
                .node("/")
                .node("  " + WORK.toString().substring(1))
                .node("    " + TINY.getFileName(), "chroot(\"" + TINY + "\")").mark()
                .node("      bin/sh")
                .node("      lib/…, lib64/…", "what ldd lists")
                .panel("the thread's /", "after unshare(CLONE_FS) and chroot")
                .node("/", "= " + TINY).mark()
                .node("  bin/sh")
                .node("  lib/…, lib64/…")
                .arrow("the host's /", TINY.getFileName().toString(), "the thread's /", "/", "chroot: the same directory, now named /"))

            .step("ls: not found", s -> s
                .explain("""
                    Inside, the shell looks for `ls` along PATH — in the new root, where there is no ls. Every tool a
                    container uses has to be in its root filesystem (or in the shell itself, like echo and the glob).
                    """)
                .shell("chroot /var/lib/unboxed/lab01/tiny /bin/sh -c 'ls /'   # fails: ls: not found")
                .does(Lab01Chroot::lsNotFound)
                .observe("`ls: not found`, exit 127: the shell ran, its command did not exist."))

            .step("A useful root", s -> s
                .explain("""
                    A useful root holds a shell and the usual tools. busybox-static is one statically linked binary
                    that is all of them (no libraries to copy), with a symlink per tool; without it, the lab copies
                    ls, cat, ps, mount... with their libraries as in step 1. The root is built once into the cache
                    /var/lib/unboxed/rootfs and copied for the demo, which is free to change its copy.
                    """)
                .shell("""
                    mkdir -p /var/lib/unboxed/lab01/demo-root/bin /var/lib/unboxed/lab01/demo-root/sbin /var/lib/unboxed/lab01/demo-root/usr/bin /var/lib/unboxed/lab01/demo-root/usr/sbin /var/lib/unboxed/lab01/demo-root/proc
                    cp /bin/busybox /var/lib/unboxed/lab01/demo-root/bin/
                    chroot /var/lib/unboxed/lab01/demo-root /bin/busybox --install -s
                    chroot /var/lib/unboxed/lab01/demo-root /bin/sh -c 'ls /; ps'
                    """)
                .does(Lab01Chroot::usefulRoot)
                .observe("ls works now. ps shows no process at all (or says to mount /proc): it reads /proc, and here /proc is an empty directory."))

            .step("Mount /proc for ps", s -> s
                .explain("""
                    ps, top and friends read the kernel's process list from the proc file system. Mount one on the
                    new root's /proc, from the host, and ps inside works.
                    """)
                .shell("""
                    mount -t proc proc /var/lib/unboxed/lab01/demo-root/proc
                    chroot /var/lib/unboxed/lab01/demo-root /bin/sh -c 'ps | head -5'
                    """)
                .does(Lab01Chroot::mountProc)
                .observe("ps lists processes — the host's, all of them: chroot hides files, not processes (that takes a pid namespace)."))

            .step("The mount outlives the chroot", s -> s
                .explain("""
                    The chroot has exited. The proc mount has not: it was made in the host's mount namespace, and it
                    stays in the host's mount table until someone unmounts it. Forget it, and `rm -rf` of the root
                    walks into /proc. A mount namespace would have taken it away with the last process in it.
                    """)
                .shell("""
                    grep /var/lib/unboxed/lab01/demo-root /proc/self/mountinfo
                    umount /var/lib/unboxed/lab01/demo-root/proc   # by hand: nothing else will
                    """)
                .does(Lab01Chroot::mountOutlivesChroot)
                .observe("The line in the host's mountinfo stayed after the chroot ended, until the umount."))

            .step("The classic escape", s -> s
                .explain("""
                    chroot moves the root, not the working directory, and `..` stops only *at* the root. A root
                    process inside a chroot makes a directory, chroots into it (its working directory is now
                    above its root), walks up with `..` as far as it goes — the host's `/` — and chroots there.
                    The program below does it in C, written to a file by a here-document and compiled statically
                    (gcc and libc6-dev), so that it runs in the busybox root without any library. The lab does the
                    same system calls on a Java thread (unshare(CLONE_FS) first), and compares the device and inode
                    of the `/` it reached with the JVM's own `/`.
                    """)
                .shell("""
                    cat > /var/lib/unboxed/lab01/escape.c <<'EOF'
                    #include <stdio.h>
                    #include <sys/stat.h>
                    #include <unistd.h>
                    int main(void) {
                        mkdir("/escape-hatch", 0755);
                        chroot("/escape-hatch");    /* root moves below; the working directory stays above it */
                        for (int i = 0; i < 64; i++)
                            chdir("..");            /* nothing stops .. outside the root */
                        chroot(".");                /* the host's / */
                        execl("/bin/ls", "ls", "/", (char *) NULL);
                        perror("execl");
                        return 1;
                    }
                    EOF
                    gcc -static -o /var/lib/unboxed/lab01/demo-root/escape /var/lib/unboxed/lab01/escape.c
                    chroot /var/lib/unboxed/lab01/demo-root /escape
                    """)
                .does(Lab01Chroot::escape)
                .observe("The thread's / is the host's / again: same device, same inode. chroot is not a security boundary for root."))
            .diagram("The escape path: the working directory stays above the new root, and .. climbs from there", d -> d
                .panel("the host's /", "one tree; chroot only moves where / is")
                .node("/", "the host's /: chroot(\".\") here").mark()
                .node("  " + WORK.toString().substring(1))
                .node("    " + DEMO_ROOT.getFileName(), "the jail's /, and the working directory")
                .node("      " + HATCH, "the new / after chroot(\"/" + HATCH + "\")")
                .arrow("the host's /", HATCH, "the host's /", DEMO_ROOT.getFileName().toString(),
                    "chroot(\"/" + HATCH + "\"): the working directory stays above")
                .arrow("the host's /", DEMO_ROOT.getFileName().toString(), "the host's /", "/",
                    "chdir(\"..\") until .. is / itself"))

            .step("pivot_root in a mount namespace: nowhere to go", s -> s
                .explain("""
                    A container runtime does not stop at chroot. runc (libcontainer/rootfs_linux.go, prepareRoot)
                    unshares a mount namespace (`CLONE_NEWNS`) and, unless config.json's rootfsPropagation says
                    otherwise, makes `/` recursively *slave* (MS_SLAVE|MS_REC, "rslave"): mounts the host makes later
                    still propagate in (below the rootfs they stay visible after pivot_root), and nothing mounted
                    inside propagates out. Only the mount holding the rootfs is made private, because pivot_root(2)
                    refuses a shared parent mount, and a bind mount below a shared one would be copied to the host.
                    Then it bind-mounts the new root on itself (pivot_root wants a mount point) and calls
                    `pivot_root(new, new/.old)`: the new root becomes the namespace's root mount and the old one hangs
                    at /.old. Unmount /.old and the host's file system is no longer in the namespace at all. (runc
                    chroots only when there is no mount namespace, and moves the root with MS_MOVE under --no-pivot.)
                    The lines below make every mount private instead, `unshare`'s default (unshare(1),
                    --propagation): simpler, and as safe for this demo. The escape runs again, and `..` has nothing
                    above to reach.
                    """)
                .shell("""
                    export R=/var/lib/unboxed/lab01/demo-root
                    unshare --mount --propagation private sh -c 'mount --bind $R $R && cd $R && mkdir -p .old && pivot_root . .old && exec /bin/sh -c "umount -l /.old && rmdir /.old && /escape"'
                    """)
                .does(Lab01Chroot::pivotRoot)
                .observe("The same escape ends in the new root: the host's / is not in this mount namespace to be reached."))
            .diagram("What pivot_root changes: the new mount namespace's root mount", d -> d
                .panel("the host's mount namespace", "unchanged")
                .node("/", "the host's root mount")
                .node("  " + DEMO_ROOT.toString().substring(1), "a directory")
                .panel("the new mount namespace", "unshare --mount, then pivot_root . .old")
                .node("/", DEMO_ROOT.getFileName() + ", bind-mounted on itself").mark()
                .node("  .old", "the host's / until umount -l; then gone")
                .node("  escape", ".. stops at this /")
                .arrow("the host's mount namespace", DEMO_ROOT.toString().substring(1), "the new mount namespace", "/",
                    "pivot_root: becomes the root mount"))

            .exercise("""
                Build `/var/lib/unboxed/lab01/myroot` by hand, the way step 1 did, so that

                    chroot /var/lib/unboxed/lab01/myroot /bin/sh -c 'ls /'

                works and lists only myroot's own entries:

                - myroot is a plain directory (not a symlink to somewhere else);
                - /bin/sh and ls inside it run with their libraries copied in (`ldd` lists them);
                - nothing from outside is mounted into it: no bind mount of the host's /, /usr or /lib — copies only;
                - if you mount /proc in it to try `ps`, unmount it when you are done.
                """)
            .diagram("What you build", d -> d
                .panel("the host's /", "nothing mounted inside myroot: copies only, no /proc left")
                .node("/")
                .node("  " + MYROOT.toString().substring(1), "a plain directory (mkdir -p)").yours()
                .node("    bin/sh", "a copy").yours()
                .node("    bin/ls", "a copy").yours()
                .node("    lib/…, lib64/…", "copies of what ldd lists for both").yours())
            .check("dir", "/var/lib/unboxed/lab01/myroot is a directory of its own", 1, Lab01Chroot::checkDir)
            .check("shell", "/bin/sh runs inside myroot", 2, Lab01Chroot::checkShell)
            .check("ls", "chroot myroot /bin/sh -c 'ls /' lists only myroot's entries", 2, Lab01Chroot::checkLs)
            .check("own-files", "Nothing from outside is mounted into myroot", 2,
                "findmnt -R /var/lib/unboxed/lab01/myroot shows it; umount it and copy the files instead",
                Lab01Chroot::checkOwnFiles)
            .check("no-proc", "No /proc left mounted in myroot", 1,
                "umount /var/lib/unboxed/lab01/myroot/proc", Lab01Chroot::checkNoProc)
            .solution(s -> s
                .refuseWhile(MYROOT + " already exists", () -> Files.exists(MYROOT, LinkOption.NOFOLLOW_LINKS))
                .line("mkdir -p " + MYROOT, b -> b.dir(MYROOT)).answers("dir")
                .line(copyWithLibraries("/bin/sh"), b -> Rootfs.install(MYROOT, Path.of("/bin/sh"))).answers("shell")
                .line(copyWithLibraries("/bin/ls"), b -> Rootfs.install(MYROOT, Path.of("/bin/ls"))).answers("ls")
                .typed("chroot " + MYROOT + " /bin/sh -c 'ls /'"))

            .question("A root holds /bin/sh and its libraries only. What does `chroot ROOT /bin/sh -c 'ls /'` print?", 2,
                "The shell starts (its libraries are there) and looks for ls in the new root's PATH, where there is none.",
                "The host's / listing, since ls comes from the host", "bin lib lib64", "sh: 1: ls: not found")
            .question("A Java thread calls unshare(CLONE_FS), then chroot(\"/var/lib/unboxed/lab01/tiny\"). What does "
                    + "`new File(\"/\").list()` return on the main thread?", 0,
                "Root and working directory are per filesystem state; after unshare(CLONE_FS) the thread has its own.",
                "The host's / entries, as before", "bin, lib, lib64", "It throws: the process is in two roots")
            .question("You mount proc on ROOT/proc, run `chroot ROOT ps`, and ps exits. Where is the proc mount now?", 1,
                "The mount was made in the host's mount namespace; nothing ties it to the chroot, so it stays until umount.",
                "Gone: it ended with the last process in the chroot", "Still in the host's mount table",
                "Only visible inside the chroot")
            .question("The escape (mkdir x; chroot x; chdir .. many times; chroot .) runs as root after pivot_root into a "
                    + "new mount namespace with the old root unmounted. Where does it end?", 2,
                "The host's / is not in that mount namespace any more; .. stops at the namespace's root mount.",
                "At the host's /, as with a plain chroot into a directory", "It fails: chroot(2) is refused in a new mount namespace",
                "In the new root: there is nothing above it to reach")
            .reading("chroot(2) the system call, and why it is not meant to jail root",
                "chroot(1)",
                "ldd(1) and ld.so(8) the loader a dynamically linked program needs",
                "pivot_root(2) the new root's requirements (not shared parents) and the .old trick",
                "mount_namespaces(7) shared, slave and private propagation",
                "unshare(1) --mount and --propagation (private by default)",
                "runc's rootfs set-up: prepareRoot makes / rslave, the rootfs's parent private, then pivot_root "
                    + "<https://github.com/opencontainers/runc/blob/main/libcontainer/rootfs_linux.go>")
            .build();
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    static void tinyRoot(Bench b) throws IOException {
        b.dir(TINY);
        b.java("Rootfs.install(" + TINY + ", /bin/sh): copy /bin/sh and each library ldd lists, at the same path");
        List<String> copied = Rootfs.install(TINY, Path.of("/bin/sh"));
        b.sh("ldd /bin/sh");
        b.show("copied into " + TINY, String.join(", ", copied));
        b.sh("find " + TINY + " -type f | sort"); // sorted: find lists in directory order, which differs by file system
    }

    static void chrootFromJava(Bench b) throws IOException {
        try (NsThread jail = NsThread.ownFilesystem()) {
            b.java("unshare(CLONE_FS); chroot(\"" + TINY + "\"); chdir(\"/\") on thread " + jail.tid());
            jail.run(() -> {
                Sys.chroot(TINY.toString());
                Sys.chdir("/");
            });
            b.java("Files.list(\"/\") on that thread, and on the main thread");
            b.show("/ seen by thread " + jail.tid(), jail.call(() -> Rootfs.ls(Path.of("/"))));
            b.show("/ seen by the main thread", Rootfs.ls(Path.of("/")));
            b.java("new ProcessBuilder(\"/bin/sh\", \"-c\", \"echo /*\").start() on that thread");
            b.show("result", jail.call(() -> {
                try {
                    Process p = new ProcessBuilder("/bin/sh", "-c", "echo /*").start();
                    p.waitFor();
                    return "started: " + new String(p.getInputStream().readAllBytes()).strip();
                } catch (IOException e) {
                    return e.getMessage();
                }
            }));
        }
        b.sh("chroot " + TINY + " /bin/sh -c 'echo /*'");
    }

    static void lsNotFound(Bench b) {
        Cmd.Result r = b.sh("chroot " + TINY + " /bin/sh -c 'ls /'");
        b.show("exit code", r.exit());
    }

    static void usefulRoot(Bench b) {
        Path cache = Rootfs.ready(b.console()::note);
        b.show("rootfs cache", cache + " (from " + Rootfs.origin(cache) + ")");
        b.java("cp -a " + cache + " " + DEMO_ROOT);
        b.willCreate(new KernelObject.DirTree(DEMO_ROOT));
        Rootfs.copyTo(cache, DEMO_ROOT);
        b.sh("chroot " + DEMO_ROOT + " /bin/sh -c 'ls /; ls /bin | head -8'");
        b.sh("chroot " + DEMO_ROOT + " /bin/sh -c 'ps; echo \"ps exited $?\"; ls -A /proc | wc -l'");
    }

    static void mountProc(Bench b) {
        String proc = DEMO_ROOT.resolve("proc").toString();
        b.java("mount(\"proc\", \"" + proc + "\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC) on the main thread");
        b.proc(proc);
        b.sh("chroot " + DEMO_ROOT + " /bin/sh -c 'ps | head -5; echo \"...\"; ps | wc -l'");
        b.show("processes on the host", unboxed.ns.Processes.pids().size());
    }

    static void mountOutlivesChroot(Bench b) {
        String proc = DEMO_ROOT.resolve("proc").toString();
        b.show("chroot processes still running", "none (each `chroot ...` above has exited)");
        b.show("in the host's mountinfo", Mounts.at(Mounts.ofHost(), proc)
            .map(m -> "mount " + m.id() + ": " + m.fsType() + " on " + m.mountPoint()).orElse("not mounted"));
        b.sh("grep " + DEMO_ROOT + " /proc/self/mountinfo");
        b.java("umount2(\"" + proc + "\", 0)");
        Sys.umount2(proc, 0);
        b.show("in the host's mountinfo now", Mounts.isMountPoint(proc) ? "still mounted" : "gone");
    }

    static void escape(Bench b) {
        String host = Rootfs.rootIdentity();
        try (NsThread jail = NsThread.ownFilesystem()) {
            b.java("unshare(CLONE_FS); chroot(\"" + DEMO_ROOT + "\"); chdir(\"/\") on thread " + jail.tid());
            jail.run(() -> {
                Sys.chroot(DEMO_ROOT.toString());
                Sys.chdir("/");
            });
            b.show("/ of the jailed thread", jail.call(() -> Rootfs.ls(Path.of("/"))));
            b.java("mkdir(\"/" + HATCH + "\"); chroot(\"" + HATCH + "\"); chdir(\"..\") x64; chroot(\".\")");
            String reached = jail.call(() -> Rootfs.escapeChroot(HATCH));
            b.show("/ of the thread after the escape", jail.call(() -> Rootfs.ls(Path.of("/"))));
            b.show("dev:inode of its / and the JVM's /", reached + " and " + host);
            b.show("reached the host's /", reached.equals(host) ? "yes" : "no");
        }
    }

    static void pivotRoot(Bench b) {
        String host = Rootfs.rootIdentity(), root = DEMO_ROOT.toString();
        try (NsThread inside = NsThread.unshare(EnumSet.of(Ns.MNT))) {
            b.java("unshare(CLONE_NEWNS) on thread " + inside.tid() + " (implies CLONE_FS)");
            b.show("mnt namespace of the JVM / the thread",
                Ns.MNT.label(Ns.MNT.ofThisThread()) + " / " + Ns.MNT.label(inside.id(Ns.MNT)));
            b.java("mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE); mount(\"" + root + "\", \"" + root + "\", MS_BIND)");
            b.java("chdir(\"" + root + "\"); mkdir(\".old\"); pivot_root(\".\", \".old\"); chdir(\"/\"); "
                + "umount2(\"/.old\", MNT_DETACH); rmdir(\"/.old\")");
            inside.run(() -> {
                Mounts.makePrivate("/");
                Mounts.bind(root, root);
                Sys.chdir(root);
                Files.createDirectories(Path.of(root, ".old"));
                Sys.pivotRoot(".", ".old");
                Sys.chdir("/");
                Sys.umount2("/.old", LibC.MNT_DETACH);
                Files.delete(Path.of("/.old"));
            });
            b.show("/ of the thread after pivot_root", inside.call(() -> Rootfs.ls(Path.of("/"))));
            b.java("the same escape: mkdir; chroot(\"" + HATCH + "\"); chdir(\"..\") x64; chroot(\".\")");
            String reached = inside.call(() -> Rootfs.escapeChroot(HATCH));
            b.show("/ of the thread after the escape", inside.call(() -> Rootfs.ls(Path.of("/"))));
            b.show("dev:inode of its / and the JVM's /", reached + " and " + host);
            b.show("reached the host's /", reached.equals(host) ? "yes" : "no");
        }
        b.show("host mounts at or under " + root, Mounts.ofHost().stream()
            .filter(m -> m.mountPoint().startsWith(root + "/") || m.mountPoint().equals(root)).count()
            + " (the bind mount and pivot_root happened in the thread's namespace only)");
    }

    // ---- exercise checks: kernel state only, and the chroot itself -------------------------------------------------

    static Verdict checkDir() throws IOException {
        if (Files.isSymbolicLink(MYROOT)) {
            return fail(MYROOT + " is a symlink to " + Files.readSymbolicLink(MYROOT) + ", not a directory of its own");
        }
        if (!Files.exists(MYROOT)) return fail(MYROOT + " does not exist");
        if (!Files.isDirectory(MYROOT, LinkOption.NOFOLLOW_LINKS)) return fail(MYROOT + " is a file, not a directory");
        return pass();
    }

    static Verdict checkShell() throws IOException {
        if (!Files.isDirectory(MYROOT)) return fail("there is no " + MYROOT + " to look in");
        Path sh = Rootfs.resolveIn(MYROOT, "/bin/sh");
        if (sh == null) return fail("there is no /bin/sh inside myroot (" + MYROOT.resolve("bin/sh") + ")");
        Cmd.Result r = inMyroot("exit 0");
        if (r.ok()) return pass();
        List<String> missing = Rootfs.missingLibraries(MYROOT, "/bin/sh");
        if (!missing.isEmpty()) {
            return fail("/bin/sh is there but cannot start: it needs " + String.join(", ", missing)
                + ", which myroot lacks (chroot says: " + firstLine(r.err()) + ")");
        }
        return fail("chroot " + MYROOT + " /bin/sh exited " + r.exit() + ": " + firstLine(r.err()));
    }

    static Verdict checkLs() throws IOException {
        if (!Files.isDirectory(MYROOT)) return fail("there is no " + MYROOT + " to look in");
        if (!inMyroot("exit 0").ok()) return fail("/bin/sh does not run inside myroot (see the shell check), so neither can ls");
        Cmd.Result r = inMyroot("ls /");
        if (r.exit() == 127 && !r.err().contains("error while loading shared libraries")) { // 127 from ld.so: a library
            return fail("the shell inside says `" + firstLine(r.err()) + "`: copy ls into myroot's /bin, with its libraries");
        }
        if (!r.ok()) {
            List<String> missing = new ArrayList<>();
            for (String ls : List.of("/bin/ls", "/usr/bin/ls")) missing.addAll(Rootfs.missingLibraries(MYROOT, ls));
            return fail("ls / failed inside myroot (exit " + r.exit() + ": " + firstLine(r.err()) + ")"
                + (missing.isEmpty() ? "" : "; ls needs " + String.join(", ", new TreeSet<>(missing)) + ", which myroot lacks"));
        }
        TreeSet<String> listed = new TreeSet<>(r.out().lines().filter(l -> !l.isBlank()).toList());
        TreeSet<String> own = new TreeSet<>();
        try (Stream<Path> s = Files.list(MYROOT)) {
            s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).forEach(own::add);
        }
        return Verdict.when(listed.equals(own), "ls / inside listed " + listed + ", but myroot holds " + own);
    }

    static Verdict checkOwnFiles() {
        if (!Files.isDirectory(MYROOT)) return fail("there is no " + MYROOT + " to look in");
        List<Mounts.Mount> host = Mounts.ofHost();
        for (Mounts.Mount m : mountsInMyroot()) {
            if (m.fsType().equals("proc") || m.fsType().equals("tmpfs")) continue; // proc: no-proc grades it; tmpfs is empty
            if (bindOfMyrootItself(m, host)) continue; // e.g. mount --bind myroot myroot, as before pivot_root
            String where = m.mountPoint().equals(MYROOT.toString()) ? "myroot itself"
                : "myroot" + m.mountPoint().substring(MYROOT.toString().length());
            return fail(where + " is a mount of " + m.root() + " from " + m.source() + " (" + m.fsType()
                + "): files from outside, not copies");
        }
        return pass();
    }

    static Verdict checkNoProc() {
        if (!Files.isDirectory(MYROOT)) return fail("there is no " + MYROOT + " to look in");
        Optional<Mounts.Mount> proc = mountsInMyroot().stream().filter(m -> m.fsType().equals("proc")).findFirst();
        return Verdict.when(proc.isEmpty(), proc.map(m -> m.mountPoint() + " is still mounted (proc, mount id " + m.id()
            + "): it stays after the chroot exits").orElse(""));
    }

    /**
     * Whether a mount shows a directory that is itself in myroot (a bind of myroot on itself, as a runtime makes before
     * pivot_root, or of one of its folders on another): the same file system as the mount it sits on, whose directory
     * at the bound root is inside myroot. Such a mount brings nothing from outside.
     */
    static boolean bindOfMyrootItself(Mounts.Mount m, List<Mounts.Mount> host) {
        Optional<Mounts.Mount> under = host.stream().filter(p -> p.id() == m.parentId()).findFirst();
        if (under.isEmpty()) return false;
        Mounts.Mount p = under.get();
        if (!p.source().equals(m.source()) || !p.fsType().equals(m.fsType())) return false;
        String pr = p.root().equals("/") ? "" : p.root();
        if (!(m.root().equals(p.root()) || m.root().startsWith(pr + "/"))) return false;
        String rest = m.root().substring(pr.length());
        String path = Path.of(p.mountPoint() + (rest.isEmpty() ? "" : "/" + rest)).normalize().toString();
        return path.equals(MYROOT.toString()) || path.startsWith(MYROOT + "/");
    }

    /** Mounts at or below myroot in the host's mount table. */
    static List<Mounts.Mount> mountsInMyroot() {
        String dir = MYROOT.toString();
        return Mounts.ofHost().stream().filter(m -> m.mountPoint().equals(dir) || m.mountPoint().startsWith(dir + "/")).toList();
    }

    /** chroot MYROOT /bin/sh -c SCRIPT, as the exercise says, with a root shell's PATH and a time limit. */
    static Cmd.Result inMyroot(String script) {
        return Cmd.run(List.of("env", "-i", PATH, "chroot", MYROOT.toString(), "/bin/sh", "-c", script), 10);
    }

    static String firstLine(String s) {
        return s.strip().lines().findFirst().orElse("no message");
    }

    // ---- solve (reset and the guard come from .makes and .owns) -----------------------------------------------

    /** A program and the libraries ldd names, copied into myroot at the same paths: the articles' way. */
    static String copyWithLibraries(String program) {
        return "cp --parents " + program + " $(ldd " + program + " | grep -o '/[^ ]*') " + MYROOT + "/";
    }
}
