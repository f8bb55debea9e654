package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import unboxed.sys.Cmd;

/**
 * Every lab's whole cycle on a real cgroup-v2 kernel: this project's machines are hybrid cgroup v1, most learners'
 * VMs are pure v2. Boots, once for all labs, the Debian 12 guest that .ci/vm/build-guest builds and caches (QEMU with
 * software emulation: KVM is not usable on these machines), with the compiled labs and their class path on a second
 * disk; inside, unboxed.VmGuest walks the learner's paths (run, the exercise by hand, check, reset, lab after lab:
 * {@link LearnerPath}) on the freshly booted machine, then solve / check (passes) / reset per lab, and compares host
 * fingerprints; last it records every lab's transcript, which the guides show (this guest is their reference machine:
 * referenceTranscripts). The serial log is kept as BUILD/vm/serial.log.
 *
 * <p>The guest touches nothing of the host (its NIC is QEMU's user network with restrict=on, which lets no packet
 * out; no mounts; its disks are files), so this class runs beside the rest of the suite (JUnit's parallel
 * execution, on for this class only: every other class runs one at a time on the suite's own thread), with QEMU niced,
 * on the CPU the suite leaves idle: beside it the guest takes about twice as long as alone and the host tests run
 * slower meanwhile, but the whole suite ends some minutes sooner (README).
 * The guest image is built first, alone ({@link VmGuestImageTest}). The background lane holds one guest at a time:
 * {@link WorkshopFirstBootVmTest} boots the same image after this class (ordered after it, and never at the same
 * time: both take the resource lock {@value #GUEST}), since two emulated guests on two cores would starve the suite.
 *
 * <p>-Dunboxed.vm.labs=lab06,lab04 cycles only those labs (default: every lab in labs/ whose class loads).
 */
@Tag("vm")
@Order(2)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(VmLabsTest.GUEST)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VmLabsTest {
    /** JUnit's resource lock of the classes that boot the guest: one emulated guest at a time beside the suite. */
    static final String GUEST = "unboxed-guest";
    static final Path REPO = Path.of("").toAbsolutePath();
    /** Cold: debootstrap and mkfs (about 2.5 min here). */
    static final long BUILD_TIMEOUT_S = 1800;
    /** Boot and every lab's cycle under emulation. */
    static final long BOOT_TIMEOUT_S = 2700;   // beside the suite: about twice what it takes alone
    static final Path JAR = Path.of(System.getProperty("java.home"), "bin", "jar");
    static final Pattern RESULT = Pattern.compile("^UNBOXED-VM (\\S+) ?(.*)$");
    static final Pattern TRANSCRIPT = Pattern.compile("^" + VmGuest.TRANSCRIPT + "(\\S+) ([A-Za-z0-9+/=]+)$");

    /**
     * -Dunboxed.vm.record=true (.ci/vm/record): the guest only records the labs' transcripts, and they are written to
     * labs/transcripts as the guides' main ones; otherwise they are compared with those (referenceTranscripts).
     */
    static final boolean RECORD = Boolean.getBoolean("unboxed.vm.record");

    Path work, serial;
    final Map<String, String> labs = new LinkedHashMap<>();
    /** The transcript files the guest recorded, base64 as it printed them: "lab06" -> "IyBsYWIwNi..." */
    final Map<String, StringBuilder> transcripts = new LinkedHashMap<>();
    /** What the guest reported: "cgroup" -> "cgroup2fs", "lab06" -> "PASS 40.1s", ... */
    final Map<String, String> reported = new LinkedHashMap<>();
    String log = "";

    @BeforeAll
    void bootTheGuestOnce() throws Exception {
        work = buildDir().resolve("vm");
        Cmd.run("rm", "-rf", work.toString()).orThrow();
        Files.createDirectories(work);
        serial = work.resolve("serial.log");
        labs.putAll(labsToCycle());

        GuestImage image = guestImage();
        Path guest = image.dir();

        long t1 = System.nanoTime();
        Path payload = payloadDisk();
        String payloadTime = seconds(t1);

        long t2 = System.nanoTime();
        // the Vagrant VM's NIC, eth0 (the guides show its name): QEMU's user network, restrict=on: no packet of the
        // guest reaches the host or beyond
        List<String> qemu = qemu(guest, serial, "max", "user,restrict=on,model=virtio-net-pci", "net.ifnames=0 systemd.unit=unboxed-vm.target",
            "-drive", "file=" + payload + ",format=raw,if=virtio,readonly=on");
        boolean exited = boot(qemu, work, BOOT_TIMEOUT_S);
        String bootTime = seconds(t2);
        log = Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1) : "";
        reported.putAll(results(log));
        for (String line : log.split("\r?\n")) {
            Matcher t = TRANSCRIPT.matcher(line.strip());
            if (t.matches()) transcripts.computeIfAbsent(t.group(1), k -> new StringBuilder()).append(t.group(2));
        }
        String times = "guest image " + image.how() + ", payload disk "
            + payloadTime + ", boot to result " + bootTime + " for " + labs.size() + " labs";
        Files.writeString(work.resolve("times"), times + "\n");
        System.out.println("VmLabsTest: " + times + "; serial log " + serial);
        assertTrue(exited, "the guest did not power off within " + BOOT_TIMEOUT_S + " s; serial log " + serial + ":\n" + tail(40));
        assertTrue(reported.containsKey("done"), "the guest never finished its run; serial log " + serial + ":\n" + tail(40));
    }

    @Test
    void theGuestRunsCgroupV2() {
        assertEquals("cgroup2fs", reported.get("cgroup"), "file system type of /sys/fs/cgroup in the guest; log " + serial);
        assertTrue(reported.getOrDefault("controllers", "").contains("memory"), "memory controller on v2: " + reported.get("controllers"));
    }

    /** The guest has cloud-init (WorkshopFirstBootVmTest's first boot): without a NoCloud seed it stays disabled. */
    @Test
    void cloudInitStaysDisabledWithoutASeed() {
        assertEquals("disabled", reported.get("cloud-init"), "`cloud-init status` in a boot without a seed; log " + serial);
    }

    /** The reference machine has the Vagrant VM's interfaces: lo, and eth0 up with an address (the guides show them). */
    @Test
    void theGuestHasTheVagrantVmsInterfaces() {
        assertEquals("lo eth0", reported.get("links"), "the guest's interfaces (.ci/vm/guest-run); log " + serial);
    }

    /**
     * The learner's paths on a freshly booted machine (issue 12): lab after lab, run, the exercise by hand, check,
     * reset, in the README's order and in another one without resets in between; the host as before the first lab.
     */
    @TestFactory
    Stream<DynamicTest> learnerPaths() {
        return LearnerPath.WALKS.stream().map(w -> DynamicTest.dynamicTest(w.name() + ": " + w.meaning(), () -> {
            String result = reported.get(w.name());
            // -Dunboxed.vm.labs narrowed the run to labs this walk does not take: skipped, and said so (not a pass)
            org.junit.jupiter.api.Assumptions.assumeFalse(result != null && result.startsWith("SKIPPED"), () -> w.name() + ": " + result);
            if (result == null || !result.startsWith("PASS")) {
                StringBuilder lines = new StringBuilder(linesOf(w.name()));
                for (String id : w.labs()) lines.append(linesOf(id));
                String s = lines.toString();
                fail(w.name() + ": " + (result == null ? "no result line" : result) + "\n"
                    + (s.length() > 12000 ? "...\n" + s.substring(s.length() - 12000) : s) + "\nserial log: " + serial);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyLabsCycle() {
        return labs.keySet().stream().map(id -> DynamicTest.dynamicTest(id + " solve/check/reset on cgroup v2", () -> {
            String result = reported.get(id);
            if (result == null || !result.startsWith("PASS")) {
                fail(id + ": " + (result == null ? "no result line" : result) + "\n" + linesOf(id) + "\nserial log: " + serial);
            }
        }));
    }

    /** Other correct ways to do an exercise that only the guest can take (systemd), and a near miss of each. */
    @TestFactory
    Stream<DynamicTest> alternativesOnTheGuest() {
        return LearnerPath.alternatives().stream().filter(a -> labs.containsKey(a.lab())).map(a -> DynamicTest.dynamicTest(a.name() + ": " + a.meaning(), () -> {
            String result = reported.get(a.name());
            if (result == null || !result.startsWith("PASS")) {
                fail(a.name() + ": " + (result == null ? "no result line" : result) + "\n" + linesOf(a.name()) + "\nserial log: " + serial);
            }
        }));
    }

    /** lab06's shell lines typed in order on cgroup v2 (ShellLinesTest types every lab's on this host's v1, in a container). */
    @TestFactory
    Stream<DynamicTest> shellLinesOnCgroupV2() {
        return ShellLines.IN_GUEST.stream().filter(labs::containsKey).map(id -> DynamicTest.dynamicTest(id + "'s shell lines on cgroup v2", () -> {
            String result = reported.get("lines-" + id);
            if (result == null || !result.startsWith("PASS")) {
                fail("lines-" + id + ": " + (result == null ? "no result line" : result) + "\n" + linesOf("lines-" + id) + "\nserial log: " + serial);
            }
        }));
    }

    /** The runtime's cpu limit on cgroup v2: cpu turned on in the root's subtree_control, kept while needed, off after. */
    @TestFactory
    Stream<DynamicTest> boxCpuOnCgroupV2() {
        return boxCheck(VmGuest.BOX_CPU, "box: a cpu limit on cgroup v2, two containers");
    }

    /** The guest's check of lab13's runtime whose result line has {@code tag}, as a test called {@code name}. */
    private Stream<DynamicTest> boxCheck(String tag, String name) {
        return Stream.of("lab13").filter(labs::containsKey).map(id -> DynamicTest.dynamicTest(name, () -> {
            String result = reported.get(tag);
            if (result == null || !result.startsWith("PASS")) {
                fail(tag + ": " + (result == null ? "no result line" : result) + "\n" + linesOf(tag) + "\nserial log: " + serial);
            }
        }));
    }

    /** A user namespace on cgroup v2: runc spec --rootless's bundle seen alike under runc and box; exit 3 where the kernel allows none. */
    @TestFactory
    Stream<DynamicTest> boxUserNamespaceOnCgroupV2() {
        return boxCheck(VmGuest.BOX_USERNS, "box: a user namespace on cgroup v2");
    }

    /**
     * The guides show what the labs print on this reference machine (issue 15): the guest recorded every lab as
     * `guide --record` does, and each stored transcript (labs/transcripts/labNN.txt) must say the same (numbers aside).
     * The recordings are kept as BUILD/vm/transcripts/labNN.txt; `.ci/vm/record labNN` stores them.
     */
    @TestFactory
    Stream<DynamicTest> referenceTranscripts() {
        return labs.keySet().stream().map(id -> DynamicTest.dynamicTest(id + "'s transcript is what the guest prints", () -> {
            String result = reported.get("transcript-" + id);
            if (result == null || !result.startsWith("PASS") || !transcripts.containsKey(id)) {
                fail("transcript-" + id + ": " + (result == null ? "no result line" : result) + "\n"
                    + linesOf("transcript-" + id) + "\nserial log: " + serial);
            }
            String text = new String(java.util.Base64.getDecoder().decode(transcripts.get(id).toString()), StandardCharsets.UTF_8);
            Path fresh = work.resolve("transcripts").resolve(id + ".txt");
            Files.createDirectories(fresh.getParent());
            Files.writeString(fresh, text);
            Path stored = unboxed.transcript.Transcript.file(REPO.resolve("labs/transcripts"), id);
            if (RECORD) {
                Files.writeString(stored, text);
                Files.setOwner(stored, Files.getOwner(stored.getParent()));
                System.out.println("VmLabsTest: recorded " + REPO.relativize(stored));
                return;
            }
            assertTrue(Files.exists(stored), stored + " is missing; the guest's recording is " + fresh + " (.ci/vm/record " + id + ")");
            List<String> stale = unboxed.transcript.Transcript.differences(
                unboxed.transcript.Transcript.read(stored.getParent(), id).orElseThrow(),
                unboxed.transcript.Transcript.parse(id, fresh.toString(), text));
            assertTrue(stale.isEmpty(), "labs/transcripts/" + id + ".txt is not what the lab prints on the reference machine"
                + " (the guest recorded " + fresh + "; review the diff, then store it with `.ci/vm/record " + id + "`):\n"
                + String.join("\n", stale));
        }));
    }

    /**
     * QEMU booting the guest directly (its kernel and initrd), software emulation with two vCPUs of model CPU, the
     * serial console to SERIAL, the root image with snapshot=on (the guest's writes go to a temp file, the cached
     * image stays as built), its NIC as QEMU's -nic option says ("none", or a user network with restrict=on: no packet
     * leaves the guest), and what EXTRA adds (the test's disks), with APPEND on the kernel command line. Niced: the
     * guest runs beside the rest of the suite (see the class comment) and takes the CPU it leaves idle.
     */
    static List<String> qemu(Path guest, Path serial, String cpu, String nic, String append, String... extra) {
        List<String> qemu = new ArrayList<>(List.of("nice", "-n", "10", "qemu-system-x86_64", "-accel", "tcg,thread=multi", "-cpu", cpu, "-smp", "2",
            "-m", "3072", "-nodefaults", "-display", "none", "-no-reboot", "-nic", nic,
            "-serial", "file:" + serial,
            "-kernel", guest.resolve("vmlinuz").toString(), "-initrd", guest.resolve("initrd.img").toString(),
            "-append", "root=/dev/vda rw console=ttyS0 quiet panic=-1 " + append,
            "-drive", "file=" + guest.resolve("rootfs.raw") + ",format=raw,if=virtio,snapshot=on"));
        qemu.addAll(List.of(extra));
        return qemu;
    }

    /** Runs QEMU (its command line and output kept in WORK); true if the guest powered off within the time. */
    static boolean boot(List<String> qemu, Path work, long timeoutS) throws IOException, InterruptedException {
        Files.writeString(work.resolve("qemu-command"), String.join(" ", qemu) + "\n");
        Process p = new ProcessBuilder(qemu).redirectErrorStream(true).redirectOutput(work.resolve("qemu.out").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        boolean exited = p.waitFor(timeoutS, TimeUnit.SECONDS);
        if (!exited) p.destroyForcibly().waitFor();
        return exited;
    }

    /** The guest's "UNBOXED-VM KEY VALUE" lines of a serial log: KEY -> VALUE (the last one wins). */
    static Map<String, String> results(String log) {
        Map<String, String> reported = new LinkedHashMap<>();
        for (String line : log.split("\r?\n")) {
            Matcher m = RESULT.matcher(line.strip());
            if (m.matches()) reported.put(m.group(1), m.group(2));
        }
        return reported;
    }

    /** Fails, naming the packages, when a tool is missing (never skips). */
    static void requireTools() {
        List<String> missing = new ArrayList<>();
        if (!Cmd.has("qemu-system-x86_64")) missing.add("qemu-system-x86");
        if (!Cmd.has("debootstrap")) missing.add("debootstrap");
        if (!Cmd.has("mkfs.ext4")) missing.add("e2fsprogs");
        if (!Files.isExecutable(JAR)) missing.add("openjdk-17-jdk-headless (the jar tool)");
        assertTrue(missing.isEmpty(), "the VM tests need " + missing + ": apt-get install " + String.join(" ", missing)
            + " (or run .ci/provision)");
        assertEquals("0", Cmd.run("id", "-u").out().strip(), "the VM tests build the guest as root");
    }

    /** The cgroup-v2 guest's files (vmlinuz, initrd.img, rootfs.raw) and how they came: "built in 250.1s" or "cached". */
    record GuestImage(Path dir, String how) {}

    private static GuestImage image;

    /**
     * .ci/vm/build-guest, once per test JVM: VmGuestImageTest calls it first on the suite's own thread, so a cold
     * build (debootstrap in a mount namespace of its own, minutes) never runs beside a test that fingerprints the host;
     * this class, running beside the suite, waits here until it is done.
     */
    static synchronized GuestImage guestImage() {
        if (image != null) return image;
        requireTools();
        long t0 = System.nanoTime();
        Cmd.Result built = Cmd.run(List.of(REPO.resolve(".ci/vm/build-guest").toString()), BUILD_TIMEOUT_S);
        assertEquals(0, built.exit(), ".ci/vm/build-guest failed:\n" + built.err() + built.out());
        Path dir = Path.of(built.out().strip().lines().reduce((a, b) -> b).orElse(""));
        image = new GuestImage(dir, built.err().contains("ready in") ? "built in " + seconds(t0) : "cached");
        return image;
    }

    /** ${unboxed.build}: the parent of the folder these test classes were loaded from. */
    static Path buildDir() throws URISyntaxException {
        return Path.of(VmLabsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
    }

    /** id -> main class of every lab file whose class loads and defines a lab; lab06 and lab04 first. */
    static Map<String, String> labsToCycle() throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        Pattern cls = Pattern.compile("(?m)^class (\\w+)");
        List<Path> files;
        try (Stream<Path> s = Files.list(REPO.resolve("labs"))) {
            files = s.filter(f -> f.getFileName().toString().matches("lab\\d\\d-.*\\.java")).sorted(
                Comparator.comparing((Path f) -> !f.getFileName().toString().startsWith("lab06"))
                    .thenComparing(f -> !f.getFileName().toString().startsWith("lab04"))
                    .thenComparing(Path::toString)).toList();
        }
        for (Path f : files) {
            Matcher m = cls.matcher(Files.readString(f));
            if (!m.find()) continue;
            try {
                Class.forName(m.group(1)).getDeclaredMethod("lab");
            } catch (ReflectiveOperationException | LinkageError noLab) {
                System.out.println("VmLabsTest: not cycling " + f.getFileName() + " (" + noLab + ")");
                continue;
            }
            all.put(f.getFileName().toString().substring(0, 5), m.group(1));
        }
        String only = System.getProperty("unboxed.vm.labs", "");
        if (!only.isBlank()) all.keySet().retainAll(List.of(only.split(",")));
        assertTrue(!all.isEmpty(), "no lab to cycle (labs/ and -Dunboxed.vm.labs=" + only + ")");
        return all;
    }

    /** The second disk: this JVM's class path, the guest's run script and the lab list, as an ext4 image. */
    Path payloadDisk() throws IOException {
        Path dir = work.resolve("payload"), cp = dir.resolve("cp");
        Files.createDirectories(cp);
        List<String> order = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(":")) {
            Path src = Path.of(e);
            if (!Files.exists(src)) continue;
            String name = (i++) + "-" + src.getFileName();
            if (Files.isDirectory(src)) {
                // as a jar: the guest's JVMs share a class data archive, and CDS archives classes from jars only
                name += ".jar";
                Cmd.run(List.of(JAR.toString(), "cf", cp.resolve(name).toString(), "-C", src.toString(), "."), 120).orThrow();
            } else {
                Files.copy(src, cp.resolve(name));
            }
            order.add(name);
        }
        Files.write(dir.resolve("classpath"), order);
        List<String> labLines = new ArrayList<>();
        labs.forEach((id, cls) -> labLines.add(id + "=" + cls));
        Files.write(dir.resolve("labs"), labLines);
        Files.writeString(dir.resolve("mode"), RECORD ? "record-only\n" : "");
        Files.copy(REPO.resolve(".ci/vm/guest-run"), dir.resolve("run"));
        Files.copy(REPO.resolve("jbang-catalog.json"), dir.resolve("jbang-catalog.json"));
        Cmd.run("chmod", "-R", "a+rX,u+w", dir.toString()).orThrow();
        Cmd.run("chmod", "755", dir.resolve("run").toString()).orThrow();
        long mb = Long.parseLong(Cmd.run("du", "-sm", dir.toString()).orThrow().out().split("\\s")[0]) + 64;
        Path disk = work.resolve("payload.raw");
        Cmd.run(List.of("mkfs.ext4", "-q", "-L", "unboxed-payload", "-d", dir.toString(), disk.toString(), mb + "M"), 120).orThrow();
        return disk;
    }

    String linesOf(String id) {
        StringBuilder b = new StringBuilder();
        for (String line : log.split("\r?\n")) if (line.startsWith(id + "| ")) b.append(line).append('\n');
        String s = b.toString();
        return s.length() > 8000 ? "...\n" + s.substring(s.length() - 8000) : s;
    }

    String tail(int n) {
        List<String> lines = List.of(log.split("\r?\n"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    static String seconds(long startNanos) {
        return String.format("%.1f s", (System.nanoTime() - startNanos) / 1e9);
    }
}
