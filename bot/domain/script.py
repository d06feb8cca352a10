"""The two scripts residents write in: Traditional text read as Simplified (OpenCC), so that
東門加裝自行車棚 and 东门加装自行车棚 are one idea and 下週三晚上七點 one time."""

from __future__ import annotations

import opencc

_TO_SIMPLIFIED = opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    return _TO_SIMPLIFIED.convert(text)
