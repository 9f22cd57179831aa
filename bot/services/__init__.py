"""Domain services: rules and decisions, no aiogram types."""
