package unboxed.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import unboxed.ns.Mounts;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Overlay;
import unboxed.ns.Rootfs;
import unboxed.sys.Cmd;
import unboxed.sys.Sys;

/**
 * What an image's root costs (lab09, issue 17): an overlay of 1, 8 and 64 lower layers mounted and unmounted, through
 * lib (mount(2) by Overlay.mount, umount2(2)) and by mount(8) + umount(8) started from Java; and a root switched into
 * it: a fresh thread that unshares its mount namespace, makes / private, mounts the overlay, pivot_root(2)s into it and
 * detaches the old root, against `unshare -m sh -c 'mount ...; cd DIR; pivot_root . old; umount -l /old'` as lab09's
 * shell line does. Everything is mounted inside mount namespaces of the bench's own (a thread's, or unshare(1)'s), so
 * nothing reaches the host's table; the layers live in the run's temp dir and go with it.
 */
final class OverlayCost {
    private OverlayCost() {}

    static final int[] DEPTHS = {1, 8, 64};

    static void run(Report r, int rounds, Path work) throws Exception {
        if (!Files.isExecutable(Rootfs.BUSYBOX) || !Cmd.has("unshare") || !Cmd.has("pivot_root")) {
            r.note("busybox (" + Rootfs.BUSYBOX + ") or util-linux's unshare/pivot_root not found: the overlay figures were not "
                + "measured (sudo apt-get install busybox-static util-linux)");
            return;
        }
        Path dir = Files.createDirectories(work.resolve("ov"));
        Map<Integer, Overlay.Layers> stacks = new LinkedHashMap<>();
        for (int n : DEPTHS) stacks.put(n, layers(dir, n));
        // the mount-only contenders run in a private mount namespace of a thread of ours, mount(8) started from it
        try (NsThread ns = NsThread.unshare(EnumSet.of(Ns.MNT))) {
            ns.run(() -> Mounts.makePrivate("/"));
            Map<String, Callable<Object>> c = new LinkedHashMap<>();
            for (var e : stacks.entrySet()) {
                Overlay.Layers l = e.getValue();
                String merged = merged(l), opts = l.options();
                String n = e.getKey() + (e.getKey() == 1 ? " layer" : " layers");
                c.put("lib: mount(2) + umount2(2), " + n, () -> ns.call(() -> {
                    Overlay.mount(l, merged);
                    Sys.umount2(merged, 0);
                    return null;
                }));
                c.put("`mount -t overlay ...` + `umount`, started from Java, " + n, () -> ns.call(() -> {
                    Cmd.run("mount", "-t", "overlay", "overlay", "-o", opts, merged).orThrow();
                    return Cmd.run("umount", merged).orThrow();
                }));
                c.put("lib: thread, unshare mnt, private /, mount, pivot_root, umount2 MNT_DETACH, " + n, () -> pivot(l));
                c.put("`unshare -m sh -c 'mount ...; cd; pivot_root . old; umount -l /old'`, " + n,
                    () -> Cmd.run("unshare", "-m", "--propagation", "private", "sh", "-c", "mount -t overlay overlay -o " + opts
                        + " " + merged + " && cd " + merged + " && pivot_root . old && exec umount -l /old").orThrow());
            }
            r.section("An overlay of 1, 8 and 64 layers (lab09): mounted and unmounted, and pivot_root into it", r.interleaved(c, rounds));
        }
        for (int n : DEPTHS) {
            String s = n + (n == 1 ? " layer" : " layers");
            r.ratio("mount + umount, lib / mount(8), " + s, r.median("lib: mount(2) + umount2(2), " + s),
                r.median("`mount -t overlay ...` + `umount`, started from Java, " + s));
            r.ratio("pivot_root into it, lib / unshare(1) + sh, " + s,
                r.median("lib: thread, unshare mnt, private /, mount, pivot_root, umount2 MNT_DETACH, " + s),
                r.median("`unshare -m sh -c 'mount ...; cd; pivot_root . old; umount -l /old'`, " + s));
        }
        r.ratio("lib mount + umount, 64 layers / 1 layer", r.median("lib: mount(2) + umount2(2), 64 layers"),
            r.median("lib: mount(2) + umount2(2), 1 layer"));
        r.ratio("mount(8) + umount, 64 layers / 1 layer", r.median("`mount -t overlay ...` + `umount`, started from Java, 64 layers"),
            r.median("`mount -t overlay ...` + `umount`, started from Java, 1 layer"));
        r.note("The mount data (lowerdir=...,upperdir=...,workdir=...) for 64 layers was " + stacks.get(64).options().length()
            + " bytes (mount(2) copies at most one page, 4096 bytes here: paths of a deeper or longer stack must be shorter, "
            + "or given relative to a working directory)");
        Cmd.run("rm", "-rf", dir.toString());
    }

    /** A thread of its own: new mount namespace, / private, the overlay mounted, pivot_root into it, old root detached. */
    static Object pivot(Overlay.Layers l) {
        String merged = merged(l);
        try (NsThread t = NsThread.unshare(EnumSet.of(Ns.MNT))) { // CLONE_NEWNS implies CLONE_FS: the JVM's root stays
            t.run(() -> {
                Mounts.makePrivate("/");
                Overlay.mount(l, merged);
                Sys.chdir(merged);
                Sys.pivotRoot(".", "old");
                Sys.chdir("/");
                Mounts.detach("/old");
            });
        }
        return null;
    }

    /**
     * n lower layers under dir (short names: 64 of them go into one mount option), the bottom one a tiny root (a
     * static busybox and its umount link, for the shell contender after pivot_root; an empty old/ for put_old), each
     * other one a file; an upper, a work dir and a mount point per stack.
     */
    static Overlay.Layers layers(Path dir, int n) throws Exception {
        Path s = Files.createDirectories(dir.resolve("s" + n));
        List<Path> lower = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {  // topmost first
            Path l = Files.createDirectories(s.resolve(Integer.toString(i)));
            Files.writeString(l.resolve("f" + i), "layer " + i + "\n");
            lower.add(l);
        }
        Path base = s.resolve("0");
        Files.createDirectories(base.resolve("bin"));
        Files.createDirectories(base.resolve("old"));
        Files.copy(Rootfs.BUSYBOX, base.resolve("bin/busybox"));
        Files.createSymbolicLink(base.resolve("bin/umount"), Path.of("busybox"));
        Files.createDirectories(s.resolve("m"));
        return new Overlay.Layers(lower, Files.createDirectories(s.resolve("u")), Files.createDirectories(s.resolve("w")));
    }

    static String merged(Overlay.Layers l) {
        return l.upper().resolveSibling("m").toString();
    }
}
