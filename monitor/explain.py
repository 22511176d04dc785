"""Pure: an :class:`~monitor.film3.Explanation` as one line of text for ``--explain``."""

from __future__ import annotations

from .film3 import PROSE_GATE, Explanation


def describe(e: Explanation) -> str:
    """What decided the score, step by step, on one line (``; `` between the steps)."""
    steps = [f"vader {e.vader:+.4f}"]
    layer = [f"masked title {t!r}" for t in e.titles]
    layer += [f"idiom {i!r}" for i in e.idioms]
    layer += [f"neutralised plot word {w!r}" for w in e.neutralised]
    layer += [f"review word {w!r}" for w in e.review_words]
    steps.append(f"film layer: {', '.join(layer) or 'no change'} -> {e.film_layer:+.4f}")
    if e.probabilities:
        kind = "social" if e.gate >= 0.5 else "review"
        steps.append(f"gate {e.gate:.2f} ({kind}) -> film-2 {e.c2:+.4f}")
        p = e.probabilities
        steps.append(
            f"head p(neg/neu/pos) {p['negative']:.2f}/{p['neutral']:.2f}/{p['positive']:.2f}"
        )
        if e.top_words:
            pulls = ", ".join(f"{w!r} {v:+.2f}" for w, v in e.top_words)
            steps.append(f"words toward {e.label}: {pulls}")
        blended = max(-1.0, min(1.0, e.blend * e.c2 + e.rating))
        steps.append(
            f"blend {e.blend:.2f} × film-2 {e.rating:+.4f} (head's rating) -> {blended:+.4f}"
        )
        if e.label != "neutral" and e.gate < PROSE_GATE:
            steps.append("review prose: the blend's sign sets the side")
    steps.append(f"final {e.compound:+.4f} {e.label}")
    return "; ".join(steps)
