package unboxed.net;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import unboxed.ns.NsThread;

/**
 * A UDP round trip between two named network namespaces, seen from both ends, with no external tool.
 *
 * <p>The trick: a socket belongs to the network namespace of the thread that created it, for its whole life. So the
 * listener is created on a thread inside the far namespace and the sender on a thread inside the near one; after that
 * this thread can use both. The listener reports the source address the datagram arrived with (after any NAT on
 * the way) and answers it, and the sender says whether that answer came back.
 */
public final class Echo {
    private Echo() {}

    /**
     * What one round trip saw. sendError: why the sender could not even send (no route...), else null.
     * seenSource: "address:port" the listener saw the datagram come from, null if nothing arrived.
     * replyError: why the listener could not send its answer (no route back...), else null.
     * replied: the answer reached the sender.
     */
    public record Result(String sendError, String seenSource, String replyError, boolean replied) {
        public boolean arrived() { return seenSource != null; }

        /** The address part of seenSource. */
        public String seenAddress() {
            return seenSource == null ? null : seenSource.substring(0, seenSource.lastIndexOf(':'));
        }
    }

    /**
     * Sends one datagram from inside fromNetns to a listener on toAddress inside toNetns, and the listener's answer
     * back. Both must be named namespaces: a round trip never starts in, or listens in, the host's own namespace.
     */
    public static Result udp(String fromNetns, String toNetns, String toAddress, int timeoutMillis) throws IOException {
        if (fromNetns == null || toNetns == null) throw new IllegalArgumentException("both ends must be named namespaces");
        String nonce = "unboxed-echo-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        byte[] hello = nonce.getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket listener = NsThread.inNetns(toNetns, () -> new DatagramSocket(new InetSocketAddress(toAddress, 0)));
             DatagramSocket sender = NsThread.inNetns(fromNetns, () -> new DatagramSocket())) {
            listener.setSoTimeout(timeoutMillis);
            sender.setSoTimeout(timeoutMillis);
            try {
                sender.send(new DatagramPacket(hello, hello.length, new InetSocketAddress(toAddress, listener.getLocalPort())));
            } catch (IOException e) {
                return new Result(e.getMessage(), null, null, false);
            }
            DatagramPacket in = receive(listener, nonce);
            if (in == null) return new Result(null, null, null, false);
            String seen = in.getAddress().getHostAddress() + ":" + in.getPort();
            try {
                listener.send(new DatagramPacket(hello, hello.length, in.getSocketAddress()));
            } catch (IOException e) {
                return new Result(null, seen, e.getMessage(), false);
            }
            return new Result(null, seen, null, receive(sender, nonce) != null);
        }
    }

    /** The next datagram carrying nonce, or null when the socket's timeout passes first. */
    private static DatagramPacket receive(DatagramSocket s, String nonce) throws IOException {
        byte[] buf = new byte[512];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII).equals(nonce)) return p;
        }
    }
}
