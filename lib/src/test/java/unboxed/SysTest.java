package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.sys.LibC;
import unboxed.sys.Sys;
import unboxed.sys.SysCallException;

/** errno to a message that names the call, the errno symbol and a fix: checked against real failing syscalls. */
class SysTest {
    @Test
    void mountOnAMissingTargetNamesCallErrnoAndManPage() {
        SysCallException e = assertThrows(SysCallException.class,
            () -> Sys.mount("tmpfs", "/nonexistent/unboxed-test", "tmpfs", 0, null));
        assertEquals("ENOENT", e.symbol());
        assertEquals(2, e.errno());
        assertTrue(e.getMessage().startsWith("mount(\"tmpfs\", \"/nonexistent/unboxed-test\", \"tmpfs\", 0) failed: ENOENT"),
            e.getMessage());
        assertTrue(e.getMessage().contains("Does /nonexistent/unboxed-test exist?"), e.getMessage());
        assertTrue(e.getMessage().endsWith("See man 2 mount"), e.getMessage());
    }

    @Test
    void umountOfSomethingNotMountedIsEinvalWithAHint() throws Exception {
        Path dir = Files.createTempDirectory("unboxed-notmounted");
        SysCallException e = assertThrows(SysCallException.class, () -> Sys.umount2(dir.toString(), LibC.MNT_DETACH));
        assertEquals("EINVAL", e.symbol());
        assertTrue(e.getMessage().contains("is not a mount point"), e.getMessage());
        Files.delete(dir);
    }

    @Test
    void aJvmCannotUnshareAUserNamespaceAndIsToldWhy() {
        // EINVAL: a multithreaded process may not unshare CLONE_NEWUSER (DESIGN.md)
        SysCallException e = assertThrows(SysCallException.class,
            () -> NsThread.inNew(EnumSet.of(Ns.USER), () -> null));
        assertEquals("EINVAL", e.symbol());
        assertTrue(e.getMessage().startsWith("unshare(CLONE_NEWUSER) failed"), e.getMessage());
        assertTrue(e.getMessage().contains("unshare -U"), e.getMessage());
    }

    @Test
    void joiningAMountNamespaceWithoutUnsharingFsStateIsEinvalWithTheFix() {
        SysCallException e = assertThrows(SysCallException.class, () -> {
            int fd = Sys.open("/proc/self/ns/mnt", LibC.O_RDONLY);
            try {
                Sys.setns(fd, LibC.CLONE_NEWNS, "/proc/self/ns/mnt");
            } finally {
                Sys.close(fd);
            }
        });
        assertEquals("EINVAL", e.symbol());
        assertTrue(e.getMessage().contains("unshare(CLONE_FS) first"), e.getMessage());
    }

    @Test
    void notRootIsEpermAndSaysSudo() throws Exception {
        // a real EPERM: an unprivileged child JVM tries unshare(CLONE_NEWNET)
        String cp = LabHarness.worldReadableClassPath();
        var r = LabHarness.shAny("cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups java"
            + " --enable-native-access=ALL-UNNAMED -Djna.tmpdir=/tmp -cp " + cp + " unboxed.SysTest\\$UnshareNet");
        assertTrue(r.out().contains("unshare(CLONE_NEWNET) failed: EPERM (Operation not permitted)"), r.out() + r.err());
        assertTrue(r.out().contains("Run with sudo"), r.out());
    }

    /** Run as nobody by the test above. */
    static final class UnshareNet {
        public static void main(String[] args) {
            try {
                NsThread.inNew(EnumSet.of(Ns.NET), () -> null);
                System.out.println("no error?");
            } catch (SysCallException e) {
                System.out.println(e.getMessage());
            }
        }
    }

    @Test
    void flagNamesAreTheManPagesOwn() {
        assertEquals("CLONE_NEWNS|CLONE_NEWNET", Sys.cloneFlags(LibC.CLONE_NEWNS | LibC.CLONE_NEWNET));
        assertEquals("MS_REC|MS_PRIVATE", Sys.mountFlags(LibC.MS_REC | LibC.MS_PRIVATE));
    }

    @Test
    void sysctlReadsEveryDigitOfANumber() throws Exception {
        // net.ipv4.ip_local_port_range is two numbers of 4-5 digits; Files.readString returned only "3" on kernel 6.18
        String expected = String.join("\n", Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))).strip();
        assertTrue(expected.matches("\\d{4,5}\\s+\\d{4,5}"), expected);
        assertEquals(expected, unboxed.net.Sysctl.get(null, "net.ipv4.ip_local_port_range"));
        String pidMax = String.join("\n", Files.readAllLines(Path.of("/proc/sys/kernel/pid_max"))).strip();
        assertTrue(pidMax.matches("\\d{5,7}"), pidMax);
        assertEquals(pidMax, unboxed.net.Sysctl.get("kernel.pid_max"));
    }

    @Test
    void theInstallHintForGccAlsoInstallsTheCLibraryItLinksAgainst() {
        // gcc alone on a minimal Debian cannot link lab01's escape.c (no crt1.o, no libc.a): libc6-dev comes with it
        assertEquals("sudo apt-get install gcc libc6-dev", unboxed.sys.Cmd.installHint("gcc"));
        assertEquals(java.util.List.of("iproute2"), unboxed.sys.Cmd.packages("ip"));
    }
}
