package unboxed.lab;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import unboxed.cgroup.Cgroups;
import unboxed.net.Ip;
import unboxed.net.Sysctl;
import unboxed.ns.Mounts;
import unboxed.ns.Ns;
import unboxed.ns.Processes;
import unboxed.sys.Cmd;

/**
 * A fingerprint of everything a lab could leave behind on the host, as sorted lines of text, and the difference
 * between two of them. `doctor --leftovers` and the test suite both use it to prove the machine is back where it was:
 * named and pinned network namespaces, the root namespace's links, addresses and routes, the mount table, the
 * hostname, processes living in namespaces other than ours, cgroups, firewall rules, ip_forward, the labs' work
 * folders under /var/lib/unboxed, and every object a lab declared it owns by name that is there.
 */
public final class HostState {
    private HostState() {}

    public static List<String> capture() {
        TreeSet<String> s = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("/run/netns"))) {
            files.forEach(f -> s.add("netns " + f.getFileName()));
        } catch (IOException noDir) {
            // no /run/netns: no named namespaces
        }
        for (Ip.Link l : Ip.links(null)) {
            s.add("link " + l.name() + " " + l.kind() + (l.up() ? " UP" : " DOWN") + " " + l.ipv4());
        }
        for (Ip.Route r : Ip.routes(null)) {
            s.add("route " + r.table() + " " + r.type() + " " + r.dst() + " via " + r.gateway() + " dev " + r.dev());
        }
        for (Mounts.Mount m : Mounts.ofHost()) {
            String prop = m.shared() ? "shared" : m.propagation().isEmpty() ? "private" : "slave";
            s.add("mount " + m.mountPoint() + " " + m.fsType() + " " + m.source() + " " + m.root() + " " + prop);
        }
        s.add("hostname " + Processes.hostname());
        for (Ns t : new Ns[] {Ns.MNT, Ns.NET, Ns.UTS, Ns.PID, Ns.IPC, Ns.USER}) {
            for (long pid : Processes.inForeign(t)) {
                s.add("process in another " + t.file + " namespace: " + pid + " " + Processes.comm(pid).orElse("?"));
            }
        }
        // the hierarchies the labs make groups in (v2: one tree; v1: memory, cpu, cpuacct, pids each their own)
        java.util.Set<Path> roots = new java.util.LinkedHashSet<>();
        for (String controller : List.of("memory", "cpu", "cpuacct", "pids")) {
            Cgroups.Root r = Cgroups.rootOf(controller);
            if (r != null) roots.add(r.dir());
        }
        for (String controller : List.of("memory", "cpu", "pids")) {
            // v2: what the root hands down (a lab may turn cpu on there; reset must turn it off again)
            Cgroups.Root r = Cgroups.rootOf(controller);
            if (r != null && r.version() == Cgroups.Version.V2) {
                try {
                    s.add("cgroup.subtree_control " + r.dir() + ": " + String.join(" ", Cgroups.subtreeControl(r.dir())));
                } catch (java.io.UncheckedIOException e) {
                    s.add("cgroup.subtree_control unreadable: " + e.getMessage());
                }
            }
        }
        for (Path root : roots) {
            // top-level groups, plus any lab's group deeper down; not every deep group: on shared hosts (and this
            // project's CI sandbox) other software makes and removes per-process groups all the time
            // (a group removed while this walks is skipped, not an error: Files.walk would throw)
            try {
                Files.walkFileTree(root, Set.of(), 3, new SimpleFileVisitor<Path>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                        note(d);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                        if (a.isDirectory()) note(f);   // a group at the depth limit
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path f, IOException gone) {
                        return FileVisitResult.CONTINUE;
                    }

                    void note(Path d) {
                        if (root.equals(d.getParent()) || d.getFileName().toString().startsWith("lab")) s.add("cgroup " + d);
                    }
                });
            } catch (IOException e) {
                s.add("cgroup unreadable: " + e.getMessage());
            }
        }
        if (Cmd.has("iptables-save")) {
            for (String line : Cmd.run("iptables-save").out().split("\n")) {
                // comments carry timestamps and ":CHAIN POLICY [packets:bytes]" lines carry counters
                if (line.startsWith("#")) continue;
                s.add("iptables " + line.replaceAll("\\[\\d+:\\d+\\]", "[]"));
            }
        }
        if (Cmd.has("nft")) {
            for (String line : Cmd.run("nft", "list", "ruleset").out().split("\n")) s.add("nft " + line.strip());
        }
        try {
            s.add("sysctl net.ipv4.ip_forward=" + Sysctl.get(null, "net.ipv4.ip_forward"));
        } catch (java.io.UncheckedIOException e) {
            s.add("sysctl net.ipv4.ip_forward unreadable");
        }
        try (Stream<Path> work = Files.list(Path.of("/var/lib/unboxed"))) {
            work.filter(p -> p.getFileName().toString().matches("lab\\d\\d.*")).forEach(p -> s.add("workdir " + p));
        } catch (IOException noDir) {
            // nothing there
        }
        // whatever the labs declared they own by name (.makes, .owns) and is there now
        Owned.present().forEach(o -> s.add("owned " + o));
        return new ArrayList<>(s);
    }

    /** Lines in after but not in before ("+ ..."), and in before but not after ("- ..."). Empty when identical. */
    public static List<String> diff(List<String> before, List<String> after) {
        List<String> d = new ArrayList<>();
        TreeSet<String> b = new TreeSet<>(before), a = new TreeSet<>(after);
        for (String l : after) if (!b.contains(l)) d.add("+ " + l);
        for (String l : before) if (!a.contains(l)) d.add("- " + l);
        return d;
    }
}
