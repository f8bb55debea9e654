package unboxed.lab;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import unboxed.cgroup.Group;
import unboxed.cgroup.MemoryCgroup;
import unboxed.cgroup.Systemd;
import unboxed.net.Ip;
import unboxed.net.Netns;
import unboxed.ns.MountNs;
import unboxed.ns.Mounts;
import unboxed.ns.Overlay;
import unboxed.ns.Processes;
import unboxed.ns.Uts;
import unboxed.sys.Sys;

/**
 * Every kind of thing a lab makes on the host, as a type. Each kind knows its journal line, how to find itself on the
 * host ({@link #present}), how to undo itself ({@link #undo}: idempotent, true if it removed something) and how to say
 * what it is in one line. The journal stores them, {@link Bench} makes them (journal first, then the object), reset
 * and the replay after a crash undo them, and `doctor --leftovers` finds them.
 *
 * <p>Two families: objects the lab made ({@link #isNote} false), and notes of how the host was before the lab
 * (/run/netns, a mount's propagation, a directory that was absent), restored by reset and kept by run's start-over.
 *
 * <p>A new kind: a record here (its fields are what undo needs), a case in {@link #fromEntry}, and a maker in
 * {@link Bench}. Nothing else in the library switches on kinds.
 */
public sealed interface KernelObject {
    /** The word the journal stores for this kind. */
    String kind();

    /** One line for the learner: "network namespace blue". */
    String describe();

    /** Whether it is on the host now. */
    boolean present();

    /** Removes it (or, for a note, puts the host back as it was) if needed; true if something changed. */
    boolean undo();

    /**
     * {@link #undo}, and what it did in one line for the learner (several lines for several things), or null if
     * nothing changed. Kinds found by a property rather than a name say what they found.
     */
    default String undoAndSay() { return undo() ? "removed " + describe() : null; }

    /** A note of how the host was before the lab, not an object the lab made. */
    default boolean isNote() { return false; }

    /**
     * Whether a reboot leaves it in place (a directory on disk) while it empties /run and the journal there, ends every
     * process and unmounts every mount: its journal entry is also kept on disk (see Journal.DISK_DIR).
     */
    default boolean outlivesReboot() { return false; }

    /** The journal line's fields: what undo needs, besides the kind. */
    String target();

    default String where() { return null; }

    default Journal.Entry entry(String scope) {
        return new Journal.Entry(kind(), target(), where(), scope);
    }

    /** "ended 2 processes whose ... (pids 10, 11)", or null when none was ended. */
    private static String ended(List<Long> killed, String whose) {
        if (killed.isEmpty()) return null;
        return "ended " + killed.size() + " process" + (killed.size() == 1 ? "" : "es") + " " + whose
            + " (pid" + (killed.size() == 1 ? " " : "s ") + String.join(", ", killed.stream().map(String::valueOf).toList()) + ")";
    }

    /** The typed object a journal line stands for; empty for a line of a kind this version does not know. */
    static Optional<KernelObject> fromEntry(Journal.Entry e) {
        if (e == null || e.kind() == null || e.target() == null) return Optional.empty();
        return Optional.ofNullable(switch (e.kind()) {
            case "netns" -> new NamedNetns(e.target());
            case "link" -> new Link(e.target(), e.where());
            case "bridge" -> new Bridge(e.target(), e.where());
            case "mount" -> new Mount(e.target());
            case "dir" -> new DirTree(Path.of(e.target()));
            case "cgroup" -> new Cgroup(Path.of(e.target()));
            case "memcg" -> new NamedCgroup(e.target());
            case "cgroups" -> new NamedGroup(e.target(), e.where() == null ? List.of() : List.of(e.where().split(",")));
            case "slice" -> new SystemdSlice(e.target(), e.where() == null ? List.of() : List.of(e.where().split(",")));
            case "procs" -> new ProcessTree(e.target());
            case "hostname" -> new Hostname(e.target());
            case "account" -> new Account(e.target());
            case "mountson" -> new MountsOn(e.target());
            case "utstrees" -> new UtsTrees(e.target());
            case "hostbefore" -> new HostNamed(e.target());
            case "vethaddr" -> new VethWithAddress(e.target());
            case "argv0" -> new ProcessesNamed(e.target());
            case "docker" -> new DockerContainer(e.target(), e.where());
            case "overlayroots" -> new OverlayRoots(Path.of(e.target()));
            case "nsprocs" -> NamespaceProcesses.parse(e.target());
            case "bpfdevices" -> new DevicePrograms(Path.of(e.target()));
            case "box" -> new BoxContainer(e.target());
            case "file" -> new WrittenFile(Path.of(e.target()), e.where() == null ? null : Path.of(e.where()));
            case "starterfile" -> new StarterFile(Path.of(e.target()), e.where());
            case "runnetns" -> new RunNetnsNote(e.where());
            case "propagation" -> new PropagationNote(e.target(), e.where());
            case "exercisedir" -> new ExerciseDirNote(Path.of(e.target()));
            case "sysctl" -> new SysctlNote(e.target(), e.where());
            case "subtree" -> new SubtreeNote(Path.of(e.target()), e.where() == null ? List.of() : List.of(e.where().split(",")));
            default -> null;
        });
    }

    // ---- objects a lab makes ---------------------------------------------------------------------------------

    /** A network namespace pinned at /run/netns/NAME (ip netns add). Undo also ends processes left inside. */
    record NamedNetns(String name) implements KernelObject {
        public String kind() { return "netns"; }
        public String target() { return name; }
        public String describe() { return "network namespace " + name; }
        public boolean present() {
            return Files.exists(Netns.path(name)) || Mounts.isMountPoint(Netns.path(name).toString());
        }
        public boolean undo() { return Netns.purge(List.of(name)); }
    }

    /** A link by name, in a named namespace or (netns null) the JVM's own. Deleting a veth end removes its peer too. */
    record Link(String name, String netns) implements KernelObject {
        public String kind() { return "link"; }
        public String target() { return name; }
        public String where() { return netns; }
        public String describe() { return "link " + name + (netns == null ? "" : " in " + netns); }
        public boolean present() {
            return (netns == null || Netns.exists(netns)) && Ip.link(netns, name).isPresent();
        }
        public boolean undo() {
            if (netns != null && !Netns.exists(netns)) return false; // gone with its namespace
            return Ip.delLinkIfPresent(netns, name);
        }
    }

    /**
     * A Linux bridge (ip link add NAME type bridge), in a named namespace or (netns null) the JVM's own. Deleting it
     * releases its ports (they stay, no longer enslaved). Found only if the link of that name is a bridge: a learner's
     * veth that happens to share the name is not ours.
     */
    record Bridge(String name, String netns) implements KernelObject {
        public String kind() { return "bridge"; }
        public String target() { return name; }
        public String where() { return netns; }
        public String describe() { return "bridge " + name + (netns == null ? "" : " in " + netns); }
        public boolean present() {
            return (netns == null || Netns.exists(netns)) && Ip.link(netns, name).map(l -> "bridge".equals(l.kind())).orElse(false);
        }
        public boolean undo() {
            if (!present()) return false; // gone, or gone with its namespace
            return Ip.delLinkIfPresent(netns, name);
        }
    }

    /** Whatever is mounted on a path in the host's mount namespace, stacked mounts included. */
    record Mount(String path) implements KernelObject {
        public String kind() { return "mount"; }
        public String target() { return path; }
        public String describe() { return "mount on " + path; }
        public boolean present() { return Mounts.isMountPoint(path); }
        public boolean undo() {
            boolean any = false;
            while (Mounts.visibleAt(Mounts.ofHost(), path).isPresent()) {
                Mounts.detach(path);
                any = true;
            }
            if (Mounts.isMountPoint(path)) {
                throw new IllegalStateException("a mount on " + path + " is hidden under a later mount on a parent directory");
            }
            return any;
        }
    }

    /** A directory and everything below it; whatever is mounted below is detached first, never deleted through. */
    record DirTree(Path path) implements KernelObject {
        public String kind() { return "dir"; }
        public String target() { return path.toString(); }
        public String describe() { return "directory " + path; }
        public boolean outlivesReboot() { return true; }
        public boolean present() { return Files.exists(path, LinkOption.NOFOLLOW_LINKS); }
        public boolean undo() { return Journal.removeTree(path); }
    }

    /** A cgroup directory in any hierarchy, with any group made below it; members are killed first (by pid). */
    record Cgroup(Path dir) implements KernelObject {
        public String kind() { return "cgroup"; }
        public String target() { return dir.toString(); }
        public String describe() { return "cgroup " + dir; }
        public boolean present() { return Files.isDirectory(dir); }
        public boolean undo() {
            unboxed.cgroup.CgroupDir g = new unboxed.cgroup.CgroupDir(dir);
            if (!g.exists()) return false;
            g.destroy();
            return true;
        }
    }

    /**
     * A cgroup by name below the root of the hierarchy that holds the memory controller, wherever that is on this
     * machine (/sys/fs/cgroup/NAME on v2, /sys/fs/cgroup/memory/NAME on v1): for declaring before the layout is known.
     */
    record NamedCgroup(String name) implements KernelObject {
        public String kind() { return "memcg"; }
        public String target() { return name; }
        public String describe() { return "cgroup " + name + " (" + dir().map(Path::toString).orElse("no memory controller") + ")"; }
        public boolean present() { return dir().map(Files::isDirectory).orElse(false) || !MemoryCgroup.misplaced(name).isEmpty(); }
        public boolean undo() { return undoAndSay() != null; }
        /** The group, and the same name made where the other cgroup version keeps it (MemoryCgroup.misplaced). */
        public String undoAndSay() {
            List<String> said = new java.util.ArrayList<>();
            if (dir().map(d -> new Cgroup(d).undo()).orElse(false)) said.add("removed " + describe());
            said.addAll(removeMisplaced(MemoryCgroup.misplaced(name)));
            return said.isEmpty() ? null : String.join("\n", said);
        }
        private Optional<Path> dir() {
            Path root = unboxed.cgroup.Cgroups.detect().memoryRoot();
            return root == null ? Optional.empty() : Optional.of(root.resolve(name));
        }
    }

    /**
     * A cgroup by name under some controllers, wherever this machine keeps them (v2: /sys/fs/cgroup/NAME; v1: NAME in
     * each controller's hierarchy), with the groups below it, and the same name made at the other version's paths.
     */
    record NamedGroup(String name, List<String> controllers) implements KernelObject {
        public String kind() { return "cgroups"; }
        public String target() { return name; }
        public String where() { return String.join(",", controllers); }
        public String describe() { return "cgroup " + name + " (" + String.join(", ", group().dirs().stream().map(Path::toString).toList()) + ")"; }
        public boolean present() {
            return group().dirs().stream().anyMatch(Files::isDirectory) || !group().misplaced().isEmpty();
        }
        public boolean undo() { return undoAndSay() != null; }
        public String undoAndSay() {
            List<String> said = new java.util.ArrayList<>();
            for (Path d : group().dirs()) if (new Cgroup(d).undo()) said.add("removed cgroup " + d);
            said.addAll(removeMisplaced(group().misplaced()));
            return said.isEmpty() ? null : String.join("\n", said);
        }
        private Group group() { return Group.named(name, controllers.toArray(String[]::new)); }
    }

    /**
     * A systemd slice by name (NAME.slice, its group ROOT/NAME.slice in the hierarchies of some controllers) with the
     * slices and units below it, such as a learner's `systemd-run --slice=NAME-web.slice ...`, and the properties
     * `systemctl set-property` stored for them. Undo asks systemd to stop and forget them ({@link Systemd#remove}),
     * then removes by hand any group left.
     */
    record SystemdSlice(String name, List<String> controllers) implements KernelObject {
        public String kind() { return "slice"; }
        public String target() { return name; }
        public String where() { return String.join(",", controllers); }
        public String describe() { return "systemd slice " + Systemd.slice(name) + " and the units in it"; }
        public boolean present() { return Systemd.present(name, dirs()); }
        public boolean undo() { return undoAndSay() != null; }
        public String undoAndSay() {
            List<String> said = Systemd.remove(name, dirs());
            return said.isEmpty() ? null : String.join("\n", said);
        }
        private List<Path> dirs() {
            return Group.named(Systemd.slicePath(name), controllers.toArray(String[]::new)).dirs();
        }
    }

    /** Removes groups made at the other cgroup version's paths: a v2 group as a cgroup, a plain directory as files. */
    private static List<String> removeMisplaced(List<Path> misplaced) {
        List<String> said = new java.util.ArrayList<>();
        for (Path p : misplaced) {
            if (isCgroup2(p) ? new Cgroup(p).undo() : Journal.removeTree(p)) {
                said.add("removed " + p + " (made where the other cgroup version keeps groups)");
            }
        }
        return said;
    }

    private static boolean isCgroup2(Path p) {
        try {
            return "cgroup2".equals(Files.getFileStore(p).type());
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Every process started with UNBOXED_TAG=TAG in its environment (and so every child it forked). */
    record ProcessTree(String tag) implements KernelObject {
        public String kind() { return "procs"; }
        public String target() { return tag; }
        public String describe() { return "processes tagged " + Journal.TAG_VARIABLE + "=" + tag; }
        public boolean present() { return !Processes.tagged(Journal.TAG_VARIABLE, tag).isEmpty(); }
        public boolean undo() { return Processes.killTagged(tag); }
    }

    /** The host's hostname was changed; undo sets the old one back. */
    record Hostname(String previous) implements KernelObject {
        public String kind() { return "hostname"; }
        public String target() { return previous; }
        public String describe() { return "hostname (back to " + previous + ")"; }
        public boolean present() { return !Processes.hostname().equals(previous); }
        public boolean undo() {
            if (!present()) return false;
            Sys.sethostname(previous);
            return true;
        }
    }

    /**
     * A user account a lab made for its learner where no sudo caller was there to use (a root shell, a container):
     * undo ends its processes, by pid, and removes it with its home (userdel --remove). The sudo caller's own account
     * is never one: no lab makes it, and undo leaves it.
     */
    record Account(String name) implements KernelObject {
        public String kind() { return "account"; }
        public String target() { return name; }
        public String describe() { return "user account " + name; }
        public boolean present() { return !Learner.isSudoCaller(name) && Learner.exists(name); }
        public boolean undo() { return present() && Learner.remove(name); }
    }

    /**
     * A Docker container the lab ran (docker run --name NAME), and the image it imported for it: undo removes both
     * (docker rm -f, docker rmi). Found only where the docker command reaches an engine; elsewhere it cannot be there.
     */
    record DockerContainer(String name, String image) implements KernelObject {
        public String kind() { return "docker"; }
        public String target() { return name; }
        public String where() { return image; }
        public String describe() { return "Docker container " + name + " (image " + image + ")"; }
        public boolean present() {
            return engine() && (docker("inspect", "--type", "container", name) || docker("image", "inspect", image));
        }
        public boolean undo() {
            if (!engine()) return false;
            boolean container = docker("inspect", "--type", "container", name) && docker("rm", "--force", name);
            boolean img = docker("image", "inspect", image) && docker("rmi", "--force", image);
            return container | img;
        }
        /** Whether the docker command is there and answers (an engine running). */
        public static boolean engine() {
            return unboxed.sys.Cmd.has("docker") && docker("info", "--format", "{{.ServerVersion}}");
        }
        private static boolean docker(String... args) {
            List<String> argv = new java.util.ArrayList<>(List.of("docker"));
            argv.addAll(List.of(args));
            return unboxed.sys.Cmd.run(argv, 60).ok();
        }
    }

    // ---- what an exercise asks for, found by what it is rather than by a name ------------------------------------

    /**
     * Every mount on a path: the host's own, and each one a process holds in a mount namespace of its own (a learner's
     * `unshare -m ... mount ... &`). Undo ends those processes, which frees their namespaces, then unmounts the host's.
     * A process that only received a copy of the host's mount (a slave, as systemd services have) is not one of them.
     */
    record MountsOn(String path) implements KernelObject {
        public String kind() { return "mountson"; }
        public String target() { return path; }
        public String describe() { return "mounts on " + path + " (the host's, and those held in other mount namespaces)"; }
        public boolean present() { return Mounts.isMountPoint(path) || !MountNs.withOwnMountOn(path).isEmpty(); }
        public boolean undo() { return undoAndSay() != null; }
        public String undoAndSay() {
            List<String> said = new java.util.ArrayList<>();
            List<MountNs.Holder> holders = MountNs.withOwnMountOn(path);
            for (MountNs.Holder h : holders) {
                said.add("ending pid " + h.pid() + " (" + Processes.comm(h.pid()).orElse("?") + "): its mount namespace has a "
                    + "mount of its own on " + path);
            }
            MountNs.kill(holders.stream().map(MountNs.Holder::pid).toList());
            while (Mounts.isMountPoint(path)) {
                Mounts.detach(path);
                said.add("unmounted " + path + " from the host's table");
            }
            return said.isEmpty() ? null : String.join("\n", said);
        }
    }

    /**
     * Process trees in a uts namespace of their own whose hostname starts with a prefix (a learner's `unshare -u ...
     * hostname box`), with the pid namespaces they live in, through their PID 1 whatever its name. Undo ends them all.
     */
    record UtsTrees(String hostnamePrefix) implements KernelObject {
        public String kind() { return "utstrees"; }
        public String target() { return hostnamePrefix; }
        public String describe() { return "processes named " + hostnamePrefix + "-... in uts namespaces of their own"; }
        public boolean present() { return Uts.foreign().stream().anyMatch(g -> g.hostname().startsWith(hostnamePrefix)); }
        public boolean undo() { return undoAndSay() != null; }
        public String undoAndSay() {
            List<Long> named = Uts.foreign().stream().filter(g -> g.hostname().startsWith(hostnamePrefix))
                .flatMap(g -> g.pids().stream()).toList();
            List<Long> killed = named.isEmpty() ? List.of() : Processes.killAll(Processes.withTreeRoots(named));
            if (killed.isEmpty()) return null;
            return "ended " + killed.size() + " processes named " + hostnamePrefix + "-... (pids "
                + String.join(", ", killed.stream().map(String::valueOf).toList()) + ")";
        }
    }

    /**
     * A note of the host's hostname before a lab (a lab that teaches hostnames writes it on its first run, solve or check): the learner may
     * type `hostname box` without `unshare -u` and rename the host. Reset gives the host this name back if it has
     * another by then. Undo acts on the calling thread's uts namespace: the host's, as the lab runs in it. (Its
     * journal word is new: an older version's "hostnamed" lines named a prefix, not a name, and are skipped.)
     */
    record HostNamed(String before) implements KernelObject {
        public String kind() { return "hostbefore"; }
        public String target() { return before; }
        public boolean isNote() { return true; }
        public String describe() { return "the host's new hostname (back to " + before + ", its name before the lab)"; }
        public boolean present() { return !Processes.hostname().equals(before); }
        public boolean undo() { return undoAndSay() != null; }
        /**
         * The host's hostname before the lab: the note in the lab's journal, written now (journal first) if there is
         * none yet. The lab's own names are never taken for the machine's: if the host is already called one of them
         * when the note is first written (`hostname NAME` typed without unshare -u before any lab command), the name
         * in /etc/hostname is noted instead, if it has another.
         */
        public static String noted(String labId, List<String> labNames) {
            Journal j = Journal.of(labId);
            Optional<String> noted = j.entries().stream().flatMap(e -> e.object().stream())
                .filter(o -> o instanceof HostNamed).map(KernelObject::target).findFirst();
            if (noted.isPresent()) return noted.get();
            String now = Processes.hostname();
            if (labNames.contains(now)) now = etcHostname().orElse(now);
            j.record(new HostNamed(now).entry(Journal.LAB));
            return now;
        }
        private static Optional<String> etcHostname() {
            try {
                String c = Files.readString(Path.of("/etc/hostname")).strip();
                return c.isEmpty() ? Optional.empty() : Optional.of(c);
            } catch (java.io.IOException absent) {
                return Optional.empty();
            }
        }
        public String undoAndSay() {
            String now = Processes.hostname();
            if (now.equals(before)) return null;
            Sys.sethostname(before);
            return "the host was called " + now + "; renamed it back to " + before + " (its name before the lab)";
        }
    }

    /**
     * A veth in the JVM's network namespace that carries an address (a learner's pair end, whatever they named it):
     * undo deletes each, and with it its peer.
     */
    record VethWithAddress(String cidr) implements KernelObject {
        public String kind() { return "vethaddr"; }
        public String target() { return cidr; }
        public String describe() { return "veth with " + cidr; }
        public boolean present() { return !names().isEmpty(); }
        public boolean undo() { return undoAndSay() != null; }
        public String undoAndSay() {
            List<String> removed = new java.util.ArrayList<>();
            for (String name : names()) {
                if (Ip.delLinkIfPresent(null, name)) removed.add("removed link " + name); // its peer may have taken it already
            }
            return removed.isEmpty() ? null : String.join("\n", removed);
        }
        private List<String> names() {
            return Ip.links(null).stream().filter(l -> "veth".equals(l.kind()) && l.has(cidr)).map(Ip.Link::name).toList();
        }
    }

    /**
     * Processes whose argv[0] is a name (/proc/PID/cmdline: a learner's `exec -a NAME sleep infinity`, whoever
     * started it and however). Undo ends each, by pid.
     */
    record ProcessesNamed(String argv0) implements KernelObject {
        public String kind() { return "argv0"; }
        public String target() { return argv0; }
        public String describe() { return "processes whose argv[0] is " + argv0; }
        public boolean present() { return !Processes.withArgv0(argv0).isEmpty(); }
        public boolean undo() { return undoAndSay() != null; }
        public String undoAndSay() {
            return ended(Processes.killAll(Processes.withArgv0(argv0)), "whose argv[0] is " + argv0);
        }
    }

    /**
     * Processes whose / is an overlay made of directories at or below a folder (a learner's `unshare -m ... pivot_root`
     * into a merged view, or a chroot into one), found by what they are ({@link Overlay#rootedIn}), whoever started
     * them. Undo ends each, by pid, which frees their mount namespaces and the overlays in them.
     */
    record OverlayRoots(Path dir) implements KernelObject {
        public String kind() { return "overlayroots"; }
        public String target() { return dir.toString(); }
        public String describe() { return "processes whose / is an overlay of layers in " + dir; }
        public boolean present() { return !Overlay.rootedIn(dir).isEmpty(); }
        public boolean undo() { return undoAndSay() != null; }
        public String undoAndSay() {
            return ended(Processes.killAll(Overlay.rootedIn(dir)), "whose / is an overlay of layers in " + dir);
        }
    }

    /**
     * Every process in one namespace, by its type and inode ("mnt:[4026532901]"): a container runtime's, journaled
     * between the unshare that made the namespace and the first program started in it, so that whatever runs there is
     * found after a crash, whatever it is called. Undo ends each, by pid; the namespace goes with the last of them.
     */
    record NamespaceProcesses(unboxed.ns.Ns type, long id) implements KernelObject {
        public String kind() { return "nsprocs"; }
        public String target() { return type.label(id); }
        public String describe() { return "processes in " + type.label(id); }
        public boolean present() { return !Processes.inNamespace(type, id).isEmpty(); }
        public boolean undo() { return undoAndSay() != null; }
        public String undoAndSay() { return ended(Processes.killAll(Processes.inNamespace(type, id)), "in " + type.label(id)); }
        static NamespaceProcesses parse(String label) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([a-z]+):\\[(\\d+)\\]").matcher(label);
            if (!m.matches()) return null;
            for (unboxed.ns.Ns t : unboxed.ns.Ns.values()) if (t.file.equals(m.group(1))) return new NamespaceProcesses(t, Long.parseLong(m.group(2)));
            return null;
        }
    }

    /**
     * A file a lab wrote in the learner's place (lab13's solution, in the learner's checkout), and where the learner's
     * own copy was saved first (null: there was none). Undo puts that copy back, or removes the file: a reset leaves
     * the learner's work as it was, never the lab's.
     */
    record WrittenFile(Path path, Path saved) implements KernelObject {
        public String kind() { return "file"; }
        public String target() { return path.toString(); }
        public String where() { return saved == null ? null : saved.toString(); }
        public String describe() { return "file " + path + (saved == null ? "" : " (the earlier copy back from " + saved + ")"); }
        public boolean present() { return Files.exists(path, LinkOption.NOFOLLOW_LINKS); }
        public boolean undo() {
            try {
                if (saved != null && Files.exists(saved, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(saved, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    return true;
                }
                return Files.deleteIfExists(path);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot put back " + path, e);
            }
        }
    }

    /**
     * A file a lab wrote for the learner to edit where there was none (lab13's skeleton), by the SHA-256 of what it
     * wrote. Undo removes it while it is still as written, and then its folder if that is empty; once the learner has
     * changed it, it is theirs and stays (present() is false: nothing of the lab's is left).
     */
    record StarterFile(Path path, String sha256) implements KernelObject {
        public String kind() { return "starterfile"; }
        public String target() { return path.toString(); }
        public String where() { return sha256; }
        public String describe() { return "file " + path + " as the lab wrote it (yours once you change it)"; }
        public boolean present() { return sha256.equals(hashOf(path)); }
        public boolean undo() {
            if (!present()) return false;
            try {
                Files.delete(path);
                try (var rest = Files.list(path.getParent())) {
                    if (rest.findAny().isEmpty()) Files.delete(path.getParent());
                }
                return true;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot remove " + path, e);
            }
        }

        /** The file that {@code text} will be written to, as this note of it. */
        public static StarterFile of(Path file, String text) {
            return new StarterFile(file, hash(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }

        /** The hex SHA-256 of a file's bytes; null when it cannot be read (absent). */
        static String hashOf(Path file) {
            try {
                return hash(Files.readAllBytes(file));
            } catch (java.io.IOException absent) {
                return null;
            }
        }

        private static String hash(byte[] bytes) {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * A container of the labs' runtime (unboxed.oci, `./jbang box`) by its id: its state, and whatever the runtime's
     * own journal lists under that id (processes, cgroup, device programs). Undo is `box delete ID`.
     */
    record BoxContainer(String id) implements KernelObject {
        public String kind() { return "box"; }
        public String target() { return id; }
        public String describe() { return "container " + id + " of ./jbang box"; }
        public boolean present() {
            return unboxed.oci.Container.known(id) || Files.exists(unboxed.oci.Container.STATE.resolve(id), LinkOption.NOFOLLOW_LINKS);
        }
        public boolean undo() {
            boolean there = present();
            unboxed.oci.Container.delete(id);
            return there;
        }
    }

    /**
     * The device programs (BPF_PROG_TYPE_CGROUP_DEVICE) attached to a cgroup v2 directory: a container runtime's device
     * rules on v2. Journaled before the attach, by the directory (the program's id is the kernel's to give); undo
     * detaches each by id (BPF_PROG_QUERY, BPF_PROG_GET_FD_BY_ID, BPF_PROG_DETACH). Removing the group detaches them too.
     */
    record DevicePrograms(Path cgroup) implements KernelObject {
        public String kind() { return "bpfdevices"; }
        public String target() { return cgroup.toString(); }
        public String describe() { return "device programs on cgroup " + cgroup; }
        public boolean present() {
            return Files.isDirectory(cgroup) && !unboxed.sys.Bpf.attached(cgroup, unboxed.sys.Bpf.BPF_CGROUP_DEVICE).isEmpty();
        }
        public boolean undo() { return unboxed.sys.Bpf.detachAll(cgroup, unboxed.sys.Bpf.BPF_CGROUP_DEVICE) > 0; }
    }

    // ---- notes of how the host was -----------------------------------------------------------------------------

    /** How /run/netns was before the first lab: "absent", "dir" or "mount" (see Journal.rememberBaseline). */
    record RunNetnsNote(String before) implements KernelObject {
        public String kind() { return "runnetns"; }
        public String target() { return Netns.RUN_NETNS; }
        public String where() { return before; }
        public boolean isNote() { return true; }
        public String describe() { return "/run/netns as it was (" + before + ")"; }
        public boolean present() { return true; }
        public boolean undo() { return Journal.restoreRunNetns(before); }
    }

    /** A host mount point the lab made shared; undo sets its propagation back (to "private"). */
    record PropagationNote(String mountPoint, String before) implements KernelObject {
        public String kind() { return "propagation"; }
        public String target() { return mountPoint; }
        public String where() { return before; }
        public boolean isNote() { return true; }
        public String describe() { return "shared propagation of " + mountPoint + " (back to " + before + ")"; }
        public boolean present() { return true; }
        public boolean undo() { return MountNs.restorePropagation(mountPoint, before); }
    }

    /**
     * A root-namespace sysctl as it was when the lab prepared its exercise (net.ipv4.ip_forward), so that a check can
     * tell "the learner turned it on in the wrong namespace" from "it was on already". Undo changes nothing: the value
     * may since have been set by someone else on purpose (Docker's engine turns ip_forward on when it starts), so the
     * check names the change and the learner decides.
     */
    record SysctlNote(String name, String before) implements KernelObject {
        public String kind() { return "sysctl"; }
        public String target() { return name; }
        public String where() { return before; }
        public boolean isNote() { return true; }
        public String describe() { return "the root namespace's " + name + " as it was (" + before + ")"; }
        public boolean present() { return true; }
        public boolean undo() { return false; }

        /** Notes the root namespace's value of name in the lab's journal, once per journal; the value noted. */
        public static String noted(String labId, String name) {
            Journal j = Journal.of(labId);
            return before(labId, name).orElseGet(() -> {
                String now = unboxed.net.Sysctl.get(null, name);
                j.record(new SysctlNote(name, now).entry(Journal.LAB));
                return now;
            });
        }

        /** The value noted in the lab's journal, if any. */
        public static Optional<String> before(String labId, String name) {
            return Journal.of(labId).entries().stream().map(e -> e.object().orElse(null))
                .filter(o -> o instanceof SysctlNote n && n.name().equals(name)).map(o -> ((SysctlNote) o).before()).findFirst();
        }
    }

    /**
     * A directory the exercise needs that was absent before the lab: run and solve keep it, with whatever the learner
     * mounted on it; reset removes it.
     */
    record ExerciseDirNote(Path path) implements KernelObject {
        public String kind() { return "exercisedir"; }
        public String target() { return path.toString(); }
        public boolean isNote() { return true; }
        public String describe() { return "directory " + path + " (absent before the lab)"; }
        public boolean outlivesReboot() { return true; }
        public boolean present() { return Files.exists(path, LinkOption.NOFOLLOW_LINKS); }
        public boolean undo() { return Journal.removeTree(path); }
    }

    /**
     * Controllers that the v2 root's cgroup.subtree_control did not hand down before the lab (systemd enables only
     * those its units need: `memory pids` on Debian 12), which the lab, or the learner following it, turns on. Undo
     * writes -CONTROLLER for each one that is on now; if the kernel refuses (EBUSY: a child group, someone else's by
     * then, has it in its own subtree_control), it is left on, and said so. Noted before the first change
     * ({@link #noted}); only when some controller is off.
     */
    record SubtreeNote(Path root, List<String> offBefore) implements KernelObject {
        public String kind() { return "subtree"; }
        public String target() { return root.toString(); }
        public String where() { return String.join(",", offBefore); }
        public boolean isNote() { return true; }
        public String describe() {
            return "the " + String.join(" and ", offBefore) + " controller" + (offBefore.size() == 1 ? "" : "s") + " in "
                + root.resolve("cgroup.subtree_control") + " (off before the lab)";
        }
        public boolean present() {
            return Files.isDirectory(root) && offBefore.stream().anyMatch(unboxed.cgroup.Cgroups.subtreeControl(root)::contains);
        }
        public boolean undo() {
            String said = undoAndSay();
            return said != null && said.startsWith("turned off");
        }
        public String undoAndSay() {
            if (!Files.isDirectory(root)) return null;
            List<String> off = new java.util.ArrayList<>(), busy = new java.util.ArrayList<>();
            for (String c : offBefore) {
                switch (unboxed.cgroup.Cgroups.disableAt(root, c)) {
                    case DONE -> off.add(c);
                    case BUSY -> busy.add(c);
                    case WAS_OFF -> { }
                }
            }
            List<String> said = new java.util.ArrayList<>();
            if (!off.isEmpty()) said.add("turned off " + String.join(" ", off) + " in " + root.resolve("cgroup.subtree_control") + " (as before the lab)");
            if (!busy.isEmpty()) said.add("left " + String.join(" ", busy) + " on in " + root.resolve("cgroup.subtree_control")
                + ": a group below it uses it now (EBUSY), not the lab's");
            return said.isEmpty() ? null : String.join("\n", said);
        }
        /**
         * Notes, once per lab journal and before anything changes it, which of the controllers the v2 root does not
         * hand down now (nothing when it hands them all). The v2 root that offers them; empty on v1, where there is no
         * cgroup.subtree_control to change.
         */
        public static Optional<Path> noted(String labId, List<String> controllers) {
            List<String> v2 = controllers.stream().filter(c -> {
                unboxed.cgroup.Cgroups.Root r = unboxed.cgroup.Cgroups.rootOf(c);
                return r != null && r.version() == unboxed.cgroup.Cgroups.Version.V2;
            }).toList();
            if (v2.isEmpty()) return Optional.empty();
            Path root = unboxed.cgroup.Cgroups.rootOf(v2.get(0)).dir();
            notedAt(labId, root, v2);
            return Optional.of(root);
        }

        /**
         * Notes (as {@link #notedAt}) each group from the cgroup v2 root down to this process's own, top-down, and
         * returns them: where a tool that hands every controller down through each ancestor of its group writes
         * (runc's cgroupfs driver on v2: libcontainer/cgroups/fs2/create.go). Replaying the notes turns off again what
         * was off. None on a machine without cgroup v2.
         */
        public static List<Path> notedAbove(String labId, List<String> controllers) {
            List<Path> chain = new java.util.ArrayList<>();
            Path v2 = unboxed.cgroup.Cgroups.v2Mount();
            for (Path g = unboxed.cgroup.Cgroups.ownV2Group().orElse(null); g != null && v2 != null && g.startsWith(v2); g = g.getParent()) {
                chain.add(0, g);
            }
            for (Path g : chain) notedAt(labId, g, controllers);
            return chain;
        }

        /**
         * Notes, once per lab journal and group, which of the controllers its v2 hierarchy has (the root's
         * cgroup.controllers) GROUP's cgroup.subtree_control does not hand down now. For a tool that writes into
         * every ancestor's subtree_control (runc's cgroupfs driver on v2): note the ancestors top-down, and reset,
         * replaying the journal backwards, turns them off bottom-up, as the kernel requires (a parent's -CONTROLLER
         * is EBUSY while a child still hands it down).
         */
        public static void notedAt(String labId, Path group, List<String> controllers) {
            Journal j = Journal.of(labId);
            if (j.entries().stream().noneMatch(e -> e.object().orElse(null) instanceof SubtreeNote n && n.root().equals(group))) {
                List<String> on = unboxed.cgroup.Cgroups.subtreeControl(group);
                // what the hierarchy has at all (its root's cgroup.controllers): a group below the root offers more
                // once its parent hands more down, as the tool that writes into every ancestor then does
                Path v2 = unboxed.cgroup.Cgroups.v2Mount();
                List<String> offered = v2 == null || !group.startsWith(v2) ? List.of()
                    : List.of(new unboxed.cgroup.CgroupDir(v2).read("cgroup.controllers").split("\\s+"));
                List<String> off = controllers.stream().filter(c -> offered.contains(c) && !on.contains(c)).toList();
                if (!off.isEmpty()) j.record(new SubtreeNote(group, off).entry(Journal.LAB));
            }
        }
    }
}
