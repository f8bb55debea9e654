package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.function.Executable;
import unboxed.lab.HostState;
import unboxed.lab.Lab;
import unboxed.sys.Wait;

/**
 * One lab's tests, each between the learner's fresh start and a reset that must leave the host as it was. Register it
 * once per test class ({@code @RegisterExtension static final LabSession S = new LabSession(LAB)}) and it wraps every
 * {@code @Test}; {@link #rows} wraps each row of a table of {@link Case}s the same way (JUnit runs no
 * {@code @BeforeEach}/{@code @AfterEach} around dynamic tests, so the session does it itself).
 */
public final class LabSession implements BeforeEachCallback, AfterEachCallback {
    private final Lab lab;
    private Supplier<String> also = () -> "";
    private String alsoWhat = "";
    private Executable tidy = () -> {}, afterReset = () -> {};
    private int settleSeconds;
    private List<String> before;
    private String alsoBefore;

    public LabSession(Lab lab) {
        this.lab = lab;
    }

    /** A lab's own fingerprint beyond HostState's (lab02's /mnt, lab05's root firewall): equal before and after. */
    public LabSession alsoUnchanged(String what, Supplier<String> fingerprint) {
        alsoWhat = what;
        also = fingerprint;
        return this;
    }

    /** What a test made beside the lab's objects (a bystander, a foreign link), removed before each reset. */
    public LabSession tidy(Executable beforeReset) {
        tidy = beforeReset;
        return this;
    }

    /** Assertions that hold after every reset. */
    public LabSession afterReset(Executable checks) {
        afterReset = checks;
        return this;
    }

    /** Waits up to this long for the fingerprint to settle (an ended pid namespace's PID 1 lingers as a zombie). */
    public LabSession settleWithin(int seconds) {
        settleSeconds = seconds;
        return this;
    }

    /** The fresh start: the fingerprints, then `check` on the fresh state, which fails. */
    public void begin() {
        alsoBefore = also.get();
        before = LabHarness.freshStart(lab);
    }

    /** The end: tidy, `reset` exits 0, the host is as it was in begin(), and the afterReset checks hold. */
    public void end() throws Throwable {
        tidy.execute();
        LabHarness.succeeds(lab, "reset");
        LabHarness.assertHostUnchangedWithin(before, "after " + lab.id + " reset", settleSeconds);
        assertEquals(alsoBefore, also.get(), alsoWhat + " after " + lab.id + " reset");
        afterReset.execute();
    }

    /** begin, body, end; a failing end does not hide the body's failure. */
    public void around(Executable body) throws Throwable {
        begin();
        try {
            body.execute();
        } catch (Throwable t) {
            try {
                end();
            } catch (Throwable e) {
                t.addSuppressed(e);
            }
            throw t;
        }
        end();
    }

    /** The fingerprint taken at begin(). */
    public List<String> before() {
        return before;
    }

    /** The lab's own fingerprint (alsoUnchanged) taken at begin(). */
    public String alsoBefore() {
        return alsoBefore;
    }

    /** Takes the fingerprint again: for a test that changes the host on purpose before the part that matters. */
    public void recapture() {
        before = HostState.capture();
    }

    @Override
    public void beforeEach(ExtensionContext c) {
        if (!isFactory(c)) begin();
    }

    @Override
    public void afterEach(ExtensionContext c) throws Exception {
        if (isFactory(c)) return;
        try {
            end();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static boolean isFactory(ExtensionContext c) {
        return c.getRequiredTestMethod().isAnnotationPresent(TestFactory.class);
    }

    // The table: states made by hand, and what check must say about each.

    /**
     * Each row a test of its own, between begin and end: make the state, then check's verdicts must be the row's. A
     * failure names its row (reports list rows by number).
     */
    public Stream<DynamicTest> rows(Case... cases) {
        return Stream.of(cases).map(c -> dynamicTest(c.name(), () -> around(() -> {
            try {
                c.verify(lab);
            } catch (AssertionError e) {
                throw new AssertionError("row '" + c.name() + "': " + e.getMessage(), e);
            }
        })));
    }

    /** rows(cases), each made after the lab command {@code labCommand} (e.g. "prepare") unless it names its own. */
    public Stream<DynamicTest> rowsAfter(String labCommand, Case... cases) {
        return rows(Stream.of(cases).map(c -> c.given().isBlank() ? c.after(labCommand) : c).toArray(Case[]::new));
    }

    /** A criterion that must fail (where it applies on this machine), and what its reason must say (each part). */
    public record Fail(String check, List<String> why, BooleanSupplier applies) {}

    public static Fail fail(String check, String... why) {
        return new Fail(check, List.of(why), () -> true);
    }

    /** A criterion that must fail where {@code applies} holds once the state is made (this kernel has what it reads). */
    public static Fail failIf(BooleanSupplier applies, String check, String... why) {
        return new Fail(check, List.of(why), applies);
    }

    /**
     * One state a learner can reach: the lab command it starts from ({@code given}, e.g. "prepare"; "" for none), the
     * shell commands that make it, what to wait for before checking, the criteria that must fail (every other one
     * must pass: no fails is a correct solution), and what to look at afterwards.
     */
    public record Case(String name, String given, String shell, BooleanSupplier ready, List<Fail> fails, Executable then) {
        public Case after(String labCommand) {
            return new Case(name, labCommand, shell, ready, fails, then);
        }

        /** Checks once {@code condition} holds (up to 5 s): a state that background commands finish making. */
        public Case when(BooleanSupplier condition) {
            return new Case(name, given, shell, condition, fails, then);
        }

        /** More to assert once check has graded the state. */
        public Case then(Executable more) {
            return new Case(name, given, shell, ready, fails, more);
        }

        void verify(Lab lab) throws Throwable {
            if (!given.isBlank()) LabHarness.succeeds(lab, given.split(" "));
            if (!shell.isBlank()) LabHarness.sh(shell);
            assertTrue(Wait.until(Duration.ofSeconds(5), ready), name + ": the state was not ready within 5 s after:\n" + shell);
            List<Fail> failing = fails.stream().filter(f -> f.applies().getAsBoolean()).toList();
            Map<String, JsonObject> r = LabHarness.checkById(lab);
            LabHarness.assertVerdicts(r, failing.stream().map(Fail::check).toList());
            for (Fail f : failing) f.why().forEach(part -> LabHarness.assertReason(r, f.check(), part));
            if (failing.isEmpty()) { // a correct solution: check recorded full points, as for solve
                JsonObject p = LabHarness.progress(lab);
                assertEquals(lab.maxPoints(), p.get("points").getAsInt(), p.toString());
                assertTrue(p.get("passed").getAsBoolean(), p.toString());
            }
            then.execute();
        }
    }

    /** A row: the state these commands make fails exactly these criteria, for these reasons. */
    public static Case row(String name, String shell, Fail... fails) {
        return new Case(name, "", shell, () -> true, List.of(fails), () -> {});
    }

    /** A row that must pass: another correct solution. */
    public static Case passes(String name, String shell) {
        return row(name, shell);
    }
}
