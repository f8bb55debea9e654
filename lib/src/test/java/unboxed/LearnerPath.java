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

    /**
     * Another correct way to do a lab's exercise, which only the guest can take (systemd runs there, not on this
     * project's hosts), and a near miss of it: typed into bash after the lab's first `check`, the first must then pass
     * check, the second fail it with a reason that says {@code says}; reset after each, and the host as before.
     */
    record Alternative(String name, String lab, String meaning, String passes, String nearMiss, String says) {}

    /** The alternatives, with the lines the lab's exercise prints for them (its constants, read where the lab is). */
    static List<Alternative> alternatives() {
        String systemd = labConstant("Lab12Cgroups", "SYSTEMD_WAY");
        return List.of(new Alternative("systemd-lab12", "lab12",
            "lab12's exercise asked of systemd, as the exercise prints it (systemctl set-property, systemd-run --slice)", systemd,
            // the near miss: the task limit on lab12.slice, which both children share
            systemd.replace("set-property --runtime lab12-web.slice TasksMax=16", "set-property --runtime lab12.slice TasksMax=16"),
            "lab12.slice, its parent, has pids.max 16"));
    }

    /** A lab's static String constant (the labs are in the unnamed package: by reflection). */
    static String labConstant(String className, String field) {
        try {
            var f = Class.forName(className).getDeclaredField(field);
            f.setAccessible(true);
            return (String) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read " + className + "." + field + ": " + e, e);
        }
    }

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
