"""Component ids of the problem clues page (/clues)."""
from __future__ import annotations

ROOT = "clues-root"
RESOLVED = "clues-resolved"
REGION = "clues-region"
RULE = "clues-rule"
STATUS = "clues-status"
DEADLINE = "clues-deadline"
HANDLER = "clues-handler"
SCORE = "clues-score"
BY = "clues-by"
ASOF = "clues-asof"
TILES = "clues-tiles"
FUNNEL_CHART = "clues-funnel"  # chart key: the graph id is ids.chart(FUNNEL_CHART)
RULES = "clues-rules"
LIST_GRID = "clues-list"  # records-grid key (components/records_grid.py)
OPEN = "clues-open"  # store: the clue whose card is open
MOVED = "clues-moved"  # store: the last move done (refreshes card, tiles, funnel, list)
CARD = "clues-card"
CARD_BODY = "clues-card-body"
CARD_TITLE = "clues-card-title"
MOVE_TO = "clues-move-to"
MOVE_HANDLER = "clues-move-handler"
MOVE_DISMISS = "clues-move-dismiss"
MOVE_REASON = "clues-move-reason"
MOVE_SUBMIT = "clues-move-submit"
MOVE_RESULT = "clues-move-result"
W_SECTION = "warnings-section"
W_TILES = "warnings-tiles"
W_UNITS_CHART = "warnings-units"  # chart key
W_ONLY = "warnings-only"  # the list: all | open | overdue
W_LIST_GRID = "warnings-list"  # records-grid key
W_OPEN = "warnings-open"
W_MOVED = "warnings-moved"
W_CARD = "warnings-card"
W_CARD_TITLE = "warnings-card-title"
W_CARD_BODY = "warnings-card-body"
W_ACTION = "warnings-action"
W_NOTE = "warnings-note"
W_SUBMIT = "warnings-submit"
W_RESULT = "warnings-result"

PLAIN_IDS = (ROOT, RESOLVED, REGION, RULE, STATUS, DEADLINE, HANDLER, SCORE, BY, ASOF, TILES, RULES, OPEN,
             MOVED, CARD, CARD_BODY, CARD_TITLE, MOVE_TO, MOVE_HANDLER, MOVE_DISMISS, MOVE_REASON, MOVE_SUBMIT,
             MOVE_RESULT, W_SECTION, W_TILES, W_ONLY, W_OPEN, W_MOVED, W_CARD, W_CARD_TITLE, W_CARD_BODY, W_ACTION, W_NOTE,
             W_SUBMIT, W_RESULT)
