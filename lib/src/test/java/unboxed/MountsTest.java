package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.ns.Mounts;

/** mountinfo parsing and path resolution through stacked mounts: pure, no root needed. */
class MountsTest {
    /** After lab05 prepare on a plain /run/netns, a learner's `ip netns add` from an old iproute2 stacked a layer. */
    static final List<Mounts.Mount> STACKED = Mounts.parse(List.of(
        "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
        "27 22 0:25 / /run rw,nosuid - tmpfs tmpfs rw",
        "44 27 0:4 net:[4026532177] /run/netns/lab05-router rw - nsfs nsfs rw",
        "46 27 0:25 /netns /run/netns rw,relatime shared:2 - tmpfs tmpfs rw",
        "47 46 0:4 net:[4026532177] /run/netns/lab05-router rw shared:3 - nsfs nsfs rw",
        "49 46 0:4 net:[4026532317] /run/netns/lab05-box rw shared:5 - nsfs nsfs rw",
        "50 49 0:25 /x /run/netns/lab05-box rw - tmpfs tmpfs rw",
        "51 22 0:30 / /mnt/with\\040space rw master:7 - tmpfs tmpfs rw"));

    @Test
    void theVisibleMountIsTheTopOfTheStackReachedFromRoot() {
        assertEquals(47, Mounts.visibleAt(STACKED, "/run/netns/lab05-router").orElseThrow().id());
        assertEquals(46, Mounts.visibleAt(STACKED, "/run/netns").orElseThrow().id());
        assertEquals(50, Mounts.visibleAt(STACKED, "/run/netns/lab05-box").orElseThrow().id(), "mounted over on the same path");
        assertTrue(Mounts.visibleAt(STACKED, "/run/netns/none").isEmpty());
        assertEquals(22, Mounts.visibleAt(STACKED, "/").orElseThrow().id());
        // 47 unmounted: 44 is still in the table but the path reaches the plain file of layer 46
        List<Mounts.Mount> hidden = STACKED.stream().filter(m -> m.id() != 47).toList();
        assertTrue(Mounts.at(hidden, "/run/netns/lab05-router").isPresent());
        assertTrue(Mounts.visibleAt(hidden, "/run/netns/lab05-router").isEmpty());
    }

    @Test
    void mountinfoFieldsAreParsedAndUnescaped() {
        Mounts.Mount m = Mounts.at(STACKED, "/mnt/with space").orElseThrow();
        assertEquals(List.of("master:7"), m.propagation());
        assertTrue(Mounts.at(STACKED, "/run/netns").orElseThrow().shared());
        assertEquals("net:[4026532177]", Mounts.at(STACKED, "/run/netns/lab05-router").orElseThrow().root());
        assertEquals(List.of(47, 49), Mounts.childrenOf(STACKED, Mounts.at(STACKED, "/run/netns").orElseThrow()).stream()
            .map(Mounts.Mount::id).toList());
    }
}
