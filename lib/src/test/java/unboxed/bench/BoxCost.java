package unboxed.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import unboxed.ns.Rootfs;
import unboxed.oci.Bundle;
import unboxed.oci.Container;
import unboxed.sys.Cmd;

/**
 * Start-to-exit of `true` in one OCI bundle (`runc spec`, terminal false, the busybox root): the runtime of unboxed.oci
 * in this warm JVM (device rules through v1's controller, and as a v2 BPF program; with --net nat), `runc run`,
 * `docker run --rm` of the same root imported as an image (where the engine answers), `unshare` with the same
 * namespaces (no root switch, no mounts: the floor), and `./jbang box run` (a fresh JVM: fewer rounds). And `runc spec
 * --rootless`'s bundle (a user namespace), under the runtime (its init JVM) and under `runc run`.
 */
final class BoxCost {
    private BoxCost() {}

    static void run(Report r, int rounds, Path work) throws Exception {
        if (!Cmd.has("runc")) {
            r.note("Containers from an OCI bundle: skipped, runc is not installed (" + Cmd.installHint("runc") + ").");
            return;
        }
        Path bundle = work.resolve("box-bundle");
        Files.createDirectories(bundle);
        Rootfs.copyTo(Rootfs.ready(s -> { }), bundle.resolve("rootfs"));
        Cmd.run("runc", "spec", "--bundle", bundle.toString()).orThrow();
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"terminal\": true", "\"terminal\": false")
            .replace("\"sh\"", "\"true\""));
        Bundle b = Bundle.read(bundle);
        // runc spec --rootless's bundle: a user namespace (0 to 0, size 1), so the runtime starts its init JVM
        Path userns = work.resolve("box-bundle-userns");
        Files.createDirectories(userns);
        Cmd.run("cp", "-a", bundle.resolve("rootfs").toString(), userns.toString()).orThrow();
        Cmd.run("runc", "spec", "--rootless", "--bundle", userns.toString()).orThrow();
        Path usernsConfig = userns.resolve("config.json");
        Files.writeString(usernsConfig, Files.readString(usernsConfig).replace("\"terminal\": true", "\"terminal\": false")
            .replace("\"sh\"", "\"true\""));
        Bundle u = Bundle.read(userns);
        AtomicInteger n = new AtomicInteger();
        Map<String, Callable<Object>> c = new LinkedHashMap<>();
        c.put("unboxed.oci in this JVM (warm): Container.run", () -> check(Container.run(b, "unboxed-bench-" + n.incrementAndGet(),
            Container.Io.inherit(), s -> { })));
        c.put("the same, device rules as a cgroup v2 BPF program (--devices bpf)", () -> check(Container.run(b,
            "unboxed-bench-" + n.incrementAndGet(), Container.Io.inherit(), Container.Devices.BPF, s -> { })));
        c.put("the same, --net nat (a router namespace of its own: bridge, veth, address, route, MASQUERADE)", () -> check(
            Container.run(b, "unboxed-bench-" + n.incrementAndGet(), Container.Io.inherit(),
                Container.RunOptions.defaults().with(Container.Net.NAT), s -> { })));
        c.put("`runc run`, started from Java", () -> Cmd.run(List.of("runc", "run", "--bundle", bundle.toString(),
            "unboxed-bench-runc-" + n.incrementAndGet()), 30).orThrow());
        c.put(USERNS, () -> check(Container.run(u, "unboxed-bench-" + n.incrementAndGet(), Container.Io.inherit(), s -> { })));
        c.put(USERNS_RUNC, () -> Cmd.run(List.of("runc", "run", "--bundle", userns.toString(),
            "unboxed-bench-runc-" + n.incrementAndGet()), 30).orThrow());
        c.put("`unshare -m -u -i -n -p -f true` (same namespaces, no root switch)", () -> Cmd.run("unshare", "-m", "-u", "-i",
            "-n", "-p", "-f", "true").orThrow());
        // Docker where it is present: the same busybox root imported as an image (no registry), no network as runc's
        boolean docker = Cmd.has("docker") && Cmd.run(List.of("docker", "info"), 30).ok();
        if (docker) {
            Cmd.run(List.of("sh", "-c", "tar -C '" + bundle.resolve("rootfs") + "' -c . | docker import - " + IMAGE), 300).orThrow();
            c.put(DOCKER, () -> Cmd.run(List.of("docker", "run", "--rm", "--network", "none", IMAGE, "true"), 60).orThrow());
        } else {
            r.note("`docker run --rm`: no row, Docker's engine does not answer here (.ci/dockerd starts it).");
        }
        r.section("Containers from an OCI bundle: `true` from start to exit (runc spec's bundle, busybox root)",
            r.interleaved(c, rounds));
        r.ratio("unboxed.oci (warm JVM) / runc run", r.median("unboxed.oci in this JVM (warm): Container.run"),
            r.median("`runc run`, started from Java"));
        if (docker) {
            r.ratio("unboxed.oci (warm JVM) / docker run --rm", r.median("unboxed.oci in this JVM (warm): Container.run"), r.median(DOCKER));
            Cmd.run(List.of("docker", "rmi", IMAGE), 60);
        }
        r.ratio("unboxed.oci, a v2 device program / the v1 devices controller",
            r.median("the same, device rules as a cgroup v2 BPF program (--devices bpf)"),
            r.median("unboxed.oci in this JVM (warm): Container.run"));
        r.ratio("unboxed.oci, --net nat / --net none",
            r.median("the same, --net nat (a router namespace of its own: bridge, veth, address, route, MASQUERADE)"),
            r.median("unboxed.oci in this JVM (warm): Container.run"));
        r.ratio("unboxed.oci, a user namespace (an init JVM) / runc run of the same bundle", r.median(USERNS), r.median(USERNS_RUNC));
        Map<String, Callable<Object>> fresh = new LinkedHashMap<>();
        fresh.put("`./jbang box run` (a fresh JVM)", () -> Cmd.run(List.of("./jbang", "box", "run", bundle.toString(), "--id",
            "unboxed-bench-fresh-" + n.incrementAndGet()), 120).orThrow());
        r.section("The same from a fresh JVM", r.interleaved(fresh, Math.max(3, rounds / 10)));
        r.ratio("`./jbang box run` / runc run", r.median("`./jbang box run` (a fresh JVM)"), r.median("`runc run`, started from Java"));
    }

    static final String USERNS = "unboxed.oci, runc spec --rootless's bundle (a user namespace: an init JVM), warm",
        USERNS_RUNC = "`runc run` of runc spec --rootless's bundle";

    static final String IMAGE = "unboxed-bench-busybox:latest", DOCKER = "`docker run --rm --network none` (the same root, imported)";

    private static Object check(int exit) {
        if (exit != 0) throw new IllegalStateException("true exited " + exit + " in the container");
        return null;
    }
}
