package unboxed.site;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reading JSON the guide did not write (a lab's description, a learner's progress file) field by field: a missing or
 * mistyped field is reported with the file, the line it is on, and its path ($.checks[2].points), as one line.
 */
class JsonFields {
    final String source, what;
    final Map<String, Integer> lines;

    JsonFields(String source, String what, String json) {
        this.source = source;
        this.what = what;
        this.lines = Describe.lines(json);
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

    List<String> strings(JsonObject o, String path, String name) {
        JsonArray a = array(o, path, name);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            JsonElement e = a.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw at(path + "." + name + "[" + i + "]", "expected a string, found " + kind(e));
            }
            out.add(e.getAsString());
        }
        return out;
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
}
