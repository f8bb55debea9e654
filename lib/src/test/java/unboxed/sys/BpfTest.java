package unboxed.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The eBPF assembler, without the kernel: struct bpf_insn's bytes and the jump offsets its labels become. */
class BpfTest {
    @Test
    void anInstructionIsEightBytesAsLinuxBpfHLaysThemOut() {
        // r4 = *(u32 *)(r1 + 4): code BPF_LDX|BPF_MEM|BPF_W = 0x61, dst 4 in the low nibble, src 1 in the high one
        com.sun.jna.Memory m = Bpf.encode(new Bpf.Asm().loadWord(4, 1, 4).mov32(0, -1).insns());
        assertEquals(List.of(0x61, 0x14, 4, 0, 0, 0, 0, 0), bytes(m, 0));
        assertEquals(List.of(0xb4, 0x00, 0, 0, 0xff, 0xff, 0xff, 0xff), bytes(m, 8), "BPF_ALU|BPF_MOV|BPF_K, imm -1");
    }

    @Test
    void aJumpSkipsToItsLabelCountingFromTheNextInstruction() {
        List<Bpf.Insn> p = new Bpf.Asm().jne(2, 2, "out").mov32(0, 1).exit().label("out").mov32(0, 0).exit().insns();
        assertEquals(2, p.get(0).off(), "over mov and exit: " + p);
        assertEquals(Bpf.BPF_JMP | Bpf.BPF_JNE | Bpf.BPF_K, p.get(0).code());
        assertThrows(IllegalArgumentException.class, () -> new Bpf.Asm().jeq(1, 0, "nowhere").exit().insns());
    }

    private static List<Integer> bytes(com.sun.jna.Memory m, long at) {
        byte[] b = m.getByteArray(at, 8);
        java.util.ArrayList<Integer> out = new java.util.ArrayList<>();
        for (byte x : b) out.add(x & 0xff);
        return out;
    }
}
