package unboxed.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import unboxed.ns.NsThread;

/**
 * Sysctls, the files under /proc/sys: {@link #get(String)} reads any of them as this thread sees it; the network ones
 * (net.ipv4.ip_forward and friends) also per network namespace.
 *
 * <p>Every namespace has its own copy of the files under /proc/sys/net, and which copy you get is decided by the
 * network namespace of the thread that <em>opens</em> the file. So `ip netns exec R sysctl -w net.ipv4.ip_forward=1`
 * turns on forwarding in R only, and this class does the same by opening the file on a thread inside R.
 */
public final class Sysctl {
    private Sysctl() {}

    /** /proc/sys/net/ipv4/ip_forward for "net.ipv4.ip_forward", as sysctl(8) maps names to files. */
    public static Path file(String key) {
        if (!key.startsWith("net.") || key.contains("..") || key.contains("/")) {
            throw new IllegalArgumentException("not a network sysctl name: " + key);
        }
        return Path.of("/proc/sys", key.replace('.', '/'));
    }

    /** The value of any KEY ("kernel.pid_max") in this thread's namespaces, as `sysctl -n KEY` prints it. */
    public static String get(String key) {
        if (key.contains("..") || key.contains("/")) throw new IllegalArgumentException("not a sysctl name: " + key);
        return read(Path.of("/proc/sys", key.replace('.', '/')));
    }

    /** The value of KEY in the named namespace (null: the JVM's own), as `ip netns exec NAME sysctl -n KEY` prints it. */
    public static String get(String netns, String key) {
        Path f = file(key);
        return netns == null ? read(f) : NsThread.inNetns(netns, () -> read(f));
    }

    /** sysctl -w KEY=VALUE inside the named namespace (null: the JVM's own). */
    public static void set(String netns, String key, String value) {
        Path f = file(key);
        if (netns == null) {
            write(f, value);
        } else {
            NsThread.inNetns(netns, () -> {
                write(f, value);
                return null;
            });
        }
    }

    /**
     * net.ipv4.conf.DEV.forwarding in the named namespace (null: the JVM's own), or null if there is no such
     * interface: whether packets that come in by DEV may be forwarded (Documentation/networking/ip-sysctl.rst).
     * net.ipv4.ip_forward is conf.all.forwarding: writing it sets every interface's.
     */
    public static String interfaceForwarding(String netns, String dev) {
        if (dev.contains("/") || dev.equals("..") || dev.equals(".")) throw new IllegalArgumentException("not an interface name: " + dev);
        Path f = Path.of("/proc/sys/net/ipv4/conf", dev, "forwarding");
        java.util.function.Supplier<String> r = () -> Files.exists(f) ? read(f) : null;
        return netns == null ? r.get() : NsThread.inNetns(netns, r::get);
    }

    private static String read(Path f) {
        try {
            // Not Files.readString: on kernel 6.18 (the dev machine) a numeric sysctl read that way gives only its
            // first digit (pid_max 32768 reads "3"); a buffered read takes the value in one read(2).
            return String.join("\n", Files.readAllLines(f)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    private static void write(Path f, String value) {
        try {
            Files.writeString(f, value + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f, e);
        }
    }
}
