package unboxed.site;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading JSON the guide did not write (a learner's progress file) field by field: a missing or
 * mistyped field is reported with the file, the line it is on, and its path ($.checks[2].points), as one line.
 */
class JsonFields {
    final String source, what;
    final Map<String, Integer> lines;

    JsonFields(String source, String what, String json) {
        this.source = source;
        this.what = what;
        this.lines = lines(json);
    }

    SiteException at(String path, String what) {
        Integer line = lines.get(path);
        String parent = path;
        while (line == null && parent.contains(".")) {
            parent = parent.substring(0, Math.max(parent.lastIndexOf('.'), parent.lastIndexOf('[')));
            line = lines.get(parent);
        }
        return new SiteException(SiteException.BAD_INPUT, source + ": " + (this.what.isEmpty() ? "" : this.what + " ")
            + (line == null ? "" : "line " + line + " ") + "(" + path + "): " + what);
    }

    JsonObject obj(JsonElement e, String path) {
        if (e == null || !e.isJsonObject()) throw at(path, "expected an object, found " + kind(e));
        return e.getAsJsonObject();
    }

    JsonElement field(JsonObject o, String path, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) throw at(path, "missing field \"" + name + "\"");
        return e;
    }

    String str(JsonObject o, String path, String name) {
        JsonElement e = field(o, path, name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw at(path + "." + name, "expected a string, found " + kind(e));
        }
        return e.getAsString();
    }

    String nonBlank(JsonObject o, String path, String name) {
        String s = str(o, path, name);
        if (s.isBlank()) throw at(path + "." + name, "must not be empty");
        return s;
    }

    int integer(JsonObject o, String path, String name, int min) {
        JsonElement e = field(o, path, name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw at(path + "." + name, "expected a whole number, found " + kind(e));
        }
        double d = e.getAsDouble();
        if (d != Math.rint(d) || d < min || d > Integer.MAX_VALUE) {
            throw at(path + "." + name, "expected a whole number >= " + min + ", found " + e);
        }
        return (int) d;
    }

    JsonArray array(JsonObject o, String path, String name) {
        JsonElement e = field(o, path, name);
        if (!e.isJsonArray()) throw at(path + "." + name, "expected a list, found " + kind(e));
        return e.getAsJsonArray();
    }

    boolean bool(JsonObject o, String path, String name) {
        JsonElement e = field(o, path, name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw at(path + "." + name, "expected true or false, found " + kind(e));
        }
        return e.getAsBoolean();
    }

    static String kind(JsonElement e) {
        if (e == null || e.isJsonNull()) return "nothing";
        if (e.isJsonObject()) return "an object";
        if (e.isJsonArray()) return "a list";
        if (e.getAsJsonPrimitive().isString()) return "a string";
        if (e.getAsJsonPrimitive().isNumber()) return "a number";
        return "a boolean";
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
}
