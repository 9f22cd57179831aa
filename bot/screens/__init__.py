"""Screens: pure rendering. Data in, `Screen(text, markup)` out (bot/screens/common.py), in the
current locale; one module per feature, plus the shared parts (common, keyboards, words). No sending,
no database: the handlers and the senders in bot/telegram show what these return."""
