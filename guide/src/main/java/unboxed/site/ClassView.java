package unboxed.site;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.lab.Check;
import unboxed.lab.Reports;

/**
 * What an instructor projects at the end of a workshop: who passed which lab, and which criteria failed most, with
 * the reasons the checks gave. Built from a folder of the learners' progress files.
 */
final class ClassView {
    private ClassView() {}

    static Map<String, Object> model(List<Map<String, Object>> labModels, List<ProgressFiles.Learner> learners, Path dir) {
        // columns: the labs of this checkout, then any lab a progress file knows that this checkout does not
        Map<String, String> titles = new LinkedHashMap<>();
        Map<String, Map<String, Object>> known = new LinkedHashMap<>();
        for (Map<String, Object> l : labModels) {
            titles.put((String) l.get("id"), (String) l.get("title"));
            known.put((String) l.get("id"), l);
        }
        for (ProgressFiles.Learner l : learners) {
            l.labs().forEach((id, r) -> titles.putIfAbsent(id, r.title()));
        }
        // two files of one learner name (two machines): tell them apart by host
        Map<String, Long> sameName = new LinkedHashMap<>();
        learners.forEach(l -> sameName.merge(l.learner(), 1L, Long::sum));

        List<Map<String, Object>> rows = new ArrayList<>();
        for (ProgressFiles.Learner l : learners.stream().sorted(Comparator.comparing(ProgressFiles.Learner::learner)
                .thenComparing(ProgressFiles.Learner::file)).toList()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", sameName.get(l.learner()) > 1 && !l.host().isEmpty() ? l.learner() + "@" + l.host() : l.learner());
            row.put("file", Path.of(l.file()).getFileName().toString());
            row.put("updated", l.updated());
            List<Map<String, Object>> cells = new ArrayList<>();
            int total = 0, passed = 0;
            for (String id : titles.keySet()) {
                Map<String, Object> cell = new LinkedHashMap<>();
                Reports.Summary r = l.labs().get(id);
                cell.put("present", r != null);
                if (r != null) {
                    cell.put("points", r.points());
                    cell.put("max", r.max());
                    cell.put("passed", r.passed());
                    cell.put("failing", r.checks().stream().filter(c -> !c.passed()).map(Check.Result::id).toList());
                    total += r.points();
                    if (r.passed()) passed++;
                }
                cells.add(cell);
            }
            row.put("cells", cells);
            row.put("total", total);
            row.put("passed", passed);
            rows.add(row);
        }

        List<Map<String, Object>> columns = new ArrayList<>();
        for (var e : titles.entrySet()) {
            String id = e.getKey();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", id);
            c.put("title", e.getValue());
            c.put("page", known.containsKey(id));
            c.put("checked", learners.stream().filter(l -> l.labs().containsKey(id)).count());
            c.put("passed", learners.stream().filter(l -> l.labs().containsKey(id) && l.labs().get(id).passed()).count());
            columns.add(c);
        }

        // criteria, by how many learners' last check failed them
        record Key(String lab, String id) {}
        Map<Key, Map<String, Object>> crit = new LinkedHashMap<>();
        Map<Key, Map<String, Integer>> reasons = new LinkedHashMap<>();
        for (ProgressFiles.Learner l : learners) {
            for (var e : l.labs().entrySet()) {
                for (Check.Result c : e.getValue().checks()) {
                    Key k = new Key(e.getKey(), c.id());
                    Map<String, Object> m = crit.computeIfAbsent(k, x -> {
                        Map<String, Object> n = new LinkedHashMap<>();
                        n.put("lab", e.getKey());
                        n.put("labTitle", titles.get(e.getKey()));
                        n.put("id", c.id());
                        n.put("titleHtml", Markdown.inline(c.title()));
                        n.put("fails", 0);
                        n.put("checked", 0);
                        n.put("failedBy", new ArrayList<String>());
                        return n;
                    });
                    m.put("checked", (Integer) m.get("checked") + 1);
                    if (!c.passed()) {
                        m.put("fails", (Integer) m.get("fails") + 1);
                        @SuppressWarnings("unchecked")
                        List<String> by = (List<String>) m.get("failedBy");
                        by.add(l.learner());
                        String reason = c.reason() == null || c.reason().isBlank() ? "(no reason given)" : c.reason();
                        reasons.computeIfAbsent(k, x -> new LinkedHashMap<>()).merge(reason, 1, Integer::sum);
                    }
                }
            }
        }
        List<String> order = new ArrayList<>(titles.keySet());
        List<Map<String, Object>> failing = new ArrayList<>();
        for (var e : crit.entrySet()) {
            Map<String, Object> m = e.getValue();
            if ((Integer) m.get("fails") == 0) continue;
            List<Map<String, Object>> rs = new ArrayList<>();
            reasons.get(e.getKey()).entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(r -> rs.add(Map.of("text", r.getKey(), "count", r.getValue())));
            m.put("reasons", rs);
            failing.add(m);
        }
        failing.sort(Comparator.<Map<String, Object>>comparingInt(m -> -(Integer) m.get("fails"))
            .thenComparingInt(m -> order.indexOf((String) m.get("lab"))));

        Map<String, Object> model = new LinkedHashMap<>();
        model.put("folder", dir.getFileName() == null ? dir.toString() : dir.getFileName().toString());
        model.put("labs", columns);
        model.put("learners", rows);
        model.put("criteria", failing);
        model.put("site", Map.of("hasClass", true));
        return model;
    }
}
