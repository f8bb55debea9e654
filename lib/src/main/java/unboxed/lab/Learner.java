package unboxed.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import unboxed.ns.Processes;
import unboxed.ns.UserNs;
import unboxed.sys.Cmd;

/**
 * The unprivileged account a lab's learner works as, for the labs whose exercise is done without root: the user who
 * typed `sudo` (SUDO_USER; `vagrant` in the VM), or, where nobody did (a root shell, a container), a throwaway
 * account the lab makes itself ({@link Bench#user}) and reset removes. Also starts programs as that account.
 */
public final class Learner {
    private Learner() {}

    /** SUDO_USER when it names an existing account other than root; otherwise {@code throwaway}. */
    public static String account(String throwaway) {
        String sudo = System.getenv("SUDO_USER");
        if (sudo != null && !sudo.isBlank() && !sudo.equals("root") && exists(sudo) && uid(sudo) != 0) return sudo;
        return throwaway;
    }

    /** Whether the account is the sudo caller's (never to be made or removed by a lab). */
    public static boolean isSudoCaller(String name) {
        return name.equals(System.getenv("SUDO_USER"));
    }

    public static boolean exists(String name) {
        return Cmd.run("id", "-u", name).ok();
    }

    public static long uid(String name) {
        return Long.parseLong(Cmd.run("id", "-u", name).orThrow().out().strip());
    }

    public static long gid(String name) {
        return Long.parseLong(Cmd.run("id", "-g", name).orThrow().out().strip());
    }

    /** useradd --create-home --shell /bin/bash NAME (Debian's useradd also gives it /etc/subuid and /etc/subgid ranges). */
    static void add(String name) {
        if (!Cmd.has("useradd")) throw new Cmd.ToolMissingException("useradd");
        Cmd.run("useradd", "--create-home", "--shell", "/bin/bash", name).orThrow();
    }

    /** The processes running as an account's uid, found by their real uid. */
    public static List<Long> processesOf(long uid) {
        long self = ProcessHandle.current().pid();
        List<Long> out = new ArrayList<>();
        for (long p : Processes.pids()) if (p != self && UserNs.uid(p).orElse(-1L) == uid) out.add(p);
        return out;
    }

    /** Ends the account's processes (by pid), then userdel --remove NAME. True if the account was there. */
    static boolean remove(String name) {
        if (!exists(name)) return false;
        Processes.killAll(processesOf(uid(name)));
        Cmd.run("userdel", "--remove", name).orThrow();
        return true;
    }

    /**
     * argv run as the account, in place: setpriv --reuid NAME --regid GID --init-groups argv (root only), so the
     * process started is the program itself; HOME, USER and LOGNAME are the account's, the rest of the environment kept.
     */
    public static ProcessBuilder as(String name, String... argv) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=" + name, "--regid=" + gid(name), "--init-groups"));
        all.addAll(List.of(argv));
        ProcessBuilder pb = new ProcessBuilder(all);
        pb.environment().put("HOME", home(name));
        pb.environment().put("USER", name);
        pb.environment().put("LOGNAME", name);
        return pb;
    }

    /** argv run as the account until it exits (at most timeoutSeconds), from /tmp; what it printed. */
    public static Cmd.Result run(String name, long timeoutSeconds, String... argv) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=" + name, "--regid=" + gid(name), "--init-groups",
            "env", "HOME=" + home(name), "USER=" + name, "LOGNAME=" + name));
        all.addAll(List.of(argv));
        return Cmd.run(all, timeoutSeconds);
    }

    /** The account's home directory (getent passwd). */
    public static String home(String name) {
        String[] f = Cmd.run("getent", "passwd", name).orThrow().out().strip().split(":");
        return f.length > 5 ? f[5] : "/";
    }

    /** The sudo caller's account name, if it is not root. */
    public static Optional<String> sudoCaller() {
        String sudo = System.getenv("SUDO_USER");
        return sudo == null || sudo.isBlank() || sudo.equals("root") ? Optional.empty() : Optional.of(sudo);
    }
}
