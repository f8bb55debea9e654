package unboxed;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import unboxed.ns.Ns;
import unboxed.ns.NsThread;

/**
 * A port of a process's network namespace, published on this host's 127.0.0.1 (what `docker run -p
 * 127.0.0.1::22` does, for a container of network "none": this project's engine runs with no bridge and no firewall
 * rules, so it cannot publish ports itself). A listening socket on 127.0.0.1 here; for each connection, a socket made
 * by a thread that joined the process's network namespace (a socket belongs to the namespace of the thread that
 * creates it, socket(7), setns(2)), connected to 127.0.0.1:PORT there, and the bytes copied both ways. Nothing leaves
 * the two loopback interfaces.
 */
final class LoopbackPort implements AutoCloseable {
    private final NsThread inside;
    private final ServerSocket server;
    private final int target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private LoopbackPort(long pid, int target) throws IOException {
        this.inside = NsThread.enter(pid, Set.of(Ns.NET));
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "loopback-port-" + pid + ":" + target);
        accept.setDaemon(true);
        accept.start();
    }

    /** Publishes TARGET of PID's network namespace on 127.0.0.1 (a free port: {@link #port()}). */
    static LoopbackPort publish(long pid, int target) throws IOException {
        return new LoopbackPort(pid, target);
    }

    /** The port on this host's 127.0.0.1. */
    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket outside;
            try {
                outside = server.accept();
            } catch (IOException closed) {
                return;
            }
            open.add(outside);
            try {
                Socket in = inside.call(() -> new Socket(InetAddress.getLoopbackAddress(), target));
                open.add(in);
                copy(outside, in);
                copy(in, outside);
            } catch (Exception e) { // ConnectException from the namespace's thread, as it was thrown there
                closeQuietly(outside); // nothing listens there (yet): the client sees the connection closed
            }
        }
    }

    private void copy(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65536];
            try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                for (int n; (n = i.read(buf)) >= 0; ) {
                    o.write(buf, 0, n);
                    o.flush();
                }
            } catch (IOException e) {
                // the other side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "loopback-port-copy");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        open.forEach(LoopbackPort::closeQuietly);
        inside.close();
    }
}
