"""The command line: parse options, call the library, turn errors into one line.

Exit codes (also in docs/commands.md):
0 success; 1 unexpected failure (a file that cannot be read or written); 2 bad input
(catalogue, options); 3 some ids not found on arXiv, or a search or listing arXiv refused;
4 arXiv unreachable (document rendered from the cache; discover: sources not read); 5
`check`: generated files out of date; 6 template error; 7 damaged cache; 8 another run
holds the lock; 130 interrupted; 141 the output's reader stopped reading (`| head`).
"""

from __future__ import annotations

import argparse
import difflib
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from litsync import __version__
from litsync.catalogue import edit
from litsync.catalogue.load import load
from litsync.catalogue.model import MAX_RESULTS_LIMIT, Catalogue
from litsync.commands.changes import changelog, commit, project_changes
from litsync.commands.discover import discover
from litsync.commands.import_list import import_list
from litsync.commands.init import REQUIREMENTS, init_list
from litsync.commands.refresh import (
    RefreshReport,
    check_unfetched,
    compare_generated,
    refresh,
    render,
)
from litsync.errors import (
    EXIT_FAILURE,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_OUT_OF_DATE,
    EXIT_UNREACHABLE,
    LitsyncError,
    LocatedError,
    OptionError,
)
from litsync.files import project_lock
from litsync.output.document import build_view, render_document
from litsync.plural import plural
from litsync.project import Project, find_project, importing_project
from litsync.sources.arxiv_api import HarvestConfig
from litsync.sources.arxiv_rss import rss_url_from_env
from litsync.store.cache import Cache

log = logging.getLogger("litsync")


EXIT_INTERRUPTED = 130
EXIT_READER_GONE = 128 + signal.SIGPIPE


def run() -> NoReturn:
    """The `litsync` console script."""
    # A run's objects (YAML nodes, records, the document's view) live until it ends: the
    # collector would walk them again and again, freeing nothing.
    gc.set_threshold(1_000_000)
    code = main()
    try:
        if sys.stdout is not None:  # None when started with it closed (`litsync render >&-`)
            sys.stdout.flush()
    except BrokenPipeError:
        code = _reader_gone()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code (docs/commands.md); errors become one line."""
    parser, commands = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    word = _command_word(argv)
    if word is not None and word not in commands:
        parser.error(f"unknown command {word!r}{_did_you_mean(word, list(commands))}")
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command's own parser, which shows the command's usage
        args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.quiet = getattr(args, "quiet", False)
    configure_logging(args.quiet)
    try:
        project = _project(args)  # raises no LocatedError, whose paths are shown from it
        code: int = args.run(project, args)
    except BrokenPipeError:
        return _reader_gone()
    except LocatedError as err:
        print(f"Error: {err.located(project.root)}", file=sys.stderr)
        return err.exit_code
    except LitsyncError as err:
        print(f"Error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("Error: interrupted; what was fetched so far is saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as err:
        print(f"Error: {err}", file=sys.stderr)
        return EXIT_FAILURE
    return code


def _project(args: argparse.Namespace) -> Project:
    """The list the command works on: found (see `find_project`), or, for `init` and
    `import`, which start one, the folder given."""
    root: str | None = getattr(args, "root", None)
    if args.run is run_init:
        if args.dir is not None and root is not None:
            raise OptionError("give the new list's folder once: as DIR or as --root")
        return Project(Path(args.dir or root or ".").resolve())
    if args.run is run_import:
        return importing_project(root, Path.cwd())
    return find_project(root, Path.cwd())


def _reader_gone() -> int:
    """The output's reader stopped reading (`litsync render --draft | head -1`): nothing
    litsync writes to files is lost, so the run ends quietly, as a Unix tool does."""
    # Python would report the output it could not flush at exit: there is none to flush now.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_READER_GONE


def _command_word(argv: Sequence[str]) -> str | None:
    """The command named in `argv`: its first word that is neither an option nor the
    value of the top level's `--root`."""
    words = iter(argv)
    for word in words:
        if word == "--root":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def configure_logging(quiet: bool) -> None:
    """litsync's own lines on stderr; the arxiv package's per-request INFO lines are noise."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("litsync: %(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    logging.getLogger("arxiv").setLevel(logging.WARNING)


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The top level's parser, and each command's by its name."""
    # Shared by the top level and every command, so `litsync --root X refresh` and
    # `litsync refresh --root X` both work; SUPPRESS keeps a command's default from
    # overwriting a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root",
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="the list's repository, holding catalogue/ids.yaml (default: the nearest folder "
        "from the current one up that holds it)",
    )
    common.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print warnings only"
    )

    parser = argparse.ArgumentParser(
        prog="litsync",
        description="Keep a curated literature list true to arXiv.",
        epilog="Exit codes: 0 ok, 1 unexpected failure, 2 bad input, 3 not found or refused, "
        "4 arXiv unreachable, 5 out of date, 6 template error, 7 damaged cache, 8 locked, "
        "130 interrupted, 141 output's reader gone.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"litsync {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    commands_by_name: dict[str, argparse.ArgumentParser] = commands.choices

    cmd = commands.add_parser(
        "init",
        parents=[common],
        help="start a list: a commented catalogue, .gitignore and the GitHub workflows",
        description="Write a new list's files into DIR (default: the current directory, "
        "created if missing): a commented catalogue/ids.yaml, a .gitignore for litsync's run "
        "state, the nightly and pull-request workflows under .github/, and the "
        "requirements.txt they install litsync from. Nothing is overwritten: if any of "
        "them exists, nothing is written.",
    )
    cmd.add_argument("dir", nargs="?", metavar="DIR", help="the new list's repository")
    cmd.add_argument(
        "--template",
        action="store_true",
        help="also write litsync's default document template to templates/, to edit",
    )
    cmd.set_defaults(run=run_init, parser=cmd)

    cmd = commands.add_parser(
        "refresh",
        parents=[common],
        help="fetch what is due from arXiv, update the cache, render the document",
        description="Fetch new, changed and due papers from the arXiv API, save them in "
        "catalogue/cache.json and render the document. When arXiv cannot be reached, "
        "the document is rendered from the cache and the stale papers are listed (exit 4).",
    )
    cmd.add_argument("--force", action="store_true", help="refetch every paper")
    add_network_options(cmd)
    cmd.add_argument(
        "--budget",
        type=float,
        metavar="S",
        help="stop fetching after this many seconds, save and render; 0 for no limit "
        "(env LITSYNC_BUDGET, default 1800)",
    )
    cmd.set_defaults(run=run_refresh, parser=cmd)

    cmd = commands.add_parser(
        "render",
        parents=[common],
        help="render the document from the cache (offline)",
        description="Render the document from catalogue/ids.yaml and the cache, offline.",
    )
    cmd.add_argument(
        "--draft", action="store_true", help="print the document to stdout, write nothing"
    )
    cmd.set_defaults(run=run_render, parser=cmd)

    cmd = commands.add_parser(
        "check",
        parents=[common],
        help="validate the catalogue; fail if the document is not what render would write",
        description="Validate catalogue/ids.yaml and check that the generated document is "
        "exactly what `litsync render` would write (exit 5 if not). Offline, unless "
        "--online: then arXiv is also asked about the papers not fetched yet, and the check "
        "fails naming each one arXiv does not know (exit 3). Writes nothing.",
    )
    cmd.add_argument(
        "--online",
        action="store_true",
        help="also ask arXiv about the papers not in the cache yet (for a pull request)",
    )
    add_network_options(cmd)
    cmd.set_defaults(run=run_check, parser=cmd)

    cmd = commands.add_parser(
        "add",
        parents=[common],
        help="append arXiv ids to catalogue/ids.yaml",
        description="Append papers to catalogue/ids.yaml, keeping its comments and layout. "
        "Ids already listed (in any form) or rejected are refused, and so is a --topic "
        "missing from settings.topics (when it is set; --new-topic adds one there). Run "
        "`litsync refresh` afterwards.",
    )
    cmd.add_argument("ids", nargs="+", metavar="ID", help="arXiv id or URL, in any form")
    cmd.add_argument("--usecase", required=True, help="free text, e.g. 'Robotic Grasping'")
    cmd.add_argument(
        "--topic",
        dest="topics",
        action="append",
        default=[],
        help="index group, one of settings.topics when it is set; repeat for several",
    )
    cmd.add_argument(
        "--new-topic",
        dest="new_topics",
        action="append",
        default=[],
        metavar="TOPIC",
        help="index group not in settings.topics yet: added there too; repeat for several",
    )
    cmd.set_defaults(run=run_add, parser=cmd)

    cmd = commands.add_parser(
        "remove",
        parents=[common],
        help="remove papers from catalogue/ids.yaml",
        description="Remove the entries of these papers from catalogue/ids.yaml, with the "
        "comment lines right above each, keeping everything else as it is written. Their "
        "cached records leave the cache at the next `litsync refresh`.",
    )
    cmd.add_argument("ids", nargs="+", metavar="ID", help="arXiv id or URL, in any form")
    cmd.set_defaults(run=run_remove, parser=cmd)

    cmd = commands.add_parser(
        "reject",
        parents=[common],
        help="add papers to the `rejected:` list of catalogue/ids.yaml",
        description="Add these papers to the `rejected:` list of catalogue/ids.yaml "
        "(created if missing), so that `litsync discover` does not propose them again; a "
        "paper listed under `papers:` is moved there. Comments and layout are kept.",
    )
    cmd.add_argument("ids", nargs="+", metavar="ID", help="arXiv id or URL, in any form")
    cmd.add_argument("--reason", default="", metavar="TEXT", help="why, kept beside each id")
    cmd.set_defaults(run=run_reject, parser=cmd)

    cmd = commands.add_parser(
        "import",
        parents=[common],
        help="add the papers of a hand-kept Markdown list to catalogue/ids.yaml",
        description="Read a Markdown literature list (per-paper sections with **Usecase**, "
        "**Year**, **Abstract** and topic indexes, or an awesome list of arXiv links under "
        "headings) and add its papers to catalogue/ids.yaml, creating it if needed. Papers "
        "already listed are skipped. The list's years that differ from arXiv's are kept as "
        "overrides; to know arXiv's, papers not in the cache are fetched (and cached). "
        "Links to a version (1810.10286v2.pdf) do not pin it. Everything that could not be "
        "placed is reported as FILE:LINE: what happened.",
    )
    cmd.add_argument("file", type=Path, metavar="FILE.md", help="the Markdown list")
    cmd.add_argument(
        "--offline",
        action="store_true",
        help="ask arXiv nothing: years not in the cache are kept as overrides",
    )
    add_network_options(cmd)
    cmd.set_defaults(run=run_import, parser=cmd)

    cmd = commands.add_parser(
        "changes",
        parents=[common],
        help="print what changed in the cache since a commit, as Markdown",
        description="Print a changelog, in Markdown, of catalogue/cache.json from commit REV "
        "to the working tree: new papers, new versions, changed titles, authors, abstracts, "
        "DOIs and journal references, withdrawn and removed papers; then what the last "
        "refresh could not do (ids not found or rejected, papers left stale because arXiv "
        "failed). The first line is a summary; every other line names its arXiv id. "
        "Offline; needs git.",
    )
    cmd.add_argument(
        "--base", default="HEAD", metavar="REV", help="the commit to compare with (default HEAD)"
    )
    cmd.add_argument(
        "--limit",
        type=_at_least_one,
        metavar="N",
        help="list at most N changes (e.g. for a PR body)",
    )
    cmd.set_defaults(run=run_changes, parser=cmd)

    cmd = commands.add_parser(
        "commit",
        parents=[common],
        help="commit the cache, document and exports if they changed, with the changelog",
        description="Commit catalogue/cache.json, the generated document and its exports, "
        "with what they are made from (catalogue/ids.yaml and templates/), and nothing "
        "else, if they differ from the last commit; the message is what `litsync changes` "
        "prints. Makes no commit when they are unchanged.",
    )
    cmd.set_defaults(run=run_commit, parser=cmd)

    cmd = commands.add_parser(
        "discover",
        parents=[common],
        help="find arXiv papers not in the catalogue yet; write them to a review file",
        description="Run arXiv searches and read daily listings (the saved ones in "
        "settings.discover, or those given here), and write the papers that are neither "
        "listed nor rejected to generated/candidates.md, each with a catalogue entry to "
        "paste. Nothing is added to the catalogue.",
    )
    cmd.add_argument(
        "--query",
        dest="queries",
        action="append",
        default=[],
        metavar="Q",
        help="arXiv search, e.g. 'abs:\"synthetic data\" AND cat:cs.CV'; repeat for several",
    )
    cmd.add_argument(
        "--feed",
        dest="feeds",
        action="append",
        default=[],
        metavar="CATEGORY",
        help="a daily listing to read, e.g. cs.CV; repeat for several",
    )
    cmd.add_argument(
        "--since",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="searches: only papers first submitted on or after this day",
    )
    cmd.add_argument("--max-results", type=int, metavar="N", help="searches: at most N, the newest")
    add_network_options(cmd)
    cmd.add_argument("--rss-url", metavar="URL", help="listings' base URL (env LITSYNC_RSS_URL)")
    cmd.set_defaults(run=run_discover, parser=cmd)
    return parser, commands_by_name


def add_network_options(cmd: argparse.ArgumentParser) -> None:
    """The options of every command that talks to arXiv."""
    cmd.add_argument("--api-url", metavar="URL", help="API endpoint (env LITSYNC_API_URL)")
    cmd.add_argument(
        "--delay", type=float, metavar="S", help="seconds between requests (env LITSYNC_DELAY)"
    )
    cmd.add_argument(
        "--timeout", type=float, metavar="S", help="seconds per request (env LITSYNC_TIMEOUT)"
    )


def run_refresh(project: Project, args: argparse.Namespace) -> int:
    config = HarvestConfig.from_env(
        api_url=args.api_url, delay=args.delay, timeout=args.timeout, budget=args.budget
    )
    report = refresh(project, config, force=args.force)
    print_report(report, args.quiet)
    return report.exit_code


def print_report(report: RefreshReport, quiet: bool) -> None:
    if report.due == 0:
        print("Nothing due: every paper was checked recently.")
    else:
        print(
            f"Fetched {report.fetched} of {plural(report.due, 'paper')} in "
            f"{plural(report.requests, 'request')}: {len(report.new)} new, "
            f"{len(report.changed)} changed."
        )
    for line in report.named():
        print(line)
    if report.removed:
        print(f"Removed from the cache (no longer listed): {', '.join(report.removed)}")
    print_written(report.written, quiet)
    for arxiv_id in report.not_found:
        print(f"Not found on arXiv: {arxiv_id} (check it in catalogue/ids.yaml)")
    for arxiv_id, reason in report.rejected.items():
        print(f"Rejected by arXiv: {arxiv_id} ({reason})")
    if report.unresolved:
        # Only a failed fetch leaves a paper without metadata, and the error below says why.
        log.warning("not in the document yet, no metadata cached: %s", ", ".join(report.unresolved))
    if report.failure:
        stale = ", ".join(report.stale)
        print(
            f"Error: {report.failure}; the document was rendered from the cache; "
            f"{plural(len(report.stale), 'paper')} not refreshed: {stale}",
            file=sys.stderr,
        )


def run_render(project: Project, args: argparse.Namespace) -> int:
    if args.draft:  # writes nothing
        catalogue = load(project.catalogue)
        view = build_view(catalogue, Cache.load(project.cache))
        sys.stdout.write(render_document(view, project.templates, catalogue.settings.template))
        unresolved = list(view.unresolved)
    else:
        written, unresolved = render(project)
        print_written(written, args.quiet)
    _warn_unresolved(unresolved)
    return EXIT_OK


def run_check(project: Project, args: argparse.Namespace) -> int:
    catalogue = load(project.catalogue)
    cache = Cache.load(project.cache)
    compared, unresolved = compare_generated(project, catalogue, cache)
    _warn_unresolved(unresolved)
    files = [name for name, _ in compared]
    stale = [name for name, same in compared if not same]
    if stale:
        print(
            f"Error: {_and(stale)} {'is' if len(stale) == 1 else 'are'} not what "
            "`litsync render` writes; run `litsync render` and commit the result",
            file=sys.stderr,
        )
        return EXIT_OUT_OF_DATE
    if args.online:
        code = _check_online(project, catalogue, cache, args)
        if code != EXIT_OK:
            return code
    verb = "is" if len(files) == 1 else "are"
    listed = plural(len(catalogue.entries), "paper")
    known = ", found on arXiv" if args.online else ""
    fetched = f" ({len(unresolved)} not fetched yet{known})" if unresolved else ""
    print(f"OK: {listed}{fetched}; {_and(files)} {verb} up to date.")
    return EXIT_OK


def _check_online(
    project: Project, catalogue: Catalogue, cache: Cache, args: argparse.Namespace
) -> int:
    """`check --online`: one `Error: ids.yaml:LINE: …` line per paper arXiv does not know
    (exit 3), or one line when arXiv cannot be asked (exit 4)."""
    config = HarvestConfig.from_env(api_url=args.api_url, delay=args.delay, timeout=args.timeout)
    unknown, result = check_unfetched(catalogue, cache, config)
    if result.failure:
        unchecked = ", ".join(str(i) for i in result.unreached)
        print(
            f"Error: {result.failure}; {plural(len(result.unreached), 'paper')} not "
            f"checked: {unchecked}",
            file=sys.stderr,
        )
        return EXIT_UNREACHABLE
    for entry, problem in unknown:
        where = f"{project.relative(catalogue.path)}:{entry.line}"
        print(f"Error: {where}: {problem}", file=sys.stderr)
    return EXIT_NOT_FOUND if unknown else EXIT_OK


def _and(names: Sequence[str]) -> str:
    """a; a and b; a, b and c"""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def print_written(files: Sequence[tuple[str, bool]], quiet: bool) -> None:
    """One line per generated file: whether it was written or already as it should be;
    none with `--quiet`."""
    if quiet:
        return
    for path, changed in files:
        print(f"{'Wrote' if changed else 'Unchanged:'} {path}")


def run_init(project: Project, args: argparse.Namespace) -> int:
    written = init_list(project, args.template)
    print_written([(project.relative(path), True) for path in written], args.quiet)
    print(
        f"Started a list in {project.root}. Next: set the title and topics in "
        f"{project.relative(project.catalogue)}, add papers "
        "(`litsync add ID --usecase TEXT --topic TOPIC`), run `litsync refresh` and commit; "
        f"before pushing, point {REQUIREMENTS} at where litsync is published."
    )
    return EXIT_OK


def run_add(project: Project, args: argparse.Namespace) -> int:
    if not args.topics and not args.new_topics:
        args.parser.error("give each paper a topic: --topic TOPIC or --new-topic TOPIC")
    with project_lock(project.lock):
        added = edit.add_papers(
            project.catalogue, args.ids, args.usecase, args.topics, new_topics=args.new_topics
        )
    for arxiv_id in added:
        print(f"Added {arxiv_id} to {project.relative(project.catalogue)}")
    print("Run `litsync refresh` to fetch its metadata.")
    return EXIT_OK


def run_remove(project: Project, args: argparse.Namespace) -> int:
    with project_lock(project.lock):
        removed = edit.remove_papers(project.catalogue, args.ids)
    for arxiv_id in removed:
        print(f"Removed {arxiv_id} from {project.relative(project.catalogue)}")
    print("Run `litsync refresh` to drop its cached record and render the document.")
    return EXIT_OK


def run_reject(project: Project, args: argparse.Namespace) -> int:
    with project_lock(project.lock):
        rejected = edit.reject_papers(project.catalogue, args.ids, args.reason)
    catalogue = project.relative(project.catalogue)
    for arxiv_id, was_listed in rejected:
        where = "moved from `papers:` to `rejected:`" if was_listed else "added to `rejected:`"
        print(f"Rejected {arxiv_id.base} in {catalogue} ({where})")
    if any(was_listed for _, was_listed in rejected):
        print("Run `litsync refresh` to drop its cached record and render the document.")
    return EXIT_OK


def run_import(project: Project, args: argparse.Namespace) -> int:
    config = None
    if not args.offline:
        config = HarvestConfig.from_env(
            api_url=args.api_url, delay=args.delay, timeout=args.timeout
        )
    report = import_list(project, args.file, config)
    for line in report.note_lines():
        print(line)
    for line in report.summary():
        print(line)
    if report.fetch and report.fetch.failure:
        print(
            f"Error: {report.fetch.failure}; the list's years that could not be compared "
            "were kept as overrides",
            file=sys.stderr,
        )
    return report.exit_code


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def run_changes(project: Project, args: argparse.Namespace) -> int:
    sys.stdout.write(changelog(project_changes(project, args.base), args.limit))
    return EXIT_OK


def run_commit(project: Project, args: argparse.Namespace) -> int:
    made, subject, paths = commit(project, load(project.catalogue).settings)
    if made is None:
        print(f"Nothing to commit: {_and([str(p) for p in paths])} are unchanged.")
    else:
        print(f"Committed {made}: {subject}")
    return EXIT_OK


def run_discover(project: Project, args: argparse.Namespace) -> int:
    if args.max_results is not None and not 1 <= args.max_results <= MAX_RESULTS_LIMIT:
        raise OptionError(f"--max-results must be from 1 to {MAX_RESULTS_LIMIT}")
    config = HarvestConfig.from_env(api_url=args.api_url, delay=args.delay, timeout=args.timeout)
    with project_lock(project.lock):
        report = discover(
            project,
            config,
            rss_url_from_env(args.rss_url),
            args.queries,
            args.feeds,
            args.since,
            args.max_results,
        )
    read = len(report.sources) - len(report.failures)
    print(
        f"Read {read} of {plural(len(report.sources), 'source')}: "
        f"{plural(report.found, 'paper')}, {report.listed} already listed, "
        f"{report.rejected} rejected, {plural(len(report.candidates), 'candidate')}."
    )
    if report.output:
        print_written([(report.output, report.changed)], args.quiet)
    if report.failures:
        failures = "; ".join(f"{label}: {reason}" for label, reason in report.failures.items())
        kept = "" if report.output else "; the review file was left as it was"
        print(f"Error: not read: {failures}{kept}", file=sys.stderr)
    return report.exit_code


def _warn_unresolved(unresolved: Sequence[str]) -> None:
    if unresolved:
        log.warning(
            "not in the document yet, no metadata cached: %s (run `litsync refresh`)",
            ", ".join(unresolved),
        )


if __name__ == "__main__":
    run()
