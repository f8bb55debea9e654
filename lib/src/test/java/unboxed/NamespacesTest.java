package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.net.Ip;
import unboxed.net.Netns;
import unboxed.ns.Mounts;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Processes;
import unboxed.sys.Cmd;

/** Namespaces are thread-scoped: what that means for ids, other threads, child processes and the pid rules. */
class NamespacesTest {
    final long self = ProcessHandle.current().pid();

    @Test
    void theJvmsIdsAreItsMainThreadsAndMatchReadlink() {
        for (Ns t : EnumSet.of(Ns.NET, Ns.MNT, Ns.UTS, Ns.PID, Ns.IPC)) {
            assertEquals(t.idOf(self), t.ofThisThread(), t.file);
            String link = LabHarness.sh("readlink /proc/" + self + "/ns/" + t.file).strip();
            assertEquals(t.label(t.idOf(self)), link);
        }
    }

    @Test
    void aNamespaceMadeOnOneThreadIsInvisibleToTheOthers() throws Exception {
        long host = Ns.NET.ofThisThread();
        try (NsThread inside = NsThread.unshare(EnumSet.of(Ns.NET, Ns.UTS))) {
            long fresh = inside.id(Ns.NET);
            assertNotEquals(host, fresh);
            assertEquals(fresh, inside.call(Ns.NET::ofThisThread));
            // the main thread, another new thread and the process as a whole stay in the host's namespace
            assertEquals(host, Ns.NET.ofThisThread());
            assertEquals(host, Ns.NET.idOf(self));
            long[] other = new long[1];
            Thread t = new Thread(() -> other[0] = Ns.NET.ofThisThread());
            t.start();
            t.join();
            assertEquals(host, other[0]);
            // a child started from the thread is born inside: only lo, and it is down
            String links = inside.call(() -> Cmd.run("ip", "-br", "link").orThrow().out());
            assertTrue(links.startsWith("lo ") && links.strip().lines().count() == 1 && links.contains("DOWN"), links);
            // a hostname set inside stays inside
            String hostname = Processes.hostname();
            inside.run(() -> unboxed.sys.Sys.sethostname("unboxed-test-uts"));
            assertEquals("unboxed-test-uts", inside.call(Processes::hostname));
            assertEquals(hostname, Processes.hostname());
        }
    }

    @Test
    void joiningAProcessesMountNamespaceSeesItsMounts() throws Exception {
        Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs unboxedtest /mnt && exec sleep 30").start();
        try {
            long pid = p.pid();
            waitFor(() -> Mounts.of(pid).stream().anyMatch(m -> m.source().equals("unboxedtest")));
            boolean seen = NsThread.inNamespacesOf(pid, EnumSet.of(Ns.MNT),
                () -> Mounts.ofThisThread().stream().anyMatch(m -> m.source().equals("unboxedtest")));
            assertTrue(seen);
            assertFalse(Mounts.ofHost().stream().anyMatch(m -> m.source().equals("unboxedtest")));
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void pidNamespaceFirstChildIsPid1ThenNoThreadsAndNoSecondLifeAfterPid1() throws Exception {
        try (NsThread t = NsThread.unshare(EnumSet.of(Ns.PID))) {
            // the first child becomes PID 1 of the new namespace; the thread itself stays in the host's
            Cmd.Result first = t.call(() -> Cmd.run("sh", "-c", "echo $$"));
            assertEquals("1", first.out().strip());
            assertEquals(Ns.PID.ofThisThread(), t.id(Ns.PID));
            // the thread may not create threads: the kernel says EINVAL, the JVM says OutOfMemoryError
            Throwable noThread = t.call(() -> {
                try {
                    Thread x = new Thread(() -> {});
                    x.start();
                    x.join();
                    return null;
                } catch (Throwable e) {
                    return e;
                }
            });
            assertTrue(noThread instanceof OutOfMemoryError, String.valueOf(noThread));
            // PID 1 has exited: the namespace is dead, no process can be born in it (ENOMEM)
            // (NsThread hands checked exceptions back wrapped, with the original as the cause)
            Throwable dead = assertThrows(IllegalStateException.class, () -> t.call(() -> new ProcessBuilder("true").start()))
                .getCause();
            assertTrue(dead instanceof IOException && dead.getMessage().contains("error=12, Cannot allocate memory"),
                String.valueOf(dead));
        }
    }

    @Test
    void namedNetnsIsCreatedPinnedAndDeletedLikeIpNetnsDoes() {
        String name = "unboxedtest-ns";
        List<String> before = unboxed.lab.HostState.capture();
        boolean hadRunNetns = java.nio.file.Files.isDirectory(java.nio.file.Path.of("/run/netns"));
        try {
            Netns.add(name);
            assertTrue(Netns.exists(name));
            assertTrue(LabHarness.sh("ip netns list").contains(name));
            assertNotEquals(Ns.NET.ofThisThread(), Netns.id(name));
            assertEquals(Netns.id(name), NsThread.inNetns(name, Ns.NET::ofThisThread));
            assertEquals(List.of("lo"), Ip.links(name).stream().map(Ip.Link::name).toList());
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> Netns.add(name));
            assertTrue(twice.getMessage().contains("already exists"));
        } finally {
            Netns.delete(name);
        }
        assertFalse(Netns.exists(name));
        assertFalse(LabHarness.sh("ip netns list").contains(name));
        if (!hadRunNetns) KnownState.freshRunNetns(); // Netns.add made it a mount point, as ip netns add does
        LabHarness.assertHostUnchanged(before, "after Netns.add + delete");
    }

    @Test
    void ipv4PrefixesOverlap() {
        assertTrue(Ip.overlaps("10.16.8.0/24", "10.0.0.0/8"));
        assertTrue(Ip.overlaps("10.16.8.0/24", "10.16.8.7"));
        assertFalse(Ip.overlaps("10.16.8.0/24", "10.16.9.0/24"));
    }

    static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        for (int i = 0; i < 500 && !cond.getAsBoolean(); i++) Thread.sleep(10);
        assertTrue(cond.getAsBoolean(), "condition not reached in 5 s");
    }
}
