package unboxed.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import unboxed.cgroup.CgroupDir;
import unboxed.cgroup.Cgroups;
import unboxed.sys.Bpf;
import unboxed.sys.Cmd;
import unboxed.sys.Sys;
import unboxed.sys.Wait;

/**
 * linux.resources.devices as a cgroup v2 device program (how runc does it on v2), on the real kernel as root: a group
 * in the cgroup2 tree (/sys/fs/cgroup/unified on this hybrid host, /sys/fs/cgroup on a v2 one) gets the program made
 * from runc spec's rule (deny everything) and the runtime's default devices; a shell moved into it opens /dev/null and
 * /dev/zero, and gets EPERM opening /dev/kmsg (c 1:11) and making a loop device node (b 7:0); a rule that allows those
 * (the near miss) lets them through; the program is gone after detach, and after the group is removed.
 */
class DeviceProgramTest {
    Path group;
    Path nodes;

    @BeforeEach
    void group() throws Exception {
        if (!Sys.isRoot()) fail("loading a BPF program and making cgroups needs root: run the tests as root");
        Path v2 = Cgroups.v2Mount();
        if (v2 == null) fail("no cgroup2 mount on this machine (grep cgroup2 /proc/self/mounts): a device program attaches to a v2 group");
        group = v2.resolve("unboxed-test-devprog");
        if (Files.exists(group)) new CgroupDir(group).destroy();
        new CgroupDir(group).create();
        nodes = Files.createTempDirectory("unboxed-devprog");
    }

    @AfterEach
    void remove() {
        if (group != null && Files.exists(group)) new CgroupDir(group).destroy();
        if (nodes != null) Cmd.run("rm", "-rf", nodes.toString());
    }

    /** runc spec's linux.resources.devices: [{"allow": false, "access": "rwm"}], then the runtime's default devices. */
    static List<Bundle.DeviceRule> runcSpec(Bundle.DeviceRule... more) {
        List<Bundle.DeviceRule> r = new ArrayList<>(List.of(new Bundle.DeviceRule(false, "a", null, null, "rwm")));
        r.addAll(List.of(more));
        r.addAll(Container.DEFAULT_RULES);
        return r;
    }

    /** What a shell moved into the group gets: "open" or the error, for each device, and for mknod of a loop node. */
    Map<String, String> inside() {
        String script = "echo $$ > " + group.resolve("cgroup.procs") + "\n"
            + "for d in null zero kmsg; do r=$( (exec 3</dev/$d) 2>&1 ) && echo \"$d=open\" || echo \"$d=$r\"; done\n"
            + "r=$(mknod " + nodes.resolve("loop") + " b 7 0 2>&1) && echo mknod=made || echo \"mknod=$r\"\n"
            + "echo null.write=$( (echo x > /dev/null) 2>&1 && echo done)\n"
            + "r=$( (exec 3<>/dev/kmsg) 2>&1 ) && echo kmsg.rw=open || echo \"kmsg.rw=$r\"\n"; // opened, nothing written
        Cmd.Result r = Cmd.run(List.of("sh", "-c", script), 10);
        assertEquals(0, r.exit(), "the shell in the group: " + r.err() + r.out());
        Map<String, String> m = new TreeMap<>();
        for (String line : r.out().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return m;
    }

    @Test
    void runcSpecsRulesLetTheDefaultDevicesThroughAndDenyTheRest() {
        int id = DeviceProgram.attach(group, runcSpec());
        assertEquals(List.of(id), DeviceProgram.attached(group), "BPF_PROG_QUERY on the group lists the program");
        Map<String, String> m = inside();
        assertEquals("open", m.get("null"), "/dev/null (c 1:3, a default device): " + m);
        assertEquals("open", m.get("zero"), "/dev/zero (c 1:5): " + m);
        assertEquals("done", m.get("null.write"), "writing /dev/null: " + m);
        assertTrue(m.get("kmsg").endsWith("Operation not permitted"), "/dev/kmsg (c 1:11) denied with EPERM: " + m);
        assertTrue(m.get("mknod").endsWith("Operation not permitted"), "mknod of a loop device (b 7:0) denied: " + m);
        assertFalse(Files.exists(nodes.resolve("loop")), "no node made");

        assertEquals(1, DeviceProgram.detach(group), "detach: the one program");
        assertEquals(List.of(), DeviceProgram.attached(group), "nothing attached after detach");
        assertTrue(Wait.until(Duration.ofSeconds(10), () -> !Bpf.loaded(id)), "program " + id + " freed after detach");
        assertEquals("open", inside().get("kmsg"), "without the program, /dev/kmsg opens");
    }

    @Test
    void aRuleThatAllowsTheDeviceLetsItThrough() {
        int id = DeviceProgram.attach(group, runcSpec(new Bundle.DeviceRule(true, "c", 1L, 11L, "r"),
            new Bundle.DeviceRule(true, "b", 7L, null, "m")));
        Map<String, String> m = inside();
        assertEquals("open", m.get("kmsg"), "/dev/kmsg for reading, allowed by c 1:11 r: " + m);
        assertEquals("made", m.get("mknod"), "a loop node, allowed by b 7:* m: " + m);
        assertEquals("open", m.get("null"), m.toString());
        // the group removed (as box delete removes it): its programs go with it
        new CgroupDir(group).destroy();
        assertTrue(Wait.until(Duration.ofSeconds(10), () -> !Bpf.loaded(id)), "program " + id + " freed with its group");
    }

    @Test
    void aProgramTheVerifierRefusesSaysWhyInItsOwnWords() {
        // BPF_EXIT with R0 never set: the verifier refuses it (EACCES), and its log says R0 is unread
        unboxed.sys.SysCallException e = assertThrows(unboxed.sys.SysCallException.class, () -> Bpf.load(
            Bpf.BPF_PROG_TYPE_CGROUP_DEVICE, Bpf.BPF_CGROUP_DEVICE, new Bpf.Asm().exit().insns(), DeviceProgram.LICENSE));
        assertEquals("EACCES", e.symbol(), e.getMessage());
        assertTrue(e.getMessage().contains("The verifier says:") && e.getMessage().contains("R0"), e.getMessage());
    }

    @Test
    void aDenyRuleAfterTheAllowsWinsForAnyAccessItNames() {
        // the last matching rule decides, as in v1's lists; a deny naming w refuses an open for reading and writing
        DeviceProgram.attach(group, runcSpec(new Bundle.DeviceRule(true, "c", 1L, 11L, "rwm"),
            new Bundle.DeviceRule(false, "c", 1L, 11L, "w")));
        Map<String, String> m = inside();
        assertEquals("open", m.get("kmsg"), "/dev/kmsg for reading: " + m);
        assertTrue(m.get("kmsg.rw").endsWith("Operation not permitted"), "/dev/kmsg for reading and writing denied: " + m);
        assertEquals("open", m.get("null"), "a default device after it: " + m);
    }
}
