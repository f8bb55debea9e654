package unboxed.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import unboxed.ns.Ns;

/**
 * A probe for a container: a busybox script that reports, one key=value a line, what a process inside sees (its ids,
 * namespaces (the user namespace too: its uid_map, gid_map and setgroups, which user_namespaces(7) describes), hostname,
 * whose /proc it is (PID 1's command line there: the container's own shows the probe), root mount, capability sets, NoNewPrivs, Seccomp, masked and read-only paths, limits, cwd,
 * env, /dev, its pid; its cgroup's limits with PROBE_CGROUP=1, two calls a seccomp profile may refuse with
 * PROBE_SECCOMP=1), and exits 7. Run under `runc run` and under this package's runtime, the two reports are compared
 * field by field ({@link #differences}): BoxRuncTest and lab13 share it.
 */
public final class Probe {
    private Probe() {}

    /** The script (install it as /probe, mode 755, in the bundle's rootfs). */
    public static final String SCRIPT = """
        #!/bin/sh
        echo "id=$(id)"
        for t in cgroup ipc mnt net pid user uts; do echo "ns.$t=$(readlink /proc/self/ns/$t)"; done
        echo "uid_map=$(tr -s ' ' < /proc/self/uid_map | tr '\n' ';')"
        echo "gid_map=$(tr -s ' ' < /proc/self/gid_map | tr '\n' ';')"
        echo "setgroups=$(cat /proc/self/setgroups)"
        echo "owner.root=$(stat -c %u:%g /)"
        echo "hostname=$(hostname)"
        echo "proc.1=$(tr '\\0' ' ' < /proc/1/cmdline)"
        echo "proc.mounts=$(grep -c '^proc /proc ' /proc/self/mounts)"
        echo "root=$(awk '$5 == "/" {print $4, $5, $6}' /proc/self/mountinfo)"
        grep -E '^(Cap|NoNewPrivs|Seccomp)' /proc/self/status | sed 's/:[[:space:]]*/=/'
        for p in /proc/keys /proc/timer_list /proc/acpi /sys/firmware; do echo "masked.$p=$(cat $p 2>&1 | wc -c)/$(ls $p 2>/dev/null | wc -l)"; done
        echo "readonly.proc-sys=$( (echo 1 > /proc/sys/kernel/ns_last_pid) 2>&1 | sed 's/.*: //')"
        echo "readonly.root=$(touch /probe-was-here 2>&1 | sed 's/.*: //')"
        echo "limits.nofile=$(grep 'open files' /proc/self/limits | tr -s ' ')"
        echo "cwd=$(pwd)"
        echo "env=$(env | grep -v '^PWD=\\|^SHLVL=\\|^_=' | sort | tr '\\n' ' ')"
        echo "dev=$(ls /dev | tr '\\n' ' ')"
        echo "devnull=$(echo x > /dev/null && echo writable)"
        echo "pid=$$"
        if [ -n "$PROBE_CGROUP" ]; then
          c=/sys/fs/cgroup
          echo "cgroup.memory=$(cat $c/memory/memory.limit_in_bytes 2>/dev/null || cat $c/memory.max)"
          echo "cgroup.pids=$(cat $c/pids/pids.max 2>/dev/null || cat $c/pids.max)"
          echo "cgroup.cpu=$( (cat $c/cpu/cpu.cfs_quota_us $c/cpu/cpu.cfs_period_us 2>/dev/null || cat $c/cpu.max) | tr '\\n' ' ')"
          echo "cgroup.procs=$(cat $c/pids/cgroup.procs 2>/dev/null || cat $c/cgroup.procs)"
        fi
        if [ -n "$PROBE_SECCOMP" ]; then
          echo "seccomp.mkdir=$(mkdir /tmp/probe-dir 2>&1 | sed 's/.*: //')"
          echo "seccomp.rmdir=$(rmdir /probe-none 2>&1 | sed 's/.*: //')"
        fi
        exit 7
        """;

    /** The probe's exit code. */
    public static final int EXIT = 7;

    /**
     * The probe's lines as a map; a namespace link as "new" or "the host's" (its number differs run to run), compared
     * with the namespaces of process {@code host}.
     */
    public static Map<String, String> view(String text, long host) {
        Map<String, String> m = new TreeMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0) continue;
            String k = line.substring(0, eq), v = line.substring(eq + 1).strip();
            if (k.startsWith("ns.")) {
                Ns t = Ns.valueOf(k.substring(3).toUpperCase(Locale.ROOT));
                v = v.equals(t.label(t.idOf(host))) ? "the host's" : "new";
            }
            m.put(k, v);
        }
        return m;
    }

    /** The fields whose values differ, "key: runc A | box B" each (a field one side lacks shows as "(none)"). */
    public static List<String> differences(Map<String, String> runc, Map<String, String> box) {
        return eachField(runc, box, (k, a, b) -> a.equals(b) ? null : k + ": runc " + a + " | box " + b);
    }

    /** The two views side by side, a field a line: key, runc's value, and the runtime's ("same" where equal). */
    public static List<String> sideBySide(Map<String, String> runc, Map<String, String> box) {
        return eachField(runc, box, (k, a, b) -> String.format("%-20s %-40s %s", k, a, a.equals(b) ? "(same)" : b));
    }

    private interface Row {
        String of(String key, String runc, String box);
    }

    /** A line for each field of either view, in key order (null: none). */
    private static List<String> eachField(Map<String, String> runc, Map<String, String> box, Row row) {
        TreeMap<String, String> keys = new TreeMap<>(runc);
        box.forEach(keys::putIfAbsent);
        List<String> out = new ArrayList<>();
        for (String k : keys.keySet()) {
            String line = row.of(k, runc.getOrDefault(k, "(none)"), box.getOrDefault(k, "(none)"));
            if (line != null) out.add(line);
        }
        return out;
    }
}
