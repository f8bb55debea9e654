package unboxed;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cgroup-v2 guest image (.ci/vm/build-guest), built or found in its cache before any other test class runs
 * (ordered first: the pom sets JUnit's class orderer to {@code @Order}). {@link VmLabsTest} boots it beside the rest
 * of the suite; a cold build (debootstrap, minutes) must not: its processes live in a mount namespace of their own,
 * which a test fingerprinting the host would count as a leftover.
 */
@Tag("vm")
@Order(1)
class VmGuestImageTest {
    @Test
    void theGuestImageIsBuiltBeforeAnyOtherTest() {
        VmLabsTest.GuestImage image = VmLabsTest.guestImage();
        System.out.println("VmGuestImageTest: guest image " + image.dir() + " (" + image.how() + ")");
        for (String file : new String[] {"vmlinuz", "initrd.img", "rootfs.raw"}) {
            assertTrue(Files.isRegularFile(image.dir().resolve(file)), "build-guest made no " + file + " in " + image.dir());
        }
    }
}
