package dev.meshwave.git.pr;

/** A pull (merge) request to open or bring up to date: {@code head} into {@code base}. */
public record PullRequest(String head, String base, String title, String body) {}
