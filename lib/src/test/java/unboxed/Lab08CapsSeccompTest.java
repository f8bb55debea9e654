package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.LabSession.fail;
import static unboxed.LabSession.passes;
import static unboxed.LabSession.row;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import unboxed.lab.Lab;
import unboxed.ns.Processes;
import unboxed.sys.Errno;
import unboxed.sys.Seccomp;

/** lab08's own behaviour, as root on this kernel: other correct solutions, and near misses failing the right criterion. */
class Lab08CapsSeccompTest {
    static final Lab LAB = LabHarness.lab("Lab08CapsSeccomp");
    @RegisterExtension
    static final LabSession S = new LabSession(LAB).settleWithin(10).afterReset(() ->
        assertTrue(Processes.withArgv0("lab08-sandboxed").isEmpty(), "no lab08-sandboxed process is left"));

    static final String SETPRIV = "setpriv --bounding-set -sys_admin,-sys_chroot,-net_raw --inh-caps -sys_admin,-sys_chroot,-net_raw";
    /** The sleep, then up to 60 s for it to appear (a JVM starts first; the row's own wait is 5 s). */
    static final String SLEEP = "bash -c 'exec -a lab08-sandboxed sleep infinity' >/dev/null 2>&1 &\n"
        + "for i in $(seq 600); do pgrep -f '^lab08-sandboxed' >/dev/null && break; sleep 0.1; done";

    static final String WAIT = "for i in $(seq 600); do pgrep -f '^lab08-sandboxed' >/dev/null && break; sleep 0.1; done";

    /** A process named lab08-sandboxed runs (what a background line starts takes a moment, a JVM first). */
    static final BooleanSupplier RUNNING = () -> !Processes.withArgv0("lab08-sandboxed").isEmpty()
        && Processes.withArgv0("lab08-sandboxed").stream().allMatch(p -> Processes.comm(p).orElse("").equals("sleep"));

    @BeforeAll
    static void toolsArePresent() {
        LabHarness.assertToolsPresent("setpriv", "capsh", "bash", "sleep");
    }

    @TestFactory
    Stream<DynamicTest> statesAndVerdicts() {
        return S.rows(
            row("fresh state", "", fail("process", "no process"), fail("bounding"), fail("effective"), fail("nnp"),
                fail("denies"), fail("allows")),
            passes("capsh instead of setpriv", "capsh --drop=cap_sys_admin,cap_sys_chroot,cap_net_raw --no-new-privs -- -c "
                + "\"./jbang lab08 sandbox --deny mkdir,mkdirat bash -c 'exec -a lab08-sandboxed sleep infinity'\" >/dev/null 2>&1 &\n"
                + WAIT)
                .when(RUNNING),
            passes("two filters stacked", SETPRIV + " --no-new-privs ./jbang lab08 sandbox --deny keyctl "
                + "./jbang lab08 sandbox --deny mkdir,mkdirat " + SLEEP).when(RUNNING),
            row("caps dropped but no filter and no no_new_privs", SETPRIV + " " + SLEEP,
                fail("nnp", "NoNewPrivs: 0"), fail("denies", "Seccomp: 0"), fail("allows", "Seccomp: 0")).when(RUNNING),
            row("a capability left in the bounding set (root's automatic caps off)", "setpriv --securebits +noroot "
                + "--bounding-set -sys_chroot,-net_raw --no-new-privs ./jbang lab08 sandbox --deny mkdir,mkdirat " + SLEEP,
                fail("bounding", "CAP_SYS_ADMIN is still in its bounding set", "though not in the other set")).when(RUNNING),
            row("a capability kept through the inheritable set", "capsh --inh=cap_sys_admin "
                + "--drop=cap_sys_admin,cap_sys_chroot,cap_net_raw --no-new-privs -- -c \"./jbang lab08 sandbox --deny "
                + "mkdir,mkdirat bash -c 'exec -a lab08-sandboxed sleep infinity'\" >/dev/null 2>&1 &\n" + WAIT,
                fail("effective", "CAP_SYS_ADMIN is still in its effective set", "inheritable")).when(RUNNING),
            row("ENOSYS instead of EPERM", SETPRIV + " --no-new-privs ./jbang lab08 sandbox --errno ENOSYS --deny mkdir,mkdirat "
                + SLEEP, fail("denies", "ERRNO(ENOSYS), not ERRNO(EPERM)")).when(RUNNING),
            row("KILL instead of EPERM", SETPRIV + " --no-new-privs ./jbang lab08 sandbox --kill --deny mkdir,mkdirat " + SLEEP,
                fail("denies", "KILL_PROCESS, not ERRNO(EPERM)")).when(RUNNING),
            row("write denied too", SETPRIV + " --no-new-privs ./jbang lab08 sandbox --deny mkdir,mkdirat,write " + SLEEP,
                fail("allows", "write gets ERRNO(EPERM)")).when(RUNNING),
            row("not root", "setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs " + SLEEP,
                fail("process", "uid 65534"), fail("bounding"), fail("denies", "Seccomp: 0"),
                fail("allows", "Seccomp: 0")).when(RUNNING));
    }

    /** The builder's filter, read through the interpreter without the kernel: the arch check first, x32 refused. */
    @Test
    void interpreterDecidesAsBuilt() {
        Seccomp.Filter f = Seccomp.denying(List.of("mkdir", "mkdirat"), Seccomp.errno(Errno.EPERM));
        assertEquals("ERRNO(EPERM)", Seccomp.evaluate(List.of(f), "mkdirat").toString());
        assertEquals("ALLOW", Seccomp.evaluate(List.of(f), "read").toString());
        assertEquals("KILL_PROCESS", Seccomp.describe(f.evaluate(0, 0x40000003))); // i386's AUDIT_ARCH
        Seccomp.Filter enosys = Seccomp.denying(List.of("mkdirat"), Seccomp.errno(38));
        // stacked: the most restrictive action wins; between two ERRNOs, the newest filter's (first in the list)
        assertEquals("ERRNO(ENOSYS)", Seccomp.evaluate(List.of(enosys, f), "mkdirat").toString());
        assertEquals("ERRNO(EPERM)", Seccomp.evaluate(List.of(f, enosys), "mkdirat").toString());
        Seccomp.Filter kill = Seccomp.denying(List.of("mkdirat"), Seccomp.RET_KILL_PROCESS);
        assertEquals("KILL_PROCESS", Seccomp.evaluate(List.of(f, kill), "mkdirat").toString());
    }

    /** The sandbox command refuses bad input with one line and exit 2. */
    @Test
    void sandboxBadInput() {
        LabHarness.Outcome o = LabHarness.cli(LAB, "sandbox", "--deny");
        assertEquals(2, o.exit(), o.all());
        o = LabHarness.cli(LAB, "sandbox", "--deny", "nosuchcall", "true");
        assertEquals(2, o.exit(), o.all());
        assertTrue(o.err().contains("unknown syscall nosuchcall"), o.all());
    }
}
