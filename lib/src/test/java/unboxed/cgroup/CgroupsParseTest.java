package unboxed.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * The text parsing behind Cgroups.detect and MemoryCgroup, on /proc/self/mounts and cgroup files as real machines
 * show them: pure, no root, nothing under /proc or /sys read.
 */
class CgroupsParseTest {
    /** /proc/self/mounts of Debian 12 (systemd, unified hierarchy only). */
    static final String DEBIAN_12 = """
        sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
        proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
        udev /dev devtmpfs rw,nosuid,relatime,size=4008532k,nr_inodes=1002133,mode=755,inode64 0 0
        devpts /dev/pts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=000 0 0
        tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=804460k,mode=755,inode64 0 0
        /dev/sda1 / ext4 rw,relatime,errors=remount-ro 0 0
        securityfs /sys/kernel/security securityfs rw,nosuid,nodev,noexec,relatime 0 0
        tmpfs /dev/shm tmpfs rw,nosuid,nodev,inode64 0 0
        tmpfs /run/lock tmpfs rw,nosuid,nodev,noexec,relatime,size=5120k,inode64 0 0
        cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0
        pstore /sys/fs/pstore pstore rw,nosuid,nodev,noexec,relatime 0 0
        bpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0
        systemd-1 /proc/sys/fs/binfmt_misc autofs rw,relatime,fd=30,pgrp=1,timeout=0,minproto=5,maxproto=5,direct 0 0
        mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec,relatime 0 0
        tmpfs /run/user/1000 tmpfs rw,nosuid,nodev,relatime,size=804456k,nr_inodes=201114,mode=700,uid=1000,gid=1000,inode64 0 0
        """;

    /** /proc/self/mounts of Ubuntu 24.04 (unified only; snaps mounted as squashfs). */
    static final String UBUNTU_24_04 = """
        sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
        proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
        udev /dev devtmpfs rw,nosuid,relatime,size=1961924k,nr_inodes=490481,mode=755,inode64 0 0
        tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=401096k,mode=755,inode64 0 0
        /dev/mapper/ubuntu--vg-ubuntu--lv / ext4 rw,relatime 0 0
        cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0
        none /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0
        /dev/loop0 /snap/core22/1380 squashfs ro,nodev,relatime,errors=continue,threads=single 0 0
        /dev/sda2 /boot ext4 rw,relatime 0 0
        tmpfs /run/snapd/ns tmpfs rw,nosuid,nodev,noexec,relatime,size=401096k,mode=755,inode64 0 0
        nsfs /run/snapd/ns/lxd.mnt nsfs rw 0 0
        """;

    /** The root cgroup.controllers of a v2 systemd host. */
    static final String V2_CONTROLLERS = "cpuset cpu io memory hugetlb pids rdma misc\n";

    /** /proc/self/mounts of a systemd hybrid host (Ubuntu 20.04, Debian 10): v1 controllers, an empty cgroup2 beside. */
    static final String HYBRID = """
        sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
        proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
        /dev/sda1 / ext4 rw,relatime 0 0
        tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,mode=755,inode64 0 0
        cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0
        cgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,name=systemd 0 0
        cgroup /sys/fs/cgroup/net_cls,net_prio cgroup rw,nosuid,nodev,noexec,relatime,net_cls,net_prio 0 0
        cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0
        cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0
        cgroup /sys/fs/cgroup/blkio cgroup rw,nosuid,nodev,noexec,relatime,blkio 0 0
        cgroup /sys/fs/cgroup/pids cgroup rw,nosuid,nodev,noexec,relatime,pids 0 0
        cgroup /sys/fs/cgroup/devices cgroup rw,nosuid,nodev,noexec,relatime,devices 0 0
        cgroup /sys/fs/cgroup/freezer cgroup rw,nosuid,nodev,noexec,relatime,freezer 0 0
        cgroup /sys/fs/cgroup/cpuset cgroup rw,nosuid,nodev,noexec,relatime,cpuset 0 0
        cgroup /sys/fs/cgroup/hugetlb cgroup rw,nosuid,nodev,noexec,relatime,hugetlb 0 0
        cgroup /sys/fs/cgroup/perf_event cgroup rw,nosuid,nodev,noexec,relatime,perf_event 0 0
        cgroup /sys/fs/cgroup/rdma cgroup rw,nosuid,nodev,noexec,relatime,rdma 0 0
        """;

    /** /proc/self/mounts of a v1-only host (CentOS 7: no cgroup2 at all). */
    static final String V1_ONLY = """
        sysfs /sys sysfs rw,seclabel,nosuid,nodev,noexec,relatime 0 0
        proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
        /dev/mapper/centos-root / xfs rw,seclabel,relatime,attr2,inode64,noquota 0 0
        tmpfs /sys/fs/cgroup tmpfs ro,seclabel,nosuid,nodev,noexec,mode=755 0 0
        cgroup /sys/fs/cgroup/systemd cgroup rw,seclabel,nosuid,nodev,noexec,relatime,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd 0 0
        cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,seclabel,nosuid,nodev,noexec,relatime,cpuacct,cpu 0 0
        cgroup /sys/fs/cgroup/memory cgroup rw,seclabel,nosuid,nodev,noexec,relatime,memory 0 0
        cgroup /sys/fs/cgroup/pids cgroup rw,seclabel,nosuid,nodev,noexec,relatime,pids 0 0
        cgroup /sys/fs/cgroup/blkio cgroup rw,seclabel,nosuid,nodev,noexec,relatime,blkio 0 0
        """;

    /** cgroup.controllers files by path; a path not in the map has none (null), and every question is noted. */
    static final class Controllers implements Function<Path, String> {
        final Map<String, String> files;
        final List<String> asked = new ArrayList<>();

        Controllers(Map<String, String> files) { this.files = files; }

        @Override
        public String apply(Path p) {
            asked.add(p.toString());
            return files.get(p.toString());
        }
    }

    @Test
    void debian12IsV2WithMemoryInTheUnifiedTree() {
        Controllers c = new Controllers(Map.of("/sys/fs/cgroup/cgroup.controllers", V2_CONTROLLERS));
        Cgroups.Layout l = Cgroups.parse(DEBIAN_12, c);
        assertEquals("v2", l.kind());
        assertEquals(Cgroups.Version.V2, l.memoryVersion());
        assertEquals(Path.of("/sys/fs/cgroup"), l.memoryRoot());
        assertEquals(List.of("cgroup2 on /sys/fs/cgroup (rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot)"),
            l.mounts());
        assertEquals(List.of("/sys/fs/cgroup/cgroup.controllers"), c.asked);
    }

    @Test
    void ubuntu2404IsV2WithMemoryInTheUnifiedTree() {
        Cgroups.Layout l = Cgroups.parse(UBUNTU_24_04,
            new Controllers(Map.of("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")));
        assertEquals(new Cgroups.Layout("v2", Cgroups.Version.V2, Path.of("/sys/fs/cgroup"),
            List.of("cgroup2 on /sys/fs/cgroup (rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot)")), l);
    }

    @Test
    void v2WithoutTheMemoryControllerOffersNoMemoryRoot() {
        // a container given a delegated v2 tree without memory, and one whose cgroup.controllers cannot be seen
        for (Controllers c : List.of(new Controllers(Map.of("/sys/fs/cgroup/cgroup.controllers", "cpu io pids\n")),
            new Controllers(Map.of("/sys/fs/cgroup/cgroup.controllers", "")), new Controllers(Map.of()))) {
            Cgroups.Layout l = Cgroups.parse(DEBIAN_12, c);
            assertEquals("v2", l.kind());
            assertNull(l.memoryRoot(), c.files.toString());
            assertNull(l.memoryVersion());
        }
    }

    @Test
    void theTypeFieldDecidesNotTheDeviceName() {
        // inside a Docker container on a v2 host: device "cgroup", type cgroup2, read-only
        String docker = """
            overlay / overlay rw,relatime,lowerdir=/var/lib/docker/overlay2/l/ABC:/var/lib/docker/overlay2/l/DEF,upperdir=/var/lib/docker/overlay2/x/diff,workdir=/var/lib/docker/overlay2/x/work 0 0
            proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
            tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755,inode64 0 0
            sysfs /sys sysfs ro,nosuid,nodev,noexec,relatime 0 0
            cgroup /sys/fs/cgroup cgroup2 ro,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0
            """;
        Cgroups.Layout l = Cgroups.parse(docker, new Controllers(Map.of("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n")));
        assertEquals("v2", l.kind());
        assertEquals(Cgroups.Version.V2, l.memoryVersion());
        assertEquals(Path.of("/sys/fs/cgroup"), l.memoryRoot());
    }

    @Test
    void hybridHasMemoryInItsV1TreeAndNeverAsksTheEmptyUnifiedOne() {
        Controllers c = new Controllers(Map.of("/sys/fs/cgroup/unified/cgroup.controllers", ""));
        Cgroups.Layout l = Cgroups.parse(HYBRID, c);
        assertEquals("hybrid", l.kind());
        assertEquals(Cgroups.Version.V1, l.memoryVersion());
        assertEquals(Path.of("/sys/fs/cgroup/memory"), l.memoryRoot());
        assertEquals(13, l.mounts().size(), "the tmpfs over /sys/fs/cgroup is no cgroup: " + l.mounts());
        assertEquals("cgroup2 on /sys/fs/cgroup/unified (rw,nosuid,nodev,noexec,relatime,nsdelegate)", l.mounts().get(0));
        assertTrue(l.mounts().contains("cgroup on /sys/fs/cgroup/memory (rw,nosuid,nodev,noexec,relatime,memory)"));
        assertEquals(List.of(), c.asked, "v1 memory found: no cgroup.controllers is read");
    }

    @Test
    void hybridWithoutV1MemoryLooksInTheUnifiedTreeAndFindsNone() {
        String noMemory = HYBRID.replace("cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0\n", "");
        Controllers c = new Controllers(Map.of("/sys/fs/cgroup/unified/cgroup.controllers", "\n"));
        Cgroups.Layout l = Cgroups.parse(noMemory, c);
        assertEquals("hybrid", l.kind());
        assertNull(l.memoryRoot());
        assertNull(l.memoryVersion());
        assertEquals(List.of("/sys/fs/cgroup/unified/cgroup.controllers"), c.asked);
    }

    @Test
    void v1OnlyHasMemoryInItsOwnHierarchy() {
        Controllers c = new Controllers(Map.of());
        Cgroups.Layout l = Cgroups.parse(V1_ONLY, c);
        assertEquals("v1", l.kind());
        assertEquals(Cgroups.Version.V1, l.memoryVersion());
        assertEquals(Path.of("/sys/fs/cgroup/memory"), l.memoryRoot());
        assertEquals(5, l.mounts().size());
        assertEquals(List.of(), c.asked);
    }

    @Test
    void aControllerWhoseNameStartsWithMemoryIsNotMemory() {
        // memory_recursiveprot (a cgroup2 option) and name=systemd must not pass for the v1 memory controller
        String v1 = "cgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,name=systemd 0 0\n"
            + "cgroup /sys/fs/cgroup/odd cgroup rw,relatime,memory_recursiveprot,memory.x 0 0\n";
        Cgroups.Layout l = Cgroups.parse(v1, new Controllers(Map.of()));
        assertEquals("v1", l.kind());
        assertNull(l.memoryRoot());
    }

    @Test
    void noCgroupMountsAtAll() {
        Cgroups.Layout l = Cgroups.parse("proc /proc proc rw 0 0\n/dev/sda1 / ext4 rw 0 0\n", new Controllers(Map.of()));
        assertEquals(new Cgroups.Layout("none", null, null, List.of()), l);
        assertEquals(new Cgroups.Layout("none", null, null, List.of()), Cgroups.parse("", new Controllers(Map.of())));
    }

    // ---- MemoryCgroup: the files' contents ------------------------------------------------------------------------

    @Test
    void limitIsMaxOrANumberOfBytes() {
        assertEquals(Long.MAX_VALUE, MemoryCgroup.parseLimit("max"), "v2 memory.max with no limit");
        assertEquals(33554432L, MemoryCgroup.parseLimit("33554432"), "echo 32M > memory.max reads back in bytes");
        assertEquals(Long.MAX_VALUE, MemoryCgroup.parseLimit("9223372036854771712"), "v1 'no limit' with 4 KiB pages");
        assertEquals(Long.MAX_VALUE, MemoryCgroup.parseLimit(Long.toString(Long.MAX_VALUE)));
        assertEquals(0L, MemoryCgroup.parseLimit("0"));
        assertThrows(NumberFormatException.class, () -> MemoryCgroup.parseLimit("32M"), "the kernel never writes suffixes");
    }

    /** v1's "no limit" is LONG_MAX rounded down to a page: with 64 KiB pages (arm64) 0x7FFFFFFFFFFF0000, still none. */
    @Test
    void v1NoLimitWith64KiBPagesIsNoLimit() {
        assertEquals(Long.MAX_VALUE, MemoryCgroup.parseLimit("9223372036854710272"));
        assertEquals(0x7FFFFFFFFFFE0000L, MemoryCgroup.parseLimit(Long.toString(0x7FFFFFFFFFFE0000L)), "just below: a number");
    }

    @Test
    void eventsFieldsByKey() {
        String v2Events = "low 0\nhigh 0\nmax 1742\noom 3\noom_kill 2\noom_group_kill 0\n";
        assertEquals(Optional.of(2L), CgroupDir.parseField(v2Events, "oom_kill"));
        assertEquals(Optional.of(1742L), CgroupDir.parseField(v2Events, "max"));
        assertEquals(Optional.of(3L), CgroupDir.parseField(v2Events, "oom"), "oom, not oom_kill or oom_group_kill");
        assertEquals(Optional.of(0L), CgroupDir.parseField(v2Events, "oom_group_kill"));
        assertEquals(Optional.empty(), CgroupDir.parseField(v2Events, "oom_killed"));

        String v1OomControl = "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n";
        assertEquals(Optional.of(1L), CgroupDir.parseField(v1OomControl, "oom_kill"));
        assertEquals(Optional.of(0L), CgroupDir.parseField(v1OomControl, "oom_kill_disable"));
        // kernels before 4.13 have no oom_kill line in memory.oom_control: oomKills() then says 0
        assertEquals(Optional.empty(), CgroupDir.parseField("oom_kill_disable 0\nunder_oom 0", "oom_kill"));
        assertEquals(Optional.empty(), CgroupDir.parseField("", "oom_kill"));
        // lines of another shape are passed over, surrounding blanks are not
        assertEquals(Optional.of(7L), CgroupDir.parseField("  oom_kill   7  \nnoise\na b c\n", "oom_kill"));
    }

    @Test
    void procsOneALine() {
        assertEquals(List.of(1234L, 5678L), CgroupDir.parseProcs("1234\n5678"));
        assertEquals(List.of(), CgroupDir.parseProcs(""));
        assertEquals(List.of(42L), CgroupDir.parseProcs("\n42\n\n"));
    }

    static final LongSupplier NOT_ASKED = () -> {
        throw new AssertionError("the limit is not read here");
    };

    @Test
    void swapIsForbiddenByZeroInV2AndByTheMemoryLimitInV1() {
        assertTrue(MemoryCgroup.parseSwapForbidden("0", true, NOT_ASKED));
        assertFalse(MemoryCgroup.parseSwapForbidden("max", true, NOT_ASKED));
        assertFalse(MemoryCgroup.parseSwapForbidden("33554432", true, NOT_ASKED), "v2 swap.max is swap alone: only 0 forbids");

        long limit = 33554432L;
        assertTrue(MemoryCgroup.parseSwapForbidden("33554432", false, () -> limit), "memsw = memory: no room for swap");
        assertTrue(MemoryCgroup.parseSwapForbidden("16777216", false, () -> limit));
        assertFalse(MemoryCgroup.parseSwapForbidden("67108864", false, () -> limit));
        assertFalse(MemoryCgroup.parseSwapForbidden("9223372036854771712", false, () -> limit), "memsw unlimited");
        assertFalse(MemoryCgroup.parseSwapForbidden("max", false, NOT_ASKED));
    }

    /**
     * A v1 group nobody has limited has memory.limit_in_bytes and memory.memsw.limit_in_bytes both at "no limit":
     * swap is not forbidden (lab06's swap check passed for a group that was only made, before this was fixed), nor is
     * it with memsw limited but memory not.
     */
    @Test
    void v1WithNoLimitsAtAllDoesNotForbidSwap() {
        long noLimit = MemoryCgroup.parseLimit("9223372036854771712");
        assertFalse(MemoryCgroup.parseSwapForbidden("9223372036854771712", false, () -> noLimit));
        assertFalse(MemoryCgroup.parseSwapForbidden("33554432", false, () -> noLimit), "memory unlimited");
        assertTrue(MemoryCgroup.parseSwapForbidden("33554432", false, () -> 33554432L));
    }

    /**
     * OOM kills are read from v2's hierarchical memory.events (kills in the group and below it), never from
     * memory.events.local, whose oom_kill misses a hog that ran in a child group; v1 has only memory.oom_control.
     */
    @Test
    void oomKillsComeFromTheHierarchicalEventsFileOnV2() {
        Path nowhere = Path.of("/nonexistent/lab06");
        assertEquals("memory.events", MemoryCgroup.at(nowhere, Cgroups.Version.V2).file("oom"));
        assertEquals("memory.oom_control", MemoryCgroup.at(nowhere, Cgroups.Version.V1).file("oom"));
        assertTrue(MemoryCgroup.at(nowhere, Cgroups.Version.V1).ownLimitOoms().isEmpty(), "v1 keeps no per-limit OOM counter");
        String events = "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n";
        assertEquals(Optional.of(1L), CgroupDir.parseField(events, "oom_kill"));
        assertEquals(Optional.of(1L), CgroupDir.parseField(events, "oom"), "oom, not oom_kill or oom_group_kill");
        assertEquals(Optional.of(1L), CgroupDir.parseField("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", "oom_kill"));
    }

    /** memory.high and memory.soft_limit_in_bytes read as limits: "max" and v1's page-rounded LONG_MAX are none. */
    @Test
    void softLimitsParseLikeLimits() {
        assertEquals(Long.MAX_VALUE, MemoryCgroup.parseLimit("max"));
        assertEquals(Long.MAX_VALUE, MemoryCgroup.parseLimit("9223372036854771712"));
        assertEquals(33554432L, MemoryCgroup.parseLimit("33554432"));
    }

    @Test
    void eachControllerIsFoundInItsOwnV1HierarchyOrInTheV2Tree() {
        Function<Path, String> none = p -> "";
        assertEquals(new Cgroups.Root(Cgroups.Version.V1, Path.of("/sys/fs/cgroup/cpu,cpuacct")), Cgroups.parseRoot(HYBRID, "cpu", none));
        assertEquals(new Cgroups.Root(Cgroups.Version.V1, Path.of("/sys/fs/cgroup/cpu,cpuacct")), Cgroups.parseRoot(HYBRID, "cpuacct", none));
        assertEquals(new Cgroups.Root(Cgroups.Version.V1, Path.of("/sys/fs/cgroup/pids")), Cgroups.parseRoot(HYBRID, "pids", none));
        Function<Path, String> v2 = p -> p.equals(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? V2_CONTROLLERS : null;
        assertEquals(new Cgroups.Root(Cgroups.Version.V2, Path.of("/sys/fs/cgroup")), Cgroups.parseRoot(DEBIAN_12, "cpu", v2));
        assertEquals(new Cgroups.Root(Cgroups.Version.V2, Path.of("/sys/fs/cgroup")), Cgroups.parseRoot(DEBIAN_12, "pids", v2));
        assertNull(Cgroups.parseRoot(DEBIAN_12, "cpuacct", v2), "v2 has no cpuacct: its accounting is in cpu.stat");
    }

    @Test
    void aGroupHasOneDirectoryPerHierarchyAndOneShellLineJoinsThemAll() {
        var cpu = new Cgroups.Root(Cgroups.Version.V1, Path.of("/sys/fs/cgroup/cpu,cpuacct"));
        Group g = Group.at("lab/web", new java.util.LinkedHashMap<>(Map.of("cpu", cpu)));
        assertEquals(List.of(Path.of("/sys/fs/cgroup/cpu,cpuacct/lab/web")), g.dirs());
        var roots = new java.util.LinkedHashMap<String, Cgroups.Root>();
        roots.put("cpu", cpu);
        roots.put("cpuacct", cpu);
        roots.put("pids", new Cgroups.Root(Cgroups.Version.V1, Path.of("/sys/fs/cgroup/pids")));
        Group both = Group.at("lab", roots);
        assertEquals(2, both.dirs().size(), "cpu and cpuacct share a hierarchy: one directory");
        assertEquals("echo $$ > /sys/fs/cgroup/cpu,cpuacct/lab/web/cgroup.procs; echo $$ > /sys/fs/cgroup/pids/lab/web/cgroup.procs;",
            both.child("web").joinLine("cpu", "cpuacct", "pids"));
        assertFalse(both.v2());
        assertEquals("cpu.cfs_quota_us", both.file("quota"));
        var v2 = Group.at("lab", Map.of("cpu", new Cgroups.Root(Cgroups.Version.V2, Path.of("/sys/fs/cgroup")),
            "pids", new Cgroups.Root(Cgroups.Version.V2, Path.of("/sys/fs/cgroup"))));
        assertEquals(List.of(Path.of("/sys/fs/cgroup/lab")), v2.dirs());
        assertEquals("cpu.max", v2.file("quota"));
        assertEquals("cgroup.kill", v2.file("kill"));
    }

    @Test
    void cpuMaxIsAQuotaAndAPeriodOrNone() {
        assertTrue(Group.parseCpuMax("max 100000\n").isEmpty());
        assertEquals(0.2, Group.parseCpuMax("20000 100000").orElseThrow().cpus(), 1e-12);
        assertEquals(0.2, Group.parseCpuMax("200000 1000000").orElseThrow().cpus(), 1e-12);
        assertEquals(new Group.Quota(50000, 100000), Group.parseCpuMax("50000").orElseThrow(), "the period may be left out");
    }
}
