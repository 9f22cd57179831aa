"""The sandbox Telegram: an in-memory Bot API with Telegram's limits and errors, reached in-process
(session.py) or over HTTP (server.py), and a Person client that taps and types like a user (client.py)."""
