package unboxed.site;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checking JSON the guide did not write (a learner's progress file) before it is bound to lib's records: a missing or
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

    boolean bool(JsonObject o, String path, String name) {
        JsonElement e = field(o, path, name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw at(path + "." + name, "expected true or false, found " + kind(e));
        }
        return e.getAsBoolean();
    }

    /**
     * Checks that {@code e} has the shape of {@code type} as Gson would bind it: a record's every component present
     * (or, if its name is in {@code optional}, absent or null: then set to "", so the record never holds null), strings,
     * whole numbers >= 0, booleans, lists and maps of such. The first misfit is thrown with its path and line.
     */
    void shape(JsonElement e, String path, Type type, Set<String> optional) {
        if (type instanceof Class<?> c && c.isRecord()) {
            JsonObject o = obj(e, path);
            for (RecordComponent rc : c.getRecordComponents()) {
                String name = rc.getName();
                JsonElement v = o.get(name);
                if ((v == null || v.isJsonNull()) && optional.contains(name)) {
                    o.addProperty(name, "");
                    continue;
                }
                Type t = rc.getGenericType();
                if (t == String.class) str(o, path, name);
                else if (t == int.class) integer(o, path, name, 0);
                else if (t == boolean.class) bool(o, path, name);
                else shape(field(o, path, name), path + "." + name, t, optional);
            }
        } else if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            if (!e.isJsonArray()) throw at(path, "expected a list, found " + kind(e));
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) shape(a.get(i), path + "[" + i + "]", p.getActualTypeArguments()[0], optional);
        } else if (type instanceof ParameterizedType p && p.getRawType() == Map.class) {
            JsonObject o = obj(e, path);
            for (String k : o.keySet()) shape(o.get(k), path + "." + k, p.getActualTypeArguments()[1], optional);
        } else {
            throw new IllegalArgumentException("JsonFields.shape does not know " + type);
        }
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
