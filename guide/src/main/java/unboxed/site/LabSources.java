package unboxed.site;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;

/**
 * The labs the guide is made of: every labs/labNN-topic.java that defines a {@code static Lab lab()} (lab00, the
 * doctor, is a check of the machine, not a lab with steps, and has none).
 *
 * <p>Each lab is loaded in this JVM (its class is compiled with the generator: Maven builds labs/ with lib, and
 * guide.java's //SOURCES names the lab files), and the guide reads {@link LabCli#describe}, the very record that
 * {@code describe --json} prints. Spawning {@code ./jbang labNN describe --json} per lab would cost a JVM start and
 * a jbang build check each (seconds per lab); in-process it is milliseconds, and nothing is parsed back.
 */
public final class LabSources {
    private LabSources() {}

    /** One lab file: where it is, its id (lab04), and its source text. */
    public record LabFile(Path path, String name, String id, String source) {
        /** Path as messages show it: labs/lab04-netns.java. */
        public String shown() { return "labs/" + name; }
    }

    private static final Pattern LAB_FILE = Pattern.compile("lab\\d\\d-[a-z0-9-]+\\.java");
    private static final Pattern DEFINES_LAB = Pattern.compile("static\\s+(?:unboxed\\.lab\\.)?Lab\\s+lab\\s*\\(\\s*\\)");

    /** The lab files under labsDir that define a Lab, by name (so by number). */
    public static List<LabFile> discover(Path labsDir) {
        if (!Files.isDirectory(labsDir)) {
            throw new SiteException(SiteException.BAD_INPUT, labsDir + ": no such folder (run from the unboxed checkout)");
        }
        try (Stream<Path> s = Files.list(labsDir)) {
            return s.filter(f -> LAB_FILE.matcher(f.getFileName().toString()).matches()).sorted()
                .map(LabSources::read).filter(f -> DEFINES_LAB.matcher(JavaSource.mask(f.source())).find()).toList();
        } catch (IOException e) {
            throw new SiteException(SiteException.BAD_INPUT, labsDir + ": cannot list: " + e.getMessage());
        }
    }

    private static LabFile read(Path f) {
        try {
            String name = f.getFileName().toString();
            return new LabFile(f, name, name.substring(0, 5), Files.readString(f));
        } catch (IOException e) {
            throw new SiteException(SiteException.BAD_INPUT, "labs/" + f.getFileName() + ": cannot read: " + e.getMessage());
        }
    }

    /** The Lab a file defines, from its compiled class. */
    public static Lab load(LabFile f) {
        String cls = new JavaSource(f.shown(), f.source()).mainClass();
        Class<?> c;
        try {
            c = Class.forName(cls, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new SiteException(SiteException.BAD_INPUT, f.shown() + ": its class " + cls + " is not compiled into "
                + "this generator (a lab added after the build? run ./jbang guide again, or mvn compile)");
        }
        try {
            Method m = c.getDeclaredMethod("lab");
            m.setAccessible(true);
            Object lab = m.invoke(null);
            if (!(lab instanceof Lab l)) throw new SiteException(SiteException.BAD_INPUT, f.shown() + ": " + cls + ".lab() returned no Lab");
            return l;
        } catch (NoSuchMethodException e) {
            throw new SiteException(SiteException.BAD_INPUT, f.shown() + ": " + cls + " has no static lab() method");
        } catch (InvocationTargetException e) {
            Throwable why = e.getCause() == null ? e : e.getCause();
            throw new SiteException(SiteException.BAD_INPUT, f.shown() + ": " + cls + ".lab() failed: " + why);
        } catch (IllegalAccessException e) {
            throw new SiteException(SiteException.BAD_INPUT, f.shown() + ": cannot call " + cls + ".lab(): " + e.getMessage());
        }
    }

}
