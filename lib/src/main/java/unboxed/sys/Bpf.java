package unboxed.sys;

import static unboxed.sys.LibC.C;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * eBPF from Java: a small assembler for the instructions (struct bpf_insn) and the bpf(2) commands that load a
 * program, attach it to a cgroup, find it there again and detach it. Names are linux/bpf.h's (and bpf_common.h's).
 *
 * <p>An eBPF instruction is 8 bytes: an opcode (class | operation | source), the destination and source registers
 * (R0..R10, 4 bits each), a signed 16-bit offset (for a jump: how many instructions to skip) and a signed 32-bit
 * immediate. A program starts with R1 pointing at its context (for BPF_PROG_TYPE_CGROUP_DEVICE, struct
 * bpf_cgroup_dev_ctx) and returns R0 at BPF_EXIT. The kernel's verifier checks every program at BPF_PROG_LOAD; when it
 * refuses one, its log says why, and {@link #load} puts that log in the exception.
 */
public final class Bpf {
    private Bpf() {}

    // instruction classes, sizes, modes, operations, sources (linux/bpf_common.h, linux/bpf.h)
    public static final int BPF_LDX = 0x01, BPF_ALU = 0x04, BPF_JMP = 0x05;
    public static final int BPF_W = 0x00, BPF_MEM = 0x60;
    public static final int BPF_AND = 0x50, BPF_RSH = 0x70, BPF_MOV = 0xb0;
    public static final int BPF_JEQ = 0x10, BPF_JNE = 0x50, BPF_EXIT = 0x90;
    public static final int BPF_K = 0x00, BPF_X = 0x08;

    // bpf(2) commands (enum bpf_cmd)
    public static final int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_DETACH = 9, BPF_PROG_GET_FD_BY_ID = 13,
        BPF_OBJ_GET_INFO_BY_FD = 15, BPF_PROG_QUERY = 16;
    /** enum bpf_prog_type: a program that decides a cgroup's device access. */
    public static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    /** enum bpf_attach_type: where a device program attaches on a cgroup. */
    public static final int BPF_CGROUP_DEVICE = 6;
    /** Attach flag: this program runs beside the others on the cgroup and its ancestors (each must allow). */
    public static final int BPF_F_ALLOW_MULTI = 1 << 1;

    /** One instruction: struct bpf_insn. */
    public record Insn(int code, int dst, int src, int off, int imm) {
        @Override
        public String toString() {
            return String.format("{0x%02x, r%d, r%d, %+d, %d}", code, dst, src, off, imm);
        }
    }

    /**
     * An assembler with labels: jumps name the label they go to, and {@link #insns} turns each name into the offset the
     * kernel wants (target - (this + 1)).
     */
    public static final class Asm {
        private final List<Insn> insns = new ArrayList<>();
        private final Map<Integer, String> jumps = new HashMap<>();
        private final Map<String, Integer> labels = new HashMap<>();

        /** The next instruction is where jumps to {@code name} land. */
        public Asm label(String name) {
            if (labels.putIfAbsent(name, insns.size()) != null) throw new IllegalArgumentException("label " + name + " twice");
            return this;
        }

        private Asm add(int code, int dst, int src, int off, int imm) {
            insns.add(new Insn(code, dst, src, off, imm));
            return this;
        }

        private Asm jump(int code, int dst, int src, int imm, String to) {
            jumps.put(insns.size(), to);
            return add(code, dst, src, 0, imm);
        }

        /** dst = *(u32 *)(src + off) */
        public Asm loadWord(int dst, int src, int off) { return add(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0); }
        /** dst = (u32) dst &amp; imm */
        public Asm and32(int dst, int imm) { return add(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm); }
        /** dst = (u32) dst &gt;&gt; imm */
        public Asm rsh32(int dst, int imm) { return add(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm); }
        /** dst = (u32) imm */
        public Asm mov32(int dst, int imm) { return add(BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, imm); }
        /** dst = (u32) src */
        public Asm mov32Reg(int dst, int src) { return add(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
        /** if dst != imm goto label */
        public Asm jne(int dst, int imm, String label) { return jump(BPF_JMP | BPF_JNE | BPF_K, dst, 0, imm, label); }
        /** if dst != src goto label */
        public Asm jneReg(int dst, int src, String label) { return jump(BPF_JMP | BPF_JNE | BPF_X, dst, src, 0, label); }
        /** if dst == imm goto label */
        public Asm jeq(int dst, int imm, String label) { return jump(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, imm, label); }
        /** return R0 */
        public Asm exit() { return add(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

        /** The program, each jump's offset resolved. */
        public List<Insn> insns() {
            List<Insn> out = new ArrayList<>(insns);
            jumps.forEach((at, name) -> {
                Integer to = labels.get(name);
                if (to == null) throw new IllegalArgumentException("jump to label " + name + ", which is nowhere");
                Insn i = out.get(at);
                out.set(at, new Insn(i.code(), i.dst(), i.src(), to - at - 1, i.imm()));
            });
            return List.copyOf(out);
        }
    }

    /** The instructions as the kernel reads them (little-endian on the machines the labs run on). */
    static Memory encode(List<Insn> insns) {
        Memory m = new Memory(8L * insns.size());
        for (int n = 0; n < insns.size(); n++) {
            Insn i = insns.get(n);
            m.setByte(8L * n, (byte) i.code());
            m.setByte(8L * n + 1, (byte) ((i.src() << 4) | (i.dst() & 0xf)));
            m.setShort(8L * n + 2, (short) i.off());
            m.setInt(8L * n + 4, i.imm());
        }
        return m;
    }

    /** union bpf_attr: zeroed (the kernel refuses bytes it does not know that are not 0); 128 bytes hold every command here. */
    private static Memory attr() {
        Memory a = new Memory(128);
        a.clear();
        return a;
    }

    private static long bpf(int cmd, Memory attr) {
        return C.syscall(Syscalls.number("bpf"), (long) cmd, attr, 128L);
    }

    /**
     * BPF_PROG_LOAD: the kernel checks the program (the verifier) and returns a file descriptor for it. On a refusal,
     * loads it again with a log buffer and puts the verifier's log in the exception.
     */
    public static int load(int progType, int expectedAttachType, List<Insn> insns, String license) {
        Memory code = encode(insns);
        Memory lic = new Memory(license.length() + 1L);
        lic.setString(0, license, "US-ASCII");
        try {
            return (int) bpf(BPF_PROG_LOAD, loadAttr(progType, expectedAttachType, insns.size(), code, lic, null));
        } catch (LastErrorException e) {
            Memory log = new Memory(65536);
            log.clear();
            String said = "";
            try {
                Sys.close((int) bpf(BPF_PROG_LOAD, loadAttr(progType, expectedAttachType, insns.size(), code, lic, log)));
            } catch (LastErrorException again) {
                said = log.getString(0, "US-ASCII").strip();
            }
            throw new SysCallException("bpf(BPF_PROG_LOAD, {prog_type " + progType + ", " + insns.size() + " instructions, license \""
                + license + "\"})", e.getErrorCode(), (said.isEmpty() ? "" : "The verifier says: " + said.replace('\n', ';') + ". ")
                + "Are you root (CAP_BPF, CAP_SYS_ADMIN)? See man 2 bpf");
        }
    }

    private static Memory loadAttr(int progType, int attachType, int count, Memory code, Memory license, Memory log) {
        Memory a = attr();
        a.setInt(0, progType);
        a.setInt(4, count);
        a.setPointer(8, code);
        a.setPointer(16, license);
        if (log != null) {
            a.setInt(24, 1); // log_level
            a.setInt(28, (int) log.size());
            a.setPointer(32, log);
        }
        a.setInt(68, attachType); // expected_attach_type
        return a;
    }

    /** The attr of BPF_PROG_ATTACH and BPF_PROG_DETACH: target_fd, attach_bpf_fd, attach_type, attach_flags. */
    private static Memory attachAttr(int targetFd, int progFd, int attachType, int flags) {
        Memory a = attr();
        a.setInt(0, targetFd);
        a.setInt(4, progFd);
        a.setInt(8, attachType);
        a.setInt(12, flags);
        return a;
    }

    /** BPF_PROG_ATTACH: the program (prog fd) runs for the target (a cgroup directory's fd) at attachType. */
    public static void attach(int targetFd, int progFd, int attachType, int flags) {
        try {
            bpf(BPF_PROG_ATTACH, attachAttr(targetFd, progFd, attachType, flags));
        } catch (LastErrorException e) {
            throw new SysCallException("bpf(BPF_PROG_ATTACH, {attach_type " + attachType + ", flags " + flags + "})",
                e.getErrorCode(), "Is the target a cgroup v2 directory? See man 2 bpf");
        }
    }

    /** BPF_PROG_DETACH: that program no longer runs for the target. */
    public static void detach(int targetFd, int progFd, int attachType) {
        try {
            bpf(BPF_PROG_DETACH, attachAttr(targetFd, progFd, attachType, 0));
        } catch (LastErrorException e) {
            throw new SysCallException("bpf(BPF_PROG_DETACH, {attach_type " + attachType + "})", e.getErrorCode(), "See man 2 bpf");
        }
    }

    /** BPF_PROG_QUERY: the ids of the programs attached to the target itself at attachType (not its ancestors'). */
    public static List<Integer> attached(int targetFd, int attachType) {
        Memory ids = new Memory(4L * 64);
        Memory a = attr();
        a.setInt(0, targetFd);
        a.setInt(4, attachType);
        a.setPointer(16, ids);
        a.setInt(24, 64);
        try {
            bpf(BPF_PROG_QUERY, a);
        } catch (LastErrorException e) {
            throw new SysCallException("bpf(BPF_PROG_QUERY, {attach_type " + attachType + "})", e.getErrorCode(), "See man 2 bpf");
        }
        List<Integer> out = new ArrayList<>();
        for (int n = 0; n < Math.min(a.getInt(24), 64); n++) out.add(ids.getInt(4L * n));
        return out;
    }

    /** The ids of the programs attached to a cgroup directory at attachType. */
    public static List<Integer> attached(java.nio.file.Path cgroup, int attachType) {
        int dir = Sys.open(cgroup.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        try {
            return attached(dir, attachType);
        } finally {
            Sys.close(dir);
        }
    }

    /** BPF_PROG_GET_FD_BY_ID: a new fd for a loaded program; ENOENT once the kernel has freed it. */
    public static int programById(int id) {
        Memory a = attr();
        a.setInt(0, id);
        try {
            return (int) bpf(BPF_PROG_GET_FD_BY_ID, a);
        } catch (LastErrorException e) {
            throw new SysCallException("bpf(BPF_PROG_GET_FD_BY_ID, {prog_id " + id + "})", e.getErrorCode(), "See man 2 bpf");
        }
    }

    /** Whether a program by this id is loaded (held by an fd or an attachment). */
    public static boolean loaded(int id) {
        try {
            Sys.close(programById(id));
            return true;
        } catch (SysCallException e) {
            if (e.errno() == Errno.ENOENT) return false;
            throw e;
        }
    }

    /** BPF_OBJ_GET_INFO_BY_FD: a loaded program's id (struct bpf_prog_info's id), as BPF_PROG_QUERY lists it. */
    public static int id(int progFd) {
        Memory info = new Memory(8);
        info.clear();
        Memory a = attr();
        a.setInt(0, progFd);
        a.setInt(4, 8);
        a.setPointer(8, info);
        try {
            bpf(BPF_OBJ_GET_INFO_BY_FD, a);
        } catch (LastErrorException e) {
            throw new SysCallException("bpf(BPF_OBJ_GET_INFO_BY_FD, " + progFd + ")", e.getErrorCode(), "See man 2 bpf");
        }
        return info.getInt(4);
    }

    /**
     * Detaches every program attached to a cgroup directory at attachType (by id: the way back after a crash, when no
     * fd of them is left); how many. Nothing when the directory is gone (removing a cgroup detaches its programs).
     */
    public static int detachAll(java.nio.file.Path cgroup, int attachType) {
        if (!java.nio.file.Files.isDirectory(cgroup)) return 0;
        int dir = Sys.open(cgroup.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        try {
            int n = 0;
            for (int id : attached(dir, attachType)) {
                int prog;
                try {
                    prog = programById(id);
                } catch (SysCallException gone) {
                    continue;
                }
                try {
                    detach(dir, prog, attachType);
                    n++;
                } finally {
                    Sys.close(prog);
                }
            }
            return n;
        } finally {
            Sys.close(dir);
        }
    }
}
