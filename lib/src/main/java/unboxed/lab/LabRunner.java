package unboxed.lab;

import java.util.ArrayList;
import java.util.List;
import unboxed.sys.Cmd;

/**
 * A lab's lifecycle, apart from any command line: the lock, the journal's replay, the preflight, the steps, prepare,
 * solve, grade and reset. LabCli parses a command line and calls one of these; the transcript recorder and tests call
 * them directly. Everything the run says goes through its {@link Console} as {@link RunListener} events, so the
 * console prints them and any listener given to the console (the recorder) hears the same.
 * Exit codes and failures are LabException's.
 */
public final class LabRunner {
    private final Lab lab;
    private final Console c;

    /** A runner that narrates on {@code console} (which prints, and tells its listeners). */
    public LabRunner(Lab lab, Console console) {
        this.lab = lab;
        this.c = console;
    }

    public Lab lab() { return lab; }

    // ---- run and explain ----------------------------------------------------------------------------------------

    /**
     * Walks through the lab: each step says what it does, does it for real and says what to notice; then the demo is
     * cleaned up, the exercise prepared and handed over. {@code pace}: wait for Enter before each step and before the clean-up;
     * {@code stopAfter} (1-based, or null): stop after that step and leave what it made.
     */
    public int run(boolean pace, Integer stopAfter) {
        if (stopAfter != null && (stopAfter < 1 || stopAfter > lab.steps.size())) {
            throw LabException.badInput("--step must be between 1 and " + lab.steps.size());
        }
        requireRootAndTools("run");
        try (LabLock lock = LabLock.acquire(lab.id, "run")) {
            if (lab.prepare != null) startOver();
            cleanLeftovers();
            Bench bench = bench(Journal.DEMO);
            c.title(lab.id + " · " + lab.title);
            c.text(lab.summary);
            lab.preflight.act(bench);
            int total = lab.steps.size();
            int last = stopAfter == null ? total : stopAfter;
            for (int i = 0; i < last; i++) {
                Step s = lab.steps.get(i);
                if (pace && !c.pause("\n[Enter] step " + (i + 1) + "/" + total + ": " + s.title() + " ")) pace = false;
                c.say(new RunListener.StepStarted(i + 1, total, s));
                try {
                    s.action().act(bench);
                } catch (Exception e) {
                    c.error("Step " + (i + 1) + " failed: " + e.getMessage());
                    cleanDemo();
                    throw e instanceof LabException le ? le
                        : LabException.environment("step " + (i + 1) + " (" + s.title() + ") failed: " + e.getMessage());
                }
                c.say(new RunListener.StepDone(i + 1, total, s));
            }
            if (stopAfter != null) {
                c.note("\nStopped after step " + stopAfter + "; what it made is still there. `sudo ./jbang "
                    + lab.id + " reset` removes it.");
                return LabException.OK;
            }
            // paced: the last step's state stays until Enter too, to look at (and a kill "inside the last step" is exact)
            if (pace) c.pause("\n[Enter] clean up the demo and prepare the exercise ");
            cleanDemo();
            if (lab.prepare != null) {
                c.heading("Preparing the exercise");
                lab.prepare.act(bench(Journal.LAB));
            }
            c.heading("Your turn");
            c.text(lab.exercise);
            c.blank();
            c.note("Grade it with: sudo ./jbang " + lab.id + " check   (or `watch` to re-check live; `solve` shows one way)");
            c.note("When you are done: sudo ./jbang " + lab.id + " reset removes everything the lab or you made for it.");
            return LabException.OK;
        } catch (LabException e) {
            throw e;
        } catch (Exception e) {
            throw LabException.environment(e.getMessage());
        }
    }

    /** Says every step and its shell equivalent, as run does, and the exercise; changes nothing, needs no root. */
    public int explain() {
        c.title(lab.id + " · " + lab.title);
        c.text(lab.summary);
        c.heading("Background");
        c.text(lab.story);
        int total = lab.steps.size();
        for (int i = 0; i < total; i++) {
            c.say(new RunListener.StepStarted(i + 1, total, lab.steps.get(i)));
            c.say(new RunListener.StepDone(i + 1, total, lab.steps.get(i)));
        }
        c.heading("Exercise");
        c.text(lab.exercise);
        for (Check ch : lab.checks) {
            c.text("- " + ch.title() + " [" + ch.points() + (ch.points() == 1 ? " point]" : " points]"));
            if (ch.hint() != null) c.hint(ch.hint()); // for most criteria, lines of the reference solution
        }
        if (!lab.reading.isEmpty()) {
            c.heading("Read more");
            for (Reading r : lab.reading) c.text("- " + r.text());
        }
        return LabException.OK;
    }

    // ---- grading ------------------------------------------------------------------------------------------------

    /**
     * Grades the checks named by {@code ids} (all when empty) from kernel state. A grading of all of them is recorded
     * in the progress file.
     */
    public List<Check.Result> check(List<String> ids) {
        List<Check> chosen = select(ids);
        requireRootAndTools("check");
        List<Check.Result> results = lab.grade(chosen);
        if (ids.isEmpty()) progressNote = Progress.record(Progress.file(), lab, results);
        return results;
    }

    private String progressNote;

    /** What the last {@link #check} has to say about the progress file (it was unreadable and moved aside), or null. */
    public String progressNote() {
        return progressNote;
    }

    /** The shortest and longest --interval, and the longest --timeout, that watch takes (seconds). */
    public static final double MIN_INTERVAL = 0.1, MAX_INTERVAL = 3600, MAX_TIMEOUT = 86400;

    /**
     * Re-grades every {@code interval} seconds and redraws the checklist until all pass, or {@code timeout} (0: never).
     * Both are bounded (NaN, infinities and huge values are bad input): a NaN or tiny interval would re-grade in a busy
     * loop, and a huge timeout would overflow the deadline into the past.
     */
    public int watch(double interval, double timeout) throws InterruptedException {
        if (!(interval >= MIN_INTERVAL && interval <= MAX_INTERVAL)) {
            throw LabException.badInput("--interval must be from " + MIN_INTERVAL + " to " + (long) MAX_INTERVAL
                + " seconds (got " + interval + ")");
        }
        if (!(timeout >= 0 && timeout <= MAX_TIMEOUT)) {
            throw LabException.badInput("--timeout must be from 0 (never) to " + (long) MAX_TIMEOUT + " seconds (got "
                + timeout + ")");
        }
        requireRootAndTools("watch");
        long deadline = timeout == 0 ? Long.MAX_VALUE : System.nanoTime() + Math.round(timeout * 1e9);
        while (true) {
            List<Check.Result> results = lab.grade(lab.checks);
            c.clear();
            c.title(lab.id + " · " + lab.title + " — watching (Ctrl-C to stop)   " + java.time.LocalTime.now()
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            Reports.text(c, lab, results);
            c.out().flush();
            if (results.stream().allMatch(Check.Result::passed)) {
                String note = Progress.record(Progress.file(), lab, results);
                if (note != null) c.warn(note);
                return LabException.OK;
            }
            if (System.nanoTime() > deadline) return LabException.CHECK_FAILED;
            Thread.sleep(Math.round(interval * 1000));
        }
    }

    /** The checks with these ids, in that order (all when none); an unknown id is bad input. */
    List<Check> select(List<String> ids) {
        if (ids.isEmpty()) return lab.checks;
        List<Check> out = new ArrayList<>();
        for (String id : ids) {
            out.add(lab.checks.stream().filter(ch -> ch.id().equals(id)).findFirst().orElseThrow(() ->
                LabException.badInput("no check '" + id + "' (checks: "
                    + String.join(", ", lab.checks.stream().map(Check::id).toList()) + ")")));
        }
        return out;
    }

    // ---- solve, prepare, reset: under the lab lock, journaled with lab scope -----------------------------------

    /** Does the exercise one correct way, for real. */
    public int solve() throws Exception {
        return withLabLock("solve", bench -> {
            lab.preflight.act(bench);
            c.title(lab.id + " · solving the exercise");
            if (lab.prepare != null) lab.prepare.act(bench);
            lab.solve.act(bench);
            c.blank();
            c.note("Solved. Grade it with: sudo ./jbang " + lab.id + " check; remove it with: sudo ./jbang " + lab.id + " reset");
        });
    }

    /** Builds the exercise's starting point (for a lab that has one). */
    public int prepare() throws Exception {
        if (lab.prepare == null) throw LabException.badInput(lab.id + " has no exercise to prepare");
        return withLabLock("prepare", bench -> {
            lab.preflight.act(bench);
            c.title(lab.id + " · preparing the exercise");
            lab.prepare.act(bench);
            c.blank();
            c.note("Ready. Do the exercise (`./jbang " + lab.id + " explain` shows it), then: sudo ./jbang " + lab.id + " check");
        });
    }

    /** Removes everything the lab or the exercise made, and nothing else. */
    public int reset() throws Exception {
        return withLabLock("reset", bench -> {
            lab.resetExercise.act(bench);
            Journal.Replay r = Journal.of(lab.id).replayAll();
            r.undone().forEach(u -> c.note("removed " + u));
            failIfStuck(r);
            c.note(lab.id + ": reset done.");
        });
    }

    /** Root and the lab's tools, then the lab lock, held while {@code body} works through a lab-scope bench. */
    private int withLabLock(String command, Step.Action body) throws Exception {
        requireRootAndTools(command);
        try (LabLock lock = LabLock.acquire(lab.id, command)) {
            body.act(bench(Journal.LAB));
            return LabException.OK;
        }
    }

    // ---- before anything changes ----------------------------------------------------------------------------------

    /**
     * Root, and every tool the lab uses, or an environment failure that says the fix. Then, before anything can
     * change the host, notes how it is (so reset can put it back; reset itself must not) and what the lab owns.
     */
    void requireRootAndTools(String command) {
        if (SudoSplit.asked()) throw new SudoSplit.HandedOver();   // ./jbang runs this again through sudo
        if (!LabCli.isRoot()) {
            throw LabException.environment(command + " changes or reads kernel state that needs root: run with sudo"
                + " (sudo ./jbang " + lab.id + " " + command + ")");
        }
        if (!unboxed.sys.Syscalls.supported()) {
            throw LabException.environment("this machine's architecture is " + unboxed.sys.Syscalls.arch()
                + ", and the labs know the syscall numbers of " + unboxed.sys.Syscalls.known() + " only: run them on"
                + " such a machine or VM (see README, In a VM)");
        }
        List<String> missing = lab.tools.stream().filter(t -> !Cmd.has(t)).toList();
        if (missing.size() == 1) {
            throw LabException.environment(missing.get(0) + " is not installed: " + Cmd.installHint(missing.get(0)));
        }
        if (missing.size() > 1) {
            // one line that installs them all, not one failure per run
            String packages = String.join(" ", missing.stream()
                .flatMap(t -> Cmd.packages(t).stream()).distinct().toList());
            throw LabException.environment(String.join(" and ", missing) + " are not installed: sudo apt-get install "
                + packages);
        }
        if (!command.equals("reset")) Journal.of(lab.id).rememberBaseline();
        Owned.record(lab); // for doctor --leftovers, which does not load the labs
    }

    private Bench bench(String scope) {
        return new Bench(lab, c, Journal.of(lab.id), scope);
    }

    /** Run after a crash: replay the leftovers first, and say so. */
    private void cleanLeftovers() {
        Journal j = Journal.of(lab.id);
        if (!j.hasObjects()) return;
        c.warn("Found objects left by an earlier run that did not finish; removing them first:");
        Journal.Replay r = j.replayObjects();
        r.undone().forEach(u -> c.note("  removed " + u));
        failIfStuck(r);
    }

    /**
     * For a lab whose run ends by preparing the exercise: what an earlier run or solve left in lab scope is the
     * starting point of an exercise, not the debris of a crash. run starts over from nothing and prepares it again.
     */
    private void startOver() {
        Journal j = Journal.of(lab.id);
        if (j.entries().stream().noneMatch(e -> !e.isBaseline() && Journal.LAB.equals(e.scope()))) return;
        // the objects only: the baseline notes (how /run/netns, / or a directory were before the lab) stay for reset
        Journal.Replay r = j.replayObjects(Journal.LAB);
        if (!r.undone().isEmpty()) {
            c.note("Starting over: removed what an earlier run or solve prepared (" + String.join(", ", r.undone())
                + "); this run prepares it again at its end.");
        }
        failIfStuck(r);
    }

    private void cleanDemo() {
        Journal.Replay r = Journal.of(lab.id).replay(Journal.DEMO);
        if (!r.undone().isEmpty()) c.note("\nCleaned up the demo: " + String.join(", ", r.undone()));
        failIfStuck(r);
    }

    private static void failIfStuck(Journal.Replay r) {
        if (!r.failed().isEmpty()) {
            throw LabException.environment("could not remove: " + String.join("; ", r.failed()));
        }
    }
}
