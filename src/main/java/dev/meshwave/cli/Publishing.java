package dev.meshwave.cli;

import dev.meshwave.git.InvalidRepositoryException;
import dev.meshwave.git.NetworkTimeout;
import dev.meshwave.git.RepositoryLocation;
import dev.meshwave.git.UnsafeRepositoryException;
import dev.meshwave.git.WavePublisher;
import dev.meshwave.git.pr.MarkdownFileProvider;
import dev.meshwave.git.pr.ProviderException;
import dev.meshwave.git.pr.PullRequest;
import dev.meshwave.git.pr.PullRequestProvider;
import dev.meshwave.inplace.RepositoryNamespaces;
import dev.meshwave.output.LiveStageReader;
import dev.meshwave.output.TreeWriter;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.Problem;
import dev.meshwave.render.ClusterSubset;
import dev.meshwave.render.NamespaceManifests;
import dev.meshwave.render.Renderer;
import dev.meshwave.rollout.RolloutComposer;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StagePlan;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

        @Mixin
        ClusterSelection.ShardOption shard;
    }

    private Publishing() {}

    /** The commits a command makes of a plan: every wave (rendered one at a time as each is committed), or one rollback. */
    @FunctionalInterface
    interface Steps {
        PublishPlanner.Steps of(PublishPlanner planner, Plan plan) throws RenderException, TemplateException;
    }

    /** Loads and checks the plan with the chosen templates, then commits, pushes and opens pull requests for its steps. */
    static int run(Path planFile, Options options, Environment environment, CommandSpec spec, Steps steps) throws Exception {
        // Before any use: --base becomes a ref name, and an unchecked one (../../etc/passwd) was read as a ref file.
        WavePublisher.requireBranchName("--base", options.base);
        Templates templates = Workflow.templates(options.templates.directory);
        PrintWriter err = spec.commandLine().getErr();
        // A cluster's namespacesFrom and in-place manifests are read from the base branch the waves are committed on,
        // before anything is planned.
        TeamNamespaces team = new TeamNamespaces();
        Plan plan = Workflow.load(planFile, err, templates, Optional.of(baseBranch(options, environment, team)),
                whole -> ClusterSelection.subset(whole, new ClusterSelection.NamesOption(), options.shard, spec)).plan();
        // A shard commits its clusters on branches of its own (meshwave/<plan>/shard-I-of-N/…), beside the other shards'.
        ClusterSubset subset = ClusterSelection.subset(plan, new ClusterSelection.NamesOption(), options.shard, spec);
        // Held before planning, so that no commit or pull-request text may carry it either.
        environment.redaction().holdUrlPassword(options.repo);
        return run(plan, subset, steps.of(new PublishPlanner(templates, environment.redaction(), team.manifests(), subset), plan), options,
                environment, spec.commandLine().getOut(), err);
    }

    /**
     * The base branch as the repository the waves go to has it (fetched, for a remote), written to a temporary
     * directory, where each cluster's {@code namespacesFrom} kustomization is built and checked; messages name
     * it {@code REPO@BASE}. Only for a plan that has a {@code namespacesFrom}: no other plan needs the repository
     * before its branches are made.
     */
    private static NamespacesFromBuild.Repository<Exception> baseBranch(Options options, Environment environment, TeamNamespaces team) {
        return (plan, err) -> {
            if (plan.clusters().stream().noneMatch(c -> c.namespacesFrom().isPresent() || c.inPlace())) {
                return new NamespacesFromBuild.Checked(plan, List.of());
            }
            RepositoryLocation location = RepositoryLocation.parse(options.repo, Path.of("").toAbsolutePath());
            WavePublisher.Settings settings = new WavePublisher.Settings(location, options.base, options.push, true,
                    options.workdir, identity(options.author, environment), environment.variables(), environment.redaction(),
                    NetworkTimeout.from(environment.variables()));
            Path scratch = java.nio.file.Files.createTempDirectory("meshwave-base-");
            try {
                if (new WavePublisher(settings).exportBase(scratch).isEmpty() && RepositoryNamespaces.needed(plan)) {
                    throw new InvalidRepositoryException("branch '" + options.base + "' does not exist yet, and the plan's in-place"
                            + " clusters (namespacesIn) edit the Namespace manifests it must hold");
                }
                String shown = location.displayUrl() + "@" + options.base;
                return TeamNamespaces.both(NamespacesFromBuild.check(plan, scratch, shown, environment, err), team, scratch, shown,
                        environment, true);
            } finally {
                dev.meshwave.output.TreeWriter.deleteTree(scratch);
            }
        };
    }

    /**
     * The provider first (a wrong setting fails before anything is pushed), then the branches, then the pull
     * requests of the branches the base does not have yet; the report says what happened as it happens.
     */
    private static int run(Plan plan, ClusterSubset subset, PublishPlanner.Steps steps, Options options, Environment environment,
            PrintWriter out, PrintWriter err) throws IOException, InvalidRepositoryException, UnsafeRepositoryException, ProviderException,
            RenderException, TemplateException {
        ProviderChoice.Kind kind = ProviderChoice.kind(options);
        RepositoryLocation location = RepositoryLocation.parse(options.repo, Path.of("").toAbsolutePath());
        NetworkTimeout timeout = NetworkTimeout.from(environment.variables());
        WavePublisher.Settings settings = new WavePublisher.Settings(location, options.base, options.push, options.dryRun,
                options.workdir, identity(options.author, environment), environment.variables(), environment.redaction(), timeout);
        Optional<PullRequestProvider> hosted = ProviderChoice.hosted(kind, options, environment, location, timeout);
        PublishReport report = PublishReport.of(options.format, plan.name(), options.dryRun, out);
        // A JSON run prints one object on stdout and nothing else, not even progress on stderr.
        Progress progress = new Progress(err, environment, options.quiet || options.format == JsonReport.Format.json);
        WavePublisher.Result result = commit(plan, subset, steps, settings, progress);
        report.branches(result);
        if (!options.dryRun) {
            openPullRequests(steps.done(), result, hosted.orElseGet(() -> new MarkdownFileProvider(result.workdir())), options.base, report);
        }
        report.finish(result);
        return ExitCodes.OK;
    }

    /** Commits every step on its branch (and pushes, with {@code --push}), one progress line per branch. */
    private static WavePublisher.Result commit(Plan plan, ClusterSubset subset, PublishPlanner.Steps steps,
            WavePublisher.Settings settings, Progress progress)
            throws IOException, InvalidRepositoryException, UnsafeRepositoryException, RenderException, TemplateException {
        // A shard reads and refuses only its own clusters' directories: the others are another shard's to publish.
        List<String> clusterPaths = subset.clusters(plan).stream().map(Plan.Cluster::path).toList();
        int total = steps.branches().size();
        try {
            return new WavePublisher(settings).publish(plan.name(), steps, clusterPaths, (branch, done) -> progress.item(
                    "committed " + branch.branch() + " (" + branch.status().name().toLowerCase(Locale.ROOT) + ")", done, total));
        } finally {
            progress.finish();
        }
    }

    private static void openPullRequests(List<PublishStep> steps, WavePublisher.Result result, PullRequestProvider provider, String base,
            PublishReport report) throws ProviderException {
        for (int i = 0; i < steps.size(); i++) {
            PublishStep step = steps.get(i);
            if (result.branches().get(i).status() == WavePublisher.Status.MERGED) {
                continue; // the base branch has it: no pull request to open or update
            }
            report.pullRequest(step.branch(), provider.publish(new PullRequest(step.branch(), prBase(step, steps, result, base),
                    step.title(), step.body())));
        }
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
