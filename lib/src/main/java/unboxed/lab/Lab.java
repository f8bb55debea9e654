package unboxed.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A lab as data: the story it tells, its steps, the exercise and the checks that grade it, and the quiz.
 * The CLI (LabCli) runs it, explain prints it, describe --json hands it to the guide generator.
 */
public final class Lab {
    public final String id, title, summary, story, exercise;
    public final int minutes;
    public final List<String> objectives, prerequisites, tools;
    public final List<Step> steps;
    public final List<Check> checks;
    public final List<Question> quiz;
    /** What the lab builds on, for its "Read more": man pages, kernel documents, sources. */
    public final List<Reading> reading;
    /** Refuses (LabException) when something not ours holds a name or address the lab needs. Runs before run and solve. */
    public final Step.Action preflight;
    /** The reference solution, declared once: see {@link Solution}. */
    public final Solution solution;
    /** What the solve command does: the solution's guards, then its lines, each printed and done. */
    public final Step.Action solve;
    /**
     * Removes what the exercise owns and the lab makes under fixed names ({@link #owns}, {@link #makes}: see
     * {@link Owned}), whoever made it. The journal takes care of what the lab made.
     */
    public final Step.Action resetExercise;
    /**
     * Builds the exercise's starting topology (objects the learner works on, such as a router namespace), or null when
     * the exercise starts from nothing. Runs with lab scope at the end of run, at the start of solve, and by the
     * prepare command; it must leave a complete topology as it is, so running it twice is harmless.
     */
    public final Step.Action prepare;
    /** Pictures of the network the lab builds, for the guide (data only; see {@link Topology}). */
    public final List<Topology> topologies;
    /** Pictures of file systems, mount tables, cgroup trees, for the guide (data only; see {@link Diagram}). */
    public final List<Diagram> diagrams;
    /** What the lab makes under fixed names (its demo, the exercise's starting point): see {@link Owned}. */
    public final List<KernelObject> makes;
    /** What the exercise asks the learner to make, by name: reset removes each, doctor --leftovers looks for them. */
    public final List<KernelObject> owns;
    /**
     * For a lab whose shell lines and exercise are typed without root: the throwaway account made for the learner
     * where there is no sudo caller ({@link Learner#account}); null when the learner types as root.
     */
    public final String learner;

    /** Commands of this lab's own beside the shared ones (e.g. a sandbox that runs a program under a filter): see {@link Builder#command}. */
    public final List<Command> commands;

    /**
     * A command a lab offers beside run, check, solve...: its name, one line of help, and what it does with the words
     * after its name (it returns the exit code). It runs outside the lab lifecycle: no lock, no journal.
     */
    public record Command(String name, String description, Run run) {
        @FunctionalInterface
        public interface Run {
            int run(List<String> args, java.io.PrintStream out, java.io.PrintStream err) throws Exception;
        }
    }

    private Lab(Builder b) {
        id = b.id;
        title = b.title;
        summary = b.summary;
        story = b.story;
        exercise = b.exercise;
        minutes = b.minutes;
        objectives = List.copyOf(b.objectives);
        prerequisites = List.copyOf(b.prerequisites);
        tools = List.copyOf(b.tools);
        steps = List.copyOf(b.steps);
        solution = b.solution.build();
        checks = b.checks.stream().map(c -> c.hint() != null ? c : withSolutionHint(c)).toList();
        quiz = List.copyOf(b.quiz);
        reading = b.reading.stream().map(Reading::of).toList();
        makes = List.copyOf(b.makes);
        owns = List.copyOf(b.owns);
        learner = b.learner;
        Step.Action ownPreflight = b.preflight;
        preflight = bench -> {
            Owned.refuseForeign(this, bench);
            ownPreflight.act(bench);
        };
        solve = bench -> solution.solve(this, bench);
        resetExercise = bench -> Owned.remove(this, bench);
        prepare = b.prepare;
        topologies = List.copyOf(b.topologies);
        diagrams = List.copyOf(b.diagrams);
        commands = List.copyOf(b.commands);
    }

    /** A check declared without a hint is hinted with the solution's lines that answer it, if any do. */
    private Check withSolutionHint(Check c) {
        String hint = solution.hintFor(c.id());
        return hint.isEmpty() ? c : new Check(c.id(), c.title(), c.points(), hint, c.grader());
    }

    public static Builder define(String id, String title) {
        return new Builder(id, title);
    }

    public static final class Builder {
        private final String id, title;
        private String summary = "", story = "", exercise = "";
        private int minutes = 30;
        private final List<String> objectives = new ArrayList<>(), prerequisites = new ArrayList<>(), tools = new ArrayList<>();
        private final List<Step> steps = new ArrayList<>();
        private final List<Check> checks = new ArrayList<>();
        private final List<Question> quiz = new ArrayList<>();
        private final List<String> reading = new ArrayList<>();
        private Step.Action preflight = b -> {};
        private final Solution.Builder solution = new Solution.Builder();
        private Step.Action prepare;
        private final List<Topology> topologies = new ArrayList<>();
        private final List<Diagram> diagrams = new ArrayList<>();
        private final List<KernelObject> makes = new ArrayList<>(), owns = new ArrayList<>();
        private String learner;

        private final List<Command> commands = new ArrayList<>();

        private Builder(String id, String title) {
            this.id = id;
            this.title = title;
        }

        public Builder summary(String s) { summary = s.strip(); return this; }
        public Builder minutes(int m) { minutes = m; return this; }
        public Builder objectives(String... o) { objectives.addAll(List.of(o)); return this; }
        public Builder prerequisites(String... p) { prerequisites.addAll(List.of(p)); return this; }
        /** Programs the lab runs; missing ones stop it with exit 3 and the apt-get line. */
        public Builder needs(String... t) { tools.addAll(List.of(t)); return this; }
        public Builder story(String markdown) { story = markdown.strip(); return this; }
        /**
         * A check before run, prepare and solve that {@link #makes} cannot express (a route, an address); it runs
         * after the declared refusals.
         */
        public Builder preflight(Step.Action a) { preflight = a; return this; }

        /**
         * Objects the lab itself makes under these names (its demo, the exercise's starting point). Before run,
         * prepare and solve, one that is there but not in the lab's journal is someone else's: exit 4. reset removes
         * them, and doctor --leftovers looks for them.
         */
        public Builder makes(KernelObject... o) { makes.addAll(List.of(o)); return this; }

        /**
         * The learner types this lab's shell lines and exercise as an unprivileged account: the sudo caller's, or else
         * the throwaway account {@code name}, which the lab makes ({@link Bench#learner}) and declares it makes.
         */
        public Builder learner(String throwaway) {
            learner = throwaway;
            makes.add(new KernelObject.Account(throwaway));
            return this;
        }

        /** Objects the exercise asks the learner to make, by name: reset removes each that is there; doctor --leftovers looks for them. */
        public Builder owns(KernelObject... o) { owns.addAll(List.of(o)); return this; }

        public Builder step(String title, UnaryOperator<Step.Builder> fill) {
            steps.add(fill.apply(new Step.Builder(title)).build());
            return this;
        }

        public Builder exercise(String markdown) { exercise = markdown.strip(); return this; }

        public Builder check(String id, String title, int points, String hint, Check.Grader grader) {
            if (checks.stream().anyMatch(c -> c.id().equals(id))) throw new IllegalArgumentException("duplicate check " + id);
            checks.add(new Check(id, title, points, hint, grader));
            return this;
        }

        /** A criterion whose hint is the solution's lines that {@link Solution.Builder#answers answer} it. */
        public Builder check(String id, String title, int points, Check.Grader grader) {
            return check(id, title, points, null, grader);
        }

        /** The reference solution, declared once: see {@link Solution}. */
        public Builder solution(UnaryOperator<Solution.Builder> fill) { fill.apply(solution); return this; }
        /** The exercise's starting topology: see {@link Lab#prepare}. */
        public Builder prepare(Step.Action a) { prepare = a; return this; }

        /** A quiz question: its choices in order, and answer, the index of the right one among them. */
        /**
         * "Read more": each reference as {@link Reading#of} reads it, e.g. {@code "pid_namespaces(7)"},
         * {@code "Documentation/admin-guide/cgroup-v2.rst"}, or {@code "runc's rootfs setup <https://...>"}.
         */
        /** A command of this lab's own (see {@link Command}): `./jbang LAB NAME ARGS...`. */
        public Builder command(String name, String description, Command.Run run) {
            commands.add(new Command(name, description, run));
            return this;
        }
        public Builder reading(String... refs) { reading.addAll(List.of(refs)); return this; }

        public Builder question(String prompt, int answer, String why, String... choices) {
            quiz.add(new Question(prompt.strip(), List.of(choices), answer, why.strip()));
            return this;
        }

        /**
         * A picture of the network the lab builds, shown in the guide where it is declared: before the first step
         * (with the story), after the step declared last, or, after {@code .exercise(...)}, with the exercise.
         */
        public Builder topology(String title, UnaryOperator<Topology.Builder> fill) {
            String where = !exercise.isEmpty() ? Topology.EXERCISE : steps.isEmpty() ? Topology.STORY : Topology.STEP;
            topologies.add(fill.apply(new Topology.Builder()).build(title, where, steps.size()));
            return this;
        }

        /**
         * A picture of something that is not a network (file system trees, mount tables, the cgroup tree: see
         * {@link Diagram}), shown in the guide where it is declared, as {@link #topology} is.
         */
        public Builder diagram(String title, UnaryOperator<Diagram.Builder> fill) {
            String where = !exercise.isEmpty() ? Topology.EXERCISE : steps.isEmpty() ? Topology.STORY : Topology.STEP;
            diagrams.add(fill.apply(new Diagram.Builder()).build(title, where, steps.size()));
            return this;
        }

        public Lab build() { return new Lab(this); }
    }

    /**
     * Grades the given checks as one pass over a single reading of the kernel's links: each namespace's `ip -j addr`
     * is read once and shared by the checks of this pass, so check and watch stay fast and see one consistent state.
     */
    public List<Check.Result> grade(List<Check> which) {
        return unboxed.net.Ip.oneReading(() -> which.stream().map(Check::evaluate).toList());
    }

    public int maxPoints() {
        return checks.stream().mapToInt(Check::points).sum();
    }
}
