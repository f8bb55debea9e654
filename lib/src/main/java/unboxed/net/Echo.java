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

    /**
     * What one TCP connection saw. connectError: why the client could not connect (refused, timed out, no route), else
     * null. seenSource: "address:port" the server saw the connection come from (after any NAT on the way), null if
     * none was accepted. clientPort: the client socket's own local port (0 if it never got one), to find the
     * connection in a conntrack table.
     */
    public record TcpResult(String connectError, String seenSource, int clientPort) {
        public boolean accepted() { return seenSource != null; }

        /** The address part of seenSource. */
        public String seenAddress() {
            return seenSource == null ? null : seenSource.substring(0, seenSource.lastIndexOf(':'));
        }
    }

    /**
     * A service and a client, each on a thread inside its own named namespace: a ServerSocket bound to listenPort on
     * every address of serverNetns, and a connection from clientNetns to connectAddress:connectPort (which NAT may send
     * to the service). Says whether the service accepted it and whom it saw. The service exists only for this call.
     */
    public static TcpResult tcp(String clientNetns, String serverNetns, int listenPort, String connectAddress, int connectPort,
                                int timeoutMillis) throws IOException {
        if (clientNetns == null || serverNetns == null) throw new IllegalArgumentException("both ends must be named namespaces");
        try (java.net.ServerSocket server = NsThread.inNetns(serverNetns, () -> {
                java.net.ServerSocket ss = new java.net.ServerSocket();
                ss.setReuseAddress(true);
                ss.bind(new InetSocketAddress(listenPort));
                return ss;
            });
             // a Socket makes its file descriptor when it is bound, not when it is constructed: bind it on the thread
             // inside the namespace, or it would belong to the caller's (its port is then known even if connect fails)
             java.net.Socket client = NsThread.inNetns(clientNetns, () -> {
                java.net.Socket c = new java.net.Socket();
                c.bind(new InetSocketAddress(0));
                return c;
            })) {
            server.setSoTimeout(timeoutMillis);
            int port = client.getLocalPort();
            try {
                client.connect(new InetSocketAddress(connectAddress, connectPort), timeoutMillis);
            } catch (IOException e) {
                return new TcpResult(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), null, port);
            }
            try (java.net.Socket in = server.accept()) {
                return new TcpResult(null, in.getInetAddress().getHostAddress() + ":" + in.getPort(), port);
            } catch (SocketTimeoutException e) {
                // connected to something, but not to this service (another listener answered)
                return new TcpResult(null, null, port);
            }
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
