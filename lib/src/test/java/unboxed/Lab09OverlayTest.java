package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.cli;
import static unboxed.LabHarness.sh;
import static unboxed.LabSession.fail;
import static unboxed.LabSession.passes;
import static unboxed.LabSession.row;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import unboxed.lab.Lab;
import unboxed.ns.Mounts;
import unboxed.ns.Overlay;
import unboxed.ns.Processes;

/**
 * lab09's own behaviour, as root on this kernel: the learner's process found by its overlay root however the layers
 * were spelled, chroot told from pivot_root by what its mount namespace still holds, and the near misses of the issue.
 */
class Lab09OverlayTest {
    static final Lab LAB = LabHarness.lab("Lab09Overlay");
    static final String W = "/var/lib/unboxed/lab09";
    @RegisterExtension
    static final LabSession S = new LabSession(LAB).afterReset(() ->
        assertTrue(Overlay.rootedIn(Path.of(W)).isEmpty(), "a process whose / is an overlay of lab09's layers survived reset"));

    /** What runs inside after the switch: /proc, the old root gone, the delete and the new file, then the sleep. */
    static final String INSIDE = "mount -t proc proc /proc && umount -l /old && rmdir /old && rm /etc/lab09-release"
        + " && echo new > /app/new.txt && exec sleep infinity";
    static final String MOUNT = "mount -t overlay overlay -o lowerdir=layers/app:layers/base,upperdir=upper,workdir=work merged";
    /** The reference solution, word for word. */
    static final String MANUAL = "unshare -m --propagation private sh -c 'cd " + W + " && " + MOUNT
        + " && cd merged && mkdir -p old && pivot_root . old && exec /bin/sh -c \"" + INSIDE + "\"'";

    /** A learner's `COMMAND &`, detached; then waits (up to 5 s) until that process is the sleep. */
    static String bg(String command) {
        return command + " </dev/null >/dev/null 2>&1 &\n"
            + "for i in $(seq 250); do [ \"$(cat /proc/$!/comm 2>/dev/null)\" = sleep ] && break; sleep 0.02; done\n";
    }

    @TestFactory
    Stream<DynamicTest> freshState() {
        return S.rows(row("fresh state", "", fail("layers", "lab09 prepare"), fail("pivot"), fail("whiteout"),
            fail("new-file"), fail("proc"), fail("host-clean", "nothing to compare yet")));
    }

    // every row runs the lab for real (tens of seconds): the full suite runs them, -Pfast keeps the rest
    @Tag("slow")
    @TestFactory
    Stream<DynamicTest> afterPrepare() {
        return S.rowsAfter("prepare",
            passes("the reference solution, relative paths", bg(MANUAL)),
            passes("absolute paths with trailing slashes", bg(MANUAL.replace(MOUNT, "mount -t overlay overlay -o lowerdir="
                + W + "/layers/app/:" + W + "/layers/base/,upperdir=" + W + "/upper/,workdir=" + W + "/work/ " + W + "/merged"))),
            passes("put_old named otherwise, and unshare's default propagation", bg(MANUAL.replace(" --propagation private", "")
                .replace("old", "put-old"))),
            passes("/ made slave, as runc does", bg(MANUAL.replace("--propagation private", "--propagation slave"))),
            passes("the delete and the new file done later with nsenter", bg(MANUAL.replace(
                " && rm /etc/lab09-release && echo new > /app/new.txt", ""))
                + "nsenter -t $! -m -r rm /etc/lab09-release\nnsenter -t $! -m -r sh -c 'echo new > /app/new.txt'\n"),
            // before the mount, upper is an ordinary directory: the whiteout and the file put there by hand are the
            // same kernel state as a delete and a write through the merged view (what an image build's layer is)
            passes("whiteout and file put into upper before the mount", "cd " + W + " && mkdir -p upper/etc upper/app"
                + " && mknod upper/etc/lab09-release c 0 0 && echo new > upper/app/new.txt\n"
                + bg(MANUAL.replace(" && rm /etc/lab09-release && echo new > /app/new.txt", ""))),
            row("chroot instead of pivot_root", bg("unshare -m --propagation private sh -c 'cd " + W + " && " + MOUNT
                + " && exec chroot merged /bin/sh -c \"mount -t proc proc /proc && rm /etc/lab09-release && echo new >"
                + " /app/new.txt && exec sleep infinity\"'"), fail("pivot", "changed its root with chroot")),
            row("unshare --root: a chroot too", bg("unshare -m --propagation private sh -c 'cd " + W + " && " + MOUNT
                + " && exec unshare --root=merged /bin/sh -c \"mount -t proc proc /proc && rm /etc/lab09-release && echo new >"
                + " /app/new.txt && exec sleep infinity\"'"), fail("pivot", "changed its root with chroot")),
            row("the old root left mounted", bg(MANUAL.replace("umount -l /old && rmdir /old && ", "")),
                fail("pivot", "still mounted", "at /old")),
            row("no /proc", bg(MANUAL.replace("mount -t proc proc /proc && ", "")), fail("proc", "no proc file system")),
            row("the overlay mounted on the host", "cd " + W + " && " + MOUNT + "\n"
                + bg("unshare -m --propagation private sh -c 'cd " + W + "/merged && mkdir -p old && pivot_root . old && exec"
                + " /bin/sh -c \"" + INSIDE + "\"'"), fail("host-clean", "mounted in the host's own namespace")),
            row("base above app", bg(MANUAL.replace("lowerdir=layers/app:layers/base", "lowerdir=layers/base:layers/app")),
                fail("layers", "puts layers/base above layers/app")),
            row("upper and lower swapped", bg(MANUAL.replace("lowerdir=layers/app:layers/base,upperdir=upper",
                "lowerdir=upper:layers/base,upperdir=layers/app")), fail("layers", "upper and lower swapped"),
                fail("whiteout", "not a whiteout"), fail("new-file", "layers/app is not as prepared")),
            row("the file deleted in the base layer itself", "rm " + W + "/layers/base/etc/lab09-release\n"
                + bg(MANUAL.replace("rm /etc/lab09-release && ", "")), fail("whiteout", "deleted in the layer itself"),
                fail("new-file", "layers/base is not as prepared")));
    }

    /** Reset ends the learner's processes only: a process whose / is an overlay of other directories stays. */
    @Test
    void resetLeavesOtherOverlayRootsAlone() throws Exception {
        Path other = Files.createTempDirectory("lab09-bystander");
        try {
            sh("cd " + other + " && mkdir -p l/bin u w m && cp /bin/busybox l/bin/ && ln -s busybox l/bin/sleep\n"
                + bg("unshare -m --propagation private sh -c 'cd " + other + " && mount -t overlay overlay -o lowerdir=l,upperdir=u,"
                + "workdir=w m && cd m && mkdir -p old && pivot_root . old && exec /bin/sleep 1000'"));
            List<Long> bystander = Processes.pids().stream().filter(p -> Overlay.rootMount(p)
                .map(m -> m.superOptions().contains("lowerdir=l,")).orElse(false)).toList();
            assertEquals(1, bystander.size(), "the bystander runs with an overlay root: " + Processes.pids().stream()
                .map(p -> p + " " + Overlay.rootMount(p).map(Mounts.Mount::superOptions).orElse("-")).filter(x -> !x.endsWith(" -")).toList());
            assertTrue(Overlay.rootedIn(Path.of(W)).isEmpty(), "the bystander is not lab09's");
            LabHarness.succeeds(LAB, "solve");
            assertEquals(1, Overlay.rootedIn(Path.of(W)).size());
            assertEquals(4, cli(LAB, "solve").exit(), "a second solve is a conflict");
            LabHarness.succeeds(LAB, "reset");
            assertTrue(Overlay.rootedIn(Path.of(W)).isEmpty(), "reset ended the solution's process");
            assertTrue(Processes.alive(bystander.get(0)), "reset ended a process that is not lab09's");
            Processes.killAll(bystander);
        } finally {
            sh("rm -rf " + other);
        }
        assertTrue(Mounts.ofHost().stream().noneMatch(m -> m.mountPoint().startsWith(other.toString())));
    }
}
