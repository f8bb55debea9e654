///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab09Overlay

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
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
import unboxed.ns.Overlay;
import unboxed.ns.Processes;
import unboxed.ns.Rootfs;
import unboxed.sys.Cmd;
import unboxed.sys.LibC;
import unboxed.sys.Sys;

/**
 * Lab 09: an image from overlay layers, and a root switched with pivot_root. Story, steps, exercise and checks, top to
 * bottom; the mechanics are in lib (unboxed.ns.Overlay, MountNs, NsThread).
 */
class Lab09Overlay {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    /** The exercise's folder: the layers the lab prepares, and upper, work and merged for the learner. */
    static final Path WORK = Path.of("/var/lib/unboxed/lab09");
    /** The demo's own copy of the same shape (removed when run ends). */
    static final Path DEMO = WORK.resolve("demo");
    static final String BASE = "layers/base", APP = "layers/app", UPPER = "upper", WORKDIR = "work", MERGED = "merged";
    /** The applets the base layer links to busybox: the contract's six, and rm, mkdir, rmdir to work inside. */
    static final List<String> APPLETS = List.of("sh", "mount", "umount", "sleep", "ls", "cat", "rm", "mkdir", "rmdir");
    static final String RELEASE = "etc/lab09-release", NEW = "app/new.txt";
    static final String D = "/var/lib/unboxed/lab09/demo"; // the shell lines' $D

    /** What the lab puts in each layer: a path, and "dir", "link:TARGET", "copy:HOSTFILE" or the file's text. */
    static Map<String, String> layer(String which) {
        Map<String, String> m = new LinkedHashMap<>();
        if (which.equals(BASE)) {
            for (String d : List.of("bin", "etc", "proc")) m.put(d, "dir");
            m.put("bin/busybox", "copy:" + Rootfs.BUSYBOX);
            for (String a : APPLETS) m.put("bin/" + a, "link:busybox");
            m.put(RELEASE, "lab09 base 1.0\n");
            m.put("etc/motd", "from the base layer\n");
        } else {
            for (String d : List.of("app", "etc")) m.put(d, "dir");
            m.put("app/hello.txt", "hello from the app layer\n");
            m.put("etc/motd", "from the app layer\n");
        }
        return m;
    }

    static Overlay.Layers layersIn(Path root) {
        return new Overlay.Layers(List.of(root.resolve(APP), root.resolve(BASE)), root.resolve(UPPER), root.resolve(WORKDIR));
    }

    static Lab lab() {
        return Lab.define("lab09", "Images from layers: overlayfs and pivot_root")
            .summary("Stack read-only layers under a writable one with overlayfs, watch copy-up, whiteouts and opaque "
                + "directories, share one image between two containers, see how Docker lays it out, then switch a "
                + "process's root to the merged view with pivot_root in a mount namespace of its own, from the shell "
                + "and from a Java thread.")
            .minutes(40)
            .objectives(
                "Mount an overlay of lower layers, an upper and a work directory, and say which layer a file comes from",
                "Explain copy-up, whiteouts (character devices 0:0) and opaque directories in the upper layer",
                "Explain why images are cheap: containers share the lower layers and each gets an upper of its own",
                "Switch a process's root with pivot_root in a private mount namespace, and unmount the old root",
                "Tell a chroot from a pivot_root by what the process's mount namespace still holds")
            .prerequisites("A Linux machine or VM where you are root (sudo)", "Labs 01 and 02 (chroot, mount namespaces)",
                "busybox-static (the image's base layer), util-linux (unshare, nsenter, pivot_root), attr (getfattr)")
            .needs("busybox", "unshare", "nsenter", "pivot_root", "mount", "getfattr")
            .story("""
                A container image is not a disk: it is a stack of directories, **layers**, each holding the files one
                build step added or changed. overlayfs (Documentation/filesystems/overlayfs.rst) shows such a stack as
                one tree. The **lower** layers are read-only and listed topmost first (`lowerdir=top:...:bottom`);
                one **upper** directory takes every change; a **work** directory on the same file system lets the
                kernel prepare changes before moving them into place; the **merged** mount point shows the result.
                Where two layers hold the same path, the upper one wins.

                Nothing written through the merged view ever reaches a lower layer. The first write to a lower file
                copies it up into the upper directory (copy-up). A deleted lower file leaves a **whiteout** in the
                upper: a character device with device number 0:0 that hides the name. A directory deleted and made
                anew becomes **opaque** (the xattr trusted.overlay.opaque=y): it hides everything below it. So a
                thousand containers can share one image's layers, each with a small upper of its own.

                The merged view then becomes the container's `/`. lab01 showed why chroot is not enough: the host's
                file system stays in the process's mount namespace, one `..` away. A runtime makes a mount namespace,
                makes its mounts private, and calls **pivot_root(2)**: the merged mount becomes the namespace's root
                and the old root hangs below it (put_old), to be unmounted with `umount -l`. After that the host's
                file system is not in the namespace at all.
                """)
            .makes(new KernelObject.DirTree(DEMO))
            .preflight(Lab09Overlay::refuseOverlayUpper)
            // undone last to first: the processes, then a mount on merged, then the folder
            .owns(new KernelObject.DirTree(WORK), new KernelObject.MountsOn(WORK.resolve(MERGED).toString()),
                new KernelObject.OverlayRoots(WORK))

            .step("Layers, and the merged view", s -> s
                .explain("""
                    Two lower layers: `base`, a small root (busybox, a link per applet, /etc), and `app` on top of it,
                    which adds /app and has its own /etc/motd. An empty upper and work directory, and a mount point.
                    `mount -t overlay` stacks them; mountinfo shows the overlay with its options as they were given.
                    """)
                .shell("""
                    D=/var/lib/unboxed/lab09/demo
                    mkdir -p $D/layers/base/bin $D/layers/base/etc $D/layers/base/proc $D/layers/app/app $D/layers/app/etc $D/upper $D/work $D/merged
                    cp /bin/busybox $D/layers/base/bin/
                    for a in sh mount umount sleep ls cat rm mkdir rmdir; do ln -s busybox $D/layers/base/bin/$a; done
                    echo 'lab09 base 1.0' > $D/layers/base/etc/lab09-release
                    echo 'from the base layer' > $D/layers/base/etc/motd
                    echo 'hello from the app layer' > $D/layers/app/app/hello.txt
                    echo 'from the app layer' > $D/layers/app/etc/motd
                    mount -t overlay overlay -o lowerdir=$D/layers/app:$D/layers/base,upperdir=$D/upper,workdir=$D/work $D/merged
                    ls $D/merged $D/merged/etc
                    cat $D/merged/etc/motd   # prints: from the app layer
                    findmnt -no FSTYPE,OPTIONS $D/merged
                    """)
                .does(Lab09Overlay::layersAndMerged)
                .observe("The merged view holds both layers' files; /etc/motd is app's, the upper layer of the two. "
                    + "Each file's inode number is the one in the layer that provides it."))
            .diagram("Layers and the merged view", d -> d
                .panel("merged", "what the container sees as /")
                .node("/bin/busybox", "from base")
                .node("/etc/motd", "from app: the upper layer wins")
                .node("/etc/lab09-release", "from base")
                .node("/app/hello.txt", "from app")
                .panel("upper", "writable: every change lands here")
                .node("(empty)", "until something is written")
                .panel("layers/app", "lower, topmost: lowerdir=app:base")
                .node("etc/motd").node("app/hello.txt")
                .panel("layers/base", "lower, bottom")
                .node("bin/busybox").node("etc/motd", "hidden by app's").node("etc/lab09-release")
                .panel("work", "the kernel's scratch space, same file system as upper")
                .node("work/")
                .arrow("layers/app", "etc/motd", "merged", "/etc/motd", "shown")
                .arrow("layers/base", "bin/busybox", "merged", "/bin/busybox", "shown")
                .arrow("layers/app", "app/hello.txt", "merged", "/app/hello.txt", "shown"))

            .step("Copy-up on first write", s -> s
                .explain("""
                    Writing to a file that comes from a lower layer first copies the whole file into the upper
                    directory, then changes the copy. The lower file is never touched; the merged view now shows the
                    upper's copy, with the upper's inode.
                    """)
                .shell("""
                    echo 'changed in the container' >> $D/merged/etc/motd
                    cat $D/layers/app/etc/motd   # prints: from the app layer
                    cat $D/upper/etc/motd
                    """)
                .does(Lab09Overlay::copyUp)
                .observe("The upper now holds etc/motd, both lines; layers/app still holds its one line."))

            .step("Deleting: whiteouts and opaque directories", s -> s
                .explain("""
                    A lower layer cannot change, so a delete is recorded in the upper: a **whiteout**, a character
                    device with device number 0:0 under the deleted name, which the merged view hides together with
                    the lower file. A lower directory removed and made again becomes **opaque** in the upper: the
                    xattr trusted.overlay.opaque=y, so nothing of the lower directory shows through.
                    """)
                .shell("""
                    rm $D/merged/etc/lab09-release
                    stat -c '%F %t:%T' $D/upper/etc/lab09-release   # prints: character special file 0:0
                    cat $D/layers/base/etc/lab09-release
                    rm -r $D/merged/app && mkdir $D/merged/app && echo 'a new app' > $D/merged/app/hello.txt
                    getfattr -n trusted.overlay.opaque --only-values $D/upper/app; echo   # prints: y
                    ls $D/merged/app $D/layers/app/app
                    """)
                .does(Lab09Overlay::whiteouts)
                .observe("The file is gone from the merged view and still in layers/base; upper/app is opaque."))

            .step("Two containers, one image", s -> s
                .explain("""
                    A second overlay of the same two lower layers, with an upper and work directory of its own, is a
                    second container of the same image. Each sees its own changes only; the layers are on disk once.
                    This is why images are cheap: starting a container costs an empty directory, not a copy.
                    """)
                .shell("""
                    mkdir -p $D/upper2 $D/work2 $D/merged2
                    mount -t overlay overlay -o lowerdir=$D/layers/app:$D/layers/base,upperdir=$D/upper2,workdir=$D/work2 $D/merged2
                    echo 'written in container 2' > $D/merged2/app/two.txt
                    ls $D/merged/app $D/merged2/app
                    cat $D/merged2/etc/motd   # prints: from the app layer
                    du -sk $D/layers $D/upper $D/upper2
                    umount $D/merged $D/merged2
                    """)
                .does(Lab09Overlay::twoContainers)
                .observe("Container 1 sees its opaque /app, container 2 the image's /app and its own two.txt; "
                    + "the uppers are a few kilobytes beside the layers' megabyte of busybox."))

            .step("How Docker lays it out: overlay2", s -> s
                .explain("""
                    Docker's overlay2 storage driver keeps each layer in /var/lib/docker/overlay2/ID: `diff/` holds the
                    layer's files, `link` a short name (a symlink under overlay2/l/ points to diff, which keeps the
                    mount options short) and `lower` the short names of the layers below it. A container gets one
                    more directory whose diff/ is its upper, with work/ and, while it runs, merged/. `docker inspect`
                    prints the directories under GraphDriver.Data: LowerDir, UpperDir, WorkDir, MergedDir. The lab
                    shows them where `docker info` works; elsewhere it says so.
                    """)
                .shell("""
                    docker info --format '{{.Driver}}' 2>/dev/null || echo 'Docker is not running here'
                    docker image inspect --format '{{json .GraphDriver}}' $(docker image ls -q 2>/dev/null | head -1) 2>/dev/null || echo 'no Docker image to inspect'
                    """)
                .does(Lab09Overlay::docker)
                .observe("The same four directories as the lab's: lower layers, an upper, a work directory, a merged view."))

            .step("pivot_root into the merged view", s -> s
                .explain("""
                    Now the merged view becomes a process's `/`. In a new mount namespace with private propagation
                    (pivot_root(2) refuses a shared parent mount, and nothing mounted inside should reach the host),
                    the overlay is mounted afresh: new_root must be a mount point. `pivot_root . old` makes it the
                    namespace's root and moves the old root to /old (put_old, a directory below the new root), and
                    moves every process of the namespace whose root or working directory was the old root. Then
                    /proc is mounted for the new root and `umount -l /old` detaches the host's file system. From Java
                    the same happens on a thread that unshared CLONE_NEWNS (and with it CLONE_FS); then `nsenter -t TID
                    -m sleep` puts a process in the thread's namespace (setns(2) gives it the namespace's root) to hold
                    the namespace when the thread ends.
                    """)
                .shell("""
                    unshare -m --propagation private sh -c "mount -t overlay overlay -o lowerdir=$D/layers/app:$D/layers/base,upperdir=$D/upper,workdir=$D/work $D/merged && cd $D/merged && mkdir -p old && pivot_root . old && exec /bin/sh -c 'mount -t proc proc /proc && umount -l /old && rmdir /old && exec sleep 1000'" &
                    PID=$!; sleep 1   # its pid; a moment to pivot
                    ls /proc/$PID/root/
                    nsenter -t $PID -m cat /proc/self/mountinfo | cut -d' ' -f5,9   # mount point and type: / overlay, /proc proc
                    findmnt $D/merged || echo 'not on the host'
                    """)
                .does(Lab09Overlay::pivot)
                .observe("The thread lists the image's / while the main thread lists the host's; the namespace's whole "
                    + "table is the overlay and /proc, with no mount of the host's root file system."))
            .diagram("What pivot_root changes", d -> d
                .panel("the host's mount namespace", "unchanged: no overlay on merged")
                .node("/", "the host's root file system")
                .node("  var/lib/unboxed/lab09/demo/merged", "an empty directory")
                .panel("the new mount namespace", "unshare -m --propagation private")
                .node("/", "the overlay, the namespace's root mount").mark()
                .node("  old", "put_old: the host's / until umount -l /old")
                .node("  proc", "mounted after the pivot")
                .arrow("the host's mount namespace", "/", "the new mount namespace", "old", "pivot_root . old moves it here"))

            .step("lab01's escape, tried again", s -> s
                .explain("""
                    lab01's escape (mkdir a directory, chroot into it, `..` upwards, chroot there) worked because the
                    host's / was still in the process's mount namespace, above the chroot. After pivot_root and
                    `umount -l /old` there is nothing above the overlay: `..` at / stays at /. The lab runs the escape
                    on the pivoted thread; from the shell, /old is simply gone.
                    """)
                .shell("""
                    nsenter -t $PID -m -r ls /old   # fails: No such file or directory
                    kill $PID
                    """)
                .does(Lab09Overlay::escapeAgain)
                .observe("The escape ends where it started: the overlay's root, not the host's /."))

            .exercise("""
                The lab prepared /var/lib/unboxed/lab09: `layers/base` (busybox with applet links, /etc/lab09-release,
                /etc/motd, /proc), `layers/app` (/app/hello.txt, its own /etc/motd), and empty `upper`, `work` and
                `merged`. Make a long-running process (`sleep infinity` will do) such that:

                1. its `/` is an overlay with lowerdir layers/app above layers/base, upperdir `upper`, workdir `work`;
                2. it got there by pivot_root in a mount namespace of its own, not by chroot: no mount of the host's
                   root file system is left in that namespace (unmount the old root);
                3. /etc/lab09-release is deleted in its view: `upper` holds the whiteout, `layers/base` the file;
                4. a file /app/new.txt written inside is in `upper` only; both lower layers are as prepared;
                5. /proc is mounted in its namespace;
                6. the host's mount table has nothing on `merged`.

                The check finds the process by scanning /proc for one whose / is an overlay of these layers.
                """)
            .diagram("What you build", d -> d
                .panel("your mount namespace", "unshare -m --propagation private").yours()
                .node("/", "overlay: lowerdir=layers/app:layers/base").yours()
                .node("  proc", "mount -t proc").yours()
                .node("  etc/lab09-release", "deleted: a whiteout in upper").yours()
                .node("  app/new.txt", "written inside").yours()
                .node("  (no old root)", "pivot_root . old; umount -l /old").yours()
                .panel("/var/lib/unboxed/lab09", "on the host")
                .node("layers/app", "lower, unchanged")
                .node("layers/base", "lower, unchanged")
                .node("upper", "c 0:0 etc/lab09-release, app/new.txt").yours()
                .node("work", "the kernel's")
                .node("merged", "no mount on the host's side")
                .arrow("/var/lib/unboxed/lab09", "upper", "your mount namespace", "/", "upperdir")
                .arrow("/var/lib/unboxed/lab09", "layers/app", "your mount namespace", "/", "lowerdir"))
            .check("layers", "A process's / is an overlay: lowerdir layers/app above layers/base, upperdir upper, workdir work", 3,
                Lab09Overlay::checkLayers)
            .check("pivot", "It got there by pivot_root: a mount namespace of its own with no mount of the host's root file system", 3,
                Lab09Overlay::checkPivot)
            .check("whiteout", "/etc/lab09-release is deleted in its view: a whiteout in upper, the file still in layers/base", 2,
                Lab09Overlay::checkWhiteout)
            .check("new-file", "/app/new.txt written inside is in upper only; both lower layers are as prepared", 2,
                Lab09Overlay::checkNewFile)
            .check("proc", "/proc is mounted in its namespace", 1, Lab09Overlay::checkProc)
            .check("host-clean", "The host's mount table has nothing on merged", 1,
                "mount the overlay inside `unshare -m`, never on the host; `umount " + WORK.resolve(MERGED) + "` removes a host mount",
                Lab09Overlay::checkHostClean)
            .prepare(Lab09Overlay::prepare)
            .solution(s -> s
                .refuseWhile("a process already has an overlay of " + WORK + " as its /, or something is mounted on merged",
                    () -> !Overlay.rootedIn(WORK).isEmpty() || Mounts.isMountPoint(WORK.resolve(MERGED).toString()))
                .line("unshare -m --propagation private sh -c 'cd " + WORK + " && mount -t overlay overlay -o "
                    + "lowerdir=" + APP + ":" + BASE + ",upperdir=" + UPPER + ",workdir=" + WORKDIR + " " + MERGED
                    + " && cd " + MERGED + " && mkdir -p old && pivot_root . old && exec /bin/sh -c \"mount -t proc proc "
                    + "/proc && umount -l /old && rmdir /old && rm /" + RELEASE + " && echo new > /" + NEW
                    + " && exec sleep infinity\"' &", Lab09Overlay::pivotedFromJava)
                .answers("layers", "pivot", "whiteout", "new-file", "proc"))

            .question("An overlay is mounted with lowerdir=app:base, and both layers hold etc/motd. Which one does the "
                    + "merged view show?", 1,
                "lowerdir lists the layers topmost first (overlayfs.rst): app is above base, and the upper one wins.",
                "base's: the last layer named is the one on top", "app's: lowerdir lists the topmost layer first",
                "Neither: mount refuses two layers with the same path")
            .question("A container deletes /etc/lab09-release, which comes from a lower layer. What is in the upper "
                    + "directory afterwards?", 2,
                "Lower layers are read-only, so the delete is recorded as a whiteout: a character device 0:0 under "
                    + "the same name, which hides the lower file in the merged view.",
                "Nothing: the file is removed from the lower layer", "An empty regular file that marks the name as gone",
                "A character device 0:0 under that name")
            .question("Why can a hundred containers of one image start in a second?", 0,
                "Each gets an empty upper and work directory over the same lower layers; nothing is copied until "
                    + "a container writes (copy-up), and then only the file it writes.",
                "They share the lower layers; each needs only an empty upper", "Docker copies the image once into memory and maps that copy into every container",
                "The kernel deduplicates the copies of the image's files")
            .question("A process chroots into the merged view inside its own mount namespace. What does its namespace "
                    + "still hold?", 2,
                "chroot changes only the root directory; the host's root mount stays in the namespace's table, one "
                    + "escape away. pivot_root moves it to put_old, and umount -l removes it.",
                "Nothing of the host's: unshare -m gave it a fresh, empty mount table of its own", "Only the host's /proc, which it mounted",
                "The host's root file system, outside its root but in its table")
            .question("Why must the learner's mount namespace be private before pivot_root?", 1,
                "pivot_root(2) fails with EINVAL when the new root's parent mount or the current root has shared "
                    + "propagation; and a mount made below a shared one would also appear on the host.",
                "Private makes the namespace's mounts read-only, which pivot_root needs first",
                "pivot_root refuses shared mounts, and shared ones would leak to the host",
                "It is not needed: pivot_root makes the namespace private itself")
            .reading("Documentation/filesystems/overlayfs.rst: upper and lower, whiteouts and opaque directories, "
                    + "copy-up, inode properties <https://docs.kernel.org/filesystems/overlayfs.html>",
                "pivot_root(2) new_root, put_old, and the rules on mount points and propagation",
                "pivot_root(8)",
                "mount_namespaces(7) propagation types",
                "unshare(1) --mount and --propagation",
                "nsenter(1) -m and -r",
                "proc(5) /proc/PID/mountinfo, /proc/PID/root",
                "getfattr(1)",
                "Docker's overlay2 storage driver <https://docs.docker.com/engine/storage/drivers/overlayfs-driver/>",
                "runc's rootfs set-up: pivotRoot in libcontainer/rootfs_linux.go "
                    + "<https://github.com/opencontainers/runc/blob/main/libcontainer/rootfs_linux.go>")
            .build();
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    /** The pivoted thread of steps 6 and 7, and the sleep that holds its namespace. */
    static NsThread pivoted;
    static Process moved;

    static void layersAndMerged(Bench b) throws Exception {
        b.dir(DEMO);
        b.java("mkdir and write the layers (" + BASE + ": busybox and " + APPLETS.size() + " applet links, etc/; " + APP
            + ": app/hello.txt, etc/motd), mkdir upper, work, merged");
        buildLayers(DEMO);
        Overlay.Layers l = layersIn(DEMO);
        b.java("mount(\"overlay\", \"" + DEMO.resolve(MERGED) + "\", \"overlay\", 0, \"" + l.options() + "\")");
        b.overlay(l, DEMO.resolve(MERGED).toString());
        Path merged = DEMO.resolve(MERGED);
        b.show("ls " + BASE, Rootfs.ls(DEMO.resolve(BASE)));
        b.show("ls " + APP, Rootfs.ls(DEMO.resolve(APP)));
        b.show("ls merged", Rootfs.ls(merged));
        b.show("ls merged/etc", Rootfs.ls(merged.resolve("etc")));
        b.show("merged/etc/motd", Files.readString(merged.resolve("etc/motd")).strip());
        b.show("which layer each file comes from", String.join(", ", List.of("bin/busybox", "etc/motd", RELEASE, "app/hello.txt")
            .stream().map(f -> f + ": " + providerOf(DEMO, merged.resolve(f), f)).toList()));
        Mounts.Mount m = Mounts.at(Mounts.ofHost(), merged.toString()).orElseThrow();
        b.show("its mountinfo line", m.fsType() + " " + m.source() + " " + Overlay.options(m).entrySet().stream()
            .filter(e -> List.of("lowerdir", "upperdir", "workdir").contains(e.getKey()))
            .map(e -> e.getKey() + "=" + e.getValue()).reduce((x, y) -> x + "," + y).orElse(""));
    }

    static void copyUp(Bench b) throws Exception {
        Path merged = DEMO.resolve(MERGED), motd = merged.resolve("etc/motd");
        b.show("merged/etc/motd comes from", providerOf(DEMO, motd, "etc/motd"));
        b.java("Files.writeString(\"" + motd + "\", \"changed in the container\\n\", APPEND)");
        Files.writeString(motd, "changed in the container\n", java.nio.file.StandardOpenOption.APPEND);
        b.show("merged/etc/motd comes from", providerOf(DEMO, motd, "etc/motd"));
        b.show(APP + "/etc/motd", Files.readString(DEMO.resolve(APP).resolve("etc/motd")).strip());
        b.show("upper/etc/motd", Files.readString(DEMO.resolve(UPPER).resolve("etc/motd")).strip().replace("\n", " / "));
        b.show("ls upper", Rootfs.ls(DEMO.resolve(UPPER)));
    }

    static void whiteouts(Bench b) throws Exception {
        Path merged = DEMO.resolve(MERGED), upper = DEMO.resolve(UPPER);
        b.java("Files.delete(\"" + merged.resolve(RELEASE) + "\")");
        Files.delete(merged.resolve(RELEASE));
        b.show("upper/" + RELEASE, describe(upper.resolve(RELEASE)));
        b.show("merged/" + RELEASE, Files.exists(merged.resolve(RELEASE), LinkOption.NOFOLLOW_LINKS) ? "there" : "gone");
        b.show(BASE + "/" + RELEASE, Files.readString(DEMO.resolve(BASE).resolve(RELEASE)).strip());
        b.java("delete merged/app and what is in it, mkdir merged/app, write merged/app/hello.txt");
        removeTree(merged.resolve("app"));
        Files.createDirectories(merged.resolve("app"));
        Files.writeString(merged.resolve("app/hello.txt"), "a new app\n");
        b.show("upper/app", describe(upper.resolve("app")));
        b.show("trusted.overlay.opaque of upper/app", Sys.getxattr(upper.resolve("app").toString(), "trusted.overlay.opaque"));
        b.show("ls merged/app", Rootfs.ls(merged.resolve("app")));
        b.show("ls " + APP + "/app", Rootfs.ls(DEMO.resolve(APP).resolve("app")));
    }

    static void twoContainers(Bench b) throws Exception {
        Path two = DEMO.resolve(MERGED + "2");
        for (String d : List.of(UPPER + "2", WORKDIR + "2", MERGED + "2")) Files.createDirectories(DEMO.resolve(d));
        Overlay.Layers l = new Overlay.Layers(layersIn(DEMO).lower(), DEMO.resolve(UPPER + "2"), DEMO.resolve(WORKDIR + "2"));
        b.java("mount(\"overlay\", \"" + two + "\", \"overlay\", 0, \"" + l.options() + "\")");
        b.overlay(l, two.toString());
        Files.writeString(two.resolve("app/two.txt"), "written in container 2\n");
        b.show("ls merged/app (container 1)", Rootfs.ls(DEMO.resolve(MERGED).resolve("app")));
        b.show("ls merged2/app (container 2)", Rootfs.ls(two.resolve("app")));
        b.show("merged2/etc/motd", Files.readString(two.resolve("etc/motd")).strip());
        b.show("the same busybox in both", Overlay.inode(DEMO.resolve(MERGED).resolve("bin/busybox")) == Overlay.inode(two.resolve("bin/busybox"))
            ? "yes: one inode, in " + BASE : "no");
        b.show("bytes on disk", "layers " + size(DEMO.resolve("layers")) + ", upper " + size(DEMO.resolve(UPPER)) + ", upper2 "
            + size(DEMO.resolve(UPPER + "2")) + " (file contents only)");
        b.java("umount2(\"" + DEMO.resolve(MERGED) + "\", 0); umount2(\"" + two + "\", 0)");
        Sys.umount2(DEMO.resolve(MERGED).toString(), 0);
        Sys.umount2(two.toString(), 0);
    }

    static void docker(Bench b) {
        Cmd.Result info = Cmd.has("docker") ? Cmd.run(List.of("docker", "info", "--format", "{{.Driver}}"), 20) : null;
        if (info == null || !info.ok()) {
            b.show("docker info", info == null ? "Docker is not installed here" : "Docker is not running here");
            b.say("Where Docker runs with the overlay2 driver, an image of two layers and a container of it look like "
                + "this: /var/lib/docker/overlay2/L1/diff and L2/diff are the layers (L2/lower names L1's short link), "
                + "C/diff is the container's upper, C/work its work directory and C/merged its root, and `docker "
                + "inspect CONTAINER` prints them as GraphDriver.Data LowerDir (L2/diff:L1/diff, topmost first), "
                + "UpperDir, WorkDir and MergedDir: the lab's layers/app:layers/base, upper, work and merged.");
            return;
        }
        b.show("docker info: storage driver", info.out().strip());
        // the first image by name, so that the same machine shows the same one every time
        String image = Cmd.run(List.of("docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"), 20).out().lines()
            .filter(l -> !l.isBlank() && !l.contains("<none>")).sorted().findFirst().orElse("");
        if (image.isEmpty()) {
            b.show("docker image ls", "no image here to inspect");
            return;
        }
        Cmd.Result g = Cmd.run(List.of("docker", "image", "inspect", "--format", "{{range $k, $v := .GraphDriver.Data}}{{$k}}={{$v}}\n{{end}}", image), 20);
        b.show("image", image.replaceAll(":[^:/]*$", "") + " (the first here by name; its tag left out)");
        for (String line : g.out().lines().toList()) {
            int eq = line.indexOf('=');
            if (eq < 0) continue;
            String[] dirs = line.substring(eq + 1).replaceAll("overlay2/[0-9a-f]{64}", "overlay2/ID").split(":");
            b.show(line.substring(0, eq), dirs.length == 1 ? dirs[0] : dirs.length + " directories, topmost first, each " + dirs[0]);
        }
    }

    static void pivot(Bench b) throws Exception {
        Path merged = DEMO.resolve(MERGED);
        String host = Rootfs.rootIdentity();
        pivoted = NsThread.unshare(EnumSet.of(Ns.MNT));
        b.java("unshare(CLONE_NEWNS) on thread " + pivoted.tid() + " (implies CLONE_FS); mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)");
        pivoted.run(() -> Mounts.makePrivate("/"));
        b.java("mount(\"overlay\", \"" + merged + "\", \"overlay\", 0, \"" + layersIn(DEMO).options() + "\") on that thread");
        pivoted.run(() -> Overlay.mount(layersIn(DEMO), merged.toString()));
        b.java("chdir(\"" + merged + "\"); mkdir(\"old\"); pivot_root(\".\", \"old\"); chdir(\"/\"); mount(\"proc\", \"/proc\", \"proc\", ...); "
            + "umount2(\"/old\", MNT_DETACH); rmdir(\"/old\")");
        pivoted.run(() -> {
            Rootfs.ls(Path.of("/")); // load what the thread uses afterwards: the JVM's jars are under the old root
            Rootfs.rootIdentity();
            Sys.chdir(merged.toString());
            Files.createDirectories(merged.resolve("old"));
            Sys.pivotRoot(".", "old");
            Sys.chdir("/");
            Mounts.proc("/proc");
            Mounts.detach("/old");
            Files.delete(Path.of("/old"));
        });
        moved = sleepIn(b, pivoted, "1000");
        b.java("new ProcessBuilder(\"nsenter\", \"-t\", \"" + pivoted.tid() + "\", \"-m\", \"sleep\", \"1000\").start(): pid "
            + moved.pid() + ", in the thread's namespace, at its root");
        b.show("ls /, main thread", Rootfs.ls(Path.of("/")));
        b.show("ls /, thread " + pivoted.tid(), pivoted.call(() -> Rootfs.ls(Path.of("/"))));
        b.show("/ of thread " + pivoted.tid() + " is the JVM's /", pivoted.call(Rootfs::rootIdentity).equals(host)
            ? "yes" : "no: another file system and inode (the overlay's root)");
        b.show("ls /proc/" + moved.pid() + "/root (the sleep)", Rootfs.ls(Path.of("/proc/" + moved.pid() + "/root/")));
        b.show("the namespace's whole table", String.join(", ", MountNs.wholeTableOf(moved.pid()).stream()
            .map(x -> x.mountPoint() + " " + x.fsType()).toList()));
        b.show("mounts of the host's root file system (" + MountNs.deviceName(MountNs.device(Path.of("/"))) + ") in it",
            hostRootMounts(moved.pid()).size());
        b.show(merged + " in the host's table", Mounts.at(Mounts.ofHost(), merged.toString()).map(Mounts.Mount::fsType).orElse("no mount"));
    }

    static void escapeAgain(Bench b) throws Exception {
        String host = Rootfs.rootIdentity();
        b.java("on thread " + pivoted.tid() + ": mkdir(\"/escape-hatch\"); chroot(\"escape-hatch\"); chdir(\"..\") x64; chroot(\".\")");
        String reached = pivoted.call(() -> Rootfs.escapeChroot("escape-hatch"));
        b.show("/ of the thread after the escape", pivoted.call(() -> Rootfs.ls(Path.of("/"))));
        b.show("reached the host's /", reached.equals(host) ? "yes" : "no: it is still the overlay's root (not the host's dev:inode)");
        b.java("kill(" + moved.pid() + ", SIGKILL), and the thread ends: the namespace and its overlay go with them");
        moved.destroyForcibly();
        moved.waitFor();
        pivoted.close();
        pivoted = null;
        moved = null;
    }

    // ---- the exercise: starting point, checks (kernel state only), solve ----------------------------------------

    static void prepare(Bench b) throws IOException {
        if (prepared()) {
            b.console().note(WORK + " is ready: " + BASE + ", " + APP + ", " + UPPER + ", " + WORKDIR + ", " + MERGED + ".");
            return;
        }
        b.console().shell("mkdir -p " + WORK + "/{" + BASE + "," + APP + "," + UPPER + "," + WORKDIR + "," + MERGED + "}   "
            + "# and the layers' files, as step 1 made them");
        for (String l : List.of(BASE, APP)) b.removeTree(WORK.resolve(l)); // ours, but not whole: start again
        buildLayers(WORK);
        b.show("ls " + BASE, Rootfs.ls(WORK.resolve(BASE)));
        b.show("ls " + APP, Rootfs.ls(WORK.resolve(APP)));
    }

    /** Both layers are as the lab makes them, and upper, work and merged exist. */
    static boolean prepared() {
        return differences(BASE).isEmpty() && differences(APP).isEmpty()
            && Stream.of(UPPER, WORKDIR, MERGED).allMatch(d -> Files.isDirectory(WORK.resolve(d), LinkOption.NOFOLLOW_LINKS));
    }

    /** The learner's process, if any: of those whose / is an overlay of WORK's layers, the one that meets the most criteria. */
    static Optional<Long> learner() {
        List<Long> candidates = Overlay.rootedIn(WORK);
        if (candidates.size() <= 1) return candidates.stream().findFirst();
        List<Function<Long, Verdict>> graders = List.of(Lab09Overlay::layers, Lab09Overlay::pivot, Lab09Overlay::whiteout,
            Lab09Overlay::newFile, Lab09Overlay::proc);
        return candidates.stream().min(Comparator.comparing((Long p) -> -graders.stream().filter(g -> passed(g, p)).count())
            .thenComparing(p -> p));
    }

    static boolean passed(Function<Long, Verdict> grader, long pid) {
        try {
            return grader.apply(pid).passed();
        } catch (RuntimeException gone) {
            return false;
        }
    }

    static Verdict withLearner(Function<Long, Verdict> grader) {
        Optional<Long> p = learner();
        return p.isPresent() ? grader.apply(p.get()) : noProcess();
    }

    static Verdict noProcess() {
        String merged = WORK.resolve(MERGED).toString();
        if (!Files.isDirectory(WORK.resolve(MERGED))) return fail("there is no " + merged + " yet: `sudo ./jbang lab09 prepare` (or run) makes the layers");
        Optional<Mounts.Mount> onHost = Mounts.at(Mounts.ofHost(), merged);
        if (onHost.isPresent()) {
            return fail("the " + onHost.get().fsType() + " on merged is in the host's own mount table, and no process has it "
                + "as its /: mount it inside `unshare -m --propagation private`, then pivot_root into it");
        }
        List<MountNs.Holder> inside = MountNs.withOwnMountOn(merged);
        if (!inside.isEmpty()) {
            return fail(who(inside.get(0).pid()) + " has an overlay on merged in a mount namespace of its own, but its / is "
                + "still the host's: cd " + merged + " && mkdir -p old && pivot_root . old");
        }
        return fail("no process has an overlay of the layers in " + WORK + " as its /");
    }

    static Verdict checkLayers() { return withLearner(Lab09Overlay::layers); }
    static Verdict checkPivot() { return withLearner(Lab09Overlay::pivot); }
    static Verdict checkWhiteout() { return withLearner(Lab09Overlay::whiteout); }
    static Verdict checkNewFile() { return withLearner(Lab09Overlay::newFile); }
    static Verdict checkProc() { return withLearner(Lab09Overlay::proc); }

    /**
     * The layers, told by what the merged view shows (the strings in mountinfo are as the learner typed them): the
     * merged root's inode is the upper directory's, /bin/busybox's is base's, /app/hello.txt's is app's, and the
     * order by lowerdir's paths where they name the layers, else by /etc/motd (both layers have one).
     */
    static Verdict layers(long pid) {
        Mounts.Mount m = Overlay.rootMount(pid).orElseThrow();
        Path root = rootOf(pid);
        List<String> lower = Overlay.lowerdirs(m);
        long rootIno = Overlay.inode(root.resolve("."));
        if (rootIno != Overlay.inode(WORK.resolve(UPPER))) {
            String what = nameOf(rootIno);
            return fail(who(pid) + "'s upperdir is " + what + ", not " + UPPER + (what.startsWith("layers/")
                ? ": upper and lower swapped, so writes change a layer of the image" : "")
                + " (upperdir=" + Overlay.options(m).getOrDefault("upperdir", "none: a read-only overlay") + ")");
        }
        if (lower.size() != 2) {
            return fail(who(pid) + "'s lowerdir has " + lower.size() + " layer" + (lower.size() == 1 ? "" : "s") + " ("
                + String.join(":", lower) + "); the image is two: lowerdir=" + APP + ":" + BASE);
        }
        if (!sameInode(root.resolve("bin/busybox"), WORK.resolve(BASE).resolve("bin/busybox"))) {
            return fail(BASE + " is not a lower layer of " + who(pid) + "'s /: its /bin/busybox is not base's");
        }
        if (!sameInode(root.resolve("app/hello.txt"), WORK.resolve(APP).resolve("app/hello.txt"))) {
            return fail(APP + " is not a lower layer of " + who(pid) + "'s /: its /app/hello.txt is not app's");
        }
        List<Path> named = lower.stream().map(Lab09Overlay::resolved).toList();
        boolean baseFirst = named.equals(List.of(WORK.resolve(BASE), WORK.resolve(APP)))
            || !named.equals(List.of(WORK.resolve(APP), WORK.resolve(BASE)))
            && sameInode(root.resolve("etc/motd"), WORK.resolve(BASE).resolve("etc/motd"));
        if (baseFirst) {
            return fail("lowerdir=" + String.join(":", lower) + " puts " + BASE + " above " + APP + " (its /etc/motd is "
                + "base's): lowerdir lists the topmost layer first, lowerdir=" + APP + ":" + BASE);
        }
        String workdir = Overlay.options(m).getOrDefault("workdir", "");
        Path w = resolved(workdir);
        boolean sameWork = Files.isDirectory(w) ? isSameFile(w, WORK.resolve(WORKDIR))
            : !workdir.startsWith("/") && Files.isDirectory(WORK.resolve(WORKDIR).resolve("work"));
        return Verdict.when(sameWork, who(pid) + "'s workdir is " + workdir + ", not " + WORK.resolve(WORKDIR));
    }

    /** A mount namespace of its own, and none of the host's root file system in it, bind mounts included. */
    static Verdict pivot(long pid) {
        if (Ns.MNT.idOf(pid) == Ns.MNT.idOf(ProcessHandle.current().pid())) {
            return fail(who(pid) + " is in the host's mount namespace: it chrooted into merged; make a namespace of its "
                + "own with unshare -m and pivot_root there");
        }
        List<Mounts.Mount> left = hostRootMounts(pid);
        if (left.isEmpty()) return pass();
        String where = String.join(", ", left.stream().map(Mounts.Mount::mountPoint).toList());
        String root = readRoot(pid);
        if (!root.equals("/")) {
            return fail(who(pid) + " changed its root with chroot (its root is " + root + " in a namespace whose own / is "
                + "still the host's root file system): chroot leaves the host one escape away; pivot_root . old instead");
        }
        return fail("the host's root file system is still mounted in " + who(pid) + "'s namespace, at " + where
            + ": the old root was not unmounted; umount -l /old inside");
    }

    static Verdict whiteout(long pid) {
        Path root = rootOf(pid), base = WORK.resolve(BASE).resolve(RELEASE), out = WORK.resolve(UPPER).resolve(RELEASE);
        if (!layer(BASE).get(RELEASE).equals(read(base))) {
            return fail(BASE + "/" + RELEASE + " is gone or changed: it was deleted in the layer itself, not through "
                + who(pid) + "'s merged view (`sudo ./jbang lab09 reset`, then prepare, gives a fresh one)");
        }
        if (Files.exists(root.resolve(RELEASE), LinkOption.NOFOLLOW_LINKS)) {
            return fail("/" + RELEASE + " is still there in " + who(pid) + "'s view: rm /" + RELEASE + " inside");
        }
        return Verdict.when(Overlay.isWhiteout(out), UPPER + "/" + RELEASE + " is " + describe(out)
            + ", not a whiteout (a character device 0:0): delete the file through the merged view");
    }

    /**
     * /app/new.txt in the merged view is upper's file (same inode), and neither layer changed. A file put into upper by
     * hand from the host while the overlay is mounted is the same kernel state when the merged view shows it with
     * upper's inode, and it passes; overlayfs calls changing a layer under a mounted overlay undefined, and where the
     * merged view does not show it yet, it fails with that reason.
     */
    static Verdict newFile(long pid) {
        Path inside = rootOf(pid).resolve(NEW), upper = WORK.resolve(UPPER).resolve(NEW);
        for (String l : List.of(APP, BASE)) {
            List<String> diff = differences(l);
            if (!diff.isEmpty()) {
                return fail(l + " is not as prepared (" + String.join(", ", diff) + "): a lower layer must not change;"
                    + " write through the merged view, where the upper layer takes every change");
            }
        }
        if (!Files.isRegularFile(inside, LinkOption.NOFOLLOW_LINKS)) return fail("there is no file /" + NEW + " in " + who(pid) + "'s view");
        if (!Files.isRegularFile(upper, LinkOption.NOFOLLOW_LINKS)) return fail(UPPER + "/" + NEW + " does not exist");
        return Verdict.when(sameInode(inside, upper), who(pid) + "'s /" + NEW + " is not " + UPPER + "/" + NEW
            + ": the merged view does not show the upper's file (written to upper from the host while mounted?)");
    }

    static Verdict proc(long pid) {
        boolean mounted = Mounts.of(pid).stream().anyMatch(m -> m.mountPoint().equals("/proc") && m.fsType().equals("proc"));
        return Verdict.when(mounted, "no proc file system on /proc in " + who(pid) + "'s namespace: mount -t proc proc /proc inside");
    }

    static Verdict checkHostClean() {
        Optional<Mounts.Mount> onHost = Mounts.at(Mounts.ofHost(), WORK.resolve(MERGED).toString());
        if (onHost.isPresent()) {
            return fail("the host's table has a " + onHost.get().fsType() + " on " + WORK.resolve(MERGED) + ": it was mounted "
                + "in the host's own namespace");
        }
        return Verdict.when(learner().isPresent(), "nothing to compare yet: no process has an overlay of " + WORK + " as its /");
    }

    /**
     * From Java: the solution's line. A thread unshares, mounts and pivots; then `nsenter -t TID -m sleep infinity`
     * starts the process that holds the namespace, with the namespace's root as its own (setns(2) for a mount
     * namespace sets root and working directory to it), so that it does not depend on how this JVM starts programs.
     */
    static void pivotedFromJava(Bench b) throws Exception {
        Path merged = WORK.resolve(MERGED);
        try (NsThread t = NsThread.unshare(EnumSet.of(Ns.MNT))) {
            t.run(() -> {
                Mounts.makePrivate("/");
                Overlay.mount(layersIn(WORK), merged.toString());
                Files.createDirectories(merged.resolve("old"));
                Rootfs.ls(Path.of("/")); // load what the thread uses afterwards: the JVM's jars are under the old root
                Sys.chdir(merged.toString());
                Sys.pivotRoot(".", "old");
                Sys.chdir("/");
                Mounts.proc("/proc");
                Mounts.detach("/old");
                Files.delete(Path.of("/old"));
                Files.delete(Path.of("/" + RELEASE));
                Files.writeString(Path.of("/" + NEW), "new\n");
            });
            Process p = sleepIn(b, t, "infinity");
            long ns = t.id(Ns.MNT);
            b.show("pid of the sleep whose / is the overlay", p.pid() + " (" + Ns.MNT.label(ns) + ")");
        }
    }

    /**
     * Exit 3 when the lab's folder is on an overlay itself (a Docker container's root file system, say): overlayfs
     * refuses an upper directory on overlayfs ("not supported as upperdir"), so no step could mount.
     */
    static void refuseOverlayUpper(Bench b) {
        Path at = WORK;
        while (!Files.exists(at) && at.getParent() != null) at = at.getParent();
        Mounts.Mount holding = MountNs.holding(Mounts.ofHost(), at.toString());
        if ("overlay".equals(holding.fsType())) {
            throw LabException.environment(at + " is on an overlay file system (" + holding.mountPoint() + "), and overlayfs "
                + "does not take an upper directory on overlayfs: give /var/lib/unboxed a file system of its own (in a "
                + "container: docker run -v unboxed:/var/lib/unboxed ..., or --tmpfs /var/lib/unboxed:exec)");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /**
     * `nsenter -t TID -m sleep TIME`: a sleep in the mount namespace of thread t, with that namespace's root as its own
     * (setns(2) sets root and working directory to the namespace's root), which holds the namespace after the thread
     * ends. Started from this JVM's main thread, so that it does not depend on how the JVM starts programs (through
     * jspawnhelper, which a thread whose root is the image cannot reach). Waits until it runs there.
     */
    static Process sleepIn(Bench b, NsThread t, String time) throws IOException {
        long ns = t.id(Ns.MNT);
        Process p = b.spawn(new ProcessBuilder("nsenter", "-t", Long.toString(t.tid()), "-m", "sleep", time)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true));
        boolean in = unboxed.sys.Wait.until(java.time.Duration.ofSeconds(5), () -> !p.isAlive()
            || Processes.comm(p.pid()).orElse("").equals("sleep") && Ns.MNT.idOf(p.pid()) == ns);
        if (!in || !p.isAlive()) {
            throw new IllegalStateException("nsenter -t " + t.tid() + " -m sleep " + time + " did not start in the "
                + "thread's namespace" + (p.isAlive() ? "" : " (exit " + p.exitValue() + ")"));
        }
        return p;
    }

    /** Writes both layers of {@link #layer} under root, and makes upper, work and merged. */
    static void buildLayers(Path root) throws IOException {
        for (String l : List.of(BASE, APP)) {
            for (Map.Entry<String, String> e : layer(l).entrySet()) {
                Path p = root.resolve(l).resolve(e.getKey());
                String v = e.getValue();
                Files.createDirectories(v.equals("dir") ? p : p.getParent());
                if (v.startsWith("link:")) Files.createSymbolicLink(p, Path.of(v.substring(5)));
                else if (v.startsWith("copy:")) Files.copy(Path.of(v.substring(5)), p, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                else if (!v.equals("dir")) Files.writeString(p, v);
            }
        }
        for (String d : List.of(UPPER, WORKDIR, MERGED)) Files.createDirectories(root.resolve(d));
    }

    /** How a layer under WORK differs from what the lab makes: "extra X", "missing X", "changed X"; empty if identical. */
    static List<String> differences(String which) {
        Path dir = WORK.resolve(which);
        Map<String, String> want = layer(which);
        TreeMap<String, String> have = new TreeMap<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return List.of("missing " + which);
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(p -> !p.equals(dir)).toList()) have.put(dir.relativize(p).toString(), what(p));
        } catch (IOException | UncheckedIOException e) {
            return List.of("unreadable: " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        for (String k : have.keySet()) if (!want.containsKey(k)) out.add("extra " + k);
        for (Map.Entry<String, String> e : want.entrySet()) {
            String v = e.getValue(), h = have.get(e.getKey());
            String expected = v.startsWith("copy:") ? what(Path.of(v.substring(5))) : v;
            if (h == null) out.add("missing " + e.getKey());
            else if (!h.equals(expected)) out.add("changed " + e.getKey());
        }
        return out;
    }

    /** A path as {@link #layer} writes it: "dir", "link:TARGET", or the file's text (a binary's size and hash). */
    static String what(Path p) {
        try {
            if (Files.isSymbolicLink(p)) return "link:" + Files.readSymbolicLink(p);
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return "dir";
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return describe(p);
            byte[] bytes = Files.readAllBytes(p);
            if (bytes.length < 4096) return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            return bytes.length + " bytes, sha256 " + java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(p + ": " + e.getMessage(), e));
        }
    }

    static String read(Path p) {
        try {
            return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.readString(p) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The process's / from the host: /proc/PID/root/. */
    static Path rootOf(long pid) {
        return Path.of("/proc/" + pid + "/root/");
    }

    static String readRoot(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The mounts in pid's whole mount namespace whose file system is the host's root file system (its st_dev). */
    static List<Mounts.Mount> hostRootMounts(long pid) {
        String dev = MountNs.deviceName(MountNs.device(Path.of("/")));
        return MountNs.wholeTableOf(pid).stream().filter(m -> m.device().equals(dev)).toList();
    }

    /** A lowerdir or workdir as given: absolute, or relative to the lab's folder (where the exercise has you cd). */
    static Path resolved(String given) {
        Path p = given.startsWith("/") ? Path.of(given) : WORK.resolve(given);
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.normalize();
        }
    }

    /** Which of the lab's directories has this inode (the merged root's is the upper's), for a reason. */
    static String nameOf(long inode) {
        for (String d : List.of(UPPER, APP, BASE, WORKDIR, MERGED, "layers")) {
            if (Files.isDirectory(WORK.resolve(d)) && Overlay.inode(WORK.resolve(d)) == inode) return d;
        }
        return "a directory outside " + WORK;
    }

    /** The layer a file of the merged view comes from, by inode (overlayfs reports the providing layer's). */
    static String providerOf(Path root, Path merged, String relative) {
        for (String l : List.of(UPPER, APP, BASE)) {
            if (sameInode(merged, root.resolve(l).resolve(relative))) return l;
        }
        return "?";
    }

    static boolean sameInode(Path a, Path b) {
        return Files.exists(a, LinkOption.NOFOLLOW_LINKS) && Files.exists(b, LinkOption.NOFOLLOW_LINKS)
            && Overlay.inode(a) == Overlay.inode(b);
    }

    static boolean isSameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** "a whiteout (character device 0:0)", "an opaque directory", "a directory", "a file", "nothing". */
    static String describe(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return "nothing";
        if (Overlay.isWhiteout(p)) return "a whiteout (character device 0:0)";
        if (Overlay.isOpaque(p)) return "an opaque directory (trusted.overlay.opaque=y)";
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return "a directory";
        if (Files.isSymbolicLink(p)) return "a symlink";
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? "a regular file" : "a special file";
    }

    static void removeTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Bytes in the regular files below dir (du counts blocks; this is what the files hold). */
    static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static String who(long pid) {
        return "pid " + pid + " (" + Processes.comm(pid).orElse("?") + ")";
    }
}
