package dev.dockhand.agent.core;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem found in one pass, so the user sees them all at once. */
public final class Problems {
    private final List<String> list = new ArrayList<>();

    public void add(String problem) {
        list.add(problem);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<String> list() {
        return List.copyOf(list);
    }

    public void addAll(List<String> problems) {
        list.addAll(problems);
    }

    /** Throws an {@link InvalidInputException} carrying every problem, if there is any. */
    public void throwIfAny() {
        if (!list.isEmpty()) {
            throw new InvalidInputException(list);
        }
    }
}
