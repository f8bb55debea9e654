package unboxed.lab;

import java.util.List;

/**
 * A lab as data, for everyone outside its JVM's run: `describe --json` prints it (Gson, field by field in this order),
 * and the guide generator reads it in-process from the same record, so the two can never disagree.
 */
public record Description(String id, String title, String summary, int minutes, List<String> objectives,
                          List<String> prerequisites, List<String> tools, String story, List<StepText> steps,
                          String exercise, List<CheckText> checks, int maxPoints, List<Question> quiz,
                          List<Topology> topologies, List<Diagram> diagrams, List<Reading> reading, List<String> commands) {

    /** A step as the learner reads it: the prose, its shell equivalent, and what to look for. */
    public record StepText(String title, String explain, String shell, String observe) {}

    /** A check as the learner reads it (its grader is code, not data). */
    public record CheckText(String id, String title, int points, String hint) {}

    public static Description of(Lab lab, List<String> commands) {
        return new Description(lab.id, lab.title, lab.summary, lab.minutes, lab.objectives, lab.prerequisites, lab.tools,
            lab.story, lab.steps.stream().map(s -> new StepText(s.title(), s.explain(), s.shell(), s.observe())).toList(),
            lab.exercise, lab.checks.stream().map(c -> new CheckText(c.id(), c.title(), c.points(), c.hint())).toList(),
            lab.maxPoints(), lab.quiz, lab.topologies, lab.diagrams, lab.reading, commands);
    }
}
