package unboxed.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * A lab's own description of the network it builds, for the guide's picture: namespaces as boxes, veth pairs as
 * wires with the address at each end, and what sits on a box (a NAT rule, a default route, a sysctl). Data only: the
 * lab never reads it, so it cannot change what the lab does; the guide draws it as SVG.
 *
 * <p>Declared in the lab where the picture belongs, which is also where the guide shows it: before the first step
 * (beside the story), after a step, or after {@code .exercise(...)} (the exercise's picture):
 * <pre>{@code
 * .topology("What the steps build", t -> t
 *     .host()                                        // the root namespace, drawn as "the host"
 *     .netns("demo")
 *     .veth("host", "demo-host", "10.16.9.1/24", "demo", "demo-ns", "10.16.9.2/24"))
 * .topology("The exercise", t -> t
 *     .netns("router", "plays the host")
 *     .netns("inet", "plays the internet")
 *     .veth("router", "uplink", "203.0.113.1/24", "inet", "inet0", "203.0.113.2/24")
 *     .nat("router", "MASQUERADE -s 10.0.5.0/24 -o uplink")
 *     .route("box", "default via 10.0.5.1")
 *     .note("router", "net.ipv4.ip_forward = 1"))
 * }</pre>
 * Boxes are drawn left to right in the order they are declared; a wire may name a namespace declared later.
 *
 * <p>In an exercise's picture, {@link Builder#yours()} after a namespace, wire or note marks it as what the learner
 * builds; the guide draws that dashed, the rest (prepared by the lab, or already there) solid, with a legend:
 * <pre>{@code
 * .netns("box", "ip netns add box").yours()
 * .netns("router", "prepared: plays the host")
 * .veth("box", "veth-box", "10.0.5.2/24", "router", "veth-router", "10.0.5.1/24").yours()
 * .nat("router", "MASQUERADE -s 10.0.5.0/24 -o uplink").yours()
 * }</pre>
 */
public record Topology(String title, String where, int afterStep, List<Box> boxes, List<Wire> wires) {

    /** Where the guide shows a picture: beside the story, after step {@code afterStep} (1-based), or in the exercise. */
    public static final String STORY = "story", STEP = "step", EXERCISE = "exercise";

    /** The name {@link Builder#host()} gives the root namespace. */
    public static final String HOST = "host";

    /** A namespace: its name, a short caption (may be empty), what sits on it, and whether the learner makes it. */
    public record Box(String name, String caption, List<Note> notes, boolean yours) {}

    /** Something on a box: kind is "nat", "route" or "note" (the picture highlights nat); yours: the learner adds it. */
    public record Note(String kind, String text, boolean yours) {}

    /** One end of a wire: the namespace, the device name, and its address (may be empty). */
    public record End(String netns, String dev, String address) {}

    /** A veth pair between two namespaces; yours: the learner makes it. */
    public record Wire(String kind, End a, End b, boolean yours) {}

    /** True when the picture marks something as the learner's to build (the guide then draws a legend). */
    public boolean hasYours() {
        return boxes.stream().anyMatch(b -> b.yours() || b.notes().stream().anyMatch(Note::yours))
            || wires.stream().anyMatch(Wire::yours);
    }

    /** Fills in one picture; see the class comment. */
    public static final class Builder {
        private final List<String> order = new ArrayList<>();
        private final java.util.Map<String, String> captions = new java.util.HashMap<>();
        private final java.util.Map<String, List<Note>> notes = new java.util.HashMap<>();
        private final List<Wire> wires = new ArrayList<>();
        private final java.util.Set<String> yoursBoxes = new java.util.HashSet<>();
        /** What yours() marks: the box, wire or note declared last. */
        private Runnable markLast = () -> { throw new IllegalStateException("yours() follows a netns, veth or note"); };

        Builder() {}

        /** Marks the namespace, wire or note declared just before as what the learner builds (drawn dashed). */
        public Builder yours() {
            markLast.run();
            return this;
        }

        /** The root namespace (the host itself), named "host" in veth/nat/route/note. */
        public Builder host() { return netns(HOST, "the root namespace"); }

        public Builder netns(String name) { return netns(name, ""); }

        public Builder netns(String name, String caption) {
            if (!order.contains(name)) order.add(name);
            captions.put(name, caption == null ? "" : caption.strip());
            markLast = () -> yoursBoxes.add(name);
            return this;
        }

        /** A veth pair: one end in netnsA (device devA, address addrA, e.g. "10.16.8.1/24"), the other in netnsB. */
        public Builder veth(String netnsA, String devA, String addrA, String netnsB, String devB, String addrB) {
            wires.add(new Wire("veth", new End(netnsA, devA, addrA == null ? "" : addrA),
                new End(netnsB, devB, addrB == null ? "" : addrB), false));
            int i = wires.size() - 1;
            markLast = () -> wires.set(i, new Wire(wires.get(i).kind(), wires.get(i).a(), wires.get(i).b(), true));
            return this;
        }

        /** A NAT rule on a namespace (the router), in the words of iptables or nft. */
        public Builder nat(String netns, String rule) { return add(netns, "nat", rule); }

        /** A route worth seeing on the picture, e.g. "default via 10.0.5.1". */
        public Builder route(String netns, String route) { return add(netns, "route", route); }

        /** Anything else worth a line on the box, e.g. "net.ipv4.ip_forward = 1" or "lo UP". */
        public Builder note(String netns, String text) { return add(netns, "note", text); }

        private Builder add(String netns, String kind, String text) {
            List<Note> list = notes.computeIfAbsent(netns, k -> new ArrayList<>());
            list.add(new Note(kind, text.strip(), false));
            int i = list.size() - 1;
            markLast = () -> list.set(i, new Note(kind, text.strip(), true));
            return this;
        }

        Topology build(String title, String where, int afterStep) {
            List<String> names = new ArrayList<>(order);
            for (Wire w : wires) {
                for (End e : List.of(w.a(), w.b())) if (!names.contains(e.netns())) names.add(e.netns());
            }
            notes.keySet().stream().filter(n -> !names.contains(n)).sorted().forEach(names::add);
            List<Box> boxes = new ArrayList<>();
            for (String n : names) {
                boxes.add(new Box(n, captions.getOrDefault(n, n.equals(HOST) ? "the root namespace" : ""),
                    List.copyOf(notes.getOrDefault(n, List.of())), yoursBoxes.contains(n)));
            }
            return new Topology(title.strip(), where, afterStep, List.copyOf(boxes), List.copyOf(wires));
        }
    }
}
