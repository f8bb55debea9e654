package unboxed.oci;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An OCI bundle (the runtime-spec's bundle.md): a folder with config.json and the root file system it names. Read into
 * typed records, every field that `runc spec` writes (config.md, config-linux.md). A field this runtime does not
 * support is refused by its path ("linux.sysctl"), never ignored: a container that silently lacks what its config
 * asked for is worse than one that does not start.
 *
 * <p>A user namespace (linux.namespaces type user) is read with its linux.uidMappings and gidMappings, each checked as
 * the kernel would take uid_map (user_namespaces(7)): sizes of 1 or more, no overlapping ranges, at most 340 lines,
 * process.user's ids mapped. One without the other is refused, as runc refuses it.
 */
public record Bundle(Path dir, String ociVersion, Process process, Root root, String hostname, List<Mount> mounts,
                     Linux linux) {

    /** process.user: the ids the container's process runs as. */
    public record User(long uid, long gid, List<Long> additionalGids) {}

    /** process.capabilities: the five sets, as capabilities(7) names (CAP_KILL ...). */
    public record Caps(List<String> bounding, List<String> effective, List<String> inheritable, List<String> permitted,
                       List<String> ambient) {}

    /** One of process.rlimits: a resource of getrlimit(2) (RLIMIT_NOFILE) and its two limits. */
    public record Rlimit(String type, long hard, long soft) {}

    public record Process(boolean terminal, User user, List<String> args, List<String> env, String cwd, Caps capabilities,
                          List<Rlimit> rlimits, boolean noNewPrivileges) {
        /** The value of a variable in env ("PATH"), or null. */
        public String getenv(String name) {
            for (String e : env) if (e.startsWith(name + "=")) return e.substring(name.length() + 1);
            return null;
        }
    }

    /** root: the container's root file system, relative to the bundle or absolute. */
    public record Root(String path, boolean readonly) {}

    /** One of mounts: what mount(8) would be given (destination inside the container). */
    public record Mount(String destination, String type, String source, List<String> options) {}

    /** One of linux.namespaces: a type of the spec (pid, network, mount, ipc, uts, cgroup, user, time). */
    public record Namespace(String type) {}

    /** One of linux.resources.devices: a devices cgroup rule (allow or deny, type a/c/b, major, minor, rwm). */
    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {}

    /**
     * linux.resources' limits (config-linux.md): memory.limit in bytes, pids.limit in tasks, cpu.quota and cpu.period
     * in microseconds (CFS bandwidth). null where config.json sets none, or says "no limit" (-1; pids.limit 0 or less).
     */
    public record Limits(Long memory, Long pids, Long cpuQuota, Long cpuPeriod) {
        public static final Limits NONE = new Limits(null, null, null, null);

        public boolean any() {
            return memory != null || pids != null || cpuQuota != null;
        }
    }

    /**
     * linux.seccomp: the action of each call named in syscalls[] (first rule first), and of every other call, as the
     * kernel's SECCOMP_RET_* values (unboxed.sys.Seccomp); null where config.json has none.
     */
    public record SeccompProfile(int defaultAction, Map<String, Integer> actions) {
        public unboxed.sys.Seccomp.Filter filter() {
            return unboxed.sys.Seccomp.of(actions, defaultAction);
        }
    }

    public record Linux(List<Namespace> namespaces, List<String> maskedPaths, List<String> readonlyPaths,
                        List<DeviceRule> devices, Limits limits, SeccompProfile seccomp, List<IdMap> uidMappings,
                        List<IdMap> gidMappings) {}

    /**
     * One of linux.uidMappings or gidMappings: {@code size} ids from {@code containerID} inside the user namespace are
     * {@code hostID} on in the parent namespace: a line of /proc/PID/uid_map (user_namespaces(7)).
     */
    public record IdMap(long containerID, long hostID, long size) {
        /** The line written to uid_map or gid_map. */
        public String line() {
            return containerID + " " + hostID + " " + size;
        }
    }

    /** The host's id for {@code id} inside the container, by these mappings (none: the same id); -1 if none maps it. */
    public static long toHost(List<IdMap> maps, long id) {
        if (maps.isEmpty()) return id;
        for (IdMap m : maps) if (id >= m.containerID() && id - m.containerID() < m.size()) return m.hostID() + id - m.containerID();
        return -1;
    }

    /** The bundle cannot be run as it is: the message names the field; bad input, exit 2. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * Every field this runtime takes, by path ("[]" for an array's elements): anything else in config.json is refused.
     * What `runc spec` writes, and the namespace types it may list.
     */
    static final Set<String> SUPPORTED = Set.of(
        "ociVersion", "hostname",
        "process", "process.terminal", "process.user", "process.user.uid", "process.user.gid", "process.user.additionalGids",
        "process.args", "process.env", "process.cwd", "process.noNewPrivileges",
        "process.capabilities", "process.capabilities.bounding", "process.capabilities.effective",
        "process.capabilities.inheritable", "process.capabilities.permitted", "process.capabilities.ambient",
        "process.rlimits", "process.rlimits[].type", "process.rlimits[].hard", "process.rlimits[].soft",
        "root", "root.path", "root.readonly",
        "mounts", "mounts[].destination", "mounts[].type", "mounts[].source", "mounts[].options",
        "linux", "linux.namespaces", "linux.namespaces[].type", "linux.maskedPaths", "linux.readonlyPaths",
        "linux.resources", "linux.resources.devices", "linux.resources.devices[].allow",
        "linux.resources.devices[].type", "linux.resources.devices[].major", "linux.resources.devices[].minor",
        "linux.resources.devices[].access", "linux.resources.memory", "linux.resources.memory.limit",
        "linux.resources.pids", "linux.resources.pids.limit", "linux.resources.cpu", "linux.resources.cpu.quota",
        "linux.resources.cpu.period", "linux.seccomp", "linux.seccomp.defaultAction", "linux.seccomp.defaultErrnoRet",
        "linux.seccomp.architectures", "linux.seccomp.syscalls", "linux.seccomp.syscalls[].names",
        "linux.seccomp.syscalls[].action", "linux.seccomp.syscalls[].errnoRet",
        "linux.uidMappings", "linux.uidMappings[].containerID", "linux.uidMappings[].hostID", "linux.uidMappings[].size",
        "linux.gidMappings", "linux.gidMappings[].containerID", "linux.gidMappings[].hostID", "linux.gidMappings[].size");

    /**
     * The namespace types of config-linux.md this runtime makes on a thread, with the name it uses for each; and
     * "user", which {@link Container} makes for a second JVM before that JVM starts ({@link UserInit}).
     */
    public static final Map<String, unboxed.ns.Ns> NAMESPACES = Map.of("pid", unboxed.ns.Ns.PID, "network", unboxed.ns.Ns.NET,
        "ipc", unboxed.ns.Ns.IPC, "uts", unboxed.ns.Ns.UTS, "mount", unboxed.ns.Ns.MNT, "cgroup", unboxed.ns.Ns.CGROUP);

    /** The mount types this runtime mounts (what `runc spec` lists, and bind mounts). */
    public static final Set<String> MOUNT_TYPES = Set.of("proc", "tmpfs", "devpts", "mqueue", "sysfs", "cgroup", "bind");

    /** Reads DIR/config.json. Refused (with the field's path) when it asks for something this runtime does not do. */
    public static Bundle read(Path dir) {
        Path config = dir.resolve("config.json");
        String text;
        try {
            text = Files.readString(config);
        } catch (IOException e) {
            throw new Refused(config + ": cannot read it (" + e.getMessage() + "); a bundle is a folder with config.json"
                + " and a root file system (runc spec writes config.json)");
        }
        return parse(dir, text);
    }

    /** Parses config.json's text for a bundle in dir (which is not read). */
    public static Bundle parse(Path dir, String text) {
        JsonElement top;
        try {
            top = JsonParser.parseString(text);
        } catch (RuntimeException e) {
            throw new Refused("config.json: not JSON (" + e.getMessage() + ")");
        }
        if (!top.isJsonObject()) throw new Refused("config.json: not a JSON object");
        JsonObject o = top.getAsJsonObject();
        refuseUnknown(o, "");
        JsonObject p = object(o, "process");
        if (p == null) throw new Refused("config.json: process is missing (the program to run)");
        if (bool(p, "terminal", "process.terminal")) {
            throw new Refused("config.json: process.terminal true is not supported by this runtime: set \"terminal\": false"
                + " (the container then uses this terminal's stdin, stdout and stderr as they are)");
        }
        JsonObject u = object(p, "user");
        User user = u == null ? new User(0, 0, List.of())
            : new User(number(u, "uid", "process.user.uid", 0), number(u, "gid", "process.user.gid", 0),
                numbers(u, "additionalGids", "process.user.additionalGids"));
        List<String> args = strings(p, "args", "process.args");
        if (args.isEmpty()) throw new Refused("config.json: process.args is empty (it names the program to run)");
        String cwd = string(p, "cwd", "process.cwd", "/");
        if (!cwd.startsWith("/")) throw new Refused("config.json: process.cwd must be an absolute path, not " + cwd);
        JsonObject c = object(p, "capabilities");
        Caps caps = new Caps(caps(c, "bounding"), caps(c, "effective"), caps(c, "inheritable"), caps(c, "permitted"),
            caps(c, "ambient"));
        List<Rlimit> rlimits = new ArrayList<>();
        for (JsonObject r : objects(p, "rlimits", "process.rlimits")) {
            String type = string(r, "type", "process.rlimits[].type", null);
            if (type == null || !Rlimits.known(type)) {
                throw new Refused("config.json: process.rlimits type " + type + " is not one of getrlimit(2)'s: "
                    + Rlimits.names());
            }
            rlimits.add(new Rlimit(type, number(r, "hard", "process.rlimits[].hard", 0),
                number(r, "soft", "process.rlimits[].soft", 0)));
        }
        Process process = new Process(false, user, args, strings(p, "env", "process.env"), cwd, caps, List.copyOf(rlimits),
            bool(p, "noNewPrivileges", "process.noNewPrivileges"));
        JsonObject r = object(o, "root");
        if (r == null || string(r, "path", "root.path", null) == null) {
            throw new Refused("config.json: root.path is missing (the container's root file system)");
        }
        Root root = new Root(string(r, "path", "root.path", null), bool(r, "readonly", "root.readonly"));
        List<Mount> mounts = new ArrayList<>();
        for (JsonObject m : objects(o, "mounts", "mounts")) {
            String dest = string(m, "destination", "mounts[].destination", null);
            if (dest == null || !dest.startsWith("/")) {
                throw new Refused("config.json: mounts: destination must be an absolute path (" + dest + ")");
            }
            List<String> options = strings(m, "options", "mounts[].options");
            // a bind mount is one whose options say bind or rbind, whatever its type ("none", as runc spec --rootless
            // writes for /sys): config.md's mounts, and runc takes it so
            boolean bind = options.contains("bind") || options.contains("rbind");
            String type = bind ? "bind" : string(m, "type", "mounts[].type", null);
            if (type == null || !MOUNT_TYPES.contains(type)) {
                throw new Refused("config.json: mounts type " + type + " (on " + dest + ") is not supported by this runtime: "
                    + "it mounts " + String.join(", ", MOUNT_TYPES.stream().sorted().toList()));
            }
            mounts.add(new Mount(dest, type, string(m, "source", "mounts[].source", type), options));
        }
        JsonObject l = object(o, "linux");
        List<Namespace> namespaces = new ArrayList<>();
        List<DeviceRule> devices = new ArrayList<>();
        List<String> masked = List.of(), readonly = List.of();
        Limits limits = Limits.NONE;
        SeccompProfile seccomp = null;
        List<IdMap> uids = List.of(), gids = List.of();
        if (l != null) {
            for (JsonObject n : objects(l, "namespaces", "linux.namespaces")) {
                String type = string(n, "type", "linux.namespaces[].type", null);
                if (type == null || !(NAMESPACES.containsKey(type) || type.equals("user"))) {
                    throw new Refused("config.json: linux.namespaces type " + type + " is not supported by this runtime: it"
                        + " makes " + String.join(", ", NAMESPACES.keySet().stream().sorted().toList()) + " and user");
                }
                namespaces.add(new Namespace(type));
            }
            masked = strings(l, "maskedPaths", "linux.maskedPaths");
            readonly = strings(l, "readonlyPaths", "linux.readonlyPaths");
            JsonObject res = object(l, "resources");
            if (res != null) {
                for (JsonObject d : objects(res, "devices", "linux.resources.devices")) {
                    String access = string(d, "access", "linux.resources.devices[].access", "rwm");
                    String type = string(d, "type", "linux.resources.devices[].type", "a");
                    if (!access.matches("[rwm]+") || !type.matches("[acb]")) {
                        throw new Refused("config.json: linux.resources.devices: type " + type + " access " + access
                            + " (type is a, c or b; access letters r, w, m)");
                    }
                    devices.add(new DeviceRule(bool(d, "allow", "linux.resources.devices[].allow"), type,
                        d.has("major") ? number(d, "major", "linux.resources.devices[].major", 0) : null,
                        d.has("minor") ? number(d, "minor", "linux.resources.devices[].minor", 0) : null, access));
                }
                limits = limits(res);
            }
            JsonObject sc = object(l, "seccomp");
            if (sc != null) seccomp = seccomp(sc, process);
            uids = mappings(l, "uidMappings");
            gids = mappings(l, "gidMappings");
        }
        boolean userNs = namespaces.contains(new Namespace("user"));
        if (userNs && (uids.isEmpty() || gids.isEmpty())) {
            throw new Refused("config.json: linux.namespaces type user needs linux.uidMappings and linux.gidMappings (as"
                + " `runc spec --rootless` writes them): a user namespace without them maps no id (user_namespaces(7))");
        }
        if (!userNs && !(uids.isEmpty() && gids.isEmpty())) {
            throw new Refused("config.json: linux." + (uids.isEmpty() ? "gid" : "uid") + "Mappings without a user namespace:"
                + " add {\"type\": \"user\"} to linux.namespaces, as runc asks");
        }
        if (userNs) {
            List<IdMap> gidMaps = gids;
            Process q = process;
            String unmapped = toHost(uids, q.user().uid()) < 0 ? "process.user.uid " + q.user().uid()
                : toHost(gids, q.user().gid()) < 0 ? "process.user.gid " + q.user().gid()
                : q.user().additionalGids().stream().filter(g -> toHost(gidMaps, g) < 0).map(g -> "process.user.additionalGids " + g)
                    .findFirst().orElse(null);
            if (unmapped != null) {
                throw new Refused("config.json: " + unmapped + " is not in the user namespace's mappings (linux.uidMappings,"
                    + " gidMappings): setuid(2) and setgroups(2) refuse an id that is not mapped (EINVAL)");
            }
        }
        return new Bundle(dir, string(o, "ociVersion", "ociVersion", ""), process, root, string(o, "hostname", "hostname", null),
            List.copyOf(mounts), new Linux(List.copyOf(namespaces), masked, readonly, List.copyOf(devices), limits,
                seccomp, uids, gids));
    }

    /** linux.resources memory, pids and cpu; -1 (and pids 0 or less) is no limit, as runc takes them. */
    private static Limits limits(JsonObject res) {
        JsonObject m = object(res, "memory"), p = object(res, "pids"), c = object(res, "cpu");
        Long memory = m == null ? null : signed(m, "limit", "linux.resources.memory.limit");
        Long pids = p == null ? null : signed(p, "limit", "linux.resources.pids.limit");
        Long quota = c == null ? null : signed(c, "quota", "linux.resources.cpu.quota");
        Long period = c == null ? null : signed(c, "period", "linux.resources.cpu.period");
        if (memory != null && memory < 0) memory = null;
        if (pids != null && pids <= 0) pids = null;
        if (quota != null && quota < 0) quota = null;
        if (memory != null && memory < 4096) {
            throw new Refused("config.json: linux.resources.memory.limit " + memory + " is less than a page (bytes, not MiB?)");
        }
        if (period != null && (period < 1000 || period > 1_000_000)) {
            throw new Refused("config.json: linux.resources.cpu.period " + period + " must be 1000 to 1000000 microseconds"
                + " (the kernel's range for cpu.cfs_period_us and cpu.max)");
        }
        if (quota != null && quota < 1000) {
            throw new Refused("config.json: linux.resources.cpu.quota " + quota + " must be at least 1000 microseconds, or -1"
                + " for no limit");
        }
        if (quota == null) period = null; // a period alone limits nothing
        else if (period == null) period = 100_000L; // the kernel's default period
        return new Limits(memory, pids, quota, period);
    }

    /** The SCMP_ACT_* actions of config-linux.md this runtime takes, as SECCOMP_RET_* (ERRNO's errno added apart). */
    static final Map<String, Integer> SECCOMP_ACTIONS = Map.of("SCMP_ACT_ALLOW", unboxed.sys.Seccomp.RET_ALLOW,
        "SCMP_ACT_ERRNO", unboxed.sys.Seccomp.RET_ERRNO, "SCMP_ACT_KILL", unboxed.sys.Seccomp.RET_KILL_THREAD,
        "SCMP_ACT_KILL_THREAD", unboxed.sys.Seccomp.RET_KILL_THREAD, "SCMP_ACT_KILL_PROCESS",
        unboxed.sys.Seccomp.RET_KILL_PROCESS, "SCMP_ACT_TRAP", unboxed.sys.Seccomp.RET_TRAP, "SCMP_ACT_LOG",
        unboxed.sys.Seccomp.RET_LOG);

    /**
     * The calls the runtime's thread makes after it installed the filter: posix_spawn(3) (its stack, the clone, the
     * child's file actions, execve) and the thread's own end. A profile must let them through (clone3 may fail with
     * ENOSYS: glibc then uses clone).
     */
    static final List<String> RUNTIME_NEEDS = List.of("brk", "mmap", "munmap", "mprotect", "madvise", "rt_sigprocmask",
        "futex", "sched_yield", "exit", "exit_group", "clone", "clone3", "open", "openat", "fchdir", "chdir", "dup2", "dup3",
        "close", "close_range", "execve");

    private static SeccompProfile seccomp(JsonObject sc, Process process) {
        if (!process.noNewPrivileges()) {
            throw new Refused("config.json: linux.seccomp with process.noNewPrivileges false is not supported by this runtime:"
                + " it installs the filter last, which needs no_new_privs (seccomp(2)); runc installs it before the user"
                + " changes then, while CAP_SYS_ADMIN is still there");
        }
        long defaultErrno = number(sc, "defaultErrnoRet", "linux.seccomp.defaultErrnoRet", unboxed.sys.Errno.EPERM);
        int defaultAction = action(string(sc, "defaultAction", "linux.seccomp.defaultAction", null), defaultErrno,
            "linux.seccomp.defaultAction");
        Map<String, Integer> actions = new java.util.LinkedHashMap<>();
        for (JsonObject rule : objects(sc, "syscalls", "linux.seccomp.syscalls")) {
            long errno = number(rule, "errnoRet", "linux.seccomp.syscalls[].errnoRet", unboxed.sys.Errno.EPERM);
            int action = action(string(rule, "action", "linux.seccomp.syscalls[].action", null), errno,
                "linux.seccomp.syscalls[].action");
            for (String name : strings(rule, "names", "linux.seccomp.syscalls[].names")) {
                try {
                    unboxed.sys.Syscalls.number(name);
                } catch (IllegalArgumentException unknown) {
                    throw new Refused("config.json: linux.seccomp.syscalls names " + name + ": " + unknown.getMessage());
                }
                actions.putIfAbsent(name, action); // the first rule that names a call decides, as the filter tests them
            }
        }
        SeccompProfile profile = new SeccompProfile(defaultAction, Map.copyOf(actions));
        for (String call : RUNTIME_NEEDS) {
            long nr = unboxed.sys.Syscalls.number(call);
            if (nr < 0) continue;
            unboxed.sys.Seccomp.Verdict v = new unboxed.sys.Seccomp.Verdict(profile.filter().evaluate((int) nr,
                unboxed.sys.Seccomp.AUDIT_ARCH));
            boolean through = v.allows() || v.action() == unboxed.sys.Seccomp.RET_LOG
                || call.equals("clone3") && v.deniesWith(38); // ENOSYS
            if (!through) {
                throw new Refused("config.json: linux.seccomp gives " + call + " " + v + ": this runtime installs the filter"
                    + " on its own thread, then starts the process with posix_spawn(3), which needs "
                    + String.join(", ", RUNTIME_NEEDS) + " let through (clone3 may be ERRNO(ENOSYS))");
            }
        }
        return profile;
    }

    private static int action(String name, long errno, String path) {
        Integer a = name == null ? null : SECCOMP_ACTIONS.get(name);
        if (a == null) {
            throw new Refused("config.json: " + path + " " + name + " is not supported by this runtime: it takes "
                + String.join(", ", SECCOMP_ACTIONS.keySet().stream().sorted().toList()));
        }
        if (errno > 0xffff) throw new Refused("config.json: " + path + ": errnoRet " + errno + " is more than 65535");
        return a == unboxed.sys.Seccomp.RET_ERRNO ? unboxed.sys.Seccomp.errno((int) errno) : a;
    }

    private static Long signed(JsonObject o, String key, String path) {
        JsonElement v = o.get(key);
        if (v == null || v.isJsonNull()) return null;
        if (!(v instanceof JsonPrimitive pr) || !pr.isNumber()) throw new Refused("config.json: " + path + " must be a number");
        try {
            return pr.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException e) {
            throw new Refused("config.json: " + path + " must be a whole number, not " + v);
        }
    }

    /** The root file system's folder on the host (root.path, relative to the bundle unless absolute). */
    public Path rootfs() {
        return dir.resolve(root.path()).toAbsolutePath().normalize();
    }

    /** Whether linux.namespaces lists a type. */
    public boolean has(String namespace) {
        return linux.namespaces().stream().anyMatch(n -> n.type().equals(namespace));
    }

    /**
     * linux.uidMappings or gidMappings: each entry's containerID, hostID and size, as user_namespaces(7) takes a line of
     * uid_map: at most 340 lines, sizes of 1 or more, no two ranges overlapping inside or outside.
     */
    private static List<IdMap> mappings(JsonObject l, String key) {
        String path = "linux." + key;
        List<IdMap> maps = new ArrayList<>();
        for (JsonObject m : objects(l, key, path)) {
            for (String f : List.of("containerID", "hostID", "size")) {
                if (!m.has(f)) throw new Refused("config.json: " + path + ": an entry without " + f + " (containerID, hostID, size)");
            }
            IdMap map = new IdMap(number(m, "containerID", path + "[].containerID", 0), number(m, "hostID", path + "[].hostID", 0),
                number(m, "size", path + "[].size", 0));
            if (map.containerID() < 0 || map.hostID() < 0 || map.size() < 1 || map.containerID() + map.size() > 0xFFFFFFFFL
                    || map.hostID() + map.size() > 0xFFFFFFFFL) {
                throw new Refused("config.json: " + path + " " + map.line() + ": ids are 0 to 4294967294 and size at least 1"
                    + " (user_namespaces(7))");
            }
            for (IdMap o : maps) {
                if (overlap(o.containerID(), map.containerID(), o.size(), map.size()) || overlap(o.hostID(), map.hostID(), o.size(), map.size())) {
                    throw new Refused("config.json: " + path + ": " + o.line() + " and " + map.line() + " overlap (the kernel"
                        + " refuses overlapping ranges in uid_map: user_namespaces(7))");
                }
            }
            maps.add(map);
        }
        if (maps.size() > 340) throw new Refused("config.json: " + path + ": " + maps.size() + " entries; the kernel takes 340 at most (user_namespaces(7))");
        return List.copyOf(maps);
    }

    private static boolean overlap(long a, long b, long sizeA, long sizeB) {
        return a < b + sizeB && b < a + sizeA;
    }

    // ---- reading, with the path of the field in every refusal ----------------------------------------------------

    private static void refuseUnknown(JsonObject o, String at) {
        for (var e : o.entrySet()) {
            String path = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
            if (!SUPPORTED.contains(path)) {
                throw new Refused("config.json: " + path + " is not supported by this runtime (it takes what `runc spec`"
                    + " writes: " + "see unboxed.oci.Bundle.SUPPORTED)");
            }
            JsonElement v = e.getValue();
            if (v.isJsonObject()) refuseUnknown(v.getAsJsonObject(), path);
            if (v.isJsonArray()) {
                for (JsonElement x : v.getAsJsonArray()) if (x.isJsonObject()) refuseUnknown(x.getAsJsonObject(), path + "[]");
            }
        }
    }

    private static List<String> caps(JsonObject c, String set) {
        List<String> names = c == null ? List.of() : strings(c, set, "process.capabilities." + set);
        for (String n : names) {
            try {
                unboxed.sys.Capabilities.number(n);
            } catch (IllegalArgumentException e) {
                throw new Refused("config.json: process.capabilities." + set + ": " + e.getMessage());
            }
        }
        return names;
    }

    private static JsonObject object(JsonObject o, String key) {
        JsonElement v = o.get(key);
        if (v == null || v.isJsonNull()) return null;
        if (!v.isJsonObject()) throw new Refused("config.json: " + key + " must be an object");
        return v.getAsJsonObject();
    }

    private static List<JsonObject> objects(JsonObject o, String key, String path) {
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : array(o, key, path)) {
            if (!e.isJsonObject()) throw new Refused("config.json: " + path + " must hold objects");
            out.add(e.getAsJsonObject());
        }
        return out;
    }

    private static JsonArray array(JsonObject o, String key, String path) {
        JsonElement v = o.get(key);
        if (v == null || v.isJsonNull()) return new JsonArray();
        if (!v.isJsonArray()) throw new Refused("config.json: " + path + " must be an array");
        return v.getAsJsonArray();
    }

    private static List<String> strings(JsonObject o, String key, String path) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : array(o, key, path)) {
            if (!(e instanceof JsonPrimitive pr) || !pr.isString()) throw new Refused("config.json: " + path + " must hold strings");
            out.add(e.getAsString());
        }
        return List.copyOf(out);
    }

    private static List<Long> numbers(JsonObject o, String key, String path) {
        List<Long> out = new ArrayList<>();
        for (JsonElement e : array(o, key, path)) out.add(asNumber(e, path));
        return List.copyOf(out);
    }

    private static String string(JsonObject o, String key, String path, String fallback) {
        JsonElement v = o.get(key);
        if (v == null || v.isJsonNull()) return fallback;
        if (!(v instanceof JsonPrimitive pr) || !pr.isString()) throw new Refused("config.json: " + path + " must be a string");
        return v.getAsString();
    }

    private static boolean bool(JsonObject o, String key, String path) {
        JsonElement v = o.get(key);
        if (v == null || v.isJsonNull()) return false;
        if (!(v instanceof JsonPrimitive pr) || !pr.isBoolean()) throw new Refused("config.json: " + path + " must be true or false");
        return v.getAsBoolean();
    }

    private static long number(JsonObject o, String key, String path, long fallback) {
        JsonElement v = o.get(key);
        return v == null || v.isJsonNull() ? fallback : asNumber(v, path);
    }

    private static long asNumber(JsonElement v, String path) {
        if (!(v instanceof JsonPrimitive pr) || !pr.isNumber()) throw new Refused("config.json: " + path + " must be a number");
        try {
            long n = pr.getAsBigDecimal().longValueExact();
            if (n < 0) throw new ArithmeticException();
            return n;
        } catch (ArithmeticException e) {
            throw new Refused("config.json: " + path + " must be a whole number from 0 up, not " + v);
        }
    }
}
