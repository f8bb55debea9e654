package unboxed.site;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import unboxed.lab.Topology;

/**
 * Reads one lab's {@code describe --json} text into {@link Doc}, checking every field the guide uses. A problem is
 * reported as the lab's file, the JSON line and path, and what was wrong: the text is what a learner would see from
 * {@code ./jbang labNN describe --json}, so the line points into that.
 */
public final class Describe {
    private Describe() {}

    public record Doc(String id, String title, String summary, int minutes, List<String> objectives,
                      List<String> prerequisites, List<String> tools, String story, List<StepDoc> steps,
                      String exercise, List<CheckDoc> checks, int maxPoints, List<QuestionDoc> quiz,
                      List<Topology> topologies) {}

    public record StepDoc(String title, String explain, String shell, String observe) {}

    public record CheckDoc(String id, String title, int points, String hint) {}

    public record QuestionDoc(String prompt, List<String> choices, int answer, String why) {}

    /** Parses and checks; {@code source} names the lab in messages ("labs/lab04-netns.java"). */
    public static Doc parse(String source, String json) {
        if (json == null || json.isBlank()) throw bad(source, "describe --json printed nothing");
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw bad(source, "describe --json is not valid JSON: " + lineOfGson(e.getMessage()));
        }
        return new Reader(source, json, root).doc();
    }

    private static SiteException bad(String source, String what) {
        return new SiteException(SiteException.BAD_INPUT, source + ": " + what);
    }

    /** Gson says "... at line 3 column 7 path $.x"; keep that, without the cause's class name. */
    private static String lineOfGson(String message) {
        if (message == null) return "unreadable";
        return message.replaceFirst("^[\\w.]+Exception: ", "");
    }

    /** The line each JSON path starts on, by walking the text once with a streaming reader. */
    static Map<String, Integer> lines(String json) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            walk(r, lines);
        } catch (IOException | RuntimeException e) {
            // the tree parser has already accepted the text; a failure here only costs line numbers
        }
        return lines;
    }

    private static final Pattern AT_LINE = Pattern.compile("at line (\\d+)");

    private static void walk(JsonReader r, Map<String, Integer> lines) throws IOException {
        JsonToken t = r.peek();
        Matcher m = AT_LINE.matcher(r.toString());
        if (m.find()) lines.putIfAbsent(r.getPath(), Integer.parseInt(m.group(1)));
        switch (t) {
            case BEGIN_OBJECT -> {
                r.beginObject();
                while (r.hasNext()) {
                    r.nextName();
                    walk(r, lines);
                }
                r.endObject();
            }
            case BEGIN_ARRAY -> {
                r.beginArray();
                while (r.hasNext()) walk(r, lines);
                r.endArray();
            }
            default -> r.skipValue();
        }
    }

    /** Checks fields one by one, naming the path and its line when one is missing or of the wrong kind. */
    private static final class Reader extends JsonFields {
        final JsonElement root;

        Reader(String source, String json, JsonElement root) {
            super(source, "describe --json", json);
            this.root = root;
        }

        Doc doc() {
            JsonObject o = obj(root, "$");
            String id = nonBlank(o, "$", "id");
            if (!id.matches("lab\\d\\d")) throw at("$.id", "expected an id like lab04, found \"" + id + "\"");
            // in the order describe prints them, so the first problem reported is the first in the text
            String title = nonBlank(o, "$", "title"), summary = str(o, "$", "summary");
            int minutes = integer(o, "$", "minutes", 1);
            List<String> objectives = strings(o, "$", "objectives"), prerequisites = strings(o, "$", "prerequisites"),
                tools = strings(o, "$", "tools");
            String story = str(o, "$", "story");
            List<StepDoc> steps = new ArrayList<>();
            JsonArray sa = array(o, "$", "steps");
            if (sa.isEmpty()) throw at("$.steps", "a lab needs at least one step");
            for (int i = 0; i < sa.size(); i++) {
                String p = "$.steps[" + i + "]";
                JsonObject s = obj(sa.get(i), p);
                steps.add(new StepDoc(nonBlank(s, p, "title"), str(s, p, "explain"), str(s, p, "shell"), str(s, p, "observe")));
            }
            String exercise = str(o, "$", "exercise");
            List<CheckDoc> checks = new ArrayList<>();
            JsonArray ca = array(o, "$", "checks");
            int sum = 0;
            for (int i = 0; i < ca.size(); i++) {
                String p = "$.checks[" + i + "]";
                JsonObject c = obj(ca.get(i), p);
                CheckDoc cd = new CheckDoc(nonBlank(c, p, "id"), nonBlank(c, p, "title"), integer(c, p, "points", 0),
                    str(c, p, "hint"));
                sum += cd.points();
                checks.add(cd);
            }
            int max = integer(o, "$", "maxPoints", 0);
            if (max != sum) throw at("$.maxPoints", "is " + max + " but the checks' points add up to " + sum);
            List<QuestionDoc> quiz = new ArrayList<>();
            JsonArray qa = array(o, "$", "quiz");
            for (int i = 0; i < qa.size(); i++) {
                String p = "$.quiz[" + i + "]";
                JsonObject q = obj(qa.get(i), p);
                List<String> choices = strings(q, p, "choices");
                if (choices.size() < 2) throw at(p + ".choices", "a question needs at least two choices");
                int answer = integer(q, p, "answer", 0);
                if (answer >= choices.size()) {
                    throw at(p + ".answer", "is " + answer + " but there are only " + choices.size() + " choices (counted from 0)");
                }
                quiz.add(new QuestionDoc(nonBlank(q, p, "prompt"), choices, answer, str(q, p, "why")));
            }
            return new Doc(id, title, summary, minutes, objectives, prerequisites, tools, story, List.copyOf(steps), exercise,
                List.copyOf(checks), max, List.copyOf(quiz), topologies(o, steps.size()));
        }

        /** Optional: labs from before pictures existed have no "topologies". */
        List<Topology> topologies(JsonObject o, int stepCount) {
            if (!o.has("topologies") || o.get("topologies").isJsonNull()) return List.of();
            JsonArray ta = array(o, "$", "topologies");
            List<Topology> out = new ArrayList<>();
            for (int i = 0; i < ta.size(); i++) {
                String p = "$.topologies[" + i + "]";
                JsonObject t = obj(ta.get(i), p);
                String where = nonBlank(t, p, "where");
                if (!List.of(Topology.STORY, Topology.STEP, Topology.EXERCISE).contains(where)) {
                    throw at(p + ".where", "expected story, step or exercise, found \"" + where + "\"");
                }
                int after = integer(t, p, "afterStep", 0);
                if (after > stepCount) throw at(p + ".afterStep", "is " + after + " but the lab has " + stepCount + " steps");
                List<Topology.Box> boxes = new ArrayList<>();
                JsonArray ba = array(t, p, "boxes");
                for (int j = 0; j < ba.size(); j++) {
                    String bp = p + ".boxes[" + j + "]";
                    JsonObject b = obj(ba.get(j), bp);
                    List<Topology.Note> notes = new ArrayList<>();
                    JsonArray na = array(b, bp, "notes");
                    for (int k = 0; k < na.size(); k++) {
                        String np = bp + ".notes[" + k + "]";
                        JsonObject n = obj(na.get(k), np);
                        notes.add(new Topology.Note(nonBlank(n, np, "kind"), str(n, np, "text")));
                    }
                    boxes.add(new Topology.Box(nonBlank(b, bp, "name"), str(b, bp, "caption"), List.copyOf(notes)));
                }
                List<Topology.Wire> wires = new ArrayList<>();
                JsonArray wa = array(t, p, "wires");
                for (int j = 0; j < wa.size(); j++) {
                    String wp = p + ".wires[" + j + "]";
                    JsonObject w = obj(wa.get(j), wp);
                    Topology.End a = end(obj(field(w, wp, "a"), wp + ".a"), wp + ".a", boxes);
                    Topology.End b = end(obj(field(w, wp, "b"), wp + ".b"), wp + ".b", boxes);
                    wires.add(new Topology.Wire(nonBlank(w, wp, "kind"), a, b));
                }
                out.add(new Topology(nonBlank(t, p, "title"), where, after, List.copyOf(boxes), List.copyOf(wires)));
            }
            return List.copyOf(out);
        }

        Topology.End end(JsonObject e, String path, List<Topology.Box> boxes) {
            String ns = nonBlank(e, path, "netns");
            if (boxes.stream().noneMatch(b -> b.name().equals(ns))) throw at(path + ".netns", "no box is named \"" + ns + "\"");
            return new Topology.End(ns, nonBlank(e, path, "dev"), str(e, path, "address"));
        }
    }
}
