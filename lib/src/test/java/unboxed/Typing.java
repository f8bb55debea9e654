package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import unboxed.lab.Check;
import unboxed.lab.Lab;
import unboxed.lab.Learner;
import unboxed.lab.Solution;

/** A learner typing a lab's declared reference solution into bash, line after line, exactly as solve prints it. */
final class Typing {
    private Typing() {}

    /**
     * Each line of the lab's solution in its own bash (as the lab's learner account, if it declares one), in order: it must end with the status the solution declares (0,
     * or for instance 137 for a hog the lesson expects the kernel to kill). A line may leave a process in the
     * background (`... &`), so its output goes to a file, not a pipe that would stay open.
     */
    static void solution(Lab lab) throws Exception {
        for (Solution.Line line : lab.solution.lines()) {
            Path out = Files.createTempFile("typed", ".out");
            try {
                // a lab typed without root (Lab.learner): as that account, from /tmp, as the learner's own shell would
                ProcessBuilder pb = lab.learner == null ? new ProcessBuilder("bash", "-c", line.shell())
                    : Learner.as(Learner.account(lab.learner), "bash", "-c", line.shell()).directory(new File("/tmp"));
                Process p = pb.redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running after 60 s: " + line.shell());
                assertEquals(line.exit(), p.exitValue(), "`" + line.shell() + "` printed:\n" + Files.readString(out));
            } finally {
                Files.delete(out);
            }
        }
    }

    /** {@link #solution}, then grading in this JVM until every criterion passes (what a background line starts takes a moment). */
    static void solutionUntilItPasses(Lab lab, int seconds) throws Exception {
        solution(lab);
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!lab.grade(lab.checks).stream().allMatch(Check.Result::passed) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
    }
}
