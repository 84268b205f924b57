"""Ranking units by index, the way the national DTI publishes it.

Ties are judged on the index as published (rounded to 4 decimals): two units shown with the
same index share a rank and the next rank is skipped (1, 2, 2, 4: "standard competition
ranking"). A unit with no index (nothing applicable, nothing received) gets no rank.
"""

from __future__ import annotations

from collections.abc import Sequence

PUBLISHED_DECIMALS = 4


def competition_ranks(values: Sequence[float | None], decimals: int = PUBLISHED_DECIMALS) -> list[int | None]:
    """Rank of each value, highest first, tied values sharing the better rank."""
    keyed = [None if v is None else round(v, decimals) for v in values]
    present = sorted((v for v in keyed if v is not None), reverse=True)
    first_place: dict[float, int] = {}
    for position, value in enumerate(present, start=1):
        first_place.setdefault(value, position)
    return [None if v is None else first_place[v] for v in keyed]
