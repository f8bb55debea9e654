package unboxed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import unboxed.lab.Journal;
import unboxed.lab.Leftovers;
import unboxed.net.Netns;
import unboxed.sys.Sys;

/**
 * The suite starts from a freshly booted machine's state for what the labs touch, whatever this machine did before,
 * so that "passes here" and "passes on a fresh machine" cannot differ (issue 12: the suite passed for months on
 * machines whose /run/netns an earlier `ip netns add` had left mounted, and failed on a fresh one).
 *
 * <p>Registered for every test class (META-INF/services, with extension autodetection on in the pom), it runs once per
 * test JVM, before the first class: journals of an earlier, killed run are replayed; /run/netns, if it is there and
 * holds no namespace, is unmounted and removed, as on a fresh boot; and then anything of the labs still on the machine
 * ({@link Leftovers}) fails every test with a message naming it, rather than letting tests pass or fail by accident.
 */
public final class KnownState implements BeforeAllCallback {
    private static boolean done;
    private static RuntimeException problem;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (KnownState.class) {
            if (!done) {
                done = true;
                try {
                    establish();
                } catch (RuntimeException e) {
                    problem = e;
                }
            }
            if (problem != null) throw problem;
        }
    }

    static void establish() {
        if (!Sys.isRoot()) return; // the tests that need root say so themselves
        // UNBOXED_KNOWN_STATE=off: for running pure tests beside a suite that is using the machine (never in CI)
        if ("off".equals(System.getenv("UNBOXED_KNOWN_STATE"))) return;
        List<String> did = new ArrayList<>();
        for (String lab : Journal.labsWithJournals()) { // in /run, and the entries kept on disk (after a reboot)
            Journal.Replay r = Journal.of(lab).replayAll();
            r.undone().forEach(u -> did.add("replayed " + lab + "'s journal: " + u));
            if (!r.failed().isEmpty()) throw new IllegalStateException("the suite needs a clean machine, and "
                + lab + "'s journal could not be replayed: " + r.failed());
        }
        if (freshRunNetns()) did.add("unmounted and removed the empty " + Netns.RUN_NETNS + ", as on a freshly booted machine");
        List<String> left = Leftovers.find();
        if (!left.isEmpty()) {
            throw new IllegalStateException("the suite starts from a clean machine, and this one holds lab objects: "
                + String.join("; ", left) + ". Each lab's `reset` (sudo ./jbang labNN reset) removes them; "
                + "`sudo ./jbang doctor --leftovers` lists them.");
        }
        did.forEach(d -> System.out.println("KnownState: " + d));
    }

    /**
     * /run/netns as a freshly booted machine has it: absent. True if it changed anything. Fails, naming them, if
     * namespaces are still pinned there (someone's, not a test's to remove).
     */
    static boolean freshRunNetns() {
        if (!Files.isDirectory(Path.of(Netns.RUN_NETNS))) return false;
        List<String> names = Netns.runDirNames();
        if (!names.isEmpty()) {
            throw new IllegalStateException("the suite starts from a fresh machine's " + Netns.RUN_NETNS
                + ", and this one holds " + names + ": remove them (ip netns delete NAME) or reset the lab that made them");
        }
        Netns.restoreRunDir("absent");
        Journal.forgetRunNetnsNote();
        return true;
    }
}
