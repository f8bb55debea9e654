package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import unboxed.lab.Leftovers;
import unboxed.lab.Upstream;
import unboxed.net.Conntrack;
import unboxed.net.Echo;
import unboxed.net.Ip;
import unboxed.net.Netns;
import unboxed.net.Sysctl;
import unboxed.ns.Mounts;
import unboxed.ns.Processes;
import unboxed.ns.Rootfs;
import unboxed.oci.BoxCli;
import unboxed.oci.BoxNet;
import unboxed.oci.Bundle;
import unboxed.oci.Container;
import unboxed.sys.Cmd;
import unboxed.sys.Sys;
import unboxed.sys.Wait;

/**
 * What `box run` adds to an OCI bundle (runc spec's, terminal false): --net nat (a router namespace of the container's
 * own, NAT out) and --layers (an overlay root). Real kernel, as root, under the kernel lock; every namespace the traffic crosses is the test's or the
 * runtime's, and the root namespace's firewall and forwarding are compared before and after.
 */
class BoxOptionsTest {
    static Path dir;
    static Path bundle;

    @BeforeAll
    static void bundle() throws Exception {
        bundle = OciBundles.make("unboxed-box-options");
        dir = bundle.getParent();
    }

    @AfterAll
    static void remove() {
        if (dir != null) LabHarness.sh("rm -rf " + dir);
    }

    /** runc spec's config.json, terminal false, the given args, then the edit. */
    static void config(List<String> args, Consumer<JsonObject> edit) throws Exception {
        Path f = bundle.resolve("config.json");
        Files.deleteIfExists(f);
        Cmd.run("runc", "spec", "--bundle", bundle.toString()).orThrow();
        JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
        JsonObject p = o.getAsJsonObject("process");
        p.addProperty("terminal", false);
        JsonArray a = new JsonArray();
        args.forEach(a::add);
        p.add("args", a);
        edit.accept(o);
        Files.writeString(f, o.toString());
    }

    static final String UP = "198.51.100.1", INET = "198.51.100.2";

    /**
     * The container gets eth0 with 10.88.0.2/24 and a default route through the bridge of its router; it reaches a
     * service in the router, and, through an uplink the test connects to the router, a listener upstream that sees the
     * router's address (MASQUERADE), which conntrack in the router shows translated. Delete removes the router.
     */
    @Test
    void natWiresTheContainerToARouterOfItsOwnAndTranslatesWhatLeavesIt() throws Exception {
        config(List.of("sleep", "1000"), o -> { });
        String before = Upstream.rootFirewallAndForwarding(), runNetns = Netns.runDirState();
        String id = "unboxed-test-nat", router = BoxNet.router(id), c = "unboxed-test-natc", up = "unboxed-test-natup";
        List<String> log = new ArrayList<>();
        Container.Started s = Container.start(Bundle.read(bundle), id, new Container.Io(dir.resolve("out")),
            Container.RunOptions.defaults().with(Container.Net.NAT), log::add);
        try {
            LabHarness.sh("ip netns attach " + c + " " + s.pid()); // the container's namespace, by a name, for the probes
            Ip.Link eth = Ip.link(c, BoxNet.ETH).orElseThrow(() -> new AssertionError("no eth0 in the container: " + Ip.links(c)));
            assertTrue(eth.up() && eth.has(BoxNet.ADDRESS + "/24"), "eth0: " + eth);
            assertTrue(Ip.link(c, "lo").orElseThrow().up(), "lo up");
            assertEquals(Optional.of(BoxNet.ETH), Ip.routeDev(c, INET), "the container's default route");
            assertEquals("1", Sysctl.get(router, "net.ipv4.ip_forward"), "forwarding in the router");
            assertEquals(List.of(BoxNet.ROUTER_END), Ip.ports(router, BoxNet.BRIDGE).stream().map(Ip.Link::name).toList());
            assertTrue(log.stream().anyMatch(l -> l.contains(BoxNet.MASQUERADE)), "the runtime says its rule: " + log);

            Echo.TcpResult service = Echo.tcp(c, router, 8080, BoxNet.GATEWAY, 8080, 3000);
            assertEquals(BoxNet.ADDRESS, service.seenAddress(), "a service in the router, reached at the bridge: " + service);

            Netns.add(up);
            LabHarness.sh("ip link add up0 netns " + router + " type veth peer name up1 netns " + up
                + " && ip -n " + router + " addr add " + UP + "/24 dev up0 && ip -n " + router + " link set up0 up"
                + " && ip -n " + up + " addr add " + INET + "/24 dev up1 && ip -n " + up + " link set up1 up");
            Echo.Result r = Echo.udp(c, up, INET, 3000);
            assertEquals(UP, r.seenAddress(), "upstream sees the router's uplink address: " + r);
            assertTrue(r.replied(), "the reply came back to the container: " + r);
            List<Conntrack.Entry> nat = Conntrack.list(router).stream()
                .filter(e -> BoxNet.ADDRESS.equals(e.src()) && INET.equals(e.dst())).toList();
            assertTrue(nat.stream().anyMatch(e -> e.sourceTranslated() && UP.equals(e.replyDst())),
                "conntrack in the router (" + Conntrack.source(router) + "): " + nat);
        } finally {
            Sys.kill(s.pid(), 9);
            Container.waitFor(s.pid());
            Netns.delete(List.of(c));
            Netns.purge(List.of(up));
            Container.delete(id);
        }
        assertFalse(Files.exists(Netns.path(router)), "the router is gone with the container");
        assertNothingLeft(id);
        assertEquals(runNetns, Netns.runDirState(), "/run/netns as it was");
        assertEquals(before, Upstream.rootFirewallAndForwarding(), "the root namespace's firewall and forwarding");
    }

    /**
     * --net nat for a container in a user namespace of its own (its network namespace owned by it): the runtime, root
     * of the initial namespace, moves the veth's peer into it by the init's thread; the container has its address
     * and reaches a service in the router. Delete removes the router.
     */
    @Test
    void natWiresAContainerInAUserNamespaceToo() throws Exception {
        Cmd.run("chmod", "755", dir.toString()).orThrow(); // the bundle reachable by the host's 100000
        config(List.of("sleep", "1000"), BoxOptionsTest::userNamespace);
        String id = "unboxed-test-natuser", router = BoxNet.router(id), c = "unboxed-test-natuserc";
        List<String> log = new ArrayList<>();
        Container.Started s = Container.start(Bundle.read(bundle), id, new Container.Io(dir.resolve("out")),
            Container.RunOptions.defaults().with(Container.Net.NAT), log::add);
        try {
            assertTrue(log.stream().anyMatch(l -> l.matches("echo '0 100000 65536' > /proc/\\d+/uid_map")), String.join("\n", log));
            LabHarness.sh("ip netns attach " + c + " " + s.pid());
            Ip.Link eth = Ip.link(c, BoxNet.ETH).orElseThrow(() -> new AssertionError("no eth0 in the container: " + Ip.links(c)));
            assertTrue(eth.up() && eth.has(BoxNet.ADDRESS + "/24"), "eth0: " + eth);
            Echo.TcpResult service = Echo.tcp(c, router, 8080, BoxNet.GATEWAY, 8080, 3000);
            assertEquals(BoxNet.ADDRESS, service.seenAddress(), "a service in the router, reached at the bridge: " + service);
        } finally {
            Sys.kill(s.pid(), 9);
            Container.waitFor(s.pid());
            Netns.delete(List.of(c));
            Container.delete(id);
        }
        assertFalse(Files.exists(Netns.path(router)), "the router is gone with the container");
        assertNothingLeft(id);
    }

    /** A user namespace in linux.namespaces, the container's 0-65535 the host's 100000-165535. */
    static void userNamespace(JsonObject o) {
        JsonObject l = o.getAsJsonObject("linux");
        JsonObject n = new JsonObject();
        n.addProperty("type", "user");
        l.getAsJsonArray("namespaces").add(n);
        for (String k : List.of("uidMappings", "gidMappings")) {
            JsonObject m = new JsonObject();
            m.addProperty("containerID", 0);
            m.addProperty("hostID", 100000);
            m.addProperty("size", 65536);
            JsonArray a = new JsonArray();
            a.add(m);
            l.add(k, a);
        }
    }

    /** Two containers at once, each with a router of its own and the same addresses; one deleted, the other's stays. */
    @Test
    void twoContainersAtOnceHaveARouterEach() throws Exception {
        config(List.of("sleep", "1000"), o -> { });
        List<String> ids = List.of("unboxed-test-nat1", "unboxed-test-nat2");
        List<Container.Started> started = new ArrayList<>();
        try {
            for (String id : ids) {
                started.add(Container.start(Bundle.read(bundle), id, new Container.Io(dir.resolve("out-" + id)),
                    Container.RunOptions.defaults().with(Container.Net.NAT), x -> { }));
            }
            for (String id : ids) {
                assertTrue(Ip.link(BoxNet.router(id), BoxNet.BRIDGE).orElseThrow().has(BoxNet.GATEWAY + "/24"), id);
                assertEquals(1, Ip.ports(BoxNet.router(id), BoxNet.BRIDGE).size(), "one container on " + id + "'s bridge");
            }
            Sys.kill(started.get(0).pid(), 9);
            Container.waitFor(started.get(0).pid());
            Container.delete(ids.get(0));
            assertFalse(Files.exists(Netns.path(BoxNet.router(ids.get(0)))));
            assertTrue(Netns.exists(BoxNet.router(ids.get(1))), "the other container's router stays");
            assertTrue(Processes.alive(started.get(1).pid()), "and the other container runs");
        } finally {
            for (int i = 0; i < started.size(); i++) {
                if (Processes.alive(started.get(i).pid())) {
                    Sys.kill(started.get(i).pid(), 9);
                    Container.waitFor(started.get(i).pid());
                }
                Container.delete(ids.get(i));
            }
        }
        for (String id : ids) assertNothingLeft(id);
    }

    /** A network namespace that is not the runtime's already holds the router's name: exit 4, and it stays. */
    @Test
    void aForeignNamespaceUnderTheRoutersNameExits4() throws Exception {
        config(List.of("true"), o -> { });
        String id = "unboxed-test-natfoe", router = BoxNet.router(id), runNetns = Netns.runDirState();
        Netns.add(router);
        try {
            assertEquals(List.of("box: a network namespace called " + router + " exists: ip netns delete " + router
                + ", or another --id"), box(4, "run", bundle.toString(), "--id", id, "--net", "nat"));
            assertTrue(Netns.exists(router), "the foreign namespace is left alone");
            assertFalse(Container.known(id));
        } finally {
            Netns.delete(router);
            Netns.restoreRunDir(runNetns);
        }
        assertNothingLeft(id);
    }

    @Test
    void natWithoutANetworkNamespaceOrAnUnknownModeExits2() throws Exception {
        config(List.of("true"), o -> {
            JsonArray ns = o.getAsJsonObject("linux").getAsJsonArray("namespaces");
            for (int i = ns.size() - 1; i >= 0; i--) {
                if (ns.get(i).getAsJsonObject().get("type").getAsString().equals("network")) ns.remove(i);
            }
        });
        assertEquals(List.of("box: --net nat needs a network namespace of the container's own: config.json's linux.namespaces"
            + " must list network"), box(2, "run", bundle.toString(), "--id", "unboxed-test-nonet", "--net", "nat"));
        assertEquals(List.of("box: --net bridge: none or nat"),
            box(2, "run", bundle.toString(), "--id", "unboxed-test-nonet", "--net", "bridge"));
        assertNothingLeft("unboxed-test-nonet");
    }

    /**
     * --layers TOP:BASE: the root is an overlay of the two folders (TOP's file over BASE's), what the program writes
     * goes to an upper directory of the container's own, and neither folder changes; the upper goes with the container.
     */
    @Test
    void layersMakeTheRootAnOverlayWhoseWritesGoWithTheContainer() throws Exception {
        Path top = dir.resolve("top"), base = dir.resolve("base");
        Files.createDirectories(top.resolve("etc"));
        Files.writeString(top.resolve("etc/motd"), "from the top layer\n");
        Rootfs.copyTo(bundle.resolve("rootfs"), base);
        config(List.of("sh", "-c", "cat /etc/motd; awk '$5 == \"/\" {print \"root=\" $9}' /proc/self/mountinfo;"
            + " echo written > /probe-upper && echo wrote"), o -> o.getAsJsonObject("root").addProperty("readonly", false));
        String id = "unboxed-test-layers";
        Path out = dir.resolve("out");
        List<String> log = new ArrayList<>();
        int exit = Container.run(Bundle.read(bundle), id, new Container.Io(out),
            Container.RunOptions.defaults().withLayers(List.of(top, base)), log::add);
        assertEquals(List.of("from the top layer", "root=overlay", "wrote"), Files.readAllLines(out), "exit " + exit);
        assertEquals(0, exit);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("mount -t overlay overlay -o lowerdir=" + top + ":" + base
            + ",upperdir=" + Container.LAYERS.resolve(id).resolve("upper"))), String.join("\n", log));
        for (Path p : List.of(top, base, bundle.resolve("rootfs"))) {
            assertFalse(Files.exists(p.resolve("probe-upper")), "the program's write reached " + p);
        }
        assertFalse(Files.exists(Container.LAYERS.resolve(id)), "the upper and work directories gone with the container");
        assertNothingLeft(id);
    }

    @Test
    void aLayerThatIsNotAFolderExits2() throws Exception {
        config(List.of("true"), o -> { });
        Path missing = dir.resolve("no-such-layer");
        assertEquals(List.of("box: --layers: " + missing + " is not a folder"),
            box(2, "run", bundle.toString(), "--id", "unboxed-test-nolayer", "--layers", missing + ":" + bundle.resolve("rootfs")));
        assertEquals(List.of("box: --layers: an empty folder name: folders separated by : (the topmost first), none empty or"
            + " with a comma"), box(2, "run", bundle.toString(), "--id", "unboxed-test-nolayer", "--layers", bundle + "/rootfs:"));
        assertNothingLeft("unboxed-test-nolayer");
    }

    /**
     * --layers with a user namespace (the container's 0-65535 the host's 100000-165535): the runtime mounts the overlay in
     * the init's mount namespace; the program sees the top layer's file over the base's, its root is the overlay, and
     * the upper directory goes with the container.
     */
    @Test
    void layersWithAUserNamespaceMakeTheRootAnOverlayToo() throws Exception {
        Cmd.run("chmod", "755", dir.toString()).orThrow(); // the bundle reachable by the host's 100000
        Path top = dir.resolve("top-user"), base = dir.resolve("base-user");
        Files.createDirectories(top.resolve("etc"));
        Files.writeString(top.resolve("etc/motd"), "from the top layer\n");
        Rootfs.copyTo(bundle.resolve("rootfs"), base);
        config(List.of("sh", "-c", "cat /etc/motd; awk '$5 == \"/\" {print \"root=\" $9}' /proc/self/mountinfo; id -u"),
            BoxOptionsTest::userNamespace);
        String id = "unboxed-test-userlayers";
        Path out = dir.resolve("out-user");
        List<String> log = new ArrayList<>();
        int exit = Container.run(Bundle.read(bundle), id, new Container.Io(out),
            Container.RunOptions.defaults().withLayers(List.of(top, base)), log::add);
        assertEquals(List.of("from the top layer", "root=overlay", "0"), Files.readAllLines(out), "exit " + exit + "\n" + String.join("\n", log));
        assertEquals(0, exit);
        assertTrue(log.stream().anyMatch(l -> l.matches("echo '0 100000 65536' > /proc/\\d+/uid_map")), String.join("\n", log));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("mount -t overlay overlay -o lowerdir=" + top + ":" + base)), String.join("\n", log));
        assertFalse(Files.exists(Container.LAYERS.resolve(id)), "the upper and work directories gone with the container");
        assertNothingLeft(id);
    }

    /**
     * A SIGKILLed `box run --net nat --layers ...`: doctor --leftovers lists the router and the upper directory, box
     * delete removes them.
     */
    @Test
    void aSigkilledRuntimesRouterAndLayersAreListedAndDeleted() throws Exception {
        config(List.of("sleep", "1000"), o -> { });
        String id = "unboxed-test-natkill", router = BoxNet.router(id);
        Process runtime = LabHarness.jvm("Box", "run", bundle.toString(), "--id", id, "--net", "nat", "--layers",
                bundle.resolve("rootfs").toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertTrue(Wait.until(Duration.ofSeconds(30), () -> Container.state(id).map(x -> x.status().equals("running"))
                .orElse(false)), "box run did not start the container");
        } finally {
            runtime.destroyForcibly();
            runtime.waitFor();
        }
        long pid = Container.state(id).orElseThrow().pid();
        assertTrue(Netns.exists(router), "the router outlives its runtime");
        List<String> left = Leftovers.find().stream().filter(l -> l.contains(id)).toList();
        assertTrue(left.contains("box journal: network namespace " + router + "  (sudo ./jbang box delete " + id + ")"),
            String.join("\n", left));
        assertTrue(left.contains("box journal: directory " + Container.LAYERS.resolve(id) + "  (sudo ./jbang box delete " + id
            + ")"), String.join("\n", left));
        assertEquals(0, BoxCli.execute("delete", id));
        assertFalse(Processes.alive(pid), "box delete ended the container's process");
        assertFalse(Files.exists(Netns.path(router)), "box delete removed the router");
        assertFalse(Files.exists(Container.LAYERS.resolve(id)), "box delete removed the upper and work directories");
        assertNothingLeft(id);
    }

    /** Runs `box ARGS`, expects the exit code, returns what it printed on stderr. */
    static List<String> box(int expected, String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int code;
        System.setErr(new PrintStream(seen, true, StandardCharsets.UTF_8));
        try {
            code = BoxCli.execute(args);
        } finally {
            System.setErr(err);
        }
        String said = seen.toString(StandardCharsets.UTF_8);
        assertEquals(expected, code, said);
        return said.lines().toList();
    }

    /** No state, no journal entry, no router, no host mount below the bundle. */
    static void assertNothingLeft(String id) {
        assertFalse(Files.exists(Container.STATE.resolve(id)), "state of " + id);
        assertFalse(Container.known(id), "journal entries of " + id);
        assertFalse(Files.exists(Netns.path(BoxNet.router(id))), "router of " + id);
        assertEquals(List.of(), Mounts.ofHost().stream().map(Mounts.Mount::mountPoint)
            .filter(m -> m.startsWith(dir.toString())).toList(), "host mounts below the test's folder");
    }
}
