package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabHarness.sh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import unboxed.lab.HostState;
import unboxed.net.Netns;
import unboxed.ns.Mounts;

/**
 * /run/netns shared between the library and a learner's `ip netns add` (issue 12), from a fresh machine's state (no
 * /run/netns): the library makes it a shared mount of itself before its first namespace, as iproute2 does, so the two
 * never hide each other's namespaces; and a /run/netns layer stacked over ours later is peeled by reset only when it
 * holds nothing but ours.
 */
class RunNetnsTest {
    static final String OURS = "unboxedtest-a", OURS2 = "unboxedtest-b", FOREIGN = "unboxedtest-foreign";
    List<String> before;

    @BeforeEach
    void freshMachine() {
        KnownState.freshRunNetns();
        assertFalse(Files.exists(Path.of(Netns.RUN_NETNS)), "a fresh machine has no /run/netns");
        before = HostState.capture();
    }

    @AfterEach
    void backToFresh() {
        LabHarness.shAny("ip netns delete " + FOREIGN + " 2>/dev/null");
        Netns.purge(List.of(OURS, OURS2, FOREIGN));
        KnownState.freshRunNetns();
        LabHarness.assertHostUnchanged(before, "after the test");
    }

    static List<Mounts.Mount> layers() {
        return Mounts.ofHost().stream().filter(m -> m.mountPoint().equals(Netns.RUN_NETNS)).toList();
    }

    @Test
    void theLibraryMakesRunNetnsASharedMountOfItselfAsIproute2Does() {
        Netns.add(OURS);
        assertEquals(1, layers().size(), layers().toString());
        assertTrue(layers().get(0).shared(), "/run/netns is shared, as ip netns add leaves it: " + layers());
        // the learner's first `ip netns add` finds a mount point and stacks nothing over ours
        sh("ip netns add " + FOREIGN);
        assertEquals(1, layers().size(), "ip netns add stacked a layer over ours: " + layers());
        assertTrue(Netns.exists(OURS) && Netns.exists(FOREIGN));
        assertEquals(List.of(OURS, FOREIGN), Netns.list());
        sh("ip netns exec " + OURS + " ip link set lo up"); // ours still reachable through the path
        // and the learner's `ip netns delete` of ours works the same
        sh("ip netns delete " + OURS);
        assertFalse(Netns.exists(OURS));
    }

    /**
     * The state the library used to leave (issue 12's reproduction): a namespace bind-mounted on a file in a plain
     * /run/netns directory, then a layer stacked over it by `mount --rbind /run/netns /run/netns` (what `ip netns add`
     * does when /run/netns is not a mount point), and the copy in that layer unmounted (what the old reset did first):
     * the original is still mounted, and pins the namespace, but no path reaches it.
     */
    static void hiddenUnderALayer(String name) {
        sh("mkdir -p /run/netns && touch /run/netns/" + name + " && unshare --net=/run/netns/" + name + " true");
        sh("mount --rbind /run/netns /run/netns && umount /run/netns/" + name);
        assertEquals(1, layers().size(), "one layer over the plain directory");
        assertTrue(Mounts.isMountPoint(Netns.path(name).toString()), "the hidden mount is still in the table (if this "
            + "machine's /run propagated the unmount to it, the state cannot be made here): " + Mounts.ofHost());
        assertFalse(Netns.exists(name), "hidden: opening /run/netns/" + name + " finds the plain file");
        assertEquals(32, LabHarness.shAny("umount /run/netns/" + name).exit(), "umount of a hidden mount fails, as reset did");
    }

    @Test
    void aLayerStackedOverOursIsPeeledWhenItHoldsOnlyOurs() {
        hiddenUnderALayer(OURS);
        assertTrue(Netns.purge(List.of(OURS)));
        assertFalse(Mounts.isMountPoint(Netns.path(OURS).toString()));
        assertFalse(Files.exists(Netns.path(OURS)));
        assertTrue(layers().isEmpty(), "the empty layer stacked over ours is gone: " + layers());
    }

    @Test
    void aLayerThatAlsoHoldsANamespaceNotOursIsNeverUnmounted() {
        hiddenUnderALayer(OURS);
        sh("ip netns add " + FOREIGN); // lands in the top layer, beside nothing of ours
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Netns.purge(List.of(OURS)));
        assertTrue(refused.getMessage().contains(FOREIGN) && refused.getMessage().contains("not ours"), refused.getMessage());
        assertEquals(1, layers().size(), "the layer holding the learner's namespace stays");
        sh("ip netns exec " + FOREIGN + " true"); // the learner's namespace is untouched
        // once the learner's namespace is gone, ours can go too
        sh("ip netns delete " + FOREIGN);
        assertTrue(Netns.purge(List.of(OURS)));
        assertFalse(Mounts.isMountPoint(Netns.path(OURS).toString()));
    }

    @Test
    void purgeEndsProcessesLeftInsideSoTheNamespaceAndItsLinksGo() throws Exception {
        Netns.add(OURS);
        sh("ip netns exec " + OURS + " ip link add unboxedtest0 type veth peer name unboxedtest1");
        Process inside = new ProcessBuilder("ip", "netns", "exec", OURS, "sleep", "600").start();
        for (int i = 0; i < 100 && unboxed.ns.Processes.inNamespace(unboxed.ns.Ns.NET, Netns.id(OURS)).isEmpty(); i++) Thread.sleep(20);
        assertTrue(Netns.purge(List.of(OURS)));
        assertTrue(inside.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "the process inside was ended");
        assertFalse(Files.exists(Netns.path(OURS)));
    }

    @Test
    void aRunNetnsMountedBeforeTheLabsStaysMounted() {
        // a machine where `ip netns add` was used before: /run/netns is a shared mount, empty
        sh("ip netns add " + FOREIGN + " && ip netns delete " + FOREIGN);
        assertEquals(1, layers().size());
        List<String> mounted = HostState.capture();
        Netns.add(OURS);
        assertEquals(1, layers().size(), "no second layer over an existing mount point");
        Netns.purge(List.of(OURS));
        LabHarness.assertHostUnchanged(mounted, "after add and purge on a /run/netns that was a mount point");
    }
}
