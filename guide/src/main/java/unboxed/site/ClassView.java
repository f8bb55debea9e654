package unboxed.site;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.lab.Check;
import unboxed.lab.Reports;

/**
 * What an instructor projects during and at the end of a workshop: who passed which lab, when each learner last
 * checked (and who has been silent for a while), and which criteria failed most, with the reasons the checks gave.
 * Built from a folder of the learners' progress files.
 */
final class ClassView {
    private ClassView() {}

    /** When a learner last checked: the file's "updated", else the latest of its labs' "checkedAt"; null if neither. */
    static Instant lastCheck(ProgressFiles.Learner l) {
        Instant last = instant(l.updated());
        if (last != null) return last;
        for (Reports.Summary s : l.labs().values()) {
            Instant t = instant(s.checkedAt());
            if (t != null && (last == null || t.isAfter(last))) last = t;
        }
        return last;
    }

    private static Instant instant(String s) {
        if (s == null || s.isBlank()) return null;
        try {
            return Instant.parse(s.strip());
        } catch (DateTimeParseException e) {
            return null; // a hand-made file's own wording: shown as no time, never as silent
        }
    }

    /** "45 s", "12 min", "2 h 5 min", "3 days": how long ago, as the page says it (the script says it the same way). */
    static String ago(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) return s + " s";
        if (s < 3600) return s / 60 + " min";
        if (s >= 172800) return s / 86400 + " days";
        return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
    }

    static Map<String, Object> model(List<Map<String, Object>> labModels, List<ProgressFiles.Learner> learners, Path dir) {
        return model(labModels, learners, dir, Site.Live.once());
    }

    static Map<String, Object> model(List<Map<String, Object>> labModels, List<ProgressFiles.Learner> learners, Path dir,
                                     Site.Live live) {
        DateTimeFormatter clock = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
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
            Instant last = lastCheck(l);
            row.put("last", last == null ? "" : last.toString());
            row.put("lastShown", last == null ? "" : clock.format(last));
            Duration since = last == null ? Duration.ZERO : Duration.between(last, live.now());
            row.put("ago", last == null ? "" : ago(since));
            row.put("silent", last != null && since.compareTo(live.silentAfter()) > 0);
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
        model.put("silentAfter", live.silentAfter().getSeconds());
        model.put("silentAfterShown", ago(live.silentAfter()));
        model.put("reloadEvery", live.reloadEvery().getSeconds());
        model.put("builtAt", live.now().toString());
        model.put("builtShown", clock.format(live.now()));
        return model;
    }
}
