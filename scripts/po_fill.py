"""Developer tool: fill English translations into the catalogue from ``KEY=VALUE`` lines on stdin,
then compile the .mo (pure Python). Usage: python scripts/po_fill.py < translations.txt"""

import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "src/ipoc/locale/en/LC_MESSAGES/django.po"

po = polib.pofile(str(PO))
msgids = {e.msgid for e in po}
pairs = {}
for line in sys.stdin.read().splitlines():
    # split at the first "=" whose left side is a real msgid (a msgid may itself contain "=")
    cuts = [i for i, ch in enumerate(line) if ch == "="]
    for i in cuts:
        key = line[:i].replace("\\n", "\n")
        if key in msgids or i == cuts[-1]:
            pairs[key] = line[i + 1:].replace("\\n", "\n")
            break
for entry in po:
    if "fuzzy" in entry.flags:  # msgmerge's guess from a similar string: never trust it
        entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None  # a stale "#| msgid_plural" line makes msgmerge fail
        if not entry.msgid_plural:
            entry.msgstr = ""
    if not entry.msgstr and not entry.msgid_plural and entry.msgid in pairs:
        entry.msgstr = pairs[entry.msgid]
po.save()
po.save_as_mofile(str(PO.with_suffix(".mo")))
left = [e.msgid for e in po.untranslated_entries()]
print(f"{len(left)} untranslated", *left[:50], sep="\n  ")
