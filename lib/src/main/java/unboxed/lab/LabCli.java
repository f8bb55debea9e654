package unboxed.lab;

import com.google.gson.GsonBuilder;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import unboxed.sys.Cmd;

/**
 * The command line every lab shares: run (the default), explain, check, watch, solve, reset, describe. Only parsing
 * and printing live here: each command calls {@link LabRunner}, which holds the lifecycle.
 * Exit codes are LabException's: 0 done, 1 a check failed, 2 bad input, 3 environment, 4 conflict.
 */
public final class LabCli {
    private LabCli() {}

    /** For a lab's main(): runs the command line and exits with its code. */
    public static void main(Lab lab, String... args) {
        Cmd.preferDirectSpawn();
        System.exit(execute(lab, args, System.out, System.err, System.in, Console.terminalWantsColor()));
    }

    /** Runs one command line against a lab and returns the exit code (tests call this in-process). */
    public static int execute(Lab lab, String[] args, PrintStream out, PrintStream err, InputStream in, boolean color) {
        for (Lab.Command own : lab.commands) { // the words after its name reach it as typed (`--` and all)
            if (args.length > 0 && args[0].equals(own.name())) return runOwn(lab, own, args, out, err);
        }
        CommandLine cli = commandLine(new Root(lab, out, err, in, color));
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println(oneLine(lab.id + ": " + badInputLine(ex)));
            return LabException.BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof SudoSplit.HandedOver h) return h.exitCode();
            if (ex instanceof LabException le) {
                err.println(oneLine(lab.id + ": " + le.getMessage()));
                return le.exitCode();
            }
            if (ex instanceof Cmd.ToolMissingException tm) {
                err.println(oneLine(lab.id + ": " + tm.getMessage()));
                return LabException.ENVIRONMENT;
            }
            err.println(oneLine(lab.id + ": " + c.getCommandName() + " failed: " + ex.getMessage()));
            return LabException.ENVIRONMENT;
        });
        int code = cli.execute(args);
        out.flush();
        return code;
    }

    private static int runOwn(Lab lab, Lab.Command own, String[] args, PrintStream out, PrintStream err) {
        if (args.length == 2 && args[1].equals("--version")) { // as every other command answers it
            out.println(Version.of(lab.id));
            return 0;
        }
        try {
            return own.run().run(List.of(args).subList(1, args.length), out, err);
        } catch (LabException le) {
            err.println(lab.id + " " + own.name() + ": " + le.getMessage());
            return le.exitCode();
        } catch (Exception e) {
            err.println(lab.id + " " + own.name() + " failed: " + e.getMessage());
            return LabException.ENVIRONMENT;
        }
    }

    /** The lab's command line: the root (run, by default) and every command, prepare only for a lab that has one. */
    private static CommandLine commandLine(Root root) {
        CommandLine cli = new CommandLine(root);
        cli.setCommandName("./jbang " + root.lab.id);
        for (Object sub : List.of(new RunCmd(), new ExplainCmd(), new CheckCmd(), new WatchCmd(), new SolveCmd(),
                new ResetCmd(), new DescribeCmd())) {
            cli.addSubcommand(sub);
        }
        if (root.lab.prepare != null) cli.addSubcommand(new PrepareCmd());
        // check's IDs are this lab's checks: shell completion offers them (a wrong one is still bad input, in select)
        CommandLine.Model.CommandSpec check = cli.getSubcommands().get("check").getCommandSpec();
        CommandLine.Model.PositionalParamSpec ids = check.positionalParameters().get(0);
        check.remove(ids);
        check.addPositional(CommandLine.Model.PositionalParamSpec.builder(ids)
            .completionCandidates(root.lab.checks.stream().map(Check::id).toList()).build());
        for (Lab.Command c : root.lab.commands) {
            OwnCmd own = new OwnCmd();
            own.command = c;
            cli.addSubcommand(c.name(), own);
            cli.getSubcommands().get(c.name()).getCommandSpec().name(c.name()).usageMessage().description(c.description());
        }
        return Version.apply(cli, root.lab.id);
    }

    /** The lab's command line as picocli defines it, for what is generated from it (completion, man pages). */
    public static CommandLine definition(Lab lab) {
        return commandLine(new Root(lab, null, null, null, false));
    }

    /** The lab's command names, as picocli knows them (no list kept by hand). */
    static List<String> commands(Lab lab) {
        return List.copyOf(definition(lab).getSubcommands().keySet());
    }

    private static String badInputLine(CommandLine.ParameterException ex) {
        String valid = String.join(", ", ex.getCommandLine().getCommandSpec().root().subcommands().keySet());
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String what = clipped(u.getUnmatched().get(0), 80);
            return (what.startsWith("-") ? "unknown option '" + what + "'" : "unknown command '" + what + "'")
                + " (commands: " + valid + "; see --help)";
        }
        return ex.getMessage().lines().findFirst().orElse("bad input") + " (see --help)";
    }

    // ---- the commands: each parses its options and calls the runner, or prints --------------------------------

    @Command(mixinStandardHelpOptions = true, description = "Runs the lab (the default), or one of its commands.",
        footer = {"", "Exit codes: 0 done/all checks passed, 1 a check failed, 2 bad input, 3 this machine cannot run it"
            + " (the message says the fix), 4 conflict (another lab running, or our name taken)."})
    static final class Root implements Callable<Integer> {
        final Lab lab;
        final PrintStream out;
        final PrintStream err;
        final InputStream in;
        final boolean color;
        @Option(names = "--no-color", description = "Plain text even on a terminal.")
        boolean noColor;

        Root(Lab lab, PrintStream out, PrintStream err, InputStream in, boolean color) {
            this.lab = lab;
            this.out = out;
            this.err = err;
            this.in = in;
            this.color = color;
        }

        @Override
        public Integer call() {
            RunCmd run = new RunCmd();
            run.root = this;
            return run.call();
        }
    }

    /** Base of the subcommands: their parent and the shared --no-color. */
    abstract static class Sub {
        @ParentCommand
        Root root;
        @Option(names = "--no-color", description = "Plain text even on a terminal.")
        boolean noColor;

        Console console() { return new Console(root.out, root.in, root.color && !root.noColor && !noColor); }
        Lab lab() { return root.lab; }
        LabRunner runner() { return new LabRunner(root.lab, console()); }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
        description = "Walk through the lab: each step prints its shell equivalent, does it for real, and shows what changed.")
    static final class RunCmd extends Sub implements Callable<Integer> {
        @Option(names = "--pace", description = "Wait for Enter before each step, and before the demo is cleaned up.")
        boolean pace;
        @Option(names = "--step", paramLabel = "N",
            description = "Stop after step N and leave what it made, to look around (reset removes it).")
        Integer stopAfter;

        @Override
        public Integer call() { return runner().run(pace, stopAfter); }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Print every step and its shell equivalent; change nothing (no root needed).")
    static final class ExplainCmd extends Sub implements Callable<Integer> {
        @Override
        public Integer call() { return runner().explain(); }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
        description = "Grade the exercise from kernel state; records the result in the progress file.")
    static final class CheckCmd extends Sub implements Callable<Integer> {
        @Parameters(paramLabel = "ID", arity = "0..*", description = "Only these checks (default: all).")
        List<String> ids = new ArrayList<>();
        @Option(names = "--json", description = "Print the results as JSON.")
        boolean json;
        @Option(names = "--junit", paramLabel = "FILE", description = "Also write the results as JUnit XML (a symbolic link there is refused, exit 4).")
        Path junit;

        @Override
        public Integer call() {
            Lab lab = lab();
            if (junit != null) SafeFiles.refuseLink(junit); // before grading: nothing recorded for a refused command
            LabRunner runner = runner();
            List<Check.Result> results = runner.check(ids);
            if (runner.progressNote() != null) root.err.println(lab.id + ": " + runner.progressNote());
            if (json) {
                root.out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create()
                    .toJson(Reports.summary(lab, results)));
            } else {
                Console c = console();
                c.title(lab.id + " · " + lab.title + " — check");
                Reports.text(c, lab, results);
            }
            if (junit != null) Reports.junit(junit, lab, results);
            return results.stream().allMatch(Check.Result::passed) ? LabException.OK : LabException.CHECK_FAILED;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Re-check twice a second and redraw the checklist until all pass (or Ctrl-C).")
    static final class WatchCmd extends Sub implements Callable<Integer> {
        // Half a second: a change shows within 0.5 s plus one grading (under 50 ms), inside the 1 s that feels instant
        // in front of a class; grading twice a second costs a few percent of one core.
        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "0.5",
            description = "Seconds between checks, 0.1 to 3600 (default 0.5).")
        double interval;
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "Give up after this long, exit 1: up to 86400 seconds (default 0: never).")
        double timeout;

        @Override
        public Integer call() throws InterruptedException { return runner().watch(interval, timeout); }
    }

    @Command(name = "solve", mixinStandardHelpOptions = true, description = "Do the exercise (one correct way), for real.")
    static final class SolveCmd extends Sub implements Callable<Integer> {
        @Override
        public Integer call() throws Exception { return runner().solve(); }
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true,
        description = "Build the exercise's starting point (run does this at its end); leaves a complete one as it is.")
    static final class PrepareCmd extends Sub implements Callable<Integer> {
        @Override
        public Integer call() throws Exception { return runner().prepare(); }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
        description = "Remove everything the lab or the exercise made, and nothing else.")
    static final class ResetCmd extends Sub implements Callable<Integer> {
        @Override
        public Integer call() throws Exception { return runner().reset(); }
    }

    /** A command of the lab's own (Lab.Command): the words after its name go to it as they are. */
    @Command(name = "own", mixinStandardHelpOptions = true)
    static final class OwnCmd extends Sub implements Callable<Integer> {
        Lab.Command command;
        @Parameters(paramLabel = "ARGS", arity = "0..*", description = "Passed to the command.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception { // reached only through picocli's help: execute() runs it directly
            return command.run().run(args, root.out, System.err);
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "The lab's metadata, steps, checks and quiz (for the guide generator).")
    static final class DescribeCmd extends Sub implements Callable<Integer> {
        @Option(names = "--json", description = "As JSON (the guide generator reads this).")
        boolean json;

        @Override
        public Integer call() {
            Lab lab = lab();
            if (json) {
                root.out.println(describeJson(lab));
            } else {
                Console c = console();
                c.title(lab.id + " · " + lab.title + " (" + lab.minutes + " min)");
                c.text(lab.summary);
                for (int i = 0; i < lab.steps.size(); i++) c.text((i + 1) + ". " + lab.steps.get(i).title());
                for (Check ch : lab.checks) c.text("check " + ch.id() + ": " + ch.title() + " [" + ch.points() + "]");
            }
            return LabException.OK;
        }
    }

    /** What `describe --json` prints: {@link #describe}, as JSON. */
    public static String describeJson(Lab lab) {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(describe(lab));
    }

    /** The lab as plain data: everything but the code (what describe --json prints, and what the guide reads). */
    public static Description describe(Lab lab) {
        return Description.of(lab, commands(lab));
    }

    /**
     * {@code s} as one line that is safe on a terminal: what the user typed is echoed in error messages, and a newline
     * in it would make two lines of one error, an escape sequence would recolour or rewrite the learner's terminal,
     * and a bidi override would show text reversed. Each such character is written as an escape instead
     * (\\n, \\e, \\u202e).
     */
    public static String oneLine(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch == '\n') b.append("\\n");
            else if (ch == '\t') b.append("\\t");
            else if (ch == '\u001b') b.append("\\e");
            else if (Character.isISOControl(ch) || (ch >= '\u202a' && ch <= '\u202e') || (ch >= '\u2066' && ch <= '\u2069')) {
                b.append(String.format("\\u%04x", (int) ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    /** What the user typed, shortened to {@code max} characters for an error message. */
    static String clipped(String typed, int max) {
        return typed.length() <= max ? typed : typed.substring(0, max) + "... (" + typed.length() + " characters)";
    }

    /** Effective uid 0, read from /proc so that explain and describe never need the native library. */
    public static boolean isRoot() {
        return effectiveUid().equals("0");
    }

    /** The effective uid from /proc/self/status, or "?" if it cannot be read. */
    static String effectiveUid() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2];
            }
        } catch (java.io.IOException | RuntimeException unreadable) {
            // fall through: not known
        }
        return "?";
    }
}
