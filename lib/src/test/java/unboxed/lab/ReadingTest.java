package unboxed.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A lab's "Read more" references: the text as written, and the address the guide links (no root, no kernel). */
class ReadingTest {
    @Test
    void manPagesKernelDocumentsAndLinkedSourcesGetTheirAddresses() {
        assertEquals(new Reading("pid_namespaces(7)", "https://man7.org/linux/man-pages/man7/pid_namespaces.7.html"),
            Reading.of("pid_namespaces(7)"));
        assertEquals("https://man7.org/linux/man-pages/man2/unshare.2.html", Reading.of("unshare(2): the flags").url());
        assertEquals("https://docs.kernel.org/admin-guide/cgroup-v2.html",
            Reading.of("Documentation/admin-guide/cgroup-v2.rst").url());
        assertEquals(new Reading("runc's rootfs setup", "https://github.com/opencontainers/runc/blob/main/libcontainer/rootfs_linux.go"),
            Reading.of("runc's rootfs setup <https://github.com/opencontainers/runc/blob/main/libcontainer/rootfs_linux.go>"));
    }

    @Test
    void aReferenceWithNoWayToFindItIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Reading.of("the internet"));
    }
}
