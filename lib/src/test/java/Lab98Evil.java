import unboxed.lab.Bench;
import unboxed.lab.Check;
import unboxed.lab.Lab;
import unboxed.lab.Topology;

/**
 * Not a lab: every text a lab hands the guide generator, made hostile, for GuideRenderTest (the guide must show it as
 * text). GuideRenderTest copies this file into a scratch checkout as labs/lab98-evil.java; the class is compiled with
 * the tests, in the default package like the real labs.
 */
class Lab98Evil {
    static final String X = "<script>alert('x')</script>";

    static Lab lab() {
        return Lab.define("lab98", "Evil " + X)
            .summary("summary " + X)
            .minutes(5)
            .objectives("objective " + X)
            .prerequisites("prerequisite " + X)
            .needs("sh")
            .story("story " + X + "\n\n<img src=x onerror=alert(1)> and [a link](javascript:alert(1))")
            .step("step " + X, s -> s
                .explain("explain " + X)
                .shell("echo '" + X + "'")
                .does(Lab98Evil::evilStep)
                .observe("observe " + X))
            .topology("picture " + X, t -> t
                .host()
                .netns("ns" + X, "caption " + X)
                .veth(Topology.HOST, "dev" + X, "10.0.0.1/24" + X, "ns" + X, "peer" + X, "10.0.0.2/24")
                .nat("ns" + X, "rule " + X))
            .diagram("diagram " + X, d -> d
                .panel("panel " + X, "caption " + X)
                .node("node " + X, "note " + X).mark()
                .node("  child " + X).yours()
                .panel("other " + X, "")
                .node("/")
                .arrow("panel " + X, "node " + X, "other " + X, "/", "label " + X))
            .exercise("exercise " + X)
            .check("c1", "check " + X, 1, "hint " + X, Check.Verdict::pass)
            .question("prompt " + X, 0, "why " + X, "choice " + X, "other " + X)
            .build();
    }

    /** A step whose code, quoted in the guide, says "</script><script>alert(3)</script>". */
    static void evilStep(Bench b) {
        b.show("</script><script>alert(3)</script>", X);
    }
}
