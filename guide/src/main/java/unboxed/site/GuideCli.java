package unboxed.site;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.lab.LabException;
import unboxed.transcript.Recorder;
import unboxed.transcript.Transcript;

/**
 * {@code ./jbang guide}: the HTML guides from the labs. Exit codes as the labs': 0 written, 2 bad input (a lab's
 * description, a template, a progress file; the old site is left as it was), 3 environment (--record needs root).
 */
@Command(name = "./jbang guide", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Writes the guides: site/index.html and a page per lab, from the labs, their recorded output "
        + "(labs/transcripts) and templates/*.ftlh. Needs no root; open site/index.html in a browser."},
    footer = {"", "Examples:",
        "  ./jbang guide                              the site, from the stored transcripts",
        "  ./jbang guide --progress progress.json     index.html shows this learner's results",
        "  ./jbang guide class results/               site/class.html from a folder of progress files",
        "  ./jbang guide class results/ --watch       ... rebuilt whenever a file in it changes; the page reloads itself",
        "  ./jbang guide --slides class results/      name the presenter view to open (site/labNN-slides.html, always",
        "                                             written); with a class, its notes say what the class fails most",
        "  sudo ./jbang guide --record [lab04 ...]    run the labs for real, store their output, then write the site:",
        "                                             labNN.txt on cgroup v2 (the pages' own come from the VM tests'",
        "                                             guest: .ci/vm/record), labNN.cgroup-v1.txt on a cgroup-v1 host",
        "  ./jbang guide manuals                      labs/completion/jbang and labs/man/*.1 from the labs' definitions",
        "", "Exit codes: 0 written, 2 bad input (nothing written), 3 environment (e.g. --record without root)."})
public final class GuideCli implements Callable<Integer> {
    @Option(names = "--record", description = "Run each lab (or the LABs named) as root and store its output first "
        + "(on a cgroup-v1 host: the labs that keep a cgroup-v1 recording, or those named).")
    boolean record;
    @Parameters(paramLabel = "LAB", arity = "0..*", description = "With --record: only these labs (lab04 ...).")
    List<String> only = new ArrayList<>();
    @Option(names = "--progress", paramLabel = "FILE", description = "A learner's progress file (what check writes, "
        + "/var/lib/unboxed/progress.json): index.html shows its results.")
    Path progress;
    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the site (default: site/ of the checkout).")
    Path out;
    @Option(names = "--slides", description = "Name the presenter view to open: site/labNN-slides.html, one slide per "
        + "step in large type (keys: arrows, space, Home/End; N shows the speaker notes). Written with every site.")
    boolean slides;
    @Option(names = "--root", paramLabel = "DIR", description = "The unboxed checkout (default: found from here upwards).")
    Path root;

    final PrintStream stdout, stderr;

    GuideCli(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public static void main(String... args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs one command line and returns its exit code (tests call this in-process). */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        System.setProperty("org.freemarker.loggerLibrary", "none"); // errors are reported once, by us
        CommandLine cli = commandLine(new GuideCli(out, err));
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println(LabCli.oneLine("guide: " + ex.getMessage().lines().findFirst().orElse("bad input") + " (see --help)"));
            return SiteException.BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof SiteException se) {
                err.println(LabCli.oneLine("guide: " + se.getMessage()));
                return se.exitCode();
            }
            if (ex instanceof LabException le) { // from lib: a stored transcript that does not read, a recording that failed
                err.println(LabCli.oneLine("guide: " + le.getMessage()));
                return le.exitCode();
            }
            err.println(LabCli.oneLine("guide: failed: " + ex));
            return SiteException.ENVIRONMENT;
        });
        return cli.execute(args);
    }

    /** The guide's command line (the one it parses with, and the one its completion and man page come from). */
    static CommandLine commandLine(GuideCli g) {
        CommandLine cli = new CommandLine(g);
        cli.addSubcommand(new ClassCmd());
        cli.addSubcommand(new ManualsCmd());
        unboxed.lab.Version.apply(cli, "guide");
        return cli;
    }

    @Override
    public Integer call() {
        Path r = checkout();
        if (!record && !only.isEmpty()) throw new SiteException(SiteException.BAD_INPUT, "lab names go with --record (got " + only + ")");
        if (progress != null && !Files.isReadable(progress)) {
            throw new SiteException(SiteException.BAD_INPUT, progress + ": cannot read the progress file");
        }
        if (record) record(r);
        return write(new Site.Options(r, outDir(r), progress, null));
    }

    void record(Path r) {
        if (!LabCli.isRoot()) {
            throw new SiteException(SiteException.ENVIRONMENT, "--record runs every lab for real: run it as root (sudo ./jbang guide --record)");
        }
        List<LabSources.LabFile> labs = LabSources.discover(r.resolve("labs"));
        for (String id : only) {
            if (labs.stream().noneMatch(l -> l.id().equals(id))) {
                throw new SiteException(SiteException.BAD_INPUT, "no lab " + id + " (labs: "
                    + String.join(", ", labs.stream().map(LabSources.LabFile::id).toList()) + ")");
            }
        }
        Path dir = r.resolve("labs").resolve("transcripts");
        Transcript.Machine here = Transcript.Machine.here();
        if (here != Transcript.Machine.CGROUP_V2) {
            // The pages show what the reference machine (cgroup v2, systemd) prints; this host adds its own recording
            // only where a lab's output differs on cgroup v1 (named ones, or those that have one already).
            stdout.println("guide: this host is cgroup v1: recording the cgroup-v1 transcripts (labNN" + here.suffix
                + ".txt); the pages' main ones come from the cgroup-v2 guest: .ci/vm/record");
        }
        for (LabSources.LabFile f : labs) {
            if (!only.isEmpty() && !only.contains(f.id())) continue;
            if (only.isEmpty() && here != Transcript.Machine.CGROUP_V2 && !Files.exists(Transcript.file(dir, f.id(), here))) continue;
            Lab lab = LabSources.load(f);
            long t0 = System.nanoTime();
            stdout.print("guide: recording " + f.id() + " (" + lab.steps.size() + " steps)... ");
            stdout.flush();
            Path written = Recorder.recordAndWrite(dir, lab, here);
            stdout.printf("%.1f s -> %s%n", (System.nanoTime() - t0) / 1e9, shown(r, written));
        }
        giveToOwner(r, dir);
    }

    int write(Site.Options o) {
        long t0 = System.nanoTime();
        Site.Result res = Site.build(o);
        giveToOwner(o.root(), res.out());
        res.warnings().forEach(w -> stderr.println("guide: note: " + w));
        String open = slides ? res.pages().stream().filter(p -> p.endsWith("-slides.html")).findFirst().orElse("index.html")
            : res.pages().contains("class.html") && o.classDir() != null ? "class.html" : "index.html";
        stdout.printf("guide: wrote %s (%d pages) in %d ms; open %s%s%n", shown(o.root(), res.out()), res.pages().size(),
            (System.nanoTime() - t0) / 1_000_000, shown(o.root(), res.out().resolve(open)),
            slides ? " (each lab's: labNN-slides.html; keys: arrows, space, Home/End; N: speaker notes)" : "");
        return 0;
    }

    Path checkout() {
        Path p = (root != null ? root : Path.of("")).toAbsolutePath().normalize();
        Path start = p;
        while (p != null && !(Files.exists(p.resolve("jbang-catalog.json")) && Files.isDirectory(p.resolve("labs")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new SiteException(SiteException.BAD_INPUT, "no unboxed checkout at or above " + start
                + " (run ./jbang guide from inside it, or give --root DIR)");
        }
        return p;
    }

    Path outDir(Path r) {
        return out != null ? out.toAbsolutePath().normalize() : r.resolve("site");
    }

    static String shown(Path root, Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p).toString() : p.toString();
    }

    /**
     * Under sudo, what we write in the checkout (transcripts, site) goes to the checkout's owner, so that the learner
     * can regenerate and commit it without sudo. Links are not followed (Files.walk does not descend into them, and
     * each is changed itself), so a link to /etc/shadow planted in site/ does not hand /etc/shadow to the owner.
     */
    static void giveToOwner(Path root, Path written) {
        if (!LabCli.isRoot() || !written.startsWith(root)) return;
        try {
            PosixFileAttributes owner = Files.readAttributes(root, PosixFileAttributes.class);
            if (owner.owner().getName().equals("root")) return;
            try (Stream<Path> s = Files.walk(written)) {
                for (Path f : s.toList()) {
                    // lchown(2): a link planted in the checkout changes owner itself, never what it points to
                    PosixFileAttributeView v = Files.getFileAttributeView(f, PosixFileAttributeView.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    v.setOwner(owner.owner());
                    v.setGroup(owner.group());
                }
            }
        } catch (IOException | RuntimeException e) {
            // ownership is a convenience; the files are written either way
        }
    }

    @Command(name = "class", mixinStandardHelpOptions = true,
        description = {"Also write site/class.html from a folder of learners' progress files: who passed what, when each "
            + "last checked (and who has been silent too long), and which criteria fail most, with the reasons the checks "
            + "gave. The presenter views' notes show the same. With --watch it stays running: every time a progress file "
            + "in DIR is added, changed or removed the site is rebuilt (one line each), and the page reloads itself. "
            + "Ctrl-C ends it."},
        footer = {"", "DURATION: a number and a unit, s, m or h, or several (90s, 10m, 1h30m).",
            "Exit codes: 0 written (or watching ended by Ctrl-C), 2 bad input (DIR, a DURATION, a progress file)."})
    static final class ClassCmd implements Callable<Integer> {
        @ParentCommand
        GuideCli parent;
        @Parameters(paramLabel = "DIR", description = "A folder of progress files (*.json, as check writes them).")
        Path dir;
        @Option(names = "--out", paramLabel = "DIR", description = "Where to write the site (default: site/ of the checkout).")
        Path out;
        @Option(names = "--watch", description = "Keep running: rebuild whenever a progress file in DIR changes (DIR may "
            + "start empty); the class page reloads itself and keeps its scroll position.")
        boolean watch;
        @Option(names = "--silent-after", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Mark a learner whose last check is older than this as silent (default: ${DEFAULT-VALUE}).",
            defaultValue = "10m")
        Duration silentAfter;
        @Option(names = "--reload-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --watch: how often the page reloads itself (default: ${DEFAULT-VALUE}).", defaultValue = "5s")
        Duration reloadEvery;
        @Option(names = "--slides", description = "As the guide's --slides: name the presenter view to open.")
        boolean slides;

        @Override
        public Integer call() throws IOException {
            Path r = parent.checkout();
            if (out != null) parent.out = out;
            if (slides) parent.slides = true;
            Path d = dir.toAbsolutePath().normalize();
            if (!Files.isDirectory(d)) {
                throw new SiteException(SiteException.BAD_INPUT, dir + ": not a folder (guide class DIR takes a folder of progress files)");
            }
            Duration reload = watch ? reloadEvery : Duration.ZERO;
            int written = parent.write(new Site.Options(r, parent.outDir(r), parent.progress, d,
                new Site.Live(silentAfter, reload, Instant.now()), watch));
            if (!watch) return written;
            parent.stdout.println("guide: watching " + shown(r, d) + " for progress files (*.json); the page reloads "
                + "every " + ClassView.ago(reload) + "; Ctrl-C ends");
            ClassWatch w = new ClassWatch(d, now -> Site.build(new Site.Options(r, parent.outDir(r), parent.progress, d,
                new Site.Live(silentAfter, reload, now), true)), parent.stdout, parent.stderr);
            Thread loop = Thread.currentThread();
            Thread hook = new Thread(() -> {
                w.stop();
                try {
                    loop.join(10_000); // a rebuild under way finishes (the site is swapped whole, never half)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "guide-watch-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            int code = w.run();
            parent.stdout.println("guide: stopped watching " + shown(r, d) + "; the last build stays in "
                + shown(r, parent.outDir(r)));
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is what stopped us
            }
            return code;
        }
    }

    /** "90s", "10m", "1h30m": a positive duration; anything else is bad input (picocli reports it in one line). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,6})([smh])").matcher(value.strip());
            Duration d = Duration.ZERO;
            int end = 0;
            while (m.find() && m.start() == end) {
                long n = Long.parseLong(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                });
                end = m.end();
            }
            if (end == 0 || end != value.strip().length() || d.isZero()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (a number and s, m or h: 90s, 10m, 1h30m)");
            }
            return d;
        }
    }

    @Command(name = "manuals", mixinStandardHelpOptions = true,
        description = "Write bash completion (labs/completion/jbang) and man pages (labs/man/unboxed-ALIAS.1) for every "
            + "alias of jbang-catalog.json, from the command lines the labs parse with; .ci/provision --labs-only installs them.")
    static final class ManualsCmd implements Callable<Integer> {
        @ParentCommand
        GuideCli parent;
        @Option(names = "--out", paramLabel = "DIR", description = "Where to write completion/ and man/ (default: labs/ of the checkout).")
        Path out;

        @Override
        public Integer call() throws IOException {
            Path r = parent.checkout();
            Path dir = out != null ? out.toAbsolutePath().normalize() : r.resolve("labs");
            List<String> written = ManualPages.write(r, dir);
            parent.stdout.println("guide: wrote " + written.size() + " files under " + shown(r, dir) + " ("
                + String.join(", ", written) + ")");
            return 0;
        }
    }
}
