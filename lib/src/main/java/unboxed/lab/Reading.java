package unboxed.lab;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reference a lab builds on, for its "Read more": a man page ({@code pid_namespaces(7)}), a kernel document
 * ({@code Documentation/admin-guide/cgroup-v2.rst}), or anything else with its address ({@code runc's rootfs setup
 * <https://github.com/...>}). The text reads on its own, offline (`man 7 pid_namespaces`); the address is for the guide.
 */
public record Reading(String text, String url) {
    private static final Pattern MAN = Pattern.compile("([A-Za-z0-9_.:-]+)\\(([1-8])\\)(.*)");
    private static final Pattern LINKED = Pattern.compile("(.*?)\\s*<(https?://[^>]+)>");

    /** Reads one reference as a lab writes it: "name(N) what it is", "Documentation/...rst", or "text <url>". */
    public static Reading of(String ref) {
        String r = ref.strip();
        Matcher m = MAN.matcher(r);
        if (m.matches()) {
            return new Reading(r, "https://man7.org/linux/man-pages/man" + m.group(2) + "/" + m.group(1) + "." + m.group(2) + ".html");
        }
        if (r.startsWith("Documentation/")) {
            String path = r.split("\\s", 2)[0];
            String doc = path.substring("Documentation/".length()).replaceFirst("\\.(rst|txt)$", "");
            return new Reading(r, "https://docs.kernel.org/" + doc + ".html");
        }
        Matcher l = LINKED.matcher(r);
        if (l.matches()) return new Reading(l.group(1), l.group(2));
        throw new IllegalArgumentException("a reading is name(N), Documentation/..., or text <url>: " + ref);
    }
}
