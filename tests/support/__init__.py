"""Test helpers: the page checker, sign-in shortcuts and row factories."""
