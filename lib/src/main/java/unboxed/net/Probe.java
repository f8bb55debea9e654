package unboxed.net;

import java.io.IOException;
import java.net.InetAddress;
import unboxed.ns.NsThread;

/**
 * Reachability from inside a namespace, without a ping binary: InetAddress.isReachable sends an ICMP echo request
 * when it may open a raw socket (as root). The socket is created on a thread inside the namespace, so that is where
 * the packet leaves from: a socket belongs to the network namespace of the thread that opened it.
 */
public final class Probe {
    private Probe() {}

    /** What a probe saw: whether the echo came back, and if it was not sent, why. */
    public record Result(boolean answered, String why) {}

    /**
     * Pings ADDRESS from inside netns (null: the JVM's own namespace), but only if the kernel would send the packet
     * out through viaDev: a probe never leaves the lab's own links, even when the learner's routes are wrong.
     */
    public static Result ping(String netns, String address, String viaDev, int timeoutMillis) {
        if (netns != null && !Netns.exists(netns)) return new Result(false, "network namespace " + netns + " does not exist");
        String dev = Ip.routeDev(netns, address).orElse(null);
        if (dev == null) return new Result(false, "no route to " + address + (netns == null ? "" : " inside " + netns));
        if (!dev.equals(viaDev)) {
            return new Result(false, address + " is routed through " + dev + ", not " + viaDev + ": not probed");
        }
        boolean ok = netns == null ? reachable(address, timeoutMillis)
            : NsThread.inNetns(netns, () -> reachable(address, timeoutMillis));
        return new Result(ok, ok ? "" : "no echo reply from " + address + " within " + timeoutMillis + " ms");
    }

    /** Whether ADDRESS answers an echo request sent from the calling thread's network namespace. */
    public static boolean reachable(String address, int timeoutMillis) {
        return attempt(address, timeoutMillis).answered();
    }

    /**
     * An echo request to ADDRESS from the calling thread's network namespace, and why it got no answer: no reply in
     * time, or the error that stopped the send ("SocketException: Network is unreachable" when there is no route).
     */
    public static Result attempt(String address, int timeoutMillis) {
        try {
            boolean ok = InetAddress.getByName(address).isReachable(timeoutMillis);
            return new Result(ok, ok ? "" : "no echo reply from " + address + " within " + timeoutMillis + " ms");
        } catch (IOException e) {
            return new Result(false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
