package unboxed.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import unboxed.sys.Cmd;

/**
 * The exercise's reference solution, declared once: each line as a learner types it, side by side with the Java that
 * does the same through the bench. From this one declaration:
 * <ul>
 *   <li>{@code solve} refuses (exit 4) while a guard holds, then prints each line as {@code $ line} and runs its action;</li>
 *   <li>a check declared without a hint of its own is hinted with the lines that answer it;</li>
 *   <li>the contract test types the lines into bash, in order, and expects full points: every line runs as printed.</li>
 * </ul>
 */
public record Solution(List<Line> lines, List<Guard> guards, boolean refusesWhileOwnedPresent) {

    /**
     * One or more shell commands as a learner types them, the Java that does the same, the ids of the checks these
     * commands answer, and the exit status bash ends them with (0, or for instance 137 for a process the lesson
     * expects the kernel to kill).
     */
    public record Line(String shell, Step.Action action, List<String> answers, int exit) {}

    /** solve refuses while {@code holds}: {@code why} says what is in the way (a second copy would clash with it). */
    public record Guard(String why, BooleanSupplier holds) {}

    /** The lines as one script, in order. */
    public String script() {
        return lines.stream().map(Line::shell).collect(Collectors.joining("\n")) + "\n";
    }

    /** The commands that answer a check, "; "-joined: its hint when the lab gives none. Empty if no line answers it. */
    public String hintFor(String checkId) {
        return lines.stream().filter(l -> l.answers().contains(checkId))
            .flatMap(l -> l.shell().lines()).collect(Collectors.joining("; "));
    }

    /** What solve does: refuse while a guard holds, then each line, printed, then done. */
    void solve(Lab lab, Bench b) throws Exception {
        if (refusesWhileOwnedPresent) {
            for (KernelObject o : lab.owns) {
                if (o.present()) throw LabException.conflict(o.describe() + " already exists; `sudo ./jbang " + lab.id + " reset` first");
            }
        }
        for (Guard g : guards) {
            if (g.holds().getAsBoolean()) {
                throw LabException.conflict(g.why() + "; `sudo ./jbang " + lab.id + " reset` first");
            }
        }
        for (Line l : lines) {
            b.console().shell(l.shell());
            l.action().act(b);
        }
    }

    /** Filled in by a lab: {@code .solution(s -> s.line("ip netns add blue", b -> b.netns("blue")).answers("netns"))}. */
    public static final class Builder {
        private final List<Line> lines = new ArrayList<>();
        private final List<Guard> guards = new ArrayList<>();
        private boolean refusesWhileOwnedPresent;

        Builder() {}

        /** Shell commands (one per line of text) and the Java that does the same. */
        public Builder line(String shell, Step.Action action) {
            lines.add(new Line(shell.strip(), action, List.of(), 0));
            return this;
        }

        /**
         * A line whose Java is the command itself: solve runs it with bash and shows what it prints (a command that
         * shows the result, such as {@code chroot DIR ls /}).
         */
        public Builder typed(String shell) {
            return line(shell, b -> {
                Cmd.Result r = Cmd.run(List.of("bash", "-c", shell), 60);
                b.console().output(r.out());
                b.console().output(r.err());
            });
        }

        /** The checks the line declared last answers: their hint, unless they have their own. */
        public Builder answers(String... checkIds) {
            Line l = last();
            List<String> all = new ArrayList<>(l.answers());
            all.addAll(List.of(checkIds));
            lines.set(lines.size() - 1, new Line(l.shell(), l.action(), List.copyOf(all), l.exit()));
            return this;
        }

        /** The exit status bash ends the line declared last with, when it is not 0 (137: killed by SIGKILL). */
        public Builder exits(int status) {
            Line l = last();
            lines.set(lines.size() - 1, new Line(l.shell(), l.action(), l.answers(), status));
            return this;
        }

        /** solve refuses (exit 4) while {@code holds}; {@code why} names what is in the way. */
        public Builder refuseWhile(String why, BooleanSupplier holds) {
            guards.add(new Guard(why, holds));
            return this;
        }

        /**
         * solve refuses (exit 4) while an object the exercise owns ({@link Lab.Builder#owns}) is there: "network
         * namespace blue already exists". solve makes them, and would not make a second one.
         */
        public Builder refuseWhileOwnedPresent() {
            refusesWhileOwnedPresent = true;
            return this;
        }

        private Line last() {
            if (lines.isEmpty()) throw new IllegalStateException("declare a line first");
            return lines.get(lines.size() - 1);
        }

        Solution build() {
            return new Solution(List.copyOf(lines), List.copyOf(guards), refusesWhileOwnedPresent);
        }
    }
}
