package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import unboxed.sys.Cmd;

/**
 * The learner's path for real: the repository's own Vagrantfile brought up with vagrant-libvirt (driver qemu: KVM is
 * not usable on these machines) on a box made from the VM tests' guest tree (.ci/vm/build-box), provisioned (all but
 * the vagrant user's jbang warm-up: see .ci/vm/vagrant-up), then
 * {@code vagrant ssh -c 'sudo ./jbang lab04 solve && sudo ./jbang lab04 check'}, then destroyed. .ci/vm/vagrant-up
 * does it all inside network and mount namespaces of its own (libvirt's NAT rules, ip_forward and state never reach
 * the host's); this test runs it, reports its phases' times, and checks the host afterwards: firewall (iptables,
 * nftables), forwarding, links, named namespaces, mounts, processes and ~/.vagrant.d as before.
 * Logs: BUILD/vagrant-up/logs (vagrant's output per phase, libvirtd's, the guest's console).
 */
@Tag("vagrant")
@Order(Integer.MAX_VALUE) // last, and after the background lane's guests (VmLabsTest, then WorkshopFirstBootVmTest), which may
@ResourceLock(VmLabsTest.GUEST) // outlast the rest of the suite: two emulated VMs at once starve both
class VagrantUpTest {
    static final Path REPO = Path.of("").toAbsolutePath();
    /** Box (cold: guest and box build), up, provision and lab04 under emulation, destroy; the script has its own. */
    static final long TIMEOUT_S = 3600;

    @Test
    void vagrantUpProvisionLab04SolveCheckDestroy() throws Exception {
        assertEquals("0", Cmd.run("id", "-u").out().strip(), "the vagrant up test runs libvirtd and builds its box as root");
        Path work = VmLabsTest.buildDir().resolve("vagrant-up");
        Path out = VmLabsTest.buildDir().resolve("vagrant-up.out");
        Map<String, String> before = hostState();

        Process p = new ProcessBuilder(REPO.resolve(".ci/vm/vagrant-up").toString(), work.toString())
            .directory(REPO.toFile()).redirectErrorStream(true).redirectOutput(out.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        boolean finished = p.waitFor(TIMEOUT_S, TimeUnit.SECONDS);
        if (!finished) {
            p.destroy();   // SIGTERM: the script destroys the VM and ends its namespaces
            if (!p.waitFor(300, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        }
        String log = Files.readString(out, StandardCharsets.UTF_8);
        String times = log.lines().filter(l -> l.startsWith("VAGRANT-UP time ") || l.startsWith("VAGRANT-UP box "))
            .map(l -> l.substring("VAGRANT-UP ".length())).collect(Collectors.joining(", "));
        System.out.println("VagrantUpTest: " + times + "; output " + out + ", logs " + work.resolve("logs"));

        Map<String, String> after = hostState();
        List<String> changed = new ArrayList<>();
        before.forEach((what, was) -> {
            if (!was.equals(after.get(what))) changed.add(what + "\n  before: " + was + "\n  after:  " + after.get(what));
        });

        assertTrue(finished, "vagrant-up did not finish within " + TIMEOUT_S + " s (ended with SIGTERM); output:\n" + log);
        assertEquals(0, p.exitValue(), ".ci/vm/vagrant-up failed; its output (" + out + "):\n" + log);
        assertTrue(log.contains("VAGRANT-UP ok lab04") && log.contains("VAGRANT-UP done"),
            "lab04 solve and check did not both pass in the VM:\n" + log);
        assertTrue(changed.isEmpty(), "the host changed:\n" + String.join("\n", changed));
    }

    /** What must be the same before and after: what libvirt, dnsmasq, QEMU and Vagrant would change if they escaped. */
    static Map<String, String> hostState() throws Exception {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("iptables-save", rules(Cmd.run("iptables-save").out()));
        s.put("ip6tables-save", rules(Cmd.run("ip6tables-save").out()));
        s.put("nft list ruleset", Cmd.run("nft", "list", "ruleset").out().strip().replaceAll("counter packets \\d+ bytes \\d+", "counter"));
        s.put("ip_forward", Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip());
        s.put("ip netns list", Cmd.run("ip", "netns", "list").out().strip());
        s.put("ip -br link", Cmd.run("ip", "-br", "link").out().lines().map(l -> l.split("\\s+")[0]).sorted()
            .collect(Collectors.joining(" ")));
        s.put("mounts", Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
            .sorted().collect(Collectors.joining(" ")));
        s.put("processes", Cmd.run("ps", "-eo", "comm=").out().lines().map(String::strip)
            .filter(c -> c.matches("libvirtd|virtlogd|virtlockd|dnsmasq|qemu-system-.*|unboxed-vagrant.*|vagrant|ruby.*"))
            .sorted().collect(Collectors.joining(" ")));
        for (String dir : List.of("/var/lib/libvirt", "/run/libvirt", "/var/log/libvirt", "/var/cache/libvirt")) {
            s.put(dir, Files.exists(Path.of(dir)) ? "exists" : "absent");
        }
        Path boxes = Path.of(System.getProperty("user.home"), ".vagrant.d", "boxes");
        s.put("~/.vagrant.d/boxes", Files.isDirectory(boxes) ? String.join(" ", new File(boxes.toString()).list()) : "absent");
        s.put("checkout .vagrant/", Files.exists(REPO.resolve(".vagrant")) ? "exists" : "absent");
        return s;
    }

    /** iptables-save without its comment lines and packet counters, which change by themselves. */
    static String rules(String save) {
        return save.lines().filter(l -> !l.startsWith("#")).map(l -> l.replaceAll("\\[\\d+:\\d+\\]", "[]"))
            .collect(Collectors.joining("\n"));
    }
}
