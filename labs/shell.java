///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED
//MAIN Shell

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * `./jbang shell`: jshell with the lab library on its class path, to try the calls by hand.
 * jbang's own --interactive leaves //SOURCES off jshell's class path, so this script starts jshell itself with the
 * class path jbang gave this JVM (the compiled lib and its jars), and a startup script that imports lib.
 */
class Shell {
    static final String STARTUP = """
        import unboxed.sys.*;
        import unboxed.ns.*;
        import unboxed.net.*;
        import unboxed.cgroup.*;
        import java.util.*;
        System.out.println(\"""
            unboxed shell: the lab library is imported (unboxed.sys, ns, net, cgroup). Three things to try:
              Ns.NET.label(Ns.NET.ofThisThread())                  // this thread's network namespace
              var t = NsThread.unshare(EnumSet.of(Ns.NET)); t.call(() -> Ip.links(null)); t.close();
                                                                   // a new namespace: only lo, DOWN (needs root)
              MemoryCgroup.named("").limit()                       // the memory limit of the root cgroup
            /exit leaves.\""");
        """;

    public static void main(String... args) throws Exception {
        Path startup = Files.createTempFile("unboxed-shell", ".jsh");
        startup.toFile().deleteOnExit();
        Files.writeString(startup, STARTUP);
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        if (!Files.isExecutable(jshell)) {
            System.err.println("shell: jshell is not in " + jshell.getParent() + ": install a full JDK (sudo apt-get install openjdk-17-jdk-headless)");
            System.exit(3);
        }
        List<String> argv = new ArrayList<>(List.of(jshell.toString(),
            "-R--enable-native-access=ALL-UNNAMED", "--class-path", System.getProperty("java.class.path"),
            "--startup", "DEFAULT", "--startup", startup.toString()));
        argv.addAll(List.of(args));
        System.exit(new ProcessBuilder(argv).inheritIO().start().waitFor());
    }
}
