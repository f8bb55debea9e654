package unboxed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import unboxed.ns.Ns;

/** `./jbang shell`: jshell with lib imported, driven through stdin the way a learner types. */
class ShellTest {
    @Test
    void theThreeSuggestionsWorkAsTyped() throws Exception {
        Process p = LabHarness.jvm("Shell").redirectErrorStream(true).start();
        p.getOutputStream().write(("""
            Ns.NET.label(Ns.NET.ofThisThread())
            var t = NsThread.unshare(EnumSet.of(Ns.NET)); t.call(() -> Ip.links(null)).get(0).name()
            t.close()
            MemoryCgroup.named("").limit() > 0
            /exit
            """).getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "jshell did not exit");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Three things to try"), out);
        assertTrue(out.contains("\"" + Ns.NET.label(Ns.NET.ofThisThread()) + "\""), out);
        assertTrue(out.contains("==> \"lo\""), out);
        assertTrue(out.contains("==> true"), out);
    }
}
