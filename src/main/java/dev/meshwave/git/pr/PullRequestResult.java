package dev.meshwave.git.pr;

/** What a provider did with one pull request, and where a person finds it (URL or file). */
public record PullRequestResult(Outcome outcome, String location) {

    public enum Outcome { CREATED, UPDATED, UNCHANGED }
}
