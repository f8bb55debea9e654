package unboxed.lab;

/**
 * One step of a lab's story: what it teaches, the shell command that does the same, the Java that does it for real
 * (an {@link Action} on a {@link Bench}), and what to look at afterwards. explain prints all but the action.
 */
public record Step(String title, String explain, String shell, Action action, String observe) {

    /** What a step, solve or reset does. It makes objects only through the bench, so every one is journaled. */
    @FunctionalInterface
    public interface Action {
        void act(Bench bench) throws Exception;
    }

    /** Filled in by a lab: {@code .step("title", s -> s.explain(..).shell(..).does(Lab04Netns::method).observe(..))}. */
    public static final class Builder {
        private final String title;
        private String explain = "", shell = "", observe = "";
        private Action action = b -> {};

        Builder(String title) { this.title = title; }

        /** Why this step matters (Markdown). */
        public Builder explain(String markdown) { this.explain = markdown.strip(); return this; }
        /** The shell commands that do the same, as a learner would type them. */
        public Builder shell(String commands) { this.shell = commands.strip(); return this; }
        /** The Java that does it, run against the real kernel. */
        public Builder does(Action action) { this.action = action; return this; }
        /** What to notice in the output (Markdown). */
        public Builder observe(String markdown) { this.observe = markdown.strip(); return this; }

        Step build() { return new Step(title, explain, shell, action, observe); }
    }
}
