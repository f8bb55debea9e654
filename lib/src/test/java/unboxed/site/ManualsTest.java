package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import unboxed.lab.Check;
import unboxed.lab.LabCli;
import unboxed.lab.Manuals;
import unboxed.sys.Cmd;

/**
 * The labs' bash completion and man pages (labs/completion/jbang, labs/man/*.1): current with the labs' command
 * lines, completing every lab's commands, options and check ids in a real bash, rendering with man(1); and, once
 * .ci/provision has run, installed where bash-completion and man look.
 */
class ManualsTest {
    static final Path ROOT = GuideRenderTest.ROOT;

    @Test
    void theCommittedFilesAreWhatTheLabsDefineToday(@TempDir Path dir) throws IOException {
        GuideRenderTest.Run run = GuideRenderTest.guide("--root", ROOT.toString(), "manuals", "--out", dir.toString());
        assertEquals(0, run.exit(), run.err());
        List<String> stale = Generated.stale(dir, ROOT.resolve("labs"), false);
        assertEquals(List.of(), stale, "stale or missing: run ./jbang guide manuals and commit what it writes");
    }

    /** bash: source the completion, then complete "./jbang WORDS... CURRENT" (and "jbang ..."), print COMPREPLY. */
    static List<String> complete(String... words) {
        String script = "source " + ROOT.resolve("labs/completion/jbang") + " || exit 9\n"
            + "COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 )); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()\n"
            + "_unboxed_jbang 2>/dev/null\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
        List<String> argv = new ArrayList<>(List.of("bash", "-c", script, "bash"));
        argv.addAll(List.of(words));
        Cmd.Result r = Cmd.run(argv, 30);
        assertEquals(0, r.exit(), r.err());
        return r.out().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void bashCompletesEveryLabsCommandsOptionsAndChecks() {
        Cmd.Result registered = Cmd.run(List.of("bash", "-c", "source " + ROOT.resolve("labs/completion/jbang")
            + " && complete -p jbang"), 30);
        assertTrue(registered.out().contains("-F _unboxed_jbang") && registered.out().strip().endsWith(" jbang"),
            registered.out() + registered.err());

        List<LabSources.LabFile> labs = LabSources.discover(ROOT.resolve("labs"));
        assertTrue(complete("./jbang", "").containsAll(labs.stream().map(LabSources.LabFile::id).toList()),
            "the first word completes to the aliases: " + complete("./jbang", ""));
        assertEquals(List.of("doctor"), complete("jbang", "doc"));
        for (LabSources.LabFile f : labs) {
            var lab = LabSources.load(f);
            CommandLine cli = LabCli.definition(lab);
            List<String> commands = List.copyOf(cli.getSubcommands().keySet());
            assertEquals(commands, complete("./jbang", f.id(), ""), f.id() + "'s commands");
            assertEquals(commands, complete("jbang", "labs/" + f.name(), ""), f.id() + " named by its file");
            assertEquals(lab.checks.stream().map(Check::id).toList(), complete("./jbang", f.id(), "check", ""),
                f.id() + " check's ids");
            for (String command : commands) {
                List<String> options = cli.getSubcommands().get(command).getCommandSpec().options().stream()
                    .flatMap(o -> Stream.of(o.names())).filter(n -> n.startsWith("--")).sorted().toList();
                assertEquals(options, complete("./jbang", f.id(), command, "--").stream().sorted().toList(),
                    f.id() + " " + command + "'s options");
            }
        }
        assertEquals(List.of("--leftovers"), complete("./jbang", "doctor", "--left"));
        assertEquals(List.of("manuals"), complete("./jbang", "guide", "man"));
    }

    @Test
    void everyManPageRendersWithMan(@TempDir Path manpath) throws IOException {
        assertTrue(Cmd.has("man"), "man is not installed: apt-get install man-db (or .ci/provision)");
        Files.createDirectories(manpath.resolve("man1"));
        List<Path> pages;
        try (Stream<Path> s = Files.list(ROOT.resolve("labs/man"))) {
            pages = s.sorted().toList();
        }
        for (Path p : pages) Files.copy(p, manpath.resolve("man1").resolve(p.getFileName()));
        for (ManualPages.Alias a : ManualPages.aliases(ROOT)) {
            if (a.cli() == null) continue;
            String name = Manuals.name(a.alias());
            // man -M finds the page as an installed one would be found (the doctor's page is lab00's, by .so)
            Cmd.Result man = Cmd.run(List.of("env", "MANWIDTH=200", "MANPAGER=cat", "MAN_KEEP_FORMATTING=0",
                "man", "-M", manpath.toString(), "--warnings", name), 30);
            assertEquals(0, man.exit(), name + ": " + man.err());
            assertEquals("", man.err().strip(), name + ": groff warned");
            String text = man.out().replaceAll(".\b", "");
            for (String section : List.of("NAME", "SYNOPSIS", "DESCRIPTION")) assertTrue(text.contains(section), name + "\n" + text);
            for (String command : a.cli().getSubcommands().keySet()) {
                assertTrue(text.contains("   " + command + "\n"), name + " lacks command " + command + "\n" + text);
            }
            for (var o : a.cli().getCommandSpec().options()) {
                assertTrue(text.contains(o.longestName()), name + " lacks " + o.longestName() + "\n" + text);
            }
        }
        Cmd.Result local = Cmd.run(List.of("man", "-l", "--warnings", ROOT.resolve("labs/man/unboxed-lab04.1").toString()), 30);
        assertEquals(0, local.exit(), local.err());
    }

    /** What .ci/provision --labs-only installs (CI provisions before the tests; on a dev machine run it once). */
    @Test
    void provisionInstalledThemWhereBashCompletionAndManLook() throws IOException {
        Path installed = Path.of("/usr/share/bash-completion/completions/jbang");
        String again = "run sudo .ci/provision --labs-only (it installs them)";
        assertTrue(Files.exists(installed), installed + " is missing: " + again);
        assertEquals(Files.readString(ROOT.resolve("labs/completion/jbang")), Files.readString(installed),
            installed + " is stale: " + again);
        try (Stream<Path> s = Files.list(ROOT.resolve("labs/man"))) {
            for (Path p : s.toList()) {
                Path i = Path.of("/usr/local/share/man/man1").resolve(p.getFileName());
                assertTrue(Files.exists(i) && Files.readString(i).equals(Files.readString(p)), i + " is missing or stale: " + again);
            }
        }
        // bash-completion's loader, as an interactive shell uses it, finds ours when ./jbang is completed
        Path loader = Path.of("/usr/share/bash-completion/bash_completion");
        assertTrue(Files.exists(loader), "bash-completion is not installed: " + again);
        Cmd.Result loaded = Cmd.run(List.of("bash", "-c", "source " + loader + "; __load_completion ./jbang; complete -p jbang"), 30);
        assertTrue(loaded.out().contains("_unboxed_jbang"), loaded.out() + loaded.err());
        Cmd.Result man = Cmd.run(List.of("man", "-w", "unboxed-lab04"), 30);
        assertEquals(0, man.exit(), "man does not find unboxed-lab04: " + man.err());
    }
}
