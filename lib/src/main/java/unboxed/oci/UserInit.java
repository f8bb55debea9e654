package unboxed.oci;

import static unboxed.sys.LibC.C;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import unboxed.cgroup.Group;
import unboxed.lab.Journal;
import unboxed.lab.KernelObject;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.sys.LibC;
import unboxed.sys.Sys;
import unboxed.sys.SysCallException;

/**
 * A container with a user namespace of its own (linux.namespaces type user), made as runc makes it with `runc init`:
 * by a second process that is single-threaded when it enters the user namespace. A JVM is multithreaded, and
 * unshare(CLONE_NEWUSER) is EINVAL in a multithreaded process (man 2 unshare), so the runtime's JVM cannot make one on a
 * thread as it makes the others. Here the init is a fresh JVM that util-linux's unshare(1) starts already inside a new
 * user namespace: {@code unshare --user --keep-caps -- java ... unboxed.oci.UserInit}. unshare(1) is single-threaded
 * when it calls unshare(2); --keep-caps raises the ambient set, so the full capability set the new namespace grants its
 * creator (user_namespaces(7)) survives the execve of java though no id is mapped yet (capabilities(7)).
 *
 * <p>The steps, parent (the runtime's JVM, {@link #start}) and init ({@link #main}) talking over two pipes (the init's
 * fds 3 and 4; its stdout and stderr are the container's): the init says "ready" (it is in its user namespace); the
 * parent writes /proc/PID/uid_map and gid_map from linux.uidMappings and gidMappings (the writer needs CAP_SETUID and
 * CAP_SETGID in the parent namespace: user_namespaces(7)) and says "go"; the init unshares the other namespaces on a
 * thread (each now owned by the new user namespace) and says which; the parent journals the container's mount namespace,
 * mounts --layers' overlay on root.path in it, wires the network (--net nat: the parent holds CAP_NET_ADMIN in the
 * initial namespace), starts the
 * {@link ExecFifo} helper on the init's thread, and says "go"; the init does what {@link Container}'s thread does for
 * any bundle (mounts, pivot_root, hostname, bounding set, user and groups, capability sets, no_new_privs, seccomp, the
 * held posix_spawn), its log lines passed to the parent, and reports the program's pid; the parent's helper puts the
 * program in its cgroup and sets its rlimits as root of the initial namespace (raising a hard limit needs
 * CAP_SYS_RESOURCE there, as runc keeps it in its parent), and releases it; the init exits. The program, orphaned,
 * goes to the runtime, which is a child subreaper while an init runs (PR_SET_CHILD_SUBREAPER, prctl(2)), as runc is.
 *
 * <p>The init dies with the runtime (PR_SET_PDEATHSIG, then a check of getppid(2) for a parent that died before),
 * and the parent kills it on any error, so nothing is left but what the journal lists.
 */
final class UserInit {
    private UserInit() {}

    private static final Object REAPER = new Object();
    private static int inits;

    /** The container's program's pid and mount namespace, made by an init JVM in a user namespace of its own. */
    static long[] start(Bundle b, String id, Path state, int out, Container.RunOptions options, ExecFifo fifo, Journal j,
            Consumer<String> log) {
        checkKernel();
        int[] down = pipe(), up = pipe();
        List<String> argv = new ArrayList<>(List.of(unshare(), "--user", "--keep-caps", "--",
            ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString())));
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--enable-native-access")) argv.add(a);
        }
        argv.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-cp",
            System.getProperty("java.class.path"), UserInit.class.getName(), Long.toString(Sys.getpid()),
            b.dir().toAbsolutePath().toString(), id, options.devices().name(), Boolean.toString(fifo != null)));
        long pid;
        synchronized (REAPER) {
            if (inits++ == 0) C.prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
        try {
            pid = spawn(argv, down[0], up[1], out);
        } catch (RuntimeException e) {
            for (int fd : new int[] {down[0], down[1], up[0], up[1]}) Sys.close(fd);
            lessReaper();
            throw e;
        }
        Sys.close(down[0]);
        Sys.close(up[1]);
        log.accept(String.join(" ", argv.subList(0, 5)) + " ... " + UserInit.class.getName() + ": pid " + pid
            + " (a JVM born in a new user namespace: unshare(CLONE_NEWUSER) needs a single-threaded caller)");
        Channel ch = new Channel(up[0], down[1]);
        boolean done = false;
        try {
            if (!"ready".equals(ch.read())) {
                throw new Container.Unsupported("the init JVM ended before it was in its user namespace (its message"
                    + " above): where unshare --user failed, this kernel refuses a user namespace here; check sysctl"
                    + " user.max_user_namespaces (0 forbids them) and, on Ubuntu, kernel.apparmor_restrict_unprivileged_userns");
            }
            writeMap(pid, "uid_map", b.linux().uidMappings(), log);
            writeMap(pid, "gid_map", b.linux().gidMappings(), log);
            ch.write("go");
            String[] ns = expect(ch, "ns", log).split(" ");
            long tid = Long.parseLong(ns[0]), mnt = Long.parseLong(ns[1]);
            // journal first: whatever runs in this mount namespace from now on is the container's
            j.record(new KernelObject.NamespaceProcesses(Ns.MNT, mnt).entry(id));
            if (!options.layers().isEmpty()) Container.mountLayers(id, options.layers(), tid, b.rootfs(), j, log);
            if (options.net() == Container.Net.NAT) BoxNet.connect(id, tid, j, log);
            if (fifo != null) fifo.watch(pid, tid);
            ch.write("go");
            long program;
            try {
                program = Long.parseLong(expect(ch, "pid", log));
            } catch (RuntimeException | Error e) {
                if (fifo != null) fifo.finish();
                throw e;
            }
            RuntimeException helper = fifo == null ? null : fifo.finish();
            int code = Container.waitFor(pid); // the program is this JVM's child from here (a subreaper's orphan)
            done = true;
            if (helper != null) {
                Container.waitFor(program);
                throw helper;
            }
            if (code != 0) throw new IllegalStateException("the init (pid " + pid + ") exited " + code + " after starting the program");
            return new long[] {program, mnt};
        } finally {
            if (!done) {
                Sys.kill(pid, 9);
                Container.waitFor(pid);
            }
            Sys.close(up[0]);
            Sys.close(down[1]);
            lessReaper();
        }
    }

    private static void lessReaper() {
        synchronized (REAPER) {
            if (--inits == 0) C.prctl(LibC.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
        }
    }

    /** A kernel that forbids user namespaces says so here: exit 3, with what to check. */
    private static void checkKernel() {
        if (!Files.exists(Path.of("/proc/sys/user/max_user_namespaces"))) return;
        if (unboxed.net.Sysctl.get("user.max_user_namespaces").equals("0")) {
            throw new Container.Unsupported("config.json: linux.namespaces type user, and this kernel allows none:"
                + " sysctl user.max_user_namespaces is 0 (user_namespaces(7)); remove the user namespace and its mappings");
        }
    }

    private static String unshare() {
        for (String d : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            if (Files.isExecutable(Path.of(d, "unshare"))) return d + "/unshare";
        }
        throw new Container.Unsupported("a user namespace is made by util-linux's unshare(1), and this machine has none"
            + " in /usr/bin or /bin (apt-get install util-linux)");
    }

    /** echo '0 100000 65536' > /proc/PID/uid_map: every line in one write(2), as the kernel takes it. */
    private static void writeMap(long pid, String file, List<Bundle.IdMap> maps, Consumer<String> log) {
        Path p = Path.of("/proc", Long.toString(pid), file);
        String text = String.join("\n", maps.stream().map(Bundle.IdMap::line).toList()) + "\n";
        try {
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new Container.Unsupported("writing " + text.strip().replace("\n", "; ") + " to " + p + " failed ("
                + e.getMessage() + "): the mappings must not overlap and the ids must exist (user_namespaces(7))");
        }
        log.accept("echo '" + text.strip().replace("\n", "\\n") + "' > " + p);
    }

    /** posix_spawn(3) of argv with fds 3 and 4 the pipes' ends and stdout/stderr to out if open; its pid. */
    private static long spawn(List<String> argv, int in, int reply, int out) {
        Memory actions = new Memory(256);
        C.posix_spawn_file_actions_init(actions);
        try {
            if (out >= 0) {
                C.posix_spawn_file_actions_adddup2(actions, out, 1);
                C.posix_spawn_file_actions_adddup2(actions, out, 2);
            }
            C.posix_spawn_file_actions_adddup2(actions, in, 3);
            C.posix_spawn_file_actions_adddup2(actions, reply, 4);
            C.posix_spawn_file_actions_addclosefrom_np(actions, 5);
            IntByReference pid = new IntByReference();
            List<String> env = new ArrayList<>();
            for (Map.Entry<String, String> e : System.getenv().entrySet()) env.add(e.getKey() + "=" + e.getValue());
            int err = C.posix_spawn(pid, argv.get(0), actions, null, argv.toArray(String[]::new), env.toArray(String[]::new));
            if (err != 0) throw new SysCallException("posix_spawn(" + argv.get(0) + ")", err, "See man 3 posix_spawn");
            return pid.getValue();
        } finally {
            C.posix_spawn_file_actions_destroy(actions);
        }
    }

    private static int[] pipe() {
        int[] fds = new int[2];
        try {
            C.pipe2(fds, LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new SysCallException("pipe2", e.getErrorCode(), "See man 2 pipe");
        }
        return fds;
    }

    /**
     * The init's next line that starts with {@code word}: its rest. The init's log lines before it go to {@code log};
     * an error it reports is thrown here.
     */
    private static String expect(Channel ch, String word, Consumer<String> log) {
        String line = ch.read();
        while (line != null && line.startsWith("log ")) {
            log.accept(line.substring(4));
            line = ch.read();
        }
        if (line == null) throw new IllegalStateException("the init JVM ended before it said " + word + " (its stderr above)");
        if (line.startsWith("error ")) {
            String[] e = line.split(" ", 3);
            String message = e.length > 2 ? e[2] : "";
            throw switch (e[1]) {
                case "refused" -> new Bundle.Refused(message);
                case "unsupported" -> new Container.Unsupported(message);
                default -> new IllegalStateException("in the container's init: " + message);
            };
        }
        if (!line.startsWith(word)) throw new IllegalStateException("the init said " + line + ", not " + word);
        return line.substring(word.length()).strip();
    }

    // ---- the init ---------------------------------------------------------------------------------------------

    /** The init: PARENT-PID BUNDLE ID DEVICES HELD (fds 3 and 4 from the parent). Exits 0 once the program is started. */
    public static void main(String[] args) {
        C.prctl(LibC.PR_SET_PDEATHSIG, 9, 0, 0, 0);
        if (C.getppid() != Long.parseLong(args[0])) System.exit(1); // the runtime died before the line above
        Channel ch = new Channel(3, 4);
        try {
            ch.write("ready");
            if (!"go".equals(ch.read())) System.exit(1);
            Bundle b = Bundle.read(Path.of(args[1]));
            String id = args[2];
            Group group = Container.cgroup(b, id, Container.Devices.valueOf(args[3]));
            boolean held = Boolean.parseBoolean(args[4]);
            Path state = Container.STATE.resolve(id);
            try (NsThread t = NsThread.unshare(Container.threadTypes(b))) {
                ch.write("ns " + t.tid() + " " + t.id(Ns.MNT));
                if (!"go".equals(ch.read())) System.exit(1);
                Container.preload(); // this JVM's classes loaded while its user may read the class path
                long pid = t.call(() -> {
                    // root of the user namespace, as runc's init becomes: the host's id that 0 maps to, so that what
                    // it makes (the dirs below the container's /dev tmpfs) has an owner mapped there (else EOVERFLOW)
                    // the state folder (the program's exec.fifo) opened first: its parents are root's alone
                    int stateFd = held ? Sys.open(state.toString(), LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC) : -1;
                    try {
                        unboxed.sys.Credentials.setOnThisThread(0, 0, List.of(), false);
                        return Container.inside(b, b.rootfs(), b.rootfs().toString(), group, -1, stateFd,
                            held ? ExecFifo.at(state) : null, line -> ch.write("log " + line));
                    } finally {
                        if (stateFd >= 0) Sys.close(stateFd);
                    }
                });
                ch.write("pid " + pid);
            }
        } catch (Throwable e) {
            Throwable c = e instanceof RuntimeException && e.getCause() != null && e.getMessage() == null ? e.getCause() : e;
            String kind = c instanceof Bundle.Refused ? "refused" : c instanceof Container.Unsupported ? "unsupported" : "other";
            String message = c instanceof Bundle.Refused || c instanceof Container.Unsupported ? c.getMessage() : c.toString();
            ch.write("error " + kind + " " + String.valueOf(message).replace('\n', ' '));
            System.exit(1);
        }
        System.exit(0);
    }

    /** Lines over a pair of pipe descriptors (read, write). */
    private record Channel(int in, int out) {
        String read() {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] one = new byte[1];
            while (true) {
                long n;
                try {
                    n = C.read(in, one, 1);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == 4) continue; // EINTR
                    throw new SysCallException("read(pipe)", e.getErrorCode(), "See man 2 read");
                }
                if (n == 0) return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                if (one[0] == '\n') return line.toString(StandardCharsets.UTF_8);
                line.write(one[0]);
            }
        }

        synchronized void write(String line) {
            byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
            int done = 0;
            while (done < b.length) {
                try {
                    done += (int) C.write(out, java.util.Arrays.copyOfRange(b, done, b.length), b.length - done);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == 4) continue;
                    throw new SysCallException("write(pipe)", e.getErrorCode(), "See man 2 write");
                }
            }
        }
    }
}
