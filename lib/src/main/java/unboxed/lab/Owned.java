package unboxed.lab;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import unboxed.net.Netns;

/**
 * What a lab declares it owns by name ({@link Lab.Builder#owns}, {@link Lab.Builder#makes}), and everything that
 * follows from that one declaration: the exercise part of reset (each owned object that is there is removed, whoever
 * made it), the exit-4 refusal before run, prepare and solve (an object the lab makes itself is there, and the journal
 * does not list it: someone else's), and `doctor --leftovers` (which reads the declarations labs leave under
 * /run/unboxed, since doctor does not load the other labs).
 */
public final class Owned {
    private Owned() {}

    private static final Gson GSON = new Gson();

    /** The declaration a lab left for doctor: /run/unboxed/ID.owns, one journal line per object. */
    static Path file(String labId) {
        return Journal.DIR.resolve(labId + ".owns");
    }

    /** Exit 4 if an object the lab makes under a fixed name is there and the journal does not list it. */
    static void refuseForeign(Lab lab, Bench b) {
        for (KernelObject o : lab.makes) {
            if (o.present() && !b.journaled(o)) {
                throw LabException.conflict("a " + o.describe() + " exists and this lab did not make it; `sudo ./jbang "
                    + lab.id + " reset` removes it if it is yours (reset removes " + names(lab) + ")");
            }
        }
    }

    /**
     * Removes every owned object that is there, newest declared first, namespaces together (so that a /run/netns layer
     * stacked over several of them can go: see Netns.delete). Says what it removed.
     */
    static void remove(Lab lab, Bench b) {
        List<KernelObject> all = all(lab);
        List<String> netns = all.stream().filter(o -> o instanceof KernelObject.NamedNetns && o.present())
            .map(KernelObject::target).toList();
        if (!netns.isEmpty()) {
            Netns.purge(netns);
            netns.forEach(n -> b.console().note("removed network namespace " + n));
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            KernelObject o = all.get(i);
            if (o instanceof KernelObject.NamedNetns) continue;
            String said = o.present() ? o.undoAndSay() : null;
            if (said != null) said.lines().forEach(b.console()::note);
        }
    }

    /** Leaves the lab's declaration for doctor --leftovers (rewritten when it changed). */
    static void record(Lab lab) {
        StringBuilder s = new StringBuilder();
        for (KernelObject o : all(lab)) s.append(GSON.toJson(o.entry(Journal.LAB))).append('\n');
        Path f = file(lab.id);
        try {
            if (Files.exists(f) && Files.readString(f).equals(s.toString())) return;
            SafeFiles.privateDir(f.getParent());
            SafeFiles.replace(f, s.toString(), SafeFiles.PRIVATE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f, e);
        }
    }

    /** Every declared object of every lab that left a declaration, which is there now: "labNN: network namespace blue". */
    static List<String> present() {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(Journal.DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".owns")).sorted().toList()) {
                String lab = f.getFileName().toString().replace(".owns", "");
                for (Journal.Entry e : Journal.at(f).entries()) {
                    e.object().filter(KernelObject::present).ifPresent(o -> found.add(lab + ": " + o.describe()));
                }
            }
        } catch (IOException noDir) {
            // no declarations: no lab has run here
        }
        return found;
    }

    /** {@link #present()}, each with the command that removes it. */
    static List<String> leftovers() {
        return present().stream().map(p -> p + "  (sudo ./jbang " + p.substring(0, p.indexOf(':')) + " reset)").toList();
    }

    static List<KernelObject> all(Lab lab) {
        List<KernelObject> all = new ArrayList<>(lab.makes);
        lab.owns.stream().filter(o -> !all.contains(o)).forEach(all::add);
        return all;
    }

    private static String names(Lab lab) {
        return String.join(", ", all(lab).stream().map(KernelObject::target).toList());
    }
}
