"""``monitor prune``: forget old posts' words, keep the numbers."""

from __future__ import annotations

import click

from ..retention import parse_age, prune
from .app import App, cli, pass_app


@cli.command("prune")
@click.option(
    "--older-than",
    "older_than",
    required=True,
    help="Age past which post text and author are dropped: 90d, 12w, 1y.",
)
@pass_app
def prune_command(app: App, older_than: str) -> None:
    """Drop the text and author of posts older than an age; keep the report's aggregates.

    Post metadata, mentions and sentiment labels stay, so daily counts and sentiment in
    the report do not change; exports show those posts without text.

    \b
    Example:
        monitor prune --older-than 90d
    """
    age = parse_age(older_than)
    with app.writer(lock=True) as store:
        pruned, cutoff = prune(store, age)
    if not app.quiet:
        click.echo(f"Dropped the text of {pruned} posts created before {cutoff}.")
