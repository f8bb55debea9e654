package unboxed.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import unboxed.net.Ip;
import unboxed.ns.Mounts;
import unboxed.ns.Processes;

/**
 * Lab objects still on the host: every journal's entries, a scan for the labs' own prefix (labNN-...), and the objects
 * each lab declared it owns ({@link Owned}: a learner may have made them by hand, unjournaled). What
 * `doctor --leftovers` prints.
 */
public final class Leftovers {
    private Leftovers() {}

    public static List<String> find() {
        List<String> found = new ArrayList<>();
        for (String lab : Journal.labsWithJournals()) {
            // the objects, and the directories noted as absent before the lab (on disk: still there after a reboot)
            Journal.of(lab).entries().stream()
                .filter(e -> !e.isBaseline() || e.object().filter(o -> o.outlivesReboot() && o.present()).isPresent())
                .forEach(e -> found.add(lab + " journal: " + e.describe() + "  (sudo ./jbang " + lab
                    + (lab.equals(unboxed.oci.Container.JOURNAL) ? " delete " + e.scope() : " reset") + ")"));
        }
        try (Stream<Path> names = Files.list(Path.of("/run/netns"))) {
            names.map(p -> p.getFileName().toString()).filter(n -> n.matches("lab\\d\\d.*"))
                .sorted().forEach(n -> found.add("network namespace " + n));
        } catch (IOException noDir) {
            // no named namespaces
        }
        for (Ip.Link l : Ip.links(null)) {
            if (l.name().matches("lab\\d\\d.*")) found.add("link " + l.name());
        }
        for (Mounts.Mount m : Mounts.ofHost()) {
            if (m.mountPoint().startsWith("/var/lib/unboxed/") || m.mountPoint().matches("/mnt/lab\\d\\d.*")
                || m.mountPoint().matches("/run/netns/lab\\d\\d.*")) {
                found.add("mount on " + m.mountPoint() + " (" + m.fsType() + ")");
            }
        }
        for (long pid : Processes.pids()) {
            Processes.env(pid, Journal.TAG_VARIABLE).ifPresent(tag ->
                found.add("process " + pid + " " + Processes.comm(pid).orElse("?") + " started by " + tag));
        }
        try (Stream<Path> work = Files.list(Path.of("/var/lib/unboxed"))) {
            work.filter(p -> p.getFileName().toString().matches("lab\\d\\d.*")).sorted()
                .forEach(p -> found.add("work folder " + p));
        } catch (IOException noDir) {
            // nothing there
        }
        // what the labs declared they own (names like blue, that no prefix finds)
        for (String f : Owned.leftovers()) if (found.stream().noneMatch(x -> f.contains(x))) found.add(f);
        return found;
    }
}
