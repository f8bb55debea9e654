package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import unboxed.ns.Rootfs;
import unboxed.oci.Bundle;
import unboxed.oci.Container;
import unboxed.oci.Probe;
import unboxed.sys.Cmd;

/** The runtime's tests' bundles: a temporary folder with bundle/rootfs, lib's busybox root; runc must be there. */
final class OciBundles {
    private OciBundles() {}

    /** A new TMP/PREFIX.../bundle with its rootfs (no config.json yet: `runc spec` writes it); fails if runc is missing. */
    static Path make(String prefix) throws Exception {
        if (!Cmd.has("runc")) fail("runc is not installed: " + Cmd.installHint("runc") + " (Debian's docker.io brings it)");
        Path bundle = Files.createTempDirectory(prefix).resolve("bundle");
        Files.createDirectories(bundle);
        Rootfs.copyTo(Rootfs.ready(s -> { }), bundle.resolve("rootfs"));
        return bundle;
    }

    /** As {@link #make}, with {@link Probe#SCRIPT} as /probe (mode 755) in its rootfs. */
    static Path withProbe(String prefix) throws Exception {
        Path bundle = make(prefix);
        Files.writeString(bundle.resolve("rootfs/probe"), Probe.SCRIPT);
        Cmd.run("chmod", "755", bundle.resolve("rootfs/probe").toString()).orThrow();
        return bundle;
    }

    /**
     * `runc spec`'s config.json in {@code bundle} (with --rootless if {@code rootless}: a user namespace, the caller's
     * ids mapped to 0, size 1), terminal false and the probe as its args, then {@code edit}.
     */
    static void spec(Path bundle, boolean rootless, Consumer<JsonObject> edit) throws Exception {
        Path f = bundle.resolve("config.json");
        Cmd.run("rm", "-f", f.toString()).orThrow();
        List<String> spec = new ArrayList<>(List.of("runc", "spec", "--bundle", bundle.toString()));
        if (rootless) spec.add("--rootless");
        Cmd.run(spec, 30).orThrow();
        JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
        JsonObject p = o.getAsJsonObject("process");
        p.addProperty("terminal", false);
        JsonArray args = new JsonArray();
        args.add("/probe");
        p.add("args", args);
        edit.accept(o);
        Files.writeString(f, o.toString());
    }

    /** The probe's report under `runc run` of {@code bundle} (it must exit 7), as {@link #view}. */
    static Map<String, String> runcView(Path bundle, String id) {
        Cmd.Result r = Cmd.run(List.of("runc", "run", "--bundle", bundle.toString(), id), 30);
        assertEquals(Probe.EXIT, r.exit(), "runc run: " + r.err() + r.out());
        return view(r.out());
    }

    /** The probe's report under Container.run of {@code bundle} (it must exit 7); {@code log} gets the runtime's lines. */
    static Map<String, String> boxView(Path bundle, String id, List<String> log) throws Exception {
        Path out = bundle.resolveSibling("box-output");
        int exit = Container.run(Bundle.read(bundle), id, new Container.Io(out), log::add);
        String text = Files.readString(out);
        assertEquals(Probe.EXIT, exit, "box run: " + text + "\n" + String.join("\n", log));
        return view(text);
    }

    /** A probe's report as {@link Probe#view} reads it, namespaces compared with this JVM's. */
    static Map<String, String> view(String text) {
        return Probe.view(text, ProcessHandle.current().pid());
    }
}
