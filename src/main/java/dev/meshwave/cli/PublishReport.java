package dev.meshwave.cli;

import dev.meshwave.git.WavePublisher;
import dev.meshwave.git.pr.PullRequestResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code publish} and {@code rollback} say about their branches and pull requests, in the
 * {@code --format} chosen: {@link Text} prints each line as it happens, so a run stopped by a failing
 * pull request has already shown what it pushed; {@link Json} prints one object when the run is done,
 * and nothing when it fails.
 */
sealed interface PublishReport permits PublishReport.Text, PublishReport.Json {

    static PublishReport of(JsonReport.Format format, String plan, boolean dryRun, PrintWriter out) {
        return switch (format) {
            case text -> new Text(out, dryRun);
            case json -> new Json(out, plan, dryRun);
        };
    }

    /** The branches committed (with {@code --dry-run}: that would be). */
    void branches(WavePublisher.Result result);

    /** A wave's pull request, opened, updated or as it was. */
    void pullRequest(String branch, PullRequestResult pullRequest);

    /** The run is done. */
    void finish(WavePublisher.Result result);

    private static String lowerCase(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** Lines for a person: one per branch and per pull request, and where branches that were not pushed are. */
    record Text(PrintWriter out, boolean dryRun) implements PublishReport {

        @Override
        public void branches(WavePublisher.Result result) {
            String verb = dryRun ? "would be " : "";
            for (WavePublisher.BranchResult branch : result.branches()) {
                out.printf(Locale.ROOT, "%s%s %s %s%s%n", verb, lowerCase(branch.status()), branch.branch(),
                        branch.commit().substring(0, 12), branch.pushed() ? " (pushed)" : branch.localOnly() ? " (local, not pushed)" : "");
            }
        }

        @Override
        public void pullRequest(String branch, PullRequestResult pullRequest) {
            out.printf(Locale.ROOT, "pull request %s: %s %s%n", branch, lowerCase(pullRequest.outcome()), pullRequest.location());
        }

        @Override
        public void finish(WavePublisher.Result result) {
            long localOnly = result.branches().stream().filter(WavePublisher.BranchResult::localOnly).count();
            if (dryRun || localOnly == 0) {
                return;
            }
            // "created" alone would read as created where the team can see it: say where the branches are and how to push them.
            out.printf(Locale.ROOT, "not pushed: %s only in meshwave's work repository %s, not in %s; run again with --push to push %s%n",
                    localOnly == 1 ? "1 branch is" : localOnly + " branches are", result.repository(), result.remote(),
                    localOnly == 1 ? "it" : "them");
        }
    }

    /** One {@code meshwave.publish/v1} object (for rollback too) with every branch and pull request. */
    final class Json implements PublishReport {

        private final PrintWriter out;
        private final String plan;
        private final boolean dryRun;
        private final List<Object> branches = new ArrayList<>();
        private final List<Object> pullRequests = new ArrayList<>();

        Json(PrintWriter out, String plan, boolean dryRun) {
            this.out = out;
            this.plan = plan;
            this.dryRun = dryRun;
        }

        @Override
        public void branches(WavePublisher.Result result) {
            for (WavePublisher.BranchResult branch : result.branches()) {
                branches.add(JsonReport.object("branch", branch.branch(), "status", lowerCase(branch.status()),
                        "commit", branch.commit(), "pushed", branch.pushed(), "localOnly", branch.localOnly()));
            }
        }

        @Override
        public void pullRequest(String branch, PullRequestResult pullRequest) {
            pullRequests.add(JsonReport.object("branch", branch, "outcome", lowerCase(pullRequest.outcome()), "location", pullRequest.location()));
        }

        @Override
        public void finish(WavePublisher.Result result) {
            new JsonReport("publish").with("plan", plan).with("dryRun", dryRun).with("branches", branches)
                    .with("pullRequests", pullRequests).with("localRepository", result.repository().toString()).print(out);
        }
    }
}
