"""``monitor relevance``: whether a text counts as a mention of a title, and why."""

from __future__ import annotations

import sys

import click

from .. import relevance
from ..config import Title
from .app import App, cli, pass_app


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
