package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshwave.git.WavePublisher;
import dev.meshwave.git.pr.PullRequestResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What publish and rollback print, in each format, and when. */
class PublishReportTest {

    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    private static final WavePublisher.Result LOCAL = new WavePublisher.Result(List.of(
            new WavePublisher.BranchResult("meshwave/p/00-control-plane", COMMIT, WavePublisher.Status.CREATED, false, true),
            new WavePublisher.BranchResult("meshwave/p/01-apps", COMMIT, WavePublisher.Status.MERGED, false, false)),
            Path.of("/srv/gitops"), "file:///remote.git/", Path.of("/srv/gitops/repo.git"));

    private static final PullRequestResult OPENED = new PullRequestResult(PullRequestResult.Outcome.CREATED, "/srv/gitops/pr.md");

    private static PublishReport report(JsonReport.Format format, boolean dryRun, StringWriter out) {
        return PublishReport.of(format, "p", dryRun, new PrintWriter(out, true));
    }

    @Nested
    class Text {

        @Test
        void printsEachLineAsItHappensAndSaysWhereUnpushedBranchesAre() {
            StringWriter out = new StringWriter();
            PublishReport report = report(JsonReport.Format.text, false, out);
            report.branches(LOCAL);
            assertEquals("created meshwave/p/00-control-plane 0123456789ab (local, not pushed)\n"
                    + "merged meshwave/p/01-apps 0123456789ab\n", out.toString());
            report.pullRequest("meshwave/p/00-control-plane", OPENED);
            report.finish(LOCAL);
            assertEquals("created meshwave/p/00-control-plane 0123456789ab (local, not pushed)\n"
                    + "merged meshwave/p/01-apps 0123456789ab\n"
                    + "pull request meshwave/p/00-control-plane: created /srv/gitops/pr.md\n"
                    + "not pushed: 1 branch is only in meshwave's work repository /srv/gitops/repo.git, not in file:///remote.git/;"
                    + " run again with --push to push it\n", out.toString());
        }

        @Test
        void aDryRunSaysWouldBeAndNothingAboutPushing() {
            StringWriter out = new StringWriter();
            PublishReport report = report(JsonReport.Format.text, true, out);
            report.branches(LOCAL);
            report.finish(LOCAL);
            assertEquals("would be created meshwave/p/00-control-plane 0123456789ab (local, not pushed)\n"
                    + "would be merged meshwave/p/01-apps 0123456789ab\n", out.toString());
        }
    }

    @Nested
    class Json {

        @Test
        void printsOneObjectWhenTheRunIsDoneAndNothingBefore() {
            StringWriter out = new StringWriter();
            PublishReport report = report(JsonReport.Format.json, false, out);
            report.branches(LOCAL);
            report.pullRequest("meshwave/p/00-control-plane", OPENED);
            assertEquals("", out.toString(), "a run that fails now prints no half report");
            report.finish(LOCAL);
            assertEquals(String.join(System.lineSeparator(), "{",
                    "  \"format\" : \"meshwave.publish/v1\",",
                    "  \"plan\" : \"p\",",
                    "  \"dryRun\" : false,",
                    "  \"branches\" : [ {",
                    "    \"branch\" : \"meshwave/p/00-control-plane\",",
                    "    \"status\" : \"created\",",
                    "    \"commit\" : \"" + COMMIT + "\",",
                    "    \"pushed\" : false,",
                    "    \"localOnly\" : true",
                    "  }, {",
                    "    \"branch\" : \"meshwave/p/01-apps\",",
                    "    \"status\" : \"merged\",",
                    "    \"commit\" : \"" + COMMIT + "\",",
                    "    \"pushed\" : false,",
                    "    \"localOnly\" : false",
                    "  } ],",
                    "  \"pullRequests\" : [ {",
                    "    \"branch\" : \"meshwave/p/00-control-plane\",",
                    "    \"outcome\" : \"created\",",
                    "    \"location\" : \"/srv/gitops/pr.md\"",
                    "  } ],",
                    "  \"localRepository\" : \"/srv/gitops/repo.git\"",
                    "}") + "\n", out.toString());
        }
    }
}
