package unboxed.site;

import freemarker.core.ParseException;
import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import freemarker.template.TemplateNotFoundException;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import unboxed.lab.Check;
import unboxed.lab.Description;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.lab.Reports;
import unboxed.lab.Diagram;
import unboxed.lab.Solution;
import unboxed.lab.Topology;
import unboxed.transcript.Transcript;

/**
 * Writes the guides: site/index.html, one page and one presenter view per lab, and with a folder of progress files
 * site/class.html (whose data the presenter views' notes show too). The
 * data comes from each lab's description and source (see {@link LabSources}), its stored transcript, and the progress
 * files; the pages from templates/*.ftlh (FreeMarker, HTML auto-escaping on). Everything is written into a temporary
 * folder beside the site and moved into place at the end, so a failure at any point leaves the old site as it was.
 */
public final class Site {
    /**
     * Where things are: the checkout (labs/, templates/), the output folder, and what to show besides the labs: a
     * learner's progress file, a folder of a class's (with how the class page is live; an empty folder is allowed
     * when {@code emptyClassOk}: a watched workshop before anyone has checked).
     */
    public record Options(Path root, Path out, Path progress, Path classDir, Live live, boolean emptyClassOk) {
        public Options(Path root, Path out, Path progress, Path classDir) {
            this(root, out, progress, classDir, Live.once(), false);
        }


        public Path labs() { return root.resolve("labs"); }
        public Path transcripts() { return root.resolve("labs").resolve("transcripts"); }
        public Path templates() { return root.resolve("templates"); }
    }

    /**
     * How the class page is live: a learner whose last check is older than {@code silentAfter} is marked silent;
     * with {@code reloadEvery} (not zero) the page reloads itself that often (guide class DIR --watch rebuilds it).
     * {@code now} is the build's clock (the page's script marks again by the browser's at every load).
     */
    public record Live(Duration silentAfter, Duration reloadEvery, Instant now) {
        public static final Duration SILENT_AFTER = Duration.ofMinutes(10), RELOAD_EVERY = Duration.ofSeconds(5);

        public static Live once() {
            return new Live(SILENT_AFTER, Duration.ZERO, Instant.now());
        }
    }

    /** What was written, for the command line and the benchmark. */
    public record Result(Path out, List<String> pages, List<String> warnings) {}

    /** One lab, ready for its page. */
    record LabData(LabSources.LabFile file, Description doc, List<JavaSource.Excerpt> code,
                   Optional<Transcript> transcript, Optional<Transcript> transcriptV1, List<Solution.Line> solution) {}

    private final Options o;
    private final List<String> warnings = new ArrayList<>();

    public Site(Options o) {
        this.o = o;
    }

    public static Result build(Options o) {
        return new Site(o).build();
    }

    Result build() {
        List<LabData> labs = new ArrayList<>();
        for (LabSources.LabFile f : LabSources.discover(o.labs())) labs.add(load(f));
        ProgressFiles.Learner learner = o.progress() == null ? null : ProgressFiles.read(o.progress());
        List<ProgressFiles.Learner> learners = o.classDir() == null ? null : ProgressFiles.readFolder(o.classDir(), o.emptyClassOk());
        Configuration cfg = templates();

        Path out = o.out().toAbsolutePath().normalize();
        Path parent = out.getParent();
        Path tmp;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, "." + out.getFileName() + ".new-");
        } catch (IOException e) {
            throw new SiteException(SiteException.BAD_INPUT, parent + ": cannot write the site here: " + e.getMessage());
        }
        try {
            List<String> pages = new ArrayList<>();
            List<Map<String, Object>> models = new ArrayList<>();
            for (LabData l : labs) models.add(labModel(l));
            Map<String, Object> classModel = learners == null ? null : ClassView.model(models, learners, o.classDir(), o.live());
            for (int i = 0; i < models.size(); i++) {
                Map<String, Object> m = models.get(i);
                if (i > 0) m.put("prev", brief(models.get(i - 1)));
                if (i + 1 < models.size()) m.put("next", brief(models.get(i + 1)));
                String page = m.get("id") + ".html";
                render(cfg, "lab.ftlh", Map.of("lab", m, "site", siteModel(learners != null)), tmp.resolve(page));
                pages.add(page);
                String slides = Slides.page((String) m.get("id"));
                render(cfg, "slides.ftlh", Map.of("lab", m, "notes", Slides.notes(m, classModel)), tmp.resolve(slides));
                pages.add(slides);
            }
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("labs", indexModel(models, learner));
            if (learner != null) index.put("learner", learnerModel(learner));
            index.put("site", siteModel(learners != null));
            render(cfg, "index.ftlh", index, tmp.resolve("index.html"));
            pages.add(0, "index.html");
            if (learners != null) {
                render(cfg, "class.ftlh", classModel, tmp.resolve("class.html"));
                pages.add("class.html");
            }
            copyAssets(tmp.resolve("assets"));
            swap(tmp, out);
            return new Result(out, List.copyOf(pages), List.copyOf(warnings));
        } catch (RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    // ---- loading ------------------------------------------------------------------------------------------------

    LabData load(LabSources.LabFile f) {
        Lab lab = LabSources.load(f);
        Description doc = LabCli.describe(lab);
        if (!doc.id().equals(f.id())) {
            throw new SiteException(SiteException.BAD_INPUT, f.shown() + ": the file is named " + f.id()
                + " but the lab says its id is " + doc.id());
        }
        List<JavaSource.Excerpt> code = new JavaSource(f.shown(), f.source()).stepExcerpts();
        if (code.size() != doc.steps().size()) {
            throw new SiteException(SiteException.BAD_INPUT, f.shown() + ": " + code.size() + " .step( calls in the source but "
                + doc.steps().size() + " steps in its description");
        }
        Optional<Transcript> t = Transcript.read(o.transcripts(), doc.id());
        if (t.isEmpty()) {
            warnings.add(doc.id() + ": no recorded output yet (sudo ./jbang guide --record " + doc.id() + ")");
        } else {
            for (int i = 0; i < doc.steps().size(); i++) {
                if (t.get().step(i + 1, doc.steps().get(i).title()).isEmpty()) {
                    warnings.add(doc.id() + ": step " + (i + 1) + " has no recorded output (the lab changed since the "
                        + "recording: sudo ./jbang guide --record " + doc.id() + ")");
                }
            }
        }
        return new LabData(f, doc, code, t, Transcript.read(o.transcripts(), doc.id(), Transcript.Machine.CGROUP_V1),
            lab.solution.lines());
    }

    // ---- models for the templates (maps and lists: what FreeMarker reads most plainly) --------------------------

    Map<String, Object> labModel(LabData l) {
        Description d = l.doc();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("number", d.id().substring(3));
        m.put("title", d.title());
        m.put("file", l.file().name());
        m.put("summary", d.summary());
        m.put("summaryHtml", Markdown.inline(d.summary()));
        m.put("minutes", d.minutes());
        m.put("objectives", d.objectives().stream().map(Markdown::inline).toList());
        m.put("prerequisites", d.prerequisites().stream().map(Markdown::inline).toList());
        m.put("tools", d.tools());
        m.put("storyHtml", Markdown.block(d.story()));
        m.put("recorded", l.transcript().isPresent());
        // the machines the page's output comes from, when there is more than one: [[v2, label], [v1, label]]
        m.put("machines", l.transcriptV1().isEmpty() || l.transcript().isEmpty() ? List.of()
            : List.of(List.of("v2", Transcript.Machine.CGROUP_V2.label), List.of("v1", Transcript.Machine.CGROUP_V1.label)));
        List<Map<String, Object>> steps = new ArrayList<>();
        for (int i = 0; i < d.steps().size(); i++) {
            Description.StepText s = d.steps().get(i);
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("n", i + 1);
            sm.put("title", s.title());
            sm.put("titleHtml", Markdown.inline(s.title()));
            sm.put("explainHtml", Markdown.block(s.explain()));
            sm.put("shell", s.shell());
            JavaSource.Excerpt e = l.code().get(i);
            if (e != null) sm.put("code", Map.of("ref", e.ref(), "text", e.code(), "line", e.line()));
            int n = i + 1;
            Optional<Transcript.StepRecord> rec = l.transcript().flatMap(t -> t.step(n, s.title()));
            rec.ifPresent(r -> sm.put("output", outdent(r.output())));
            // where the lab prints something else on a cgroup-v1 host, the page has both and a switch (v2 first)
            rec.flatMap(r -> l.transcriptV1().flatMap(t -> t.step(n, s.title())).filter(v1 -> !Transcript.sameWords(r, v1)))
                .ifPresent(v1 -> sm.put("outputV1", outdent(v1.output())));
            List<String> pictures = new ArrayList<>(pictures(d, Topology.STEP, i + 1));
            rec.filter(r -> !r.processes().isEmpty()).ifPresent(r -> pictures.add(Svg.processes(r.processes(),
                "The lab's processes after step " + n + ", framed by pid namespace", d.id() + "-procs-" + n)));
            sm.put("pictures", pictures);
            sm.put("observeHtml", Markdown.block(s.observe()));
            steps.add(sm);
        }
        m.put("steps", steps);
        m.put("storyPictures", pictures(d, Topology.STORY, 0));
        m.put("exerciseHtml", Markdown.block(d.exercise()));
        m.put("exercisePictures", pictures(d, Topology.EXERCISE, -1));
        // the reference solution as `solve` prints it: each line's shell commands, and the status bash ends them with
        m.put("solution", l.solution().stream().map(s -> Map.of("shell", s.shell(), "exit", s.exit())).toList());
        List<Map<String, Object>> checks = new ArrayList<>();
        for (Description.CheckText c : d.checks()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("id", c.id());
            cm.put("title", c.title());
            cm.put("titleHtml", Markdown.inline(c.title()));
            cm.put("points", c.points());
            cm.put("hintHtml", Markdown.inline(c.hint()));
            checks.add(cm);
        }
        m.put("checks", checks);
        m.put("maxPoints", d.maxPoints());
        m.put("checkCommand", "sudo ./jbang " + d.id() + " check");
        m.put("quiz", Quiz.model(d.id(), d.quiz()));
        m.put("reading", d.reading().stream().map(r -> Map.of("text", r.text(), "url", r.url())).toList());
        return m;
    }

    /** The console indents everything a step prints by two; on the page that margin is the box's. */
    static String outdent(String text) {
        int min = text.lines().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return String.join("\n", text.lines().map(l -> l.length() >= min ? l.substring(min) : l.strip()).toList());
    }

    private List<String> pictures(Description d, String where, int afterStep) {
        List<String> out = new ArrayList<>();
        int k = 0;
        for (Topology t : d.topologies()) {
            k++;
            if (!t.where().equals(where)) continue;
            if (where.equals(Topology.STEP) && t.afterStep() != afterStep) continue;
            out.add(Svg.topology(t, d.id() + "-topology-" + k));
        }
        k = 0;
        for (Diagram g : d.diagrams()) {
            k++;
            if (!g.where().equals(where)) continue;
            if (where.equals(Topology.STEP) && g.afterStep() != afterStep) continue;
            out.add(Svg.diagram(g, d.id() + "-diagram-" + k));
        }
        return out;
    }

    private static Map<String, Object> brief(Map<String, Object> lab) {
        return Map.of("id", lab.get("id"), "title", lab.get("title"));
    }

    private Map<String, Object> siteModel(boolean withClass) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hasClass", withClass);
        return m;
    }

    List<Map<String, Object>> indexModel(List<Map<String, Object>> labs, ProgressFiles.Learner learner) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> lab : labs) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String k : List.of("id", "number", "title", "summaryHtml", "minutes", "maxPoints", "recorded")) m.put(k, lab.get(k));
            m.put("stepCount", ((List<?>) lab.get("steps")).size());
            m.put("slides", Slides.page((String) lab.get("id")));
            m.put("checkCount", ((List<?>) lab.get("checks")).size());
            m.put("quizCount", ((List<?>) lab.get("quiz")).size());
            if (learner != null && learner.labs().containsKey((String) lab.get("id"))) {
                m.put("result", resultModel(learner.labs().get((String) lab.get("id"))));
            }
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> resultModel(Reports.Summary r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("points", r.points());
        m.put("max", r.max());
        m.put("passed", r.passed());
        m.put("checkedAt", r.checkedAt());
        List<Map<String, Object>> checks = new ArrayList<>();
        for (Check.Result c : r.checks()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("id", c.id());
            cm.put("titleHtml", Markdown.inline(c.title()));
            cm.put("passed", c.passed());
            cm.put("earned", c.earned());
            cm.put("points", c.points());
            cm.put("reason", c.reason());
            cm.put("hintHtml", Markdown.inline(c.hint()));
            checks.add(cm);
        }
        m.put("checks", checks);
        return m;
    }

    static Map<String, Object> learnerModel(ProgressFiles.Learner l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", l.learner());
        m.put("host", l.host());
        m.put("updated", l.updated());
        m.put("file", l.file());
        m.put("points", l.labs().values().stream().mapToInt(Reports.Summary::points).sum());
        m.put("labsPassed", l.labs().values().stream().filter(Reports.Summary::passed).count());
        m.put("labsChecked", l.labs().size());
        return m;
    }

    // ---- templates, assets, and the move into place -------------------------------------------------------------

    Configuration templates() {
        Path dir = o.templates();
        if (!Files.isDirectory(dir)) throw new SiteException(SiteException.BAD_INPUT, dir + ": no templates folder");
        Configuration cfg = new Configuration(Configuration.VERSION_2_3_34);
        try {
            cfg.setDirectoryForTemplateLoading(dir.toFile());
        } catch (IOException e) {
            throw new SiteException(SiteException.BAD_INPUT, dir + ": " + e.getMessage());
        }
        cfg.setDefaultEncoding("UTF-8");
        cfg.setOutputEncoding("UTF-8");
        cfg.setRecognizeStandardFileExtensions(true); // *.ftlh: HTML output format, auto-escaping on
        cfg.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        cfg.setLogTemplateExceptions(false);
        cfg.setWrapUncheckedExceptions(true);
        cfg.setFallbackOnNullLoopVariable(false);
        cfg.setNumberFormat("computer");
        return cfg;
    }

    static void render(Configuration cfg, String name, Map<String, Object> model, Path to) {
        try {
            Template t = cfg.getTemplate(name);
            if (!(t.getOutputFormat() instanceof freemarker.core.HTMLOutputFormat)) {
                throw new SiteException(SiteException.BAD_INPUT, "templates/" + name + ": not an HTML template (auto-escaping must be on)");
            }
            try (Writer w = Files.newBufferedWriter(to, StandardCharsets.UTF_8)) {
                t.process(model, w);
            }
        } catch (TemplateNotFoundException e) {
            throw new SiteException(SiteException.BAD_INPUT, "templates/" + name + ": missing");
        } catch (ParseException e) {
            throw new SiteException(SiteException.BAD_INPUT, "templates/" + e.getTemplateName() + " line " + e.getLineNumber()
                + ": " + firstLine(e.getEditorMessage()));
        } catch (TemplateException e) {
            throw new SiteException(SiteException.BAD_INPUT, "templates/" + e.getTemplateSourceName() + " line " + e.getLineNumber()
                + ": " + firstLine(e.getMessageWithoutStackTop()));
        } catch (IOException e) {
            throw new SiteException(SiteException.BAD_INPUT, "cannot write " + to + ": " + e.getMessage());
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "template error";
        return s.strip().lines().findFirst().orElse("template error").strip();
    }

    void copyAssets(Path to) {
        Path from = o.templates().resolve("assets");
        try {
            Files.createDirectories(to);
            if (!Files.isDirectory(from)) return;
            try (Stream<Path> s = Files.list(from)) {
                for (Path f : s.filter(Files::isRegularFile).toList()) Files.copy(f, to.resolve(f.getFileName()));
            }
        } catch (IOException e) {
            throw new SiteException(SiteException.BAD_INPUT, from + ": cannot copy the assets: " + e.getMessage());
        }
    }

    /** The new site replaces the old: old moved aside, new renamed into place, old deleted. */
    static void swap(Path tmp, Path out) {
        try {
            tmp.toFile().setReadable(true, false);
            tmp.toFile().setExecutable(true, false);
            Path old = null;
            if (Files.exists(out)) {
                old = out.resolveSibling("." + out.getFileName() + ".old-" + ProcessHandle.current().pid());
                deleteTree(old);
                Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            if (old != null) deleteTree(old);
        } catch (IOException e) {
            throw new SiteException(SiteException.BAD_INPUT, out + ": cannot move the new site into place: " + e.getMessage());
        }
    }

    static void deleteTree(Path p) {
        if (p == null || !Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            // best effort: a leftover temp folder is named .site.new-* and harmless
        }
    }
}
