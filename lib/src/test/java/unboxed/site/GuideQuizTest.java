package unboxed.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import unboxed.lab.Lab;
import unboxed.lab.Question;

/**
 * The quizzes of every lab found in labs/ do not give their answers away: on the page no place (a, b, c...) holds
 * more than half of a lab's right answers, and in the lab's text the right answer is the longest choice in at most
 * half of its questions. Pure: no kernel, no browser.
 */
class GuideQuizTest {

    static List<Lab> labs() {
        List<Lab> labs = new ArrayList<>();
        for (LabSources.LabFile f : LabSources.discover(GuideRenderTest.ROOT.resolve("labs"))) labs.add(LabSources.load(f));
        assertTrue(labs.size() >= 6, "labs found: " + labs.size());
        return labs;
    }

    @Test
    void noPlaceHoldsMoreThanHalfOfALabsRightAnswers() {
        List<String> bad = new ArrayList<>();
        for (Lab lab : labs()) {
            if (lab.quiz.isEmpty()) continue;
            Map<Integer, Integer> at = new TreeMap<>();
            List<Quiz.Shown> shown = Quiz.arrange(lab.id, lab.quiz);
            for (Quiz.Shown s : shown) {
                at.merge(s.answer(), 1, Integer::sum);
                assertEquals(s.question().choices().get(s.question().answer()), s.choices().get(s.answer()), lab.id + ": the answer moved with its text");
                assertEquals(s.question().choices().stream().sorted().toList(), s.choices().stream().sorted().toList(), lab.id + ": the same choices");
            }
            int most = at.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            if (2 * most > shown.size()) bad.add(lab.id + ": right answers by place " + at + " of " + shown.size());
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void theRightAnswerIsTheLongestChoiceInAtMostHalfOfALabsQuestions() {
        List<String> bad = new ArrayList<>();
        for (Lab lab : labs()) {
            List<String> longest = new ArrayList<>();
            for (Question q : lab.quiz) {
                int right = q.choices().get(q.answer()).length();
                if (q.choices().stream().allMatch(c -> c.length() <= right)) longest.add("\"" + q.prompt() + "\"");
            }
            if (2 * longest.size() > lab.quiz.size()) {
                bad.add(lab.id + ": the right answer is the longest choice in " + longest.size() + " of " + lab.quiz.size()
                    + " questions (make a wrong answer as long and plausible, or shorten the right one): " + String.join(", ", longest));
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void theShuffleIsTheSameOnEveryBuildAndBalancedForAnyLab() {
        Lab lab = labs().stream().filter(l -> l.quiz.size() >= 3).findFirst().orElseThrow();
        assertEquals(Quiz.arrange(lab.id, lab.quiz), Quiz.arrange(lab.id, lab.quiz));
        // a lab whose every answer is "b" in its source: the page spreads them out
        List<Question> allB = new ArrayList<>();
        for (int i = 0; i < 9; i++) allB.add(new Question("q" + i, List.of("x" + i, "right" + i, "z" + i), 1, "why"));
        Map<Integer, Integer> at = new TreeMap<>();
        for (Quiz.Shown s : Quiz.arrange("lab99", allB)) at.merge(s.answer(), 1, Integer::sum);
        assertEquals(Map.of(0, 3, 1, 3, 2, 3), at);
        // a changed question gets another key: an answer kept for the old one is not applied to it
        Quiz.Shown first = Quiz.arrange("lab99", allB).get(0);
        assertFalse(first.key().equals(Quiz.key("q0 changed", first.choices(), first.answer())));
    }
}
