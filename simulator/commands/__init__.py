"""The `interview` subcommands that work on recorded sessions, a module per group, and
what they share with the `interview` command itself (which sits above them)."""
