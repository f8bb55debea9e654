package unboxed.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import unboxed.cgroup.Cgroups;
import unboxed.net.Sysctl;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.sys.Cmd;
import unboxed.sys.Syscalls;

/**
 * Preflight for the whole workbench: can this machine run the labs, and if not, the command that fixes it.
 * Every probe is real (a namespace is actually unshared on a throwaway thread), never a guess from versions.
 * What the labs need (and which lab needs it) is declared by the doctor's lab file as {@link Need}s.
 */
public final class Doctor {
    private Doctor() {}

    /** One thing looked at. required: a lab cannot run without it. fix: the command or action that mends it. */
    public record Finding(String id, String what, boolean ok, boolean required, String detail, String fix, String neededBy) {}

    /** Something labs need from this machine, and which labs need it (shown beside the finding). */
    public record Need(String id, boolean required, String neededBy) {
        /** A kind of namespace the labs unshare. */
        public static Need namespace(Ns t, String neededBy) { return new Need("ns-" + t.file, true, neededBy); }
        /** A program the labs run; required, or optional when the labs fall back to something else. */
        public static Need program(String name, boolean required, String neededBy) { return new Need("tool-" + name, required, neededBy); }
        /** User namespaces made by an unprivileged user (not blocked by a distribution's switch). */
        public static Need unprivilegedUserNamespaces(String neededBy) { return new Need("userns-unprivileged", true, neededBy); }
        /** A file system type the kernel offers (a line of /proc/filesystems). */
        public static Need filesystem(String type, String neededBy) { return new Need("fs-" + type, true, neededBy); }
        /** A cgroup hierarchy that offers the memory controller. */
        public static Need memoryController(String neededBy) { return controller("memory", neededBy); }
        /** A cgroup hierarchy that offers a controller ("cpu", "pids", "memory"). */
        public static Need controller(String name, String neededBy) { return new Need("cgroup-" + name, true, neededBy); }
    }

    /** Examines this machine for the needs given, plus what every lab needs (root, Java 17) and what it has. */
    public static List<Finding> examine(List<Need> needs) {
        java.util.Map<String, Need> byId = new java.util.LinkedHashMap<>();
        needs.forEach(n -> byId.put(n.id(), n));
        List<Finding> f = new ArrayList<>();
        boolean root = LabCli.isRoot();
        f.add(new Finding("root", "running as root", root, true, root ? "uid 0" : "uid " + LabCli.effectiveUid(),
            "run with sudo: sudo ./jbang doctor", "every lab"));
        f.add(new Finding("kernel", "Linux kernel", true, false, osrelease(), "", ""));
        boolean arch = Syscalls.supported();
        f.add(new Finding("arch", "architecture", arch, true, Syscalls.arch() + (arch ? "" : ": the labs have no syscall "
            + "numbers for it (they know " + Syscalls.known() + ")"), "run the labs on an x86_64 or aarch64 machine or "
            + "VM (see README, In a VM)", "every lab"));
        f.add(new Finding("jdk", "Java 17 or newer", Runtime.version().feature() >= 17, true,
            System.getProperty("java.vm.name") + " " + Runtime.version(), "sudo apt-get install openjdk-17-jdk-headless",
            "every lab"));

        // the probes run on threads that find themselves by gettid, a call by number: not on an unknown architecture
        for (Ns t : Ns.values()) f.add(namespace(t, root, arch, byId.get("ns-" + t.file)));
        Need userns = byId.get("userns-unprivileged");
        if (userns != null) f.add(unprivilegedUserNamespaces(root, userns));

        Cgroups.Layout cg = Cgroups.detect();
        f.add(new Finding("cgroup-layout", "cgroup layout", !cg.kind().equals("none"), false,
            cg.kind() + (cg.kind().equals("hybrid") ? " (v1 controllers plus a v2 tree)" : ""), "", ""));
        f.add(controller("memory", byId.getOrDefault("cgroup-memory", new Need("cgroup-memory", false, ""))));
        for (Need n : needs) {
            if (n.id().startsWith("cgroup-") && !n.id().equals("cgroup-memory")) f.add(controller(n.id().substring("cgroup-".length()), n));
        }

        for (Need n : needs) {
            if (n.id().startsWith("fs-")) f.add(filesystem(n.id().substring("fs-".length()), n.required(), n.neededBy()));
        }
        for (Need n : needs) {
            if (n.id().startsWith("tool-")) f.add(tool(n.id().substring("tool-".length()), n.required(), n.neededBy()));
        }
        return f;
    }

    /** Where a cgroup controller is: a v1 hierarchy of its own, or the v2 tree. */
    private static Finding controller(String name, Need need) {
        Cgroups.Root r = Cgroups.rootOf(name);
        return new Finding("cgroup-" + name, name + " controller", r != null, need.required(),
            r == null ? "no hierarchy offers it" : "cgroup " + (r.version() == Cgroups.Version.V2 ? "v2" : "v1") + " at " + r.dir(),
            "memory".equals(name) ? "boot with cgroup_enable=memory (or use the Vagrant VM)"
                : "mount a hierarchy with it (mount -t cgroup -o " + name + " cgroup /sys/fs/cgroup/" + name + ") or use the Vagrant VM",
            need.neededBy());
    }

    /** Required findings that failed. */
    public static List<Finding> blocking(List<Finding> findings) {
        return findings.stream().filter(x -> x.required() && !x.ok()).toList();
    }

    /** A namespace kind: required when a lab needs it ({@code need} not null), shown either way. */
    private static Finding namespace(Ns t, boolean root, boolean arch, Need need) {
        boolean present = Files.exists(Path.of("/proc/self/ns", t.file));
        boolean required = need != null && need.required();
        String neededBy = need == null ? "" : need.neededBy();
        if (!present) {
            return new Finding("ns-" + t.file, t.file + " namespaces", false, required, "not in this kernel",
                "use a kernel with CONFIG_" + t.name() + "_NS (any distribution kernel has it)", neededBy);
        }
        if (!root || !arch) {
            return new Finding("ns-" + t.file, t.file + " namespaces", true, required,
                root ? "present (not probed on this architecture)" : "present (run as root to probe)", "", neededBy);
        }
        String detail;
        boolean ok;
        try {
            if (t == Ns.USER) {
                // a multithreaded process cannot unshare a user namespace: probe with a child, as labs would
                Cmd.Result r = Cmd.run("unshare", "--user", "true");
                ok = r.ok();
                detail = ok ? "unshare --user works" : "unshare --user: " + r.err().strip();
            } else {
                NsThread.inNew(EnumSet.of(t), () -> null);
                ok = true;
                detail = "unshare(" + unboxed.sys.Sys.cloneFlags(t.flag) + ") works";
            }
        } catch (RuntimeException e) {
            ok = false;
            detail = e.getMessage();
        }
        return new Finding("ns-" + t.file, t.file + " namespaces", ok, required, detail,
            "inside a container? run the labs in a VM (see README), or give the container CAP_SYS_ADMIN", neededBy);
    }

    /**
     * The switches distributions put on user namespaces made without privilege (read, never changed): Debian's
     * kernel.unprivileged_userns_clone (0 blocks them), Ubuntu 24.04's kernel.apparmor_restrict_unprivileged_userns (1:
     * made, but with no capabilities in them unless an AppArmor profile allows it), and user.max_user_namespaces (0:
     * none at all, user_namespaces(7)). As root, the probe is real: nobody runs unshare --user --map-root-user.
     */
    static Finding unprivilegedUserNamespaces(boolean root, Need need) {
        List<String> blocked = new ArrayList<>(), fixes = new ArrayList<>();
        if ("0".equals(sysctl("kernel.unprivileged_userns_clone"))) {
            blocked.add("kernel.unprivileged_userns_clone = 0 (Debian's switch)");
            fixes.add("sudo sysctl -w kernel.unprivileged_userns_clone=1");
        }
        if ("1".equals(sysctl("kernel.apparmor_restrict_unprivileged_userns"))) {
            blocked.add("kernel.apparmor_restrict_unprivileged_userns = 1 (Ubuntu's AppArmor restriction)");
            fixes.add("sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (or an AppArmor profile that allows "
                + "userns for unshare)");
        }
        if ("0".equals(sysctl("user.max_user_namespaces"))) {
            blocked.add("user.max_user_namespaces = 0");
            fixes.add("sudo sysctl -w user.max_user_namespaces=15000");
        }
        String probe = "";
        boolean works = blocked.isEmpty();
        if (root && Cmd.has("setpriv") && Cmd.has("unshare")) {
            Cmd.Result r = Cmd.run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "unshare", "--user", "--map-root-user", "true");
            works = r.ok();
            probe = r.ok() ? "nobody's unshare --user --map-root-user works" : "nobody's unshare --user --map-root-user: "
                + r.err().strip().lines().findFirst().orElse("exit " + r.exit());
        }
        String detail = String.join("; ", blocked) + (blocked.isEmpty() || probe.isEmpty() ? "" : "; ") + probe;
        if (detail.isEmpty()) detail = "no switch blocks them (run as root to probe)";
        String fix = fixes.isEmpty() ? "inside a container? run the labs in a VM (see README)"
            : String.join(", and ", fixes) + " (the labs never change it: your choice; /etc/sysctl.d/ keeps it)";
        return new Finding("userns-unprivileged", "user namespaces without root", works && blocked.isEmpty(),
            need.required(), detail, fix, need.neededBy());
    }

    /** A sysctl's value, or null where this kernel has none by that name. */
    private static String sysctl(String name) {
        try {
            return Sysctl.get(name);
        } catch (java.io.UncheckedIOException absent) {
            return null;
        }
    }

    /**
     * Whether the kernel offers the type: /proc/filesystems lists it, or it is a module of the running kernel not loaded
     * yet (modules.dep names it): mount(2) loads such a module itself (request_module "fs-TYPE"), as on Debian 12's
     * kernel, where overlay.ko is listed only after the first overlay mount.
     */
    private static Finding filesystem(String type, boolean required, String neededBy) {
        boolean listed, module = false;
        try {
            listed = Files.readAllLines(Path.of("/proc/filesystems")).stream().anyMatch(l -> l.endsWith("\t" + type));
            Path dep = Path.of("/lib/modules", System.getProperty("os.version"), "modules.dep");
            if (!listed && Files.isReadable(dep)) {
                try (var lines = Files.lines(dep)) {
                    module = lines.map(l -> l.split(":", 2)[0]).anyMatch(m -> m.matches(".*/" + type + "\\.ko(\\.[a-z]+)?"));
                }
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            listed = false;
        }
        boolean ok = listed || module;
        return new Finding("fs-" + type, type + " file system", ok, required,
            listed ? "in /proc/filesystems" : module ? "a module (" + type + ".ko), loaded by the first mount" : "not in /proc/filesystems",
            "sudo modprobe " + type + " (a kernel with CONFIG_" + type.toUpperCase() + "_FS; any distribution kernel has it)", neededBy);
    }

    private static Finding tool(String tool, boolean required, String neededBy) {
        boolean ok = Cmd.has(tool);
        return new Finding("tool-" + tool, tool, ok, required, ok ? "installed" : "not installed", Cmd.installHint(tool), neededBy);
    }

    private static String osrelease() {
        try {
            return Sysctl.get("kernel.osrelease");
        } catch (java.io.UncheckedIOException e) {
            return "unknown";
        }
    }
}
