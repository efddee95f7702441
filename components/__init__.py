"""Layout building blocks: the shell (navbar, page frame), URL state, placeholders.

Layout only: no database queries here (DESIGN.md §2).
"""
