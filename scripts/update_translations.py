"""Extract the interface's message ids and merge the Chinese wording into the zh catalogue.

    .venv/bin/python scripts/update_translations.py

Fails (exit 1) naming every message id that has no Chinese yet, so none slips through in English.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from zh_messages import ZH  # noqa: E402

POT = ROOT / "build" / "messages.pot"
PO = ROOT / "hazards" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def main() -> int:
    POT.parent.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_", "-k", "gettext", "-k", "lazy_gettext", "-k", "N_", "--no-location", "--omit-header",
                    "-o", str(POT), str(ROOT)], check=True, capture_output=True)
    with open(POT, "rb") as fh:
        catalog = read_po(fh, locale="zh")
    catalog.fuzzy = False  # a fuzzy header makes the compiler skip the whole catalogue
    catalog.project, catalog.version = "hazard-tracker", "1"
    missing = []
    for message in catalog:
        if not message.id:
            continue
        message.string = ZH.get(message.id, "")
        if not message.string:
            missing.append(message.id)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with open(PO, "wb") as fh:
        write_po(fh, catalog, omit_header=False, no_location=True, width=120)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
