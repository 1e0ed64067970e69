package dev.meshwave.cli;

import dev.meshwave.git.GitCredentials;
import dev.meshwave.git.InvalidRepositoryException;
import dev.meshwave.git.NetworkTimeout;
import dev.meshwave.git.RepositoryLocation;
import dev.meshwave.git.WavePublisher;
import dev.meshwave.git.pr.GitHubProvider;
import dev.meshwave.git.pr.GitLabProvider;
import dev.meshwave.git.pr.PullRequestProvider;
import dev.meshwave.git.pr.RemoteRepository;
import dev.meshwave.plan.Redaction;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * Which provider opens a run's pull requests ({@code --pr}, {@code --pr-api}, {@code --pr-repo} and a
 * token). Resolved before anything is pushed, so that a wrong setting fails before the branches exist
 * rather than after.
 */
final class ProviderChoice {

    /** The values of {@code --pr}: {@code none} writes the requests as Markdown files in the work directory. */
    enum Kind { NONE, GITHUB, GITLAB }

    private ProviderChoice() {}

    /** {@code --pr} as a kind; a hosted one needs its branches on the remote, so {@code --push} (or {@code --dry-run}). */
    static Kind kind(Publishing.Options options) throws InvalidRepositoryException {
        if (!options.pr.equals("none") && !options.push && !options.dryRun) {
            throw new InvalidRepositoryException("--pr " + options.pr + " needs --push: a pull request needs its branch on the remote");
        }
        return switch (options.pr) {
            case "none" -> Kind.NONE;
            case "github" -> Kind.GITHUB;
            case "gitlab" -> Kind.GITLAB;
            default -> throw new InvalidRepositoryException("--pr " + options.pr + " is not a provider (expected github, gitlab or none)");
        };
    }

    /** The hosted provider of this kind, set up (token, API base, owner and name); empty for {@link Kind#NONE}. */
    static Optional<PullRequestProvider> hosted(Kind kind, Publishing.Options options, Environment environment,
            RepositoryLocation location, NetworkTimeout timeout) throws IOException, InvalidRepositoryException {
        if (kind == Kind.NONE) {
            return Optional.empty();
        }
        String remoteUrl = location.kind() == RepositoryLocation.Kind.REMOTE ? location.url() : WavePublisher.originUrl(location);
        String token = GitCredentials.token(environment.variables()).orElseThrow(() -> new InvalidRepositoryException(
                "--pr " + options.pr + " needs a token in MESHWAVE_GIT_TOKEN, GITHUB_TOKEN or GITLAB_TOKEN"));
        if (options.prApi != null && !GitCredentials.mayCarryCredentials(options.prApi.getScheme(), options.prApi.getHost())) {
            throw new InvalidRepositoryException("--pr-api " + Redaction.url(options.prApi.toString()) + ": "
                    + GitCredentials.WHERE_CREDENTIALS_GO);
        }
        try {
            // --pr-repo names the repository; without it, the remote URL names it and the API's host.
            Optional<RemoteRepository> remote = options.prRepo != null ? Optional.empty() : Optional.of(RemoteRepository.parse(remoteUrl));
            return Optional.of(switch (kind) {
                case GITHUB -> {
                    URI api = options.prApi != null ? options.prApi
                            : remote.map(RemoteRepository::gitHubApiBase).orElse(GitHubProvider.DEFAULT_API_BASE);
                    String path = remote.map(r -> r.owner() + "/" + r.name()).orElse(options.prRepo);
                    int slash = path.indexOf('/');
                    if (slash <= 0 || slash != path.lastIndexOf('/')) {
                        throw new InvalidRepositoryException("--pr-repo " + path + " must be OWNER/NAME for GitHub");
                    }
                    yield GitHubProvider.create(api, path.substring(0, slash), path.substring(slash + 1), token, timeout);
                }
                case GITLAB -> {
                    URI api = options.prApi != null ? options.prApi
                            : remote.map(RemoteRepository::gitLabApiBase).orElse(GitLabProvider.DEFAULT_API_BASE);
                    yield GitLabProvider.create(api, remote.map(RemoteRepository::projectPath).orElse(options.prRepo), token, timeout);
                }
                case NONE -> throw new IllegalStateException("not a hosted provider");
            });
        } catch (IllegalArgumentException e) {
            String why = Redaction.url(String.valueOf(e.getMessage()));
            throw new InvalidRepositoryException(options.prRepo != null ? "--pr-repo " + options.prRepo + ": " + why
                    : "cannot tell the repository's owner and name for --pr " + options.pr + " from " + location.displayUrl()
                            + " (" + why + "); pass --pr-repo OWNER/NAME");
        }
    }
}
