package unboxed.oci;

import unboxed.cgroup.Group;

/**
 * The pieces of a container runtime, one method each, for a runtime written by hand (lab13's exercise): {@link Assembly}
 * calls them in the order a runtime must keep, the namespace, root, hostname, privilege and seccomp pieces on one
 * thread of their own (namespaces, root, capabilities and filters all belong to a thread), then starts the bundle's
 * program from that thread, held before its execve while {@link #join} puts it in its cgroup.
 */
public interface Pieces {
    /** Writes linux.resources' limits into the container's cgroup {@code g}, which the driver made (labs 06 and 12). */
    void limits(Bundle b, Group g) throws Exception;

    /** unshare(2) on this thread the namespaces linux.namespaces lists (labs 02, 03, 04, 10). */
    void namespaces(Bundle b) throws Exception;

    /** The root: / a slave, the rootfs bound on itself, the bundle's mounts, masked paths, pivot_root (labs 01, 02, 09). */
    void root(Bundle b) throws Exception;

    /** The hostname, in the container's uts namespace (lab03). */
    void hostname(Bundle b) throws Exception;

    /** Puts the program (held before its execve) into the container's cgroup (labs 06 and 12). */
    void join(Group g, long pid) throws Exception;

    /** The capability sets (bounding first) and no_new_privs, as process.capabilities and noNewPrivileges say (lab08). */
    void privileges(Bundle b) throws Exception;

    /** linux.seccomp's filter on this thread, last (lab08). */
    void seccomp(Bundle b) throws Exception;
}
