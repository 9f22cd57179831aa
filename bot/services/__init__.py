"""Services: the rules and the use cases, one transaction per use case. No aiogram here, not even
through another module (tests/test_layout.py checks it): they hold ids and codes, the screens hold words."""
