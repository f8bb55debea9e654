package unboxed.site;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code guide class DIR --watch}: the site is rebuilt whenever a progress file in DIR is created, changed or removed
 * (java.nio's WatchService; the events of one copy are gathered until DIR has been quiet for {@link #QUIET}), one
 * line per rebuild. A rebuild that fails (a file still being copied, one that is not a progress file) says so in one
 * line and leaves the last good site in place; the next change tries again. It ends on {@link #stop()} (Ctrl-C: the
 * command's shutdown hook calls it and waits for a rebuild under way to finish) or when its thread is interrupted.
 */
final class ClassWatch {
    /** How long DIR must be quiet before a rebuild: a copy of several files, or an editor's save, is one rebuild. */
    static final Duration QUIET = Duration.ofMillis(300);

    private final Path dir;
    private final Function<Instant, Site.Result> build;
    private final PrintStream out, err;
    private volatile WatchService ws;
    private volatile boolean stopped;

    /** {@code build} builds the site at the given time (the class page's clock). */
    ClassWatch(Path dir, Function<Instant, Site.Result> build, PrintStream out, PrintStream err) {
        this.dir = dir;
        this.build = build;
        this.out = out;
        this.err = err;
    }

    /** Watches until interrupted; returns 0, or 2 when DIR goes away (nothing left to watch). */
    int run() throws IOException {
        try (WatchService ws = dir.getFileSystem().newWatchService()) {
            this.ws = ws;
            if (stopped) return 0;
            WatchKey key = dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
            while (!stopped && !Thread.currentThread().isInterrupted()) {
                TreeMap<String, String> changed = new TreeMap<>(); // file -> added, changed, removed
                WatchKey k = ws.take();
                boolean valid = collect(k, changed);
                // gather the rest of this burst: until QUIET passes with no event
                while (valid) {
                    WatchKey more = ws.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS);
                    if (more == null) break;
                    valid = collect(more, changed);
                }
                if (stopped) break;
                if (!valid || !Files.isDirectory(dir)) {
                    err.println("guide: " + dir + " is gone: stopped watching (the last build stays)");
                    return SiteException.BAD_INPUT;
                }
                if (changed.isEmpty()) continue; // not a progress file (an editor's swap file, check's .tmp)
                rebuild(String.join(", ", changed.entrySet().stream().map(c -> c.getKey() + " " + c.getValue()).toList()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ClosedWatchServiceException e) {
            // stop(): the normal end
        }
        return 0;
    }

    /** Ends {@link #run()} after the rebuild under way, if any (a rebuild is never cut in half). */
    void stop() {
        stopped = true;
        WatchService w = ws;
        if (w == null) return;
        try {
            w.close();
        } catch (IOException e) {
            // closing is best effort; the flag ends the loop at the next event
        }
    }

    /** Adds the progress files an event names; false when the key is no longer valid (DIR removed). */
    private boolean collect(WatchKey k, TreeMap<String, String> changed) {
        for (WatchEvent<?> e : k.pollEvents()) {
            if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
                changed.put("many files", "changed");
            } else if (e.context() instanceof Path p && p.getFileName().toString().endsWith(".json")) {
                String kind = e.kind() == StandardWatchEventKinds.ENTRY_DELETE ? "removed"
                    : e.kind() == StandardWatchEventKinds.ENTRY_CREATE ? "added" : "changed";
                // added then written is added; anything then removed is removed
                changed.merge(p.getFileName().toString(), kind, (was, now) -> was.equals("added") && now.equals("changed") ? was : now);
            }
        }
        return k.reset();
    }

    private void rebuild(String what) {
        long t0 = System.nanoTime();
        String at = LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_LOCAL_TIME);
        try {
            Site.Result r = build.apply(Instant.now());
            out.printf("guide: %s rebuilt %s (%s) in %d ms%n", at, GuideCli.shown(null, r.out().resolve("class.html")), what,
                (System.nanoTime() - t0) / 1_000_000);
        } catch (SiteException | unboxed.lab.LabException e) {
            err.println("guide: " + at + " not rebuilt (" + what + "), the page keeps the last build: " + e.getMessage());
        }
    }
}
