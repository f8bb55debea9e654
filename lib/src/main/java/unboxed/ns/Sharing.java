package unboxed.ns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which namespaces a process shares with others: /proc/PID/ns/TYPE compared, type by type, with the same link of
 * reference processes given by a label ("the host" for the JVM's own pid, "container a" for another). What `lsns -p
 * PID` and `readlink /proc/PID/ns/*` show, as data: a sidecar that joined one container's network namespace and
 * another's pid namespace reads here as net: container a, pid: container b.
 */
public final class Sharing {
    private Sharing() {}

    /** One type: the process's namespace id, and the labels of the references that are in the same one. */
    public record Row(Ns type, long id, List<String> sharedWith) {
        /** The first label that shares it, or "none of them". */
        public String owner() {
            return sharedWith.isEmpty() ? "none of them" : sharedWith.get(0);
        }
    }

    /**
     * The process's namespace of each type this kernel has, with the references in the same one (in their order).
     * Empty if the process has gone; a reference that has gone shares nothing.
     */
    public static List<Row> of(long pid, Map<String, Long> references) {
        List<Row> out = new ArrayList<>();
        for (Ns t : Ns.available()) {
            Optional<Long> id = id(t, pid);
            if (id.isEmpty()) return List.of();
            List<String> same = new ArrayList<>();
            for (var r : references.entrySet()) {
                if (id(t, r.getValue()).filter(id.get()::equals).isPresent()) same.add(r.getKey());
            }
            out.add(new Row(t, id.get(), List.copyOf(same)));
        }
        return out;
    }

    /** The row of one type, if the process is there. */
    public static Optional<Row> of(long pid, Ns type, Map<String, Long> references) {
        return of(pid, references).stream().filter(r -> r.type() == type).findFirst();
    }

    /** References by label, in this order: {@code refs("the host", 1L, "container a", 4242L)}. */
    public static Map<String, Long> refs(Object... labelsAndPids) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < labelsAndPids.length; i += 2) {
            m.put((String) labelsAndPids[i], ((Number) labelsAndPids[i + 1]).longValue());
        }
        return m;
    }

    /** The id of a type of namespace of a process, empty if it has gone (or is a zombie, whose links are gone). */
    public static Optional<Long> id(Ns type, long pid) {
        try {
            return Optional.of(type.idOf(pid));
        } catch (RuntimeException gone) {
            return Optional.empty();
        }
    }
}
