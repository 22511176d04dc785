"""``monitor label`` and ``monitor sentiment``: the signal stage from the command line."""

from __future__ import annotations

import sys

import click

from .. import labels, relevance, sentiment
from ..config import Title
from ..errors import InputError
from .app import App, cli, pass_app

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
    type=click.IntRange(min=1),
    default=labels.DEFAULT_BATCH,
    show_default=True,
    help="Posts per transaction.",
)
@pass_app
def label(app: App, relabel: bool, model: str, batch: int) -> None:
    """Label the sentiment of stored posts that mention a title.

    Labels only the posts the model's current version has not labelled yet, unless
    --relabel. Each batch is committed as it finishes: an interrupted run loses nothing.

    \b
    Example:
        monitor label
        monitor label --relabel --model vader
    """
    store = app.store()
    version = sentiment.analyzer(model).model
    if sys.stderr.isatty():
        total = labels.pending(store, model, relabel=relabel)
        bar = click.progressbar(length=total, label=f"labelling ({version})", file=sys.stderr)
        with bar:
            done = labels.label_posts(
                store, model, relabel=relabel, batch=batch, progress=bar.update
            )
    else:
        done = labels.label_posts(store, model, relabel=relabel, batch=batch)
    click.echo(f"labelled {done} posts with {version}")


@cli.command("sentiment")
@click.option("--model", type=MODELS, default="film", show_default=True, help="Sentiment model.")
def sentiment_command(model: str) -> None:
    """Score text from stdin, one item per line: prints compound<TAB>label per line.

    Exactly one output line per input line; an empty line gives 0.0<TAB>neutral. The label
    is positive, neutral or negative. Input must be UTF-8.

    \b
    Example:
        printf 'so bad it is good\\nwhat a dreary mess\\n' | monitor sentiment
        monitor sentiment --model vader < posts.txt
    """
    analyzer = sentiment.analyzer(model)
    stdin = sys.stdin.buffer
    for number, raw in enumerate(stdin, 1):
        try:
            text = raw.decode("utf-8").rstrip("\n").rstrip("\r")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"stdin line {number}: not valid UTF-8 text (byte {exc.start + 1})",
                hint="convert the input to UTF-8, e.g. with iconv",
            ) from None
        s = analyzer.score(text)
        click.echo(f"{s.compound}\t{s.label}")


@cli.command("relevance")
@click.argument("text")
@click.option(
    "--title",
    "names",
    multiple=True,
    required=True,
    help="A title's name (repeatable). A title in the config brings its aliases, context, "
    "exclude words and release date; any other name is judged by its name alone.",
)
@click.option("--community", help="The subreddit the post is in, e.g. r/movies.")
@click.option("--thread", is_flag=True, help="The post is a comment in a thread about the title.")
@pass_app
def relevance_command(
    app: App, text: str, names: tuple[str, ...], community: str | None, thread: bool
) -> None:
    """Show whether TEXT counts as a mention of a title, and why.

    Prints the verdict, the score against the threshold and each piece of evidence with
    its points, for and against. TEXT "-" reads the text from stdin.

    \b
    Example:
        monitor relevance "rewatched Heat last night, that diner scene" --title Heat
        monitor relevance "Miami Heat won again" --title Heat --community r/nba
    """
    if text == "-":
        text = sys.stdin.read()
    configured = {t.name.casefold(): t for t in app.optional_config().titles}
    titles = [configured.get(n.casefold()) or Title(n) for n in names]
    threads = [t.name for t in titles] if thread else []
    verdicts = dict(
        (t.name, v)
        for t, v in relevance.Matcher(titles).judge(
            text, community=community, thread_titles=threads
        )
    )
    for title in titles:
        verdict = verdicts.get(title.name, relevance.NOT_NAMED)
        if title.name not in verdicts:
            click.echo(f"{title.name}: not named (score 0.0)")
            continue
        word = "about" if verdict.about else "not about"
        click.echo(f"{title.name}: {word} (score {verdict.score:g}, needs {relevance.THRESHOLD:g})")
        for term, points in verdict.evidence:
            click.echo(f"  {points:+.2f}  {term}")
