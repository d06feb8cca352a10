"""Walking a guided dialogue in tests: the steps every flow shares."""

from __future__ import annotations


async def switch_on(tg, person, question, *labels: str, done: str = "Done"):
    """Switch toggles on (⬜ → ✅), each shown before the next press, then press Done; the next
    question."""
    for label in labels:
        await person.press(question, f"⬜ {label}")
        await tg.until(lambda label=label: f"✅ {label}" in question.button_texts, what=f"{label} on")
    await person.press(question, done)
    return await person.private.expect_message()
