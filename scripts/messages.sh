#!/usr/bin/env bash
# Developer tool: refresh the English catalogue after changing Chinese UI strings,
# then fill in the new msgstr entries in src/ipoc/locale/en/LC_MESSAGES/django.po
# (or pipe KEY=VALUE lines into scripts/po_fill.py, which also compiles the .mo).
# CI checks both are in step.
set -euo pipefail
cd "$(dirname "$0")/../src/ipoc"
IPOC_HOME="$(mktemp -d)" ../../.venv/bin/ipoc makemessages -l en --no-location --no-obsolete -i "*/migrations/*"
../../.venv/bin/python -c "import polib; polib.pofile('locale/en/LC_MESSAGES/django.po').save_as_mofile('locale/en/LC_MESSAGES/django.mo')"
../../.venv/bin/python -c "import polib; po = polib.pofile('locale/en/LC_MESSAGES/django.po'); u = po.untranslated_entries(); print(f'{len(u)} untranslated'); [print(' ', e.msgid) for e in u]"
