package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import unboxed.sys.Cmd;

/**
 * workshop/cloud-init.yaml booted for real (issue 21): the VM tests' cgroup-v2 guest (.ci/vm/build-guest, which has
 * cloud-init) booted once to its default target with a NoCloud seed, a vfat disk labelled cidata holding the user-data,
 * the meta-data, a git bundle of this checkout and the guest's report script (.ci/vm/first-boot-run, which
 * unboxed-vm.service runs: systemd.wants= on the kernel command line). The user-data is the shipped one adapted only
 * where the missing network forces it, as WorkshopTest's container boot does ({@link WorkshopTest#offlineUserData}):
 * the labs from the bundle, no package step, and this host's Maven cache lent read-only (a 9p share of ~/.m2, not a
 * copy). The guest reports over ttyS0: cloud-init done with no errors, the labs at this revision and the learner's,
 * sudo for the learner, and the learner's {@code sudo ./jbang doctor} exit code. Serial log: BUILD/vm-first-boot/serial.log.
 *
 * <p>A second, short boot without a seed shows the guest's other users (VmLabsTest, the Vagrant box) unaffected:
 * ds-identify finds no datasource, cloud-init stays disabled, and the boot reaches userspace as fast as before.
 *
 * <p>Like {@link VmLabsTest}, it runs beside the rest of the suite (QEMU niced, the guest touches nothing of the host),
 * after VmLabsTest and never at the same time (the resource lock {@value VmLabsTest#GUEST}), on the image
 * {@link VmLabsTest#guestImage()} built first, alone.
 */
@Tag("vm")
@Order(3)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(VmLabsTest.GUEST)
class WorkshopFirstBootVmTest {
    /**
     * Boot, cloud-init's stages, ./jbang warmed (lab04 compiled for root, fetched for the learner) and the doctor, under
     * emulation: 485 s on 2 cores beside other engineers' builds (2026-12-04: userspace at 48 s, cloud-init done at
     * 350, of it 102 s the learner's fetch and 153 s root's compile; then the doctor 106 s; 609 s at a load of 4 to 11;
     * it was 1028 to 1214 s when lab04 was compiled for both users and the JVMs ran with HotSpot's defaults); about
     * three times that, for the run beside the suite on a busy machine. .ci/vm/first-boot-run waits 1200 s for
     * cloud-init.
     */
    static final long FIRST_BOOT_TIMEOUT_S = 1500;
    static final long PLAIN_BOOT_TIMEOUT_S = 600;
    static final Path M2 = Path.of(System.getProperty("user.home"), ".m2");
    /**
     * The guest's JVMs (jbang, javac, Maven, the labs) under software emulation: the C1 compiler alone and the serial
     * collector, as VmLabsTest's guest runs its JVMs (.ci/vm/guest-run) and ./jbang runs jbang-cli. Under TCG, C2's
     * compilations and G1's barriers are emulated too, and the first boot is mostly javac compiling the lib (once for
     * root in cloud-init's runcmd, once more for the doctor). Set with systemd.setenv on the kernel command line, and
     * passed through su and sudo to the learner's doctor by .ci/vm/first-boot-run.
     */
    static final String JVMS_UNDER_EMULATION = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    @Test
    void theUserDataMakesALearnerMachineOnTheGuestsFirstBoot() throws Exception {
        requireTools();
        assertTrue(Files.isDirectory(M2.resolve("repository/dev/jbang/jbang-cli")), "this test lends the guest " + M2
            + ", which has no jbang-cli yet: run `./jbang lab04 explain` once here");
        Path work = work("vm-first-boot");
        Path guest = VmLabsTest.guestImage().dir();

        String head = Cmd.run(List.of("git", "-C", Labs.ROOT.toString(), "rev-parse", "HEAD"), 30).out().strip();
        Path bundle = work.resolve("labs.bundle");
        Cmd.run(List.of("git", "-C", Labs.ROOT.toString(), "bundle", "create", bundle.toString(), "--all"), 60).orThrow();
        // the seed disk itself holds the bundle (mounted again by runcmd), and the host's ~/.m2 is the 9p share "m2";
        // the learner reaches it through /root, which a Debian image makes 0700 (WorkshopTest's container: 0711 too)
        String userData = WorkshopTest.offlineUserData("/var/tmp/seed/labs.bundle", head, """
              - [chmod, "0711", /root]
              - [mkdir, -p, /var/tmp/seed, /root/.m2]
              - [mount, -o, ro, LABEL=cidata, /var/tmp/seed]
              - [mount, -t, 9p, -o, "trans=virtio,version=9p2000.L,ro", m2, /root/.m2]
            """);
        Files.writeString(work.resolve("user-data"), userData);
        Files.writeString(work.resolve("meta-data"), "instance-id: first-boot-1\nlocal-hostname: unboxed-vm\n");
        // what a cloud image's vendor sets: the locale one glibc has built in (this minimal guest generates none)
        Files.writeString(work.resolve("vendor-data"), "#cloud-config\nlocale: C.UTF-8\n");
        Path seed = vfat(work, "cidata", work.resolve("user-data"), work.resolve("meta-data"), work.resolve("vendor-data"), bundle);

        long t0 = System.nanoTime();
        Map<String, String> r = boot(guest, work, seed, FIRST_BOOT_TIMEOUT_S,
            "-virtfs", "local,path=" + M2.toRealPath() + ",mount_tag=m2,security_model=none,readonly=on");
        String log = Files.readString(work.resolve("serial.log"), StandardCharsets.ISO_8859_1);
        // where the time went, in seconds of the guest's uptime (.ci/vm/first-boot-run's at-STEP lines)
        StringBuilder steps = new StringBuilder();
        r.forEach((k, v) -> { if (k.startsWith("at-")) steps.append(", ").append(k.substring(3)).append(' ').append(v); });
        String times = String.format("boot to the report %.1f s: userspace at %s s%s, cloud-init done at %s s, doctor %s",
            (System.nanoTime() - t0) / 1e9, r.get("userspace"), steps, r.get("cloud-init"), r.get("doctor"));
        Files.writeString(work.resolve("times"), times + "\n");
        System.out.println("WorkshopFirstBootVmTest: " + times + "; serial log " + work.resolve("serial.log"));
        String why = "\nserial log " + work.resolve("serial.log") + ":\n" + lines(log, "status|", "output|", "doctor|");

        assertTrue(r.containsKey("doctor"), "the guest never got to the doctor" + why);
        assertEquals("done", r.get("status"), "cloud-init status" + why);
        assertEquals("[]", r.get("errors"), "cloud-init's errors (/run/cloud-init/result.json)" + why);
        assertTrue(log.contains("jbang ready for learner") && log.contains("jbang ready for root"), "learner-machine's warm-up" + why);
        assertEquals(head, r.get("revision"), "the learner's labs at this checkout's HEAD" + why);
        assertEquals("learner", r.get("owner"), "the labs' folder should be the learner's" + why);
        assertEquals("root", r.get("sudo"), "the learner's sudo (no password)" + why);
        assertTrue(r.get("doctor").startsWith("0 "), "the learner's `sudo ./jbang doctor` exit code: " + r.get("doctor") + why);
    }

    @Test
    void withoutASeedCloudInitStaysDisabled() throws Exception {
        requireTools();
        Path work = work("vm-plain-boot");
        Path guest = VmLabsTest.guestImage().dir();
        Path disk = vfat(work, "payload");
        Map<String, String> r = boot(guest, work, disk, PLAIN_BOOT_TIMEOUT_S);
        String log = Files.readString(work.resolve("serial.log"), StandardCharsets.ISO_8859_1);
        String why = "; serial log " + work.resolve("serial.log") + ":\n" + lines(log, "ds-identify|");
        System.out.println("WorkshopFirstBootVmTest: a boot without a seed reached userspace at " + r.get("userspace") + " s");
        assertEquals("disabled", r.get("status"), "cloud-init without a seed" + why);
        // nothing of cloud-init's in the boot but its generator: the boot is as short as before cloud-init was installed
        assertEquals("none", r.get("units"), "cloud-init's units started or queued without a seed" + why);
    }

    /**
     * The guest booted to its default target (as a cloud or Vagrant boots it) with unboxed-vm.service pulled in, which
     * mounts DISK (/dev/vdb) and runs .ci/vm/first-boot-run from it; the guest's UNBOXED-VM lines.
     */
    static Map<String, String> boot(Path guest, Path work, Path disk, long timeoutS, String... extra) throws Exception {
        Path serial = work.resolve("serial.log");
        List<String> args = new ArrayList<>(List.of("-drive", "file=" + disk + ",format=raw,if=virtio,readonly=on"));
        args.addAll(List.of(extra));
        // qemu64: the CPU model the Vagrant box runs Maven's JVMs under (see .ci/vm/build-box)
        // no login prompt on ttyS0: agetty's vhangup() would cut the report's output there
        // no NIC: the user-data's package step, which would need one, is done in the image (.ci/vm/build-guest)
        // JVMS_UNDER_EMULATION for every unit systemd starts (cloud-init's runcmd, the report): the test's guest, not the
        // user-data's (a learner's machine has KVM, where HotSpot's defaults are right)
        List<String> qemu = VmLabsTest.qemu(guest, serial, "qemu64", "none",
            "systemd.wants=unboxed-vm.service systemd.mask=serial-getty@ttyS0.service"
                + " \"systemd.setenv=JAVA_TOOL_OPTIONS=" + JVMS_UNDER_EMULATION + "\"", args.toArray(String[]::new));
        boolean exited = VmLabsTest.boot(qemu, work, timeoutS);
        String log = Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1) : "";
        assertTrue(exited, "the guest did not power off within " + timeoutS + " s; serial log " + serial + ":\n" + tail(log));
        return VmLabsTest.results(log);
    }

    /** A vfat image labelled LABEL holding .ci/vm/first-boot-run as run, and FILES; made without mounting anything. */
    static Path vfat(Path work, String label, Path... files) throws Exception {
        Path image = work.resolve(label + ".vfat");
        long kb = 8192;
        for (Path f : files) kb += Files.size(f) / 1024 + 4;
        Cmd.run(List.of("mkfs.vfat", "-C", "-n", label, image.toString(), Long.toString(kb)), 60).orThrow();
        Path run = work.resolve("run");
        Files.copy(Labs.ROOT.resolve(".ci/vm/first-boot-run"), run, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> copy = new ArrayList<>(List.of("mcopy", "-i", image.toString(), run.toString()));
        for (Path f : files) copy.add(f.toString());
        copy.add("::");
        Cmd.run(copy, 60).orThrow();
        return image;
    }

    static Path work(String name) throws Exception {
        Path work = VmLabsTest.buildDir().resolve(name);
        Cmd.run("rm", "-rf", work.toString()).orThrow();
        Files.createDirectories(work);
        return work;
    }

    static void requireTools() {
        VmLabsTest.requireTools();
        List<String> missing = new ArrayList<>();
        if (!Cmd.has("mkfs.vfat")) missing.add("dosfstools");
        if (!Cmd.has("mcopy")) missing.add("mtools");
        assertTrue(missing.isEmpty(), "the seed disk needs " + missing + ": apt-get install " + String.join(" ", missing)
            + " (or run .ci/provision)");
    }

    /** The log's lines that start with one of PREFIXES (at most the last 150). */
    static String lines(String log, String... prefixes) {
        List<String> out = new ArrayList<>();
        for (String line : log.split("\r?\n")) {
            for (String p : prefixes) if (line.startsWith(p)) out.add(line);
        }
        return String.join("\n", out.subList(Math.max(0, out.size() - 150), out.size()));
    }

    static String tail(String log) {
        List<String> lines = List.of(log.split("\r?\n"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
