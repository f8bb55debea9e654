package unboxed.lab;

import java.util.List;

/** A predict-then-observe quiz question: choices, the index of the right one, and why it is right. */
public record Question(String prompt, List<String> choices, int answer, String why) {
    public Question {
        if (answer < 0 || answer >= choices.size()) throw new IllegalArgumentException("answer out of range: " + prompt);
    }
}
