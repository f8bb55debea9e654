package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import unboxed.sys.Cmd;

/**
 * The workshop's playbooks (workshop/*.yml), run for real with ansible-playbook over SSH against three learner
 * machines: disposable containers of the end-to-end image with sshd (.ci/workshop-image), network "none", each
 * reachable only through a port published on this host's 127.0.0.1 ({@link LoopbackPort}). The key is made here,
 * in a temporary folder; no account has a password. One set of machines for the whole class, in order: provision,
 * baseline, preflight (ready, and one machine that is not, with why), lab04 passed by alice and failed by bob (carol
 * does nothing), collect (the files and the class view's verdicts), reset (a clean fingerprint everywhere), and
 * cloud-init.yaml validated by cloud-init's own `cloud-init schema` on one of them.
 *
 * <p>The machines have no network, so jbang cannot fetch itself or the labs' libraries there: a `jbang` on their
 * PATH (which ./jbang hands over to, as it does to any installed jbang) runs the lab ./jbang names from the classes
 * this build compiled, mounted read-only at the same paths, as {@link ContainerCycleTest} runs them. On the control
 * side (this host) ./jbang is the real one.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkshopTest {
    static final List<String> LEARNERS = List.of("alice", "bob", "carol");
    static final Path WORKSHOP = Labs.ROOT.resolve("workshop");
    static final long PLAYBOOK_TIMEOUT_S = 900;
    static final String JBANG = """
        #!/bin/sh
        # jbang for WorkshopTest's learner machines, which have no network: runs the lab (or alias) ./jbang hands over,
        # from the classes the test build compiled (their class path is in /etc/unboxed-test-classpath); and, as jbang's
        # `info classpath LAB` (workshop/learner-machine's fetch for the learner), prints that class path
        set -e
        ref=$1; shift
        case $ref in
          info) [ "$1" = classpath ] && exec cat /etc/unboxed-test-classpath; echo "jbang stand-in: no 'info $1'" >&2; exit 2 ;;
          *.java) ;;
          *) ref=$(python3 -c 'import json, sys; print(json.load(open("jbang-catalog.json"))["aliases"][sys.argv[1]]["script-ref"])' "$ref") ;;
        esac
        class=$(sed -n -E 's/^(final )?class ([A-Za-z0-9_]+).*/\\2/p' "$ref" | head -n 1)
        exec java --enable-native-access=ALL-UNNAMED -cp "$(cat /etc/unboxed-test-classpath)" "$class" "$@"
        """;

    final Map<String, GenericContainer<?>> boxes = new LinkedHashMap<>();
    final Map<String, LoopbackPort> ports = new LinkedHashMap<>();
    final List<String> timings = new ArrayList<>();
    Path tmp;
    Path classDir;
    Path siteDir;

    record Run(int exit, String out, long millis) {}

    @BeforeAll
    void learnerMachines() throws Exception {
        Cmd.Result a = Cmd.run(List.of("sh", "-c", "command -v ansible-playbook && ansible-playbook --version"), 30);
        if (a.exit() != 0) {
            throw new AssertionError("ansible-playbook is not installed: sudo apt-get install ansible-core (or sudo .ci/provision)");
        }
        DockerEngine.ensureRunning();
        Cmd.run(List.of("bash", "-c", "docker ps -aq --filter label=" + ContainerCycleTest.LABEL + " | xargs -r docker rm -f"), 60);
        String image = DockerEngine.learnerImage();
        tmp = Files.createTempDirectory("unboxed-workshop");
        classDir = tmp.resolve("class");
        siteDir = tmp.resolve("site");
        Cmd.Result key = Cmd.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "workshop-test",
            "-f", tmp.resolve("key").toString()), 30);
        assertEquals(0, key.exit(), "ssh-keygen: " + key.err());
        String publicKey = Files.readString(tmp.resolve("key.pub"));
        StringBuilder inventory = new StringBuilder("[learners]\n");
        for (String learner : LEARNERS) {
            GenericContainer<?> box = ContainerCycleTest.container(image);
            boxes.put(learner, box);
            box.start();
            box.copyFileToContainer(Transferable.of(publicKey.getBytes(StandardCharsets.UTF_8), 0600), "/home/learner/.ssh/authorized_keys");
            box.copyFileToContainer(Transferable.of(JBANG.getBytes(StandardCharsets.UTF_8), 0755), "/usr/local/bin/jbang");
            box.copyFileToContainer(Transferable.of(System.getProperty("java.class.path").getBytes(StandardCharsets.UTF_8), 0644), "/etc/unboxed-test-classpath");
            // chmod /root: the learner's JVMs read the build's jars, mounted at this host's paths (under /root/.m2)
            root(box, 0, "chown -R learner:learner /home/learner/.ssh && chmod 0700 /home/learner/.ssh && chmod 0711 /root"
                + " && mount -o remount,bind,rw /proc/sys"   // as ContainerCycleTest: lab05 sets ip_forward in its namespaces
                + " && for i in $(seq 100); do [ -e /run/sshd.pid ] && exit 0; sleep 0.1; done; echo sshd did not start; exit 1");
            LoopbackPort port = LoopbackPort.publish(box.getContainerInfo().getState().getPidLong(), 22);
            ports.put(learner, port);
            inventory.append(learner).append(" ansible_host=127.0.0.1 ansible_port=").append(port.port()).append('\n');
        }
        inventory.append("\n[learners:vars]\nansible_ssh_private_key_file=").append(tmp.resolve("key"))
            .append("\nansible_ssh_common_args=-o UserKnownHostsFile=").append(tmp.resolve("known_hosts")).append('\n');
        Files.writeString(tmp.resolve("inventory.ini"), inventory);
    }

    @AfterAll
    void removeMachines() throws IOException {
        if (!timings.isEmpty()) System.out.println("WorkshopTest timings (3 learner machines):\n  " + String.join("\n  ", timings));
        ports.values().forEach(LoopbackPort::close);
        boxes.values().forEach(GenericContainer::stop);
        if (tmp != null) Cmd.run(List.of("rm", "-rf", tmp.toString()), 60);
    }

    @Test
    @Order(1)
    void provisionPutsTheLabsAtThisRevisionOnEveryMachine() throws Exception {
        Run r = playbook("provision.yml");
        expect(0, r, "provision.yml");
        String head = Cmd.run(List.of("git", "-C", Labs.ROOT.toString(), "rev-parse", "HEAD"), 30).out().strip();
        for (var e : boxes.entrySet()) {
            assertEquals(head, root(e.getValue(), 0, "su learner -c 'git -C /home/learner/unboxed rev-parse HEAD'").getStdout().strip(),
                e.getKey() + ": the labs' folder is not at this checkout's HEAD");
            assertEquals("learner", root(e.getValue(), 0, "stat -c %U /home/learner/unboxed/labs").getStdout().strip(),
                e.getKey() + ": the labs' folder should be the learner's");
            assertTrue(root(e.getValue(), 0, "cat /etc/motd").getStdout().contains("sudo ./jbang lab04"),
                e.getKey() + ": no login banner");
        }
    }

    @Test
    @Order(2)
    void baselineSavesEveryMachinesFingerprint() throws Exception {
        expect(0, playbook("baseline.yml"), "baseline.yml");
        for (var e : boxes.entrySet()) root(e.getValue(), 0, "test -s /var/lib/unboxed/baseline.txt");
    }

    @Test
    @Order(3)
    void preflightTellsWhoIsReadyAndWhyNot() throws Exception {
        Run serial = playbook("preflight.yml", "-f", "1");
        expect(0, serial, "preflight.yml -f 1");
        for (String learner : LEARNERS) assertTableLine(serial, learner, "yes", "");
        Run parallel = playbook("preflight.yml", "-f", "3");
        expect(0, parallel, "preflight.yml -f 3");
        Run one = playbook("preflight.yml", "-l", "alice,localhost");
        expect(0, one, "preflight.yml -l alice,localhost");
        timings.add(String.format("preflight: one machine %.1f s; three: %.1f s with forks=1, %.1f s with forks=3",
            one.millis() / 1000.0, serial.millis() / 1000.0, parallel.millis() / 1000.0));

        // carol's machine loses capsh (libcap2-bin): the doctor says it stops a lab, and the table says so
        GenericContainer<?> carol = boxes.get("carol");
        root(carol, 0, "readlink -f \"$(command -v capsh)\" >/root/capsh.path && mv \"$(cat /root/capsh.path)\" /root/capsh.hidden");
        try {
            Run broken = playbook("preflight.yml");
            assertNotEquals(0, broken.exit(), "preflight should fail while a machine is not ready:\n" + broken.out());
            assertTableLine(broken, "alice", "yes", "");
            assertTableLine(broken, "carol", "NO", "capsh");
            assertTrue(broken.out().contains("not ready: carol"), "the last line should name who is not ready:\n" + broken.out());
        } finally {
            root(carol, 0, "mv /root/capsh.hidden \"$(cat /root/capsh.path)\" && rm /root/capsh.path");
        }
    }

    @Test
    @Order(4)
    void aliceSolvesLab04AndBobDoesNot() throws Exception {
        ExecResult alice = learner(boxes.get("alice"), "sudo ./jbang lab04 solve && sudo ./jbang lab04 check");
        assertEquals(0, alice.getExitCode(), "alice's solve and check:\n" + alice.getStdout() + alice.getStderr());
        // bob made the namespace and the pair, but left both ends in the root namespace with no addresses
        ExecResult bob = learner(boxes.get("bob"), "sudo ip netns add blue && sudo ip link add veth-host type veth peer name veth-blue"
            + " && sudo ./jbang lab04 check");
        assertEquals(1, bob.getExitCode(), "bob's check should fail:\n" + bob.getStdout() + bob.getStderr());
    }

    @Test
    @Order(5)
    void collectFetchesEveryProgressFileAndBuildsTheClassView() throws Exception {
        Run first = playbook("collect.yml");
        expect(0, first, "collect.yml");
        assertTrue(Files.isRegularFile(classDir.resolve("alice.json")), "alice.json collected");
        assertTrue(Files.isRegularFile(classDir.resolve("bob.json")), "bob.json collected");
        assertFalse(Files.exists(classDir.resolve("carol.json")), "carol ran no check: no file");
        assertTrue(Pattern.compile("carol\\s+no progress file yet").matcher(first.out()).find(),
            "collect should say carol has no progress file yet:\n" + first.out());
        JsonObject alice = JsonParser.parseString(Files.readString(classDir.resolve("alice.json"))).getAsJsonObject();
        assertTrue(alice.getAsJsonObject("labs").has("lab04"), "alice.json holds lab04's check: " + alice);

        Map<String, String> verdicts = lab04Verdicts(Files.readString(siteDir.resolve("class.html")));
        assertEquals(Map.of("alice.json", "ok", "bob.json", "bad"), verdicts, "the class view's lab04 column, per learner's file");

        // timed once the guide is compiled (the first collect did it): the fetch alone, then with the class view
        Run one = playbook("collect.yml", "-l", "alice,localhost", "-e", "build_class_view=false");
        expect(0, one, "collect.yml -l alice,localhost -e build_class_view=false");
        Run serial = playbook("collect.yml", "-f", "1", "-e", "build_class_view=false");
        expect(0, serial, "collect.yml -f 1 -e build_class_view=false");
        Run parallel = playbook("collect.yml", "-f", "3", "-e", "build_class_view=false");
        expect(0, parallel, "collect.yml -f 3 -e build_class_view=false");
        Run withView = playbook("collect.yml", "-f", "3");
        expect(0, withView, "collect.yml -f 3");
        timings.add(String.format("collect, the fetch: one machine %.1f s; three: %.1f s with forks=1, %.1f s with forks=3;"
            + " with ./jbang guide class after it (forks=3): %.1f s", one.millis() / 1000.0, serial.millis() / 1000.0,
            parallel.millis() / 1000.0, withView.millis() / 1000.0));
    }

    @Test
    @Order(6)
    void resetLeavesEveryMachineAsItsBaseline() throws Exception {
        Run r = playbook("reset.yml");
        expect(0, r, "reset.yml");
        for (String learner : LEARNERS) assertTableLine(r, learner, "yes", "");
        for (var e : boxes.entrySet()) {
            // the fingerprint again, read here rather than through the playbook
            String json = root(e.getValue(), 0, "cd /home/learner/unboxed && ./jbang doctor --leftovers --json").getStdout();
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            assertTrue(o.get("clean").getAsBoolean(), e.getKey() + " is not clean after reset: " + o);
            assertEquals("", root(e.getValue(), 0, "ip netns list").getStdout().strip(), e.getKey() + ": a namespace is left");
            root(e.getValue(), 0, "test ! -e /var/lib/unboxed/progress.json");
        }
        root(boxes.get("alice"), 0, "ls /var/lib/unboxed/progress-*.json");
    }

    @Test
    @Order(7)
    void cloudInitValidatesTheUserData() throws Exception {
        GenericContainer<?> box = boxes.get("carol");
        String userData = Files.readString(WORKSHOP.resolve("cloud-init.yaml"));
        box.copyFileToContainer(Transferable.of(userData), "/tmp/user-data.yaml");
        ExecResult ok = root(box, -1, "cloud-init schema --config-file /tmp/user-data.yaml");
        assertEquals(0, ok.getExitCode(), "cloud-init schema:\n" + ok.getStdout() + ok.getStderr());
        assertTrue(ok.getStdout().contains("Valid cloud-config"), ok.getStdout());
        // and the validator does reject a mistake
        box.copyFileToContainer(Transferable.of(userData.replace("lock_passwd: true", "lock_passwd: maybe")), "/tmp/broken.yaml");
        ExecResult bad = root(box, -1, "cloud-init schema --config-file /tmp/broken.yaml");
        assertNotEquals(0, bad.getExitCode(), "a boolean that is not one should be refused:\n" + bad.getStdout());
        assertTrue((bad.getStdout() + bad.getStderr()).contains("lock_passwd"), bad.getStdout() + bad.getStderr());
    }

    /**
     * cloud-init.yaml on a first boot, for real: cloud-init's own stages (init --local, init, config, final) in a fresh
     * machine with a NoCloud seed, as a VM's boot runs them (no systemd in a container, so one after another here). The
     * user-data is the shipped one with only what this machine's lack of network asks changed: the labs come from a
     * bundle of this checkout, no package step (git is there), and the learner's Maven cache is this host's (read-only),
     * so the real ./jbang warms up offline. Then the learner's `sudo ./jbang doctor` must pass.
     */
    @Test
    @Order(8)
    void cloudInitMakesALearnerMachineOnItsFirstBoot() throws Exception {
        Path m2 = Path.of(System.getProperty("user.home"), ".m2");
        assertTrue(Files.isDirectory(m2.resolve("repository/dev/jbang/jbang-cli")), "this test lends the machine " + m2
            + ", which has no jbang-cli yet: run `./jbang lab04 explain` once here (collect.yml's ./jbang guide does it)");
        String head = Cmd.run(List.of("git", "-C", Labs.ROOT.toString(), "rev-parse", "HEAD"), 30).out().strip();
        Cmd.Result bundle = Cmd.run(List.of("git", "-C", Labs.ROOT.toString(), "bundle", "create", tmp.resolve("labs.bundle").toString(), "--all"), 60);
        assertEquals(0, bundle.exit(), bundle.err());
        String userData = offlineUserData("/var/tmp/labs.bundle", head, "");
        GenericContainer<?> box = ContainerCycleTest.container(DockerEngine.learnerImage(), "sleep", "infinity");
        box.withCreateContainerCmdModifier(cmd -> {
            List<com.github.dockerjava.api.model.Bind> binds = new ArrayList<>(List.of(cmd.getHostConfig().getBinds()));
            binds.add(com.github.dockerjava.api.model.Bind.parse(m2 + ":/root/.m2:ro"));
            cmd.getHostConfig().withBinds(binds);
        });
        boxes.put("first-boot", box);
        box.start();
        box.copyFileToContainer(Transferable.of(Files.readAllBytes(tmp.resolve("labs.bundle")), 0644), "/var/tmp/labs.bundle");
        box.copyFileToContainer(Transferable.of(userData.getBytes(StandardCharsets.UTF_8), 0644), "/var/lib/cloud/seed/nocloud/user-data");
        box.copyFileToContainer(Transferable.of("instance-id: dora-1\nlocal-hostname: dora\n".getBytes(StandardCharsets.UTF_8), 0644),
            "/var/lib/cloud/seed/nocloud/meta-data");
        // the machine as a cloud image has it: no learner yet (the image's account goes), root's Maven cache lent;
        // only the NoCloud seed is looked for, and the locale is one glibc has built in (a minimal image generates none)
        root(box, 0, "userdel -r learner && rm /etc/sudoers.d/learner && chmod 0711 /root"
            + " && mount -o remount,bind,rw /proc/sys"
            + " && printf 'datasource_list: [NoCloud]\\nlocale: C.UTF-8\\n' >/etc/cloud/cloud.cfg.d/99-unboxed-test.cfg");
        long t0 = System.nanoTime();
        ExecResult boot = root(box, -1, "cloud-init init --local; cloud-init init; cloud-init modules --mode config;"
            + " cloud-init modules --mode final; cloud-init status --long");
        String log = boot.getStdout() + boot.getStderr();
        timings.add(String.format("cloud-init's first boot, up to ./jbang warmed: %.1f s", (System.nanoTime() - t0) / 1e9));
        assertTrue(boot.getStdout().contains("status: done"), "cloud-init did not finish cleanly:\n" + log);
        assertEquals("learner", root(box, 0, "stat -c %U /home/learner/unboxed/labs").getStdout().strip(), log);
        assertEquals(head, root(box, 0, "su learner -c 'git -C /home/learner/unboxed rev-parse HEAD'").getStdout().strip());
        assertTrue(log.contains("jbang ready for learner") && log.contains("jbang ready for root"), log);
        ExecResult doctor = learner(box, "sudo ./jbang doctor");
        assertEquals(0, doctor.getExitCode(), "the learner's doctor on the new machine:\n" + doctor.getStdout() + doctor.getStderr());
    }

    /**
     * workshop/cloud-init.yaml with only what a machine without network asks changed: the labs come from the git
     * BUNDLE at REVISION, no package step (git is there already), and the learner's Maven cache is root's /root/.m2,
     * which holds this host's cache lent read-only (mode 750: the learner reads it as a member of root's group).
     * FIRST: runcmd entries (YAML lines) that go before the shipped ones, e.g. what mounts the bundle and the cache.
     */
    static String offlineUserData(String bundle, String revision, String first) throws IOException {
        String shipped = Files.readString(WORKSHOP.resolve("cloud-init.yaml"));
        String userData = shipped
            .replaceFirst("repository=\\S+", "repository=" + bundle)
            .replaceFirst("revision=\\S+", "revision=" + revision)
            .replaceFirst("package_update: true\n", "package_update: false\n")
            .replaceFirst("(?m)^packages:\n(  - .*\n)+", "")
            .replaceFirst("(?m)^runcmd:\n", "runcmd:\n" + Matcher.quoteReplacement(first)
                + "  - [usermod, -a, -G, root, learner]\n  - [ln, -s, /root/.m2, /home/learner/.m2]\n");
        assertNotEquals(shipped, userData);
        for (String changed : List.of("repository=" + bundle, "revision=" + revision, "package_update: false", "/root/.m2")) {
            assertTrue(userData.contains(changed), "the test's user-data lacks " + changed + ": cloud-init.yaml changed shape?\n" + userData);
        }
        return userData;
    }

    /** The class view's lab04 cell per learner's file: ok, bad or none. */
    static Map<String, String> lab04Verdicts(String html) {
        List<String> labs = new ArrayList<>();
        Matcher h = Pattern.compile("<th scope=\"col\" class=\"lab-col\">.*?>(lab\\d\\d)<").matcher(html);
        while (h.find()) labs.add(h.group(1));
        int column = labs.indexOf("lab04");
        assertTrue(column >= 0, "no lab04 column in the class view: " + labs);
        Map<String, String> verdicts = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?s)<tr class=\"learner[^\"]*\".*?<span class=\"muted file\">([^<]+)</span>(.*?)</tr>").matcher(html);
        while (row.find()) {
            Matcher cell = Pattern.compile("<td class=\"cell (ok|bad|none)\"").matcher(row.group(2));
            List<String> cells = new ArrayList<>();
            while (cell.find()) cells.add(cell.group(1));
            verdicts.put(row.group(1).strip(), cells.get(column));
        }
        return verdicts;
    }

    /** A line of a playbook's table: LEARNER, then the verdict, then text containing WHY. */
    static void assertTableLine(Run r, String learner, String verdict, String why) {
        Pattern p = Pattern.compile("\"" + learner + "\\s+" + verdict + "\\s+([^\"]*)\"");
        Matcher m = p.matcher(r.out());
        assertTrue(m.find() && m.group(1).contains(why), "no line '" + learner + " " + verdict + " ..." + why
            + "' in the table:\n" + r.out());
    }

    Run playbook(String name, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ansible-playbook", "-i", tmp.resolve("inventory.ini").toString(), name,
            "-e", "class_dir=" + classDir, "-e", "site_dir=" + siteDir));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(WORKSHOP.toFile()).redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("ANSIBLE_CONFIG", WORKSHOP.resolve("ansible.cfg").toString());
        env.put("ANSIBLE_HOME", tmp.resolve("ansible").toString());
        env.put("ANSIBLE_LOCAL_TEMP", tmp.resolve("ansible/tmp").toString());
        env.put("ANSIBLE_SSH_CONTROL_PATH_DIR", tmp.resolve("cp").toString());
        env.put("ANSIBLE_NOCOLOR", "1");
        env.put("TMPDIR", tmp.toString());
        long t0 = System.nanoTime();
        Process p = pb.start();
        // read to the end before waiting: a playbook's output can fill the pipe
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(PLAYBOOK_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(name + " did not finish within " + PLAYBOOK_TIMEOUT_S + " s:\n" + out);
        }
        return new Run(p.exitValue(), out, (System.nanoTime() - t0) / 1_000_000);
    }

    static void expect(int exit, Run r, String what) {
        assertEquals(exit, r.exit(), "`ansible-playbook " + what + "` exited " + r.exit() + ":\n" + r.out());
    }

    /** A command as root on a learner machine; fails unless it exits with expected (-1: any). */
    static ExecResult root(GenericContainer<?> box, int expected, String command) throws Exception {
        ExecResult r = box.execInContainer("sh", "-c", command);
        if (expected >= 0 && r.getExitCode() != expected) {
            throw new AssertionError("`" + command + "` exited " + r.getExitCode() + ":\n" + r.getStdout() + r.getStderr());
        }
        return r;
    }

    /** What the learner types in a login shell on their machine, in the labs' folder. */
    static ExecResult learner(GenericContainer<?> box, String command) throws Exception {
        return box.execInContainer("su", "-", "learner", "-c", "cd ~/unboxed && " + command);
    }
}
