package unboxed.sys;

import static unboxed.sys.LibC.C;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * seccomp filters (seccomp(2)): classic BPF programs the kernel runs on every system call of a thread, deciding from
 * the call's number and architecture whether it goes ahead (ALLOW), fails with an errno (ERRNO), or kills (KILL_*).
 *
 * <p>Three parts: a builder for the simplest useful filter (check the architecture, then deny some syscall numbers),
 * installing one on the calling thread (prctl(PR_SET_NO_NEW_PRIVS) then seccomp(SECCOMP_SET_MODE_FILTER): the filter
 * belongs to that thread and to every program it starts afterwards), and reading the filters of any process back
 * from the kernel (ptrace(PTRACE_SECCOMP_GET_FILTER)) to run them in an interpreter here and say what they decide.
 *
 * <p>Layouts (include/uapi/linux/filter.h, seccomp.h): a sock_filter is 8 bytes, {u16 code, u8 jt, u8 jf, u32 k};
 * seccomp_data is {int nr; u32 arch; u64 instruction_pointer; u64 args[6]}, which the filter reads 32 bits at a time.
 */
public final class Seccomp {
    private Seccomp() {}

    // return values (SECCOMP_RET_*): the action in the high 16 bits, its data (an errno) in the low 16
    public static final int RET_KILL_PROCESS = 0x80000000, RET_KILL_THREAD = 0, RET_TRAP = 0x00030000,
        RET_ERRNO = 0x00050000, RET_USER_NOTIF = 0x7fc00000, RET_TRACE = 0x7ff00000, RET_LOG = 0x7ffc0000,
        RET_ALLOW = 0x7fff0000;
    static final int RET_ACTION_FULL = 0xffff0000, RET_DATA = 0x0000ffff;

    /** AUDIT_ARCH_* (include/uapi/linux/audit.h): the value seccomp_data.arch has for this architecture's calls. */
    public static final int AUDIT_ARCH_X86_64 = 0xC000003E, AUDIT_ARCH_AARCH64 = 0xC00000B7;
    public static final int AUDIT_ARCH = Syscalls.aarch64() ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64;
    /** On x86_64, x32-ABI calls have this bit set in nr: a filter that only compares numbers must refuse them too. */
    static final int X32_SYSCALL_BIT = 0x40000000;

    // classic BPF opcodes (include/uapi/linux/bpf_common.h)
    static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
    static final int W = 0x00, ABS = 0x20, IMM = 0x00, MEM = 0x60, LEN = 0x80;
    static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, K = 0x00, X = 0x08, A = 0x10;

    /** One classic BPF instruction: struct sock_filter. */
    public record Insn(int code, int jt, int jf, int k) {
        @Override
        public String toString() {
            return String.format("{0x%02x, %d, %d, 0x%08x}", code, jt, jf, k);
        }
    }

    /** A filter: its instructions, as the kernel stores and returns them. */
    public record Filter(List<Insn> insns) {
        /** What this filter alone returns for a call with this number on this architecture (arguments all 0). */
        public int evaluate(int nr, int arch) {
            return run(insns, nr, arch);
        }
    }

    /** A decision: the raw return value, and its action and data spelled out. */
    public record Verdict(int value) {
        public int action() { return value & RET_ACTION_FULL; }
        public int data() { return value & RET_DATA; }
        public boolean allows() { return action() == RET_ALLOW; }
        public boolean deniesWith(int errno) { return action() == RET_ERRNO && data() == errno; }
        /** "ALLOW", "ERRNO(EPERM)", "KILL_PROCESS"... */
        @Override
        public String toString() { return describe(value); }
    }

    /** SECCOMP_RET_ERRNO with this errno. */
    public static int errno(int errno) {
        return RET_ERRNO | (errno & RET_DATA);
    }

    /**
     * The filter of this lesson: if the call is not of this architecture (or, on x86_64, an x32 call), KILL_PROCESS;
     * if its number is one of {@code syscalls}, return {@code action} (errno(EPERM), say); otherwise ALLOW. Names this
     * architecture has no call for (mkdir on aarch64) are skipped.
     */
    public static Filter denying(List<String> syscalls, int action) {
        List<Long> numbers = new ArrayList<>();
        for (String s : syscalls) {
            long n = Syscalls.number(s);
            if (n >= 0) numbers.add(n);
        }
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(LD | W | ABS, 0, 0, 4)); // A = seccomp_data.arch
        p.add(new Insn(JMP | JEQ | K, 1, 0, AUDIT_ARCH)); // this architecture: skip the kill
        p.add(new Insn(RET | K, 0, 0, RET_KILL_PROCESS));
        p.add(new Insn(LD | W | ABS, 0, 0, 0)); // A = seccomp_data.nr
        int n = numbers.size();
        if (!Syscalls.aarch64()) p.add(new Insn(JMP | JGE | K, n + 1, 0, X32_SYSCALL_BIT)); // x32 calls: deny too
        for (int i = 0; i < n; i++) {
            p.add(new Insn(JMP | JEQ | K, n - i, 0, numbers.get(i).intValue())); // to the deny below ALLOW
        }
        p.add(new Insn(RET | K, 0, 0, RET_ALLOW));
        p.add(new Insn(RET | K, 0, 0, action));
        return new Filter(p);
    }

    /**
     * A filter with an action per call, as a container's seccomp profile asks: calls of another architecture or ABI
     * (x32 on x86_64) are KILL_PROCESS; each call of {@code actions} (by name; names this architecture has no call
     * for are skipped, as libseccomp skips them) returns its action; any other call returns {@code defaultAction}.
     */
    public static Filter of(java.util.Map<String, Integer> actions, int defaultAction) {
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(LD | W | ABS, 0, 0, 4)); // A = seccomp_data.arch
        p.add(new Insn(JMP | JEQ | K, 1, 0, AUDIT_ARCH)); // this architecture: skip the kill
        p.add(new Insn(RET | K, 0, 0, RET_KILL_PROCESS));
        p.add(new Insn(LD | W | ABS, 0, 0, 0)); // A = seccomp_data.nr
        if (!Syscalls.aarch64()) {
            p.add(new Insn(JMP | JGE | K, 0, 1, X32_SYSCALL_BIT)); // an x32 call: killed
            p.add(new Insn(RET | K, 0, 0, RET_KILL_PROCESS));
        }
        for (var e : actions.entrySet()) {
            long n = Syscalls.number(e.getKey());
            if (n < 0) continue;
            p.add(new Insn(JMP | JEQ | K, 0, 1, (int) n)); // this call: its action; else the next test
            p.add(new Insn(RET | K, 0, 0, e.getValue()));
        }
        p.add(new Insn(RET | K, 0, 0, defaultAction));
        return new Filter(p);
    }

    /**
     * Installs a filter on the calling thread: prctl(PR_SET_NO_NEW_PRIVS, 1), without which only a process with
     * CAP_SYS_ADMIN may install one, then seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog). Only this thread is filtered,
     * and so is every program it starts afterwards (the filter is inherited at fork and kept across execve); it cannot
     * be removed. Run it on a thread of its own (unboxed.ns.NsThread.own) so the rest of the JVM stays unfiltered.
     */
    public static void installOnThisThread(Filter f) {
        noNewPrivsOnThisThread();
        Memory prog = new Memory(8L * f.insns().size());
        for (int i = 0; i < f.insns().size(); i++) {
            Insn in = f.insns().get(i);
            prog.setShort(8L * i, (short) in.code());
            prog.setByte(8L * i + 2, (byte) in.jt());
            prog.setByte(8L * i + 3, (byte) in.jf());
            prog.setInt(8L * i + 4, in.k());
        }
        Memory fprog = new Memory(16); // struct sock_fprog {unsigned short len; struct sock_filter *filter;}
        fprog.clear();
        fprog.setShort(0, (short) f.insns().size());
        fprog.setPointer(8, prog);
        try {
            C.syscall(Syscalls.number("seccomp"), 1L /* SECCOMP_SET_MODE_FILTER */, 0L, fprog);
        } catch (LastErrorException e) {
            throw new SysCallException("seccomp(SECCOMP_SET_MODE_FILTER, 0, {" + f.insns().size() + " instructions})",
                e.getErrorCode(), e.getErrorCode() == Errno.EINVAL ? "Is the kernel built with CONFIG_SECCOMP_FILTER? See man 2 seccomp"
                    : "See man 2 seccomp");
        }
    }

    /**
     * prctl(PR_SET_NO_NEW_PRIVS, 1) on the calling thread: from now on execve(2) grants no privileges (no set-user-ID,
     * no file capabilities) to it or to anything it starts; it cannot be undone.
     */
    public static void noNewPrivsOnThisThread() {
        try {
            C.prctl(LibC.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        } catch (LastErrorException e) {
            throw new SysCallException("prctl(PR_SET_NO_NEW_PRIVS, 1)", e.getErrorCode(), "See man 2 prctl");
        }
    }

    /** The Seccomp, Seccomp_filters and NoNewPrivs lines of a /proc/.../status file: what the kernel shows of a task. */
    public record Status(int mode, int filters, boolean noNewPrivs) {
        /** "Seccomp: 2, Seccomp_filters: 1, NoNewPrivs: 1". */
        @Override
        public String toString() {
            return "Seccomp: " + mode + ", Seccomp_filters: " + filters + ", NoNewPrivs: " + (noNewPrivs ? 1 : 0);
        }
    }

    /** The status of a process (its main thread), or empty if it is gone. */
    public static Optional<Status> status(long pid) {
        return statusOf(Path.of("/proc", Long.toString(pid), "status"));
    }

    /** The status of one thread: /proc/PID/task/TID/status. */
    public static Optional<Status> statusOfThread(long pid, long tid) {
        return statusOf(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "status"));
    }

    private static Optional<Status> statusOf(Path p) {
        try {
            int mode = 0, filters = 0;
            boolean nnp = false;
            for (String line : Files.readAllLines(p)) {
                String[] kv = line.split(":\\s*", 2);
                if (kv.length < 2) continue;
                switch (kv[0]) {
                    case "Seccomp" -> mode = Integer.parseInt(kv[1].strip());
                    case "Seccomp_filters" -> filters = Integer.parseInt(kv[1].strip());
                    case "NoNewPrivs" -> nnp = kv[1].strip().equals("1");
                    default -> { }
                }
            }
            return Optional.of(new Status(mode, filters, nnp));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * The filters on a task (a process's main thread has its pid as tid), most recently installed first, read back
     * from the kernel with ptrace(PTRACE_SECCOMP_GET_FILTER). The kernel hands them only to a tracer that has
     * CAP_SYS_ADMIN and is itself not under seccomp, and only while the task is in a ptrace-stop (ptrace(2)): so this
     * attaches without stopping it (PTRACE_SEIZE), stops it (PTRACE_INTERRUPT, then waitpid), reads index 0, 1, ...
     * until ENOENT, and detaches, which lets it go on as before (an interrupted sleep is restarted by the kernel).
     * All on one thread: a tracer is a thread. Empty list: the task is not in filter mode.
     */
    public static List<Filter> filtersOf(long tid) {
        List<Filter> out = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                readFilters((int) tid, out);
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "unboxed-seccomp-reader");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (failure[0] instanceof RuntimeException r) throw r;
        if (failure[0] != null) throw new IllegalStateException(failure[0]);
        return out;
    }

    private static void readFilters(int tid, List<Filter> out) {
        try {
            C.ptrace(LibC.PTRACE_SEIZE, tid, null, null);
        } catch (LastErrorException e) {
            throw new SysCallException("ptrace(PTRACE_SEIZE, " + tid + ")", e.getErrorCode(),
                e.getErrorCode() == Errno.EPERM ? "Is it already traced (strace, gdb)? Are you root? See man 2 ptrace"
                    : "See man 2 ptrace");
        }
        try {
            C.ptrace(LibC.PTRACE_INTERRUPT, tid, null, null);
            Memory status = new Memory(4);
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (C.waitpid(tid, status, LibC.__WALL | 1 /* WNOHANG */) == 0) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("pid " + tid + " did not stop within 3 s");
                Thread.onSpinWait();
            }
            if ((status.getInt(0) & 0xff) != 0x7f) { // not WIFSTOPPED: it exited or was killed meanwhile
                throw new SysCallException("waitpid(" + tid + ")", Errno.ESRCH, "It ended while being read");
            }
            for (int index = 0; ; index++) {
                long count;
                try {
                    count = C.ptrace(LibC.PTRACE_SECCOMP_GET_FILTER, tid, new Pointer(index), null);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == Errno.ENOENT) return; // no filter at this index: all read
                    if (e.getErrorCode() == Errno.EINVAL && index == 0) return; // not in filter mode
                    throw new SysCallException("ptrace(PTRACE_SECCOMP_GET_FILTER, " + tid + ", " + index + ")",
                        e.getErrorCode(), "Needs CAP_SYS_ADMIN and a tracer not under seccomp itself; the kernel needs "
                        + "CONFIG_CHECKPOINT_RESTORE. See man 2 ptrace");
                }
                Memory buf = new Memory(8 * count);
                C.ptrace(LibC.PTRACE_SECCOMP_GET_FILTER, tid, new Pointer(index), buf);
                List<Insn> insns = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    insns.add(new Insn(buf.getShort(8L * i) & 0xffff, buf.getByte(8L * i + 2) & 0xff,
                        buf.getByte(8L * i + 3) & 0xff, buf.getInt(8L * i + 4)));
                }
                out.add(new Filter(insns));
            }
        } finally {
            try {
                C.ptrace(LibC.PTRACE_DETACH, tid, null, null);
            } catch (LastErrorException gone) {
                // it exited meanwhile
            }
        }
    }

    /**
     * What the kernel returns for a call when these filters are stacked on a task: each runs, and the most
     * restrictive action wins (KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, USER_NOTIF, TRACE, LOG, ALLOW); between equal
     * actions the most recently installed filter's (the first in the list) counts (seccomp(2); kernel/seccomp.c).
     */
    public static Verdict evaluate(List<Filter> filters, String syscall) {
        long nr = Syscalls.number(syscall);
        if (nr < 0) throw new IllegalArgumentException(syscall + " does not exist on this architecture");
        int ret = RET_ALLOW;
        for (Filter f : filters) {
            int cur = f.evaluate((int) nr, AUDIT_ARCH);
            if ((cur & RET_ACTION_FULL) < (ret & RET_ACTION_FULL)) ret = cur; // signed, as the kernel compares
        }
        return new Verdict(ret);
    }

    /** "ERRNO(EPERM)", "ALLOW", "KILL_PROCESS", "TRACE(7)". */
    public static String describe(int value) {
        int action = value & RET_ACTION_FULL, data = value & RET_DATA;
        return switch (action) {
            case RET_KILL_PROCESS -> "KILL_PROCESS";
            case RET_KILL_THREAD -> "KILL_THREAD";
            case RET_TRAP -> "TRAP";
            case RET_ERRNO -> "ERRNO(" + Errno.symbol(data) + ")";
            case RET_USER_NOTIF -> "USER_NOTIF";
            case RET_TRACE -> "TRACE(" + data + ")";
            case RET_LOG -> "LOG";
            case RET_ALLOW -> "ALLOW";
            default -> String.format("0x%08x", value);
        };
    }

    /**
     * A classic BPF interpreter for what seccomp accepts (the kernel's seccomp_check_filter: loads from seccomp_data,
     * LD/LDX IMM and MEM, LEN, ST/STX, ALU, TAX/TXA, jumps, RET K/A), run on seccomp_data {nr, arch, ip 0, args 0}.
     */
    static int run(List<Insn> p, int nr, int arch) {
        int a = 0, x = 0;
        int[] mem = new int[16];
        int pc = 0;
        for (int steps = 0; steps < 4096 && pc < p.size(); steps++) {
            Insn in = p.get(pc++);
            int code = in.code(), k = in.k();
            switch (code & 0x07) {
                case LD -> a = switch (code & 0xe0) {
                    case ABS -> word(k, nr, arch);
                    case IMM -> k;
                    case MEM -> mem[k & 15];
                    case LEN -> 64; // sizeof(struct seccomp_data)
                    default -> throw bad(in);
                };
                case LDX -> x = switch (code & 0xe0) {
                    case IMM -> k;
                    case MEM -> mem[k & 15];
                    case LEN -> 64;
                    default -> throw bad(in);
                };
                case ST -> mem[k & 15] = a;
                case STX -> mem[k & 15] = x;
                case ALU -> {
                    int v = (code & X) != 0 ? x : k;
                    a = switch (code & 0xf0) {
                        case 0x00 -> a + v;
                        case 0x10 -> a - v;
                        case 0x20 -> a * v;
                        case 0x30 -> v == 0 ? 0 : Integer.divideUnsigned(a, v);
                        case 0x40 -> a | v;
                        case 0x50 -> a & v;
                        case 0x60 -> v >= 32 ? 0 : a << v;
                        case 0x70 -> v >= 32 ? 0 : a >>> v;
                        case 0x80 -> -a;
                        case 0x90 -> v == 0 ? 0 : Integer.remainderUnsigned(a, v);
                        case 0xa0 -> a ^ v;
                        default -> throw bad(in);
                    };
                    if ((code & 0xf0) == 0x30 && v == 0) return 0; // the kernel: division by zero returns 0 (KILL)
                }
                case JMP -> {
                    int v = (code & X) != 0 ? x : k;
                    boolean taken = switch (code & 0xf0) {
                        case JA -> {
                            pc += k;
                            yield false;
                        }
                        case JEQ -> a == v;
                        case JGT -> Integer.compareUnsigned(a, v) > 0;
                        case JGE -> Integer.compareUnsigned(a, v) >= 0;
                        case JSET -> (a & v) != 0;
                        default -> throw bad(in);
                    };
                    if ((code & 0xf0) != JA) pc += taken ? in.jt() : in.jf();
                }
                case RET -> {
                    return (code & 0x18) == A ? a : k;
                }
                case MISC -> {
                    if ((code & 0xf8) == 0x00) x = a; // TAX
                    else a = x; // TXA
                }
                default -> throw bad(in);
            }
        }
        throw new IllegalStateException("the filter ran off its end without a RET");
    }

    /** A 32-bit load from seccomp_data at this offset (little-endian on both architectures), arguments all 0. */
    private static int word(int offset, int nr, int arch) {
        return switch (offset) {
            case 0 -> nr;
            case 4 -> arch;
            default -> 0; // instruction_pointer and args
        };
    }

    private static IllegalStateException bad(Insn in) {
        return new IllegalStateException("an instruction seccomp does not accept: " + in);
    }
}
