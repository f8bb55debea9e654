package unboxed.sys;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting for the kernel to catch up: a process that has been killed but not yet reaped, a task entry that outlives
 * its thread for a moment, a child that has not forked yet. One poll loop for the whole library, so that every wait
 * has a bound, and an interrupt ends it (with the thread's interrupt flag set again).
 */
public final class Wait {
    private Wait() {}

    /** Polls every 10 ms until cond holds or timeout passes; whether it held. */
    public static boolean until(Duration timeout, BooleanSupplier cond) {
        return until(timeout, Duration.ofMillis(10), cond);
    }

    /** Polls every {@code every} until cond holds or timeout passes; whether it held (checked once more at the end). */
    public static boolean until(Duration timeout, Duration every, BooleanSupplier cond) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() >= deadline) return cond.getAsBoolean();
            try {
                Thread.sleep(every.toMillis(), (int) (every.toNanos() % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return cond.getAsBoolean();
            }
        }
        return true;
    }

    /** Polls every 10 ms until get returns a value or timeout passes. */
    public static <T> Optional<T> forValue(Duration timeout, Supplier<Optional<T>> get) {
        @SuppressWarnings("unchecked")
        Optional<T>[] seen = new Optional[] {Optional.empty()};
        until(timeout, () -> (seen[0] = get.get()).isPresent());
        return seen[0];
    }
}
