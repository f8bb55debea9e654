package unboxed;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import unboxed.lab.Lab;
import unboxed.lab.Step;
import unboxed.sys.Cmd;

/**
 * A learner who types only the `$` lines of a lab, in order, exactly as explain prints them (each step's
 * {@link Step#shell}), in one bash session: the script that does it, and what its output says about each line.
 *
 * <p>A command passes when it exits 0. A command the lab means to fail says so at the end of its last line, as the
 * learner reads it: {@code unshare -p sh -c 'echo $$'   # fails: Cannot allocate memory} (it must exit non-zero and
 * print that); {@code # prints: TEXT} asks that a command's output hold TEXT. A command may span lines (a loop, a
 * here-document): lines are joined until bash can parse them.
 */
final class ShellLines {
    private ShellLines() {}

    /** Labs whose lines depend on the cgroup version: the VM guest (cgroup v2) types them too, after the container (v1 here). */
    static final List<String> IN_GUEST = List.of("lab06", "lab12");

    /** One command as typed: the step it belongs to (1-based), its text, and what it must do. */
    record Command(int step, String text, boolean fails, String says) {}

    /** The result of one command: its exit status and what it printed (stdout and stderr together). */
    record Ran(Command command, int exit, String output) {}

    private static final Pattern FAILS = Pattern.compile("#\\s*fails(?::\\s*(.*?))?\\s*$");
    private static final Pattern PRINTS = Pattern.compile("#\\s*prints:\\s*(.*?)\\s*$");
    static final String LINE = "@@unboxed-line ", EXIT = "@@unboxed-exit ";

    /** Every step's commands, in order. */
    static List<Command> commands(Lab lab) {
        List<Command> all = new ArrayList<>();
        for (int i = 0; i < lab.steps.size(); i++) {
            StringBuilder pending = new StringBuilder();
            for (String line : lab.steps.get(i).shell().lines().toList()) {
                if (pending.isEmpty() && line.isBlank()) continue;
                pending.append(line).append('\n');
                if (!parses(pending.toString())) continue;
                all.add(command(i + 1, pending.toString().strip()));
                pending.setLength(0);
            }
            if (!pending.isEmpty()) throw new AssertionError(lab.id + " step " + (i + 1) + ": bash cannot parse " + pending);
        }
        return all;
    }

    private static Command command(int step, String text) {
        String last = text.lines().reduce((a, b) -> b).orElse("");
        Matcher f = FAILS.matcher(last), p = PRINTS.matcher(last);
        if (f.find()) return new Command(step, text, true, f.group(1) == null ? "" : f.group(1));
        if (p.find()) return new Command(step, text, false, p.group(1));
        return new Command(step, text, false, "");
    }

    private static boolean parses(String text) {
        Cmd.Result r = Cmd.run(List.of("bash", "-n", "-c", text), 10);
        // an open here-document parses (bash only warns "delimited by end-of-file"): its body is still to come
        return r.ok() && !r.err().contains("here-document");
    }

    /**
     * The session: from the home directory, each command as typed, framed by markers that carry its index and exit
     * status. Output goes to {@code outFile}, so that a command that leaves a process in the background does not hold
     * the caller's pipe open.
     */
    static String script(List<Command> commands, String outFile) {
        StringBuilder s = new StringBuilder("exec >" + outFile + " 2>&1 </dev/null\ncd ~\n");
        for (int i = 0; i < commands.size(); i++) {
            s.append("printf '\\n" + LINE + "%d\\n' ").append(i).append('\n');
            s.append(commands.get(i).text()).append('\n');
            s.append("printf '\\n" + EXIT + "%d\\n' \"$?\"\n");
        }
        return s.append("printf '\\n@@unboxed-done\\n'\n").toString();
    }

    /** What the session's output says about each command it reached. */
    static List<Ran> results(List<Command> commands, String output) {
        List<Ran> ran = new ArrayList<>();
        String[] parts = output.split("\n" + Pattern.quote(LINE));
        for (int k = 1; k < parts.length; k++) {
            String part = parts[k];
            int index = Integer.parseInt(part.substring(0, part.indexOf('\n')).strip());
            String body = part.substring(part.indexOf('\n') + 1);
            int e = body.lastIndexOf("\n" + EXIT);
            int exit = e < 0 ? -1 : Integer.parseInt(body.substring(e + 1 + EXIT.length()).lines().findFirst().orElse("-1").strip());
            ran.add(new Ran(commands.get(index), exit, e < 0 ? body : body.substring(0, e)));
        }
        return ran;
    }

    /** Every way the session broke the lab's word: a command that failed, passed where it should fail, or said otherwise. */
    static List<String> problems(Lab lab, List<Command> commands, String output) {
        List<String> problems = new ArrayList<>();
        List<Ran> ran = results(commands, output);
        for (Ran r : ran) {
            Command c = r.command();
            String where = lab.id + " step " + c.step() + ": `" + c.text() + "`";
            if (r.exit() < 0) problems.add(where + " never finished (the session ended or hung in it)");
            else if (c.fails() && r.exit() == 0) problems.add(where + " should fail, but exited 0:\n" + r.output());
            else if (!c.fails() && r.exit() != 0) problems.add(where + " exited " + r.exit() + ":\n" + r.output());
            else if (!c.says().isEmpty() && !r.output().contains(c.says())) {
                problems.add(where + " should print \"" + c.says() + "\", but printed:\n" + r.output());
            }
        }
        if (ran.size() < commands.size()) {
            problems.add(lab.id + ": the session stopped after " + ran.size() + " of " + commands.size() + " commands");
        }
        return problems;
    }
}
