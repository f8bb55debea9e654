package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import unboxed.sys.Cmd;

/**
 * The learner's Vagrantfile, offline: `vagrant validate --ignore-provider` with the default box and with another one
 * chosen by UNBOXED_BOX, and its provisioning is .ci/provision (the list CI and the README use). The real `vagrant up`
 * is VagrantUpTest. Vagrant's state goes to a temp folder, never to .vagrant/ in the checkout.
 */
class VagrantfileTest {
    static final Path REPO = Path.of("").toAbsolutePath();
    static Path scratch;
    static boolean hadDotVagrant;

    @BeforeAll
    static void vagrantIsThere() throws IOException {
        assertTrue(Cmd.has("vagrant"), "these tests need Vagrant: apt-get install vagrant (or run .ci/provision)");
        scratch = Files.createTempDirectory("unboxed-vagrant");
        hadDotVagrant = Files.exists(REPO.resolve(".vagrant"));
    }

    @AfterAll
    static void cleanUp() {
        if (scratch != null) Cmd.run("rm", "-rf", scratch.toString());
    }

    /** vagrant ARGS in the repository, with its state in the scratch folder and extra environment variables. */
    static Cmd.Result vagrant(List<String> env, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("env", "VAGRANT_DOTFILE_PATH=" + scratch.resolve("dot"),
            "VAGRANT_HOME=" + scratch.resolve("home"), "VAGRANT_CHECKPOINT_DISABLE=1"));
        argv.addAll(env);
        argv.add("vagrant");
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(REPO.toFile()).redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "vagrant did not finish");
        return new Cmd.Result(argv, p.exitValue(), out, "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "UNBOXED_BOX=bento/ubuntu-24.04", "UNBOXED_MEMORY=4096"})
    void validatesOffline(String env) throws Exception {
        Cmd.Result r = vagrant(env.isEmpty() ? List.of() : List.of(env), "validate", "--ignore-provider");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("validated successfully"), r.out());
        assertTrue(hadDotVagrant || Files.notExists(REPO.resolve(".vagrant")), "validate left .vagrant/ in the checkout");
    }

    @Test
    void aBadSizeIsRefusedNamingTheValue() throws Exception {
        Cmd.Result r = vagrant(List.of("UNBOXED_MEMORY=lots"), "validate", "--ignore-provider");
        assertTrue(r.exit() != 0 && r.out().contains("lots"), r.out());
    }

    @Test
    void provisionsWithTheSharedScriptAndItsPackages() throws IOException {
        String vagrantfile = Files.readString(REPO.resolve("Vagrantfile"));
        assertTrue(vagrantfile.contains("/.ci/provision --labs-only"), "the Vagrantfile provisions with .ci/provision");
        assertTrue(vagrantfile.contains("debian/bookworm64"), "default box");
        assertTrue(vagrantfile.contains("\"virtualbox\"") && vagrantfile.contains("\"libvirt\""), "both providers");
        String provision = Files.readString(REPO.resolve(".ci/provision"));
        // the packages=( ... ) block, as .ci/provision --labs-only and .ci/vm/build-guest read it
        int from = provision.indexOf("\npackages=(\n"), to = provision.indexOf("\n)\n", from);
        List<String> labPackages = new ArrayList<>();
        for (String line : provision.substring(from + "\npackages=(\n".length(), to).split("\n")) {
            for (String w : line.replaceAll("#.*", "").trim().split("\\s+")) if (!w.isEmpty()) labPackages.add(w);
        }
        for (String p : List.of("openjdk-17-jdk-headless", "maven", "iproute2", "iptables", "tcpdump", "busybox-static", "procps")) {
            assertTrue(labPackages.contains(p), ".ci/provision's lab packages lack " + p + ": " + labPackages);
        }
    }
}
