package unboxed.lab;

import picocli.CommandLine;

/**
 * The project's version, which every lab, the doctor and the guide print for {@code --version}. It is a constant in
 * lib, not a resource filtered by Maven, because jbang compiles lib from its sources (//SOURCES) and filters nothing:
 * this way `./jbang lab04 --version` and the Maven build print the same. The pom's {@code <version>} must equal it
 * (LabSourcesTest fails otherwise): change both together.
 */
public final class Version {
    private Version() {}

    public static final String VERSION = "0.1.0-SNAPSHOT";

    /** What {@code --version} prints for {@code program}: "lab04 (unboxed 0.1.0-SNAPSHOT)". */
    public static String of(String program) {
        return program + " (unboxed " + VERSION + ")";
    }

    /** Gives {@code cli} and each of its subcommands (at any depth) the --version text of {@code program}. */
    public static CommandLine apply(CommandLine cli, String program) {
        cli.getCommandSpec().version(of(program));
        cli.getSubcommands().values().forEach(sub -> apply(sub, program));
        return cli;
    }
}
