package unboxed.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import unboxed.sys.LibC;

/**
 * The namespace types of namespaces(7), each with its clone flag and its file under /proc/PID/ns/.
 * A namespace's id is the inode number of that file: two processes (or threads) share a namespace exactly when the ids match.
 */
public enum Ns {
    MNT("mnt", LibC.CLONE_NEWNS),
    UTS("uts", LibC.CLONE_NEWUTS),
    IPC("ipc", LibC.CLONE_NEWIPC),
    PID("pid", LibC.CLONE_NEWPID),
    NET("net", LibC.CLONE_NEWNET),
    USER("user", LibC.CLONE_NEWUSER),
    CGROUP("cgroup", LibC.CLONE_NEWCGROUP),
    TIME("time", LibC.CLONE_NEWTIME);

    /** The file name under /proc/PID/ns/. */
    public final String file;
    /** CLONE_NEW* for unshare(2), clone(2) and setns(2). */
    public final int flag;

    Ns(String file, int flag) {
        this.file = file;
        this.flag = flag;
    }

    /** The id of this type of namespace of a process (or of a thread: /proc/TID/ns works for any task). */
    public long idOf(long pid) {
        return idAt(Path.of("/proc", Long.toString(pid), "ns", file));
    }

    /** The id of this type of namespace of the calling thread, which can differ from the rest of the JVM. */
    public long ofThisThread() {
        return idAt(Path.of("/proc/thread-self/ns", file));
    }

    /**
     * For PID and TIME: the namespace the calling thread's next children are born in. unshare(CLONE_NEWPID) changes
     * this, not the thread's own pid namespace (a task never changes its own pid namespace). The link cannot be read
     * (ENOENT) between the unshare and the birth of the namespace's first process, its PID 1.
     */
    public long forChildrenOfThisThread() {
        return idAt(Path.of("/proc/thread-self/ns", file + "_for_children"));
    }

    /** "net:[4026531840]": how readlink shows it, and how the guides print it. */
    public String label(long id) {
        return file + ":[" + id + "]";
    }

    /** Reads a namespace id from an ns file (or a bind mount of one, like /run/netns/NAME). */
    public static long idAt(Path nsFile) {
        try {
            String link = Files.readSymbolicLink(nsFile).toString(); // "net:[4026531840]"
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (java.nio.file.NotLinkException e) {
            // A bind-mounted ns file (/run/netns/blue) is not a symlink: its inode number is the id.
            try {
                return ((Number) Files.getAttribute(nsFile, "unix:ino")).longValue();
            } catch (IOException e2) {
                throw new UncheckedIOException(e2);
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("no such namespace file " + nsFile + " (has the process exited?)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The OR of the clone flags of the given types. */
    public static int flags(Set<Ns> types) {
        int f = 0;
        for (Ns t : types) f |= t.flag;
        return f;
    }

    /** The types this kernel has (a file under /proc/self/ns for each). */
    public static Set<Ns> available() {
        Set<Ns> s = EnumSet.noneOf(Ns.class);
        for (Ns t : values()) if (Files.exists(Path.of("/proc/self/ns", t.file))) s.add(t);
        return s;
    }
}
