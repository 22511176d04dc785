"""``monitor label`` and ``monitor sentiment``: the sentiment stage from the command line."""

from __future__ import annotations

import os
import sys

import click

from .. import labels, sentiment
from ..errors import InputError
from ..explain import describe
from ..film3 import Film3Analyzer
from .app import App, cli, pass_app
from .types import count

MODELS = click.Choice(sorted(sentiment.ALIASES))


@cli.command()
@click.option("--relabel", is_flag=True, help="Label every mentioned post again.")
@click.option(
    "--model",
    type=MODELS,
    default="film",
    show_default=True,
    help="Sentiment model; labels are stored under its version.",
)
@click.option(
    "--batch",
    type=count(1, 100_000),
    default=labels.DEFAULT_BATCH,
    show_default=True,
    help="Posts per transaction.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=256),
    default=os.cpu_count() or 1,
    show_default="the CPU count",
    help="Processes that score posts (the reading and writing stay in one).",
)
@pass_app
def label(app: App, relabel: bool, model: str, batch: int, jobs: int) -> None:
    """Label the sentiment of stored posts that mention a title.

    Labels only the posts the model's current version has not labelled yet, unless
    --relabel. Each batch is committed as it finishes: an interrupted run loses nothing.

    \b
    Example:
        monitor label
        monitor label --relabel --model vader --jobs 2
    """
    store = app.store()
    version = sentiment.version(model)
    if sys.stderr.isatty():
        total = labels.pending(store, model, relabel=relabel)
        bar = click.progressbar(length=total, label=f"labelling ({version})", file=sys.stderr)
        with bar:
            done = labels.label_posts(
                store, model, relabel=relabel, batch=batch, progress=bar.update, jobs=jobs
            )
    else:
        done = labels.label_posts(store, model, relabel=relabel, batch=batch, jobs=jobs)
    click.echo(f"labelled {done} posts with {version}")


@cli.command("sentiment")
@click.option("--model", type=MODELS, default="film", show_default=True, help="Sentiment model.")
@click.option(
    "--title",
    "titles",
    multiple=True,
    metavar="NAME",
    help="A title name to mask, as labelling a post about it does (repeatable).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="After the label, what decided it: VADER, each film-layer change, the head.",
)
def sentiment_command(model: str, titles: tuple[str, ...], explain: bool) -> None:
    """Score text from stdin, one item per line: prints compound<TAB>label per line.

    Exactly one output line per input line; an empty line gives 0.0<TAB>neutral. The label
    is positive, neutral or negative. Input must be UTF-8. With --explain a third column
    says what decided the score (film-3 only).

    \b
    Example:
        printf 'so bad it is good\\nwhat a dreary mess\\n' | monitor sentiment
        monitor sentiment --model vader < posts.txt
        echo 'Killer is a gripping film' | monitor sentiment --explain --title Killer
    """
    analyzer = sentiment.analyzer(model)
    if explain and not isinstance(analyzer, Film3Analyzer):
        raise click.UsageError(f"--explain reads the {sentiment.FILM3} model, not {analyzer.model}")
    stdin = sys.stdin.buffer
    for number, raw in enumerate(stdin, 1):
        try:
            text = raw.decode("utf-8").rstrip("\n").rstrip("\r")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"stdin line {number}: not valid UTF-8 text (byte {exc.start + 1})",
                hint="convert the input to UTF-8, e.g. with iconv",
            ) from None
        if explain:
            assert isinstance(analyzer, Film3Analyzer)
            e = analyzer.explain(text, titles)
            click.echo(f"{e.compound}\t{e.label}\t{describe(e)}")
        else:
            s = analyzer.score(text, titles)
            click.echo(f"{s.compound}\t{s.label}")
