package unboxed;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import unboxed.sys.Cmd;

/**
 * Every lab, end to end, on a fresh machine: a disposable Debian container provisioned by .ci/provision (the list CI,
 * the README and the VM use), one new container per lab. In it: `doctor` (ready), `doctor --save-baseline` (the
 * container's fingerprint: links, netns, mounts, cgroups, firewall, hostname, processes in other namespaces), `run`,
 * `check` (fails: the exercise is not done), `solve`, `check` (passes), `reset`, and `doctor --leftovers`, which must
 * find nothing and no difference from the fingerprint. A lab that cannot run in a container fails here under its own
 * name, with the command, its exit code and what it printed: never skipped.
 *
 * <p>The containers get only what the labs need, since --privileged is refused on this project's machines:
 * {@link #CAPABILITIES} on top of Docker's default set, seccomp and AppArmor unconfined (unshare, mount and setns
 * are filtered otherwise), /proc/sys remounted writable (lab05 turns on ip_forward inside its own namespaces), the host's
 * cgroup tree writable with cgroupns host (lab06 makes a memory cgroup), and network "none": the labs build their
 * networks inside namespaces of their own, and nothing reaches the host's network or firewall.
 *
 * <p>Not needed, though Docker masks parts of /proc: `systempaths=unconfined` for lab03's `mount -t proc`. The kernel
 * refuses a new proc over masked paths ("mount_too_revealing") only in a user namespace other than the initial one, and
 * these containers have none. What did differ in a container was ps before that mount (procps looks itself up as
 * /proc/&lt;its pid inside&gt;, which a container's /proc lacks): lab03 shows that as part of its lesson.
 */
@Tag("slow")
class ContainerCycleTest {
    /**
     * SYS_ADMIN: unshare, setns, mount, pivot_root, sethostname. NET_ADMIN: links, addresses, routes, netfilter.
     * SYS_PTRACE: root reading /proc/PID/ns/* and the maps of the learner's process, another uid's (lab07): proc(5)
     * lets it only with ptrace access, which root on a learner's machine has and Docker's default set drops.
     */
    static final Capability[] CAPABILITIES = {Capability.SYS_ADMIN, Capability.NET_ADMIN, Capability.SYS_PTRACE};
    static final String LABEL = "unboxed.test";
    static final long COMMAND_TIMEOUT_S = 300;
    static String image;

    @BeforeAll
    static void engineAndImage() {
        DockerEngine.ensureRunning();
        // containers of an earlier test JVM that was killed (there is no Ryuk reaper to remove them)
        Cmd.run(List.of("bash", "-c", "docker ps -aq --filter label=" + LABEL + " | xargs -r docker rm -f"), 60);
        image = DockerEngine.testImage();
    }

    @TestFactory
    Stream<DynamicTest> everyLabInAFreshContainer() {
        return Labs.all().stream().map(lab -> dynamicTest(lab.name() + " in a fresh container", () -> cycle(lab)));
    }

    static void cycle(Labs.LabFile lab) throws Exception {
        inAFreshContainer(lab, t -> {
            if (lab.isLab()) {
                t.expect(0, lab.className(), "run", "--no-color");
                t.expect(1, lab.className(), "check", "--no-color");
                t.expect(0, lab.className(), "solve", "--no-color");
                t.expect(0, lab.className(), "check", "--no-color");
                t.expect(0, lab.className(), "reset", "--no-color");
            }
        });
    }

    /** What runs in a lab's container between its fingerprint and the leftovers check. */
    interface InBox {
        void run(Transcript t) throws Exception;
    }

    /**
     * A fresh container for the lab: `doctor` (ready) and `doctor --save-baseline`, then the body, then `doctor
     * --leftovers`, which must find nothing and no difference from the fingerprint.
     */
    static void inAFreshContainer(Labs.LabFile lab, InBox body) throws Exception {
        try (GenericContainer<?> box = container()) {
            box.start();
            Transcript t = new Transcript(lab, box);
            // what `--security-opt systempaths=unconfined` does on the command line (the API has no such option):
            // Docker mounts /proc/sys read-only, and lab05 turns on ip_forward inside namespaces of its own
            t.shell("mount -o remount,bind,rw /proc/sys");
            t.expect(0, doctor());
            t.expect(0, doctor("--save-baseline"));
            body.run(t);
            ExecResult left = t.expect(-1, doctor("--leftovers", "--json"));
            JsonObject o = JsonParser.parseString(left.getStdout()).getAsJsonObject();
            if (left.getExitCode() != 0 || !o.get("clean").getAsBoolean()) {
                t.fail("the container is not as it was before: leftovers " + o.get("leftovers")
                    + ", changed since the fingerprint " + o.get("changedSinceBaseline"));
            }
        }
    }

    static String[] doctor(String... args) {
        List<String> a = new ArrayList<>(List.of("Lab00Doctor", "--no-color"));
        a.addAll(List.of(args));
        return a.toArray(String[]::new);
    }

    static GenericContainer<?> container() {
        return container(image, "sleep", "infinity");
    }

    /** A container of IMAGE running COMMAND (none: the image's own), with what the labs need (as {@link #container()}). */
    static GenericContainer<?> container(String image, String... command) {
        List<Bind> binds = new ArrayList<>();
        binds.add(Bind.parse("/sys/fs/cgroup:/sys/fs/cgroup:rw"));
        // the build's classes and jars, at the same paths, read-only: the container runs exactly what was compiled
        for (String entry : System.getProperty("java.class.path").split(":")) {
            if (Files.exists(Path.of(entry))) binds.add(Bind.parse(entry + ":" + entry + ":ro"));
        }
        @SuppressWarnings("resource")
        GenericContainer<?> box = new GenericContainer<>(DockerImageName.parse(image))
            .withNetworkMode("none")
            .withLabel(LABEL, "1")
            .withEnv("LC_ALL", "C.UTF-8") // a minimal image has no locale: the labs' "━━" would print as "?"
            // lab09 mounts overlays whose upper directory is under /var/lib/unboxed, and overlayfs refuses an upper on
            // overlayfs (the container's root): the labs' folder gets a file system of its own, as a learner's would
            .withTmpFs(java.util.Map.of("/var/lib/unboxed", "rw,exec,suid,dev,mode=755"))
            .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                .withCapAdd(CAPABILITIES)
                .withSecurityOpts(List.of("seccomp=unconfined", "apparmor=unconfined"))
                .withCgroupnsMode("host")
                // a PID 1 that reaps orphans, as a machine's init does: killed lab processes must not stay as zombies
                .withInit(true)
                .withBinds(binds));
        if (command.length > 0) box.withCommand(command);
        return box;
    }

    /** What ran in one lab's container, for a failure message that tells the whole story. */
    static final class Transcript {
        final Labs.LabFile lab;
        final GenericContainer<?> box;
        final Map<String, String> log = new LinkedHashMap<>();

        Transcript(Labs.LabFile lab, GenericContainer<?> box) {
            this.lab = lab;
            this.box = box;
        }

        /** Runs a main class of the build in the container; fails unless it exits with expected (-1: any). */
        ExecResult expect(int expected, String... mainAndArgs) throws Exception {
            List<String> argv = new ArrayList<>(List.of("timeout", "-s", "KILL", Long.toString(COMMAND_TIMEOUT_S),
                "java", "--enable-native-access=ALL-UNNAMED", "-Dunboxed.progress=/tmp/progress.json",
                "-cp", System.getProperty("java.class.path")));
            argv.addAll(List.of(mainAndArgs));
            long t0 = System.nanoTime();
            ExecResult r = box.execInContainer(argv.toArray(String[]::new));
            String what = String.join(" ", mainAndArgs);
            log.put(what, "exit " + r.getExitCode() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms\n"
                + r.getStdout() + r.getStderr());
            if (expected >= 0 && r.getExitCode() != expected) {
                fail("`" + what + "` exited " + r.getExitCode() + " (expected " + expected + ")"
                    + (r.getExitCode() == 3 ? ": this machine (a container) cannot run it" : ""));
            }
            return r;
        }

        /** A shell command as root in the container, before the lab: must succeed. */
        void shell(String command) throws Exception {
            ExecResult r = box.execInContainer("sh", "-c", command);
            log.put(command, "exit " + r.getExitCode() + "\n" + r.getStdout() + r.getStderr());
            if (r.getExitCode() != 0) fail("`" + command + "` exited " + r.getExitCode());
        }

        void fail(String why) {
            StringBuilder b = new StringBuilder(lab.name() + " in a container: " + why
                + "\n\n--- what ran in the container (capabilities: default + "
                + java.util.Arrays.stream(CAPABILITIES).map(Enum::name).collect(java.util.stream.Collectors.joining(", ")) + ") ---\n");
            log.forEach((cmd, out) -> b.append("\n$ ").append(cmd).append("\n").append(out));
            throw new AssertionError(b.toString());
        }
    }
}
