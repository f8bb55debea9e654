package unboxed.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.net.Conntrack.Entry;

/**
 * Conntrack's reader on lines of /proc/net/nf_conntrack and of `conntrack -L` as a lab's router shows them: pure, no
 * root, nothing on the host touched. In package unboxed.net to reach the package-private parser.
 */
class ConntrackParseTest {

    static final String UNREPLIED =
        "ipv4     2 udp      17 28 src=10.0.5.2 dst=203.0.113.2 sport=45678 dport=7 [UNREPLIED] src=203.0.113.2 dst=10.0.5.2 sport=7 dport=45678 mark=0 zone=0 use=2";
    static final String MASQUERADED_UDP =
        "ipv4     2 udp      17 29 src=10.0.5.2 dst=203.0.113.2 sport=45678 dport=7 src=203.0.113.2 dst=203.0.113.1 sport=7 dport=45678 mark=0 zone=0 use=2";
    static final String ESTABLISHED_TCP =
        "ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.5.2 dst=203.0.113.2 sport=51234 dport=80 src=203.0.113.2 dst=203.0.113.1 sport=80 dport=1024 [ASSURED] mark=0 zone=0 use=2";
    static final String ICMP =
        "ipv4     2 icmp     1 29 src=10.0.5.2 dst=203.0.113.2 type=8 code=0 id=4242 src=203.0.113.2 dst=203.0.113.1 type=0 code=0 id=4242 mark=0 zone=0 use=2";
    static final String IPV6 =
        "ipv6     10 udp      17 25 src=fe80::1 dst=ff02::fb sport=5353 dport=5353 [UNREPLIED] src=ff02::fb dst=fe80::1 sport=5353 dport=5353 mark=0 zone=0 use=2";

    static String oneSpaced(String line) {
        return line.trim().replaceAll("\\s+", " ");
    }

    @Test
    void procLinesGiveBothTuplesAndWhetherReplied() {
        List<Entry> e = Conntrack.parse(List.of(UNREPLIED, MASQUERADED_UDP, ESTABLISHED_TCP, ICMP));
        assertEquals(List.of(
            new Entry("udp", "10.0.5.2", "203.0.113.2", 45678, 7, "203.0.113.2", "10.0.5.2", 7, 45678, false,
                oneSpaced(UNREPLIED)),
            new Entry("udp", "10.0.5.2", "203.0.113.2", 45678, 7, "203.0.113.2", "203.0.113.1", 7, 45678, true,
                oneSpaced(MASQUERADED_UDP)),
            new Entry("tcp", "10.0.5.2", "203.0.113.2", 51234, 80, "203.0.113.2", "203.0.113.1", 80, 1024, true,
                oneSpaced(ESTABLISHED_TCP)),
            new Entry("icmp", "10.0.5.2", "203.0.113.2", null, null, "203.0.113.2", "203.0.113.1", null, null, true,
                oneSpaced(ICMP))), e);
    }

    @Test
    void aTranslatedEntryIsOneWhoseRepliesGoToAnotherAddress() {
        List<Entry> e = Conntrack.parse(List.of(UNREPLIED, MASQUERADED_UDP, ESTABLISHED_TCP, ICMP));
        assertFalse(e.get(0).sourceTranslated(), "no NAT rule: the reply goes back to the box's own address");
        assertTrue(e.get(1).sourceTranslated(), "MASQUERADE: the reply goes to the uplink's 203.0.113.1");
        assertTrue(e.get(2).sourceTranslated());
        assertTrue(e.get(3).sourceTranslated());
        Entry noReplyTuple = new Entry("udp", "10.0.5.2", "203.0.113.2", 1, 2, null, null, null, null, false, "");
        assertFalse(noReplyTuple.sourceTranslated());
    }

    @Test
    void conntrackToolLinesLackTheFamilyColumnsAndParseTheSame() {
        String tool = "udp      17 29 src=10.0.5.2 dst=203.0.113.2 sport=45678 dport=7 src=203.0.113.2 dst=203.0.113.1 sport=7 dport=45678 mark=0 use=1";
        List<Entry> e = Conntrack.parse(List.of(tool,
            "conntrack v1.4.6 (conntrack-tools): 1 flow entries have been shown."));
        assertEquals(List.of(new Entry("udp", "10.0.5.2", "203.0.113.2", 45678, 7, "203.0.113.2", "203.0.113.1", 7,
            45678, true, oneSpaced(tool))), e);
    }

    @Test
    void accountingCountersBetweenTheTuplesAreIgnored() {
        String acct = "ipv4     2 udp      17 27 src=10.0.5.2 dst=203.0.113.2 sport=45678 dport=7 packets=1 bytes=32 "
            + "[UNREPLIED] src=203.0.113.2 dst=203.0.113.1 sport=7 dport=45678 packets=0 bytes=0 mark=0 zone=0 use=2";
        assertEquals(List.of(new Entry("udp", "10.0.5.2", "203.0.113.2", 45678, 7, "203.0.113.2", "203.0.113.1", 7,
            45678, false, oneSpaced(acct))), Conntrack.parse(List.of(acct)));
    }

    @Test
    void ipv6BlankAndForeignLinesAreSkipped() {
        assertEquals(List.of(), Conntrack.parse(List.of(IPV6, "", "   ", "ipv4 2", "something else entirely")));
        assertEquals(List.of(), Conntrack.parse(List.of()));
        assertEquals(1, Conntrack.parse(List.of(IPV6, UNREPLIED, "")).size());
    }
}
