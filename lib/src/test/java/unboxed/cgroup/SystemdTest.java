package unboxed.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** systemd's naming of slices and the parsing of systemctl's output: no systemd needed (the VM tests ask a real one). */
class SystemdTest {
    @Test
    void aSlicesNameIsItsPlaceInTheTree() {
        assertEquals("lab12.slice", Systemd.slicePath("lab12"));
        assertEquals("lab12.slice/lab12-web.slice", Systemd.slicePath("lab12-web"));
        assertEquals("a.slice/a-b.slice/a-b-c.slice", Systemd.slicePath("a-b-c"));
        assertEquals("lab12-web.slice", Systemd.slice("lab12-web"));
    }

    @Test
    void theFailedUnitsInASliceAreThoseWhoseSliceIsItOrBelowIt() {
        String show = """
            Slice=lab12-batch.slice
            Id=lab12-batch-load.service

            Slice=system.slice
            Id=ssh.service

            Slice=lab12.slice
            Id=run-r1.scope

            Slice=lab123.slice
            Id=other.service
            """;
        assertEquals(List.of("lab12-batch-load.service", "run-r1.scope"), Systemd.inSlice(show, "lab12"));
    }
}
