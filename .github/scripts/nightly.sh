#!/usr/bin/env bash
# The nightly job's git work, run from the repository's root by .github/workflows/nightly.yml
# and, exactly so, by tests/test_nightly.py. What changed is litsync's business
# (`litsync refresh`, `litsync commit`, `litsync changes`); this only moves commits.
#
# Environment:
#   LIST_BRANCH     the branch the list lives on (required)
#   LITSYNC_MODE    push: commit to LIST_BRANCH; pr: keep one pull request up to date
#   LITSYNC_FULL    true: refetch every paper (`litsync refresh --force`)
#   LITSYNC_BRANCH  the pull request's branch in pr mode (default litsync/nightly)
#   GH_TOKEN        the job's token, to keep the schedule enabled (needs `actions: write`)
#   GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_WORKFLOW_REF  set by GitHub Actions
#   GITHUB_OUTPUT, GITHUB_STEP_SUMMARY  set by GitHub Actions; optional
#
# Exits with refresh's own status once what it saved is committed and pushed, so that a
# failed refresh fails the run without losing what it fetched.
set -euo pipefail

list=${LIST_BRANCH:?LIST_BRANCH must name the branch the list lives on}
mode=${LITSYNC_MODE:-push}
full=${LITSYNC_FULL:-false}
branch=${LITSYNC_BRANCH:-litsync/nightly}
state=.litsync/state.json
body_limit=200 # changes listed in a pull request's body; GitHub caps bodies at 65536 chars
# Half of the 60 days after which GitHub disables the schedule: a night whose call fails
# leaves a month of nights to try again.
idle_days_limit=30

if [[ $mode != push && $mode != pr ]]; then
  echo "::error::LITSYNC_MODE must be push or pr, not '$mode'"
  exit 2
fi

# GitHub disables a scheduled workflow after 60 days without activity, and a list whose
# papers stay put makes no commits; enabling the workflow through GitHub's API keeps it on.
keep_schedule_enabled() {
  # Run in a command substitution from an `if`, where `set -e` does not apply: every step
  # is chained with &&, and whatever fails is a warning, never the night's failure.
  local last idle workflow
  last=$(git log -1 --format=%ct "origin/$list") &&
    idle=$((($(date +%s) - last) / 86400)) || return 1
  if ((idle < idle_days_limit)); then
    return 0
  fi
  if [[ -z ${GH_TOKEN:-} || -z ${GITHUB_API_URL:-} || -z ${GITHUB_REPOSITORY:-} ||
    -z ${GITHUB_WORKFLOW_REF:-} ]]; then
    echo "GH_TOKEN, GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_WORKFLOW_REF must be set"
    return 1
  fi
  # The workflow's file name is its id; GITHUB_WORKFLOW_REF is owner/repo/PATH@REF.
  workflow=${GITHUB_WORKFLOW_REF%@*} &&
    workflow=${workflow##*/} &&
    printf 'Authorization: Bearer %s\n' "$GH_TOKEN" |
    curl --silent --show-error --fail --max-time 30 --output /dev/null --request PUT \
      --header @- --header "Accept: application/vnd.github+json" \
      --header "X-GitHub-Api-Version: 2022-11-28" \
      "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/actions/workflows/$workflow/enable" &&
    echo "The last commit on $list is $idle days old: kept the schedule enabled through GitHub's API"
}

if ! keepalive=$(keep_schedule_enabled 2>&1); then
  echo "::warning::could not keep the schedule enabled (${keepalive//$'\n'/ }); GitHub disables it after 60 days without activity: give the job \`actions: write\`, or re-enable it on the Actions tab (see litsync's docs/nightly.md)"
elif [[ -n $keepalive ]]; then
  echo "$keepalive"
fi

# In pr mode, carry on from the pull request's branch, so that it keeps what earlier
# nights found (those papers are not due again for days).
remote_tip=""
if [[ $mode == pr ]]; then
  remote_tip=$(git ls-remote --heads origin "refs/heads/$branch" | cut -f1)
  if [[ -n $remote_tip ]]; then
    git fetch --quiet origin "refs/heads/$branch"
    git checkout --quiet -B "$branch" FETCH_HEAD
    if ! git merge --quiet --no-edit "origin/$list"; then
      git merge --abort
      echo "::warning::$branch conflicts with $list; starting it again from $list and refetching every paper"
      git checkout --quiet -B "$branch" "origin/$list"
      full=true
    fi
  else
    git checkout --quiet -B "$branch"
  fi
fi

# If tonight's commit cannot be pushed, the re-check schedule is put back as it was, so
# that the papers checked tonight are due again tomorrow rather than in a week.
saved_state=$(mktemp)
had_state=false
if [[ -f $state ]]; then
  cp "$state" "$saved_state"
  had_state=true
fi

before=$(git rev-parse HEAD)
flags=()
if [[ $full == true ]]; then
  flags+=(--force)
fi
status=0
litsync refresh "${flags[@]}" || status=$?

# 0, 3 (ids not found) and 4 (arXiv unreachable) leave a cache and a document worth
# keeping; any other status means refresh wrote neither.
case $status in
  0 | 3 | 4) litsync commit ;;
esac

publish() {
  # Called from an `if`, where `set -e` does not apply: every step is chained with &&.
  if [[ $mode == push ]]; then
    if [[ $(git rev-parse HEAD) == "$before" ]]; then
      return 0
    fi
    git pull --quiet --rebase origin "$list" &&
      git push --quiet origin "HEAD:refs/heads/$list"
  elif ! git diff --quiet "origin/$list" HEAD; then
    git push --quiet --force-with-lease="refs/heads/$branch:$remote_tip" \
      origin "HEAD:refs/heads/$branch"
  fi
}

if ! publish; then
  if [[ $had_state == true ]]; then
    cp "$saved_state" "$state"
  else
    rm -f "$state"
  fi
  echo "::error::tonight's commit could not be pushed; the re-check schedule was put back, so the next run fetches the same papers again"
  exit 1
fi

# The run's summary page shows the pull request's body in pr mode, else tonight's commit
# message; with neither, what the last refresh could not do (`changes` against HEAD).
summary=$(mktemp)
pull_request=false
if [[ $mode == pr ]] && ! git diff --quiet "origin/$list" HEAD; then
  pull_request=true
  litsync changes --base "origin/$list" --limit "$body_limit" >"$summary"
elif [[ $mode == push && $(git rev-parse HEAD) != "$before" ]]; then
  printf '%s\n' "$(git log -1 --format=%B)" >"$summary"
else
  litsync changes >"$summary"
fi
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  echo "pull-request=$pull_request" >>"$GITHUB_OUTPUT"
  if [[ $pull_request == true ]]; then
    delimiter="litsync-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    printf 'body<<%s\n%s\n%s\n' "$delimiter" "$(cat "$summary")" "$delimiter" >>"$GITHUB_OUTPUT"
  fi
fi
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  cat "$summary" >>"$GITHUB_STEP_SUMMARY"
fi

if ((status != 0)); then
  echo "::error::litsync refresh exited with status $status (see Exit codes in README.md); whatever it saved has been committed"
fi
exit "$status"
