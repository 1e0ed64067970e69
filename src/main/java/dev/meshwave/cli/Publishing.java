package dev.meshwave.cli;

import dev.meshwave.git.GitCredentials;
import dev.meshwave.git.InvalidRepositoryException;
import dev.meshwave.git.NetworkTimeout;
import dev.meshwave.git.RepositoryLocation;
import dev.meshwave.git.UnsafeRepositoryException;
import dev.meshwave.git.WavePublisher;
import dev.meshwave.git.pr.GitHubProvider;
import dev.meshwave.git.pr.GitLabProvider;
import dev.meshwave.git.pr.MarkdownFileProvider;
import dev.meshwave.git.pr.ProviderException;
import dev.meshwave.git.pr.PullRequest;
import dev.meshwave.git.pr.PullRequestProvider;
import dev.meshwave.git.pr.PullRequestResult;
import dev.meshwave.git.pr.RemoteRepository;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.Redaction;
import dev.meshwave.render.PublishPlanner;
import dev.meshwave.render.PublishStep;
import dev.meshwave.render.RenderException;
import dev.meshwave.render.TemplateException;
import dev.meshwave.render.Templates;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Options and steps shared by {@code publish} and {@code rollback}: commit, push, open pull requests. */
final class Publishing {

    private static final Pattern AUTHOR = Pattern.compile("^\\s*([^<>]+?)\\s*<([^<>\\s]+)>\\s*$");

    /** The options both commands take (a picocli mixin). */
    static final class Options {
        @Option(names = "--repo", required = true, paramLabel = "REPO",
                description = "GitOps repository: a working copy, a bare repository, or a file://, https:// or ssh:// URL.")
        String repo;

        @Option(names = "--base", defaultValue = "main", paramLabel = "BRANCH", description = "Branch the first wave is based on (default: ${DEFAULT-VALUE}).")
        String base;

        @Option(names = "--push", description = "Push the branches to the remote (never forced). Without it, a bare repository"
                + " or URL gets them only in meshwave's work clone (see --workdir).")
        boolean push;

        @Option(names = "--pr", defaultValue = "none", paramLabel = "PROVIDER",
                description = "Pull requests: github, gitlab, or none (Markdown files in the work directory; default).")
        String pr;

        @Option(names = "--pr-api", paramLabel = "URL", description = "API base URL (GitHub Enterprise, self-hosted GitLab).")
        URI prApi;

        @Option(names = "--pr-repo", paramLabel = "OWNER/NAME", description = "Repository or project path for the API (default: from the remote URL).")
        String prRepo;

        @Option(names = "--dry-run", description = "Show what would be committed and pushed; change nothing.")
        boolean dryRun;

        @Option(names = "--workdir", paramLabel = "DIR",
                description = "Where a remote repository is cloned (default: a cache directory under $XDG_CACHE_HOME or ~/.cache).")
        Path workdir;

        @Option(names = "--author", paramLabel = "'NAME <EMAIL>'", defaultValue = "meshwave <meshwave@localhost>",
                description = "Author and committer of the commits (default: ${DEFAULT-VALUE}). Commit time: SOURCE_DATE_EPOCH, else now.")
        String author;

        @Mixin
        PlanArguments.TemplateOverrides templates;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
                description = "text (default), or json: one object on stdout with every branch and pull request.")
        JsonReport.Format format;

        @Option(names = "--quiet", description = "No progress lines on stderr.")
        boolean quiet;
    }

    private Publishing() {}

    /** The commits a command makes of a plan: every wave, or one rollback. */
    @FunctionalInterface
    interface Steps {
        List<PublishStep> of(PublishPlanner planner, Plan plan) throws RenderException, TemplateException;
    }

    /** Loads and checks the plan with the chosen templates, then commits, pushes and opens pull requests for its steps. */
    static int run(Path planFile, Options options, Environment environment, CommandSpec spec, Steps steps) throws Exception {
        // Before any use: --base becomes a ref name, and an unchecked one (../../etc/passwd) was read as a ref file.
        WavePublisher.requireBranchName("--base", options.base);
        Templates templates = Workflow.templates(options.templates.directory);
        PrintWriter err = spec.commandLine().getErr();
        Plan plan = Workflow.load(planFile, err, templates).plan();
        // Held before planning, so that no commit or pull-request text may carry it either.
        environment.redaction().holdUrlPassword(options.repo);
        return run(plan, steps.of(new PublishPlanner(templates, environment.redaction()), plan), options, environment,
                spec.commandLine().getOut(), err);
    }

    private static int run(Plan plan, List<PublishStep> steps, Options options, Environment environment, PrintWriter out, PrintWriter err)
            throws IOException, InvalidRepositoryException, UnsafeRepositoryException, ProviderException {
        if (!options.pr.equals("none") && !options.push && !options.dryRun) {
            throw new InvalidRepositoryException("--pr " + options.pr + " needs --push: a pull request needs its branch on the remote");
        }
        if (!List.of("none", "github", "gitlab").contains(options.pr)) {
            throw new InvalidRepositoryException("--pr " + options.pr + " is not a provider (expected github, gitlab or none)");
        }
        RepositoryLocation location = RepositoryLocation.parse(options.repo, Path.of("").toAbsolutePath());
        NetworkTimeout timeout = NetworkTimeout.from(environment.variables());
        WavePublisher.Settings settings = new WavePublisher.Settings(location, options.base, options.push, options.dryRun,
                options.workdir, identity(options.author, environment), environment.variables(), environment.redaction(), timeout);
        // A hosted provider is set up (token, owner/name) before anything is pushed, so a wrong setting
        // fails before the branches exist rather than after.
        PullRequestProvider hosted = options.pr.equals("none") ? null
                : provider(options, environment, location.kind() == RepositoryLocation.Kind.REMOTE ? location.url()
                        : WavePublisher.originUrl(location), location, timeout);
        List<String> clusterPaths = plan.clusters().stream().map(Plan.Cluster::path).toList();
        boolean json = options.format == JsonReport.Format.json;
        Progress progress = new Progress(err, environment, options.quiet || json);
        WavePublisher.Result result;
        try {
            result = new WavePublisher(settings).publish(plan.name(), steps, clusterPaths, (branch, done) -> progress.item(
                    "committed " + branch.branch() + " (" + branch.status().name().toLowerCase(Locale.ROOT) + ")", done, steps.size()));
        } finally {
            progress.finish();
        }
        String verb = options.dryRun ? "would be " : "";
        List<Object> branches = new java.util.ArrayList<>();
        List<Object> pullRequests = new java.util.ArrayList<>();
        for (WavePublisher.BranchResult branch : result.branches()) {
            if (json) {
                branches.add(JsonReport.object("branch", branch.branch(), "status", branch.status().name().toLowerCase(Locale.ROOT),
                        "commit", branch.commit(), "pushed", branch.pushed(), "localOnly", branch.localOnly()));
            } else {
                out.printf(Locale.ROOT, "%s%s %s %s%s%n", verb, branch.status().name().toLowerCase(Locale.ROOT), branch.branch(),
                        branch.commit().substring(0, 12), branch.pushed() ? " (pushed)" : branch.localOnly() ? " (local, not pushed)" : "");
            }
        }
        JsonReport report = new JsonReport("publish").with("plan", plan.name()).with("dryRun", options.dryRun)
                .with("branches", branches).with("pullRequests", pullRequests)
                .with("localRepository", result.repository().toString());
        if (options.dryRun) {
            if (json) {
                report.print(out);
            }
            return ExitCodes.OK;
        }
        PullRequestProvider provider = hosted != null ? hosted : new MarkdownFileProvider(result.workdir());
        for (int i = 0; i < steps.size(); i++) {
            PublishStep step = steps.get(i);
            if (result.branches().get(i).status() == WavePublisher.Status.MERGED) {
                continue; // the base branch has it: no pull request to open or update
            }
            PullRequestResult pr = provider.publish(new PullRequest(step.branch(), prBase(step, steps, result, options.base),
                    step.title(), step.body()));
            if (json) {
                pullRequests.add(JsonReport.object("branch", step.branch(), "outcome", pr.outcome().name().toLowerCase(Locale.ROOT),
                        "location", pr.location()));
            } else {
                out.printf(Locale.ROOT, "pull request %s: %s %s%n", step.branch(), pr.outcome().name().toLowerCase(Locale.ROOT), pr.location());
            }
        }
        long localOnly = result.branches().stream().filter(WavePublisher.BranchResult::localOnly).count();
        if (json) {
            report.print(out);
        } else if (localOnly > 0) {
            // "created" alone would read as created where the team can see it: say where the branches are and how to push them.
            out.printf(Locale.ROOT, "not pushed: %s only in meshwave's work repository %s, not in %s; run again with --push to push %s%n",
                    localOnly == 1 ? "1 branch is" : localOnly + " branches are", result.repository(), result.remote(),
                    localOnly == 1 ? "it" : "them");
        }
        return ExitCodes.OK;
    }

    /** A wave's request goes into the branch below it, or into the base once that one is merged. */
    private static String prBase(PublishStep step, List<PublishStep> steps, WavePublisher.Result result, String base) {
        if (step.parentBranch().isEmpty()) {
            return base;
        }
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).branch().equals(step.parentBranch().get())) {
                return result.branches().get(i).status() == WavePublisher.Status.MERGED ? base : step.parentBranch().get();
            }
        }
        return step.parentBranch().get();
    }

    private static PullRequestProvider provider(Options options, Environment environment, String remoteUrl,
            RepositoryLocation location, NetworkTimeout timeout) throws InvalidRepositoryException {
        String token = GitCredentials.token(environment.variables()).orElseThrow(() -> new InvalidRepositoryException(
                "--pr " + options.pr + " needs a token in MESHWAVE_GIT_TOKEN, GITHUB_TOKEN or GITLAB_TOKEN"));
        if (options.prApi != null && !GitCredentials.mayCarryCredentials(options.prApi.getScheme(), options.prApi.getHost())) {
            throw new InvalidRepositoryException("--pr-api " + Redaction.url(options.prApi.toString()) + ": "
                    + GitCredentials.WHERE_CREDENTIALS_GO);
        }
        try {
            // --pr-repo names the repository; without it, the remote URL names it and the API's host.
            Optional<RemoteRepository> remote = options.prRepo != null ? Optional.empty() : Optional.of(RemoteRepository.parse(remoteUrl));
            if (options.pr.equals("github")) {
                URI api = options.prApi != null ? options.prApi
                        : remote.map(RemoteRepository::gitHubApiBase).orElse(GitHubProvider.DEFAULT_API_BASE);
                String path = remote.map(r -> r.owner() + "/" + r.name()).orElse(options.prRepo);
                int slash = path.indexOf('/');
                if (slash <= 0 || slash != path.lastIndexOf('/')) {
                    throw new InvalidRepositoryException("--pr-repo " + path + " must be OWNER/NAME for GitHub");
                }
                return GitHubProvider.create(api, path.substring(0, slash), path.substring(slash + 1), token, timeout);
            }
            URI api = options.prApi != null ? options.prApi
                    : remote.map(RemoteRepository::gitLabApiBase).orElse(GitLabProvider.DEFAULT_API_BASE);
            return GitLabProvider.create(api, remote.map(RemoteRepository::projectPath).orElse(options.prRepo), token, timeout);
        } catch (IllegalArgumentException e) {
            String why = Redaction.url(String.valueOf(e.getMessage()));
            throw new InvalidRepositoryException(options.prRepo != null ? "--pr-repo " + options.prRepo + ": " + why
                    : "cannot tell the repository's owner and name for --pr " + options.pr + " from " + location.displayUrl()
                            + " (" + why + "); pass --pr-repo OWNER/NAME");
        }
    }

    static WavePublisher.Identity identity(String author, Environment environment) throws InvalidRepositoryException {
        Matcher m = AUTHOR.matcher(author);
        if (!m.matches()) {
            throw new InvalidRepositoryException("--author '" + author + "' must look like 'Name <email>'");
        }
        String epoch = environment.variables().get("SOURCE_DATE_EPOCH");
        Instant when = epoch != null && !epoch.isBlank() ? sourceDateEpoch(epoch.trim()) : environment.clock().instant();
        return new WavePublisher.Identity(m.group(1), m.group(2), when);
    }

    /** The last second git and {@link Instant} both write as a plain date: 9999-12-31T23:59:59Z. */
    private static final long LAST_EPOCH_SECOND = 253_402_300_799L;

    /**
     * A commit time git accepts: whole seconds from 0 (git's fsck refuses negative dates) to the year 9999;
     * anything else was an internal error (exit 4) when it reached {@link Instant} or the commit.
     */
    private static Instant sourceDateEpoch(String epoch) throws InvalidRepositoryException {
        String shown = epoch.length() > 40 ? epoch.substring(0, 40) + "…" : epoch;
        try {
            long seconds = Long.parseLong(epoch);
            if (seconds >= 0 && seconds <= LAST_EPOCH_SECOND) {
                return Instant.ofEpochSecond(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRepositoryException("SOURCE_DATE_EPOCH '" + shown + "' must be a whole number of seconds from 0 to "
                + LAST_EPOCH_SECOND + " (9999-12-31)");
    }
}
