"""Talking to Telegram outside an update: the outbox (posts kept until sent), the desk's posts to the
consultants, the paced senders of reminders, broadcasts and the digest, who is a consultant, the
command menus, and the FSM storage adapter."""
