"""The site's settings, declared in one place with a default and a sentence each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Where readers report a wrong answer. `{id}` is the question id, `{title}` and `{body}` are
# URL-encoded text naming the question and its page. The page only links to it, never loads it.
REPORT_URL = "mailto:?subject={title}&body={body}"

# Language code -> the value of <html lang>. Pagefind splits its index by this attribute, so a
# page's language is always written the same way.
LANGUAGES = {"zh": "zh-cn", "en": "en"}

# The language the root index.html sends readers to (the bank is written Chinese first).
DEFAULT_LANGUAGE = "zh"


@dataclass(frozen=True)
class SiteConfig:
    """What `build()` needs; every field has a default except the folders."""

    root: Path
    """The project root: questions/, exercises/ and (never read) solutions/ live under it."""

    out: Path
    """The output folder. Replaced as a whole, and only if empty or built by this tool."""

    search: bool = True
    """Index every study page with Pagefind (off: the offline title search still works)."""

    report_url: str = REPORT_URL
    """Template of the "report an error" link; see REPORT_URL."""

    @property
    def questions_dir(self) -> Path:
        return self.root / "questions"

    @property
    def exercises_dir(self) -> Path:
        return self.root / "exercises"
