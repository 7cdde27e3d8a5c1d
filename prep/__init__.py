"""Tools for the question bank, the study site and the exercises (the `prep` command)."""
