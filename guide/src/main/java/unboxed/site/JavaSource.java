package unboxed.site;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a Java reader to quote a lab's own code in its guide: which method each step's {@code .does(...)}
 * names, and that method's source text, comments above it included. Strings, text blocks, character literals and
 * comments are masked before searching, so a {@code .step(} inside a story or a brace inside a string is never
 * mistaken for code.
 */
final class JavaSource {
    private final String file, text, code;

    JavaSource(String file, String text) {
        this.file = file;
        this.text = text;
        this.code = mask(text);
    }

    /** The quoted code of one step: what {@code .does(...)} says, and the method (or lambda) it names. */
    record Excerpt(String ref, String code, int line) {}

    /** The top-level class a lab file defines (the first class declared at column 0, as lab files do). */
    String mainClass() {
        Matcher m = Pattern.compile("(?m)^(?:final\\s+|public\\s+)*class\\s+(\\w+)").matcher(code);
        if (!m.find()) throw new SiteException(SiteException.BAD_INPUT, file + ": no top-level class found");
        return m.group(1);
    }

    /**
     * One excerpt per {@code .step(} call in the file, in order (null where a step has no {@code .does}). A step's
     * call runs from its {@code .step(} to the next {@code .step(}, {@code .exercise(} or {@code .topology(}.
     */
    List<Excerpt> stepExcerpts() {
        List<Integer> starts = new ArrayList<>();
        Matcher s = Pattern.compile("\\.step\\s*\\(").matcher(code);
        while (s.find()) starts.add(s.start());
        List<Excerpt> out = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            int from = starts.get(i);
            int to = i + 1 < starts.size() ? starts.get(i + 1) : code.length();
            Matcher end = Pattern.compile("\\.(exercise|topology|check|solve|question|build)\\s*\\(").matcher(code);
            if (end.find(from + 1) && end.start() < to) to = end.start();
            Matcher d = Pattern.compile("\\.does\\s*\\(").matcher(code).region(from, to);
            if (!d.find()) {
                out.add(null);
                continue;
            }
            int open = d.end() - 1, close = matching(open, '(', ')');
            String arg = text.substring(open + 1, close).strip();
            Matcher ref = Pattern.compile("^(\\w+)\\s*::\\s*(\\w+)$").matcher(arg);
            if (ref.matches()) {
                out.add(method(ref.group(2), arg, lineOf(open)));
            } else {
                out.add(new Excerpt(arg, dedent(arg), lineOf(open)));
            }
        }
        return out;
    }

    /** The source of method {@code name}, with the comment block right above it. */
    Excerpt method(String name, String ref, int usedAt) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "\\s*\\(").matcher(code);
        while (m.find()) {
            int lineStart = code.lastIndexOf('\n', m.start() - 1) + 1;
            if (!DECLARATION.matcher(code.substring(lineStart, m.start())).matches()) continue; // a call, not the method
            int paren = m.end() - 1;
            int afterParams = matching(paren, '(', ')') + 1;
            int brace = code.indexOf('{', afterParams), semi = code.indexOf(';', afterParams);
            if (brace < 0 || (semi >= 0 && semi < brace)) continue; // a declaration without a body
            String between = code.substring(afterParams, brace);
            if (!between.isBlank() && !between.strip().startsWith("throws")) continue;
            int end = matching(brace, '{', '}') + 1;
            int start = commentAbove(lineStart);
            return new Excerpt(ref, dedent(text.substring(start, end)), lineOf(m.start()));
        }
        throw new SiteException(SiteException.BAD_INPUT, file + " line " + usedAt + ": .does(" + ref
            + ") names no method " + name + " with a body in this file");
    }

    /** What stands before a method's name on its line: modifiers, type parameters, the return type. */
    private static final Pattern DECLARATION = Pattern.compile("[ \\t]*(?:(?:public|protected|private|static|final|"
        + "synchronized|abstract)\\s+)*(?:<[^<>()]*>\\s+)?[\\w.$]+(?:<[^()]*?>)?(?:\\[\\])*\\s+");

    /** Start of the comment lines (javadoc or //) directly above a declaration, else the declaration's line. */
    private int commentAbove(int declStart) {
        int lineStart = text.lastIndexOf('\n', declStart - 1) + 1;
        int start = lineStart;
        while (start > 0) {
            int prevEnd = start - 1; // the '\n' ending the previous line
            int prevStart = text.lastIndexOf('\n', prevEnd - 1) + 1;
            String prev = text.substring(prevStart, prevEnd).strip();
            boolean comment = prev.startsWith("//") || prev.startsWith("/*") || prev.startsWith("*") || prev.endsWith("*/");
            boolean annotation = prev.startsWith("@");
            if (!(comment || annotation) || prev.isEmpty()) break;
            start = prevStart;
        }
        return start;
    }

    /** Index of the bracket closing the one at {@code open}, on the masked text. */
    private int matching(int open, char o, char c) {
        int depth = 0;
        for (int i = open; i < code.length(); i++) {
            char ch = code.charAt(i);
            if (ch == o) depth++;
            else if (ch == c && --depth == 0) return i;
        }
        throw new SiteException(SiteException.BAD_INPUT, file + " line " + lineOf(open) + ": unbalanced '" + o + "'");
    }

    int lineOf(int index) {
        int line = 1;
        for (int i = 0; i < index && i < text.length(); i++) if (text.charAt(i) == '\n') line++;
        return line;
    }

    /**
     * Removes the indentation common to the non-blank lines. A first line that starts without indentation (a lambda
     * quoted from mid-line) does not count, and is kept as it is.
     */
    static String dedent(String s) {
        String[] lines = s.replace("\t", "    ").split("\n", -1);
        int min = Integer.MAX_VALUE;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank() || (i == 0 && lines.length > 1 && !lines[0].startsWith(" "))) continue;
            min = Math.min(min, lines[i].length() - lines[i].stripLeading().length());
        }
        if (min == Integer.MAX_VALUE) min = 0;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            int indent = l.length() - l.stripLeading().length();
            b.append(l.isBlank() ? "" : indent >= min ? l.substring(min) : l.stripLeading());
            if (i < lines.length - 1) b.append('\n');
        }
        return b.toString().strip();
    }

    /**
     * The text with the contents of comments, strings, text blocks and char literals replaced by spaces (newlines
     * kept), so positions and line numbers stay the same and only code is left to search.
     */
    static String mask(String t) {
        StringBuilder b = new StringBuilder(t);
        int i = 0, n = t.length();
        while (i < n) {
            char c = t.charAt(i);
            if (c == '/' && i + 1 < n && t.charAt(i + 1) == '/') {
                int e = t.indexOf('\n', i);
                if (e < 0) e = n;
                blank(b, i, e);
                i = e;
            } else if (c == '/' && i + 1 < n && t.charAt(i + 1) == '*') {
                int e = t.indexOf("*/", i + 2);
                e = e < 0 ? n : e + 2;
                blank(b, i, e);
                i = e;
            } else if (t.startsWith("\"\"\"", i)) {
                int j = i + 3;
                while (j < n && !(t.startsWith("\"\"\"", j) && t.charAt(j - 1) != '\\')) j++;
                int e = Math.min(n, j + 3);
                blank(b, i + 1, e - 1);
                i = e;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && t.charAt(j) != c && t.charAt(j) != '\n') j += t.charAt(j) == '\\' ? 2 : 1;
                int e = Math.min(n, j + 1);
                blank(b, i + 1, e - 1);
                i = e;
            } else {
                i++;
            }
        }
        return b.toString();
    }

    private static void blank(StringBuilder b, int from, int to) {
        for (int k = from; k < to && k < b.length(); k++) if (b.charAt(k) != '\n') b.setCharAt(k, ' ');
    }
}
