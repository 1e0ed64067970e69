package dev.meshwave.git;

import dev.meshwave.plan.Redaction;
import dev.meshwave.render.PublishPlanner;
import dev.meshwave.render.PublishStep;
import dev.meshwave.render.RenderException;
import dev.meshwave.render.TemplateException;
import dev.meshwave.rollout.StageName;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;

/**
 * Commits each {@link PublishStep} on its own branch, stacked on the one before, and pushes them.
 *
 * <p>A branch that already holds the step's tree is left alone, so re-publishing an unchanged plan
 * changes nothing. A branch whose tree differs gets one new commit on top of its tip (and, when the
 * branch below it moved, that branch's tip as a second parent), so every push is a fast-forward:
 * nothing is ever force-pushed. Branches holding commits meshwave did not make are refused.
 */
public final class WavePublisher {

    /** Author and committer of every commit, and its time. */
    public record Identity(String name, String email, Instant when) {
        PersonIdent person() {
            return new PersonIdent(name, email, when, ZoneOffset.UTC);
        }
    }

    /**
     * How and where to publish; credentials come from {@code environment}, and {@code redaction} is the
     * run's, so that what a credential helper answers is hidden from everything the run prints.
     */
    public record Settings(
            RepositoryLocation location,
            String base,
            boolean push,
            boolean dryRun,
            Path workdir,
            Identity identity,
            Map<String, String> environment,
            Redaction redaction,
            NetworkTimeout timeout) {

        CredentialsProvider credentials() {
            return GitCredentials.provider(environment, location.url(), redaction, timeout.connect());
        }
    }

    /** MERGED: the base branch already holds this wave (merged, squashed, or its live stage is past it); left alone. */
    public enum Status { CREATED, UPDATED, UNCHANGED, MERGED }

    /**
     * One branch of the run. {@code localOnly}: the commit is only in meshwave's own work repository (a
     * bare repository or URL was given without {@code --push}), so nobody else can see the branch yet.
     */
    public record BranchResult(String branch, String commit, Status status, boolean pushed, boolean localOnly) {}

    /** {@code repository} is the git directory the branches were written to: the working copy's, or meshwave's work clone. */
    public record Result(List<BranchResult> branches, Path workdir, String remote, Path repository) {}

    /** Marks a commit as meshwave's for this plan: what {@code refuseForeignCommits} reads. */
    static final String PLAN_TRAILER = "Meshwave-Plan: ";
    /**
     * For people and their tools ({@code git log --grep}), as docs/publish.md promises; meshwave itself
     * never reads it: a step's live stages come with the step, and the base branch's from its tree.
     */
    static final String STAGE_TRAILER = "Meshwave-Stage: ";

    private final Settings settings;

    public WavePublisher(Settings settings) {
        this.settings = settings;
    }

    /**
     * Refuses what git would not take as a branch name (JGit's own rule), before it is used anywhere: an
     * unchecked {@code --base ../../../../etc/passwd} was opened as a loose ref file and its first line printed.
     */
    public static void requireBranchName(String option, String name) throws InvalidRepositoryException {
        if (name == null || name.isEmpty() || !Repository.isValidRefName(Constants.R_HEADS + name)) {
            String shown = name == null ? "" : name.codePoints().limit(80)
                    .map(c -> Character.isISOControl(c) ? '?' : c)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            throw new InvalidRepositoryException(option + " '" + shown + "' is not a valid git branch name");
        }
    }

    /** The URL of a working copy's origin, or null; for telling a pull-request provider where the repository is. */
    public static String originUrl(RepositoryLocation location) throws IOException {
        if (location.kind() != RepositoryLocation.Kind.WORKING_COPY) {
            return location.url();
        }
        try (Repository repository = new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
                .setWorkTree(location.workingCopy().toFile()).setMustExist(true).build()) {
            return repository.getConfig().getString("remote", WorkRepository.REMOTE, "url");
        }
    }

    public Result publish(String planName, PublishPlanner.Steps steps, List<String> clusterPaths)
            throws IOException, UnsafeRepositoryException, InvalidRepositoryException, RenderException, TemplateException {
        return publish(planName, steps, clusterPaths, (branch, done) -> { });
    }

    /** The largest file {@link #exportBase} writes out, as large as any file {@code lint} reads. */
    private static final long EXPORTED_FILE_BYTES = 16L << 20;

    /**
     * Writes the files of the base branch (as {@link #publish} will build on it: fetched first from a remote) under
     * {@code target}, an empty directory, so that a kustomization of the repository (a cluster's {@code namespacesFrom})
     * can be built as the published branches will carry it. Regular files only (no symbolic links, no submodules);
     * returns the base commit, or empty for a repository without the base branch yet (nothing written).
     */
    public Optional<String> exportBase(Path target) throws IOException, UnsafeRepositoryException, InvalidRepositoryException {
        requireBranchName("--base", settings.base());
        try (WorkRepository work = WorkRepository.open(settings.location(), settings.workdir(), settings.environment());
             SshTransport ssh = new SshTransport(settings.environment(), settings.timeout().connect())) {
            Repository repository = work.repository();
            boolean useRemote = fetchIfRemote(work, ssh);
            try (RevWalk walk = new RevWalk(repository);
                 org.eclipse.jgit.treewalk.TreeWalk tree = new org.eclipse.jgit.treewalk.TreeWalk(repository)) {
                Optional<RevCommit> base = baseTip(work, walk, useRemote);
                if (base.isEmpty()) {
                    return Optional.empty();
                }
                tree.addTree(base.get().getTree());
                tree.setRecursive(true);
                Path root = target.toAbsolutePath().normalize();
                while (tree.next()) {
                    if (!tree.getFileMode(0).equals(org.eclipse.jgit.lib.FileMode.REGULAR_FILE)
                            && !tree.getFileMode(0).equals(org.eclipse.jgit.lib.FileMode.EXECUTABLE_FILE)) {
                        continue;
                    }
                    Path file = root.resolve(tree.getPathString()).normalize();
                    if (!file.startsWith(root)) {
                        continue; // git refuses such paths; never write outside target if one got in
                    }
                    org.eclipse.jgit.lib.ObjectLoader blob = repository.open(tree.getObjectId(0));
                    if (blob.getSize() > EXPORTED_FILE_BYTES) {
                        continue; // no manifest is this large (lint reads none over 16 MiB); a kustomization naming it will say it is missing
                    }
                    java.nio.file.Files.createDirectories(file.getParent());
                    try (java.io.OutputStream output = java.nio.file.Files.newOutputStream(file)) {
                        blob.copyTo(output);
                    }
                }
                return Optional.of(base.get().name());
            }
        }
    }

    /**
     * Fetches the remote when the branches are built on it: always for a bare repository or URL, for a working copy
     * only when pushing. Returns whether the remote's branches are the ones to build on.
     */
    private boolean fetchIfRemote(WorkRepository work, SshTransport ssh)
            throws IOException, InvalidRepositoryException, UnsafeRepositoryException {
        boolean useRemote = work.hasRemote() && (!work.isWorkingCopy() || settings.push());
        if (useRemote) {
            work.fetch(settings.credentials(), ssh, settings.redaction(), settings.timeout());
        }
        return useRemote;
    }

    /** Reports each branch as its commit is made, and the push. */
    @FunctionalInterface
    public interface Progress {
        void branch(BranchResult branch, int done);
    }

    /**
     * Renders each step as it commits it ({@code steps} hands its files to a {@link BranchTree}, which makes them git
     * objects cluster by cluster), so a fleet's branches are built in memory that does not grow with the fleet. No
     * branch moves until every step was rendered and committed: a step that fails leaves only unreferenced objects
     * (as a dry run does), which gc collects.
     */
    public Result publish(String planName, PublishPlanner.Steps steps, List<String> clusterPaths, Progress progress)
            throws IOException, UnsafeRepositoryException, InvalidRepositoryException, RenderException, TemplateException {
        requireBranchName("--base", settings.base());
        for (String branch : steps.branches()) {
            requireBranchName("the plan's branch", branch);
        }
        try (WorkRepository work = WorkRepository.open(settings.location(), settings.workdir(), settings.environment());
             SshTransport ssh = new SshTransport(settings.environment(), settings.timeout().connect())) {
            Repository repository = work.repository();
            boolean useRemote = fetchIfRemote(work, ssh);
            if (work.isWorkingCopy()) {
                refuseUncommittedChanges(repository, clusterPaths);
            }
            try (RevWalk walk = new RevWalk(repository);
                 // A dry run still writes objects (unreferenced, collected by gc) but moves no branch and pushes nothing.
                 ObjectInserter inserter = repository.newObjectInserter();
                 ObjectReader reader = repository.newObjectReader()) {
                Optional<RevCommit> base = baseTip(work, walk, useRemote);
                Map<String, ObjectId> updates = new LinkedHashMap<>();
                List<BranchResult> results = new ArrayList<>();
                ObjectId previousTip = null;
                if (base.isPresent()) {
                    refuseForeignClusterDirectories(reader, base.get().getTree(), clusterPaths);
                }
                Map<String, Integer> baseLive = base.isPresent() ? liveStages(reader, base.get().getTree(), clusterPaths, planName) : Map.of();
                ObjectId previousRendered = null;
                while (steps.hasNext()) {
                    BranchTree files = new BranchTree(reader, inserter, previousRendered);
                    PublishStep step = steps.next(files);
                    previousRendered = files.rendered();
                    if (step.rollback()) {
                        checkRollback(step, base.isPresent() ? baseLive : Map.of());
                    }
                    if (base.isPresent() && !step.rollback() && alreadyInBase(step, baseLive, clusterPaths)) {
                        results.add(new BranchResult(step.branch(), base.get().name(), Status.MERGED, false, false));
                        progress.branch(results.get(results.size() - 1), results.size());
                        previousTip = base.get();
                        continue;
                    }
                    RevCommit parent = parentTip(work, walk, step, previousTip, base, useRemote);
                    Optional<RevCommit> current = currentTip(work, walk, step.branch(), base, planName, useRemote);
                    // Only the step's cluster directories are replaced (a rollback touches just the clusters its wave moved).
                    ObjectId tree = files.compose(parent == null ? null : parent.getTree());
                    ObjectId tip;
                    Status status;
                    if (current.isPresent() && current.get().getTree().equals(tree)) {
                        tip = current.get();
                        status = Status.UNCHANGED;
                    } else {
                        List<ObjectId> parents = new ArrayList<>();
                        current.ifPresent(parents::add);
                        if (parent != null && (current.isEmpty() || !walk.isMergedInto(parent, current.get()))) {
                            parents.add(parent);
                        }
                        tip = commit(inserter, tree, parents, step, planName);
                        status = current.isPresent() ? Status.UPDATED : Status.CREATED;
                    }
                    if (!tip.equals(work.local(step.branch()).orElse(null))) {
                        updates.put(step.branch(), tip);
                    }
                    boolean needsPush = useRemote && !tip.equals(work.remote(step.branch()).orElse(null));
                    results.add(new BranchResult(step.branch(), tip.name(), status, needsPush && settings.push() && !settings.dryRun(),
                            needsPush && !settings.push() && !settings.dryRun() && !work.isWorkingCopy()));
                    progress.branch(results.get(results.size() - 1), results.size());
                    previousTip = tip;
                }
                inserter.flush();
                if (!settings.dryRun()) {
                    updateLocalBranches(work, updates);
                    if (settings.push() && work.hasRemote()) {
                        push(work, results, ssh);
                    }
                }
                return new Result(results, work.workdir(), work.hasRemote() ? work.remoteDisplay() : null,
                        repository.getDirectory().toPath());
            }
        }
    }

    /**
     * The base branch already has this wave when, on every cluster, the live stage it points at is this
     * step's or a later one: re-publishing must never propose moving a merged wave backwards.
     */
    private static boolean alreadyInBase(PublishStep step, Map<String, Integer> baseLive, List<String> clusterPaths) {
        List<String> roots = clusterPaths.stream().filter(step.live()::containsKey).toList();
        return !roots.isEmpty() && roots.stream()
                .allMatch(root -> baseLive.containsKey(root) && baseLive.get(root) >= step.live().get(root).number());
    }

    /**
     * A rollback undoes the wave the base branch has live, on each cluster it touches: the base must be
     * exactly one stage past the rollback's target there. Later waves are rolled back first.
     */
    private void checkRollback(PublishStep step, Map<String, Integer> baseLive) throws InvalidRepositoryException {
        for (String root : step.tree().roots()) {
            int target = step.live().get(root).number();
            Integer current = baseLive.get(root);
            if (current == null || current <= target) {
                throw new InvalidRepositoryException("nothing to roll back on " + root + ": the base branch '" + settings.base()
                        + "' is not past stage " + step.stage() + " there; merge the wave before rolling it back");
            }
            if (current > target + 1) {
                throw new InvalidRepositoryException(root + " on the base branch '" + settings.base() + "' is at a later stage (stage "
                        + current + ") than the wave being rolled back; roll back the later waves first");
            }
        }
    }

    /**
     * The live stage number of each cluster directory the plan rendered on the base branch (its live
     * kustomization names the plan). Read from the tree, not from commit trailers: a squash merge keeps
     * no trailer, and what the base branch deploys is what its files say.
     */
    private static Map<String, Integer> liveStages(ObjectReader reader, org.eclipse.jgit.revwalk.RevTree tree, List<String> clusterPaths,
            String planName) throws IOException {
        Map<String, Integer> live = new LinkedHashMap<>();
        for (String root : clusterPaths) {
            try (org.eclipse.jgit.treewalk.TreeWalk walk = org.eclipse.jgit.treewalk.TreeWalk.forPath(reader, root + "/kustomization.yaml", tree)) {
                if (walk != null) {
                    String text = new String(reader.open(walk.getObjectId(0)).getBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    // Another plan's stages (an earlier upgrade in the same directory) say nothing about this one.
                    if (text.contains(" for plan " + planName + ":")) {
                        StageName.liveIn(text).flatMap(StageName::parse).ifPresent(stage -> live.put(root, stage.number()));
                    }
                }
            }
        }
        return live;
    }

    /** As render does on disk: a cluster directory that meshwave did not write is never replaced. */
    private static void refuseForeignClusterDirectories(ObjectReader reader, org.eclipse.jgit.revwalk.RevTree tree, List<String> clusterPaths)
            throws IOException, UnsafeRepositoryException {
        for (String root : clusterPaths) {
            try (org.eclipse.jgit.treewalk.TreeWalk dir = org.eclipse.jgit.treewalk.TreeWalk.forPath(reader, root, tree)) {
                if (dir == null) {
                    continue;
                }
            }
            try (org.eclipse.jgit.treewalk.TreeWalk live = org.eclipse.jgit.treewalk.TreeWalk.forPath(reader, root + "/kustomization.yaml", tree)) {
                if (live == null || !dev.meshwave.render.RenderedTree.writtenByMeshwave(reader.open(live.getObjectId(0)).getBytes())) {
                    throw new UnsafeRepositoryException(root + " on the base branch holds files meshwave did not render"
                            + " (no generated kustomization.yaml); publishing would replace them. Move them, or choose another cluster path");
                }
            }
        }
    }

    private Optional<RevCommit> baseTip(WorkRepository work, RevWalk walk, boolean useRemote)
            throws IOException, InvalidRepositoryException {
        Optional<ObjectId> id = useRemote ? work.remote(settings.base()) : Optional.empty();
        if (id.isEmpty()) {
            id = work.local(settings.base());
        }
        if (id.isPresent()) {
            return Optional.of(walk.parseCommit(id.get()));
        }
        if (work.hasOnlyBranchesUnder("meshwave/")) {
            return Optional.empty(); // a new repository: the first branch starts the history
        }
        throw new InvalidRepositoryException("base branch '" + settings.base() + "' does not exist in "
                + (useRemote ? work.remoteDisplay() : work.repository().getDirectory().toString()) + " (choose it with --base)");
    }

    private RevCommit parentTip(WorkRepository work, RevWalk walk, PublishStep step, ObjectId previousTip,
            Optional<RevCommit> base, boolean useRemote) throws IOException, InvalidRepositoryException {
        if (previousTip != null) {
            return walk.parseCommit(previousTip);
        }
        if (step.parentBranch().isEmpty()) {
            return base.orElse(null);
        }
        String parentBranch = step.parentBranch().get();
        Optional<ObjectId> id = useRemote ? work.remote(parentBranch) : Optional.empty();
        if (id.isEmpty()) {
            id = work.local(parentBranch);
        }
        return walk.parseCommit(id.orElseThrow(() -> new InvalidRepositoryException("branch " + parentBranch
                + " does not exist yet; publish the plan's waves first")));
    }

    /**
     * The commit a branch is at now. Local and remote are both considered; the newer one wins when one
     * contains the other. Every commit on it since the base must be meshwave's.
     */
    private Optional<RevCommit> currentTip(WorkRepository work, RevWalk walk, String branch, Optional<RevCommit> base,
            String planName, boolean useRemote) throws IOException, UnsafeRepositoryException {
        Optional<RevCommit> local = work.local(branch).map(id -> parse(walk, id));
        Optional<RevCommit> remote = useRemote ? work.remote(branch).map(id -> parse(walk, id)) : Optional.empty();
        if (remote.isPresent()) {
            refuseForeignCommits(walk, remote.get(), base, planName, branch, "on " + work.remoteDisplay());
        }
        if (local.isPresent()) {
            refuseForeignCommits(walk, local.get(), base, planName, branch, "in " + work.repository().getDirectory());
        }
        if (local.isEmpty() || remote.isEmpty()) {
            return local.isPresent() ? local : remote;
        }
        if (walk.isMergedInto(remote.get(), local.get())) {
            return local;
        }
        if (walk.isMergedInto(local.get(), remote.get()) || !work.isWorkingCopy()) {
            return remote; // the cache clone follows the remote; its own unpushed commits are regenerated
        }
        throw new UnsafeRepositoryException("branch " + branch + " has diverged from " + work.remoteDisplay()
                + "; reconcile it (or delete the local branch) before publishing");
    }

    private static RevCommit parse(RevWalk walk, ObjectId id) {
        try {
            return walk.parseCommit(id);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void refuseForeignCommits(RevWalk walk, RevCommit tip, Optional<RevCommit> base, String planName,
            String branch, String where) throws IOException, UnsafeRepositoryException {
        walk.reset();
        walk.markStart(walk.parseCommit(tip));
        if (base.isPresent()) {
            walk.markUninteresting(walk.parseCommit(base.get()));
        }
        List<String> foreign = new ArrayList<>();
        for (RevCommit commit : walk) {
            if (!commit.getFullMessage().contains("\n" + PLAN_TRAILER + planName + "\n")) {
                foreign.add(commit.abbreviate(8).name() + " \"" + commit.getShortMessage() + "\"");
            }
        }
        walk.reset();
        if (!foreign.isEmpty()) {
            throw new UnsafeRepositoryException("branch " + branch + " " + where + " holds commits meshwave did not make: "
                    + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                    + (foreign.size() > 3 ? " and " + (foreign.size() - 3) + " more" : "")
                    + "; move them off the branch (or merge the branch) before publishing again");
        }
    }

    private ObjectId commit(ObjectInserter inserter, ObjectId tree, List<ObjectId> parents, PublishStep step, String planName)
            throws IOException {
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(tree);
        commit.setParentIds(parents);
        commit.setAuthor(settings.identity().person());
        commit.setCommitter(settings.identity().person());
        commit.setMessage(step.commitMessage().strip() + "\n\n" + PLAN_TRAILER + planName + "\n" + STAGE_TRAILER + step.stage() + "\n");
        return inserter.insert(commit);
    }

    private static void refuseUncommittedChanges(Repository repository, List<String> clusterPaths)
            throws UnsafeRepositoryException {
        try (Git git = Git.wrap(repository)) {
            var status = git.status();
            clusterPaths.forEach(status::addPath);
            var result = status.call();
            if (!result.isClean()) {
                List<String> changed = new ArrayList<>(result.getUncommittedChanges());
                changed.addAll(result.getUntracked());
                throw new UnsafeRepositoryException("the working copy has uncommitted changes in " + String.join(", ", clusterPaths)
                        + " (" + String.join(", ", changed.stream().sorted().limit(5).toList())
                        + "); commit or stash them first");
            }
        } catch (GitAPIException e) {
            throw new UnsafeRepositoryException("cannot read the working copy's status: " + e.getMessage());
        }
    }

    private void updateLocalBranches(WorkRepository work, Map<String, ObjectId> updates) throws IOException, UnsafeRepositoryException {
        Repository repository = work.repository();
        String checkedOut = repository.getFullBranch();
        // Checked before any branch moves, so a refusal leaves the whole stack as it was.
        for (String branch : updates.keySet()) {
            if (work.isWorkingCopy() && (Constants.R_HEADS + branch).equals(checkedOut)) {
                throw new UnsafeRepositoryException("branch " + branch + " is checked out in " + repository.getWorkTree()
                        + "; switch to another branch so meshwave can move it");
            }
        }
        for (Map.Entry<String, ObjectId> update : updates.entrySet()) {
            String ref = Constants.R_HEADS + update.getKey();
            RefUpdate refUpdate = repository.updateRef(ref);
            refUpdate.setNewObjectId(update.getValue());
            refUpdate.setExpectedOldObjectId(work.local(update.getKey()).orElse(ObjectId.zeroId()));
            refUpdate.setRefLogMessage("meshwave publish", false);
            // Only meshwave's own cache clone ever moves a branch backwards (to follow the remote).
            refUpdate.setForceUpdate(!work.isWorkingCopy());
            RefUpdate.Result result = refUpdate.update();
            switch (result) {
                case NEW, FAST_FORWARD, FORCED, NO_CHANGE -> { }
                default -> throw new UnsafeRepositoryException("could not move branch " + update.getKey() + " (" + result + ")");
            }
        }
    }

    private void push(WorkRepository work, List<BranchResult> results, TransportConfigCallback transport)
            throws IOException, UnsafeRepositoryException {
        List<RefSpec> specs = results.stream().filter(BranchResult::pushed)
                .map(r -> new RefSpec(Constants.R_HEADS + r.branch() + ":" + Constants.R_HEADS + r.branch()))
                .toList();
        if (specs.isEmpty()) {
            return;
        }
        List<String> rejected = new ArrayList<>();
        try {
            work.clearStaleRemoteRefLocks();
        } catch (IOException e) {
            // Not fatal: the push reports a lock it cannot take.
        }
        String remoteSaid = "";
        try (Git git = Git.wrap(work.repository())) {
            var command = git.push().setRemote(WorkRepository.REMOTE).setRefSpecs(specs)
                    .setForce(false).setCredentialsProvider(settings.credentials())
                    .setTransportConfigCallback(transport).setTimeout(settings.timeout().requestSeconds());
            if (work.remoteIsLocal()) {
                command.setReceivePack(localReceivePack(settings.timeout()));
            }
            for (PushResult pushResult : command.call()) {
                for (RemoteRefUpdate update : pushResult.getRemoteUpdates()) {
                    switch (update.getStatus()) {
                        case OK, UP_TO_DATE -> { }
                        default -> rejected.add(Repository.shortenRefName(update.getRemoteName()) + ": " + describe(update));
                    }
                }
                remoteSaid = remoteSaid + (pushResult.getMessages() == null ? "" : pushResult.getMessages());
            }
        } catch (TransportException e) {
            throw new UnsafeRepositoryException("push to " + work.remoteDisplay() + " failed: "
                    + settings.redaction().text(e.getMessage()) + "; the commits are kept in " + work.repository().getDirectory());
        } catch (GitAPIException | org.eclipse.jgit.api.errors.JGitInternalException e) {
            // A transport failure is the remote's, never an internal error.
            throw new UnsafeRepositoryException("push to " + work.remoteDisplay() + " failed: " + settings.redaction().text(e.getMessage())
                    + "; the commits are kept in " + work.repository().getDirectory());
        }
        if (!rejected.isEmpty()) {
            String said = remoteSaid.lines().map(String::strip).filter(l -> !l.isEmpty())
                    .limit(20).map(this::fromRemote).collect(java.util.stream.Collectors.joining(" | "));
            throw new UnsafeRepositoryException("the remote " + work.remoteDisplay() + " rejected the push of "
                    + String.join("; ", rejected) + (said.isEmpty() ? "" : " (the remote said: " + said + ")")
                    + ". Nothing was forced; the commits are kept in "
                    + work.repository().getDirectory() + ". Publish again to build on what the remote has now.");
        }
    }

    private String describe(RemoteRefUpdate update) {
        String reason = switch (update.getStatus()) {
            case REJECTED_NONFASTFORWARD -> "not a fast-forward (someone pushed to it)";
            case REJECTED_REMOTE_CHANGED -> "the branch changed on the remote while publishing";
            case REJECTED_NODELETE -> "deletion refused";
            case REJECTED_OTHER_REASON -> "refused by the remote";
            default -> update.getStatus().name().toLowerCase(java.util.Locale.ROOT);
        };
        return update.getMessage() == null ? reason : reason + " (" + fromRemote(update.getMessage()) + ")";
    }

    /**
     * JGit receives a local push in this process and runs none of the remote's hooks, so a push its
     * pre-receive or update hook refuses "succeeded". Any receive-pack but the default string makes JGit
     * fork one ({@code sh -c '<this> "$@"'}): git's own, which runs the hooks as git push would. JGit then
     * waits for it without limit, so a hook that never ends would hold the run: coreutils' timeout, where
     * there is one, ends it and its hooks (its process group) at the request timeout.
     */
    static String localReceivePack(NetworkTimeout timeout) {
        return "rp() { if command -v timeout >/dev/null 2>&1; then exec timeout -k 5 " + timeout.requestSeconds()
                + " git receive-pack \"$@\"; fi; exec git receive-pack \"$@\"; }; rp";
    }

    /**
     * What a remote (its hooks) says, fit to print: secrets hidden and control characters shown as {@code ?},
     * so a hostile hook cannot drive the user's terminal with escape sequences.
     */
    private String fromRemote(String text) {
        return settings.redaction().text(text).codePoints().limit(500).map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
