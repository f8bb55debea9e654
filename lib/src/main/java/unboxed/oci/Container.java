package unboxed.oci;

import static unboxed.sys.LibC.C;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import unboxed.cgroup.CgroupDir;
import unboxed.cgroup.Cgroups;
import unboxed.cgroup.Group;
import unboxed.cgroup.MemoryCgroup;
import unboxed.lab.Journal;
import unboxed.lab.KernelObject;
import unboxed.ns.Mounts;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Overlay;
import unboxed.sys.Capabilities;
import unboxed.sys.Credentials;
import unboxed.sys.LibC;
import unboxed.sys.Seccomp;
import unboxed.sys.Sys;
import unboxed.sys.SysCallException;

/**
 * A container made from an OCI bundle, the way a runtime must make one, with everything on one JVM thread: namespaces,
 * a root file system, credentials, capabilities, no_new_privs all belong to a thread in the kernel, and a program that
 * thread starts (posix_spawn(3): clone with CLONE_VM|CLONE_VFORK, then execve) is born with all of them. The rest of
 * the JVM keeps the host's.
 *
 * <p>The order, as runc's libcontainer keeps it (rootfs_linux.go, standard_init_linux.go): the cgroup and its limits
 * (devices rules: v1's controller, or a BPF device program on v2 ({@link DeviceProgram}); memory, pids, cpu); unshare the namespaces; make / a slave (nothing mounted inside reaches the
 * host); bind the root file system onto itself; mount the bundle's mounts below it (its cgroup bound at
 * /sys/fs/cgroup), and the default devices; masked and read-only paths; the root read-only; pivot_root into it; the
 * hostname; the bounding set; the user and its groups; the capability sets and the ambient ones; no_new_privs; the
 * seccomp filter (linux.seccomp); then the program, by the container's own PATH, in its cwd, with its env. Between
 * its birth and its execve the program is held ({@link ExecFifo}): it joins the cgroup and gets its rlimits there, so
 * the runtime's own thread never joins the group and the JVM's limits never change. The exit code passes through
 * (128+N for a signal, as a shell says it).
 *
 * <p>What `box run` adds to the bundle ({@link RunOptions}): the network ({@link Net#NAT}: a router namespace of the
 * container's own, wired to the container's network namespace between the unshare and the program's start, see
 * {@link BoxNet}) and the root as an overlay of folders (--layers: mounted on root.path in the container's mount
 * namespace before anything else there, its upper and work directories in {@link #LAYERS}/ID). Both journaled under the
 * container's id, as the rest.
 *
 * <p>A user namespace (linux.namespaces type user, with linux.uidMappings and gidMappings) cannot be made on a thread:
 * unshare(CLONE_NEWUSER) is EINVAL in a multithreaded process (man 2 unshare), and a JVM always is. For such a bundle
 * the thread part of the steps ({@code inside}: mounts, pivot_root, hostname, credentials, capabilities, no_new_privs,
 * seccomp, the held spawn) runs in a second JVM, born in a new user namespace by unshare(1), after this JVM wrote its
 * uid_map and gid_map: {@link UserInit}, this runtime's `runc init`. Everything else (state, journal, cgroup and its
 * limits and device program, rlimits, --net nat) stays here, the same code for both; a bundle without a user
 * namespace never starts a second JVM.
 *
 * <p>Not done by this runtime (refused by {@link Bundle}): seccomp argument conditions and notifications, other cgroup
 * settings, hooks, a terminal.
 *
 * <p>The container's /proc, where it has a pid namespace of its own, is the one thing the thread cannot mount: a proc
 * shows the pid namespace of its mounter, and the thread is not in the new one (only its children are). It is mounted
 * from a process born there while the program is held ({@link ProcInside}), as runc's init mounts it.
 *
 * <p>Every object it makes outside the container's own mount namespace is journaled first (unboxed.lab.Journal, one
 * journal for the runtime, "box", each container's entries under its id), so {@link #delete} or a lab's reset cleans up after a SIGKILL at any point: the
 * state folder, the cgroup in each hierarchy, the processes in the container's mount namespace, and on cgroup v2 the
 * controllers it turned on in an ancestor's cgroup.subtree_control (kept on while another container's group needs them).
 */
public final class Container {
    private Container() {}

    /** Where each container's state.json is: /run/unboxed/box/ID (tmpfs: a reboot ends containers and state alike). */
    public static final Path STATE = Path.of("/run/unboxed/box");

    /** The journal of the runtime's objects: one for all containers, each container's entries under its id as scope. */
    public static Journal journal() {
        return Journal.of(JOURNAL);
    }

    /** The runtime's journal's name (/run/unboxed/box.journal): `box delete ID` replays a container's entries. */
    public static final String JOURNAL = "box";

    /** What `box state` prints: runtime-spec's state (id, status, pid, bundle). */
    public record State(String ociVersion, String id, String status, long pid, String bundle) {}

    /** How the container's program gets its output: the runtime's own stdout and stderr, or a file on the host. */
    public record Io(Path output) {
        public static Io inherit() {
            return new Io(null);
        }
    }

    /**
     * How linux.resources.devices is enforced: AUTO, the cgroup v1 devices controller where one is mounted, else a
     * BPF_PROG_TYPE_CGROUP_DEVICE program on the container's cgroup v2 group (as runc does on v2); BPF, the program
     * even where a v1 devices controller is mounted (a hybrid host: the process stays in v1's root devices group, which
     * allows everything, so the program alone decides).
     */
    public enum Devices { AUTO, BPF }

    /**
     * How the container's network namespace is connected: NONE, as runc leaves it (a new namespace with lo, nothing
     * else); NAT, a veth to a bridge in a router namespace of the container's own, NAT out ({@link BoxNet}).
     */
    public enum Net { NONE, NAT }

    /**
     * What `box run` adds to the bundle: how device rules are enforced, the network, and the layers of an overlay root
     * (lower folders, topmost first; empty: root.path as it is).
     */
    public record RunOptions(Devices devices, Net net, List<Path> layers) {
        public static RunOptions defaults() {
            return new RunOptions(Devices.AUTO, Net.NONE, List.of());
        }

        public RunOptions with(Devices d) {
            return new RunOptions(d, net, layers);
        }

        public RunOptions with(Net n) {
            return new RunOptions(devices, n, layers);
        }

        public RunOptions withLayers(List<Path> l) {
            return new RunOptions(devices, net, List.copyOf(l));
        }
    }

    /** The container is running; the pid (on the host) and where to find the rest. */
    public record Started(String id, long pid, long mntNamespace) {}

    /**
     * Makes the container, starts its program and waits for it; returns its exit code. Removes everything after (as
     * `runc run` does). {@code log} gets one line per step.
     */
    public static int run(Bundle bundle, String id, Io io, Consumer<String> log) {
        return run(bundle, id, io, Devices.AUTO, log);
    }

    /** {@link #run}, with the device rules enforced as {@code devices} says. */
    public static int run(Bundle bundle, String id, Io io, Devices devices, Consumer<String> log) {
        return run(bundle, id, io, RunOptions.defaults().with(devices), log);
    }

    /** {@link #run}, with what the options add (device rules, network, layers). */
    public static int run(Bundle bundle, String id, Io io, RunOptions options, Consumer<String> log) {
        Started s = start(bundle, id, io, options, log);
        try {
            return waitFor(s.pid());
        } finally {
            delete(id);
        }
    }

    /** Makes the container and starts its program; {@link #waitFor} its pid, then {@link #delete}. */
    public static Started start(Bundle bundle, String id, Io io, Consumer<String> log) {
        return start(bundle, id, io, Devices.AUTO, log);
    }

    /** {@link #start}, with the device rules enforced as {@code devices} says. */
    public static Started start(Bundle bundle, String id, Io io, Devices devices, Consumer<String> log) {
        return start(bundle, id, io, RunOptions.defaults().with(devices), log);
    }

    /** {@link #start}, with what the options add (device rules, network, layers). */
    public static Started start(Bundle bundle, String id, Io io, RunOptions options, Consumer<String> log) {
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new Bundle.Refused("container id " + id + ": letters, digits, _ . - only (up to 64, not starting with . - _)");
        }
        if (!bundle.has("mount")) {
            throw new Bundle.Refused("config.json: linux.namespaces must list mount: this runtime pivots into root.path in a"
                + " mount namespace of the container's own");
        }
        if (options.net() == Net.NAT && !bundle.has("network")) {
            throw new Bundle.Refused("--net nat needs a network namespace of the container's own: config.json's"
                + " linux.namespaces must list network");
        }
        Path rootfs = bundle.rootfs();
        if (!Files.isDirectory(rootfs)) throw new Bundle.Refused("config.json: root.path " + rootfs + " is not a directory");
        checkLayers(options.layers());
        Path dir = STATE.resolve(id);
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new Conflict("a container called " + id + " exists (" + dir + "): box delete " + id + ", or another --id");
        }
        try {
            return make(bundle, id, rootfs, dir, io, options, log);
        } catch (RuntimeException | Error e) {
            delete(id); // what was made so far, and nothing of another container's
            throw e;
        }
    }

    private static Started make(Bundle bundle, String id, Path rootfs, Path dir, Io io, RunOptions options, Consumer<String> log) {
        Devices devices = options.devices();
        Journal j = journal();
        j.record(new KernelObject.DirTree(dir).entry(id));
        writeState(dir, new State(bundle.ociVersion(), id, "creating", 0, bundle.dir().toAbsolutePath().toString()));
        Group group = makeCgroup(bundle, id, devices, j, log);
        if (group != null) {
            if (group.has("devices") && group.version("devices") == Cgroups.Version.V1) {
                writeDeviceRules(group.files("devices"), bundle.linux().devices(), log);
            } else if (group.has("devices")) {
                Path d = group.dir("devices");
                j.record(new KernelObject.DevicePrograms(d).entry(id));
                List<Bundle.DeviceRule> rules = new ArrayList<>(bundle.linux().devices());
                rules.addAll(DEFAULT_RULES);
                int prog = DeviceProgram.attach(d, rules);
                log.accept("bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, " + DeviceProgram.of(rules).size() + " instructions"
                    + " from " + rules.size() + " rules, the default devices last); bpf(BPF_PROG_ATTACH, " + d
                    + ", BPF_CGROUP_DEVICE): program " + prog + " (bpftool cgroup show " + d + ")");
            }
            writeLimits(group, bundle.linux().limits(), log);
        }
        Set<Ns> types = threadTypes(bundle);
        log.accept("unshare(" + Sys.cloneFlags(Ns.flags(types)) + ") on a thread of its own"
            + (bundle.has("user") ? ", in the init's user namespace" : ""));
        int out = io.output() == null ? -1 : openOutput(io.output());
        List<Bundle.Rlimit> limits = bundle.process().rlimits();
        long pid;
        long mnt;
        try {
            if (bundle.has("user")) {
                Bundle.User u = bundle.process().user();
                Bundle.User host = new Bundle.User(Bundle.toHost(bundle.linux().uidMappings(), u.uid()),
                    Bundle.toHost(bundle.linux().gidMappings(), u.gid()), List.of());
                ExecFifo fifo = hold(bundle, dir, host, limits, group, log);
                long[] started = UserInit.start(bundle, id, dir, out, options, fifo, j, log);
                pid = started[0];
                mnt = started[1];
            } else {
                Overlay.Layers overlay = options.layers().isEmpty() ? null : layers(id, options.layers(), j);
                ExecFifo fifo = hold(bundle, dir, bundle.process().user(), limits, group, log);
                try (NsThread t = NsThread.unshare(types)) {
                    mnt = t.id(Ns.MNT);
                    // journal first: whatever runs in this mount namespace from now on is the container's
                    j.record(new KernelObject.NamespaceProcesses(Ns.MNT, mnt).entry(id));
                    if (options.net() == Net.NAT) BoxNet.connect(id, t.tid(), j, log);
                    if (fifo != null) fifo.watch(t.tid());
                    try {
                        pid = t.call(() -> inside(bundle, rootfs, overlay, group, out, fifo == null ? null : dir, fifo, log));
                    } catch (RuntimeException | Error e) {
                        if (fifo != null) fifo.finish(); // the helper stops; the spawn's own error is the one to say
                        throw e;
                    }
                    RuntimeException helper = fifo == null ? null : fifo.finish();
                    if (helper != null) {
                        waitFor(pid); // killed before its execve: reaped here
                        throw helper;
                    }
                }
            }
        } finally {
            if (out >= 0) Sys.close(out);
        }
        writeState(dir, new State(bundle.ociVersion(), id, "running", pid, bundle.dir().toAbsolutePath().toString()));
        log.accept("started " + String.join(" ", bundle.process().args()) + ": pid " + pid + " on the host");
        return new Started(id, pid, mnt);
    }

    /**
     * The hold before the program's execve, where something must happen then: its cgroup, its rlimits, its own /proc
     * ({@link ProcInside}). Null: nothing to do, the program starts at once.
     */
    private static ExecFifo hold(Bundle b, Path dir, Bundle.User user, List<Bundle.Rlimit> limits, Group group, Consumer<String> log) {
        boolean proc = ProcInside.needed(b);
        if (limits.isEmpty() && group == null && !proc) return null;
        ExecFifo f = ExecFifo.make(dir, user, limits, group);
        return proc ? f.then(pid -> ProcInside.mount(b, pid, log)) : f;
    }

    /** The namespaces a thread makes for the bundle (all but user, which {@link UserInit}'s JVM is born in). */
    static Set<Ns> threadTypes(Bundle bundle) {
        Set<Ns> types = EnumSet.noneOf(Ns.class);
        for (Bundle.Namespace n : bundle.linux().namespaces()) {
            if (!n.type().equals("user")) types.add(Bundle.NAMESPACES.get(n.type()));
        }
        return types;
    }

    /** The container's program ended: its exit code (128+N when signal N ended it). Reaps it. */
    public static int waitFor(long pid) {
        Memory status = new Memory(4);
        while (true) {
            try {
                C.waitpid((int) pid, status, 0);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != 4) throw new SysCallException("waitpid(" + pid + ")", e.getErrorCode(), "See man 2 waitpid");
            }
        }
        int s = status.getInt(0);
        return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
    }

    /** Removes everything the container made (its journal replayed: processes, cgroup, state). Whether anything was there. */
    public static boolean delete(String id) {
        handOver(id);
        Journal.Replay r = journal().replay(id);
        if (!r.failed().isEmpty()) throw new IllegalStateException("box delete " + id + ": " + String.join("; ", r.failed()));
        for (Path shared : List.of(STATE, LAYERS)) {
            try {
                Files.deleteIfExists(shared); // only when no other container is there (not empty: kept)
            } catch (java.nio.file.DirectoryNotEmptyException others) {
                // another container's state or layers
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return !r.undone().isEmpty();
    }

    /**
     * A controller this container turned on in a cgroup.subtree_control ({@link #handDown}) stays on while another
     * container of this runtime has a group below it (turned off, its limits there would vanish): the note goes to
     * that container, whose delete turns it off in turn.
     */
    private static void handOver(String id) {
        Journal j = journal();
        List<Journal.Entry> all = j.entries();
        for (Journal.Entry e : all) {
            if (!id.equals(e.scope()) || !(e.object().orElse(null) instanceof KernelObject.SubtreeNote n)) continue;
            all.stream().filter(o -> !id.equals(o.scope()) && o.object().orElse(null) instanceof KernelObject.Cgroup c
                    && c.dir().startsWith(n.root()) && !c.dir().equals(n.root()) && Files.isDirectory(c.dir()))
                .map(Journal.Entry::scope).findFirst().ifPresent(heir -> j.reassign(e, heir));
        }
    }

    /** Whether the journal lists objects of a container by this id (its state may be gone: a crash mid-delete). */
    public static boolean known(String id) {
        return journal().entries().stream().anyMatch(e -> id.equals(e.scope()));
    }

    /** The containers that have state here, by id. */
    public static List<String> list() {
        try (var s = Files.list(STATE)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException none) {
            return List.of();
        }
    }

    /** The state of a container, its status read from the kernel: running while its pid is alive, else stopped. */
    public static java.util.Optional<State> state(String id) {
        try {
            State s = new com.google.gson.Gson().fromJson(Files.readString(STATE.resolve(id).resolve("state.json")), State.class);
            boolean alive = s.pid() > 0 && unboxed.ns.Processes.alive(s.pid());
            String status = s.status().equals("creating") ? "creating" : alive ? "running" : "stopped";
            return java.util.Optional.of(new State(s.ociVersion(), s.id(), status, s.pid(), s.bundle()));
        } catch (IOException | RuntimeException none) {
            return java.util.Optional.empty();
        }
    }

    static void writeState(Path dir, State s) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("state.json.tmp");
            Files.writeString(tmp, new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(s) + "\n");
            Files.move(tmp, dir.resolve("state.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + dir.resolve("state.json"), e);
        }
    }

    static int openOutput(Path file) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + file, e);
        }
        return Sys.open(file.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC);
    }

    // ---- --layers: the root as an overlay of folders ---------------------------------------------------------------

    /** Where the runtime keeps a container's upper and work directories: /var/lib/unboxed/box/ID (on disk, as runc's). */
    public static final Path LAYERS = Path.of("/var/lib/unboxed/box");

    /** Each layer a folder, none with a character overlayfs reads as a separator (lowerdir=A:B,upperdir=...). */
    static void checkLayers(List<Path> layers) {
        for (Path l : layers) {
            String s = l.toString();
            if (s.isEmpty() || s.contains(":") || s.contains(",")) {
                throw new Bundle.Refused("--layers: " + (s.isEmpty() ? "an empty folder name" : s) + ": folders separated"
                    + " by : (the topmost first), none empty or with a comma");
            }
            if (!Files.isDirectory(l)) throw new Bundle.Refused("--layers: " + l.toAbsolutePath() + " is not a folder");
        }
    }

    /**
     * --layers where another process made the container's mount namespace ({@link UserInit}'s, in a user namespace):
     * the overlay mounted on root.path in it from a thread of this JVM that joins it, before the init's mounts. Root of
     * the initial user namespace may mount there (its capabilities reach every namespace below it), and the overlay
     * keeps the credentials of its mounter for its copy-ups (overlayfs.rst, "Permission model"), as it does on a thread.
     */
    static void mountLayers(String id, List<Path> lower, long tid, Path rootfs, Journal j, Consumer<String> log) {
        Overlay.Layers overlay = layers(id, lower, j);
        try (NsThread t = NsThread.joinMountNamespace(tid)) {
            t.run(() -> mountOverlay(overlay, rootfs.toString(), log));
        }
    }

    /** The overlay on {@code root}, in the calling thread's mount namespace, / a slave first (nothing reaches the host). */
    private static void mountOverlay(Overlay.Layers overlay, String root, Consumer<String> log) {
        Sys.mount("none", "/", null, LibC.MS_SLAVE | LibC.MS_REC, null); // (again later: harmless)
        Overlay.mount(overlay, root);
        log.accept("mount -t overlay overlay -o " + overlay.options() + " " + root + " (in the container's mount namespace)");
    }

    /** The overlay's folders: the layers (absolute), and an upper and a work directory made (journaled) for this container. */
    private static Overlay.Layers layers(String id, List<Path> lower, Journal j) {
        Path mine = LAYERS.resolve(id);
        j.record(new KernelObject.DirTree(mine).entry(id));
        try {
            Files.createDirectories(mine.resolve("upper"));
            Files.createDirectories(mine.resolve("work"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot make " + mine, e);
        }
        return new Overlay.Layers(lower.stream().map(p -> p.toAbsolutePath().normalize()).toList(), mine.resolve("upper"),
            mine.resolve("work"));
    }

    // ---- the container's cgroup: devices rules (v1 or a v2 program), memory, pids, cpu -------------------------------------------

    /** The cgroup's name below each hierarchy's root (a lab's reset and `doctor --leftovers` know it by the journal). */
    public static String cgroupName(String id) {
        return "unboxed-box-" + id;
    }

    /**
     * The container's cgroup, in the hierarchies of the controllers its bundle needs (devices for device rules; memory,
     * pids, cpu for limits), or null when it needs none. Device rules are the v1 devices controller's, or (no such
     * controller, or {@link Devices#BPF}) a program on the group in the cgroup2 tree, whose "devices" is that tree. A
     * controller no hierarchy offers is exit 3 saying which (one v2's root does not hand down: {@link #handDown}).
     */
    static Group cgroup(Bundle bundle, String id, Devices how) {
        List<String> controllers = limitControllers(bundle.linux().limits());
        boolean devices = !bundle.linux().devices().isEmpty();
        if (controllers.isEmpty() && !devices) return null;
        Group g = Group.named(cgroupName(id), controllers.toArray(String[]::new));
        if (devices) {
            Cgroups.Root v1 = Cgroups.rootOf("devices");
            Path v2 = Cgroups.v2Mount();
            if (how == Devices.AUTO && v1 != null && v1.version() == Cgroups.Version.V1) g = g.with("devices", v1);
            else if (v2 != null) g = g.with("devices", new Cgroups.Root(Cgroups.Version.V2, v2));
            else {
                throw new Unsupported("config.json: linux.resources.devices needs the cgroup v1 devices controller or a"
                    + " cgroup2 mount for a device program, and this machine has neither (grep cgroup /proc/self/mounts):"
                    + " remove linux.resources.devices from config.json to run without device rules");
            }
        }
        if (!g.missing().isEmpty()) {
            throw new Unsupported("config.json: linux.resources needs the " + String.join(", ", g.missing())
                + " controller, which no cgroup hierarchy offers on this machine (grep cgroup /proc/self/mounts)");
        }
        return g;
    }

    /**
     * The container's cgroup ({@link #cgroup}) made, or null when its bundle needs none: on cgroup v2 its limits'
     * controllers handed down to it first ({@link #handDown}), then each directory journaled under the container's id
     * and made. The runtime's and a runtime written by hand's ({@link Assembly}) alike.
     */
    static Group makeCgroup(Bundle bundle, String id, Devices how, Journal j, Consumer<String> log) {
        Group g = cgroup(bundle, id, how);
        if (g == null) return null;
        handDown(g, limitControllers(bundle.linux().limits()), id, j, log);
        for (Path d : g.dirs()) j.record(new KernelObject.Cgroup(d).entry(id));
        g.create();
        log.accept("mkdir " + String.join(" ", g.dirs().stream().map(Path::toString).toList()));
        return g;
    }

    /** The controllers linux.resources' limits need: memory, pids, cpu (those it sets). */
    static List<String> limitControllers(Bundle.Limits l) {
        List<String> controllers = new ArrayList<>();
        if (l.memory() != null) controllers.add("memory");
        if (l.pids() != null) controllers.add("pids");
        if (l.cpuQuota() != null) controllers.add("cpu");
        return controllers;
    }

    /**
     * On cgroup v2 a group has a controller's files only when its parent hands the controller down (its
     * cgroup.subtree_control), and that parent only when its own parent does (cgroup-v2.rst, "Top-down Constraint").
     * As runc's cgroupfs driver does (libcontainer/cgroups/fs2/create.go), each of {@code controllers} that is on v2
     * goes into the cgroup.subtree_control of every ancestor of the group that does not hand it down yet, from the
     * root down: echo +cpu > /sys/fs/cgroup/cgroup.subtree_control. Each ancestor's change is noted first under the
     * container's id (KernelObject.SubtreeNote, what was off), so delete, after removing the group, turns off again
     * what was off, bottom-up. Where the kernel refuses (EINVAL for cpu while a realtime process is in a group below
     * the root, EBUSY for a group with processes of its own): exit 3, saying what and why. v1: nothing to do.
     */
    static void handDown(Group g, List<String> controllers, String id, Journal j, Consumer<String> log) {
        List<String> v2 = controllers.stream().filter(c -> g.has(c) && g.version(c) == Cgroups.Version.V2).toList();
        if (v2.isEmpty()) return;
        Path root = Cgroups.rootOf(v2.get(0)).dir();
        List<Path> ancestors = new ArrayList<>();
        for (Path a = g.dir(v2.get(0)).getParent(); a != null && a.startsWith(root); a = a.getParent()) ancestors.add(0, a);
        for (Path a : ancestors) {
            List<String> on = Cgroups.subtreeControl(a);
            List<String> off = v2.stream().filter(c -> !on.contains(c)).toList();
            if (off.isEmpty()) continue;
            j.record(new KernelObject.SubtreeNote(a, off).entry(id));
            for (String c : off) {
                Path file = a.resolve("cgroup.subtree_control");
                try {
                    Cgroups.enableAt(a, List.of(c));
                } catch (java.io.UncheckedIOException e) {
                    throw new Unsupported("config.json: linux.resources needs the " + c + " controller in " + g.dir(c)
                        + ", and the kernel refused echo +" + c + " > " + file + ": " + refusal(c, e.getCause()));
                }
                log.accept("echo +" + c + " > " + file);
            }
        }
    }

    /** Why the kernel refuses a controller in a cgroup.subtree_control, from the errno's text (cgroup-v2.rst). */
    static String refusal(String controller, IOException e) {
        String reason = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        return switch (reason) {
            case "Invalid argument" -> "EINVAL (the group's parent does not offer " + controller + ", see its"
                + " cgroup.controllers" + (controller.equals("cpu") ? "; or, in a kernel built with CONFIG_RT_GROUP_SCHED,"
                    + " a realtime process is in a group other than the root, and cpu can be enabled only while every"
                    + " realtime process is in the root group: cgroup-v2.rst, \"CPU\"" : "") + ")";
            case "Device or resource busy" -> "EBUSY (the group has processes of its own, and a group that hands"
                + " controllers down may hold none: \"no internal processes\", cgroup-v2.rst)";
            case "No such device" -> "ENODEV (no such controller in this kernel)";
            default -> reason;
        };
    }

    /** memory.limit, pids.limit, cpu.quota/period into the group's files (Group and MemoryCgroup name them per version). */
    private static void writeLimits(Group g, Bundle.Limits l, Consumer<String> log) {
        if (l.memory() != null) {
            MemoryCgroup m = MemoryCgroup.at(g.dir("memory"), g.version("memory"));
            m.setLimit(l.memory());
            log.accept("echo " + l.memory() + " > " + m.dir().resolve(m.file("limit")));
        }
        if (l.pids() != null) {
            g.setPidsMax(l.pids());
            log.accept("echo " + l.pids() + " > " + g.dir("pids").resolve("pids.max"));
        }
        if (l.cpuQuota() != null) {
            g.setCpuMax(l.cpuQuota(), l.cpuPeriod());
            Path d = g.dir("cpu");
            log.accept(g.version("cpu") == Cgroups.Version.V2
                ? "echo '" + l.cpuQuota() + " " + l.cpuPeriod() + "' > " + d.resolve("cpu.max")
                : "echo " + l.cpuPeriod() + " > " + d.resolve("cpu.cfs_period_us") + "; echo " + l.cpuQuota() + " > "
                    + d.resolve("cpu.cfs_quota_us"));
        }
    }

    /** The devices every container may use whatever its rules say (runc's AllowedDevices: null, zero, full, tty, ...). */
    static final List<String> DEFAULT_ALLOWED = List.of("c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
        "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm");

    /** The same, as rules (for the device program on v2). */
    static final List<Bundle.DeviceRule> DEFAULT_RULES = DEFAULT_ALLOWED.stream().map(r -> {
        String[] f = r.split("[ :]");
        return new Bundle.DeviceRule(true, f[0], Long.parseLong(f[1]), f[2].equals("*") ? null : Long.parseLong(f[2]), f[3]);
    }).toList();

    private static void writeDeviceRules(CgroupDir g, List<Bundle.DeviceRule> rules, Consumer<String> log) {
        for (Bundle.DeviceRule r : rules) {
            String rule = r.type() + " " + (r.major() == null ? "*" : r.major()) + ":" + (r.minor() == null ? "*" : r.minor())
                + " " + r.access();
            if (r.type().equals("a")) rule = "a";
            g.write(r.allow() ? "devices.allow" : "devices.deny", rule);
            log.accept("echo '" + rule + "' > " + g.dir().resolve(r.allow() ? "devices.allow" : "devices.deny"));
        }
        for (String rule : DEFAULT_ALLOWED) g.write("devices.allow", rule);
        log.accept("and the default devices allowed (" + String.join(", ", DEFAULT_ALLOWED) + ")");
    }

    // ---- on the container's thread -------------------------------------------------------------------------------

    private static Bundle.Process p(Bundle b) {
        return b.process();
    }

    /**
     * The program's environment: process.env, and HOME when it does not set one, from the container's /etc/passwd
     * for its uid ("/" when the file has no such user), as runc's init sets it.
     */
    static List<String> withHome(List<String> env, long uid, Path rootfs) {
        if (env.stream().anyMatch(e -> e.startsWith("HOME="))) return env;
        String home = "/";
        try {
            for (String line : Files.readAllLines(rootfs.resolve("etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length >= 6 && f[2].equals(Long.toString(uid))) {
                    home = f[5];
                    break;
                }
            }
        } catch (IOException | RuntimeException none) {
            // no passwd file: "/"
        }
        List<String> out = new ArrayList<>(env);
        out.add("HOME=" + home);
        return List.copyOf(out);
    }

    /** Mount flags by option name (mount(8)); anything else is the file system's own data ("mode=755"). */
    static final Map<String, Long> FLAGS = Map.ofEntries(Map.entry("ro", LibC.MS_RDONLY), Map.entry("nosuid", LibC.MS_NOSUID),
        Map.entry("nodev", LibC.MS_NODEV), Map.entry("noexec", LibC.MS_NOEXEC), Map.entry("sync", 16L),
        Map.entry("dirsync", 128L), Map.entry("noatime", 1024L), Map.entry("nodiratime", 2048L),
        Map.entry("relatime", 1L << 21), Map.entry("strictatime", 1L << 24), Map.entry("bind", LibC.MS_BIND),
        Map.entry("rbind", LibC.MS_BIND | LibC.MS_REC));
    /** Options that clear a flag, or mean the default. */
    static final Set<String> CLEARING = Set.of("rw", "suid", "dev", "exec", "async", "atime", "diratime", "defaults",
        "norelatime", "nostrictatime");
    static final Map<String, Long> PROPAGATION = Map.of("private", LibC.MS_PRIVATE, "rprivate", LibC.MS_PRIVATE | LibC.MS_REC,
        "slave", LibC.MS_SLAVE, "rslave", LibC.MS_SLAVE | LibC.MS_REC, "shared", LibC.MS_SHARED,
        "rshared", LibC.MS_SHARED | LibC.MS_REC);

    /** A bundle mount's flags and data: mount(8)'s option words split as runc's parseMountOptions does. */
    record Options(long flags, long propagation, String data) {
        static Options of(List<String> options) {
            long flags = 0, propagation = 0;
            List<String> data = new ArrayList<>();
            for (String o : options) {
                if (FLAGS.containsKey(o)) flags |= FLAGS.get(o);
                else if (PROPAGATION.containsKey(o)) propagation |= PROPAGATION.get(o);
                else if (!CLEARING.contains(o)) data.add(o);
            }
            return new Options(flags, propagation, data.isEmpty() ? null : String.join(",", data));
        }
    }

    /** Everything the program's thread does, in order; returns the program's pid. */
    static long inside(Bundle b, Path rootfs, Overlay.Layers overlay, Group group, int out, Path state, ExecFifo fifo,
            Consumer<String> log) throws Exception {
        String root = rootfs.toString();
        if (overlay != null) mountOverlay(overlay, root, log);
        // the state folder, for the FIFO that holds the program until its limits are set (no path to it after pivot_root)
        int stateFd = state == null ? -1 : Sys.open(state.toString(), LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        try {
            return inside(b, rootfs, root, group, out, stateFd, fifo, log);
        } finally {
            if (stateFd >= 0) Sys.close(stateFd);
        }
    }

    static long inside(Bundle b, Path rootfs, String root, Group group, int out, int stateFd, ExecFifo fifo,
            Consumer<String> log) throws Exception {
        Sys.mount("none", "/", null, LibC.MS_SLAVE | LibC.MS_REC, null);
        log.accept("mount --make-rslave /");
        Sys.mount(root, root, null, LibC.MS_BIND | LibC.MS_REC, null);
        log.accept("mount --rbind " + root + " " + root);
        for (Bundle.Mount m : b.mounts()) mount(b, m, root, group, log);
        if (b.mounts().stream().anyMatch(m -> m.destination().equals("/dev"))) defaultDevices(root, log);
        for (String p : b.linux().maskedPaths()) mask(root + p, "/dev/null", log);
        for (String p : b.linux().readonlyPaths()) readonly(root + p, log);
        if (b.root().readonly()) {
            Mounts.remountBind(root, root, LibC.MS_RDONLY);
            log.accept("mount -o remount,bind,ro " + root);
        }
        List<String> env = withHome(p(b).env(), p(b).user().uid(), rootfs);
        String holdLine = "the program held on " + ExecFifo.NAME + " before its execve: "
            + (group == null ? "" : "echo CHILD > cgroup.procs of " + String.join(", ", group.dirs().stream().map(Path::toString).toList()) + "; ")
            + (ProcInside.needed(b) ? "its own /proc; " : "")
            + (p(b).rlimits().isEmpty() ? "" : "prlimit --pid CHILD " + Rlimits.shown(p(b).rlimits()) + " as its user; ") + "go";
        Bundle.SeccompProfile profile = b.linux().seccomp();
        Seccomp.Filter filter = profile == null ? null : profile.filter(); // built while the JVM's classes are in reach
        preload();
        Sys.chdir(root);
        Sys.pivotRoot(".", ".");
        Sys.mount("", ".", null, LibC.MS_SLAVE | LibC.MS_REC, null);
        Sys.umount2(".", LibC.MNT_DETACH);
        Sys.chdir("/");
        log.accept("pivot_root . . ; umount -l . (the old root, stacked on the new one)");
        if (b.hostname() != null) {
            if (!b.has("uts")) throw new Bundle.Refused("config.json: hostname needs a uts namespace in linux.namespaces");
            Sys.sethostname(b.hostname());
            log.accept("hostname " + b.hostname());
        }
        Bundle.Process p = b.process();
        String program = lookPath(p.args().get(0), p.getenv("PATH"));
        Sys.chdir(p.cwd());
        Bundle.Caps c = p.capabilities();
        // runc's order: the bounding set while this thread still has CAP_SETPCAP, then the user, then the sets
        Capabilities.dropBoundingOnThisThread(mask(c.bounding()));
        Credentials.setOnThisThread(p.user().uid(), p.user().gid(), p.user().additionalGids(), p.user().uid() != 0);
        Capabilities.setSetsOnThisThread(mask(c.effective()), mask(c.permitted()), mask(c.inheritable()), mask(c.ambient()));
        if (p.noNewPrivileges()) Seccomp.noNewPrivsOnThisThread();
        if (fifo != null) log.accept(holdLine);
        if (filter != null) {
            log.accept("seccomp(SECCOMP_SET_MODE_FILTER): " + filter.insns().size() + " instructions, "
                + profile.actions().size() + " calls named, any other " + Seccomp.describe(profile.defaultAction())
                + " (last, right before posix_spawn)");
        }
        return spawn(program, p.args(), env, out, fifo, stateFd, p.cwd(), filter);
    }

    /**
     * The bundle's mounts below {@code root} (a cgroup mount shows the host's hierarchies) and, where it mounts /dev,
     * the default devices: what a runtime of one's own (lab13's) calls between its bind of the root and pivot_root.
     * A proc mounted here shows the host's pid namespace: where the bundle has one of its own, {@link ProcInside}
     * replaces it once the program is held (lab13's driver does), with the masks made on it.
     */
    public static void mountAll(Bundle b, String root, Consumer<String> log) throws IOException {
        for (Bundle.Mount m : b.mounts()) mount(b, m, root, null, log);
        if (b.mounts().stream().anyMatch(m -> m.destination().equals("/dev"))) defaultDevices(root, log);
    }

    private static void mount(Bundle b, Bundle.Mount m, String root, Group group, Consumer<String> log) throws IOException {
        String dest = root + m.destination();
        Options o = Options.of(m.options());
        boolean hostProc = m.type().equals("proc") && inUserNamespace();
        if (m.type().equals("bind")) {
            Path source = Path.of(m.source());
            if (Files.isDirectory(source)) Files.createDirectories(Path.of(dest));
            else if (!Files.exists(Path.of(dest), LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(Path.of(dest).getParent());
                Files.createFile(Path.of(dest));
            }
            Sys.mount(m.source(), dest, null, o.flags() & (LibC.MS_BIND | LibC.MS_REC), null);
            long rest = o.flags() & ~(LibC.MS_BIND | LibC.MS_REC);
            if (rest != 0) Mounts.remountBind(m.source(), dest, rest);
        } else if (m.type().equals("cgroup")) {
            Files.createDirectories(Path.of(dest));
            cgroupTree(dest, o, group);
        } else if (hostProc) {
            // a proc shows its mounter's pid namespace (pid_namespaces(7)), and this thread's is still the host's, whose
            // owner is the initial user namespace: a new one is EPERM here; the host's /proc is bound instead, which
            // ProcInside replaces (and which lets it: in a mount namespace of another user namespace a new proc needs one
            // already fully visible, mount_too_revealing() in fs/namespace.c)
            Files.createDirectories(Path.of(dest));
            Sys.mount("/proc", dest, null, LibC.MS_BIND | LibC.MS_REC, null);
            if (o.flags() != 0) Mounts.remountBind("/proc", dest, o.flags());
        } else {
            Files.createDirectories(Path.of(dest));
            Sys.mount(m.source(), dest, m.type(), o.flags(), o.data());
        }
        if (o.propagation() != 0) Sys.mount("none", dest, null, o.propagation(), null);
        log.accept((hostProc ? "mount --rbind /proc " + dest : "mount -t " + m.type()
            + (m.options().isEmpty() ? "" : " -o " + String.join(",", m.options())) + " " + m.source() + " " + dest)
            + (m.type().equals("proc") && ProcInside.needed(b)
                ? " (the host's pid namespace's: replaced by the container's own once the program is held)" : ""));
    }

    /**
     * type cgroup: on a pure v2 host, cgroup2 itself; on v1 or hybrid (what runc does without a cgroup namespace of
     * its own), a tmpfs with each of the host's hierarchies mounted in it by the same name, read-only if asked. Where
     * the container has a group of its own (its limits), that group is bound there instead of the whole hierarchy, as
     * runc binds it: the program reads its own limits at /sys/fs/cgroup/memory/memory.limit_in_bytes (or memory.max).
     */
    private static void cgroupTree(String dest, Options o, Group group) throws IOException {
        List<Mounts.Mount> hierarchies = Mounts.ofHost().stream()
            .filter(m -> m.mountPoint().startsWith("/sys/fs/cgroup") && (m.fsType().equals("cgroup") || m.fsType().equals("cgroup2")))
            .toList();
        boolean pureV2 = hierarchies.size() == 1 && hierarchies.get(0).fsType().equals("cgroup2");
        // in a user namespace of the container's own a cgroup file system may not be mounted afresh (EPERM: only the
        // initial namespace's root may): the host's hierarchy is bound instead, as runc falls back to
        boolean userns = inUserNamespace();
        if (pureV2) {
            Path own = ownGroupIn(group, hierarchies.get(0));
            if (own == null && userns) own = Path.of(hierarchies.get(0).mountPoint());
            if (own == null) Sys.mount("cgroup", dest, "cgroup2", o.flags(), null);
            else bindGroup(own, dest, o);
            return;
        }
        Sys.mount("tmpfs", dest, "tmpfs", LibC.MS_NOSUID | LibC.MS_NODEV | LibC.MS_NOEXEC, "mode=755");
        for (Mounts.Mount h : hierarchies) {
            if (h.mountPoint().equals("/sys/fs/cgroup")) continue;
            String at = dest + h.mountPoint().substring("/sys/fs/cgroup".length());
            Files.createDirectories(Path.of(at));
            Path own = ownGroupIn(group, h);
            if (own == null && userns) own = Path.of(h.mountPoint());
            if (own != null) {
                bindGroup(own, at, o);
                continue;
            }
            String data = h.fsType().equals("cgroup2") ? null : String.join(",", java.util.Arrays.stream(
                h.superOptions().split(",")).filter(x -> !x.equals("rw") && !x.equals("ro")).toList());
            Sys.mount("cgroup", at, h.fsType(), o.flags(), data);
        }
        if ((o.flags() & LibC.MS_RDONLY) != 0) {
            Sys.mount("tmpfs", dest, null, LibC.MS_REMOUNT | LibC.MS_RDONLY | LibC.MS_NOSUID | LibC.MS_NODEV | LibC.MS_NOEXEC, "mode=755");
        }
    }

    /** Whether this process is in a user namespace other than the initial one (whose uid_map maps every id to itself). */
    static boolean inUserNamespace() {
        try {
            return !List.of(Files.readString(Path.of("/proc/self/uid_map")).trim().split("\\s+")).equals(List.of("0", "0", "4294967295"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The container's group's directory in a hierarchy, or null when it has none there. */
    private static Path ownGroupIn(Group group, Mounts.Mount hierarchy) {
        if (group == null) return null;
        Path top = Path.of(hierarchy.mountPoint());
        return group.dirs().stream().filter(d -> d.getParent().equals(top)).findFirst().orElse(null);
    }

    private static void bindGroup(Path own, String at, Options o) {
        Sys.mount(own.toString(), at, null, LibC.MS_BIND, null);
        if (o.flags() != 0) Mounts.remountBind(own.toString(), at, o.flags());
    }

    /** runc's default devices: the host's nodes bound onto files in the container's /dev, and its links. */
    static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");
    static final Map<String, String> DEV_LINKS = new LinkedHashMap<>(Map.of("fd", "/proc/self/fd", "stdin", "/proc/self/fd/0",
        "stdout", "/proc/self/fd/1", "stderr", "/proc/self/fd/2", "ptmx", "pts/ptmx"));

    private static void defaultDevices(String root, Consumer<String> log) throws IOException {
        for (String d : DEVICES) {
            Path node = Path.of(root, "dev", d);
            if (!Files.exists(node, LinkOption.NOFOLLOW_LINKS)) Files.createFile(node);
            Mounts.bind("/dev/" + d, node.toString());
        }
        for (var e : DEV_LINKS.entrySet()) {
            Path link = Path.of(root, "dev", e.getKey());
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of(e.getValue()));
        }
        if (Files.exists(Path.of("/proc/kcore")) && !Files.exists(Path.of(root, "dev/core"), LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(Path.of(root, "dev/core"), Path.of("/proc/kcore")); // as runc, where the kernel has it
        }
        log.accept("mount --bind /dev/{" + String.join(",", DEVICES) + "} into " + root + "/dev; ln -s /proc/self/fd ...");
    }

    /** A masked path: a directory gets an empty read-only tmpfs, a file the container's /dev/null. Absent: nothing. */
    static void mask(String path, String devNull, Consumer<String> log) {
        Path p = Path.of(path);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Sys.mount("tmpfs", path, "tmpfs", LibC.MS_RDONLY, null);
        else Mounts.bind(devNull, path);
        log.accept("masked " + path);
    }

    /** A read-only path: bound onto itself, then remounted read-only. Absent: nothing. */
    static void readonly(String path, Consumer<String> log) {
        if (!Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS)) return;
        Sys.mount(path, path, null, LibC.MS_BIND | LibC.MS_REC, null);
        Mounts.remountBind(path, path, LibC.MS_RDONLY | LibC.MS_REC);
        log.accept("read-only " + path);
    }

    /**
     * After pivot_root this thread no longer sees the JVM's class path: load now every class it uses afterwards (a
     * class loaded later from a folder of .class files, as in a Maven build, would not be found).
     */
    static void preload() throws ClassNotFoundException {
        for (Class<?> k : List.of(ExecFifo.class, Credentials.class, Capabilities.class, Seccomp.class, unboxed.sys.Syscalls.class,
                SysCallException.class, unboxed.sys.Errno.class, IntByReference.class, Memory.class, Bundle.Caps.class,
                Bundle.User.class, Bundle.Refused.class, Bundle.Process.class, com.sun.jna.StringArray.class)) {
            Class.forName(k.getName(), true, k.getClassLoader());
        }
        Capabilities.all();
        mask(List.of("CAP_KILL"));
        lookPath("/", "/");
    }

    /** The program as execvp(3) finds it: a name with a slash as it is, else the first executable in PATH. */
    static String lookPath(String name, String path) {
        if (name.contains("/")) return name;
        for (String dir : (path == null ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : path).split(":")) {
            String candidate = (dir.isEmpty() ? "." : dir) + "/" + name;
            try {
                if (C.access(candidate, LibC.X_OK) == 0) return candidate;
            } catch (LastErrorException e) {
                // not there, or not executable: the next one
            }
        }
        throw new Bundle.Refused("config.json: process.args[0] " + name + " is not in the container's PATH ("
            + path + ")");
    }

    private static long mask(List<String> names) {
        long m = 0;
        for (String n : names) m |= 1L << Capabilities.number(n);
        return m;
    }

    /** posix_spawn(3) from this thread: descriptors above 2 closed, stdout and stderr to {@code out} if it is open. */
    static long spawn(String program, List<String> args, List<String> env, int out, ExecFifo fifo, int stateFd,
            String cwd, Seccomp.Filter filter) {
        Memory actions = new Memory(256);
        C.posix_spawn_file_actions_init(actions);
        try {
            if (out >= 0) {
                C.posix_spawn_file_actions_adddup2(actions, out, 1);
                C.posix_spawn_file_actions_adddup2(actions, out, 2);
            }
            if (fifo != null) fifo.addTo(actions, stateFd, cwd);
            C.posix_spawn_file_actions_addclosefrom_np(actions, 3);
            IntByReference pid = new IntByReference();
            String[] argv = args.toArray(String[]::new), envp = env.toArray(String[]::new);
            // the filter last: from here this thread makes only the calls Bundle.RUNTIME_NEEDS names (nothing logs)
            if (filter != null) Seccomp.installOnThisThread(filter);
            int err = C.posix_spawn(pid, program, actions, null, argv, envp);
            if (err != 0) throw new SysCallException("posix_spawn(" + program + ")", err, "See man 3 posix_spawn");
            return pid.getValue();
        } finally {
            C.posix_spawn_file_actions_destroy(actions);
        }
    }

    /** Something else holds the container's name: exit 4. */
    public static final class Conflict extends RuntimeException {
        public Conflict(String message) {
            super(message);
        }
    }

    /** This machine cannot do what the bundle asks (exit 3): the message says what and why. */
    public static final class Unsupported extends RuntimeException {
        public Unsupported(String message) {
            super(message);
        }
    }
}
