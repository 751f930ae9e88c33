"""Browser fixtures live in tests/conftest.py so every app's browser tests share one Playwright."""
