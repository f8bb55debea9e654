package unboxed.site;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.lab.Diagram;
import unboxed.lab.Topology;
import unboxed.transcript.Transcript;

/**
 * The guide's pictures, drawn from data, never by hand: a lab's network ({@link Topology}: namespaces as boxes, veth
 * pairs as wires with their addresses, NAT rules on the router), and the processes a step left behind, framed by pid
 * namespace. Inline SVG whose colours are CSS classes of the page, so the pictures follow light and dark mode and
 * print in black on white. Every text from a lab is escaped.
 */
final class Svg {
    private Svg() {}

    private static final double CH = 7.6; // width of one character of the 12.5px monospace font, generously
    private static final int PAD = 14, LINE = 17, HEAD = 24, PORT_ROW = 30;

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static int w(String s) {
        return (int) Math.ceil((s == null ? 0 : s.length()) * CH);
    }

    /** Splits a caption into lines of at most max characters, at spaces. */
    static List<String> wrap(String s, int max) {
        List<String> out = new ArrayList<>();
        if (s == null || s.isBlank()) return out;
        StringBuilder line = new StringBuilder();
        for (String word : s.strip().split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > max) {
                out.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        if (line.length() > 0) out.add(line.toString());
        return out;
    }

    /**
     * The svg element: its own width and height in CSS pixels (the viewBox's); the stylesheet keeps it at that size
     * (svg.pic: max-width none), so that a narrow screen scrolls the figure instead of shrinking the picture.
     */
    static String open(String kind, String id, int width, int height) {
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pic " + kind + "\" id=\"" + esc(id) + "\" viewBox=\"0 0 "
            + width + " " + height + "\" width=\"" + width + "\" height=\"" + height
            + "\" role=\"img\" aria-labelledby=\"" + esc(id) + "-t\">\n";
    }

    static final int LEGEND_H = 46;

    /** The exercise picture's legend: solid is there before the learner starts, dashed is theirs to build. */
    static String legend(int x, int y) {
        return "<g class=\"legend\">\n"
            + String.format("<rect class=\"given\" x=\"%d\" y=\"%d\" width=\"26\" height=\"14\" rx=\"3\"/>%n", x, y)
            + text(x + 34, y + 12, "legend-text", "prepared by the lab, or already there", "start")
            + String.format("<rect class=\"yours\" x=\"%d\" y=\"%d\" width=\"26\" height=\"14\" rx=\"3\"/>%n", x, y + 22)
            + text(x + 34, y + 34, "legend-text", "you build it (dashed)", "start")
            + "</g>\n";
    }

    static int legendWidth() {
        return 34 + w("prepared by the lab, or already there") + 24;
    }

    /** The width a box needs for its name and its caption's lines, at least min. */
    private static int headWidth(String name, List<String> caption, int min) {
        int width = Math.max(w(name) + 2 * PAD, min);
        for (String c : caption) width = Math.max(width, w(c) + 2 * PAD);
        return width;
    }

    // ---- network topology -------------------------------------------------------------------------------------

    private record Port(Topology.End end, boolean right, int row) {}

    static String topology(Topology t, String id) {
        List<Topology.Box> boxes = t.boxes();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < boxes.size(); i++) index.put(boxes.get(i).name(), i);
        // ports: a wire leaves the left box on its right side and enters the right box on its left side
        Map<Integer, List<Port>> left = new HashMap<>(), right = new HashMap<>();
        List<Port[]> wires = new ArrayList<>();
        for (Topology.Wire wire : t.wires()) {
            Topology.End a = wire.a(), b = wire.b();
            if (index.get(a.netns()) > index.get(b.netns())) {
                Topology.End x = a;
                a = b;
                b = x;
            }
            int ia = index.get(a.netns()), ib = index.get(b.netns());
            List<Port> ra = right.computeIfAbsent(ia, k -> new ArrayList<>());
            Port pa = new Port(a, true, ra.size());
            ra.add(pa);
            List<Port> lb = (ia == ib ? right : left).computeIfAbsent(ib, k -> new ArrayList<>());
            Port pb = new Port(b, ia != ib ? false : true, lb.size());
            lb.add(pb);
            wires.add(new Port[] {pa, pb});
        }
        // box sizes
        int n = boxes.size();
        int[] bw = new int[n], bh = new int[n], bx = new int[n];
        List<List<String>> captions = new ArrayList<>();
        int portsTop = 0;
        for (int i = 0; i < n; i++) {
            Topology.Box b = boxes.get(i);
            List<String> cap = wrap(b.caption(), 30);
            captions.add(cap);
            int width = headWidth(b.name(), cap, 150);
            for (Topology.Note note : b.notes()) width = Math.max(width, w(note.text()) + 2 * PAD + (note.kind().equals("nat") ? 44 : 0));
            int lw = left.getOrDefault(i, List.of()).stream().mapToInt(p -> w(p.end().dev())).max().orElse(0);
            int rw = right.getOrDefault(i, List.of()).stream().mapToInt(p -> w(p.end().dev())).max().orElse(0);
            width = Math.max(width, lw + rw + 3 * PAD + 16);
            bw[i] = width;
            portsTop = Math.max(portsTop, HEAD + cap.size() * LINE + b.notes().size() * (LINE + 4) + 10);
        }
        int maxPorts = 1;
        for (int i = 0; i < n; i++) {
            maxPorts = Math.max(maxPorts, Math.max(left.getOrDefault(i, List.of()).size(), right.getOrDefault(i, List.of()).size()));
        }
        for (int i = 0; i < n; i++) bh[i] = portsTop + maxPorts * PORT_ROW + 8;
        // gaps wide enough for the two addresses of the wire that crosses them
        int[] gap = new int[Math.max(0, n - 1)];
        for (int g = 0; g < gap.length; g++) gap[g] = 90;
        for (Port[] wp : wires) {
            int ia = index.get(wp[0].end().netns()), ib = index.get(wp[1].end().netns());
            if (ib == ia + 1) {
                gap[ia] = Math.max(gap[ia], Math.max(w(wp[0].end().address()), w(wp[1].end().address())) + 40);
            }
        }
        int x = 12, top = t.title().isBlank() ? 12 : 34;
        for (int i = 0; i < n; i++) {
            bx[i] = x;
            x += bw[i] + (i < gap.length ? gap[i] : 0);
        }
        int width = x + 12;
        int boxesBottom = top + java.util.Arrays.stream(bh).max().orElse(60);
        long longWires = wires.stream().filter(wp -> index.get(wp[1].end().netns()) - index.get(wp[0].end().netns()) > 1).count();
        int height = boxesBottom + 16 + (int) longWires * 22 + 14;
        int legendTop = height;
        if (t.hasYours()) {
            height += LEGEND_H;
            width = Math.max(width, legendWidth());
        }

        StringBuilder s = new StringBuilder();
        s.append(open("topo", id, width, height));
        s.append("<title id=\"").append(esc(id)).append("-t\">").append(esc(describe(t))).append("</title>\n");
        if (!t.title().isBlank()) s.append(text(12, 20, "pic-title", t.title(), "start"));
        for (int i = 0; i < n; i++) {
            Topology.Box b = boxes.get(i);
            boolean host = b.name().equals(Topology.HOST);
            s.append("<g class=\"box").append(host ? " host" : "").append(b.yours() ? " yours" : "").append("\">\n");
            s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"10\"/>%n", bx[i], top, bw[i], bh[i]));
            int y = top + 20;
            s.append(text(bx[i] + PAD, y, "name", host ? "the host" : b.name(), "start"));
            for (String c : captions.get(i)) {
                y += LINE;
                s.append(text(bx[i] + PAD, y, "caption", c, "start"));
            }
            for (Topology.Note note : b.notes()) {
                y += LINE + 4;
                if (note.kind().equals("nat")) {
                    s.append(String.format("<rect class=\"nat-badge\" x=\"%d\" y=\"%d\" width=\"36\" height=\"16\" rx=\"3\"/>%n",
                        bx[i] + PAD, y - 12));
                    s.append(text(bx[i] + PAD + 18, y, "nat-label", "NAT", "middle"));
                    s.append(text(bx[i] + PAD + 44, y, "note nat", note.text(), "start"));
                } else {
                    s.append(text(bx[i] + PAD, y, "note " + esc(note.kind()), (note.kind().equals("route") ? "↳ " : "") + note.text(), "start"));
                }
                if (note.yours()) {
                    int noteW = w(note.text()) + (note.kind().equals("nat") ? 44 : note.kind().equals("route") ? 16 : 0);
                    s.append(String.format("<rect class=\"yours-note\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" rx=\"3\"/>%n",
                        bx[i] + PAD - 5, y - 15, noteW + 10));
                }
            }
            s.append("</g>\n");
        }
        int lane = 0;
        for (int wi = 0; wi < wires.size(); wi++) {
            Port[] wp = wires.get(wi);
            Port a = wp[0], b = wp[1];
            int ia = index.get(a.end().netns()), ib = index.get(b.end().netns());
            int ya = top + portsTop + a.row() * PORT_ROW + PORT_ROW / 2, yb = top + portsTop + b.row() * PORT_ROW + PORT_ROW / 2;
            int xa = bx[ia] + bw[ia], xb = b.right() ? bx[ib] + bw[ib] : bx[ib];
            s.append("<g class=\"wire").append(t.wires().get(wi).yours() ? " yours" : "").append("\">\n");
            if (ib == ia + 1) {
                int mid = (xa + xb) / 2;
                s.append(String.format("<path d=\"M%d %d H%d V%d H%d\"/>%n", xa, ya, mid, yb, xb));
                s.append(text(xa + 8, ya - 7, "addr", a.end().address(), "start"));
                s.append(text(xb - 8, yb + 16, "addr", b.end().address(), "end"));
            } else {
                int yLane = boxesBottom + 16 + lane++ * 22;
                s.append(String.format("<path d=\"M%d %d H%d V%d H%d V%d H%d\"/>%n", xa, ya, xa + 14, yLane,
                    b.right() ? xb + 14 : xb - 14, yb, xb));
                s.append(text(xa + 18, yLane - 5, "addr", a.end().address() + "  ⟷  " + b.end().address(), "start"));
            }
            s.append(port(xa, ya, a.end().dev(), true));
            s.append(port(xb, yb, b.end().dev(), b.right()));
            s.append("</g>\n");
        }
        if (t.hasYours()) s.append(legend(12, legendTop));
        s.append("</svg>");
        return s.toString();
    }

    private static String port(int x, int y, String dev, boolean rightEdge) {
        return String.format("<rect class=\"port\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" rx=\"2\"/>%n", x - 5, y - 5)
            + text(rightEdge ? x - 10 : x + 10, y + 4, "dev", dev, rightEdge ? "end" : "start");
    }

    private static String text(int x, int y, String cls, String s, String anchor) {
        if (s == null || s.isEmpty()) return "";
        return String.format("<text x=\"%d\" y=\"%d\" class=\"%s\" text-anchor=\"%s\">%s</text>%n", x, y, cls, anchor, esc(s));
    }

    /** The picture in words, for screen readers and for the tooltip. */
    static String describe(Topology t) {
        StringBuilder b = new StringBuilder(t.title()).append(": ");
        List<String> parts = new ArrayList<>();
        for (Topology.Wire w : t.wires()) {
            parts.add(end(w.a()) + " is wired to " + end(w.b()));
        }
        for (Topology.Box box : t.boxes()) {
            for (Topology.Note n : box.notes()) parts.add(box.name() + ": " + n.text());
        }
        return b.append(String.join("; ", parts)).toString();
    }

    private static String end(Topology.End e) {
        return e.dev() + (e.address().isEmpty() ? "" : " " + e.address()) + " in " + e.netns();
    }

    // ---- diagrams: panels of indented nodes, arrows between them ---------------------------------------------------

    private static final int D_ROW = 30, D_NODE_H = 22, D_INDENT = 20, D_LANE = 16;

    private static int nodeW(Diagram.Node n) {
        return w(n.text()) + 16;
    }

    /** Where a node's row ends on the right: after its box and its note. */
    private static int rowEnd(Diagram.Node n) {
        return PAD + n.depth() * D_INDENT + nodeW(n) + (n.note().isEmpty() ? 0 : 10 + w(n.note()));
    }

    static String diagram(Diagram d, String id) {
        List<Diagram.Panel> panels = d.panels();
        int n = panels.size();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) index.put(panels.get(i).name(), i);
        // arrows inside one panel run in lanes on its right; their labels stand right of the lanes
        int[] lanes = new int[n], laneLabelW = new int[n];
        List<int[]> inner = new ArrayList<>(); // arrow index, panel, lane
        int[] gap = new int[Math.max(0, n - 1)];
        java.util.Arrays.fill(gap, 60);
        for (int k = 0; k < d.arrows().size(); k++) {
            Diagram.Arrow a = d.arrows().get(k);
            int pa = index.get(a.fromPanel()), pb = index.get(a.toPanel());
            List<String> label = wrap(a.label(), 22);
            int lw = label.stream().mapToInt(Svg::w).max().orElse(0);
            if (pa == pb) {
                inner.add(new int[] {k, pa, lanes[pa]++});
                laneLabelW[pa] = Math.max(laneLabelW[pa], lw);
            } else {
                int g = Math.min(pa, pb);
                gap[g] = Math.max(gap[g], lw + 36);
            }
        }
        int[] pw = new int[n], px = new int[n], contentW = new int[n];
        List<List<String>> captions = new ArrayList<>();
        int head = 0, rows = 1;
        for (int i = 0; i < n; i++) {
            Diagram.Panel p = panels.get(i);
            List<String> cap = wrap(p.caption(), 34);
            captions.add(cap);
            int cw = headWidth(p.name(), cap, 140);
            for (Diagram.Node node : p.nodes()) cw = Math.max(cw, rowEnd(node) + PAD);
            contentW[i] = cw;
            pw[i] = cw + (lanes[i] == 0 ? 0 : lanes[i] * D_LANE + laneLabelW[i] + 14);
            head = Math.max(head, HEAD + cap.size() * LINE + 12);
            rows = Math.max(rows, p.nodes().size());
        }
        int top = d.title().isBlank() ? 12 : 34;
        int x = 12;
        for (int i = 0; i < n; i++) {
            px[i] = x;
            x += pw[i] + (i < gap.length ? gap[i] : 0);
        }
        int width = x + 12;
        int labelLines = 0;
        for (int[] in : inner) labelLines += wrap(d.arrows().get(in[0]).label(), 22).size();
        int panelH = Math.max(head + rows * D_ROW + 8, head + labelLines * LINE + inner.size() * 4 + 8);
        int height = top + panelH + 14;
        int legendTop = height;
        if (d.hasYours()) {
            height += LEGEND_H;
            width = Math.max(width, legendWidth());
        }
        StringBuilder s = new StringBuilder(open("diagram", id, width, height));
        s.append("<title id=\"").append(esc(id)).append("-t\">").append(esc(describe(d))).append("</title>\n");
        s.append("<defs><marker id=\"").append(esc(id)).append("-head\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
            + "markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"head\" d=\"M0 0 L10 5 L0 10 z\"/></marker></defs>\n");
        if (!d.title().isBlank()) s.append(text(12, 20, "pic-title", d.title(), "start"));
        for (int i = 0; i < n; i++) {
            Diagram.Panel p = panels.get(i);
            s.append("<g class=\"panel").append(p.yours() ? " yours" : "").append("\">\n");
            s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"10\"/>%n", px[i], top, pw[i], panelH));
            int y = top + 20;
            s.append(text(px[i] + PAD, y, "name", p.name(), "start"));
            for (String c : captions.get(i)) {
                y += LINE;
                s.append(text(px[i] + PAD, y, "caption", c, "start"));
            }
            s.append("</g>\n");
            List<Diagram.Node> nodes = p.nodes();
            for (int r = 0; r < nodes.size(); r++) {
                Diagram.Node node = nodes.get(r);
                int nx = px[i] + PAD + node.depth() * D_INDENT, ny = top + head + r * D_ROW;
                for (int q = r - 1; q >= 0 && node.depth() > 0; q--) {
                    if (nodes.get(q).depth() == node.depth() - 1) {
                        int ex = px[i] + PAD + nodes.get(q).depth() * D_INDENT + 8;
                        s.append(String.format("<path class=\"edge\" d=\"M%d %d V%d H%d\"/>%n", ex, top + head + q * D_ROW + D_NODE_H,
                            ny + D_NODE_H / 2, nx));
                        break;
                    }
                }
                s.append("<g class=\"node").append(node.mark() ? " mark" : "").append(node.yours() ? " yours" : "").append("\">");
                s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\"/>", nx, ny, nodeW(node), D_NODE_H));
                s.append(text(nx + 8, ny + 15, "label", node.text(), "start"));
                if (!node.note().isEmpty()) s.append(text(nx + nodeW(node) + 10, ny + 15, "note", node.note(), "start"));
                s.append("</g>\n");
            }
        }
        String head0 = "url(#" + esc(id) + "-head)";
        int[] innerLabelBottom = new int[n]; // the labels of one panel's inner arrows stand one below the other
        java.util.Arrays.fill(innerLabelBottom, Integer.MIN_VALUE / 2);
        for (int k = 0; k < d.arrows().size(); k++) {
            Diagram.Arrow a = d.arrows().get(k);
            int pa = index.get(a.fromPanel()), pb = index.get(a.toPanel());
            int ra = row(panels.get(pa), a.from()), rb = row(panels.get(pb), a.to());
            int ya = top + head + ra * D_ROW + D_NODE_H / 2, yb = top + head + rb * D_ROW + D_NODE_H / 2;
            List<String> label = wrap(a.label(), 22);
            s.append("<g class=\"arrow\">\n");
            String ends = (a.both() ? " marker-start=\"" + head0 + "\"" : "") + " marker-end=\"" + head0 + "\"";
            if (pa == pb) {
                int lane = 0;
                for (int[] in : inner) if (in[0] == k) lane = in[2];
                int lx = px[pa] + contentW[pa] + 6 + lane * D_LANE;
                Diagram.Node na = panels.get(pa).nodes().get(ra), nb = panels.get(pb).nodes().get(rb);
                int xa = px[pa] + rowEnd(na) + 4, xb = px[pa] + rowEnd(nb) + 6;
                s.append(String.format("<path d=\"M%d %d H%d V%d H%d\"%s/>%n", xa, ya, lx, yb, xb, ends));
                int ly = Math.max((ya + yb) / 2 - (label.size() - 1) * LINE / 2 + 4, innerLabelBottom[pa] + LINE + 4);
                innerLabelBottom[pa] = ly + (label.size() - 1) * LINE;
                for (String l : label) {
                    s.append(text(px[pa] + contentW[pa] + 6 + lanes[pa] * D_LANE + 4, ly, "arrow-label", l, "start"));
                    ly += LINE;
                }
            } else {
                boolean rightwards = pa < pb;
                int xa = rightwards ? px[pa] + pw[pa] : px[pa], xb = rightwards ? px[pb] : px[pb] + pw[pb];
                int g = Math.min(pa, pb), mid = px[g] + pw[g] + gap[g] / 2;
                s.append(String.format("<circle class=\"dot\" cx=\"%d\" cy=\"%d\" r=\"3.5\"/>%n", xa, ya));
                s.append(String.format("<path d=\"M%d %d H%d V%d H%d\"%s/>%n", xa, ya, mid, yb, xb, ends));
                int ly = Math.min(ya, yb) - 8 - (label.size() - 1) * LINE;
                for (String l : label) {
                    s.append(text(mid, ly, "arrow-label", l, "middle"));
                    ly += LINE;
                }
            }
            s.append("</g>\n");
        }
        if (d.hasYours()) s.append(legend(12, legendTop));
        s.append("</svg>");
        return s.toString();
    }

    private static int row(Diagram.Panel p, String text) {
        for (int r = 0; r < p.nodes().size(); r++) if (p.nodes().get(r).text().equals(text)) return r;
        throw new IllegalArgumentException(text);
    }

    /** The diagram in words, for screen readers and for the tooltip. */
    static String describe(Diagram d) {
        List<String> parts = new ArrayList<>();
        for (Diagram.Panel p : d.panels()) {
            List<String> ns = new ArrayList<>();
            for (Diagram.Node n : p.nodes()) ns.add(n.text() + (n.note().isEmpty() ? "" : " (" + n.note() + ")") + (n.yours() ? ", yours to build" : ""));
            parts.add(p.name() + (p.yours() ? " (yours to build)" : "") + ": " + String.join(", ", ns));
        }
        for (Diagram.Arrow a : d.arrows()) {
            parts.add(a.from() + " in " + a.fromPanel() + (a.both() ? " <-> " : " -> ") + a.to() + " in " + a.toPanel()
                + (a.label().isEmpty() ? "" : ": " + a.label()));
        }
        return d.title() + ": " + String.join("; ", parts);
    }

    // ---- processes and pid namespaces ---------------------------------------------------------------------------

    private static final int ROW = 56, NODE_H = 38, INDENT = 34;

    static String processes(List<Transcript.Proc> procs, String title, String id) {
        int n = procs.size();
        // a zombie shows no namespaces: it is where its parent is, when it has as many pids as its parent
        String[] ns = new String[n];
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            Transcript.Proc p = procs.get(i);
            parent[i] = -1;
            for (int j = i - 1; j >= 0; j--) {
                if (procs.get(j).depth() == p.depth() - 1) {
                    parent[i] = j;
                    break;
                }
            }
            ns[i] = p.pidNs();
            if (ns[i].isEmpty() && parent[i] >= 0 && procs.get(parent[i]).nspid().size() == p.nspid().size()) ns[i] = ns[parent[i]];
            if (ns[i].isEmpty() && parent[i] >= 0) {
                // a zombie one level deeper than its parent: in the namespace of a sibling with as many pids, if any
                for (int j = 0; j < n; j++) {
                    if (j != i && procs.get(j).nspid().size() == p.nspid().size() && !procs.get(j).pidNs().isEmpty()) {
                        ns[i] = procs.get(j).pidNs();
                        break;
                    }
                }
            }
        }
        int[] subtreeEnd = new int[n];
        for (int i = 0; i < n; i++) {
            int e = i;
            while (e + 1 < n && procs.get(e + 1).depth() > procs.get(i).depth()) e++;
            subtreeEnd[i] = e;
        }
        // frames: one per pid namespace, outermost first
        Map<String, int[]> frames = new LinkedHashMap<>(); // ns -> {firstRow, lastRow, minDepth, level}
        for (int i = 0; i < n; i++) {
            if (ns[i].isEmpty()) continue;
            int[] f = frames.computeIfAbsent(ns[i], k -> new int[] {Integer.MAX_VALUE, -1, Integer.MAX_VALUE, 0});
            f[0] = Math.min(f[0], i);
            f[1] = Math.max(f[1], subtreeEnd[i]);
            f[2] = Math.min(f[2], procs.get(i).depth());
            f[3] = procs.get(i).nspid().size() - 1;
        }
        List<String> labels = new ArrayList<>();
        int maxRight = 0;
        for (int i = 0; i < n; i++) {
            Transcript.Proc p = procs.get(i);
            int nodeW = Math.max(w(p.command()), w(pidLine(p))) + 2 * 12;
            if (!p.ownNs().isEmpty()) nodeW = Math.max(nodeW, w(pidLine(p)) + w(ownLine(p)) + 40);
            maxRight = Math.max(maxRight, 20 + p.depth() * INDENT + nodeW);
        }
        int labelW = 0;
        for (var e : frames.entrySet()) {
            String label = frameLabel(e.getKey(), e.getValue()[3]);
            labels.add(label);
            labelW = Math.max(labelW, w(label));
        }
        int width = maxRight + labelW + 40 + frames.size() * 10;
        int top = title.isBlank() ? 14 : 38;
        int height = top + n * ROW + 16;
        StringBuilder s = new StringBuilder();
        s.append(open("procs", id, width, height));
        s.append("<title id=\"").append(esc(id)).append("-t\">").append(esc(describe(procs, title))).append("</title>\n");
        if (!title.isBlank()) s.append(text(12, 22, "pic-title", title, "start"));
        int k = 0;
        for (var e : frames.entrySet()) {
            int[] f = e.getValue();
            int level = f[3];
            // an outer frame reaches further above and below its rows than an inner one, so that a frame that ends
            // on the same row as the one around it, or a sibling's frame on the next row, never shares its edge
            int outer = 2 - Math.min(level, 2);
            int x0 = 8 + f[2] * INDENT + (f[2] == 0 ? 0 : 4) + level * 2, y0 = top + f[0] * ROW - 3 - 2 * outer;
            int x1 = width - 8 - level * 10, y1 = top + f[1] * ROW + NODE_H + 4 + 3 * outer;
            s.append(String.format("<g class=\"pidns level%d\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"10\"/>%n",
                Math.min(level, 3), x0, y0, x1 - x0, y1 - y0));
            s.append(text(x1 - 10, y0 + 18, "ns-label", labels.get(k++), "end"));
            s.append("</g>\n");
        }
        for (int i = 0; i < n; i++) {
            if (parent[i] < 0) continue;
            int px = 20 + procs.get(parent[i]).depth() * INDENT + 14, py = top + parent[i] * ROW + NODE_H;
            int cx = 20 + procs.get(i).depth() * INDENT, cy = top + i * ROW + NODE_H / 2;
            s.append(String.format("<path class=\"edge\" d=\"M%d %d V%d H%d\"/>%n", px, py, cy, cx));
        }
        for (int i = 0; i < n; i++) {
            Transcript.Proc p = procs.get(i);
            int x = 20 + p.depth() * INDENT, y = top + i * ROW;
            int nodeW = Math.max(w(p.command()), w(pidLine(p))) + 2 * 12;
            if (!p.ownNs().isEmpty()) nodeW = Math.max(nodeW, w(pidLine(p)) + w(ownLine(p)) + 40);
            boolean zombie = p.state() == 'Z';
            boolean init = p.nspid().size() > 1 && p.nspid().get(p.nspid().size() - 1) == 1;
            s.append("<g class=\"proc").append(zombie ? " zombie" : "").append(init ? " init" : "").append("\">");
            s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\"/>%n", x, y, nodeW, NODE_H));
            s.append(text(x + 12, y + 16, "cmd", p.command(), "start"));
            s.append(text(x + 12, y + 32, "pids", pidLine(p), "start"));
            if (!p.ownNs().isEmpty()) s.append(text(x + nodeW - 10, y + 32, "own", ownLine(p), "end"));
            s.append("</g>\n");
        }
        s.append("</svg>");
        return s.toString();
    }

    /** "pid 1 · 4102 on the host", or for three levels "pid 1 · 7 · 4102 on the host". */
    static String pidLine(Transcript.Proc p) {
        List<Long> l = p.nspid();
        String state = p.state() == 'Z' ? " · zombie" : "";
        if (l.size() == 1) return "pid " + l.get(0) + state;
        StringBuilder b = new StringBuilder("pid " + l.get(l.size() - 1));
        for (int i = l.size() - 2; i >= 0; i--) b.append(" · ").append(l.get(i));
        return b.append(" on the host").append(state).toString();
    }

    static String ownLine(Transcript.Proc p) {
        return "own " + String.join(", ", p.ownNs());
    }

    static String frameLabel(String ns, int level) {
        return (level == 0 ? "host pid namespace " : level == 1 ? "new pid namespace " : "nested pid namespace ") + ns;
    }

    static String describe(List<Transcript.Proc> procs, String title) {
        List<String> parts = new ArrayList<>();
        for (Transcript.Proc p : procs) {
            parts.add("  ".repeat(p.depth()) + p.command() + " (" + pidLine(p) + (p.ownNs().isEmpty() ? "" : ", " + ownLine(p)) + ")");
        }
        return title + ": " + String.join("; ", parts);
    }
}
