package unboxed.site;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import unboxed.lab.Question;

/**
 * A lab's quiz as its page shows it. The choices are shuffled when the page is built, from a seed fixed by the lab's
 * id (the same lab builds the same page, byte for byte, every time), and the right answer's place is balanced: each
 * question puts it where the lab's earlier questions put it least, so no place (a, b, c...) gives the answer away.
 */
final class Quiz {
    /** One question, its choices in the order the page shows them, {@code answer} indexing that order. */
    record Shown(Question question, List<String> choices, int answer, String key) {}

    private static final long SEED = 0x756e626f78656dL; // "unboxed": fixed, so every build shuffles alike

    private Quiz() {}

    static List<Shown> arrange(String labId, List<Question> questions) {
        Random r = new Random(SEED ^ labId.hashCode()); // String.hashCode is specified: the same on every JVM
        int most = questions.stream().mapToInt(q -> q.choices().size()).max().orElse(0);
        int[] used = new int[most];
        List<Shown> out = new ArrayList<>();
        for (Question q : questions) {
            int n = q.choices().size();
            int least = Integer.MAX_VALUE;
            List<Integer> places = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                if (used[p] < least) {
                    least = used[p];
                    places.clear();
                }
                if (used[p] == least) places.add(p);
            }
            int at = places.get(r.nextInt(places.size()));
            used[at]++;
            List<String> wrong = new ArrayList<>(q.choices());
            String right = wrong.remove(q.answer());
            Collections.shuffle(wrong, r);
            List<String> shown = new ArrayList<>(wrong);
            shown.add(at, right);
            out.add(new Shown(q, List.copyOf(shown), at, key(q.prompt(), shown, at)));
        }
        return out;
    }

    /**
     * What the page remembers an answer by: the question as shown (prompt, choices in order, answer). A rebuilt page
     * whose question changed, or was shuffled otherwise, has another key, so an old answer is not applied to it.
     */
    static String key(String prompt, List<String> shown, int answer) {
        CRC32 c = new CRC32();
        c.update((prompt + "\u0000" + String.join("\u0000", shown) + "\u0000" + answer).getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", c.getValue());
    }

    /** The template's model: n, prompt, choices (HTML), answer, why, key. */
    static List<Map<String, Object>> model(String labId, List<Question> questions) {
        List<Map<String, Object>> quiz = new ArrayList<>();
        List<Shown> shown = arrange(labId, questions);
        for (int i = 0; i < shown.size(); i++) {
            Shown s = shown.get(i);
            Map<String, Object> qm = new LinkedHashMap<>();
            qm.put("n", i + 1);
            qm.put("promptHtml", Markdown.inline(s.question().prompt()));
            qm.put("choices", s.choices().stream().map(Markdown::inline).toList());
            qm.put("answer", s.answer());
            qm.put("key", s.key());
            qm.put("whyHtml", Markdown.inline(s.question().why()));
            quiz.add(qm);
        }
        return quiz;
    }
}
