package unboxed.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/**
 * One lab at a time: labs share names (/run/netns), addresses and the host's mount table, so two running at once
 * would trip over each other. An fcntl(2) record lock (what FileChannel.tryLock takes) on /run/unboxed/lock; the kernel
 * releases it when the holder dies, even by SIGKILL, so a crash never leaves a stale lock. The file lives in a
 * directory only root can enter and is 0600, so no other user can open it, let alone lock it and keep every lab from
 * starting (issue 20). A refusal names the holder as the kernel reports it (/proc/locks: its pid, then its command
 * line), and what the holder wrote in the file.
 */
public final class LabLock implements AutoCloseable {
    public static final Path FILE = Journal.DIR.resolve("lock");
    private final FileChannel channel;
    private final FileLock lock;

    private LabLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or throws exit 4 naming the holder. */
    public static LabLock acquire(String labId, String command) {
        try {
            SafeFiles.privateDir(FILE.getParent());
            FileChannel ch = SafeFiles.openLockFile(FILE);
            FileLock l;
            boolean here = false;
            try {
                l = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                l = null;
                here = true; // held by another thread of this JVM (tests run labs in-process)
            }
            if (l == null) {
                String said = Files.readString(FILE, StandardCharsets.UTF_8).strip();
                ch.close();
                String holder = here ? "pid " + ProcessHandle.current().pid() + " (this process)"
                    : SafeFiles.holder(FILE).orElse("a process that has let go since (try again)");
                throw LabException.conflict("another lab is running: " + holder
                    + (said.isEmpty() ? "" : ", which says: " + said)
                    + ". Wait for it to finish, or stop it, then try again.");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((labId + " " + command + " (pid " + ProcessHandle.current().pid() + ", since "
                + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + ")").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
            return new LabLock(ch, l);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the lab lock " + FILE, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
