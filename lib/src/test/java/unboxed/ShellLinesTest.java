package unboxed;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.testcontainers.images.builder.Transferable;

/**
 * Every lab's shell lines, typed in order exactly as explain prints them, in one bash session in a fresh container of
 * the end-to-end image (see {@link ContainerCycleTest} for what the container may do): each command does what the lab
 * says ({@link ShellLines}: exit 0, or the failure it declares). Then the lab's `reset` must leave the container as it
 * was: what the lines made is all declared by the lab. lab06 runs again on cgroup v2 in the VM guest (VmLabsTest).
 */
@Tag("slow")
class ShellLinesTest {
    static final int SESSION_TIMEOUT_S = 600;

    @BeforeAll
    static void engineAndImage() {
        ContainerCycleTest.engineAndImage();
    }

    @TestFactory
    Stream<DynamicTest> everyLabsShellLinesRunAsPrinted() {
        return Labs.all().stream().filter(Labs.LabFile::isLab)
            .map(lab -> dynamicTest(lab.name() + ": its shell lines, typed in order", () -> typeIn(lab)));
    }

    static void typeIn(Labs.LabFile lab) throws Exception {
        List<ShellLines.Command> commands = ShellLines.commands(lab.lab());
        ContainerCycleTest.inAFreshContainer(lab, t -> {
            // a learner starts with the lab (run, or check): its first command notes how the host was (/run/netns
            // absent, say), which is what reset puts back after the lines
            t.expect(-1, lab.className(), "check", "--no-color");
            t.box.copyFileToContainer(Transferable.of(ShellLines.script(commands, "/tmp/lines.out")), "/tmp/lines.sh");
            // a lab typed without root (Lab.learner) makes its learner's account in prepare; the session is theirs
            List<String> session = new java.util.ArrayList<>(List.of("timeout", "-s", "KILL", Integer.toString(SESSION_TIMEOUT_S)));
            if (lab.lab().learner != null) {
                t.expect(0, lab.className(), "prepare", "--no-color");
                session.addAll(List.of("runuser", "-u", lab.lab().learner, "--"));
            }
            session.addAll(List.of("bash", "/tmp/lines.sh"));
            t.box.execInContainer(session.toArray(String[]::new));
            String output = t.box.execInContainer("cat", "/tmp/lines.out").getStdout();
            t.log.put("the lab's shell lines, in one session", output);
            List<String> problems = ShellLines.problems(lab.lab(), commands, output);
            t.expect(0, lab.className(), "reset", "--no-color");
            if (!problems.isEmpty()) t.fail(problems.size() + " shell line(s) did not do what the lab says:\n" + String.join("\n", problems));
        });
    }
}
