package unboxed.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * A lab's own picture of things that are not a network: file system trees, mount tables, the cgroup tree. Panels side
 * by side, each a titled list of nodes indented as a tree (a directory and what is in it, a mount table's mounts, a
 * cgroup and its files), and arrows between nodes with a label (an escape path, a mount propagating, the OOM killer).
 * Data only, like {@link Topology}: the lab never reads it; the guide draws it, where it is declared (beside the
 * story, after a step, or with the exercise):
 * <pre>{@code
 * .diagram("Who sees a mount", d -> d
 *     .panel("host", "the host's mount table")
 *         .node("/", "shared:1")
 *         .node("  /mnt/x", "shared:7").mark()          // two leading spaces per level of the tree
 *     .panel("new", "after unshare -m")
 *         .node("/", "shared:1")
 *         .node("  /mnt/x", "shared:7")
 *     .arrow("host", "/mnt/x", "new", "/mnt/x", "a mount propagates"))
 * }</pre>
 * {@link Builder#mark()} highlights the node declared last (the limit, the root that moved). In an exercise's
 * picture, {@link Builder#yours()} marks the node or panel declared last as what the learner builds: drawn dashed,
 * with a legend. An arrow names its ends by panel name and node text (without the indent).
 */
public record Diagram(String title, String where, int afterStep, List<Panel> panels, List<Arrow> arrows) {

    /** A column of the picture: its name (bold), a caption (may be empty), its nodes; yours: the learner makes it. */
    public record Panel(String name, String caption, List<Node> nodes, boolean yours) {}

    /** One line of a panel: its depth in the tree, its text, a note beside it (may be empty), and how it is drawn. */
    public record Node(int depth, String text, String note, boolean mark, boolean yours) {}

    /** An arrow from one node to another (by panel name and node text); both: it points both ways. */
    public record Arrow(String fromPanel, String from, String toPanel, String to, String label, boolean both) {}

    /** True when the picture marks something as the learner's to build (the guide then draws a legend). */
    public boolean hasYours() {
        return panels.stream().anyMatch(p -> p.yours() || p.nodes().stream().anyMatch(Node::yours));
    }

    /** Fills in one picture; see the class comment. */
    public static final class Builder {
        private final List<String> names = new ArrayList<>(), captions = new ArrayList<>();
        private final List<List<Node>> nodes = new ArrayList<>();
        private final List<Boolean> yoursPanels = new ArrayList<>();
        private final List<Arrow> arrows = new ArrayList<>();

        Builder() {}

        /** Starts a panel; the nodes declared next go in it. */
        public Builder panel(String name, String caption) {
            if (names.contains(name)) throw new IllegalArgumentException("diagram: panel " + name + " declared twice");
            names.add(name);
            captions.add(caption == null ? "" : caption.strip());
            nodes.add(new ArrayList<>());
            yoursPanels.add(false);
            return this;
        }

        public Builder node(String text) { return node(text, ""); }

        /** A node of the current panel: two leading spaces of text per level of the tree; note goes beside it. */
        public Builder node(String text, String note) {
            if (names.isEmpty()) throw new IllegalStateException("diagram: node(\"" + text + "\") before any panel");
            int indent = text.length() - text.stripLeading().length();
            current().add(new Node(indent / 2, text.strip(), note == null ? "" : note.strip(), false, false));
            return this;
        }

        /** Highlights the node declared last. */
        public Builder mark() {
            Node n = last();
            current().set(current().size() - 1, new Node(n.depth(), n.text(), n.note(), true, n.yours()));
            return this;
        }

        /** Marks the node declared last (or the panel, when it has no node yet) as what the learner builds. */
        public Builder yours() {
            if (!names.isEmpty() && current().isEmpty()) {
                yoursPanels.set(names.size() - 1, true);
                return this;
            }
            Node n = last();
            current().set(current().size() - 1, new Node(n.depth(), n.text(), n.note(), n.mark(), true));
            return this;
        }

        /** An arrow from a node to a node, each named by its panel and its text. */
        public Builder arrow(String fromPanel, String from, String toPanel, String to, String label) {
            arrows.add(new Arrow(fromPanel, from, toPanel, to, label == null ? "" : label.strip(), false));
            return this;
        }

        /** An arrow that points both ways (a mount that propagates in both directions). */
        public Builder both(String panelA, String a, String panelB, String b, String label) {
            arrows.add(new Arrow(panelA, a, panelB, b, label == null ? "" : label.strip(), true));
            return this;
        }

        private List<Node> current() { return nodes.get(nodes.size() - 1); }

        private Node last() {
            if (names.isEmpty() || current().isEmpty()) throw new IllegalStateException("diagram: mark() or yours() follows a node");
            return current().get(current().size() - 1);
        }

        Diagram build(String title, String where, int afterStep) {
            for (Arrow a : arrows) {
                find(a.fromPanel(), a.from());
                find(a.toPanel(), a.to());
            }
            List<Panel> panels = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                panels.add(new Panel(names.get(i), captions.get(i), List.copyOf(nodes.get(i)), yoursPanels.get(i)));
            }
            return new Diagram(title.strip(), where, afterStep, List.copyOf(panels), List.copyOf(arrows));
        }

        private void find(String panel, String text) {
            int p = names.indexOf(panel);
            if (p < 0) throw new IllegalArgumentException("diagram: an arrow names panel " + panel + ", which is not declared");
            if (nodes.get(p).stream().noneMatch(n -> n.text().equals(text))) {
                throw new IllegalArgumentException("diagram: an arrow names " + text + " in panel " + panel + ", which has no such node");
            }
        }
    }
}
