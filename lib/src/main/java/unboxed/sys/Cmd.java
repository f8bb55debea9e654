package unboxed.sys;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program and collects what it printed. The child is started from the calling thread, so it is born in that
 * thread's namespaces: call it on a thread made by unboxed.ns.Namespaces to run a program "inside".
 * Output is read on the calling thread (no helper threads: a thread in a new pid namespace cannot create any).
 */
public final class Cmd {
    private Cmd() {}

    private static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    /**
     * Starts programs the direct way where this JDK still offers it. Call first thing in main: the JDK reads the
     * setting once, when the first program starts. Why: by default ProcessBuilder spawns jspawnhelper, which then
     * execs the program (two execs, about 0.8 ms a program on the dev machine; BENCHMARKS.md). JDK 17 to 24 can vfork
     * and exec the program directly; JDK 25 deprecates that (a warning on stderr), so there the default stays.
     * A -Djdk.lang.Process.launchMechanism given by the user wins.
     */
    public static void preferDirectSpawn() {
        if (Runtime.version().feature() < 25 && System.getProperty(LAUNCH_MECHANISM) == null) {
            System.setProperty(LAUNCH_MECHANISM, "VFORK");
        }
    }

    /** What a finished program left behind. */
    public record Result(List<String> argv, int exit, String out, String err) {
        public boolean ok() { return exit == 0; }

        /** The command line as a learner would type it. */
        public String line() { return String.join(" ", argv); }

        /** This result, or a CommandFailedException naming the command and its stderr. */
        public Result orThrow() {
            if (exit != 0) throw new CommandFailedException(this);
            return this;
        }
    }

    /** A program exited non-zero: the message carries its command line, exit code and first line of stderr. */
    public static class CommandFailedException extends RuntimeException {
        private final Result result;

        public CommandFailedException(Result r) {
            super("`" + r.line() + "` exited " + r.exit() + (r.err().isBlank() ? "" : ": " + r.err().strip().lines().findFirst().orElse("")));
            this.result = r;
        }

        public Result result() { return result; }
    }

    public static Result run(String... argv) {
        return run(Arrays.asList(argv), 30);
    }

    /** Runs argv with stdin closed, waits at most timeoutSeconds (then kills it and reports exit 124, as timeout(1)). */
    public static Result run(List<String> argv, long timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("error=2,")) throw new ToolMissingException(argv.get(0));
            throw new UncheckedIOException("cannot start `" + String.join(" ", argv) + "`: " + msg, e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            boolean done = drain(p, out, err, System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds));
            if (!done) {
                p.destroyForcibly();
                p.waitFor();
            }
            return new Result(List.copyOf(argv), done ? p.waitFor() : 124,
                out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + argv, e);
        }
    }

    /**
     * Reads stdout and stderr on this one thread until the program exits or the deadline passes. Polling instead of a
     * reader thread per stream, because a thread that entered a new pid namespace may not create threads.
     */
    private static boolean drain(Process p, ByteArrayOutputStream out, ByteArrayOutputStream err, long deadline)
            throws IOException, InterruptedException {
        InputStream o = p.getInputStream(), e = p.getErrorStream();
        byte[] chunk = new byte[8192];
        while (true) {
            boolean moved = copyAvailable(o, out, chunk) | copyAvailable(e, err, chunk);
            if (!p.isAlive()) {
                copyAvailable(o, out, chunk);
                copyAvailable(e, err, chunk);
                return true;
            }
            if (System.nanoTime() > deadline) return false;
            if (!moved) p.waitFor(2, TimeUnit.MILLISECONDS);
        }
    }

    private static boolean copyAvailable(InputStream in, ByteArrayOutputStream to, byte[] chunk) throws IOException {
        boolean any = false;
        int n;
        while (in.available() > 0 && (n = in.read(chunk, 0, Math.min(chunk.length, in.available()))) > 0) {
            to.write(chunk, 0, n);
            any = true;
        }
        return any;
    }

    /** A program the lab needs is not installed: say which and how to get it. */
    public static class ToolMissingException extends RuntimeException {
        private final String tool;

        public ToolMissingException(String tool) {
            super(tool + " is not installed: " + installHint(tool));
            this.tool = tool;
        }

        public String tool() { return tool; }
    }

    /** Whether a program is on PATH. */
    public static boolean has(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (new java.io.File(dir, tool).canExecute()) return true;
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
            if (new java.io.File(dir, tool).canExecute()) return true;
        }
        return false;
    }

    /** The Debian/Ubuntu command that installs a tool. */
    public static String installHint(String tool) {
        return "sudo apt-get install " + String.join(" ", packages(tool));
    }

    /** The Debian/Ubuntu packages a tool comes in (gcc alone cannot link a program: it needs libc6-dev beside it). */
    public static List<String> packages(String tool) {
        return switch (tool) {
            case "ip", "bridge" -> List.of("iproute2");
            case "iptables", "iptables-save" -> List.of("iptables");
            case "nft" -> List.of("nftables");
            case "busybox" -> List.of("busybox-static");
            case "unshare", "nsenter", "setpriv", "findmnt", "runuser", "lsns", "ipcmk", "ipcs", "pivot_root" -> List.of("util-linux");
            case "getfattr" -> List.of("attr");
            case "newuidmap", "newgidmap" -> List.of("uidmap");
            case "useradd", "userdel" -> List.of("passwd");
            case "chroot" -> List.of("coreutils");
            case "ping" -> List.of("iputils-ping");
            case "ps", "pgrep" -> List.of("procps");
            case "gcc" -> List.of("gcc", "libc6-dev");
            default -> List.of(tool);
        };
    }
}
