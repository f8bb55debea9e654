///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//MAIN Lab07Userns

import static unboxed.lab.Check.Verdict.fail;
import static unboxed.lab.Check.Verdict.pass;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import unboxed.lab.Bench;
import unboxed.lab.Check.Verdict;
import unboxed.lab.KernelObject;
import unboxed.lab.Lab;
import unboxed.lab.LabException;
import unboxed.lab.LabCli;
import unboxed.lab.Learner;
import unboxed.lab.Topology;
import unboxed.net.Sysctl;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;
import unboxed.ns.Processes;
import unboxed.ns.UserNs;
import unboxed.ns.Uts;
import unboxed.sys.Cmd;
import unboxed.sys.SysCallException;
import unboxed.sys.Wait;

/**
 * Lab 07: user namespaces. Root inside, the learner outside: id maps, the namespaces a user namespace owns, and why a
 * JVM needs a child process to get one. Story, steps, exercise and checks, top to bottom; the mechanics are in lib
 * (unboxed.ns.UserNs, unboxed.lab.Learner).
 */
class Lab07Userns {
    public static void main(String... args) {
        LabCli.main(lab(), args);
    }

    /** The exercise's hostname, the demo's, and the account made for the learner where there is no sudo caller. */
    static final String BOX = "lab07-rootless", DEMO = "lab07-demo", THROWAWAY = "lab07-learner";
    /** Where step 7 makes its files (removed when run ends). */
    static final Path FILES = Path.of("/tmp/lab07-files");

    static Lab lab() {
        return Lab.define("lab07", "User namespaces: root that is not root")
            .summary("Become root inside a user namespace without sudo: see unmapped ids turn into nobody, write uid_map "
                + "and gid_map by hand, make a network namespace and a hostname of your own as an ordinary user, and "
                + "see why a JVM needs a child process to do any of it.")
            .minutes(40)
            .objectives(
                "Explain why `unshare --user` makes you nobody (65534) until uid_map is written",
                "Write uid_map and gid_map by hand, and say why setgroups must be deny first for an unprivileged writer",
                "Tell uid 0 and a full CapEff inside from the same process's own uid outside",
                "Make a network namespace and a hostname of your own without sudo, and name what still fails",
                "Explain why unshare(CLONE_NEWUSER) fails with EINVAL in a JVM, and how to get a user namespace anyway",
                "Find the distribution switches that block unprivileged user namespaces, without changing them")
            .prerequisites("A Linux machine or VM where you are root (sudo) and also have an ordinary account",
                "util-linux (unshare, nsenter, setpriv), uidmap (newuidmap) for more than one id")
            .needs("unshare", "nsenter", "setpriv", "ip", "hostname", "useradd")
            .learner(THROWAWAY)
            .story("""
                After lab01 you watched root walk out of a chroot, and lab06 limited what a container may use. Yet root
                inside a container that runs as root on the host *is* root on the host: same uid 0, same capabilities.
                The answer the article gives is the **user namespace** (user_namespaces(7)): a namespace of user and
                group ids, with capabilities that count only inside it.

                A process's uid inside a user namespace is translated to a uid outside by the namespace's **uid_map**
                (and gids by gid_map): `0 1000 1` makes uid 0 inside uid 1000 outside. An id no line maps shows as
                the overflow id, 65534 (nobody). The creator of a user namespace gets every capability *in it*, and
                the namespace **owns** every other namespace made while in it: a network namespace, a UTS namespace.
                So an ordinary user can be root of a network stack and a hostname of their own, with no sudo at all,
                while the host's files, interfaces and hostname stay out of reach.

                This lab's exercise is typed as an ordinary user, not root: the user who ran `sudo` (SUDO_USER;
                `vagrant` in the VM), or, where nobody did, an account the lab makes, `lab07-learner`
                (`sudo -iu lab07-learner` gives you its shell; reset removes it). Podman and rootless Docker stand on
                exactly this.
                """)
            .owns(new KernelObject.UtsTrees("lab07"))
            .prepare(b -> b.learner(THROWAWAY))
            .preflight(b -> hostBefore())

            .step("Your user namespace: the host's, which maps every id to itself", s -> s
                .explain("""
                    Every process is in a user namespace, named by /proc/PID/ns/user. The host's is the initial one,
                    whose uid_map is `0 0 4294967295`: every id is itself (user_namespaces(7)). The lab works as the
                    learner's account, printed below; your own shell is that account's.
                    """)
                .shell("id -u\nreadlink /proc/$$/ns/user\ncat /proc/$$/uid_map   # prints: 4294967295")
                .does(Lab07Userns::hostUserNamespace)
                .observe("One user namespace for the host, the JVM and your shell; its uid_map maps all 2^32 ids to themselves."))

            .step("unshare --user: you are nobody", s -> s
                .explain("""
                    `unshare --user` makes a new user namespace and runs a program in it. Nothing has been written to
                    its uid_map yet, so no id is mapped: your uid shows as the overflow uid, 65534
                    (/proc/sys/kernel/overflowuid), and files you own show as owned by nobody. The program starts with
                    no capability: at execve(2) the capabilities are computed for a uid that is not 0 inside.
                    """)
                .shell("""
                    unshare --user sh -c 'id -u; wc -c < /proc/self/uid_map; grep CapEff /proc/self/status'   # prints: 65534
                    cat /proc/sys/kernel/overflowuid   # prints: 65534
                    """)
                .does(Lab07Userns::nobodyInside)
                .observe("Inside: uid 65534, an empty uid_map (0 bytes) and CapEff 0. Outside, the same process is your uid."))

            .step("From Java: EINVAL, then a child process", s -> s
                .explain("""
                    unshare(2): "EINVAL CLONE_NEWUSER was specified in flags and the caller is multithreaded". A JVM
                    always is (the GC, the JIT compiler, ...), so the thread trick of labs 03-04 stops here. `unshare`
                    the program is single-threaded: the lab starts it as a child, as the learner, and the child makes
                    the user namespace. Then the lab writes its maps from outside. Root (CAP_SETUID and CAP_SETGID in
                    the parent user namespace) may write any line, once per file.
                    """)
                .shell("grep Threads /proc/$$/status   # prints: Threads:\t1\nunshare --user true")
                .does(Lab07Userns::einvalThenAChild)
                .observe("EINVAL from unshare(2) in the JVM; the child's namespace gets its maps from outside, and 0 inside is the learner."))

            .step("The maps written by the user: setgroups first", s -> s
                .explain("""
                    Without privilege, a process may write a map of one line that maps an id to its own
                    (user_namespaces(7)). For gid_map there is one more rule: `/proc/PID/setgroups` must say `deny`
                    first, or the write fails with EPERM. Otherwise a user could map their own group to 0 and then
                    drop a group with setgroups(2), escaping a "deny if in group X" permission on a file.
                    """)
                .shell("""
                    unshare --user sleep 60 &
                    sleep 0.5; echo "0 $(id -g) 1" > /proc/$!/gid_map   # fails: Operation not permitted
                    echo deny > /proc/$!/setgroups
                    echo "0 $(id -g) 1" > /proc/$!/gid_map
                    echo "0 $(id -u) 1" > /proc/$!/uid_map
                    cat /proc/$!/uid_map /proc/$!/gid_map
                    kill $!
                    """)
                .does(Lab07Userns::mapsByTheUser)
                .observe("gid_map refused while setgroups is allow; after deny, both one-line maps are accepted."))

            .step("--map-root-user: uid 0 inside, your uid outside", s -> s
                .explain("""
                    `unshare --map-root-user` (-r) does just what the last step did by hand: setgroups deny, gid_map
                    and uid_map `0 YOURID 1` (unshare(1)). Inside, the process is uid 0 with every capability;
                    seen from the host, /proc/PID/status shows your uid. The capabilities count in the new user
                    namespace and in the namespaces it owns, nowhere else.
                    """)
                .shell("""
                    unshare --map-root-user sh -c 'id -u; cat /proc/self/uid_map /proc/self/setgroups'   # prints: deny
                    unshare --map-root-user sleep 60 &
                    sleep 0.5; grep -E '^(Uid|CapEff)' /proc/$!/status; kill $!
                    """)
                .does(Lab07Userns::mapRootUser)
                .observe("Inside uid 0 and CapEff full; the host's view of the same process: the learner's uid."))

            .step("A user namespace owns the namespaces made with it", s -> s
                .explain("""
                    Each namespace is owned by the user namespace its creator was in (ioctl_ns(2): NS_GET_USERNS names
                    it). `unshare -Urn` makes the user namespace first, then a network namespace it owns: root inside
                    may set its lo up. `unshare -Uru` may rename its own UTS namespace. The host's network namespace,
                    hostname and root's files are owned by the initial user namespace, where you have no capability:
                    those still fail. The lab joins the network namespace from a thread (root may); joining the user
                    namespace is refused: setns(2) "EINVAL ... the caller is multithreaded" for a user namespace.
                    """)
                .shell("""
                    unshare -Urn sh -c 'ip link set lo up; ip -br link'   # prints: LOOPBACK,UP
                    unshare -Uru sh -c 'hostname lab07-demo; hostname'   # prints: lab07-demo
                    hostname
                    unshare -Ur ip link set lo down   # fails: Operation not permitted
                    unshare -Ur hostname lab07-demo   # fails: must be root
                    unshare -Ur sh -c 'echo x >> /etc/hostname'   # fails: Permission denied
                    """)
                .does(Lab07Userns::ownedNamespaces)
                .observe("The learner's netns is owned by their user namespace, the host's by the initial one."))

            .step("Files inside and outside; more than one id with newuidmap", s -> s
                .explain("""
                    A file made by uid 0 inside is stored with the uid 0 maps to: yours. A file whose owner is not
                    mapped (root's /etc/hostname) shows as nobody inside. One id is enough for one user; a container
                    image has files of many. `newuidmap` and `newgidmap` (setuid root, package uidmap) write wider
                    maps, within the ranges /etc/subuid and /etc/subgid grant the user (subuid(5), newuidmap(1)):
                    this is how Podman and rootless Docker run images as an ordinary user.
                    """)
                .shell("""
                    d=$(mktemp -d); cd "$d"
                    unshare -Ur sh -c 'touch made-inside; stat -c "%u:%g %n" made-inside /etc/hostname'
                    stat -c '%u:%g %n' made-inside
                    grep "^$(id -un):" /etc/subuid
                    unshare --user sleep 60 &
                    sleep 0.5; newuidmap $! 0 $(id -u) 1 1 $(grep "^$(id -un):" /etc/subuid | cut -d: -f2) 1000
                    cat /proc/$!/uid_map; kill $!
                    cd; rm -r "$d"
                    """)
                .does(Lab07Userns::filesAndWiderMaps)
                .observe("made-inside is 0 inside and the learner's uid outside; /etc/hostname is 65534 inside. "
                    + "newuidmap wrote two lines: 0 is you, 1 and up come from /etc/subuid."))

            .step("The distribution switches", s -> s
                .explain("""
                    Unprivileged user namespaces widen what an ordinary user can reach in the kernel, so
                    distributions have switches. Debian's kernels had `kernel.unprivileged_userns_clone` (0 refuses
                    them); Ubuntu 24.04 sets `kernel.apparmor_restrict_unprivileged_userns` = 1 (they are made, but
                    with no capabilities unless an AppArmor profile allows it); and everywhere
                    `user.max_user_namespaces` = 0 forbids new ones. `sudo ./jbang doctor` reads them and says what to
                    do; no lab changes them.
                    """)
                .shell("""
                    cat /proc/sys/user/max_user_namespaces
                    for k in unprivileged_userns_clone apparmor_restrict_unprivileged_userns; do f=/proc/sys/kernel/$k; if [ -e $f ]; then echo "$k = $(cat $f)"; else echo "$k: not on this kernel"; fi; done
                    """)
                .does(Lab07Userns::switches)
                .observe("On this machine: the values, each with what it means."))

            .exercise("""
                As the ordinary user the lab names (not with sudo), leave a process running in the background whose
                UTS namespace has the hostname `lab07-rootless`, and which

                - runs on the host as a uid other than 0;
                - is in a user namespace of its own, whose uid_map maps 0 inside to its host uid, and whose gid_map
                  maps 0 too (setgroups deny, or a wider map made by newuidmap/newgidmap);
                - is in a network namespace owned by that user namespace, with `lo` UP;
                - while the host's hostname stays what it was.
                """)
            .topology("What you build: who owns what", t -> t
                .host()
                .note(Topology.HOST, "the initial user namespace owns the host's net and uts namespaces")
                .netns(BOX, "a user namespace of the learner's: uid_map 0 UID 1").yours()
                .note(BOX, "owns its net namespace: lo UP").yours()
                .note(BOX, "owns its uts namespace: hostname lab07-rootless").yours())
            .check("uid", "A process called lab07-rootless runs as a uid other than 0", 2,
                "start it as the learner, without sudo: unshare -Urnu sh -c 'hostname lab07-rootless; ...' &", Lab07Userns::checkUid)
            .check("userns", "It is in a user namespace of its own that maps 0 to its uid, in uid_map and gid_map", 3,
                "unshare --user --map-root-user (or newuidmap and newgidmap)", Lab07Userns::checkUserns)
            .check("netns", "Its network namespace is its own, owned by that user namespace", 2,
                "make the network namespace with the user namespace, as the learner: unshare -Urn (not ip netns add)",
                Lab07Userns::checkNetns)
            .check("lo", "lo is UP in that network namespace", 1,
                "ip link set lo up, inside: unshare -Urnu sh -c '...; ip link set lo up; exec sleep infinity'",
                Lab07Userns::checkLoopback)
            .check("host-hostname", "The host's hostname is unchanged", 1,
                "run hostname only inside unshare -u; `sudo ./jbang lab07 reset` puts the host's name back",
                Lab07Userns::checkHostUnchanged)
            .solution(s -> s
                .refuseWhile("a process named lab07-rootless already runs", () -> !boxProcesses().isEmpty())
                .line("unshare --user --map-root-user --net --uts sh -c 'hostname lab07-rootless; ip link set lo up; "
                    + "exec sleep infinity' >/dev/null 2>&1 &", Lab07Userns::rootlessBox))

            .reading(
                "user_namespaces(7): id maps, setgroups, capabilities, the owner of other namespaces",
                "unshare(1): --user, --map-root-user",
                "newuidmap(1): wider maps within /etc/subuid",
                "subuid(5): the ranges a user may map",
                "unshare(2): EINVAL for a multithreaded caller with CLONE_NEWUSER",
                "setns(2): joining a user namespace, and why a multithreaded process cannot",
                "ioctl_ns(2): NS_GET_USERNS, the owner of a namespace",
                "capabilities(7)",
                "namespaces(7)",
                "Documentation/admin-guide/sysctl/user.rst: max_user_namespaces and the other per-user limits")

            .question("As an ordinary user you run `unshare --user id -u`. What does it print?", 2,
                "Nothing is mapped yet: an unmapped uid shows as the overflow uid, 65534 (user_namespaces(7)).",
                "0", "your own uid", "65534")
            .question("Why does writing gid_map fail for an unprivileged user until setgroups says deny?", 0,
                "With setgroups allowed, root inside could drop a group with setgroups(2) and escape a permission "
                    + "that denies that group (user_namespaces(7)).",
                "Dropping a group could get past a file's group-deny permission", "gid_map is root's only",
                "The kernel writes gid_map itself from uid_map")
            .question("A JVM calls unshare(CLONE_NEWUSER) on a thread of its own. What happens?", 1,
                "unshare(2): EINVAL when the caller is multithreaded; a JVM always is. A child process (unshare -U) can.",
                "The thread enters a new user namespace, as with CLONE_NEWNET",
                "It fails with EINVAL: the process is multithreaded",
                "It fails with EPERM: the JVM is not root")
            .question("Inside `unshare -Urn`, uid 0 runs `ip link set lo up`. Why is that allowed?", 1,
                "The network namespace is owned by the new user namespace, where the process has CAP_NET_ADMIN.",
                "uid 0 inside is root on the host",
                "The network namespace is owned by the user namespace in which it holds CAP_NET_ADMIN",
                "lo needs no capability")
            .build();
    }

    // ---- steps ---------------------------------------------------------------------------------------------------

    /** The learner's account (made if it is not there and there is no sudo caller: see Bench.learner). */
    static String learner(Bench b) {
        return b.learner(THROWAWAY);
    }

    static void hostUserNamespace(Bench b) {
        String u = learner(b);
        b.show("the learner", u + " (uid " + Learner.uid(u) + ")" + (Learner.isSudoCaller(u) ? ", who ran sudo"
            : ", an account this lab made: nobody ran sudo"));
        b.show("user namespace of this JVM", Ns.USER.label(UserNs.hostId()));
        long self = ProcessHandle.current().pid();
        b.show("uid_map of this JVM", UserNs.uidMap(self).stream().map(Object::toString).collect(Collectors.joining("; ")));
        b.java("the same, as the learner: sh -c 'id -u; readlink /proc/self/ns/user'");
        b.console().output(asLearner(b, "sh", "-c", "id -u; readlink /proc/self/ns/user").out());
    }

    static void nobodyInside(Bench b) throws Exception {
        String u = learner(b);
        b.java("as " + u + ": unshare --user sh -c 'id -u; wc -c < /proc/self/uid_map; grep CapEff /proc/self/status'");
        b.console().output(asLearner(b, "unshare", "--user", "sh", "-c",
            "id -u; wc -c < /proc/self/uid_map; grep CapEff /proc/self/status").out());
        Process p = spawnAsLearner(b, "unshare", "--user", "sleep", "infinity");
        long pid = inNewUserns(p);
        b.java("as " + u + ": unshare --user sleep infinity, pid " + pid + "; seen from the host:");
        b.show("its user namespace", Ns.USER.label(Ns.USER.idOf(pid)) + " (not the host's " + Ns.USER.label(UserNs.hostId()) + ")");
        b.show("its uid on the host", UserNs.uid(pid).orElse(-1L) + " (" + u + ")");
        b.show("its uid_map", UserNs.uidMap(pid).isEmpty() ? "empty: nothing mapped" : UserNs.uidMap(pid).toString());
        b.show("the overflow uid", UserNs.overflowUid());
        end(p);
    }

    static void einvalThenAChild(Bench b) throws Exception {
        b.show("threads of this JVM", threads());
        b.java("unshare(CLONE_NEWUSER) on a thread of its own");
        try (NsThread t = NsThread.unshare(EnumSet.of(Ns.USER))) {
            b.show("result", "it worked (this kernel allows it?)");
        } catch (SysCallException e) {
            b.show("result", e.getMessage().lines().findFirst().orElse(""));
        }
        String u = learner(b);
        Process p = spawnAsLearner(b, "unshare", "--user", "sleep", "infinity");
        long pid = inNewUserns(p);
        b.java("new ProcessBuilder(\"setpriv\", \"--reuid=" + u + "\", ..., \"unshare\", \"--user\", \"sleep\", \"infinity\")"
            + ".start(): pid " + pid);
        long uid = Learner.uid(u), gid = Learner.gid(u);
        b.java("as root: write \"0 " + uid + " 1\" to /proc/" + pid + "/uid_map and \"0 " + gid + " 1\" to gid_map");
        Files.writeString(Path.of("/proc", Long.toString(pid), "uid_map"), "0 " + uid + " 1\n");
        Files.writeString(Path.of("/proc", Long.toString(pid), "gid_map"), "0 " + gid + " 1\n");
        b.show("its uid_map", UserNs.uidMap(pid).toString());
        b.show("its gid_map", UserNs.gidMap(pid).toString());
        b.show("setgroups", UserNs.setgroups(pid).orElse("?") + " (root needed no deny)");
        b.show("its uid on the host", UserNs.uid(pid).orElse(-1L));
        b.java("nsenter -t " + pid + " -U sh -c 'id -u' (a single-threaded child may join it)");
        b.console().output(Cmd.run("nsenter", "-t", Long.toString(pid), "-U", "sh", "-c", "id -u").out());
        end(p);
    }

    static void mapsByTheUser(Bench b) throws Exception {
        String u = learner(b);
        Process p = spawnAsLearner(b, "unshare", "--user", "sleep", "infinity");
        long pid = inNewUserns(p);
        String proc = "/proc/" + pid;
        String script = "echo \"0 $(id -g) 1\" > " + proc + "/gid_map || echo \"gid_map refused\"; "
            + "echo deny > " + proc + "/setgroups; echo \"0 $(id -g) 1\" > " + proc + "/gid_map; "
            + "echo \"0 $(id -u) 1\" > " + proc + "/uid_map; cat " + proc + "/uid_map " + proc + "/gid_map " + proc + "/setgroups";
        b.java("as " + u + ", for its own unshare --user (pid " + pid + "): bash -c '" + script + "'");
        Cmd.Result r = asLearner(b, "bash", "-c", script);
        b.console().output(r.out());
        b.console().output(r.err());
        end(p);
    }

    static void mapRootUser(Bench b) throws Exception {
        String u = learner(b);
        b.java("as " + u + ": unshare --map-root-user sh -c 'id -u; grep CapEff /proc/self/status'");
        b.console().output(asLearner(b, "unshare", "--map-root-user", "sh", "-c", "id -u; grep CapEff /proc/self/status").out());
        Process p = spawnAsLearner(b, "unshare", "--map-root-user", "sleep", "infinity");
        long pid = inNewUserns(p);
        Wait.until(Duration.ofSeconds(5), () -> !UserNs.uidMap(pid).isEmpty());
        b.java("as " + u + ": unshare --map-root-user sleep infinity, pid " + pid + "; seen from the host:");
        b.show("its uid on the host", UserNs.uid(pid).orElse(-1L));
        b.show("its CapEff", UserNs.capEff(pid).orElse("?") + " (in its own user namespace)");
        b.show("uid_map, gid_map", UserNs.uidMap(pid) + ", " + UserNs.gidMap(pid));
        b.show("setgroups", UserNs.setgroups(pid).orElse("?"));
        end(p);
    }

    static void ownedNamespaces(Bench b) throws Exception {
        String u = learner(b);
        Process p = spawnAsLearner(b, "unshare", "--user", "--map-root-user", "--net", "--uts", "sh", "-c",
            "hostname " + DEMO + "; ip link set lo up; exec sleep infinity");
        long pid = p.pid();
        Wait.until(Duration.ofSeconds(5), () -> demoProcesses().contains(pid));
        b.java("as " + u + ": unshare -Urnu sh -c 'hostname " + DEMO + "; ip link set lo up; exec sleep infinity', pid " + pid);
        long userns = Ns.USER.idOf(pid);
        b.show("its user namespace", Ns.USER.label(userns));
        b.show("owner of its net namespace", Ns.USER.label(UserNs.ownerOf(pid, Ns.NET).orElse(-1L)) + " (NS_GET_USERNS)");
        b.show("owner of its uts namespace", Ns.USER.label(UserNs.ownerOf(pid, Ns.UTS).orElse(-1L)));
        b.show("owner of the host's net namespace (this JVM's)", Ns.USER.label(UserNs.ownerOf(ProcessHandle.current().pid(), Ns.NET).orElse(-1L)) + " (the initial one)");
        b.show("its hostname", Uts.hostnameOf(pid));
        b.show("the host's hostname", Processes.hostname());
        try (NsThread t = NsThread.enter(pid, EnumSet.of(Ns.NET))) {
            b.java("setns(/proc/" + pid + "/ns/net, CLONE_NEWNET) on thread " + t.tid() + ", then ip -br link from it");
            b.console().output(t.call(() -> Cmd.run("ip", "-br", "link").orThrow().out()));
        }
        b.java("setns(/proc/" + pid + "/ns/user, CLONE_NEWUSER) on a thread");
        try (NsThread t = NsThread.enter(pid, EnumSet.of(Ns.USER))) {
            b.show("result", "it worked (this kernel allows it?)");
        } catch (SysCallException e) {
            b.show("result", e.getMessage().lines().findFirst().orElse(""));
        }
        b.java("as " + u + ": unshare -Ur ip link set lo down (the host's lo)");
        Cmd.Result r = asLearner(b, "unshare", "-Ur", "ip", "link", "set", "lo", "down");
        b.console().output(r.err());
        end(p);
    }

    static void filesAndWiderMaps(Bench b) throws Exception {
        String u = learner(b);
        b.dir(FILES);
        Cmd.run("chown", u + ":", FILES.toString()).orThrow();
        String made = FILES.resolve("made-inside").toString();
        b.java("as " + u + ": unshare -Ur sh -c 'touch " + made + "; stat -c \"%u:%g %n\" " + made + " /etc/hostname'");
        b.console().output(asLearner(b, "unshare", "-Ur", "sh", "-c", "touch " + made + "; stat -c '%u:%g %n' " + made + " /etc/hostname").out());
        b.show("its owner, seen from the host", Files.getAttribute(Path.of(made), "unix:uid") + " (" + u + ", uid " + Learner.uid(u) + ")");
        Optional<String> range = subuid(u);
        if (!Cmd.has("newuidmap")) {
            b.show("newuidmap", "not installed: sudo apt-get install uidmap");
            return;
        }
        if (range.isEmpty()) {
            b.show("/etc/subuid", "no range for " + u + " (an account made before uidmap was installed): "
                + "sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + u);
            return;
        }
        b.show("/etc/subuid for " + u, range.get());
        Process p = spawnAsLearner(b, "unshare", "--user", "sleep", "infinity");
        long pid = inNewUserns(p);
        String start = range.get().split(":")[1];
        b.java("as " + u + ": newuidmap " + pid + " 0 " + Learner.uid(u) + " 1 1 " + start + " 1000");
        Cmd.Result r = asLearner(b, "newuidmap", Long.toString(pid), "0", Long.toString(Learner.uid(u)), "1", "1", start, "1000");
        b.console().output(r.err());
        b.show("its uid_map", UserNs.uidMap(pid).stream().map(Object::toString).collect(Collectors.joining("; ")));
        end(p);
    }

    static void switches(Bench b) {
        for (String[] k : new String[][] {
            {"user.max_user_namespaces", "0 forbids new user namespaces"},
            {"kernel.unprivileged_userns_clone", "0: only root may make them (Debian's switch)"},
            {"kernel.apparmor_restrict_unprivileged_userns", "1: made without capabilities unless AppArmor allows (Ubuntu 24.04)"}}) {
            String v;
            try {
                v = Sysctl.get(k[0]);
            } catch (java.io.UncheckedIOException absent) {
                v = "not on this kernel";
            }
            b.show(k[0], v + "   (" + k[1] + ")");
        }
    }

    // ---- exercise checks: kernel state only ---------------------------------------------------------------------

    static List<Long> boxProcesses() {
        return named(BOX);
    }

    static List<Long> demoProcesses() {
        return named(DEMO);
    }

    static List<Long> named(String hostname) {
        return Uts.foreign().stream().filter(g -> hostname.equals(g.hostname())).flatMap(g -> g.pids().stream()).toList();
    }

    /** The process to grade: a lab07-rootless one that runs as a uid other than 0 if there is one, else any. */
    static Optional<Long> box() {
        List<Long> named = boxProcesses();
        return named.stream().filter(p -> UserNs.uid(p).orElse(0L) != 0).findFirst().or(() -> named.stream().findFirst());
    }

    static Verdict noBox() {
        // the classic slip: a user namespace without a map; its process is nobody, without capability, so hostname failed
        long host = UserNs.hostId();
        Optional<Long> unmapped = Processes.inForeign(Ns.USER).stream()
            .filter(p -> UserNs.uid(p).orElse(0L) != 0 && UserNs.uidMap(p).isEmpty()).findFirst();
        if (unmapped.isPresent()) {
            return fail("no process has the hostname lab07-rootless; pid " + unmapped.get() + " ("
                + Processes.comm(unmapped.get()).orElse("?") + ") is in a user namespace with an empty uid_map: inside it is "
                + UserNs.overflowUid() + " (nobody), with no capability, so hostname and ip failed there. Add --map-root-user");
        }
        return fail("no process has the hostname lab07-rootless in a uts namespace of its own (host user namespace "
            + Ns.USER.label(host) + ")");
    }

    static Verdict checkUid() {
        hostBefore();
        Optional<Long> p = box();
        if (p.isEmpty()) return noBox();
        long uid = UserNs.uid(p.get()).orElse(0L);
        return Verdict.when(uid != 0, "pid " + p.get() + " (" + Processes.comm(p.get()).orElse("?")
            + ") runs as uid 0 on the host: it was started by root. Start it as " + Learner.account(THROWAWAY) + ", without sudo");
    }

    static Verdict checkUserns() {
        Optional<Long> p = box();
        if (p.isEmpty()) return noBox();
        long pid = p.get();
        if (Ns.USER.idOf(pid) == UserNs.hostId()) {
            return fail("pid " + pid + " is in the host's user namespace: add --user (-U) to unshare");
        }
        List<UserNs.IdMap> uids = UserNs.uidMap(pid), gids = UserNs.gidMap(pid);
        long uid = UserNs.uid(pid).orElse(-1L);
        if (uids.isEmpty()) {
            return fail("pid " + pid + "'s uid_map is empty: no id is mapped, so inside it runs as " + UserNs.overflowUid()
                + " (nobody). Add --map-root-user, or write the map");
        }
        Optional<Long> zero = UserNs.outsideOf(uids, 0);
        if (zero.isEmpty()) return fail("pid " + pid + "'s uid_map (" + uids + ") does not map 0 inside");
        if (zero.get() != uid) {
            return fail("pid " + pid + "'s uid_map maps 0 inside to " + zero.get() + ", not to its own uid " + uid);
        }
        if (UserNs.outsideOf(gids, 0).isEmpty()) {
            return fail("pid " + pid + "'s gid_map " + (gids.isEmpty() ? "is empty" : "(" + gids + ") does not map 0")
                + ": write setgroups deny, then gid_map (or use --map-root-user)");
        }
        return pass();
    }

    static Verdict checkNetns() {
        Optional<Long> p = box();
        if (p.isEmpty()) return noBox();
        long pid = p.get();
        if (Ns.NET.idOf(pid) == Ns.NET.idOf(ProcessHandle.current().pid())) {
            return fail("pid " + pid + " shares the host's network namespace: add --net (-n)");
        }
        long userns = Ns.USER.idOf(pid);
        if (userns == UserNs.hostId()) return fail("pid " + pid + " has no user namespace of its own to own its network namespace");
        long owner = UserNs.ownerOf(pid, Ns.NET).orElse(-1L);
        return Verdict.when(owner == userns, "pid " + pid + "'s network namespace is owned by " + Ns.USER.label(owner)
            + (owner == UserNs.hostId() ? " (the host's: root made it, before the user namespace)" : "")
            + ", not by its own user namespace " + Ns.USER.label(userns));
    }

    static Verdict checkLoopback() {
        Optional<Long> p = box();
        if (p.isEmpty()) return noBox();
        long pid = p.get();
        if (Ns.NET.idOf(pid) == Ns.NET.idOf(ProcessHandle.current().pid())) {
            return fail("pid " + pid + " has no network namespace of its own whose lo to look at");
        }
        String json = NsThread.inNamespacesOf(pid, EnumSet.of(Ns.NET), () -> Cmd.run("ip", "-j", "link", "show", "lo").orThrow().out());
        boolean up = JsonParser.parseString(json).getAsJsonArray().get(0).getAsJsonObject().getAsJsonArray("flags")
            .contains(new com.google.gson.JsonPrimitive("UP"));
        return Verdict.when(up, "lo is DOWN in pid " + pid + "'s network namespace: ip link set lo up, inside");
    }

    static Verdict checkHostUnchanged() {
        String before = hostBefore(), host = Processes.hostname();
        return Verdict.when(host.equals(before), "the host itself is now called " + host + ", and was called " + before
            + " before the lab: hostname ran in the host's uts namespace, as root");
    }

    static String hostBefore() {
        return KernelObject.HostNamed.noted("lab07", List.of(BOX, DEMO));
    }

    // ---- solve ----------------------------------------------------------------------------------------------------

    static void rootlessBox(Bench b) throws Exception {
        String u = learner(b);
        Process p = spawnAsLearner(b, "unshare", "--user", "--map-root-user", "--net", "--uts", "sh", "-c",
            "hostname " + BOX + "; ip link set lo up; exec sleep infinity");
        b.java("as " + u + ": the same, pid " + p.pid());
        Wait.until(Duration.ofSeconds(5), () -> boxProcesses().contains(p.pid()));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    static Cmd.Result asLearner(Bench b, String... argv) {
        return Learner.run(learner(b), 30, argv);
    }

    /** A long-lived process as the learner, tagged so that cleanup ends it. */
    static Process spawnAsLearner(Bench b, String... argv) throws IOException {
        return b.spawn(Learner.as(learner(b), argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD));
    }

    /** Waits until the child (unshare, then the program it execs) is in a user namespace other than the host's. */
    static long inNewUserns(Process p) {
        long pid = p.pid();
        RuntimeException[] last = {null};
        if (!Wait.until(Duration.ofSeconds(5), () -> {
            try {
                return Ns.USER.idOf(pid) != UserNs.hostId() && Processes.comm(pid).map(c -> !c.equals("unshare")).orElse(false);
            } catch (RuntimeException goneOrDenied) {
                last[0] = goneOrDenied;
                return false;
            }
        })) {
            if (p.isAlive() && last[0] != null && last[0].getCause() instanceof java.nio.file.AccessDeniedException) {
                // proc(5): /proc/PID/ns of another uid's process needs ptrace access: root without CAP_SYS_PTRACE
                throw LabException.environment("root here cannot read /proc/" + pid + "/ns/user of the learner's process"
                    + " (permission denied: this root lacks CAP_SYS_PTRACE, as in a container started without"
                    + " --cap-add SYS_PTRACE); run the labs in a VM, or give the container that capability");
            }
            throw new IllegalStateException("pid " + pid + " was in no user namespace of its own within 5 s");
        }
        return pid;
    }

    static void end(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor();
    }

    static String threads() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Threads:"))
                .map(l -> l.substring(8).strip()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    static Optional<String> subuid(String u) {
        try {
            return Files.readAllLines(Path.of("/etc/subuid")).stream().filter(l -> l.startsWith(u + ":")).findFirst();
        } catch (IOException absent) {
            return Optional.empty();
        }
    }
}
