package unboxed.site;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The presenter view of a lab (site/labNN-slides.html): a title slide, one slide per step (its shell lines, the Java
 * that does it, what it printed when recorded), and the exercise; each with speaker notes: the step's explanation,
 * the pace, and, when the site is built with a class's progress files, what this class fails most.
 */
final class Slides {
    private Slides() {}

    /** The slides' page of a lab. */
    static String page(String labId) {
        return labId + "-slides.html";
    }

    /**
     * The notes that are the presenter's own (the rest is the lab's model, as its guide page shows it). The recorded
     * transcripts keep no step timings, so the pace is the lab's stated minutes shared evenly over its steps and the
     * exercise, and the notes say so.
     */
    static Map<String, Object> notes(Map<String, Object> lab, Map<String, Object> classModel) {
        Map<String, Object> n = new LinkedHashMap<>();
        int steps = ((List<?>) lab.get("steps")).size();
        int minutes = (Integer) lab.get("minutes");
        n.put("slides", steps + 2);
        n.put("perSlide", minutesShown(minutes / (double) (steps + 1)));
        n.put("pace", "the lab's " + minutes + " minutes shared evenly over its " + steps
            + " steps and the exercise (the recordings keep no step timings)");
        List<String> at = new ArrayList<>();
        for (int i = 1; i <= steps + 1; i++) at.add(minutesShown(minutes * (i - 1) / (double) (steps + 1)));
        n.put("startsAt", at); // per step, then the exercise: where the clock should be when it starts
        if (classModel != null) n.put("class", classNotes((String) lab.get("id"), classModel));
        return n;
    }

    /** "about 4 min", "about 30 s": a pace, not a measurement. */
    static String minutesShown(double minutes) {
        if (minutes < 1) return Math.round(minutes * 60 / 10.0) * 10 + " s";
        return Math.round(minutes * 2) / 2.0 % 1 == 0 ? Math.round(minutes) + " min" : Math.round(minutes * 2) / 2.0 + " min";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> classNotes(String labId, Map<String, Object> classModel) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("folder", classModel.get("folder"));
        c.put("learners", ((List<?>) classModel.get("learners")).size());
        long checked = 0, passed = 0;
        for (Map<String, Object> col : (List<Map<String, Object>>) classModel.get("labs")) {
            if (col.get("id").equals(labId)) {
                checked = (Long) col.get("checked");
                passed = (Long) col.get("passed");
            }
        }
        c.put("checked", checked);
        c.put("passed", passed);
        c.put("criteria", ((List<Map<String, Object>>) classModel.get("criteria")).stream()
            .filter(m -> labId.equals(m.get("lab"))).toList());
        return c;
    }
}
