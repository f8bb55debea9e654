package unboxed.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import unboxed.cgroup.Group;
import unboxed.sys.Cmd;

/**
 * lab12's throttled spinner: the CPU share a busy loop (`sh -c 'while :; do :; done'`, one thread) really gets under a
 * CPU limit of 10%, 20% and 50% of one CPU, measured from the group's own CPU time (v2 cpu.stat usage_usec, v1
 * cpuacct.usage) over the wall time of a bounded run. The limit is written two ways, which must come out the same:
 * through lib's Group (as the lab does) and by a plain shell write of the cgroup files (as the learner does;
 * systemd-run -p CPUQuota= does the same write where systemd runs, which it does not on this machine). An unlimited
 * run is the baseline. Everything happens in one group of its own, removed at the end.
 */
final class CpuShare {
    private CpuShare() {}

    static final String GROUP = "unboxed-bench-cpu";
    static final long PERIOD = 100_000;

    static void run(Report r, int rounds, double seconds) throws Exception {
        Group g = Group.named(GROUP, "cpu", "cpuacct");
        if (!g.missing().contains("cpu") && !g.exists()) g.create();
        try {
            Map<String, double[]> shares = new LinkedHashMap<>();
            Map<String, Double> limits = new LinkedHashMap<>();
            for (int pct : new int[] {10, 20, 50}) {
                limits.put("limit " + pct + "%, written by lib's Group.setCpuMax", pct / 100.0);
                limits.put("limit " + pct + "%, written by a shell's echo", pct / 100.0);
                shares.put("limit " + pct + "%, written by lib's Group.setCpuMax", new double[rounds]);
                shares.put("limit " + pct + "%, written by a shell's echo", new double[rounds]);
            }
            shares.put("no limit (baseline)", new double[rounds]);
            for (int i = 0; i < rounds; i++) {
                for (var e : shares.entrySet()) {
                    String k = e.getKey();
                    if (k.startsWith("no limit")) unlimit(g);
                    else {
                        long quota = Math.round(PERIOD * limits.get(k));
                        if (k.contains("Group")) g.setCpuMax(quota, PERIOD);
                        else shellWrite(g, quota);
                    }
                    e.getValue()[i] = 100 * spin(g, seconds);
                }
            }
            r.heading("lab12: a spinner's measured share of one CPU under cpu.max (" + seconds + " s a run; median and p90 over runs)");
            for (var e : shares.entrySet()) {
                r.row(e.getKey(), rounds, Report.median(e.getValue()), Report.p90(e.getValue()), "% of one CPU");
            }
            for (int pct : new int[] {10, 20, 50}) {
                r.ratio("limit " + pct + "%: measured / limit (Group)", r.median("limit " + pct + "%, written by lib's Group.setCpuMax"), pct);
                r.ratio("limit " + pct + "%: Group / shell write", r.median("limit " + pct + "%, written by lib's Group.setCpuMax"),
                    r.median("limit " + pct + "%, written by a shell's echo"));
            }
        } finally {
            g.destroy();
        }
    }

    /** The group's CPU time over the wall time of one bounded spinner run in it. */
    static double spin(Group g, double seconds) throws Exception {
        long before = g.usageUsec(), t0 = System.nanoTime();
        Process p = new ProcessBuilder("sh", "-c", g.joinLine("cpu", "cpuacct") + " exec timeout " + seconds + " sh -c 'while :; do :; done'").start();
        p.waitFor();
        return (g.usageUsec() - before) / ((System.nanoTime() - t0) / 1000.0);
    }

    static void shellWrite(Group g, long quota) {
        String d = g.dir("cpu").toString();
        String line = g.v2() ? "echo '" + quota + " " + PERIOD + "' > " + d + "/cpu.max"
            : "echo " + PERIOD + " > " + d + "/cpu.cfs_period_us; echo " + quota + " > " + d + "/cpu.cfs_quota_us";
        Cmd.Result res = Cmd.run(java.util.List.of("sh", "-c", line), 10);
        if (!res.ok()) throw new IllegalStateException(line + ": " + res.err());
    }

    static void unlimit(Group g) {
        if (g.v2()) g.files("cpu").write("cpu.max", "max " + PERIOD);
        else g.files("cpu").write("cpu.cfs_quota_us", "-1");
    }
}
