package unboxed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The Docker engine and the test image, through the repository's own scripts (.ci/dockerd, .ci/test-image), so that
 * `mvn test` works on a fresh machine after `.ci/provision`, and on a provisioned machine whose engine is not running
 * (after a reboot, say). A missing engine fails the tests that need it, saying what to do: never a silent skip.
 */
public final class DockerEngine {
    private DockerEngine() {}

    /** Starts the engine if it does not answer (.ci/dockerd does nothing when it does). */
    public static void ensureRunning() {
        script(".ci/dockerd", 90);
    }

    /** The image every lab's container starts from, built (about 3 minutes) when .ci/provision changed. Its name. */
    static String testImage() {
        return lastLine(script(".ci/test-image", 1200));
    }

    /**
     * The image of WorkshopTest's learner machines: the test image with sshd, python3, sudo, git, cloud-init and a
     * learner account (.ci/workshop-image; built in about a minute when it or the test image changed). Its name.
     */
    static String learnerImage() {
        return lastLine(script(".ci/workshop-image", 1500));
    }

    private static String lastLine(String out) {
        String s = out.strip();
        return s.substring(s.lastIndexOf('\n') + 1);
    }

    /** Runs a script of the repository; its progress goes to our stderr, its stdout is returned. */
    private static String script(String path, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(Labs.ROOT.resolve(path).toString()).directory(Labs.ROOT.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
            // the output is one line (an image name): reading it all, then waiting, cannot block on a full pipe
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(path + " did not finish within " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(path + " failed (exit " + p.exitValue() + ", its reason is printed above): the"
                    + " container tests need a running Docker engine and the test image; `sudo .ci/provision` installs"
                    + " docker.io and debootstrap and starts the engine");
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + path, e);
        }
    }
}
