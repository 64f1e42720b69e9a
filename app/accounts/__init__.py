"""Personal accounts: roles, passwords, sessions, API tokens and login throttling."""
