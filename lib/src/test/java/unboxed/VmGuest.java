package unboxed;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import unboxed.lab.HostState;

/**
 * The part of the VM tests that runs inside the guest (VmLabsTest boots it), each lab command in a JVM of its own as
 * `java LabNNTopic CMD` would be. First the learner's paths ({@link LearnerPath#WALKS}): lab after lab, run, the
 * exercise by hand, check, reset, with the host fingerprint compared to the one before the first lab; then, per lab,
 * solve, check (must pass), reset, with a fingerprint before and after that must match. Prints each command's output
 * prefixed with the lab's id, and one line per walk and per lab for the host to parse:
 * {@code UNBOXED-VM path-readme PASS 310.2s}, {@code UNBOXED-VM lab06 PASS 41.2s} or {@code UNBOXED-VM lab06 FAIL <why>}.
 * Last, the shell lines of the labs whose lines depend on the cgroup version ({@link ShellLines#IN_GUEST}), typed as
 * ShellLinesTest types them: {@code UNBOXED-VM lines-lab06 PASS 20.1s}.
 * With {@code --record} first (a JVM of its own, in a login session's cgroup), it only records each lab's transcript
 * for the guides: {@code UNBOXED-TRANSCRIPT lab06 ...} lines, then {@code UNBOXED-VM transcript-lab06 PASS 40.1s}.
 *
 * <p>Arguments: {@code id=ClassName} per lab, e.g. {@code lab06=Lab06CgroupOom}. The JVM options of the lab
 * processes come from the system property unboxed.vm.javaopts (space-separated).
 */
public final class VmGuest {
    private VmGuest() {}

    static final long COMMAND_TIMEOUT_S = 300;

    /** One command of the cycle and the exit code a correct lab gives. */
    record Expect(String command, int exit, String meaning) {}

    static final List<Expect> CYCLE = List.of(
        new Expect("solve", 0, "solve succeeds"),
        new Expect("check", 0, "check passes after solve"),
        new Expect("reset", 0, "reset succeeds"));

    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("--warm")) {
            warm(List.of(args).subList(1, args.length));
            return;
        }
        boolean recording = args.length > 0 && args[0].equals("--record");
        int failed = 0, passed = 0;
        java.util.Map<String, String> classes = new java.util.LinkedHashMap<>();
        for (String arg : args) if (!arg.startsWith("--")) classes.put(arg.split("=", 2)[0], arg.split("=", 2)[1]);
        if (recording) {
            for (var e : classes.entrySet()) if (record(e.getKey(), e.getValue())) passed++; else failed++;
            System.out.println("UNBOXED-VM transcripts " + passed + " recorded, " + failed + " failed");
            System.exit(failed == 0 ? 0 : 1);
        }
        for (LearnerPath.Walk w : LearnerPath.WALKS) {
            if (!classes.keySet().containsAll(w.labs())) {
                System.out.println("UNBOXED-VM " + w.name() + " SKIPPED: only " + classes.keySet() + " were asked for");
                continue;
            }
            if (walk(w, classes)) passed++; else failed++;
        }
        for (var e : classes.entrySet()) {
            if (cycle(e.getKey(), e.getValue())) passed++; else failed++;
        }
        for (LearnerPath.Alternative a : LearnerPath.alternatives()) {
            if (!classes.containsKey(a.lab())) continue;
            if (alternative(a, classes.get(a.lab()))) passed++; else failed++;
        }
        for (String id : ShellLines.IN_GUEST) {
            if (!classes.containsKey(id)) continue;
            if (shellLines(id, classes.get(id))) passed++; else failed++;
        }
        if (classes.containsKey("lab13")) {
            if (boxCpuOnCgroupV2()) passed++; else failed++;
            if (boxUserNamespaceOnCgroupV2()) passed++; else failed++;
        }
        System.out.println("UNBOXED-VM summary " + passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Where a transcript's lines start: {@code UNBOXED-TRANSCRIPT lab06 <base64 of part of the file>}. */
    static final String TRANSCRIPT = "UNBOXED-TRANSCRIPT ";

    /**
     * With --record (guest-run starts it apart, in a login session's cgroup): records the lab as `guide --record` does (in this JVM, as root) and prints the transcript file, base64 in lines
     * of {@value #CHUNK} characters (the serial console keeps every byte of those), then
     * {@code UNBOXED-VM transcript-lab06 PASS 40.1s}. The host fingerprint must be as before.
     */
    static boolean record(String id, String mainClass) {
        long start = System.nanoTime();
        String tag = "transcript-" + id;
        settleUdev(tag);
        List<String> before = HostState.capture();
        String problem;
        try {
            // A freshly booted guest hands out pids in the hundreds, and a transcript's normaliser takes any number in
            // the range of pids born during the run for a pid (lab04's isReachable(500) became a stand-in): from
            // 100000 on, as on a machine that has been up a while, a lab's own small numbers are left alone.
            Path lastPid = Path.of("/proc/sys/kernel/ns_last_pid");
            if (Long.parseLong(Files.readString(lastPid).strip()) < 100_000) Files.writeString(lastPid, "100000");
            unboxed.lab.Lab lab = LabHarness.lab(mainClass);
            unboxed.transcript.Transcript t = unboxed.transcript.Recorder.record(lab);
            String b64 = java.util.Base64.getEncoder().encodeToString(
                unboxed.transcript.Transcript.format(lab, t).getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < b64.length(); i += CHUNK) {
                System.out.println(TRANSCRIPT + id + " " + b64.substring(i, Math.min(b64.length(), i + CHUNK)));
            }
            problem = hostChange(tag, before, "after recording " + id + " the host differs from before");
        } catch (Throwable t) {
            problem = "recording failed: " + t;
        }
        System.out.println("UNBOXED-VM " + tag + (problem == null ? " PASS " + seconds(start) : " FAIL " + problem));
        System.out.flush();
        return problem == null;
    }

    static final int CHUNK = 512;

    /**
     * Loads every lab and the CLI once (describe --json, which changes nothing), so that a JVM started with
     * -XX:ArchiveClassesAtExit leaves a class data archive the lab JVMs then start from: under emulation, loading
     * classes is most of a lab command's time.
     */
    static void warm(List<String> labs) {
        var sink = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        for (String arg : labs) {
            unboxed.lab.LabCli.execute(LabHarness.lab(arg.split("=", 2)[1]), new String[] {"describe", "--json"}, sink, sink,
                java.io.InputStream.nullInputStream(), false);
        }
    }

    /**
     * One learner's path: for each lab in order, run, (with resets: check fails,) the exercise by hand, check passes,
     * (reset); without resets, every lab is reset at the end, in the order they ran. The host fingerprint must then be
     * the one from before the first lab (with resets: after every lab). Any step that breaks names the lab and command.
     */
    static boolean walk(LearnerPath.Walk w, java.util.Map<String, String> classes) {
        long start = System.nanoTime();
        String tag = w.name();
        System.out.println(tag + "| " + w.meaning() + ": " + w.labs());
        settleUdev(tag);
        List<String> before = HostState.capture();
        List<String> problems = new ArrayList<>();
        List<String> toReset = new ArrayList<>();
        for (String id : w.labs()) {
            String cls = classes.get(id);
            toReset.add(id);
            if (!expect(problems, id, cls, "run", 0)) break;
            if (w.resetEach() && !expect(problems, id, cls, "check", 1)) break;
            if (!type(problems, id, "the exercise by hand", LearnerPath.byHand(id, cls))) break;
            if (!expect(problems, id, cls, "check", 0)) break;
            if (w.explores() && LearnerPath.EXPLORING.containsKey(id)
                && !type(problems, id, "exploring beyond the exercise", LearnerPath.EXPLORING.get(id))) {
                break;
            }
            if (w.resetEach()) {
                toReset.remove(id);
                if (!expect(problems, id, cls, "reset", 0)) break;
                String changed = hostChange(id, before, id + ": after `reset` the host differs from before the first lab");
                if (changed != null) {
                    problems.add(changed);
                    break;
                }
            }
        }
        for (String id : toReset) expect(problems, id, classes.get(id), "reset", 0);
        String changed = hostChange(tag, before, "after every lab's reset the host differs from before the first lab");
        if (changed != null && problems.isEmpty()) problems.add(changed);
        System.out.println("UNBOXED-VM " + tag + (problems.isEmpty() ? " PASS " + seconds(start) : " FAIL " + String.join("; ", problems)));
        System.out.flush();
        return problems.isEmpty();
    }

    /** What the learner types by hand; false (and a problem naming the lab) if it fails. */
    static boolean type(List<String> problems, String id, String what, LearnerPath.ByHand byHand) {
        System.out.println(id + "| $ (" + what + ", as the lab tests do it)");
        try {
            byHand.type();
            return true;
        } catch (Throwable t) {
            problems.add(id + ": " + what + " failed: " + t.getMessage());
            return false;
        }
    }

    /** Runs one lab command; false (and a problem naming the lab and command) if it exits otherwise than expected. */
    static boolean expect(List<String> problems, String id, String mainClass, String command, int exit) {
        int got = runLab(id, mainClass, command);
        if (got == exit) return true;
        problems.add(id + ": `" + command + "` exited " + got + ", want " + exit);
        return false;
    }

    static boolean cycle(String id, String mainClass) {
        long start = System.nanoTime();
        List<String> problems = new ArrayList<>();
        settleUdev(id);
        List<String> before = HostState.capture();
        StringBuilder times = new StringBuilder();
        boolean resetDone = false;
        for (Expect e : CYCLE) {
            long t0 = System.nanoTime();
            int exit = runLab(id, mainClass, e.command());
            times.append(' ').append(e.command()).append('=').append(seconds(t0));
            if (e.command().equals("reset")) resetDone = true;
            if (exit != e.exit()) {
                problems.add(e.meaning() + ": `" + e.command() + "` exited " + exit + ", want " + e.exit());
                break;
            }
        }
        // whatever went wrong, leave the guest clean for the next lab
        if (!resetDone) runLab(id, mainClass, "reset");
        String changed = hostChange(id, before, "host fingerprint changed after reset");
        if (changed != null) problems.add(changed);
        System.out.println(id + "| times:" + times);
        System.out.println("UNBOXED-VM " + id + (problems.isEmpty() ? " PASS " + seconds(start) : " FAIL " + String.join("; ", problems)));
        System.out.flush();
        return problems.isEmpty();
    }

    /**
     * Another correct way to do a lab's exercise, and a near miss of it ({@link LearnerPath.Alternative}): after the
     * lab's first `check` (it notes how the host was), the lines typed into bash; check passes within two minutes
     * (what the lines start runs on in the background); reset; then the near miss, whose check fails saying what it
     * must; reset. The host fingerprint after each reset must be the one from before. Reports the alternative's name.
     */
    static boolean alternative(LearnerPath.Alternative a, String mainClass) {
        long start = System.nanoTime();
        String tag = a.name();
        System.out.println(tag + "| " + a.meaning());
        List<String> problems = new ArrayList<>();
        settleUdev(tag);
        List<String> before = HostState.capture();
        if (expect(problems, tag, mainClass, "check", 1) && typeLines(problems, tag, a.passes())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            int exit;
            while ((exit = runLab(tag, mainClass, "check")) != 0 && System.nanoTime() < deadline) pause(5);
            if (exit != 0) problems.add("`check` after the other way exited " + exit + ", want 0");
        }
        resetAndCompare(problems, tag, mainClass, before, "after `reset` following the other way the host differs from before");
        if (problems.isEmpty() && expect(problems, tag, mainClass, "check", 1) && typeLines(problems, tag, a.nearMiss())) {
            pause(10); // what the lines started has run its loads
            Ran r = runLabOut(tag, mainClass, "check");
            if (r.exit() != 1 || !r.output().contains(a.says())) {
                problems.add("the near miss: `check` exited " + r.exit() + " (want 1) saying " + (r.output().contains(a.says()) ? "" : "nothing of ")
                    + "\"" + a.says() + "\"");
            }
            resetAndCompare(problems, tag, mainClass, before, "after `reset` following the near miss the host differs from before");
        }
        System.out.println("UNBOXED-VM " + tag + (problems.isEmpty() ? " PASS " + seconds(start) : " FAIL " + String.join("; ", problems)));
        System.out.flush();
        return problems.isEmpty();
    }

    /** The lines typed into one bash (set -e: each must succeed), their output in the log; false (and why) if one fails. */
    static boolean typeLines(List<String> problems, String tag, String lines) {
        lines.lines().forEach(l -> System.out.println(tag + "| $ " + l));
        unboxed.sys.Cmd.Result r = unboxed.sys.Cmd.run(List.of("bash", "-c", "set -e\n" + lines), 120);
        (r.out() + r.err()).lines().forEach(l -> System.out.println(tag + "| " + l));
        if (r.ok()) return true;
        problems.add("typing the lines failed (exit " + r.exit() + ")");
        return false;
    }

    /** reset (must exit 0), then the host fingerprint against the one from before ({@link #hostChange}). */
    static void resetAndCompare(List<String> problems, String tag, String mainClass, List<String> before, String differs) {
        expect(problems, tag, mainClass, "reset", 0);
        String changed = hostChange(tag, before, differs);
        if (changed != null) problems.add(changed);
    }

    /**
     * Once udev has settled, the host fingerprint against BEFORE: each changed line printed under the tag; the problem
     * ("DIFFERS (N lines: the first)") if it changed, else null.
     */
    static String hostChange(String tag, List<String> before, String differs) {
        settleUdev(tag);
        List<String> diff = HostState.diff(before, HostState.capture());
        diff.forEach(d -> System.out.println(tag + "| host changed: " + d));
        return diff.isEmpty() ? null : differs + " (" + diff.size() + " lines: " + diff.get(0) + ")";
    }

    static void pause(int seconds) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The lab's shell lines typed in order in one bash session on this guest (cgroup v2), as ShellLinesTest does in
     * a container on the host; then `reset`, and the fingerprint must be as before. Reports {@code lines-ID}.
     */
    static boolean shellLines(String id, String mainClass) {
        long start = System.nanoTime();
        String tag = "lines-" + id;
        List<String> problems = new ArrayList<>();
        settleUdev(tag);
        List<String> before = HostState.capture();
        // a learner starts with the lab (run, or check): its first command notes how the host was (the controllers
        // the cgroup root hands down, say), which is what reset puts back after the lines; as ShellLinesTest does
        runLab(tag, mainClass, "check");
        try {
            var lab = LabHarness.lab(mainClass);
            List<ShellLines.Command> commands = ShellLines.commands(lab);
            Path script = Files.createTempFile("lines", ".sh"), out = Files.createTempFile("lines", ".out");
            Files.writeString(script, ShellLines.script(commands, out.toString()));
            Process p = new ProcessBuilder("timeout", "-s", "KILL", "600", "bash", script.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor();
            String output = Files.readString(out);
            output.lines().forEach(l -> System.out.println(tag + "| " + l));
            problems.addAll(ShellLines.problems(lab, commands, output));
        } catch (Exception e) {
            problems.add("cannot type the shell lines: " + e);
        }
        resetAndCompare(problems, tag, mainClass, before, "after `reset` the host differs from before the lines");
        System.out.println("UNBOXED-VM " + tag + (problems.isEmpty() ? " PASS " + seconds(start)
            : " FAIL " + String.join("; ", problems).replace('\n', ' ')));
        System.out.flush();
        return problems.isEmpty();
    }

    /** The result line's tag of {@link #boxUserNamespaceOnCgroupV2}. */
    static final String BOX_USERNS = "box-userns-v2";

    /**
     * A user namespace on cgroup v2 and kernel 6.1: `runc spec --rootless`'s bundle with a pids limit (a group made
     * by the runtime, the program joined to it while held), under runc and under the runtime: the probe sees the same
     * on every field (its ids and maps, its own /proc, its masks). Then with user.max_user_namespaces 0 (written here and
     * put back after, in this disposable guest) `box run` of the same bundle exits 3 and leaves no container; the host
     * is as before. {@code UNBOXED-VM box-userns-v2 PASS|FAIL ...}.
     */
    static boolean boxUserNamespaceOnCgroupV2() {
        long start = System.nanoTime();
        settleUdev(BOX_USERNS);
        List<String> before = HostState.capture();
        List<String> problems = new ArrayList<>();
        String max = "user.max_user_namespaces", was = null;
        Path bundle = null;
        try {
            bundle = OciBundles.withProbe("unboxed-vm-userns");
            OciBundles.spec(bundle, true, o -> {
                var pids = new com.google.gson.JsonObject();
                pids.addProperty("limit", 42);
                var resources = new com.google.gson.JsonObject();
                resources.add("pids", pids);
                o.getAsJsonObject("linux").add("resources", resources);
            });
            // runc's cgroupfs driver hands every controller down through each ancestor of its group (lab13 says so):
            // noted first, turned off again after, as lab13's reset does
            Path v2 = unboxed.cgroup.Cgroups.v2Mount();
            unboxed.lab.KernelObject.SubtreeNote.notedAbove(BOX_USERNS,
                List.of(new unboxed.cgroup.CgroupDir(v2).read("cgroup.controllers").split("\\s+")));
            Map<String, String> runc;
            try {
                runc = OciBundles.runcView(bundle, "vm-userns-runc");
            } finally {
                var put = unboxed.lab.Journal.of(BOX_USERNS).replay(unboxed.lab.Journal.LAB);
                if (!put.failed().isEmpty()) problems.add("runc's controllers not turned off again: " + put.failed());
            }
            List<String> log = new ArrayList<>();
            Map<String, String> box = OciBundles.boxView(bundle, "vm-userns", log);
            log.forEach(l -> System.out.println(BOX_USERNS + "| box: " + l));
            unboxed.oci.Probe.sideBySide(runc, box).forEach(l -> System.out.println(BOX_USERNS + "| " + l));
            List<String> differ = unboxed.oci.Probe.differences(runc, box);
            if (!differ.isEmpty()) problems.add("the probe saw another container under box than under runc: " + differ);
            if (!"new".equals(box.get("ns.user")) || !"0 0 1;".equals(box.get("uid_map"))) {
                problems.add("no user namespace of its own, mapped 0 0 1: ns.user " + box.get("ns.user") + ", uid_map " + box.get("uid_map"));
            }
            if (!"/bin/sh /probe".equals(box.get("proc.1"))) problems.add("its /proc is not its own: PID 1 there is " + box.get("proc.1"));
            was = unboxed.net.Sysctl.get(max); // (not Files.readString: a numeric sysctl read so gives its first digit)
            Files.writeString(Path.of("/proc/sys/user/max_user_namespaces"), "0"); // one write(2)
            int code = unboxed.oci.BoxCli.execute("run", bundle.toString(), "--id", "vm-userns-off");
            System.out.println(BOX_USERNS + "| with user.max_user_namespaces 0: box run exited " + code);
            if (code != 3) problems.add("with user.max_user_namespaces 0, box run exited " + code + ", not 3");
            if (unboxed.oci.Container.known("vm-userns-off")) problems.add("the refused box run left its container in the journal");
        } catch (Exception | Error e) {
            problems.add("failed: " + e);
        } finally {
            try {
                if (was != null) Files.writeString(Path.of("/proc/sys/user/max_user_namespaces"), was);
            } catch (IOException | RuntimeException e) {
                problems.add("could not put " + max + " back to " + was + ": " + e.getMessage());
            }
            String now = was == null ? null : unboxed.net.Sysctl.get(max);
            if (was != null && !was.equals(now)) problems.add(max + " is " + now + " after the check, was " + was);
        }
        return boxResult(BOX_USERNS, start, before, problems, bundle, "vm-userns", "vm-userns-off");
    }

    /**
     * The end of a guest check of the runtime: its containers deleted, its bundle's folder removed, the host as before;
     * prints {@code UNBOXED-VM TAG PASS|FAIL ...} and returns whether it passed.
     */
    static boolean boxResult(String tag, long start, List<String> before, List<String> problems, Path bundle, String... ids) {
        for (String id : ids) {
            try {
                unboxed.oci.Container.delete(id);
            } catch (RuntimeException e) {
                problems.add("box delete " + id + ": " + e.getMessage());
            }
        }
        if (bundle != null) unboxed.sys.Cmd.run("rm", "-rf", bundle.getParent().toString());
        String changed = hostChange(tag, before, "after the containers the host differs from before");
        if (changed != null) problems.add(changed);
        System.out.println("UNBOXED-VM " + tag + (problems.isEmpty() ? " PASS " + seconds(start)
            : " FAIL " + String.join("; ", problems).replace('\n', ' ')));
        System.out.flush();
        return problems.isEmpty();
    }

    /** The result line's tag of {@link #boxCpuOnCgroupV2}. */
    static final String BOX_CPU = "box-cpu-v2";

    /**
     * The runtime's cpu limit on cgroup v2, where the root does not hand cpu down (this guest, as systemd leaves a
     * Debian 12 machine): the first container turns cpu on in the root's cgroup.subtree_control (and says so), a
     * second finds it on; deleting the first leaves it on, the second's cpu.max intact; deleting the second turns it
     * off; `box run` SIGKILLed right after each of its first journal entries, then `box delete`, leaves the root's
     * subtree_control as it was; the host is as before. {@code UNBOXED-VM box-cpu-v2 PASS|FAIL ...}.
     */
    static boolean boxCpuOnCgroupV2() {
        long start = System.nanoTime();
        settleUdev(BOX_CPU);
        List<String> before = HostState.capture();
        List<String> problems = new ArrayList<>();
        Path root = unboxed.cgroup.Cgroups.v2Mount();
        Path subtree = root.resolve("cgroup.subtree_control");
        List<String> was = unboxed.cgroup.Cgroups.subtreeControl(root);
        List<Long> pids = new ArrayList<>();
        Path bundle = null;
        try {
            if (was.contains("cpu")) problems.add(subtree + " hands cpu down already (" + was + "): nothing to prove");
            bundle = OciBundles.make("unboxed-vm-box");
            unboxed.sys.Cmd.run("runc", "spec", "--bundle", bundle.toString()).orThrow();
            var o = com.google.gson.JsonParser.parseString(Files.readString(bundle.resolve("config.json"))).getAsJsonObject();
            o.getAsJsonObject("process").addProperty("terminal", false);
            var args = new com.google.gson.JsonArray();
            args.add("sleep");
            args.add("600");
            o.getAsJsonObject("process").add("args", args);
            var cpu = new com.google.gson.JsonObject();
            cpu.addProperty("quota", 50_000);
            cpu.addProperty("period", 100_000);
            o.getAsJsonObject("linux").getAsJsonObject("resources").add("cpu", cpu);
            Files.writeString(bundle.resolve("config.json"), o.toString());
            unboxed.oci.Bundle b = unboxed.oci.Bundle.read(bundle);
            List<String> logA = new ArrayList<>(), logB = new ArrayList<>();
            pids.add(unboxed.oci.Container.start(b, "vm-cpu-a", new unboxed.oci.Container.Io(bundle.resolveSibling("a.out")), logA::add).pid());
            logA.forEach(l -> System.out.println(BOX_CPU + "| a: " + l));
            if (!logA.contains("echo +cpu > " + subtree)) problems.add("the first container did not say echo +cpu > " + subtree);
            if (!unboxed.cgroup.Cgroups.subtreeControl(root).contains("cpu")) problems.add("cpu not on in " + subtree + " with a container running");
            Path groupB = root.resolve(unboxed.oci.Container.cgroupName("vm-cpu-b"));
            pids.add(unboxed.oci.Container.start(b, "vm-cpu-b", new unboxed.oci.Container.Io(bundle.resolveSibling("b.out")), logB::add).pid());
            if (logB.stream().anyMatch(l -> l.contains("+cpu"))) problems.add("the second container turned cpu on again: " + logB);
            unboxed.sys.Sys.kill(pids.get(0), 9);
            unboxed.oci.Container.waitFor(pids.get(0));
            unboxed.oci.Container.delete("vm-cpu-a");
            String maxB = Files.readString(groupB.resolve("cpu.max")).strip();
            System.out.println(BOX_CPU + "| a deleted: " + subtree + " says " + unboxed.cgroup.Cgroups.subtreeControl(root) + "; b's cpu.max " + maxB);
            if (!unboxed.cgroup.Cgroups.subtreeControl(root).contains("cpu")) problems.add("deleting the first container turned cpu off under the second");
            if (!maxB.equals("50000 100000")) problems.add("the second container's cpu.max is " + maxB + " after the first's delete");
            unboxed.sys.Sys.kill(pids.get(1), 9);
            unboxed.oci.Container.waitFor(pids.get(1));
            unboxed.oci.Container.delete("vm-cpu-b");
            List<String> after = unboxed.cgroup.Cgroups.subtreeControl(root);
            System.out.println(BOX_CPU + "| b deleted: " + subtree + " says " + after + " (before: " + was + ")");
            if (!after.equals(was)) problems.add(subtree + " is " + after + " after both deletes, was " + was);
            // SIGKILL right after each of the first journal entries (the state folder; the note of what the root
            // handed down; the group, with cpu turned on and the group not made yet): box delete puts it back
            for (int entry = 1; entry <= 3; entry++) {
                List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-D" + unboxed.lab.Journal.KILL_AFTER_ENTRY + "=" + entry, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), "Box", "run", "--id", "vm-cpu-k", bundle.toString()));
                Path said = bundle.resolveSibling("killed.out");
                Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(said.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
                for (String l : Files.readAllLines(said)) System.out.println(BOX_CPU + "| killed after " + entry + ": " + l);
                List<String> killed = unboxed.cgroup.Cgroups.subtreeControl(root);
                boolean journaled = unboxed.oci.Container.known("vm-cpu-k");
                unboxed.oci.Container.delete("vm-cpu-k");
                List<String> restored = unboxed.cgroup.Cgroups.subtreeControl(root);
                System.out.println(BOX_CPU + "| box run killed after journal entry " + entry + " (exit " + p.exitValue() + "): "
                    + subtree + " says " + killed + "; after box delete " + restored);
                // 137: the SIGKILL; once (of several runs) the JVM ended with SIGABRT (134) instead: a death all the same,
                // after its entries were written, which is what delete must clean up after (its output is shown above)
                if (p.exitValue() <= 128 || !journaled) {
                    problems.add("box run with the kill after entry " + entry + " exited " + p.exitValue()
                        + (journaled ? "" : " before its first journal entry") + ", not killed by a signal after it");
                }
                if (!restored.equals(was)) problems.add("killed after entry " + entry + ", then deleted: " + subtree + " is " + restored + ", was " + was);
                if (Files.exists(root.resolve(unboxed.oci.Container.cgroupName("vm-cpu-k")))) problems.add("killed after entry " + entry + ": its group is left");
            }
        } catch (Exception | Error e) {
            problems.add("failed: " + e);
        }
        return boxResult(BOX_CPU, start, before, problems, bundle, "vm-cpu-a", "vm-cpu-b", "vm-cpu-k");
    }

    /**
     * Waits until udev has handled the lab's device events and its idle workers are gone. On a systemd guest,
     * systemd-udevd runs in a mount namespace of its own, so the workers it forks for every veth a lab makes or
     * deletes show in the fingerprint as "process in another mnt namespace" for a few seconds after reset.
     */
    static void settleUdev(String id) {
        if (!unboxed.sys.Cmd.has("udevadm")) return;
        long t0 = System.nanoTime();
        unboxed.sys.Cmd.run(List.of("udevadm", "settle", "--timeout=30"), 40);
        while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30) && !udevWorkers().isEmpty()) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        List<Long> left = udevWorkers();
        System.out.println(id + "| udev settled in " + seconds(t0) + (left.isEmpty() ? "" : ", workers still there: " + left));
    }

    static List<Long> udevWorkers() {
        return unboxed.ns.Processes.pids().stream()
            .filter(p -> unboxed.ns.Processes.comm(p).orElse("").contains("udev-worker")).toList();
    }

    /** A lab command's exit code and its output. */
    record Ran(int exit, String output) {}

    /** java [opts] -cp (ours) MAIN COMMAND, its output printed with the lab's id in front; the exit code (124: timeout). */
    static int runLab(String id, String mainClass, String command) {
        return runLabOut(id, mainClass, command).exit();
    }

    /** {@link #runLab}, with the output too. */
    static Ran runLabOut(String id, String mainClass, String command) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String o : System.getProperty("unboxed.vm.javaopts", "").split(" ")) if (!o.isBlank()) argv.add(o);
        argv.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), mainClass, command));
        System.out.println(id + "| $ " + command);
        try {
            File out = File.createTempFile("unboxed-vm-" + id, ".out");
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            boolean done = p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor();
            }
            List<String> lines = Files.readAllLines(out.toPath(), StandardCharsets.UTF_8);
            for (String line : lines) System.out.println(id + "| " + line);
            out.delete();
            System.out.flush();
            return new Ran(done ? p.exitValue() : 124, String.join("\n", lines));
        } catch (IOException | InterruptedException e) {
            System.out.println(id + "| cannot run `" + command + "`: " + e);
            return new Ran(-1, "");
        }
    }

    static String seconds(long startNanos) {
        return String.format("%.1fs", (System.nanoTime() - startNanos) / 1e9);
    }
}
