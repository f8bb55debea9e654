package unboxed.oci;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import unboxed.sys.Bpf;
import unboxed.sys.LibC;
import unboxed.sys.Sys;

/**
 * linux.resources.devices on cgroup v2, the way runc does it (libcontainer/cgroups/devices/devicefilter.go, after
 * crun's ebpf.c): cgroup v2 has no devices controller; a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the group
 * (BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) is asked on every open(2) and mknod(2) of a device node by a process in it, and
 * its R0 decides: 1 allow, 0 EPERM.
 *
 * <p>The program: load the context (struct bpf_cgroup_dev_ctx: access_type = type | access &lt;&lt; 16, major,
 * minor) into R2 (type), R3 (access), R4 (major), R5 (minor); then one block per rule, the last rule first (the last
 * rule that matches wins, as in the v1 devices.allow/deny lists), each jumping to the next block on a mismatch and
 * returning the rule's verdict on a match; the last block returns the default. A type-a rule ("a": every device) sets
 * the default and drops the rules before it, as writing "a" to v1's devices.deny does.
 *
 * <p>One difference from runc, which first folds the rules through its v1 emulator: an allow rule matches when every
 * access asked is in it (runc's check), a deny rule when any is (so "deny c 1:3 w" refuses an open for read and write,
 * as v1 would). Two allow rules that together cover an access (r, then w, of one device) do not add up here.
 */
public final class DeviceProgram {
    private DeviceProgram() {}

    /**
     * The license the program declares. The kernel only uses it to refuse GPL-only helpers to other licenses; this
     * program calls no helper, and runc declares "Apache" (its devicefilter.go's license constant).
     */
    public static final String LICENSE = "Apache";

    // include/uapi/linux/bpf.h: enum bpf_cgroup_dev_ctx's types and accesses
    static final int BPF_DEVCG_ACC_MKNOD = 1, BPF_DEVCG_ACC_READ = 2, BPF_DEVCG_ACC_WRITE = 4;
    static final int BPF_DEVCG_DEV_BLOCK = 1, BPF_DEVCG_DEV_CHAR = 2;

    private static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

    /** The rules' access letters as BPF_DEVCG_ACC_* bits. */
    static int access(String rwm) {
        int a = 0;
        for (char c : rwm.toCharArray()) {
            a |= switch (c) {
                case 'r' -> BPF_DEVCG_ACC_READ;
                case 'w' -> BPF_DEVCG_ACC_WRITE;
                case 'm' -> BPF_DEVCG_ACC_MKNOD;
                default -> throw new IllegalArgumentException("device access " + rwm + ": letters r, w, m");
            };
        }
        return a;
    }

    /** The program for these rules, in the order config.json lists them (the runtime's default devices last). */
    public static List<Bpf.Insn> of(List<Bundle.DeviceRule> rules) {
        boolean defaultAllow = true; // a new group may use every device its parent may
        List<Bundle.DeviceRule> effective = new ArrayList<>();
        for (Bundle.DeviceRule r : rules) {
            if (r.type().equals("a")) {
                defaultAllow = r.allow();
                effective.clear();
            } else {
                effective.add(r);
            }
        }
        Bpf.Asm a = new Bpf.Asm()
            .loadWord(R2, R1, 0).and32(R2, 0xffff)   // R2 <- type: the low 16 bits of access_type
            .loadWord(R3, R1, 0).rsh32(R3, 16)       // R3 <- access: its high 16 bits
            .loadWord(R4, R1, 4)                      // R4 <- major
            .loadWord(R5, R1, 8);                     // R5 <- minor
        int block = 0;
        for (int n = effective.size() - 1; n >= 0; n--, block++) {
            Bundle.DeviceRule r = effective.get(n);
            String next = "block-" + (block + 1);
            a.label("block-" + block)
                .jne(R2, r.type().equals("b") ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, next);
            int acc = access(r.access());
            if (acc != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
                a.mov32Reg(R1, R3).and32(R1, acc); // R1 is free once the context is read
                if (r.allow()) a.jneReg(R1, R3, next); // some access asked is not in the rule
                else a.jeq(R1, 0, next);                // no access asked is in the rule
            }
            if (r.major() != null) a.jne(R4, r.major().intValue(), next);
            if (r.minor() != null) a.jne(R5, r.minor().intValue(), next);
            a.mov32(R0, r.allow() ? 1 : 0).exit();
        }
        return a.label("block-" + block).mov32(R0, defaultAllow ? 1 : 0).exit().insns();
    }

    /**
     * Loads the program for these rules and attaches it to the v2 group at {@code cgroup} (BPF_F_ALLOW_MULTI, as runc:
     * programs of the ancestors still run, and each must allow). The attachment holds the program: the fds are closed,
     * and removing the group (or {@link #detach}) frees it. Returns the program's id (BPF_PROG_QUERY lists it).
     */
    public static int attach(Path cgroup, List<Bundle.DeviceRule> rules) {
        int prog = Bpf.load(Bpf.BPF_PROG_TYPE_CGROUP_DEVICE, Bpf.BPF_CGROUP_DEVICE, of(rules), LICENSE);
        try {
            int dir = Sys.open(cgroup.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
            try {
                Bpf.attach(dir, prog, Bpf.BPF_CGROUP_DEVICE, Bpf.BPF_F_ALLOW_MULTI);
            } finally {
                Sys.close(dir);
            }
            return Bpf.id(prog);
        } finally {
            Sys.close(prog);
        }
    }

    /** The ids of the device programs attached to the group at {@code cgroup}. */
    public static List<Integer> attached(Path cgroup) {
        return Bpf.attached(cgroup, Bpf.BPF_CGROUP_DEVICE);
    }

    /** Detaches every device program from the group at {@code cgroup}; how many (0 when it is gone). */
    public static int detach(Path cgroup) {
        return Bpf.detachAll(cgroup, Bpf.BPF_CGROUP_DEVICE);
    }
}
