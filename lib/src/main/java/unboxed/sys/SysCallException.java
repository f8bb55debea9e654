package unboxed.sys;

/**
 * A system call failed. The message names the call as a learner would write it, the errno symbol, and what to check:
 * {@code unshare(CLONE_NEWNET) failed: EPERM (Operation not permitted). Are you root? Run with sudo. See man 2 unshare}.
 */
public class SysCallException extends RuntimeException {
    private final String call;
    private final int errno;

    public SysCallException(String call, int errno, String hint) {
        super(call + " failed: " + Errno.symbol(errno) + " (" + Errno.describe(errno) + ")"
              + (hint == null || hint.isEmpty() ? "" : ". " + hint));
        this.call = call;
        this.errno = errno;
    }

    public String call() { return call; }
    public int errno() { return errno; }
    public String symbol() { return Errno.symbol(errno); }
}
