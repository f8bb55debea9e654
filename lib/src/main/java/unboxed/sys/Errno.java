package unboxed.sys;

import java.util.Map;

/** errno numbers to the symbols and meanings of errno(3), for messages a learner can search for. */
public final class Errno {
    private Errno() {}

    /** The errno values the library tests for, named as in errno(3). */
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, ENOMEM = 12, EACCES = 13, EBUSY = 16, EEXIST = 17, EINVAL = 22;

    private static final Map<Integer, String[]> TABLE = Map.ofEntries(
        Map.entry(1, new String[] {"EPERM", "Operation not permitted"}),
        Map.entry(2, new String[] {"ENOENT", "No such file or directory"}),
        Map.entry(3, new String[] {"ESRCH", "No such process"}),
        Map.entry(4, new String[] {"EINTR", "Interrupted system call"}),
        Map.entry(9, new String[] {"EBADF", "Bad file descriptor"}),
        Map.entry(12, new String[] {"ENOMEM", "Cannot allocate memory"}),
        Map.entry(13, new String[] {"EACCES", "Permission denied"}),
        Map.entry(16, new String[] {"EBUSY", "Device or resource busy"}),
        Map.entry(17, new String[] {"EEXIST", "File exists"}),
        Map.entry(20, new String[] {"ENOTDIR", "Not a directory"}),
        Map.entry(22, new String[] {"EINVAL", "Invalid argument"}),
        Map.entry(28, new String[] {"ENOSPC", "No space left on device"}),
        Map.entry(30, new String[] {"EROFS", "Read-only file system"}),
        Map.entry(36, new String[] {"ENAMETOOLONG", "File name too long"}),
        Map.entry(38, new String[] {"ENOSYS", "Function not implemented"}),
        Map.entry(95, new String[] {"EOPNOTSUPP", "Operation not supported"}),
        Map.entry(87, new String[] {"EUSERS", "Too many users"}));

    /** "EPERM", or "errno 123" for numbers this table does not know. */
    public static String symbol(int errno) {
        String[] e = TABLE.get(errno);
        return e == null ? "errno " + errno : e[0];
    }

    /** "Operation not permitted", as strerror(3) says it. */
    public static String describe(int errno) {
        String[] e = TABLE.get(errno);
        return e == null ? "unknown error" : e[1];
    }
}
