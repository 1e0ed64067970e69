package dev.meshwave.git.pr;

/**
 * Opens one pull request per wave branch, or updates the one already open for that branch, so that
 * re-publishing an unchanged plan changes nothing.
 */
public interface PullRequestProvider {

    /** Opens the request, updates its title and body if they changed, or leaves it as it is. */
    PullRequestResult publish(PullRequest request) throws ProviderException;
}
