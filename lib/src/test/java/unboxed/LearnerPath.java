package unboxed;

import java.util.List;
import java.util.Map;

/**
 * The learner's real path through the labs, lab after lab on one machine, as VmGuest walks it in a freshly booted
 * guest (nothing under /run, no cgroup of ours, nothing cached): `run`, the exercise done by hand with the commands
 * the lab teaches, `check`, `reset`. The "by hand" part is the lab's declared reference solution typed into bash as
 * printed (lab01: the articles' variant, with ps and a /proc mounted and unmounted), so the lines the contract test
 * types on this machine are the ones walked on the fresh one.
 */
final class LearnerPath {
    private LearnerPath() {}

    /** What the learner types for a lab's exercise after `run`, which leaves the exercise's starting point. */
    interface ByHand {
        void type() throws Exception;
    }

    static ByHand byHand(String labId, String className) {
        if (labId.equals("lab01")) return () -> LabHarness.sh(Lab01ChrootTest.ARTICLES); // with ps, and /proc mounted for it
        return () -> Typing.solutionUntilItPasses(LabHarness.lab(className), 10);
    }

    /** Exploring beyond the exercise, as learners do, and what reset must still take away. */
    static final Map<String, ByHand> EXPLORING = Map.of(
        "lab05", () -> LabHarness.sh("ip netns exec lab05-box sleep 600 </dev/null >/dev/null 2>&1 &"),
        "lab06", () -> LabHarness.sh(Lab06CgroupOomTest.CHILD_GROUPS));

    /** A walk through some labs: in this order, with or without `reset` after each, exploring after the check or not. */
    record Walk(String name, List<String> labs, boolean resetEach, boolean explores, String meaning) {}

    static final List<Walk> WALKS = List.of(
        new Walk("path-readme", List.of("lab01", "lab02", "lab03", "lab04", "lab05", "lab06"), true, false,
            "the README's order, each lab reset before the next"),
        // lab05 before lab04: lab04's exercise (`ip netns add blue`) comes after lab05 made /run/netns; lab02 leaves /
        // shared for lab03 and lab01 (its exercise needs it shared); nobody resets until the end
        new Walk("path-other", List.of("lab05", "lab04", "lab06", "lab02", "lab03", "lab01"), false, true,
            "another order, exploring after each check, no reset until every lab is done"));
}
