package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import unboxed.sys.Cmd;

/**
 * The workshop's files, without machines (WorkshopTest runs them on three): the Vagrantfile, cloud-init's user-data
 * and the provision playbook run one provisioning script, so they cannot drift; every playbook passes Ansible's
 * syntax check; workshop/inventory writes an inventory from a list of addresses and refuses a bad list.
 */
class WorkshopFilesTest {
    static final Path WORKSHOP = Labs.ROOT.resolve("workshop");
    static final String SCRIPT = ".ci/provision --labs-only";

    @BeforeAll
    static void ansibleIsThere() {
        assertTrue(Cmd.has("ansible-playbook"), "these tests need Ansible: apt-get install ansible-core (or sudo .ci/provision)");
    }

    @Test
    void vagrantCloudInitAndTheProvisionPlaybookRunTheSameScript() throws Exception {
        assertTrue(Files.isExecutable(Labs.ROOT.resolve(".ci/provision")), ".ci/provision is not executable");
        // the Vagrantfile: its "packages" provisioner, in the folder the repository is copied to
        String vagrantfile = Files.readString(Labs.ROOT.resolve("Vagrantfile"));
        Matcher v = Pattern.compile("config\\.vm\\.provision \"packages\", type: \"shell\", inline: \"#\\{repo\\}/(.+?)\"").matcher(vagrantfile);
        assertTrue(v.find(), "the Vagrantfile has no \"packages\" provisioner running a script of the repository");
        assertEquals(SCRIPT, v.group(1), "the Vagrantfile's provisioning script");

        // cloud-init: a runcmd entry runs the script of the labs' folder that an earlier entry cloned
        JsonObject userData = yaml(WORKSHOP.resolve("cloud-init.yaml")).getAsJsonObject();
        List<String> runcmd = new ArrayList<>();
        for (JsonElement e : userData.getAsJsonArray("runcmd")) {
            List<String> argv = new ArrayList<>();
            e.getAsJsonArray().forEach(a -> argv.add(a.getAsString()));
            runcmd.add(String.join(" ", argv));
        }
        String labs = "/home/learner/unboxed/";
        int clone = indexOf(runcmd, "git clone");
        int provision = indexOf(runcmd, labs + SCRIPT);
        int finish = indexOf(runcmd, labs + "workshop/learner-machine learner");
        assertTrue(clone >= 0 && runcmd.get(clone).contains("su - learner") && runcmd.get(clone).contains(" unboxed"),
            "cloud-init clones the labs into " + labs + " as the learner: " + runcmd);
        assertTrue(clone < provision && provision < finish, "cloud-init: clone, then " + SCRIPT + ", then learner-machine: " + runcmd);
        boolean learner = false;
        for (JsonElement u : userData.getAsJsonArray("users")) {
            learner |= u.isJsonObject() && u.getAsJsonObject().get("name").getAsString().equals("learner")
                && u.getAsJsonObject().get("sudo").getAsString().contains("ALL");
        }
        assertTrue(learner, "cloud-init makes the account learner, with sudo");

        // the provision playbook, for machines that exist already
        List<String> commands = new ArrayList<>();
        for (JsonElement play : yaml(WORKSHOP.resolve("provision.yml")).getAsJsonArray()) {
            for (JsonElement task : play.getAsJsonObject().getAsJsonArray("tasks")) {
                JsonElement c = task.getAsJsonObject().get("ansible.builtin.command");
                if (c != null) commands.add(c.getAsString());
            }
        }
        assertTrue(commands.contains("{{ unboxed_dir }}/" + SCRIPT), "provision.yml runs " + SCRIPT + ": " + commands);
        assertTrue(commands.contains("{{ unboxed_dir }}/workshop/learner-machine {{ unboxed_user }}"), "provision.yml finishes with learner-machine: " + commands);
        assertTrue(Files.isExecutable(WORKSHOP.resolve("learner-machine")), "workshop/learner-machine is not executable");
    }

    @Test
    void everyPlaybookPassesAnsiblesSyntaxCheck() throws Exception {
        List<Path> playbooks;
        try (Stream<Path> s = Files.list(WORKSHOP)) {
            playbooks = s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
        assertEquals(List.of("baseline.yml", "collect.yml", "preflight.yml", "provision.yml", "reset.yml"),
            playbooks.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : playbooks) {
            Cmd.Result r = Cmd.run(List.of("env", "ANSIBLE_CONFIG=" + WORKSHOP.resolve("ansible.cfg"), "ANSIBLE_HOME=/nonexistent",
                "ANSIBLE_LOCAL_TEMP=" + LabHarness.scratchDir("unboxed-ansible"), "ansible-playbook", "--syntax-check",
                "-i", "localhost,", p.toString()), 60);
            assertEquals(0, r.exit(), p.getFileName() + ": " + r.out() + r.err());
        }
    }

    @Test
    void inventoryFromAListOfAddresses() throws Exception {
        Cmd.Result ok = inventory("# the room\nalice 192.0.2.11\n\n192.0.2.12:2222\nbob 192.0.2.13\n");
        assertEquals(0, ok.exit(), ok.err());
        assertEquals(List.of("[learners]", "alice ansible_host=192.0.2.11", "learner02 ansible_host=192.0.2.12 ansible_port=2222",
            "bob ansible_host=192.0.2.13"), ok.out().lines().filter(l -> !l.startsWith("#")).toList());
        for (String bad : List.of("", "alice 192.0.2.1 extra\n", "alice 192.0.2.1\nalice 192.0.2.2\n", "9lives 192.0.2.1\n")) {
            Cmd.Result r = inventory(bad);
            assertEquals(2, r.exit(), "'" + bad + "' should be refused: " + r.out());
            assertEquals(1, r.err().lines().count(), "one line saying why: " + r.err());
        }
    }

    static Cmd.Result inventory(String input) throws Exception {
        Process p = new ProcessBuilder(WORKSHOP.resolve("inventory").toString()).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "workshop/inventory did not finish");
        return new Cmd.Result(List.of("workshop/inventory"), p.exitValue(), out, err);
    }

    static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(part)) return i;
        return -1;
    }

    /** A YAML file as JSON, read by the YAML library Ansible itself uses (python3-yaml, installed with ansible-core). */
    static JsonElement yaml(Path file) throws IOException {
        Cmd.Result r = Cmd.run(List.of("python3", "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            file.toString()), 30);
        assertEquals(0, r.exit(), file + ": " + r.err());
        return JsonParser.parseString(r.out());
    }
}
