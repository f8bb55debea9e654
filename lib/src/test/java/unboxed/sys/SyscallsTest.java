package unboxed.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Syscall numbers are per architecture: on one the library has no numbers for, it refuses before any call by number,
 * and the doctor and every lab say so with exit 3. The other architecture is the JVM's own os.arch, pointed at riscv64
 * in a JVM of its own (the library reads the architecture only through Syscalls.arch(), which reads os.arch);
 * strace shows whether a pivot_root call was made.
 */
class SyscallsTest {
    /** Main of the probe JVM: pivot_root on paths that do not exist (ENOENT, if it is called at all). */
    public static void main(String... args) {
        try {
            Sys.pivotRoot("/nonexistent-unboxed-probe", "/nonexistent-unboxed-probe/old");
            System.out.println("returned");
        } catch (RuntimeException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    static Cmd.Result java(String arch, String mainClass, String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--enable-native-access=ALL-UNNAMED"));
        if (arch != null) argv.add("-Dos.arch=" + arch);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        argv.addAll(List.of(args));
        return Cmd.run(argv, 120);
    }

    /** The pivot_root calls strace saw the probe JVM make, and what the probe printed. */
    static List<String> pivotRootCalls(String arch, StringBuilder printed) throws Exception {
        assertTrue(Cmd.has("strace"), "strace is missing: this test needs it (" + Cmd.installHint("strace") + ")");
        Path trace = Files.createTempFile("unboxed-strace", ".txt");
        try {
            List<String> argv = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "trace=pivot_root", "-o", trace.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED"));
            if (arch != null) argv.add("-Dos.arch=" + arch);
            argv.addAll(List.of("-cp", System.getProperty("java.class.path"), SyscallsTest.class.getName()));
            Cmd.Result r = Cmd.run(argv, 120);
            assertEquals(0, r.exit(), r.err());
            printed.append(r.out());
            return Files.readAllLines(trace).stream().filter(l -> l.contains("pivot_root(")).toList();
        } finally {
            Files.deleteIfExists(trace);
        }
    }

    @Test
    void onThisArchitectureTheCallIsMade() throws Exception {
        StringBuilder printed = new StringBuilder();
        List<String> calls = pivotRootCalls(null, printed);
        assertEquals(1, calls.size(), calls.toString());
        assertTrue(calls.get(0).contains("ENOENT"), calls.toString());
        assertTrue(printed.toString().contains("SysCallException"), printed.toString());
    }

    @Test
    void onAnArchitectureWithoutNumbersNoCallIsMadeAndTheErrorSaysWhy() throws Exception {
        StringBuilder printed = new StringBuilder();
        List<String> calls = pivotRootCalls("riscv64", printed);
        assertEquals(List.of(), calls, "no pivot_root call on riscv64");
        assertTrue(printed.toString().contains("Unsupported: this machine's architecture is riscv64"), printed.toString());
        assertTrue(printed.toString().contains("pivot_root was not called"), printed.toString());
    }

    static com.google.gson.JsonObject archFinding(Cmd.Result doctor) {
        var found = new ArrayList<com.google.gson.JsonObject>();
        com.google.gson.JsonParser.parseString(doctor.out()).getAsJsonObject().getAsJsonArray("findings").forEach(f -> {
            if (f.getAsJsonObject().get("id").getAsString().equals("arch")) found.add(f.getAsJsonObject());
        });
        assertEquals(1, found.size(), doctor.out());
        return found.get(0);
    }

    @Test
    void theDoctorAndALabRefuseWithExit3() {
        Cmd.Result doctor = java("riscv64", "Lab00Doctor", "--json");
        assertEquals(3, doctor.exit(), doctor.out() + doctor.err());
        var o = com.google.gson.JsonParser.parseString(doctor.out()).getAsJsonObject();
        assertFalse(o.get("ready").getAsBoolean());
        assertFalse(archFinding(doctor).get("ok").getAsBoolean(), doctor.out());
        assertTrue(archFinding(doctor).get("detail").getAsString().contains("riscv64"), doctor.out());
        assertTrue(archFinding(java(null, "Lab00Doctor", "--json")).get("ok").getAsBoolean(), "this machine's is known");

        Cmd.Result check = java("riscv64", "Lab04Netns", "check", "--no-color");
        assertEquals(3, check.exit(), check.out() + check.err());
        assertEquals(1, check.err().strip().lines().count(), check.err());
        assertTrue(check.err().contains("architecture is riscv64"), check.err());
    }
}
