package unboxed.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import unboxed.net.Ip;
import unboxed.net.Netns;
import unboxed.ns.Mounts;
import unboxed.ns.NsThread;
import unboxed.sys.Cmd;

/**
 * What a step, solve or reset works with: the console to narrate on, and makers for every kind of object a lab
 * creates. Each maker writes the object to the journal before creating it, so a lab that only makes objects through
 * its bench can always be cleaned up, even after SIGKILL.
 */
public final class Bench {
    private final Lab lab;
    private final Console console;
    private final Journal journal;
    private final String scope;

    Bench(Lab lab, Console console, Journal journal, String scope) {
        this.lab = lab;
        this.console = console;
        this.journal = journal;
        this.scope = scope;
    }

    public Lab lab() { return lab; }
    public Console console() { return console; }

    // ---- narration -------------------------------------------------------------------------------------------

    /** Prose for the learner. */
    public void say(String text) { console.text(text); }

    /** What Java does now, in the syscall's own words: "unshare(CLONE_NEWNET) on thread 4242". */
    public void java(String what) { console.java(what); }

    /** One fact of kernel state. */
    public void show(String label, Object value) { console.show(label, value); }

    /**
     * Runs a shell command on the host, printing it as "$ command" and its output under it, as the learner would see
     * it in a terminal. Returns what it printed. A failing command is shown, not thrown: showing failure is often the point.
     */
    public Cmd.Result sh(String commandLine) {
        console.shell(commandLine);
        Cmd.Result r = Cmd.run(List.of("bash", "-c", commandLine), 60);
        console.output(r.out());
        console.output(r.err());
        return r;
    }

    // ---- makers: journal first, then create ---------------------------------------------------------------

    /**
     * Records an object that is about to be made, before it is (for objects a step makes in its own way, such as a
     * mount that appears on the host from another mount namespace).
     */
    public void willCreate(KernelObject o) {
        journal.record(o.entry(scope));
    }

    /** ip netns add NAME. */
    public void netns(String name) {
        willCreate(new KernelObject.NamedNetns(name));
        Netns.add(name);
    }

    /** Pins the network namespace of an NsThread under /run/netns/NAME, as ip netns add does with its own. */
    public void pinNetns(NsThread thread, String name) {
        willCreate(new KernelObject.NamedNetns(name));
        thread.run(() -> Netns.pinThisThread(name));
    }

    /** ip link add A type veth peer name B (deleting either end removes both). */
    public void veth(String a, String b) {
        willCreate(new KernelObject.Link(a, null));
        willCreate(new KernelObject.Link(b, null));
        Ip.addVeth(a, b);
    }

    /**
     * ip link add A netns NS_A type veth peer name B netns NS_B: a pair born with its ends already in two named
     * namespaces, so nothing ever appears in the host's namespace, even for a moment.
     */
    public void vethBetween(String a, String nsA, String b, String nsB) {
        willCreate(new KernelObject.Link(a, nsA));
        willCreate(new KernelObject.Link(b, nsB));
        Ip.ip(null, "link", "add", a, "netns", nsA, "type", "veth", "peer", "name", b, "netns", nsB);
    }

    /** ip [-n NETNS] link add NAME type bridge: a switch in software; veth ends become its ports with `master NAME`. */
    public void bridge(String name, String netns) {
        willCreate(new KernelObject.Bridge(name, netns));
        Ip.ip(netns, "link", "add", name, "type", "bridge");
    }

    /** Whether the journal lists this object: the lab made it (and reset removes it), as opposed to someone else. */
    public boolean journaled(KernelObject o) {
        return journal.entries().stream().anyMatch(e -> e.object().map(o::equals).orElse(false));
    }

    /** mkdir -p DIR; the journal removes it, and everything below it, on cleanup. */
    public void dir(Path dir) throws java.io.IOException {
        willCreate(new KernelObject.DirTree(dir));
        Files.createDirectories(dir);
    }

    /** mount --bind SOURCE TARGET in the host's mount namespace. */
    public void bind(String source, String target) {
        willCreate(new KernelObject.Mount(target));
        Mounts.bind(source, target);
    }

    /** mount -t overlay overlay -o lowerdir=...,upperdir=...,workdir=... TARGET in the host's mount namespace. */
    public void overlay(unboxed.ns.Overlay.Layers layers, String target) {
        willCreate(new KernelObject.Mount(target));
        unboxed.ns.Overlay.mount(layers, target);
    }

    /**
     * mount -t proc proc TARGET in the host's mount namespace. It stays there after whatever used it (a chroot) has
     * exited, like every mount; the journal unmounts it on cleanup.
     */
    public void proc(String target) {
        willCreate(new KernelObject.Mount(target));
        Mounts.proc(target);
    }

    /**
     * rm -rf DIR for what the learner made by hand (never journaled), as a lab's reset does: detaches whatever is
     * mounted at or below DIR first, so it never deletes through a bind mount into the host. True if DIR was there.
     */
    public boolean removeTree(Path dir) {
        return Journal.removeTree(dir);
    }

    /** mkdir of a cgroup in the hierarchy that holds the memory controller; cleanup kills its members and removes it. */
    public unboxed.cgroup.MemoryCgroup memoryCgroup(String name) {
        unboxed.cgroup.MemoryCgroup g = unboxed.cgroup.MemoryCgroup.named(name);
        willCreate(new KernelObject.Cgroup(g.dir()));
        g.create();
        return g;
    }

    /**
     * mkdir of a cgroup for some controllers (v2: one directory; v1: one in each controller's hierarchy), each directory
     * journaled before it is made; cleanup kills the members of it and of every group below it, then removes them.
     */
    public unboxed.cgroup.Group cgroup(String name, String... controllers) {
        unboxed.cgroup.Group g = unboxed.cgroup.Group.named(name, controllers);
        for (Path d : g.dirs()) {
            if (Files.isDirectory(d)) continue;
            willCreate(new KernelObject.Cgroup(d));
            new unboxed.cgroup.CgroupDir(d).create();
        }
        return g;
    }

    /**
     * On cgroup v2, echo +CONTROLLER > ROOT/cgroup.subtree_control for each controller the root does not hand down yet
     * (as runc's cgroupfs driver does), noted first in the journal (KernelObject.SubtreeNote): reset turns them off
     * again. The ones it enabled; none on v1, where there is no such file.
     */
    public java.util.List<String> enableAtCgroupRoot(String... controllers) {
        java.util.List<String> asked = java.util.List.of(controllers);
        return KernelObject.SubtreeNote.noted(lab.id, asked)
            .map(root -> unboxed.cgroup.Cgroups.enableAt(root, asked.stream()
                .filter(c -> unboxed.cgroup.Cgroups.rootOf(c) != null && root.equals(unboxed.cgroup.Cgroups.rootOf(c).dir())).toList()))
            .orElse(java.util.List.of());
    }

    /**
     * The learner's account ({@link Learner#account}): the sudo caller's, or else {@code throwaway}, made here
     * (useradd) if it is not there yet; cleanup removes a made one. Its name.
     */
    public String learner(String throwaway) {
        String name = Learner.account(throwaway);
        if (!Learner.exists(name)) {
            willCreate(new KernelObject.Account(name));
            Learner.add(name);
        }
        return name;
    }

    /**
     * A Docker container from a root file system of the lab's: `tar -C ROOTFS -c . | docker import - IMAGE`, then
     * `docker run --detach --name NAME OPTIONS... IMAGE COMMAND...`; cleanup removes the container and the image.
     * Needs a Docker engine that answers ({@link KernelObject.DockerContainer#engine}). The first process's host pid.
     */
    public long dockerRun(String name, String image, Path rootfs, List<String> options, List<String> command) {
        willCreate(new KernelObject.DockerContainer(name, image));
        Cmd.run(List.of("bash", "-c", "tar -C '" + rootfs + "' -c . | docker import - " + image), 120).orThrow();
        List<String> argv = new java.util.ArrayList<>(List.of("docker", "run", "--detach", "--name", name));
        argv.addAll(options);
        argv.add(image);
        argv.addAll(command);
        Cmd.run(argv, 120).orThrow();
        return Long.parseLong(Cmd.run("docker", "inspect", "--format", "{{.State.Pid}}", name).orThrow().out().strip());
    }

    /** A long-lived process, started with UNBOXED_TAG=&lt;lab id&gt; so the journal can find and end it. */
    public Process spawn(ProcessBuilder pb) throws java.io.IOException {
        willCreate(new KernelObject.ProcessTree(lab.id));
        pb.environment().put(Journal.TAG_VARIABLE, lab.id);
        return pb.start();
    }
}
