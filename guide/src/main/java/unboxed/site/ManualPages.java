package unboxed.site;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import unboxed.lab.Lab;
import unboxed.lab.LabCli;
import unboxed.lab.Manuals;

/**
 * {@code ./jbang guide manuals}: the bash completion file and the man pages, for every alias of jbang-catalog.json,
 * from the command line each alias's program parses with: a lab's {@link LabCli#definition}, a program whose main
 * class is a picocli {@code @Command} (the doctor), the guide's own and the box runtime's (in lib). The labs are compiled into this generator.
 */
final class ManualPages {
    private ManualPages() {}

    /** What one alias runs: its NAME line (the catalog's description), its text, its command line (or null). */
    record Alias(String alias, String script, String summary, String description, CommandLine cli) {}

    /** Writes DIR/completion/jbang and DIR/man/unboxed-ALIAS.1; returns the files written, relative to DIR. */
    static List<String> write(Path checkout, Path dir) throws IOException {
        List<Alias> aliases = aliases(checkout);
        Map<String, CommandLine> completion = new LinkedHashMap<>();
        aliases.forEach(a -> completion.put(a.alias(), a.cli()));
        List<String> written = new ArrayList<>();
        Files.createDirectories(dir.resolve("completion"));
        Files.writeString(dir.resolve("completion/jbang"), Manuals.bash(completion));
        written.add("completion/jbang");

        Files.createDirectories(dir.resolve("man"));
        List<Alias> paged = aliases.stream().filter(a -> a.cli() != null).toList();
        Map<String, String> firstAliasOfScript = new LinkedHashMap<>();
        for (Alias a : paged) {
            String first = firstAliasOfScript.putIfAbsent(a.script(), a.alias());
            String page;
            if (first != null) {
                page = Manuals.alias(a.alias(), first);
            } else {
                List<String> others = paged.stream().map(Alias::alias).filter(x -> !x.equals(a.alias()))
                    .map(Manuals::name).toList();
                page = Manuals.manPage(a.alias(), a.summary(), a.description(), a.cli(), others);
            }
            Files.writeString(dir.resolve("man/" + Manuals.name(a.alias()) + ".1"), page);
            written.add("man/" + Manuals.name(a.alias()) + ".1");
        }
        return written;
    }

    /** The catalog's aliases, in its order, each with the command line of the script it names. */
    static List<Alias> aliases(Path checkout) throws IOException {
        JsonObject catalog;
        try {
            catalog = JsonParser.parseString(Files.readString(checkout.resolve("jbang-catalog.json"))).getAsJsonObject()
                .getAsJsonObject("aliases");
        } catch (RuntimeException e) {
            throw new SiteException(SiteException.BAD_INPUT, "jbang-catalog.json: no aliases object: " + e.getMessage());
        }
        Map<String, LabSources.LabFile> labs = new LinkedHashMap<>();
        LabSources.discover(checkout.resolve("labs")).forEach(f -> labs.put("labs/" + f.name(), f));
        List<Alias> out = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : catalog.entrySet()) {
            JsonObject a = e.getValue().getAsJsonObject();
            String script = a.get("script-ref").getAsString();
            String summary = a.has("description") ? a.get("description").getAsString() : e.getKey();
            LabSources.LabFile lab = labs.get(script);
            if (lab != null) {
                Lab l = LabSources.load(lab);
                out.add(new Alias(e.getKey(), script, summary, l.summary, LabCli.definition(l)));
                continue;
            }
            CommandLine cli = script.equals("labs/guide.java") ? GuideCli.commandLine(new GuideCli(System.out, System.err))
                : script.equals("labs/box.java") ? unboxed.oci.BoxCli.commandLine()
                : picocliMain(checkout.resolve(script));
            String description = cli == null ? "" : String.join(" ", cli.getCommandSpec().usageMessage().description());
            out.add(new Alias(e.getKey(), script, summary, description, cli));
        }
        return out;
    }

    /** The command line of a script whose main class is a picocli @Command (the doctor), or null. */
    private static CommandLine picocliMain(Path script) throws IOException {
        if (!Files.isRegularFile(script)) return null;
        String cls = new JavaSource(script.getFileName().toString(), Files.readString(script)).mainClass();
        try {
            Class<?> c = Class.forName(cls, true, Thread.currentThread().getContextClassLoader());
            return c.isAnnotationPresent(CommandLine.Command.class) ? new CommandLine(c) : null;
        } catch (ClassNotFoundException | LinkageError e) {
            return null;   // not compiled into the generator (shell.java): an alias with nothing to complete
        }
    }
}
