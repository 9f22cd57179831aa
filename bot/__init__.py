"""Safe-migration Telegram bot: advice for labour migrants in their language, and a bridge to consultants."""
