"""``capture-app config check FILE`` and ``capture-app config sample``: tools for IT departments.

``check`` validates one settings file on its own and prints every problem with file, line, key
and what is expected; the exit code is 0 when the file is usable (warnings may be printed),
1 when it has errors. ``sample`` prints a commented organisation file with every setting, its
meaning and its default, generated from the declarations in ``resources/settings.toml``.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from capture_app.core.platform import i18n
from capture_app.core.platform.config import (
    AGENT,
    ERROR,
    ORGANISATION,
    check_file,
    settings_table,
    toml_value,
)


def check(path: Path, *, layer: str = ORGANISATION, out: TextIO = sys.stdout) -> int:
    problems = check_file(path, layer)
    for problem in problems:
        marker = i18n.tr(f"cli.level_{problem.level}")
        print(f"{marker}: {problem.message()}", file=out)
    errors = [p for p in problems if p.level == ERROR]
    if errors:
        print(i18n.tr("cli.check_failed", file=str(path), count=len(errors)), file=out)
        return 1
    print(i18n.tr("cli.check_ok", file=str(path)), file=out)
    return 0


def _comment(text: str) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > 92:
            lines.append(f"# {line}".rstrip())
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(f"# {line}")
    return lines


def sample(language: str | None = None) -> str:
    """A complete, commented organisation file; every value is commented out (= the default)."""
    lang = language or i18n.current_language()
    out = [line for line in i18n.tr("cli.sample_header", language=lang).splitlines()]
    out += ["", "# locked = [\"support\", \"limits\"]", ""]
    section = None
    for key, setting in settings_table().items():
        head, name = key.rsplit(".", 1)
        if head != section:
            out += ["", f"[{head}]"]
            section = head
        out += ["", *_comment(f"{setting.label(lang)} — {setting.description(lang)}")]
        expected = setting.expected().render(lang)
        out += _comment(i18n.tr("cli.sample_expected", language=lang, expected=expected))
        out.append(f"# {name} = {toml_value(setting.default)}")
    return "\n".join(out).strip() + "\n"


def run(args) -> int:
    if args.config_command == "check":
        path = Path(args.file)
        layer = AGENT if args.agent else ORGANISATION
        return check(path, layer=layer)
    sys.stdout.write(sample())
    return 0
