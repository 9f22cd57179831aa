"""Middlewares load what handlers need (the user, their language) and answer what nobody handled."""
