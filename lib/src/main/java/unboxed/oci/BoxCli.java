package unboxed.oci;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import unboxed.sys.Sys;

/**
 * {@code ./jbang box}: a container runtime on the labs' library that runs an OCI bundle (config.json + rootfs, as
 * `runc spec` writes it) the way runc does: run, state, kill, delete, list. See {@link Container}.
 */
@Command(name = "./jbang box", mixinStandardHelpOptions = true,
    description = "A container runtime in Java that runs an OCI bundle (config.json and its rootfs, as `runc spec` writes"
        + " it) like runc: namespaces, mounts and pivot_root, hostname, user, capabilities, no_new_privs, seccomp,"
        + " on one JVM thread (with a user namespace, linux.uidMappings/gidMappings as `runc spec --rootless` writes them:"
        + " on a thread of a second JVM that unshare(1) starts in it, since unshare(CLONE_NEWUSER) is EINVAL in a"
        + " multithreaded process); a cgroup (devices rules: v1's controller or a BPF program on v2; memory, pids and cpu limits) and rlimits that the process gets"
        + " before its execve; with --net nat a router namespace of its own (NAT out), with --layers an overlay root. Exit codes: run passes the container's exit code through (128+N for signal N); before"
        + " the container starts, and for the other commands: 0 done, 1 no such container, 2 bad input (an"
        + " unsupported config.json field, named), 3 this machine cannot (not root, a cgroup controller missing,"
        + " the kernel refused the device program, user.max_user_namespaces 0), 4 conflict (the id is taken).",
    subcommands = {BoxCli.Run.class, BoxCli.State.class, BoxCli.Kill.class, BoxCli.Delete.class, BoxCli.ListCmd.class})
public final class BoxCli implements Callable<Integer> {

    static PrintStream out() {
        return System.out;
    }

    static PrintStream err() {
        return System.err;
    }

    public static final int NO_SUCH = 1, BAD_INPUT = 2, ENVIRONMENT = 3, CONFLICT = 4;

    @Override
    public Integer call() {
        new CommandLine(this).usage(out());
        return BAD_INPUT;
    }

    /** The command line, as `box` parses it (the manual pages and completion are made from it). */
    public static CommandLine commandLine() {
        return unboxed.lab.Version.apply(new CommandLine(new BoxCli()), "box");
    }

    /** Parses and runs; the exit code. */
    public static int execute(String... args) {
        CommandLine cli = commandLine();
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            err().println("box: " + unboxed.lab.LabCli.oneLine(String.valueOf(e.getMessage())));
            if (e instanceof Bundle.Refused) return BAD_INPUT;
            if (e instanceof Container.Conflict) return CONFLICT;
            if (e instanceof Container.Unsupported || e instanceof unboxed.sys.SysCallException) return ENVIRONMENT;
            return ENVIRONMENT;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            err().println("box: " + e.getMessage() + " (./jbang box --help)");
            return BAD_INPUT;
        });
        return cli.execute(args);
    }

    static void needRoot() {
        if (!Sys.isRoot()) throw new Container.Unsupported("a container runtime makes namespaces and mounts: run as root (sudo ./jbang box ...)");
    }

    @Command(name = "run", description = "Make the container from BUNDLE, run its process in the foreground, pass its"
        + " exit code through, and remove the container when it ends (as runc run does).")
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "BUNDLE", description = "the bundle's folder (config.json and the rootfs it names)")
        Path bundle;
        @Option(names = "--id", paramLabel = "ID", description = "the container's name (default: the bundle folder's name)")
        String id;
        @Option(names = {"-v", "--verbose"}, description = "say each step on stderr")
        boolean verbose;
        @Option(names = "--devices", paramLabel = "HOW", defaultValue = "auto", description = "how linux.resources.devices"
            + " is enforced: auto (default: the cgroup v1 devices controller where one is mounted, else a BPF device"
            + " program on the container's cgroup v2 group, as runc does on v2) or bpf (the program, also where v1's"
            + " controller is mounted)")
        String devices;
        @Option(names = "--net", paramLabel = "MODE", defaultValue = "none", description = "the container's network:"
            + " none (default, as runc: a new network namespace with lo only) or nat (a veth to a bridge in a router"
            + " namespace of its own, unboxed-box-ID, 10.88.0.2/24 with its default route via 10.88.0.1, MASQUERADE"
            + " there; the host's firewall, routes and sysctls stay as they are)")
        String net;
        @Option(names = "--layers", paramLabel = "A:B", description = "the root as an overlay of these folders (the"
            + " topmost first, as overlayfs's lowerdir), mounted on root.path in the container's mount namespace, with an"
            + " upper and a work directory of the container's own in /var/lib/unboxed/box/ID (removed with it)")
        String layers;

        @Override
        public Integer call() {
            Container.Devices how = switch (devices) {
                case "auto" -> Container.Devices.AUTO;
                case "bpf" -> Container.Devices.BPF;
                default -> throw new Bundle.Refused("--devices " + devices + ": auto or bpf");
            };
            Container.Net network = switch (net) {
                case "none" -> Container.Net.NONE;
                case "nat" -> Container.Net.NAT;
                default -> throw new Bundle.Refused("--net " + net + ": none or nat");
            };
            Bundle b = Bundle.read(bundle);
            needRoot();
            String name = id != null ? id : bundle.toAbsolutePath().normalize().getFileName().toString();
            Container.RunOptions options = Container.RunOptions.defaults().with(how).with(network);
            if (layers != null) {
                options = options.withLayers(java.util.Arrays.stream(layers.split(":", -1)).map(Path::of).toList());
            }
            return Container.run(b, name, Container.Io.inherit(), options, verbose ? s -> err().println("box: " + s) : s -> { });
        }
    }

    @Command(name = "state", description = "Print a container's state as JSON (id, status, pid, bundle).")
    static final class State implements Callable<Integer> {
        @Parameters(paramLabel = "ID") String id;

        @Override
        public Integer call() {
            return Container.state(id).map(s -> {
                out().println(new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(s));
                return 0;
            }).orElseGet(() -> noSuch(id));
        }
    }

    @Command(name = "kill", description = "Send a signal (default SIGTERM; a number or a name: KILL, 9) to the container's process.")
    static final class Kill implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Parameters(index = "1", paramLabel = "SIGNAL", defaultValue = "TERM") String signal;

        @Override
        public Integer call() {
            int sig;
            try {
                sig = signal(signal);
            } catch (IllegalArgumentException e) {
                err().println("box: " + e.getMessage());
                return BAD_INPUT;
            }
            needRoot();
            var s = Container.state(id);
            if (s.isEmpty()) return noSuch(id);
            if (!s.get().status().equals("running")) {
                err().println("box: container " + id + " is " + s.get().status() + ", not running");
                return NO_SUCH;
            }
            Sys.kill(s.get().pid(), sig);
            return 0;
        }
    }

    @Command(name = "delete", description = "Remove a container and everything it made (its processes, cgroup, state),"
        + " also after the runtime was killed.")
    static final class Delete implements Callable<Integer> {
        @Parameters(paramLabel = "ID") String id;

        @Override
        public Integer call() {
            needRoot();
            boolean known = Container.state(id).isPresent() || Container.known(id);
            if (!known) return noSuch(id);
            Container.delete(id);
            return 0;
        }
    }

    @Command(name = "list", description = "The containers on this machine: id, status, pid, bundle.")
    static final class ListCmd implements Callable<Integer> {
        @Override
        public Integer call() {
            out().printf("%-20s %-9s %-8s %s%n", "ID", "STATUS", "PID", "BUNDLE");
            for (String id : Container.list()) {
                Container.state(id).ifPresent(s -> out().printf("%-20s %-9s %-8d %s%n", s.id(), s.status(), s.pid(), s.bundle()));
            }
            return 0;
        }
    }

    static int noSuch(String id) {
        err().println("box: no container called " + id + " (./jbang box list)");
        return NO_SUCH;
    }

    /** A signal by number or name (KILL, SIGKILL, 9). */
    static int signal(String s) {
        java.util.List<String> names = java.util.List.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
            "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM");
        String n = s.toUpperCase(java.util.Locale.ROOT).replaceFirst("^SIG", "");
        if (n.matches("\\d{1,2}") && Integer.parseInt(n) >= 1 && Integer.parseInt(n) <= 64) return Integer.parseInt(n);
        int i = names.indexOf(n);
        if (i < 0) throw new IllegalArgumentException("no signal called " + s
            + " (a number 1-64, or " + String.join(", ", names) + ")");
        return i + 1;
    }
}
